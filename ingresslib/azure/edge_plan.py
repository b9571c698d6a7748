"""The edge of an AKS stack: what the Azure load balancer or Application Gateway and the Istio
gateway agree on.

- gateway: AKS's cloud provider makes the Standard load balancer from the gateway Service's
  annotations (`ingresslib.azure.load_balancer`): a static public IP, per-port probes of
  Envoy's readiness from Azure's probe address, which the NetworkPolicy admits. With the Istio
  add-on, the gateway is the add-on's: ingresslib binds to it and patches its Service.
- chained: Application Gateway sends to the gateway behind an internal load balancer; the
  gateway trusts the one hop that appends X-Forwarded-For.
- standalone: Application Gateway, programmed by AGIC, sends straight to sidecar-injected
  backends; there is no gateway.

`RULES` are the invariants of this edge, with sources.
"""

from __future__ import annotations

from ingresslib.azure.agc_edge_plan import agc_edge_plan
from ingresslib.azure.config import (
    AksStack,
    addon_workload,
    idle_timeout_minutes,
    uses_addon,
    uses_agc,
)
from ingresslib.azure.load_balancer import load_balancer_health_check, service_annotations
from ingresslib.config.duration import duration_ns
from ingresslib.config.workload import settle_workload
from ingresslib.edge import CORE_RULES, EdgePlan, EdgeRule, GatewayOptions, Timeouts

CPA = "https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/"
# The rules all topologies with a gateway share (ingresslib.edge.CORE_RULES).
SHARED = ("EDGE-DR", "EDGE-TO", "EDGE-HC-NETPOL", "EDGE-CH-SETTING")
RULES = {
    "EDGE-HC-AZURE": EdgeRule(
        "EDGE-HC-AZURE",
        "Each traffic port of the Azure load balancer probes Envoy's readiness (15021 "
        "/healthz/ready) from 168.63.129.16, which the NetworkPolicy admits",
        f"cloud-provider-azure, per-port health probe annotations ({CPA}); Azure, "
        "'What is IP address 168.63.129.16'"),
    "EDGE-TO-AZURE-LB": EdgeRule(
        "EDGE-TO-AZURE-LB",
        "The Azure load balancer forgets a flow idle for its idle timeout (4-100 min): "
        "Envoy's idle timeout is shorter, and a route timeout fits inside it",
        f"Azure, Load Balancer TCP reset and idle timeout; cloud-provider-azure ({CPA})"),
    "EDGE-TO-APPGW": EdgeRule(
        "EDGE-TO-APPGW",
        "Application Gateway waits requestTimeoutSeconds for a response: a route timeout "
        "beyond it is never reached",
        "Azure, Application Gateway HTTP settings, Request time-out"),
    "EDGE-DR-AZURE-LB": EdgeRule(
        "EDGE-DR-AZURE-LB",
        "The Azure load balancer sends new flows to a pod until its probe fails "
        "probeThreshold times, probeIntervalSeconds apart: the drain outlasts that window "
        "and the deregistration delay",
        "Azure, Load Balancer health probes, probe down behavior"),
}


def aks_edge_plan(cfg: AksStack, *, prometheus_scrape: bool = True) -> EdgePlan:
    """The EdgePlan of `cfg` (cloud aks); reads no derived value of `cfg`."""
    if uses_agc(cfg):
        return agc_edge_plan(cfg, prometheus_scrape=prometheus_scrape)
    az = cfg.azure
    if cfg.topology == "standalone":
        return EdgePlan(
            "aks", "standalone", "Azure Application Gateway (AGIC)", None, None, None,
            client_address="X-Forwarded-For appended by Application Gateway (read by the "
            "backends)", tls_termination="at Application Gateway (Key Vault)",
            rules=(RULES["EDGE-TO-APPGW"],))
    addon = uses_addon(cfg)
    hc = load_balancer_health_check(cfg)
    delay = cfg.load_balancer.deregistration_delay_seconds
    window = hc.failure_window_seconds
    needed = max(delay, window)
    why = (f"loadBalancer.deregistrationDelaySeconds ({delay})" if needed == delay else
           f"the {window} s the Azure load balancer's probes take to mark a pod down")
    wl = addon_workload(cfg) if addon else settle_workload(cfg.gateway, needed)
    lb_idle = idle_timeout_minutes(cfg) * 60
    # The add-on's Envoy keeps its 1 h default: the rules check it against the load balancer.
    envoy_idle = 3600 if addon else (
        duration_ns(wl.idle_timeout) // 10**9 if wl.idle_timeout else lb_idle - 60)
    chained = cfg.topology == "chained"
    response = (az.application_gateway.request_timeout_seconds
                if chained and az and az.application_gateway else lb_idle)
    annotations = service_annotations(cfg, wl)
    options = GatewayOptions(
        stack=cfg.name,
        service_type=wl.service.type or "LoadBalancer",
        trusted_proxies=1 if chained else 0,
        prometheus_scrape=prometheus_scrape,
        service_annotations=annotations,
        health_check_sources=hc.sources if annotations else (),
        idle_timeout_seconds=None if addon else envoy_idle,
    )
    lb = "Azure Standard Load Balancer" + (
        " (internal) behind Azure Application Gateway" if chained else "")
    rules = ["EDGE-HC-AZURE", "EDGE-ID-HOPS", "EDGE-TO-AZURE-LB", "EDGE-DR-AZURE-LB"]
    if chained:
        rules.append("EDGE-TO-APPGW")
    return EdgePlan(
        "aks", cfg.topology, lb, wl, options, hc, deploys_gateway=not addon,
        drain_needed_seconds=needed, drain_reason=why,
        timeouts=Timeouts(False, lb_idle, envoy_idle, response),
        client_address="X-Forwarded-For appended by Application Gateway, one trusted hop"
        if chained else "source address (externalTrafficPolicy Local)",
        tls_termination="at Application Gateway (Key Vault)" if chained else "at the gateway",
        rules=tuple({**RULES, **CORE_RULES}[r] for r in (*rules, *SHARED)),
    )
