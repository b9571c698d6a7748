"""The edge of an EKS stack: what the NLB or the ALB and the Istio gateway agree on.

- gateway: the AWS Load Balancer Controller makes an NLB from the gateway Service's annotations
  (`ingresslib.aws.nlb`); PROXY protocol v2, when on, is set on its target group and on the
  gateway pods together; TLS from ACM ends at the NLB.
- chained: ingresslib's ALB (`ingresslib.aws.alb_plan`) sends to the gateway pods' IPs through a
  TargetGroupBinding of a ClusterIP Service; the gateway trusts the one hop that appends
  X-Forwarded-For.
- standalone: the ALB sends straight to sidecar-injected backends; there is no gateway.

Unset drain times follow the target group's deregistration delay; with IP targets the gateway
namespace gets the controller's pod readiness gate, so a rollout never outpaces registration.
"""

from __future__ import annotations

from ingresslib.aws.alb_plan import gateway_health_check
from ingresslib.aws.config import EksStack, acm_listeners, nlb_settings
from ingresslib.aws.nlb import READINESS_GATE_LABEL, nlb_annotations, nlb_health_check
from ingresslib.config.workload import settle_workload
from ingresslib.edge import EdgePlan, GatewayOptions


def eks_edge_plan(cfg: EksStack, *, prometheus_scrape: bool = True) -> EdgePlan:
    """The EdgePlan of `cfg` (cloud eks); reads no derived value of `cfg`."""
    tls = tuple(lst.name for lst in acm_listeners(cfg))
    if cfg.topology == "standalone":
        return EdgePlan("eks", "standalone", "AWS ALB", None, None, None, tls_listeners=tls)
    wl = settle_workload(cfg.gateway, cfg.load_balancer.deregistration_delay_seconds)
    nlb = cfg.topology == "gateway"
    ip_targets = not nlb or nlb_settings(cfg).target_type == "ip"
    options = GatewayOptions(
        stack=cfg.name,
        service_type=wl.service.type or ("LoadBalancer" if nlb else "ClusterIP"),
        trusted_proxies=0 if nlb else 1,
        proxy_protocol=nlb and nlb_settings(cfg).proxy_protocol,
        prometheus_scrape=prometheus_scrape,
        service_annotations=nlb_annotations(cfg, wl) if nlb else {},
        namespace_labels=dict(READINESS_GATE_LABEL) if ip_targets else {},
    )
    return EdgePlan(
        "eks", cfg.topology,
        "AWS NLB (AWS Load Balancer Controller)" if nlb else "AWS ALB",
        wl, options,
        nlb_health_check(cfg, wl) if nlb else gateway_health_check(wl),
        tls_listeners=tls,
    )
