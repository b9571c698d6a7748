"""The traffic picture: traffic.mmd (Mermaid) for the example, every stack and a config using
every routing feature, well-formed whatever the names in it; every hop of every cloud and
topology drawn; traffic.svg and traffic.png complete and byte-stable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.cli import main
from ingresslib.offline.diagram import stack_summaries, traffic_diagram
from ingresslib.offline.output import manifests, plan
from ingresslib.offline.runner import run_program, run_project
from tests.configs import EVERYTHING, HOST, eks_stack
from tests.conftest import PROJECTS, ROOT

# The block of docs/reviewing-changes.md: `ingresslib render examples/echoserver-canary
# --stack dev` writes it.
EXAMPLE_DIAGRAM = """\
flowchart LR
    client(("client"))
    lb_istio_ingressgateway{{"AWS NLB<br/>Service istio-ingress/istio-ingressgateway (LoadBalancer)<br/>:80 TCP<br/>:443 TCP"}}
    gateway_echo[["Istio gateway istio-ingress/echo<br/>istio-ingressgateway: 2-10 replicas (HPA)"]]
    host_echo_example_com("echo.example.com<br/>http :80 HTTP, redirects to HTTPS<br/>https :443 HTTPS, TLS SIMPLE echo-tls")
    route_echoserver["echoserver<br/>uri prefix /"]
    backend_echoserver_service_v1(["echoserver-service.echo:80<br/>subset v1 (version=v1)"])
    backend_echoserver_service_v2(["echoserver-service.echo:80<br/>subset v2 (version=v2)"])
    client --> lb_istio_ingressgateway
    lb_istio_ingressgateway --> gateway_echo
    gateway_echo --> host_echo_example_com
    host_echo_example_com --> route_echoserver
    route_echoserver -- "80%" --> backend_echoserver_service_v1
    route_echoserver -- "20%" --> backend_echoserver_service_v2
"""  # noqa: E501

_SHAPES = {"((": "))", "{{": "}}", "[[": "]]", "([": "])", "[(": ")]", "(": ")", "[": "]"}
_NODE = re.compile(
    r'^    (\w+)(\(\(|\{\{|\[\[|\(\[|\[\(|\(|\[)"([^"]*)"(\)\)|\}\}|\]\]|\]\)|\)\]|\)|\])$')
_EDGE = re.compile(r'^    (\w+) (-->|-- "[^"]*" -->|-\.->|-\. "[^"]*" \.->) (\w+)$')


def assert_well_formed(text: str) -> dict[str, str]:
    """Mermaid sanity: one declaration per node with matching brackets and a label free of raw
    quotes, edges only between declared nodes, everything reachable from the client. Returns
    node id -> label."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert text.endswith("\n")
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    for line in lines[1:]:
        if node := _NODE.match(line):
            node_id, opening, label, closing = node.groups()
            assert _SHAPES[opening] == closing, line
            assert node_id not in nodes, f"{node_id} declared twice"
            assert not edges, "nodes are declared before edges"
            nodes[node_id] = label
        elif edge := _EDGE.match(line):
            src, _, dst = edge.groups()
            assert src in nodes, line
            assert dst in nodes, line
            edges.append((src, dst))
        else:
            pytest.fail(f"not a node or edge line: {line!r}")
    edge_lines = lines[1 + len(nodes):]
    assert len(edge_lines) == len(set(edge_lines)), "duplicate edges"
    reached, frontier = {"client"}, ["client"]
    while frontier:
        src = frontier.pop()
        for a, b in edges:
            if a == src and b not in reached:
                reached.add(b)
                frontier.append(b)
    assert reached == set(nodes), f"unreachable: {set(nodes) - reached}"
    return nodes


def test_example_diagram_is_the_readme_block() -> None:
    records = run_project(ROOT / "examples/echoserver-canary", "dev")
    stacks = stack_summaries(records)
    text = traffic_diagram(manifests(records), stacks)
    assert text == EXAMPLE_DIAGRAM
    nodes = assert_well_formed(text)
    assert nodes["lb_istio_ingressgateway"].startswith("AWS NLB")
    assert nodes["gateway_echo"].startswith("Istio gateway istio-ingress/echo")
    assert '-- "80%" --> backend_echoserver_service_v1' in text
    assert '-- "20%" --> backend_echoserver_service_v2' in text


def test_render_writes_the_diagram(tmp_path: Path) -> None:
    assert main(["render", str(ROOT / "examples/echoserver-canary"), "--stack", "fifty",
                 "--out", str(tmp_path)]) == 0
    text = (tmp_path / "traffic.mmd").read_text()
    assert text.count('-- "50%" -->') == 2
    assert "AWS NLB" in text


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: f"{p[0]}:{p[1]}")
def test_every_project_diagram_is_well_formed(project: tuple[str, str], renders) -> None:
    assert_well_formed(traffic_diagram(manifests(renders[project])))


# The hops in front of the gateway (or the backends), first line of each, client first.
EDGES = {
    ("eks", "gateway"): ["AWS NLB"],
    ("eks", "chained"): ["AWS WAF", "AWS ALB"],
    ("eks", "standalone"): ["AWS ALB"],
    ("aks", "gateway"): ["Azure Standard LB"],
    ("aks", "chained"): ["Azure WAF policy", "Azure Application Gateway",
                         "Azure Standard LB (internal)"],
    ("aks", "standalone"): ["Azure WAF policy", "Azure Application Gateway"],
}


def _render_traffic(cloud: str, topology: str) -> tuple[str, dict[str, str]]:
    records = run_project(ROOT / "stacks" / cloud, topology)
    text = traffic_diagram(manifests(records), stack_summaries(records), plan(records))
    return text, assert_well_formed(text)


def _path(text: str, nodes: dict[str, str], start: str = "client") -> list[str]:
    """First lines of the nodes from `start` along single edges, until a node forks."""
    edges = [line.split() for line in text.splitlines() if " --> " in line]
    path, current = [], start
    while True:
        nexts = [e[-1] for e in edges if e[0] == current]
        if len(nexts) != 1:
            return path
        current = nexts[0]
        path.append(nodes[current].split("<br/>")[0])


@pytest.mark.parametrize(("cloud", "topology"), sorted(EDGES))
def test_every_hop_by_cloud_and_topology(cloud: str, topology: str) -> None:
    text, nodes = _render_traffic(cloud, topology)
    hops = _path(text, nodes)
    assert hops[:len(EDGES[(cloud, topology)])] == EDGES[(cloud, topology)]
    gateways = [label for node_id, label in nodes.items() if node_id.startswith("gateway_")]
    if topology == "standalone":
        assert gateways == []
    else:
        assert hops[len(EDGES[(cloud, topology)])] == "Istio gateway istio-ingress/ingress"
        assert gateways == ["Istio gateway istio-ingress/ingress<br/>istio-ingressgateway: "
                            f"{'3-12' if topology == 'gateway' else '2-10'} replicas (HPA)"]


def test_tls_at_the_nlb_is_drawn_where_it_ends() -> None:
    _, nodes = _render_traffic("eks", "gateway")
    assert nodes["lb_istio_ingressgateway"].endswith(
        "<br/>:443 TCP, TLS ends here (ACM certificate, ELBSecurityPolicy-TLS13-1-2-2021-06)")
    assert "https :443 HTTP (TLS ended at the load balancer)" in nodes["host_shop_example_com"]


def test_alb_listeners_and_standalone_rules_with_weights_and_redirects() -> None:
    text, nodes = _render_traffic("eks", "standalone")
    assert nodes["lb_ingress"].split("<br/>")[1:] == [
        "HTTP :80, redirects to HTTPS :443",
        "HTTPS :443, TLS ends here (ACM, ELBSecurityPolicy-TLS13-1-2-2021-06), unmatched: 404",
    ]
    # Rules are keyed by host and route (EDGE-CH-ALB-RULES), drawn in priority order.
    rule = "route_ingress_alb_443_shop_example_com_"
    catalog = nodes[f"{rule}old_catalog"].split("<br/>")
    assert catalog[0].startswith("rule ")
    assert catalog[1:] == ["host shop.example.com and path /catalog/*", "redirect 301 /products"]
    assert f'{rule}web -- "90%" --> backend_shop' in text
    assert f'{rule}web -- "10%" --> backend_shop_v2' in text


def test_application_gateway_and_the_internal_lb_are_separate_hops() -> None:
    text, nodes = _render_traffic("aks", "chained")
    assert "lb_ingress --> lb_istio_ingressgateway" in text
    assert "HTTPS :443 portal.example.com, TLS ends here (Key Vault certificate)" in \
        nodes["lb_ingress"]
    assert nodes["lb_istio_ingressgateway"].endswith("<br/>address 10.240.4.10")
    _, standalone = _render_traffic("aks", "standalone")
    assert "Ingress portal/ingress-portal-example-com-api<br/>path prefix /api/" in \
        standalone.values()


def test_rate_limits_are_drawn() -> None:
    records = run_project(ROOT / "examples/comprehensive-guide", "dev")
    text = traffic_diagram(manifests(records), stack_summaries(records), plan(records))
    nodes = assert_well_formed(text)
    assert nodes["gateway_my_gateway"].endswith(
        "<br/>rate limit 1000 per 1s per pod (burst 1000)")
    assert nodes["ratelimit_ratelimit"] == (
        "global rate limit<br/>ratelimit.ratelimit:8081<br/>domain istio-ingress<br/>fails closed")
    assert 'gateway_my_gateway -. "checks" .-> ratelimit_ratelimit' in text


def test_without_the_config_the_objects_still_tell_the_layer() -> None:
    records = run_project(ROOT / "stacks/eks", "chained")
    objs = manifests(records)
    # numTrustedProxies 1 on the gateway: an L7 load balancer is in front.
    assert "cloud L7 load balancer<br/>Service istio-ingress/istio-ingressgateway (ClusterIP)" \
        in traffic_diagram(objs)
    gw_records = run_project(ROOT / "stacks/eks", "gateway")
    gw_objs = manifests(gw_records)
    svc = next(o for o in gw_objs if o["kind"] == "Service")
    svc["metadata"]["annotations"] = {
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}
    assert "AWS NLB (internal)<br/>Service" in traffic_diagram(gw_objs)


def test_every_routing_feature_draws_as_well_formed_mermaid() -> None:
    records = run_program(lambda: IngressStack("edge", parse_config(EVERYTHING)))
    text = traffic_diagram(manifests(records), stack_summaries(records))
    nodes = assert_well_formed(text)
    labels = "\n".join(nodes.values())
    assert "uri prefix /api/ and method exact GET and header x-team exact a#quot;b" in labels
    assert "legacy<br/>uri prefix /old/<br/>redirect 308 /new/" in labels
    assert "VirtualService team-b/team-b<br/>delegate" in labels
    assert "tls :443 TLS, TLS passthrough" in labels
    assert "tls rule 1<br/>SNI db.example.com and port 443" in labels
    assert "a.example.org<br/>http :80 HTTP (listener *.example.org)" in labels
    assert 'route_api -. "mirror 5%" .-> backend_shop_canary' in text
    assert '-- "90%" --> backend_shop_stable' in text
    assert '-- "100%" --> backend_db' in text
    assert traffic_diagram(manifests(records), stack_summaries(records)) == text


def test_delegated_rules_hang_off_the_delegating_rule() -> None:
    objs: list[dict[str, Any]] = [
        {"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
         "metadata": {"name": "gw", "namespace": "edge"},
         "spec": {"selector": {"istio": "gw"}, "servers": [
             {"hosts": ["*"], "port": {"name": "http", "number": 80, "protocol": "HTTP"}}]}},
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": {"name": "root", "namespace": "edge"},
         "spec": {"gateways": ["gw"], "hosts": ["x.example.com"], "http": [
             {"name": "to-a", "delegate": {"name": "a"}}]}},
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": {"name": "a", "namespace": "edge"},
         "spec": {"http": [{"name": "a1", "route": [{"destination": {"host": "svc"}}]},
                           {"name": "loop", "delegate": {"name": "a"}}]}},
    ]
    text = traffic_diagram(objs)
    nodes = assert_well_formed(text)
    assert nodes["host_x_example_com"] == "x.example.com<br/>http :80 HTTP (listener *)"
    assert "route_to_a --> route_a1" in text
    assert '-- "100%" --> backend_svc' in text
    # A delegation cycle stops at a leaf instead of recursing.
    assert nodes["delegate_a"] == "VirtualService edge/a<br/>delegate"
    assert "client --> gateway_gw" in text  # no Service in the render: no load balancer drawn


def test_host_and_route_rate_limits_are_drawn_on_their_nodes() -> None:
    config = eks_stack(
        routing={
            "backends": {"shop": {"service": "shop", "namespace": "shop", "port": 8080}},
            "hosts": [{"host": HOST, "routes": [
                {"name": "api", "match": [{"uri": {"prefix": "/api/"}}],
                 "to": [{"backend": "shop"}]},
                {"name": "web", "to": [{"backend": "shop"}]}]}]},
        rateLimits={"local": [
            {"scope": "host", "host": HOST, "maxTokens": 50, "tokensPerFill": 50,
             "fillInterval": "1s"},
            {"scope": "route", "host": HOST, "route": "api", "maxTokens": 10,
             "tokensPerFill": 10, "fillInterval": "1s"}]},
    )
    records = run_program(lambda: IngressStack("edge", parse_config(config)))
    nodes = assert_well_formed(traffic_diagram(manifests(records), stack_summaries(records)))
    assert nodes["host_shop_example_com"].endswith(
        "<br/>rate limit 50 per 1s per pod (burst 50) on :80, :443")
    assert nodes["route_api"].endswith("<br/>rate limit 10 per 1s per pod (burst 10) on :80, :443")
    assert "rate limit" not in nodes["route_web"] + nodes["gateway_ingress"]
