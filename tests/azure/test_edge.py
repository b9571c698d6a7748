"""The Azure half of the edge contract (issue 11): inputs (b) and (c), the Azure load
balancer's TCP reset, Application Gateway's timeouts, drain and protocols, and every shipped
AKS stack read back against every rule of its plan.

Each test names the rule it covers; removing the rule (from the plan, its check or the
construction) fails it. The read-backs work on what was rendered (camelCase Pulumi inputs and
Kubernetes objects), independently of the plan's code.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.application_gateway.edge_contract import (
    application_gateway_problems,
    ingress_problems,
)
from ingresslib.azure.application_gateway.plan import (
    AGIC_MANAGED,
    XFF_REWRITE,
    application_gateway_args,
)
from ingresslib.azure.edge_plan import RULES
from ingresslib.azure.ids import AppGwIds
from ingresslib.config.duration import duration_ns
from ingresslib.edge import CORE_RULES, EdgePlan
from ingresslib.errors import ConfigError, Problem
from ingresslib.offline.mocks import Registered
from ingresslib.offline.output import manifests, plan
from ingresslib.stack.contract import contract_problems
from ingresslib.stack.model import StackConfig
from tests.configs import HOST, SUBSCRIPTION, aks_stack, stack_file
from tests.conftest import ROOT

APPGW = "azure-native:network:ApplicationGateway"
LB = "service.beta.kubernetes.io/"
AGIC = "appgw.ingress.kubernetes.io/"
NO_LB_RULE = LB + "port_15021_no_lb_rule"
XFF_VALUE = "{var_add_x_forwarded_for_proxy}"
AKS_STACKS = ("gateway", "chained", "standalone")
IDS = AppGwIds(SUBSCRIPTION, "edge", "shop-appgw")


def _stack(name: str) -> StackConfig:
    return parse_config(stack_file("aks", name))


def _codes(cfg: StackConfig) -> list[str]:
    return [r.code for r in cfg.edge.rules]


def _problems(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return err.value.problems


def _gateway_inputs(records: list[Registered]) -> dict[str, Any]:
    (gateway,) = [e["inputs"] for e in plan(records) if e["type"] == APPGW]
    return gateway


def _service(records: list[Registered], cfg: StackConfig) -> dict[str, Any]:
    wl = cfg.workload
    assert wl is not None
    return next(o for o in manifests(records) if o["kind"] == "Service"
                and o["metadata"]["name"] == wl.name)


def _lb_rule_ports(service: dict[str, Any]) -> set[int]:
    """The ports cloud-provider-azure makes a load-balancing rule for, read from the rendered
    Service: each of its ports, unless annotated port_<n>_no_lb_rule: true."""
    notes = service["metadata"].get("annotations", {})
    return {p["port"] for p in service["spec"]["ports"]
            if notes.get(f"{LB}port_{p['port']}_no_lb_rule", "").lower() != "true"}


def _child(ref: dict[str, str]) -> tuple[str, str]:
    kind, name = ref["id"].rsplit("/", 2)[1:]
    return kind, name


def _strips_port(gateway: dict[str, Any], name: str) -> bool:
    rule_set = next((s for s in gateway.get("rewriteRuleSets", []) if s["name"] == name), {})
    return any(h == {"headerName": "X-Forwarded-For", "headerValue": XFF_VALUE}
               for r in rule_set.get("rewriteRules", []) if not r.get("conditions")
               for h in r["actionSet"].get("requestHeaderConfigurations", []))


def _own_id(gateway: dict[str, Any]) -> str:
    """The gateway's own ARM ID, as its listeners' references spell it."""
    return gateway["httpListeners"][0]["frontendPort"]["id"].rsplit("/frontendPorts/", 1)[0]


def _ingresses(records: list[Registered]) -> list[dict[str, Any]]:
    return [o for o in manifests(records) if o["kind"] == "Ingress"]


def _seconds(duration: str) -> int:
    return math.ceil(duration_ns(duration) / 10**9)


# ---------------------------------------- (b) a load-balancing rule for every probed port


def test_b_chained_keeps_a_rule_for_the_port_application_gateway_probes(renders) -> None:
    """EDGE-HC-LBRULE, input (b): Application Gateway probes <internal LB IP>:15021; the
    internal load balancer has a rule for it (and for the traffic port), probed on Envoy's
    readiness like the traffic ports."""
    cfg = _stack("chained")
    assert "EDGE-HC-LBRULE" in _codes(cfg)
    records = renders[("stacks/aks", "chained")]
    service = _service(records, cfg)
    notes = service["metadata"]["annotations"]
    assert NO_LB_RULE not in notes
    gateway = _gateway_inputs(records)
    reached = {p["port"] for p in gateway["probes"]} | {
        s["port"] for s in gateway["backendHttpSettingsCollection"]}
    assert reached == {15021, 80}
    assert reached <= _lb_rule_ports(service)
    assert notes[f"{LB}port_15021_health-probe_port"] == "15021"
    assert notes[f"{LB}port_15021_health-probe_request-path"] == "/healthz/ready"
    # The pool is the internal load balancer's address the probes go through.
    (pool,) = gateway["backendAddressPools"]
    assert pool["backendAddresses"] == [{"ipAddress": notes[f"{LB}azure-load-balancer-ipv4"]}]


def test_gateway_topology_hides_the_status_port_its_probes_reach_directly(renders) -> None:
    """EDGE-HC-LBRULE: with nothing probing through the load balancer, 15021 gets no rule;
    the traffic ports' probes target its node port."""
    cfg = _stack("gateway")
    service = _service(renders[("stacks/aks", "gateway")], cfg)
    assert service["metadata"]["annotations"][NO_LB_RULE] == "true"
    assert _lb_rule_ports(service) == {80, 443}


@pytest.mark.parametrize("value", ["true", "True"])
def test_a_no_lb_rule_on_the_probed_port_is_refused(value: str) -> None:
    """EDGE-HC-LBRULE over the annotations: the user's own no_lb_rule on 15021 in chained."""
    data = aks_stack("chained", gateway={"service": {"annotations": {NO_LB_RULE: value}}})
    (problem,) = _problems(data)
    assert problem.path == f"gateway.service.annotations.{NO_LB_RULE}"
    assert problem.value == value
    assert "Application Gateway's health probe" in problem.message
    assert "EDGE-HC-LBRULE" in problem.message


def test_a_no_lb_rule_on_a_listener_port_is_refused() -> None:
    """EDGE-HC-LBRULE in topology gateway: clients reach the listeners' ports through it."""
    key = f"{LB}port_443_no_lb_rule"
    (problem,) = _problems(aks_stack(gateway={"service": {"annotations": {key: "true"}}}))
    assert problem.path == f"gateway.service.annotations.{key}"
    assert "listener https's clients" in problem.message
    assert "EDGE-HC-LBRULE" in problem.message
    # The add-on's Service takes no_lb_rule on 80/443 (AKS allows it): refused all the same.
    addon = aks_stack(gateway={"service": {"annotations": {key: "true"}}})
    addon["azure"]["istioAddon"] = {"revision": "asm-1-25"}
    (problem,) = [p for p in _problems(addon) if "EDGE-HC-LBRULE" in p.message]
    assert problem.path == f"gateway.service.annotations.{key}"


def test_the_read_back_refuses_a_probe_of_a_port_without_a_rule() -> None:
    """EDGE-HC-LBRULE on the Application Gateway's arguments, before registration."""
    cfg = parse_config(aks_stack("chained"))
    args = application_gateway_args(cfg, IDS, public_ip_id="PIP", identity_id="ID",
                                    waf_policy_id="WAF")
    assert list(application_gateway_problems(cfg, args)) == []
    broken = copy.deepcopy(args)
    broken["probes"][0]["port"] = 8080
    (problem,) = application_gateway_problems(cfg, broken)
    assert problem.path == "ApplicationGateway/shop-appgw probes.istio-gateway-ready"
    assert problem.value == 8080
    assert "EDGE-HC-LBRULE" in problem.message


# ------------------------------------------------- (c) X-Forwarded-For without the port


def test_c_every_forwarding_rule_rewrites_xff_without_the_port(renders) -> None:
    """EDGE-ID-XFF-PORT, input (c): the chained stack denies by client address behind
    Application Gateway, which appends client-IP:port; every rule that reaches the gateway
    rewrites X-Forwarded-For to the client IP only, so the one trusted hop reads it."""
    cfg = _stack("chained")
    assert "EDGE-ID-XFF-PORT" in _codes(cfg)
    records = renders[("stacks/aks", "chained")]
    gateway = _gateway_inputs(records)
    forwarding = [r for r in gateway["requestRoutingRules"] if "backendAddressPool" in r]
    assert forwarding
    for rule in forwarding:
        kind, name = _child(rule["rewriteRuleSet"])
        assert kind == "rewriteRuleSets"
        assert rule["rewriteRuleSet"]["id"].startswith(_own_id(gateway) + "/")
        assert _strips_port(gateway, name)
    # Redirects reach no backend, and Application Gateway applies no rewrite to them.
    assert all("rewriteRuleSet" not in r for r in gateway["requestRoutingRules"]
               if "redirectConfiguration" in r)
    # The rule the address is for: remoteIpBlocks, read from X-Forwarded-For, one hop.
    objects = manifests(records)
    (deny,) = [o for o in objects if o["kind"] == "AuthorizationPolicy"
               and o["spec"].get("action") == "DENY"]
    assert deny["spec"]["rules"][0]["from"][0]["source"]["notRemoteIpBlocks"] == [
        "198.51.100.0/24"]
    pod = next(o for o in objects if o["kind"] == "Deployment"
               and o["metadata"]["name"] == "istio-ingressgateway")["spec"]["template"]
    proxy = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
    assert proxy["gatewayTopology"]["numTrustedProxies"] == 1


def test_the_read_back_refuses_a_forwarding_rule_without_the_rewrite() -> None:
    """EDGE-ID-XFF-PORT on the Application Gateway's arguments, before registration."""
    cfg = parse_config(aks_stack("chained"))
    args = application_gateway_args(cfg, IDS, public_ip_id="PIP", identity_id="ID",
                                    waf_policy_id="WAF")
    broken = copy.deepcopy(args)
    rule = next(r for r in broken["request_routing_rules"] if "backend_address_pool" in r)
    del rule["rewrite_rule_set"]
    (problem,) = application_gateway_problems(cfg, broken)
    assert problem.path == f"ApplicationGateway/shop-appgw requestRoutingRules.{rule['name']}"
    assert "EDGE-ID-XFF-PORT" in problem.message
    broken = copy.deepcopy(args)
    broken["rewrite_rule_sets"][0]["rewrite_rules"][0]["action_set"][
        "request_header_configurations"][0]["header_value"] = "{var_client_ip}:{var_client_port}"
    assert [p.message for p in application_gateway_problems(cfg, broken)]


def test_standalone_ingresses_name_the_rewrite_set_pulumi_keeps(renders) -> None:
    """EDGE-ID-XFF-PORT in standalone: AGIC owns the routing rules, so each Ingress names the
    rewrite set (AGIC attaches it to its path and default rules); the set is Pulumi's, which
    AGIC keeps (it prunes only crd-* sets), so Pulumi no longer ignores rewriteRuleSets."""
    cfg = _stack("standalone")
    assert "EDGE-ID-XFF-PORT" in _codes(cfg)
    records = renders[("stacks/aks", "standalone")]
    gateway = _gateway_inputs(records)
    assert _strips_port(gateway, XFF_REWRITE)
    assert not XFF_REWRITE.startswith("crd-")
    assert "rewriteRuleSets" not in AGIC_MANAGED
    ingresses = _ingresses(records)
    assert ingresses
    for ing in ingresses:
        assert ing["metadata"]["annotations"][f"{AGIC}rewrite-rule-set"] == XFF_REWRITE


# ------------------------------------------------------------------------- timeouts


def test_tcp_reset_is_on_by_default_and_said_in_the_rule() -> None:
    """EDGE-TO-AZURE-LB: cloud-provider-azure resets both ends of an idle flow by default;
    the plan's rule says so, and Envoy still closes first."""
    cfg = parse_config(aks_stack())
    assert cfg.edge.gateway is not None
    assert f"{LB}azure-load-balancer-disable-tcp-reset" not in cfg.edge.gateway.service_annotations
    (rule,) = [r for r in cfg.edge.rules if r.code == "EDGE-TO-AZURE-LB"]
    assert "TCP reset on (azure.loadBalancer.tcpReset) it resets both ends" in rule.statement
    t = cfg.edge.timeouts
    assert t is not None
    assert t.envoy_idle_seconds < t.load_balancer_idle_seconds


@pytest.mark.parametrize("topology", ["gateway", "chained"])
def test_tcp_reset_off_drops_idle_flows_silently_and_envoy_closes_first(topology: str
                                                                          ) -> None:
    """EDGE-TO-AZURE-LB with azure.loadBalancer.tcpReset false: the annotation is set, the
    plan says the flow is dropped silently, and an Envoy idle timeout that outlives the load
    balancer's is refused with the maximum."""
    data = aks_stack(topology)
    data["azure"].setdefault("loadBalancer", {})["tcpReset"] = False
    cfg = parse_config(data)
    assert cfg.edge.gateway is not None
    notes = cfg.edge.gateway.service_annotations
    assert notes[f"{LB}azure-load-balancer-disable-tcp-reset"] == "true"
    (rule,) = [r for r in cfg.edge.rules if r.code == "EDGE-TO-AZURE-LB"]
    assert "drops the flow silently" in rule.statement
    assert "(TCP reset off)" in cfg.edge.load_balancer
    data["gateway"] = {"idleTimeout": "1800s"}  # the load balancer's 30 min
    problems = _problems(data)
    problem = next(p for p in problems if p.path == "gateway.idleTimeout")
    assert problem.value == "1800s"
    assert "use at most 1799s" in problem.message
    assert "EDGE-TO-AZURE-LB" in problem.message


def test_the_addon_takes_tcp_reset_off() -> None:
    data = aks_stack(azure={**aks_stack()["azure"], "istioAddon": {"revision": "asm-1-25"},
                             "loadBalancer": {"tcpReset": False}})
    cfg = parse_config(data)
    assert cfg.edge.gateway is not None
    assert cfg.edge.gateway.service_annotations[
        f"{LB}azure-load-balancer-disable-tcp-reset"] == "true"


def _routed(data: dict[str, Any], *timeouts: str | None) -> dict[str, Any]:
    """`data` with one route per timeout on its host, to backend web (standalone's)."""
    routes = []
    for i, timeout in enumerate(timeouts):
        route: dict[str, Any] = {"name": f"r{i}", "to": [{"backend": "web"}]}
        if i < len(timeouts) - 1:
            route["match"] = [{"uri": {"prefix": f"/p{i}/"}}]
        if timeout:
            route["timeout"] = timeout
        routes.append(route)
    data["routing"] = {"backends": {"web": {"service": "web", "namespace": "shop",
                                            "port": 8080}},
                       "hosts": [{"host": HOST, "routes": routes}]}
    return data


def test_chained_route_timeouts_fit_application_gateways_request_timeout() -> None:
    """EDGE-TO-APPGW: Application Gateway waits requestTimeoutSeconds; a route timeout above
    it is refused with its path and that maximum, and raising it makes the route valid."""
    cfg = parse_config(aks_stack("chained"))
    assert "EDGE-TO-APPGW" in _codes(cfg)
    assert cfg.edge.timeouts is not None
    assert cfg.edge.timeouts.response_seconds == 30
    (problem,) = _problems(_routed(aks_stack("chained"), "45s"))
    assert problem.path == "routing.hosts[shop.example.com].routes[r0].timeout"
    assert problem.value == "45s"
    assert "use at most 30s" in problem.message
    data = _routed(aks_stack("chained"), "45s")
    data["azure"]["applicationGateway"]["requestTimeoutSeconds"] = 60
    assert parse_config(data).edge.timeouts.response_seconds == 60  # type: ignore[union-attr]


def test_standalone_route_timeouts_become_their_ingresses_request_timeouts() -> None:
    """EDGE-TO-APPGW in standalone: each route's timeout is its Ingress's request timeout (whole
    seconds, rounded up), else requestTimeoutSeconds; above 86400 s it is refused."""
    from ingresslib.azure.agic.ingresses import ingress_objects  # noqa: PLC0415

    cfg = parse_config(_routed(aks_stack("standalone"), "1500ms", "90s", None))
    (rule,) = [r for r in cfg.edge.rules if r.code == "EDGE-TO-APPGW"]
    assert "becomes its Ingress's request timeout" in rule.statement
    got = {o["metadata"]["name"].rsplit("-", 1)[1]:
           int(o["metadata"]["annotations"][f"{AGIC}request-timeout"])
           for o in ingress_objects(cfg)}
    assert got == {"r0": 2, "r1": 90, "r2": 30}
    (problem,) = _problems(_routed(aks_stack("standalone"), "25h", None))
    assert problem.path == "routing.hosts[shop.example.com].routes[r0].timeout"
    assert problem.value == "25h"
    assert "use at most 86400s" in problem.message
    assert "EDGE-TO-APPGW" in problem.message


# ---------------------------------------------------------------------------- drain


def test_chained_drain_follows_the_internal_load_balancers_probes() -> None:
    """EDGE-DR-AZURE-LB: Application Gateway's pool member is the internal load balancer,
    which never leaves it; the pod's drain is governed by the probe window."""
    data = aks_stack("chained")
    data["azure"]["loadBalancer"] |= {"probeIntervalSeconds": 20, "probeThreshold": 3}
    data["loadBalancer"] = {"deregistrationDelaySeconds": 5}
    cfg = parse_config(data)
    assert cfg.edge.drain_needed_seconds == 60
    assert "probes" in cfg.edge.drain_reason
    assert cfg.workload is not None
    assert cfg.workload.drain.termination_drain_seconds > 60


def test_standalone_ingresses_drain_for_their_request_timeout() -> None:
    """EDGE-DR-APPGW: AGIC takes a leaving pod out of the pool and Application Gateway cuts its
    requests after the drain: each Ingress drains, for at least its request timeout."""
    from ingresslib.azure.agic.ingresses import ingress_objects  # noqa: PLC0415

    cfg = parse_config(_routed(aks_stack("standalone"), "120s", None))
    assert "EDGE-DR-APPGW" in _codes(cfg)
    assert cfg.edge.drain_needed_seconds == 120
    notes = {o["metadata"]["name"].rsplit("-", 1)[1]: o["metadata"]["annotations"]
             for o in ingress_objects(cfg)}
    assert {k: (n[f"{AGIC}connection-draining"], n[f"{AGIC}connection-draining-timeout"])
            for k, n in notes.items()} == {"r0": ("true", "120"), "r1": ("true", "30")}
    # Application Gateway drains at most 3600 s.
    data = _routed(aks_stack("standalone"), None)
    data["azure"]["applicationGateway"]["requestTimeoutSeconds"] = 7200
    (ingress,) = ingress_objects(parse_config(data))
    assert ingress["metadata"]["annotations"][f"{AGIC}connection-draining-timeout"] == "3600"


@pytest.mark.parametrize("delay", [0, 10])
def test_an_explicit_drain_shorter_than_a_request_is_refused_with_the_minimum(delay: int
                                                                              ) -> None:
    """EDGE-DR-APPGW: loadBalancer.deregistrationDelaySeconds is the Ingresses' drain."""
    data = _routed(aks_stack("standalone"), "45s", None)
    data["loadBalancer"] = {"deregistrationDelaySeconds": delay}
    (problem,) = _problems(data)
    assert problem.path == "loadBalancer.deregistrationDelaySeconds"
    assert problem.value == delay
    assert "use at least 45" in problem.message
    assert "EDGE-DR-APPGW" in problem.message


def test_the_read_back_refuses_an_ingress_that_drains_too_little() -> None:
    ingress = {"metadata": {"name": "x", "namespace": "y", "annotations": {
        f"{AGIC}request-timeout": "60", f"{AGIC}connection-draining": "true",
        f"{AGIC}connection-draining-timeout": "30", f"{AGIC}rewrite-rule-set": XFF_REWRITE}}}
    (problem,) = ingress_problems([ingress])
    assert problem.path == "Ingress/y/x connection-draining-timeout"
    assert "drain at least 60 s (EDGE-DR-APPGW)" in problem.message


# ------------------------------------------------------------------------ protocols


def test_application_gateway_speaks_http1_to_backends_and_h2_to_clients(renders) -> None:
    """EDGE-PR-APPGW: HTTP/2 from clients only; HTTP/1.1 to the gateway (chained) and to the
    backends (standalone); gRPC is not carried, which the AKS guide says (topology gateway)."""
    for stack in ("chained", "standalone"):
        assert "EDGE-PR-APPGW" in _codes(_stack(stack))
        gateway = _gateway_inputs(renders[("stacks/aks", stack)])
        assert gateway["enableHttp2"] is True
        assert {s["protocol"] for s in gateway["backendHttpSettingsCollection"]} == {"Http"}
    for ing in _ingresses(renders[("stacks/aks", "standalone")]):
        assert ing["metadata"]["annotations"][f"{AGIC}backend-protocol"] == "http"
    assert "EDGE-PR-APPGW" not in _codes(_stack("gateway"))
    aks = (ROOT / "docs/guides/aks.md").read_text()
    assert "gRPC on AKS needs topology gateway" in aks


# ------------------------------------------------- every AKS stack holds every rule

Check = Callable[[StackConfig, list[Registered]], None]


def _hc_azure(cfg: StackConfig, records: list[Registered]) -> None:
    notes = _service(records, cfg)["metadata"]["annotations"]
    for port in (80, 443):
        assert notes[f"{LB}port_{port}_health-probe_port"] == "15021"
        assert notes[f"{LB}port_{port}_health-probe_request-path"] == "/healthz/ready"


def _hc_lbrule(cfg: StackConfig, records: list[Registered]) -> None:
    ruled = _lb_rule_ports(_service(records, cfg))
    reached = {lst.port for lst in cfg.listeners}
    if cfg.topology == "chained":
        gateway = _gateway_inputs(records)
        reached = {p["port"] for p in gateway["probes"]} | {
            s["port"] for s in gateway["backendHttpSettingsCollection"]}
        assert NO_LB_RULE not in _service(records, cfg)["metadata"]["annotations"]
    assert reached <= ruled


def _xff_port(cfg: StackConfig, records: list[Registered]) -> None:
    gateway = _gateway_inputs(records)
    if cfg.topology == "chained":
        rules = [r for r in gateway["requestRoutingRules"] if "backendAddressPool" in r]
        assert rules
        assert all(_strips_port(gateway, _child(r["rewriteRuleSet"])[1]) for r in rules)
    else:
        ingresses = _ingresses(records)
        assert ingresses
        for ing in ingresses:
            assert _strips_port(gateway, ing["metadata"]["annotations"][
                f"{AGIC}rewrite-rule-set"])


def _to_azure_lb(cfg: StackConfig, records: list[Registered]) -> None:
    service = _service(records, cfg)
    minutes = int(service["metadata"]["annotations"][
        f"{LB}azure-load-balancer-tcp-idle-timeout"])
    pod = next(o for o in manifests(records) if o["kind"] == "Deployment"
               and o["metadata"]["name"] == service["metadata"]["name"])["spec"]["template"]
    proxy = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
    assert _seconds(proxy["proxyMetadata"]["ISTIO_META_IDLE_TIMEOUT"]) < minutes * 60
    longest = max((_seconds(r.timeout) for h in cfg.routing.hosts for r in h.routes
                   if r.timeout), default=0)
    assert longest <= minutes * 60


def _to_appgw(cfg: StackConfig, records: list[Registered]) -> None:
    gateway = _gateway_inputs(records)
    if cfg.topology == "chained":
        (settings,) = gateway["backendHttpSettingsCollection"]
        for host in cfg.routing.hosts:
            for route in host.routes:
                if route.timeout:
                    assert _seconds(route.timeout) <= settings["requestTimeout"]
        return
    by_name = {o["metadata"]["name"]: o for o in _ingresses(records)}
    for host in cfg.routing.hosts:
        for route in host.routes:
            name = f"{cfg.name}-{host.host.replace('.', '-')}-{route.name}"
            got = int(by_name[name]["metadata"]["annotations"][f"{AGIC}request-timeout"])
            assert got == (_seconds(route.timeout) if route.timeout else
                           cfg.azure.application_gateway.request_timeout_seconds)  # type: ignore[union-attr]
            assert got <= 86400


def _dr_azure_lb(cfg: StackConfig, records: list[Registered]) -> None:
    service = _service(records, cfg)
    notes = service["metadata"]["annotations"]
    window = (int(notes[f"{LB}port_80_health-probe_interval"])
              * int(notes[f"{LB}port_80_health-probe_num-of-probe"]))
    pod = next(o for o in manifests(records) if o["kind"] == "Deployment"
               and o["metadata"]["name"] == service["metadata"]["name"])["spec"]["template"]
    proxy = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
    drain = _seconds(proxy["terminationDrainDuration"])
    assert drain > window
    assert drain > cfg.load_balancer.deregistration_delay_seconds


def _dr_appgw(cfg: StackConfig, records: list[Registered]) -> None:
    for ing in _ingresses(records):
        notes = ing["metadata"]["annotations"]
        assert notes[f"{AGIC}connection-draining"] == "true"
        assert int(notes[f"{AGIC}connection-draining-timeout"]) >= min(
            int(notes[f"{AGIC}request-timeout"]), 3600)


def _pr_appgw(cfg: StackConfig, records: list[Registered]) -> None:
    gateway = _gateway_inputs(records)
    assert {s["protocol"] for s in gateway["backendHttpSettingsCollection"]} == {"Http"}
    for ing in _ingresses(records):
        assert ing["metadata"]["annotations"][f"{AGIC}backend-protocol"] == "http"


def _read_back(code: str) -> Check:
    """A rule the gateway's half carries: stack/contract.py reads it back from the render."""
    def check(cfg: StackConfig, records: list[Registered]) -> None:
        found = [p for p in contract_problems(cfg.edge, manifests(records))
                 if code in p.message]
        assert found == []
    return check


def _setting(cfg: StackConfig, records: list[Registered]) -> None:
    """EDGE-CH-SETTING: the pod annotation ingresslib writes is the plan's, nothing dropped."""
    wl = cfg.workload
    assert wl is not None
    assert "proxy.istio.io/config" not in wl.pod_annotations


CHECKS: dict[str, Check] = {
    "EDGE-HC-AZURE": _hc_azure,
    "EDGE-HC-LBRULE": _hc_lbrule,
    "EDGE-ID-XFF-PORT": _xff_port,
    "EDGE-TO-AZURE-LB": _to_azure_lb,
    "EDGE-TO-APPGW": _to_appgw,
    "EDGE-DR-AZURE-LB": _dr_azure_lb,
    "EDGE-DR-APPGW": _dr_appgw,
    "EDGE-PR-APPGW": _pr_appgw,
    "EDGE-ID-HOPS": _read_back("EDGE-ID-HOPS"),
    "EDGE-DR": _read_back("EDGE-DR"),
    "EDGE-TO": _read_back("EDGE-TO"),
    "EDGE-HC-NETPOL": _read_back("EDGE-HC-NETPOL"),
    "EDGE-CH-SETTING": _setting,
}


def test_every_azure_rule_has_a_check() -> None:
    assert set(RULES) | {c for c in CORE_RULES} <= set(CHECKS)


@pytest.mark.parametrize("stack", AKS_STACKS)
def test_every_aks_stack_satisfies_every_rule_of_its_plan(renders, stack: str) -> None:
    cfg = _stack(stack)
    records = renders[("stacks/aks", stack)]
    plan_: EdgePlan = cfg.edge
    assert plan_.rules
    for rule in plan_.rules:
        CHECKS[rule.code](cfg, records)
    # The contract the components read back before registering holds on the same config.
    if stack != "gateway":
        args = application_gateway_args(cfg, IDS, public_ip_id="PIP", identity_id="ID",
                                        waf_policy_id="WAF")
        assert list(application_gateway_problems(cfg, args)) == []
    assert list(ingress_problems(_ingresses(records))) == []


def test_the_aks_stacks_render_what_they_say(renders) -> None:
    """Each shipped AKS stack renders; its plan lists the Azure rules for its topology."""
    expected = {
        "gateway": {"EDGE-HC-AZURE", "EDGE-HC-LBRULE", "EDGE-TO-AZURE-LB", "EDGE-DR-AZURE-LB"},
        "chained": {"EDGE-HC-AZURE", "EDGE-HC-LBRULE", "EDGE-TO-AZURE-LB", "EDGE-DR-AZURE-LB",
                    "EDGE-ID-XFF-PORT", "EDGE-TO-APPGW", "EDGE-PR-APPGW"},
        "standalone": {"EDGE-ID-XFF-PORT", "EDGE-TO-APPGW", "EDGE-DR-APPGW", "EDGE-PR-APPGW"},
    }
    for stack, codes in expected.items():
        assert set(_codes(_stack(stack))) & set(RULES) == codes
        assert renders[("stacks/aks", stack)]
