"""Azure settings of an AKS stack: where its Azure resources live, the Standard load balancer in
front of the gateway (topology gateway), the Application Gateway (chained, standalone), Key Vault,
the certificate sync and the AKS Istio add-on's managed gateway.

AKS's cloud provider makes the load balancer from the gateway Service's annotations; ingresslib
creates the public IP it uses, the Application Gateway, its WAF policy and identities with
pulumi-azure-native. `azure_problems` holds every rule that needs the whole stack.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic.alias_generators import to_camel

from ingresslib.config.base import Cidr, DnsLabel, DnsSubdomain, Model
from ingresslib.config.certificates import KeyVaultCertificate
from ingresslib.config.listeners import Listener, host_covers
from ingresslib.config.workload import Autoscaling, GatewayService, GatewayWorkload
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.config.stack import StackConfig

ADDON_NAMESPACE = "aks-istio-ingress"
# Service annotations the AKS Istio add-on keeps on its gateway Services (AKS docs, "Ingress
# gateway service customizations"); the health-probe ones for ports 80 and 443 only.
ADDON_ANNOTATIONS = (
    "external-dns.alpha.kubernetes.io/hostname",
    "service.beta.kubernetes.io/azure-allowed-ip-ranges",
    "service.beta.kubernetes.io/azure-allowed-service-tags",
    "service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip",
    "service.beta.kubernetes.io/azure-load-balancer-internal-subnet",
    "service.beta.kubernetes.io/azure-load-balancer-ipv4",
    "service.beta.kubernetes.io/azure-load-balancer-disable-tcp-reset",
    "service.beta.kubernetes.io/azure-load-balancer-resource-group",
    "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout",
    "service.beta.kubernetes.io/azure-pip-ip-tags",
    "service.beta.kubernetes.io/azure-pip-name",
    "service.beta.kubernetes.io/azure-shared-securityrule",
)
ADDON_PROBE_ANNOTATION = re.compile(
    r"^service\.beta\.kubernetes\.io/port_(80|443)_(no_lb_rule|no_probe_rule|health-probe_"
    r"(protocol|port|interval|num-of-probe|request-path))$"
)
# The Azure LB rejects probe settings whose interval x count reaches 120 s (cloud provider).
MAX_PROBE_WINDOW_SECONDS = 120


def _pattern(regex: str, what: str, flags: int = 0) -> AfterValidator:
    compiled = re.compile(regex, flags)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"must be {what}")
        return value

    return AfterValidator(check)


def _private_ipv4(value: str) -> str:
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError("must be an IPv4 address such as 10.240.0.100") from None
    if not address.is_private:
        raise ValueError("must be a private address inside the load balancer's subnet")
    return value


Location = Annotated[str, _pattern(r"^[a-z][a-z0-9]{1,39}$", "an Azure region name such as "
                                   "westeurope (lower case, no spaces)")]
ResourceGroup = Annotated[str, _pattern(r"^[-\w.()]{0,89}[-\w()]$", "a resource group name: "
                                        "letters, digits, '-', '_', '.', '(', ')', at most 90, "
                                        "not ending in '.'")]
ResourceName = Annotated[str, _pattern(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$",
                                       "an Azure resource name: letters, digits, '_', '.' and "
                                       "'-', starting alphanumeric, at most 80")]
ClusterName = Annotated[str, _pattern(r"^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$",
                                      "an AKS cluster name")]
SubnetId = Annotated[str, _pattern(
    r"^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/"
    r"virtualNetworks/[^/]+/subnets/[^/]+$",
    "a subnet resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/"
    "Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>", re.IGNORECASE)]
Uuid = Annotated[str, _pattern(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                               "an object ID (a lower-case GUID)")]
PipDnsLabel = Annotated[str, _pattern(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$",
                                      "a DNS label: 3-63 lower-case letters, digits and '-', "
                                      "starting with a letter")]
PrivateIpv4 = Annotated[str, AfterValidator(_private_ipv4)]
Zone = Literal["1", "2", "3"]
Seconds = Annotated[int, Field(ge=1, le=86400)]


class AksCluster(Model):
    """The cluster: its identity runs AKS's cloud provider (it attaches the public IP to the load
    balancer) and its OIDC issuer signs the tokens workload identity exchanges. Both are read
    from the cluster at deploy time."""

    name: ClusterName
    resource_group: ResourceGroup
    # AKS's default is MC_<resourceGroup>_<name>_<location>.
    node_resource_group: ResourceGroup | None = None


class PublicIp(Model):
    """The static public IP of the Standard load balancer in front of the gateway (topology
    gateway, internet-facing). Owned by the stack, so the address outlives the Service."""

    name: ResourceName | None = None  # <stack>-gateway-ip
    resource_group: ResourceGroup | None = None  # azure.resourceGroup
    sku: Literal["Standard", "Basic"] = "Standard"
    zones: list[Zone] = ["1", "2", "3"]
    dns_label: PipDnsLabel | None = None  # <label>.<region>.cloudapp.azure.com
    protect: bool = True  # `pulumi destroy` keeps the address until this is set false


class AzureLoadBalancer(Model):
    """The Standard load balancer AKS's cloud provider makes from the gateway Service.

    Internal (scheme internal, and always in topology chained, where Application Gateway is in
    front) it takes its frontend from `subnet` (a subnet of the cluster's virtual network),
    at `privateIp` when set. Health probes go to the gateway's readiness endpoint (15021
    /healthz/ready) every `probeIntervalSeconds`; `probeThreshold` failures take a node out.
    """

    subnet: ResourceName | None = None
    private_ip: PrivateIpv4 | None = None
    idle_timeout_minutes: int = Field(default=30, ge=4, le=100)
    probe_interval_seconds: int = Field(default=5, ge=5, le=60)
    probe_threshold: int = Field(default=2, ge=2, le=20)

    def probe_window(self) -> int:
        """Seconds until the load balancer stops sending to a node whose gateway went unready."""
        return self.probe_interval_seconds * self.probe_threshold


class WafPolicy(Model):
    """The Application Gateway's WAF policy: the OWASP core rule set, blocking by default."""

    mode: Literal["Prevention", "Detection"] = "Prevention"
    rule_set_version: Literal["3.2", "3.1"] = "3.2"
    request_body_check: bool = True
    max_request_body_size_kb: int = Field(default=128, ge=8, le=2000)
    file_upload_limit_mb: int = Field(default=100, ge=1, le=4000)


class AppGwBackend(Model):
    """How Application Gateway reaches one routing backend through AGIC (topology standalone).

    AGIC sends to the pods' IPs on `targetPort` (the backend's port when unset) and probes
    `healthProbePath` on `healthProbePort` (the target port when unset): both explicit, because
    AGIC otherwise copies the pod's readiness probe, which Istio rewrites to its own agent.
    """

    target_port: int | None = Field(default=None, ge=1, le=65535)
    health_probe_path: str = Field(pattern=r"^/[^\s]*$", max_length=1024)
    health_probe_port: int | None = Field(default=None, ge=1, le=65535)
    health_probe_status_codes: str = Field(
        default="200-399", pattern=r"^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$")


class ApplicationGateway(Model):
    """The WAF_v2 Application Gateway of topologies chained and standalone.

    `subnetId` is the dedicated subnet it runs in. It reads TLS certificates from Key Vault by
    versionless secret ID with a user-assigned identity. In chained it sends to the gateway's
    internal load balancer; in standalone AGIC programs it from Ingress objects, with
    `controllerPrincipalId` (AGIC's identity) given the roles to do so.
    """

    subnet_id: SubnetId
    zones: list[Zone] = ["1", "2", "3"]
    min_capacity: int = Field(default=2, ge=0, le=125)
    max_capacity: int = Field(default=10, ge=2, le=125)
    waf: WafPolicy = WafPolicy()
    request_timeout_seconds: int = Field(default=30, ge=1, le=86400)
    http2: bool = True
    ingress_class: DnsSubdomain = "azure-application-gateway"
    backends: dict[DnsLabel, AppGwBackend] = {}
    controller_principal_id: Uuid | None = None


class KeyVault(Model):
    """A Key Vault ingresslib creates, in RBAC mode, in azure.resourceGroup; certificates name
    it as their `vault`. Without `allowedSubnetIds`/`allowedIpRanges` it takes traffic from any
    network (RBAC still decides who reads what)."""

    name: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")
    sku: Literal["standard", "premium"] = "standard"
    purge_protection: bool = True
    soft_delete_retention_days: int = Field(default=90, ge=7, le=90)
    allowed_subnet_ids: list[SubnetId] = []
    allowed_ip_ranges: list[Cidr] = []


class CertificateSync(Model):
    """The pods that keep Key Vault certificates synced into the gateway namespace as TLS
    Secrets (the Secrets Store CSI driver syncs only while a pod mounts its volume)."""

    image: str = Field(default="mcr.microsoft.com/oss/kubernetes/pause:3.10", min_length=1)
    replicas: int = Field(default=2, ge=2, le=10)


class IstioAddon(Model):
    """Use the AKS Istio add-on's managed ingress gateway instead of deploying one. The gateway
    is the add-on's external one (loadBalancer.scheme internet-facing) or internal one; the HPA
    bounds are the add-on's (AKS defaults 2 and 5) and only feed the replica alerts."""

    revision: str = Field(pattern=r"^asm-\d+-\d+$")
    min_replicas: int = Field(default=2, ge=1)
    max_replicas: int = Field(default=5, ge=1)

    def bounds(self) -> tuple[int, int]:
        """The HPA bounds as the alerts read them (min never above max)."""
        return min(self.min_replicas, self.max_replicas), self.max_replicas


class Azure(Model):
    """Everything Azure-specific of an AKS stack; refused on any other cloud."""

    location: Location
    resource_group: ResourceGroup
    cluster: AksCluster
    public_ip: PublicIp = PublicIp()
    load_balancer: AzureLoadBalancer = AzureLoadBalancer()
    application_gateway: ApplicationGateway | None = None
    key_vault: KeyVault | None = None
    certificate_sync: CertificateSync = CertificateSync()
    istio_addon: IstioAddon | None = None
    # What the Key Vault Secrets User roles of Application Gateway's and the certificate sync's
    # identities reach: each certificate's secret (least privilege), or its whole vault.
    key_vault_role_scope: Literal["secret", "vault"] = "secret"
    tags: dict[Annotated[str, Field(min_length=1, max_length=512)],
               Annotated[str, Field(max_length=256)]] = {}

    def node_resource_group(self) -> str:
        return self.cluster.node_resource_group or (
            f"MC_{self.cluster.resource_group}_{self.cluster.name}_{self.location}")


# ---------------------------------------------------------------- what a stack uses


def uses_addon(cfg: StackConfig) -> bool:
    return (cfg.cloud == "aks" and cfg.azure is not None and cfg.azure.istio_addon is not None
            and cfg.topology == "gateway")


def addon_workload(cfg: StackConfig) -> GatewayWorkload:
    """The add-on's gateway as ingresslib describes it: its Service name, namespace and pod
    label (what Gateways select), and the HPA bounds the alerts compare with."""
    assert cfg.azure is not None
    assert cfg.azure.istio_addon is not None
    low, high = cfg.azure.istio_addon.bounds()
    kind = "internal" if cfg.load_balancer.scheme == "internal" else "external"
    name = f"aks-istio-ingressgateway-{kind}"
    return GatewayWorkload(
        name=name, namespace=ADDON_NAMESPACE, create_namespace=False, labels={"istio": name},
        autoscaling=Autoscaling(min_replicas=low, max_replicas=high),
        service=cfg.gateway.service if cfg.gateway else GatewayService(),
    )


def internal_lb(cfg: StackConfig) -> bool:
    """Whether the gateway Service makes an internal load balancer (chained always: Application
    Gateway in front reaches it on a private address)."""
    return cfg.cloud == "aks" and cfg.workload is not None and (
        cfg.topology == "chained" or cfg.load_balancer.scheme == "internal")


def uses_public_ip(cfg: StackConfig) -> bool:
    """Whether ingresslib creates the public IP of the gateway's load balancer."""
    return (cfg.cloud == "aks" and cfg.topology == "gateway" and cfg.workload is not None
            and cfg.load_balancer.scheme == "internet-facing")


def uses_application_gateway(cfg: StackConfig) -> bool:
    return cfg.cloud == "aks" and cfg.topology in ("chained", "standalone")


def public_ip_name(cfg: StackConfig) -> str:
    assert cfg.azure is not None
    return cfg.azure.public_ip.name or f"{cfg.name}-gateway-ip"


def public_ip_group(cfg: StackConfig) -> str:
    assert cfg.azure is not None
    return cfg.azure.public_ip.resource_group or cfg.azure.resource_group


def key_vault_certificates(cfg: StackConfig) -> dict[str, KeyVaultCertificate]:
    """Key Vault certificates that a listener uses, by certificates key."""
    used = {lst.tls.certificate for lst in cfg.listeners if lst.tls and lst.tls.certificate}
    return {k: c for k, c in sorted(cfg.certificates.items())
            if k in used and isinstance(c, KeyVaultCertificate)}


def synced_certificates(cfg: StackConfig) -> dict[str, KeyVaultCertificate]:
    """Key Vault certificates the Istio gateway terminates TLS with (topology gateway): synced
    into its namespace by the Secrets Store CSI driver."""
    if cfg.cloud != "aks" or cfg.topology != "gateway" or cfg.workload is None:
        return {}
    return key_vault_certificates(cfg)


def https_listeners(cfg: StackConfig) -> list[Listener]:
    return [lst for lst in cfg.listeners if lst.protocol == "HTTPS"]


# ---------------------------------------------------------------- rules


def azure_problems(cfg: StackConfig) -> Iterator[Problem]:
    """Every Azure rule of the stack; nothing when the stack is not on AKS (placement refuses
    Azure settings there)."""
    if cfg.cloud != "aks":
        return
    az = cfg.azure
    if az is None:
        yield Problem("azure", None, "an aks stack creates Azure resources (the load balancer's "
                      "public IP, Application Gateway, Key Vault access): set azure with "
                      "location, resourceGroup and cluster {name, resourceGroup}")
        return
    given = az.model_fields_set
    yield from _unused_section_problems(cfg, az, given)
    if uses_public_ip(cfg):
        yield from _public_ip_problems("azure.publicIp", az.public_ip)
    if cfg.workload is not None:
        yield from _load_balancer_problems(cfg, az)
        yield from _annotation_problems(cfg)
    if az.istio_addon is not None:
        yield from _addon_problems(cfg, az.istio_addon)
    if uses_application_gateway(cfg):
        if az.application_gateway is None:
            yield Problem("azure.applicationGateway", None, f"topology {cfg.topology} on aks "
                          "puts an Application Gateway in front: set azure.applicationGateway "
                          "with subnetId (a subnet of its own)")
        else:
            yield from _application_gateway_problems(cfg, az, az.application_gateway)
    yield from _key_vault_problems(cfg, az)


def _unused_section_problems(cfg: StackConfig, az: Azure, given: set[str]) -> Iterator[Problem]:
    """Settings of a resource this topology does not create would silently do nothing."""
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


def _load_balancer_problems(cfg: StackConfig, az: Azure) -> Iterator[Problem]:
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


def _annotation_problems(cfg: StackConfig) -> Iterator[Problem]:
    """A hand-written annotation that ingresslib sets from azure.* would fight the config; the
    add-on's Service keeps only the annotations AKS allows."""
    from ingresslib.azure.load_balancer import service_annotations  # noqa: PLC0415 (cycle)

    wl = cfg.workload
    assert wl is not None
    managed = service_annotations(cfg)
    for key, value in sorted(wl.service.annotations.items()):
        if key in managed:
            yield Problem(f"gateway.service.annotations.{key}", value, "is set by ingresslib "
                          "from azure.* (public IP, load balancer, probes); remove it")
        elif uses_addon(cfg) and key not in ADDON_ANNOTATIONS and not (
                ADDON_PROBE_ANNOTATION.match(key)):
            yield Problem(f"gateway.service.annotations.{key}", value, "the AKS Istio add-on "
                          "keeps only its allowed annotations on its gateway Service (AKS docs: "
                          "ingress gateway service customizations): remove it")


def _addon_problems(cfg: StackConfig, addon: IstioAddon) -> Iterator[Problem]:
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
    cfg: StackConfig, az: Azure, agw: ApplicationGateway
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
    covered = [h for lst in https for h in lst.hosts]
    for i, lst in enumerate(cfg.listeners):
        if lst.protocol == "HTTP" and lst.https_redirect:
            missing = [h for h in lst.hosts if not any(host_covers(c, h) for c in covered)]
            if missing:
                yield Problem(f"listeners[{i}].httpsRedirect", True, f"redirects {missing} to "
                              "HTTPS, which no HTTPS listener serves; add an HTTPS listener for "
                              "them or set httpsRedirect: false")
    versions = {lst.tls.min_protocol_version for lst in https if lst.tls}
    if len(versions) > 1:
        yield Problem("listeners", sorted(versions), "Application Gateway applies one TLS "
                      "policy to every listener: give all HTTPS listeners the same "
                      "minProtocolVersion")
    if cfg.topology == "chained":
        from ingresslib.azure.application_gateway import (  # noqa: PLC0415 (cycle)
            MAX_LISTENERS,
            listeners,
        )

        count = len(listeners(cfg))
        if count > MAX_LISTENERS:
            yield Problem("listeners", count, f"make {count} Application Gateway listeners (one "
                          f"per host and protocol); it takes at most {MAX_LISTENERS}: use "
                          "wildcard hosts")
    if cfg.topology == "standalone":
        from ingresslib.azure.agic_rules import agic_problems  # noqa: PLC0415 (cycle)

        yield from agic_problems(cfg, agw)
    elif agw.backends:
        yield Problem(f"{path}.backends", sorted(agw.backends), "in topology chained "
                      "Application Gateway sends to the Istio gateway only; remove them")


def _key_vault_problems(cfg: StackConfig, az: Azure) -> Iterator[Problem]:
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


def host_listeners(cfg: StackConfig, host: str) -> list[Listener]:
    """The listeners that serve `host` (exactly or by wildcard)."""
    return [lst for lst in cfg.listeners if any(host_covers(h, host) for h in lst.hosts)]
