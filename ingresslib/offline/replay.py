"""A stack rendered offline and replayed into an AWS API in one call (moto in tests).

The replay itself is the AWS folder's (`ingresslib.aws.replay`): it takes a render's plan
entries and Kubernetes objects. This module renders a Pulumi project's stack the way
`ingresslib render` does and hands the result over, so the AWS folder never imports the
offline tooling that sits above it.
"""

from __future__ import annotations

import json
import os

import boto3

from ingresslib.aws.replay import AwsWorld, Replayed, replay
from ingresslib.offline.output import manifests, plan
from ingresslib.offline.runner import Project, run_project
from ingresslib.stack.model import parse_config


def replay_stack(directory: str | os.PathLike[str], stack: str, session: boto3.Session
                 ) -> Replayed:
    """Render the stack offline, build its world through `session` and replay the render."""
    config = Project.load(directory).stack_config(stack)
    cfg = parse_config(json.loads(config["ingress:stack"]), "ingress:stack")
    records = run_project(directory, stack)
    world = AwsWorld.build(cfg, session, with_cluster=False)
    return replay(plan(records), manifests(records), world)
