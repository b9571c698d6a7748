"""The Application Gateway front: ingresslib's own rules (AKS chained plan) and AGIC's
Ingresses (AKS standalone): request timeout, XFF with or without the client port, probes,
redirects; and real Envoy traffic."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingresslib.lab.front import FrontError, front_bootstrap
from tests.lab import front_support as fs

AGIC = "appgw.ingress.kubernetes.io/"
API_ING = "manifests/portal--ingress.networking.k8s.io--ingress-portal-example-com-api.yaml"
BACKENDS = {("portal", "portal"): ["127.79.252.100"], ("portal", "portal-api"):
            ["127.79.252.101"]}


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/aks", "chained", tmp_path_factory.mktemp("r") / "aks-chained")


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/aks", "standalone",
                     tmp_path_factory.mktemp("r") / "aks-standalone")


def edit_gateway(render: Path, dst: Path, edit: Any) -> Path:
    out = fs.copy_render(render, dst)
    plan = json.loads((out / "plan.json").read_text())
    for r in plan:
        if r["type"].endswith("ApplicationGateway"):
            edit(r["inputs"])
    (out / "plan.json").write_text(json.dumps(plan))
    return out


def edit_ingress(render: Path, dst: Path, **ann: str) -> Path:
    out = fs.copy_render(render, dst)
    doc = yaml.safe_load((out / API_ING).read_text())
    doc["metadata"]["annotations"].update({AGIC + k.replace("_", "-"): v
                                           for k, v in ann.items()})
    (out / API_ING).write_text(yaml.safe_dump(doc))
    return out


def route_list(plan, port: int) -> list[dict[str, Any]]:
    rc = fs.hcm_of(fs.listeners(plan)[f"appgw-{port}"])["route_config"]
    return [r for v in rc["virtual_hosts"] for r in v["routes"]]


def xff(route: dict[str, Any]) -> str:
    return next(h["header"]["value"] for h in route["request_headers_to_add"]
                if h["header"]["key"] == "x-forwarded-for")


def test_chained_semantics(chained: Path, tmp_path: Path) -> None:
    plan = front_bootstrap(chained, fs.addresses())
    assert plan.product == "azure-appgw"
    (https,) = route_list(plan, 443)
    # Backend settings: requestTimeout 30 s is the route timeout and the stream idle timeout.
    assert (https["route"]["timeout"], https["route"]["idle_timeout"]) == ("30s", "30s")
    # Rewrite set xff-without-port: the client IP only.
    assert xff(https) == "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%"
    rc = fs.hcm_of(fs.listeners(plan)["appgw-443"])["route_config"]
    assert {h["header"]["key"]: h["header"]["value"] for h in rc["request_headers_to_add"]} \
        == {"x-forwarded-proto": "https", "x-forwarded-port": "443",
            "x-original-host": "%REQ(:authority)%", "x-original-url": "%REQ(:path)%"}
    (http,) = route_list(plan, 80)
    assert http["redirect"] == {"response_code": "MOVED_PERMANENTLY",
                                "scheme_redirect": "https"}
    # The pool is the internal load balancer of the gateway Service: its pod and port.
    probe = plan.health_checks[0]
    assert (probe.port, probe.path, probe.host, probe.interval, probe.unhealthy_threshold,
            probe.healthy_codes) == (25021, "/healthz/ready", "127.0.0.1", 5, 2, ((200, 399),))
    # The internal load balancer's own probes are run too.
    assert len(plan.health_checks) == 4
    (listener,) = [x for x in plan.listeners if x.port == 443]
    assert listener.hostnames == ("portal.example.com",)
    assert listener.tls_policy == "AppGwSslPolicy20220101S"
    assert fs.listeners(plan)["appgw-443"]["filter_chains"][0]["filter_chain_match"] == {
        "server_names": ["portal.example.com"]}
    fs.validate(plan, tmp_path)


def test_without_rewrite_xff_has_the_port(chained: Path, tmp_path: Path) -> None:
    def drop(inp: dict[str, Any]) -> None:
        for r in inp["requestRoutingRules"]:
            r.pop("rewriteRuleSet", None)

    plan = front_bootstrap(edit_gateway(chained, tmp_path / "x", drop), fs.addresses())
    assert xff(route_list(plan, 443)[0]) == "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%"


def test_agic_semantics(standalone: Path, tmp_path: Path) -> None:
    plan = front_bootstrap(standalone, fs.addresses(backends=BACKENDS))
    routes = route_list(plan, 443)
    # AGIC: Prefix /api/ becomes /api/*, tried before the catch-all; per-Ingress timeouts.
    assert [(r["match"], r["route"]["timeout"]) for r in routes] == [
        ({"prefix": "/api/", "case_sensitive": False}, "10s"), ({"prefix": "/"}, "30s")]
    assert all(xff(r) == "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%" for r in routes)
    assert route_list(plan, 80)[0]["redirect"]["scheme_redirect"] == "https"
    assert {(h.port, h.path, h.interval, h.timeout, h.unhealthy_threshold)
            for h in plan.health_checks} == {(8080, "/healthz/ready", 10, 5, 3)}
    fs.validate(plan, tmp_path)
    bad = edit_ingress(standalone, tmp_path / "c", appgw_ssl_certificate="nope")
    with pytest.raises(FrontError, match="appgw-ssl-certificate"):
        front_bootstrap(bad, fs.addresses(backends=BACKENDS))
    bad = edit_ingress(standalone, tmp_path / "r", rewrite_rule_set="nope")
    with pytest.raises(FrontError, match="rewriteRuleSets"):
        front_bootstrap(bad, fs.addresses(backends=BACKENDS))
    bad = edit_ingress(standalone, tmp_path / "p", backend_path_prefix="/v2/")
    with pytest.raises(FrontError, match="backend-path-prefix"):
        front_bootstrap(bad, fs.addresses(backends=BACKENDS))


def test_chained_traffic(chained: Path, tmp_path: Path) -> None:
    """Real Envoy: XFF without port under the rewrite set, X-Original-Host, redirect, probe
    of the readiness path with Host 127.0.0.1, and the request timeout."""
    def short(inp: dict[str, Any]) -> None:
        inp["backendHttpSettingsCollection"][0]["requestTimeout"] = 1

    addr = fs.addresses()
    plan = front_bootstrap(edit_gateway(chained, tmp_path / "t", short), addr)
    with fs.http_server(addr.gateway_ip, 18080, delay=3) as seen, \
            fs.http_server(addr.gateway_ip, 25021) as health, fs.running(plan, addr, tmp_path):
        assert health.wait(lambda: any(p == "/healthz/ready" and h.get("host") == "127.0.0.1"
                                       for p, h in health.requests))
        status, headers, _ = fs.http_get(addr, 80, "portal.example.com", path="/a?b=1")
        assert (status, headers["location"]) == (301, "https://portal.example.com/a?b=1")
        t0 = time.monotonic()
        status, _, _ = fs.https_get(plan, addr, 443, "portal.example.com", path="/slow",
                                    headers={"X-Forwarded-For": "203.0.113.9"})
        assert status == 502  # Application Gateway's answer to a backend past its timeout
        assert time.monotonic() - t0 < 2.5
        _, got = seen.requests[-1]
        assert re.fullmatch(r"203\.0\.113\.9,127\.0\.0\.1", got["x-forwarded-for"])
        assert got["x-original-host"] == "portal.example.com"
        assert (got["x-forwarded-proto"], got["x-forwarded-port"]) == ("https", "443")


def test_xff_port_on_the_wire(chained: Path, tmp_path: Path) -> None:
    def drop(inp: dict[str, Any]) -> None:
        for r in inp["requestRoutingRules"]:
            r.pop("rewriteRuleSet", None)

    addr = fs.addresses()
    plan = front_bootstrap(edit_gateway(chained, tmp_path / "x", drop), addr)
    with fs.http_server(addr.gateway_ip, 18080) as seen, \
            fs.http_server(addr.gateway_ip, 25021), fs.running(plan, addr, tmp_path):
        assert fs.https_get(plan, addr, 443, "portal.example.com")[0] == 200
        assert re.fullmatch(r"127\.0\.0\.1:\d+", seen.requests[-1][1]["x-forwarded-for"])
