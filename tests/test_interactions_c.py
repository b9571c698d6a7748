"""Issue 18, the third share: long-lived connections through every hop (input f), callers
inside the VPC or cluster, settings on the wrong hop, defaults unsafe together, and messages
that name the wrong component or a key that does not exist.

Each test names the rule it covers; a rule has a case that triggers it and one that does not.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.aws.nlb import PREFIX as NLB
from ingresslib.azure.agc.manifests import agc_objects
from ingresslib.azure.agic.ingresses import ingress_objects
from ingresslib.azure.application_gateway.plan import SETTINGS, application_gateway_args
from ingresslib.azure.ids import AppGwIds
from ingresslib.errors import ConfigError, Problem
from ingresslib.stack.model import StackConfig
from ingresslib.stack.render import stack_manifests
from tests import message_keys
from tests.configs import HOST, SUBSCRIPTION, agc_stack, aks_stack, stack_file
from tests.conftest import ROOT

IDS = AppGwIds(SUBSCRIPTION, "edge", "portal-appgw")


def _problems(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return err.value.problems


def _appgw(cfg: StackConfig) -> dict[str, Any]:
    return application_gateway_args(cfg, IDS, public_ip_id="pip", identity_id="id",
                                    waf_policy_id="waf")


# --------------------------------------------------- (f) long-lived connections, every hop


def _websocket_chained(**route: Any) -> dict[str, Any]:
    """Input (f): the shipped chained AKS stack, its api route a WebSocket endpoint."""
    data = stack_file("aks", "chained")
    api = data["routing"]["hosts"][0]["routes"][0]
    api.pop("retries")
    api.pop("timeout")
    api.update(route)
    return data


def test_f_an_hour_long_route_names_application_gateway_and_its_key() -> None:
    """EDGE-TO-APPGW, EDGE-TO-LONG: the refusal of `timeout: 1h` in chained blamed "Azure
    Standard Load Balancer (internal)" and named no key; it names Application Gateway, the
    key that sets its wait, and how to say the route is long-lived."""
    (problem,) = _problems(_websocket_chained(timeout="1h"))
    assert problem.path == "routing.hosts[portal.example.com].routes[api].timeout"
    assert problem.message.startswith("Application Gateway waits at most 30 s")
    assert "azure.applicationGateway.requestTimeoutSeconds" in problem.message
    assert "longLived: true" in problem.message
    assert "Load Balancer" not in problem.message


def test_f_a_long_lived_route_gets_its_timeout_on_its_hosts_backend_settings() -> None:
    """EDGE-TO-LONG (Application Gateway, chained): the backend settings' request timeout ends
    a WebSocket however busy, so the listeners of the route's host forward through settings
    that wait the route's timeout; the shared settings keep requestTimeoutSeconds."""
    cfg = parse_config(_websocket_chained(timeout="1h", longLived=True))
    args = _appgw(cfg)
    waits = {s["name"]: s["request_timeout"] for s in args["backend_http_settings_collection"]}
    assert waits == {SETTINGS: 30, f"{SETTINGS}-3600s": 3600}
    forwarding = [r for r in args["request_routing_rules"] if "backend_http_settings" in r]
    assert forwarding
    assert all(r["backend_http_settings"]["id"].endswith(f"{SETTINGS}-3600s")
                              for r in forwarding)
    # The Envoy half: the route's timeout is the longest a connection lasts.
    vs = next(o for o in stack_manifests(cfg).routing if o["kind"] == "VirtualService")
    assert vs["spec"]["http"][0]["timeout"] == "1h"


def test_f_without_long_lived_routes_the_settings_are_as_before() -> None:
    """EDGE-TO-LONG does not trigger: one backend settings, requestTimeoutSeconds."""
    args = _appgw(parse_config(stack_file("aks", "chained")))
    assert [(s["name"], s["request_timeout"]) for s in
            args["backend_http_settings_collection"]] == [(SETTINGS, 30)]


def test_f_a_long_lived_route_needs_a_timeout_where_the_wait_ends_connections() -> None:
    """EDGE-TO-LONG: Application Gateway would end the WebSocket after 30 s; the route must
    say how long its connections last (and at most Application Gateway's 86400 s)."""
    (problem,) = _problems(_websocket_chained(longLived=True))
    assert problem.path == "routing.hosts[portal.example.com].routes[api].timeout"
    assert "EDGE-TO-LONG" in problem.message
    assert "30 s" in problem.message
    (problem,) = _problems(_websocket_chained(longLived=True, timeout="25h"))
    assert "at most 86400s" in problem.message


def test_f_agc_chained_route_policy_waits_the_long_lived_timeout() -> None:
    """EDGE-TO-LONG (Application Gateway for Containers, chained): its 60 s route timeout
    ends a WebSocket; the RoutePolicy of the host's HTTPRoute waits the route's timeout."""
    data = agc_stack("chained", routing={
        "backends": {"chat": {"service": "chat", "namespace": "shop", "port": 8080}},
        "hosts": [{"host": HOST, "routes": [
            {"name": "ws", "match": [{"uri": {"prefix": "/ws"}}], "to": [{"backend": "chat"}],
             "timeout": "2h", "longLived": True},
            {"name": "web", "to": [{"backend": "chat"}]}]}]})
    policies = [o for o in agc_objects(parse_config(data)) if o["kind"] == "RoutePolicy"]
    assert {p["spec"]["default"]["timeouts"]["routeTimeout"] for p in policies} == {"2h"}
    data["routing"]["hosts"][0]["routes"][0].pop("longLived")
    (problem,) = _problems(data)
    assert problem.message.startswith("Application Gateway for Containers waits at most 60 s")
    assert "azure.applicationGatewayForContainers.requestTimeoutSeconds" in problem.message


@pytest.mark.parametrize(("topology", "key"), [("gateway", "aws.nlb.idleTimeoutSeconds"),
                                               ("chained", "aws.alb.idleTimeoutSeconds")])
def test_f_idle_bounded_load_balancers_carry_a_long_lived_route(topology: str, key: str
                                                                 ) -> None:
    """EDGE-TO-LONG: the NLB and the ALB end idle connections only: an hour-long WebSocket
    route passes when marked longLived, and without it is refused naming the idle key."""
    data = stack_file("eks", topology)
    route = data["routing"]["hosts"][0]["routes"][0]
    route.pop("retries", None)
    route["timeout"] = "1h"
    (problem,) = _problems(copy.deepcopy(data))
    assert key in problem.message
    route["longLived"] = True
    parse_config(data)


def test_f_long_lived_needs_a_destination() -> None:
    data = _websocket_chained()
    data["routing"]["hosts"][0]["routes"].append(
        {"name": "old", "match": [{"uri": {"prefix": "/old"}}], "longLived": True,
         "redirect": {"uri": "/new"}})
    data["routing"]["hosts"][0]["routes"].insert(0, data["routing"]["hosts"][0]["routes"].pop())
    (problem,) = _problems(data)
    assert "longLived" in problem.message





# ---------------------------------------------------------- callers inside the VPC or cluster


def _eks_gateway(**changes: Any) -> dict[str, Any]:
    data = stack_file("eks", "gateway")
    data["aws"]["nlb"].pop("elasticIps", None)
    data["gateway"]["service"].pop("loadBalancerSourceRanges")
    data.pop("security")
    data.update(copy.deepcopy(changes))
    return data


def _target_group_attributes(cfg: StackConfig) -> str:
    assert cfg.edge.gateway is not None
    attributes: str = cfg.edge.gateway.service_annotations[f"{NLB}target-group-attributes"]
    return attributes


def test_an_internal_nlb_does_not_drop_hairpin_callers() -> None:
    """EDGE-IN-HAIRPIN: an internal NLB's callers are in the VPC, often pods on a node that
    also runs a gateway pod; with client IP preservation such a connection is dropped. Unset,
    an internal NLB does not preserve; an internet-facing one still does."""
    internal = parse_config(_eks_gateway(loadBalancer={"scheme": "internal"},
                                         aws={"nlb": {}, "dns": {"zone": "example.com",
                                                                 "private": True}}))
    assert "preserve_client_ip.enabled=false" in _target_group_attributes(internal)
    public = parse_config(_eks_gateway(aws={"nlb": {}}))
    assert "preserve_client_ip.enabled=true" in _target_group_attributes(public)


def test_source_ranges_on_an_internal_nlb_say_preservation_on_purpose() -> None:
    """EDGE-IN-HAIRPIN, a hidden case of issue 18's callers inside the VPC: source ranges
    turned client IP preservation back on for an internal NLB, silently, so in-cluster
    callers landing on their own node were dropped. Refused until said; said, or without the
    ranges, it passes."""
    data = _eks_gateway(loadBalancer={"scheme": "internal"},
                        gateway={"service": {"loadBalancerSourceRanges": ["10.0.0.0/16"]}},
                        aws={"nlb": {}, "dns": {"zone": "example.com", "private": True}})
    (problem,) = _problems(copy.deepcopy(data))
    assert problem.path == "aws.nlb.preserveClientIp"
    assert "EDGE-IN-HAIRPIN" in problem.message
    data["aws"]["nlb"]["preserveClientIp"] = True
    assert "preserve_client_ip.enabled=true" in _target_group_attributes(parse_config(data))
    del data["aws"]["nlb"]["preserveClientIp"]
    data["gateway"]["service"]["loadBalancerSourceRanges"] = []
    parse_config(data)


def test_an_internal_load_balancers_records_go_to_a_private_zone() -> None:
    """EDGE-IN-DNS: the alias records of an internal NLB in a zone of unset kind (public) are
    refused; a private zone, or a public one said on purpose, passes."""
    data = _eks_gateway(loadBalancer={"scheme": "internal"},
                        aws={"nlb": {}, "dns": {"zone": "example.com"}})
    (problem,) = _problems(data)
    assert problem.path == "aws.dns.private"
    assert "EDGE-IN-DNS" in problem.message
    data["aws"]["dns"]["private"] = True
    parse_config(data)
    data["aws"]["dns"]["private"] = False
    parse_config(data)


# ------------------------------------------------------------ settings on the wrong hop


EXTERNAL_DNS = "external-dns.alpha.kubernetes.io/hostname"


def _with_service(data: dict[str, Any], **service: Any) -> dict[str, Any]:
    data.setdefault("gateway", {}).setdefault("service", {}).update(service)
    return data


def test_a_public_record_on_the_hop_behind_the_l7_load_balancer_is_refused() -> None:
    """EDGE-HOP-DNS: in chained, external-dns would publish the listener host at the internal
    load balancer's private address; a private name for that hop passes."""
    data = _with_service(stack_file("aks", "chained"),
                         annotations={EXTERNAL_DNS: "portal.example.com"})
    (problem,) = _problems(copy.deepcopy(data))
    assert problem.path == f"gateway.service.annotations.{EXTERNAL_DNS}"
    assert "EDGE-HOP-DNS" in problem.message
    data["gateway"]["service"]["annotations"][EXTERNAL_DNS] = "istio.portal.internal"
    parse_config(data)
    # In topology gateway the Service is the public entry point: the record belongs there.
    parse_config(_with_service(stack_file("aks", "gateway"),
                               annotations={EXTERNAL_DNS: "shop.example.com"}))


def test_client_ranges_on_the_internal_hop_behind_application_gateway_are_refused() -> None:
    """EDGE-HOP-AZURE: the ranges would deny Application Gateway's own subnet (the internal
    load balancer denies all but them); in topology gateway they are the entry point's."""
    data = _with_service(stack_file("aks", "chained"),
                         loadBalancerSourceRanges=["198.51.100.0/24"])
    (problem,) = _problems(data)
    assert problem.path == "gateway.service.loadBalancerSourceRanges"
    assert "EDGE-HOP-AZURE" in problem.message
    parse_config(_with_service(stack_file("aks", "gateway"),
                               loadBalancerSourceRanges=["198.51.100.0/24"]))


@pytest.mark.parametrize("annotation", ["azure-pip-name", "azure-dns-label-name"])
def test_public_ip_annotations_on_the_internal_hop_are_refused(annotation: str) -> None:
    """EDGE-HOP-AZURE: a public IP or DNS label on the internal load balancer behind
    Application Gateway; an annotation of the internal hop itself passes."""
    key = f"service.beta.kubernetes.io/{annotation}"
    (problem,) = _problems(_with_service(stack_file("aks", "chained"),
                                         annotations={key: "portal"}))
    assert problem.path == f"gateway.service.annotations.{key}"
    assert "EDGE-HOP-AZURE" in problem.message
    parse_config(_with_service(stack_file("aks", "chained"), annotations={
        "service.beta.kubernetes.io/azure-load-balancer-health-probe-num-of-probe": "2"}))


def test_load_balancer_controller_annotations_behind_the_alb_are_refused() -> None:
    """EDGE-HOP-ALB: the ClusterIP behind the ALB gets no NLB; its annotations do nothing."""
    key = f"{NLB}ssl-cert"
    (problem,) = _problems(_with_service(stack_file("eks", "chained"), annotations={
        key: "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d"}))
    assert problem.path == f"gateway.service.annotations.{key}"
    assert "EDGE-HOP-ALB" in problem.message
    parse_config(_with_service(stack_file("eks", "chained"),
                               annotations={"example.com/owner": "team-edge"}))


@pytest.mark.parametrize(("annotation", "named"), [
    (f"{NLB}ssl-negotiation-policy", "set this with aws.alb.sslPolicy"),
    ("service.beta.kubernetes.io/load-balancer-source-ranges",
     "set this with aws.alb.allowedCidrs"),
    (f"{NLB}ip-address-type", "ingresslib has no setting for this"),
])
def test_an_annotation_behind_the_alb_is_sent_to_a_key_that_exists(
        annotation: str, named: str) -> None:
    """Issue 18 (messages naming a key that does not exist): a dual-stack NLB annotation in
    chained was sent to 'set it in aws.alb', which has no such key. The message names the
    ALB's key for what the annotation meant, or says there is none."""
    (problem,) = _problems(_with_service(stack_file("eks", "chained"),
                                         annotations={annotation: "dualstack"}))
    assert named in problem.message
    assert "set it in aws.alb" not in problem.message


# ------------------------------------------------------------- defaults unsafe together


def _rate_limited(**changes: Any) -> dict[str, Any]:
    data = stack_file("eks", "gateway")
    data["rateLimits"] = {"global": {"service": {
        "host": "ratelimit.ratelimit.svc.cluster.local", "port": 8081}, **changes}}
    return data


def test_a_fail_closed_rate_limit_waits_long_enough_for_one_slow_call() -> None:
    """EDGE-RL-FAIL: failureModeDeny with Envoy's 20 ms fails requests whenever the service
    is merely slow; the default pair is fail-closed with 100 ms, and fail-open takes 20 ms."""
    (problem,) = _problems(_rate_limited(failureModeDeny=True, timeout="20ms"))
    assert problem.path == "rateLimits.global.timeout"
    assert "EDGE-RL-FAIL" in problem.message
    cfg = parse_config(_rate_limited())
    assert cfg.rate_limits.global_ is not None
    assert cfg.rate_limits.global_.timeout == "100ms"
    parse_config(_rate_limited(failureModeDeny=False, timeout="20ms"))


def test_a_per_try_timeout_that_fills_the_route_timeout_is_refused() -> None:
    """EDGE-RT-RETRY: the route's timeout bounds every try; a try as long leaves no retry."""
    data = stack_file("aks", "chained")
    api = data["routing"]["hosts"][0]["routes"][0]
    api["retries"]["perTryTimeout"] = "10s"
    (problem,) = _problems(copy.deepcopy(data))
    assert problem.path.endswith("routes[api].retries.perTryTimeout")
    assert "EDGE-RT-RETRY" in problem.message
    api["retries"]["perTryTimeout"] = "3s"
    parse_config(data)


# ----------------------------------------- messages that name the component and a real key


def test_a_dual_stack_nlb_annotation_is_passed_through() -> None:
    """EDGE-MSG-KEY: the dual-stack annotation was refused with 'configure it there', and no
    key sets it: ingresslib does not write it, so the Service keeps it."""
    key = f"{NLB}ip-address-type"
    cfg = parse_config(_with_service(_eks_gateway(), annotations={key: "dualstack"}))
    service = next(o for o in stack_manifests(cfg).gateway if o["kind"] == "Service")
    assert service["metadata"]["annotations"][key] == "dualstack"


@pytest.mark.parametrize(("project", "annotation", "key"), [
    ("eks", f"{NLB}scheme", "loadBalancer.scheme"),
    ("eks", f"{NLB}listener-attributes.TCP-80", "aws.nlb.idleTimeoutSeconds"),
    ("aks", "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout",
     "azure.loadBalancer.idleTimeoutMinutes"),
])
def test_an_annotation_ingresslib_writes_names_the_key_that_sets_it(
        project: str, annotation: str, key: str) -> None:
    """EDGE-MSG-KEY: 'set by ingresslib from aws.nlb and loadBalancer' named no key."""
    data = _eks_gateway() if project == "eks" else stack_file("aks", "gateway")
    (problem,) = _problems(_with_service(data, annotations={annotation: "x"}))
    assert problem.path == f"gateway.service.annotations.{annotation}"
    assert f"from {key};" in problem.message


def test_an_idle_timeout_before_the_add_ons_envoy_asks_for_the_key_in_its_unit() -> None:
    """Issue 18 (messages pointing at the wrong fix): in front of the AKS Istio add-on, whose
    Envoy keeps idle connections 3600 s, azure.loadBalancer.idleTimeoutMinutes: 30 was
    refused at that key with 'use at most 1799s', a fix for Envoy's timeout, which ingresslib
    cannot set there, in seconds on a key in minutes. The key in its unit is asked for."""
    data = stack_file("aks", "gateway")
    data.pop("gateway")
    data["azure"]["istioAddon"] = {"revision": "asm-1-25"}
    data["azure"].pop("publicIp", None)
    data["azure"]["loadBalancer"] = {"idleTimeoutMinutes": 30}
    problems = [p for p in _problems(copy.deepcopy(data))
                if p.path == "azure.loadBalancer.idleTimeoutMinutes"]
    (problem,) = problems
    assert problem.value == 30
    assert "set at least 61 (minutes)" in problem.message
    assert "1799s" not in problem.message
    data["azure"]["loadBalancer"] = {"idleTimeoutMinutes": 61}
    parse_config(data)


def test_every_config_key_a_message_names_exists() -> None:
    """EDGE-MSG-KEY: every config key named in a string of the library (problems, findings,
    rules, docstrings) resolves in the models; no message sends the user 'there'."""
    assert message_keys.missing_keys(ROOT / "ingresslib") == []
    assert message_keys.vague_messages(ROOT / "ingresslib") == []


def test_the_key_check_finds_a_key_that_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        'PATH = "aws.nlb"\n'
        'A = f"{PATH}.ipAddressType: set it in aws.nlb.dualStack; configure it there"\n'
        'B = "azure.applicationGateway.requestTimeoutSeconds is fine"\n')
    assert [k for _, _, k in message_keys.missing_keys(tmp_path)] == [
        "aws.nlb.ipAddressType", "aws.nlb.dualStack"]
    assert len(message_keys.vague_messages(tmp_path)) == 1


def test_f_standalone_long_lived_routes_need_their_timeout() -> None:
    """EDGE-TO-LONG in standalone (AGIC#1277): the route's Ingress waits its timeout, or
    requestTimeoutSeconds; a longLived route says its own, which becomes the Ingress's."""
    data = aks_stack("standalone")
    data["routing"]["hosts"][0]["routes"][0]["longLived"] = True
    (problem,) = _problems(copy.deepcopy(data))
    assert problem.path == f"routing.hosts[{HOST}].routes[web].timeout"
    assert "azure.applicationGateway.requestTimeoutSeconds" in problem.message
    data["routing"]["hosts"][0]["routes"][0]["timeout"] = "2h"
    cfg = parse_config(data)
    (ingress,) = ingress_objects(cfg)
    assert ingress["metadata"]["annotations"][
        "appgw.ingress.kubernetes.io/request-timeout"] == "7200"


def test_a_route_timeout_leaves_room_for_the_rate_limit_call() -> None:
    """EDGE-RL-FAIL: Envoy's route timeout starts after the ratelimit call, so behind
    Application Gateway's 30 s a 30 s route with a 1 s limit call outlasts the wait; a host
    no descriptor applies to keeps its whole timeout."""
    data = stack_file("aks", "chained")
    api = data["routing"]["hosts"][0]["routes"][0]
    api.pop("retries")
    api["timeout"] = "30s"
    data["rateLimits"] = {"global": {"timeout": "1s", "service": {
        "host": "ratelimit.ratelimit.svc.cluster.local", "port": 8081},
        "descriptors": [{"actions": [{"remoteAddress": {}}]}]}}
    (problem,) = _problems(copy.deepcopy(data))
    assert problem.path.endswith("routes[api].timeout")
    assert "use at most 29s (EDGE-RL-FAIL)" in problem.message
    data["rateLimits"]["global"]["descriptors"][0]["hosts"] = ["other.example.com"]
    data["listeners"][0]["hosts"].append("other.example.com")
    parse_config(data)


def test_client_cidr_rules_on_an_internal_nlb_say_why_preservation_is_off() -> None:
    """EDGE-IN-HAIRPIN: an internal NLB with CIDR authorization and neither preservation nor
    PROXY protocol set is refused saying the internal default, with both fixes; PROXY
    protocol keeps the address without hairpin drops."""
    data = stack_file("eks", "gateway")
    data["loadBalancer"] = {"scheme": "internal"}
    nlb = data["aws"]["nlb"]
    nlb.pop("elasticIps")
    nlb.pop("proxyProtocol")
    data["aws"]["dns"]["private"] = True
    data["gateway"]["service"].pop("loadBalancerSourceRanges")
    (problem,) = _problems(copy.deepcopy(data))
    assert problem.path == "security.authorization[admin-from-office]"
    assert "unset on an internal NLB" in problem.message
    assert "EDGE-IN-HAIRPIN" in problem.message
    nlb["proxyProtocol"] = True
    parse_config(data)


def test_a_stack_lists_the_interaction_rules_of_the_settings_it_uses() -> None:
    """edge.md lists EDGE-TO-LONG on a stack with a longLived route and EDGE-RL-FAIL on one
    with a global rate limit; the shipped stacks, which use neither, list neither."""
    plain = parse_config(stack_file("aks", "chained"))
    assert not {"EDGE-TO-LONG", "EDGE-RL-FAIL"} & {r.code for r in plain.edge.rules}
    cfg = parse_config(_websocket_chained(timeout="1h", longLived=True))
    assert "EDGE-TO-LONG" in {r.code for r in cfg.edge.rules}
    assert "EDGE-RL-FAIL" in {r.code for r in parse_config(_rate_limited()).edge.rules}
