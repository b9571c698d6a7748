"""The ratelimit service of global rate limits (envoyproxy/ratelimit and its Redis), deployed
by ingresslib when `rateLimits.global.deploy` is set: its Namespace, ConfigMap (the service's
config, `service_config`), the two Deployments and Services, and a NetworkPolicy for each that
admits only the gateway pods (ratelimit) and ratelimit (Redis).

The rate-limit EnvoyFilters that call it are `ingresslib.manifests.ratelimit`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ingresslib.config.ratelimit import RATELIMIT_GRPC_PORT, Global, Limit
from ingresslib.manifests.meta import (
    MANAGED_BY,
    container_security,
    obj,
    pod_security,
    skip_checks,
)

# envoyproxy/ratelimit publishes no releases, only commit tags: this is the one Istio's sample uses.
RATELIMIT_IMAGE = "envoyproxy/ratelimit:30a4ce1a"
REDIS_IMAGE = "redis:7.4.6-alpine"
RATELIMIT_HTTP_PORT = 8080
REDIS_PORT = 6379
CONFIG_DIR = "/data/ratelimit/config"
UID = 65532
# The sidecar's merged metrics and rewritten health probes, and Envoy's own metrics.
SIDECAR_PORTS = (15020, 15090)

IMAGE_CHECKS = skip_checks(
    {
        "CKV_K8S_43": "pinned to an immutable tag; resolve its digest in your registry mirror, "
        "a render cannot reach the registry",
        "CKV_K8S_15": "the tag is pinned, so IfNotPresent saves a Docker Hub pull (and its "
        "rate limit) on every restart",
    }
)

@dataclass
class _Node:
    """One level of the ratelimit service's nested descriptor lists."""

    limit: Limit | None = None
    children: dict[tuple[str, str | None], _Node] = field(default_factory=dict)


def service_config(glob: Global) -> dict[str, Any]:
    """The ratelimit service's config: each descriptor's entries nest in the order Envoy sends
    them, so descriptors that share leading entries share a branch."""
    root = _Node()
    for desc in glob.descriptors:
        node = root
        for entry in desc.entries():
            node = node.children.setdefault(entry, _Node())
        node.limit = desc.limit
    return {"domain": glob.domain, "descriptors": _config_descriptors(root)}


def _config_descriptors(node: _Node) -> list[dict[str, Any]]:
    out = []
    for (key, value), child in node.children.items():
        item: dict[str, Any] = {"key": key}
        if value is not None:
            item["value"] = value
        if child.limit is not None:
            item["rate_limit"] = {
                "unit": child.limit.unit,
                "requests_per_unit": child.limit.requests_per_unit,
            }
        if child.children:
            item["descriptors"] = _config_descriptors(child)
        out.append(item)
    return out


def service_objects(
    glob: Global,
    stack: str,
    gateway_namespace: str,
    gateway_selector: dict[str, str],
    revision: str | None,
) -> list[dict[str, Any]]:
    deploy = glob.deploy
    assert deploy is not None
    ns = deploy.namespace
    injection = {"istio.io/rev": revision} if revision else {"istio-injection": "enabled"}
    config = yaml.safe_dump(service_config(glob), sort_keys=False)
    redis_env = {"REDIS_SOCKET_TYPE": "tcp", "REDIS_URL": f"redis:{REDIS_PORT}"}
    ratelimit = _container(
        "ratelimit",
        RATELIMIT_IMAGE,
        ports={"http": RATELIMIT_HTTP_PORT, "grpc": RATELIMIT_GRPC_PORT},
        resources=deploy.resources.model_dump(),
        command=["/bin/ratelimit"],
        env={
            **redis_env,
            "USE_STATSD": "false",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "warn",
            "RUNTIME_ROOT": "/data",
            "RUNTIME_SUBDIRECTORY": "ratelimit",
            # Watch the config directory itself: a ConfigMap update swaps its symlink.
            "RUNTIME_WATCH_ROOT": "false",
            "RUNTIME_IGNOREDOTFILES": "true",
        },
        # Ready once Redis answers; alive as long as it serves gRPC, so a Redis outage does
        # not restart it.
        readiness={"httpGet": {"path": "/healthcheck", "port": RATELIMIT_HTTP_PORT}},
        liveness={"tcpSocket": {"port": RATELIMIT_GRPC_PORT}},
        mounts=[{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}],
    )
    redis = _container(
        "redis",
        REDIS_IMAGE,
        ports={"redis": REDIS_PORT},
        resources=deploy.redis_resources.model_dump(),
        # Counters live in memory only: nothing to persist, so nothing to save.
        command=["redis-server", "--save", "", "--appendonly", "no"],
        readiness={"exec": {"command": ["redis-cli", "ping"]}},
        liveness={"exec": {"command": ["redis-cli", "ping"]}},
        mounts=[{"name": "data", "mountPath": "/data"}],
    )
    return [
        obj("v1", "Namespace", ns, labels={**MANAGED_BY, **injection}),
        obj(
            "v1", "ConfigMap", "ratelimit-config", ns,
            labels=_labels("ratelimit", stack), data={"config.yaml": config},
        ),
        _deployment(
            "redis", ns, stack, 1, redis,
            volumes=[{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}}],
        ),
        _service("redis", ns, stack, [("tcp-redis", REDIS_PORT)]),
        _network_policy("redis", ns, stack, REDIS_PORT, [{"podSelector": _match("ratelimit")}]),
        _deployment(
            "ratelimit", ns, stack, deploy.replicas, ratelimit,
            volumes=[{"name": "config", "configMap": {"name": "ratelimit-config"}}],
            # Holds ratelimit until its sidecar can carry the connection to Redis.
            annotations={"proxy.istio.io/config": '{"holdApplicationUntilProxyStarts":true}'},
        ),
        _service(
            "ratelimit", ns, stack,
            [("http-ratelimit", RATELIMIT_HTTP_PORT), ("grpc-ratelimit", RATELIMIT_GRPC_PORT)],
        ),
        _network_policy(
            "ratelimit", ns, stack, RATELIMIT_GRPC_PORT,
            [{
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": gateway_namespace}
                },
                "podSelector": {"matchLabels": gateway_selector},
            }],
        ),
    ]


def _labels(app: str, stack: str) -> dict[str, str]:
    return {
        **MANAGED_BY,
        "app": app,
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": stack,
    }


def _match(app: str) -> dict[str, Any]:
    return {"matchLabels": {"app": app}}


def _container(
    name: str,
    image: str,
    *,
    ports: dict[str, int],
    resources: dict[str, Any],
    command: list[str],
    readiness: dict[str, Any],
    liveness: dict[str, Any],
    mounts: list[dict[str, Any]],
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
    }
    if env:
        container["env"] = [{"name": k, "value": v} for k, v in env.items()]
    return container | {
        "ports": [
            {"name": port_name, "containerPort": number, "protocol": "TCP"}
            for port_name, number in ports.items()
        ],
        "readinessProbe": {**readiness, "periodSeconds": 5, "failureThreshold": 2},
        "livenessProbe": {**liveness, "periodSeconds": 10, "failureThreshold": 3},
        "resources": resources,
        "securityContext": container_security(UID),
        "volumeMounts": mounts,
    }


def _deployment(
    app: str,
    namespace: str,
    stack: str,
    replicas: int,
    container: dict[str, Any],
    *,
    volumes: list[dict[str, Any]],
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    template: dict[str, Any] = {"labels": {"app": app, "app.kubernetes.io/part-of": stack}}
    if annotations:
        template["annotations"] = annotations
    spec = {
        "replicas": replicas,
        "selector": _match(app),
        # Up before down: with failure_mode_deny, a gap in either service fails requests.
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
        },
        "template": {
            "metadata": template,
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": pod_security(UID),
                "topologySpreadConstraints": [
                    {
                        "maxSkew": 1,
                        "topologyKey": "kubernetes.io/hostname",
                        "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": _match(app),
                    }
                ],
                "containers": [container],
                "volumes": volumes,
            },
        },
    }
    return obj(
        "apps/v1", "Deployment", app, namespace,
        labels=_labels(app, stack), annotations=IMAGE_CHECKS, spec=spec,
    )


def _service(app: str, namespace: str, stack: str, ports: list[tuple[str, int]]) -> dict[str, Any]:
    """Port names carry the protocol Istio gives each port (grpc: HTTP/2 for Envoy's client)."""
    return obj(
        "v1", "Service", app, namespace,
        labels=_labels(app, stack),
        spec={
            "selector": {"app": app},
            "ports": [
                {"name": name, "port": number, "targetPort": number, "protocol": "TCP"}
                for name, number in ports
            ],
        },
    )


def _network_policy(
    app: str, namespace: str, stack: str, port: int, sources: list[dict[str, Any]]
) -> dict[str, Any]:
    """Only its one client reaches the port (Redis has no password); any namespace may scrape
    the sidecar and run the probes Istio rewrites onto it."""
    return obj(
        "networking.k8s.io/v1", "NetworkPolicy", app, namespace,
        labels=_labels(app, stack),
        spec={
            "podSelector": _match(app),
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": sources, "ports": [{"port": port, "protocol": "TCP"}]},
                {
                    "from": [{"namespaceSelector": {}}],
                    "ports": [{"port": p, "protocol": "TCP"} for p in SIDECAR_PORTS],
                },
            ],
        },
    )
