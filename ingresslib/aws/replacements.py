"""Which input changes make Pulumi replace the AWS resources ingresslib creates (read by
`ingresslib diff`, which flags replacements first), which of them move traffic, and which
fields of the AWS Load Balancer Controller's objects its webhook refuses to change in place."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ingresslib.aws.annotations import LBC_TYPE, PREFIX
from ingresslib.update_rules import Immutable

LBC_SCHEME = f"{PREFIX}scheme"

# Inputs, by their wire (camelCase) names, whose change replaces the resource.
REPLACE_ON: dict[str, tuple[str, ...]] = {
    # pulumi-aws is bridged from terraform-provider-aws, whose ForceNew attributes replace:
    # internal/service/elbv2/load_balancer.go (name, name_prefix, internal, load_balancer_type,
    # customer_owned_ipv4_pool are ForceNew).
    "aws:lb/loadBalancer:LoadBalancer": (
        "name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"),
    # internal/service/elbv2/target_group.go.
    "aws:lb/targetGroup:TargetGroup": (
        "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId",
        "ipAddressType"),
    # listener.go and listener_rule.go: the parent load balancer and listener.
    "aws:lb/listener:Listener": ("loadBalancerArn",),
    "aws:lb/listenerRule:ListenerRule": ("listenerArn",),
    # internal/service/acm/certificate.go: what the certificate is for.
    "aws:acm/certificate:Certificate": (
        "domainName", "subjectAlternativeNames", "keyAlgorithm", "certificateAuthorityArn"),
    "aws:acm/certificateValidation:CertificateValidation": (
        "certificateArn", "validationRecordFqdns"),
    # internal/service/ec2/vpc_security_group.go; the vpc rules belong to one group.
    "aws:ec2/securityGroup:SecurityGroup": ("name", "namePrefix", "description", "vpcId"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("securityGroupId",),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("securityGroupId",),
    # internal/service/route53/record.go: a record is its zone, name, type and set.
    "aws:route53/record:Record": ("zoneId", "name", "type", "setIdentifier"),
    "aws:wafv2/webAclAssociation:WebAclAssociation": ("resourceArn", "webAclArn"),
}
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
# A replacement of these moves traffic or addresses.
EDGE_TYPES = frozenset({
    "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener", "aws:acm/certificate:Certificate",
})

# Fields of Kubernetes objects that Pulumi updates in place while something in the cluster
# refuses the change or answers it by replacing what the object stands for (offline.
# replacements.Immutable): pulumi-kubernetes replaces only on the name and on the fields the
# API server itself marks immutable.
IMMUTABLE: tuple[Immutable, ...] = (
    # The AWS Load Balancer Controller's validating webhook (webhooks/elbv2/
    # targetgroupbinding_validator.go, checkImmutableFields).
    Immutable(
        "elbv2.k8s.aws/v1beta1", "TargetGroupBinding",
        (("spec", "targetGroupARN"), ("spec", "targetType"), ("spec", "ipAddressType")),
        "the AWS Load Balancer Controller's webhook refuses (TargetGroupBinding update may "
        "not change these fields: kubernetes-sigs/aws-load-balancer-controller#2764), so "
        "`pulumi up` fails there, after the changes before it are applied",
        "first `pulumi destroy --target` the binding's URN (the controller deregisters its "
        "targets: the old group serves nothing until step two), then `pulumi up`, which "
        "creates the binding on the new group; a group in another VPC needs a load balancer "
        "there too (an ALB never changes VPC): deploy a second stack in it and move DNS"),
    # A load balancer's scheme is fixed when it is created: the controller makes a new NLB
    # (kubernetes-sigs/aws-load-balancer-controller#1640, #4860).
    Immutable(
        "v1", "Service", (("metadata", "annotations", LBC_SCHEME),),
        "the AWS Load Balancer Controller replaces the NLB (a scheme is fixed at creation: "
        "kubernetes-sigs/aws-load-balancer-controller#1640): a new DNS name, which the alias "
        "records follow once it is active, while clients still resolving the old one fail "
        "as soon as the old NLB is deleted",
        "first deploy a second stack (its own gateway Service) with the new scheme and move "
        "DNS to it, then remove this one",
        # Only an NLB the controller already runs is replaced: a Service that becomes one
        # (from ClusterIP, or from another cloud's) gets a new NLB, and none is lost.
        managed_by=("metadata", "annotations", LBC_TYPE)),
)


def target_group_identity(inputs: Mapping[str, Any]) -> str:
    """The inputs of a target group whose change replaces it (REPLACE_ON), as canonical JSON
    by wire name: two groups with the same identity are the same AWS target group, and a
    change of identity is a new group with a new ARN."""
    fields = REPLACE_ON[TARGET_GROUP]
    # Numbers reach a provider (and the mocks) as floats: 80.0 is port 80.
    values = {f: int(v) if isinstance(v, float) and v.is_integer() else v
              for f in fields if (v := inputs.get(f)) is not None}
    return json.dumps(values, sort_keys=True, separators=(",", ":"))
