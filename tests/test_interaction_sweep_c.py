"""Public failure reports replayed as a new user would write them (docs/interaction-sweep-c.md):
each case is the report's setting on a shipped stack, and what ingresslib now says or renders.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.aws.nlb import PREFIX as NLB
from ingresslib.azure.agc.manifests import agc_objects
from ingresslib.azure.agic.ingresses import ingress_objects
from ingresslib.errors import ConfigError
from ingresslib.stack.model import StackConfig
from ingresslib.stack.render import stack_manifests
from tests.configs import agc_stack, stack_file

RATELIMIT = {"host": "ratelimit.ratelimit.svc.cluster.local", "port": 8081}


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return "\n".join(f"{p.path}: {p.message}" for p in err.value.problems)


def _agic_websocket() -> dict[str, Any]:
    """Azure/application-gateway-kubernetes-ingress#1277: a WebSocket route through AGIC."""
    data = stack_file("aks", "standalone")
    route = data["routing"]["hosts"][0]["routes"][0]
    route.pop("timeout")
    route["longLived"] = True
    return data


def _internal_nlb(target_type: str) -> dict[str, Any]:
    """kubernetes/cloud-provider-aws#1160, aws/amazon-vpc-cni-k8s#840: an internal NLB that
    pods of the cluster call."""
    data = stack_file("eks", "gateway")
    data["loadBalancer"] = {"scheme": "internal"}
    nlb = data["aws"]["nlb"]
    for key in ("elasticIps", "proxyProtocol"):
        nlb.pop(key, None)
    nlb["targetType"] = target_type
    data["aws"]["dns"]["private"] = True
    data["gateway"]["service"].pop("loadBalancerSourceRanges")
    data.pop("security")
    return data


def _attributes(cfg: StackConfig) -> str:
    assert cfg.edge.gateway is not None
    value: str = cfg.edge.gateway.service_annotations[f"{NLB}target-group-attributes"]
    return value


def test_agic_1277_a_websocket_route_says_how_long_it_lasts() -> None:
    """AGIC#1277, MicrosoftDocs/azure-docs#49622: the request timeout ends the WebSocket."""
    data = _agic_websocket()
    assert "azure.applicationGateway.requestTimeoutSeconds" in _refused(copy.deepcopy(data))
    data["routing"]["hosts"][0]["routes"][0]["timeout"] = "2h"
    timeouts = {o["metadata"]["name"]: o["metadata"]["annotations"][
        "appgw.ingress.kubernetes.io/request-timeout"] for o in ingress_objects(parse_config(data))}
    assert timeouts["ingress-portal-example-com-api"] == "7200"


def test_aks_5255_agc_names_the_key_of_its_60_second_wait() -> None:
    """Azure/AKS#5255, #5453: a call longer than AGC's 60 s; an SSE stream of 5 minutes."""
    data = agc_stack("chained", routing={
        "backends": {"report": {"service": "report", "namespace": "shop", "port": 8080}},
        "hosts": [{"host": "shop.example.com", "routes": [
            {"name": "export", "to": [{"backend": "report"}], "timeout": "5m"}]}]})
    assert "raise azure.applicationGatewayForContainers.requestTimeoutSeconds" in _refused(
        copy.deepcopy(data))
    data["routing"]["hosts"][0]["routes"][0]["longLived"] = True
    policies = [o for o in agc_objects(parse_config(data)) if o["kind"] == "RoutePolicy"]
    assert [p["spec"]["default"]["timeouts"]["routeTimeout"] for p in policies] == ["5m"]


@pytest.mark.parametrize("target_type", ["ip", "instance"])
def test_cpa_1160_an_internal_nlb_keeps_hairpin_callers(target_type: str) -> None:
    """kubernetes/cloud-provider-aws#1160, ingress-nginx#6758, kubernetes#66796."""
    cfg = parse_config(_internal_nlb(target_type))
    assert "preserve_client_ip.enabled=false" in _attributes(cfg)


@pytest.mark.parametrize(("changes", "fragment"), [
    # envoyproxy/ratelimit#322, envoyproxy/gateway#1616: failing closed on 20 ms.
    ({"timeout": "20ms"}, "rateLimits.global.timeout: with failureModeDeny: true"),
    # envoyproxy/ratelimit#462: a 10 s call in front of a 30 s route behind Application Gateway.
    ({"failureModeDeny": False, "timeout": "10s"}, "use at most 20s (EDGE-RL-FAIL)"),
])
def test_ratelimit_322_462_the_limits_call_fits(changes: dict[str, Any], fragment: str
                                                 ) -> None:
    data = stack_file("aks", "chained")
    api = data["routing"]["hosts"][0]["routes"][0]
    api.pop("retries")
    api["timeout"] = "30s"
    data["rateLimits"] = {"global": {"service": RATELIMIT, **changes,
                                     "descriptors": [{"actions": [{"remoteAddress": {}}]}]}}
    assert fragment in _refused(data)


def test_external_dns_1335_no_public_name_on_the_internal_hop() -> None:
    """kubernetes-sigs/external-dns#1335: private addresses published for a public name."""
    data = stack_file("aks", "chained")
    data["gateway"].setdefault("service", {})["annotations"] = {
        "external-dns.alpha.kubernetes.io/hostname": "portal.example.com"}
    assert "(EDGE-HOP-DNS)" in _refused(data)


@pytest.mark.parametrize(("name", "value", "internal"), [
    ("ip-address-type", "dualstack", False),  # traefik/traefik-helm-chart#617
    ("private-ipv4-addresses", "10.20.0.120,10.20.1.120", True),  # aws-lbc#2337
])
def test_lbc_2337_annotations_no_key_sets_are_kept(name: str, value: str, internal: bool
                                                     ) -> None:
    data = _internal_nlb("ip") if internal else stack_file("eks", "gateway")
    data["gateway"]["service"]["annotations"] = {f"{NLB}{name}": value}
    service = next(o for o in stack_manifests(parse_config(data)).gateway
                   if o["kind"] == "Service")
    assert service["metadata"]["annotations"][f"{NLB}{name}"] == value




def test_radius_7590_no_default_route_timeout_cuts_a_stream() -> None:
    """radius-project/radius#7590: Envoy's 15 s default route timeout ended SignalR; Istio
    sets none, so a longLived route without a timeout behind the NLB has none."""
    data = stack_file("eks", "gateway")
    route = data["routing"]["hosts"][0]["routes"][0]
    route.pop("timeout", None)
    route.pop("retries", None)
    route["longLived"] = True
    services = [o for o in stack_manifests(parse_config(data)).routing
                if o["kind"] == "VirtualService"]
    assert all("timeout" not in h for vs in services for h in vs["spec"]["http"])
