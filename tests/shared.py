"""What several test modules share: base configs and helpers. Test modules import these from
here, never from one another."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from typing import Any

import pytest

# -------------------------------------------------------------------------- configs

HOST = "shop.example.com"

# An AKS gateway stack with one of everything the traffic picture draws.
EVERYTHING: dict[str, Any] = {
    "cloud": "aks",
    "azure": {"location": "westeurope", "resourceGroup": "edge",
              "cluster": {"name": "aks", "resourceGroup": "aks"}},
    "listeners": [
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST, "*.example.org"]},
        {"name": "tls", "port": 443, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}},
    ],
    "routing": {
        "backends": {
            "shop": {"service": "shop", "namespace": "shop", "port": 8080,
                     "subsets": {"stable": {"version": "stable"}, "canary": {"version": "canary"}}},
            "shop-api": {"service": "shop-api", "namespace": "shop", "port": 8080},
            "db": {"service": "db", "namespace": "data", "port": 5432},
        },
        "hosts": [
            {"host": HOST, "routes": [
                {"name": "api", "match": [{"uri": {"prefix": "/api/"},
                                           "headers": {"x-team": {"exact": 'a"b'}},
                                           "method": {"exact": "GET"}}],
                 "to": [{"backend": "shop-api"}],
                 "mirror": {"backend": "shop", "subset": "canary", "percent": 5}},
                {"name": "legacy", "match": [{"uri": {"prefix": "/old/"}}],
                 "redirect": {"uri": "/new/", "redirectCode": 308}},
                {"name": "team-b", "match": [{"uri": {"prefix": "/b/"}}],
                 "delegate": {"name": "team-b", "namespace": "team-b"}},
                {"name": "web", "to": [{"backend": "shop", "subset": "stable", "weight": 90},
                                       {"backend": "shop", "subset": "canary", "weight": 10}]},
            ]},
            {"host": "a.example.org", "routes": [{"name": "org", "to": [{"backend": "shop"}]}]},
            {"host": "db.example.com", "tlsRoutes": [
                {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "db"}]}]},
        ],
    },
}


# -------------------------------------------------------------------------- tools


def promtool() -> str:
    """Prometheus' promtool: its path; under CI its absence fails, elsewhere it skips."""
    path = shutil.which("promtool")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("promtool is not installed under CI: apt-get install prometheus")
    pytest.skip("promtool is not installed: apt-get install prometheus")


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
    wl = plan.workload
    out["workload"] = None if wl is None else {
        "name": f"{wl.namespace}/{wl.name}", "drain": wl.drain.model_dump(),
        "idleTimeout": wl.idle_timeout, "serviceType": wl.service.type}
    out["rules"] = [r["code"] for r in out["rules"]]
    return out
