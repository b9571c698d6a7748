"""manifests/gateway_api/istio.py: an Istio gateway's routing under Gateway API, with the
DestinationRules and the route patches EnvoyFilter beside the routes."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib.config.listeners import Listener
from ingresslib.config.routing import Routing
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ConfigError
from ingresslib.manifests.gateway_api.istio import (
    destination_rules,
    istio_gateway_api_objects,
    patched_fields,
    route_patches,
)

HOST = "shop.example.com"
MANAGED = {"app.kubernetes.io/managed-by": "ingresslib"}
DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
LISTENERS = [Listener.model_validate(x) for x in [
    {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST], "httpsRedirect": True},
    {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
     "tls": {"certificate": "c"}},
    {"name": "alt", "port": 8080, "protocol": "HTTP", "hosts": ["*.example.com"]},
    {"name": "other", "port": 8081, "protocol": "HTTP", "hosts": ["other.example.org"]},
    {"name": "tls", "port": 9443, "protocol": "TLS", "hosts": [HOST],
     "tls": {"mode": "PASSTHROUGH"}},
]]
BACKENDS = {
    "web": {"service": "web", "namespace": "edge", "port": 80, "selector": {"app": "web"},
            "subsets": {"v1": {"v": "1"}, "v2": {"v": "2"}},
            "trafficPolicy": {"loadBalancer": {"simple": "RANDOM"}}},
    "g": {"service": "g", "namespace": "edge", "port": 90, "protocol": "GRPC"},
    "plain": {"service": "plain", "namespace": "edge", "port": 80, "selector": {"a": "b"},
              "subsets": {"s": {"v": "1"}}},
}
ROUTES = [
    {"name": "r1", "match": [{"uri": {"prefix": "/a"}}], "to": [{"backend": "web", "subset": "v1"}],
     "timeout": "5s", "retries": {"attempts": 2, "perTryTimeout": "1s"}},
    {"name": "r2", "match": [{"uri": {"prefix": "/pkg.B/"}}], "to": [{"backend": "g"}],
     "timeout": "3s"},
    {"name": "r3", "match": [{"uri": {"prefix": "/pkg.C/"}}], "to": [{"backend": "g"}],
     "retries": {"attempts": 0}},
    {"name": "r4", "match": [{"uri": {"prefix": "/d"}}],
     "to": [{"backend": "plain", "subset": "s"}], "retries": {"attempts": 3, "retryOn": "503"}},
    {"name": "r5", "to": [{"backend": "web"}]},
]
WL = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                     "labels": {"istio": "edge"}})


def _routing(routes: list[dict[str, Any]] = ROUTES, **backends: Any) -> Routing:
    return Routing.model_validate({"backends": {**BACKENDS, **backends},
                                   "hosts": [{"host": HOST, "routes": routes}]})


def _patch(port: int, route: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"applyTo": "HTTP_ROUTE",
            "match": {"context": "GATEWAY", "routeConfiguration": {"vhost": {
                "name": f"{HOST}:{port}", "route": {"name": route}}}},
            "patch": {"operation": "MERGE", "value": {"route": value}}}


def _dr(name: str, host: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": name, "namespace": "edge", "labels": MANAGED},
            "spec": {"host": host, **spec}}


def test_every_object_in_order() -> None:
    objs = istio_gateway_api_objects(_routing(), LISTENERS, WL, stack="shop",
                                     credentials={"c": "c-tls"})
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("Gateway", "shop"), ("HTTPRoute", "shop-shop-example-com"),
        ("GRPCRoute", "shop-shop-example-com-grpc"), ("HTTPRoute", "shop-http-https-redirect"),
        ("Service", "plain-s"), ("Service", "web-v1"),
        ("DestinationRule", "shop-g"), ("DestinationRule", "shop-plain"),
        ("DestinationRule", "shop-web"), ("DestinationRule", "shop-web-v1"),
        ("EnvoyFilter", "shop-route-patches"),
    ]
    gateway = objs[0]
    assert gateway["metadata"]["namespace"] == "edge"
    assert gateway["spec"]["addresses"] == [{"type": "Hostname",
                                             "value": "gw.edge.svc.cluster.local"}]
    assert gateway["spec"]["listeners"][1]["tls"]["certificateRefs"] == [
        {"group": "", "kind": "Secret", "name": "c-tls"}]
    # Istio's own policies carry retries and traffic policies: nothing refused, rules plain.
    assert objs[1]["spec"]["rules"][0] == {
        "name": "r1", "matches": [{"path": {"type": "PathPrefix", "value": "/a"}}],
        "backendRefs": [{"name": "web-v1", "port": 80}], "timeouts": {"request": "5s"}}
    assert objs[6:10] == [
        _dr("shop-g", "g.edge.svc.cluster.local"),
        _dr("shop-plain", "plain.edge.svc.cluster.local",
            subsets=[{"name": "s", "labels": {"v": "1"}}]),
        _dr("shop-web", "web.edge.svc.cluster.local",
            trafficPolicy={"loadBalancer": {"simple": "RANDOM"}},
            subsets=[{"name": "v1", "labels": {"v": "1"}}, {"name": "v2", "labels": {"v": "2"}}]),
        _dr("shop-web-v1", "web-v1.edge.svc.cluster.local",
            trafficPolicy={"loadBalancer": {"simple": "RANDOM"}}),
    ]
    retry_r1 = {"retry_policy": {"num_retries": 2, "retry_on": DEFAULT_RETRY_ON,
                                 "per_try_timeout": "1s"}}
    assert objs[10] == {
        "apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter",
        "metadata": {"name": "shop-route-patches", "namespace": "edge",
                     "labels": {**MANAGED, "app.kubernetes.io/part-of": "shop"}},
        "spec": {"workloadSelector": {"labels": {"istio": "edge"}}, "priority": 5,
                 "configPatches": [
                     # Not the redirecting listener's port 80, nor 8081 (another host).
                     _patch(443, "r1", retry_r1), _patch(8080, "r1", retry_r1),
                     _patch(443, "r2", {"timeout": "3s"}), _patch(8080, "r2", {"timeout": "3s"}),
                     _patch(443, "r3", {"retry_policy": {"num_retries": 0}}),
                     _patch(8080, "r3", {"retry_policy": {"num_retries": 0}}),
                     _patch(443, "r4", {"retry_policy": {"num_retries": 3, "retry_on": "503"}}),
                     _patch(8080, "r4", {"retry_policy": {"num_retries": 3, "retry_on": "503"}}),
                 ]},
    }


def test_grpc_patches_carry_the_timeout_beside_the_retries() -> None:
    routing = _routing([{"name": "g", "to": [{"backend": "g"}], "timeout": "2s",
                         "retries": {"attempts": 2, "retryOn": "unavailable",
                                     "perTryTimeout": "500ms"}}])
    (envoy_filter,) = route_patches(routing, LISTENERS, WL, stack="shop", experimental=True,
                                    redirecting={"http"})
    assert envoy_filter["spec"]["configPatches"][0] == _patch(443, "g", {
        "timeout": "2s", "retry_policy": {"num_retries": 2, "retry_on": "unavailable",
                                          "per_try_timeout": "0.500s"}})
    # Ports served by the redirecting listeners are left out; none named: every HTTP port.
    (envoy_filter,) = route_patches(routing, LISTENERS, WL, stack="shop", experimental=False,
                                    redirecting=())
    assert [p["match"]["routeConfiguration"]["vhost"]["name"]
            for p in envoy_filter["spec"]["configPatches"]] == [
        f"{HOST}:80", f"{HOST}:443", f"{HOST}:8080"]


def test_native_retries_need_no_patch_on_the_experimental_channel() -> None:
    routing = _routing([{"name": "r", "to": [{"backend": "web"}],
                         "retries": {"attempts": 2, "retryOn": "503"}}])
    assert route_patches(routing, LISTENERS, WL, stack="shop", experimental=True,
                         redirecting=()) == []
    assert len(route_patches(routing, LISTENERS, WL, stack="shop", experimental=False,
                             redirecting=())) == 1
    objs = istio_gateway_api_objects(routing, LISTENERS, WL, stack="shop", experimental=True)
    assert objs[1]["spec"]["rules"][0]["retry"] == {"attempts": 2, "codes": [503]}
    assert objs[-1]["kind"] == "DestinationRule"


def test_patched_fields() -> None:
    def fields(route: dict[str, Any], experimental: bool = False) -> list[str]:
        routing = _routing([route])
        return patched_fields(routing, routing.hosts[0].routes[0], experimental)

    grpc = {"name": "g", "to": [{"backend": "g"}]}
    http = {"name": "h", "to": [{"backend": "web"}]}
    assert fields({**grpc, "timeout": "1s", "retries": {"attempts": 1}}) == ["retries", "timeout"]
    assert fields({**grpc, "retries": {"attempts": 1, "retryOn": "503"}}, True) == ["retries"]
    assert fields({**grpc}) == []
    assert fields({**http, "timeout": "1s"}) == []
    assert fields({**http, "retries": {"attempts": 1, "retryOn": "503"}}) == ["retries"]
    assert fields({**http, "retries": {"attempts": 1, "retryOn": "503"}}, True) == []
    assert fields({**http, "retries": {"attempts": 1, "retryOn": "reset"}}, True) == ["retries"]
    # A redirect has no backends: not a gRPC route.
    assert fields({"name": "r", "redirect": {"uri": "/x"}, "timeout": "1s"}) == []
    # A backend that does not exist is left to the config rules.
    routing = Routing.model_validate({"backends": BACKENDS, "hosts": [{"host": HOST, "routes": [
        {"name": "x", "to": [{"backend": "g"}, {"backend": "nope"}], "timeout": "1s"}]}]})
    assert patched_fields(routing, routing.hosts[0].routes[0], False) == ["timeout"]


def test_subset_destination_rules_only_for_rendered_subset_services_with_a_policy() -> None:
    routing = _routing([], web={**BACKENDS["web"], "trafficPolicy": {"connectionPool": {}}},
                       lb={"service": "lb", "namespace": "edge", "port": 80,
                           "subsets": {"a": {"v": "a"}, "b": {"v": "b"}},
                           "trafficPolicy": {"outlierDetection": {}}})
    rules = destination_rules(routing, "shop", {"lb-b", "web-v1", "unrelated"})
    assert [r["metadata"]["name"] for r in rules] == [
        "shop-g", "shop-lb", "shop-lb-b", "shop-plain", "shop-web"]
    assert rules[2]["spec"] == {"host": "lb-b.edge.svc.cluster.local", "trafficPolicy": {
        "outlierDetection": {"consecutive5xxErrors": 5, "interval": "10s",
                             "baseEjectionTime": "30s", "maxEjectionPercent": 50}}}


def test_service_credentials_and_paths_reach_the_gateway() -> None:
    objs = istio_gateway_api_objects(_routing([]), LISTENERS, WL, stack="shop", service="mine")
    assert objs[0]["spec"]["addresses"][0]["value"] == "mine.edge.svc.cluster.local"
    # Unmapped certificates are read from the Secret of their own name.
    assert objs[0]["spec"]["listeners"][1]["tls"]["certificateRefs"][0]["name"] == "c"
    listeners = [*LISTENERS, Listener.model_validate({
        "name": "v13", "port": 8443, "protocol": "HTTPS", "hosts": [HOST],
        "tls": {"certificate": "c", "minProtocolVersion": "TLSV1_3"}})]
    with pytest.raises(ConfigError) as err:
        istio_gateway_api_objects(_routing([]), listeners, WL, stack="shop",
                                  paths={"v13": "gateway.listeners[3]"})
    assert [p.path for p in err.value.problems] == [
        "gateway.listeners[3].tls.minProtocolVersion"]


def test_the_redirecting_listeners_can_be_named() -> None:
    objs = istio_gateway_api_objects(_routing(), LISTENERS, WL, stack="shop", redirecting=())
    assert "shop-http-https-redirect" not in [o["metadata"]["name"] for o in objs]
    ports = {p["match"]["routeConfiguration"]["vhost"]["name"]
             for p in objs[-1]["spec"]["configPatches"]}
    assert ports == {f"{HOST}:80", f"{HOST}:443", f"{HOST}:8080"}


def test_inherited_routes_are_patched_on_the_inheriting_host_too() -> None:
    retry = {"retry_policy": {"num_retries": 1, "retry_on": "503"}}
    routing = Routing.model_validate({"backends": BACKENDS, "hosts": [
        {"host": "*.example.com", "routes": [
            {"name": "plain", "match": [{"uri": {"prefix": "/p"}}], "to": [{"backend": "web"}]},
            {"name": "w", "to": [{"backend": "web"}], "retries": {"attempts": 1,
                                                                  "retryOn": "503"}}]},
        {"host": HOST, "inheritWildcardRoutes": True,
         "routes": [{"name": "own", "match": [{"uri": {"prefix": "/o"}}],
                     "to": [{"backend": "web"}]}]},
    ]})
    (envoy_filter,) = route_patches(routing, LISTENERS[2:3], WL, stack="shop",
                                    experimental=False, redirecting=())
    assert envoy_filter["spec"]["configPatches"] == [
        {**_patch(8080, "w", retry), "match": {"context": "GATEWAY", "routeConfiguration": {
            "vhost": {"name": "*.example.com:8080", "route": {"name": "w"}}}}},
        _patch(8080, "w", retry),
    ]
