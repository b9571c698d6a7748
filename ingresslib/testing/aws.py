"""Replay a render's AWS resources into an AWS API through boto3, so that AWS (in tests: moto,
under `moto.mock_aws`) checks every reference between them.

A render registers resources under mocks, with fake identifiers (`ingresslib.offline.aws`).
The replay recomputes those fakes, creates each resource with real boto3 calls in dependency
order, and maps every fake identifier to the one the API returned, so a listener points at
the real target group, a record at the real load balancer. `AwsWorld` first creates what the
config refers to but ingresslib does not create (VPC, subnets, the targets' security group,
Elastic IPs, existing certificates, hosted zones, the web ACL, the cluster). The AWS Load
Balancer Controller's part, the NLB of a gateway Service, is emulated from its annotations.

moto accepts some things AWS refuses; the replay refuses them itself (ReplayError): an ALB in
one zone, an HTTPS/TLS listener without an issued certificate, an alias record to no load
balancer, unknown load balancer and target group attributes, Elastic IPs that do not match
the subnets.

    with moto.mock_aws():
        result = replay_stack("stacks/eks", "chained", boto3.Session(region_name="eu-west-1"))

Import moto before creating the boto3 session: moto hooks the sessions created after it.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3

from ingresslib.aws.clients import client
from ingresslib.config import parse_config
from ingresslib.config.aws import nlb_settings
from ingresslib.config.certificates import AcmCertificate
from ingresslib.config.stack import StackConfig
from ingresslib.offline import aws as fakes
from ingresslib.offline.output import manifests, plan
from ingresslib.offline.runner import Project, run_project

Obj = dict[str, Any]
LBC = "service.beta.kubernetes.io/aws-load-balancer-"
CONTROLLER = "controller:service"  # the pseudo-type of an NLB the controller makes

# Attribute keys AWS accepts (moto accepts any): a typo would fail only at deploy time.
ALB_ATTRIBUTES = {
    "access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix",
    "client_keep_alive.seconds", "deletion_protection.enabled", "idle_timeout.timeout_seconds",
    "load_balancing.cross_zone.enabled", "routing.http.desync_mitigation_mode",
    "routing.http.drop_invalid_header_fields.enabled", "routing.http.preserve_host_header.enabled",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
    "routing.http.xff_client_port.enabled", "routing.http.xff_header_processing.mode",
    "routing.http2.enabled", "waf.fail_open.enabled", "zonal_shift.config.enabled",
}
NLB_ATTRIBUTES = {
    "access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix",
    "deletion_protection.enabled", "dns_record.client_routing_policy",
    "ipv6.deny_all_igw_traffic", "load_balancing.cross_zone.enabled",
    "zonal_shift.config.enabled",
}
ALB_TG_ATTRIBUTES = {
    "deregistration_delay.timeout_seconds", "load_balancing.algorithm.type",
    "load_balancing.algorithm.anomaly_mitigation", "load_balancing.cross_zone.enabled",
    "slow_start.duration_seconds", "stickiness.enabled", "stickiness.type",
    "stickiness.lb_cookie.duration_seconds", "stickiness.app_cookie.cookie_name",
    "stickiness.app_cookie.duration_seconds",
}
NLB_TG_ATTRIBUTES = {
    "deregistration_delay.timeout_seconds", "deregistration_delay.connection_termination.enabled",
    "load_balancing.cross_zone.enabled", "preserve_client_ip.enabled",
    "proxy_protocol_v2.enabled", "stickiness.enabled", "stickiness.type",
    "target_health_state.unhealthy.connection_termination.enabled",
    "target_health_state.unhealthy.draining_interval_seconds",
}
_ID_KEYS = ("id", "arn", "dnsName", "zoneId", "fqdn", "hostname", "resourceRecordName",
            "resourceRecordValue")


class ReplayError(Exception):
    """AWS would refuse the render: a dangling reference, or a value AWS rejects."""


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
    def build(cls, cfg: StackConfig, session: boto3.Session, *, with_cluster: bool = True
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
            real = world.subnet(zone, f"10.0.{i}.0/24", {role: "1"})
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


@dataclass(frozen=True)
class Entry:
    """One resource to create: a plan entry, or the NLB the controller makes for a Service."""

    type: str
    name: str
    inputs: Obj


@dataclass
class Replayed:
    """What the replay created: each fake identifier's real value, and the resources in the
    order they were created, as (type, name, real outputs)."""

    ids: dict[str, str]
    created: list[tuple[str, str, Obj]]

    def real(self, fake: str) -> str:
        return self.ids[fake]


def replay_stack(directory: str | os.PathLike[str], stack: str, session: boto3.Session
                 ) -> Replayed:
    """Render the stack offline, build its world through `session` and replay the render."""
    config = Project.load(directory).stack_config(stack)
    cfg = parse_config(json.loads(config["ingress:stack"]), "ingress:stack")
    records = run_project(directory, stack)
    world = AwsWorld.build(cfg, session, with_cluster=False)
    return replay(plan(records), manifests(records), world)


def replay(plan_entries: list[Obj], objects: list[Obj], world: AwsWorld) -> Replayed:
    """Create `plan_entries` (a render's plan.json) and the NLBs the controller would make for
    `objects` (its manifests) through the world's session; check the TargetGroupBindings."""
    entries = [Entry(e["type"], e["name"], e["inputs"]) for e in plan_entries]
    entries += [Entry(CONTROLLER, f"{o['metadata']['namespace']}/{o['metadata']['name']}", o)
                for o in objects if _controller_service(o)]
    fake = {i: _fake_outputs(e, world.region) for i, e in enumerate(entries)}
    provided = set().union(*(_identifiers(fake[i], e.inputs) for i, e in enumerate(entries)))
    state = _Replay(world, dict(world.ids))
    for i in _dependency_order(entries, fake):
        entry = entries[i]
        handler = _HANDLERS.get(entry.type)
        if handler is None:
            raise ReplayError(f"{entry.type} {entry.name}: the replay cannot create this type")
        inputs = state.substitute(entry.inputs)
        dangling = sorted({v for v in _leaves(inputs) if v in provided})
        if dangling:
            raise ReplayError(f"{entry.type} {entry.name} refers to {dangling}, which no "
                              "replayed resource created")
        real = handler(state, entry.name, inputs)
        state.pair(fake[i], real)
        state.created.append((entry.type, entry.name, real))
    for obj in objects:
        if obj["kind"] == "TargetGroupBinding":
            state.check_binding(obj)
    return Replayed(state.ids, state.created)


def _controller_service(obj: Obj) -> bool:
    annotations = obj["metadata"].get("annotations") or {}
    return obj["kind"] == "Service" and obj["spec"].get("type") == "LoadBalancer" and (
        annotations.get(f"{LBC}type") == "external")


def _fake_outputs(entry: Entry, region: str) -> Obj:
    if entry.type == CONTROLLER:
        meta = entry.inputs["metadata"]
        name = fakes.controller_lb_name(meta["namespace"], meta["name"])
        lb = fakes.controller_nlb(name, region)
        return {"hostname": lb["dnsName"], "dnsName": lb["dnsName"], "zoneId": lb["zoneId"],
                "arn": lb["arn"]}
    return fakes.computed(entry.type, entry.name, entry.inputs, region)


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, str):
        yield value
        if "," in value:  # comma-joined annotation values (certificate ARNs)
            yield from (part.strip() for part in value.split(","))


def _identifiers(outputs: Obj, inputs: Obj) -> set[str]:
    """The identifiers a resource provides: its ID-like outputs, but not those it merely
    echoes from its inputs (a record's name), except its id: a resource whose id is another's
    identifier (a CertificateValidation) is what users of that identifier must wait for."""
    echoed = set(_leaves(inputs))
    found = set(_leaves(outputs.get("id")))
    for key in _ID_KEYS:
        found |= {v for v in _leaves(_pick(outputs, key)) if v not in echoed}
    return found


def _pick(value: Any, key: str) -> list[Any]:
    if isinstance(value, dict):
        out = [value[key]] if key in value else []
        for k, v in value.items():
            if k != key:
                out += _pick(v, key)
        return out
    if isinstance(value, list):
        return [x for v in value for x in _pick(v, key)]
    return []


def _dependency_order(entries: list[Entry], fake: dict[int, Obj]) -> list[int]:
    """Entries ordered so that each comes after those providing the identifiers it uses."""
    owners: dict[str, set[int]] = {}
    for i, entry in enumerate(entries):
        for ident in _identifiers(fake[i], entry.inputs):
            owners.setdefault(ident, set()).add(i)
    needs = {i: set().union(*(owners.get(v, set()) for v in _leaves(e.inputs))) - {i}
             for i, e in enumerate(entries)}
    order: list[int] = []
    done: set[int] = set()
    while len(order) < len(entries):
        ready = [i for i in range(len(entries)) if i not in done and needs[i] <= done]
        if not ready:
            stuck = sorted(entries[i].name for i in range(len(entries)) if i not in done)
            raise ReplayError(f"circular references between {stuck}")
        order += ready
        done.update(ready)
    return order


@dataclass
class _Replay:
    world: AwsWorld
    ids: dict[str, str]
    created: list[tuple[str, str, Obj]] = field(default_factory=list)
    validated: set[str] = field(default_factory=set)

    def client(self, service: str) -> Any:
        return self.world.client(service)

    def substitute(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if isinstance(value, str):
            if value in self.ids:
                return self.ids[value]
            if "," in value and any(p.strip() in self.ids for p in value.split(",")):
                return ",".join(self.ids.get(p.strip(), p.strip()) for p in value.split(","))
        return value

    def pair(self, fake: Obj, real: Obj) -> None:
        """Map each fake output value to the real one at the same place (first pairing wins:
        a wildcard shares its base name's validation record)."""
        if isinstance(fake, dict) and isinstance(real, dict):
            for key, value in fake.items():
                if key in real:
                    self.pair(value, real[key])
        elif isinstance(fake, list) and isinstance(real, list):
            for f, r in zip(fake, real, strict=False):
                self.pair(f, r)
        elif isinstance(fake, str) and isinstance(real, str):
            self.ids.setdefault(fake, real)

    def require_issued(self, what: str, arns: list[str]) -> None:
        acm = self.client("acm")
        for arn in arns:
            try:
                status = acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
            except acm.exceptions.ResourceNotFoundException:
                raise ReplayError(f"{what}: certificate {arn} does not exist") from None
            if status != "ISSUED" and arn not in self.validated:
                raise ReplayError(f"{what}: certificate {arn} is {status}; AWS attaches ISSUED "
                                  "certificates only (wait on its CertificateValidation)")

    def check_binding(self, obj: Obj) -> None:
        spec = obj["spec"]
        arn = self.ids.get(spec["targetGroupARN"])
        where = f"TargetGroupBinding {obj['metadata']['namespace']}/{obj['metadata']['name']}"
        if arn is None:
            raise ReplayError(f"{where}: target group {spec['targetGroupARN']} was not created")
        group = self.client("elbv2").describe_target_groups(TargetGroupArns=[arn])[
            "TargetGroups"][0]
        if group["TargetType"] != spec["targetType"]:
            raise ReplayError(f"{where}: targetType {spec['targetType']} but the target group "
                              f"registers {group['TargetType']}")
        if group["VpcId"] != self.ids.get(spec["vpcID"], spec["vpcID"]):
            raise ReplayError(f"{where}: vpcID {spec['vpcID']} is not the target group's VPC")


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def _check_attributes(what: str, attributes: dict[str, str], allowed: set[str]) -> None:
    unknown = sorted(set(attributes) - allowed)
    if unknown:
        raise ReplayError(f"{what}: AWS has no attribute(s) {unknown}")
    for key, value in attributes.items():
        if key.endswith(".enabled") and value not in ("true", "false"):
            raise ReplayError(f"{what}: {key} must be true or false, not {value!r}")


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _security_group(state: _Replay, name: str, inputs: Obj) -> Obj:
    ec2 = state.client("ec2")
    group = ec2.create_security_group(
        GroupName=name, Description=inputs.get("description", "Managed by Pulumi"),
        VpcId=inputs["vpcId"],
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(inputs.get("tags"))}],
    )["GroupId"]
    # Like pulumi-aws, drop the allow-all egress rule AWS adds to a new group.
    ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    account = state.client("sts").get_caller_identity()["Account"]
    return {"id": group, "arn": f"arn:aws:ec2:{state.world.region}:{account}:security-group/"
                                f"{group}"}


def _permission(inputs: Obj) -> Obj:
    perm: Obj = {"IpProtocol": inputs["ipProtocol"], "FromPort": inputs["fromPort"],
                 "ToPort": inputs["toPort"]}
    description = inputs.get("description", "")
    if "cidrIpv4" in inputs:
        perm["IpRanges"] = [{"CidrIp": inputs["cidrIpv4"], "Description": description}]
    elif "cidrIpv6" in inputs:
        perm["Ipv6Ranges"] = [{"CidrIpv6": inputs["cidrIpv6"], "Description": description}]
    elif "referencedSecurityGroupId" in inputs:
        perm["UserIdGroupPairs"] = [{"GroupId": inputs["referencedSecurityGroupId"],
                                     "Description": description}]
    else:
        raise ReplayError("a security group rule needs a CIDR or a referenced security group")
    return perm


def _sg_rule(egress: bool) -> Callable[[_Replay, str, Obj], Obj]:
    def create(state: _Replay, name: str, inputs: Obj) -> Obj:
        ec2 = state.client("ec2")
        call = ec2.authorize_security_group_egress if egress else (
            ec2.authorize_security_group_ingress)
        rules = call(GroupId=inputs["securityGroupId"], IpPermissions=[_permission(inputs)])
        rule = rules["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        return {"id": rule, "securityGroupRuleId": rule}
    return create


def _alb_zones(state: _Replay, name: str, subnets: list[str]) -> None:
    found = state.client("ec2").describe_subnets(SubnetIds=subnets)["Subnets"]
    zones = {s["AvailabilityZone"] for s in found}
    if len(zones) < 2:
        raise ReplayError(f"{name}: AWS refuses an ALB in fewer than two availability zones "
                          f"(subnets {subnets} are all in {sorted(zones)})")


def _load_balancer(state: _Replay, name: str, inputs: Obj) -> Obj:
    elbv2 = state.client("elbv2")
    kind = inputs.get("loadBalancerType", "application")
    if kind == "application":
        _alb_zones(state, name, inputs["subnets"])
    lb = elbv2.create_load_balancer(
        Name=fakes.aws_name(name), Subnets=inputs["subnets"],
        SecurityGroups=inputs.get("securityGroups", []),
        Scheme="internal" if inputs.get("internal") else "internet-facing", Type=kind,
        IpAddressType=inputs.get("ipAddressType", "ipv4"), Tags=_tags(inputs.get("tags")),
    )["LoadBalancers"][0]
    attributes = {
        "idle_timeout.timeout_seconds": str(inputs.get("idleTimeout", 60)),
        "routing.http.drop_invalid_header_fields.enabled": _bool(
            inputs.get("dropInvalidHeaderFields")),
        "deletion_protection.enabled": _bool(inputs.get("enableDeletionProtection")),
        "routing.http2.enabled": _bool(inputs.get("enableHttp2", True)),
        "routing.http.desync_mitigation_mode": inputs.get("desyncMitigationMode", "defensive"),
        "routing.http.xff_header_processing.mode": inputs.get("xffHeaderProcessingMode",
                                                              "append"),
    }
    logs = inputs.get("accessLogs")
    if logs:
        attributes |= {"access_logs.s3.enabled": _bool(logs.get("enabled")),
                       "access_logs.s3.bucket": logs["bucket"],
                       "access_logs.s3.prefix": logs.get("prefix", "")}
    _set_lb_attributes(state, name, lb["LoadBalancerArn"], attributes, ALB_ATTRIBUTES)
    return _lb_outputs(lb)


def _set_lb_attributes(state: _Replay, what: str, arn: str, attributes: dict[str, str],
                       allowed: set[str]) -> None:
    _check_attributes(what, attributes, allowed)
    state.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()])


def _lb_outputs(lb: Obj) -> Obj:
    arn = lb["LoadBalancerArn"]
    return {"arn": arn, "id": arn, "arnSuffix": arn.split(":loadbalancer/")[1],
            "name": lb["LoadBalancerName"], "dnsName": lb["DNSName"],
            "zoneId": lb["CanonicalHostedZoneId"], "hostname": lb["DNSName"]}


def _target_group(state: _Replay, name: str, inputs: Obj) -> Obj:
    elbv2 = state.client("elbv2")
    hc = inputs.get("healthCheck", {})
    group = elbv2.create_target_group(
        Name=fakes.aws_name(name), Protocol=inputs["protocol"],
        ProtocolVersion=inputs.get("protocolVersion", "HTTP1"), Port=inputs["port"],
        VpcId=inputs["vpcId"], TargetType=inputs["targetType"],
        HealthCheckEnabled=hc.get("enabled", True), HealthCheckProtocol=hc.get("protocol", "HTTP"),
        HealthCheckPort=hc.get("port", "traffic-port"), HealthCheckPath=hc.get("path", "/"),
        HealthCheckIntervalSeconds=hc.get("interval", 30),
        HealthCheckTimeoutSeconds=hc.get("timeout", 5),
        HealthyThresholdCount=hc.get("healthyThreshold", 5),
        UnhealthyThresholdCount=hc.get("unhealthyThreshold", 2),
        Matcher={"HttpCode": hc.get("matcher", "200")}, Tags=_tags(inputs.get("tags")),
    )["TargetGroups"][0]
    attributes = {
        "deregistration_delay.timeout_seconds": str(inputs.get("deregistrationDelay", 300)),
        "load_balancing.algorithm.type": inputs.get("loadBalancingAlgorithmType", "round_robin"),
    }
    _check_attributes(name, attributes, ALB_TG_ATTRIBUTES)
    elbv2.modify_target_group_attributes(
        TargetGroupArn=group["TargetGroupArn"],
        Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()])
    arn = group["TargetGroupArn"]
    return {"arn": arn, "id": arn, "arnSuffix": arn.split(":")[-1],
            "name": group["TargetGroupName"]}


def _action(action: Obj) -> Obj:
    out: Obj = {"Type": action["type"]}
    if "targetGroupArn" in action:
        out["TargetGroupArn"] = action["targetGroupArn"]
    if "forward" in action:
        out["ForwardConfig"] = {"TargetGroups": [
            {"TargetGroupArn": g["arn"], "Weight": g.get("weight", 1)}
            for g in action["forward"]["targetGroups"]]}
    if "redirect" in action:
        r = action["redirect"]
        out["RedirectConfig"] = {
            "Protocol": r.get("protocol", "#{protocol}"), "Port": r.get("port", "#{port}"),
            "Host": r.get("host", "#{host}"), "Path": r.get("path", "/#{path}"),
            "Query": r.get("query", "#{query}"), "StatusCode": r["statusCode"]}
    if "fixedResponse" in action:
        f = action["fixedResponse"]
        out["FixedResponseConfig"] = {"StatusCode": f["statusCode"],
                                      "ContentType": f.get("contentType", "text/plain"),
                                      "MessageBody": f.get("messageBody", "")}
    return out


def _condition(condition: Obj) -> Obj:
    if "hostHeader" in condition:
        return {"Field": "host-header",
                "HostHeaderConfig": {"Values": condition["hostHeader"]["values"]}}
    if "pathPattern" in condition:
        return {"Field": "path-pattern",
                "PathPatternConfig": {"Values": condition["pathPattern"]["values"]}}
    if "httpRequestMethod" in condition:
        return {"Field": "http-request-method",
                "HttpRequestMethodConfig": {"Values": condition["httpRequestMethod"]["values"]}}
    if "httpHeader" in condition:
        header = condition["httpHeader"]
        return {"Field": "http-header", "HttpHeaderConfig": {
            "HttpHeaderName": header["httpHeaderName"], "Values": header["values"]}}
    if "queryStrings" in condition:
        return {"Field": "query-string", "QueryStringConfig": {"Values": [
            {"Key": q["key"], "Value": q["value"]} for q in condition["queryStrings"]]}}
    raise ReplayError(f"the replay cannot translate the rule condition {sorted(condition)}")


def _listener(state: _Replay, name: str, inputs: Obj) -> Obj:
    args: Obj = {
        "LoadBalancerArn": inputs["loadBalancerArn"], "Protocol": inputs["protocol"],
        "Port": inputs["port"], "DefaultActions": [_action(a) for a in inputs["defaultActions"]],
    }
    if inputs["protocol"] in ("HTTPS", "TLS"):
        if not inputs.get("certificateArn"):
            raise ReplayError(f"{name}: AWS refuses an {inputs['protocol']} listener without a "
                              "certificate")
        state.require_issued(name, [inputs["certificateArn"]])
        args |= {"Certificates": [{"CertificateArn": inputs["certificateArn"]}],
                 "SslPolicy": inputs.get("sslPolicy", "ELBSecurityPolicy-2016-08")}
    arn = state.client("elbv2").create_listener(**args)["Listeners"][0]["ListenerArn"]
    return {"arn": arn, "id": arn}


def _listener_certificate(state: _Replay, name: str, inputs: Obj) -> Obj:
    state.require_issued(name, [inputs["certificateArn"]])
    state.client("elbv2").add_listener_certificates(
        ListenerArn=inputs["listenerArn"], Certificates=[{"CertificateArn": inputs[
            "certificateArn"]}])
    return {"id": f"{inputs['listenerArn']}_{inputs['certificateArn']}"}


def _rule(state: _Replay, name: str, inputs: Obj) -> Obj:
    arn = state.client("elbv2").create_rule(
        ListenerArn=inputs["listenerArn"], Priority=inputs["priority"],
        Conditions=[_condition(c) for c in inputs["conditions"]],
        Actions=[_action(a) for a in inputs["actions"]], Tags=_tags(inputs.get("tags")),
    )["Rules"][0]["RuleArn"]
    return {"arn": arn, "id": arn}


def _certificate(state: _Replay, name: str, inputs: Obj) -> Obj:
    acm = state.client("acm")
    domains = [inputs["domainName"], *inputs.get("subjectAlternativeNames", [])]
    args: Obj = {"DomainName": inputs["domainName"], "ValidationMethod": "DNS",
                 "SubjectAlternativeNames": list(dict.fromkeys(domains))}
    if inputs.get("tags"):
        args["Tags"] = _tags(inputs["tags"])
    arn = acm.request_certificate(**args)["CertificateArn"]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"][
        "DomainValidationOptions"]
    by_domain = {o["DomainName"]: o["ResourceRecord"] for o in options}
    return {"arn": arn, "id": arn, "domainValidationOptions": [
        {"domainName": d, "resourceRecordName": by_domain[d]["Name"],
         "resourceRecordType": by_domain[d]["Type"], "resourceRecordValue": by_domain[d]["Value"]}
        for d in dict.fromkeys(domains)]}


def _records(state: _Replay) -> dict[tuple[str, str], set[str]]:
    """(name, type) -> values of every record in every hosted zone."""
    r53 = state.client("route53")
    out: dict[tuple[str, str], set[str]] = {}
    for zone in r53.list_hosted_zones()["HostedZones"]:
        for rrset in r53.list_resource_record_sets(HostedZoneId=zone["Id"])[
                "ResourceRecordSets"]:
            key = (rrset["Name"].rstrip("."), rrset["Type"])
            out.setdefault(key, set()).update(
                r["Value"] for r in rrset.get("ResourceRecords", []))
    return out


def _certificate_validation(state: _Replay, name: str, inputs: Obj) -> Obj:
    """ACM issues a certificate once every validation CNAME it asked for resolves."""
    arn = inputs["certificateArn"]
    cert = state.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]
    records = _records(state)
    for option in cert["DomainValidationOptions"]:
        rr = option["ResourceRecord"]
        if rr["Value"] not in records.get((rr["Name"].rstrip("."), rr["Type"]), set()):
            raise ReplayError(f"{name}: no {rr['Type']} record {rr['Name']} -> {rr['Value']} "
                              f"validates {option['DomainName']}; ACM would never issue {arn}")
    for fqdn in inputs.get("validationRecordFqdns", []):
        if not any(key[0] == fqdn.rstrip(".") for key in records):
            raise ReplayError(f"{name}: validation record {fqdn} does not exist")
    state.validated.add(arn)
    return {"id": arn, "certificateArn": arn}


def _record(state: _Replay, name: str, inputs: Obj) -> Obj:
    rrset: Obj = {"Name": inputs["name"], "Type": inputs["type"]}
    if inputs.get("aliases"):
        alias = inputs["aliases"][0]
        balancers = state.client("elbv2").describe_load_balancers()["LoadBalancers"]
        if not any(lb["DNSName"].lower() == alias["name"].rstrip(".").lower()
                   and lb["CanonicalHostedZoneId"] == alias["zoneId"] for lb in balancers):
            raise ReplayError(f"{name}: alias to {alias['name']} in zone {alias['zoneId']}, "
                              "which is no load balancer of this account")
        rrset["AliasTarget"] = {"HostedZoneId": alias["zoneId"], "DNSName": alias["name"],
                                "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth"))}
    else:
        rrset |= {"TTL": inputs.get("ttl", 300),
                  "ResourceRecords": [{"Value": v} for v in inputs["records"]]}
    action = "UPSERT" if inputs.get("allowOverwrite") else "CREATE"
    state.client("route53").change_resource_record_sets(
        HostedZoneId=inputs["zoneId"],
        ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": rrset}]})
    return {"id": f"{inputs['zoneId']}_{inputs['name']}_{inputs['type']}",
            "fqdn": inputs["name"].rstrip(".")}


def _web_acl_association(state: _Replay, name: str, inputs: Obj) -> Obj:
    state.client("wafv2").associate_web_acl(WebACLArn=inputs["webAclArn"],
                                            ResourceArn=inputs["resourceArn"])
    return {"id": f"{inputs['webAclArn']},{inputs['resourceArn']}"}


def _pairs(text: str) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in text.split(",") if item.strip())


def _list(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _controller_nlb(state: _Replay, name: str, service: Obj) -> Obj:
    """What the AWS Load Balancer Controller makes of a Service: an NLB in the annotated (or
    tag-discovered) subnets, a target group and a TCP or TLS listener per port."""
    ann = service["metadata"]["annotations"]
    ec2, elbv2 = state.client("ec2"), state.client("elbv2")
    scheme = ann.get(f"{LBC}scheme", "internal")
    subnets = _list(ann.get(f"{LBC}subnets"))
    if not subnets:
        role = "kubernetes.io/role/elb" if scheme == "internet-facing" else (
            "kubernetes.io/role/internal-elb")
        found = ec2.describe_subnets(Filters=[{"Name": "tag-key", "Values": [role]},
                                              {"Name": "vpc-id", "Values": [state.world.vpc_id]}])
        by_zone = {s["AvailabilityZone"]: s["SubnetId"] for s in found["Subnets"]}
        subnets = [by_zone[z] for z in sorted(by_zone)]
    eips = _list(ann.get(f"{LBC}eip-allocations"))
    if eips and len(eips) != len(subnets):
        raise ReplayError(f"Service {name}: {len(eips)} EIP allocation(s) for {len(subnets)} "
                          "subnet(s); the controller refuses the Service")
    if eips:  # moto maps any allocation ID; AWS needs existing ones
        ec2.describe_addresses(AllocationIds=eips)
    mappings = [{"SubnetId": s, **({"AllocationId": eips[i]} if eips else {})}
                for i, s in enumerate(subnets)]
    lb_name = fakes.controller_lb_name(*name.split("/"))
    lb = elbv2.create_load_balancer(Name=lb_name, SubnetMappings=mappings, Scheme=scheme,
                                    Type="network")["LoadBalancers"][0]
    _set_lb_attributes(state, f"Service {name}", lb["LoadBalancerArn"],
                       _pairs(ann.get(f"{LBC}attributes", "")), NLB_ATTRIBUTES)
    tg_attributes = _pairs(ann.get(f"{LBC}target-group-attributes", ""))
    _check_attributes(f"Service {name}", tg_attributes, NLB_TG_ATTRIBUTES)
    ssl_ports = set(_list(ann.get(f"{LBC}ssl-ports")))
    certificates = _list(ann.get(f"{LBC}ssl-cert"))
    target_type = ann.get(f"{LBC}nlb-target-type", "instance")
    for port in service["spec"]["ports"]:
        group = elbv2.create_target_group(
            Name=fakes.aws_name(f"{lb_name}-{port['port']}"), Protocol="TCP",
            Port=port["targetPort"], VpcId=state.world.vpc_id, TargetType=target_type,
            HealthCheckProtocol=ann.get(f"{LBC}healthcheck-protocol", "tcp").upper(),
            HealthCheckPort=ann.get(f"{LBC}healthcheck-port", "traffic-port"),
            **({"HealthCheckPath": ann[f"{LBC}healthcheck-path"]}
               if f"{LBC}healthcheck-path" in ann else {}),
        )["TargetGroups"][0]
        if tg_attributes:
            elbv2.modify_target_group_attributes(
                TargetGroupArn=group["TargetGroupArn"],
                Attributes=[{"Key": k, "Value": v} for k, v in tg_attributes.items()])
        args: Obj = {"LoadBalancerArn": lb["LoadBalancerArn"], "Port": port["port"],
                     "Protocol": "TCP", "DefaultActions": [
                         {"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}]}
        if str(port["port"]) in ssl_ports or port.get("name") in ssl_ports:
            if not certificates:
                raise ReplayError(f"Service {name}: TLS port {port['port']} has no "
                                  "certificate")
            state.require_issued(f"Service {name}", certificates)
            args |= {"Protocol": "TLS", "Certificates": [{"CertificateArn": certificates[0]}],
                     "SslPolicy": ann.get(f"{LBC}ssl-negotiation-policy",
                                          "ELBSecurityPolicy-2016-08"),
                     "AlpnPolicy": [ann.get(f"{LBC}alpn-policy", "None")]}
        listener = elbv2.create_listener(**args)["Listeners"][0]
        if args["Protocol"] == "TLS" and certificates[1:]:
            elbv2.add_listener_certificates(
                ListenerArn=listener["ListenerArn"],
                Certificates=[{"CertificateArn": c} for c in certificates[1:]])
    return _lb_outputs(lb)


_HANDLERS: dict[str, Callable[[_Replay, str, Obj], Obj]] = {
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule(egress=False),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule(egress=True),
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:lb/listenerCertificate:ListenerCertificate": _listener_certificate,
    "aws:lb/listenerRule:ListenerRule": _rule,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": _certificate_validation,
    "aws:route53/record:Record": _record,
    "aws:wafv2/webAclAssociation:WebAclAssociation": _web_acl_association,
    CONTROLLER: _controller_nlb,
}
