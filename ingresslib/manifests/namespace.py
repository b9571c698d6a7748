"""The gateway namespace, labelled for sidecar injection and the restricted Pod Security level."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.meta import MANAGED_BY, obj


def namespace(wl: GatewayWorkload, extra_labels: dict[str, str] | None = None) -> dict[str, Any]:
    labels = {
        **MANAGED_BY,
        # The gateway template runs the proxy as the only container, non-root, no init container:
        # the restricted profile holds, and enforcing it stops weaker pods landing here.
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        **(extra_labels or {}),
    }
    if wl.revision:
        labels["istio.io/rev"] = wl.revision
    else:
        labels["istio-injection"] = "enabled"
    return obj("v1", "Namespace", wl.namespace, labels=labels)
