"""manifests/service.py: the gateway Service, its ports and the load balancer settings."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.service import service

PORTS = [
    {"name": "status-port", "port": 15021, "targetPort": 15021, "protocol": "TCP"},
    {"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"},
    {"name": "https", "port": 443, "targetPort": 443, "protocol": "TCP"},
]


def _wl(**svc: Any) -> GatewayWorkload:
    return GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                           "labels": {"istio": "edge"}, "service": svc})


def test_load_balancer_defaults() -> None:
    assert service(_wl(), {"l": "v"}, service_type="LoadBalancer",
                   annotations={"cloud": "x"}) == {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "gw", "namespace": "edge", "labels": {"l": "v"},
                     "annotations": {"cloud": "x"}},
        "spec": {"type": "LoadBalancer", "selector": {"istio": "edge"}, "ports": PORTS,
                 "externalTrafficPolicy": "Local"},
    }


def test_cluster_ip_has_no_traffic_policy() -> None:
    svc = service(_wl(), {}, service_type="ClusterIP")
    assert svc["spec"] == {"type": "ClusterIP", "selector": {"istio": "edge"}, "ports": PORTS}
    assert "annotations" not in svc["metadata"]


def test_node_port_keeps_the_traffic_policy_but_no_load_balancer_fields() -> None:
    wl = _wl(externalTrafficPolicy="Cluster", loadBalancerClass="service.k8s.aws/nlb",
             loadBalancerSourceRanges=["10.0.0.0/8"])
    assert service(wl, {}, service_type="NodePort")["spec"] == {
        "type": "NodePort", "selector": {"istio": "edge"}, "ports": PORTS,
        "externalTrafficPolicy": "Cluster"}


def test_user_settings_win() -> None:
    wl = _wl(externalTrafficPolicy="Cluster", loadBalancerClass="service.k8s.aws/nlb",
             loadBalancerSourceRanges=["10.0.0.0/8", "192.168.0.0/16"],
             annotations={"cloud": "mine", "extra": "1"}, labels={"l": "mine", "team": "edge"},
             httpTargetPort=8080, httpsTargetPort=8443)
    svc = service(wl, {"l": "v", "k": "w"}, service_type="LoadBalancer",
                  annotations={"cloud": "x", "other": "y"})
    assert svc["metadata"]["labels"] == {"k": "w", "l": "mine", "team": "edge"}
    assert svc["metadata"]["annotations"] == {"cloud": "mine", "extra": "1", "other": "y"}
    assert svc["spec"] == {
        "type": "LoadBalancer", "selector": {"istio": "edge"},
        "ports": [PORTS[0], {**PORTS[1], "targetPort": 8080}, {**PORTS[2], "targetPort": 8443}],
        "externalTrafficPolicy": "Cluster", "loadBalancerClass": "service.k8s.aws/nlb",
        "loadBalancerSourceRanges": ["10.0.0.0/8", "192.168.0.0/16"],
    }


def test_the_status_port_can_stay_off_the_service() -> None:
    """EDGE-HC-NLB-PORTS: where every Service port becomes a public listener."""
    svc = service(_wl(), {}, service_type="LoadBalancer", status_port=False)
    assert svc["spec"]["ports"] == PORTS[1:]
