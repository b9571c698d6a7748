"""VirtualServices: one per host, its rules in the order given (first match wins)."""

from __future__ import annotations

import re
from typing import Any

from pydantic.alias_generators import to_camel

from ingresslib.config.routing import (
    Backend,
    Cors,
    Destination,
    HeaderOperations,
    HostRoutes,
    Mirror,
    Route,
    RouteMatch,
    StringMatch,
    TlsRoute,
)
from ingresslib.manifests.meta import MANAGED_BY, obj


def host_slug(host: str) -> str:
    """A DNS-label-safe name for a host: `*.example.com` -> `wildcard-example-com`."""
    return re.sub(r"[^a-z0-9-]", "-", host.replace("*", "wildcard"))


def _string(m: StringMatch) -> dict[str, str]:
    return m.model_dump(exclude_none=True)


def _match(m: RouteMatch) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m.uri:
        out["uri"] = _string(m.uri)
    if m.method:
        out["method"] = _string(m.method)
    if m.headers:
        out["headers"] = {k: _string(v) for k, v in sorted(m.headers.items())}
    if m.query_params:
        out["queryParams"] = {k: _string(v) for k, v in sorted(m.query_params.items())}
    if m.port:
        out["port"] = m.port
    if m.ignore_uri_case:
        out["ignoreUriCase"] = True
    return out


def _destination(d: Destination | Mirror, backends: dict[str, Backend]) -> dict[str, Any]:
    backend = backends[d.backend]
    dest: dict[str, Any] = {"host": backend.fqdn, "port": {"number": backend.port}}
    if d.subset:
        dest["subset"] = d.subset
    return dest


def _weighted(to: list[Destination], backends: dict[str, Backend]) -> list[dict[str, Any]]:
    out = []
    for d in to:
        entry: dict[str, Any] = {"destination": _destination(d, backends)}
        if d.weight is not None:
            entry["weight"] = d.weight
        out.append(entry)
    return out


def _headers(ops: HeaderOperations) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ops.set:
        out["set"] = dict(sorted(ops.set.items()))
    if ops.add:
        out["add"] = dict(sorted(ops.add.items()))
    if ops.remove:
        out["remove"] = list(ops.remove)
    return out


def _cors(c: Cors) -> dict[str, Any]:
    out: dict[str, Any] = {"allowOrigins": [_string(o) for o in c.allow_origins]}
    for key in ("allow_methods", "allow_headers", "expose_headers"):
        if getattr(c, key):
            out[to_camel(key)] = list(getattr(c, key))
    if c.max_age:
        out["maxAge"] = c.max_age
    if c.allow_credentials is not None:
        out["allowCredentials"] = c.allow_credentials
    return out


def http_route(route: Route, backends: dict[str, Backend]) -> dict[str, Any]:
    """One http rule; `name` lets EnvoyFilters and access logs find it."""
    out: dict[str, Any] = {"name": route.name}
    if route.match:
        out["match"] = [_match(m) for m in route.match]
    if route.to:
        out["route"] = _weighted(route.to, backends)
    if route.redirect:
        out["redirect"] = route.redirect.model_dump(by_alias=True, exclude_none=True)
    if route.direct_response:
        resp: dict[str, Any] = {"status": route.direct_response.status}
        if route.direct_response.body is not None:
            resp["body"] = {"string": route.direct_response.body}
        out["directResponse"] = resp
    if route.delegate:
        out["delegate"] = route.delegate.model_dump()
    if route.rewrite:
        out["rewrite"] = route.rewrite.model_dump(exclude_none=True)
    if route.timeout:
        out["timeout"] = route.timeout
    if route.retries:
        out["retries"] = route.retries.model_dump(by_alias=True, exclude_none=True)
    if route.fault:
        out["fault"] = _fault(route)
    if route.cors:
        out["corsPolicy"] = _cors(route.cors)
    if route.mirror:
        out["mirror"] = _destination(route.mirror, backends)
        out["mirrorPercentage"] = {"value": route.mirror.percent}
    if route.headers:
        # An empty side (`request: {}`) is left out, as the Gateway API filters leave it.
        headers = {side: rendered for side, ops in (("request", route.headers.request),
                                                    ("response", route.headers.response))
                   if ops and (rendered := _headers(ops))}
        if headers:
            out["headers"] = headers
    return out


def _fault(route: Route) -> dict[str, Any]:
    assert route.fault is not None
    fault: dict[str, Any] = {}
    if route.fault.delay:
        fault["delay"] = {"fixedDelay": route.fault.delay.fixed_delay,
                          "percentage": {"value": route.fault.delay.percent}}
    if route.fault.abort:
        fault["abort"] = {"httpStatus": route.fault.abort.http_status,
                          "percentage": {"value": route.fault.abort.percent}}
    return fault


def _tls_route(route: TlsRoute, port: int, backends: dict[str, Backend]) -> dict[str, Any]:
    return {
        "match": [{"port": port, "sniHosts": list(route.sni_hosts)}],
        "route": _weighted(route.to, backends),
    }


def virtual_service(
    name: str,
    namespace: str,
    gateway: str,
    host: HostRoutes,
    backends: dict[str, Backend],
    *,
    passthrough_port: int = 443,
) -> dict[str, Any]:
    """`gateway` is `namespace/name` of the Istio Gateway that serves the host."""
    spec: dict[str, Any] = {"hosts": [host.host], "gateways": [gateway]}
    if host.routes:
        spec["http"] = [http_route(r, backends) for r in host.routes]
    if host.tls_routes:
        spec["tls"] = [_tls_route(r, passthrough_port, backends) for r in host.tls_routes]
    return obj("networking.istio.io/v1", "VirtualService", name, namespace,
               labels=MANAGED_BY, spec=spec)


def delegate_virtual_service(
    name: str, namespace: str, routes: list[dict[str, Any]]
) -> dict[str, Any]:
    """A delegate holds http rules only: no hosts, no gateways (the root names it)."""
    return obj("networking.istio.io/v1", "VirtualService", name, namespace,
               labels=MANAGED_BY, spec={"http": routes})
