"""manifests/autoscaler.py: the gateway's HorizontalPodAutoscaler."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.autoscaler import autoscaler

BEHAVIOR = {
    "scaleDown": {"stabilizationWindowSeconds": 300,
                  "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                  "selectPolicy": "Min"},
    "scaleUp": {"stabilizationWindowSeconds": 0,
                "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15},
                             {"type": "Pods", "value": 4, "periodSeconds": 15}],
                "selectPolicy": "Max"},
}


def _hpa(**autoscaling: Any) -> dict[str, Any]:
    wl = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                         "autoscaling": autoscaling})
    return autoscaler(wl, {"l": "v"})


def _resource(name: str, utilization: int) -> dict[str, Any]:
    return {"type": "Resource", "resource": {
        "name": name, "target": {"type": "Utilization", "averageUtilization": utilization}}}


def test_defaults() -> None:
    assert _hpa() == {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "gw", "namespace": "edge", "labels": {"l": "v"}},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gw"},
            "minReplicas": 2, "maxReplicas": 10, "metrics": [_resource("cpu", 70)],
            "behavior": BEHAVIOR,
        },
    }


def test_every_setting() -> None:
    spec = _hpa(minReplicas=3, maxReplicas=7, targetCpuUtilization=60,
                targetMemoryUtilization=80, scaleDownStabilizationSeconds=600,
                scaleUpStabilizationSeconds=30, customMetrics=[
                    {"type": "Pods", "name": "rps", "selector": {"z": "1", "a": "2"},
                     "target": {"type": "AverageValue", "averageValue": "100"}},
                    {"type": "External", "name": "sqs",
                     "target": {"type": "Value", "value": "30"}},
                ])["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 7)
    assert spec["metrics"] == [
        _resource("cpu", 60), _resource("memory", 80),
        {"type": "Pods", "pods": {
            "metric": {"name": "rps", "selector": {"matchLabels": {"a": "2", "z": "1"}}},
            "target": {"type": "AverageValue", "averageValue": "100"}}},
        {"type": "External", "external": {
            "metric": {"name": "sqs"}, "target": {"type": "Value", "value": "30"}}},
    ]
    assert list(spec["metrics"][2]["pods"]["metric"]["selector"]["matchLabels"]) == ["a", "z"]
    assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 600
    assert spec["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 30


def test_memory_only() -> None:
    assert _hpa(targetCpuUtilization=None, targetMemoryUtilization=75)["spec"]["metrics"] == [
        _resource("memory", 75)]
