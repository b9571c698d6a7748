"""The Azure rules of settings that validate alone and break together (issue 18): the public
entry point's settings on the hop behind Application Gateway or Application Gateway for
Containers (EDGE-HOP-AZURE), and annotation problems that name the key that sets the
annotation (EDGE-MSG-KEY). `RULES` holds their statements and sources.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingresslib.azure.agc.names import PATH as AGC_PATH
from ingresslib.azure.config import AksStack, uses_agc
from ingresslib.azure.load_balancer import PREFIX
from ingresslib.edge import EdgeRule
from ingresslib.errors import Problem

CPA = "https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/"
# Annotations of the public entry point: a public IP, its DNS label, and who may reach it.
PUBLIC_ANNOTATIONS = (f"{PREFIX}azure-pip-", f"{PREFIX}azure-dns-label-name",
                      f"{PREFIX}azure-allowed-", f"{PREFIX}azure-load-balancer-internal")
RULES = {
    "EDGE-HOP-AZURE": EdgeRule(
        "EDGE-HOP-AZURE",
        "Behind Application Gateway (chained) the gateway's internal load balancer is "
        "reached by Application Gateway alone, from its subnet, and behind Application "
        "Gateway for Containers the gateway Service is a ClusterIP: client source ranges "
        "(gateway.service.loadBalancerSourceRanges, which deny Application Gateway's subnet) "
        "and public IP, DNS label and allowed-range annotations belong to the public entry "
        "point and are refused there; clients are restricted by the WAF or by "
        "security.authorization clientCidrs, read from X-Forwarded-For",
        f"cloud-provider-azure, LoadBalancer annotations (azure-pip-name, "
        f"azure-dns-label-name, azure-deny-all-except-load-balancer-source-ranges) ({CPA}); "
        "Azure, Application Gateway infrastructure configuration, network security groups "
        "(backends must admit the Application Gateway subnet)"),
}


def azure_interaction_problems(cfg: AksStack) -> Iterator[Problem]:
    """Every Azure interaction rule of `cfg`."""
    if cfg.topology == "standalone":
        yield from _standalone_long_lived_problems(cfg)
    if cfg.topology != "chained" or cfg.gateway is None:
        return
    svc = cfg.gateway.service
    front = ("Application Gateway for Containers" if uses_agc(cfg) else
             "Application Gateway")
    behind = ("a ClusterIP only it reaches" if uses_agc(cfg) else
              "an internal load balancer only it reaches, from azure.applicationGateway"
              ".subnetId")
    if svc.load_balancer_source_ranges and not uses_agc(cfg):
        yield Problem("gateway.service.loadBalancerSourceRanges",
                      svc.load_balancer_source_ranges,
                      f"in topology chained {front} is the public entry point and the gateway "
                      f"sits behind {behind}: these client ranges would deny {front} itself "
                      "(every request a 502). Restrict clients with WAF custom rules, or "
                      "with security.authorization clientCidrs (the gateway reads the client "
                      "from X-Forwarded-For), and remove them (EDGE-HOP-AZURE)")
    for key, value in sorted(svc.annotations.items()):
        if key.startswith(PUBLIC_ANNOTATIONS):
            yield Problem(f"gateway.service.annotations.{key}", value,
                          f"belongs to the public entry point, and in topology chained that "
                          f"is {front}; the gateway sits behind {behind}. Remove it; clients "
                          f"reach the listeners through {front}'s address (a stack output) "
                          "(EDGE-HOP-AZURE)")


def _standalone_long_lived_problems(cfg: AksStack) -> Iterator[Problem]:
    """EDGE-TO-LONG in standalone: each route's timeout is its Ingress's request timeout
    (AGIC) or its host's RoutePolicy (AGC), which ends a WebSocket however busy; a longLived
    route without one would end at requestTimeoutSeconds. (Chained: the edge plan's rule.)"""
    front, key = (("Application Gateway for Containers", f"{AGC_PATH}.requestTimeoutSeconds")
                  if uses_agc(cfg) else
                  ("Application Gateway", "azure.applicationGateway.requestTimeoutSeconds"))
    for i, host in enumerate(cfg.routing.hosts):
        for j, route in enumerate(host.routes):
            if route.long_lived and route.timeout is None:
                yield Problem(f"routing.hosts[{i}].routes[{j}].timeout", None,
                              f"{front} ends a long-lived connection (an upgraded WebSocket "
                              f"too) after the route's request timeout, however busy, and "
                              f"without one that is {key}: set this route's timeout to the "
                              "longest a connection may last (EDGE-TO-LONG)")
