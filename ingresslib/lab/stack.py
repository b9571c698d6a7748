"""A stack's config and render for the lab: the config is the spec the probes are derived from;
the render (fresh, or a directory `ingresslib render` wrote) is what the lab runs.

The config is the one the program hands to `IngressStack`: read from the stack file without
running the program when it calls `load_config` (as `ingresslib validate` does), else captured
from the program run offline (a program that builds its config in Python).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingresslib.stack.model import StackConfig


class RenderDirError(ValueError):
    """A --render-dir that is not what `ingresslib render` writes."""


@dataclass(frozen=True)
class Stack:
    config: StackConfig
    render_dir: Path


def load(stack_dir: Path, stack: str, render_dir: Path | None, scratch: Path) -> Stack:
    """The stack's config and its render directory (rendered into `scratch` when not given).

    Errors: ConfigError / OfflineError as `ingresslib render` raises them; RenderDirError.
    """
    from ingresslib.offline.runner import Project, run_project  # noqa: PLC0415
    from ingresslib.offline.validate import config_call, stack_config  # noqa: PLC0415

    project = Project.load(stack_dir)
    call = config_call(project.program / "__main__.py")
    if call is not None and render_dir is not None:
        config = stack_config(project, stack, call.cloud)
    else:
        configs: list[StackConfig] = []
        with _capture(configs):
            records = run_project(stack_dir, stack)
        if not configs:
            raise RenderDirError(
                f"{stack_dir}: the program registers no IngressStack: verify derives its probes "
                "from the stack's config and runs its load balancer and gateway, which a "
                "program of routing alone does not have")
        config = configs[0]
        if render_dir is None:
            from ingresslib.offline.output import write  # noqa: PLC0415

            render_dir = scratch / "render"
            write(render_dir, records, {})
    return Stack(config, render_dir)


@contextlib.contextmanager
def _capture(configs: list[StackConfig]) -> Iterator[None]:
    """Record the config of every IngressStack the program creates."""
    from ingresslib.stack.component import IngressStack  # noqa: PLC0415

    original = IngressStack.__init__

    def init(self: IngressStack, name: str, config: StackConfig, *a: Any, **k: Any) -> None:
        configs.append(config)
        original(self, name, config, *a, **k)

    IngressStack.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        IngressStack.__init__ = original  # type: ignore[method-assign]


def manifests(render_dir: Path) -> list[dict[str, Any]]:
    """Every Kubernetes object of the render, in file order."""
    folder = render_dir / "manifests"
    if not folder.is_dir():
        raise RenderDirError(f"{render_dir}: no manifests/ directory (write one with "
                             "`ingresslib render STACK_DIR --stack NAME --out DIR`)")
    out = []
    for f in sorted(folder.glob("*.yaml")):
        out += [d for d in yaml.safe_load_all(f.read_text()) if d]
    return out


def plan(render_dir: Path) -> list[dict[str, Any]]:
    """plan.json: the cloud resources the render registers (the front reads them)."""
    import json  # noqa: PLC0415

    path = render_dir / "plan.json"
    return json.loads(path.read_text()) if path.is_file() else []


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="ingresslib-lab-")
