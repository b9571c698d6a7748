"""HorizontalPodAutoscaler (autoscaling/v2) for the gateway Deployment."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import CustomMetric, GatewayWorkload
from ingresslib.manifests.meta import obj


def _resource(name: str, utilization: int) -> dict[str, Any]:
    return {
        "type": "Resource",
        "resource": {
            "name": name,
            "target": {"type": "Utilization", "averageUtilization": utilization},
        },
    }


def _custom(metric: CustomMetric) -> dict[str, Any]:
    ident: dict[str, Any] = {"name": metric.name}
    if metric.selector:
        ident["selector"] = {"matchLabels": dict(sorted(metric.selector.items()))}
    target = metric.target.model_dump(by_alias=True, exclude_none=True)
    key = "pods" if metric.type == "Pods" else "external"
    return {"type": metric.type, key: {"metric": ident, "target": target}}


def autoscaler(wl: GatewayWorkload, labels: dict[str, str]) -> dict[str, Any]:
    hpa = wl.autoscaling
    metrics = []
    if hpa.target_cpu_utilization is not None:
        metrics.append(_resource("cpu", hpa.target_cpu_utilization))
    if hpa.target_memory_utilization is not None:
        metrics.append(_resource("memory", hpa.target_memory_utilization))
    metrics += [_custom(m) for m in hpa.custom_metrics]
    return obj(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        wl.name,
        wl.namespace,
        labels=labels,
        spec={
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": wl.name},
            "minReplicas": hpa.min_replicas,
            "maxReplicas": hpa.max_replicas,
            "metrics": metrics,
            "behavior": {
                # Scale down slowly: a gateway that sheds pods mid-burst drops connections.
                "scaleDown": {
                    "stabilizationWindowSeconds": hpa.scale_down_stabilization_seconds,
                    "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                    "selectPolicy": "Min",
                },
                "scaleUp": {
                    "stabilizationWindowSeconds": hpa.scale_up_stabilization_seconds,
                    "policies": [
                        {"type": "Percent", "value": 100, "periodSeconds": 15},
                        {"type": "Pods", "value": 4, "periodSeconds": 15},
                    ],
                    "selectPolicy": "Max",
                },
            },
        },
    )
