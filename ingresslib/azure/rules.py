"""The Azure edge rules of an AKS stack: the sections each topology uses, the load balancer's
annotations and probe window, the Istio add-on's limits, Application Gateway and Key Vault.

They run after the cloud-agnostic rules, once every field is valid (`ingresslib.stack`).
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic.alias_generators import to_camel

from ingresslib.azure.agc.rules import agc_problems
from ingresslib.azure.agic.rules import agic_problems
from ingresslib.azure.application_gateway.plan import (
    MAX_LISTENERS,
    listeners,
    ports_through_load_balancer,
)
from ingresslib.azure.config import (
    ADDON_ANNOTATIONS,
    ADDON_PROBE_ANNOTATION,
    MAX_PROBE_WINDOW_SECONDS,
    AksStack,
    ApplicationGateway,
    Azure,
    IstioAddon,
    KeyVaultCertificate,
    PublicIp,
    https_listeners,
    internal_lb,
    key_vault_certificates,
    synced_certificates,
    uses_addon,
    uses_agc,
    uses_application_gateway,
    uses_public_ip,
)
from ingresslib.azure.interaction_rules import azure_interaction_problems
from ingresslib.azure.load_balancer import (
    NO_LB_RULE,
    annotation_key,
    load_balancing_rule_ports,
)
from ingresslib.errors import Problem

# ---------------------------------------------------------------- rules


def azure_problems(cfg: AksStack) -> Iterator[Problem]:
    """Every Azure edge rule of an AKS stack."""
    az = cfg.azure
    if az is None:
        yield Problem("azure", None, "an aks stack creates Azure resources (the load balancer's "
                      "public IP, Application Gateway, Key Vault access): set azure with "
                      "location, resourceGroup and cluster {name, resourceGroup}")
        return
    given = az.model_fields_set
    yield from azure_interaction_problems(cfg)
    yield from _unused_section_problems(cfg, given)
    if uses_public_ip(cfg):
        yield from _public_ip_problems("azure.publicIp", az.public_ip)
    if cfg.workload is not None:
        if not uses_agc(cfg):
            yield from _load_balancer_problems(cfg, az)
        yield from _annotation_problems(cfg)
        yield from _lb_rule_problems(cfg)
    if az.istio_addon is not None:
        yield from _addon_problems(cfg, az.istio_addon)
    yield from agc_problems(cfg)
    if uses_application_gateway(cfg):
        if az.application_gateway is None:
            yield Problem("azure.applicationGateway", None, f"topology {cfg.topology} on aks "
                          "puts an Application Gateway in front: set azure.applicationGateway "
                          "with subnetId (a subnet of its own)")
        else:
            yield from _application_gateway_problems(cfg, az, az.application_gateway)
    yield from _key_vault_problems(cfg, az)


def _unused_section_problems(cfg: AksStack, given: set[str]) -> Iterator[Problem]:
    """Settings of a resource this topology does not create would silently do nothing (the
    load balancer and Application Gateway sections are `ingresslib.config.placement`'s)."""
    if "public_ip" in given and not uses_public_ip(cfg):
        yield Problem("azure.publicIp", "set", "only topology gateway with an internet-facing "
                      "load balancer uses a public IP ingresslib creates; remove it")
    if "certificate_sync" in given and not synced_certificates(cfg):
        yield Problem("azure.certificateSync", "set", "no listener terminates TLS in the Istio "
                      "gateway with a Key Vault certificate, so nothing is synced; remove it")


def zone_problems(path: str, zones: list[str], *, public_ip: bool = True) -> Iterator[Problem]:
    """Zones of a resource; a public IP is zonal or zone-redundant, never in two zones."""
    if len(set(zones)) != len(zones):
        yield Problem(path, zones, "lists a zone twice")
    elif public_ip and len(zones) == 2:
        yield Problem(path, zones, "is neither zonal (one zone) nor zone-redundant (all of 1, 2 "
                      "and 3); list 1, 2 and 3 to survive a zone failure")


def _public_ip_problems(path: str, pip: PublicIp) -> Iterator[Problem]:
    if pip.sku != "Standard":
        yield Problem(f"{path}.sku", pip.sku, "AKS load balancers are Standard SKU, and a "
                      "Standard load balancer takes only Standard public IPs; use Standard")
    yield from zone_problems(f"{path}.zones", pip.zones)


def _load_balancer_problems(cfg: AksStack, az: Azure) -> Iterator[Problem]:
    lb = az.load_balancer
    path = "azure.loadBalancer"
    internal = internal_lb(cfg)
    if internal and lb.subnet is None:
        why = ("Application Gateway reaches the gateway through an internal load balancer"
               if cfg.topology == "chained" else "loadBalancer.scheme is internal")
        yield Problem(f"{path}.subnet", None, f"{why}, which takes its address from a subnet of "
                      "the cluster's virtual network: name that subnet")
    if cfg.topology == "chained" and lb.private_ip is None:
        yield Problem(f"{path}.privateIp", None, "Application Gateway's backend pool points at "
                      "the internal load balancer's address, so it must be static: set a free "
                      "address of azure.loadBalancer.subnet")
    if not internal:
        for key, value in (("subnet", lb.subnet), ("privateIp", lb.private_ip)):
            if value is not None:
                yield Problem(f"{path}.{key}", value, "only an internal load balancer takes a "
                              "subnet and private address; set loadBalancer.scheme internal or "
                              "remove it")
    if lb.probe_window() >= MAX_PROBE_WINDOW_SECONDS:
        yield Problem(f"{path}.probeThreshold", lb.probe_threshold,
                      f"probeIntervalSeconds x probeThreshold must stay under "
                      f"{MAX_PROBE_WINDOW_SECONDS} s (Azure refuses longer probes)")
    wl = cfg.workload
    if wl is not None and not uses_addon(cfg):
        drain = wl.drain.termination_drain_seconds
        if drain <= lb.probe_window():
            yield Problem("gateway.drain.terminationDrainSeconds", drain,
                          f"must outlast the load balancer's probe window (probeIntervalSeconds "
                          f"x probeThreshold = {lb.probe_window()} s), or it still sends new "
                          f"connections to a closed Envoy; use at least {lb.probe_window() + 5}")
    if cfg.topology == "chained" and wl is not None and wl.service.type not in (
            None, "LoadBalancer"):
        yield Problem("gateway.service.type", wl.service.type, "Application Gateway reaches the "
                      "gateway through an internal load balancer on AKS; use LoadBalancer")


def _annotation_problems(cfg: AksStack) -> Iterator[Problem]:
    """A hand-written annotation that ingresslib sets from azure.* would fight the config; the
    add-on's Service keeps only the annotations AKS allows."""
    wl = cfg.workload
    assert wl is not None
    assert cfg.edge.gateway is not None
    managed = cfg.edge.gateway.service_annotations
    for key, value in sorted(wl.service.annotations.items()):
        if key in managed:
            yield Problem(f"gateway.service.annotations.{key}", value, "ingresslib writes "
                          f"it from {annotation_key(key)}; set that and remove the annotation "
                          "(EDGE-MSG-KEY)")
        elif uses_addon(cfg) and key not in ADDON_ANNOTATIONS and not (
                ADDON_PROBE_ANNOTATION.match(key)):
            yield Problem(f"gateway.service.annotations.{key}", value, "the AKS Istio add-on "
                          "keeps only its allowed annotations on its gateway Service (AKS docs: "
                          "ingress gateway service customizations): remove it")


def reached_ports(cfg: AksStack) -> dict[int, str]:
    """The ports of the gateway's load balancer something reaches through its frontend, and
    what happens to it without a load-balancing rule there."""
    through = ports_through_load_balancer(cfg)
    if through:
        return {port: f"{what} goes to <internal LB IP>:{port}, which would have no "
                      "load-balancing rule (nor probe): every backend unhealthy, every "
                      "request a 502" for port, what in through.items()}
    return {lst.port: f"listener {lst.name}'s clients connect to port {lst.port}, which would "
                      "have no load-balancing rule: their connections go nowhere"
            for lst in reversed(cfg.listeners)}


def _lb_rule_problems(cfg: AksStack) -> Iterator[Problem]:
    """EDGE-HC-LBRULE: cloud-provider-azure makes no load-balancing rule, and no probe, for a
    Service port annotated port_<n>_no_lb_rule; nothing reaches that port through the load
    balancer. Checked on the annotations the Service gets: ingresslib's and the user's."""
    wl = cfg.workload
    assert wl is not None
    assert cfg.edge.gateway is not None
    own = dict(cfg.edge.gateway.service_annotations)
    annotations = {**own, **wl.service.annotations}
    ruled = load_balancing_rule_ports(annotations)
    for port, why in sorted(reached_ports(cfg).items()):
        if port in ruled:
            continue
        key = NO_LB_RULE.format(port=port)
        if key in wl.service.annotations:
            yield Problem(f"gateway.service.annotations.{key}", annotations[key],
                          f"{why}; remove it (EDGE-HC-LBRULE)")
        else:  # the plan's own annotations: a defect of ingresslib, stopped here
            yield Problem("azure.loadBalancer", annotations.get(key),
                          f"{why}; the plan annotates the Service with {key} "
                          "(EDGE-HC-LBRULE)")


def _addon_problems(cfg: AksStack, addon: IstioAddon) -> Iterator[Problem]:
    path = "azure.istioAddon"
    if cfg.topology != "gateway":
        why = ("there is no gateway" if cfg.topology == "standalone" else
               "the gateway must trust one proxy hop (numTrustedProxies), which ingresslib "
               "sets on its own gateway pods and cannot set on the add-on's")
        yield Problem(path, "set", f"the add-on's gateway serves topology gateway only: in "
                      f"{cfg.topology} {why}; remove it")
        return
    if addon.min_replicas > addon.max_replicas:
        yield Problem(f"{path}.minReplicas", addon.min_replicas,
                      f"must be <= maxReplicas ({addon.max_replicas})")
    if cfg.gateway is not None:
        for key in sorted(cfg.gateway.model_fields_set - {"service"}):
            yield Problem(f"gateway.{to_camel(key)}", "set", "the AKS Istio add-on deploys, "
                          "scales and drains its own gateway; only gateway.service "
                          "(annotations, loadBalancerSourceRanges, externalTrafficPolicy) "
                          "applies to it: remove it")
        svc = cfg.gateway.service
        allowed = {"annotations", "load_balancer_source_ranges", "external_traffic_policy"}
        for key in sorted(svc.model_fields_set - allowed):
            yield Problem(f"gateway.service.{to_camel(key)}", "set", "the add-on owns its gateway "
                          "Service; ingresslib only patches its annotations and "
                          "externalTrafficPolicy: remove it")
    if cfg.rate_limits.local or cfg.rate_limits.global_:
        yield Problem("rateLimits", "set", "rate limits are EnvoyFilters, which the AKS Istio "
                      "add-on does not support; remove them or deploy ingresslib's gateway")


def _application_gateway_problems(
    cfg: AksStack, az: Azure, agw: ApplicationGateway
) -> Iterator[Problem]:
    path = "azure.applicationGateway"
    yield from zone_problems(f"{path}.zones", agw.zones, public_ip=False)
    if agw.min_capacity > agw.max_capacity:
        yield Problem(f"{path}.minCapacity", agw.min_capacity,
                      f"must be <= maxCapacity ({agw.max_capacity})")
    if cfg.load_balancer.scheme == "internal":
        yield Problem("loadBalancer.scheme", "internal", "an Application Gateway WAF_v2 needs a "
                      "public frontend; keep internet-facing and restrict clients with WAF "
                      "custom rules, or use topology gateway with an internal load balancer")
    lb_subnet = az.load_balancer.subnet
    if lb_subnet and agw.subnet_id.rsplit("/", 1)[1].lower() == lb_subnet.lower():
        yield Problem(f"{path}.subnetId", agw.subnet_id, "Application Gateway needs a subnet "
                      "of its own; use another subnet than azure.loadBalancer.subnet")
    https = https_listeners(cfg)
    if cfg.topology == "chained" and not any(
            isinstance(cfg.certificates.get(lst.tls.certificate or ""), KeyVaultCertificate)
            for lst in https if lst.tls):
        yield Problem("listeners", [lst.name for lst in cfg.listeners], "in topology chained "
                      "Application Gateway terminates TLS: add an HTTPS listener whose "
                      "certificate has source keyVault")
    for i, lst in enumerate(cfg.listeners):
        at = f"listeners[{i}]"
        if lst.protocol == "TLS":
            yield Problem(f"{at}.protocol", "TLS", "Application Gateway terminates TLS and "
                          "cannot pass it through; use HTTPS")
            continue
        wanted = 443 if lst.protocol == "HTTPS" else 80
        if lst.port != wanted:
            yield Problem(f"{at}.port", lst.port, f"Application Gateway serves {lst.protocol} "
                          f"on port {wanted} here; use {wanted}")
        if lst.tls and lst.tls.mode == "MUTUAL":
            yield Problem(f"{at}.tls.mode", "MUTUAL", "ingresslib does not configure "
                          "Application Gateway's client certificate checks; use SIMPLE")
        if lst.tls and lst.tls.cipher_suites:
            yield Problem(f"{at}.tls.cipherSuites", lst.tls.cipher_suites, "Application "
                          "Gateway takes one TLS policy for all listeners, chosen from "
                          "minProtocolVersion; remove them")
    # An httpsRedirect that no HTTPS listener serves: a rule of every topology (StackSpec).
    versions = {lst.tls.min_protocol_version for lst in https if lst.tls}
    if len(versions) > 1:
        yield Problem("listeners", sorted(versions), "Application Gateway applies one TLS "
                      "policy to every listener: give all HTTPS listeners the same "
                      "minProtocolVersion")
    if cfg.topology == "chained":
        count = len(listeners(cfg))
        if count > MAX_LISTENERS:
            yield Problem("listeners", count, f"make {count} Application Gateway listeners (one "
                          f"per host and protocol); it takes at most {MAX_LISTENERS}: use "
                          "wildcard hosts")
    if cfg.topology == "standalone":
        yield from agic_problems(cfg, agw)
    elif agw.backends:
        yield Problem(f"{path}.backends", sorted(agw.backends), "in topology chained "
                      "Application Gateway sends to the Istio gateway only; remove them")


def _key_vault_problems(cfg: AksStack, az: Azure) -> Iterator[Problem]:
    vault = az.key_vault
    for key, cert in key_vault_certificates(cfg).items():
        path = f"certificates.{key}"
        if vault is not None and cert.vault == vault.name and (
                cert.resource_group != az.resource_group):
            yield Problem(f"{path}.resourceGroup", cert.resource_group, f"vault {vault.name} "
                          f"is created by azure.keyVault in azure.resourceGroup "
                          f"({az.resource_group}); use that group")
        imported = cert.import_from
        if imported is None:
            continue
        in_cluster = cfg.topology == "gateway"
        wanted = "pem" if in_cluster else "pfx"
        if imported.format != wanted:
            why = ("the Istio gateway gets it through the Secrets Store CSI driver, which splits "
                   "a PEM key and chain into a TLS Secret but converts PFX only for Key Vault "
                   "certificate objects" if in_cluster else
                   "Application Gateway reads only base64 PFX from a Key Vault secret")
            yield Problem(f"{path}.importFrom.format", imported.format,
                          f"{why}; use {wanted}")
    if vault is not None and not any(
            c.vault == vault.name for c in key_vault_certificates(cfg).values()):
        yield Problem("azure.keyVault", vault.name, "no certificate used by a listener names "
                      "this vault; point a keyVault certificate at it or remove it")
