"""manifests/namespace.py: the gateway namespace's labels."""

from __future__ import annotations

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.namespace import namespace

RESTRICTED = {
    "app.kubernetes.io/managed-by": "ingresslib",
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}


def test_default_revision_injects_by_namespace_label() -> None:
    wl = GatewayWorkload.model_validate({"namespace": "edge"})
    assert namespace(wl) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "edge", "labels": {**RESTRICTED, "istio-injection": "enabled"}}}


def test_revision_label_replaces_injection_label() -> None:
    wl = GatewayWorkload.model_validate({"revision": "1-22"})
    assert namespace(wl, {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}) == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": "istio-ingress",
            "labels": {**RESTRICTED, "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
                       "istio.io/rev": "1-22"}}}
