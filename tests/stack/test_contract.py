"""The edge contract: the load balancer and the gateway agree by construction, and the small
inputs of the public failure reports render the right outputs or are refused.

Each test names the rule it covers; removing the rule (in the plan or its check) fails it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.aws.nlb import PREFIX
from ingresslib.envoy import EnvoyConfigError, validate_patch_value
from ingresslib.errors import ConfigError
from ingresslib.manifests.forwarded_proto import forwarded_proto_value
from ingresslib.offline.diagram import stack_summaries
from ingresslib.offline.edge_table import edge_markdown
from ingresslib.offline.mocks import Registered
from ingresslib.offline.output import manifests
from ingresslib.stack.contract import contract_problems
from ingresslib.stack.model import StackConfig, edge_rules
from ingresslib.stack.render import check, stack_manifests
from tests.configs import aks_stack, eks_stack, http_listener
from tests.conftest import PROJECTS, ROOT

# Input (a) of the issue, minimal: PROXY protocol and the health check.
MINIMAL = eks_stack(listeners=[http_listener("app.example.com")])


def _gateway(cfg: StackConfig) -> dict[str, dict[str, Any]]:
    return {o["kind"]: o for o in stack_manifests(cfg).gateway}


def _proxy_config(cfg: StackConfig) -> dict[str, Any]:
    pod = _gateway(cfg)["Deployment"]["spec"]["template"]
    return json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])


# ------------------------------------------------------------ (a) PROXY protocol, health check


def test_a_proxy_protocol_health_checks_go_to_the_traffic_port_over_tcp() -> None:
    """EDGE-HC-PROXY: the NLB sends the PROXY header on health checks too; the status port
    answers those with 400, so the check is TCP on the traffic port, where Envoy expects it."""
    cfg = parse_config(MINIMAL | {"aws": {"nlb": {"proxyProtocol": True}}})
    annotations = _gateway(cfg)["Service"]["metadata"]["annotations"]
    assert "proxy_protocol_v2.enabled=true" in annotations[f"{PREFIX}target-group-attributes"]
    assert annotations[f"{PREFIX}healthcheck-protocol"] == "tcp"
    assert annotations[f"{PREFIX}healthcheck-port"] == "traffic-port"
    assert f"{PREFIX}healthcheck-path" not in annotations
    # EDGE-ID-PROXY: both sides from one value; hairpin-safe client IP preservation.
    assert _proxy_config(cfg)["gatewayTopology"] == {"proxyProtocol": {}}
    assert "preserve_client_ip.enabled=false" in annotations[
        f"{PREFIX}target-group-attributes"]


def test_without_proxy_protocol_the_nlb_checks_envoys_readiness() -> None:
    annotations = _gateway(parse_config(MINIMAL))["Service"]["metadata"]["annotations"]
    assert (annotations[f"{PREFIX}healthcheck-protocol"],
            annotations[f"{PREFIX}healthcheck-port"],
            annotations[f"{PREFIX}healthcheck-path"]) == ("http", "15021", "/healthz/ready")


def test_the_read_back_refuses_a_status_port_health_check_under_proxy_protocol() -> None:
    """The contract check reads the rendered halves back: a plan whose health check would go
    to the status port with PROXY protocol on is refused before registration."""
    cfg = parse_config(MINIMAL | {"aws": {"nlb": {"proxyProtocol": True}}})
    plan = cfg.edge
    assert plan.health_check is not None
    broken = type(plan)(**{**plan.__dict__, "health_check": type(plan.health_check)(
        15021, "HTTP", "/healthz/ready", 10, 2, 2)})
    codes = [p.message for p in contract_problems(broken, stack_manifests(cfg).gateway)]
    assert any("EDGE-HC-PROXY" in m for m in codes)


def _service_ports(cfg: StackConfig) -> list[tuple[str, int]]:
    return [(p["name"], p["port"]) for p in _gateway(cfg)["Service"]["spec"]["ports"]]


@pytest.mark.parametrize("proxy", [False, True])
def test_an_nlb_with_ip_targets_gets_no_status_port_listener(proxy: bool) -> None:
    """EDGE-HC-NLB-PORTS: the controller makes a listener of every Service port, so with IP
    targets the Service carries the traffic ports only; the health check reaches the pods
    without a Service port: 15021 by number (never the port's name, which the controller
    would look up on the Service), or the traffic port under PROXY protocol."""
    cfg = parse_config(MINIMAL | {"aws": {"nlb": {"proxyProtocol": proxy}}})
    assert _service_ports(cfg) == [("http", 80), ("https", 443)]
    port = _gateway(cfg)["Service"]["metadata"]["annotations"][f"{PREFIX}healthcheck-port"]
    assert port == ("traffic-port" if proxy else "15021")
    assert "EDGE-HC-NLB-PORTS" in {r.code for r in cfg.edge.rules}
    assert cfg.edge.gateway is not None
    assert not cfg.edge.gateway.status_port_on_service


@pytest.mark.parametrize("policy", ["Local", "Cluster"])
def test_an_nlb_with_instance_targets_gets_no_status_port_listener(policy: str) -> None:
    """EDGE-HC-NLB-PORTS with instance targets: the controller checks kube-proxy's health
    check node port (Local) or the traffic port (Cluster), neither of them a Service port of
    ours, and still makes a listener of every Service port: the Service carries the traffic
    ports only, and the read-back refuses the status port put back."""
    cfg = parse_config(MINIMAL | {"gateway": {"service": {"externalTrafficPolicy": policy}},
                                  "aws": {"nlb": {"targetType": "instance"}}})
    assert _service_ports(cfg) == [("http", 80), ("https", 443)]
    annotations = _gateway(cfg)["Service"]["metadata"]["annotations"]
    if policy == "Local":
        assert f"{PREFIX}healthcheck-port" not in annotations
    else:
        assert annotations[f"{PREFIX}healthcheck-port"] == "traffic-port"
    assert "EDGE-HC-NLB-PORTS" in {r.code for r in cfg.edge.rules}
    objects = stack_manifests(cfg).gateway
    service = next(o for o in objects if o["kind"] == "Service")
    service["spec"]["ports"].insert(0, {"name": "status-port", "port": 15021,
                                        "targetPort": 15021, "protocol": "TCP"})
    assert any("EDGE-HC-NLB-PORTS" in p.message for p in contract_problems(cfg.edge, objects))


def test_the_albs_clusterip_service_keeps_the_status_port() -> None:
    """Behind the ALB the gateway Service is ClusterIP, with no listener of its own: it keeps
    Istio's status port first, as the gateway chart has it."""
    alb = parse_config(eks_stack("chained", listeners=MINIMAL["listeners"]))
    assert _service_ports(alb)[0] == ("status-port", 15021)
    assert "EDGE-HC-NLB-PORTS" not in {r.code for r in alb.edge.rules}


def test_the_read_back_refuses_the_status_port_on_an_nlb_service_with_ip_targets() -> None:
    """A render that puts 15021 back on the NLB's Service (one more public listener) is
    refused before registration, naming the Service and the rule."""
    cfg = parse_config(MINIMAL)
    objects = stack_manifests(cfg).gateway
    assert list(contract_problems(cfg.edge, objects)) == []
    service = next(o for o in objects if o["kind"] == "Service")
    service["spec"]["ports"].insert(0, {"name": "status-port", "port": 15021,
                                        "targetPort": 15021, "protocol": "TCP"})
    with pytest.raises(ConfigError) as err:
        check(cfg, objects)
    (problem,) = [p for p in err.value.problems if "EDGE-HC-NLB-PORTS" in p.message]
    assert problem.path == "Service/istio-ingress/istio-ingressgateway spec.ports"
    assert problem.value == [15021]


def test_the_read_back_refuses_proxy_protocol_on_one_side_only() -> None:
    cfg = parse_config(MINIMAL | {"aws": {"nlb": {"proxyProtocol": True}}})
    objects = stack_manifests(cfg).gateway
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    annotations["proxy.istio.io/config"] = json.dumps({"terminationDrainDuration": "135s"})
    with pytest.raises(ConfigError) as err:
        check(cfg, objects)
    assert any("EDGE-ID-PROXY" in p.message for p in err.value.problems)


# ------------------------------------------------------------------- (d) idle timeouts nest


def test_d_envoy_closes_idle_connections_before_the_nlb_forgets_them() -> None:
    """EDGE-TO-NLB: the NLB drops flows idle for 350 s without telling either end; Envoy's
    idle timeout (an hour by default) is set below it, and both are visible settings."""
    cfg = parse_config(MINIMAL)
    assert _proxy_config(cfg)["proxyMetadata"] == {"ISTIO_META_IDLE_TIMEOUT": "300s"}
    annotations = _gateway(cfg)["Service"]["metadata"]["annotations"]
    assert annotations[f"{PREFIX}listener-attributes.TCP-80"] == "tcp.idle_timeout.seconds=350"
    longer = parse_config(MINIMAL | {"aws": {"nlb": {"idleTimeoutSeconds": 1200}},
                                     "gateway": {"idleTimeout": "900s"}})
    assert _proxy_config(longer)["proxyMetadata"] == {"ISTIO_META_IDLE_TIMEOUT": "900s"}
    assert _gateway(longer)["Service"]["metadata"]["annotations"][
        f"{PREFIX}listener-attributes.TCP-80"] == "tcp.idle_timeout.seconds=1200"


def test_an_envoy_idle_timeout_outliving_the_nlb_is_refused_with_the_maximum() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(MINIMAL | {"gateway": {"idleTimeout": "1h"}})
    (problem,) = err.value.problems
    assert problem.path == "gateway.idleTimeout"
    assert "use at most 349s" in problem.message
    assert "EDGE-TO-NLB" in problem.message


def test_an_envoy_idle_timeout_under_the_albs_is_refused_with_the_minimum() -> None:
    data = eks_stack("chained", listeners=MINIMAL["listeners"],
                     gateway={"idleTimeout": "30s"})
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    problem = next(p for p in err.value.problems if p.path == "gateway.idleTimeout")
    assert "use at least 61s" in problem.message
    assert "EDGE-TO-ALB" in problem.message


def test_a_route_timeout_beyond_the_load_balancers_wait_is_refused() -> None:
    data = aks_stack("chained")
    data["routing"] = {
        "backends": {"web": {"service": "web", "namespace": "web", "port": 80}},
        "hosts": [{"host": data["listeners"][0]["hosts"][0], "routes": [
            {"name": "slow", "to": [{"backend": "web"}], "timeout": "90s"}]}],
    }
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    problem = next(p for p in err.value.problems if p.path.endswith(".timeout"))
    assert problem.path == "routing.hosts[shop.example.com].routes[slow].timeout"
    assert "use at most 30s" in problem.message


# --------------------------------------------------------------------------------- drain


def test_the_drain_outlasts_what_the_nlb_really_does() -> None:
    """EDGE-DR-NLB: NLB IP targets keep receiving new connections for about two minutes
    after deregistration starts, whatever the delay; the default drain covers it."""
    proxy = _proxy_config(parse_config(MINIMAL))
    assert proxy["terminationDrainDuration"] == "135s"
    with pytest.raises(ConfigError) as err:
        parse_config(MINIMAL | {"gateway": {"drain": {"terminationDrainSeconds": 60}}})
    (problem,) = err.value.problems
    assert problem.path == "gateway.drain.terminationDrainSeconds"
    assert "use at least 125" in problem.message


# ----------------------------------------------------------------------- client identity


def test_tls_ended_at_the_nlb_tells_backends_the_client_used_https() -> None:
    """EDGE-ID-XFP: Envoy sets X-Forwarded-Proto from its own (plain) connection; on the port
    whose TLS the NLB ended, the route configuration overwrites it with https."""
    data = MINIMAL | {
        "listeners": [*MINIMAL["listeners"], {
            "name": "https", "port": 443, "protocol": "HTTPS", "hosts": ["app.example.com"],
            "tls": {"certificate": "edge"}}],
        "certificates": {"edge": {"source": "acm", "dnsNames": ["app.example.com"],
                                  "arn": "arn:aws:acm:eu-west-1:111122223333:certificate/"
                                         "0a1b2c3d-0000-4000-8000-000000000001"}},
    }
    envoy_filter = _gateway(parse_config(data))["EnvoyFilter"]
    (patch,) = envoy_filter["spec"]["configPatches"]
    assert patch["match"] == {"context": "GATEWAY", "routeConfiguration": {"portNumber": 443}}
    (header,) = patch["patch"]["value"]["request_headers_to_add"]
    assert header["header"] == {"key": "x-forwarded-proto", "value": "https"}
    assert header["append_action"] == "OVERWRITE_IF_EXISTS_OR_ADD"
    assert patch["patch"]["operation"] == "MERGE"
    assert "EnvoyFilter" not in _gateway(parse_config(MINIMAL))


def test_the_forwarded_proto_patch_is_one_envoy_accepts() -> None:
    """The value is constant, so Envoy's API checks it here rather than at every render; a
    misspelt key or enum name fails this test."""
    validate_patch_value("ROUTE_CONFIGURATION", forwarded_proto_value())
    misspelt = forwarded_proto_value()
    misspelt["request_headers_to_add"][0]["append_action"] = "OVERWRITE"
    with pytest.raises(EnvoyConfigError):
        validate_patch_value("ROUTE_CONFIGURATION", misspelt)


def test_a_proxy_config_pod_annotation_is_refused_not_dropped() -> None:
    """EDGE-CH-SETTING: the annotation validated on a chained stack and vanished from the
    render; it is refused on every topology."""
    for topology in ("gateway", "chained"):
        data = aks_stack(topology, gateway={"podAnnotations": {
            "proxy.istio.io/config": '{"concurrency": 2}'}})
        with pytest.raises(ConfigError) as err:
            parse_config(data)
        assert [p.path for p in err.value.problems] == [
            "gateway.podAnnotations.proxy.istio.io/config"]


# ------------------------------------------------------- every stack and example holds


@pytest.mark.parametrize(("project", "stack"), PROJECTS)
def test_every_shipped_stack_satisfies_its_edge_rules(renders, project: str,
                                                      stack: str) -> None:
    records: list[Registered] = renders[(project, stack)]
    objects = manifests(records)
    for summary in stack_summaries(records):
        edge = summary["edge"]
        gateway = edge.get("gateway")
        timeouts = edge.get("timeouts")
        if gateway is None or timeouts is None:
            continue
        # Read back what was rendered, independently of the plan's code.
        deployment = next((o for o in objects if o["kind"] == "Deployment"
                           and o["metadata"]["name"] == gateway["name"]), None)
        if deployment is None:  # the AKS add-on's gateway
            continue
        pod = deployment["spec"]["template"]
        proxy = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
        drain = int(proxy["terminationDrainDuration"].rstrip("s"))
        assert drain > edge["drain"]["neededSeconds"]
        assert pod["spec"]["terminationGracePeriodSeconds"] > drain
        idle = int(proxy["proxyMetadata"]["ISTIO_META_IDLE_TIMEOUT"].rstrip("s"))
        if timeouts["loadBalancerPools"]:
            assert idle > timeouts["loadBalancerIdleSeconds"]
        else:
            assert idle < timeouts["loadBalancerIdleSeconds"]
        assert proxy.get("gatewayTopology", {}).get("numTrustedProxies", 0) == (
            gateway["trustedProxies"])
        assert ("proxyProtocol" in proxy.get("gatewayTopology", {})) == (
            gateway["proxyProtocol"])


def test_edge_md_is_written_with_every_rule_of_the_stack(renders) -> None:
    records = renders[("stacks/eks", "gateway")]
    text = edge_markdown(stack_summaries(records))
    assert "| health check | TCP port traffic-port every 10 s" in text
    assert "| idle timeouts | load balancer 350 s" in text
    for code in ("EDGE-HC-PROXY", "EDGE-HC-NLB-PORTS", "EDGE-ID-PROXY", "EDGE-TO-NLB",
                 "EDGE-DR-NLB"):
        assert f"| {code} |" in text


def test_the_documentation_lists_the_rules_once_generated() -> None:
    """The edge contract page generates its one table from edge_rules() when the site is built
    (tests/test_docs_site.py checks every rule is in it); no page pastes rule rows."""
    assert "<!-- edge-rules -->" in (ROOT / "docs/edge-contract.md").read_text()
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    codes = "|".join(re.escape(r.code) for r in edge_rules())
    for page in pages:
        assert not re.search(rf"^\| ({codes}) \|", page.read_text(), re.M), page


def test_an_eks_network_policy_admits_the_load_balancers_own_connections() -> None:
    """EDGE-HC-NETPOL on EKS: with ingressFrom restricting clients, the NLB's health checks
    (and with PROXY protocol all its connections) come from its subnets: without their ranges
    the config is refused; with them, they are admitted on the ports the NLB reaches."""
    data = MINIMAL | {"aws": {"nlb": {"proxyProtocol": True}},
                      "gateway": {"networkPolicy": {"ingressFrom": ["203.0.113.0/24"]}}}
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    (problem,) = err.value.problems
    assert problem.path == "gateway.networkPolicy.ingressFrom"
    assert "EDGE-HC-NETPOL" in problem.message
    data["aws"]["nlb"]["subnets"] = [
        {"id": "subnet-0a1b2c3d4e5f60001", "zone": "eu-west-1a", "cidr": "10.1.0.0/24"},
        {"id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b", "cidr": "10.1.1.0/24"}]
    rules = _gateway(parse_config(data))["NetworkPolicy"]["spec"]["ingress"]
    nlb = next(r for r in rules if r.get("from") == [{"ipBlock": {"cidr": "10.1.0.0/24"}},
                                                    {"ipBlock": {"cidr": "10.1.1.0/24"}}])
    assert [p["port"] for p in nlb["ports"]] == [80, 443]  # PROXY protocol: the traffic ports
