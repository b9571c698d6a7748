"""api: gatewayApi. Every shipped stack and example renders its Istio gateway's routing as
Gateway API objects that pass the v1.6.1 CRDs (schema and CEL) and the analysis; each config
key maps as the README says; what Gateway API cannot say is refused with its config path;
the gateway workload, its Service and the cloud load balancer never change with the API."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.components.policies import IngressRouting
from ingresslib.config.listeners import Listener
from ingresslib.config.routing import Routing
from ingresslib.errors import ConfigError
from ingresslib.gateway_api_analysis import analyze_gateway_api
from ingresslib.manifests.gateway_api import (
    ParentRef,
    gateway_duration,
    listener_sections,
    route_objects,
)
from ingresslib.offline.output import manifests
from ingresslib.offline.runner import run_program
from ingresslib.paths import named
from ingresslib.stack.render import check, stack_manifests
from tests.configs import HOST, HTTP, SHOP_TLS, aks_stack, eks_stack, https_listener
from tests.conftest import PROJECTS, ROOT
from tests.harness.flip import has_istio_gateway, run_flipped
from tests.harness.shared import require_shared
from tests.harness.validate import ManifestValidator

GATEWAY_API_KINDS = {"Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "ReferenceGrant",
                     "BackendTLSPolicy"}
BASE = eks_stack(
    api="gatewayApi",
    listeners=[HTTP, https_listener(certificate="shop")],
    certificates={"shop": SHOP_TLS},
    routing={
        "backends": {
            "web": {"service": "web", "namespace": "shop", "port": 80, "targetPort": 8080,
                    "selector": {"app": "web"},
                    "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}}},
            "api": {"service": "api", "namespace": "shop", "port": 9090},
        },
        "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]}],
    },
)


def _routes(*routes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["routing"]["hosts"] = [{"host": HOST, "routes": list(routes)}]
    data.update(extra)
    return data


def _render(data: dict[str, Any]) -> list[dict[str, Any]]:
    cfg = parse_config(data)
    objs = stack_manifests(cfg).all()
    check(cfg, objs)
    return objs


def _by_kind(objs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for o in objs:
        out.setdefault(o["kind"], []).append(o)
    return out


class _ByPath(dict[str, str]):
    """Problems by path; looked up by the index path of the config, as the user reads it
    (list items by name: ingresslib.paths.named)."""

    def __init__(self, problems: dict[str, str], data: dict[str, Any]) -> None:
        super().__init__(problems)
        self.data = data

    def __getitem__(self, path: str) -> str:
        return super().__getitem__(named(path, self.data))


def _refused(data: dict[str, Any]) -> dict[str, str]:
    """The refusals, found by the validation pipeline before anything renders."""
    with pytest.raises(ConfigError) as err:
        _render(data)
    return _ByPath({p.path: p.message for p in err.value.problems}, data)


@pytest.fixture(scope="module")
def experimental() -> ManifestValidator:
    return ManifestValidator(require_shared(), gateway_api_channel="experimental")


# ------------------------------------------------------------------ every stack, flipped

FLIPPABLE = [p for p in PROJECTS if has_istio_gateway(ROOT / p[0], p[1])]


@pytest.fixture(scope="module")
def flipped() -> dict[tuple[str, str], list[Any]]:
    return {p: run_flipped(ROOT / p[0], p[1]) for p in FLIPPABLE}


@pytest.mark.parametrize("project", FLIPPABLE, ids=[f"{d}:{s}" for d, s in FLIPPABLE])
def test_every_stack_and_example_renders_with_gateway_api(project, flipped, renders,
                                                          validator) -> None:
    """Rendered (so the analysis passed), valid against the standard channel's CRDs with
    their CEL rules, and no classic routing object left but the DestinationRules."""
    objs = manifests(flipped[project])
    validator.assert_valid(objs)
    kinds = {o["kind"] for o in objs}
    assert {"Gateway", "HTTPRoute"} <= kinds
    assert not any(o["apiVersion"].startswith("networking.istio.io") and o["kind"] in
                   ("Gateway", "VirtualService") for o in objs)
    errors = [f for f in analyze_gateway_api(objs) if f.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("project", FLIPPABLE, ids=[f"{d}:{s}" for d, s in FLIPPABLE])
def test_switching_api_changes_only_routing_objects(project, flipped, renders) -> None:
    """The gateway Deployment, HPA, PDB, Service and every cloud resource (the load balancer
    the Service or the edge creates) keep their URNs and inputs: only routing objects swap."""
    before = {r.urn: r.inputs for r in renders[project] if "-routing" not in r.name}
    after = {r.urn: r.inputs for r in flipped[project] if "-routing" not in r.name}
    assert before == after


@pytest.mark.parametrize("project", FLIPPABLE, ids=[f"{d}:{s}" for d, s in FLIPPABLE])
def test_every_stack_renders_on_the_experimental_channel(project, experimental) -> None:
    objs = manifests(run_flipped(ROOT / project[0], project[1], channel="experimental"))
    experimental.assert_valid(objs)


def test_both_channels_validate_the_experimental_render(experimental) -> None:
    """A stack that opts into the experimental channel gets HTTPRoute retry natively where
    the retry conditions say it, and passes the experimental CRDs."""
    retries = {"attempts": 3, "perTryTimeout": "2s", "retryOn": "connect-failure,503"}
    objs = _render(_routes({"name": "web", "to": [{"backend": "web"}], "timeout": "10s",
                            "retries": retries}, gatewayApi={"channel": "experimental"}))
    (route,) = [o for o in objs if o["kind"] == "HTTPRoute"
                and o["metadata"]["name"].endswith(HOST.replace(".", "-"))]
    rule = route["spec"]["rules"][0]
    assert rule["retry"] == {"attempts": 3, "codes": [503]}
    assert rule["timeouts"] == {"request": "10s", "backendRequest": "2s"}
    assert not [o for o in objs if o["kind"] == "EnvoyFilter"]
    experimental.assert_valid(objs)
    standard = ManifestValidator(require_shared())
    assert any("retry" in e for e in standard.errors(route))


# ------------------------------------------------------------------ the seed's canary


def test_seed_001_canary_is_a_split_between_subset_services(renders, validator) -> None:
    objs = _by_kind(manifests(renders[("examples/echoserver-canary", "gateway-api")]))
    (gateway,) = objs["Gateway"]
    assert gateway["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert gateway["spec"]["gatewayClassName"] == "istio"
    assert gateway["spec"]["addresses"] == [
        {"type": "Hostname", "value": "istio-ingressgateway.istio-ingress.svc.cluster.local"}]
    http, https = gateway["spec"]["listeners"]
    assert (http["name"], http["port"], http["protocol"]) == ("http", 80, "HTTP")
    assert https["tls"] == {"mode": "Terminate", "certificateRefs": [
        {"group": "", "kind": "Secret", "name": "echo-tls"}]}
    routes = {r["metadata"]["name"]: r for r in objs["HTTPRoute"]}
    canary = routes["echo-echo-example-com"]["spec"]
    assert canary["parentRefs"][0]["sectionName"] == "https"
    assert [(b["name"], b["weight"]) for b in canary["rules"][0]["backendRefs"]] == [
        ("echoserver-service-v1", 80), ("echoserver-service-v2", 20)]
    redirect = routes["echo-http-https-redirect"]["spec"]
    assert redirect["parentRefs"][0]["sectionName"] == "http"
    assert redirect["rules"][0]["filters"][0]["requestRedirect"] == {"scheme": "https",
                                                                     "statusCode": 301}
    subsets = {s["metadata"]["name"]: s["spec"] for s in objs["Service"]
               if s["metadata"]["namespace"] == "echo"}
    assert subsets["echoserver-service-v1"]["selector"] == {"app": "echoserver",
                                                             "version": "v1"}
    assert subsets["echoserver-service-v2"]["ports"][0]["targetPort"] == 8080
    (grant,) = objs["ReferenceGrant"]
    assert grant["metadata"]["namespace"] == "echo"
    assert grant["spec"]["from"] == [{"group": "gateway.networking.k8s.io",
                                      "kind": "HTTPRoute", "namespace": "istio-ingress"}]


# ------------------------------------------------------------------ the mapping


def test_every_http_feature_maps_to_gateway_api(validator) -> None:
    objs = _render(_routes(
        {"name": "exact", "match": [{"uri": {"exact": "/health"}, "method": {"exact": "GET"}}],
         "to": [{"backend": "api"}]},
        {"name": "old", "match": [{"uri": {"prefix": "/old/"}}],
         "redirect": {"uri": "/new/", "redirectCode": 308, "scheme": "https",
                      "authority": "new.example.com"}},
        {"name": "api", "match": [{"uri": {"prefix": "/api/"},
                                   "headers": {"x-team": {"exact": "a"},
                                               "x-tier": {"prefix": "gold"}},
                                   "queryParams": {"debug": {"regex": "[01]"}}}],
         "to": [{"backend": "api"}], "rewrite": {"uri": "/", "authority": "api.internal"},
         "timeout": "1m30s",
         "mirror": {"backend": "web", "subset": "v2", "percent": 0.5},
         "headers": {"request": {"set": {"x-a": "1"}, "remove": ["x-b"]},
                     "response": {"add": {"x-c": "2"}}}},
        # CORS on a route a preflight can meet (ING-IX-CORS-PREFLIGHT)
        {"name": "web", "match": [{"uri": {"prefix": "/web/"}}],
         "cors": {"allowOrigins": [{"exact": "https://shop.example.com"}],
                  "allowMethods": ["GET"], "maxAge": "24h"},
         "to": [{"backend": "web", "subset": "v1", "weight": 90},
                {"backend": "web", "subset": "v2", "weight": 10}]},
        # A regex ranks below every path prefix in Gateway API: last, as in the config.
        {"name": "case", "match": [{"uri": {"prefix": "/Docs/"}, "ignoreUriCase": True}],
         "to": [{"backend": "web"}]},
    ))
    validator.assert_valid(objs)
    route = next(o for o in objs if o["metadata"]["name"] == "ingress-shop-example-com")
    rules = {r["name"]: r for r in route["spec"]["rules"]}
    assert rules["exact"]["matches"] == [{"path": {"type": "Exact", "value": "/health"},
                                          "method": "GET"}]
    assert rules["old"]["filters"] == [{"type": "RequestRedirect", "requestRedirect": {
        "scheme": "https", "hostname": "new.example.com",
        "path": {"type": "ReplaceFullPath", "replaceFullPath": "/new/"}, "statusCode": 308}}]
    api = rules["api"]
    assert api["matches"][0]["headers"] == [
        {"name": "x-team", "type": "Exact", "value": "a"},
        {"name": "x-tier", "type": "RegularExpression", "value": "gold.*"}]
    assert api["matches"][0]["queryParams"] == [
        {"name": "debug", "type": "RegularExpression", "value": "[01]"}]
    filters = {f["type"]: f for f in api["filters"]}
    assert filters["URLRewrite"]["urlRewrite"] == {
        "hostname": "api.internal",
        "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}
    assert {f["type"]: f for f in rules["web"]["filters"]}["CORS"]["cors"] == {
        "allowOrigins": ["https://shop.example.com"], "allowMethods": ["GET"], "maxAge": 86400}
    assert filters["RequestMirror"]["requestMirror"]["fraction"] == {
        "numerator": 5000, "denominator": 1_000_000}  # istio/istio#54357
    assert filters["RequestMirror"]["requestMirror"]["backendRef"]["name"] == "web-v2"
    assert filters["RequestHeaderModifier"]["requestHeaderModifier"] == {
        "set": [{"name": "x-a", "value": "1"}], "remove": ["x-b"]}
    assert filters["ResponseHeaderModifier"]["responseHeaderModifier"] == {
        "add": [{"name": "x-c", "value": "2"}]}
    assert api["timeouts"] == {"request": "1m30s"}
    assert rules["case"]["matches"] == [{"path": {"type": "RegularExpression",
                                                  "value": "(?i)/Docs/.*"}}]
    assert [b["weight"] for b in rules["web"]["backendRefs"]] == [90, 10]


def test_retries_on_the_standard_channel_patch_the_named_envoy_route(validator) -> None:
    """HTTPRoute has no retry on the standard channel: an EnvoyFilter at the gateway pods
    patches the route Istio names after the rule (the config's route name), per port."""
    objs = _render(_routes({"name": "web", "to": [{"backend": "web"}], "timeout": "10s",
                            "retries": {"attempts": 2, "perTryTimeout": "4s",
                                        "retryOn": "5xx,reset"}}))
    validator.assert_valid(objs)
    (patches,) = [o for o in objs if o["metadata"]["name"] == "ingress-route-patches"]
    assert patches["spec"]["workloadSelector"] == {"labels": {"istio": "ingressgateway"}}
    (patch,) = patches["spec"]["configPatches"]
    assert patch["match"]["routeConfiguration"]["vhost"] == {
        "name": f"{HOST}:443", "route": {"name": "web"}}
    assert patch["patch"]["value"] == {"route": {"retry_policy": {
        "num_retries": 2, "retry_on": "5xx,reset", "per_try_timeout": "4s"}}}


def test_traffic_policies_and_backend_tls_stay_destination_rules(validator) -> None:
    """With Istio the DestinationRules keep the backend's TLS as the classic API renders it,
    and no BackendTLSPolicy targets the same Services: Istio would turn it into a
    DestinationRule of its own and not merge the two (EDGE-API-TLS-DR, istio/istio#60122)."""
    data = copy.deepcopy(BASE)
    data["routing"]["backends"]["web"]["trafficPolicy"] = {
        "loadBalancer": {"simple": "LEAST_REQUEST"}, "tls": {"mode": "SIMPLE",
                                                             "sni": "web.internal"}}
    data["routing"]["hosts"][0]["routes"] = [
        {"name": "web", "to": [{"backend": "web", "subset": "v1", "weight": 50},
                               {"backend": "web", "subset": "v2", "weight": 50}]}]
    objs = _by_kind(_render(data))
    validator.assert_valid([o for v in objs.values() for o in v])
    drs = {d["metadata"]["name"]: d["spec"] for d in objs["DestinationRule"]}
    policy = {"loadBalancer": {"simple": "LEAST_REQUEST"},
              "tls": {"mode": "SIMPLE", "sni": "web.internal"}}
    assert drs["ingress-web"]["trafficPolicy"] == policy
    assert drs["ingress-web"]["subsets"][0]["name"] == "v1"  # kept for the switch
    assert drs["ingress-web-v1"] == {"host": "web-v1.shop.svc.cluster.local",
                                     "trafficPolicy": policy}
    assert "BackendTLSPolicy" not in objs


def test_other_implementations_get_a_backend_tls_policy_for_simple_tls() -> None:
    routing = Routing.model_validate({
        "backends": {"web": {"service": "web", "namespace": "shop", "port": 443,
                             "trafficPolicy": {"tls": {"mode": "SIMPLE",
                                                       "sni": "web.internal"}}}},
        "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]}]})
    listeners = [Listener(name="http", port=80, protocol="HTTP", hosts=[HOST])]
    (tls,) = [o for o in route_objects(routing, listeners, ParentRef("gw", "edge"), stack="s")
              if o["kind"] == "BackendTLSPolicy"]
    assert [t["name"] for t in tls["spec"]["targetRefs"]] == ["web"]
    assert tls["spec"]["validation"] == {"hostname": "web.internal",
                                         "wellKnownCACertificates": "System"}


def test_grpc_backends_get_a_grpc_route(validator) -> None:
    data = _routes(
        {"name": "orders", "match": [{"uri": {"prefix": "/shop.Orders/"}}],
         "to": [{"backend": "grpc"}], "headers": {"request": {"set": {"x-a": "1"}}}},
        {"name": "get", "match": [{"uri": {"exact": "/shop.Items/Get"}}],
         "to": [{"backend": "grpc"}]},
        {"name": "web", "to": [{"backend": "web"}]})
    data["routing"]["backends"]["grpc"] = {"service": "grpc", "namespace": "shop", "port": 50051,
                                           "protocol": "GRPC"}
    objs = _render(data)
    validator.assert_valid(objs)
    (grpc,) = [o for o in objs if o["kind"] == "GRPCRoute"]
    assert grpc["metadata"]["name"] == "ingress-shop-example-com-grpc"
    assert [r["matches"] for r in grpc["spec"]["rules"]] == [
        [{"method": {"type": "Exact", "service": "shop.Orders"}}],
        [{"method": {"type": "Exact", "service": "shop.Items", "method": "Get"}}]]


def test_passthrough_hosts_get_tls_routes(validator) -> None:
    data = copy.deepcopy(BASE)
    data["listeners"].append({"name": "tls", "port": 443, "protocol": "TLS",
                              "hosts": ["db.example.com"], "tls": {"mode": "PASSTHROUGH"}})
    data["routing"]["hosts"].append({"host": "db.example.com", "tlsRoutes": [
        {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "api"}]}]})
    objs = _render(data)
    validator.assert_valid(objs)
    gw = next(o for o in objs if o["kind"] == "Gateway")
    assert gw["spec"]["listeners"][-1]["tls"] == {"mode": "Passthrough"}
    (tls,) = [o for o in objs if o["kind"] == "TLSRoute"]
    assert tls["spec"]["hostnames"] == ["db.example.com"]
    assert tls["spec"]["parentRefs"][0]["sectionName"] == "tls"


def test_a_listener_with_several_hosts_is_one_gateway_listener_per_host() -> None:
    lst = Listener(name="https", port=443, protocol="HTTPS", hosts=["a.example.com", "*"],
                   allow_any_host=True, tls={"certificate": "x"})
    assert listener_sections(lst) == [("a.example.com", "https-a-example-com"),
                                      (None, "https-wildcard")]
    assert listener_sections(lst, "edge") == [("a.example.com", "edge-a-example-com"),
                                              (None, "edge-wildcard")]


def test_chained_serves_every_host_from_the_load_balancers_listener(renders,
                                                                    flipped) -> None:
    objs = manifests(flipped[("stacks/eks", "chained")])
    gw = next(o for o in objs if o["kind"] == "Gateway")
    assert [(lst["name"], lst["port"], lst["protocol"]) for lst in gw["spec"]["listeners"]] \
        == [("http-from-lb", 80, "HTTP")]
    assert not [o for o in objs if o["metadata"]["name"].endswith("https-redirect")]


def test_more_than_16_rules_spread_over_routes_in_order(validator) -> None:
    routes = [{"name": f"r{i}", "match": [{"uri": {"exact": f"/p{i}"}}],
               "to": [{"backend": "api"}]} for i in range(20)]
    objs = _render(_routes(*routes))
    validator.assert_valid(objs)
    names = [o["metadata"]["name"] for o in objs if o["kind"] == "HTTPRoute"
             and "redirect" not in o["metadata"]["name"]]
    assert names == ["ingress-shop-example-com", "ingress-shop-example-com-2"]


def test_durations_take_gateway_api_form() -> None:
    assert [gateway_duration(d) for d in ("10s", "1.5s", "90m", "250ms", "1h0m1s")] == [
        "10s", "1s500ms", "1h30m", "250ms", "1h1s"]


# ------------------------------------------------------------------ refused, with paths


@pytest.mark.parametrize(("route", "path", "words"), [
    ({"fault": {"abort": {"percent": 1, "httpStatus": 503}}}, "routes[0].fault",
     "no fault injection"),
    ({"match": [{"uri": {"prefix": "/"}, "port": 443}]}, "routes[0].match[0].port",
     "match no port"),
    ({"match": [{"method": {"prefix": "G"}}]}, "routes[0].match[0].method", "one method"),
    ({"cors": {"allowOrigins": [{"regex": ".*"}]}}, "routes[0].cors.allowOrigins[0]",
     "whole origins"),
    ({"match": [{"uri": {"prefix": "/a/"}}, {"uri": {"prefix": "/b/"}}],
      "rewrite": {"uri": "/"}}, "routes[0].rewrite.uri", "one route per match"),
], ids=["fault", "port", "method", "cors", "rewrite"])
def test_what_gateway_api_cannot_say_is_refused_with_its_path(route, path, words) -> None:
    problems = _refused(_routes({"name": "web", "to": [{"backend": "web"}], **route}))
    assert words in problems[f"routing.hosts[0].{path}"]


def test_direct_responses_and_delegation_are_refused_with_the_alternative() -> None:
    problems = _refused(_routes(
        {"name": "ok", "match": [{"uri": {"exact": "/ok"}}],
         "directResponse": {"status": 200}},
        {"name": "team", "match": [{"uri": {"prefix": "/t/"}}],
         "delegate": {"name": "t", "namespace": "t"}},
        {"name": "web", "to": [{"backend": "web"}]}))
    assert "small backend" in problems["routing.hosts[0].routes[0].directResponse"]
    assert "HTTPRoute of its own" in problems["routing.hosts[0].routes[1].delegate"]


def test_subsets_need_the_backends_selector() -> None:
    data = _routes({"name": "web", "to": [{"backend": "web", "subset": "v1"}]})
    del data["routing"]["backends"]["web"]["selector"]
    problems = _refused(data)
    assert "Gateway API has no subsets" in problems["routing.backends.web.selector"]


def test_tls_1_3_minimum_is_refused_on_a_gateway_api_listener() -> None:
    data = copy.deepcopy(BASE)
    data["listeners"][1]["tls"]["minProtocolVersion"] = "TLSV1_3"
    assert "tlsDefaults" in _refused(data)["listeners[1].tls.minProtocolVersion"]


def test_mutual_tls_and_cipher_suites_use_istios_listener_options(validator) -> None:
    data = copy.deepcopy(BASE)
    data["listeners"][1]["tls"]["cipherSuites"] = ["ECDHE-RSA-AES128-GCM-SHA256"]
    gw = next(o for o in _render(data) if o["kind"] == "Gateway")
    assert gw["spec"]["listeners"][1]["tls"]["options"] == {
        "gateway.istio.io/tls-cipher-suites": "ECDHE-RSA-AES128-GCM-SHA256"}
    validator.assert_valid([gw])


def test_pure_gateway_api_refuses_what_only_istio_attaches() -> None:
    """Without the Istio extensions (another implementation calling route_objects), retries
    on the standard channel and traffic policies are refused, not dropped."""
    routing = Routing.model_validate({
        "backends": {"web": {"service": "web", "namespace": "shop", "port": 80,
                             "trafficPolicy": {"loadBalancer": {"simple": "RANDOM"}}}},
        "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}],
                                             "retries": {"attempts": 1}}]}]})
    listeners = [Listener(name="http", port=80, protocol="HTTP", hosts=[HOST])]
    with pytest.raises(ConfigError) as err:
        route_objects(routing, listeners, ParentRef("gw", "edge"), stack="s")
    paths = {p.path for p in err.value.problems}
    assert paths == {"routing.hosts[0].routes[0].retries",
                     "routing.backends.web.trafficPolicy.loadBalancer"}


def test_parent_ref_maps_listener_names_to_section_names() -> None:
    routing = Routing.model_validate({
        "backends": {"web": {"service": "web", "namespace": "edge", "port": 80}},
        "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]}]})
    listeners = [Listener(name="http", port=80, protocol="HTTP", hosts=[HOST],
                          https_redirect=False)]
    (route,) = route_objects(routing, listeners, ParentRef("alb", "edge", {"http": "web-80"}),
                             stack="s")
    assert route["spec"]["parentRefs"] == [{"group": "gateway.networking.k8s.io",
                                            "kind": "Gateway", "name": "alb",
                                            "sectionName": "web-80"}]
    assert "namespace" not in route["spec"]["rules"][0]["backendRefs"][0]


def test_gateway_api_fields_refused_with_api_istio() -> None:
    data = copy.deepcopy(BASE)
    data["api"] = "istio"
    data["gatewayApi"] = {"channel": "experimental"}
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert [p.path for p in err.value.problems] == ["gatewayApi"]


# ------------------------------------------------------------------ the component alone


def test_ingress_routing_renders_gateway_api_alone() -> None:
    cfg = parse_config(BASE)

    def program() -> None:
        assert cfg.workload is not None
        IngressRouting("routes", cfg.routing, cfg.listeners, cfg.workload,
                       stack="shop", api="gatewayApi")

    objs = manifests(run_program(program))
    assert {o["kind"] for o in objs} >= {"Gateway", "HTTPRoute", "DestinationRule"}
    assert not [o for o in objs if o["kind"] == "VirtualService"]


# ------------------------------------------------------------------ migration: the diff


def test_diff_between_the_apis_shows_the_object_swap(capsys, monkeypatch) -> None:
    """`ingresslib diff` from the classic render to the Gateway API one: the Istio Gateway
    and VirtualService go, the Gateway API objects and subset Services come, and nothing is
    replaced (no `!`): the gateway Service and its load balancer stay as they are."""
    from ingresslib.cli import main  # noqa: PLC0415

    monkeypatch.chdir(ROOT)
    assert main(["diff", "examples/echoserver-canary", "--stack", "gateway-api",
                 "--against-stack", "dev", "--exit-code"]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line[:1] in "+-~!"]
    assert sorted(lines) == sorted([
        "+ gateway.networking.k8s.io/v1 Gateway istio-ingress/echo",
        "+ gateway.networking.k8s.io/v1 HTTPRoute istio-ingress/echo-echo-example-com",
        "+ gateway.networking.k8s.io/v1 HTTPRoute istio-ingress/echo-http-https-redirect",
        "+ gateway.networking.k8s.io/v1beta1 ReferenceGrant echo/echo-from-istio-ingress",
        "+ v1 Service echo/echoserver-service-v1",
        "+ v1 Service echo/echoserver-service-v2",
        "- networking.istio.io/v1 Gateway istio-ingress/echo",
        "- networking.istio.io/v1 VirtualService istio-ingress/echo-echo-example-com",
    ])
    assert out.startswith("stack dev -> stack gateway-api: 0 changed, 6 added, 2 removed")


def test_the_gateway_api_example_is_listed_for_pinning() -> None:
    pinned = json.loads((ROOT / "tests/urns/released.json").read_text())
    assert "examples/echoserver-canary:gateway-api" in pinned
    assert Path(ROOT / "examples/echoserver-canary/Pulumi.gateway-api.yaml").is_file()


def test_the_traffic_picture_reads_gateway_api_as_what_it_does(renders) -> None:
    """The seed's canary draws the same traffic path in either API."""
    from ingresslib.offline.diagram import (  # noqa: PLC0415
        mermaid,
        stack_summaries,
        traffic,
    )

    def picture(stack: str) -> str:
        records = renders[("examples/echoserver-canary", stack)]
        return mermaid(traffic(manifests(records), stack_summaries(records)))

    assert picture("gateway-api") == picture("dev")
    assert "80%" in picture("gateway-api")


def test_the_aks_istio_add_on_serves_gateway_api_from_asm_1_26() -> None:
    data = aks_stack(api="gatewayApi")
    data["azure"]["istioAddon"] = {"revision": "asm-1-25"}
    assert "asm-1-26" in _refused(data)["azure.istioAddon.revision"]
    data["azure"]["istioAddon"] = {"revision": "asm-1-26"}
    data["gatewayApi"] = {"channel": "experimental"}
    assert "standard channel only" in _refused(data)["gatewayApi.channel"]
    del data["gatewayApi"]
    objs = _render(data)
    gw = next(o for o in objs if o["kind"] == "Gateway")
    assert gw["spec"]["addresses"][0]["value"] == (
        "aks-istio-ingressgateway-external.aks-istio-ingress.svc.cluster.local")
    # Retries need an EnvoyFilter under Gateway API, which the add-on does not support:
    # refused at the route's retries (it was at `api`, which names no field to change).
    host = data["listeners"][0]["hosts"][0]
    data["routing"] = {
        "backends": {"web": {"service": "web", "namespace": "web", "port": 80}},
        "hosts": [{"host": host, "routes": [{"name": "web", "to": [{"backend": "web"}],
                                              "retries": {"attempts": 2}}]}]}
    assert "keep api: istio" in _refused(data)["routing.hosts[0].routes[0].retries"]
    assert not any(o["kind"] == "EnvoyFilter" for o in _render(data | {"api": "istio"}))


def test_pseudo_headers_are_refused() -> None:
    problems = _refused(_routes({"name": "web", "to": [{"backend": "web"}],
                                 "match": [{"headers": {":authority": {"exact": "a"}}}],
                                 "headers": {"request": {"set": {":path": "/"}}}}))
    assert "RFC 7230" in problems["routing.hosts[0].routes[0].match[0].headers.:authority"]
    assert "RFC 7230" in problems["routing.hosts[0].routes[0].headers.request"]
