"""Render a shipped stack or example with its routing in another API (`api: gatewayApi`),
without touching its stack file: the config Pulumi would hand the program, one key changed."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

from ingresslib.offline.mocks import Registered
from ingresslib.offline.runner import Project, _program_dir, run_program

STACK_KEY = "ingress:stack"


def flipped_config(config: dict[str, str], project: str, api: str,
                   channel: str | None = None) -> dict[str, str]:
    """`config` with the stack's api set: in `ingress:stack`, or the example's own `api` key."""
    out = dict(config)
    if STACK_KEY in out:
        stack: dict[str, Any] = json.loads(out[STACK_KEY])
        stack["api"] = api
        if channel:
            stack["gatewayApi"] = {"channel": channel}
        out[STACK_KEY] = json.dumps(stack)
    else:
        out[f"{project}:api"] = api
    return out


def run_flipped(directory: Path, stack: str, api: str = "gatewayApi",
                channel: str | None = None) -> list[Registered]:
    proj = Project.load(directory)
    config = flipped_config(proj.stack_config(stack), proj.name, api, channel)
    with _program_dir(proj.program):
        return run_program(
            lambda: runpy.run_path(str(proj.program / "__main__.py"), run_name="__main__"),
            project=proj.name, stack=stack, config=config,
            secret_keys=proj.secret_keys(stack))


def has_istio_gateway(directory: Path, stack: str) -> bool:
    proj = Project.load(directory)
    config = proj.stack_config(stack)
    if STACK_KEY not in config:
        return True  # the echoserver example: topology gateway, in Python
    return json.loads(config[STACK_KEY]).get("topology", "gateway") != "standalone"
