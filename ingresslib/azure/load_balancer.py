"""The gateway Service's annotations for AKS's cloud provider, which makes the Azure Standard
load balancer from them (cloud-provider-azure's LoadBalancer annotations).

Health probes: with `externalTrafficPolicy: Local` and no per-port probe, Azure would probe the
kube-proxy health node port; with `appProtocol` set, it probes `/` on the traffic port, which
the gateway answers with 404. So ports 80 and 443 each get an explicit HTTP probe of Envoy's
readiness (status port 15021, `/healthz/ready`) on the status port's node port: under Local
traffic policy it answers only on nodes running a ready gateway pod, and it fails as soon as a
pod starts draining.

Load-balancing rules: cloud-provider-azure makes one for each Service port, except ports
annotated `port_<n>_no_lb_rule`, which also lose their probe. The status port gets that
annotation only where nothing reaches it through the load balancer (topology gateway: the
traffic ports' probes target its node port directly). In chained Application Gateway probes
the gateway's readiness at `<internal LB IP>:15021`, so there the status port keeps its rule,
probed like the traffic ports (EDGE-HC-LBRULE).

TCP reset (`azure.loadBalancer.tcpReset`, on by default as cloud-provider-azure makes Standard
load balancer rules): off, the load balancer drops idle flows without telling either end.
"""

from __future__ import annotations

from ingresslib.azure.application_gateway.plan import ports_through_load_balancer
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
# The gateway Service's ports (ingresslib.manifests.service): one load-balancing rule each.
SERVICE_PORTS = (STATUS_PORT, *TRAFFIC_PORTS)
NO_LB_RULE = PREFIX + "port_{port}_no_lb_rule"
DISABLE_TCP_RESET = f"{PREFIX}azure-load-balancer-disable-tcp-reset"


def probe_annotations(interval_seconds: int, threshold: int,
                      ports: tuple[int, ...] = TRAFFIC_PORTS) -> dict[str, str]:
    out: dict[str, str] = {}
    for port in ports:
        key = f"{PREFIX}port_{port}_health-probe_"
        out |= {
            f"{key}protocol": "http",
            f"{key}port": str(STATUS_PORT),
            f"{key}request-path": READINESS_PATH,
            f"{key}interval": str(interval_seconds),
            f"{key}num-of-probe": str(threshold),
        }
    return out


# What sets each annotation ingresslib writes on the gateway Service (by the name after
# PREFIX, or its beginning): the config keys a user changes instead (EDGE-MSG-KEY).
ANNOTATION_KEYS = {
    "port_": "the edge plan (each reached port is probed on Envoy's readiness, "
             "EDGE-HC-AZURE, EDGE-HC-LBRULE; timing from azure.loadBalancer.probeIntervalSeconds "
             "and azure.loadBalancer.probeThreshold)",
    "azure-load-balancer-tcp-idle-timeout": "azure.loadBalancer.idleTimeoutMinutes",
    "azure-load-balancer-disable-tcp-reset": "azure.loadBalancer.tcpReset",
    "azure-pip-name": "azure.publicIp.name",
    "azure-load-balancer-resource-group": "azure.publicIp.resourceGroup",
    "azure-dns-label-name": "azure.publicIp.dnsLabel",
    "azure-load-balancer-internal-subnet": "azure.loadBalancer.subnet",
    "azure-load-balancer-internal": "loadBalancer.scheme",
    "azure-load-balancer-ipv4": "azure.loadBalancer.privateIp",
    "azure-deny-all-except-load-balancer-source-ranges":
        "gateway.service.loadBalancerSourceRanges",
    "azure-allowed-ip-ranges": "gateway.service.loadBalancerSourceRanges",
}


def annotation_key(annotation: str) -> str:
    """The config key (or the plan) that sets an annotation ingresslib writes."""
    name = annotation.removeprefix(PREFIX)
    return next((key for start, key in ANNOTATION_KEYS.items()
                 if name == start or (start.endswith("_") and name.startswith(start))),
                "the edge plan")


def service_annotations(cfg: AksStack, wl: GatewayWorkload) -> dict[str, str]:
    """Every annotation ingresslib sets on the gateway Service `wl` of an AKS stack (the
    add-on's Service gets only those AKS allows there)."""
    if cfg.azure is None:
        return {}
    az = cfg.azure
    lb = az.load_balancer
    addon = uses_addon(cfg)
    reached = ports_through_load_balancer(cfg)
    # Every port with a rule is probed on Envoy's readiness: the traffic ports, and the status
    # port where Application Gateway reaches it through the load balancer.
    probed = (*TRAFFIC_PORTS, *sorted(p for p in reached if p not in TRAFFIC_PORTS))
    out = probe_annotations(lb.probe_interval_seconds, lb.probe_threshold, probed)
    out[f"{PREFIX}azure-load-balancer-tcp-idle-timeout"] = str(idle_timeout_minutes(cfg))
    if not lb.tcp_reset:
        out[DISABLE_TCP_RESET] = "true"
    if not addon and STATUS_PORT not in reached:
        # The readiness port is for the probes only: no load-balancing rule exposes it.
        out[NO_LB_RULE.format(port=STATUS_PORT)] = "true"
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


def load_balancing_rule_ports(annotations: dict[str, str],
                              ports: tuple[int, ...] = SERVICE_PORTS) -> tuple[int, ...]:
    """The Service ports cloud-provider-azure makes a load-balancing rule for: each, unless
    `port_<n>_no_lb_rule` is true (any case), which drops the rule and its probe."""
    return tuple(p for p in ports
                 if str(annotations.get(NO_LB_RULE.format(port=p), "")).strip().lower()
                 != "true")
