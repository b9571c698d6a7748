"""The Azure Standard Load Balancer front, from cloud-provider-azure's annotations on the
gateway Service of the shipped AKS gateway stack and the comprehensive guide."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ingresslib.lab.front import front_bootstrap
from tests.lab import front_support as fs

SVC = "manifests/istio-ingress--service--istio-ingressgateway.yaml"


@pytest.fixture(scope="module")
def aks_gateway(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/aks", "gateway", tmp_path_factory.mktemp("r") / "aks-gateway")


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("examples/comprehensive-guide", "dev",
                     tmp_path_factory.mktemp("r") / "guide")


def edit_service(render: Path, dst: Path, **spec: str) -> Path:
    """A copy of `render` without the per-port probe annotations, with `spec` merged."""
    out = fs.copy_render(render, dst)
    doc = yaml.safe_load((out / SVC).read_text())
    ann = doc["metadata"]["annotations"]
    for k in [k for k in ann if "_health-probe_" in k]:
        del ann[k]
    doc["spec"].update(spec)
    (out / SVC).write_text(yaml.safe_dump(doc))
    return out


@pytest.mark.parametrize("which", ["aks_gateway", "guide"])
def test_rules_probes_idle(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    plan = front_bootstrap(request.getfixturevalue(which), fs.addresses())
    assert plan.product == "azure-lb"
    # port_15021_no_lb_rule: no rule, so no listener for the status port.
    assert [x.name for x in plan.listeners] == ["TCP:80", "TCP:443"]
    assert {(h.port, h.protocol, h.path, h.interval, h.unhealthy_threshold, h.healthy_codes)
            for h in plan.health_checks} == {(25021, "HTTP", "/healthz/ready", 5, 2,
                                              ((200, 200),))}
    assert all(h.emulated for h in plan.health_checks)
    assert [t.seconds for t in plan.timeouts] == [1800, 1800]
    assert not any(plan.proxy_protocol.values())
    fs.validate(plan, tmp_path)


def test_default_probes_follow_traffic_policy(aks_gateway: Path, tmp_path: Path) -> None:
    """Without per-port probe annotations: Local probes kube-proxy (no stand-in: reported,
    not run); Cluster probes the traffic port with TCP."""
    local = front_bootstrap(edit_service(aks_gateway, tmp_path / "l"),
                            fs.addresses())
    assert not any(h.emulated for h in local.health_checks)
    assert {h.path for h in local.health_checks} == {"/healthz"}
    assert any("kube-proxy" in n for n in local.not_modeled)
    assert all("health_checks" not in c for c in fs.clusters(local).values())
    cluster = front_bootstrap(edit_service(aks_gateway, tmp_path / "c",
                                           externalTrafficPolicy="Cluster"), fs.addresses())
    assert {(h.port, h.protocol) for h in cluster.health_checks} == {(18080, "TCP"),
                                                                     (18443, "TCP")}


def test_traffic_and_probe(aks_gateway: Path, tmp_path: Path) -> None:
    """Real Envoy: bytes pass untouched (no PROXY header), the probe hits 15021
    /healthz/ready."""
    addr = fs.addresses()
    plan = front_bootstrap(aks_gateway, addr)
    import socket  # noqa: PLC0415

    with fs.tcp_server(addr.gateway_ip, 18080) as seen, \
            fs.http_server(addr.gateway_ip, 25021) as health, fs.running(plan, addr, tmp_path):
        assert health.wait(lambda: any(p == "/healthz/ready" for p, _ in health.requests))
        c = socket.create_connection((addr.front_ip, addr.bind_port(80)), timeout=10)
        c.sendall(b"hello")
        assert c.recv(16) == b"hello"
        assert seen.raw[-1] == b"hello"
        c.close()


def test_idle_with_and_without_reset(aks_gateway: Path, tmp_path: Path) -> None:
    plan = front_bootstrap(aks_gateway, fs.addresses())
    assert {t.on_idle for t in plan.timeouts} == {"reset"}
    tcp = fs.listeners(plan)["azlb-80"]["filter_chains"][0]["filters"][1]["typed_config"]
    assert tcp["idle_timeout"] == "1800s"
    out = fs.copy_render(aks_gateway, tmp_path / "noreset")
    doc = yaml.safe_load((out / SVC).read_text())
    doc["metadata"]["annotations"][
        "service.beta.kubernetes.io/azure-load-balancer-disable-tcp-reset"] = "true"
    (out / SVC).write_text(yaml.safe_dump(doc))
    assert {t.on_idle for t in front_bootstrap(out, fs.addresses()).timeouts} == {"drop"}
