"""NetworkPolicy: the gateway admits its listener, health-check and metrics ports only."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.edge import STATUS_PORT
from ingresslib.manifests.meta import obj, selector_labels

METRICS_PORTS = (15020, 15090)


def _ports(*numbers: int) -> list[dict[str, Any]]:
    return [{"port": n, "protocol": "TCP"} for n in numbers]


def network_policy(
    wl: GatewayWorkload, labels: dict[str, str], health_check_sources: tuple[str, ...] = (),
    health_check_ports: tuple[int, ...] = (STATUS_PORT,),
) -> dict[str, Any]:
    """`health_check_sources`: where the cloud load balancer's probes (or, behind an L7 load
    balancer or PROXY protocol, all its connections) come from, admitted to
    `health_check_ports` even when `ingressFrom` restricts the clients (EDGE-HC-NETPOL)."""
    np = wl.network_policy
    traffic: dict[str, Any] = {
        "ports": _ports(wl.service.http_target_port, wl.service.https_target_port, STATUS_PORT)
    }
    probes: list[dict[str, Any]] = []
    if np.ingress_from:
        traffic["from"] = [{"ipBlock": {"cidr": c}} for c in np.ingress_from]
        if health_check_sources:
            probes = [{"ports": _ports(*health_check_ports),
                       "from": [{"ipBlock": {"cidr": c}} for c in health_check_sources]}]
    metrics: dict[str, Any] = {"ports": _ports(*METRICS_PORTS)}
    if np.metrics_from_namespaces:
        metrics["from"] = [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}
            for ns in np.metrics_from_namespaces
        ]
    else:
        metrics["from"] = [{"namespaceSelector": {}}]
    return obj(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        wl.name,
        wl.namespace,
        labels=labels,
        spec={
            "podSelector": {"matchLabels": selector_labels(wl)},
            "policyTypes": ["Ingress"],
            "ingress": [traffic, *probes, metrics],
        },
    )
