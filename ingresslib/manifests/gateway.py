"""Every object of the gateway workload, in apply order, from its config alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingresslib.aws.nlb import READINESS_GATE_LABEL, nlb_annotations
from ingresslib.azure.load_balancer import health_check_sources, service_annotations
from ingresslib.config.aws import ip_targets, uses_nlb
from ingresslib.config.stack import StackConfig
from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.autoscaler import autoscaler
from ingresslib.manifests.deployment import deployment
from ingresslib.manifests.disruption_budget import disruption_budget
from ingresslib.manifests.meta import common_labels
from ingresslib.manifests.namespace import namespace
from ingresslib.manifests.network_policy import network_policy
from ingresslib.manifests.rbac import role, role_binding, service_account
from ingresslib.manifests.service import service


@dataclass(frozen=True)
class GatewayOptions:
    """What the surrounding stack decides for the workload: cloud and topology specifics."""

    stack: str = "ingress"
    service_type: str = "LoadBalancer"
    trusted_proxies: int = 0
    # The load balancer prefixes every connection with a PROXY protocol v2 header.
    proxy_protocol: bool = False
    prometheus_scrape: bool = True
    service_annotations: dict[str, Any] = field(default_factory=dict)
    namespace_labels: dict[str, str] = field(default_factory=dict)
    health_check_sources: tuple[str, ...] = ()

    @classmethod
    def for_stack(cls, cfg: StackConfig, ssl_certificates: Any = None) -> GatewayOptions:
        """`ssl_certificates`: the NLB's ACM ARNs, comma-joined (see `nlb_annotations`)."""
        return cls(
            stack=cfg.name,
            service_type=cfg.service_type(),
            trusted_proxies=cfg.trusted_proxies(),
            proxy_protocol=cfg.proxy_protocol(),
            prometheus_scrape=cfg.observability.prometheus_scrape,
            # Each cloud annotates the Service for its own load balancer (NLB or Azure LB).
            service_annotations=(nlb_annotations(cfg, ssl_certificates) if uses_nlb(cfg)
                                 else service_annotations(cfg)),
            health_check_sources=health_check_sources(cfg),
            # AWS IP targets: the controller holds each new pod unready until its target is
            # healthy, so a rollout never outpaces target registration.
            namespace_labels=dict(READINESS_GATE_LABEL) if ip_targets(cfg) else {},
        )


def gateway_objects(wl: GatewayWorkload, opts: GatewayOptions) -> list[dict[str, Any]]:
    labels = common_labels(wl, opts.stack)
    objs = []
    if wl.create_namespace:
        objs.append(namespace(wl, opts.namespace_labels))
    objs += [
        service_account(wl, labels),
        role(wl, labels),
        role_binding(wl, labels),
        deployment(
            wl,
            labels,
            trusted_proxies=opts.trusted_proxies,
            proxy_protocol=opts.proxy_protocol,
            prometheus_scrape=opts.prometheus_scrape,
        ),
        *([deployment(wl, labels, trusted_proxies=opts.trusted_proxies,
                      proxy_protocol=opts.proxy_protocol,
                      prometheus_scrape=opts.prometheus_scrape, canary=True)]
          if wl.upgrade else []),
        service(
            wl, labels, service_type=opts.service_type, annotations=opts.service_annotations
        ),
    ]
    if wl.autoscaling.enabled:
        objs.append(autoscaler(wl, labels))
    if wl.disruption.enabled:
        objs.append(disruption_budget(wl, labels))
    if wl.network_policy.enabled:
        objs.append(network_policy(wl, labels, opts.health_check_sources))
    return objs
