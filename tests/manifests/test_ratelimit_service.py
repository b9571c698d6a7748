"""manifests/ratelimit_service.py: envoyproxy/ratelimit and its Redis, and the service config."""

from __future__ import annotations

from typing import Any

import yaml

from ingresslib.config.ratelimit import Global
from ingresslib.manifests.ratelimit_service import service_config, service_objects

MANAGED = {"app.kubernetes.io/managed-by": "ingresslib"}
SKIPS = {
    "checkov.io/skip1": "CKV_K8S_15=the tag is pinned, so IfNotPresent saves a Docker Hub pull "
    "(and its rate limit) on every restart",
    "checkov.io/skip2": "CKV_K8S_43=pinned to an immutable tag; resolve its digest in your "
    "registry mirror, a render cannot reach the registry",
}
SECURITY = {"allowPrivilegeEscalation": False, "privileged": False,
            "readOnlyRootFilesystem": True, "runAsNonRoot": True, "runAsUser": 65532,
            "runAsGroup": 65532, "capabilities": {"drop": ["ALL"]}}
POD_SECURITY = {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                "fsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}}
SIDECAR = {"from": [{"namespaceSelector": {}}],
           "ports": [{"port": 15020, "protocol": "TCP"}, {"port": 15090, "protocol": "TCP"}]}


def _glob(deploy: dict[str, Any] | None = None, **more: Any) -> Global:
    return Global.model_validate({
        "service": {"host": "ratelimit.rl.svc.cluster.local"},
        "deploy": {"namespace": "rl", **(deploy or {})}, **more})


def _labels(app: str) -> dict[str, str]:
    return {**MANAGED, "app": app, "app.kubernetes.io/name": app,
            "app.kubernetes.io/part-of": "shop"}


def _meta(app: str) -> dict[str, Any]:
    return {"name": app, "namespace": "rl", "labels": _labels(app)}


def _deployment_spec(app: str, replicas: int, container: dict[str, Any],
                     volumes: list[dict[str, Any]], annotations: dict[str, str] | None = None
                     ) -> dict[str, Any]:
    template: dict[str, Any] = {"labels": {"app": app, "app.kubernetes.io/part-of": "shop"}}
    if annotations:
        template["annotations"] = annotations
    return {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": app}},
        "strategy": {"type": "RollingUpdate",
                     "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "template": {"metadata": template, "spec": {
            "automountServiceAccountToken": False,
            "securityContext": POD_SECURITY,
            "topologySpreadConstraints": [{
                "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": {"app": app}}}],
            "containers": [container],
            "volumes": volumes,
        }},
    }


REDIS = {
    "name": "redis", "image": "redis:7.4.6-alpine", "imagePullPolicy": "IfNotPresent",
    "command": ["redis-server", "--save", "", "--appendonly", "no"],
    "ports": [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}],
    "readinessProbe": {"exec": {"command": ["redis-cli", "ping"]}, "periodSeconds": 5,
                       "failureThreshold": 2},
    "livenessProbe": {"exec": {"command": ["redis-cli", "ping"]}, "periodSeconds": 10,
                      "failureThreshold": 3},
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                  "limits": {"cpu": "1", "memory": "512Mi"}},
    "securityContext": SECURITY,
    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
}
RATELIMIT = {
    "name": "ratelimit", "image": "envoyproxy/ratelimit:30a4ce1a",
    "imagePullPolicy": "IfNotPresent", "command": ["/bin/ratelimit"],
    "env": [{"name": k, "value": v} for k, v in [
        ("REDIS_SOCKET_TYPE", "tcp"), ("REDIS_URL", "redis:6379"), ("USE_STATSD", "false"),
        ("LOG_FORMAT", "json"), ("LOG_LEVEL", "warn"), ("RUNTIME_ROOT", "/data"),
        ("RUNTIME_SUBDIRECTORY", "ratelimit"), ("RUNTIME_WATCH_ROOT", "false"),
        ("RUNTIME_IGNOREDOTFILES", "true")]],
    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
              {"name": "grpc", "containerPort": 8081, "protocol": "TCP"}],
    "readinessProbe": {"httpGet": {"path": "/healthcheck", "port": 8080}, "periodSeconds": 5,
                       "failureThreshold": 2},
    "livenessProbe": {"tcpSocket": {"port": 8081}, "periodSeconds": 10, "failureThreshold": 3},
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                  "limits": {"cpu": "1", "memory": "256Mi"}},
    "securityContext": SECURITY,
    "volumeMounts": [{"name": "config", "mountPath": "/data/ratelimit/config",
                      "readOnly": True}],
}


def test_every_object() -> None:
    glob = _glob(descriptors=[{"actions": [{"remoteAddress": {}}],
                               "limit": {"unit": "minute", "requestsPerUnit": 100}}])
    objs = service_objects(glob, "shop", "edge", {"istio": "edge"}, None)
    namespace, config, redis, redis_svc, redis_np, ratelimit, ratelimit_svc, ratelimit_np = objs
    assert namespace == {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "rl", "labels": {**MANAGED, "istio-injection": "enabled"}}}
    assert config == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "ratelimit-config", "namespace": "rl", "labels": _labels("ratelimit")},
        "data": {"config.yaml": "domain: istio-ingress\ndescriptors:\n- key: remote_address\n"
                                "  rate_limit:\n    unit: minute\n    requests_per_unit: 100\n"}}
    assert redis == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {**_meta("redis"), "annotations": SKIPS},
        "spec": _deployment_spec("redis", 1, REDIS,
                                 [{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}}]),
    }
    assert redis_svc == {"apiVersion": "v1", "kind": "Service", "metadata": _meta("redis"),
                         "spec": {"selector": {"app": "redis"}, "ports": [
                             {"name": "tcp-redis", "port": 6379, "targetPort": 6379,
                              "protocol": "TCP"}]}}
    assert redis_np == {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": _meta("redis"),
        "spec": {"podSelector": {"matchLabels": {"app": "redis"}}, "policyTypes": ["Ingress"],
                 "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "ratelimit"}}}],
                              "ports": [{"port": 6379, "protocol": "TCP"}]}, SIDECAR]},
    }
    assert ratelimit == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {**_meta("ratelimit"), "annotations": SKIPS},
        "spec": _deployment_spec(
            "ratelimit", 2, RATELIMIT,
            [{"name": "config", "configMap": {"name": "ratelimit-config"}}],
            {"proxy.istio.io/config": '{"holdApplicationUntilProxyStarts":true}'}),
    }
    assert ratelimit_svc == {
        "apiVersion": "v1", "kind": "Service", "metadata": _meta("ratelimit"),
        "spec": {"selector": {"app": "ratelimit"}, "ports": [
            {"name": "http-ratelimit", "port": 8080, "targetPort": 8080, "protocol": "TCP"},
            {"name": "grpc-ratelimit", "port": 8081, "targetPort": 8081, "protocol": "TCP"}]},
    }
    assert ratelimit_np == {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": _meta("ratelimit"),
        "spec": {"podSelector": {"matchLabels": {"app": "ratelimit"}},
                 "policyTypes": ["Ingress"],
                 "ingress": [{"from": [{
                     "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "edge"}},
                     "podSelector": {"matchLabels": {"istio": "edge"}}}],
                     "ports": [{"port": 8081, "protocol": "TCP"}]}, SIDECAR]},
    }


def test_settings_reach_the_objects() -> None:
    resources = {"requests": {"cpu": "200m", "memory": "128Mi"},
                 "limits": {"cpu": "2", "memory": "512Mi"}}
    glob = _glob({"replicas": 3, "resources": resources}, domain="shop")
    objs = service_objects(glob, "shop", "edge", {"istio": "edge"}, "1-23")
    assert objs[0]["metadata"]["labels"] == {**MANAGED, "istio.io/rev": "1-23"}
    assert yaml.safe_load(objs[1]["data"]["config.yaml"]) == {"domain": "shop",
                                                              "descriptors": []}
    assert objs[5]["spec"]["replicas"] == 3
    assert objs[5]["spec"]["template"]["spec"]["containers"][0]["resources"] == resources


def test_service_config_shares_leading_entries() -> None:
    glob = Global.model_validate({
        "service": {"host": "rl.example.com"},
        "descriptors": [
            {"actions": [{"genericKey": {"value": "api"}}, {"remoteAddress": {}}],
             "limit": {"unit": "second", "requestsPerUnit": 5}},
            {"actions": [{"genericKey": {"value": "api"}}],
             "limit": {"unit": "minute", "requestsPerUnit": 100}},
            {"actions": [{"genericKey": {"value": "api"}},
                         {"requestHeaders": {"header": "x-key", "descriptorKey": "key"}}]},
            {"actions": [{"remoteAddress": {}}],
             "limit": {"unit": "hour", "requestsPerUnit": 1000}},
        ]})
    assert service_config(glob) == {"domain": "istio-ingress", "descriptors": [
        {"key": "generic_key", "value": "api",
         "rate_limit": {"unit": "minute", "requests_per_unit": 100},
         "descriptors": [
             {"key": "remote_address",
              "rate_limit": {"unit": "second", "requests_per_unit": 5}},
             {"key": "key"},
         ]},
        {"key": "remote_address", "rate_limit": {"unit": "hour", "requests_per_unit": 1000}},
    ]}
    order = service_config(glob)["descriptors"][0]
    assert list(order) == ["key", "value", "rate_limit", "descriptors"]
