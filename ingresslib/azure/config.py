"""Azure settings of an AKS stack: where its Azure resources live, the Standard load balancer in
front of the gateway (topology gateway), the Application Gateway (chained, standalone), Key Vault,
the certificate sync and the AKS Istio add-on's managed gateway.

AKS's cloud provider makes the load balancer from the gateway Service's annotations; ingresslib
creates the public IP it uses, the Application Gateway, its WAF policy and identities with
pulumi-azure-native. `azure_problems` holds every rule that needs the whole stack.
"""


import ipaddress
import re
from typing import Annotated, Literal, Protocol

from pydantic import AfterValidator, Field

from ingresslib.azure.agc.config import ApplicationGatewayForContainers
from ingresslib.azure.certificate import (  # noqa: F401 (KeyVaultImport kept importable here)
    KeyVaultCertificate,
    KeyVaultImport,
)
from ingresslib.azure.products import uses_addon, uses_agc
from ingresslib.azure.value_types import KeyVaultName, ResourceName, StatusCodes, SubnetId, Uuid
from ingresslib.config.base import (
    Cidr,
    DnsLabel,
    DnsSubdomain,
    Model,
    Pattern,
    UrlPath,
    applies_to,
)
from ingresslib.config.listeners import Listener
from ingresslib.config.workload import Autoscaling, GatewayService, GatewayWorkload
from ingresslib.edge import StackView


class AksStack(StackView, Protocol):
    """The stack as the Azure code reads it: the cloud-agnostic view and the `azure` section."""

    @property
    def azure(self) -> "Azure | None": ...


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


def _private_ipv4(value: str) -> str:
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError("must be an IPv4 address such as 10.240.0.100") from None
    if not address.is_private:
        raise ValueError("must be a private address inside the load balancer's subnet")
    return value


Location = Annotated[str, Pattern(r"^[a-z][a-z0-9]{1,39}$", "an Azure region name such as "
                                  "westeurope (lower case, no spaces)")]
ResourceGroup = Annotated[str, Pattern(r"^[-\w.()]{0,89}[-\w()]$", "a resource group name: "
                                       "letters, digits, '-', '_', '.', '(', ')', at most 90, "
                                       "not ending in '.'")]
ClusterName = Annotated[str, Pattern(r"^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$",
                                     "an AKS cluster name")]
PipDnsLabel = Annotated[str, Pattern(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$",
                                     "a DNS label: 3-63 lower-case letters, digits and '-', "
                                     "starting with a letter")]
PrivateIpv4 = Annotated[str, AfterValidator(_private_ipv4)]
Zone = Literal["1", "2", "3"]
# Application Gateway's longest backend request timeout (Azure, Application Gateway HTTP
# settings, Request time-out: 1-86400 s); Application Gateway for Containers takes the same.
MAX_REQUEST_TIMEOUT_SECONDS = 86400
Seconds = Annotated[int, Field(ge=1, le=MAX_REQUEST_TIMEOUT_SECONDS)]


class AksCluster(Model):
    """The cluster: its identity runs AKS's cloud provider (it attaches the public IP to the load
    balancer) and its OIDC issuer signs the tokens workload identity exchanges. Both are read
    from the cluster at deploy time."""

    name: ClusterName
    """The AKS cluster's name."""
    resource_group: ResourceGroup
    """The cluster's resource group."""
    # AKS's default is MC_<resourceGroup>_<name>_<location>.
    node_resource_group: ResourceGroup | None = None
    """The cluster's node resource group; `MC_<resourceGroup>_<name>_<location>` when unset."""


class PublicIp(Model):
    """The static public IP of the Standard load balancer in front of the gateway (topology
    gateway, internet-facing). Owned by the stack, so the address outlives the Service."""

    model_config = applies_to(topologies=("gateway",))

    name: ResourceName | None = None  # <stack>-gateway-ip
    """The public IP's name; `<stack name>-gateway-ip` when unset."""
    resource_group: ResourceGroup | None = None  # azure.resourceGroup
    """Its resource group; azure.resourceGroup when unset."""
    sku: Literal["Standard", "Basic"] = "Standard"
    """`Standard`, the only SKU an AKS load balancer takes (`Basic` is refused)."""
    zones: list[Zone] = ["1", "2", "3"]
    """Zones `1`, `2`, `3`: all three (zone-redundant) or one (zonal)."""
    dns_label: PipDnsLabel | None = None  # <label>.<region>.cloudapp.azure.com
    """DNS label: `<label>.<region>.cloudapp.azure.com` points at the address."""
    protect: bool = True  # `pulumi destroy` keeps the address until this is set false
    """`pulumi destroy` keeps the address until this is set false."""


class AzureLoadBalancer(Model):
    """The Standard load balancer AKS's cloud provider makes from the gateway Service.

    Internal (scheme internal, and always in topology chained, where Application Gateway is in
    front) it takes its frontend from `subnet` (a subnet of the cluster's virtual network),
    at `privateIp` when set. Health probes go to the gateway's readiness endpoint (15021
    /healthz/ready) every `probeIntervalSeconds`; `probeThreshold` failures take a node out.
    `tcpReset` tells both ends when an idle flow ends.
    """

    model_config = applies_to(topologies=("gateway", "chained"))

    subnet: ResourceName | None = None
    """Subnet (of the cluster's virtual network) of an internal load balancer's frontend; required
    when internal (scheme internal, or chained)."""
    private_ip: PrivateIpv4 | None = None
    """Static private frontend address in that subnet; required in chained, where Application
    Gateway's backend pool points at it."""
    idle_timeout_minutes: int = Field(default=30, ge=4, le=100)
    """Minutes an idle TCP connection stays open."""
    probe_interval_seconds: int = Field(default=5, ge=5, le=60)
    """Seconds between health probes of the gateway's readiness endpoint."""
    probe_threshold: int = Field(default=2, ge=2, le=20)
    """Failed probes that take a node out; interval x threshold stays under 120 s and under the
    gateway's drain."""
    tcp_reset: bool = True
    """Send a TCP reset to both ends when a flow's idle timeout ends (cloud-provider-azure's
    default on Standard load balancers). Off (`azure-load-balancer-disable-tcp-reset`), the load
    balancer drops idle flows silently; Envoy's idle timeout stays shorter either way."""

    def probe_window(self) -> int:
        """Seconds until the load balancer stops sending to a node whose gateway went unready."""
        return self.probe_interval_seconds * self.probe_threshold


class WafPolicy(Model):
    """The Application Gateway's WAF policy: the OWASP core rule set, blocking by default."""

    mode: Literal["Prevention", "Detection"] = "Prevention"
    """`Prevention` blocks what the rules match; `Detection` only logs it."""
    rule_set_version: Literal["3.2", "3.1"] = "3.2"
    """OWASP core rule set version: `3.2` or `3.1`."""
    request_body_check: bool = True
    """Inspect request bodies."""
    max_request_body_size_kb: int = Field(default=128, ge=8, le=2000)
    """Largest request body inspected, in KB."""
    file_upload_limit_mb: int = Field(default=100, ge=1, le=4000)
    """Largest file upload accepted, in MB."""


class AppGwBackend(Model):
    """How Application Gateway reaches one routing backend through AGIC (topology standalone).

    AGIC sends to the pods' IPs on `targetPort` (the backend's port when unset) and probes
    `healthProbePath` on `healthProbePort` (the target port when unset): both explicit, because
    AGIC otherwise copies the pod's readiness probe, which Istio rewrites to its own agent.
    """

    model_config = applies_to(topologies=("standalone",))

    target_port: int | None = Field(default=None, ge=1, le=65535)
    """The pods' port; the backend's Service port when unset."""
    health_probe_path: UrlPath
    """Path of the health probe."""
    health_probe_port: int | None = Field(default=None, ge=1, le=65535)
    """Port of the health probe; the target port when unset."""
    health_probe_status_codes: StatusCodes = "200-399"
    """HTTP codes a healthy pod answers (`200-399`, `200,302`)."""


class ApplicationGateway(Model):
    """The WAF_v2 Application Gateway of topologies chained and standalone.

    `subnetId` is the dedicated subnet it runs in. It reads TLS certificates from Key Vault by
    versionless secret ID with a user-assigned identity. In chained it sends to the gateway's
    internal load balancer; in standalone AGIC programs it from Ingress objects, with
    `controllerPrincipalId` (AGIC's identity) given the roles to do so.
    """

    model_config = applies_to(topologies=("chained", "standalone"))

    subnet_id: SubnetId
    """Resource ID of the dedicated subnet it runs in."""
    zones: list[Zone] = ["1", "2", "3"]
    """Availability zones it spans."""
    min_capacity: int = Field(default=2, ge=0, le=125)
    """Fewest autoscaling instances (0-125)."""
    max_capacity: int = Field(default=10, ge=2, le=125)
    """Most autoscaling instances (2-125); at least minCapacity."""
    waf: WafPolicy = WafPolicy.defaults()
    """The WAF policy."""
    request_timeout_seconds: int = Field(default=30, ge=1, le=MAX_REQUEST_TIMEOUT_SECONDS)
    """Seconds it waits for a backend's answer."""
    http2: bool = True
    """Accept HTTP/2 from clients."""
    ingress_class: DnsSubdomain = "azure-application-gateway"
    """Ingress class AGIC watches (standalone)."""
    backends: dict[DnsLabel, AppGwBackend] = {}
    """Per routing backend (key of routing.backends), how AGIC reaches and probes it; standalone
    only."""
    controller_principal_id: Uuid | None = None
    """Object ID of AGIC's identity, given the roles it needs on the gateway (standalone)."""


class KeyVault(Model):
    """A Key Vault ingresslib creates, in RBAC mode, in azure.resourceGroup; certificates name
    it as their `vault`. Without `allowedSubnetIds`/`allowedIpRanges` it takes traffic from any
    network (RBAC still decides who reads what)."""

    name: KeyVaultName
    """The vault's name (3-24 letters, digits and `-`)."""
    sku: Literal["standard", "premium"] = "standard"
    """`standard` or `premium` (HSM-backed keys)."""
    purge_protection: bool = True
    """Keep deleted vaults and secrets recoverable until the retention ends; cannot be turned off
    later."""
    soft_delete_retention_days: int = Field(default=90, ge=7, le=90)
    """Days a deleted vault or secret stays recoverable (7-90)."""
    allowed_subnet_ids: list[SubnetId] = []
    """Subnets allowed through the vault's firewall."""
    allowed_ip_ranges: list[Cidr] = []
    """Address ranges allowed through the vault's firewall."""


class CertificateSync(Model):
    """The pods that keep Key Vault certificates synced into the gateway namespace as TLS
    Secrets (the Secrets Store CSI driver syncs only while a pod mounts its volume)."""

    model_config = applies_to(topologies=("gateway",))

    image: str = Field(default="mcr.microsoft.com/oss/kubernetes/pause:3.10", min_length=1)
    """Container image of the sync pods (they only mount the volume)."""
    replicas: int = Field(default=2, ge=2, le=10)
    """Sync pods (2-10), spread and under a PDB."""


class IstioAddon(Model):
    """Use the AKS Istio add-on's managed ingress gateway instead of deploying one. The gateway
    is the add-on's external one (loadBalancer.scheme internet-facing) or internal one; the HPA
    bounds are the add-on's (AKS defaults 2 and 5) and only feed the replica alerts."""

    model_config = applies_to(topologies=("gateway",))

    revision: Annotated[str, Pattern(r"^asm-\d+-\d+$", "an add-on revision such as asm-1-24")]
    """The add-on's revision (`asm-1-24`)."""
    min_replicas: int = Field(default=2, ge=1)
    """The add-on gateway's HPA floor (AKS sets it; it feeds the replica alerts only)."""
    max_replicas: int = Field(default=5, ge=1)
    """The add-on gateway's HPA ceiling (likewise)."""

    def bounds(self) -> tuple[int, int]:
        """The HPA bounds as the alerts read them (min never above max)."""
        return min(self.min_replicas, self.max_replicas), self.max_replicas


class Azure(Model):
    """Everything Azure-specific of an AKS stack; refused on any other cloud."""

    model_config = applies_to(clouds=("aks",))

    location: Location
    """Azure region of the resources ingresslib creates (`westeurope`)."""
    resource_group: ResourceGroup
    """Resource group they are created in."""
    cluster: AksCluster
    """The AKS cluster."""
    public_ip: PublicIp = PublicIp.defaults()
    """The load balancer's public IP (topology gateway, internet-facing)."""
    load_balancer: AzureLoadBalancer = AzureLoadBalancer.defaults()
    """The Standard load balancer of the gateway Service."""
    application_gateway: ApplicationGateway | None = None
    """The Application Gateway of chained and standalone; required there unless
    applicationGatewayForContainers is set."""
    application_gateway_for_containers: ApplicationGatewayForContainers | None = None
    """Application Gateway for Containers as the L7 load balancer of chained and standalone,
    instead of applicationGateway (and AGIC)."""
    key_vault: KeyVault | None = None
    """A Key Vault ingresslib creates, for keyVault certificates."""
    certificate_sync: CertificateSync = CertificateSync.defaults()
    """The pods that sync Key Vault certificates into the gateway namespace."""
    istio_addon: IstioAddon | None = None
    """Bind to the AKS Istio add-on's gateway instead of deploying one."""
    # What the Key Vault Secrets User roles of Application Gateway's and the certificate sync's
    # identities reach: each certificate's secret (least privilege), or its whole vault.
    key_vault_role_scope: Literal["secret", "vault"] = "secret"
    """What the Key Vault Secrets User roles of Application Gateway and the certificate sync reach:
    each certificate's `secret` (least privilege) or its whole `vault`."""
    tags: dict[Annotated[str, Field(min_length=1, max_length=512)],
               Annotated[str, Field(max_length=256)]] = {}
    """Tags on every Azure resource ingresslib creates."""

    def node_resource_group(self) -> str:
        return self.cluster.node_resource_group or (
            f"MC_{self.cluster.resource_group}_{self.cluster.name}_{self.location}")


# ---------------------------------------------------------------- what a stack uses


def addon_workload(cfg: AksStack) -> GatewayWorkload:
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


# The add-on's gateway keeps Envoy's default idle timeout (1 h): unless set, its load balancer
# keeps idle flows longer, so that Envoy closes them first (EDGE-TO-AZURE-LB).
ADDON_IDLE_TIMEOUT_MINUTES = 70


def idle_timeout_minutes(cfg: AksStack) -> int:
    """The gateway load balancer's TCP idle timeout in minutes: as set, or 30 (70 in front of
    the Istio add-on's gateway)."""
    lb = cfg.azure.load_balancer if cfg.azure else AzureLoadBalancer()
    if "idle_timeout_minutes" in lb.model_fields_set or not uses_addon(cfg):
        return lb.idle_timeout_minutes
    return ADDON_IDLE_TIMEOUT_MINUTES


def internal_lb(cfg: AksStack) -> bool:
    """Whether the gateway Service makes an internal load balancer (chained always: Application
    Gateway in front reaches it on a private address; Application Gateway for Containers
    reaches the pods, with no load balancer)."""
    return cfg.cloud == "aks" and cfg.topology != "standalone" and not uses_agc(cfg) and (
        cfg.topology == "chained" or cfg.load_balancer.scheme == "internal")


def uses_public_ip(cfg: AksStack) -> bool:
    """Whether ingresslib creates the public IP of the gateway's load balancer."""
    return (cfg.cloud == "aks" and cfg.topology == "gateway"
            and cfg.load_balancer.scheme == "internet-facing")


def uses_application_gateway(cfg: AksStack) -> bool:
    return cfg.cloud == "aks" and cfg.topology in ("chained", "standalone") and not uses_agc(cfg)


def public_ip_name(cfg: AksStack) -> str:
    assert cfg.azure is not None
    return cfg.azure.public_ip.name or f"{cfg.name}-gateway-ip"


def public_ip_group(cfg: AksStack) -> str:
    assert cfg.azure is not None
    return cfg.azure.public_ip.resource_group or cfg.azure.resource_group


def key_vault_certificates(cfg: AksStack) -> dict[str, KeyVaultCertificate]:
    """Key Vault certificates that a listener uses, by certificates key."""
    used = {lst.tls.certificate for lst in cfg.listeners if lst.tls and lst.tls.certificate}
    return {k: c for k, c in sorted(cfg.certificates.items())
            if k in used and isinstance(c, KeyVaultCertificate)}


def synced_certificates(cfg: AksStack) -> dict[str, KeyVaultCertificate]:
    """Key Vault certificates the Istio gateway terminates TLS with (topology gateway): synced
    into its namespace by the Secrets Store CSI driver."""
    if cfg.cloud != "aks" or cfg.topology != "gateway" or cfg.workload is None:
        return {}
    return key_vault_certificates(cfg)


def https_listeners(cfg: AksStack) -> list[Listener]:
    return [lst for lst in cfg.listeners if lst.protocol == "HTTPS"]


