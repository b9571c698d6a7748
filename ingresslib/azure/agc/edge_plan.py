"""The edge of an AKS stack whose L7 load balancer is Application Gateway for Containers (AGC).

- chained: AGC sends to the Istio gateway's pods directly (its data plane sits in a subnet of
  the cluster's virtual network and reaches pod IPs; no Azure load balancer in between, so the
  gateway Service is ClusterIP). It probes Envoy's readiness (15021 /healthz/ready) through a
  HealthCheckPolicy on that Service, appends the client address to X-Forwarded-For (one
  trusted hop) and reuses idle connections for 5 minutes (Envoy keeps them longer).
- standalone: AGC sends straight to sidecar-injected backends; there is no gateway.

`RULES` are the invariants of this edge, with their public sources; the config rules
(`ingresslib.azure.agc.rules`) and the read-back of the rendered objects
(`ingresslib.azure.agc.manifests.agc_contract_problems`) name them.
"""

from __future__ import annotations

from ingresslib.azure.agc.config import IDLE_TIMEOUT_SECONDS
from ingresslib.azure.agc.names import PATH, agc
from ingresslib.azure.config import MAX_REQUEST_TIMEOUT_SECONDS, AksStack
from ingresslib.config.duration import duration_ns
from ingresslib.config.workload import settle_workload
from ingresslib.edge import (
    CORE_RULES,
    READINESS_PATH,
    STATUS_PORT,
    EdgePlan,
    EdgeRule,
    GatewayOptions,
    HealthCheck,
    Timeouts,
)

AGC_DOCS = "Azure, Application Gateway for Containers"
COMPONENTS = f"{AGC_DOCS} components"
CONFORMANCE = ("kubernetes-sigs/gateway-api conformance report of Application Gateway for "
               "Containers 1.7.9 (conformance/reports/v1.2.1/azure-application-gateway-for-"
               "containers)")
LOAD_BALANCER = "Azure Application Gateway for Containers"
# Envoy's idle timeout behind AGC, unless set: AGC reuses idle connections for 5 minutes, so
# Envoy keeps them for Istio's default hour.
ENVOY_IDLE_SECONDS = 3600

RULES = {
    "EDGE-HC-AGC": EdgeRule(
        "EDGE-HC-AGC",
        "Application Gateway for Containers probes each pod it sends to as a HealthCheckPolicy "
        "on its Service says: the Istio gateway's readiness (15021 /healthz/ready) in chained, "
        "each backend's health path in standalone; without one it copies the pod's readiness "
        "probe (rewritten by Istio's injector) or probes / on the traffic port",
        f"{AGC_DOCS}, Custom health probe (HealthCheckPolicy, then readiness probe, then "
        "default)"),
    "EDGE-ID-AGC": EdgeRule(
        "EDGE-ID-AGC",
        "Application Gateway for Containers appends the client address to X-Forwarded-For "
        "and sets X-Forwarded-Proto: the gateway trusts exactly that one hop "
        "(numTrustedProxies: 1) and keeps the protocol the client used",
        f"{COMPONENTS}, Modifications to the request (x-forwarded-for, x-forwarded-proto); "
        "Envoy, HTTP header manipulation, xff_num_trusted_hops"),
    "EDGE-TO-AGC": EdgeRule(
        "EDGE-TO-AGC",
        "Application Gateway for Containers waits requestTimeoutSeconds (60 s by default) for "
        "a whole response, set per HTTPRoute by a RoutePolicy (it does not implement "
        "HTTPRoute timeouts), and reuses connections idle up to 5 minutes: a route timeout "
        "fits inside its wait, the routes of a standalone host share one, and Envoy's idle "
        "timeout outlasts 300 s",
        f"{COMPONENTS}, Request timeouts; {AGC_DOCS} API specification, RoutePolicy "
        f"timeouts.routeTimeout; {CONFORMANCE}: HTTPRouteRequestTimeout unsupported"),
    "EDGE-DR-AGC": EdgeRule(
        "EDGE-DR-AGC",
        "Application Gateway for Containers sends to a gateway pod until its probe fails "
        "unhealthyThreshold times, intervalSeconds apart, and until the ALB Controller has "
        "removed the pod's endpoint: the drain outlasts that window and "
        "loadBalancer.deregistrationDelaySeconds",
        f"{AGC_DOCS}, Custom health probe (interval, unhealthyThreshold); Kubernetes, "
        "EndpointSlices, terminating endpoints"),
    "EDGE-NET-AGC": EdgeRule(
        "EDGE-NET-AGC",
        "Application Gateway for Containers reaches pods from its association's subnet, "
        "delegated to Microsoft.ServiceNetworking/trafficControllers, holding nothing else, "
        "with 256 addresses per association (/24 or larger): a NetworkPolicy that restricts "
        "the gateway's clients admits that subnet, and its frontends are public only",
        f"{COMPONENTS} (associations, subnet delegation, frontends: private IP addresses "
        "not supported)"),
    "EDGE-TLS-AGC": EdgeRule(
        "EDGE-TLS-AGC",
        "Application Gateway for Containers terminates TLS 1.2 with one predefined policy per "
        "listener (FrontendTLSPolicy 2023-06 or 2023-06-S) and certificates from Kubernetes "
        "Secrets beside its Gateway: cipher suites, a TLS 1.3 minimum, client certificates and "
        "Key Vault certificates are refused, and TLS is not passed through",
        f"{AGC_DOCS}, TLS policy overview; FAQ, 'Can I configure TLS protocol versions?'; "
        f"{CONFORMANCE} (no TLSRoute)"),
}
# The core rules a chained AGC edge shares with every edge that has a gateway.
SHARED = ("EDGE-ID-HOPS", "EDGE-DR", "EDGE-TO", "EDGE-HC-NETPOL", "EDGE-CH-SETTING")


def agc_health_check(cfg: AksStack) -> HealthCheck:
    """AGC's probe of the Istio gateway (chained): Envoy's readiness on each pod, from the
    association's subnet."""
    section = agc(cfg)
    assert section is not None
    hc = section.health_check
    sources = (section.subnet.address_prefix,) if section.subnet.address_prefix else ()
    return HealthCheck(STATUS_PORT, "HTTP", READINESS_PATH, hc.interval_seconds,
                       hc.healthy_threshold, hc.unhealthy_threshold, sources=sources)


def agc_edge_plan(cfg: AksStack, *, prometheus_scrape: bool = True) -> EdgePlan:
    """The EdgePlan of an AKS stack with Application Gateway for Containers."""
    section = agc(cfg)
    assert section is not None
    tls = "at Application Gateway for Containers (Kubernetes Secret, FrontendTLSPolicy " \
          f"{section.tls_policy})"
    if cfg.topology == "standalone":
        return EdgePlan(
            "aks", "standalone", LOAD_BALANCER, None, None, None,
            client_address="X-Forwarded-For appended by Application Gateway for Containers "
            "(read by the backends)", tls_termination=tls,
            rules=tuple(RULES[r] for r in ("EDGE-HC-AGC", "EDGE-TO-AGC", "EDGE-NET-AGC",
                                           "EDGE-TLS-AGC")))
    hc = agc_health_check(cfg)
    delay = cfg.load_balancer.deregistration_delay_seconds
    window = hc.failure_window_seconds
    needed = max(delay, window)
    why = (f"loadBalancer.deregistrationDelaySeconds ({delay}), the time the ALB Controller "
           "is given to take the pod's endpoint out of Application Gateway for Containers"
           if needed == delay else
           f"the {window} s Application Gateway for Containers' probes take to mark a pod down")
    wl = settle_workload(cfg.gateway, needed)
    envoy_idle = (duration_ns(wl.idle_timeout) // 10**9 if wl.idle_timeout
                  else ENVOY_IDLE_SECONDS)
    options = GatewayOptions(
        stack=cfg.name,
        service_type="ClusterIP",
        trusted_proxies=1,
        prometheus_scrape=prometheus_scrape,
        health_check_sources=hc.sources,
        idle_timeout_seconds=envoy_idle,
    )
    rules = ("EDGE-HC-AGC", "EDGE-ID-AGC", "EDGE-TO-AGC", "EDGE-DR-AGC", "EDGE-NET-AGC",
             "EDGE-TLS-AGC", *SHARED)
    return EdgePlan(
        "aks", "chained", f"{LOAD_BALANCER} (to the gateway's pods)", wl, options, hc,
        tls_listeners=tuple(lst.name for lst in cfg.listeners if lst.protocol == "HTTPS"),
        drain_needed_seconds=needed, drain_reason=why,
        timeouts=Timeouts(True, IDLE_TIMEOUT_SECONDS, envoy_idle,
                          section.request_timeout_seconds, idle_rule="EDGE-TO-AGC",
                          response_rule="EDGE-TO-AGC",
                          response_setting=f"{PATH}.requestTimeoutSeconds",
                          response_by="Application Gateway for Containers",
                          response_ends_sessions=True,
                          response_max_seconds=MAX_REQUEST_TIMEOUT_SECONDS),
        client_address="X-Forwarded-For appended by Application Gateway for Containers, one "
        "trusted hop",
        tls_termination=tls,
        rules=tuple({**RULES, **CORE_RULES}[r] for r in rules),
    )
