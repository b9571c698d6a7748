"""The lab's processes: stand-ins (`edgelab serve`), the gateway Envoy (bootstrap from
`edgelab xds`) and the front Envoy (the cloud load balancer, from `ingresslib.lab.front`).

A run takes a free /24 under 127.77.0.0/16: it holds a lock file for it and checks by binding
that nothing listens on its addresses. Every process starts in its own process group and is
stopped (SIGTERM, then SIGKILL after 5 s) on exit, on Ctrl-C, on SIGTERM and on exceptions:
`Lab` is a context manager, and nothing it started outlives it.

Readiness: the stand-ins write their ready file; each Envoy's admin `/ready` answers 200; then
the front's own health checks must mark the gateway healthy (`/clusters?format=json`) before
any probe counts, within the cloud's thresholds x interval plus the timeout (capped at
`HEALTH_CAP_S`). When they never do, `Lab.health` says what the front saw: the probes report it
as the failed probe "health check". A routing-only program (`stack.RoutingOnly`) renders no
load balancer: no front is started (`Lab.front` stays None) and the clients reach the gateway
Service's ports directly.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingresslib.lab import tools
from ingresslib.lab.stack import RoutingOnly
from ingresslib.lab.world import Net, World, build_world
from ingresslib.stack.model import StackConfig

HEALTH_CAP_S = 30.0
READY_TIMEOUT_S = 30.0
STOP_GRACE_S = 5.0
LOCK_DIR = Path(os.environ.get("INGRESSLIB_LAB_LOCKS", "/tmp"))


class LabError(RuntimeError):
    """The lab could not start: a tool failed; the message quotes its output."""


@dataclass
class Health:
    """What the front's health checks saw of the gateway before the probes ran."""

    healthy: bool
    waited_s: float
    limit_s: float
    seen: str  # the front's view: cluster/host: health flags


@dataclass
class Lab:
    """One run of the lab: its addresses, files and processes."""

    config: StackConfig | RoutingOnly
    render_dir: Path
    workdir: Path
    net: Net
    world: World
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    front_admin: str | None = None
    front: Any = None  # ingresslib.lab.front.FrontPlan
    front_bootstrap: dict[str, Any] | None = None
    gateway_bootstrap: dict[str, Any] | None = None
    health: Health | None = None
    lock: Any = None

    # --- processes -----------------------------------------------------------------------
    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the lab)
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.workdir / f"{name}.log"
        if not path.is_file():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop every process group this lab started; wait for each."""
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(2)
        self.procs.clear()
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise LabError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")


def _run_tool(argv: list[str], what: str, cwd: Path) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False,
                          timeout=300)
    if done.returncode != 0:
        raise LabError(f"{what} failed ({done.returncode}): {' '.join(argv)}\n"
                       f"{(done.stderr or done.stdout)[-3000:]}")


def pick_net() -> tuple[Net, Any]:
    """A free /24 of 127.77.0.0/16: locked by a file, and free of listeners by binding."""
    candidates = list(range(1, 255))
    random.shuffle(candidates)
    for n in candidates:
        lock = open(LOCK_DIR / f"ingresslib-lab-127.77.{n}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        net = Net(f"127.77.{n}")
        if all(_bindable(ip) for ip in (net.front, net.gateway, net.agent, net.pod(0))):
            return net, lock
        lock.close()
    raise LabError("no free /24 under 127.77.0.0/16")


def _bindable(ip: str) -> bool:
    with socket.socket() as s:
        try:
            s.bind((ip, 0))
        except OSError:
            return False
    return True


def _wait(what: str, ok: Any, lab: Lab, timeout: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lab.check_alive()
        if ok():
            return
        time.sleep(0.05)
    raise LabError(f"{what} not ready within {timeout:.0f}s")


def admin_get(address: str, path: str, timeout: float = 2.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError:
        return 0, ""


def _envoy_argv(bootstrap: Path, base_id: int) -> list[str]:
    return [str(tools.envoy()), "-c", str(bootstrap), "--disable-hot-restart",
            "--concurrency", "1", "--log-level", "warning", "--base-id", str(base_id),
            "--drain-time-s", "1", "--drain-strategy", "immediate"]


@contextlib.contextmanager
def running(config: StackConfig | RoutingOnly, render_dir: Path, rendered: list[dict[str, Any]],
            workdir: Path) -> Iterator[Lab]:
    """The lab for a config and its render, up and health-checked; stopped on exit."""
    net, lock = pick_net()
    world = build_world(config, rendered, net)
    lab = Lab(config, render_dir, workdir, net, world, lock=lock)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(*_: Any) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread: the caller handles signals
        signal.signal(signal.SIGTERM, on_term)
    try:
        _start(lab, rendered)
        yield lab
    finally:
        lab.stop()
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)


def _start(lab: Lab, rendered: list[dict[str, Any]]) -> None:
    edgelab = str(tools.edgelab())
    tools.envoy()
    wd, net, world = lab.workdir, lab.net, lab.world
    ca = wd / "ca"
    ca.mkdir(exist_ok=True)
    _run_tool([edgelab, "ca", "--out", str(ca), *world.ca_args()], "edgelab ca", wd)
    world_file = wd / "world.yaml"
    world_file.write_text(yaml.safe_dump_all(world.objects, sort_keys=True))
    ready = wd / "serve.ready"
    spec = wd / "serve.json"
    spec.write_text(json.dumps(world.serve_spec(str(ca), str(ready)), indent=1))
    lab.spawn("serve", [edgelab, "serve", "--spec", str(spec)])
    _wait("edgelab serve", ready.exists, lab)
    base = int(net.prefix.split(".")[2]) * 4
    if world.gateway_namespace is not None:
        boot = (wd / "gateway").with_suffix(".json")
        argv = [edgelab, "xds"]
        for f in sorted((lab.render_dir / "manifests").glob("*.yaml")):
            argv += ["--objects", str(f)]
        argv += ["--objects", str(world_file),
                 "--gateway", f"{world.gateway_namespace}/{world.gateway_deployment}",
                 "--pod-ip", net.gateway, "--bind-ip", net.gateway,
                 "--agent-address", f"{net.agent}:15020",
                 "--admin-address", f"{net.gateway}:15000",
                 "--mesh-ca", str(ca), "--out", str(boot)]
        _run_tool(argv, "edgelab xds", wd)
        lab.gateway_bootstrap = json.loads(boot.read_text())
        lab.spawn("gateway", _envoy_argv(boot, base))
        _wait("gateway Envoy", lambda: admin_get(f"{net.gateway}:15000", "/ready")[0] == 200,
              lab)
    if isinstance(lab.config, RoutingOnly):
        return  # no load balancer in the render: clients reach the gateway Service directly
    _start_front(lab, base + 1)


def _start_front(lab: Lab, base_id: int) -> None:
    from ingresslib.lab.front import Addresses, FrontError, front_bootstrap  # noqa: PLC0415
    from ingresslib.lab.front.certs import LabCA  # noqa: PLC0415

    world = lab.world
    try:
        front = front_bootstrap(lab.render_dir, Addresses(
            front_ip=lab.net.front, gateway_ip=lab.net.gateway,
            backends=world.service_endpoints(), backend_ports=world.service_target_ports()),
            external_certificates=external_certificates(lab.config),
            ca=LabCA.load(lab.workdir / "ca"))
    except FrontError as e:
        raise LabError(f"the load balancer in front cannot be emulated from the render: {e}"
                       ) from None
    lab.front = front
    lab.front_bootstrap = front.bootstrap
    path = lab.workdir / "front.json"
    path.write_text(json.dumps(front.bootstrap, indent=1))
    admin = front.bootstrap["admin"]["address"]["socket_address"]
    lab.front_admin = f"{admin['address']}:{admin['port_value']}"
    lab.spawn("front", _envoy_argv(path, base_id))
    _wait("front Envoy", lambda: admin_get(lab.front_admin, "/ready")[0] == 200, lab)
    lab.health = wait_healthy(lab)


def external_certificates(config: StackConfig) -> dict[str, list[str]]:
    """{ARN: DNS names} of the existing certificates the config names by ARN: the render holds
    only the ARN, the front's lab certificate needs the names."""
    out = {}
    for cert in config.certificates.values():
        arn = getattr(cert, "arn", None)
        if arn:
            out[arn] = list(getattr(cert, "dns_names", []) or [])
    return out


def health_limit_s(front: Any) -> float:
    """How long the cloud's health checks may take to pass: per emulated check,
    healthy_threshold x interval + timeout; the longest, capped at HEALTH_CAP_S."""
    longest = 2.0
    for hc in front.health_checks:
        if hc.emulated:
            longest = max(longest, hc.healthy_threshold * hc.interval + hc.timeout + 1)
    return min(longest, HEALTH_CAP_S)


def _seconds(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    return float(text[:-1]) if text.endswith("s") else float(text)


def front_view(admin: str, clusters: set[str]) -> tuple[bool, str]:
    """Whether every host of the health-checked `clusters` is healthy in the front's eyes
    (admin /clusters?format=json), and what it saw."""
    status, body = admin_get(admin, "/clusters?format=json")
    if status != 200:
        return False, f"front admin /clusters answered {status}"
    seen, ok = [], True
    found = set()
    for cs in json.loads(body).get("cluster_statuses", []):
        if cs.get("name") not in clusters:
            continue
        found.add(cs["name"])
        flags = []
        for h in cs.get("host_statuses", []):
            hs = h.get("health_status", {})
            sa = h.get("address", {}).get("socket_address", {})
            bad = sorted(k for k, v in hs.items() if k != "eds_health_status" and v is True)
            eds = hs.get("eds_health_status", "HEALTHY")
            ok = ok and not bad and eds == "HEALTHY"
            flags.append(f"{sa.get('address')}:{sa.get('port_value')} "
                         f"{'/'.join(bad) if bad else eds.lower()}")
        if not flags:
            ok = False
        seen.append(f"{cs['name']}: {'; '.join(flags) or 'no hosts'}")
    missing = clusters - found
    if missing:
        ok = False
        seen.append(f"clusters not found: {', '.join(sorted(missing))}")
    return ok, " | ".join(seen) or "no health-checked cluster"


def wait_healthy(lab: Lab) -> Health:
    assert lab.front_admin is not None
    assert lab.front is not None
    limit = health_limit_s(lab.front)
    clusters = {hc.cluster for hc in lab.front.health_checks if hc.emulated and hc.cluster}
    start = time.monotonic()
    seen = "the front runs no health check"
    while time.monotonic() - start < limit:
        lab.check_alive()
        if not clusters:
            return Health(True, 0.0, limit, seen)
        ok, seen = front_view(lab.front_admin, clusters)
        if ok:
            return Health(True, time.monotonic() - start, limit, seen)
        time.sleep(0.1)
    return Health(False, time.monotonic() - start, limit, seen)
