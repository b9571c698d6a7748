"""Settings that validate alone and break together (issue 18): `interaction_problems`
refuses what cannot work together, before anything is registered, with the config path, the
value and the fix (the rules: `ingresslib.config.interaction_rules`). Here, routing's own
pairs: a weighted split to a backend that hashes (ING-IX-HASH-SPLIT), and CORS on a route a
browser's preflight cannot match (ING-IX-CORS-PREFLIGHT); authorization and HTTP-01 have
modules of their own (`authz_interactions`, `acme`).

Cloud-agnostic: the gateway workload is an argument, since only the cloud's edge plan knows
which gateway a stack binds to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ingresslib.config.acme import acme_problems
from ingresslib.config.authz_interactions import authz_problems
from ingresslib.config.interaction_rules import rule, string_admits
from ingresslib.config.routing import Route, RouteMatch
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.config.stack import StackSpec

# Headers a browser's preflight carries (Fetch Standard, CORS-preflight request): the
# request's own headers (Authorization, Cookie, custom ones) are only named in
# Access-Control-Request-Headers.
PREFLIGHT_HEADERS = frozenset({
    "origin", "access-control-request-method", "access-control-request-headers", "host",
    ":authority", "user-agent", "accept", "accept-language", "accept-encoding", "referer",
    "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "connection",
})


def interaction_problems(spec: StackSpec, workload: GatewayWorkload | None,
                         *, addon: bool) -> Iterator[Problem]:
    """Every ING-IX refusal of the stack. `workload` is the gateway the stack deploys or binds
    to (None in standalone); `addon` says it is the AKS Istio add-on's."""
    yield from _hash_split_problems(spec)
    yield from _cors_problems(spec)
    if spec.security is not None and spec.has_gateway:
        yield from authz_problems(spec)
    if workload is not None and spec.topology == "gateway":
        yield from acme_problems(spec, workload, addon)


def _hash_split_problems(spec: StackSpec) -> Iterator[Problem]:
    backends = spec.routing.backends
    for i, host in enumerate(spec.routing.hosts):
        for j, route in enumerate(host.routes):
            live = [d for d in route.to if d.weight]
            if len(live) < 2:
                continue
            for k, d in enumerate(route.to):
                b = backends.get(d.backend)
                lb = b.traffic_policy.load_balancer if b and b.traffic_policy else None
                if lb is None or lb.simple is not None:
                    continue
                kind = ("hashCookie" if lb.hash_cookie else "hashHeader" if lb.hash_header
                        else "hashSourceIp")
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}].to",
                    [f"{x.backend}/{x.subset or '*'}:{x.weight}" for x in route.to],
                    f"splits by weight to backend {d.backend} (to[{k}]), whose "
                    f"trafficPolicy.loadBalancer.{kind} is meant to keep a client on one pod: "
                    "Envoy picks the weighted destination per request before hashing, so "
                    "clients bounce between the destinations; send a client to the canary by "
                    "a match on its cookie or header (a route before this one with "
                    "match.headers), or remove the hash "
                    f"(routing.backends.{d.backend}.trafficPolicy.loadBalancer) "
                    f"{rule('ING-IX-HASH-SPLIT')}")
                break


def _preflight_blockers(m: RouteMatch) -> list[str]:
    """What in `m` a preflight cannot meet."""
    out = []
    if m.method is not None and not string_admits(m.method, "OPTIONS"):
        out.append(f"method {m.method.model_dump(exclude_none=True)}")
    out += [f"header {h}" for h in sorted(m.headers) if h.lower() not in PREFLIGHT_HEADERS]
    return out


def _same_target(a: RouteMatch, b: RouteMatch) -> bool:
    """Whether a preflight for a request `a` matches also meets `b`'s path, query and port."""
    return ((b.uri is None or b.uri == a.uri or (b.uri.prefix == "/" and not b.ignore_uri_case))
            and (b.port is None or b.port == a.port)
            and all(a.query_params.get(k) == v for k, v in b.query_params.items()))


def _cors_problems(spec: StackSpec) -> Iterator[Problem]:
    for i, host in enumerate(spec.routing.hosts):
        for j, route in enumerate(host.routes):
            if route.cors is None:
                continue
            for k, m in enumerate(route.match):
                blockers = _preflight_blockers(m)
                if not blockers:
                    continue
                if any(_same_target(m, o) and not _preflight_blockers(o) for o in route.match):
                    continue
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}].match[{k}]",
                    ", ".join(blockers),
                    _cors_message(route, blockers))


def _cors_message(route: Route, blockers: list[str]) -> str:
    return (f"route {route.name} has cors, but a browser's preflight (OPTIONS, with "
            "Origin and Access-Control-Request-* only) cannot meet its "
            f"{' and '.join(blockers)}: the preflight falls to another route or a 404 and "
            "the browser refuses the call; add a match with the same uri and method "
            "{exact: OPTIONS} (no header conditions) to this route, or drop these conditions "
            f"{rule('ING-IX-CORS-PREFLIGHT')}")
