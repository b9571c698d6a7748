"""manifests/network_policy.py: the ports the gateway admits, and from where."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.network_policy import network_policy


def _ports(*numbers: int) -> list[dict[str, Any]]:
    return [{"port": n, "protocol": "TCP"} for n in numbers]


def _wl(**settings: Any) -> GatewayWorkload:
    return GatewayWorkload.model_validate({
        "name": "gw", "namespace": "edge", "labels": {"istio": "edge"},
        "service": {"httpTargetPort": 8080, "httpsTargetPort": 8443},
        "networkPolicy": settings})


def test_defaults_admit_everyone_on_the_gateway_ports() -> None:
    assert network_policy(_wl(), {"l": "v"}, ("10.0.0.0/16",)) == {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "gw", "namespace": "edge", "labels": {"l": "v"}},
        "spec": {
            "podSelector": {"matchLabels": {"istio": "edge"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"ports": _ports(8080, 8443, 15021)},
                        {"ports": _ports(15020, 15090), "from": [{"namespaceSelector": {}}]}],
        },
    }


def test_restricted_clients_keep_the_health_checks() -> None:
    wl = _wl(ingressFrom=["203.0.113.0/24", "198.51.100.0/24"],
             metricsFromNamespaces=["monitoring", "prom"])
    ingress = network_policy(wl, {}, ("10.0.0.0/16", "10.1.0.0/16"), (15021, 8080))["spec"][
        "ingress"]
    assert ingress == [
        {"ports": _ports(8080, 8443, 15021),
         "from": [{"ipBlock": {"cidr": "203.0.113.0/24"}},
                  {"ipBlock": {"cidr": "198.51.100.0/24"}}]},
        {"ports": _ports(15021, 8080),
         "from": [{"ipBlock": {"cidr": "10.0.0.0/16"}}, {"ipBlock": {"cidr": "10.1.0.0/16"}}]},
        {"ports": _ports(15020, 15090), "from": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "prom"}}}]},
    ]


def test_health_check_ports_default_to_the_status_port() -> None:
    ingress = network_policy(_wl(ingressFrom=["203.0.113.0/24"]), {}, ("10.0.0.0/16",))[
        "spec"]["ingress"]
    assert ingress[1] == {"ports": _ports(15021), "from": [{"ipBlock": {"cidr": "10.0.0.0/16"}}]}


def test_restricted_clients_without_probe_sources() -> None:
    ingress = network_policy(_wl(ingressFrom=["203.0.113.0/24"]), {})["spec"]["ingress"]
    assert [rule["ports"] for rule in ingress] == [_ports(8080, 8443, 15021),
                                                   _ports(15020, 15090)]
