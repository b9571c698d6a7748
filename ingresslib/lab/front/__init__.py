"""The load balancer in front of the gateway, emulated as an Envoy bootstrap configured only
from a render directory (plan.json and manifests/*.yaml), never from the stack's config.

`front_bootstrap(render_dir, addresses)` picks the product the render describes:
- an AWS ALB in plan.json (`aws:lb/loadBalancer:LoadBalancer`, type application): `alb`;
- an Azure Application Gateway in plan.json: `appgw` (ingresslib's own rules, or AGIC's
  Ingresses when the plan holds AGIC's placeholder);
- an AGC Gateway (gatewayClassName azure-alb-*) in the manifests: `agc`;
- a LoadBalancer Service for the AWS Load Balancer Controller: `nlb`;
- any other LoadBalancer Service: Azure Standard Load Balancer (`azure_lb`).
Each product module's docstring names the vendor documents it follows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ingresslib.lab.front import agc, alb, appgw, azure_lb, nlb
from ingresslib.lab.front.certs import LabCA
from ingresslib.lab.front.model import (
    Addresses,
    Certificate,
    FrontError,
    FrontListener,
    FrontPlan,
    HealthCheck,
    Timeout,
)
from ingresslib.lab.front.render import load

__all__ = ["Addresses", "Certificate", "FrontError", "FrontListener", "FrontPlan",
           "HealthCheck", "LabCA", "Timeout", "front_bootstrap"]


def front_bootstrap(render_dir: str | Path, addresses: Addresses, *,
                    external_certificates: Mapping[str, Sequence[str]] | None = None,
                    ca: LabCA | None = None) -> FrontPlan:
    """The front Envoy's bootstrap and the facts a prober needs, for the render in
    `render_dir`. external_certificates: {certificate ARN: DNS names} for certificates the
    stack names but does not register (the render cannot know their names). `ca` signs the
    front's certificates: the lab's (`LabCA.load` of `edgelab ca`'s directory), or by default
    a throwaway one. Raises FrontError naming the rendered object and field the emulation
    lacks."""
    render = load(render_dir)
    external = dict(external_certificates or {})
    ca = ca or LabCA.throwaway()
    if any(r.get("inputs", {}).get("loadBalancerType", "application") == "application"
           for r in render.resources("lb/loadBalancer:LoadBalancer")):
        return alb.build(render, addresses, ca, external)
    if render.resources("network:ApplicationGateway"):
        return appgw.build(render, addresses, ca)
    if agc.gateways(render):
        return agc.build(render, addresses, ca)
    lb_services = [s for s in render.kind("Service")
                   if (s.get("spec") or {}).get("type") == "LoadBalancer"]
    if len(lb_services) > 1:
        raise FrontError(str(render_dir), "manifests",
                         f"{len(lb_services)} LoadBalancer Services: the lab fronts one")
    if lb_services:
        svc = lb_services[0]
        if nlb.is_nlb(svc):
            return nlb.build(render, svc, addresses, ca, external)
        return azure_lb.build(render, svc, addresses, ca)
    raise FrontError(str(render_dir), "plan.json, manifests",
                     "no load balancer: no ALB, Application Gateway, AGC Gateway or "
                     "LoadBalancer Service")
