"""The AKS Istio add-on's gateway Service: ingresslib binds Gateways to the add-on's gateway
and patches its Service (server-side apply, only the fields below) instead of deploying one.

The add-on reconciles that Service and keeps only the annotations AKS allows on it (the config
refuses any other), so the patch carries the public IP, load balancer and probe annotations and
`externalTrafficPolicy`, which the add-on also lets users set.
"""

from __future__ import annotations

from typing import Any

from ingresslib.azure.config import AksStack
from ingresslib.edge import STATUS_PORT
from ingresslib.manifests.meta import obj, selector_labels

# Take over fields the add-on's manager wrote first (it sets externalTrafficPolicy Cluster).
PATCH_FORCE = {"pulumi.com/patchForce": "true"}


def addon_service_patch(cfg: AksStack) -> dict[str, Any]:
    wl = cfg.workload
    assert wl is not None
    assert cfg.edge.gateway is not None
    annotations = {**wl.service.annotations, **cfg.edge.gateway.service_annotations,
                   **PATCH_FORCE}
    return obj("v1", "Service", wl.name, wl.namespace, annotations=annotations,
               spec={"externalTrafficPolicy": wl.service.external_traffic_policy or "Local"})


def addon_service(cfg: AksStack) -> dict[str, Any]:
    """The add-on's Service as analysis needs it (what selects the pods, which ports); never
    registered."""
    wl = cfg.workload
    assert wl is not None
    ports = [{"name": n, "port": p, "targetPort": p, "protocol": "TCP"}
             for n, p in (("status-port", STATUS_PORT), ("http2", 80), ("https", 443))]
    return obj("v1", "Service", wl.name, wl.namespace,
               spec={"selector": selector_labels(wl), "ports": ports})
