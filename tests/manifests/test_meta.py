"""manifests/meta.py: the manifest skeleton, the label sets and the security contexts."""

from __future__ import annotations

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.meta import (
    MANAGED_BY,
    common_labels,
    container_security,
    deployment_labels,
    obj,
    pod_security,
    selector_labels,
    skip_checks,
)

WL = GatewayWorkload.model_validate({"name": "gw", "labels": {"istio": "edge", "tier": "a"}})


def test_obj_orders_keys_and_sorts_labels_and_annotations() -> None:
    made = obj("v1", "Thing", "n", "ns", labels={"b": "2", "a": "1"},
               annotations={"z": "1", "y": "2"}, spec={"k": 1}, data={"x": "y"})
    assert made == {"apiVersion": "v1", "kind": "Thing",
                    "metadata": {"name": "n", "namespace": "ns", "labels": {"a": "1", "b": "2"},
                                 "annotations": {"y": "2", "z": "1"}},
                    "spec": {"k": 1}, "data": {"x": "y"}}
    assert list(made) == ["apiVersion", "kind", "metadata", "spec", "data"]
    assert list(made["metadata"]) == ["name", "namespace", "labels", "annotations"]
    assert list(made["metadata"]["labels"]) == ["a", "b"]
    assert list(made["metadata"]["annotations"]) == ["y", "z"]


def test_obj_leaves_out_what_is_not_given() -> None:
    assert obj("v1", "Namespace", "n") == {"apiVersion": "v1", "kind": "Namespace",
                                           "metadata": {"name": "n"}}
    assert obj("v1", "Namespace", "n", labels={}, annotations={}) == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}
    # An empty namespace is still a namespace (only None leaves it out).
    assert obj("v1", "X", "n", "")["metadata"] == {"name": "n", "namespace": ""}


def test_managed_by() -> None:
    assert MANAGED_BY == {"app.kubernetes.io/managed-by": "ingresslib"}


def test_label_sets() -> None:
    assert selector_labels(WL) == {"istio": "edge", "tier": "a"}
    selector_labels(WL)["x"] = "y"  # a copy: the config is not changed through it
    assert WL.labels == {"istio": "edge", "tier": "a"}
    assert deployment_labels(WL, "gw-canary") == {"app": "gw-canary", "istio": "edge", "tier": "a"}
    assert common_labels(WL, "shop") == {
        "app": "gw", "istio": "edge", "tier": "a",
        "app.kubernetes.io/managed-by": "ingresslib",
        "app.kubernetes.io/name": "gw",
        "app.kubernetes.io/part-of": "shop",
    }


def test_workload_labels_win_over_app() -> None:
    wl = GatewayWorkload.model_validate({"labels": {"app": "mine"}})
    assert deployment_labels(wl, "gw") == {"app": "mine"}


def test_security_contexts() -> None:
    assert container_security(7) == {
        "allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": True,
        "runAsNonRoot": True, "runAsUser": 7, "runAsGroup": 7, "capabilities": {"drop": ["ALL"]},
    }
    assert pod_security(7) == {"runAsNonRoot": True, "runAsUser": 7, "runAsGroup": 7,
                               "fsGroup": 7, "seccompProfile": {"type": "RuntimeDefault"}}


def test_skip_checks_numbered_from_one_in_check_order() -> None:
    assert skip_checks({"CKV_B": "why b", "CKV_A": "why a"}) == {
        "checkov.io/skip1": "CKV_A=why a", "checkov.io/skip2": "CKV_B=why b"}
    assert skip_checks({}) == {}
