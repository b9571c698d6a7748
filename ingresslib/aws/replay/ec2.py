"""EC2: the ALB's security group, and the rules between it, the clients and the targets."""

from __future__ import annotations

from collections.abc import Callable

from ingresslib.aws.replay.state import Obj, ReplayError, ReplayState, aws_tags


def security_group(state: ReplayState, name: str, inputs: Obj) -> Obj:
    ec2 = state.client("ec2")
    group = ec2.create_security_group(
        GroupName=name, Description=inputs.get("description", "Managed by Pulumi"),
        VpcId=inputs["vpcId"],
        TagSpecifications=[{"ResourceType": "security-group",
                            "Tags": aws_tags(inputs.get("tags"))}],
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


def sg_rule(egress: bool) -> Callable[[ReplayState, str, Obj], Obj]:
    def create(state: ReplayState, name: str, inputs: Obj) -> Obj:
        ec2 = state.client("ec2")
        call = ec2.authorize_security_group_egress if egress else (
            ec2.authorize_security_group_ingress)
        rules = call(GroupId=inputs["securityGroupId"], IpPermissions=[_permission(inputs)])
        rule = rules["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        return {"id": rule, "securityGroupRuleId": rule}
    return create
