"""Deterministic stand-ins for what AWS computes, for offline renders (no AWS SDK here).

Each fake is a pure function of the resource's type, name, inputs and the stack's region, so
two renders agree byte for byte, and `ingresslib.aws.replay` can recompute a render's fakes
and map each to the value a real (or moto) account returns.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

from ingresslib.aws.annotations import LBC_TYPE

ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


def digest(*parts: str, n: int = 16) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def aws_name(name: str, limit: int = 32) -> str:
    """A load balancer or target group name (32 characters, letters, digits and '-') for a
    Pulumi resource name, shortened with a hash when too long."""
    clean = re.sub(r"[^A-Za-z0-9-]", "-", name).strip("-")
    if len(clean) <= limit:
        return clean
    return f"{clean[: limit - 9].rstrip('-')}-{digest(name, n=8)}"


def zone_id(name: str, private: bool = False) -> str:
    """A hosted zone ID (Z + 20 upper-case characters) for the zone `name`."""
    return "Z" + digest("zone", name, str(private), n=20).upper()


def canonical_zone_id(kind: str, region: str) -> str:
    """Stand-in for the region's canonical hosted zone of ALBs (`app`) or NLBs (`net`)."""
    return "Z" + digest("canonical", kind, region, n=13).upper()


def controller_lb_name(namespace: str, service: str) -> str:
    """The AWS Load Balancer Controller's NLB name for a Service: k8s-<ns>-<svc>-<hash>."""
    return f"k8s-{namespace[:8]}-{service[:8]}-{digest(namespace, service, n=10)}"


def lb_hostname(name: str, region: str, *, network: bool, internal: bool = False) -> str:
    if network:
        return f"{name}-{digest('dns', name, n=16)}.elb.{region}.amazonaws.com"
    prefix = "internal-" if internal else ""
    return f"{prefix}{name}-{int(digest('dns', name, n=8), 16)}.{region}.elb.amazonaws.com"


def _elb_arn(region: str, kind: str, path: str) -> str:
    return f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:{kind}/{path}"


def controller_nlb(name: str, region: str) -> dict[str, Any]:
    """What `aws.lb.get_load_balancer` returns for an NLB the controller made."""
    arn = _elb_arn(region, "loadbalancer", f"net/{name}/{digest('lb', name)}")
    return {"arn": arn, "id": arn, "name": name, "loadBalancerType": "network",
            "dnsName": lb_hostname(name, region, network=True),
            "zoneId": canonical_zone_id("net", region)}


def _load_balancer(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    lb = aws_name(name)
    network = inputs.get("loadBalancerType") == "network"
    kind = "net" if network else "app"
    arn = _elb_arn(region, "loadbalancer", f"{kind}/{lb}/{digest('lb', name)}")
    return {"arn": arn, "id": arn, "arnSuffix": arn.split(":loadbalancer/")[1], "name": lb,
            "dnsName": lb_hostname(lb, region, network=network,
                                   internal=bool(inputs.get("internal"))),
            "zoneId": canonical_zone_id(kind, region)}


def _target_group(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """The ARN's id derives from the group's replace-on inputs too: a change that makes Pulumi
    replace the group gives it a new ARN, as AWS does, so a diff shows what follows it."""
    # The replacement rules load with the first target group (an ALB stack's), not with the
    # mocks every render uses.
    from ingresslib.aws.replacements import target_group_identity  # noqa: PLC0415

    tg = aws_name(name)
    arn = _elb_arn(region, "targetgroup",
                   f"{tg}/{digest('tg', name, target_group_identity(inputs))}")
    return {"arn": arn, "id": arn, "arnSuffix": arn.split(":")[-1], "name": tg}


def _listener(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    arn = _elb_arn(region, "listener", f"app/{aws_name(name)}/{digest('l', name)}")
    return {"arn": arn, "id": arn}


def _rule(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    arn = _elb_arn(region, "listener-rule", f"app/{aws_name(name)}/{digest('r', name)}")
    return {"arn": arn, "id": arn}


def _security_group(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    sg = f"sg-{digest('sg', name, n=17)}"
    return {"id": sg, "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/{sg}"}


def _sg_rule(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    rule = f"sgr-{digest('sgr', name, n=17)}"
    return {"id": rule, "securityGroupRuleId": rule,
            "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:security-group-rule/{rule}"}


def validation_record(domain: str) -> dict[str, str]:
    """ACM's DNS validation CNAME for `domain`; a wildcard shares its base name's record."""
    base = domain.removeprefix("*.")
    return {"domainName": domain,
            "resourceRecordName": f"_{digest('acm-name', base, n=32)}.{base}.",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": f"_{digest('acm-value', base, n=32)}.acm-validations.aws."}


def _certificate(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    arn = f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{uuid.UUID(digest('acm', name, n=32))}"
    domains = [inputs["domainName"], *inputs.get("subjectAlternativeNames", [])]
    return {"arn": arn, "id": arn, "status": "PENDING_VALIDATION",
            "domainValidationOptions": [validation_record(d) for d in dict.fromkeys(domains)]}


def _record(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    return {"id": f"{inputs['zoneId']}_{inputs['name']}_{inputs['type']}",
            "fqdn": inputs["name"].rstrip(".")}


def _service(name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """A LoadBalancer Service the AWS Load Balancer Controller reconciles gets its NLB's name."""
    meta = inputs.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    if (inputs.get("spec") or {}).get("type") != "LoadBalancer" or (
        annotations.get(LBC_TYPE) != "external"
    ):
        return {}
    lb = controller_lb_name(meta["namespace"], meta["name"])
    hostname = lb_hostname(lb, region, network=True)
    return {"status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}}}


COMPUTED: dict[str, Callable[[str, dict[str, Any], str], dict[str, Any]]] = {
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:lb/listenerRule:ListenerRule": _rule,
    "aws:lb/listenerCertificate:ListenerCertificate": lambda n, i, r: {
        "id": f"{i['listenerArn']}_{i['certificateArn']}"},
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": lambda n, i, r: {
        "id": i["certificateArn"]},
    "aws:route53/record:Record": _record,
    "aws:wafv2/webAclAssociation:WebAclAssociation": lambda n, i, r: {
        "id": f"{i['webAclArn']},{i['resourceArn']}"},
    "kubernetes:core/v1:Service": _service,
}


def _get_load_balancer(args: dict[str, Any], region: str) -> dict[str, Any]:
    if "name" not in args:
        raise LookupError("offline renders look load balancers up by name only")
    return controller_nlb(args["name"], region)


def _get_zone(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = args["name"].rstrip(".")
    zid = zone_id(name, bool(args.get("privateZone")))
    return {"id": zid, "zoneId": zid, "name": name,
            "privateZone": bool(args.get("privateZone")),
            "arn": f"arn:aws:route53:::hostedzone/{zid}"}


CALLS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "aws:lb/getLoadBalancer:getLoadBalancer": _get_load_balancer,
    "aws:route53/getZone:getZone": _get_zone,
}


def computed(typ: str, name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """The fake provider-computed outputs of a resource (empty for types not listed)."""
    fake = COMPUTED.get(typ)
    return fake(name, inputs, region) if fake else {}
