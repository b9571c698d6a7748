"""EnvoyFilters: the one builder of the EnvoyFilter objects ingresslib renders (rate limits,
the route patches of Gateway API routes, X-Forwarded-Proto) and of their patches.

Every patch matches the GATEWAY context (the gateway pods only), and every patch value is
parsed with Envoy's own API (`ingresslib.envoy`) as it is rendered, so a typo in a field name
fails the render instead of being ignored by istiod. Istio applies EnvoyFilters in ascending
`priority` (default 0).
"""

from __future__ import annotations

from typing import Any

from ingresslib.manifests.meta import MANAGED_BY, obj

API_VERSION = "networking.istio.io/v1alpha3"
HCM = "envoy.filters.network.http_connection_manager"
ROUTER = "envoy.filters.http.router"


def envoy_filter(
    name: str,
    namespace: str,
    *,
    selector: dict[str, str],
    stack: str,
    patches: list[dict[str, Any]],
    priority: int | None = None,
) -> dict[str, Any]:
    """The EnvoyFilter `name` in `namespace` applying `patches` (each from `patch`) to the pods
    `selector` selects, labelled as part of `stack`; `priority` is left out when None (Istio's
    default 0). Raises EnvoyConfigError when a patch value is not valid Envoy config."""
    # Deferred: Envoy's generated classes take a fifth of a second to import, paid only by
    # stacks that render an EnvoyFilter.
    from ingresslib.envoy import validate_patch_value  # noqa: PLC0415

    for p in patches:
        validate_patch_value(p["applyTo"], p["patch"]["value"])
    spec: dict[str, Any] = {"workloadSelector": {"labels": selector}}
    if priority is not None:
        spec["priority"] = priority
    spec["configPatches"] = patches
    return obj(
        API_VERSION, "EnvoyFilter", name, namespace,
        labels={**MANAGED_BY, "app.kubernetes.io/part-of": stack},
        spec=spec,
    )


def patch(
    apply_to: str, match: dict[str, Any], operation: str, value: dict[str, Any]
) -> dict[str, Any]:
    """One config patch: `operation` (MERGE, INSERT_BEFORE...) of `value` on what `match`
    selects (besides the GATEWAY context) of kind `apply_to` (HTTP_FILTER, VIRTUAL_HOST...)."""
    return {
        "applyTo": apply_to,
        "match": {"context": "GATEWAY", **match},
        "patch": {"operation": operation, "value": value},
    }


def insert_filter(name: str, typed_config: dict[str, Any]) -> dict[str, Any]:
    """The HTTP filter `name` into every HTTP connection manager on the gateway, just before
    the router."""
    match = {"listener": {"filterChain": {"filter": {"name": HCM, "subFilter": {"name": ROUTER}}}}}
    return patch(
        "HTTP_FILTER", match, "INSERT_BEFORE", {"name": name, "typed_config": typed_config}
    )


def vhost(host: str, port: int, route: str | None = None) -> dict[str, Any]:
    """The match of Envoy's virtual host `host:port` (Istio's name for it), or of its route
    `route` (a route's name) when given."""
    found: dict[str, Any] = {"name": f"{host}:{port}"}
    if route is not None:
        found["route"] = {"name": route}
    return {"routeConfiguration": {"vhost": found}}


def route_configuration(port: int) -> dict[str, Any]:
    """The match of the route configuration of the gateway server port `port`."""
    return {"routeConfiguration": {"portNumber": port}}
