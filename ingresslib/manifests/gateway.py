"""Every object of the gateway workload, in apply order, from its config and the edge plan."""

from __future__ import annotations

from typing import Any

from ingresslib.config.workload import GatewayWorkload
from ingresslib.edge import GatewayOptions
from ingresslib.manifests.autoscaler import autoscaler
from ingresslib.manifests.deployment import deployment
from ingresslib.manifests.disruption_budget import disruption_budget
from ingresslib.manifests.forwarded_proto import forwarded_proto_filter
from ingresslib.manifests.meta import common_labels
from ingresslib.manifests.namespace import namespace
from ingresslib.manifests.network_policy import network_policy
from ingresslib.manifests.rbac import role, role_binding, service_account
from ingresslib.manifests.service import service


def gateway_objects(wl: GatewayWorkload, opts: GatewayOptions) -> list[dict[str, Any]]:
    """Namespace (when created), RBAC, Deployment (and the upgrade's canary), Service, HPA,
    PDB and NetworkPolicy of the gateway `wl`, for the gateway's half of the edge `opts`."""
    labels = common_labels(wl, opts.stack)
    objs = []
    if wl.create_namespace:
        objs.append(namespace(wl, dict(opts.namespace_labels)))
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
            idle_timeout_seconds=opts.idle_timeout_seconds,
        ),
        *([deployment(wl, labels, trusted_proxies=opts.trusted_proxies,
                      proxy_protocol=opts.proxy_protocol,
                      prometheus_scrape=opts.prometheus_scrape,
                      idle_timeout_seconds=opts.idle_timeout_seconds, canary=True)]
          if wl.upgrade else []),
        service(
            wl, labels, service_type=opts.service_type,
            annotations=dict(opts.service_annotations),
            status_port=opts.status_port_on_service,
        ),
    ]
    if wl.autoscaling.enabled:
        objs.append(autoscaler(wl, labels))
    if wl.disruption.enabled:
        objs.append(disruption_budget(wl, labels))
    if wl.network_policy.enabled:
        objs.append(network_policy(wl, labels, opts.health_check_sources,
                                   opts.health_check_ports))
    proto = forwarded_proto_filter(wl, opts.stack, opts.https_at_load_balancer)
    if proto is not None:
        objs.append(proto)
    return objs
