"""An emulated AWS account (moto) for the tests that call the AWS API through boto3."""

from __future__ import annotations

import json
from typing import Any

import boto3

try:  # before any boto3 session exists: moto hooks the sessions created after its import
    import moto
except ImportError:  # the `account` fixture skips (or fails under CI) and says why
    moto = None

from ingresslib import StackConfig, parse_config
from ingresslib.aws.replay import AwsWorld
from ingresslib.offline.runner import Project
from tests.conftest import ROOT

REGION = "eu-west-1"
# One session for the whole run: boto3 clients are costly to create, and moto intercepts the
# calls of this session's clients while a mock is active (the `account` fixture in conftest).
SESSION = boto3.Session(region_name=REGION)


def stack_data(topology: str) -> dict[str, Any]:
    """The `ingress:stack` of stacks/eks/Pulumi.<topology>.yaml, as data."""
    data: dict[str, Any] = json.loads(
        Project.load(ROOT / "stacks/eks").stack_config(topology)["ingress:stack"])
    return data


def real_config(data: dict[str, Any], world: AwsWorld) -> StackConfig:
    """`data` with every identifier the world created replaced by its real value, as a stack
    deployed into that account would name them."""
    text = json.dumps(data)
    for fake, real in world.ids.items():
        text = text.replace(fake, real)
    return parse_config(json.loads(text))
