"""Rate limiting: each config rule refuses what Envoy or the ratelimit service would not do, the
EnvoyFilters carry what Envoy's API accepts, and what renders is valid Kubernetes and Istio."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ingresslib import envoy
from ingresslib.config.ratelimit import RateLimits, ratelimit_problems
from ingresslib.config.workload import GatewayWorkload
from ingresslib.envoy import EnvoyConfigError, message_class, validate_patch_value
from ingresslib.errors import ConfigError
from ingresslib.manifests import ratelimit as manifests
from ingresslib.manifests.ratelimit import (
    GLOBAL_FILTER,
    GLOBAL_TYPE,
    LOCAL_FILTER,
    LOCAL_TYPE,
    ratelimit_objects,
)
from tests.harness.validate import ManifestValidator

GATEWAY_NS = "istio-ingress"
SELECTOR = {"istio": "ingressgateway", "app": "istio-ingressgateway"}
SERVICE_HOST = "ratelimit.ratelimit.svc.cluster.local"
SERVED = {"shop.example.com", "api.example.com"}
ROUTES = {"shop.example.com": {"checkout", "catalog"}, "api.example.com": {"v1"}}

# Seed 001's filter: domain istio-ingress, failing closed; the service is what Envoy also needs.
SEED: dict[str, Any] = {"global": {"service": {"host": SERVICE_HOST}}}
LOCAL: list[dict[str, Any]] = [
    {"scope": "gateway", "maxTokens": 1000, "tokensPerFill": 500, "fillInterval": "1s"},
    {"scope": "host", "host": "shop.example.com", "maxTokens": 200, "tokensPerFill": 100,
     "fillInterval": "1s"},
    {"scope": "route", "host": "shop.example.com", "route": "checkout", "ports": [443],
     "maxTokens": 10, "tokensPerFill": 5, "fillInterval": "500ms", "statusCode": 503},
]
DESCRIPTORS: list[dict[str, Any]] = [
    {"actions": [{"remoteAddress": {}}], "limit": {"unit": "minute", "requestsPerUnit": 600}},
    {"hosts": ["api.example.com"],
     "actions": [{"requestHeaders": {"header": "x-api-key", "descriptorKey": "api_key"}}],
     "limit": {"unit": "second", "requestsPerUnit": 50}},
    {"hosts": ["api.example.com"],
     "actions": [{"remoteAddress": {}}, {"genericKey": {"value": "api"}}],
     "limit": {"unit": "hour", "requestsPerUnit": 5000}},
]
FULL: dict[str, Any] = {
    "local": LOCAL,
    "global": {"service": {"host": SERVICE_HOST}, "descriptors": DESCRIPTORS, "deploy": {}},
}
SEED_VALUE: dict[str, Any] = {
    "name": "envoy.filters.http.ratelimit",
    "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
        "domain": "istio-ingress",
        "failure_mode_deny": True,
        "rate_limit_service": {
            "grpc_service": {"envoy_grpc": {"cluster_name": f"outbound|8081||{SERVICE_HOST}"}},
            "transport_api_version": "V3",
        },
    },
}


def _rl(data: dict[str, Any]) -> RateLimits:
    return RateLimits.model_validate(copy.deepcopy(data))


def _render(data: dict[str, Any], revision: str | None = None) -> list[dict[str, Any]]:
    gateway = GatewayWorkload(namespace=GATEWAY_NS, labels=SELECTOR, revision=revision)
    return ratelimit_objects(_rl(data), gateway, stack="ingress")


def _problems(data: dict[str, Any]) -> dict[str, str]:
    rl = _rl(data)
    found = [*rl.problems("rateLimits"), *ratelimit_problems(rl, SERVED, ROUTES)]
    return {p.path: p.message for p in found}


def _filters(objs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == "EnvoyFilter"}


def _patches(objs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    patches: list[dict[str, Any]] = _filters(objs)[name]["spec"]["configPatches"]
    return patches


def _get(objs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


# --------------------------------------------------------------------------- config rules


def test_valid_configs_have_no_problems() -> None:
    assert _problems(FULL) == {}
    assert _problems(SEED) == {}
    assert _problems({}) == {}


def test_global_key_spellings() -> None:
    assert _rl({"global": SEED["global"]}).global_ == _rl({"global_": SEED["global"]}).global_
    glob = _rl(SEED).global_
    assert glob is not None
    assert (glob.domain, glob.failure_mode_deny, glob.timeout) == ("istio-ingress", True, "100ms")
    assert glob.service.port == 8081


def _local(i: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    data["local"][i].update(changes)
    data["local"][i] = {k: v for k, v in data["local"][i].items() if v is not None}
    return data


def _glob(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    data["global"].update(changes)
    return data


def _descriptor(i: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    data["global"]["descriptors"][i].update(changes)
    data["global"]["descriptors"][i] = {
        k: v for k, v in data["global"]["descriptors"][i].items() if v is not None
    }
    return data


LOCAL_0 = "rateLimits.local[0]"
LOCAL_1 = "rateLimits.local[1]"
LOCAL_2 = "rateLimits.local[2]"
GLOBAL = "rateLimits.global"


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        (_local(0, host="shop.example.com"), f"{LOCAL_0}.host", "takes no host"),
        (_local(0, route="checkout"), f"{LOCAL_0}.route", "takes no route"),
        (_local(0, ports=[80]), f"{LOCAL_0}.ports", "every listener"),
        (_local(1, host=None), f"{LOCAL_1}.host", "needs a host"),
        (_local(1, route="checkout"), f"{LOCAL_1}.route", "takes no route"),
        (_local(2, route=None), f"{LOCAL_2}.route", "needs a route"),
        (_local(2, host=None), f"{LOCAL_2}.host", "needs a host"),
        (_local(1, tokensPerFill=201), f"{LOCAL_1}.tokensPerFill", "<= maxTokens"),
        (_local(1, fillInterval="20ms"), f"{LOCAL_1}.fillInterval", "50ms"),
        (_local(1, ports=[8080]), f"{LOCAL_1}.ports", "HTTP on 80"),
        (_local(1, ports=[]), f"{LOCAL_1}.ports", "at least one"),
        (_local(1, ports=[80, 80]), f"{LOCAL_1}.ports", "twice"),
        (_local(1, scope="gateway", host=None), f"{LOCAL_1}.scope", "same gateway"),
        (_local(2, scope="host", route=None, ports=[443]), f"{LOCAL_2}.scope",
         "same host as local[1]"),
        (_local(1, host="blog.example.com"), f"{LOCAL_1}.host", "no listener serves it"),
        (_local(2, route="cart"), f"{LOCAL_2}.route", "no route by that name"),
        (_local(2, host="api.example.com"), f"{LOCAL_2}.route", "no route by that name"),
        (_descriptor(0, limit=None), f"{GLOBAL}.descriptors[0].limit", "needs a limit"),
        (_glob(deploy=None), f"{GLOBAL}.descriptors[0].limit", "only the deployed"),
        (_glob(service={"host": "ratelimit.limits.svc.cluster.local"}),
         f"{GLOBAL}.service.host", "use ratelimit.ratelimit.svc.cluster.local"),
        (_glob(service={"host": SERVICE_HOST, "port": 9000}), f"{GLOBAL}.service.port", "8081"),
        (_glob(deploy={"namespace": "limits"}), f"{GLOBAL}.service.host",
         "use ratelimit.limits.svc.cluster.local"),
        (_descriptor(2, actions=[{"requestHeaders": {"header": "x-api-key",
                                                     "descriptorKey": "api_key"}}]),
         f"{GLOBAL}.descriptors[2].actions", "same descriptor as descriptors[1]"),
        (_descriptor(1, hosts=["api.example.com", "api.example.com"]),
         f"{GLOBAL}.descriptors[1].hosts", "twice"),
        (_descriptor(1, hosts=["blog.example.com"]), f"{GLOBAL}.descriptors[1].hosts[0]",
         "no listener serves it"),
        (_glob(deploy={"resources": {"requests": {"cpu": "2", "memory": "64Mi"},
                                     "limits": {"cpu": "1", "memory": "256Mi"}}}),
         f"{GLOBAL}.deploy.resources.requests.cpu", "exceeds the limit"),
    ],
)
def test_each_rule_triggers_at_its_path(data: dict[str, Any], path: str, words: str) -> None:
    problems = _problems(data)
    assert path in problems, problems
    assert words in problems[path]


def test_same_host_on_different_ports_is_two_buckets() -> None:
    data = copy.deepcopy(FULL)
    data["local"][1]["ports"] = [80]
    data["local"].append({**data["local"][1], "ports": [443]})
    assert _problems(data) == {}


@pytest.mark.parametrize(
    "local",
    [
        {"scope": "host", "host": "a", "maxTokens": 1, "tokensPerFill": 1, "fillInterval": "1 s"},
        {"scope": "host", "host": "a", "maxTokens": 1, "tokensPerFill": 1, "fillInterval": "0ms"},
        {"scope": "host", "host": "a", "maxTokens": 0, "tokensPerFill": 1, "fillInterval": "1s"},
        {"scope": "host", "host": "a", "maxTokens": 1, "tokensPerFill": 1, "fillInterval": "1s",
         "statusCode": 200},
        {"scope": "host", "host": "a", "maxTokens": 1, "tokensPerFill": 1, "fillInterval": "1s",
         "statusCode": 430},
        {"scope": "site", "maxTokens": 1, "tokensPerFill": 1, "fillInterval": "1s"},
    ],
)
def test_invalid_local_fields_fail_to_load(local: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _rl({"local": [local]})


@pytest.mark.parametrize(
    "action",
    [
        {},
        {"remoteAddress": {}, "genericKey": {"value": "x"}},
        {"requestHeaders": {"header": "X-Api-Key", "descriptorKey": "k"}},
        {"genericKey": {"value": ""}},
    ],
)
def test_invalid_actions_fail_to_load(action: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _rl({"global": {"service": {"host": SERVICE_HOST}, "descriptors": [{"actions": [action]}]}})


def test_render_refuses_what_the_rules_refuse() -> None:
    with pytest.raises(ConfigError) as err:
        _render(_local(1, tokensPerFill=500))
    assert [p.path for p in err.value.problems] == [f"{LOCAL_1}.tokensPerFill"]
    data = _glob(deploy={"namespace": GATEWAY_NS},
                 service={"host": f"ratelimit.{GATEWAY_NS}.svc.cluster.local"})
    with pytest.raises(ConfigError) as err:
        _render(data)
    assert [p.path for p in err.value.problems] == [f"{GLOBAL}.deploy.namespace"]


# --------------------------------------------------------------------------- EnvoyFilters


def test_seed_global_rate_limit() -> None:
    objs = _render(SEED)
    assert [o["kind"] for o in objs] == ["EnvoyFilter"]
    (patch,) = _patches(objs, "ingress-ratelimit-global")
    assert patch["applyTo"] == "HTTP_FILTER"
    assert patch["match"]["context"] == "GATEWAY"
    assert patch["match"]["listener"]["filterChain"]["filter"]["subFilter"] == {
        "name": "envoy.filters.http.router"
    }
    assert patch["patch"]["operation"] == "INSERT_BEFORE"
    value = patch["patch"]["value"]
    assert value["name"] == GLOBAL_FILTER == "envoy.filters.http.ratelimit"
    config = value["typed_config"]
    assert config["@type"] == GLOBAL_TYPE
    assert config["domain"] == "istio-ingress"
    assert config["failure_mode_deny"] is True
    # Seed 001 waited 20 ms, failing closed: a slow call failed the request (EDGE-RL-FAIL).
    assert config["timeout"] == "0.100s"
    assert config["rate_limit_service"] == {
        "grpc_service": {"envoy_grpc": {"cluster_name": f"outbound|8081||{SERVICE_HOST}"}},
        "transport_api_version": "V3",
    }


def test_global_descriptors_attach_to_virtual_hosts() -> None:
    patches = _patches(_render(FULL), "ingress-ratelimit-global")[1:]
    assert [(p["applyTo"], p["patch"]["operation"]) for p in patches] == [
        ("VIRTUAL_HOST", "MERGE")
    ] * 3
    everywhere, *api = patches
    assert everywhere["match"] == {"context": "GATEWAY"}
    assert everywhere["patch"]["value"] == {"rate_limits": [{"actions": [{"remote_address": {}}]}]}
    assert [p["match"]["routeConfiguration"]["vhost"]["name"] for p in api] == [
        "api.example.com:80", "api.example.com:443"
    ]
    assert api[0]["patch"]["value"]["rate_limits"] == [
        {"actions": [{"request_headers": {"header_name": "x-api-key",
                                          "descriptor_key": "api_key"}}]},
        {"actions": [{"remote_address": {}}, {"generic_key": {"descriptor_value": "api"}}]},
    ]


def test_local_gateway_scope_is_the_filters_own_bucket() -> None:
    (patch,) = _patches(_render({"local": [LOCAL[0]]}), "ingress-ratelimit-local")
    assert patch["applyTo"] == "HTTP_FILTER"
    assert patch["patch"]["operation"] == "INSERT_BEFORE"
    assert patch["patch"]["value"]["name"] == LOCAL_FILTER
    config = patch["patch"]["value"]["typed_config"]
    assert config["@type"] == LOCAL_TYPE
    assert config["token_bucket"] == {"max_tokens": 1000, "tokens_per_fill": 500,
                                      "fill_interval": "1s"}
    assert config["status"] == {"code": 429}
    for key in ("filter_enabled", "filter_enforced"):
        assert config[key]["default_value"] == {"numerator": 100, "denominator": "HUNDRED"}


def test_local_host_and_route_scopes_patch_their_virtual_hosts_and_routes() -> None:
    base, *rest = _patches(_render({"local": LOCAL[1:]}), "ingress-ratelimit-local")
    # No gateway-wide limit: the filter is installed but disabled until a host or route enables it.
    assert base["patch"]["value"]["typed_config"] == {"@type": LOCAL_TYPE,
                                                      "stat_prefix": "local_ratelimit"}
    assert [(p["applyTo"], p["patch"]["operation"], p["match"]) for p in rest] == [
        ("VIRTUAL_HOST", "MERGE",
         {"context": "GATEWAY", "routeConfiguration": {"vhost": {"name": "shop.example.com:80"}}}),
        ("VIRTUAL_HOST", "MERGE",
         {"context": "GATEWAY", "routeConfiguration": {"vhost": {"name": "shop.example.com:443"}}}),
        ("HTTP_ROUTE", "MERGE",
         {"context": "GATEWAY", "routeConfiguration": {
             "vhost": {"name": "shop.example.com:443", "route": {"name": "checkout"}}}}),
    ]
    route = rest[2]["patch"]["value"]["typed_per_filter_config"][LOCAL_FILTER]
    assert route["token_bucket"] == {"max_tokens": 10, "tokens_per_fill": 5,
                                     "fill_interval": "0.500s"}
    assert route["status"] == {"code": 503}
    host = rest[0]["patch"]["value"]["typed_per_filter_config"][LOCAL_FILTER]
    assert host["stat_prefix"] != route["stat_prefix"]


def test_priorities_are_explicit_and_put_global_first() -> None:
    objs = _render(FULL)
    filters = [o for o in objs if o["kind"] == "EnvoyFilter"]
    assert [o["metadata"]["name"] for o in filters] == [
        "ingress-ratelimit-global", "ingress-ratelimit-local"
    ]
    priorities = [o["spec"]["priority"] for o in filters]
    assert all(isinstance(p, int) for p in priorities)
    assert priorities[0] < priorities[1]
    assert all(p > 0 for p in priorities)  # after EnvoyFilters at the default priority
    for o in filters:
        assert o["metadata"]["namespace"] == GATEWAY_NS
        assert o["spec"]["workloadSelector"] == {"labels": SELECTOR}


def test_every_patch_is_checked_with_envoys_api(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(envoy, "validate_patch_value", lambda a, v: seen.append((a, v)))
    objs = _render(FULL)
    rendered = [
        (p["applyTo"], p["patch"]["value"])
        for o in objs if o["kind"] == "EnvoyFilter" for p in o["spec"]["configPatches"]
    ]
    assert seen == rendered
    assert len(rendered) == 1 + 3 + 1 + 3


def test_a_value_envoy_refuses_is_never_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests, "LOCAL_TYPE", LOCAL_TYPE + "s")
    with pytest.raises(EnvoyConfigError, match="LocalRateLimits"):
        _render({"local": LOCAL})


# --------------------------------------------------------------------------- ratelimit service


def test_deploy_renders_the_service_in_order() -> None:
    objs = _render(FULL)
    assert [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objs] == [
        ("Namespace", None, "ratelimit"),
        ("ConfigMap", "ratelimit", "ratelimit-config"),
        ("Deployment", "ratelimit", "redis"),
        ("Service", "ratelimit", "redis"),
        ("NetworkPolicy", "ratelimit", "redis"),
        ("Deployment", "ratelimit", "ratelimit"),
        ("Service", "ratelimit", "ratelimit"),
        ("NetworkPolicy", "ratelimit", "ratelimit"),
        ("EnvoyFilter", GATEWAY_NS, "ingress-ratelimit-global"),
        ("EnvoyFilter", GATEWAY_NS, "ingress-ratelimit-local"),
    ]
    assert objs[0]["metadata"]["labels"]["istio-injection"] == "enabled"
    revisioned = _render(FULL, revision="1-24")[0]["metadata"]["labels"]
    assert revisioned["istio.io/rev"] == "1-24"
    assert "istio-injection" not in revisioned


def test_configmap_holds_a_limit_for_every_descriptor_sent() -> None:
    objs = _render(FULL)
    config = yaml.safe_load(_get(objs, "ConfigMap", "ratelimit-config")["data"]["config.yaml"])
    assert config == {
        "domain": "istio-ingress",
        "descriptors": [
            {"key": "remote_address", "rate_limit": {"unit": "minute", "requests_per_unit": 600},
             "descriptors": [{"key": "generic_key", "value": "api",
                              "rate_limit": {"unit": "hour", "requests_per_unit": 5000}}]},
            {"key": "api_key", "rate_limit": {"unit": "second", "requests_per_unit": 50}},
        ],
    }
    sent = [
        rate_limit["actions"]
        for p in _patches(objs, "ingress-ratelimit-global")[1:]
        for rate_limit in p["patch"]["value"]["rate_limits"]
    ]
    for actions in sent:
        level, node = config["descriptors"], None
        for action in actions:
            key, value = _entry(action)
            node = next(d for d in level if d["key"] == key and d.get("value") == value)
            level = node.get("descriptors", [])
        assert node is not None
        assert "rate_limit" in node, actions


def _entry(action: dict[str, Any]) -> tuple[str, str | None]:
    """The (key, value) the ratelimit service matches, as Envoy builds it from an action."""
    if "request_headers" in action:
        return action["request_headers"]["descriptor_key"], None
    if "generic_key" in action:
        return "generic_key", action["generic_key"]["descriptor_value"]
    return "remote_address", None


def test_ratelimit_deployment_and_service() -> None:
    objs = _render(FULL)
    svc = _get(objs, "Service", "ratelimit")
    ports = {p["name"]: p["port"] for p in svc["spec"]["ports"]}
    assert ports == {"grpc-ratelimit": 8081, "http-ratelimit": 8080}
    host = f"{svc['metadata']['name']}.{svc['metadata']['namespace']}.svc.cluster.local"
    config = _patches(objs, "ingress-ratelimit-global")[0]["patch"]["value"]["typed_config"]
    cluster = config["rate_limit_service"]["grpc_service"]["envoy_grpc"]["cluster_name"]
    assert cluster == f"outbound|{ports['grpc-ratelimit']}||{host}"

    pod = _get(objs, "Deployment", "ratelimit")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"].startswith("envoyproxy/ratelimit:")
    assert container["image"].rsplit(":", 1)[1] not in ("latest", "master")
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["REDIS_URL"] == "redis:6379"
    assert (env["USE_STATSD"], env["RUNTIME_ROOT"], env["RUNTIME_SUBDIRECTORY"],
            env["RUNTIME_WATCH_ROOT"]) == ("false", "/data", "ratelimit", "false")
    mount = next(m for m in container["volumeMounts"] if m["name"] == "config")
    assert mount["mountPath"] == "/data/ratelimit/config"
    assert {"readinessProbe", "livenessProbe", "resources"} <= container.keys()
    _assert_hardened(pod, container)
    assert _get(objs, "Deployment", "ratelimit")["spec"]["replicas"] == 2


def test_redis_is_hardened_with_a_writable_data_dir() -> None:
    objs = _render(FULL)
    pod = _get(objs, "Deployment", "redis")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"].startswith("redis:")
    assert container["image"].rsplit(":", 1)[1] != "latest"
    (mount,) = container["volumeMounts"]
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert mount["mountPath"] == "/data"
    assert "emptyDir" in volume
    _assert_hardened(pod, container)
    svc = _get(objs, "Service", "redis")
    assert [(p["name"], p["port"]) for p in svc["spec"]["ports"]] == [("tcp-redis", 6379)]
    policy = _get(objs, "NetworkPolicy", "redis")["spec"]["ingress"][0]
    assert policy["from"] == [{"podSelector": {"matchLabels": {"app": "ratelimit"}}}]


def _assert_hardened(pod: dict[str, Any], container: dict[str, Any]) -> None:
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    ctx = container["securityContext"]
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["runAsNonRoot"] is True
    assert ctx["runAsUser"] >= 10000
    assert ctx["capabilities"] == {"drop": ["ALL"]}


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize("data", [SEED, FULL, {"local": LOCAL}], ids=["seed", "full", "local"])
def test_every_object_is_valid(validator: ManifestValidator, data: dict[str, Any]) -> None:
    for obj in _render(data):
        assert validator.errors(obj) == [], obj["metadata"]["name"]


def test_rendering_twice_is_identical() -> None:
    first, second = _render(FULL), _render(FULL)
    assert json.dumps(first, sort_keys=False) == json.dumps(second, sort_keys=False)
    first[-1]["spec"]["configPatches"][1]["patch"]["value"].clear()
    assert first[-1] != second[-1]  # no value is shared between patches or renders
    assert _render(FULL) == second


# --------------------------------------------------------------------------- Envoy's API


def test_seed_value_passes() -> None:
    validate_patch_value("HTTP_FILTER", SEED_VALUE)


def test_rate_limits_on_a_virtual_host_pass() -> None:
    validate_patch_value(
        "VIRTUAL_HOST",
        {"rate_limits": [{"actions": [{"remote_address": {}},
                                      {"generic_key": {"descriptor_value": "x"}}]}]},
    )


def _seed_with(**changes: Any) -> dict[str, Any]:
    value = copy.deepcopy(SEED_VALUE)
    value["typed_config"].update(changes)
    return value


@pytest.mark.parametrize(
    ("apply_to", "value", "words"),
    [
        ("HTTP_FILTER", _seed_with(failure_mode_deni=True),
         "typed_config.failure_mode_deni: envoy.extensions.filters.http.ratelimit.v3.RateLimit "
         "has no field 'failure_mode_deni'; did you mean 'failure_mode_deny'?"),
        ("HTTP_FILTER",
         _seed_with(rate_limit_service={"transport_api_version": "V4"}),
         "'V4' is not a value of ApiVersion"),
        ("HTTP_FILTER",
         _seed_with(**{"@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit."
                                "v3.RateLimitz"}),
         "typed_config.@type: unknown message type"),
        ("HTTP_FILTER", _seed_with(**{"@type": "envoy.extensions.filters.http.ratelimit.v3."
                                               "RateLimit"}),
         "'@type' must be a type URL"),
        ("HTTP_FILTER", _seed_with(failure_mode_deny="yes"), "'yes' is not a valid bool"),
        ("HTTP_FILTER", _seed_with(timeout="20ms"), "Invalid duration"),
        ("HTTP_FILTER", _seed_with(timeout=20), "not a valid google.protobuf.Duration"),
        ("HTTP_FILTER", {**SEED_VALUE, "priority": 1}, "no field 'priority'"),
        ("HTTP_FILTER", {**SEED_VALUE, "typedConfig": SEED_VALUE["typed_config"]},
         "value.typedConfig: the same field as 'typed_config'"),
        ("VIRTUAL_HOST",
         {"typed_per_filter_config": {LOCAL_FILTER: {"@type": LOCAL_TYPE, "stat_prefix": "x",
                                                     "token_bucket": {"max_token": 1}}}},
         "token_bucket.max_token: envoy.type.v3.TokenBucket has no field"),
        ("VIRTUAL_HOST",
         {"typed_per_filter_config": {LOCAL_FILTER: {"@type": LOCAL_TYPE, "stat_prefix": "x",
                                                     "filter_enabled": {"default_value": {
                                                         "denominator": "PERCENT"}}}}},
         "'PERCENT' is not a value of FractionalPercentDenominatorType"),
        ("HTTP_ROUTE", {"rate_limits": []},
         "envoy.config.route.v3.Route has no field 'rate_limits'"),
        ("HTTP_FILTER",
         _seed_with(rate_limit_service={"grpc_service": {
             "envoy_grpc": {"cluster_name": "a"},
             "google_grpc": {"target_uri": "b", "stat_prefix": "c"}}}),
         "more than one value"),
        ("SIDECAR", {}, "applyTo 'SIDECAR' is not one of"),
    ],
)
def test_invalid_values_fail(apply_to: str, value: dict[str, Any], words: str) -> None:
    with pytest.raises(EnvoyConfigError) as err:
        validate_patch_value(apply_to, value)
    assert words in str(err.value)
    assert isinstance(err.value, ValueError)


def test_message_class_maps_names_to_generated_classes() -> None:
    assert message_class("envoy.config.route.v3.VirtualHost").__name__ == "VirtualHost"
    nested = message_class("envoy.config.route.v3.RouteAction.HashPolicy")
    assert nested.__name__ == "RouteActionHashPolicy"
    for name in ("envoy.config.route.v3", "Route", "envoy.nope.v3.Route", "os.path.Join"):
        with pytest.raises(EnvoyConfigError, match="unknown message type"):
            message_class(name)
    assert envoy.PATCH_MESSAGES.keys() >= {"HTTP_FILTER", "VIRTUAL_HOST", "HTTP_ROUTE"}
