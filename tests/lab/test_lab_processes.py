"""The lab cleans up: no process it started survives a run, an exception or Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingresslib.lab.verify import verify

ROOT = Path(__file__).resolve().parents[2]
STACK = (ROOT / "stacks/eks", "gateway")

pytestmark = pytest.mark.usefixtures("lab_tools")


def children(pid: int) -> set[int]:
    """Live processes whose parent is `pid` (from /proc)."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(d.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_no_child_survives_a_run() -> None:
    before = children(os.getpid())
    result = verify(*STACK)
    assert result.probes
    assert children(os.getpid()) - before == set()


def test_no_child_survives_ctrl_c() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "ingresslib.cli", "verify", str(STACK[0]),
                             "--stack", STACK[1]], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    # Interrupt once the lab runs its Envoys (edgelab serve and at least one Envoy).
    while time.monotonic() < deadline and proc.poll() is None:
        seen |= children(proc.pid)
        envoys = [p for p in seen if alive(p)
                  and "envoy" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]
        if envoys:
            break
        time.sleep(0.1)
    assert seen, "verify started no process"
    proc.send_signal(signal.SIGINT)
    proc.wait(60)
    time.sleep(0.5)
    assert [p for p in seen if alive(p)] == []
