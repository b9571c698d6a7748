"""PodDisruptionBudget: node drains never take the gateway below its floor."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.meta import obj, selector_labels


def disruption_budget(wl: GatewayWorkload, labels: dict[str, str]) -> dict[str, Any]:
    pdb = wl.disruption
    spec: dict[str, Any] = {"selector": {"matchLabels": selector_labels(wl)}}
    if pdb.max_unavailable is not None:
        spec["maxUnavailable"] = pdb.max_unavailable
    else:
        spec["minAvailable"] = pdb.min_available
    # A crash-looping pod must not block a node drain: it serves nothing anyway.
    spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow"
    return obj("policy/v1", "PodDisruptionBudget", wl.name, wl.namespace, labels=labels, spec=spec)
