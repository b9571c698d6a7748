"""manifests/gateway_api/view.py: Gateway API objects read back as the classic API's shapes
(for the traffic picture)."""

from __future__ import annotations

from typing import Any

from ingresslib.manifests.gateway_api.view import classic_view

GW = "gateway.networking.k8s.io/v1"


def route(
    kind: str,
    name: str,
    ns: str | None,
    parents: list[dict[str, Any]],
    rules: list[dict[str, Any]],
    *,
    hostnames: list[str] | None = None,
    api: str = GW,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"parentRefs": parents, "rules": rules}
    if hostnames is not None:
        spec["hostnames"] = hostnames
    meta = {"name": name}
    if ns:
        meta["namespace"] = ns
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec}


# Istio Gateways bound to the Service `gw` (by its address), with an address that names no
# host, without one; another implementation's Gateway and Gateways of another API group or
# none (not read). Routes of every kind, routes on no Istio Gateway (left out), routes that only
# redirect to HTTPS (read as their listeners' httpsRedirect, the whole Gateway's for a route
# without a section, and not drawn) after routes that fail each test of one; a subset Service
# (read as its backend's subset) and a Service of another API version (not read).
OBJS = [
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "gw", "namespace": "edge"},
        "spec": {"selector": {"istio": "edge"}},
    },
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "web-v1",
            "namespace": "shop",
            "labels": {"ingresslib.io/subset-of": "web"},
        },
        "spec": {},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "Service",
        "metadata": {
            "name": "web-v2",
            "namespace": "shop",
            "labels": {"ingresslib.io/subset-of": "web"},
        },
        "spec": {},
    },
    {
        "apiVersion": GW,
        "kind": "Gateway",
        "metadata": {"name": "shop", "namespace": "edge"},
        "spec": {
            "gatewayClassName": "istio",
            "addresses": [
                {"type": "IPAddress", "value": "10.0.0.1"},
                {"type": "Hostname", "value": "gw.edge.svc.cluster.local"},
            ],
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP", "hostname": "a.example.com"},
                {"name": "http2", "port": 81, "protocol": "HTTP"},
                {"name": "plain", "port": 8080, "protocol": "HTTP"},
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": "a.example.com",
                    "tls": {
                        "mode": "Terminate",
                        "certificateRefs": [{"name": "a-tls"}, {"name": "b-tls"}],
                    },
                },
                {
                    "name": "mtls",
                    "port": 8443,
                    "protocol": "HTTPS",
                    "tls": {
                        "mode": "Terminate",
                        "options": {"gateway.istio.io/tls-terminate-mode": "MUTUAL"},
                    },
                },
                {
                    "name": "pass",
                    "port": 9443,
                    "protocol": "TLS",
                    "hostname": "db.example.com",
                    "tls": {"mode": "Passthrough"},
                },
            ],
        },
    },
    {
        "apiVersion": GW,
        "kind": "Gateway",
        "metadata": {"name": "bare"},
        "spec": {"gatewayClassName": "istio", "addresses": [{"type": "Hostname"}]},
    },
    {
        "apiVersion": GW,
        "kind": "Gateway",
        "metadata": {"name": "whole"},
        "spec": {
            "gatewayClassName": "istio",
            "listeners": [
                {"name": "web", "port": 80, "protocol": "HTTP"},
                {"name": "webs", "port": 443, "protocol": "HTTPS", "tls": {"mode": "Terminate"}},
            ],
        },
    },
    {
        "kind": "Gateway",
        "metadata": {"name": "no-api", "namespace": "edge"},
        "spec": {"gatewayClassName": "istio"},
    },
    {
        "apiVersion": GW,
        "kind": "Gateway",
        "metadata": {"name": "agc", "namespace": "edge"},
        "spec": {"gatewayClassName": "azure-alb-external", "listeners": []},
    },
    {
        "apiVersion": "v1",
        "kind": "Gateway",
        "metadata": {"name": "fake", "namespace": "edge"},
        "spec": {"gatewayClassName": "istio"},
    },
    route(
        "HTTPRoute",
        "api",
        "edge",
        [
            {"name": "shop", "sectionName": "https"},
            {"name": "shop", "namespace": "edge", "sectionName": "plain"},
            {"name": "other", "namespace": "x"},
        ],
        [
            {
                "name": "api",
                "matches": [
                    {
                        "path": {"type": "PathPrefix", "value": "/api"},
                        "method": "GET",
                        "headers": [
                            {"name": "x-a", "value": "1"},
                            {"name": "x-b", "type": "RegularExpression", "value": "b.*"},
                        ],
                        "queryParams": [{"name": "q", "type": "Exact", "value": "1"}],
                    },
                    {"path": {"type": "Exact", "value": "/e"}},
                    {"path": {"type": "RegularExpression", "value": "/r.*"}},
                    {"path": {}},
                    {"path": {"value": "/untyped"}},
                    {"path": {"type": "PathPrefix"}},
                ],
                "backendRefs": [
                    {"name": "web-v1", "namespace": "shop", "port": 80, "weight": 90},
                    {"name": "web", "namespace": "shop", "port": 80, "weight": 10},
                    {"name": "web-v2", "namespace": "shop", "weight": 0},
                ],
            },
            {
                "matches": [{}],
                "backendRefs": [{"name": "local"}],
                "filters": [
                    {
                        "type": "RequestRedirect",
                        "requestRedirect": {
                            "hostname": "b.example.com",
                            "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/new"},
                        },
                    },
                    {
                        "type": "RequestMirror",
                        "requestMirror": {
                            "backendRef": {"name": "web-v1", "namespace": "shop"},
                            "fraction": {"numerator": 2},
                        },
                    },
                    {"type": "URLRewrite", "urlRewrite": {}},
                ],
            },
            {
                "filters": [
                    {
                        "type": "RequestRedirect",
                        "requestRedirect": {
                            "scheme": "https",
                            "path": {"type": "ReplaceFullPath", "replaceFullPath": "/full"},
                            "statusCode": 308,
                        },
                    },
                    {
                        "type": "RequestMirror",
                        "requestMirror": {"backendRef": {"name": "m"}, "percent": 5},
                    },
                ]
            },
            {
                "filters": [
                    {"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "m"}}},
                    {
                        "type": "RequestMirror",
                        "requestMirror": {
                            "backendRef": {"name": "m"},
                            "fraction": {"numerator": 3, "denominator": 4},
                        },
                    },
                ]
            },
            {
                "filters": [
                    {"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "m"}}}
                ]
            },
        ],
        hostnames=["a.example.com"],
    ),
    route(
        "GRPCRoute",
        "g",
        None,
        [{"name": "shop", "namespace": "edge"}],
        [
            {
                "matches": [
                    {"method": {"service": "pkg.S", "method": "Get"}},
                    {"method": {"service": "pkg.S"}},
                    {"method": {"method": "Get"}},
                    {"method": {}},
                ],
                "backendRefs": [{"name": "g", "port": 90}],
            }
        ],
    ),
    route(
        "TLSRoute",
        "db",
        "edge",
        [{"name": "shop", "sectionName": "pass"}],
        [
            {
                "backendRefs": [
                    {"name": "db", "namespace": "data", "port": 5432, "weight": 1},
                    {"name": "db2", "namespace": "data"},
                ]
            },
            {},
        ],
        hostnames=["db.example.com"],
        api="gateway.networking.k8s.io/v1alpha2",
    ),
    route(
        "HTTPRoute",
        "to-http",
        "edge",
        [{"name": "shop", "sectionName": "plain"}],
        [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "http"}}]}],
    ),
    route(
        "HTTPRoute",
        "two",
        "edge",
        [{"name": "shop", "sectionName": "mtls"}],
        [
            {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]},
            {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]},
        ],
    ),
    route("TLSRoute", "any", "edge", [{"name": "shop"}], [{"backendRefs": [{"name": "x"}]}]),
    route("HTTPRoute", "onagc", "edge", [{"name": "agc"}], [{"backendRefs": [{"name": "x"}]}]),
    route(
        "HTTPRoute",
        "notgw",
        "edge",
        [{"name": "shop"}],
        [{"backendRefs": [{"name": "x"}]}],
        api="example.com/v1",
    ),
    route(
        "HTTPRoute",
        "matched-redirect",
        "edge",
        [{"name": "shop", "sectionName": "plain"}],
        [
            {
                "matches": [{"path": {"value": "/m"}}],
                "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}],
            }
        ],
    ),
    route(
        "HTTPRoute",
        "backend-redirect",
        "edge",
        [{"name": "shop", "sectionName": "plain"}],
        [
            {
                "backendRefs": [{"name": "x"}],
                "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}],
            }
        ],
    ),
    route(
        "HTTPRoute",
        "headers-only",
        "edge",
        [{"name": "shop", "sectionName": "plain"}],
        [
            {
                "filters": [
                    {
                        "type": "RequestHeaderModifier",
                        "requestHeaderModifier": {"set": [{"name": "a", "value": "1"}]},
                    }
                ]
            }
        ],
    ),
    route(
        "HTTPRoute",
        "served-on-http",
        "edge",
        [{"name": "shop", "sectionName": "http"}],
        [{"backendRefs": [{"name": "x"}]}],
    ),
    route(
        "HTTPRoute",
        "matched-on-http",
        "edge",
        [{"name": "shop", "sectionName": "http"}],
        [
            {
                "matches": [{"path": {"value": "/h"}}],
                "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}],
            }
        ],
    ),
    route(
        "HTTPRoute",
        "far-redirect",
        "other",
        [{"name": "shop", "namespace": "edge", "sectionName": "http2"}],
        [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]}],
    ),
    route(
        "HTTPRoute",
        "whole-redirect",
        None,
        [{"name": "whole"}],
        [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]}],
    ),
    route(
        "HTTPRoute",
        "redirect",
        "edge",
        [{"name": "shop", "sectionName": "http"}],
        [
            {
                "filters": [
                    {
                        "type": "RequestRedirect",
                        "requestRedirect": {"scheme": "https", "statusCode": 301},
                    }
                ]
            }
        ],
        hostnames=["a.example.com"],
    ),
]

# What the picture draws for them.
EXPECTED = [
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "shop", "namespace": "edge"},
        "spec": {
            "selector": {"istio": "edge"},
            "servers": [
                {
                    "port": {"number": 80, "name": "http", "protocol": "HTTP"},
                    "hosts": ["a.example.com"],
                    "tls": {"httpsRedirect": True},
                },
                {
                    "port": {"number": 81, "name": "http2", "protocol": "HTTP"},
                    "hosts": ["*"],
                    "tls": {"httpsRedirect": True},
                },
                {"port": {"number": 8080, "name": "plain", "protocol": "HTTP"}, "hosts": ["*"]},
                {
                    "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                    "hosts": ["a.example.com"],
                    "tls": {"mode": "SIMPLE", "credentialName": "a-tls"},
                },
                {
                    "port": {"number": 8443, "name": "mtls", "protocol": "HTTPS"},
                    "hosts": ["*"],
                    "tls": {"mode": "MUTUAL"},
                },
                {
                    "port": {"number": 9443, "name": "pass", "protocol": "TLS"},
                    "hosts": ["db.example.com"],
                    "tls": {"mode": "PASSTHROUGH"},
                },
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "bare", "namespace": "default"},
        "spec": {"selector": {}, "servers": []},
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "whole", "namespace": "default"},
        "spec": {
            "selector": {},
            "servers": [
                {
                    "port": {"number": 80, "name": "web", "protocol": "HTTP"},
                    "hosts": ["*"],
                    "tls": {"httpsRedirect": True},
                },
                {
                    "port": {"number": 443, "name": "webs", "protocol": "HTTPS"},
                    "hosts": ["*"],
                    "tls": {"mode": "SIMPLE"},
                },
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-api", "namespace": "edge"},
        "spec": {
            "hosts": ["a.example.com"],
            "gateways": ["edge/shop", "x/other"],
            "http": [
                {
                    "name": "api",
                    "match": [
                        {
                            "uri": {"prefix": "/api"},
                            "method": {"exact": "GET"},
                            "headers": {"x-a": {"exact": "1"}, "x-b": {"regex": "b.*"}},
                            "queryParams": {"q": {"exact": "1"}},
                        },
                        {"uri": {"exact": "/e"}},
                        {"uri": {"regex": "/r.*"}},
                        {},
                        {"uri": {"prefix": "/untyped"}},
                        {"uri": {"prefix": "/"}},
                    ],
                    "route": [
                        {
                            "destination": {
                                "host": "web.shop.svc.cluster.local",
                                "port": {"number": 80},
                                "subset": "v1",
                            },
                            "weight": 90,
                        },
                        {
                            "destination": {
                                "host": "web.shop.svc.cluster.local",
                                "port": {"number": 80},
                            },
                            "weight": 10,
                        },
                        {"destination": {"host": "web-v2.shop.svc.cluster.local"}, "weight": 0},
                    ],
                },
                {
                    "name": "rule-1",
                    "route": [{"destination": {"host": "local.edge.svc.cluster.local"}}],
                    "redirect": {"authority": "b.example.com", "uri": "/new", "redirectCode": 302},
                    "mirror": {"host": "web.shop.svc.cluster.local", "subset": "v1"},
                    "mirrorPercentage": {"value": 2.0},
                },
                {
                    "name": "rule-2",
                    "redirect": {"scheme": "https", "uri": "/full", "redirectCode": 308},
                    "mirror": {"host": "m.edge.svc.cluster.local"},
                    "mirrorPercentage": {"value": 5},
                },
                {
                    "name": "rule-3",
                    "mirror": {"host": "m.edge.svc.cluster.local"},
                    "mirrorPercentage": {"value": 75.0},
                },
                {
                    "name": "rule-4",
                    "mirror": {"host": "m.edge.svc.cluster.local"},
                    "mirrorPercentage": {"value": 100},
                },
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "grpcroute-g", "namespace": "default"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "http": [
                {
                    "name": "rule-0",
                    "match": [
                        {"uri": {"exact": "/pkg.S/Get"}},
                        {"uri": {"prefix": "/pkg.S/"}},
                        {"uri": {"regex": "/[^/]+/Get"}},
                        {},
                    ],
                    "route": [
                        {
                            "destination": {
                                "host": "g.default.svc.cluster.local",
                                "port": {"number": 90},
                            }
                        }
                    ],
                }
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "tlsroute-db", "namespace": "edge"},
        "spec": {
            "hosts": ["db.example.com"],
            "gateways": ["edge/shop"],
            "tls": [
                {
                    "match": [{"sniHosts": ["db.example.com"]}],
                    "route": [
                        {
                            "destination": {
                                "host": "db.data.svc.cluster.local",
                                "port": {"number": 5432},
                            },
                            "weight": 1,
                        },
                        {"destination": {"host": "db2.data.svc.cluster.local"}},
                    ],
                }
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-to-http", "namespace": "edge"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "http": [{"name": "rule-0", "redirect": {"scheme": "http", "redirectCode": 302}}],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-two", "namespace": "edge"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "http": [
                {"name": "rule-0", "redirect": {"scheme": "https", "redirectCode": 302}},
                {"name": "rule-1", "redirect": {"scheme": "https", "redirectCode": 302}},
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "tlsroute-any", "namespace": "edge"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "tls": [
                {
                    "match": [{"sniHosts": ["*"]}],
                    "route": [{"destination": {"host": "x.edge.svc.cluster.local"}}],
                }
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-matched-redirect", "namespace": "edge"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "http": [
                {
                    "name": "rule-0",
                    "match": [{"uri": {"prefix": "/m"}}],
                    "redirect": {"scheme": "https", "redirectCode": 302},
                }
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-backend-redirect", "namespace": "edge"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "http": [
                {
                    "name": "rule-0",
                    "route": [{"destination": {"host": "x.edge.svc.cluster.local"}}],
                    "redirect": {"scheme": "https", "redirectCode": 302},
                }
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-headers-only", "namespace": "edge"},
        "spec": {"hosts": ["*"], "gateways": ["edge/shop"], "http": [{"name": "rule-0"}]},
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-served-on-http", "namespace": "edge"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "http": [
                {"name": "rule-0", "route": [{"destination": {"host": "x.edge.svc.cluster.local"}}]}
            ],
        },
    },
    {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "httproute-matched-on-http", "namespace": "edge"},
        "spec": {
            "hosts": ["*"],
            "gateways": ["edge/shop"],
            "http": [
                {
                    "name": "rule-0",
                    "match": [{"uri": {"prefix": "/h"}}],
                    "redirect": {"scheme": "https", "redirectCode": 302},
                }
            ],
        },
    },
]


def test_classic_view() -> None:
    assert classic_view(OBJS) == EXPECTED


def test_nothing_to_read() -> None:
    assert classic_view([]) == []
    assert classic_view([o for o in OBJS if o["kind"] != "Gateway"]) == []
