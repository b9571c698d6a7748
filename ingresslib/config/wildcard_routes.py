"""A routing host under a wildcard routing host: whether it inherits the wildcard's routes.

Envoy gives every host of a route configuration its own virtual host and answers a request
from the most specific one (an exact host, then the longest wildcard, `*` last), never falling
back to a wider one. With `*.example.com` routing `/api/` and `app.example.com` routing `/app/`,
`https://app.example.com/api/x` answers 404 (istio/istio#55475, #58396). `inheritWildcardRoutes`
on the narrower host says what it should do: `true` renders the routes of the nearest routing
host that covers it after its own, `false` keeps it apart; unset, the analysis refuses the
stack where a request would lose routes (ING0005 in `ingresslib.analysis`).

Why refuse by default and merge only on request: either silent behaviour is wrong for someone.
Envoy's own (the wildcard's routes vanish for the narrower host) is what surprised the users
of the issues above; merging on its own would expose a wildcard's routes (an admin path, a
canary) on a host whose owner never asked for them. The analysis sees the rendered Gateway and
VirtualServices, so it reports only what Envoy really does, per route configuration and SNI,
in every topology; the opt-in is one key on the host that needs it, and what it renders is the
inherited routes in the host's own VirtualService, in an order ingresslib controls (Istio
itself orders the routes of several VirtualServices on one virtual host by creation time).
"""

from __future__ import annotations

from collections.abc import Iterator

from ingresslib.config.hostnames import vhost_covers
from ingresslib.config.routing import HostRoutes, Route, Routing
from ingresslib.errors import Problem

# On a VirtualService: "true" when it carries the routes of the wildcard host above its own
# (rendered from `inheritWildcardRoutes`), "false" when it stays apart on purpose (ING0005).
WILDCARD_ROUTES_ANNOTATION = "ingresslib.io/inherit-wildcard-routes"


def covering_host(routing: Routing, host: str) -> HostRoutes | None:
    """The routing host with HTTP routes that `host`'s requests would reach if `host` had no
    virtual host of its own: the most specific other wildcard that covers it."""
    wider = [h for h in routing.hosts
             if h.host != host and h.routes and vhost_covers(h.host, host)]
    return max(wider, key=lambda h: len(h.host), default=None)


def inherited_routes(routing: Routing, host: HostRoutes) -> list[Route]:
    """The routes `host` renders after its own: with `inheritWildcardRoutes: true`, everything
    the covering host renders (its own routes, and what it inherits in turn); else none."""
    if not host.inherit_wildcard_routes:
        return []
    wider = covering_host(routing, host.host)
    return effective_routes(routing, wider) if wider else []


def effective_routes(routing: Routing, host: HostRoutes) -> list[Route]:
    """Every HTTP route of `host`'s VirtualService, in evaluation order."""
    return [*host.routes, *inherited_routes(routing, host)]


def with_inherited_routes(routing: Routing, host: HostRoutes) -> HostRoutes:
    """`host` with its inherited routes appended, as its VirtualService renders it."""
    inherited = inherited_routes(routing, host)
    return host.model_copy(update={"routes": [*host.routes, *inherited]}) if inherited else host


def wildcard_route_problems(routing: Routing, topology: str) -> Iterator[Problem]:
    """`inheritWildcardRoutes` where it would do nothing, or render a VirtualService Envoy
    cannot use as meant: no covering wildcard, a clash of route names, or a catch-all route
    before the inherited ones."""
    for i, host in enumerate(routing.hosts):
        if host.inherit_wildcard_routes is None:
            continue
        path = f"routing.hosts[{i}]"
        option = f"{path}.inheritWildcardRoutes"
        if topology == "standalone":
            yield Problem(option, host.inherit_wildcard_routes,
                          "applies to the Istio gateway's VirtualServices, and topology "
                          "standalone has none; remove it")
            continue
        wider = covering_host(routing, host.host)
        if wider is None:
            yield Problem(option, host.inherit_wildcard_routes,
                          f"no other routing host with routes covers {host.host}, so there is "
                          "nothing to inherit or keep apart; remove it")
            continue
        if not host.inherit_wildcard_routes:
            continue
        inherited = {r.name for r in inherited_routes(routing, host)}
        for j, route in enumerate(host.routes):
            if route.name in inherited:
                yield Problem(f"{path}.routes[{j}].name", route.name,
                              f"is also the name of a route inherited from {wider.host}; "
                              "rename one (route names are unique per host)")
            if route.is_catch_all():
                yield Problem(f"{path}.routes[{j}]", route.name,
                              f"matches every request, so the routes inherited from "
                              f"{wider.host} after it would never match; narrow its match or "
                              "set inheritWildcardRoutes: false")
