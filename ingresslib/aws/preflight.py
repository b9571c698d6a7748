"""`ingresslib preflight eks`: an AWS account checked with boto3 before `pulumi up`.

The config can be valid and the deploy still fail, or worse succeed half-way, because the
account does not hold what it names: the cluster, subnets the AWS Load Balancer Controller can
use, issued certificates that cover the hosts, the hosted zone. These checks read only (no
call changes the account) and report every problem with the config path to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ingresslib.aws.clients import client
from ingresslib.aws.config import AcmCertificate, EksStack, Subnet, certificate_covers, nlb_settings
from ingresslib.errors import Problem


def preflight(cfg: EksStack, session: boto3.Session) -> list[Problem]:
    """Every problem the account has with `cfg`; empty when `pulumi up` can proceed."""
    region = session.region_name
    if not region:
        return [Problem("aws:region", None, "no region: set aws:region in the stack, "
                        "AWS_REGION, or pass --region")]
    check = _Checks(cfg, session, region)
    return [*check.cluster(), *check.subnets(), *check.security_group(), *check.elastic_ips(),
            *check.certificates(), *check.zones(), *check.web_acl()]


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class _Checks:
    def __init__(self, cfg: EksStack, session: boto3.Session, region: str) -> None:
        self.cfg = cfg
        self.session = session
        self.region = region
        self.aws = cfg.aws
        self.alb = cfg.aws.alb if cfg.aws and cfg.topology != "gateway" else None
        self.nlb = nlb_settings(cfg) if cfg.topology == "gateway" else None
        self.vpc: str | None = None

    def client(self, service: str) -> Any:
        return client(self.session, service, self.region)

    def cluster(self) -> Iterator[Problem]:
        name = self.aws.cluster if self.aws else None
        if name is None:
            yield Problem("aws.cluster", None, "not set; name the EKS cluster so preflight can "
                          "check it and the VPC its load balancers go in")
            return
        try:
            cluster = self.client("eks").describe_cluster(name=name)["cluster"]
        except ClientError as e:
            if _code(e) != "ResourceNotFoundException":
                raise
            yield Problem("aws.cluster", name, f"no EKS cluster of that name in {self.region}; "
                          "check the name and the region (aws:region)")
            return
        if cluster.get("status") != "ACTIVE":
            yield Problem("aws.cluster", name, f"the cluster is {cluster.get('status')}; wait "
                          "until it is ACTIVE")
        vpc_config = cluster.get("resourcesVpcConfig") or {}
        self.vpc = vpc_config.get("vpcId") or self._vpc_of(vpc_config.get("subnetIds") or [])
        if self.alb and self.vpc and self.alb.vpc_id != self.vpc:
            yield Problem("aws.alb.vpcId", self.alb.vpc_id, f"the cluster runs in {self.vpc}; "
                          "the ALB's target groups must be in the pods' VPC")

    def _vpc_of(self, subnets: list[str]) -> str | None:
        if not subnets:
            return None
        found = self.client("ec2").describe_subnets(SubnetIds=subnets[:1])["Subnets"]
        return str(found[0]["VpcId"]) if found else None

    def _role(self) -> str:
        if self.cfg.load_balancer.scheme == "internet-facing":
            return "kubernetes.io/role/elb"
        return "kubernetes.io/role/internal-elb"

    def subnets(self) -> Iterator[Problem]:
        listed = self.alb.subnets if self.alb else self.nlb.subnets if self.nlb else []
        path = "aws.alb.subnets" if self.alb else "aws.nlb.subnets"
        role = self._role()
        if listed:
            for i, subnet in enumerate(listed):
                yield from self._subnet(f"{path}[{i}]", subnet, role)
            return
        if self.vpc is None:
            return
        found = self.client("ec2").describe_subnets(Filters=[
            {"Name": "vpc-id", "Values": [self.vpc]}, {"Name": "tag-key", "Values": [role]}])
        zones = sorted({s["AvailabilityZone"] for s in found["Subnets"]})
        if len(zones) < 2:
            yield Problem(path, [], f"the AWS Load Balancer Controller picks subnets tagged "
                          f"{role}, and the cluster's VPC {self.vpc} has them in {len(zones)} "
                          f"zone(s) {zones}; tag subnets in two or more zones, or list them "
                          f"in {path}")

    def _subnet(self, path: str, subnet: Subnet, role: str) -> Iterator[Problem]:
        try:
            found = self.client("ec2").describe_subnets(SubnetIds=[subnet.id])["Subnets"][0]
        except ClientError as e:
            if _code(e) != "InvalidSubnetID.NotFound":
                raise
            yield Problem(f"{path}.id", subnet.id, f"no such subnet in {self.region}")
            return
        if found["AvailabilityZone"] != subnet.zone:
            yield Problem(f"{path}.zone", subnet.zone,
                          f"subnet {subnet.id} is in {found['AvailabilityZone']}; fix the zone")
        if self.vpc and found["VpcId"] != self.vpc:
            yield Problem(f"{path}.id", subnet.id, f"is in {found['VpcId']}, not the cluster's "
                          f"VPC {self.vpc}")
        tags = {t["Key"] for t in found.get("Tags", [])}
        if role not in tags:
            yield Problem(f"{path}.id", subnet.id,
                          f"lacks the tag {role} that marks subnets for "
                          f"{self.cfg.load_balancer.scheme} load balancers (public subnets for "
                          "internet-facing, private for internal); tag it or pick another")

    def security_group(self) -> Iterator[Problem]:
        if not self.alb:
            return
        group = self.alb.target_security_group
        try:
            found = self.client("ec2").describe_security_groups(GroupIds=[group])[
                "SecurityGroups"][0]
        except ClientError as e:
            if _code(e) != "InvalidGroup.NotFound":
                raise
            yield Problem("aws.alb.targetSecurityGroup", group, "no such security group; give "
                          "the group on the gateway pods' ENIs (the cluster security group)")
            return
        if found["VpcId"] != self.alb.vpc_id:
            yield Problem("aws.alb.targetSecurityGroup", group, f"is in {found['VpcId']}, not "
                          f"aws.alb.vpcId {self.alb.vpc_id}")

    def elastic_ips(self) -> Iterator[Problem]:
        ec2 = self.client("ec2")
        for i, allocation in enumerate(self.nlb.elastic_ips if self.nlb else []):
            try:
                found = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
            except ClientError as e:
                if _code(e) not in ("InvalidAllocationID.NotFound", "InvalidAddress.NotFound"):
                    raise
                yield Problem(f"aws.nlb.elasticIps[{i}]", allocation,
                              f"no such Elastic IP allocation in {self.region}")
                continue
            if found.get("AssociationId"):
                yield Problem(f"aws.nlb.elasticIps[{i}]", allocation,
                              f"is in use ({found['AssociationId']}); the NLB needs free ones")

    def certificates(self) -> Iterator[Problem]:
        acm = self.client("acm")
        for key, cert in sorted(self.cfg.certificates.items()):
            if not isinstance(cert, AcmCertificate) or cert.arn is None:
                continue
            path = f"certificates.{key}.arn"
            region = cert.arn.split(":")[3]
            if region != self.region:
                yield Problem(path, cert.arn, f"is in {region}; a load balancer in "
                              f"{self.region} only uses certificates of its own region")
                continue
            try:
                found = acm.describe_certificate(CertificateArn=cert.arn)["Certificate"]
            except ClientError as e:
                if _code(e) != "ResourceNotFoundException":
                    raise
                yield Problem(path, cert.arn, "no such certificate in ACM")
                continue
            if found["Status"] != "ISSUED":
                yield Problem(path, cert.arn, f"is {found['Status']}; AWS attaches only ISSUED "
                              "certificates (finish its validation, or renew it)")
            names = [found["DomainName"], *found.get("SubjectAlternativeNames", [])]
            for i, lst in enumerate(self.cfg.listeners):
                if lst.tls and lst.tls.certificate == key:
                    for host in lst.hosts:
                        if not certificate_covers(names, host):
                            yield Problem(f"listeners[{i}].hosts", host,
                                          f"is not covered by ACM certificate {key}, which "
                                          f"holds {sorted(set(names))}; reissue it with the "
                                          "host or use another certificate")

    def _zone(self, name: str, private: bool) -> bool:
        zones = self.client("route53").list_hosted_zones_by_name(DNSName=name)["HostedZones"]
        return any(z["Name"].rstrip(".") == name and z["Config"].get("PrivateZone", False)
                   == private for z in zones)

    def zones(self) -> Iterator[Problem]:
        dns = self.aws.dns if self.aws else None
        if dns and not self._zone(dns.zone, dns.private):
            kind = "private" if dns.private else "public"
            yield Problem("aws.dns.zone", dns.zone, f"no {kind} Route53 hosted zone of that "
                          "name; create it or fix the name")
        for key, cert in sorted(self.cfg.certificates.items()):
            if isinstance(cert, AcmCertificate) and cert.validation_zone and not self._zone(
                cert.validation_zone, False
            ):
                yield Problem(f"certificates.{key}.validationZone", cert.validation_zone,
                              "no public Route53 hosted zone of that name, so ACM could never "
                              "validate the certificate")

    def web_acl(self) -> Iterator[Problem]:
        arn = self.alb.web_acl_arn if self.alb else None
        if arn is None:
            return
        name, acl_id = arn.split("/")[-2:]
        try:
            self.client("wafv2").get_web_acl(Name=name, Scope="REGIONAL", Id=acl_id)
        except ClientError as e:
            if _code(e) != "WAFNonexistentItemException":
                raise
            yield Problem("aws.alb.webAclArn", arn, f"no such regional web ACL in {self.region}")
