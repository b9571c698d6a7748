"""edge.md: the contract of each stack's load balancer hop, as a reviewer reads it.

Written by `ingresslib render` beside the manifests, from the edge plan each IngressStack
registers with its inputs: protocol and TLS termination, the health check, PROXY protocol,
the idle timeouts on both sides, the drain, how the client address travels, and the rules of
the cloud x topology with their sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Obj = Mapping[str, Any]


def _health(hc: Obj | None) -> str:
    if hc is None:
        return "the load balancer checks the backends (no gateway)"
    what = f"{hc['protocol']} port {hc['port']}" + (f" `{hc['path']}`" if hc.get("path") else "")
    sources = f", from {', '.join(hc['sources'])}" if hc.get("sources") else ""
    return (f"{what} every {hc['intervalSeconds']} s; down after {hc['unhealthyThreshold']} "
            f"failures, up after {hc['healthyThreshold']}{sources}")


def _timeouts(t: Obj | None) -> list[tuple[str, str]]:
    if t is None:
        return [("idle timeouts", "the backends' (no gateway)")]
    kind = ("reuses idle connections: Envoy keeps them longer" if t["loadBalancerPools"] else
            "forgets idle flows: Envoy closes them first")
    return [
        ("idle timeouts", f"load balancer {t['loadBalancerIdleSeconds']} s ({kind}); Envoy "
                          f"{t['envoyIdleSeconds']} s"),
        ("response wait", f"{t['responseSeconds']} s: route timeouts fit inside it"),
    ]


def edge_table(summary: Obj) -> str:
    """The Markdown table of one stack's edge from its IngressStack summary."""
    edge = summary["edge"]
    gw = edge.get("gateway")
    rows: list[tuple[str, str]] = [
        ("load balancer", edge["loadBalancer"]),
        ("TLS ends", edge.get("tlsTermination") or "-"),
        ("health check", _health(edge.get("healthCheck"))),
        ("PROXY protocol", "-" if gw is None else
         "on, at the load balancer and in the gateway" if gw["proxyProtocol"] else "off"),
        *_timeouts(edge.get("timeouts")),
        ("drain", "-" if gw is None else
         f"Envoy drains {gw['terminationDrainSeconds']} s (grace "
         f"{gw['terminationGracePeriodSeconds']} s); the load balancer needs "
         f"{edge['drain']['neededSeconds']} s: {edge['drain']['why']}"),
        ("client address", edge.get("clientAddress") or "-"),
        ("trusted proxy hops", "-" if gw is None else str(gw["trustedProxies"])),
        ("gateway", "none (standalone)" if gw is None else
         f"{gw['namespace']}/{gw['name']}, Service {gw['serviceType']}"
         + ("" if gw["deployed"] else " (the AKS add-on's)")),
    ]
    lines = [f"## {summary['name']}: {summary['cloud']} {summary['topology']}", "",
             "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines += ["", "| rule | statement | source |", "|---|---|---|"]
    lines += [f"| {r['code']} | {r['statement']} | {r['source']} |" for r in edge.get("rules", [])]
    return "\n".join(lines) + "\n"


def _whole(value: Any) -> Any:
    """Integers back as integers: Pulumi's wire format carries numbers as doubles."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


def edge_markdown(summaries: Sequence[Obj]) -> str:
    """edge.md: one section per IngressStack of the render."""
    body = "\n".join(edge_table(_whole(s)) for s in summaries if "edge" in s)
    return "# The edge: load balancer and gateway, one contract\n\n" + (
        body or "No IngressStack in this render.\n")
