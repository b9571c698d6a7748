"""What the Application Gateway Ingress Controller can express of `routing` (topology standalone
on AKS), and the translation of a route's matches into Ingress paths.

AGIC turns Ingress objects into Application Gateway listeners, path rules and backend settings:
a host, URL paths (exact or prefix), one Service per path, and per-Ingress settings (request
timeout, probe, draining, the rewrite set). Everything else a route can say needs the Istio
gateway (topology chained) and is refused here with its config path. Application Gateway takes
the first path rule that matches, but AGIC merges the paths of a host's Ingress objects in an
order ingresslib does not control: so routes must match disjoint paths, and a catch-all comes
last (it becomes the host's default backend, tried after every path).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ingresslib.azure.config import MAX_REQUEST_TIMEOUT_SECONDS
from ingresslib.azure.standalone_backends import backend_problems
from ingresslib.config.duration import duration_ns
from ingresslib.config.routing import Route
from ingresslib.errors import Problem
from ingresslib.manifests.virtual_service import host_slug

if TYPE_CHECKING:
    from ingresslib.azure.config import AksStack, ApplicationGateway

# Route fields AGIC has no annotation or Ingress field for, with what to do instead.
_UNSUPPORTED = {
    "redirect": "a redirect",
    "direct_response": "a direct response",
    "delegate": "delegation to another VirtualService",
    "rewrite": "rewrites",
    "retries": "retries",
    "fault": "fault injection",
    "cors": "CORS policies",
    "mirror": "mirroring",
    "headers": "header rewrites",
}
_MATCH_FIELDS = {
    "headers": "headers",
    "query_params": "queryParams",
    "method": "method",
    "port": "port",
}


@dataclass(frozen=True)
class IngressPath:
    path: str
    path_type: Literal["Prefix", "Exact"]

    def overlaps(self, other: IngressPath) -> bool:
        """Whether some request path matches both (Application Gateway prefix patterns are
        plain string prefixes: `/api` covers `/apix`)."""
        if self.path_type == "Prefix" and other.path_type == "Prefix":
            return self.path.startswith(other.path) or other.path.startswith(self.path)
        if self.path_type == "Prefix":
            return other.path.startswith(self.path)
        if other.path_type == "Prefix":
            return self.path.startswith(other.path)
        return self.path == other.path


CATCH_ALL = IngressPath("/", "Prefix")
MAX_NAME = 253
# Application Gateway's bound on a backend setting's connection draining (its request timeout's
# is MAX_REQUEST_TIMEOUT_SECONDS).
MAX_DRAIN_SECONDS = 3600


def ingress_name(stack: str, host: str, route: str) -> str:
    """`<stack>-<host slug>-<route>`: one Ingress per route, unique per host."""
    return f"{stack}-{host_slug(host)}-{route}"


def route_paths(route: Route) -> list[IngressPath]:
    """The Ingress paths of a route whose matches AGIC can express (see agic_problems)."""
    if route.is_catch_all():
        return [CATCH_ALL]
    out = []
    for m in route.match:
        assert m.uri is not None
        if m.uri.exact is not None:
            out.append(IngressPath(m.uri.exact, "Exact"))
        else:
            assert m.uri.prefix is not None
            out.append(IngressPath(m.uri.prefix, "Prefix"))
    return out


def timeout_seconds(route: Route, default: int) -> int:
    """AGIC's request timeout is in whole seconds: round the route's up."""
    if route.timeout is None:
        return default
    return max(1, math.ceil(duration_ns(route.timeout) / 10**9))


def _request_timeouts(cfg: AksStack) -> list[tuple[str, Route, int]]:
    """Each standalone route's request timeout on Application Gateway, with its config path."""
    assert cfg.azure is not None
    assert cfg.azure.application_gateway is not None
    default = cfg.azure.application_gateway.request_timeout_seconds
    return [(f"routing.hosts[{i}].routes[{j}]", route, timeout_seconds(route, default))
            for i, host in enumerate(cfg.routing.hosts) for j, route in enumerate(host.routes)]


def drain_needed(cfg: AksStack) -> tuple[int, str]:
    """How long Application Gateway must drain a pod that leaves its pool (standalone): the
    longest request timeout of a route, as far as draining reaches (EDGE-DR-APPGW)."""
    agw = cfg.azure.application_gateway if cfg.azure else None
    if agw is None:
        return 0, ""
    longest = max((t for _, _, t in _request_timeouts(cfg)),
                  default=agw.request_timeout_seconds)
    needed = min(longest, MAX_DRAIN_SECONDS)
    return needed, (f"the longest request timeout of a route ({longest} s)" + (
        f", as far as Application Gateway drains ({MAX_DRAIN_SECONDS} s)"
        if longest > MAX_DRAIN_SECONDS else ""))


def drain_seconds(cfg: AksStack, route: Route) -> int:
    """The connection-draining timeout of a route's Ingress: the deregistration delay, and at
    least the route's request timeout, so a request in flight when its pod leaves the pool
    can finish (EDGE-DR-APPGW)."""
    assert cfg.azure is not None
    assert cfg.azure.application_gateway is not None
    timeout = timeout_seconds(route, cfg.azure.application_gateway.request_timeout_seconds)
    return min(max(cfg.load_balancer.deregistration_delay_seconds, timeout), MAX_DRAIN_SECONDS)


def _timeout_problems(cfg: AksStack) -> Iterator[Problem]:
    """Each route's timeout becomes its Ingress's request timeout (EDGE-TO-APPGW), and each
    Ingress drains for at least that long (EDGE-DR-APPGW)."""
    for path, route, seconds in _request_timeouts(cfg):
        if seconds > MAX_REQUEST_TIMEOUT_SECONDS:
            yield Problem(f"{path}.timeout", route.timeout, "becomes the route's request "
                          "timeout on Application Gateway, which takes at most "
                          f"{MAX_REQUEST_TIMEOUT_SECONDS} s; use at most "
                          f"{MAX_REQUEST_TIMEOUT_SECONDS}s (EDGE-TO-APPGW)")
    delay = cfg.load_balancer.deregistration_delay_seconds
    needed, why = drain_needed(cfg)
    if "deregistration_delay_seconds" in cfg.load_balancer.model_fields_set and delay < needed:
        yield Problem("loadBalancer.deregistrationDelaySeconds", delay,
                      f"is Application Gateway's connection draining in standalone: a pod "
                      f"leaving the pool would have its requests cut after {delay} s, before "
                      f"{why}; use at least {needed} (EDGE-DR-APPGW)")


def _route_problems(path: str, route: Route) -> Iterator[Problem]:
    for key, what in _UNSUPPORTED.items():
        if getattr(route, key):
            camel = "directResponse" if key == "direct_response" else key
            yield Problem(f"{path}.{camel}", "set", f"AGIC cannot express {what}: Application "
                          "Gateway only forwards paths to Services. Remove it, or use topology "
                          "chained to route in the Istio gateway")
    if len(route.to) > 1:
        yield Problem(f"{path}.to", [d.backend for d in route.to], "AGIC sends a path to one "
                      "Service and cannot split traffic by weight; use one destination, or "
                      "topology chained for canaries")
    for k, dest in enumerate(route.to):
        if dest.subset:
            yield Problem(f"{path}.to[{k}].subset", dest.subset, "AGIC sends to every pod of "
                          "the Service; subsets need the Istio gateway (topology chained)")
    for k, m in enumerate(route.match):
        at = f"{path}.match[{k}]"
        for key, camel in _MATCH_FIELDS.items():
            if getattr(m, key):
                yield Problem(f"{at}.{camel}", getattr(m, key), "AGIC matches on host and URL "
                              "path only; remove it, or use topology chained")
        if m.ignore_uri_case:
            yield Problem(f"{at}.ignoreUriCase", True, "Application Gateway path rules are "
                          "always case-insensitive and AGIC has no switch for it; remove it")
        if m.uri is None:
            if not m.is_catch_all():
                yield Problem(f"{at}.uri", None, "AGIC routes by URL path: give the match a "
                              "uri prefix or exact path")
        elif m.uri.regex is not None:
            yield Problem(f"{at}.uri.regex", m.uri.regex, "AGIC takes exact and prefix paths "
                          "only; use prefix or exact")
        elif not (m.uri.exact or m.uri.prefix or "").startswith("/"):
            yield Problem(f"{at}.uri", m.uri.exact or m.uri.prefix, "Ingress paths start "
                          "with '/'")


def _order_problems(path: str, routes: list[Route]) -> Iterator[Problem]:
    seen: list[tuple[int, IngressPath]] = []
    for j, route in enumerate(routes):
        if route.is_catch_all():
            if j != len(routes) - 1:
                yield Problem(f"{path}.routes[{j}]", route.name, "a catch-all becomes the "
                              "host's default backend, which Application Gateway tries after "
                              "every path: the routes after it would take its traffic; move it "
                              "last")
            continue
        if any(m.uri is None or m.uri.regex is not None for m in route.match):
            continue  # refused by _route_problems
        for p in route_paths(route):
            earlier = next((k for k, q in seen if k != j and p.overlaps(q)), None)
            if earlier is not None:
                yield Problem(f"{path}.routes[{j}].match", p.path, f"overlaps the paths of "
                              f"routes[{earlier}]: AGIC merges a host's paths in no fixed "
                              "order and Application Gateway takes the first match, so the "
                              "result would depend on it; make the paths disjoint")
            seen.append((j, p))


def agic_problems(cfg: AksStack, agw: ApplicationGateway) -> Iterator[Problem]:
    """Every routing feature AGIC cannot express, each with its config path, and the backend
    ports Application Gateway reaches that STRICT mTLS would refuse."""
    routed = {h.host for h in cfg.routing.hosts}
    for i, lst in enumerate(cfg.listeners):
        missing = [h for h in lst.hosts if h not in routed]
        if missing:
            yield Problem(f"listeners[{i}].hosts", missing, "AGIC creates Application Gateway "
                          "listeners from Ingress rules only, and routing.hosts has no routes "
                          "for these hosts: add them there")
    used: dict[str, str] = {}
    for i, host in enumerate(cfg.routing.hosts):
        path = f"routing.hosts[{i}]"
        if host.tls_routes:
            yield Problem(f"{path}.tlsRoutes", [r.name for r in host.tls_routes], "Application "
                          "Gateway terminates TLS and cannot route it by SNI; remove them")
        for j, route in enumerate(host.routes):
            yield from _route_problems(f"{path}.routes[{j}]", route)
            name = ingress_name(cfg.name, host.host, route.name)
            if len(name) > MAX_NAME:
                yield Problem(f"{path}.routes[{j}].name", route.name, f"makes the Ingress name "
                              f"{name[:40]}... longer than {MAX_NAME} characters; shorten the "
                              "stack name or the route name")
            for k, dest in enumerate(route.to):
                used.setdefault(dest.backend, f"{path}.routes[{j}].to[{k}]")
        yield from _order_problems(path, host.routes)
    yield from backend_problems(
        cfg, used, agw.backends, lb="Application Gateway",
        path="azure.applicationGateway.backends",
        ports=lambda backend, settings: sorted({
            settings.target_port or backend.port,
            settings.health_probe_port or settings.target_port or backend.port}))
    yield from _timeout_problems(cfg)
