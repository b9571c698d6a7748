"""The edge contract checked on the rendered objects, as `istioctl analyze` checks Istio's.

The edge plan states the hop once and both halves are rendered from it; this reads the
halves back from what was rendered (the gateway Deployment's proxy config, the Service's
annotations, the NetworkPolicy) and refuses a render whose halves disagree with the plan, so a
regression in either half stops before anything is registered. Each finding names its rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ingresslib.aws.annotations import TG_ATTRIBUTES
from ingresslib.config.duration import duration_ns
from ingresslib.edge import STATUS_PORT, EdgePlan
from ingresslib.errors import Problem

Manifest = dict[str, Any]


def _of(objects: list[Manifest], kind: str, namespace: str, name: str) -> Manifest | None:
    return next((o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name
                 and o["metadata"].get("namespace") == namespace), None)


def contract_problems(plan: EdgePlan, objects: list[Manifest]) -> Iterator[Problem]:
    """Every disagreement between the plan and the rendered gateway, Service and
    NetworkPolicy; nothing for a gateway ingresslib does not deploy."""
    wl, gw = plan.workload, plan.gateway
    if wl is None or gw is None or not plan.deploys_gateway:
        return
    deployment = _of(objects, "Deployment", wl.namespace, wl.name)
    service = _of(objects, "Service", wl.namespace, wl.name)
    if deployment is None or service is None:
        return
    ref = f"Deployment/{wl.namespace}/{wl.name}"
    pod = deployment["spec"]["template"]
    proxy = json.loads(pod["metadata"]["annotations"]["proxy.istio.io/config"])
    topology = proxy.get("gatewayTopology", {})
    annotations = service["metadata"].get("annotations", {})
    pp_pods = "proxyProtocol" in topology
    pp_lb = "proxy_protocol_v2.enabled=true" in str(annotations.get(TG_ATTRIBUTES, ""))
    if pp_pods != gw.proxy_protocol or (TG_ATTRIBUTES in annotations and pp_lb != pp_pods):
        yield Problem(f"{ref} proxy.istio.io/config", topology,
                      "PROXY protocol is on one side of the hop only: every connection would "
                      "fail to parse (EDGE-ID-PROXY)")
    hc = plan.health_check
    if gw.proxy_protocol and hc is not None and hc.port == STATUS_PORT:
        yield Problem(f"{ref} health check", hc.port,
                      "the load balancer sends PROXY headers on health checks, which the "
                      "status port refuses (EDGE-HC-PROXY)")
    yield from _status_port(gw.status_port_on_service, service)
    if topology.get("numTrustedProxies", 0) != gw.trusted_proxies:
        yield Problem(f"{ref} numTrustedProxies", topology.get("numTrustedProxies", 0),
                      f"the plan has {gw.trusted_proxies} trusted hop(s) in front of the "
                      "gateway (EDGE-ID-HOPS)")
    drain = duration_ns(proxy["terminationDrainDuration"]) // 10**9
    if drain <= plan.drain_needed_seconds:
        yield Problem(f"{ref} terminationDrainDuration", drain,
                      f"the load balancer needs {plan.drain_needed_seconds} s "
                      f"({plan.drain_reason}) (EDGE-DR)")
    if pod["spec"]["terminationGracePeriodSeconds"] <= drain:
        yield Problem(f"{ref} terminationGracePeriodSeconds",
                      pod["spec"]["terminationGracePeriodSeconds"],
                      f"the kubelet would kill Envoy before its {drain} s drain ends (EDGE-DR)")
    idle = proxy.get("proxyMetadata", {}).get("ISTIO_META_IDLE_TIMEOUT")
    t = plan.timeouts
    if t is not None and idle is not None:
        envoy = duration_ns(idle) // 10**9
        nested = (envoy > t.load_balancer_idle_seconds if t.pooling
                  else envoy < t.load_balancer_idle_seconds)
        if not nested:
            yield Problem(f"{ref} ISTIO_META_IDLE_TIMEOUT", idle,
                          f"does not nest with the load balancer's "
                          f"{t.load_balancer_idle_seconds} s idle timeout (EDGE-TO)")
    yield from _probe_sources(plan, objects)


def _status_port(planned: bool, service: Manifest) -> Iterator[Problem]:
    """The Service carries no status port where the plan leaves it off: where every Service
    port becomes a public listener and the health check needs no Service port (an NLB)."""
    meta = service["metadata"]
    ports = service["spec"].get("ports") or []
    status = [p for p in ports if STATUS_PORT in (p.get("port"), p.get("targetPort"))
              or p.get("name") == "status-port"]
    if status and not planned:
        yield Problem(f"Service/{meta['namespace']}/{meta['name']} spec.ports",
                      [p.get("port") for p in status],
                      "every Service port becomes a listener of the NLB, whose health check "
                      "needs no Service port: the status port would expose Envoy's "
                      "readiness endpoint to the load balancer's clients (EDGE-HC-NLB-PORTS)")


def _probe_sources(plan: EdgePlan, objects: list[Manifest]) -> Iterator[Problem]:
    """A NetworkPolicy that restricts clients admits the load balancer's probes on the port
    they target."""
    wl, hc = plan.workload, plan.health_check
    assert wl is not None
    policy = _of(objects, "NetworkPolicy", wl.namespace, wl.name)
    if policy is None or hc is None or not isinstance(hc.port, int) or not hc.sources:
        return
    rules = policy["spec"]["ingress"]
    for source in hc.sources:
        admitted = any(
            any(p["port"] == hc.port for p in rule.get("ports", []))
            and ("from" not in rule or any(f.get("ipBlock", {}).get("cidr") == source
                                          for f in rule["from"]))
            for rule in rules)
        if not admitted:
            yield Problem(f"NetworkPolicy/{wl.namespace}/{wl.name}", source,
                          f"does not admit the load balancer's probes to port {hc.port}: "
                          "every target would be unhealthy (EDGE-HC-NETPOL)")
