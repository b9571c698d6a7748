"""Application Gateway for Containers (AGC) on AKS: the config rules (each refused with its
path, value and rule), the edge plan and its read-back, the Azure resources, and the two
shipped stacks (standalone with a weighted canary, chained in front of the Istio gateway).

Each test of an edge invariant names its rule; removing the rule fails it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.agc.config import DELEGATION, GATEWAY_CLASS
from ingresslib.azure.agc.manifests import (
    ALB_ID,
    FRONTEND_ADDRESS,
    agc_contract_problems,
    agc_objects,
)
from ingresslib.azure.agc.resource_args import AGC_ROLES, controller_scopes
from ingresslib.azure.fakes import SUBSCRIPTION_ID
from ingresslib.azure.ids import resource_id
from ingresslib.errors import ConfigError
from ingresslib.offline.mocks import Registered
from ingresslib.offline.output import manifests, plan
from ingresslib.paths import named
from ingresslib.stack.model import StackConfig
from ingresslib.stack.render import check, stack_manifests
from tests.configs import (
    AGC_PREFIX,
    AGC_SUBNET,
    HOST,
    SUBSCRIPTION,
    agc_stack,
    aks_stack,
    stack_file,
)

WAF_ID = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/edge/providers/Microsoft.Network/"
          "ApplicationGatewayWebApplicationFirewallPolicies/mine")
TC = "azure-native:servicenetworking:TrafficControllerInterface"
FRONTEND = "azure-native:servicenetworking:FrontendsInterface"
ASSOCIATION = "azure-native:servicenetworking:AssociationsInterface"
SUBNET_TYPE = "azure-native:network:Subnet"
ROLE = "azure-native:authorization:RoleAssignment"
WAF = "azure-native:network:WebApplicationFirewallPolicy"


def _agc(data: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = data["azure"]["applicationGatewayForContainers"]
    return section


def _by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def _of(records: list[Registered], typ: str) -> list[dict[str, Any]]:
    return [e for e in plan(records) if e["type"] == typ]


# ------------------------------------------------------------------ standalone: the canary


def test_standalone_splits_90_10_between_subset_services() -> None:
    """AGIC refuses splits; AGC weights two Services, one per subset (each selecting the
    backend's pods plus the subset's labels), reached across namespaces by ReferenceGrant."""
    objects = agc_objects(parse_config(agc_stack()))
    (route,) = [r for r in _by_kind(objects, "HTTPRoute") if r["spec"]["rules"][0].get(
        "backendRefs")]
    refs = route["spec"]["rules"][0]["backendRefs"]
    assert [(r["name"], r["namespace"], r["weight"]) for r in refs] == [
        ("web-v1", "shop", 90), ("web-v2", "shop", 10)]
    assert route["metadata"]["namespace"] == "agc-ingress"
    assert route["spec"]["parentRefs"] == [{"group": "gateway.networking.k8s.io",
                                            "kind": "Gateway", "name": "ingress-agc",
                                            "sectionName": "https"}]
    services = {s["metadata"]["name"]: s for s in _by_kind(objects, "Service")}
    assert services["web-v2"]["spec"]["selector"] == {"app": "web", "version": "v2"}
    (grant,) = _by_kind(objects, "ReferenceGrant")
    assert grant["metadata"]["namespace"] == "shop"
    assert {t["name"] for t in grant["spec"]["to"]} == {"web-v1", "web-v2"}


def test_standalone_redirects_http_to_https_at_agc() -> None:
    objects = agc_objects(parse_config(agc_stack()))
    (redirect,) = [r for r in _by_kind(objects, "HTTPRoute")
                   if r["metadata"]["name"].endswith("https-redirect")]
    assert redirect["spec"]["parentRefs"][0]["sectionName"] == "http"
    assert redirect["spec"]["rules"][0]["filters"][0]["requestRedirect"] == {
        "scheme": "https", "statusCode": 301}


def test_standalone_probes_each_service_routed_to() -> None:
    """EDGE-HC-AGC: a HealthCheckPolicy per Service AGC sends to, in its namespace, probing the
    configured path; AGC would otherwise copy the Istio-rewritten readiness probe."""
    objects = agc_objects(parse_config(agc_stack()))
    policies = {p["spec"]["targetRef"]["name"]: p for p in _by_kind(objects, "HealthCheckPolicy")}
    assert set(policies) == {"web-v1", "web-v2"}
    default = policies["web-v1"]["spec"]["default"]
    assert policies["web-v1"]["metadata"]["namespace"] == "shop"
    assert default["http"] == {"path": "/healthz",
                               "match": {"statusCodes": [{"start": 200, "end": 399}]}}
    assert default["port"] == 8080


def test_a_grpc_backend_is_probed_over_grpc() -> None:
    data = agc_stack()
    data["routing"]["backends"]["web"]["protocol"] = "GRPC"
    data["routing"]["hosts"][0]["routes"][0]["match"] = [{"uri": {"prefix": "/shop.Cart/"}}]
    objects = agc_objects(parse_config(data))
    assert _by_kind(objects, "GRPCRoute")
    (policy, *_) = _by_kind(objects, "HealthCheckPolicy")
    assert policy["spec"]["default"]["grpc"] == {}


def test_standalone_host_timeout_is_a_route_policy_not_an_httproute_timeout() -> None:
    """EDGE-TO-AGC: AGC does not implement HTTPRoute timeouts; the host's timeout moves to a
    RoutePolicy on its HTTPRoute."""
    data = agc_stack()
    data["routing"]["hosts"][0]["routes"][0]["timeout"] = "1.5s"
    objects = agc_objects(parse_config(data))
    forwarding = [r for r in _by_kind(objects, "HTTPRoute")
                  if any(rule.get("backendRefs") for rule in r["spec"]["rules"])]
    assert all("timeouts" not in rule for r in forwarding for rule in r["spec"]["rules"])
    (policy,) = _by_kind(objects, "RoutePolicy")
    assert policy["spec"]["targetRef"]["name"] == forwarding[0]["metadata"]["name"]
    assert policy["spec"]["default"] == {"timeouts": {"routeTimeout": "1s500ms"}}


def test_standalone_without_route_timeout_waits_request_timeout_seconds() -> None:
    data = agc_stack()
    _agc(data)["requestTimeoutSeconds"] = 90
    (policy,) = _by_kind(agc_objects(parse_config(data)), "RoutePolicy")
    assert policy["spec"]["default"]["timeouts"]["routeTimeout"] == "1m30s"


def test_the_gateway_names_the_traffic_controller_and_frontend() -> None:
    cfg = parse_config(agc_stack())
    (gateway,) = _by_kind(agc_objects(cfg, subscription_id=SUBSCRIPTION_ID), "Gateway")
    assert gateway["spec"]["gatewayClassName"] == GATEWAY_CLASS == "azure-alb-external"
    assert gateway["metadata"]["annotations"][ALB_ID] == resource_id(
        SUBSCRIPTION_ID, "edge", "Microsoft.ServiceNetworking/trafficControllers", "ingress-agc")
    assert gateway["spec"]["addresses"] == [{"type": FRONTEND_ADDRESS,
                                             "value": "ingress-frontend"}]
    https = next(lst for lst in gateway["spec"]["listeners"] if lst["name"] == "https")
    assert https["tls"] == {"mode": "Terminate", "certificateRefs": [
        {"group": "", "kind": "Secret", "name": "edge-tls"}]}


def test_tls_policy_and_waf_attach_to_the_gateway() -> None:
    """EDGE-TLS-AGC: the predefined policy on the HTTPS listeners; the WAF policy ingresslib
    creates (or the one named) on the whole Gateway."""
    objects = agc_objects(parse_config(agc_stack()), subscription_id=SUBSCRIPTION_ID)
    (tls,) = _by_kind(objects, "FrontendTLSPolicy")
    assert tls["spec"]["targetRef"]["sectionNames"] == ["https"]
    assert tls["spec"]["default"]["policyType"] == {"type": "predefined", "name": "2023-06-S"}
    (waf,) = _by_kind(objects, "WebApplicationFirewallPolicy")
    assert waf["spec"]["targetRef"]["kind"] == "Gateway"
    assert waf["spec"]["webApplicationFirewall"]["id"].endswith(
        "/ApplicationGatewayWebApplicationFirewallPolicies/ingress-agc-waf")
    data = agc_stack()
    _agc(data)["waf"] = {"policyId": WAF_ID}
    (waf,) = _by_kind(agc_objects(parse_config(data)), "WebApplicationFirewallPolicy")
    assert waf["spec"]["webApplicationFirewall"]["id"] == WAF_ID
    _agc(data)["waf"] = {"enabled": False}
    assert not _by_kind(agc_objects(parse_config(data)), "WebApplicationFirewallPolicy")


def test_cert_manager_certificates_land_beside_the_agc_gateway() -> None:
    data = agc_stack()
    data["certificates"] = {"edge": {"source": "certManager", "issuer": "le",
                                     "dnsNames": [HOST]}}
    data["certManager"] = {"issuers": {"le": {"type": "existing"}}}
    objects = agc_objects(parse_config(data))
    (cert,) = _by_kind(objects, "Certificate")
    assert cert["metadata"]["namespace"] == "agc-ingress"
    assert cert["spec"]["secretName"] == "edge"


# ------------------------------------------------------------------ chained: the hop


def test_chained_plan_is_agc_to_the_gateway_pods() -> None:
    """EDGE-ID-AGC, EDGE-HC-AGC, EDGE-TO-AGC, EDGE-DR-AGC: a ClusterIP gateway trusting one
    hop, probed on 15021 from AGC's subnet, Envoy idling longer than AGC's 300 s, the drain
    past the longer of the probe window and the deregistration delay."""
    cfg = parse_config(agc_stack("chained"))
    plan = cfg.edge
    assert plan.gateway is not None
    assert plan.health_check is not None
    assert plan.timeouts is not None
    assert plan.workload is not None
    assert plan.gateway.service_type == "ClusterIP"
    assert plan.gateway.trusted_proxies == 1
    assert plan.gateway.service_annotations == {}
    assert (plan.health_check.port, plan.health_check.path) == (15021, "/healthz/ready")
    assert plan.health_check.sources == (AGC_PREFIX,)
    assert plan.timeouts.pooling
    assert plan.timeouts.load_balancer_idle_seconds == 300
    assert plan.timeouts.envoy_idle_seconds == 3600
    assert plan.timeouts.response_seconds == 60
    assert plan.drain_needed_seconds == 30
    assert plan.workload.drain.termination_drain_seconds == 45
    codes = {r.code for r in plan.rules}
    assert {"EDGE-HC-AGC", "EDGE-ID-AGC", "EDGE-TO-AGC", "EDGE-DR-AGC", "EDGE-NET-AGC",
            "EDGE-TLS-AGC", "EDGE-DR"} <= codes


def test_a_slow_probe_window_lengthens_the_drain() -> None:
    """EDGE-DR-AGC: 10 s x 5 failures = 50 s, longer than the 30 s deregistration delay."""
    data = agc_stack("chained")
    _agc(data)["healthCheck"] = {"intervalSeconds": 10, "unhealthyThreshold": 5}
    cfg = parse_config(data)
    assert cfg.edge.drain_needed_seconds == 50
    assert cfg.workload is not None
    assert cfg.workload.drain.termination_drain_seconds == 65
    assert "probes" in cfg.edge.drain_reason


def test_chained_gateway_and_its_health_check_policy() -> None:
    cfg = parse_config(agc_stack("chained"))
    core = stack_manifests(cfg)
    objects = core.all()
    service = next(o for o in core.gateway if o["kind"] == "Service")
    assert service["spec"]["type"] == "ClusterIP"
    deployment = next(o for o in core.gateway if o["kind"] == "Deployment")
    proxy = json.loads(deployment["spec"]["template"]["metadata"]["annotations"][
        "proxy.istio.io/config"])
    assert proxy["gatewayTopology"]["numTrustedProxies"] == 1
    assert proxy["proxyMetadata"]["ISTIO_META_IDLE_TIMEOUT"] == "3600s"
    (policy,) = _by_kind(objects, "HealthCheckPolicy")
    assert policy["spec"]["targetRef"] == {"group": "", "kind": "Service",
                                           "name": "istio-ingressgateway",
                                           "namespace": "istio-ingress"}
    assert policy["spec"]["default"]["port"] == 15021
    assert policy["spec"]["default"]["http"]["path"] == "/healthz/ready"
    (route,) = [r for r in _by_kind(objects, "HTTPRoute")
                if r["metadata"]["name"] == "ingress-agc-shop-example-com"]
    assert route["spec"]["rules"] == [{"name": "to-gateway", "backendRefs": [
        {"name": "istio-ingressgateway", "port": 80}]}]
    # The Istio gateway serves every host on port 80, without redirecting.
    (istio_gw,) = [o for o in objects if o["kind"] == "Gateway"
                   and o["apiVersion"].startswith("networking.istio.io")]
    assert [s["port"]["number"] for s in istio_gw["spec"]["servers"]] == [80]
    check(cfg, objects)


def test_chained_network_policy_admits_agc_probes() -> None:
    """EDGE-HC-NETPOL, EDGE-NET-AGC: ingressFrom restricting clients to AGC's subnet; the
    probes from it reach the status port."""
    data = agc_stack("chained", gateway={"networkPolicy": {"ingressFrom": [AGC_PREFIX]}})
    cfg = parse_config(data)
    policy = next(o for o in stack_manifests(cfg).gateway if o["kind"] == "NetworkPolicy")
    probes = [r for r in policy["spec"]["ingress"]
              if r.get("ports") == [{"port": 15021, "protocol": "TCP"}]]
    assert probes[0]["from"] == [{"ipBlock": {"cidr": AGC_PREFIX}}]


def test_chained_grpc_host_is_forwarded_by_a_grpc_route() -> None:
    data = agc_stack("chained")
    data["listeners"].append({"name": "grpc", "port": 443, "protocol": "HTTPS",
                              "hosts": ["api.example.com"], "tls": {"certificate": "api"}})
    data["certificates"]["api"] = {"source": "secret", "secretName": "api-tls",
                                   "dnsNames": ["api.example.com"]}
    data["routing"] = {"backends": {"cart": {"service": "cart", "namespace": "shop",
                                             "port": 9090, "protocol": "GRPC"}},
                       "hosts": [{"host": "api.example.com", "routes": [
                           {"name": "cart", "to": [{"backend": "cart"}]}]}]}
    objects = agc_objects(parse_config(data))
    (grpc,) = _by_kind(objects, "GRPCRoute")
    assert grpc["spec"]["hostnames"] == ["api.example.com"]
    assert grpc["spec"]["rules"][0]["backendRefs"] == [{"name": "istio-ingressgateway",
                                                        "port": 80}]


# ------------------------------------------------------------------ the read-back


def test_the_read_back_refuses_a_gateway_probe_that_is_not_the_plans() -> None:
    """EDGE-HC-AGC: a HealthCheckPolicy probing another port than the plan's is refused."""
    cfg = parse_config(agc_stack("chained"))
    objects = copy.deepcopy(stack_manifests(cfg).all())
    (policy,) = _by_kind(objects, "HealthCheckPolicy")
    policy["spec"]["default"]["port"] = 80
    problems = list(agc_contract_problems(cfg, objects))
    assert any("EDGE-HC-AGC" in p.message for p in problems)
    with pytest.raises(ConfigError, match="EDGE-HC-AGC"):
        check(cfg, objects)


def test_the_read_back_refuses_httproute_timeouts_and_missing_route_policies() -> None:
    """EDGE-TO-AGC: AGC would ignore an HTTPRoute timeout and wait 60 s without a
    RoutePolicy."""
    cfg = parse_config(agc_stack())
    objects = copy.deepcopy(agc_objects(cfg))
    route = next(r for r in _by_kind(objects, "HTTPRoute")
                 if r["spec"]["rules"][0].get("backendRefs"))
    route["spec"]["rules"][0]["timeouts"] = {"request": "10s"}
    objects = [o for o in objects if o["kind"] != "RoutePolicy"]
    messages = [p.message for p in agc_contract_problems(cfg, objects)]
    assert sum("EDGE-TO-AGC" in m for m in messages) == 2


def test_the_read_back_refuses_a_gateway_without_the_traffic_controller() -> None:
    cfg = parse_config(agc_stack())
    objects = copy.deepcopy(agc_objects(cfg))
    (gateway,) = _by_kind(objects, "Gateway")
    del gateway["metadata"]["annotations"]
    assert any("EDGE-NET-AGC" in p.message for p in agc_contract_problems(cfg, objects))


# ------------------------------------------------------------------ config rules

Mutator = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutator:
    def change(data: dict[str, Any]) -> None:
        *keys, last = path.split(".")
        node = data
        for key in keys:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        node[last] = value
    return change


def _agc_set(key: str, value: Any) -> Mutator:
    return _set(f"azure.applicationGatewayForContainers.{key}", value)


def _route_set(key: str, value: Any) -> Mutator:
    return _set(f"routing.hosts.0.routes.0.{key}", value)


def _both(data: dict[str, Any]) -> None:
    data["azure"]["applicationGateway"] = {"subnetId": AGC_SUBNET.replace("/agc", "/appgw")}


def _second_route(timeout: str) -> Mutator:
    def change(data: dict[str, Any]) -> None:
        routes = data["routing"]["hosts"][0]["routes"]
        routes[0]["match"] = [{"uri": {"prefix": "/a/"}}]
        routes[0]["timeout"] = "10s"
        routes.append({"name": "other", "timeout": timeout,
                       "to": [{"backend": "web", "subset": "v1"}]})
    return change


def _key_vault(data: dict[str, Any]) -> None:
    data["certificates"]["edge"] = {"source": "keyVault", "dnsNames": [HOST], "vault": "kv-edge",
                                    "resourceGroup": "edge", "certificate": "shop"}


def _drop_port(data: dict[str, Any]) -> None:
    data["security"]["standalonePorts"][0]["ports"] = [9999]


# (topology, case, change, path, words)
REFUSED: list[tuple[str, str, Mutator, str, str]] = [
    ("gateway", "agc-in-gateway", lambda d: None, "azure.applicationGatewayForContainers",
     "chained and standalone"),
    ("standalone", "both-l7-load-balancers", _both, "azure.applicationGateway", "not both"),
    ("standalone", "subnet-too-small", _agc_set("subnet.addressPrefix", "10.240.16.0/25"),
     "azure.applicationGatewayForContainers.subnet.addressPrefix", "EDGE-NET-AGC"),
    ("standalone", "create-without-prefix", _agc_set("subnet", {"id": AGC_SUBNET, "create": True}),
     "azure.applicationGatewayForContainers.subnet.addressPrefix", "address range"),
    ("standalone", "internal-scheme", _set("loadBalancer.scheme", "internal"),
     "loadBalancer.scheme", "public only"),
    ("chained", "azure-load-balancer", _set("azure.loadBalancer", {"subnet": "ingress"}),
     "azure.loadBalancer", "no Azure load balancer"),
    ("chained", "lb-service", _set("gateway.service.type", "LoadBalancer"),
     "gateway.service.type", "around the WAF"),
    ("chained", "ingress-from-without-agc", _set("gateway.networkPolicy.ingressFrom",
                                                 ["10.0.0.0/24"]),
     "gateway.networkPolicy.ingressFrom", "EDGE-NET-AGC"),
    ("chained", "ingress-from-unknown-subnet",
     lambda d: (_set("gateway.networkPolicy.ingressFrom", [AGC_PREFIX])(d),
                _agc_set("subnet", {"id": AGC_SUBNET})(d)),
     "azure.applicationGatewayForContainers.subnet.addressPrefix", "EDGE-NET-AGC"),
    ("chained", "backends-in-chained", _agc_set("backends", {"web": {"healthProbePath": "/"}}),
     "azure.applicationGatewayForContainers.backends", "Istio gateway only"),
    ("chained", "namespace-in-chained", _agc_set("namespace", "elsewhere"),
     "azure.applicationGatewayForContainers.namespace", "gateway's namespace"),
    ("chained", "route-timeout-past-agc", lambda d: d.update(routing={
        "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080}},
        "hosts": [{"host": HOST, "routes": [{"name": "web", "timeout": "90s",
                                             "to": [{"backend": "web"}]}]}]}),
     "routing.hosts[0].routes[0].timeout", "EDGE-TO-AGC"),
    ("chained", "envoy-idle-under-agc", _set("gateway.idleTimeout", "300s"),
     "gateway.idleTimeout", "EDGE-TO-AGC"),
    ("chained", "drain-under-probe-window",
     lambda d: (_agc_set("healthCheck", {"intervalSeconds": 20, "timeoutSeconds": 5,
                                         "unhealthyThreshold": 5})(d),
                _set("gateway.drain", {"terminationDrainSeconds": 60,
                                       "terminationGracePeriodSeconds": 90})(d)),
     "gateway.drain.terminationDrainSeconds", "EDGE-DR"),
    ("standalone", "key-vault-certificate", _key_vault, "listeners[1].tls.certificate",
     "EDGE-TLS-AGC"),
    ("standalone", "mutual-tls", _set("listeners.1.tls.mode", "MUTUAL"),
     "listeners[1].tls.mode", "EDGE-TLS-AGC"),
    ("standalone", "cipher-suites", _set("listeners.1.tls.cipherSuites",
                                         ["ECDHE-RSA-AES128-GCM-SHA256"]),
     "listeners[1].tls.cipherSuites", "tlsPolicy"),
    ("standalone", "tls13-minimum", _set("listeners.1.tls.minProtocolVersion", "TLSV1_3"),
     "listeners[1].tls.minProtocolVersion", "EDGE-TLS-AGC"),
    ("standalone", "odd-port", _set("listeners.1.port", 8443), "listeners[1].port", "443"),
    ("standalone", "waf-settings-with-policy-id",
     _agc_set("waf", {"policyId": WAF_ID, "mode": "Detection"}),
     "azure.applicationGatewayForContainers.waf", "your policy"),
    ("standalone", "probe-timeout-past-interval",
     _agc_set("healthCheck", {"intervalSeconds": 5, "timeoutSeconds": 5}),
     "azure.applicationGatewayForContainers.healthCheck.timeoutSeconds", "below"),
    ("standalone", "mirror", _route_set("mirror", {"backend": "web", "subset": "v2"}),
     "routing.hosts[0].routes[0].mirror", "mirroring"),
    ("standalone", "retries", _route_set("retries", {"attempts": 2}),
     "routing.hosts[0].routes[0].retries", "retries"),
    ("standalone", "regex", _route_set("match", [{"uri": {"regex": "/a.*"}}]),
     "routing.hosts[0].routes[0].match[0].uri.regex", "regular expression"),
    ("standalone", "case-insensitive", _route_set("match", [
        {"uri": {"prefix": "/a"}, "ignoreUriCase": True}]),
     "routing.hosts[0].routes[0].match[0].ignoreUriCase", "case"),
    ("standalone", "timeouts-differ-in-a-host", _second_route("20s"),
     "routing.hosts[0].routes[1].timeout", "EDGE-TO-AGC"),
    ("standalone", "backend-without-probe", _agc_set("backends", {}),
     "azure.applicationGatewayForContainers.backends.web", "EDGE-HC-AGC"),
    ("standalone", "strict-backend-port", _drop_port, "security.standalonePorts",
     "PERMISSIVE"),
    ("standalone", "traffic-policy", _set("routing.backends.web.trafficPolicy",
                                          {"loadBalancer": {"simple": "RANDOM"}}),
     "routing.backends.web.trafficPolicy", "DestinationRule"),
    ("standalone", "unused-probe", _agc_set("backends", {"web": {"healthProbePath": "/"},
                                                         "api": {"healthProbePath": "/"}}),
     "azure.applicationGatewayForContainers.backends.api", "no standalone route"),
    ("standalone", "subset-without-selector",
     _set("routing.backends.web.selector", {}), "routing.backends.web.selector",
     "Gateway API has no subsets"),
]


@pytest.mark.parametrize(("topology", "case", "change", "path", "words"), REFUSED,
                         ids=[c[1] for c in REFUSED])
def test_refused(topology: str, case: str, change: Mutator, path: str, words: str) -> None:
    data = agc_stack(topology)
    change(data)
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    # Paths as the user reads them: list items by name (ingresslib.paths.named).
    matching = [p for p in err.value.problems if p.path == named(path, data)]
    assert matching, [str(p) for p in err.value.problems]
    assert any(words in p.message for p in matching), [str(p) for p in matching]


def test_a_weighted_split_is_refused_with_agic_and_accepted_with_agc() -> None:
    data = aks_stack("standalone")
    data["routing"]["backends"]["web"].update(
        selector={"app": "web"}, subsets={"v1": {"version": "v1"}, "v2": {"version": "v2"}})
    data["routing"]["hosts"][0]["routes"][0]["to"] = [
        {"backend": "web", "subset": "v1", "weight": 90},
        {"backend": "web", "subset": "v2", "weight": 10}]
    with pytest.raises(ConfigError, match="cannot split traffic"):
        parse_config(data)
    data["azure"].pop("applicationGateway")
    data["azure"]["applicationGatewayForContainers"] = {
        "subnet": {"id": AGC_SUBNET}, "backends": {"web": {"healthProbePath": "/healthz"}}}
    data["certificates"] = {"edge": {"source": "secret", "secretName": "edge",
                                     "dnsNames": [HOST]}}
    assert isinstance(parse_config(data), StackConfig)


def test_agic_stacks_are_unchanged() -> None:
    """Without the AGC section an AKS chained stack still has its internal load balancer and
    Application Gateway; nothing of AGC is rendered."""
    cfg = parse_config(aks_stack("chained"))
    assert cfg.edge.gateway is not None
    assert cfg.edge.gateway.service_type == "LoadBalancer"
    assert not stack_manifests(cfg).agc


# ------------------------------------------------------------------ Azure resources


def test_azure_resources_of_the_standalone_stack(renders) -> None:
    """The bring-your-own deployment: the subnet (created, delegated), the traffic controller,
    the frontend the Gateway names and the association with the subnet."""
    records = renders[("stacks/aks", "agc-standalone")]
    (subnet,) = _of(records, SUBNET_TYPE)
    assert subnet["inputs"]["delegations"] == [{"name": "application-gateway-for-containers",
                                                "serviceName": DELEGATION}]
    assert subnet["inputs"]["addressPrefix"] == "10.240.16.0/24"
    assert subnet["inputs"]["virtualNetworkName"] == "portal"
    (tc,) = _of(records, TC)
    (frontend,) = _of(records, FRONTEND)
    (association,) = _of(records, ASSOCIATION)
    assert frontend["inputs"]["trafficControllerName"] == tc["inputs"]["trafficControllerName"]
    assert association["inputs"]["associationType"] == "subnets"
    assert association["inputs"]["subnet"]["id"].endswith("/virtualNetworks/portal/subnets/agc")
    (gateway,) = [o for o in manifests(records) if o["kind"] == "Gateway"]
    assert gateway["spec"]["addresses"][0]["value"] == frontend["inputs"]["frontendName"]
    assert gateway["metadata"]["annotations"][ALB_ID] == resource_id(
        SUBSCRIPTION_ID, "portal-edge", "Microsoft.ServiceNetworking/trafficControllers",
        tc["inputs"]["trafficControllerName"])
    (waf,) = _of(records, WAF)
    assert waf["inputs"]["managedRules"]["managedRuleSets"] == [
        {"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1"}]
    (policy,) = [o for o in manifests(records) if o["kind"] == "WebApplicationFirewallPolicy"]
    assert policy["spec"]["webApplicationFirewall"]["id"] == resource_id(
        SUBSCRIPTION_ID, "portal-edge",
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
        waf["inputs"]["policyName"])


def test_alb_controller_roles(renders) -> None:
    """Configuration Manager on the traffic controller only, join (Network Contributor) on the
    subnet and on the WAF policy."""
    records = renders[("stacks/aks", "agc-standalone")]
    roles = {e["name"].rsplit("alb-controller-", 1)[1]: e["inputs"] for e in _of(records, ROLE)
             if "alb-controller" in e["name"]}
    assert set(roles) == {"configuration-manager", "subnet-join", "waf-join"}
    manager = roles["configuration-manager"]
    assert manager["roleDefinitionId"].endswith(
        AGC_ROLES["AppGw for Containers Configuration Manager"])
    assert manager["scope"].endswith(
        "/providers/Microsoft.ServiceNetworking/trafficControllers/ingress-agc")
    assert roles["subnet-join"]["scope"].endswith("/subnets/agc")
    assert roles["waf-join"]["scope"].endswith("/ingress-agc-waf")
    assert {r["principalId"] for r in roles.values()} == {
        "33333333-3333-4333-8333-333333333333"}


def test_no_roles_without_the_controller_identity_and_no_subnet_unless_created() -> None:
    data = agc_stack("chained")
    del _agc(data)["controllerPrincipalId"]
    cfg = parse_config(data)
    assert set(controller_scopes(cfg, SUBSCRIPTION_ID)) == {
        "configuration-manager", "subnet-join", "waf-join"}
    from ingresslib import IngressStack  # noqa: PLC0415
    from ingresslib.offline.runner import run_program  # noqa: PLC0415

    records = run_program(lambda: IngressStack("edge", cfg))
    assert not [e for e in _of(records, ROLE) if "alb-controller" in e["name"]]
    assert not _of(records, SUBNET_TYPE)
    assert len(_of(records, ASSOCIATION)) == 1


def test_chained_stack_has_no_azure_load_balancer(renders) -> None:
    records = renders[("stacks/aks", "agc-chained")]
    service = next(o for o in manifests(records)
                   if o["kind"] == "Service" and o["metadata"]["name"] == "istio-ingressgateway")
    assert service["spec"]["type"] == "ClusterIP"
    assert not service["metadata"].get("annotations")
    assert not _of(records, "azure-native:network:ApplicationGateway")
    assert not _of(records, "azure-native:network:PublicIPAddress")
    assert _of(records, TC)


def test_agc_objects_are_children_of_their_component(renders) -> None:
    """The Gateway, routes and policies are AgcGateway's children (registered after the Azure
    resources they name), beside the ApplicationGatewayForContainers under AzureEdge."""
    records = renders[("stacks/aks", "agc-standalone")]
    by_urn = {r.urn: r for r in records}
    agc_kinds = [r for r in records if r.type.startswith(("kubernetes:gateway.networking",
                                                          "kubernetes:alb.networking"))]
    assert len(agc_kinds) >= 8
    assert {by_urn[r.parent].type for r in agc_kinds} == {"ingresslib:index:AgcGateway"}
    (tc,) = [r for r in records if r.type == TC]
    assert by_urn[tc.parent].type == "ingresslib:index:ApplicationGatewayForContainers"


def test_other_stacks_render_nothing_of_agc(renders) -> None:
    for (project, stack), records in renders.items():
        if stack.startswith("agc-"):
            continue
        types = {r.type for r in records}
        assert not any("servicenetworking" in t for t in types), (project, stack)
        assert not [o for o in manifests(records)
                    if o["apiVersion"].startswith("alb.networking.azure.io")], (project, stack)


def test_the_picture_draws_the_canary_at_agc(renders) -> None:
    """The traffic picture names AGC and draws its HTTPRoute's weights in standalone."""
    from ingresslib.offline.diagram import mermaid, stack_summaries, traffic  # noqa: PLC0415

    records = renders[("stacks/aks", "agc-standalone")]
    text = mermaid(traffic(manifests(records), stack_summaries(records), plan(records)))
    assert "Azure Application Gateway for Containers" in text
    assert 'route_web -- "90%" --> backend_portal_stable' in text
    assert 'route_web -- "10%" --> backend_portal_canary' in text


def test_chained_agc_in_front_of_a_gateway_api_istio_gateway(validator) -> None:
    """With api: gatewayApi the Istio side is Gateway API too: both Gateways and their routes
    validate (CRDs with their CEL rules), and the AGC read-back looks only at AGC's routes."""
    data = stack_file("aks", "agc-chained")
    data["api"] = "gatewayApi"
    cfg = parse_config(data)
    objects = stack_manifests(cfg).all()
    assert check(cfg, objects) == []
    gateways = {g["spec"]["gatewayClassName"] for g in _by_kind(objects, "Gateway")
                if g["apiVersion"].startswith("gateway.networking.k8s.io")}
    assert gateways == {"istio", "azure-alb-external"}
    for o in objects:
        assert validator.errors(o) == [], (o["kind"], o["metadata"]["name"])
