"""The AWS NLB front, from the Service annotations of the shipped EKS gateway stack and the
echoserver example: bootstrap semantics, edited annotations, and real Envoy traffic."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import yaml

from ingresslib.lab.front import FrontError, front_bootstrap
from tests.lab import front_support as fs

PP2 = fs.PP2
SVC = "manifests/istio-ingress--service--istio-ingressgateway.yaml"
A = "service.beta.kubernetes.io/aws-load-balancer-"


@pytest.fixture(scope="module")
def eks_gateway(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("stacks/eks", "gateway", tmp_path_factory.mktemp("r") / "eks-gateway")


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fs.render("examples/echoserver-canary", "dev",
                     tmp_path_factory.mktemp("r") / "echo")


def edit_annotations(render: Path, dst: Path, **changes: str | None) -> Path:
    """A copy of `render` whose gateway Service annotations (key after the aws prefix) are
    changed (None removes)."""
    out = fs.copy_render(render, dst)
    doc = yaml.safe_load((out / SVC).read_text())
    ann = doc["metadata"]["annotations"]
    for k, v in changes.items():
        key = A + k.replace("_", "-") if not k.startswith("listener") else A + k
        if v is None:
            ann.pop(key, None)
        else:
            ann[key] = v
    (out / SVC).write_text(yaml.safe_dump(doc))
    return out


def pp_on(plan, cluster: str) -> bool:
    c = fs.clusters(plan)[cluster]
    data = c["transport_socket_matches"][0]["transport_socket"]["name"]
    return data == "envoy.transport_sockets.upstream_proxy_protocol"


def test_eks_gateway_semantics(eks_gateway: Path, tmp_path: Path) -> None:
    addr = fs.addresses()
    plan = front_bootstrap(eks_gateway, addr)
    assert plan.product == "aws-nlb"
    # A listener per Service port: the traffic ports only (EDGE-HC-NLB-PORTS).
    assert [x.name for x in plan.listeners] == ["TCP:80", "TLS:443"]
    # proxy_protocol_v2.enabled=true in target-group-attributes: every target group.
    assert all(pp_on(plan, c) for c in fs.clusters(plan))
    assert set(plan.proxy_protocol.values()) == {True}
    # Health checks: TCP on the traffic port, a bare connect without a PROXY header.
    for hc in plan.health_checks:
        assert (hc.protocol, hc.interval, hc.healthy_threshold, hc.unhealthy_threshold) == (
            "TCP", 10, 2, 2)
        assert not hc.proxy_protocol
    assert [hc.port for hc in plan.health_checks] == [18080, 18443]
    c80 = fs.clusters(plan)["nlb-istio-ingressgateway-80"]
    assert c80["transport_socket"]["name"] == "envoy.transport_sockets.raw_buffer"
    assert c80["health_checks"][0]["transport_socket_match_criteria"] == {"hc": True}
    # TLS at the NLB on 443: the ACM certificate's names, ALPN HTTP2Preferred, TLS 1.2-1.3.
    tls = plan.listeners[1]
    assert tls.hostnames == ("shop.example.com",)
    assert tls.alpn_protocols == ("h2", "http/1.1")
    assert tls.tls_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    # Idle timeouts: TCP-80 annotated 350; TLS fixed 350.
    assert [t.seconds for t in plan.timeouts] == [350, 350]
    assert "annotation" in plan.timeouts[0].source
    assert "fixed" in plan.timeouts[1].source
    assert tls.source_ranges == ("0.0.0.0/0",)
    fs.validate(plan, tmp_path)


def test_echo_semantics(echo: Path, tmp_path: Path) -> None:
    plan = front_bootstrap(echo, fs.addresses())
    assert not any(plan.proxy_protocol.values())
    assert all(not pp_on(plan, c) for c in fs.clusters(plan))
    assert {(h.port, h.protocol, h.path) for h in plan.health_checks} == {
        (25021, "HTTP", "/healthz/ready")}
    # The health check names 15021 by number: every target group probes the pod there
    # though the Service has no such port, and the NLB has no listener on it.
    assert [x.name for x in plan.listeners] == ["TCP:80", "TCP:443"]
    assert len(plan.health_checks) == 2
    fs.validate(plan, tmp_path)


def test_listeners_follow_the_service_ports(eks_gateway: Path, tmp_path: Path) -> None:
    """The controller makes a listener of every Service port: the status port put back on
    the Service is one more listener (EDGE-HC-NLB-PORTS), and the health check still comes
    from the annotations alone (TCP on each traffic port, 15021's own included)."""
    out = fs.copy_render(eks_gateway, tmp_path / "status")
    doc = yaml.safe_load((out / SVC).read_text())
    doc["spec"]["ports"].insert(0, {"name": "status-port", "port": 15021,
                                    "targetPort": 15021, "protocol": "TCP"})
    (out / SVC).write_text(yaml.safe_dump(doc))
    plan = front_bootstrap(out, fs.addresses())
    assert [x.name for x in plan.listeners] == ["TCP:15021", "TCP:80", "TLS:443"]
    assert plan.listeners[0].source.endswith("spec.ports[status-port]")
    assert [hc.port for hc in plan.health_checks] == [25021, 18080, 18443]


def test_a_named_health_check_port_is_looked_up_on_the_service(eks_gateway: Path,
                                                               tmp_path: Path) -> None:
    """The controller resolves a health check port given by name among the Service's ports
    (IP targets: its targetPort); without such a port it cannot, and neither does the lab."""
    named = edit_annotations(eks_gateway, tmp_path / "named", healthcheck_port="http")
    assert {h.port for h in front_bootstrap(named, fs.addresses()).health_checks} == {18080}
    missing = edit_annotations(eks_gateway, tmp_path / "missing", healthcheck_port="status-port")
    with pytest.raises(FrontError, match="Service port's name"):
        front_bootstrap(missing, fs.addresses())


def test_instance_targets_under_local_are_checked_on_kube_proxys_port(eks_gateway: Path,
                                                                     tmp_path: Path) -> None:
    """Instance targets under externalTrafficPolicy Local, with no health check port: the
    controller checks kube-proxy's health check node port (HTTP /healthz), which the lab has
    no stand-in for: the check is reported, not run, and the targets stay in rotation. Under
    Cluster the traffic port is checked as usual."""
    local = edit_annotations(eks_gateway, tmp_path / "local", nlb_target_type="instance",
                             healthcheck_port=None, healthcheck_protocol="http",
                             healthcheck_path="/healthz", target_group_attributes=(
                                 "proxy_protocol_v2.enabled=false"))
    plan = front_bootstrap(local, fs.addresses())
    assert [(h.protocol, h.path, h.emulated) for h in plan.health_checks] == [
        ("HTTP", "/healthz", False), ("HTTP", "/healthz", False)]
    assert all("healthCheckNodePort" in h.source for h in plan.health_checks)
    assert any("kube-proxy" in n for n in plan.not_modeled)
    assert all("health_checks" not in c for c in fs.clusters(plan).values())
    doc = yaml.safe_load((local / SVC).read_text())
    doc["spec"]["externalTrafficPolicy"] = "Cluster"
    (local / SVC).write_text(yaml.safe_dump(doc))
    cluster = front_bootstrap(local, fs.addresses())
    assert all(h.emulated for h in cluster.health_checks)


@pytest.mark.parametrize(("changes", "refused"), [
    ({"healthcheck_protocol": "tcp"}, "passes on every node"),
    ({"healthcheck_protocol": "https"}, "serves plain HTTP"),
    ({"healthcheck_protocol": None, "healthcheck_path": None,
      "target_group_attributes": "proxy_protocol_v2.enabled=true"}, "EDGE-HC-PROXY"),
])
def test_what_kube_proxys_health_check_port_cannot_answer_is_refused(
        eks_gateway: Path, tmp_path: Path, changes: dict[str, str | None], refused: str) -> None:
    """The lab cannot run the check of kube-proxy's health check node port, so what would
    break it is refused by name: a TCP check (every node passes, and a node with no gateway
    pod drops its Local traffic), HTTPS (kube-proxy serves plain HTTP), PROXY protocol on the
    target group (the check carries the header too). Unannotated, the check is the
    controller's HTTP /healthz."""
    base = {"nlb_target_type": "instance", "healthcheck_port": None,
            "healthcheck_protocol": "http", "healthcheck_path": "/healthz",
            "target_group_attributes": "proxy_protocol_v2.enabled=false"}
    with pytest.raises(FrontError, match=refused):
        front_bootstrap(edit_annotations(eks_gateway, tmp_path / "r", **(base | changes)),
                        fs.addresses())
    bare = edit_annotations(eks_gateway, tmp_path / "d", **(base | {
        "healthcheck_protocol": None, "healthcheck_path": None}))
    assert {(h.protocol, h.path) for h in front_bootstrap(bare, fs.addresses()).health_checks
            } == {("HTTP", "/healthz")}


def test_annotations_drive_the_front(eks_gateway: Path, tmp_path: Path) -> None:
    """An edited annotation changes the behaviour; a bad one is reported, not guessed."""
    off = edit_annotations(eks_gateway, tmp_path / "off", target_group_attributes=(
        "deregistration_delay.timeout_seconds=30,proxy_protocol_v2.enabled=false"),
        proxy_protocol="*")
    plan = front_bootstrap(off, fs.addresses())
    assert not any(plan.proxy_protocol.values())
    star = edit_annotations(eks_gateway, tmp_path / "star", target_group_attributes=None,
                            proxy_protocol="*")
    assert all(front_bootstrap(star, fs.addresses()).proxy_protocol.values())
    h1 = edit_annotations(eks_gateway, tmp_path / "h1", alpn_policy="HTTP1Only")
    assert front_bootstrap(h1, fs.addresses()).listeners[1].alpn_protocols == ("http/1.1",)
    bad = edit_annotations(eks_gateway, tmp_path / "bad", alpn_policy="HTTP3Only")
    with pytest.raises(FrontError, match="alpn-policy"):
        front_bootstrap(bad, fs.addresses())
    other = edit_annotations(eks_gateway, tmp_path / "cert", ssl_cert=(
        "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"))
    with pytest.raises(FrontError, match="not registered by this stack"):
        front_bootstrap(other, fs.addresses())
    http = edit_annotations(eks_gateway, tmp_path / "http", healthcheck_protocol="http",
                            healthcheck_port="15021", healthcheck_path="/healthz/ready")
    plan = front_bootstrap(http, fs.addresses())
    assert {(h.port, h.protocol, h.path, h.proxy_protocol) for h in plan.health_checks} == {
        (25021, "HTTP", "/healthz/ready", True)}
    # An HTTP health check of a PROXY protocol target group sends the header too.
    c80 = fs.clusters(plan)["nlb-istio-ingressgateway-80"]
    assert c80["transport_socket"]["name"] == "envoy.transport_sockets.upstream_proxy_protocol"


def test_proxy_protocol_idle_timeout_and_health_check_on_the_wire(
        eks_gateway: Path, tmp_path: Path) -> None:
    """Real Envoy: the target gets a PROXY v2 header with the client's address; the health
    check is a bare connect (no header); an idle connection is closed at the timeout."""
    short = edit_annotations(eks_gateway, tmp_path / "short",
                             **{"listener-attributes.TCP-80": "tcp.idle_timeout.seconds=2",
                                "healthcheck_interval": "1"})
    addr = fs.addresses()
    plan = front_bootstrap(short, addr)
    with fs.tcp_server(addr.gateway_ip, 18080) as seen, fs.running(plan, addr, tmp_path):
        # Health checks: connections carrying no bytes at all.
        assert seen.wait(lambda: b"" in seen.raw), seen.raw
        n = len(seen.raw)
        c = socket.create_connection((addr.front_ip, addr.bind_port(80)), timeout=10)
        c.sendall(b"hello")
        assert seen.wait(lambda: any(r.startswith(PP2) for r in seen.raw[n - 1:]))
        header = next(r for r in seen.raw if r.startswith(PP2))
        # v2, PROXY command, TCP over IPv4, source address = the client's (127.0.0.1).
        assert header[12] == 0x21
        assert header[13] == 0x11
        assert socket.inet_ntoa(header[16:20]) == c.getsockname()[0]
        assert c.recv(16) == b"hello"  # echoed through the front
        t0 = time.monotonic()
        c.settimeout(15)
        assert c.recv(16) == b""  # closed by the front when idle
        assert 1.5 <= time.monotonic() - t0 <= 6
        c.close()


def test_http_health_check_hits_annotated_port_and_path(echo: Path, tmp_path: Path) -> None:
    addr = fs.addresses()
    plan = front_bootstrap(echo, addr)
    with fs.http_server(addr.gateway_ip, 25021) as seen, fs.running(plan, addr, tmp_path):
        assert seen.wait(lambda: any(p == "/healthz/ready" for p, _ in seen.requests))


def test_source_ranges_filter_clients(eks_gateway: Path, tmp_path: Path) -> None:
    """Real Envoy: loadBalancerSourceRanges that exclude the client drop its connection."""
    out = fs.copy_render(eks_gateway, tmp_path / "ranges")
    doc = yaml.safe_load((out / SVC).read_text())
    doc["spec"]["loadBalancerSourceRanges"] = ["10.0.0.0/8"]
    (out / SVC).write_text(yaml.safe_dump(doc))
    addr = fs.addresses()
    plan = front_bootstrap(out, addr)
    assert plan.listeners[0].source_ranges == ("10.0.0.0/8",)
    with fs.tcp_server(addr.gateway_ip, 18080) as seen, fs.running(plan, addr, tmp_path):
        c = socket.create_connection((addr.front_ip, addr.bind_port(80)), timeout=10)
        c.sendall(b"hello")
        assert c.recv(16) == b""
        c.close()
        assert not any(r.endswith(b"hello") for r in seen.raw)


@pytest.mark.parametrize(("policy", "chosen"), [("HTTP2Preferred", "h2"),
                                                ("HTTP2Optional", "http/1.1"),
                                                ("HTTP1Only", "http/1.1"), ("None", None)])
def test_alpn_policy_on_the_wire(eks_gateway: Path, tmp_path: Path, policy: str,
                                 chosen: str | None) -> None:
    """Real Envoy: a client offering h2 and http/1.1 gets what the NLB's ALPN policy picks,
    with the lab certificate for the ACM certificate's name."""
    import ssl  # noqa: PLC0415

    addr = fs.addresses()
    plan = front_bootstrap(edit_annotations(eks_gateway, tmp_path / "r", alpn_policy=policy),
                           addr)
    ctx = ssl.create_default_context(cadata=plan.ca_pem)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with fs.tcp_server(addr.gateway_ip, 18443), fs.running(plan, addr, tmp_path), \
            ctx.wrap_socket(socket.create_connection((addr.front_ip, addr.bind_port(443)),
                                                     timeout=10),
                            server_hostname="shop.example.com") as tls:
        assert tls.selected_alpn_protocol() == chosen
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_http_health_check_behind_proxy_protocol_sends_the_header(
        eks_gateway: Path, tmp_path: Path) -> None:
    """Real Envoy: with PROXY protocol on, an HTTP health check starts with a PROXY v2 header
    of the LOCAL command (no client address), then the request: a status port that refuses
    PROXY headers fails it (EDGE-HC-PROXY)."""
    out = edit_annotations(eks_gateway, tmp_path / "hc", healthcheck_protocol="http",
                           healthcheck_port="15021", healthcheck_path="/healthz/ready",
                           healthcheck_interval="1")
    addr = fs.addresses()
    plan = front_bootstrap(out, addr)
    with fs.tcp_server(addr.gateway_ip, 25021) as seen, fs.running(plan, addr, tmp_path):
        assert seen.wait(lambda: any(r.startswith(PP2) for r in seen.raw)), seen.raw
        first = next(r for r in seen.raw if r.startswith(PP2))
        assert first[12] == 0x20  # v2, LOCAL
        assert first[16 + int.from_bytes(first[14:16], "big"):].startswith(
            b"GET /healthz/ready HTTP/1.1")
