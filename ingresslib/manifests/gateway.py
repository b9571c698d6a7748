"""Every object of the gateway workload, in apply order, from its config alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingresslib.azure.load_balancer import health_check_sources, service_annotations
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
    prometheus_scrape: bool = True
    service_annotations: dict[str, str] = field(default_factory=dict)
    namespace_labels: dict[str, str] = field(default_factory=dict)
    health_check_sources: tuple[str, ...] = ()

    @classmethod
    def for_stack(cls, cfg: StackConfig) -> GatewayOptions:
        return cls(
            stack=cfg.name,
            service_type=cfg.service_type(),
            trusted_proxies=cfg.trusted_proxies(),
            prometheus_scrape=cfg.observability.prometheus_scrape,
            service_annotations=service_annotations(cfg),
            health_check_sources=health_check_sources(cfg),
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
            prometheus_scrape=opts.prometheus_scrape,
        ),
        *([deployment(wl, labels, trusted_proxies=opts.trusted_proxies,
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
