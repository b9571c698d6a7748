"""manifests/gateway_api/routes.py: the routing config as Gateway API routes, their
companions (subset Services, ReferenceGrants, BackendTLSPolicies), and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib.config.listeners import Listener
from ingresslib.config.routing import Routing
from ingresslib.errors import ConfigError
from ingresslib.manifests.gateway_api.routes import (
    ParentRef,
    listener_sections,
    retry_codes,
    route_objects,
    used_services,
)

HOST = "shop.example.com"
MANAGED = {"app.kubernetes.io/managed-by": "ingresslib"}
GROUP = "gateway.networking.k8s.io"
PARENT = ParentRef("gw", "edge", {"https": "web"})


def _listeners(*data: dict[str, Any]) -> list[Listener]:
    return [Listener.model_validate(d) for d in data]


LISTENERS = _listeners(
    {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST, "*.example.org"],
     "httpsRedirect": True},
    {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST, "*.example.org"],
     "tls": {"certificate": "c"}},
    {"name": "alt", "port": 8080, "protocol": "HTTP", "hosts": ["*"]},
    {"name": "tls", "port": 9443, "protocol": "TLS", "hosts": ["db.example.com"],
     "tls": {"mode": "PASSTHROUGH"}},
)
BACKENDS: dict[str, Any] = {
    "web": {"service": "web", "namespace": "edge", "port": 80, "targetPort": 8080,
            "selector": {"app": "web"},
            "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}}},
    "api": {"service": "api", "namespace": "shop", "port": 8080},
    "grpc": {"service": "orders", "namespace": "shop", "port": 9090, "protocol": "GRPC",
             "selector": {"app": "orders"}, "subsets": {"b": {"track": "b"}}},
    "db": {"service": "db", "namespace": "data", "port": 5432},
    "tlsb": {"service": "secure", "namespace": "shop", "port": 443,
             "trafficPolicy": {"tls": {"mode": "SIMPLE", "sni": "secure.internal"}}},
    "tlsc": {"service": "secure2", "namespace": "edge", "port": 443,
             "trafficPolicy": {"tls": {"mode": "SIMPLE"}}},
}


def _routing(hosts: list[dict[str, Any]], **backends: Any) -> Routing:
    return Routing.model_validate({"backends": {**BACKENDS, **backends}, "hosts": hosts})


def _objects(routes: list[dict[str, Any]], *, listeners: list[Listener] = LISTENERS,
             **kw: Any) -> list[dict[str, Any]]:
    return route_objects(_routing([{"host": HOST, "routes": routes}]), listeners, PARENT,
                         stack="shop", **kw)


def _rule(route: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """The one rule `route` renders as."""
    out = _objects([route], **kw)[0]
    assert len(out["spec"]["rules"]) == 1
    return out["spec"]["rules"][0]


def _refused(routes: list[dict[str, Any]], **kw: Any) -> list[tuple[str, Any, str]]:
    with pytest.raises(ConfigError) as err:
        _objects(routes, **kw)
    assert err.value.source == "api gatewayApi"
    return [(p.path, p.value, p.message) for p in err.value.problems]


def _meta(name: str, namespace: str = "edge", **labels: str) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": {**MANAGED, **labels}}


def _parent(section: str | None = None, **more: str) -> dict[str, Any]:
    ref = {"group": GROUP, "kind": "Gateway", "name": "gw", **more}
    return {**ref, "sectionName": section} if section else ref


def _svc_ref(name: str) -> dict[str, str]:
    return {"group": "", "kind": "Service", "name": name}


API = {"name": "api", "namespace": "shop", "port": 8080}


def test_every_kind_of_object_in_order() -> None:
    routing = _routing([
        {"host": HOST, "routes": [
            {"name": "api", "match": [{"uri": {"prefix": "/api/"}, "method": {"exact": "POST"},
                                       "headers": {"x-b": {"prefix": "a.b"},
                                                   "x-a": {"exact": "1"}},
                                       "queryParams": {"q": {"regex": "^x$"}}}],
             "to": [{"backend": "api", "weight": 70}, {"backend": "tlsb", "weight": 30}],
             "timeout": "10s"},
            {"name": "grpc", "match": [{"uri": {"prefix": "/shop.Orders/"}},
                                       {"uri": {"exact": "/shop.Orders/Get"},
                                        "headers": {"x-c": {"exact": "c"}}}],
             "to": [{"backend": "grpc"}, {"backend": "grpc", "subset": "b", "weight": 0}]},
            {"name": "web", "to": [{"backend": "web", "subset": "v1", "weight": 90},
                                   {"backend": "web", "subset": "v2", "weight": 10},
                                   {"backend": "tlsc", "weight": 0}]},
        ]},
        {"host": "db.example.com", "tlsRoutes": [
            {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "db"}]}]},
    ])
    objs = route_objects(routing, LISTENERS, PARENT, stack="shop")
    host_refs = [_parent("web-shop-example-com"), _parent("alt")]
    assert objs == [
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": _meta("shop-shop-example-com"),
         "spec": {"parentRefs": host_refs, "hostnames": [HOST], "rules": [
             {"name": "api",
              "matches": [{
                  "path": {"type": "PathPrefix", "value": "/api/"},
                  "headers": [{"name": "x-a", "type": "Exact", "value": "1"},
                              {"name": "x-b", "type": "RegularExpression", "value": r"a\.b.*"}],
                  "queryParams": [{"name": "q", "type": "RegularExpression", "value": "^x$"}],
                  "method": "POST"}],
              "backendRefs": [
                  {"name": "api", "namespace": "shop", "port": 8080, "weight": 70},
                  {"name": "secure", "namespace": "shop", "port": 443, "weight": 30}],
              "timeouts": {"request": "10s"}},
             {"name": "web", "backendRefs": [{"name": "web-v1", "port": 80, "weight": 90},
                                             {"name": "web-v2", "port": 80, "weight": 10},
                                             {"name": "secure2", "port": 443, "weight": 0}]},
         ]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GRPCRoute",
         "metadata": _meta("shop-shop-example-com-grpc"),
         "spec": {"parentRefs": host_refs, "hostnames": [HOST], "rules": [
             {"name": "grpc",
              "matches": [{"method": {"type": "Exact", "service": "shop.Orders"}},
                          {"method": {"type": "Exact", "service": "shop.Orders",
                                      "method": "Get"},
                           "headers": [{"name": "x-c", "type": "Exact", "value": "c"}]}],
              "backendRefs": [{"name": "orders", "namespace": "shop", "port": 9090},
                              {"name": "orders-b", "namespace": "shop", "port": 9090,
                               "weight": 0}]},
         ]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "TLSRoute",
         "metadata": _meta("shop-db-example-com-db"),
         "spec": {"parentRefs": [_parent("tls")], "hostnames": ["db.example.com"], "rules": [
             {"name": "db", "backendRefs": [{"name": "db", "namespace": "data",
                                             "port": 5432}]}]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": _meta("shop-http-https-redirect"),
         "spec": {"parentRefs": [_parent("http-shop-example-com"),
                                 _parent("http-wildcard-example-org")],
                  "hostnames": [HOST, "*.example.org"],
                  "rules": [{"name": "https-redirect", "filters": [{
                      "type": "RequestRedirect",
                      "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": _meta("orders-b", "shop", **{"ingresslib.io/subset-of": "orders"}),
         "spec": {"type": "ClusterIP", "selector": {"app": "orders", "track": "b"},
                  "ports": [{"name": "grpc", "port": 9090, "protocol": "TCP",
                             "targetPort": 9090, "appProtocol": "grpc"}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": _meta("web-v1", **{"ingresslib.io/subset-of": "web"}),
         "spec": {"type": "ClusterIP", "selector": {"app": "web", "version": "v1"},
                  "ports": [{"name": "http", "port": 80, "protocol": "TCP",
                             "targetPort": 8080, "appProtocol": "http"}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": _meta("web-v2", **{"ingresslib.io/subset-of": "web"}),
         "spec": {"type": "ClusterIP", "selector": {"app": "web", "version": "v2"},
                  "ports": [{"name": "http", "port": 80, "protocol": "TCP",
                             "targetPort": 8080, "appProtocol": "http"}]}},
        {"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
         "metadata": _meta("shop-from-edge", "data"),
         "spec": {"from": [{"group": GROUP, "kind": "TLSRoute", "namespace": "edge"}],
                  "to": [_svc_ref("db")]}},
        {"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
         "metadata": _meta("shop-from-edge", "shop"),
         "spec": {"from": [{"group": GROUP, "kind": "GRPCRoute", "namespace": "edge"},
                           {"group": GROUP, "kind": "HTTPRoute", "namespace": "edge"}],
                  "to": [_svc_ref("api"), _svc_ref("orders"), _svc_ref("orders-b"),
                         _svc_ref("secure")]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicy",
         "metadata": _meta("shop-tlsb", "shop"),
         "spec": {"targetRefs": [_svc_ref("secure")],
                  "validation": {"hostname": "secure.internal",
                                 "wellKnownCACertificates": "System"}}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicy",
         "metadata": _meta("shop-tlsc"),
         "spec": {"targetRefs": [_svc_ref("secure2")],
                  "validation": {"hostname": "secure2.edge.svc.cluster.local",
                                 "wellKnownCACertificates": "System"}}},
    ]


# ------------------------------------------------------------------ what is refused, and why

R0 = "routing.hosts[0].routes[0]"
TOKEN = "RFC 7230 token (no ':' pseudo-headers); match on the route's path or host instead"
METHOD_LIST = "GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH"
HOSTNAME = "Gateway API takes a host name here, without a port or wildcard (a lower-case DNS name)"
ORIGINS = ("Gateway API's CORS filter takes whole origins (scheme://host[:port], '*.' allowed "
           "as the host's first label, or '*'), not prefixes or regexes; list the origins "
           "with exact")
HEADER_OPS = ("Gateway API changes headers named by RFC 7230 tokens only (no ':' "
              "pseudo-headers); rewrite the host with rewrite.authority")


def test_match_refusals() -> None:
    assert _refused([{"name": "a", "to": [{"backend": "api"}], "match": [
        {"headers": {":authority": {"exact": "x"}}, "queryParams": {"a:b": {"exact": "1"}}},
        {"uri": {"exact": "nope"}, "method": {"exact": "FETCH"}},
        {"method": {"prefix": "G"}, "port": 8080},
    ]}]) == [
        (f"{R0}.match[0].headers.:authority", ":authority",
         f"a Gateway API header name is an {TOKEN}"),
        (f"{R0}.match[0].queryParams.a:b", "a:b", f"a Gateway API query name is an {TOKEN}"),
        (f"{R0}.match[1].uri", "nope",
         "Gateway API paths start with '/'; match the path from its first '/'"),
        (f"{R0}.match[1].method", {"exact": "FETCH"},
         f"Gateway API matches one method exactly, one of {METHOD_LIST}; list a match per method"),
        (f"{R0}.match[2].method", {"prefix": "G"},
         f"Gateway API matches one method exactly, one of {METHOD_LIST}; list a match per method"),
        (f"{R0}.match[2].port", 8080,
         "Gateway API routes match no port: a route serves the listeners it attaches to; serve "
         "that port's hosts from a listener of their own, or keep api: istio"),
    ]


def test_filter_refusals() -> None:
    assert _refused([
        {"name": "a", "to": [{"backend": "api"}],
         "headers": {"request": {"set": {":path": "x"}}, "response": {"remove": [":status"]}},
         "cors": {"allowOrigins": [{"prefix": "https://"}, {"exact": "ftp://x"}],
                  "allowMethods": ["get", "FETCH"], "allowHeaders": ["x a"],
                  "exposeHeaders": ["*", "b c"]}},
        {"name": "b", "redirect": {"authority": "a.example.com:8080"}},
        {"name": "c", "to": [{"backend": "api"}], "rewrite": {"authority": "*.x"}},
        {"name": "d", "match": [{"uri": {"prefix": "/a/"}}, {"uri": {"prefix": "/b/"}}],
         "rewrite": {"uri": "/"}, "to": [{"backend": "api"}]},
    ]) == [
        (f"{R0}.headers.request", ":path", HEADER_OPS),
        (f"{R0}.headers.response", ":status", HEADER_OPS),
        (f"{R0}.cors.allowOrigins[0]", {"prefix": "https://"}, ORIGINS),
        (f"{R0}.cors.allowOrigins[1]", {"exact": "ftp://x"}, ORIGINS),
        (f"{R0}.cors.allowMethods", ["get", "FETCH"],
         f"Gateway API's CORS filter allows only {METHOD_LIST} or '*'"),
        (f"{R0}.cors.allowHeaders", ["x a"], "header names only (RFC 7230 token)"),
        (f"{R0}.cors.exposeHeaders", ["*", "b c"], "header names only (RFC 7230 token)"),
        ("routing.hosts[0].routes[1].redirect.authority", "a.example.com:8080", HOSTNAME),
        ("routing.hosts[0].routes[2].rewrite.authority", "*.x", HOSTNAME),
        ("routing.hosts[0].routes[3].rewrite.uri", "/",
         "Gateway API replaces a matched prefix only on a rule with exactly one path-prefix "
         "match; write one route per match"),
    ]


def test_retries_refused_on_the_standard_channel_and_beyond_codes() -> None:
    retries = {"name": "a", "to": [{"backend": "api"}], "retries": {"attempts": 2}}
    assert _refused([retries]) == [(
        f"{R0}.retries", {"attempts": 2},
        "HTTPRoute's retry is in the experimental channel of Gateway API v1.6.1 only; set "
        "gatewayApi.channel: experimental (experimental CRDs installed), or remove retries for "
        "the implementation's default")]
    reset = {**retries, "retries": {"attempts": 2, "retryOn": "reset", "perTryTimeout": "1s"}}
    assert _refused([reset], experimental=True) == [(
        f"{R0}.retries", {"attempts": 2, "perTryTimeout": "1s", "retryOn": "reset"},
        "Gateway API retries connection failures and listed status codes only (not resets or "
        "per-try timeouts, which 'reset', '5xx' and 'gateway-error' include); write retryOn "
        "as status codes (e.g. '502,503,504'), or remove it")]
    # The implementation renders them itself: not refused, and not on the rule.
    rule = _rule(reset, experimental=True, extensions=["routePatches"])
    assert rule == {"name": "a", "backendRefs": [{"name": "api", "namespace": "shop",
                                                  "port": 8080}]}
    assert _rule(retries, extensions=["routePatches"]) == rule


def test_what_no_route_says_is_refused() -> None:
    assert _refused([
        {"name": "a", "to": [{"backend": "api"}],
         "fault": {"abort": {"httpStatus": 503, "percent": 10}}},
        {"name": "b", "directResponse": {"status": 200}},
        {"name": "c", "match": [{"uri": {"prefix": "/c/"}}],
         "delegate": {"name": "c", "namespace": "c"}},
        {"name": "d", "to": [{"backend": "api"}, {"backend": "grpc"}]},
    ]) == [
        (f"{R0}.fault", {"abort": {"percent": 10.0, "httpStatus": 503}},
         "Gateway API has no fault injection, and Istio applies no VirtualService to a Gateway "
         "API gateway's routes; test resilience on a stack with api: istio, or remove fault"),
        ("routing.hosts[0].routes[1].directResponse", {"status": 200, "body": None},
         "Gateway API has no direct response; route to a small backend that answers it, or "
         "keep api: istio"),
        ("routing.hosts[0].routes[2].delegate", {"name": "c", "namespace": "c"},
         "Gateway API has no VirtualService delegation; the owning team attaches an HTTPRoute "
         "of its own to the Gateway (list its namespace in the listener's allowedRoutes), or "
         "keep api: istio"),
        ("routing.hosts[0].routes[3].to", ["api", "grpc"],
         "splits between gRPC and HTTP backends; a Gateway API rule is either an HTTPRoute or "
         "a GRPCRoute rule"),
    ]


def test_grpc_refusals() -> None:
    grpc = "a GRPCRoute matches no {} (gRPC calls are POSTs routed by service and method); " \
           "remove it or route this backend as HTTP"
    assert _refused([
        {"name": "g", "to": [{"backend": "grpc"}], "retries": {"attempts": 1},
         "cors": {"allowOrigins": [{"exact": "*"}]}, "rewrite": {"uri": "/x"},
         "match": [{"uri": {"prefix": "/a/b/"}},
                   {"uri": {"regex": ".*"}, "method": {"exact": "POST"},
                    "queryParams": {"a": {"exact": "1"}}, "port": 80},
                   {"uri": {"prefix": "/shop.Orders/"}, "ignoreUriCase": True}]},
        {"name": "h", "to": [{"backend": "grpc"}], "timeout": "1s"},
    ]) == [
        (f"{R0}.match[0].uri", {"prefix": "/a/b/"},
         "a GRPCRoute matches a gRPC service and method: write the path as prefix "
         "'/package.Service/' or exact '/package.Service/Method'"),
        (f"{R0}.match[1].uri", {"regex": ".*"},
         "a GRPCRoute matches a gRPC service and method: write the path as prefix "
         "'/package.Service/' or exact '/package.Service/Method'"),
        (f"{R0}.match[1].method", {"exact": "POST"}, grpc.format("method")),
        (f"{R0}.match[1].queryParams", {"a": {"exact": "1"}}, grpc.format("queryParams")),
        (f"{R0}.match[1].port", 80, grpc.format("port")),
        (f"{R0}.match[2].uri", {"prefix": "/shop.Orders/"},
         "a GRPCRoute matches a gRPC service and method: write the path as prefix "
         "'/package.Service/' or exact '/package.Service/Method'"),
        (f"{R0}.rewrite", "set",
         "a GRPCRoute has no rewrite; remove it, or route this backend as HTTP (protocol: HTTP)"),
        (f"{R0}.cors", "set",
         "a GRPCRoute has no cors; remove it, or route this backend as HTTP (protocol: HTTP)"),
        (f"{R0}.retries", "set", "a GRPCRoute has no timeouts or retries in Gateway API "
         "v1.6.1; remove them or keep api: istio"),
        ("routing.hosts[0].routes[1].timeout", "set", "a GRPCRoute has no timeouts or retries "
         "in Gateway API v1.6.1; remove them or keep api: istio"),
    ]


# ------------------------------------------------------------------ what each field becomes


def test_path_and_header_matches() -> None:
    assert _rule({"name": "p", "to": [{"backend": "api"}], "match": [
        {"uri": {"exact": "/A.b"}, "ignoreUriCase": True},
        {"uri": {"prefix": "/D.c/"}, "ignoreUriCase": True},
        {"uri": {"regex": "/x|/y"}, "ignoreUriCase": True},
        {"uri": {"regex": "^/r$"}},
        {"uri": {"exact": "/e"}},
        {"headers": {"x": {"regex": "a+"}}},
        {"uri": {"regex": "no-slash"}},
    ]}) == {"name": "p", "matches": [
        {"path": {"type": "RegularExpression", "value": r"(?i)/A\.b"}},
        {"path": {"type": "RegularExpression", "value": r"(?i)/D\.c/.*"}},
        {"path": {"type": "RegularExpression", "value": "(?i)(?:/x|/y)"}},
        {"path": {"type": "RegularExpression", "value": "^/r$"}},
        {"path": {"type": "Exact", "value": "/e"}},
        {"headers": [{"name": "x", "type": "RegularExpression", "value": "a+"}]},
        {"path": {"type": "RegularExpression", "value": "no-slash"}},
    ], "backendRefs": [API]}


def test_header_cors_and_mirror_filters_in_order() -> None:
    assert _rule({
        "name": "f", "to": [{"backend": "api"}],
        "headers": {"request": {"set": {"b": "2", "a": "1"}, "add": {"d": "4", "c": "3"},
                                "remove": ["y", "x"]},
                    "response": {"set": {"e": "5"}}},
        "cors": {"allowOrigins": [{"exact": "https://a.example.com"}, {"exact": "*"},
                                  {"exact": "http://*.b.example.com:8080"}],
                 "allowMethods": ["get", "*"], "allowHeaders": ["*", "x-a"],
                 "exposeHeaders": ["x-b"], "maxAge": "1500ms", "allowCredentials": False},
        "mirror": {"backend": "web", "subset": "v1", "percent": 25},
    }) == {"name": "f", "filters": [
        {"type": "RequestHeaderModifier", "requestHeaderModifier": {
            "set": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}],
            "add": [{"name": "c", "value": "3"}, {"name": "d", "value": "4"}],
            "remove": ["y", "x"]}},
        {"type": "ResponseHeaderModifier",
         "responseHeaderModifier": {"set": [{"name": "e", "value": "5"}]}},
        {"type": "CORS", "cors": {
            "allowOrigins": ["https://a.example.com", "*", "http://*.b.example.com:8080"],
            "allowMethods": ["GET", "*"], "allowHeaders": ["*", "x-a"],
            "exposeHeaders": ["x-b"], "maxAge": 2, "allowCredentials": False}},
        {"type": "RequestMirror",
         "requestMirror": {"backendRef": {"name": "web-v1", "port": 80}, "percent": 25}},
    ], "backendRefs": [API]}


def test_response_headers_alone_and_empty_cors() -> None:
    assert _rule({"name": "f", "to": [{"backend": "api"}],
                  "headers": {"response": {"add": {"x": "1"}, "remove": ["y"]}},
                  "cors": {"allowOrigins": [{"exact": "*"}], "maxAge": "1ms"}})["filters"] == [
        {"type": "ResponseHeaderModifier", "responseHeaderModifier": {
            "add": [{"name": "x", "value": "1"}], "remove": ["y"]}},
        {"type": "CORS", "cors": {"allowOrigins": ["*"], "maxAge": 1}},
    ]


def test_mirror_percentages() -> None:
    frac = _rule({"name": "m", "to": [{"backend": "api"}],
                  "mirror": {"backend": "api", "percent": 12.5}})
    assert frac["filters"] == [{"type": "RequestMirror", "requestMirror": {
        "backendRef": API, "fraction": {"numerator": 125000, "denominator": 1000000}}}]
    full = _rule({"name": "m", "to": [{"backend": "api"}], "mirror": {"backend": "api"}})
    assert full["filters"] == [{"type": "RequestMirror", "requestMirror": {"backendRef": API}}]


def test_redirects() -> None:
    assert _rule({"name": "r", "match": [{"uri": {"prefix": "/old/"}}],
                  "redirect": {"scheme": "https", "authority": "new.example.com", "uri": "/new",
                               "port": 8443, "redirectCode": 308}}) == {
        "name": "r", "matches": [{"path": {"type": "PathPrefix", "value": "/old/"}}],
        "filters": [{"type": "RequestRedirect", "requestRedirect": {
            "scheme": "https", "hostname": "new.example.com",
            "path": {"type": "ReplaceFullPath", "replaceFullPath": "/new"}, "port": 8443,
            "statusCode": 308}}]}
    assert _rule({"name": "r", "match": [{"uri": {"exact": "/o"}}],
                  "redirect": {"uri": "/n"}})["filters"] == [
        {"type": "RequestRedirect", "requestRedirect": {
            "path": {"type": "ReplaceFullPath", "replaceFullPath": "/n"}, "statusCode": 301}}]


def test_rewrites_replace_the_prefix_istio_would() -> None:
    # No match: the whole path is the prefix, spelled out for Gateway API.
    assert _rule({"name": "w", "to": [{"backend": "api"}],
                  "rewrite": {"uri": "/v1/", "authority": "api.internal"}}) == {
        "name": "w", "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
        "filters": [{"type": "URLRewrite", "urlRewrite": {
            "hostname": "api.internal",
            "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v1/"}}}],
        "backendRefs": [API]}
    exact = _rule({"name": "w", "match": [{"uri": {"exact": "/a"}}], "to": [{"backend": "api"}],
                   "rewrite": {"uri": "/b"}})
    assert exact["filters"] == [{"type": "URLRewrite", "urlRewrite": {
        "path": {"type": "ReplaceFullPath", "replaceFullPath": "/b"}}}]
    headers = _rule({"name": "w", "match": [{"headers": {"x": {"exact": "1"}}}],
                     "to": [{"backend": "api"}], "rewrite": {"uri": "/b/"}})
    assert headers["matches"] == [{"headers": [{"name": "x", "type": "Exact", "value": "1"}],
                                   "path": {"type": "PathPrefix", "value": "/"}}]
    assert headers["filters"][0]["urlRewrite"]["path"]["type"] == "ReplacePrefixMatch"
    ignore_case = _rule({"name": "w", "match": [{"uri": {"prefix": "/p/"}, "ignoreUriCase": True}],
                         "to": [{"backend": "api"}], "rewrite": {"uri": "/b/"}})
    assert ignore_case["filters"][0]["urlRewrite"]["path"] == {
        "type": "ReplaceFullPath", "replaceFullPath": "/b/"}
    prefix = _rule({"name": "w", "match": [{"uri": {"prefix": "/p/"}}],
                    "to": [{"backend": "api"}], "rewrite": {"authority": "x.internal"}})
    assert prefix["filters"] == [{"type": "URLRewrite", "urlRewrite": {"hostname": "x.internal"}}]
    assert prefix["matches"] == [{"path": {"type": "PathPrefix", "value": "/p/"}}]


def test_native_retries_on_the_experimental_channel() -> None:
    assert _rule({"name": "r", "to": [{"backend": "api"}], "timeout": "1.5s",
                  "retries": {"attempts": 3, "perTryTimeout": "500ms",
                              "retryOn": "connect-failure, 503,502,,retriable-status-codes"}},
                 experimental=True) == {
        "name": "r", "backendRefs": [API],
        "timeouts": {"request": "1s500ms", "backendRequest": "500ms"},
        "retry": {"attempts": 3, "codes": [502, 503]}}
    # Connection failures alone: no codes to list.
    assert _rule({"name": "r", "to": [{"backend": "api"}], "retries": {"attempts": 0}},
                 experimental=True) == {"name": "r", "backendRefs": [API],
                                        "retry": {"attempts": 0}}
    # Without a retry stanza the per-try timeout would replace the request timeout: left out.
    assert _rule({"name": "r", "to": [{"backend": "api"}], "timeout": "2s",
                  "retries": {"attempts": 2, "perTryTimeout": "1s"}},
                 extensions=["routePatches"]) == {"name": "r", "backendRefs": [API],
                                                   "timeouts": {"request": "2s"}}


@pytest.mark.parametrize(("retry_on", "codes"), [
    (None, []),
    ("", []),
    ("connect-failure,refused-stream,unavailable,cancelled", []),
    ("retriable-status-codes", []),
    (" 504 , 400,599,504", [400, 504, 599]),
    ("399", None),
    ("600", None),
    ("reset", None),
    ("5xx", None),
    ("gateway-error", None),
])
def test_retry_codes(retry_on: str | None, codes: list[int] | None) -> None:
    assert retry_codes(retry_on) == codes


def test_grpc_matches() -> None:
    objs = _objects([
        {"name": "all", "match": [{"uri": {"prefix": "/"}}], "to": [{"backend": "grpc"}]},
        {"name": "svc", "match": [{"uri": {"prefix": "/.pkg.Svc/"}},
                                  {"uri": {"exact": "/pkg.Svc/Do_It"}}],
         "to": [{"backend": "grpc"}]},
        {"name": "hdr", "match": [{"headers": {"x-b": {"exact": "b"}, "x-a": {"prefix": "a"}}}],
         "to": [{"backend": "grpc"}], "timeout": "1s", "retries": {"attempts": 1},
         "mirror": {"backend": "grpc", "subset": "b", "percent": 50},
         "headers": {"request": {"set": {"x": "1"}}}},
    ], extensions=["routePatches"])
    assert [o["kind"] for o in objs[:1]] == ["GRPCRoute"]
    assert objs[0]["spec"]["rules"] == [
        {"name": "all", "backendRefs": [{"name": "orders", "namespace": "shop", "port": 9090}]},
        {"name": "svc", "matches": [{"method": {"type": "Exact", "service": ".pkg.Svc"}},
                                    {"method": {"type": "Exact", "service": "pkg.Svc",
                                                "method": "Do_It"}}],
         "backendRefs": [{"name": "orders", "namespace": "shop", "port": 9090}]},
        {"name": "hdr", "matches": [{"headers": [
            {"name": "x-a", "type": "RegularExpression", "value": "a.*"},
            {"name": "x-b", "type": "Exact", "value": "b"}]}],
         "filters": [
             {"type": "RequestHeaderModifier",
              "requestHeaderModifier": {"set": [{"name": "x", "value": "1"}]}},
             {"type": "RequestMirror", "requestMirror": {
                 "backendRef": {"name": "orders-b", "namespace": "shop", "port": 9090},
                 "percent": 50}}],
         "backendRefs": [{"name": "orders", "namespace": "shop", "port": 9090}]},
    ]


@pytest.mark.parametrize("uri", [
    {"prefix": "/pkg.Svc"}, {"prefix": "pkg.Svc/"}, {"prefix": "/pkg.Svc/x/"},
    {"prefix": "/1pkg/"}, {"exact": "/pkg.Svc"}, {"exact": "/pkg.Svc/Do/It"},
    {"exact": "pkg.Svc/Do"}, {"exact": "/pkg..Svc/Do"}, {"exact": "/pkg.Svc/1Do"},
    {"exact": "/pkg.Svc/Do-it"}, {"exact": "/pkg.Svc/"},
])
def test_grpc_paths_that_name_no_service_or_method(uri: dict[str, str]) -> None:
    assert [p[0] for p in _refused([{"name": "g", "match": [{"uri": uri}],
                                     "to": [{"backend": "grpc"}]}])] == [f"{R0}.match[0].uri"]


def test_a_mirror_to_grpc_alone_makes_a_grpc_rule() -> None:
    objs = _objects([{"name": "m", "to": [{"backend": "grpc"}],
                      "mirror": {"backend": "grpc"}}])
    assert objs[0]["kind"] == "GRPCRoute"
    mixed = _objects([{"name": "m", "to": [{"backend": "api"}], "mirror": {"backend": "grpc"}}])
    assert mixed[0]["kind"] == "HTTPRoute"


def test_names_nothing_renders_no_reference() -> None:
    # A backend or subset that does not exist: the config rules report it with its path.
    routing = Routing.model_validate({"backends": BACKENDS, "hosts": [{"host": HOST, "routes": [
        {"name": "a", "to": [{"backend": "nope"}, {"backend": "web", "subset": "v9"},
                             {"backend": "api"}],
         "mirror": {"backend": "nope"}},
        {"name": "b", "to": [{"backend": "api"}], "mirror": {"backend": "web", "subset": "v9"}},
    ]}]})
    rules = route_objects(routing, LISTENERS, PARENT, stack="shop")[0]["spec"]["rules"]
    assert rules == [{"name": "a", "backendRefs": [API]}, {"name": "b", "backendRefs": [API]}]


# ------------------------------------------------------------------ routes and their parents


def test_listener_sections() -> None:
    one, many, star = _listeners(
        {"name": "a", "port": 80, "protocol": "HTTP", "hosts": ["*"]},
        {"name": "b", "port": 80, "protocol": "HTTP", "hosts": ["*", "*.example.com", HOST]},
        {"name": "c", "port": 80, "protocol": "HTTP", "hosts": [HOST]})
    assert listener_sections(one) == [(None, "a")]
    assert listener_sections(star, "web") == [(HOST, "web")]
    assert listener_sections(many, "") == [(None, "b-wildcard"),
                                           ("*.example.com", "b-wildcard-example-com"),
                                           (HOST, "b-shop-example-com")]
    assert ParentRef("gw", "edge", {"c": "web"}).base(star) == "web"
    assert ParentRef("gw", "edge").base(star) == "c"


def test_rules_past_sixteen_spread_over_routes() -> None:
    routes = [{"name": f"r{i}", "match": [{"uri": {"exact": f"/{i}"}}],
               "to": [{"backend": "api"}]} for i in range(33)]
    objs = _objects(routes)
    assert [(o["metadata"]["name"], [r["name"] for r in o["spec"]["rules"]])
            for o in objs[:3]] == [
        ("shop-shop-example-com", [f"r{i}" for i in range(16)]),
        ("shop-shop-example-com-2", [f"r{i}" for i in range(16, 32)]),
        ("shop-shop-example-com-3", ["r32"]),
    ]
    assert [o["metadata"]["name"] for o in _objects(routes[:16])[:2]] == [
        "shop-shop-example-com", "shop-http-https-redirect"]


def test_a_host_no_listener_serves_attaches_to_the_whole_gateway() -> None:
    listeners = _listeners({"name": "a", "port": 80, "protocol": "HTTP",
                            "hosts": ["other.example.com"]})
    route = _objects([{"name": "a", "to": [{"backend": "api"}]}], listeners=listeners)[0]
    assert route["spec"]["parentRefs"] == [_parent()]


def test_a_wildcard_host_has_no_hostnames_and_a_redirect_listener_of_any_host() -> None:
    listeners = _listeners(
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["*"], "httpsRedirect": True},
        {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": ["*"],
         "tls": {"certificate": "c"}})
    routing = _routing([{"host": "*", "routes": [{"name": "a", "to": [{"backend": "api"}]}]}])
    route, redirect = route_objects(routing, listeners, PARENT, stack="shop")[:2]
    assert route["metadata"]["name"] == "shop-wildcard"
    assert route["spec"] == {"parentRefs": [_parent("web")],
                             "rules": [{"name": "a", "backendRefs": [API]}]}
    assert redirect["spec"]["parentRefs"] == [_parent("http")]
    assert "hostnames" not in redirect["spec"]


def test_redirect_routes_name_at_most_sixteen_hosts() -> None:
    hosts = [f"h{i}.example.com" for i in range(18)]
    listeners = _listeners(
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": hosts, "httpsRedirect": True},
        {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": hosts,
         "tls": {"certificate": "c"}})
    redirect = route_objects(Routing(), listeners, PARENT, stack="shop")[0]
    assert redirect["spec"]["hostnames"] == hosts[:16]
    assert len(redirect["spec"]["parentRefs"]) == 18


def test_the_redirecting_listeners_can_be_named() -> None:
    routing = _routing([{"host": HOST, "routes": [{"name": "a", "to": [{"backend": "api"}]}]}])
    objs = route_objects(routing, LISTENERS, PARENT, stack="shop", redirecting=["alt"])
    assert [o["kind"] for o in objs[:3]] == ["HTTPRoute", "HTTPRoute", "ReferenceGrant"]
    assert objs[0]["spec"]["parentRefs"] == [_parent("http-shop-example-com"),
                                             _parent("web-shop-example-com")]
    assert objs[1]["metadata"]["name"] == "shop-alt-https-redirect"
    assert objs[1]["spec"]["parentRefs"] == [_parent("alt")]
    objs = route_objects(routing, LISTENERS, PARENT, stack="shop", redirecting=())
    assert len(objs[0]["spec"]["parentRefs"]) == 3
    assert objs[1]["kind"] == "ReferenceGrant"


def test_more_than_32_listeners_for_a_host_are_refused() -> None:
    listeners = _listeners(*({"name": f"l{i}", "port": 8000 + i, "protocol": "HTTP",
                              "hosts": [HOST]} for i in range(33)))
    with pytest.raises(ConfigError) as err:
        _objects([{"name": "a", "to": [{"backend": "api"}]}], listeners=listeners)
    assert [(p.path, p.value, p.message) for p in err.value.problems] == [(
        "routing.hosts[0].host", HOST,
        "is served by 33 listeners, more than a route's 32 parentRefs")]
    assert len(_objects([{"name": "a", "to": [{"backend": "api"}]}],
                        listeners=listeners[:32])[0]["spec"]["parentRefs"]) == 32


def test_tls_routes() -> None:
    routing = _routing([{"host": "db.example.com", "tlsRoutes": [
        {"name": "any", "sniHosts": ["*"], "to": [{"backend": "db", "weight": 100}]},
        {"name": "two", "sniHosts": ["db.example.com", "*"], "to": [{"backend": "db"}]}]}])
    first, second = route_objects(routing, LISTENERS, PARENT, stack="shop")[:2]
    assert first["spec"] == {"parentRefs": [_parent("tls")], "hostnames": ["db.example.com"],
                             "rules": [{"name": "any", "backendRefs": [
                                 {"name": "db", "namespace": "data", "port": 5432,
                                  "weight": 100}]}]}
    assert second["spec"]["hostnames"] == ["db.example.com"]


def test_inherited_wildcard_routes_render_and_keep_their_own_paths() -> None:
    routing = _routing([
        {"host": "*.example.org", "routes": [{"name": "w", "to": [{"backend": "api"}]}]},
        {"host": "a.example.org", "inheritWildcardRoutes": True,
         "routes": [{"name": "a", "match": [{"uri": {"prefix": "/a"}}],
                     "to": [{"backend": "api"}]}]},
    ])
    objs = route_objects(routing, LISTENERS, PARENT, stack="shop")
    assert [(o["metadata"]["name"], [r["name"] for r in o["spec"]["rules"]])
            for o in objs[:2]] == [("shop-wildcard-example-org", ["w"]),
                                   ("shop-a-example-org", ["a", "w"])]
    pseudo = {"name": "w", "to": [{"backend": "api"}],
              "match": [{"headers": {":path": {"exact": "/"}}}]}
    routing = _routing([
        {"host": "*.example.org", "routes": [pseudo]},
        {"host": "a.example.org", "inheritWildcardRoutes": True,
         "routes": [{"name": "a", "to": [{"backend": "api"}]}]},
    ])
    with pytest.raises(ConfigError) as err:
        route_objects(routing, LISTENERS, PARENT, stack="shop")
    assert [p.path for p in err.value.problems] == [
        "routing.hosts[0].routes[0].match[0].headers.:path"] * 2


def test_tls_routes_attach_to_the_tls_listeners_of_their_host() -> None:
    listeners = _listeners(
        {"name": "db", "port": 9443, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}},
        {"name": "mq", "port": 9444, "protocol": "TLS", "hosts": ["mq.example.com"],
         "tls": {"mode": "PASSTHROUGH"}})
    routing = _routing([{"host": "mq.example.com", "tlsRoutes": [
        {"name": "mq", "sniHosts": ["mq.example.com"], "to": [{"backend": "db"}]}]}])
    route = route_objects(routing, listeners, PARENT, stack="shop")[0]
    assert route["spec"]["parentRefs"] == [_parent("mq")]


def test_a_route_that_cannot_render_is_not_looked_into() -> None:
    port = [{"port": 80}]
    problems = _refused([
        {"name": "a", "match": port, "directResponse": {"status": 200}},
        {"name": "b", "match": [{"port": 80, "uri": {"prefix": "/b"}}],
         "delegate": {"name": "b", "namespace": "b"}},
        {"name": "c", "match": port, "to": [{"backend": "api"}, {"backend": "grpc"}]},
    ])
    assert [p[0] for p in problems] == [f"{R0}.directResponse",
                                        "routing.hosts[0].routes[1].delegate",
                                        "routing.hosts[0].routes[2].to"]


def test_grpc_headers_are_tokens_too() -> None:
    assert _refused([{
        "name": "g", "to": [{"backend": "grpc"}],
        "match": [{"headers": {":authority": {"exact": "x"}}}],
        "headers": {"request": {"set": {":path": "/"}}}}]) == [
        (f"{R0}.match[0].headers.:authority", ":authority",
         f"a Gateway API header name is an {TOKEN}"),
        (f"{R0}.headers.request", ":path", HEADER_OPS)]


def test_mirrors_and_tls_routes_reach_other_namespaces_by_grant() -> None:
    routing = _routing(
        [{"host": HOST, "routes": [
            {"name": "h", "to": [{"backend": "local"}], "mirror": {"backend": "db"}},
            {"name": "g", "to": [{"backend": "grpc-local"}], "mirror": {"backend": "grpc-far"}},
        ]}],
        local={"service": "local", "namespace": "edge", "port": 80},
        **{"grpc-local": {"service": "gl", "namespace": "edge", "port": 90, "protocol": "GRPC"},
           "grpc-far": {"service": "gf", "namespace": "far", "port": 90, "protocol": "GRPC"}})
    grants = {o["metadata"]["namespace"]: o["spec"]
              for o in route_objects(routing, LISTENERS, PARENT, stack="shop")
              if o["kind"] == "ReferenceGrant"}
    assert grants == {
        "data": {"from": [{"group": GROUP, "kind": "HTTPRoute", "namespace": "edge"}],
                 "to": [_svc_ref("db")]},
        "far": {"from": [{"group": GROUP, "kind": "GRPCRoute", "namespace": "edge"}],
                "to": [_svc_ref("gf")]},
    }


def test_a_grpc_route_mirrored_to_http_is_an_http_rule() -> None:
    objs = _objects([{"name": "m", "to": [{"backend": "grpc"}], "mirror": {"backend": "api"}}])
    assert objs[0]["kind"] == "HTTPRoute"


def test_redirect_routes_use_the_mapped_section_names() -> None:
    listeners = _listeners(
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["*", HOST],
         "httpsRedirect": True},
        {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": ["*"],
         "tls": {"certificate": "c"}})
    parent = ParentRef("gw", "edge", {"http": "plain"})
    redirect = route_objects(Routing(), listeners, parent, stack="shop")[0]
    assert redirect["spec"] == {
        "parentRefs": [_parent("plain-wildcard"), _parent("plain-shop-example-com")],
        "rules": [{"name": "https-redirect", "filters": [{
            "type": "RequestRedirect",
            "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]}


# ------------------------------------------------------------------ the routes' companions

POLICY = ("Gateway API v1.6.1 has no such backend policy for this implementation; remove it, or "
          "use the Istio gateway (api: istio, or gatewayApi on a gateway topology, where "
          "DestinationRules carry it)")
PRIVATE_CA = ("a BackendTLSPolicy trusts CA certificates from ConfigMaps (caCertificateRefs) or "
              "the system's, never a Secret, so this private CA would be dropped and the "
              "backend's certificate refused; remove it when a public CA signs the backend's "
              "certificate, or use the Istio gateway, whose DestinationRule reads it "
              "(EDGE-API-TLS-DR)")
SUBSET_NAME = ("the subset's Service name (<service>-<subset>) must be a DNS-1035 label of at "
               "most 63 characters; shorten the subset's name")


def test_what_a_backend_cannot_carry_is_refused_under_its_own_name() -> None:
    long_service, long_subset = "b" * 40, "s" * 30
    routing = Routing.model_validate({"backends": {
        "lb": {"service": "lb", "namespace": "edge", "port": 80, "trafficPolicy": {
            "loadBalancer": {"simple": "RANDOM"}, "connectionPool": {"tcp": {"maxConnections": 1}},
            "outlierDetection": {}, "tls": {"mode": "ISTIO_MUTUAL"}}},
        "ca": {"service": "ca", "namespace": "edge", "port": 443,
               "trafficPolicy": {"tls": {"mode": "SIMPLE", "credentialName": "ca-secret"}}},
        "ca2": {"service": "ca2", "namespace": "edge", "port": 443,
                "trafficPolicy": {"tls": {"mode": "SIMPLE", "credentialName": "ca2-secret"}}},
        "lbonly": {"service": "lbonly", "namespace": "edge", "port": 80,
                   "trafficPolicy": {"loadBalancer": {"simple": "RANDOM"}}},
        "wide": {"service": "w" * 60, "namespace": "edge", "port": 80, "selector": {"a": "b"},
                 "subsets": {"v12": {"v": "12"}}},
        "big": {"service": long_service, "namespace": "edge", "port": 80,
                "selector": {"a": "b"}, "subsets": {long_subset: {"v": "1"}}},
        "num": {"service": "1num", "namespace": "edge", "port": 80, "selector": {"a": "b"},
                "subsets": {"v1": {"v": "1"}}},
        "nosel": {"service": "nosel", "namespace": "edge", "port": 80,
                  "subsets": {"s": {"v": "1"}, "t": {"v": "2"}}},
    }, "hosts": [{"host": HOST, "routes": [{"name": "a", "to": [
        {"backend": "lb"}, {"backend": "ca"}, {"backend": "big", "subset": long_subset},
        {"backend": "num", "subset": "v1"}, {"backend": "nosel", "subset": "s"},
        {"backend": "nosel", "subset": "t"}, {"backend": "wide", "subset": "v12"}]}]}]})
    with pytest.raises(ConfigError) as err:
        route_objects(routing, LISTENERS, PARENT, stack="shop")
    assert [(p.path, p.value, p.message) for p in err.value.problems] == [
        ("routing.backends.nosel.selector", {},
         "Gateway API has no subsets: each subset a route names becomes a Service of its own, "
         "selecting the backend's pods plus the subset's labels; set selector to the labels "
         "nosel's own selector picks its pods by"),
        (f"routing.backends.big.subsets.{long_subset}", f"{long_service}-{long_subset}",
         SUBSET_NAME),
        ("routing.backends.num.subsets.v1", "1num-v1", SUBSET_NAME),
        ("routing.backends.wide.subsets.v12", f"{'w' * 60}-v12", SUBSET_NAME),
        ("routing.backends.ca.trafficPolicy.tls.credentialName", "ca-secret", PRIVATE_CA),
        ("routing.backends.ca2.trafficPolicy.tls.credentialName", "ca2-secret", PRIVATE_CA),
        ("routing.backends.lb.trafficPolicy.connectionPool", "set", POLICY),
        ("routing.backends.lb.trafficPolicy.loadBalancer", "set", POLICY),
        ("routing.backends.lb.trafficPolicy.outlierDetection", "set", POLICY),
        ("routing.backends.lb.trafficPolicy.tls", "set", POLICY),
        ("routing.backends.lbonly.trafficPolicy.loadBalancer", "set", POLICY),
    ]
    # The implementation carries traffic policies itself: nothing of them is refused here.
    with pytest.raises(ConfigError) as err:
        route_objects(routing, LISTENERS, PARENT, stack="shop", extensions=["trafficPolicy"])
    assert [p.path for p in err.value.problems] == [
        "routing.backends.nosel.selector", f"routing.backends.big.subsets.{long_subset}",
        "routing.backends.num.subsets.v1", "routing.backends.wide.subsets.v12"]


def test_a_63_character_subset_service_is_fine() -> None:
    service = "b" * 60
    routing = Routing.model_validate({"backends": {"b": {
        "service": service, "namespace": "edge", "port": 80, "selector": {"a": "b"},
        "subsets": {"v1": {"v": "1"}}}}, "hosts": [{"host": HOST, "routes": [
            {"name": "a", "to": [{"backend": "b", "subset": "v1"}]}]}]})
    names = [o["metadata"]["name"] for o in route_objects(routing, LISTENERS, PARENT,
                                                          stack="shop")]
    assert f"{service}-v1" in names


def test_backend_tls_policies_target_the_backend_and_its_subset_services() -> None:
    routing = Routing.model_validate({"backends": {
        "web": {"service": "web", "namespace": "edge", "port": 443, "selector": {"app": "web"},
                "subsets": {f"v{i}": {"version": f"v{i}"} for i in range(17)},
                "trafficPolicy": {"tls": {"mode": "SIMPLE"}}},
        "plain": {"service": "plain", "namespace": "edge", "port": 80},
    }, "hosts": [{"host": HOST, "routes": [
        {"name": "a", "to": [{"backend": "web", "subset": f"v{i}"} for i in range(17)]}]}]})
    policies = [o for o in route_objects(routing, LISTENERS, PARENT, stack="shop")
                if o["kind"] == "BackendTLSPolicy"]
    subsets = [_svc_ref(f"web-v{i}") for i in sorted(range(17), key=str)]
    assert policies == [{
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicy",
        "metadata": _meta("shop-web"),
        "spec": {"targetRefs": [_svc_ref("web"), *subsets[:15]],
                 "validation": {"hostname": "web.edge.svc.cluster.local",
                                "wellKnownCACertificates": "System"}}}]
    assert not [o for o in route_objects(routing, LISTENERS, PARENT, stack="shop",
                                         extensions=["trafficPolicy"])
                if o["kind"] == "BackendTLSPolicy"]


def test_used_services() -> None:
    routing = _routing([])
    assert used_services(routing, [("web", "v2"), ("api", "x"), ("web", "v1")]) == {
        "web": ["web", "web-v1", "web-v2"], "api": ["api", "api-x"], "grpc": ["orders"],
        "db": ["db"], "tlsb": ["secure"], "tlsc": ["secure2"]}


def test_reference_grants_name_at_most_sixteen_services() -> None:
    backends = {f"b{i}": {"service": f"s{i}", "namespace": "far", "port": 80}
                for i in range(17)}
    routing = Routing.model_validate({"backends": backends, "hosts": [{"host": HOST, "routes": [
        {"name": "a", "to": [{"backend": f"b{i}"} for i in range(17)]}]}]})
    grant = route_objects(routing, LISTENERS, PARENT, stack="shop")[-1]
    assert grant["kind"] == "ReferenceGrant"
    assert grant["spec"]["to"] == [{"group": "", "kind": "Service"}]
    routing = Routing.model_validate({"backends": backends, "hosts": [{"host": HOST, "routes": [
        {"name": "a", "to": [{"backend": f"b{i}"} for i in range(16)]}]}]})
    grant = route_objects(routing, LISTENERS, PARENT, stack="shop")[-1]
    assert grant["spec"]["to"] == [_svc_ref(f"s{i}") for i in sorted(range(16), key=str)]
