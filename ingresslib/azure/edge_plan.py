"""The edge of an AKS stack: what the Azure load balancer or Application Gateway and the Istio
gateway agree on.

- gateway: AKS's cloud provider makes the Standard load balancer from the gateway Service's
  annotations (`ingresslib.azure.load_balancer`): a static public IP, per-port probes of
  Envoy's readiness from Azure's probe address, which the NetworkPolicy admits. With the Istio
  add-on, the gateway is the add-on's: ingresslib binds to it and patches its Service.
- chained: Application Gateway sends to the gateway behind an internal load balancer, which
  keeps a load-balancing rule for every port Application Gateway reaches (its traffic and its
  probe of the status port); Application Gateway rewrites X-Forwarded-For without the client's
  port, and the gateway trusts that one hop.
- standalone: Application Gateway, programmed by AGIC, sends straight to sidecar-injected
  backends; there is no gateway. Each Ingress names the X-Forwarded-For rewrite and drains
  for at least its request timeout.

`RULES` are the invariants of this edge, with sources.
"""

from __future__ import annotations

from dataclasses import replace

from ingresslib.azure.agc.edge_plan import agc_edge_plan
from ingresslib.azure.agic.rules import drain_needed
from ingresslib.azure.config import (
    MAX_REQUEST_TIMEOUT_SECONDS,
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
APPGW_DOCS = "https://learn.microsoft.com/azure/application-gateway/"
AGIC_DOCS = "https://azure.github.io/application-gateway-kubernetes-ingress/annotations/"
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
        "beyond it is never reached, and is refused naming "
        "azure.applicationGateway.requestTimeoutSeconds (a longLived route's timeout is its "
        "host's wait instead, EDGE-TO-LONG)",
        "Azure, Application Gateway HTTP settings, Request time-out"),
    "EDGE-HC-LBRULE": EdgeRule(
        "EDGE-HC-LBRULE",
        "The Azure load balancer has a load-balancing rule for every port reached through it: "
        "the listeners' ports, and in chained Application Gateway's traffic port and the "
        "status port its probe targets (a port's no_lb_rule annotation drops both)",
        f"cloud-provider-azure, port_{{port}}_no_lb_rule: 'no lb rule and health probe rule "
        f"for this port will be generated' ({CPA}); ingresslib issue 11, input (b)"),
    "EDGE-ID-XFF-PORT": EdgeRule(
        "EDGE-ID-XFF-PORT",
        "Application Gateway v2 appends client-IP:port to X-Forwarded-For, which Envoy cannot "
        "read at the trusted position: every rule that forwards rewrites X-Forwarded-For to "
        "{var_add_x_forwarded_for_proxy} (the client IP without its port)",
        f"Azure, Rewrite HTTP headers and URL with Application Gateway, server variable "
        f"add_x_forwarded_for_proxy ({APPGW_DOCS}rewrite-http-headers-url); "
        "envoyproxy/envoy#25517"),
    "EDGE-PR-APPGW": EdgeRule(
        "EDGE-PR-APPGW",
        "Application Gateway v2 speaks HTTP/1.1 to its backends and does not carry gRPC; "
        "HTTP/2 reaches it from clients only (http2); WebSocket passes for at most the "
        "backend settings' request timeout, which ends it however busy (a longLived route "
        "gets its timeout there, EDGE-TO-LONG): gRPC on AKS needs topology gateway",
        f"Azure, Application Gateway listeners, HTTP2 support: 'Communication to backend "
        f"server pools is always HTTP/1.1' ({APPGW_DOCS}configuration-listeners); "
        "Azure/application-gateway-kubernetes-ingress#1015; Azure, WebSocket support in "
        "Application Gateway: 'The request timeout value in HTTP Settings also applies to the "
        "WebSocket session'; Azure/application-gateway-kubernetes-ingress#491"),
    "EDGE-DR-APPGW": EdgeRule(
        "EDGE-DR-APPGW",
        "AGIC takes a pod that is going away out of Application Gateway's pool, which then "
        "ends its requests in flight after the connection-draining timeout: each Ingress "
        "drains, for at least its request timeout (at most 3600 s)",
        f"Azure, Application Gateway HTTP settings, Connection draining "
        f"({APPGW_DOCS}configuration-http-settings); AGIC annotations connection-draining, "
        f"connection-draining-timeout ({AGIC_DOCS})"),
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
        drain, why = drain_needed(cfg)
        return EdgePlan(
            "aks", "standalone", "Azure Application Gateway (AGIC)", None, None, None,
            drain_needed_seconds=drain, drain_reason=why,
            client_address="X-Forwarded-For appended by Application Gateway, rewritten "
            "without the client's port (read by the backends)",
            tls_termination="at Application Gateway (Key Vault)",
            rules=tuple({**RULES, "EDGE-TO-APPGW": _agic_timeout_rule()}[r] for r in (
                "EDGE-ID-XFF-PORT", "EDGE-TO-APPGW", "EDGE-DR-APPGW", "EDGE-PR-APPGW")))
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
        health_check_sources=hc.sources,
        idle_timeout_seconds=None if addon else envoy_idle,
    )
    tcp_reset = az.load_balancer.tcp_reset if az else True
    lb = "Azure Standard Load Balancer" + (
        " (internal) behind Azure Application Gateway" if chained else "") + (
        "" if tcp_reset else " (TCP reset off)")
    rules = ["EDGE-HC-AZURE", "EDGE-HC-LBRULE", "EDGE-ID-HOPS", "EDGE-TO-AZURE-LB",
             "EDGE-DR-AZURE-LB"]
    if chained:
        rules += ["EDGE-ID-XFF-PORT", "EDGE-TO-APPGW", "EDGE-PR-APPGW"]
    chosen = {**RULES, **CORE_RULES, "EDGE-TO-AZURE-LB": _idle_rule(tcp_reset)}
    return EdgePlan(
        "aks", cfg.topology, lb, wl, options, hc, deploys_gateway=not addon,
        drain_needed_seconds=needed, drain_reason=why,
        timeouts=Timeouts(
            False, lb_idle, envoy_idle, response, idle_rule="EDGE-TO-AZURE-LB",
            response_rule="EDGE-TO-APPGW" if chained else "EDGE-TO-AZURE-LB",
            idle_setting="azure.loadBalancer.idleTimeoutMinutes",
            response_setting="azure.applicationGateway.requestTimeoutSeconds" if chained
            else "azure.loadBalancer.idleTimeoutMinutes",
            response_by="Application Gateway"
            if chained else "the Azure load balancer",
            response_ends_sessions=chained,
            response_max_seconds=MAX_REQUEST_TIMEOUT_SECONDS if chained else None),
        client_address="X-Forwarded-For appended by Application Gateway, rewritten without "
        "the client's port; one trusted hop"
        if chained else "source address (externalTrafficPolicy Local)",
        tls_termination="at Application Gateway (Key Vault)" if chained else "at the gateway",
        rules=tuple(chosen[r] for r in (*rules, *SHARED)),
    )


def _idle_rule(tcp_reset: bool) -> EdgeRule:
    """EDGE-TO-AZURE-LB as this load balancer ends idle flows (azure.loadBalancer.tcpReset):
    with a reset both ends learn at once, without one the next packet is lost; Envoy's idle
    timeout is the shorter either way."""
    rule = RULES["EDGE-TO-AZURE-LB"]
    how = ("with TCP reset on (azure.loadBalancer.tcpReset) it resets both ends" if tcp_reset
           else "with TCP reset off (azure.loadBalancer.tcpReset) it drops the flow silently")
    head, tail = rule.statement.split(": ", 1)
    return replace(rule, statement=f"{head}, and {how}: {tail}")


def _agic_timeout_rule() -> EdgeRule:
    """EDGE-TO-APPGW as AGIC applies it: each route's timeout is its own Ingress's."""
    return replace(RULES["EDGE-TO-APPGW"], statement=(
        "Application Gateway waits a backend setting's request timeout for a response: in "
        "standalone each route's timeout becomes its Ingress's request timeout (whole "
        "seconds, at most 86400), requestTimeoutSeconds where the route has none"))
