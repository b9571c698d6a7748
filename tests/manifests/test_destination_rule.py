"""manifests/destination_rule.py: a backend's DestinationRule, its subsets and traffic policy."""

from __future__ import annotations

from typing import Any

from ingresslib.config.routing import Backend, TrafficPolicy
from ingresslib.manifests.destination_rule import destination_rule, traffic_policy


def _policy(**policy: Any) -> dict[str, Any]:
    return traffic_policy(TrafficPolicy.model_validate(policy))


def _lb(**lb: Any) -> dict[str, Any]:
    return _policy(loadBalancer=lb)["loadBalancer"]


def test_plain_backend() -> None:
    backend = Backend.model_validate({"service": "shop", "namespace": "web", "port": 80})
    assert destination_rule("shop", backend) == {
        "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
        "metadata": {"name": "shop", "namespace": "web",
                     "labels": {"app.kubernetes.io/managed-by": "ingresslib"}},
        "spec": {"host": "shop.web.svc.cluster.local"},
    }


def test_subsets_keep_their_order_and_sort_their_labels() -> None:
    backend = Backend.model_validate({
        "service": "shop", "namespace": "web", "port": 80,
        "subsets": {"stable": {"version": "v1", "app": "shop"}, "canary": {"version": "v2"}},
        "trafficPolicy": {"loadBalancer": {"simple": "LEAST_REQUEST"}}})
    spec = destination_rule("shop", backend)["spec"]
    assert spec == {
        "host": "shop.web.svc.cluster.local",
        "trafficPolicy": {"loadBalancer": {"simple": "LEAST_REQUEST"}},
        "subsets": [{"name": "stable", "labels": {"app": "shop", "version": "v1"}},
                    {"name": "canary", "labels": {"version": "v2"}}],
    }
    assert list(spec["subsets"][0]["labels"]) == ["app", "version"]


def test_an_empty_policy_is_left_out() -> None:
    backend = Backend.model_validate({"service": "s", "namespace": "n", "port": 80,
                                      "trafficPolicy": {"connectionPool": {}}})
    assert destination_rule("s", backend)["spec"] == {"host": "s.n.svc.cluster.local"}


def test_load_balancer_kinds() -> None:
    assert _lb(simple="ROUND_ROBIN") == {"simple": "ROUND_ROBIN"}
    assert _lb(hashHeader="x-user") == {"consistentHash": {"httpHeaderName": "x-user"}}
    assert _lb(hashCookie="session") == {"consistentHash": {"httpCookie": {"name": "session"}}}
    assert _lb(hashCookie="session", hashCookieTtl="1h") == {
        "consistentHash": {"httpCookie": {"name": "session", "ttl": "1h"}}}
    assert _lb(hashSourceIp=True) == {"consistentHash": {"useSourceIp": True}}


def test_locality_failover() -> None:
    assert _lb(simple="RANDOM", failover=[{"from": "eu-west-1", "to": "eu-central-1"}]) == {
        "simple": "RANDOM",
        "localityLbSetting": {"enabled": True,
                              "failover": [{"from": "eu-west-1", "to": "eu-central-1"}]}}


def test_every_policy_part_under_istio_names() -> None:
    assert _policy(
        connectionPool={"tcp": {"maxConnections": 100, "connectTimeout": "2s"},
                        "http": {"http1MaxPendingRequests": 10, "useClientProtocol": True}},
        outlierDetection={"consecutive5xxErrors": 3},
        tls={"mode": "SIMPLE", "sni": "shop.internal"},
    ) == {
        "connectionPool": {"tcp": {"maxConnections": 100, "connectTimeout": "2s"},
                           "http": {"http1MaxPendingRequests": 10, "useClientProtocol": True}},
        "outlierDetection": {"consecutive5xxErrors": 3, "interval": "10s",
                             "baseEjectionTime": "30s", "maxEjectionPercent": 50},
        "tls": {"mode": "SIMPLE", "sni": "shop.internal"},
    }
    assert _policy(tls={}) == {"tls": {"mode": "ISTIO_MUTUAL"}}
    assert _policy(tls={"mode": "MUTUAL", "credentialName": "client-cert"}) == {
        "tls": {"mode": "MUTUAL", "credentialName": "client-cert"}}
    assert _policy() == {}
