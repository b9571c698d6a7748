"""`ingresslib verify`: render (or read a render directory), start the lab, run the probes the
config implies, and report intent against observation per probe.

Exit codes: 0 every probe passed (skips say why they were not probed), 1 any probe failed or
the lab could not bring the stack up, 2 usage or config errors (the CLI's).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingresslib.lab import probes as probes_
from ingresslib.lab import stack as stack_
from ingresslib.lab import tools
from ingresslib.lab.probes import FAIL, PASS, Probe
from ingresslib.lab.runner import LabError, running

EXIT_PASS, EXIT_MISMATCH = 0, 1


@dataclass
class Result:
    stack: str
    probes: list[Probe]
    seconds: float
    error: str | None = None
    workdir: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(p.verdict != FAIL for p in self.probes)

    def as_dict(self) -> dict[str, Any]:
        return {"stack": self.stack, "passed": self.passed, "seconds": round(self.seconds, 2),
                "error": self.error, "probes": [p.as_dict() for p in self.probes]}


def verify(stack_dir: Path, stack: str, render_dir: Path | None = None,
           keep: bool = False) -> Result:
    """Run the lab on the stack; ConfigError / OfflineError / RenderDirError on bad input
    (found first: no lab tool is needed to refuse it), then LabToolMissing when the lab is not
    set up."""
    start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="ingresslib-lab-"))
    try:
        st = stack_.load(stack_dir, stack, render_dir, work)
        rendered = stack_.manifests(st.render_dir)
        tools.envoy()
        tools.edgelab()
        try:
            with running(st.config, st.render_dir, rendered, work) as lab:
                ctx = probes_.Context(lab)
                results = probes_.run(ctx, probes_.plan(ctx))
        except LabError as e:
            return Result(f"{stack_dir}:{stack}", [], time.monotonic() - start, str(e),
                          str(work))
        return Result(f"{stack_dir}:{stack}", results, time.monotonic() - start,
                      workdir=str(work) if keep else None)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def table(result: Result, width: int = 200) -> str:
    """The probes as a table a person reads: probe, config path, intent, observed, verdict."""
    cols = ("probe", "config path", "intent", "observed", "verdict")
    rows = [(p.name, p.path, p.intent, p.observed, p.verdict.upper()) for p in result.probes]
    caps = (34, 40, 52, 52, 7)
    lines = []

    def fmt(row: tuple[str, ...]) -> list[str]:
        wrapped = [textwrap.wrap(c, cap) or [""] for c, cap in zip(row, caps, strict=True)]
        height = max(len(w) for w in wrapped)
        return ["  ".join((w[i] if i < len(w) else "").ljust(cap)
                          for w, cap in zip(wrapped, caps, strict=True)).rstrip()[:width]
                for i in range(height)]

    lines += fmt(cols)
    lines.append("  ".join("-" * c for c in caps))
    for row in rows:
        lines += fmt(row)
    counts = {v: sum(p.verdict == v for p in result.probes) for v in (PASS, FAIL, "skip")}
    if result.error:
        lines.append(f"lab error: {result.error}")
    lines.append(f"{result.stack}: {counts[PASS]} passed, {counts[FAIL]} failed, "
                 f"{counts['skip']} not probed, {result.seconds:.1f}s -> "
                 f"{'PASS' if result.passed else 'FAIL'}")
    return "\n".join(lines)


def to_json(result: Result) -> str:
    return json.dumps(result.as_dict(), indent=2)
