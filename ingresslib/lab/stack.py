"""A stack's config and render for the lab: the config is the spec the probes are derived from;
the render (fresh, or a directory `ingresslib render` wrote) is what the lab runs.

The config is the one the program hands to `IngressStack`: read from the stack file without
running the program when it calls `load_config` (as `ingresslib validate` does), else captured
from the program run offline (a program that builds its config in Python). A program that
composes `IngressRouting` alone (a gateway deployed by other means) gives a `RoutingOnly`:
its routing, listeners, gateway workload and Service, without a load balancer.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingresslib.stack.model import StackConfig


class RenderDirError(ValueError):
    """A --render-dir that is not what `ingresslib render` writes."""


@dataclass(frozen=True)
class NoRateLimits:
    """A routing-only program's rate limits: none (the shape of `StackConfig.rate_limits`)."""

    global_: None = None
    local: tuple[()] = ()


@dataclass(frozen=True)
class NoIssuers:
    """A routing-only program's cert-manager: no issuers."""

    issuers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RoutingEdge:
    """The edge plan of a gateway deployed by other means: no load balancer in the render, so
    no health check and no idle timeouts across a hop; the client reaches the gateway's
    Service ports directly and Envoy appends its address to X-Forwarded-For."""

    workload: Any
    health_check: None = None
    timeouts: None = None
    client_address: str = "X-Forwarded-For (the client connects to the gateway directly)"


@dataclass(frozen=True)
class RoutingOnly:
    """What the probes read of a program that composes `IngressRouting` alone (routes in front
    of a gateway deployed by other means): its routing, listeners and gateway (`workload`: the
    `GatewayWorkload` whose labels the rendered Istio Gateway selects) and the gateway's
    existing Service (`service`, default the workload's name). Duck-types the parts of
    `StackConfig` the lab reads; no load balancer, security, certificates or rate limits."""

    routing: Any
    listeners: list[Any]
    workload: Any
    service: str
    api: str = "istio"
    security: None = None
    certificates: dict[str, Any] = field(default_factory=dict)
    rate_limits: NoRateLimits = field(default_factory=NoRateLimits)
    cert_manager: NoIssuers = field(default_factory=NoIssuers)

    @property
    def edge(self) -> RoutingEdge:
        return RoutingEdge(self.workload)


@dataclass(frozen=True)
class Stack:
    config: StackConfig | RoutingOnly
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
        configs: list[StackConfig | RoutingOnly] = []
        routings: list[RoutingOnly] = []
        with _capture(configs), _capture_routing(routings):
            records = run_project(stack_dir, stack)
        if not configs and not routings:
            raise RenderDirError(
                f"{stack_dir}: the program registers neither an IngressStack nor an "
                "IngressRouting: verify has no config to derive its probes from")
        config = configs[0] if configs else routings[0]
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


@contextlib.contextmanager
def _capture_routing(routings: list[RoutingOnly]) -> Iterator[None]:
    """Record every IngressRouting the program creates itself (an IngressStack composes its
    own, which `_capture` already covers: only those created outside a stack are kept)."""
    from ingresslib.components.policies import IngressRouting  # noqa: PLC0415

    original = IngressRouting.__init__

    def init(self: IngressRouting, name: str, routing: Any, listeners: list[Any],
             gateway: Any, *a: Any, **k: Any) -> None:
        routings.append(RoutingOnly(routing, list(listeners), gateway,
                                    k.get("service") or gateway.name, k.get("api", "istio")))
        original(self, name, routing, listeners, gateway, *a, **k)

    IngressRouting.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        IngressRouting.__init__ = original  # type: ignore[method-assign]


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
