"""The Azure edge contract read back from what is about to be registered: the Application
Gateway's arguments and AGIC's Ingresses, against the edge plan's rules.

The plan and the config rules make these hold by construction; reading the rendered halves
back stops a regression in either before anything reaches Azure (as
`ingresslib.stack.contract` does for the gateway's Deployment, Service and NetworkPolicy).
Each finding names its rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ingresslib.azure.agic.ingresses import ANNOTATION
from ingresslib.azure.agic.rules import MAX_DRAIN_SECONDS
from ingresslib.azure.application_gateway.plan import XFF_HEADER, XFF_REWRITE, XFF_VALUE
from ingresslib.azure.config import MAX_REQUEST_TIMEOUT_SECONDS, AksStack
from ingresslib.azure.load_balancer import load_balancing_rule_ports
from ingresslib.errors import Problem

Args = Mapping[str, Any]


def _name(ref: Any) -> str | None:
    """The child name a `{"id": ".../<kind>/<name>"}` reference points at."""
    return ref["id"].rsplit("/", 1)[1] if isinstance(ref, Mapping) and "id" in ref else None


def _strips_port(rule_set: Args) -> bool:
    """Whether the rewrite set sets X-Forwarded-For to the client IP without its port."""
    return any(
        h.get("header_name", "").lower() == XFF_HEADER.lower()
        and h.get("header_value") == XFF_VALUE and not r.get("conditions")
        for r in rule_set.get("rewrite_rules", [])
        for h in r.get("action_set", {}).get("request_header_configurations", []))


def service_annotations(cfg: AksStack) -> dict[str, str]:
    """The gateway Service's annotations as rendered: the plan's, then the user's."""
    wl, gw = cfg.edge.workload, cfg.edge.gateway
    if wl is None or gw is None:
        return {}
    return {**gw.service_annotations, **wl.service.annotations}


def application_gateway_problems(cfg: AksStack, args: Args) -> Iterator[Problem]:
    """The gateway's arguments against the plan: each forwarding rule strips the port from
    X-Forwarded-For, and (chained) what it reaches through the internal load balancer has a
    load-balancing rule there."""
    ref = f"ApplicationGateway/{args.get('application_gateway_name')}"
    xff = {s["name"] for s in args.get("rewrite_rule_sets", []) if _strips_port(s)}
    for rule in args.get("request_routing_rules", []):
        if "redirect_configuration" in rule:
            continue  # Application Gateway applies no rewrite to a redirect
        if _name(rule.get("rewrite_rule_set")) not in xff:
            yield Problem(f"{ref} requestRoutingRules.{rule['name']}",
                          _name(rule.get("rewrite_rule_set")),
                          f"forwards without rewriting {XFF_HEADER} to {XFF_VALUE}: the "
                          "backends would read client-IP:port (EDGE-ID-XFF-PORT)")
    if cfg.topology != "chained":
        return
    ruled = load_balancing_rule_ports(service_annotations(cfg))
    reached = [("probes", p["name"], p.get("port")) for p in args.get("probes", [])] + [
        ("backendHttpSettingsCollection", s["name"], s.get("port"))
        for s in args.get("backend_http_settings_collection", [])]
    for kind, name, port in reached:
        if port not in ruled:
            yield Problem(f"{ref} {kind}.{name}", port, "reaches the gateway through the "
                          "internal load balancer on a port it has no load-balancing rule "
                          f"for (rules: {list(ruled)}): every backend would be unhealthy "
                          "(EDGE-HC-LBRULE)")


def ingress_problems(ingresses: list[Args]) -> Iterator[Problem]:
    """AGIC's Ingresses against the plan: each names the X-Forwarded-For rewrite set and
    drains for at least its request timeout, within Application Gateway's bounds."""
    for ing in ingresses:
        meta = ing["metadata"]
        ref = f"Ingress/{meta.get('namespace')}/{meta['name']}"
        notes = meta.get("annotations", {})
        if notes.get(f"{ANNOTATION}rewrite-rule-set") != XFF_REWRITE:
            yield Problem(f"{ref} rewrite-rule-set", notes.get(f"{ANNOTATION}rewrite-rule-set"),
                          f"must name {XFF_REWRITE}, the set that strips the client's port from "
                          f"{XFF_HEADER} (EDGE-ID-XFF-PORT)")
        timeout = int(notes.get(f"{ANNOTATION}request-timeout", "30"))
        if timeout > MAX_REQUEST_TIMEOUT_SECONDS:
            yield Problem(f"{ref} request-timeout", timeout, "Application Gateway takes at "
                          f"most {MAX_REQUEST_TIMEOUT_SECONDS} s (EDGE-TO-APPGW)")
        drain = int(notes.get(f"{ANNOTATION}connection-draining-timeout", "0"))
        needed = min(timeout, MAX_DRAIN_SECONDS)
        if notes.get(f"{ANNOTATION}connection-draining") != "true" or drain < needed:
            yield Problem(f"{ref} connection-draining-timeout", drain,
                          f"requests in flight when a pod leaves the pool may take the request "
                          f"timeout ({timeout} s): drain at least {needed} s (EDGE-DR-APPGW)")
