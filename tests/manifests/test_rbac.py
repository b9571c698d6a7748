"""manifests/rbac.py: the gateway's ServiceAccount, its read-only Role and the binding."""

from __future__ import annotations

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.rbac import role, role_binding, service_account

WL = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge"})
LABELS = {"l": "v"}
META = {"name": "gw", "namespace": "edge", "labels": LABELS}


def test_service_account() -> None:
    assert service_account(WL, LABELS) == {"apiVersion": "v1", "kind": "ServiceAccount",
                                           "metadata": META}


def test_role_reads_secrets_only() -> None:
    assert role(WL, LABELS) == {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": META,
        "rules": [{"apiGroups": [""], "resources": ["secrets"],
                   "verbs": ["get", "watch", "list"]}],
    }


def test_role_binding_binds_the_service_account() -> None:
    assert role_binding(WL, LABELS) == {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {**META, "annotations": {
            "checkov.io/skip1": "CKV2_K8S_5=Istio gateways read the credentialName TLS secrets "
            "of their own namespace (SDS); the Role is namespaced and read-only"}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "gw"},
        "subjects": [{"kind": "ServiceAccount", "name": "gw", "namespace": "edge"}],
    }
