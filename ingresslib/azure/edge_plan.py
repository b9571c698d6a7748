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

Unset drain times follow the deregistration delay (Application Gateway's connection draining).
"""

from __future__ import annotations

from ingresslib.azure.config import AksStack, addon_workload, uses_addon
from ingresslib.azure.load_balancer import load_balancer_health_check, service_annotations
from ingresslib.config.workload import settle_workload
from ingresslib.edge import EdgePlan, GatewayOptions


def aks_edge_plan(cfg: AksStack, *, prometheus_scrape: bool = True) -> EdgePlan:
    """The EdgePlan of `cfg` (cloud aks); reads no derived value of `cfg`."""
    if cfg.topology == "standalone":
        return EdgePlan("aks", "standalone", "Azure Application Gateway (AGIC)", None, None,
                        None)
    addon = uses_addon(cfg)
    wl = addon_workload(cfg) if addon else settle_workload(
        cfg.gateway, cfg.load_balancer.deregistration_delay_seconds)
    annotations = service_annotations(cfg, wl)
    hc = load_balancer_health_check(cfg)
    options = GatewayOptions(
        stack=cfg.name,
        service_type=wl.service.type or "LoadBalancer",
        trusted_proxies=1 if cfg.topology == "chained" else 0,
        prometheus_scrape=prometheus_scrape,
        service_annotations=annotations,
        health_check_sources=hc.sources if annotations else (),
    )
    lb = "Azure Standard Load Balancer" + (
        " (internal) behind Azure Application Gateway" if cfg.topology == "chained" else "")
    return EdgePlan("aks", cfg.topology, lb, wl, options, hc, deploys_gateway=not addon)
