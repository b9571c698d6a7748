"""Rate limiting as EnvoyFilters on the gateway pods, and optionally the ratelimit service.

Both filters go in just before the router. Istio applies EnvoyFilters in ascending `priority`,
so the global filter's (GLOBAL_PRIORITY) is inserted first and the local one lands after it:

    ... Istio's filters, envoy.filters.http.ratelimit, envoy.filters.http.local_ratelimit, router

The global check sees every request that reaches the edge, so the shared counters measure the
offered load, not what one pod let through; size the ratelimit service for that load. The local
bucket then caps what each pod passes upstream. Both priorities sit after the default 0, so
EnvoyFilters that do not set one keep their place ahead of the limits.

Every patch value is parsed with Envoy's API (ingresslib.envoy) as it is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ingresslib.config.duration import proto_duration
from ingresslib.config.ratelimit import (
    RATELIMIT_GRPC_PORT,
    VHOST_PORTS,
    Action,
    Descriptor,
    Global,
    Limit,
    LocalLimit,
    RateLimits,
)
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.meta import (
    MANAGED_BY,
    container_security,
    obj,
    pod_security,
    skip_checks,
)

API_VERSION = "networking.istio.io/v1alpha3"
GLOBAL_PRIORITY = 10
LOCAL_PRIORITY = 20

HCM = "envoy.filters.network.http_connection_manager"
ROUTER = "envoy.filters.http.router"
GLOBAL_FILTER = "envoy.filters.http.ratelimit"
LOCAL_FILTER = "envoy.filters.http.local_ratelimit"
GLOBAL_TYPE = "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit"
LOCAL_TYPE = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"

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


def ratelimit_objects(
    rl: RateLimits,
    *,
    stack: str,
    gateway_namespace: str,
    gateway_selector: dict[str, str],
    revision: str | None = None,
) -> list[dict[str, Any]]:
    """The ratelimit service's objects when deployed (Namespace, ConfigMap, Redis, ratelimit,
    each with its NetworkPolicy), then the global EnvoyFilter, then the local one.

    The service comes first because the global filter fails closed: apply the EnvoyFilters only
    once the ratelimit Deployment is ready. `revision` labels the namespace for that Istio
    revision's injector. Raises ConfigError on a config `RateLimits.problems` refuses, and
    EnvoyConfigError if a patch value is not valid Envoy config.
    """
    problems = list(rl.problems("rateLimits"))
    glob = rl.global_
    if glob is not None and glob.deploy is not None and glob.deploy.namespace == gateway_namespace:
        problems.append(
            Problem(
                "rateLimits.global.deploy.namespace",
                glob.deploy.namespace,
                "is the gateway's namespace; give the ratelimit service a namespace of its own",
            )
        )
    if problems:
        raise ConfigError(problems)
    selector = dict(sorted(gateway_selector.items()))
    out: list[dict[str, Any]] = []
    if glob is not None:
        if glob.deploy is not None:
            out += _service_objects(glob, stack, gateway_namespace, selector, revision)
        out.append(
            _envoy_filter(
                f"{stack}-ratelimit-global", gateway_namespace, selector=selector, stack=stack,
                priority=GLOBAL_PRIORITY, patches=_global_patches(glob),
            )
        )
    if rl.local:
        out.append(
            _envoy_filter(
                f"{stack}-ratelimit-local", gateway_namespace, selector=selector, stack=stack,
                priority=LOCAL_PRIORITY, patches=_local_patches(rl.local),
            )
        )
    return out


# --------------------------------------------------------------------------- EnvoyFilters


def _envoy_filter(
    name: str,
    namespace: str,
    *,
    selector: dict[str, str],
    stack: str,
    priority: int,
    patches: list[dict[str, Any]],
) -> dict[str, Any]:
    # Deferred: Envoy's generated classes take a fifth of a second to import, paid only by
    # stacks that render rate limits.
    from ingresslib.envoy import validate_patch_value  # noqa: PLC0415

    for patch in patches:
        validate_patch_value(patch["applyTo"], patch["patch"]["value"])
    return obj(
        API_VERSION, "EnvoyFilter", name, namespace,
        labels={**MANAGED_BY, "app.kubernetes.io/part-of": stack},
        spec={
            "workloadSelector": {"labels": selector},
            "priority": priority,
            "configPatches": patches,
        },
    )


def _patch(
    apply_to: str, match: dict[str, Any], operation: str, value: dict[str, Any]
) -> dict[str, Any]:
    return {
        "applyTo": apply_to,
        "match": {"context": "GATEWAY", **match},
        "patch": {"operation": operation, "value": value},
    }


def _insert_filter(name: str, typed_config: dict[str, Any]) -> dict[str, Any]:
    """Into every HTTP connection manager on the gateway, just before the router."""
    match = {"listener": {"filterChain": {"filter": {"name": HCM, "subFilter": {"name": ROUTER}}}}}
    return _patch(
        "HTTP_FILTER", match, "INSERT_BEFORE", {"name": name, "typed_config": typed_config}
    )


def _vhost(host: str, port: int, route: str | None = None) -> dict[str, Any]:
    vhost: dict[str, Any] = {"name": f"{host}:{port}"}
    if route is not None:
        vhost["route"] = {"name": route}
    return {"routeConfiguration": {"vhost": vhost}}


def _global_patches(glob: Global) -> list[dict[str, Any]]:
    """The filter, then the descriptors every host sends, then each host's own."""
    patches = [
        _insert_filter(
            GLOBAL_FILTER,
            {
                "@type": GLOBAL_TYPE,
                "domain": glob.domain,
                "failure_mode_deny": glob.failure_mode_deny,
                "timeout": proto_duration(glob.timeout),
                "rate_limit_service": {
                    "grpc_service": {"envoy_grpc": {"cluster_name": glob.service.cluster_name()}},
                    "transport_api_version": "V3",
                },
            },
        )
    ]
    everywhere = [d for d in glob.descriptors if not d.hosts]
    if everywhere:
        patches.append(_patch("VIRTUAL_HOST", {}, "MERGE", _rate_limits(everywhere)))
    for host in sorted({h for d in glob.descriptors for h in d.hosts}):
        mine = [d for d in glob.descriptors if host in d.hosts]
        patches += [
            _patch("VIRTUAL_HOST", _vhost(host, port), "MERGE", _rate_limits(mine))
            for port in VHOST_PORTS
        ]
    return patches


def _rate_limits(descriptors: list[Descriptor]) -> dict[str, Any]:
    """MERGE appends to the virtual host's rate_limits, so all-host and per-host entries add."""
    return {"rate_limits": [{"actions": [_action(a) for a in d.actions]} for d in descriptors]}


def _action(action: Action) -> dict[str, Any]:
    if action.request_headers is not None:
        return {
            "request_headers": {
                "header_name": action.request_headers.header,
                "descriptor_key": action.request_headers.descriptor_key,
            }
        }
    if action.generic_key is not None:
        return {"generic_key": {"descriptor_value": action.generic_key.value}}
    return {"remote_address": {}}


def _local_patches(limits: list[LocalLimit]) -> list[dict[str, Any]]:
    """The filter (holding the gateway-wide bucket, if any; else disabled until a virtual host or
    route config enables it), then host buckets, then route buckets, in config order."""
    gateway = next((lim for lim in limits if lim.scope == "gateway"), None)
    base = _bucket(gateway) if gateway else {"@type": LOCAL_TYPE, "stat_prefix": "local_ratelimit"}
    patches = [_insert_filter(LOCAL_FILTER, base)]
    for scope, apply_to in (("host", "VIRTUAL_HOST"), ("route", "HTTP_ROUTE")):
        for lim in limits:
            if lim.scope != scope:
                continue
            assert lim.host is not None
            patches += [
                _patch(
                    apply_to, _vhost(lim.host, port, lim.route), "MERGE",
                    {"typed_per_filter_config": {LOCAL_FILTER: _bucket(lim)}},
                )
                for port in lim.ports
            ]
    return patches


def _bucket(limit: LocalLimit) -> dict[str, Any]:
    """Istio's documented local rate limit: a token bucket, enabled and enforced for all."""
    target = "_".join(p for p in (limit.scope, limit.host, limit.route) if p)
    return {
        "@type": LOCAL_TYPE,
        "stat_prefix": "local_ratelimit_" + re.sub(r"[^A-Za-z0-9_]", "_", target),
        "status": {"code": limit.status_code},
        "token_bucket": {
            "max_tokens": limit.max_tokens,
            "tokens_per_fill": limit.tokens_per_fill,
            "fill_interval": proto_duration(limit.fill_interval),
        },
        "filter_enabled": _everyone("local_rate_limit_enabled"),
        "filter_enforced": _everyone("local_rate_limit_enforced"),
    }


def _everyone(runtime_key: str) -> dict[str, Any]:
    return {
        "runtime_key": runtime_key,
        "default_value": {"numerator": 100, "denominator": "HUNDRED"},
    }


# --------------------------------------------------------------------------- ratelimit service


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


def _service_objects(
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
