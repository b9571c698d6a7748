"""Authorization at the gateway read as routing reads the same request (ING-IX-ALLOW-SCOPE,
ING-IX-AUTHZ-PATH, ING-IX-CORS-PREFLIGHT): ALLOW rules that close hosts, routes or passthrough
hosts they do not name, paths whose policy semantics differ from the routes', and rules a
browser's preflight cannot pass. Rendering of hosts and paths: `ingresslib.manifests.security`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ingresslib.config.hostnames import HostPatterns
from ingresslib.config.interaction_rules import rule
from ingresslib.config.listeners import host_covers
from ingresslib.config.routing import Route, RouteMatch
from ingresslib.config.security import AuthzRule
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.config.stack import StackSpec


def authz_problems(spec: StackSpec) -> Iterator[Problem]:
    """Every refusal of the stack's authorization rules against its listeners and routes."""
    yield from _cors_authz_problems(spec)
    yield from _allow_scope_problems(spec)
    yield from _path_case_problems(spec)
    yield from _deny_exact_path_problems(spec)


class HostRules:
    """Which authorization rules match requests to a host (`host_in`), by lookup instead of
    asking every rule of every host: the rules without hosts, and those with a host covering it
    (`HostPatterns`)."""

    def __init__(self, rules: Iterable[AuthzRule]) -> None:
        self._rules = list(rules)
        self._everywhere = [i for i, r in enumerate(self._rules) if not r.hosts]
        self._named = HostPatterns((h, i) for i, r in enumerate(self._rules) for h in r.hosts)

    def __call__(self, host: str) -> list[tuple[int, AuthzRule]]:
        """The rules matching requests to `host` (a listener or routing host, possibly a
        wildcard) as (position in `security.authorization`, rule), in rule order."""
        return [(i, self._rules[i])
                for i in sorted({*self._everywhere, *self._named.covering(host)})]


def host_in(rule_hosts: list[str], host: str) -> bool:
    """Whether a rule scoped to `rule_hosts` (all when empty) matches requests to `host` (a
    listener or routing host, possibly a wildcard)."""
    if not rule_hosts:
        return True
    return any(h == host or host_covers(h, host) for h in rule_hosts)


def path_in(rule_paths: list[str], path: str) -> bool:
    """Whether policy paths match every request under a route's path prefix `path`."""
    if not rule_paths:
        return True
    for p in rule_paths:
        if p.endswith("*") and path.startswith(p[:-1]):  # `*` alone: every path
            return True
        if p.endswith("/*") and path == p[:-2]:
            return True
    return False


def _route_prefix(m: RouteMatch) -> str | None:
    uri = m.uri
    if uri is None:
        return "/"
    if m.ignore_uri_case:
        return None
    return uri.prefix or uri.exact


def _overlaps(paths: list[str], m: RouteMatch | None) -> bool:
    """Whether policy `paths` (all when empty) can match a request route match `m` (all
    when None) takes."""
    if not paths or m is None or m.uri is None:
        return True
    for p in paths:
        if p.startswith("*"):  # `*`, or a suffix that some path under any prefix has
            return True
        head = p[:-1] if p.endswith("*") else p
        if m.uri.regex is not None:
            try:
                if re.match(m.uri.regex, head) or re.fullmatch(m.uri.regex, head + "x"):
                    return True
            except re.error:  # RE2 syntax Python does not read: assume it can
                return True
            continue
        q = m.uri.prefix or m.uri.exact or ""
        if m.ignore_uri_case:
            q, head = q.lower(), head.lower()
        if q.startswith(head) or head.startswith(q):
            return True
    return False


def _refuses_preflight(r: AuthzRule, route: Route) -> bool:
    """Whether a DENY rule on the route's host refuses preflights to `route` that the
    requests they announce would pass: it needs a token (which a preflight never carries) or
    names OPTIONS. Client conditions hold for both alike and do not change that."""
    return (r.action == "DENY" and (r.jwt_required or "OPTIONS" in r.methods)
            and (not r.methods or "OPTIONS" in r.methods)
            and any(_overlaps(r.paths, m) for m in (route.match or [None])))


def _admits_preflight(r: AuthzRule, route: Route) -> bool:
    """Whether an ALLOW rule on the route's host admits a tokenless OPTIONS to `route` (from
    the clients it names: client conditions hold for the preflight and the request alike)."""
    prefixes = [_route_prefix(m) for m in route.match] if route.match else ["/"]
    return (r.action == "ALLOW" and not r.jwt_required
            and (not r.methods or "OPTIONS" in r.methods)
            and all(p is not None and path_in(r.paths, p) for p in prefixes))


def _cors_authz_problems(spec: StackSpec) -> Iterator[Problem]:
    """Istio's RBAC filter runs before the CORS filter, and a preflight carries no token:
    a rule that needs one refuses the preflight (istio/istio#45716, #55318)."""
    assert spec.security is not None
    matching = HostRules(spec.security.authorization)
    for i, host in enumerate(spec.routing.hosts):
        for j, route in enumerate(host.routes):
            if route.cors is None:
                continue
            rules = [r for _, r in matching(host.host)]
            allows = [r for r in rules if r.action == "ALLOW"]
            denying = [r.name for r in rules if _refuses_preflight(r, route)]
            if allows and not any(_admits_preflight(r, route) for r in allows):
                denying += [r.name for r in allows]
            if denying:
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}].cors", route.name,
                    f"a browser's preflight carries no token and Istio checks authorization "
                    f"before CORS, so {denying} refuse it (403) and the browser refuses the "
                    "call; give jwtRequired DENY rules the methods they guard without "
                    "OPTIONS, or add an ALLOW rule with methods [OPTIONS] for this host "
                    f"{rule('ING-IX-CORS-PREFLIGHT')}")


def _allow_scope_problems(spec: StackSpec) -> Iterator[Problem]:
    assert spec.security is not None
    allows = [(i, r) for i, r in enumerate(spec.security.authorization) if r.action == "ALLOW"]
    if not allows:
        return
    names = ", ".join(r.name for _, r in allows)
    at = f"security.authorization[{allows[0][0]}]"
    matching = HostRules(r for _, r in allows)
    http_hosts = sorted({h for lst in spec.listeners if lst.protocol != "TLS" for h in lst.hosts})
    closed = [h for h in http_hosts if not matching(h)]
    if closed:
        yield Problem(
            f"{at}.hosts", allows[0][1].hosts,
            f"ALLOW rules ({names}) make Istio deny every request no ALLOW rule matches, so "
            f"every request to {closed}, which the listeners serve, is refused (403): to "
            "restrict a host to some clients, write action DENY with notClientCidrs (or "
            "other conditions) on that host instead; or add an ALLOW rule for these hosts "
            f"{rule('ING-IX-ALLOW-SCOPE')}")
    tls_hosts = sorted({h for lst in spec.listeners if lst.protocol == "TLS" for h in lst.hosts})
    l4 = [r for _, r in allows if not (r.hosts or r.paths or r.methods or r.jwt_required)]
    if tls_hosts and not l4:
        yield Problem(
            f"{at}", names,
            f"ALLOW rules with hosts, paths, methods or jwtRequired never match a TLS "
            f"passthrough connection (Istio sees no HTTP there), so every connection to "
            f"{tls_hosts} is refused; add an ALLOW rule with clientCidrs only, or use DENY "
            f"rules {rule('ING-IX-ALLOW-SCOPE')}")
    for hi, host in enumerate(spec.routing.hosts):
        if host.host in closed:
            continue
        covering = [r for _, r in matching(host.host)]
        for ri, route in enumerate(host.routes):
            prefixes = [_route_prefix(m) for m in route.match] if route.match else ["/"]
            if any(p is None for p in prefixes):
                continue
            shut = [p for p in prefixes if p is not None
                    and not any(path_in(r.paths, p) for r in covering)]
            if shut:
                yield Problem(
                    f"routing.hosts[{hi}].routes[{ri}]", route.name,
                    f"serves {shut} on {host.host}, which no ALLOW rule ({names}) matches: "
                    "Istio refuses every request to it (403); add its path to an ALLOW "
                    "rule's paths, or restrict with DENY rules instead "
                    f"{rule('ING-IX-ALLOW-SCOPE')}")


def _path_case_problems(spec: StackSpec) -> Iterator[Problem]:
    assert spec.security is not None
    # Only routes that ignore case can differ from a policy path: the hosts that have one,
    # by name, so that each rule looks up the hosts it names.
    folding = [host for host in spec.routing.hosts
               if any(m.ignore_uri_case for route in host.routes for m in route.match)]
    named = HostPatterns((host.host, pos) for pos, host in enumerate(folding))
    for i, r in enumerate(spec.security.authorization):
        if not r.paths:
            continue
        matched = (sorted({pos for h in r.hosts for pos in named.covered_by(h)})
                   if r.hosts else range(len(folding)))
        for host in (folding[pos] for pos in matched):
            folded = [route.name for route in host.routes
                      if any(m.ignore_uri_case and _overlaps(r.paths, m)
                             for m in route.match)]
            if folded:
                yield Problem(
                    f"security.authorization[{i}].paths", r.paths,
                    f"match case-sensitively, while routes {folded} of {host.host} set "
                    f"ignoreUriCase: a request for the same path in other case is routed but "
                    f"{'not denied' if r.action == 'DENY' else 'not allowed'} by {r.name}; "
                    "remove ignoreUriCase from those routes "
                    f"{rule('ING-IX-AUTHZ-PATH')}")
                break


def _deny_exact_path_problems(spec: StackSpec) -> Iterator[Problem]:
    """A DENY path without '*' matches that path only, while a route's prefix with the same
    path serves everything below it."""
    assert spec.security is not None
    # Route prefixes (without their trailing '/') -> (position of the host, route name).
    prefixes: dict[str, list[tuple[int, str]]] = {}
    for pos, host in enumerate(spec.routing.hosts):
        for route in host.routes:
            for m in route.match:
                if m.uri is not None and m.uri.prefix is not None:
                    prefixes.setdefault(m.uri.prefix.rstrip("/"), []).append((pos, route.name))
    for i, r in enumerate(spec.security.authorization):
        if r.action != "DENY":
            continue
        exact = [p for p in r.paths if "*" not in p
                 and f"{p.rstrip('/')}/*" not in r.paths and p != "/"]
        # The first host (in routing order) the rule matches with a route under one of these
        # paths, and that host's first (path, route) pair.
        below = sorted((pos, p, name) for p in exact for pos, name in prefixes.get(
            p.rstrip("/"), ()) if host_in(r.hosts, spec.routing.hosts[pos].host))
        if below:
            pos, p, name = below[0]
            yield Problem(
                f"security.authorization[{i}].paths", r.paths,
                f"{p} matches that exact path only, while route {name} of "
                f"{spec.routing.hosts[pos].host} serves every path under it: "
                f"{p.rstrip('/')}/x passes this DENY rule; write {p.rstrip('/')}/* (rendered "
                f"as {p.rstrip('/')} and {p.rstrip('/')}/*) {rule('ING-IX-AUTHZ-PATH')}")
