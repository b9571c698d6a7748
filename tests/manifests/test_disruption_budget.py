"""manifests/disruption_budget.py: the gateway's PodDisruptionBudget."""

from __future__ import annotations

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.disruption_budget import disruption_budget


def _pdb(**disruption: object) -> dict[str, object]:
    wl = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                         "labels": {"istio": "edge"}, "disruption": disruption})
    return disruption_budget(wl, {"l": "v"})


def test_default_allows_one_unavailable() -> None:
    assert _pdb() == {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "gw", "namespace": "edge", "labels": {"l": "v"}},
        "spec": {"selector": {"matchLabels": {"istio": "edge"}}, "maxUnavailable": 1,
                 "unhealthyPodEvictionPolicy": "AlwaysAllow"},
    }


def test_min_available() -> None:
    assert _pdb(minAvailable="50%")["spec"] == {
        "selector": {"matchLabels": {"istio": "edge"}}, "minAvailable": "50%",
        "unhealthyPodEvictionPolicy": "AlwaysAllow"}


def test_max_unavailable_zero_is_kept() -> None:
    wl = GatewayWorkload.model_validate({"replicas": 3, "autoscaling": {"enabled": False},
                                         "disruption": {"maxUnavailable": 0}})
    assert disruption_budget(wl, {})["spec"]["maxUnavailable"] == 0
