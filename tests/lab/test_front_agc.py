"""The Application Gateway for Containers front, from the Gateway API objects of the shipped
AKS agc-chained and agc-standalone stacks."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingresslib.lab.front import front_bootstrap
from tests.lab import front_support as fs

BACKENDS = {("portal", "portal-stable"): ["127.79.251.100"],
            ("portal", "portal-canary"): ["127.79.251.101"],
            ("portal", "portal-api"): ["127.79.251.102"]}
POLICY = ("manifests/istio-ingress--routepolicy.alb.networking.azure.io--"
          "ingress-agc-portal-example-com.yaml")


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/aks", "agc-chained", tmp_path_factory.mktemp("r") / "agc-chained")


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/aks", "agc-standalone",
                     tmp_path_factory.mktemp("r") / "agc-standalone")


def routes(plan, port: int) -> list[dict[str, Any]]:
    lst = fs.listeners(plan)[f"agc-{port}"]
    return fs.hcm_of(lst)["route_config"]["virtual_hosts"][0]["routes"]


def test_chained_semantics(chained: Path, tmp_path: Path) -> None:
    plan = front_bootstrap(chained, fs.addresses())
    assert plan.product == "azure-agc"
    (to_gateway,) = routes(plan, 443)
    assert to_gateway["route"]["timeout"] == "30s"  # RoutePolicy routeTimeout
    assert to_gateway["route"]["cluster"] == "agc-istio-ingress-istio-ingressgateway-80"
    (hc,) = plan.health_checks
    assert (hc.port, hc.path, hc.interval, hc.timeout, hc.healthy_threshold,
            hc.unhealthy_threshold, hc.healthy_codes) == (
        25021, "/healthz/ready", 5, 3, 1, 3, ((200, 200),))
    rc = fs.hcm_of(fs.listeners(plan)["agc-443"])["route_config"]
    assert rc["request_headers_to_add"][0]["header"]["value"] == (
        "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%")
    assert routes(plan, 80)[0]["redirect"] == {"response_code": "MOVED_PERMANENTLY",
                                               "scheme_redirect": "https"}
    assert plan.listeners[1].tls_policy == "2023-06-S"
    fs.validate(plan, tmp_path)
    # Without the RoutePolicy, AGC's default request timeout (60 s).
    out = fs.copy_render(chained, tmp_path / "nopolicy")
    (out / POLICY).unlink()
    assert routes(front_bootstrap(out, fs.addresses()), 443)[0]["route"]["timeout"] == "60s"


def test_standalone_weights_and_precedence(standalone: Path, tmp_path: Path) -> None:
    plan = front_bootstrap(standalone, fs.addresses(backends=BACKENDS))
    api, web = routes(plan, 443)
    assert api["match"] == {"path_separated_prefix": "/api"}
    assert [(c["name"], c["weight"]) for c in web["route"]["weighted_clusters"]["clusters"]] \
        == [("agc-portal-portal-stable-8080", 90), ("agc-portal-portal-canary-8080", 10)]
    assert {(h.port, h.path) for h in plan.health_checks} == {(8080, "/healthz/ready")}
    fs.validate(plan, tmp_path)


def test_chained_traffic(chained: Path, tmp_path: Path) -> None:
    """Real Envoy: XFF with the client IP, X-Request-Id, probe on 15021, route timeout."""
    out = fs.copy_render(chained, tmp_path / "short")
    doc = yaml.safe_load((out / POLICY).read_text())
    doc["spec"]["default"]["timeouts"]["routeTimeout"] = "1s"
    (out / POLICY).write_text(yaml.safe_dump(doc))
    addr = fs.addresses()
    plan = front_bootstrap(out, addr)
    with fs.http_server(addr.gateway_ip, 18080, delay=3) as seen, \
            fs.http_server(addr.gateway_ip, 25021) as health, fs.running(plan, addr, tmp_path):
        assert health.wait(lambda: any(p == "/healthz/ready" for p, _ in health.requests))
        t0 = time.monotonic()
        status, _, _ = fs.https_get(plan, addr, 443, "portal.example.com", path="/slow")
        assert status == 504
        assert time.monotonic() - t0 < 2.5
        _, got = seen.requests[-1]
        assert re.fullmatch(r"127\.0\.0\.1", got["x-forwarded-for"])
        assert got["x-forwarded-proto"] == "https"
        assert got.get("x-request-id")


def test_reference_grant_and_allowed_routes(standalone: Path, tmp_path: Path) -> None:
    """Without the ReferenceGrant the cross-namespace backends do not resolve (500); a route
    from a namespace the listener does not allow is not attached."""
    out = fs.copy_render(standalone, tmp_path / "nogrant")
    for f in out.glob("manifests/*referencegrant*"):
        f.unlink()
    plan = front_bootstrap(out, fs.addresses(backends=BACKENDS))
    assert [r.get("direct_response") for r in routes(plan, 443)] == [{"status": 500}] * 2
    moved = fs.copy_render(standalone, tmp_path / "moved")
    for f in moved.glob("manifests/*httproute*portal-example-com.yaml"):
        doc = yaml.safe_load(f.read_text())
        doc["metadata"]["namespace"] = "elsewhere"
        f.write_text(yaml.safe_dump(doc))
    assert routes(front_bootstrap(moved, fs.addresses(backends=BACKENDS)), 443) == []


def test_grpc_route(standalone: Path, tmp_path: Path) -> None:
    """A GRPCRoute attached to the AGC Gateway routes by service and method, over HTTP/2."""
    out = fs.copy_render(standalone, tmp_path / "grpc")
    (out / "manifests/agc-ingress--grpcroute.gateway.networking.k8s.io--g.yaml").write_text(
        yaml.safe_dump({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GRPCRoute",
            "metadata": {"name": "g", "namespace": "agc-ingress"},
            "spec": {"parentRefs": [{"name": "ingress-agc", "sectionName": "https"}],
                     "hostnames": ["portal.example.com"],
                     "rules": [{"matches": [{"method": {"service": "shop.Cart",
                                                        "method": "Get"}}],
                                "backendRefs": [{"name": "portal-api", "namespace": "portal",
                                                 "port": 8080}]}]}}))
    plan = front_bootstrap(out, fs.addresses(backends=BACKENDS))
    first = routes(plan, 443)[0]
    assert first["match"] == {"path": "/shop.Cart/Get"}
    grpc = fs.clusters(plan)[first["route"]["cluster"]]
    opts = grpc["typed_extension_protocol_options"][
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
    assert "http2_protocol_options" in opts["explicit_http_config"]
    fs.validate(plan, tmp_path)
