"""DestinationRules: one per backend, with its subsets and traffic policy."""

from __future__ import annotations

from typing import Any

from ingresslib.config.routing import Backend, LoadBalancerPolicy, TrafficPolicy
from ingresslib.manifests.meta import MANAGED_BY, obj


def _load_balancer(lb: LoadBalancerPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if lb.simple:
        out["simple"] = lb.simple
    elif lb.hash_header:
        out["consistentHash"] = {"httpHeaderName": lb.hash_header}
    elif lb.hash_cookie:
        cookie: dict[str, Any] = {"name": lb.hash_cookie}
        if lb.hash_cookie_ttl:
            cookie["ttl"] = lb.hash_cookie_ttl
        out["consistentHash"] = {"httpCookie": cookie}
    else:
        out["consistentHash"] = {"useSourceIp": True}
    if lb.failover:
        out["localityLbSetting"] = {"enabled": True, "failover": [dict(f) for f in lb.failover]}
    return out


def traffic_policy(tp: TrafficPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if tp.load_balancer:
        out["loadBalancer"] = _load_balancer(tp.load_balancer)
    if tp.connection_pool:
        pool = tp.connection_pool.model_dump(by_alias=True, exclude_none=True)
        if pool:
            out["connectionPool"] = pool
    if tp.outlier_detection:
        out["outlierDetection"] = tp.outlier_detection.model_dump(by_alias=True)
    if tp.tls:
        out["tls"] = tp.tls.model_dump(by_alias=True, exclude_none=True)
    return out


def destination_rule(name: str, backend: Backend) -> dict[str, Any]:
    spec: dict[str, Any] = {"host": backend.fqdn}
    if backend.traffic_policy:
        policy = traffic_policy(backend.traffic_policy)
        if policy:
            spec["trafficPolicy"] = policy
    if backend.subsets:
        spec["subsets"] = [
            {"name": n, "labels": dict(sorted(labels.items()))}
            for n, labels in backend.subsets.items()
        ]
    return obj("networking.istio.io/v1", "DestinationRule", name, backend.namespace,
               labels=MANAGED_BY, spec=spec)
