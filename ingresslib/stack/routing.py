"""The stack's routing objects: its `routing` section in its `api`, served on its listeners as
the gateway serves them, rendered by the one function `IngressRouting` calls too."""

from __future__ import annotations

from typing import Any

from ingresslib.config.acme import acme_listeners, http01_hosts
from ingresslib.config.stack import StackSpec
from ingresslib.edge import EdgePlan
from ingresslib.manifests.certificates import credentials
from ingresslib.manifests.routing import gateway_listeners, gateway_routing_objects


def routing_manifests(spec: StackSpec, plan: EdgePlan) -> list[dict[str, Any]]:
    """`gateway_routing_objects` with the stack's arguments: the Gateway's servers
    (`gateway_listeners`: in chained one HTTP server behind the L7 load balancer; a listener
    whose TLS ends at the load balancer served as HTTP, keeping the redirects it gave), the
    certificates' Secrets, the ACME HTTP-01 listeners and names, the Gateway API channel,
    and each listener's config path. Raises ConfigError on routing the API cannot say (with
    the config's paths). `plan.workload` must be the gateway (not topology standalone)."""
    assert plan.workload is not None
    return gateway_routing_objects(
        spec.routing, gateway_listeners(spec.listeners, spec.topology, plan.tls_listeners),
        plan.workload, api=spec.api, stack=spec.name,
        credentials=credentials(spec.certificates),
        experimental=spec.gateway_api.channel == "experimental",
        paths={lst.name: f"listeners[{i}]" for i, lst in enumerate(spec.listeners)},
        challenge_listeners=acme_listeners(spec), challenge_hosts=http01_hosts(spec))


# Where validation leaves the routing objects it rendered (`api: gatewayApi`: what Gateway API
# cannot say is found by rendering) in the config's `__dict__`, beside its cached `edge`, for
# its first render to take instead of rendering them again; with the plan they follow. A copy
# of the config drops them (`forget_checked_routing`), so it renders its own.
_RENDERED = "_ingresslib_rendered_routing"


def checked_routing_manifests(spec: StackSpec, plan: EdgePlan) -> list[dict[str, Any]]:
    """`routing_manifests`, kept on `spec` for the first `stack_routing_manifests` of the same
    `spec` and `plan` to take (validation renders the Gateway API routing to find what the API
    cannot say: with 10,000 routes that took as long again as the rest of the render). Raises
    as it does."""
    objects = routing_manifests(spec, plan)
    spec.__dict__[_RENDERED] = (plan, objects)
    return objects


def stack_routing_manifests(spec: StackSpec, plan: EdgePlan) -> list[dict[str, Any]]:
    """`routing_manifests`, or the objects validation rendered for this `spec` and `plan`,
    taken once: a later render renders afresh, so no two renders share an object."""
    kept = spec.__dict__.pop(_RENDERED, None)
    if kept is not None and kept[0] is plan:
        return kept[1]
    return routing_manifests(spec, plan)


def forget_checked_routing(spec: StackSpec) -> None:
    """Drop what validation kept for `spec`'s first render: for a copy of a config, which
    would otherwise take (a copy of) the original's objects."""
    spec.__dict__.pop(_RENDERED, None)
