"""Broken renders caught: one rendered object edited in a copy of the render directory, then
`verify --render-dir`; each must fail with the probe that names what broke (issue 17)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingresslib.lab import stack
from ingresslib.lab.probes import FAIL
from ingresslib.lab.verify import table, verify

ROOT = Path(__file__).resolve().parents[2]
EKS, FEATURES = "stacks/eks", "tests/lab/stacks/features"
ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-healthcheck-"

pytestmark = pytest.mark.usefixtures("lab_tools")


def edit(render_dir: Path, kind: str, name: str, change: Callable[[dict[str, Any]], None]
         ) -> None:
    """Apply `change` to the rendered object of that kind and name (it must exist)."""
    for f in sorted((render_dir / "manifests").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text())
        if doc and doc["kind"] == kind and doc["metadata"]["name"] == name:
            change(doc)
            f.write_text(yaml.safe_dump(doc, sort_keys=False))
            return
    raise AssertionError(f"no {kind} {name} in {render_dir}")


def each(render_dir: Path, kind: str, change: Callable[[dict[str, Any]], None]) -> None:
    for f in sorted((render_dir / "manifests").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text())
        if doc and doc["kind"] == kind:
            change(doc)
            f.write_text(yaml.safe_dump(doc, sort_keys=False))


def caught(project: str, name: str, render_dir: Path, probe: str) -> None:
    result = verify(ROOT / project, name, render_dir)
    failed = [p.name for p in result.probes if p.verdict == FAIL]
    assert not result.passed
    assert any(probe in n for n in failed), f"expected a failed {probe!r}:\n{table(result)}"


def route(vs: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in vs["spec"]["http"] if r.get("name") == name)


def test_health_check_on_the_traffic_port_behind_proxy_protocol(rendered) -> None:
    """The NLB's HTTP check does not speak PROXY protocol: on a port whose listener expects
    it (the traffic port), the target never turns healthy."""
    d = rendered(EKS, "gateway")

    def wrong(svc: dict[str, Any]) -> None:
        svc["metadata"]["annotations"] |= {
            ANNOTATION + "port": "traffic-port", ANNOTATION + "protocol": "http",
            ANNOTATION + "path": "/healthz/ready"}

    edit(d, "Service", "istio-ingressgateway", wrong)
    caught(EKS, "gateway", d, "health check")


def test_status_port_back_on_the_nlb_service(rendered) -> None:
    """EDGE-HC-NLB-PORTS: the NLB makes a listener of every Service port; with 15021 back on
    the Service, the front publishes Envoy's readiness endpoint, and the probe of the front's
    ports catches it; nothing else fails, the health check on the traffic ports included.
    (This stack sends PROXY protocol, which the status port refuses with a 400: the port is
    open all the same.)"""
    d = rendered(EKS, "gateway")

    def status_port(svc: dict[str, Any]) -> None:
        svc["spec"]["ports"].insert(0, {"name": "status-port", "port": 15021,
                                        "targetPort": 15021, "protocol": "TCP"})

    edit(d, "Service", "istio-ingressgateway", status_port)
    result = verify(ROOT / EKS, "gateway", d)
    failed = {p.name: p for p in result.probes if p.verdict == FAIL}
    assert list(failed) == ["front listens on the listeners' ports only"], table(result)
    assert "TCP:15021 (Service/istio-ingress/istio-ingressgateway spec.ports[status-port]) " \
        "answers GET /healthz/ready: 400" in failed[
            "front listens on the listeners' ports only"].observed, table(result)


def test_deny_rule_bypassed_by_host_with_port(rendered) -> None:
    d = rendered(FEATURES, "gateway")

    def exact_hosts_only(pol: dict[str, Any]) -> None:
        op = pol["spec"]["rules"][0]["to"][0]["operation"]
        op["hosts"] = [h for h in op["hosts"] if ":" not in h]

    edit(d, "AuthorizationPolicy", "deny-admin", exact_hosts_only)
    caught(FEATURES, "gateway", d, "Host app.example.com:443")


def test_cors_route_a_preflight_cannot_reach(rendered) -> None:
    d = rendered(FEATURES, "gateway")

    def get_only(vs: dict[str, Any]) -> None:
        for m in route(vs, "api")["match"]:
            m["method"] = {"exact": "GET"}

    edit(d, "VirtualService", "lab-app-example-com", get_only)
    caught(FEATURES, "gateway", d, "api: cors")


def test_weight_split_shifted(rendered) -> None:
    d = rendered(EKS, "gateway")

    def fifty_fifty(vs: dict[str, Any]) -> None:
        for dest in route(vs, "web")["route"]:
            dest["weight"] = 50

    edit(d, "VirtualService", "ingress-shop-example-com", fifty_fifty)
    caught(EKS, "gateway", d, "web: weighted split")


def test_timeout_dropped_from_a_route(rendered) -> None:
    d = rendered(EKS, "gateway")
    edit(d, "VirtualService", "ingress-shop-example-com",
         lambda vs: route(vs, "api").pop("timeout"))
    caught(EKS, "gateway", d, "api: timeout")


def test_acme_challenge_redirected(rendered) -> None:
    """Every port-80 server of every Gateway redirects to HTTPS, the solver's path too."""
    d = rendered(FEATURES, "gateway")

    def redirect_all(gw: dict[str, Any]) -> None:
        for server in gw["spec"]["servers"]:
            if server["port"]["number"] == 80:
                server["tls"] = {"httpsRedirect": True}

    each(d, "Gateway", redirect_all)
    caught(FEATURES, "gateway", d, "acme http-01 app.example.com")


def test_routing_only_gateway_selecting_other_pods(rendered) -> None:
    """examples/routing-only: an Istio Gateway whose selector misses the gateway's pods binds
    no server there: istiod pushes the pod no listener, and the lab says so."""
    project = "examples/routing-only"
    d = rendered(project, "dev")

    def other_pods(gw: dict[str, Any]) -> None:
        gw["spec"]["selector"] = {"istio": "egressgateway"}

    each(d, "Gateway", other_pods)
    result = verify(ROOT / project, "dev", d)
    assert not result.passed
    assert result.error is not None
    assert "listeners (LDS): got empty response" in result.error


@pytest.mark.parametrize("policy", ["Cluster", "Local"])
def test_status_port_off_the_nlb_service_with_instance_targets(policy: str, tmp_path: Path
                                                                ) -> None:
    """EDGE-HC-NLB-PORTS with instance targets: the NLB checks the traffic port (Cluster,
    or with PROXY protocol) or kube-proxy's health check node port (Local, which the lab has no
    stand-in for: the health check is not probed, and says why), so the Service carries the
    traffic ports only and every other probe passes; with 15021 put back, the front publishes
    Envoy's readiness endpoint and the probe of the front's ports catches it."""
    project = tmp_path / "eks"
    shutil.copytree(ROOT / EKS, project)
    stack_file = project / "Pulumi.gateway.yaml"
    data = yaml.safe_load(stack_file.read_text())
    spec = data["config"]["ingress:stack"]
    spec["aws"]["nlb"]["targetType"] = "instance"
    spec["gateway"]["service"]["externalTrafficPolicy"] = policy
    if policy == "Local":
        spec["aws"]["nlb"]["proxyProtocol"] = False
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))
    result = verify(project, "gateway")
    assert result.passed, table(result)
    front = next(p for p in result.probes if p.name == "front listens on the listeners' ports only")
    assert front.verdict == "pass", table(result)
    assert "15021" not in front.observed, table(result)
    health = next(p for p in result.probes if p.name == "health check")
    if policy == "Local":
        assert health.verdict == "skip", table(result)
        assert "kube-proxy's healthCheckNodePort" in health.observed, table(result)
    else:
        assert health.verdict == "pass", table(result)
    render_dir = stack.load(project, "gateway", None, tmp_path / "render").render_dir

    def status_port(svc: dict[str, Any]) -> None:
        svc["spec"]["ports"].insert(0, {"name": "status-port", "port": 15021,
                                        "targetPort": 15021, "protocol": "TCP"})

    edit(render_dir, "Service", "istio-ingressgateway", status_port)
    broken = verify(project, "gateway", render_dir)
    failed = [p.name for p in broken.probes if p.verdict == FAIL]
    assert failed == ["front listens on the listeners' ports only"], table(broken)
