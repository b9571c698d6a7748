"""ServiceAccount, and the Role that lets the gateway read TLS secrets for SDS (nothing more)."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.meta import obj


def service_account(wl: GatewayWorkload, labels: dict[str, str]) -> dict[str, Any]:
    return obj("v1", "ServiceAccount", wl.name, wl.namespace, labels=labels)


def role(wl: GatewayWorkload, labels: dict[str, str]) -> dict[str, Any]:
    return obj(
        "rbac.authorization.k8s.io/v1",
        "Role",
        wl.name,
        wl.namespace,
        labels=labels,
        rules=[{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "watch", "list"]}],
    )


def role_binding(wl: GatewayWorkload, labels: dict[str, str]) -> dict[str, Any]:
    return obj(
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        wl.name,
        wl.namespace,
        labels=labels,
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": wl.name},
        subjects=[{"kind": "ServiceAccount", "name": wl.name, "namespace": wl.namespace}],
    )
