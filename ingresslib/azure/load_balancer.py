"""The gateway Service's annotations for AKS's cloud provider, which makes the Azure Standard
load balancer from them (cloud-provider-azure's LoadBalancer annotations).

Health probes: with `externalTrafficPolicy: Local` and no per-port probe, Azure would probe the
kube-proxy health node port; with `appProtocol` set, it probes `/` on the traffic port, which
the gateway answers with 404. So ports 80 and 443 each get an explicit HTTP probe of Envoy's
readiness (status port 15021, `/healthz/ready`) on the status port's node port: under Local
traffic policy it answers only on nodes running a ready gateway pod, and it fails as soon as a
pod starts draining.
"""

from __future__ import annotations

from ingresslib.azure.config import (
    AksStack,
    idle_timeout_minutes,
    internal_lb,
    public_ip_group,
    public_ip_name,
    uses_addon,
    uses_public_ip,
)
from ingresslib.config.workload import GatewayWorkload
from ingresslib.edge import READINESS_PATH, STATUS_PORT, HealthCheck

PREFIX = "service.beta.kubernetes.io/"
# Azure's health probes come from this virtual address (kept as the source under Local policy).
AZURE_PROBE_SOURCE = "168.63.129.16/32"
TRAFFIC_PORTS = (80, 443)


def probe_annotations(interval_seconds: int, threshold: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for port in TRAFFIC_PORTS:
        key = f"{PREFIX}port_{port}_health-probe_"
        out |= {
            f"{key}protocol": "http",
            f"{key}port": str(STATUS_PORT),
            f"{key}request-path": READINESS_PATH,
            f"{key}interval": str(interval_seconds),
            f"{key}num-of-probe": str(threshold),
        }
    return out


def service_annotations(cfg: AksStack, wl: GatewayWorkload) -> dict[str, str]:
    """Every annotation ingresslib sets on the gateway Service `wl` of an AKS stack (the
    add-on's Service gets only those AKS allows there)."""
    if cfg.azure is None:
        return {}
    az = cfg.azure
    lb = az.load_balancer
    addon = uses_addon(cfg)
    out = probe_annotations(lb.probe_interval_seconds, lb.probe_threshold)
    out[f"{PREFIX}azure-load-balancer-tcp-idle-timeout"] = str(idle_timeout_minutes(cfg))
    if not addon:
        # The readiness port is for the probes only: no load-balancing rule exposes it.
        out[f"{PREFIX}port_{STATUS_PORT}_no_lb_rule"] = "true"
    if uses_public_ip(cfg):
        out[f"{PREFIX}azure-pip-name"] = public_ip_name(cfg)
        out[f"{PREFIX}azure-load-balancer-resource-group"] = public_ip_group(cfg)
        if az.public_ip.dns_label and not addon:
            # The same label ingresslib sets on the public IP, so the two never fight.
            out[f"{PREFIX}azure-dns-label-name"] = az.public_ip.dns_label
    ranges = wl.service.load_balancer_source_ranges
    if internal_lb(cfg):
        if not addon:
            out[f"{PREFIX}azure-load-balancer-internal"] = "true"
            if ranges:
                # Else the NSG's default rule admits the whole virtual network anyway.
                out[f"{PREFIX}azure-deny-all-except-load-balancer-source-ranges"] = "true"
        if lb.subnet:
            out[f"{PREFIX}azure-load-balancer-internal-subnet"] = lb.subnet
        if lb.private_ip:
            out[f"{PREFIX}azure-load-balancer-ipv4"] = lb.private_ip
    if addon and ranges:
        # The add-on's Service keeps this annotation, not spec.loadBalancerSourceRanges.
        out[f"{PREFIX}azure-allowed-ip-ranges"] = ",".join(ranges)
    return dict(sorted(out.items()))


def load_balancer_health_check(cfg: AksStack) -> HealthCheck:
    """The Azure load balancer's probe of each traffic port: Envoy's readiness on the status
    port's node port, from Azure's probe address."""
    lb = cfg.azure.load_balancer if cfg.azure else None
    interval, threshold = (lb.probe_interval_seconds, lb.probe_threshold) if lb else (5, 2)
    return HealthCheck(STATUS_PORT, "HTTP", READINESS_PATH, interval, 1, threshold,
                       sources=(AZURE_PROBE_SOURCE,))
