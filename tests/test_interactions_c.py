"""Issue 18, the third share: long-lived connections through every hop (input f), callers
inside the VPC or cluster, settings on the wrong hop, defaults unsafe together, and messages
that name the wrong component or a key that does not exist.

Each test names the rule it covers; a rule has a case that triggers it and one that does not.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from ingresslib import parse_config
from ingresslib.azure.agc_manifests import agc_objects
from ingresslib.azure.application_gateway_plan import SETTINGS, application_gateway_args
from ingresslib.azure.ids import AppGwIds
from ingresslib.errors import ConfigError, Problem
from ingresslib.stack.model import StackConfig
from ingresslib.stack.render import stack_manifests
from tests.aks_config import HOST, SUBSCRIPTION
from tests.conftest import ROOT
from tests.test_agc import agc_config

IDS = AppGwIds(SUBSCRIPTION, "edge", "portal-appgw")


def _stack_file(project: str, stack: str) -> dict[str, Any]:
    path = ROOT / "stacks" / project / f"Pulumi.{stack}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text())["config"]["ingress:stack"]
    return data


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
    data = _stack_file("aks", "chained")
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
    args = _appgw(parse_config(_stack_file("aks", "chained")))
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
    data = agc_config("chained", routing={
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
    data = _stack_file("eks", topology)
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



