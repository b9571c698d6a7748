"""The gateway Deployment: Istio's `gateway` injection template fills in the proxy container.

Istio replaces `image: auto` and adds the proxy's args, probes and volumes at admission; what is
set here is what the template keeps: resources, security context, ports and the pod spec.
"""

from __future__ import annotations

import json
from typing import Any

from ingresslib.config.workload import GatewayWorkload, Spread
from ingresslib.manifests.meta import (
    container_security,
    deployment_labels,
    obj,
    pod_security,
    selector_labels,
    skip_checks,
)

PROXY_UID = 1337

# Reasons for the checkov findings the injection template answers; kept on the object.
INJECTED = skip_checks(
    {
        "CKV_K8S_8": "liveness probe: Istio's gateway injection template adds the proxy's probes",
        "CKV_K8S_9": "readiness probe: Istio's gateway injection template adds /healthz/ready",
        "CKV_K8S_14": "image 'auto' is replaced by Istio's injector with the control plane's "
        "pinned proxy image",
        "CKV_K8S_15": "image 'auto' is replaced at admission; the injector sets the pull policy",
        "CKV_K8S_43": "image 'auto' is replaced by the injector; the digest is the mesh's choice",
        "CKV_K8S_38": "Istio's gateway needs its service account token to reach istiod",
        "CKV_K8S_40": "UID 1337 is the proxy UID Istio's injection template and traffic "
        "capture expect",
    }
)


def proxy_config(wl: GatewayWorkload, trusted_proxies: int, proxy_protocol: bool = False,
                 idle_timeout_seconds: int | None = None) -> str:
    """The `proxy.istio.io/config` annotation: drain duration, trusted proxy hops, whether
    a PROXY protocol header (from the load balancer) precedes every connection, and Envoy's
    downstream idle timeout (`ISTIO_META_IDLE_TIMEOUT`, read by Istio 1.20 and later for
    every HTTP connection manager of the proxy, gateway listeners included)."""
    config: dict[str, Any] = {"terminationDrainDuration": f"{wl.drain.termination_drain_seconds}s"}
    if idle_timeout_seconds is not None:
        config["proxyMetadata"] = {"ISTIO_META_IDLE_TIMEOUT": f"{idle_timeout_seconds}s"}
    topology: dict[str, Any] = {}
    if trusted_proxies:
        topology["numTrustedProxies"] = trusted_proxies
    if proxy_protocol:
        topology["proxyProtocol"] = {}
    if topology:
        config["gatewayTopology"] = topology
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def _spread(spread: Spread, key: str, match: dict[str, str]) -> dict[str, Any] | None:
    if not spread.enabled:
        return None
    return {
        "maxSkew": spread.max_skew,
        "topologyKey": key,
        "whenUnsatisfiable": spread.when_unsatisfiable,
        "labelSelector": {"matchLabels": match},
        # Count only pods of the same rollout step, so a surge pod does not skew the spread.
        "matchLabelKeys": ["pod-template-hash"],
    }


def _toleration(t: Any) -> dict[str, Any]:
    return t.model_dump(by_alias=True, exclude_none=True)


def deployment(
    wl: GatewayWorkload,
    labels: dict[str, str],
    *,
    trusted_proxies: int,
    prometheus_scrape: bool,
    proxy_protocol: bool = False,
    idle_timeout_seconds: int | None = None,
    canary: bool = False,
) -> dict[str, Any]:
    """The gateway Deployment, or with `canary` the upgrade's Deployment: same pods, labelled
    with the new revision (so the new control plane injects them), fixed replicas, no HPA."""
    upgrade = wl.upgrade if canary else None
    name = f"{wl.name}-{upgrade.revision}" if upgrade else wl.name
    revision = upgrade.revision if upgrade else wl.revision
    select = deployment_labels(wl, name)
    pod_labels = {**select, "sidecar.istio.io/inject": "true"}
    if revision:
        pod_labels["istio.io/rev"] = revision
    pod_annotations = {
        **wl.pod_annotations,
        "inject.istio.io/templates": "gateway",
        "proxy.istio.io/config": proxy_config(wl, trusted_proxies, proxy_protocol,
                                              idle_timeout_seconds),
    }
    if prometheus_scrape:
        pod_annotations |= {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "15020",
            "prometheus.io/path": "/stats/prometheus",
        }
    sched = wl.scheduling
    pod: dict[str, Any] = {
        "serviceAccountName": wl.name,
        "terminationGracePeriodSeconds": wl.drain.termination_grace_period_seconds,
        "securityContext": {
            **pod_security(PROXY_UID),
            # Lets the non-root proxy bind 80 and 443 with no added capability.
            "sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}],
        },
        "containers": [
            {
                "name": "istio-proxy",
                "image": "auto",
                "ports": [
                    {"name": "http-envoy-prom", "containerPort": 15090, "protocol": "TCP"},
                ],
                "resources": wl.resources.model_dump(),
                "securityContext": container_security(PROXY_UID),
            }
        ],
    }
    everyone = selector_labels(wl)  # spread all revisions' pods together
    spreads = [
        _spread(sched.zone_spread, "topology.kubernetes.io/zone", everyone),
        _spread(sched.node_spread, "kubernetes.io/hostname", everyone),
    ]
    if any(spreads):
        pod["topologySpreadConstraints"] = [s for s in spreads if s]
    if sched.node_selector:
        pod["nodeSelector"] = dict(sorted(sched.node_selector.items()))
    if sched.tolerations:
        pod["tolerations"] = [_toleration(t) for t in sched.tolerations]
    if sched.priority_class_name:
        pod["priorityClassName"] = sched.priority_class_name

    spec: dict[str, Any] = {}
    if upgrade:
        spec["replicas"] = upgrade.replicas
    elif not wl.autoscaling.enabled:
        spec["replicas"] = wl.replicas
    spec |= {
        "selector": {"matchLabels": select},
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": wl.max_surge},
        },
        "template": {
            "metadata": {
                "annotations": dict(sorted(pod_annotations.items())),
                "labels": dict(sorted(pod_labels.items())),
            },
            "spec": pod,
        },
    }
    if upgrade:
        labels = {**labels, "app": name}
    if revision:
        labels = {**labels, "istio.io/rev": revision}
    return obj(
        "apps/v1", "Deployment", name, wl.namespace,
        labels=labels, annotations=INJECTED, spec=spec,
    )
