"""manifests/virtual_service.py: a host's VirtualService, every field of a route, and the
delegate VirtualService."""

from __future__ import annotations

from ingresslib.config.routing import Routing
from ingresslib.manifests.virtual_service import (
    delegate_virtual_service,
    host_slug,
    http_route,
    virtual_service,
)

# Every field of an http route, redirects, direct responses (with and without a body), a
# delegation, and an SNI route.
R = Routing.model_validate(
    {
        "backends": {
            "web": {
                "service": "web",
                "namespace": "shop",
                "port": 80,
                "subsets": {"v1": {"v": "1"}},
            },
            "api": {"service": "api", "namespace": "shop", "port": 8080},
        },
        "hosts": [
            {
                "host": "shop.example.com",
                "routes": [
                    {
                        "name": "all",
                        "match": [
                            {
                                "uri": {"prefix": "/a"},
                                "method": {"exact": "GET"},
                                "headers": {"b": {"exact": "2"}, "a": {"regex": "1"}},
                                "queryParams": {"z": {"exact": "1"}, "y": {"prefix": "p"}},
                                "port": 8080,
                                "ignoreUriCase": True,
                            },
                            {"uri": {"exact": "/e"}},
                        ],
                        "to": [
                            {"backend": "web", "subset": "v1", "weight": 90},
                            {"backend": "api", "weight": 10},
                        ],
                        "rewrite": {"uri": "/b", "authority": "b.internal"},
                        "timeout": "5s",
                        "retries": {"attempts": 2, "perTryTimeout": "1s", "retryOn": "5xx"},
                        "fault": {
                            "delay": {"fixedDelay": "1s", "percent": 5},
                            "abort": {"httpStatus": 503, "percent": 1},
                        },
                        "cors": {
                            "allowOrigins": [{"exact": "https://a"}, {"prefix": "https://b"}],
                            "allowMethods": ["GET"],
                            "allowHeaders": ["x-a"],
                            "exposeHeaders": ["x-b"],
                            "maxAge": "24h",
                            "allowCredentials": False,
                        },
                        "mirror": {"backend": "web", "subset": "v1", "percent": 12.5},
                        "headers": {
                            "request": {
                                "set": {"b": "2", "a": "1"},
                                "add": {"d": "4", "c": "3"},
                                "remove": ["y", "x"],
                            },
                            "response": {"set": {"e": "5"}},
                        },
                    },
                    {
                        "name": "redir",
                        "match": [{"uri": {"prefix": "/old"}}],
                        "redirect": {
                            "uri": "/new",
                            "authority": "n.example.com",
                            "scheme": "https",
                            "port": 8443,
                            "redirectCode": 308,
                        },
                    },
                    {
                        "name": "direct",
                        "match": [{"uri": {"prefix": "/d"}}],
                        "directResponse": {"status": 503, "body": "down"},
                    },
                    {
                        "name": "direct2",
                        "match": [{"uri": {"prefix": "/e"}}],
                        "directResponse": {"status": 204},
                    },
                    {
                        "name": "deleg",
                        "match": [{"uri": {"prefix": "/t"}}],
                        "delegate": {"name": "team", "namespace": "team"},
                    },
                    {
                        "name": "empty-headers",
                        "to": [{"backend": "api"}],
                        "headers": {"response": {"remove": ["x"]}},
                        "cors": {"allowOrigins": [{"exact": "*"}], "allowCredentials": True},
                        "mirror": {"backend": "api"},
                    },
                ],
                "tlsRoutes": [
                    {
                        "name": "t",
                        "sniHosts": ["a.example.com", "b.example.com"],
                        "to": [{"backend": "api", "weight": 100}],
                    }
                ],
            }
        ],
    }
)

EXPECTED = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "VirtualService",
    "metadata": {
        "name": "vs",
        "namespace": "edge",
        "labels": {"app.kubernetes.io/managed-by": "ingresslib"},
    },
    "spec": {
        "hosts": ["shop.example.com"],
        "gateways": ["edge/gw"],
        "http": [
            {
                "name": "all",
                "match": [
                    {
                        "uri": {"prefix": "/a"},
                        "method": {"exact": "GET"},
                        "headers": {"a": {"regex": "1"}, "b": {"exact": "2"}},
                        "queryParams": {"y": {"prefix": "p"}, "z": {"exact": "1"}},
                        "port": 8080,
                        "ignoreUriCase": True,
                    },
                    {"uri": {"exact": "/e"}},
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
                            "host": "api.shop.svc.cluster.local",
                            "port": {"number": 8080},
                        },
                        "weight": 10,
                    },
                ],
                "rewrite": {"uri": "/b", "authority": "b.internal"},
                "timeout": "5s",
                "retries": {"attempts": 2, "perTryTimeout": "1s", "retryOn": "5xx"},
                "fault": {
                    "delay": {"fixedDelay": "1s", "percentage": {"value": 5.0}},
                    "abort": {"httpStatus": 503, "percentage": {"value": 1.0}},
                },
                "corsPolicy": {
                    "allowOrigins": [{"exact": "https://a"}, {"prefix": "https://b"}],
                    "allowMethods": ["GET"],
                    "allowHeaders": ["x-a"],
                    "exposeHeaders": ["x-b"],
                    "maxAge": "24h",
                    "allowCredentials": False,
                },
                "mirror": {
                    "host": "web.shop.svc.cluster.local",
                    "port": {"number": 80},
                    "subset": "v1",
                },
                "mirrorPercentage": {"value": 12.5},
                "headers": {
                    "request": {
                        "set": {"a": "1", "b": "2"},
                        "add": {"c": "3", "d": "4"},
                        "remove": ["y", "x"],
                    },
                    "response": {"set": {"e": "5"}},
                },
            },
            {
                "name": "redir",
                "match": [{"uri": {"prefix": "/old"}}],
                "redirect": {
                    "uri": "/new",
                    "authority": "n.example.com",
                    "scheme": "https",
                    "port": 8443,
                    "redirectCode": 308,
                },
            },
            {
                "name": "direct",
                "match": [{"uri": {"prefix": "/d"}}],
                "directResponse": {"status": 503, "body": {"string": "down"}},
            },
            {
                "name": "direct2",
                "match": [{"uri": {"prefix": "/e"}}],
                "directResponse": {"status": 204},
            },
            {
                "name": "deleg",
                "match": [{"uri": {"prefix": "/t"}}],
                "delegate": {"name": "team", "namespace": "team"},
            },
            {
                "name": "empty-headers",
                "route": [
                    {
                        "destination": {
                            "host": "api.shop.svc.cluster.local",
                            "port": {"number": 8080},
                        }
                    }
                ],
                "corsPolicy": {"allowOrigins": [{"exact": "*"}], "allowCredentials": True},
                "mirror": {"host": "api.shop.svc.cluster.local", "port": {"number": 8080}},
                "mirrorPercentage": {"value": 100},
                "headers": {"response": {"remove": ["x"]}},
            },
        ],
        "tls": [
            {
                "match": [{"port": 9443, "sniHosts": ["a.example.com", "b.example.com"]}],
                "route": [
                    {
                        "destination": {
                            "host": "api.shop.svc.cluster.local",
                            "port": {"number": 8080},
                        },
                        "weight": 100,
                    }
                ],
            }
        ],
    },
}


def test_every_field_of_every_kind_of_route() -> None:
    vs = virtual_service("vs", "edge", "edge/gw", R.hosts[0], R.backends, passthrough_port=9443)
    assert vs == EXPECTED
    # Sorted maps, for byte-identical renders.
    route = vs["spec"]["http"][0]
    assert list(route["match"][0]["headers"]) == ["a", "b"]
    assert list(route["match"][0]["queryParams"]) == ["y", "z"]
    assert list(route["headers"]["request"]["set"]) == ["a", "b"]
    assert list(route["headers"]["request"]["add"]) == ["c", "d"]
    assert list(vs["spec"]) == ["hosts", "gateways", "http", "tls"]


def test_the_default_passthrough_port_and_a_host_of_tls_routes_only() -> None:
    routing = Routing.model_validate(
        {
            "backends": {"db": {"service": "db", "namespace": "data", "port": 5432}},
            "hosts": [
                {
                    "host": "db.example.com",
                    "tlsRoutes": [
                        {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "db"}]}
                    ],
                }
            ],
        }
    )
    assert virtual_service("db", "edge", "edge/gw", routing.hosts[0], routing.backends)["spec"] == {
        "hosts": ["db.example.com"],
        "gateways": ["edge/gw"],
        "tls": [
            {
                "match": [{"port": 443, "sniHosts": ["db.example.com"]}],
                "route": [
                    {"destination": {"host": "db.data.svc.cluster.local", "port": {"number": 5432}}}
                ],
            }
        ],
    }


def test_an_empty_header_operation_is_left_out() -> None:
    routing = Routing.model_validate(
        {
            "backends": {"api": {"service": "api", "namespace": "shop", "port": 80}},
            "hosts": [
                {
                    "host": "a.example.com",
                    "routes": [
                        {"name": "a", "to": [{"backend": "api"}], "headers": {"request": {}}},
                        {
                            "name": "b",
                            "to": [{"backend": "api"}],
                            "headers": {"request": {"set": {"x": "1"}}, "response": {}},
                        },
                    ],
                }
            ],
        }
    )
    routes = [http_route(r, routing.backends) for r in routing.hosts[0].routes]
    assert "headers" not in routes[0]
    assert routes[1]["headers"] == {"request": {"set": {"x": "1"}}}


def test_delegate_virtual_service_holds_rules_only() -> None:
    assert delegate_virtual_service("team", "team", [{"name": "r"}]) == {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            "name": "team",
            "namespace": "team",
            "labels": {"app.kubernetes.io/managed-by": "ingresslib"},
        },
        "spec": {"http": [{"name": "r"}]},
    }


def test_host_slug() -> None:
    assert host_slug("*.Example.com:80") == "wildcard--xample-com-80"
    assert host_slug("a_b.example.com") == "a-b-example-com"
