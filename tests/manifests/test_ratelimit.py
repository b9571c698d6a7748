"""manifests/ratelimit.py: the global and local rate-limit EnvoyFilters, after the ratelimit
service's objects when it is deployed."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib.config.ratelimit import RateLimits
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ConfigError
from ingresslib.manifests.ratelimit import ratelimit_objects

WL = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                     "labels": {"istio": "edge", "a": "b"}, "revision": "1-23"})
SELECTOR = {"a": "b", "istio": "edge"}
LOCAL_TYPE = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"
HCM = {"filterChain": {"filter": {"name": "envoy.filters.network.http_connection_manager",
                                  "subFilter": {"name": "envoy.filters.http.router"}}}}
SERVICE = {"host": "ratelimit.rl.svc.cluster.local"}


def _filter(name: str, priority: int, patches: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter",
            "metadata": {"name": name, "namespace": "edge", "labels": {
                "app.kubernetes.io/managed-by": "ingresslib",
                "app.kubernetes.io/part-of": "shop"}},
            "spec": {"workloadSelector": {"labels": SELECTOR}, "priority": priority,
                     "configPatches": patches}}


def _insert(name: str, typed_config: dict[str, Any]) -> dict[str, Any]:
    return {"applyTo": "HTTP_FILTER", "match": {"context": "GATEWAY", "listener": HCM},
            "patch": {"operation": "INSERT_BEFORE",
                      "value": {"name": name, "typed_config": typed_config}}}


def _merge(apply_to: str, value: dict[str, Any], vhost: str | None = None,
           route: str | None = None) -> dict[str, Any]:
    match: dict[str, Any] = {"context": "GATEWAY"}
    if vhost:
        found: dict[str, Any] = {"name": vhost}
        if route:
            found["route"] = {"name": route}
        match["routeConfiguration"] = {"vhost": found}
    return {"applyTo": apply_to, "match": match, "patch": {"operation": "MERGE", "value": value}}


def _everyone(key: str) -> dict[str, Any]:
    return {"runtime_key": key, "default_value": {"numerator": 100, "denominator": "HUNDRED"}}


def _bucket(prefix: str, tokens: int, fill: int, interval: str, code: int = 429
            ) -> dict[str, Any]:
    return {"@type": LOCAL_TYPE, "stat_prefix": prefix, "status": {"code": code},
            "token_bucket": {"max_tokens": tokens, "tokens_per_fill": fill,
                             "fill_interval": interval},
            "filter_enabled": _everyone("local_rate_limit_enabled"),
            "filter_enforced": _everyone("local_rate_limit_enforced")}


def _rl(**data: Any) -> RateLimits:
    return RateLimits.model_validate(data)


def test_global_and_local_filters() -> None:
    rl = _rl(**{
        "global": {
            "domain": "shop", "failureModeDeny": False, "timeout": "250ms", "service": SERVICE,
            "descriptors": [
                {"actions": [{"remoteAddress": {}}],
                 "limit": {"unit": "minute", "requestsPerUnit": 100}},
                {"hosts": ["b.example.com", "a.example.com"],
                 "actions": [{"requestHeaders": {"header": "x-key", "descriptorKey": "key"}},
                             {"genericKey": {"value": "v"}}],
                 "limit": {"unit": "second", "requestsPerUnit": 5}},
                {"hosts": ["a.example.com"], "actions": [{"genericKey": {"value": "only-a"}}],
                 "limit": {"unit": "hour", "requestsPerUnit": 50}}],
            "deploy": {"namespace": "rl"}},
        "local": [
            {"scope": "route", "host": "a.example.com", "route": "Api", "ports": [443],
             "maxTokens": 5, "tokensPerFill": 5, "fillInterval": "1s", "statusCode": 503},
            {"scope": "gateway", "maxTokens": 1000, "tokensPerFill": 100,
             "fillInterval": "100ms"},
            {"scope": "host", "host": "*.example.com", "maxTokens": 10, "tokensPerFill": 10,
             "fillInterval": "1m"}]})
    objs = ratelimit_objects(rl, WL, stack="shop")
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("Namespace", "rl"), ("ConfigMap", "ratelimit-config"), ("Deployment", "redis"),
        ("Service", "redis"), ("NetworkPolicy", "redis"), ("Deployment", "ratelimit"),
        ("Service", "ratelimit"), ("NetworkPolicy", "ratelimit"),
        ("EnvoyFilter", "shop-ratelimit-global"), ("EnvoyFilter", "shop-ratelimit-local")]
    # The service's namespace is injected by the gateway's revision; only its pods reach it.
    assert objs[0]["metadata"]["labels"]["istio.io/rev"] == "1-23"
    assert objs[1]["metadata"]["labels"]["app.kubernetes.io/part-of"] == "shop"
    assert objs[7]["spec"]["ingress"][0]["from"] == [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "edge"}},
        "podSelector": {"matchLabels": SELECTOR}}]
    both = {"rate_limits": [
        {"actions": [{"request_headers": {"header_name": "x-key", "descriptor_key": "key"}},
                     {"generic_key": {"descriptor_value": "v"}}]},
        {"actions": [{"generic_key": {"descriptor_value": "only-a"}}]}]}
    b_only = {"rate_limits": both["rate_limits"][:1]}
    assert objs[8] == _filter("shop-ratelimit-global", 10, [
        _insert("envoy.filters.http.ratelimit", {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
            "domain": "shop", "failure_mode_deny": False, "timeout": "0.250s",
            "rate_limit_service": {
                "grpc_service": {"envoy_grpc": {
                    "cluster_name": "outbound|8081||ratelimit.rl.svc.cluster.local"}},
                "transport_api_version": "V3"}}),
        _merge("VIRTUAL_HOST", {"rate_limits": [{"actions": [{"remote_address": {}}]}]}),
        _merge("VIRTUAL_HOST", both, "a.example.com:80"),
        _merge("VIRTUAL_HOST", both, "a.example.com:443"),
        _merge("VIRTUAL_HOST", b_only, "b.example.com:80"),
        _merge("VIRTUAL_HOST", b_only, "b.example.com:443"),
    ])
    host = {"typed_per_filter_config": {"envoy.filters.http.local_ratelimit": _bucket(
        "local_ratelimit_host___example_com", 10, 10, "60s")}}
    assert objs[9] == _filter("shop-ratelimit-local", 20, [
        _insert("envoy.filters.http.local_ratelimit",
                _bucket("local_ratelimit_gateway", 1000, 100, "0.100s")),
        _merge("VIRTUAL_HOST", host, "*.example.com:80"),
        _merge("VIRTUAL_HOST", host, "*.example.com:443"),
        _merge("HTTP_ROUTE", {"typed_per_filter_config": {
            "envoy.filters.http.local_ratelimit": _bucket(
                "local_ratelimit_route_a_example_com_Api", 5, 5, "1s", 503)}},
            "a.example.com:443", "Api"),
    ])


def test_without_a_gateway_bucket_the_local_filter_waits_to_be_enabled() -> None:
    rl = _rl(local=[{"scope": "host", "host": "a.example.com", "ports": [80], "maxTokens": 1,
                     "tokensPerFill": 1, "fillInterval": "1s"}])
    (local,) = ratelimit_objects(rl, WL, stack="shop")
    assert local["spec"]["configPatches"][0] == _insert(
        "envoy.filters.http.local_ratelimit",
        {"@type": LOCAL_TYPE, "stat_prefix": "local_ratelimit"})
    assert len(local["spec"]["configPatches"]) == 2


def test_an_own_ratelimit_service_is_asked_not_deployed() -> None:
    rl = _rl(**{"global": {"service": SERVICE, "descriptors": [
        {"hosts": ["a.example.com"], "actions": [{"remoteAddress": {}}]}]}})
    (global_,) = ratelimit_objects(rl, WL, stack="shop")
    patches = global_["spec"]["configPatches"]
    assert patches[0]["patch"]["value"]["typed_config"]["domain"] == "istio-ingress"
    assert patches[0]["patch"]["value"]["typed_config"]["failure_mode_deny"] is True
    assert [p["match"].get("routeConfiguration") for p in patches[1:]] == [
        {"vhost": {"name": "a.example.com:80"}}, {"vhost": {"name": "a.example.com:443"}}]
    assert ratelimit_objects(_rl(), WL, stack="shop") == []


def test_without_a_revision_the_service_namespace_takes_the_default_injector() -> None:
    rl = _rl(**{"global": {"service": SERVICE, "deploy": {"namespace": "rl"}}})
    plain = GatewayWorkload.model_validate({"namespace": "edge"})
    namespace = ratelimit_objects(rl, plain, stack="shop")[0]
    assert namespace["metadata"]["labels"]["istio-injection"] == "enabled"


def test_problems_are_refused_before_anything_renders() -> None:
    rl = _rl(**{"global": {"service": {"host": "ratelimit.edge.svc.cluster.local"},
                           "deploy": {"namespace": "edge"},
                           "descriptors": [{"actions": [{"remoteAddress": {}}]}]}})
    with pytest.raises(ConfigError) as err:
        ratelimit_objects(rl, WL, stack="shop")
    assert [(p.path, p.value, p.message) for p in err.value.problems][-1] == (
        "rateLimits.global.deploy.namespace", "edge",
        "is the gateway's namespace; give the ratelimit service a namespace of its own")
    assert [p.path for p in err.value.problems] == [
        "rateLimits.global.descriptors[0].limit", "rateLimits.global.deploy.namespace"]
    # The gateway's namespace alone is the problem; another namespace renders.
    alone = _rl(**{"global": {"service": {"host": "ratelimit.edge.svc.cluster.local"},
                              "deploy": {"namespace": "edge"}}})
    with pytest.raises(ConfigError) as err:
        ratelimit_objects(alone, WL, stack="shop")
    assert [p.path for p in err.value.problems] == ["rateLimits.global.deploy.namespace"]
    elsewhere = GatewayWorkload.model_validate({"namespace": "other"})
    assert ratelimit_objects(alone, elsewhere, stack="shop")[0]["metadata"]["name"] == "edge"
