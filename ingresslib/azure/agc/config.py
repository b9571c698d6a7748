"""Application Gateway for Containers (AGC): the `azure.applicationGatewayForContainers` section,
Azure's Gateway API load balancer, as the L7 load balancer of topologies chained (in front of
the Istio gateway) and standalone (straight to sidecar-injected backends).

ingresslib creates AGC's Azure resources itself (the "bring your own" deployment: traffic
controller, frontend, association to a delegated subnet) with pulumi-azure-native and programs
it through Gateway API objects of class `azure-alb-external` that name them
(`alb.networking.azure.io/alb-id` and the frontend as the Gateway's address); the ALB Controller
in the cluster turns those objects into AGC configuration. Why not the ApplicationLoadBalancer
custom resource (the ALB-Controller-managed deployment): docs/guides/agc.md, "Bring-your-own
deployment".
"""


import ipaddress
import re
from typing import Annotated, Literal

from pydantic import Field

from ingresslib.azure.value_types import ResourceName, StatusCodes, SubnetId, Uuid
from ingresslib.config.base import Cidr, DnsLabel, Model, Pattern, UrlPath, applies_to

# Azure's resource provider namespace of AGC, and the delegation its association subnet needs.
DELEGATION = "Microsoft.ServiceNetworking/trafficControllers"
GATEWAY_CLASS = "azure-alb-external"
# AGC closes HTTP connections idle for 5 minutes and waits 60 s for a response by default
# (Azure, "Application Gateway for Containers components", Request timeouts).
IDLE_TIMEOUT_SECONDS = 300
DEFAULT_REQUEST_TIMEOUT_SECONDS = 60
# Each association needs 256 addresses of its subnet: a /24 or larger.
MAX_SUBNET_PREFIX = 24

WafPolicyId = Annotated[str, Pattern(
    r"^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/"
    r"ApplicationGatewayWebApplicationFirewallPolicies/[^/]+$",
    "a WAF policy resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/"
    "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/<name>", re.IGNORECASE)]


class AgcSubnet(Model):
    """The subnet AGC's association joins: its data plane runs there and reaches the pods from
    its addresses. Delegated to Microsoft.ServiceNetworking/trafficControllers, holding nothing
    else, and at least a /24 (each association takes 256 addresses)."""

    id: SubnetId
    """The subnet's resource ID. With `create: true` ingresslib creates it in that virtual
    network (which must exist); otherwise it exists, delegated."""
    address_prefix: Cidr | None = None
    """Its address range (`10.240.16.0/24`): required with `create`; when given, the gateway's
    NetworkPolicy admits AGC's probes from it and the rules check its size."""
    create: bool = False
    """Create the subnet, delegated to Microsoft.ServiceNetworking/trafficControllers."""

    @property
    def virtual_network_id(self) -> str:
        return self.id.rsplit("/subnets/", 1)[0]

    @property
    def name(self) -> str:
        return self.id.rsplit("/", 1)[1]

    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        return None if self.address_prefix is None else ipaddress.ip_network(
            self.address_prefix, strict=False)


class AgcWaf(Model):
    """Azure Web Application Firewall on AGC: a WAF policy that a WebApplicationFirewallPolicy
    attaches to the Gateway. AGC takes Microsoft's Default Rule Set (DRS) up to 2.1 only: no
    OWASP CRS, no DRS 2.2. Without `policyId` ingresslib creates the policy."""

    enabled: bool = True
    """Attach a WAF policy to every listener."""
    policy_id: WafPolicyId | None = None
    """An existing WAF policy (same subscription and region as AGC) instead of one ingresslib
    creates; the ALB Controller's identity needs its join action (Network Contributor)."""
    mode: Literal["Prevention", "Detection"] = "Prevention"
    """`Prevention` blocks what the rules match; `Detection` only logs it."""
    rule_set_version: Literal["2.1", "2.0"] = "2.1"
    """Microsoft_DefaultRuleSet version: `2.1` or `2.0` (AGC takes neither CRS nor DRS 2.2)."""
    request_body_check: bool = True
    """Inspect request bodies."""
    max_request_body_size_kb: int = Field(default=128, ge=8, le=2000)
    """Largest request body inspected, in KB."""
    file_upload_limit_mb: int = Field(default=100, ge=1, le=4000)
    """Largest file upload accepted, in MB."""


class AgcHealthCheck(Model):
    """How AGC probes what it sends to (a HealthCheckPolicy on each Service): the Istio
    gateway's readiness in chained, each backend's health path in standalone.
    `intervalSeconds` x `unhealthyThreshold` is how long AGC keeps sending to a pod that went
    unready; the gateway's drain outlasts it (EDGE-DR-AGC)."""

    interval_seconds: int = Field(default=5, ge=1, le=300)
    """Seconds between probes of each pod."""
    timeout_seconds: int = Field(default=3, ge=1, le=300)
    """Seconds a probe waits for its answer; below intervalSeconds."""
    healthy_threshold: int = Field(default=1, ge=1, le=20)
    """Successful probes that put a pod in."""
    unhealthy_threshold: int = Field(default=3, ge=1, le=20)
    """Failed probes that take a pod out."""

    def window(self) -> int:
        return self.interval_seconds * self.unhealthy_threshold


class AgcBackend(Model):
    """How AGC probes one routing backend (topology standalone): explicitly, because AGC
    otherwise copies the pod's readiness probe (which Istio rewrites to its sidecar agent) or
    probes `/` on the traffic port."""

    model_config = applies_to(topologies=("standalone",))

    health_probe_path: UrlPath
    """Path of the health probe."""
    health_probe_port: int | None = Field(default=None, ge=1, le=65535)
    """Port of the health probe; the backend's target port when unset."""
    health_probe_status_codes: StatusCodes = "200-399"
    """HTTP codes a healthy pod answers (`200-399`, `200,302`)."""

    def status_ranges(self) -> list[dict[str, int]]:
        """`200-399,404` as HealthCheckPolicy's statusCodes ranges."""
        out = []
        for part in self.health_probe_status_codes.split(","):
            start, _, end = part.partition("-")
            out.append({"start": int(start), "end": int(end or start)})
        return out


class ApplicationGatewayForContainers(Model):
    """Application Gateway for Containers: Azure's Gateway API load balancer, instead of
    Application Gateway and AGIC, in chained (in front of the Istio gateway, reaching its pods
    directly) and standalone (straight to sidecar-injected backends, with weighted splits).

    ingresslib creates the traffic controller, its frontend and its association with
    `subnet` (bring-your-own deployment), and programs it through a Gateway of class
    `azure-alb-external`, HTTPRoutes and AGC's policies; the ALB Controller (installed in the
    cluster, running as `controllerPrincipalId`) applies them.
    """

    model_config = applies_to(topologies=("chained", "standalone"))

    subnet: AgcSubnet
    """The delegated subnet AGC's association joins."""
    name: ResourceName | None = None
    """The traffic controller's name; `<stack name>-agc` when unset."""
    controller_principal_id: Uuid | None = None
    """Object ID of the ALB Controller's identity: gets AppGw for Containers Configuration
    Manager on the traffic controller and Network Contributor on the subnet (and on the WAF
    policy). Unset: grant them yourself."""
    namespace: DnsLabel = "agc-ingress"
    """Namespace of the AGC Gateway, its TLS Secrets and policies in standalone (created); in
    chained they live in the Istio gateway's namespace."""
    request_timeout_seconds: int = Field(default=DEFAULT_REQUEST_TIMEOUT_SECONDS, ge=1,
                                         le=86400)
    """Seconds AGC waits for a whole response (a RoutePolicy on each route); a route's own
    timeout replaces it for its host in standalone."""
    tls_policy: Literal["2023-06-S", "2023-06"] = "2023-06-S"
    """AGC's predefined TLS policy (FrontendTLSPolicy), TLS 1.2: `2023-06-S` (GCM ciphers only)
    or `2023-06` (adds CBC)."""
    health_check: AgcHealthCheck = AgcHealthCheck.defaults()
    """Probe timing of the HealthCheckPolicies."""
    waf: AgcWaf = AgcWaf.defaults()
    """The WAF policy on the Gateway."""
    backends: dict[DnsLabel, AgcBackend] = {}
    """Per routing backend (key of routing.backends), how AGC probes it; standalone only."""
