"""The AWS ALB front, from the plan of the shipped EKS chained and standalone stacks:
rule order, actions, target groups, XFF modes, idle timeout; and real Envoy traffic."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from ingresslib.lab.front import FrontError, front_bootstrap
from ingresslib.lab.front.alb import _arn
from tests.lab import front_support as fs

REGION = "eu-west-1"  # stacks/eks: aws:region
EXTERNAL_ARN = ("arn:aws:acm:eu-west-1:111122223333:certificate/"
                "0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90")
EXTERNAL = {EXTERNAL_ARN: ["shop.example.com"]}
BACKENDS = {("shop", "shop"): ["127.79.0.100"], ("shop", "shop-v2"): ["127.79.0.101"],
            ("shop", "shop-api"): ["127.79.0.102"]}


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/eks", "chained", tmp_path_factory.mktemp("r") / "eks-chained")


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/eks", "standalone",
                     tmp_path_factory.mktemp("r") / "eks-standalone")


def edit_plan(render: Path, dst: Path, type_suffix: str, **inputs: Any) -> Path:
    """A copy of `render` whose plan resources of that type get `inputs` merged; where that
    changes a resource's ARN (a target group's replace-on inputs name it), every reference to
    the old ARN follows, as a render of the changed config would have it."""
    out = fs.copy_render(render, dst)
    plan = json.loads((out / "plan.json").read_text())
    moved = {}
    for r in plan:
        if r["type"].endswith(type_suffix):
            before = _arn(r, REGION)
            r["inputs"].update(inputs)
            moved[before] = _arn(r, REGION)
    text = json.dumps(plan)
    for old, new in moved.items():
        if old and new and old != new:
            text = text.replace(old, new)
    (out / "plan.json").write_text(text)
    for manifest in (out / "manifests").glob("*.yaml"):
        body = manifest.read_text()
        for old, new in moved.items():
            if old and new and old != new:
                body = body.replace(old, new)
        manifest.write_text(body)
    return out


def routes(plan, name: str) -> list[dict[str, Any]]:
    rc = fs.hcm_of(fs.listeners(plan)[name])["route_config"]
    return rc["virtual_hosts"][0]["routes"]


def test_chained_semantics(chained: Path, tmp_path: Path) -> None:
    with pytest.raises(FrontError, match="external_certificates"):
        front_bootstrap(chained, fs.addresses())
    plan = front_bootstrap(chained, fs.addresses(), external_certificates=EXTERNAL)
    assert plan.product == "aws-alb"
    https = fs.hcm_of(fs.listeners(plan)["ingress-alb-https-443"])
    # append mode: a filter appends ", client IP" (no port); X-Forwarded-Proto/Port of 443.
    lua = https["http_filters"][0]
    assert lua["name"] == "envoy.filters.http.lua"
    assert 'string.gsub(peer, ":%d+$", "")' in lua["typed_config"]["default_source_code"][
        "inline_string"]
    added = {h["header"]["key"]: (h["header"]["value"], h["append_action"])
             for h in https["route_config"]["request_headers_to_add"]}
    assert added == {"x-forwarded-proto": ("https", "OVERWRITE_IF_EXISTS_OR_ADD"),
                     "x-forwarded-port": ("443", "OVERWRITE_IF_EXISTS_OR_ADD")}
    assert https["common_http_protocol_options"]["idle_timeout"] == "60s"
    # Target: the gateway pod on the TargetGroupBinding's port; health check 15021.
    (hc,) = plan.health_checks
    assert (hc.port, hc.protocol, hc.path, hc.healthy_codes) == (
        25021, "HTTP", "/healthz/ready", ((200, 200),))
    assert (hc.interval, hc.timeout, hc.healthy_threshold, hc.unhealthy_threshold) == (
        10, 5, 2, 2)
    redirect = routes(plan, "ingress-alb-http-80")[-1]["redirect"]
    assert redirect == {"response_code": "MOVED_PERMANENTLY", "scheme_redirect": "https",
                        "port_redirect": 443}
    fs.validate(plan, tmp_path)


def test_standalone_rules_by_priority(standalone: Path, tmp_path: Path) -> None:
    plan = front_bootstrap(standalone, fs.addresses(backends=BACKENDS))
    names = [r["name"] for r in routes(plan, "ingress-alb-https-443")]
    assert names == ["ingress-alb-443-shop.example.com/api",
                     "ingress-alb-443-shop.example.com/old-catalog",
                     "ingress-alb-443-shop.example.com/web", "ingress-alb-https-443-default"]
    web = routes(plan, "ingress-alb-https-443")[2]["route"]["weighted_clusters"]["clusters"]
    assert [(c["name"], c["weight"]) for c in web] == [("alb-ingress-alb-shop", 90),
                                                        ("alb-ingress-alb-shop-v2", 10)]
    assert fs.clusters(plan)["alb-ingress-alb-shop"]["lb_policy"] == "LEAST_REQUEST"
    assert {(h.port, h.path) for h in plan.health_checks} == {
        (8080, "/healthz"), (8080, "/api/health"), (8080, "/")}
    # Priorities reversed in the plan: the order follows them.
    src = json.loads((standalone / "plan.json").read_text())
    for r in src:
        if r["type"].endswith("ListenerRule"):
            r["inputs"]["priority"] = 100000 - r["inputs"]["priority"]
    out = fs.copy_render(standalone, tmp_path / "rev")
    (out / "plan.json").write_text(json.dumps(src))
    rev = [r["name"] for r in routes(front_bootstrap(out, fs.addresses(backends=BACKENDS)),
                                     "ingress-alb-https-443")]
    assert rev == [*names[:3][::-1], names[3]]
    fs.validate(plan, tmp_path)


def test_xff_modes(chained: Path, tmp_path: Path) -> None:
    def https_hcm(render: Path) -> dict[str, Any]:
        plan = front_bootstrap(render, fs.addresses(), external_certificates=EXTERNAL)
        return fs.hcm_of(fs.listeners(plan)["ingress-alb-https-443"])

    def lua(h: dict[str, Any]) -> str:
        return "".join(f["typed_config"]["default_source_code"]["inline_string"]
                       for f in h["http_filters"] if f["name"] == "envoy.filters.http.lua")

    keep = https_hcm(edit_plan(chained, tmp_path / "p", "loadBalancer:LoadBalancer",
                               xffHeaderProcessingMode="preserve"))
    assert lua(keep) == ""
    assert "x-forwarded-for" not in keep["route_config"]["request_headers_to_remove"]
    gone = https_hcm(edit_plan(chained, tmp_path / "r", "loadBalancer:LoadBalancer",
                               xffHeaderProcessingMode="remove"))
    assert lua(gone) == ""
    assert "x-forwarded-for" in gone["route_config"]["request_headers_to_remove"]
    port = https_hcm(edit_plan(chained, tmp_path / "c", "loadBalancer:LoadBalancer",
                               enableXffClientPort=True))
    assert "downstreamDirectRemoteAddress" in lua(port)
    assert "gsub" not in lua(port)


def test_chained_traffic(chained: Path, tmp_path: Path) -> None:
    """Real Envoy: redirect on 80, TLS with the lab certificate on 443, XFF with the client IP
    only, X-Forwarded-Proto/Port, health check on 15021, idle connections closed."""
    fast = edit_plan(chained, tmp_path / "fast", "loadBalancer:LoadBalancer", idleTimeout=2)
    addr = fs.addresses()
    plan = front_bootstrap(fast, addr, external_certificates=EXTERNAL)
    with fs.http_server(addr.gateway_ip, 18080) as seen, \
            fs.http_server(addr.gateway_ip, 25021) as health, \
            fs.running(plan, addr, tmp_path):
        assert health.wait(lambda: ("/healthz/ready", ) in [(p,) for p, _ in health.requests])
        status, headers, _ = fs.http_get(addr, 80, "shop.example.com", path="/a?b=1")
        assert status == 301
        # The ALB writes the redirect's port even when it is the scheme's default.
        assert headers["location"] == "https://shop.example.com:443/a?b=1"
        status, _, body = fs.https_get(plan, addr, 443, "shop.example.com", path="/x",
                                       headers={"X-Forwarded-For": "203.0.113.9"})
        assert status == 200, body
        path, got = seen.requests[-1]
        assert path == "/x"
        assert got["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"  # ELB's format
        assert got["x-forwarded-proto"] == "https"
        assert got["x-forwarded-port"] == "443"
        assert "x-envoy-external-address" not in got
        # An idle client connection is closed at the load balancer's idle timeout.
        c = socket.create_connection((addr.front_ip, addr.bind_port(80)), timeout=10)
        c.sendall(b"GET / HTTP/1.1\r\nHost: shop.example.com\r\n\r\n")
        assert c.recv(4096).startswith(b"HTTP/1.1 301")
        t0 = time.monotonic()
        c.settimeout(15)
        assert c.recv(4096) == b""
        assert 1.5 <= time.monotonic() - t0 <= 6
        c.close()


def test_standalone_traffic(standalone: Path, tmp_path: Path) -> None:
    """Real Envoy: the path rule wins over the host rule, the redirect rule rewrites the path
    and keeps the query, unknown hosts get the listener's fixed response."""
    addr = fs.addresses(backends={k: [v[0].replace("127.79.0", "127.79.253")]
                                  for k, v in BACKENDS.items()})
    plan = front_bootstrap(standalone, addr)
    with fs.http_server("127.79.253.102", 8080) as api, \
            fs.http_server("127.79.253.100", 8080) as web, \
            fs.http_server("127.79.253.101", 8080), fs.running(plan, addr, tmp_path):
        assert fs.https_get(plan, addr, 443, "shop.example.com", path="/api/cart")[0] == 200
        assert api.requests[-1][0] == "/api/cart"
        assert api.requests[-1][1]["x-forwarded-for"] == "127.0.0.1"
        status, headers, _ = fs.https_get(plan, addr, 443, "shop.example.com",
                                          path="/catalog/1?x=2")
        assert status == 301
        assert headers["location"].endswith("/products?x=2")
        status, _, body = fs.https_get(plan, addr, 443, "shop.example.com", path="/other",
                                       headers={"Host": "other.example.com"})
        assert (status, body) == (404, b"no route for this host and path")
        assert web.wait(lambda: any(p == "/healthz" for p, _ in web.requests))


def test_grpc_target_group_health_check(chained: Path, tmp_path: Path) -> None:
    """A GRPC target group's health check is a gRPC call (EDGE-HC-ALB-GRPC): HTTP/2, POST,
    content-type application/grpc, to the path the plan names."""
    out = edit_plan(chained, tmp_path / "grpc", "targetGroup:TargetGroup",
                    protocolVersion="GRPC",
                    healthCheck={"enabled": True, "path": "/AWS.ALB/healthcheck", "port": "15021",
                                 "protocol": "HTTP", "matcher": "12", "interval": 10,
                                 "timeout": 5, "healthyThreshold": 2, "unhealthyThreshold": 2})
    plan = front_bootstrap(out, fs.addresses(), external_certificates=EXTERNAL)
    (hc,) = plan.health_checks
    assert (hc.protocol, hc.path, hc.healthy_codes) == ("GRPC", "/AWS.ALB/healthcheck",
                                                        ((12, 12),))
    (c,) = fs.clusters(plan).values()
    check = c["health_checks"][0]["http_health_check"]
    assert (check["codec_client_type"], check["method"]) == ("HTTP2", "POST")
    assert check["request_headers_to_add"][0]["header"]["value"] == "application/grpc"
    fs.validate(plan, tmp_path)
