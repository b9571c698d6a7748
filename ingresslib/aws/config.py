"""AWS settings of an EKS stack: the NLB (topology gateway), the ALB (chained, standalone) and
Route53. The AWS Load Balancer Controller creates the NLB from the gateway Service; ingresslib
creates the ALB with pulumi-aws and binds its target groups to pods with TargetGroupBindings.

`aws_problems` holds every cross-field rule that needs the whole stack: which load balancer a
topology uses, what it can terminate, and what an ALB cannot express of the routing config.
"""


import re
from typing import TYPE_CHECKING, Annotated, Literal, Protocol

from pydantic import Field

from ingresslib.aws.annotations import PREFIX, TG_ATTRIBUTES
from ingresslib.aws.certificate import (  # noqa: F401 (AcmArn kept importable here)
    AcmArn,
    AcmCertificate,
)
from ingresslib.config.base import Cidr, DnsLabel, Model, Pattern, UrlPath, applies_to
from ingresslib.config.listeners import Host, Listener, host_covers
from ingresslib.edge import StackView

if TYPE_CHECKING:
    pass


class EksStack(StackView, Protocol):
    """The stack as the AWS code reads it: the cloud-agnostic view and the `aws` section."""

    @property
    def aws(self) -> "Aws | None": ...


_SSL_POLICY = re.compile(
    r"^ELBSecurityPolicy-(TLS13-1-[23]|FS-1-2|TLS-1-2)(-[A-Za-z0-9]+)*-\d{4}-\d{2}$"
)
SSL_POLICY_DEFAULT = {
    "TLSV1_2": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "TLSV1_3": "ELBSecurityPolicy-TLS13-1-3-2021-06",
}
# Annotations the AWS Load Balancer Controller reads from a Service; ingresslib sets them from
# aws.nlb, so a hand-written one would fight the config.
LBC_ANNOTATION_PREFIXES = (PREFIX, "service.beta.kubernetes.io/load-balancer-source-ranges")
PROXY_ANNOTATIONS = (f"{PREFIX}proxy-protocol", TG_ATTRIBUTES)
LBC_CLASS = "service.k8s.aws/nlb"
ALB_RULE_EVALUATIONS = 5  # AWS: at most five condition values per listener rule
ALB_FORWARD_GROUPS = 5  # AWS: at most five target groups per forward action
ALB_BODY_BYTES = 1024  # AWS: fixed-response message body limit


SubnetId = Annotated[str, Pattern(r"^subnet-[0-9a-f]{8,17}$", "a subnet ID (subnet-0123abcd)")]
SecurityGroupId = Annotated[
    str, Pattern(r"^sg-[0-9a-f]{8,17}$", "a security group ID (sg-0123abcd)")
]
VpcId = Annotated[str, Pattern(r"^vpc-[0-9a-f]{8,17}$", "a VPC ID (vpc-0123abcd)")]
EipAllocation = Annotated[
    str, Pattern(r"^eipalloc-[0-9a-f]{8,17}$", "an Elastic IP allocation ID (eipalloc-0123abcd)")
]
Zone = Annotated[
    str, Pattern(r"^[a-z]{2}(-[a-z0-9]+)+[a-z]$", "an availability zone such as eu-west-1a")
]
SslPolicy = Annotated[
    str,
    Pattern(
        _SSL_POLICY.pattern,
        "an ELB security policy of TLS 1.2 or newer, such as "
        f"{SSL_POLICY_DEFAULT['TLSV1_2']}",
    ),
]
WebAclArn = Annotated[
    str,
    Pattern(
        r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[A-Za-z0-9_-]{1,128}/"
        r"[0-9a-f-]{36}$",
        "a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>"
        "/<id>)",
    ),
]
BucketName = Annotated[
    str, Pattern(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", "an S3 bucket name")
]
ClusterName = Annotated[
    str, Pattern(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", "an EKS cluster name")
]
ZoneName = Annotated[
    str,
    Pattern(
        r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$",
        "a Route53 hosted zone name such as example.com (no trailing dot)",
    ),
]
HealthMatcher = Annotated[
    str, Pattern(r"^\d{1,3}(-\d{1,3})?(,\d{1,3}(-\d{1,3})?)*$", "codes: HTTP 200 or 200-399 "
                 "or 200,302; gRPC 0-99, such as 12 or 0,12")
]
# What an ALB target group speaks to its targets (AWS: target group protocol version).
ProtocolVersion = Literal["HTTP1", "HTTP2", "GRPC"]
# The ALB's gRPC health check: its default method path and the code that means "the method
# is unknown, the server is up" (12, UNIMPLEMENTED).
GRPC_HEALTH_PATH = "/AWS.ALB/healthcheck"
GRPC_HEALTH_MATCHER = "12"
HTTP_CODES = re.compile(r"^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$")
GRPC_CODES = re.compile(r"^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$")
GRPC_METHOD = re.compile(r"^/[A-Za-z0-9_.]+/[A-Za-z0-9_]+$")


class Subnet(Model):
    """A subnet the load balancer gets a node in; the zone is declared so a single-AZ ALB is
    refused before deploy (`ingresslib preflight eks` checks it against the account)."""

    id: SubnetId
    """The subnet's ID (`subnet-0123abcd`)."""
    zone: Zone
    """Its availability zone (`eu-west-1a`); one subnet per zone."""
    cidr: Cidr | None = None
    """Its IPv4 range. The load balancer's health checks (and, from an ALB or with PROXY
    protocol, all its connections) come from addresses in it: with
    `gateway.networkPolicy.ingressFrom` set, the gateway's NetworkPolicy admits them
    (EDGE-HC-NETPOL)."""


class AccessLogs(Model):
    """Load balancer access logs to S3; the bucket policy must let ELB write (AWS docs)."""

    bucket: BucketName
    """S3 bucket the load balancer writes its access logs to."""
    prefix: Annotated[str, Field(max_length=200),
                      Pattern(r"^[A-Za-z0-9!_.*'()/-]*$",
                              "letters, digits and !_.*'()/- (S3's safe key characters)")] = ""
    """Key prefix of the log objects; the bucket's root when empty."""


class Nlb(Model):
    """The NLB the AWS Load Balancer Controller makes from the gateway Service (topology
    gateway). IP targets by default: the NLB sends to pod IPs, so readiness gates apply."""

    model_config = applies_to(topologies=("gateway",))

    target_type: Literal["ip", "instance"] = "ip"
    """`ip` (the NLB sends to pod IPs; readiness gates apply) or `instance` (to node ports)."""
    cross_zone: bool = True
    """Spread each zone's traffic over targets in every zone."""
    subnets: list[Subnet] = []
    """Subnets for the NLB's nodes; empty lets the controller discover them by their
    `kubernetes.io/role/(internal-)elb` tags."""
    elastic_ips: list[EipAllocation] = []
    """Elastic IP allocations, one per subnet in order (internet-facing only)."""
    proxy_protocol: bool = False
    """Send PROXY protocol v2 and have the gateway expect it (both sides from this one value);
    the NLB then checks the traffic ports over TCP (EDGE-HC-PROXY)."""
    preserve_client_ip: bool | None = None
    """Keep client source addresses on packets to the targets. Unset: on, unless PROXY
    protocol carries the address or the NLB is internal (then off, so in-cluster callers
    going through the NLB are not dropped as hairpin traffic: EDGE-IN-HAIRPIN), or
    `gateway.service.loadBalancerSourceRanges` needs it."""
    connection_termination: bool = True
    """Close connections to a deregistered target when the deregistration delay ends."""
    idle_timeout_seconds: int = Field(default=350, ge=60, le=6000)
    """Idle timeout of the NLB's TCP listeners, in seconds (AWS: 60-6000, 350 by default; TLS
    listeners keep 350). Envoy's idle timeout stays shorter (EDGE-TO-NLB)."""
    ssl_policy: SslPolicy | None = None
    """ELB security policy of listeners whose ACM certificate ends TLS at the NLB (TLS 1.2 or
    newer); the current one for the listeners' minimum version when unset."""
    access_logs: AccessLogs | None = None
    """Access logs to S3."""


class AlbBackend(Model):
    """How the ALB reaches one routing backend in topology standalone (its target group)."""

    model_config = applies_to(topologies=("standalone",))

    target_port: int | None = Field(default=None, ge=1, le=65535)
    """The pods' container port; the backend's Service port when unset."""
    protocol_version: ProtocolVersion = "HTTP1"
    """What the ALB speaks to the pods: `HTTP1`, `HTTP2` (HTTP/2 without TLS; HTTP/1.1 clients
    fail) or `GRPC` (gRPC calls only; the health check is a gRPC call). HTTP2 and GRPC need an
    HTTPS listener for every host routed here (EDGE-PR-ALB)."""
    health_check_path: UrlPath | None = None
    """Path of the target group's health check: `/` when unset; with GRPC a method path
    (`/package.Service/Method`), `/AWS.ALB/healthcheck` when unset."""
    health_check_matcher: HealthMatcher | None = None
    """Codes a healthy target answers: HTTP codes (`200`, `200-399`, `200,302`; `200-399` when
    unset), or with GRPC gRPC codes 0-99 (`12` when unset: the method is unknown, the server
    is up)."""

    @property
    def health(self) -> tuple[str, str]:
        """The health check's path and matcher, defaults filled in for the protocol."""
        if self.protocol_version == "GRPC":
            return (self.health_check_path or GRPC_HEALTH_PATH,
                    self.health_check_matcher or GRPC_HEALTH_MATCHER)
        return self.health_check_path or "/", self.health_check_matcher or "200-399"


class Alb(Model):
    """The ALB of topologies chained and standalone, created with pulumi-aws.

    `targetSecurityGroup` is the security group on the ENIs holding the target pods' IPs: with
    the VPC CNI's defaults pods share their node's ENIs, so it is the node (EKS cluster)
    security group; with Security Groups for Pods it is the pods' own group. The ALB reaches it
    on the target and health-check ports only.
    """

    model_config = applies_to(topologies=("chained", "standalone"))

    vpc_id: VpcId
    """The cluster's VPC (`vpc-0123abcd`)."""
    subnets: list[Subnet]
    """Subnets for the ALB, in at least two availability zones."""
    allowed_cidrs: list[Cidr] = Field(min_length=1)
    """Client CIDRs the ALB's security group admits."""
    target_security_group: SecurityGroupId
    """Security group on the ENIs that hold the target pods' IPs (the node or cluster security group
    with the VPC CNI's defaults)."""
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    """Seconds an idle connection stays open (`idle_timeout.timeout_seconds`); the ALB reuses
    idle connections to the gateway, so Envoy's idle timeout stays longer (EDGE-TO-ALB)."""
    protocol_version: ProtocolVersion = "HTTP1"
    """Topology chained: what the ALB speaks to the gateway. `HTTP1` carries HTTP/1.1 and
    HTTP/2 clients (not gRPC); `GRPC` carries gRPC calls only (every backend then needs
    `trafficPolicy.connectionPool.http.useClientProtocol: true`); `HTTP2` carries HTTP/2
    clients only. HTTP2 and GRPC need every HTTP listener to redirect to HTTPS (EDGE-PR-ALB).
    In standalone set it per backend (`backends.<name>.protocolVersion`)."""
    drop_invalid_header_fields: bool = True
    """Drop headers whose names are not valid HTTP tokens."""
    deletion_protection: bool = True
    """Refuse deleting the ALB until this is turned off."""
    ssl_policy: SslPolicy | None = None
    """ELB security policy of the HTTPS listeners (TLS 1.2 or newer); the current one for the
    listeners' minimum version when unset."""
    web_acl_arn: WebAclArn | None = None
    """Regional WAFv2 web ACL to associate."""
    access_logs: AccessLogs | None = None
    """Access logs to S3."""
    backends: dict[DnsLabel, AlbBackend] = {}
    """Per routing backend (key of routing.backends), how the ALB reaches it; standalone only."""


class Route53(Model):
    """Alias records for every listener host, in this hosted zone, to the NLB or ALB."""

    zone: ZoneName
    """Hosted zone that gets an alias record for every listener host (`example.com`, no trailing
    dot)."""
    private: bool = False
    """Whether the zone is a private hosted zone."""


class Aws(Model):
    """Everything AWS-specific of an EKS stack; refused on any other cloud."""

    model_config = applies_to(clouds=("eks",))

    # The EKS cluster's name: `ingresslib preflight eks` checks it exists.
    cluster: ClusterName | None = None
    """The EKS cluster's name: `ingresslib preflight eks` checks that it exists."""
    nlb: Nlb | None = None
    """The NLB of topology gateway."""
    alb: Alb | None = None
    """The ALB of topologies chained and standalone; required there."""
    dns: Route53 | None = None
    """Route53 alias records for the listener hosts."""


def uses_alb(cfg: EksStack) -> bool:
    return cfg.cloud == "eks" and cfg.topology in ("chained", "standalone")


def uses_nlb(cfg: EksStack) -> bool:
    return cfg.cloud == "eks" and cfg.topology == "gateway"


def nlb_settings(cfg: EksStack) -> Nlb:
    return (cfg.aws.nlb if cfg.aws else None) or Nlb.defaults()


def preserves_client_ip(cfg: EksStack) -> bool:
    """Whether the NLB's target group keeps the client's address as the source: as set, else
    on unless PROXY protocol carries it or the NLB is internal (source ranges need it on: the
    controller ignores them otherwise)."""
    nlb = nlb_settings(cfg)
    if nlb.preserve_client_ip is not None:
        return nlb.preserve_client_ip
    ranges = cfg.gateway.service.load_balancer_source_ranges if cfg.gateway else []
    # An internal NLB's callers are in the VPC: a node calling a target on itself is dropped
    # under preservation (EDGE-IN-HAIRPIN).
    internal = cfg.load_balancer.scheme == "internal"
    return not (nlb.proxy_protocol or internal) or bool(ranges)


def creates_aws_resources(cfg: EksStack) -> bool:
    """Whether the stack creates AWS resources itself (with pulumi-aws): ACM certificates, an
    ALB or Route53 records. The NLB of topology gateway is the controller's, not Pulumi's."""
    if cfg.cloud != "eks":
        return False
    acm = any(isinstance(c, AcmCertificate) for c in cfg.certificates.values())
    return acm or uses_alb(cfg) or bool(cfg.aws and cfg.aws.dns)


def acm_listeners(cfg: EksStack) -> list[Listener]:
    """HTTPS listeners whose certificate comes from ACM: TLS ends at the AWS load balancer."""
    return [
        lst for lst in cfg.listeners
        if lst.tls and lst.tls.certificate
        and isinstance(cfg.certificates.get(lst.tls.certificate), AcmCertificate)
    ]


def ssl_policy(configured: str | None, listeners: list[Listener]) -> str:
    """The configured policy, or the current AWS policy for the strictest minimum version."""
    if configured:
        return configured
    versions = {lst.tls.min_protocol_version for lst in listeners if lst.tls}
    return SSL_POLICY_DEFAULT["TLSV1_3" if "TLSV1_3" in versions else "TLSV1_2"]


def in_zone(host: Host, zone: str) -> bool:
    name = host.removeprefix("*.")
    return name == zone or name.endswith(f".{zone}")


def record_hosts(cfg: EksStack) -> list[str]:
    """The hosts that get an alias record: every listener host but '*', once, sorted."""
    return sorted({h for lst in cfg.listeners for h in lst.hosts if h != "*"})


def certificate_covers(names: list[str], host: str) -> bool:
    return any(host_covers(name, host) for name in names)
