"""AWS settings of an EKS stack: the NLB (topology gateway), the ALB (chained, standalone) and
Route53. The AWS Load Balancer Controller creates the NLB from the gateway Service; ingresslib
creates the ALB with pulumi-aws and binds its target groups to pods with TargetGroupBindings.

`aws_problems` holds every cross-field rule that needs the whole stack: which load balancer a
topology uses, what it can terminate, and what an ALB cannot express of the routing config.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field

from ingresslib.config.base import Cidr, DnsLabel, Model
from ingresslib.config.certificates import AcmCertificate
from ingresslib.config.listeners import Host, Listener, host_covers
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.config.stack import StackConfig

# TLS 1.2 or newer only; TLS13-1-3 policies refuse TLS 1.2 clients.
_SSL_POLICY = re.compile(
    r"^ELBSecurityPolicy-(TLS13-1-[23]|FS-1-2|TLS-1-2)(-[A-Za-z0-9]+)*-\d{4}-\d{2}$"
)
SSL_POLICY_DEFAULT = {
    "TLSV1_2": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "TLSV1_3": "ELBSecurityPolicy-TLS13-1-3-2021-06",
}
# Annotations the AWS Load Balancer Controller reads from a Service; ingresslib sets them from
# aws.nlb, so a hand-written one would fight the config.
LBC_ANNOTATION_PREFIXES = (
    "service.beta.kubernetes.io/aws-load-balancer-",
    "service.beta.kubernetes.io/load-balancer-source-ranges",
)
PROXY_ANNOTATIONS = (
    "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol",
    "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes",
)
LBC_CLASS = "service.k8s.aws/nlb"
ALB_RULE_EVALUATIONS = 5  # AWS: at most five condition values per listener rule
ALB_FORWARD_GROUPS = 5  # AWS: at most five target groups per forward action
ALB_BODY_BYTES = 1024  # AWS: fixed-response message body limit


def _pattern(regex: str, what: str) -> AfterValidator:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"must be {what}")
        return value

    return AfterValidator(check)


SubnetId = Annotated[str, _pattern(r"^subnet-[0-9a-f]{8,17}$", "a subnet ID (subnet-0123abcd)")]
SecurityGroupId = Annotated[
    str, _pattern(r"^sg-[0-9a-f]{8,17}$", "a security group ID (sg-0123abcd)")
]
VpcId = Annotated[str, _pattern(r"^vpc-[0-9a-f]{8,17}$", "a VPC ID (vpc-0123abcd)")]
EipAllocation = Annotated[
    str, _pattern(r"^eipalloc-[0-9a-f]{8,17}$", "an Elastic IP allocation ID (eipalloc-0123abcd)")
]
Zone = Annotated[
    str, _pattern(r"^[a-z]{2}(-[a-z0-9]+)+[a-z]$", "an availability zone such as eu-west-1a")
]
SslPolicy = Annotated[
    str,
    _pattern(
        _SSL_POLICY.pattern,
        "an ELB security policy of TLS 1.2 or newer, such as "
        f"{SSL_POLICY_DEFAULT['TLSV1_2']}",
    ),
]
WebAclArn = Annotated[
    str,
    _pattern(
        r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[A-Za-z0-9_-]{1,128}/"
        r"[0-9a-f-]{36}$",
        "a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>"
        "/<id>)",
    ),
]
BucketName = Annotated[
    str, _pattern(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", "an S3 bucket name")
]
ClusterName = Annotated[
    str, _pattern(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", "an EKS cluster name")
]
ZoneName = Annotated[
    str,
    _pattern(
        r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$",
        "a Route53 hosted zone name such as example.com (no trailing dot)",
    ),
]
HealthMatcher = Annotated[
    str, _pattern(r"^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$", "HTTP codes: 200 or "
                  "200-399 or 200,302")
]


class Subnet(Model):
    """A subnet the load balancer gets a node in; the zone is declared so a single-AZ ALB is
    refused before deploy (`ingresslib preflight eks` checks it against the account)."""

    id: SubnetId
    zone: Zone


class AccessLogs(Model):
    """Load balancer access logs to S3; the bucket policy must let ELB write (AWS docs)."""

    bucket: BucketName
    prefix: str = Field(default="", pattern=r"^[A-Za-z0-9!_.*'()/-]*$", max_length=200)


class Nlb(Model):
    """The NLB the AWS Load Balancer Controller makes from the gateway Service (topology
    gateway). IP targets by default: the NLB sends to pod IPs, so readiness gates apply."""

    target_type: Literal["ip", "instance"] = "ip"
    cross_zone: bool = True
    # Empty: the controller discovers subnets by their kubernetes.io/role/(internal-)elb tags.
    subnets: list[Subnet] = []
    elastic_ips: list[EipAllocation] = []
    proxy_protocol: bool = False
    preserve_client_ip: bool = True
    connection_termination: bool = True
    ssl_policy: SslPolicy | None = None
    access_logs: AccessLogs | None = None


class AlbBackend(Model):
    """How the ALB reaches one routing backend in topology standalone (its target group)."""

    # The pods' container port (the Service's targetPort); the backend's port when unset.
    target_port: int | None = Field(default=None, ge=1, le=65535)
    health_check_path: str = Field(default="/", pattern=r"^/[^\s]*$", max_length=1024)
    health_check_matcher: HealthMatcher = "200-399"


class Alb(Model):
    """The ALB of topologies chained and standalone, created with pulumi-aws.

    `targetSecurityGroup` is the security group on the ENIs holding the target pods' IPs: with
    the VPC CNI's defaults pods share their node's ENIs, so it is the node (EKS cluster)
    security group; with Security Groups for Pods it is the pods' own group. The ALB reaches it
    on the target and health-check ports only.
    """

    vpc_id: VpcId
    subnets: list[Subnet]
    allowed_cidrs: list[Cidr] = Field(min_length=1)
    target_security_group: SecurityGroupId
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    drop_invalid_header_fields: bool = True
    deletion_protection: bool = True
    ssl_policy: SslPolicy | None = None
    web_acl_arn: WebAclArn | None = None
    access_logs: AccessLogs | None = None
    backends: dict[DnsLabel, AlbBackend] = {}


class Route53(Model):
    """Alias records for every listener host, in this hosted zone, to the NLB or ALB."""

    zone: ZoneName
    private: bool = False


class Aws(Model):
    """Everything AWS-specific of an EKS stack; refused on any other cloud."""

    # The EKS cluster's name: `ingresslib preflight eks` checks it exists.
    cluster: ClusterName | None = None
    nlb: Nlb | None = None
    alb: Alb | None = None
    dns: Route53 | None = None


def uses_alb(cfg: StackConfig) -> bool:
    return cfg.cloud == "eks" and cfg.topology in ("chained", "standalone")


def uses_nlb(cfg: StackConfig) -> bool:
    return cfg.cloud == "eks" and cfg.topology == "gateway"


def nlb_settings(cfg: StackConfig) -> Nlb:
    return (cfg.aws.nlb if cfg.aws else None) or Nlb()


def creates_aws_resources(cfg: StackConfig) -> bool:
    """Whether the stack creates AWS resources itself (with pulumi-aws): ACM certificates, an
    ALB or Route53 records. The NLB of topology gateway is the controller's, not Pulumi's."""
    if cfg.cloud != "eks":
        return False
    acm = any(isinstance(c, AcmCertificate) for c in cfg.certificates.values())
    return acm or uses_alb(cfg) or bool(cfg.aws and cfg.aws.dns)


def acm_listeners(cfg: StackConfig) -> list[Listener]:
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


def ip_targets(cfg: StackConfig) -> bool:
    """Whether the AWS load balancer sends to the gateway pods' IPs (readiness gates apply)."""
    if cfg.cloud != "eks" or cfg.workload is None:
        return False
    return cfg.topology == "chained" or nlb_settings(cfg).target_type == "ip"


def aws_problems(cfg: StackConfig) -> Iterator[Problem]:
    """Every AWS rule of the stack; nothing when the stack is not on EKS (placement refuses AWS
    settings there)."""
    if cfg.cloud != "eks":
        return
    aws = cfg.aws or Aws()
    yield from _certificate_zone_problems(cfg)
    if aws.dns is not None:
        yield from _dns_problems(cfg, aws.dns)
    if cfg.topology == "gateway":
        yield from _nlb_problems(cfg, aws.nlb or Nlb())
        return
    if aws.alb is None:
        yield Problem("aws.alb", None, f"topology {cfg.topology} on EKS needs an ALB: set "
                      "aws.alb with vpcId, subnets (two or more zones), allowedCidrs and "
                      "targetSecurityGroup")
        return
    from ingresslib.aws.alb_rules import alb_route_problems  # noqa: PLC0415 (import cycle)

    yield from _alb_problems(cfg, aws.alb)
    yield from alb_route_problems(cfg, aws.alb)


def _subnet_problems(path: str, subnets: list[Subnet]) -> Iterator[Problem]:
    seen_ids: dict[str, int] = {}
    seen_zones: dict[str, int] = {}
    for i, subnet in enumerate(subnets):
        if subnet.id in seen_ids:
            yield Problem(f"{path}[{i}].id", subnet.id,
                          f"duplicates {path}[{seen_ids[subnet.id]}].id")
        elif subnet.zone in seen_zones:
            yield Problem(f"{path}[{i}].zone", subnet.zone,
                          f"{path}[{seen_zones[subnet.zone]}] is already in this zone; a load "
                          "balancer takes one subnet per availability zone")
        seen_ids.setdefault(subnet.id, i)
        seen_zones.setdefault(subnet.zone, i)


def _enables_proxy_protocol(key: str, value: str) -> bool:
    if key == PROXY_ANNOTATIONS[0]:
        return True  # its only valid value, "*", turns PROXY protocol v2 on
    return key == PROXY_ANNOTATIONS[1] and (
        "proxy_protocol_v2.enabled=true" in value.replace(" ", "").lower())


def _managed_annotation_problems(cfg: StackConfig, nlb: Nlb) -> Iterator[Problem]:
    wl = cfg.workload
    assert wl is not None
    for key, value in sorted(wl.service.annotations.items()):
        if _enables_proxy_protocol(key, value) and not nlb.proxy_protocol:
            yield Problem(f"gateway.service.annotations.{key}", value,
                          "enables PROXY protocol on the NLB only, while the gateway pods would "
                          "not expect it (every request would fail to parse); set "
                          "aws.nlb.proxyProtocol: true, which configures both sides")
        elif key.startswith(LBC_ANNOTATION_PREFIXES):
            yield Problem(f"gateway.service.annotations.{key}", value,
                          "is set by ingresslib from aws.nlb and loadBalancer; configure it "
                          "there")
    if "proxy.istio.io/config" in wl.pod_annotations:
        yield Problem("gateway.podAnnotations.proxy.istio.io/config",
                      wl.pod_annotations["proxy.istio.io/config"],
                      "is set by ingresslib (drain, trusted proxies and PROXY protocol, which "
                      "must match the load balancer); use gateway.drain and "
                      "aws.nlb.proxyProtocol")


def _nlb_problems(cfg: StackConfig, nlb: Nlb) -> Iterator[Problem]:
    wl = cfg.workload
    assert wl is not None
    yield from _subnet_problems("aws.nlb.subnets", nlb.subnets)
    yield from _managed_annotation_problems(cfg, nlb)
    if wl.service.load_balancer_class not in (None, LBC_CLASS):
        yield Problem("gateway.service.loadBalancerClass", wl.service.load_balancer_class,
                      f"the AWS Load Balancer Controller only reconciles class {LBC_CLASS} (or "
                      "none, with the annotations ingresslib sets); remove it")
    if nlb.elastic_ips:
        if cfg.load_balancer.scheme != "internet-facing":
            yield Problem("aws.nlb.elasticIps", nlb.elastic_ips,
                          "Elastic IPs need an internet-facing NLB (loadBalancer.scheme)")
        if len(nlb.elastic_ips) != len(nlb.subnets):
            yield Problem("aws.nlb.elasticIps", nlb.elastic_ips,
                          f"{len(nlb.elastic_ips)} Elastic IP(s) for {len(nlb.subnets)} "
                          "subnet(s) in aws.nlb.subnets: the NLB takes exactly one per subnet, "
                          "in order; list the subnets or match the counts")
        if len(set(nlb.elastic_ips)) != len(nlb.elastic_ips):
            yield Problem("aws.nlb.elasticIps", nlb.elastic_ips, "lists an allocation twice")
    if wl.service.load_balancer_source_ranges and not nlb.preserve_client_ip:
        yield Problem("aws.nlb.preserveClientIp", False,
                      "the AWS Load Balancer Controller ignores "
                      "gateway.service.loadBalancerSourceRanges when client IP preservation "
                      "is off, so every address would be let in; keep it true or remove the "
                      "ranges")
    if not nlb.preserve_client_ip and not nlb.proxy_protocol and nlb.target_type == "ip":
        rules = cfg.security.authorization if cfg.security else []
        for i, rule in enumerate(rules):
            if rule.client_cidrs or rule.not_client_cidrs:
                yield Problem(f"security.authorization[{i}]", rule.name,
                              "matches client CIDRs, but with client IP preservation off and "
                              "no PROXY protocol the gateway sees the NLB's address; set "
                              "aws.nlb.preserveClientIp or aws.nlb.proxyProtocol")
    yield from _terminating_listener_problems(cfg, nlb.ssl_policy, "aws.nlb.sslPolicy",
                                              acm_listeners(cfg), "NLB")
    ports: dict[int, set[bool]] = {}
    acm = {lst.name for lst in acm_listeners(cfg)}
    for lst in cfg.listeners:
        if lst.protocol != "HTTP":
            ports.setdefault(lst.port, set()).add(lst.name in acm)
    for i, lst in enumerate(cfg.listeners):
        if lst.port in ports and len(ports[lst.port]) > 1 and lst.name in acm:
            assert lst.tls is not None
            yield Problem(f"listeners[{i}].tls.certificate", lst.tls.certificate,
                          f"port {lst.port} mixes ACM certificates (TLS ends at the NLB) with "
                          "certificates the gateway presents; the NLB terminates a whole port "
                          "or none of it: use one kind per port")


def _terminating_listener_problems(
    cfg: StackConfig, policy: str | None, policy_path: str, listeners: list[Listener], lb: str
) -> Iterator[Problem]:
    """Listeners whose TLS an AWS load balancer terminates: no client certificates, no cipher
    lists (the ELB security policy decides), and a policy that meets their minimum version."""
    for lst in listeners:
        i = cfg.listeners.index(lst)
        assert lst.tls is not None
        if lst.tls.mode == "MUTUAL":
            yield Problem(f"listeners[{i}].tls.mode", "MUTUAL",
                          f"certificate {lst.tls.certificate} is from ACM, so the {lb} "
                          "terminates TLS and cannot ask for client certificates; use a "
                          "certificate the gateway presents (secret, certManager) for MUTUAL")
        if lst.tls.cipher_suites:
            yield Problem(f"listeners[{i}].tls.cipherSuites", lst.tls.cipher_suites,
                          f"the {lb} picks ciphers from its security policy; remove them and "
                          f"set {policy_path}")
        if policy and lst.tls.min_protocol_version == "TLSV1_3" and "TLS13-1-3" not in policy:
            yield Problem(policy_path, policy,
                          f"listeners[{i}] requires TLS 1.3 and this policy accepts TLS 1.2; "
                          f"use {SSL_POLICY_DEFAULT['TLSV1_3']}")


def _alb_problems(cfg: StackConfig, alb: Alb) -> Iterator[Problem]:
    yield from _subnet_problems("aws.alb.subnets", alb.subnets)
    zones = {s.zone for s in alb.subnets}
    if len(zones) < 2:
        yield Problem("aws.alb.subnets", [s.id for s in alb.subnets],
                      "an ALB needs subnets in at least two availability zones, and these are "
                      f"all in {', '.join(sorted(zones)) or 'none'}; add a subnet in another "
                      "zone")
    acm = acm_listeners(cfg)
    for i, lst in enumerate(cfg.listeners):
        if lst.protocol == "TLS":
            yield Problem(f"listeners[{i}].protocol", "TLS",
                          "an ALB cannot pass TLS through; use topology gateway (NLB) for "
                          "PASSTHROUGH listeners")
        elif lst.protocol == "HTTPS" and lst not in acm:
            source = cfg.certificates.get(lst.tls.certificate) if lst.tls and (
                lst.tls.certificate) else None
            yield Problem(f"listeners[{i}].tls.certificate",
                          lst.tls.certificate if lst.tls else None,
                          f"the ALB terminates TLS and presents ACM certificates only (this one "
                          f"is source {getattr(source, 'source', 'unknown')}); use a "
                          "certificate with source acm")
    if not acm:
        yield Problem("listeners", [lst.name for lst in cfg.listeners],
                      f"topology {cfg.topology} on EKS serves clients through an ALB, which "
                      "needs an HTTPS listener with an ACM certificate; add one (certificates "
                      "with source acm)")
    yield from _terminating_listener_problems(cfg, alb.ssl_policy, "aws.alb.sslPolicy", acm,
                                              "ALB")
    protocols: dict[int, tuple[str, int]] = {}
    for i, lst in enumerate(cfg.listeners):
        first = protocols.setdefault(lst.port, (lst.protocol, i))
        if first[0] != lst.protocol:
            yield Problem(f"listeners[{i}].protocol", lst.protocol,
                          f"port {lst.port} is {first[0]} in listeners[{first[1]}]; an ALB "
                          "listener has one protocol: use another port")
    if cfg.topology == "chained" and alb.backends:
        yield Problem("aws.alb.backends", sorted(alb.backends),
                      "in topology chained the ALB sends everything to the Istio gateway; "
                      "backends apply to topology standalone only: remove it")


def _certificate_zone_problems(cfg: StackConfig) -> Iterator[Problem]:
    for key, cert in cfg.certificates.items():
        if isinstance(cert, AcmCertificate) and cert.validation_zone:
            for name in cert.dns_names:
                if not in_zone(name, cert.validation_zone):
                    yield Problem(f"certificates.{key}.dnsNames", name,
                                  f"is outside validationZone {cert.validation_zone}, where "
                                  "the DNS validation record must go; use a zone that holds "
                                  "every name, or an existing certificate (arn)")


def _dns_problems(cfg: StackConfig, dns: Route53) -> Iterator[Problem]:
    for i, lst in enumerate(cfg.listeners):
        for host in lst.hosts:
            if host != "*" and not in_zone(host, dns.zone):
                yield Problem(f"listeners[{i}].hosts", host,
                              f"is outside aws.dns.zone {dns.zone}, so no alias record can "
                              "point it at the load balancer; use a zone that holds every "
                              "host, or manage this record elsewhere")


def in_zone(host: Host, zone: str) -> bool:
    name = host.removeprefix("*.")
    return name == zone or name.endswith(f".{zone}")


def record_hosts(cfg: StackConfig) -> list[str]:
    """The hosts that get an alias record: every listener host but '*', once, sorted."""
    return sorted({h for lst in cfg.listeners for h in lst.hosts if h != "*"})


def certificate_covers(names: list[str], host: str) -> bool:
    return any(host_covers(name, host) for name in names)
