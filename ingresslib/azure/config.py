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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, Protocol

from pydantic import AfterValidator, Field

from ingresslib.config.base import Cidr, DnsLabel, DnsSubdomain, Model
from ingresslib.config.certificates import Certificate
from ingresslib.config.listeners import Host, Listener, host_covers
from ingresslib.config.workload import Autoscaling, GatewayService, GatewayWorkload

if TYPE_CHECKING:
    from ingresslib.config.routing import Routing
    from ingresslib.config.security import Security
    from ingresslib.config.stack import LoadBalancer
    from ingresslib.edge import EdgePlan


class AksStack(Protocol):
    """The stack as the Azure code reads it: the cloud-agnostic sections, the `azure` section
    and, once planned, the edge plan. `ingresslib.AksStack` is one; the Azure folder types
    against this view so that it never imports the stack layer above it."""

    @property
    def name(self) -> str: ...
    @property
    def cloud(self) -> str: ...
    @property
    def topology(self) -> str: ...
    @property
    def gateway(self) -> GatewayWorkload | None: ...
    @property
    def listeners(self) -> list[Listener]: ...
    @property
    def certificates(self) -> Mapping[str, Certificate]: ...
    @property
    def routing(self) -> Routing: ...
    @property
    def security(self) -> Security | None: ...
    @property
    def load_balancer(self) -> LoadBalancer: ...
    @property
    def azure(self) -> Azure | None: ...
    @property
    def edge(self) -> EdgePlan: ...
    @property
    def workload(self) -> GatewayWorkload | None: ...

    def credential_name(self, certificate: str) -> str: ...

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


class KeyVaultImport(Model):
    """Import the certificate into the vault as a secret named `certificate`, from the Pulumi
    secret config value `ingress:<secretConfig>` (never in plain stack config). `format` is
    what its reader takes: pfx (base64, no password) for Application Gateway, pem (key and
    chain) for the Secrets Store CSI driver."""

    secret_config: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,127}$")
    format: Literal["pfx", "pem"]


class KeyVaultCertificate(Certificate):
    """An Azure Key Vault certificate: Application Gateway reads it by its versionless secret id
    (renewals sync), and the Istio gateway gets it as a TLS Secret through the Secrets Store CSI
    driver. `vault` is the vault's name; `resourceGroup` where it lives. Without `importFrom`
    the certificate already exists there."""

    CLOUD: ClassVar[str | None] = "aks"
    PROVIDER: ClassVar[str] = "Azure"
    source: Literal["keyVault"]
    dns_names: list[Host] = Field(min_length=1)
    vault: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")
    resource_group: str = Field(min_length=1, max_length=90)
    certificate: str = Field(pattern=r"^[0-9a-zA-Z-]{1,127}$")
    import_from: KeyVaultImport | None = None

    def terminates_in_cluster(self, topology: str) -> bool:
        # Application Gateway reads it in chained and standalone; in gateway the Secrets Store
        # CSI driver syncs it into the gateway namespace.
        return topology == "gateway"


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


def uses_addon(cfg: AksStack) -> bool:
    return (cfg.cloud == "aks" and cfg.azure is not None and cfg.azure.istio_addon is not None
            and cfg.topology == "gateway")


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
    Gateway in front reaches it on a private address)."""
    return cfg.cloud == "aks" and cfg.topology != "standalone" and (
        cfg.topology == "chained" or cfg.load_balancer.scheme == "internal")


def uses_public_ip(cfg: AksStack) -> bool:
    """Whether ingresslib creates the public IP of the gateway's load balancer."""
    return (cfg.cloud == "aks" and cfg.topology == "gateway"
            and cfg.load_balancer.scheme == "internet-facing")


def uses_application_gateway(cfg: AksStack) -> bool:
    return cfg.cloud == "aks" and cfg.topology in ("chained", "standalone")


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


def host_listeners(cfg: AksStack, host: str) -> list[Listener]:
    """The listeners that serve `host` (exactly or by wildcard)."""
    return [lst for lst in cfg.listeners if any(host_covers(h, host) for h in lst.hosts)]
