"""Rate limiting as EnvoyFilters on the gateway pods (built by `manifests.envoy_filter`), and
optionally the ratelimit service (`manifests.ratelimit_service`).

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
from typing import Any

from ingresslib.config.duration import proto_duration
from ingresslib.config.ratelimit import (
    VHOST_PORTS,
    Action,
    Descriptor,
    Global,
    LocalLimit,
    RateLimits,
)
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.envoy_filter import envoy_filter, insert_filter, patch, vhost
from ingresslib.manifests.meta import selector_labels
from ingresslib.manifests.ratelimit_service import (  # noqa: F401 (public names kept here)
    RATELIMIT_IMAGE,
    REDIS_IMAGE,
    service_config,
    service_objects,
)

GLOBAL_PRIORITY = 10
LOCAL_PRIORITY = 20

GLOBAL_FILTER = "envoy.filters.http.ratelimit"
LOCAL_FILTER = "envoy.filters.http.local_ratelimit"
GLOBAL_TYPE = "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit"
LOCAL_TYPE = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"


def ratelimit_objects(
    rl: RateLimits,
    gateway: GatewayWorkload,
    *,
    stack: str,
) -> list[dict[str, Any]]:
    """The ratelimit service's objects when deployed (Namespace, ConfigMap, Redis, ratelimit,
    each with its NetworkPolicy), then the global EnvoyFilter, then the local one.

    The service comes first because the global filter fails closed: apply the EnvoyFilters only
    once the ratelimit Deployment is ready. The service's namespace is labelled for the
    gateway's Istio revision's injector, and the filters select the pods of `gateway` in its
    namespace. Raises ConfigError on a config `RateLimits.problems` refuses, and
    EnvoyConfigError if a patch value is not valid Envoy config.
    """
    gateway_namespace = gateway.namespace
    gateway_selector = selector_labels(gateway)
    revision = gateway.revision
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
            out += service_objects(glob, stack, gateway_namespace, selector, revision)
        out.append(
            envoy_filter(
                f"{stack}-ratelimit-global", gateway_namespace, selector=selector, stack=stack,
                priority=GLOBAL_PRIORITY, patches=_global_patches(glob),
            )
        )
    if rl.local:
        out.append(
            envoy_filter(
                f"{stack}-ratelimit-local", gateway_namespace, selector=selector, stack=stack,
                priority=LOCAL_PRIORITY, patches=_local_patches(rl.local),
            )
        )
    return out


# --------------------------------------------------------------------------- EnvoyFilters


def _global_patches(glob: Global) -> list[dict[str, Any]]:
    """The filter, then the descriptors every host sends, then each host's own."""
    patches = [
        insert_filter(
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
        patches.append(patch("VIRTUAL_HOST", {}, "MERGE", _rate_limits(everywhere)))
    for host in sorted({h for d in glob.descriptors for h in d.hosts}):
        mine = [d for d in glob.descriptors if host in d.hosts]
        patches += [
            patch("VIRTUAL_HOST", vhost(host, port), "MERGE", _rate_limits(mine))
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
    patches = [insert_filter(LOCAL_FILTER, base)]
    for scope, apply_to in (("host", "VIRTUAL_HOST"), ("route", "HTTP_ROUTE")):
        for lim in limits:
            if lim.scope != scope:
                continue
            assert lim.host is not None
            patches += [
                patch(
                    apply_to, vhost(lim.host, port, lim.route), "MERGE",
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
