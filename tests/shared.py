"""The helpers several test modules share (the configs they share are in tests/configs.py).
Test modules import these from here, never from one another."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

# -------------------------------------------------------------------------- tools


def in_fresh_interpreter(code: str) -> tuple[str, Any]:
    """Run `code` in a new Python process at the repository root (what it loads or builds,
    free of this test process's imports): its stdout, and its last line read as JSON."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return result.stdout, json.loads(result.stdout.strip().splitlines()[-1])


def promtool() -> str:
    """Prometheus' promtool: its path; under CI its absence fails, elsewhere it skips."""
    path = shutil.which("promtool")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("promtool is not installed under CI: apt-get install prometheus")
    pytest.skip("promtool is not installed: apt-get install prometheus")


# -------------------------------------------------------------------------- rendered objects


def _named(objs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


def served_on_80(objs: list[dict[str, Any]], path: str) -> str:
    """What port 80 answers for `path` on app.example.com, read from the rendered Istio
    objects as Envoy merges them: 'redirect' when a server's httpsRedirect covers the host
    (it applies to the whole virtual host, istio/istio#33593) or a route redirects the path;
    'solver' when no route of ours takes it, so the solver's Ingress route does."""
    for gw in _named(objs, "Gateway").values():
        for server in gw["spec"]["servers"]:
            if server["port"]["number"] == 80 and server.get("tls", {}).get("httpsRedirect"):
                return "redirect"
    for vs in _named(objs, "VirtualService").values():
        gateways = {g.split("/")[1] for g in vs["spec"]["gateways"]}
        on_80 = any(s["port"]["number"] == 80 for name, gw in _named(objs, "Gateway").items()
                    if name in gateways for s in gw["spec"]["servers"])
        if not on_80:
            continue
        for route in vs["spec"].get("http", []):
            for m in route.get("match", [{}]):
                uri = m.get("uri", {})
                if (not uri or re.fullmatch(uri["regex"], path) if "regex" in uri
                        else path.startswith(uri.get("prefix", uri.get("exact", "\0")))):
                    return "redirect" if "redirect" in route else "app"
    return "solver"


# -------------------------------------------------------------------------- documentation pages

DOCS = ROOT / "docs"


def fenced(path: Path, lang: str) -> list[str]:
    """The code blocks of `lang` in a page (indented ones, inside lists, included)."""
    text = path.read_text()
    return [re.sub(r"^" + indent, "", body, flags=re.M)
            for indent, body in re.findall(rf"^( *)```{lang}\n(.*?)^\1```", text, re.S | re.M)]


def yaml_blocks(path: Path) -> list[dict[str, Any]]:
    """The YAML blocks of a page that are mappings (a `--8<--` line includes a file tested
    elsewhere)."""
    return [d for d in (yaml.safe_load(b) for b in fenced(path, "yaml")) if isinstance(d, dict)]


# -------------------------------------------------------------------------- CI workflows

_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
_CONTEXT = {"github.base_ref": "main"}


def workflow_matrix(job: dict[str, Any]) -> list[dict[str, str]]:
    """A workflow job's matrix entries, as GitHub expands axes and include."""
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    include = matrix.get("include") or []
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    combos = [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]
    return [*combos, *include] if axes else include or [{}]


def expand_expressions(text: str, matrix: dict[str, str]) -> str:
    """GitHub expressions as the runner fills them for one matrix entry."""
    def value(m: re.Match[str]) -> str:
        expr = m.group(1)
        return matrix[expr.removeprefix("matrix.")] if expr.startswith("matrix.") else (
            _CONTEXT.get(expr, f"<{expr}>"))
    return _EXPR.sub(value, text)


# -------------------------------------------------------------------------- refusals


def refusals(data: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Every problem `parse_config` reports for `data`, as (path, value, message), in order;
    [] when it is accepted."""
    from ingresslib import parse_config  # noqa: PLC0415 (tests/shared.py stays cheap to import)
    from ingresslib.errors import ConfigError  # noqa: PLC0415

    try:
        parse_config(data)
    except ConfigError as e:
        return [(p.path, _plain(p.value), p.message) for p in e.problems]
    return []


def _plain(value: Any) -> Any:
    """`value` with config models as the data a user writes (camelCase, unset left out)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def planned_edge(data: dict[str, Any]) -> dict[str, Any]:
    """Every value of the stack's EdgePlan as data; of the workload, its drain, idle timeout
    and Service type; of the rules, their codes (the statements live in the rule tables)."""
    from dataclasses import asdict  # noqa: PLC0415

    from ingresslib import parse_config  # noqa: PLC0415

    plan = parse_config(data).edge
    out = asdict(plan)
    # One key for where the plan is (a dict with a `cloud` key reads as a stack config).
    out = {"on": f"{out.pop('cloud')} {out.pop('topology')}", **out}
    wl = plan.workload
    out["workload"] = None if wl is None else {
        "name": f"{wl.namespace}/{wl.name}", "drain": wl.drain.model_dump(),
        "idleTimeout": wl.idle_timeout, "serviceType": wl.service.type}
    out["rules"] = [r["code"] for r in out["rules"]]
    return out
