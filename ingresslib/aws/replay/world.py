"""The account a stack deploys into: what its config names but ingresslib does not create."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import boto3

from ingresslib.aws import fakes
from ingresslib.aws.clients import client
from ingresslib.aws.config import AcmCertificate, EksStack, nlb_settings


@dataclass
class AwsWorld:
    """The account a stack deploys into: what its config refers to but ingresslib does not
    create, made through `session`, and `ids` mapping each configured identifier to the
    real one."""

    session: boto3.Session
    region: str
    vpc_id: str
    ids: dict[str, str] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return client(self.session, service, self.region)

    @classmethod
    def build(cls, cfg: EksStack, session: boto3.Session, *, with_cluster: bool = True
              ) -> AwsWorld:
        """`with_cluster`: also create `aws.cluster` (only preflight reads it; moto's EKS is
        slow to create one)."""
        region = session.region_name or fakes.DEFAULT_REGION
        ec2 = client(session, "ec2", region)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        world = cls(session, region, vpc)
        aws = cfg.aws
        alb = aws.alb if aws else None
        nlb = nlb_settings(cfg) if cfg.topology == "gateway" else None
        if alb:
            world.ids[alb.vpc_id] = vpc
        role = "kubernetes.io/role/elb" if cfg.load_balancer.scheme == "internet-facing" else (
            "kubernetes.io/role/internal-elb")
        subnets = (alb.subnets if alb else nlb.subnets if nlb else []) or []
        zones = [s.zone for s in subnets] or [f"{region}a", f"{region}b"]
        for i, zone in enumerate(zones):
            cidr = (subnets[i].cidr if subnets else None) or f"10.0.{i}.0/24"
            real = world.subnet(zone, cidr, {role: "1"})
            if subnets:
                world.ids[subnets[i].id] = real
        if alb:
            group = ec2.create_security_group(GroupName="eks-cluster-sg", VpcId=vpc,
                                              Description="EKS cluster security group")
            world.ids[alb.target_security_group] = group["GroupId"]
            if alb.web_acl_arn:
                world.ids[alb.web_acl_arn] = world.web_acl(alb.web_acl_arn.split("/")[-2])
        for eip in nlb.elastic_ips if nlb else []:
            world.ids[eip] = ec2.allocate_address(Domain="vpc")["AllocationId"]
        for cert in cfg.certificates.values():
            if isinstance(cert, AcmCertificate) and cert.arn:
                world.ids[cert.arn] = world.issued_certificate(cert.dns_names)
        zones_needed = {(c.validation_zone, False) for c in cfg.certificates.values()
                        if isinstance(c, AcmCertificate) and c.validation_zone}
        if aws and aws.dns:
            zones_needed.add((aws.dns.zone, aws.dns.private))
        for name, private in sorted(zones_needed):
            world.ids[fakes.zone_id(name, private)] = world.hosted_zone(name, private)
        if aws and aws.cluster and with_cluster:
            world.cluster(aws.cluster)
        return world

    def subnet(self, zone: str, cidr: str, tags: dict[str, str]) -> str:
        ec2 = self.client("ec2")
        subnet = ec2.create_subnet(VpcId=self.vpc_id, CidrBlock=cidr, AvailabilityZone=zone)
        real = subnet["Subnet"]["SubnetId"]
        ec2.create_tags(Resources=[real], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        return str(real)

    def web_acl(self, name: str) -> str:
        summary = self.client("wafv2").create_web_acl(
            Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}},
            VisibilityConfig={"SampledRequestsEnabled": False,
                              "CloudWatchMetricsEnabled": False, "MetricName": name},
        )["Summary"]
        return str(summary["ARN"])

    def issued_certificate(self, names: list[str]) -> str:
        """An imported (so ISSUED) certificate for `names`, as an existing ACM ARN stands for."""
        cert, key = self_signed(names)
        return str(self.client("acm").import_certificate(Certificate=cert, PrivateKey=key)[
            "CertificateArn"])

    def hosted_zone(self, name: str, private: bool) -> str:
        args: dict[str, Any] = {"Name": name, "CallerReference": f"{name}-{private}"}
        if private:
            args |= {"HostedZoneConfig": {"PrivateZone": True, "Comment": "ingresslib"},
                     "VPC": {"VPCRegion": self.region, "VPCId": self.vpc_id}}
        zone = self.client("route53").create_hosted_zone(**args)["HostedZone"]
        return str(zone["Id"]).removeprefix("/hostedzone/")

    def cluster(self, name: str) -> None:
        ec2 = self.client("ec2")
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])["Subnets"]]
        self.client("eks").create_cluster(
            name=name, roleArn="arn:aws:iam::123456789012:role/eks-cluster",
            resourcesVpcConfig={"subnetIds": subnets})


def self_signed(names: list[str]) -> tuple[bytes, bytes]:
    """A throwaway certificate and key (PEM) for `names`."""
    from cryptography import x509  # noqa: PLC0415 (a test-time dependency, via moto)
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))
