"""The analysis of `ingresslib.analysis`, for Kubernetes Gateway API objects, before deploy.

A Gateway API object that the API server accepts can still do nothing: a route whose
hostnames meet no listener's, a `sectionName` no listener has, a backend in another namespace
without the ReferenceGrant that lets the route name it. The API server takes such objects
and reports the problem later in their status; these rules find them in the manifest dicts
before anything is registered. Each code (GWAPIxxxx) is this library's; the condition it
mirrors, where Gateway API names one, is in its message (`ResolvedRefs`, `Accepted`,
`NoMatchingListenerHostname`, `RefNotPermitted`, `BackendNotFound`...).

Rule precedence is Gateway API's, as Istio implements it (pilot's sortHTTPRoutes): an exact
path first, then the longest path prefix, then regular expressions; then a method, more
header matches, more query matches; ties in rule order. The routing config is first match
wins, so a rendered rule that Gateway API tries before one the config puts first changes
where requests go (GWAPI0008).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ingresslib.analysis import Finding
from ingresslib.config.hostnames import hostnames_intersect

Obj = dict[str, Any]
GROUP = "gateway.networking.k8s.io"
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute")
# The route kinds a listener admits when its allowedRoutes names none (by protocol).
DEFAULT_KINDS = {"HTTP": ("HTTPRoute", "GRPCRoute"), "HTTPS": ("HTTPRoute", "GRPCRoute"),
                 "TLS": ("TLSRoute",)}
_PATH_RANK = {"Exact": 3, "PathPrefix": 2, "RegularExpression": 1}
_CATCH_ALL = {"path": {"type": "PathPrefix", "value": "/"}}


def _ns(o: Obj) -> str:
    return o.get("metadata", {}).get("namespace") or "default"


def _name(o: Obj) -> str:
    return o["metadata"]["name"]


def _ref(o: Obj) -> str:
    return f"{o['kind']}/{_ns(o)}/{_name(o)}"


def _spec(o: Obj) -> Obj:
    return o.get("spec") or {}


def _is(o: Obj, group: str, kind: str) -> bool:
    api = o.get("apiVersion", "")
    return o.get("kind") == kind and (api.rpartition("/")[0] == group)


@dataclass(frozen=True)
class _Objects:
    gateways: dict[tuple[str, str], Obj]
    routes: list[Obj]
    services: dict[tuple[str, str], Obj]
    grants: list[Obj]
    known_services: frozenset[tuple[str, str]] | None
    credentials: frozenset[tuple[str, str]] | None


@dataclass(frozen=True)
class _Section:
    """One Gateway listener a route attaches to."""

    gateway: Obj
    listener: Obj


# --------------------------------------------------------------------------- parents


def _parent_refs(route: Obj) -> Iterator[tuple[str, Obj]]:
    for i, ref in enumerate(_spec(route).get("parentRefs") or []):
        yield f"spec.parentRefs[{i}]", ref


def _is_gateway_ref(ref: Obj) -> bool:
    return ref.get("group", GROUP) == GROUP and ref.get("kind", "Gateway") == "Gateway"


def _sections(cfg: _Objects, route: Obj, ref: Obj) -> list[_Section] | None:
    """The listeners a parentRef names (all of the Gateway's without sectionName); None when
    the Gateway is not among the objects."""
    gw = cfg.gateways.get((ref.get("namespace") or _ns(route), ref.get("name", "")))
    if gw is None:
        return None
    listeners = _spec(gw).get("listeners") or []
    section = ref.get("sectionName")
    return [_Section(gw, lst) for lst in listeners
            if section is None or lst.get("name") == section]


def _unresolved_parents(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0001: every parentRef names a Gateway among the objects, and its sectionName one
    of that Gateway's listeners (else the route is not Accepted: NoMatchingParent)."""
    for route in cfg.routes:
        for path, ref in _parent_refs(route):
            if not _is_gateway_ref(ref):
                continue
            ns = ref.get("namespace") or _ns(route)
            sections = _sections(cfg, route, ref)
            if sections is None:
                yield Finding("GWAPI0001", "error", _ref(route), f"{path}.name",
                              f"Gateway {ns}/{ref.get('name')} is not among the objects; the "
                              "route attaches to nothing (NoMatchingParent): name a rendered "
                              "Gateway")
            elif not sections:
                names = ", ".join(lst.get("name", "?") for lst in
                                  _spec(cfg.gateways[(ns, ref["name"])]).get("listeners") or [])
                yield Finding("GWAPI0001", "error", _ref(route), f"{path}.sectionName",
                              f"Gateway {ns}/{ref['name']} has no listener "
                              f"{ref.get('sectionName')!r} (listeners: {names}); the route "
                              "is not Accepted there (NoMatchingParent)")


def _route_hostnames(route: Obj) -> list[str | None]:
    return list(_spec(route).get("hostnames") or []) or [None]


def _hostnames_meet(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0002: a route's hostnames intersect those of the listeners it attaches to (else
    NoMatchingListenerHostname: it serves nothing there)."""
    for route in cfg.routes:
        hostnames = _route_hostnames(route)
        for path, ref in _parent_refs(route):
            sections = _sections(cfg, route, ref) if _is_gateway_ref(ref) else None
            if not sections:
                continue
            if not any(hostnames_intersect(s.listener.get("hostname"), h)
                       for s in sections for h in hostnames):
                listed = ", ".join(s.listener.get("hostname") or "*" for s in sections)
                yield Finding("GWAPI0002", "error", _ref(route), path,
                              f"no hostname of the route ({', '.join(h or '*' for h in hostnames)})"
                              f" intersects its listeners' ({listed}): NoMatchingListener"
                              "Hostname; add the host to a listener or attach elsewhere")


def _allowed_routes(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0005: each listener a route attaches to admits the route's namespace and kind
    (`allowedRoutes`; by default the Gateway's namespace and the protocol's route kinds)."""
    for route in cfg.routes:
        for path, ref in _parent_refs(route):
            sections = _sections(cfg, route, ref) if _is_gateway_ref(ref) else None
            for s in sections or []:
                allowed = s.listener.get("allowedRoutes") or {}
                origin = (allowed.get("namespaces") or {}).get("from", "Same")
                if origin == "Same" and _ns(route) != _ns(s.gateway):
                    yield Finding("GWAPI0005", "error", _ref(route), path,
                                  f"listener {s.listener.get('name')} of Gateway "
                                  f"{_ns(s.gateway)}/{_name(s.gateway)} admits routes from its "
                                  f"own namespace only (allowedRoutes.namespaces.from: Same), "
                                  f"not {_ns(route)} (NotAllowedByListeners)")
                kinds = [k.get("kind") for k in allowed.get("kinds") or []] or list(
                    DEFAULT_KINDS.get(s.listener.get("protocol", ""), ()))
                if route["kind"] not in kinds:
                    lst = s.listener
                    yield Finding("GWAPI0005", "error", _ref(route), path,
                                  f"listener {lst.get('name')} ({lst.get('protocol')}) admits "
                                  f"{', '.join(kinds) or 'no route'}, not a {route['kind']} "
                                  "(NotAllowedByListeners)")


# --------------------------------------------------------------------------- backends


def _backend_refs(route: Obj) -> Iterator[tuple[str, Obj]]:
    for i, rule in enumerate(_spec(route).get("rules") or []):
        for j, ref in enumerate(rule.get("backendRefs") or []):
            yield f"spec.rules[{i}].backendRefs[{j}]", ref
        for j, f in enumerate(rule.get("filters") or []):
            mirror = (f.get("requestMirror") or {}).get("backendRef")
            if mirror:
                yield f"spec.rules[{i}].filters[{j}].requestMirror.backendRef", mirror


def _is_service(ref: Obj) -> bool:
    return ref.get("group", "") == "" and ref.get("kind", "Service") == "Service"


def _unresolved_backends(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0003: a backendRef names a Service among the objects (or one the caller knows
    exists), on a port it has (else ResolvedRefs false, BackendNotFound: a 500)."""
    for route in cfg.routes:
        for path, ref in _backend_refs(route):
            if not _is_service(ref):
                continue
            key = (ref.get("namespace") or _ns(route), ref.get("name", ""))
            svc = cfg.services.get(key)
            if svc is None:
                if cfg.known_services is not None and key not in cfg.known_services:
                    yield Finding("GWAPI0003", "error", _ref(route), f"{path}.name",
                                  f"Service {key[0]}/{key[1]} is neither rendered nor a "
                                  "routing backend (BackendNotFound: requests get a 500); "
                                  "name a backend's Service or one of its subsets")
                continue
            ports = {p.get("port") for p in _spec(svc).get("ports") or []}
            if ref.get("port") not in ports:
                yield Finding("GWAPI0003", "error", _ref(route), f"{path}.port",
                              f"Service {key[0]}/{key[1]} has no port {ref.get('port')} "
                              f"(ports: {', '.join(str(p) for p in sorted(ports))})")


def _granted(cfg: _Objects, source: tuple[str, str], target: tuple[str, str, str]) -> bool:
    """A ReferenceGrant in the target's namespace lets (kind, namespace) `source` refer to
    (kind, namespace, name) `target`."""
    from_kind, from_ns = source
    to_kind, to_ns, to_name = target
    to_group = ""
    for grant in cfg.grants:
        if _ns(grant) != to_ns:
            continue
        spec = _spec(grant)
        if not any(f.get("group") == GROUP and f.get("kind") == from_kind
                   and f.get("namespace") == from_ns for f in spec.get("from") or []):
            continue
        if any(t.get("group", "") == to_group and t.get("kind") == to_kind
               and t.get("name", to_name) == to_name for t in spec.get("to") or []):
            return True
    return False


def _reference_grants(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0004: a reference into another namespace (a route's backendRef, a Gateway's
    certificateRef) has a ReferenceGrant there that allows it (else RefNotPermitted)."""
    for route in cfg.routes:
        for path, ref in _backend_refs(route):
            ns = ref.get("namespace") or _ns(route)
            if ns == _ns(route) or not _is_service(ref):
                continue
            if not _granted(cfg, (route["kind"], _ns(route)), ("Service", ns, ref.get("name", ""))):
                yield Finding("GWAPI0004", "error", _ref(route), path,
                              f"refers to Service {ns}/{ref.get('name')} from namespace "
                              f"{_ns(route)} with no ReferenceGrant in {ns} allowing "
                              f"{route['kind']}s from {_ns(route)} (RefNotPermitted); add one")
    for gw in cfg.gateways.values():
        for i, lst in enumerate(_spec(gw).get("listeners") or []):
            for j, cert in enumerate((lst.get("tls") or {}).get("certificateRefs") or []):
                ns = cert.get("namespace") or _ns(gw)
                if ns != _ns(gw) and not _granted(cfg, ("Gateway", _ns(gw)),
                                                  ("Secret", ns, cert.get("name", ""))):
                    yield Finding("GWAPI0004", "error", _ref(gw),
                                  f"spec.listeners[{i}].tls.certificateRefs[{j}]",
                                  f"refers to Secret {ns}/{cert.get('name')} with no "
                                  f"ReferenceGrant in {ns} allowing Gateways from {_ns(gw)} "
                                  "(RefNotPermitted); add one")


def _weights(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0006: a rule whose backendRefs all weigh 0 answers every request with a 500."""
    for route in cfg.routes:
        for i, rule in enumerate(_spec(route).get("rules") or []):
            refs = rule.get("backendRefs") or []
            if refs and all(r.get("weight", 1) == 0 for r in refs):
                yield Finding("GWAPI0006", "error", _ref(route), f"spec.rules[{i}].backendRefs",
                              "every backendRef weighs 0: Gateway API answers the rule's "
                              "requests with a 500; give one a weight")


# --------------------------------------------------------------------------- gateway binding


def _gateway_binding(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0010: the Gateway names the gateway Service in `spec.addresses` (Istio's manual
    deployment; without it Istio deploys a second gateway with its own load balancer), that
    Service is among the objects or known, and it exposes every listener's port."""
    for gw in cfg.gateways.values():
        if _spec(gw).get("gatewayClassName") != "istio":
            continue  # another implementation's Gateway (Application Gateway for Containers)
        hosts = [a.get("value", "") for a in _spec(gw).get("addresses") or []
                 if a.get("type") == "Hostname"]
        if not hosts:
            yield Finding("GWAPI0010", "warning", _ref(gw), "spec.addresses",
                          "no Hostname address: Istio deploys a Deployment and LoadBalancer "
                          "Service of its own for this Gateway; name the gateway Service "
                          "(<name>.<namespace>.svc.cluster.local)")
            continue
        name, _, rest = hosts[0].partition(".")
        ns = rest.split(".", 1)[0]
        svc = cfg.services.get((ns, name))
        if svc is None:
            if cfg.known_services is not None and (ns, name) not in cfg.known_services:
                yield Finding("GWAPI0010", "error", _ref(gw), "spec.addresses[0].value",
                              f"Service {ns}/{name} is not among the objects: the Gateway "
                              "binds to no pods; name the gateway's Service")
            continue
        ports = {p.get("port") for p in _spec(svc).get("ports") or []}
        for i, lst in enumerate(_spec(gw).get("listeners") or []):
            if lst.get("port") not in ports:
                yield Finding("GWAPI0010", "error", _ref(gw), f"spec.listeners[{i}].port",
                              f"Service {ns}/{name} exposes no port {lst.get('port')}: the "
                              "listener is unreachable; listen on a Service port")


def _certificates(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0011: a listener's certificateRef names a Secret something provides (else the
    listener is not Programmed: InvalidCertificateRef)."""
    if cfg.credentials is None:
        return
    for gw in cfg.gateways.values():
        for i, lst in enumerate(_spec(gw).get("listeners") or []):
            for j, cert in enumerate((lst.get("tls") or {}).get("certificateRefs") or []):
                key = (cert.get("namespace") or _ns(gw), cert.get("name", ""))
                if key not in cfg.credentials:
                    yield Finding("GWAPI0011", "error", _ref(gw),
                                  f"spec.listeners[{i}].tls.certificateRefs[{j}]",
                                  f"Secret {key[0]}/{key[1]} comes from no certificate source "
                                  "of the stack (InvalidCertificateRef); declare it under "
                                  "certificates")


def _conflicting_gateways(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0012: two Gateways bound to one Service with listeners on one port whose
    hostnames intersect: the same pods get both, and one loses."""
    gws = sorted(cfg.gateways.values(), key=_ref)
    for a in gws:
        addr = json.dumps(_spec(a).get("addresses"), sort_keys=True)
        for i, la in enumerate(_spec(a).get("listeners") or []):
            rivals = sorted(
                f"{_ns(b)}/{_name(b)}" for b in gws if b is not a
                and json.dumps(_spec(b).get("addresses"), sort_keys=True) == addr
                and any(lb.get("port") == la.get("port")
                        and hostnames_intersect(lb.get("hostname"), la.get("hostname"))
                        for lb in _spec(b).get("listeners") or []))
            if rivals:
                yield Finding("GWAPI0012", "error", _ref(a), f"spec.listeners[{i}]",
                              f"Gateways {', '.join(rivals)} bind the same Service and also "
                              f"listen on port {la.get('port')} for {la.get('hostname') or '*'}"
                              "; serve each host from one Gateway")


# --------------------------------------------------------------------------- rule order


@dataclass(frozen=True)
class _Match:
    route: Obj
    rule: int
    index: int
    match: Obj
    name: str  # the rule's name, or its index

    @property
    def field(self) -> str:
        return f"spec.rules[{self.rule}].matches[{self.index}]"

    def key(self) -> tuple[int, int, bool, int, int]:
        """Istio's precedence of a match: higher goes first."""
        path = self.match.get("path") or _CATCH_ALL["path"]
        return (_PATH_RANK.get(path.get("type", "PathPrefix"), 2), len(path.get("value", "/")),
                "method" in self.match, len(self.match.get("headers") or []),
                len(self.match.get("queryParams") or []))


def _segments_under(prefix: str, path: str) -> bool:
    """PathPrefix `prefix` matches `path` (whole segments; a trailing / ignored)."""
    p = prefix.rstrip("/")
    return p in ("", path) or path.startswith(p + "/")


def _paths_overlap(a: Obj, b: Obj) -> bool:
    ta, va = a.get("type", "PathPrefix"), a.get("value", "/")
    tb, vb = b.get("type", "PathPrefix"), b.get("value", "/")
    if "RegularExpression" in (ta, tb):
        return True
    if ta == tb == "Exact":
        return va == vb
    if ta == "Exact":
        return _segments_under(vb, va)
    if tb == "Exact":
        return _segments_under(va, vb)
    return _segments_under(va, vb) or _segments_under(vb, va)


def _path_covers(outer: Obj, inner: Obj) -> bool:
    """Every path `inner` matches, `outer` matches too."""
    to, vo = outer.get("type", "PathPrefix"), outer.get("value", "/")
    ti, vi = inner.get("type", "PathPrefix"), inner.get("value", "/")
    if to == "PathPrefix" and vo.rstrip("/") == "":
        return True
    if to == "RegularExpression" or ti == "RegularExpression":
        return (to, vo) == (ti, vi)
    if to == "Exact":
        return ti == "Exact" and vi == vo
    return _segments_under(vo, vi)


def _pairs(items: list[Obj] | None) -> dict[str, tuple[str, str]]:
    return {i["name"].lower(): (i.get("type", "Exact"), i.get("value", "")) for i in items or []}


def _overlap(a: Obj, b: Obj) -> bool:
    """Whether one request can satisfy both matches (conservative: True when unsure)."""
    if not _paths_overlap(a.get("path") or _CATCH_ALL["path"], b.get("path") or _CATCH_ALL["path"]):
        return False
    if a.get("method") and b.get("method") and a["method"] != b["method"]:
        return False
    for key in ("headers", "queryParams"):
        pa, pb = _pairs(a.get(key)), _pairs(b.get(key))
        for name in pa.keys() & pb.keys():
            if pa[name][0] == pb[name][0] == "Exact" and pa[name][1] != pb[name][1]:
                return False
    return True


def _covers(outer: Obj, inner: Obj) -> bool:
    """Every request `inner` matches, `outer` matches too."""
    if not _path_covers(outer.get("path") or _CATCH_ALL["path"],
                        inner.get("path") or _CATCH_ALL["path"]):
        return False
    if outer.get("method") and outer.get("method") != inner.get("method"):
        return False
    return all(_pairs(outer.get(k)).items() <= _pairs(inner.get(k)).items()
               for k in ("headers", "queryParams"))


def _vhosts(cfg: _Objects) -> dict[tuple[str, str, str, str, str], list[_Match]]:
    """HTTPRoute matches by what Envoy evaluates together: (Gateway, listener, hostname),
    each list in the order rules are written (routes by namespace/name, then rule order)."""
    groups: dict[tuple[str, str, str, str, str], list[_Match]] = {}
    for route in sorted((r for r in cfg.routes if r["kind"] == "HTTPRoute"),
                        key=lambda r: (_ns(r), _name(r))):
        keys = set()
        for _, ref in _parent_refs(route):
            for s in (_sections(cfg, route, ref) if _is_gateway_ref(ref) else None) or []:
                for h in _route_hostnames(route):
                    if hostnames_intersect(s.listener.get("hostname"), h):
                        keys.add((_ns(s.gateway), _name(s.gateway), s.listener.get("name", ""),
                                  "HTTPRoute", h or "*"))
        for i, rule in enumerate(_spec(route).get("rules") or []):
            matches = rule.get("matches") or [_CATCH_ALL]
            for j, m in enumerate(matches):
                for k in keys:
                    groups.setdefault(k, []).append(
                        _Match(route, i, j, m, rule.get("name") or f"rule {i}"))
    return groups


def _rule_order(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0007 (unreachable: a match that one tried before it always takes), GWAPI0008
    (precedence reorders the config's first-match order) and GWAPI0013 (routes that tie
    across objects, which creation time decides)."""
    seen: set[tuple[str, str, str]] = set()
    for matches in _vhosts(cfg).values():
        for j, later in enumerate(matches):
            for earlier in matches[:j]:
                if earlier.route is later.route and earlier.rule == later.rule:
                    continue
                ka, kb = earlier.key(), later.key()
                same_route = earlier.route is later.route
                if kb > ka and _overlap(earlier.match, later.match):
                    code, f = "GWAPI0008", (_ref(later.route), later.field, earlier.name)
                    if f not in seen:
                        seen.add(f)
                        yield Finding(
                            code, "error", f[0], f[1],
                            f"Gateway API tries this match of {later.name} before "
                            f"{earlier.name}, which comes first in the config (exact path, "
                            "longest prefix, method, more headers, more query parameters "
                            "first): requests matching both move; put the more specific "
                            "route first in routing.hosts[].routes, or make the matches "
                            "disjoint")
                elif not same_route and ka == kb and _overlap(earlier.match, later.match):
                    f = (_ref(later.route), later.field, _ref(earlier.route))
                    if f not in seen:
                        seen.add(f)
                        yield Finding(
                            "GWAPI0013", "error", f[0], f[1],
                            f"ties with {_ref(earlier.route)} {earlier.field} in precedence "
                            "on the same listener and hostname: the older route wins, by "
                            "creation time; make the matches disjoint or merge the routes")
                if ka >= kb and _covers(earlier.match, later.match):
                    f = (_ref(later.route), later.field, "unreachable")
                    if f not in seen:
                        seen.add(f)
                        yield Finding(
                            "GWAPI0007", "error", f[0], f[1],
                            f"unreachable: every request it matches is taken first by "
                            f"{earlier.name} ({_ref(earlier.route)} {earlier.field}); "
                            "remove it or narrow the earlier match")


def _segment_prefixes(cfg: _Objects) -> Iterator[Finding]:
    """GWAPI0009 (warning): a PathPrefix not ending in `/` matches whole path segments: Istio's
    classic `prefix: /api` also took `/apix`, Gateway API's does not."""
    for route in cfg.routes:
        if route["kind"] != "HTTPRoute":
            continue
        for i, rule in enumerate(_spec(route).get("rules") or []):
            for j, m in enumerate(rule.get("matches") or []):
                path = m.get("path") or {}
                value = path.get("value", "/")
                if path.get("type", "PathPrefix") == "PathPrefix" and not value.endswith("/"):
                    yield Finding("GWAPI0009", "warning", _ref(route),
                                  f"spec.rules[{i}].matches[{j}].path",
                                  f"PathPrefix {value} matches {value} and {value}/..., not "
                                  f"{value}x as the classic API's prefix did; end it with / "
                                  "or use a RegularExpression if that was meant")


_RULES: tuple[Callable[[_Objects], Iterable[Finding]], ...] = (
    _unresolved_parents,
    _hostnames_meet,
    _unresolved_backends,
    _reference_grants,
    _allowed_routes,
    _weights,
    _rule_order,
    _segment_prefixes,
    _gateway_binding,
    _certificates,
    _conflicting_gateways,
)


def analyze_gateway_api(
    objects: Iterable[Obj],
    *,
    credentials: Collection[tuple[str, str]] | None = None,
    known_services: Collection[tuple[str, str]] | None = None,
) -> list[Finding]:
    """Every finding across the Gateway API objects among `objects`, sorted like
    `ingresslib.analysis.analyze`'s.

    `credentials`: (namespace, Secret) pairs the stack's certificate sources create
    (kubernetes.io/tls Secrets among the objects count too); None skips GWAPI0011.
    `known_services`: (namespace, name) of Services that exist outside the objects (the
    routing backends, the AKS add-on's gateway); None skips the existence half of GWAPI0003
    and GWAPI0010.
    """
    objs = list(objects)
    secrets = None
    if credentials is not None:
        secrets = frozenset(credentials) | {
            (_ns(o), _name(o)) for o in objs
            if o.get("kind") == "Secret" and o.get("type") == "kubernetes.io/tls"}
    cfg = _Objects(
        gateways={(_ns(o), _name(o)): o for o in objs if _is(o, GROUP, "Gateway")},
        routes=[o for o in objs if any(_is(o, GROUP, k) for k in ROUTE_KINDS)],
        services={(_ns(o), _name(o)): o for o in objs
                  if o.get("kind") == "Service" and o.get("apiVersion") == "v1"},
        grants=[o for o in objs if _is(o, GROUP, "ReferenceGrant")],
        known_services=None if known_services is None else frozenset(known_services),
        credentials=secrets,
    )
    findings = [f for rule in _RULES for f in rule(cfg)]
    return sorted(findings, key=lambda f: (f.ref, f.field, f.code, f.message))
