"""The typed routing config as Gateway API routes (v1.6.1, standard channel unless asked).

`route_objects` is the one entry point: per host an HTTPRoute (GRPCRoute for routes to gRPC
backends, a TLSRoute per SNI route), a ReferenceGrant in each backend namespace the routes
reach from theirs, a Service per subset (selector: the backend's selector plus the subset's
labels, so a weighted canary is a split between Services) and a BackendTLSPolicy per Service
that the gateway reaches over TLS it verifies (`trafficPolicy.tls.mode: SIMPLE`), where the
implementation has no traffic policy of its own.

What Gateway API cannot say is refused here with the reason, the alternative and the config
path (a `ConfigError`), unless the caller names it in `extensions`: then the caller renders it
through its implementation's own resources (Istio: retries and gRPC timeouts as EnvoyFilter
route patches, traffic policies as DestinationRules; see `gateway_api.istio`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ingresslib.config.duration import duration_ns, gateway_duration
from ingresslib.config.hostnames import hostnames_intersect
from ingresslib.config.listeners import Listener, redirect_names
from ingresslib.config.routing import (
    Backend,
    Cors,
    Destination,
    HeaderOperations,
    HostRoutes,
    Mirror,
    Route,
    RouteMatch,
    Routing,
    StringMatch,
)
from ingresslib.config.wildcard_routes import with_inherited_routes
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.meta import MANAGED_BY, obj
from ingresslib.manifests.virtual_service import host_slug

GATEWAY_API = "gateway.networking.k8s.io/v1"
GROUP = "gateway.networking.k8s.io"
# Rules per HTTPRoute and GRPCRoute (the CRDs' maxItems); a host with more gets more routes.
MAX_RULES = 16
MAX_PARENT_REFS = 32
# Extensions a caller may render itself (see the module docstring).
ROUTE_PATCHES = "routePatches"
TRAFFIC_POLICY = "trafficPolicy"
SUBSET_OF = "ingresslib.io/subset-of"
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
_ORIGIN = re.compile(r"(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)"
                     r"(:([0-9]{1,5}))?)$)")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$")
_HOSTNAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Envoy retry conditions a Gateway API `retry` stanza implies (connection-level failures) or
# spells as status codes; anything else needs the Istio route patch.
# What Istio's HTTPRoute `retry` always retries on (pilot's conversion: these four plus the
# codes). Not `reset`, and not `gateway-error`, whose Envoy meaning includes resets and
# per-try timeouts that a list of codes never retries (kubernetes-sigs/gateway-api#4977):
# those keep the route patch, which carries retryOn as the classic API does (EDGE-API-DROP).
_IMPLIED_RETRY_ON = {"connect-failure", "refused-stream", "unavailable", "cancelled"}
_RETRY_CODES: dict[str, tuple[int, ...]] = {"retriable-status-codes": ()}


@dataclass(frozen=True)
class ParentRef:
    """The Gateway routes attach to: its name, its namespace (where the routes are rendered)
    and, per listener of the stack config, the name its Gateway listeners carry.

    A config listener becomes one Gateway listener per host (Gateway API listeners take one
    hostname each): named `<base>` when the listener has one host, `<base>-<host slug>`
    otherwise, where `<base>` is `section_names[listener.name]`, or the listener's own name
    when unmapped. `listener_sections` gives the same names to whoever renders the Gateway.
    """

    name: str
    namespace: str
    section_names: Mapping[str, str] = field(default_factory=dict, hash=False)

    def base(self, listener: Listener) -> str:
        return self.section_names.get(listener.name, listener.name)


def listener_sections(listener: Listener, base: str | None = None
                      ) -> list[tuple[str | None, str]]:
    """The Gateway listeners of one config listener: (hostname or None for `*`, name)."""
    base = base or listener.name
    if len(listener.hosts) == 1:
        host = listener.hosts[0]
        return [(None if host == "*" else host, base)]
    return [(None if h == "*" else h, f"{base}-{host_slug(h)}") for h in listener.hosts]


def subset_service_name(backend: Backend, subset: str) -> str:
    """The Service that stands for one subset of `backend`."""
    return f"{backend.service}-{subset}"


def hosts_intersect(a: str, b: str) -> bool:
    """Whether two host patterns share a name, as Gateway API intersects hostnames
    (`*.example.com` a suffix match, `*` everything)."""
    return hostnames_intersect(a, b)


@dataclass
class _Ctx:
    routing: Routing
    listeners: list[Listener]
    parent: ParentRef
    stack: str
    redirecting: Collection[str]
    experimental: bool
    extensions: frozenset[str]
    problems: list[Problem] = field(default_factory=list)
    # (namespace, service name) -> route kinds referring to it from `namespace`
    references: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # (backend key, subset) pairs some route reaches
    subsets: set[tuple[str, str]] = field(default_factory=set)

    @property
    def namespace(self) -> str:
        return self.parent.namespace

    @cached_property
    def paths(self) -> dict[int, str]:
        return route_paths(self.routing)

    def refuse(self, path: str, value: Any, message: str) -> None:
        self.problems.append(Problem(path, value, message))


def _sections(host: str, listeners: list[Listener], parent: ParentRef,
              protocols: Collection[str], skip: Collection[str] = ()) -> list[str]:
    out = []
    for lst in listeners:
        if lst.protocol not in protocols or lst.name in skip:
            continue
        for hostname, section in listener_sections(lst, parent.base(lst)):
            if hosts_intersect(hostname or "*", host):
                out.append(section)
    return out


def _parent_refs(parent: ParentRef, sections: list[str]) -> list[dict[str, Any]]:
    """References to the listeners `sections` of `parent` (the whole Gateway when none); no
    namespace: every route lives in the Gateway's own (`route_objects`)."""
    base: dict[str, Any] = {"group": GROUP, "kind": "Gateway", "name": parent.name}
    if not sections:
        return [base]
    return [{**base, "sectionName": s} for s in sections]


def _string_value(m: StringMatch, path: str, ctx: _Ctx, *, what: str) -> tuple[str, str]:
    """(type, value) of a header or query match: Exact, or RegularExpression (RE2, as Istio
    reads it) for prefixes and regexes."""
    name = path.rpartition(".")[2]
    if not _HEADER_NAME.match(name):
        ctx.refuse(path, name, f"a Gateway API {what} name is an RFC 7230 token (no ':' "
                   "pseudo-headers); match on the route's path or host instead")
    if m.exact is not None:
        return "Exact", m.exact
    if m.prefix is not None:
        return "RegularExpression", re.escape(m.prefix) + ".*"
    assert m.regex is not None
    return "RegularExpression", m.regex


def _path(m: RouteMatch) -> dict[str, str] | None:
    uri = m.uri
    if uri is None:
        return None
    if m.ignore_uri_case:
        if uri.exact is not None:
            value = f"(?i){re.escape(uri.exact)}"
        elif uri.prefix is not None:
            value = f"(?i){re.escape(uri.prefix)}.*"
        else:
            value = f"(?i)(?:{uri.regex})"
        return {"type": "RegularExpression", "value": value}
    if uri.exact is not None:
        return {"type": "Exact", "value": uri.exact}
    if uri.prefix is not None:
        return {"type": "PathPrefix", "value": uri.prefix}
    assert uri.regex is not None
    return {"type": "RegularExpression", "value": uri.regex}


def _http_match(m: RouteMatch, path: str, ctx: _Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {}
    p = _path(m)
    if p is not None:
        if p["type"] != "RegularExpression" and not p["value"].startswith("/"):
            ctx.refuse(f"{path}.uri", p["value"],
                       "Gateway API paths start with '/'; match the path from its first '/'")
        out["path"] = p
    if m.headers:
        out["headers"] = []
        for name, sm in sorted(m.headers.items()):
            kind, value = _string_value(sm, f"{path}.headers.{name}", ctx, what="header")
            out["headers"].append({"name": name, "type": kind, "value": value})
    if m.query_params:
        out["queryParams"] = []
        for name, sm in sorted(m.query_params.items()):
            kind, value = _string_value(sm, f"{path}.queryParams.{name}", ctx, what="query")
            out["queryParams"].append({"name": name, "type": kind, "value": value})
    if m.method:
        if m.method.exact in METHODS:
            out["method"] = m.method.exact
        else:
            ctx.refuse(f"{path}.method", m.method.model_dump(exclude_none=True),
                       "Gateway API matches one method exactly, one of " + ", ".join(METHODS)
                       + "; list a match per method")
    if m.port is not None:
        ctx.refuse(f"{path}.port", m.port,
                   "Gateway API routes match no port: a route serves the listeners it "
                   "attaches to; serve that port's hosts from a listener of their own, or "
                   "keep api: istio")
    return out


def _backend_ref(d: Destination | Mirror, ctx: _Ctx, kind: str) -> dict[str, Any] | None:
    backend = ctx.routing.backends.get(d.backend)
    if backend is None:  # the config rules report it with its path
        return None
    name = backend.service
    if d.subset:
        if d.subset not in backend.subsets:
            return None
        name = subset_service_name(backend, d.subset)
        ctx.subsets.add((d.backend, d.subset))
    ref: dict[str, Any] = {"name": name}
    if backend.namespace != ctx.namespace:
        ref["namespace"] = backend.namespace
        ctx.references.setdefault((backend.namespace, name), set()).add(kind)
    ref["port"] = backend.port
    return ref


def _backend_refs(to: list[Destination], ctx: _Ctx, kind: str) -> list[dict[str, Any]]:
    refs = []
    for d in to:
        ref = _backend_ref(d, ctx, kind)
        if ref is None:
            continue
        if d.weight is not None:
            ref["weight"] = d.weight
        refs.append(ref)
    return refs


def _header_filter(ops: HeaderOperations) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ops.set:
        out["set"] = [{"name": k, "value": v} for k, v in sorted(ops.set.items())]
    if ops.add:
        out["add"] = [{"name": k, "value": v} for k, v in sorted(ops.add.items())]
    if ops.remove:
        out["remove"] = list(ops.remove)
    return out


def _header_filters(route: Route, path: str, ctx: _Ctx) -> list[dict[str, Any]]:
    out = []
    for side in ("request", "response"):
        ops = getattr(route.headers, side) if route.headers else None
        names = [*ops.set, *ops.add, *ops.remove] if ops else []
        for name in names:
            if not _HEADER_NAME.match(name):
                ctx.refuse(f"{path}.headers.{side}", name,
                           "Gateway API changes headers named by RFC 7230 tokens only (no "
                           "':' pseudo-headers); rewrite the host with rewrite.authority")
    if route.headers and route.headers.request:
        f = _header_filter(route.headers.request)
        if f:
            out.append({"type": "RequestHeaderModifier", "requestHeaderModifier": f})
    if route.headers and route.headers.response:
        f = _header_filter(route.headers.response)
        if f:
            out.append({"type": "ResponseHeaderModifier", "responseHeaderModifier": f})
    return out


def _mirror_filter(route: Route, ctx: _Ctx, kind: str) -> list[dict[str, Any]]:
    if route.mirror is None:
        return []
    ref = _backend_ref(route.mirror, ctx, kind)
    if ref is None:
        return []
    mirror: dict[str, Any] = {"backendRef": ref}
    percent = route.mirror.percent
    if percent != 100:
        if float(percent).is_integer():
            mirror["percent"] = int(percent)
        else:
            # Fractions of a percent: numerator over a million, Envoy's and the classic
            # mirrorPercentage's own denominator, which Istio before 1.25 also assumed
            # whatever the route said (istio/istio#54357: 500/100000 mirrored 0.05 %).
            mirror["fraction"] = {"numerator": round(percent * 10_000),
                                  "denominator": 1_000_000}
    return [{"type": "RequestMirror", "requestMirror": mirror}]


def _cors_filter(cors: Cors, path: str, ctx: _Ctx) -> dict[str, Any] | None:
    origins = []
    for i, o in enumerate(cors.allow_origins):
        if o.exact is not None and _ORIGIN.match(o.exact):
            origins.append(o.exact)
        else:
            ctx.refuse(f"{path}.cors.allowOrigins[{i}]", o.model_dump(exclude_none=True),
                       "Gateway API's CORS filter takes whole origins (scheme://host[:port], "
                       "'*.' allowed as the host's first label, or '*'), not prefixes or "
                       "regexes; list the origins with exact")
    out: dict[str, Any] = {"allowOrigins": origins}
    methods = [m.upper() for m in cors.allow_methods]
    bad = [m for m in methods if m not in (*METHODS, "*")]
    if bad:
        ctx.refuse(f"{path}.cors.allowMethods", cors.allow_methods,
                   f"Gateway API's CORS filter allows only {', '.join(METHODS)} or '*'")
    if methods:
        out["allowMethods"] = methods
    for key, values in (("allowHeaders", cors.allow_headers),
                        ("exposeHeaders", cors.expose_headers)):
        if values:
            wrong = [v for v in values if not _HEADER_NAME.match(v)]  # '*' is a token too
            if wrong:
                ctx.refuse(f"{path}.cors.{key}", values, "header names only (RFC 7230 token)")
            out[key] = list(values)
    if cors.max_age:
        # Whole seconds, rounded up (a maxAge is at least 1ms: never 0, which would mean none).
        out["maxAge"] = math.ceil(duration_ns(cors.max_age) / 10**9)
    if cors.allow_credentials is not None:
        out["allowCredentials"] = cors.allow_credentials
    return out


def _hostname(value: str, path: str, ctx: _Ctx) -> str | None:
    if _HOSTNAME.match(value):
        return value
    ctx.refuse(path, value, "Gateway API takes a host name here, without a port or "
               "wildcard (a lower-case DNS name)")
    return None


def _path_modifier(route: Route, value: str) -> dict[str, str]:
    """Istio replaces the matched prefix on a prefix match and the whole path otherwise."""
    prefix = all(m.uri is None or (m.uri.prefix is not None and not m.ignore_uri_case)
                 for m in route.match)
    if prefix:
        return {"type": "ReplacePrefixMatch", "replacePrefixMatch": value}
    return {"type": "ReplaceFullPath", "replaceFullPath": value}


def retry_codes(retry_on: str | None) -> list[int] | None:
    """The status codes of Envoy retry conditions, when a Gateway API `retry` says the same:
    connection failures (always retried) and status codes; None when it cannot."""
    if retry_on is None:
        return []
    codes: list[int] = []
    for token in (t.strip() for t in retry_on.split(",") if t.strip()):
        if token in _IMPLIED_RETRY_ON:
            continue
        if token in _RETRY_CODES:
            codes += _RETRY_CODES[token]
        elif token.isdigit() and 400 <= int(token) <= 599:
            codes.append(int(token))
        else:
            return None
    return sorted(set(codes))


def native_retry(route: Route, experimental: bool) -> bool:
    """Whether the route's retries render as the HTTPRoute's own `retry` (experimental)."""
    return bool(experimental and route.retries is not None
                and retry_codes(route.retries.retry_on) is not None)


def _timeouts(route: Route, native: bool) -> dict[str, str]:
    out = {}
    if route.timeout:
        out["request"] = gateway_duration(route.timeout)
    # Istio reads backendRequest as the per-try timeout only beside a retry stanza; alone it
    # would replace the request timeout.
    if native and route.retries and route.retries.per_try_timeout:
        out["backendRequest"] = gateway_duration(route.retries.per_try_timeout)
    return out


def _redirect_filter(route: Route, path: str, ctx: _Ctx) -> dict[str, Any]:
    r = route.redirect
    assert r is not None
    redirect: dict[str, Any] = {}
    if r.scheme:
        redirect["scheme"] = r.scheme
    if r.authority:
        h = _hostname(r.authority, f"{path}.redirect.authority", ctx)
        if h:
            redirect["hostname"] = h
    if r.uri:
        redirect["path"] = {"type": "ReplaceFullPath", "replaceFullPath": r.uri}
    if r.port:
        redirect["port"] = r.port
    redirect["statusCode"] = r.redirect_code
    return {"type": "RequestRedirect", "requestRedirect": redirect}


def _rewrite_filter(route: Route, path: str, ctx: _Ctx, matches: list[dict[str, Any]]
                    ) -> dict[str, Any]:
    """URLRewrite; a prefix rewrite needs its rule's one PathPrefix match spelled out."""
    assert route.rewrite is not None
    rewrite: dict[str, Any] = {}
    if route.rewrite.authority:
        h = _hostname(route.rewrite.authority, f"{path}.rewrite.authority", ctx)
        if h:
            rewrite["hostname"] = h
    if route.rewrite.uri is not None:
        modifier = _path_modifier(route, route.rewrite.uri)
        if modifier["type"] == "ReplacePrefixMatch":
            if len(route.match) > 1:
                ctx.refuse(f"{path}.rewrite.uri", route.rewrite.uri,
                           "Gateway API replaces a matched prefix only on a rule with "
                           "exactly one path-prefix match; write one route per match")
            if not matches:
                matches.append({})
            matches[0].setdefault("path", {"type": "PathPrefix", "value": "/"})
        rewrite["path"] = modifier
    return {"type": "URLRewrite", "urlRewrite": rewrite}


def _retry(route: Route, path: str, ctx: _Ctx, rule: dict[str, Any]) -> None:
    native = native_retry(route, ctx.experimental)
    timeouts = _timeouts(route, native)
    if timeouts:
        rule["timeouts"] = timeouts
    if native:
        assert route.retries is not None
        retry: dict[str, Any] = {"attempts": route.retries.attempts}
        codes = retry_codes(route.retries.retry_on)
        if codes:
            retry["codes"] = codes
        rule["retry"] = retry
    elif route.retries is not None and ROUTE_PATCHES not in ctx.extensions:
        ctx.refuse(f"{path}.retries", route.retries.model_dump(by_alias=True, exclude_none=True),
                   _retry_reason(ctx.experimental))


def _http_rule(route: Route, path: str, ctx: _Ctx) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": route.name}
    matches = [_http_match(m, f"{path}.match[{i}]", ctx) for i, m in enumerate(route.match)]
    filters: list[dict[str, Any]] = []
    if route.redirect:
        filters.append(_redirect_filter(route, path, ctx))
    if route.rewrite:
        filters.append(_rewrite_filter(route, path, ctx, matches))
    filters += _header_filters(route, path, ctx)
    if route.cors:
        cors = _cors_filter(route.cors, path, ctx)
        if cors is not None:
            filters.append({"type": "CORS", "cors": cors})
    filters += _mirror_filter(route, ctx, "HTTPRoute")
    if matches:
        rule["matches"] = matches
    if filters:
        rule["filters"] = filters
    if route.to:
        rule["backendRefs"] = _backend_refs(route.to, ctx, "HTTPRoute")
    _retry(route, path, ctx, rule)
    return rule


def _retry_reason(experimental: bool) -> str:
    if not experimental:
        return ("HTTPRoute's retry is in the experimental channel of Gateway API v1.6.1 only; "
                "set gatewayApi.channel: experimental (experimental CRDs installed), or "
                "remove retries for the implementation's default")
    return ("Gateway API retries connection failures and listed status codes only (not "
            "resets or per-try timeouts, which 'reset', '5xx' and 'gateway-error' include); "
            "write retryOn as status codes (e.g. '502,503,504'), or remove it")


def _grpc_match(m: RouteMatch, path: str, ctx: _Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {}
    uri = m.uri
    if uri is not None:
        method = _grpc_method(uri, m.ignore_uri_case)
        if method is None:
            ctx.refuse(f"{path}.uri", uri.model_dump(exclude_none=True),
                       "a GRPCRoute matches a gRPC service and method: write the path as "
                       "prefix '/package.Service/' or exact '/package.Service/Method'")
        elif method:
            out["method"] = method
    if m.headers:
        out["headers"] = []
        for name, sm in sorted(m.headers.items()):
            kind, value = _string_value(sm, f"{path}.headers.{name}", ctx, what="header")
            out["headers"].append({"name": name, "type": kind, "value": value})
    # The values as written (a query match's StringMatches as dicts, not their reprs).
    for key, present in (
        ("method", m.method and m.method.model_dump(exclude_none=True)),
        ("queryParams", {k: v.model_dump(exclude_none=True)
                         for k, v in m.query_params.items()}),
        ("port", m.port),
    ):
        if present:
            ctx.refuse(f"{path}.{key}", present,
                       f"a GRPCRoute matches no {key} (gRPC calls are POSTs routed by "
                       "service and method); remove it or route this backend as HTTP")
    return out


_GRPC_SERVICE = re.compile(r"^\.?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$")
_GRPC_METHOD = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")


def _grpc_method(uri: StringMatch, ignore_case: bool) -> dict[str, str] | None:
    """The GRPCMethodMatch of a path match; {} for every call; None when none says it."""
    if ignore_case or uri.regex is not None:
        return None
    if uri.prefix == "/":
        return {}
    if uri.prefix is not None:
        parts = uri.prefix.split("/")
        if len(parts) == 3 and parts[0] == "" and parts[2] == "" and _GRPC_SERVICE.match(parts[1]):
            return {"type": "Exact", "service": parts[1]}
        return None
    assert uri.exact is not None
    parts = uri.exact.split("/")
    if len(parts) == 3 and parts[0] == "" and _GRPC_SERVICE.match(parts[1]) \
            and _GRPC_METHOD.match(parts[2]):
        return {"type": "Exact", "service": parts[1], "method": parts[2]}
    return None


def _grpc_rule(route: Route, path: str, ctx: _Ctx) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": route.name}
    matches = [_grpc_match(m, f"{path}.match[{i}]", ctx) for i, m in enumerate(route.match)]
    for key in ("redirect", "rewrite", "cors"):
        if getattr(route, key):
            ctx.refuse(f"{path}.{key}", "set", f"a GRPCRoute has no {key}; remove it, or "
                       "route this backend as HTTP (protocol: HTTP)")
    if (route.timeout or route.retries) and ROUTE_PATCHES not in ctx.extensions:
        ctx.refuse(f"{path}.timeout" if route.timeout else f"{path}.retries", "set",
                   "a GRPCRoute has no timeouts or retries in Gateway API v1.6.1; remove them "
                   "or keep api: istio")
    filters = _header_filters(route, path, ctx) + _mirror_filter(route, ctx, "GRPCRoute")
    if [m for m in matches if m]:
        rule["matches"] = matches
    if filters:
        rule["filters"] = filters
    rule["backendRefs"] = _backend_refs(route.to, ctx, "GRPCRoute")
    return rule


def _is_grpc(route: Route, routing: Routing) -> bool:
    refs = [d.backend for d in route.to] + ([route.mirror.backend] if route.mirror else [])
    protocols = {routing.backends[b].protocol for b in refs if b in routing.backends}
    return protocols == {"GRPC"}


def _refused_everywhere(route: Route, path: str, ctx: _Ctx) -> bool:
    """Refuse what no Gateway API route says; True when the route cannot render at all."""
    if route.fault:
        ctx.refuse(f"{path}.fault", route.fault.model_dump(by_alias=True, exclude_none=True),
                   "Gateway API has no fault injection, and Istio applies no VirtualService "
                   "to a Gateway API gateway's routes; test resilience on a stack with "
                   "api: istio, or remove fault")
    if route.direct_response:
        ctx.refuse(f"{path}.directResponse", route.direct_response.model_dump(),
                   "Gateway API has no direct response; route to a small backend that "
                   "answers it, or keep api: istio")
        return True
    if route.delegate:
        ctx.refuse(f"{path}.delegate", route.delegate.model_dump(),
                   "Gateway API has no VirtualService delegation; the owning team attaches "
                   "an HTTPRoute of its own to the Gateway (list its namespace in the "
                   "listener's allowedRoutes), or keep api: istio")
        return True
    if route.to:
        protocols = {ctx.routing.backends[d.backend].protocol for d in route.to
                     if d.backend in ctx.routing.backends}
        if len(protocols) > 1:
            ctx.refuse(f"{path}.to", [d.backend for d in route.to],
                       "splits between gRPC and HTTP backends; a Gateway API rule is either "
                       "an HTTPRoute or a GRPCRoute rule")
            return True
    return False


def route_paths(routing: Routing) -> dict[int, str]:
    """id of each route -> where it sits in the config (inherited wildcard routes: under their
    own host); one pass over the routes, for a lookup per rendered route."""
    return {id(r): f"routing.hosts[{i}].routes[{j}]"
            for i, host in enumerate(routing.hosts) for j, r in enumerate(host.routes)}


def _chunks(rules: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rules[i:i + MAX_RULES] for i in range(0, len(rules), MAX_RULES)] or [[]]


def _route(kind: str, name: str, ctx: _Ctx, *, parent_refs: list[dict[str, Any]],
           hostnames: list[str], rules: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = {"parentRefs": parent_refs}
    if hostnames:
        spec["hostnames"] = hostnames
    spec["rules"] = rules
    return obj(GATEWAY_API, kind, name, ctx.namespace, labels=MANAGED_BY, spec=spec)


def _host_routes(i: int, host: HostRoutes, ctx: _Ctx) -> Iterator[dict[str, Any]]:
    listeners, parent, stack, redirecting = ctx.listeners, ctx.parent, ctx.stack, ctx.redirecting
    base = f"{stack}-{host_slug(host.host)}"
    hostnames = [] if host.host == "*" else [host.host]
    http_rules: list[dict[str, Any]] = []
    grpc_rules: list[dict[str, Any]] = []
    for route in with_inherited_routes(ctx.routing, host).routes:
        path = ctx.paths[id(route)]
        if _refused_everywhere(route, path, ctx):
            continue
        if _is_grpc(route, ctx.routing):
            grpc_rules.append(_grpc_rule(route, path, ctx))
        else:
            http_rules.append(_http_rule(route, path, ctx))
    sections = _sections(host.host, listeners, parent, ("HTTP", "HTTPS"), redirecting)
    if len(sections) > MAX_PARENT_REFS:
        ctx.refuse(f"routing.hosts[{i}].host", host.host,
                   f"is served by {len(sections)} listeners, more than a route's "
                   f"{MAX_PARENT_REFS} parentRefs")
    refs = _parent_refs(parent, sections)
    for kind, rules, suffix in (("HTTPRoute", http_rules, ""), ("GRPCRoute", grpc_rules, "-grpc")):
        if not rules:
            continue
        for n, chunk in enumerate(_chunks(rules)):
            name = f"{base}{suffix}" + (f"-{n + 1}" if n else "")
            yield _route(kind, name, ctx, parent_refs=refs, hostnames=hostnames, rules=chunk)
    tls_sections = _sections(host.host, listeners, parent, ("TLS",))
    for tls in host.tls_routes:
        rule = {"name": tls.name, "backendRefs": _backend_refs(tls.to, ctx, "TLSRoute")}
        yield _route("TLSRoute", f"{base}-{tls.name}", ctx,
                     parent_refs=_parent_refs(parent, tls_sections),
                     hostnames=[h for h in tls.sni_hosts if h != "*"] or [host.host],
                     rules=[rule])


def _redirect_routes(listeners: list[Listener], parent: ParentRef, stack: str,
                     redirecting: Collection[str], ctx: _Ctx) -> Iterator[dict[str, Any]]:
    """An HTTP listener that redirects to HTTPS gets one route saying so (Istio's classic
    Gateway spells it `tls.httpsRedirect` on the server)."""
    for lst in listeners:
        if lst.protocol != "HTTP" or lst.name not in redirecting:
            continue
        sections = [s for _, s in listener_sections(lst, parent.base(lst))]
        rule = {"name": "https-redirect", "filters": [{
            "type": "RequestRedirect",
            "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
        hostnames = [] if "*" in lst.hosts else list(lst.hosts)
        yield _route("HTTPRoute", f"{stack}-{lst.name}-https-redirect", ctx,
                     parent_refs=_parent_refs(parent, sections),
                     hostnames=hostnames[:16], rules=[rule])


def _subset_services(ctx: _Ctx) -> Iterator[dict[str, Any]]:
    """A Service per subset a route reaches: the backend's selector plus the subset's
    labels, on the backend's port, so a weighted split between subsets is a split between
    Services (Gateway API has no subsets)."""
    for key in sorted({k for k, _ in ctx.subsets}):
        backend = ctx.routing.backends[key]
        if not backend.selector:
            ctx.refuse(f"routing.backends.{key}.selector", {},
                       "Gateway API has no subsets: each subset a route names becomes a "
                       "Service of its own, selecting the backend's pods plus the subset's "
                       f"labels; set selector to the labels {backend.service}'s own selector "
                       "picks its pods by")
    for key, subset in sorted(ctx.subsets):
        backend = ctx.routing.backends[key]
        path = f"routing.backends.{key}"
        name = subset_service_name(backend, subset)
        if not backend.selector:
            continue
        if len(name) > 63 or not re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name):
            ctx.refuse(f"{path}.subsets.{subset}", name,
                       "the subset's Service name (<service>-<subset>) must be a DNS-1035 "
                       "label of at most 63 characters; shorten the subset's name")
            continue
        selector = {**backend.selector, **backend.subsets[subset]}
        grpc = backend.protocol == "GRPC"
        port = {
            "name": "grpc" if grpc else "http",
            "port": backend.port,
            "protocol": "TCP",
            "targetPort": backend.target_port if backend.target_port is not None
            else backend.port,
            "appProtocol": "grpc" if grpc else "http",
        }
        yield obj("v1", "Service", name, backend.namespace,
                  labels={**MANAGED_BY, SUBSET_OF: backend.service},
                  spec={"type": "ClusterIP", "selector": dict(sorted(selector.items())),
                        "ports": [port]})


def _reference_grants(stack: str, ctx: _Ctx) -> Iterator[dict[str, Any]]:
    """Per backend namespace, one ReferenceGrant letting the routes' namespace refer to the
    Services its routes name there (and no other)."""
    by_ns: dict[str, dict[str, set[str]]] = {}
    for (ns, name), kinds in ctx.references.items():
        by_ns.setdefault(ns, {})[name] = kinds
    for ns, services in sorted(by_ns.items()):
        kinds = sorted(set().union(*services.values()))
        to = [{"group": "", "kind": "Service", "name": n} for n in sorted(services)]
        if len(to) > 16:
            to = [{"group": "", "kind": "Service"}]
        yield obj("gateway.networking.k8s.io/v1beta1", "ReferenceGrant",
                  f"{stack}-from-{ctx.namespace}", ns, labels=MANAGED_BY,
                  spec={"from": [{"group": GROUP, "kind": k, "namespace": ctx.namespace}
                                 for k in kinds], "to": to})


def _backend_tls(stack: str, ctx: _Ctx, services: dict[str, list[str]]
                 ) -> Iterator[dict[str, Any]]:
    """TLS the gateway verifies (`tls.mode: SIMPLE`) as a BackendTLSPolicy per backend,
    targeting its Service and its subset Services: the system's CAs, the SNI as hostname.
    None where the implementation carries traffic policies itself (`trafficPolicy` among the
    extensions: Istio's DestinationRules keep the TLS, EDGE-API-TLS-DR). A private CA
    (`credentialName`) is refused: a BackendTLSPolicy trusts ConfigMaps, not the Secret."""
    if TRAFFIC_POLICY in ctx.extensions:
        return
    for key, backend in sorted(ctx.routing.backends.items()):
        tp = backend.traffic_policy
        if tp is None or tp.tls is None or tp.tls.mode != "SIMPLE":
            continue
        if tp.tls.credential_name:
            ctx.refuse(f"routing.backends.{key}.trafficPolicy.tls.credentialName",
                       tp.tls.credential_name,
                       "a BackendTLSPolicy trusts CA certificates from ConfigMaps "
                       "(caCertificateRefs) or the system's, never a Secret, so this private "
                       "CA would be dropped and the backend's certificate refused; remove it "
                       "when a public CA signs the backend's certificate, or use the Istio "
                       "gateway, whose DestinationRule reads it (EDGE-API-TLS-DR)")
            continue
        refs = [{"group": "", "kind": "Service", "name": n} for n in services[key]]
        hostname = tp.tls.sni or backend.fqdn
        yield obj("gateway.networking.k8s.io/v1", "BackendTLSPolicy", f"{stack}-{key}",
                  backend.namespace, labels=MANAGED_BY,
                  spec={"targetRefs": refs[:16],
                        "validation": {"hostname": hostname,
                                       "wellKnownCACertificates": "System"}})


def _traffic_policy_problems(ctx: _Ctx) -> None:
    if TRAFFIC_POLICY in ctx.extensions:
        return
    for key, backend in sorted(ctx.routing.backends.items()):
        tp = backend.traffic_policy
        if tp is None:
            continue
        # The config's own (camelCase) names: the paths point at what the user wrote.
        other = {k for k, v in (("loadBalancer", tp.load_balancer),
                                ("connectionPool", tp.connection_pool),
                                ("outlierDetection", tp.outlier_detection)) if v is not None}
        if tp.tls is not None and tp.tls.mode != "SIMPLE":
            other.add("tls")
        for k in sorted(other):
            ctx.refuse(f"routing.backends.{key}.trafficPolicy.{k}", "set",
                       "Gateway API v1.6.1 has no such backend policy for this "
                       "implementation; remove it, or use the Istio gateway (api: istio, or "
                       "gatewayApi on a gateway topology, where DestinationRules carry it)")


def used_services(routing: Routing, subsets: Collection[tuple[str, str]]
                  ) -> dict[str, list[str]]:
    """Per backend key, the Services that stand for it: its own and its subsets' ones."""
    out: dict[str, list[str]] = {}
    for key, backend in routing.backends.items():
        out[key] = [backend.service] + [subset_service_name(backend, s)
                                        for k, s in sorted(subsets) if k == key]
    return out


def route_objects(
    routing: Routing,
    listeners: list[Listener],
    parent: ParentRef,
    *,
    stack: str,
    experimental: bool = False,
    redirecting: Collection[str] | None = None,
    extensions: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The Gateway API objects of `routing`, attached to the Gateway `parent`.

    Returns, in this order: per host an HTTPRoute `<stack>-<host slug>` (more, suffixed
    `-2`..., past 16 rules; `-grpc` for routes whose backends all speak gRPC, as a
    GRPCRoute; `-<route name>` per SNI route, as a TLSRoute), an HTTPRoute
    `<stack>-<listener>-https-redirect` per HTTP listener that redirects to HTTPS, the
    Services of the subsets routes reach, a ReferenceGrant per other namespace the routes
    reach, and a BackendTLSPolicy per backend with `tls.mode: SIMPLE` (unless `trafficPolicy`
    is among the `extensions`: the implementation's own policy carries the TLS). Every route
    lives in `parent.namespace`; rule names are the config's route names (Istio names the
    Envoy route after them, which rate limits match).

    `listeners` are the listeners as the Gateway serves them (each becomes one Gateway
    listener per host: `listener_sections`); host routes attach to every HTTP or HTTPS one
    whose hostname intersects the host, except the listeners in `redirecting` (default: the
    HTTP listeners that redirect to HTTPS by the config's rule). `experimental` allows the
    experimental channel's fields (HTTPRoute `retry`). `extensions` names what the caller
    renders through its implementation's own resources instead of having it refused:
    `routePatches` (retries and gRPC timeouts the routes cannot carry) and `trafficPolicy`
    (load balancing, connection pools, outlier detection, backend TLS).

    Raises ConfigError listing, with config paths, everything Gateway API cannot say.
    """
    if redirecting is None:
        redirecting = redirect_names(listeners)
    ctx = _Ctx(routing, listeners, parent, stack, redirecting, experimental,
               frozenset(extensions))
    routes: list[dict[str, Any]] = []
    for i, host in enumerate(routing.hosts):
        routes += _host_routes(i, host, ctx)
    routes += _redirect_routes(listeners, parent, stack, redirecting, ctx)
    services = list(_subset_services(ctx))
    grants = list(_reference_grants(stack, ctx))
    tls = list(_backend_tls(stack, ctx, used_services(routing, ctx.subsets)))
    _traffic_policy_problems(ctx)
    if ctx.problems:
        raise ConfigError(ctx.problems, "api gatewayApi")
    return [*routes, *services, *grants, *tls]
