"""ServiceAccount, and the Role that lets the gateway read TLS secrets for SDS (nothing more)."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.meta import obj, skip_checks


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
        annotations=skip_checks(
            {
                "CKV2_K8S_5": "Istio gateways read the credentialName TLS secrets of their own "
                "namespace (SDS); the Role is namespaced and read-only"
            }
        ),
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": wl.name},
        subjects=[{"kind": "ServiceAccount", "name": wl.name, "namespace": wl.namespace}],
    )
