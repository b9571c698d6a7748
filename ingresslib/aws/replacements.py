"""Which input changes make Pulumi replace the AWS resources ingresslib creates (read by
`ingresslib diff`, which flags replacements first), and which of them move traffic."""

from __future__ import annotations

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
# A replacement of these moves traffic or addresses.
EDGE_TYPES = frozenset({
    "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener", "aws:acm/certificate:Certificate",
})
