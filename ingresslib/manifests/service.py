"""The gateway Service: status-port first (cloud health checks) where the edge plan keeps it on
the Service, then http and https."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.edge import STATUS_PORT
from ingresslib.manifests.meta import obj, selector_labels


def service(
    wl: GatewayWorkload,
    labels: dict[str, str],
    *,
    service_type: str,
    annotations: dict[str, str] | None = None,
    status_port: bool = True,
) -> dict[str, Any]:
    """The gateway Service of `wl`: ports 80 and 443 to the workload's target ports, and
    Istio's status port (15021) first unless `status_port` is false (the edge plan's
    `GatewayOptions.status_port_on_service`: off where every Service port would become a public
    listener, EDGE-HC-NLB-PORTS)."""
    svc = wl.service
    status = [{"name": "status-port", "port": STATUS_PORT, "targetPort": STATUS_PORT,
               "protocol": "TCP"}] if status_port else []
    spec: dict[str, Any] = {
        "type": service_type,
        "selector": selector_labels(wl),
        "ports": [
            *status,
            {"name": "http", "port": 80, "targetPort": svc.http_target_port, "protocol": "TCP"},
            {"name": "https", "port": 443, "targetPort": svc.https_target_port,
             "protocol": "TCP"},
        ],
    }
    if service_type != "ClusterIP":
        # Local keeps the client address (no SNAT hop) and is the default for an L4 edge.
        spec["externalTrafficPolicy"] = svc.external_traffic_policy or "Local"
    if service_type == "LoadBalancer":
        if svc.load_balancer_class:
            spec["loadBalancerClass"] = svc.load_balancer_class
        if svc.load_balancer_source_ranges:
            spec["loadBalancerSourceRanges"] = list(svc.load_balancer_source_ranges)
    return obj(
        "v1", "Service", wl.name, wl.namespace,
        labels={**labels, **svc.labels},
        annotations={**(annotations or {}), **svc.annotations},
        spec=spec,
    )
