"""ApplicationLoadBalancer: the ALB of topologies chained and standalone, from `alb_plan`."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pulumi
import pulumi_aws as aws

from ingresslib.aws.alb_plan import AlbPlan, alb_plan
from ingresslib.aws.alb_rules import TargetGroupRef
from ingresslib.aws.config import EksStack
from ingresslib.aws.tags import resource_tags
from ingresslib.aws.target_group_binding import target_group_binding
from ingresslib.components.base import ManifestComponent, renamed_type


def _resolve(value: Any, arns: dict[str, pulumi.Output[str]]) -> Any:
    """The plan's data with each TargetGroupRef replaced by its target group's ARN."""
    if isinstance(value, TargetGroupRef):
        return arns[value.key]
    if isinstance(value, dict):
        return {k: _resolve(v, arns) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, arns) for v in value]
    return value


def _cidr(cidr: str) -> dict[str, str]:
    v6 = ipaddress.ip_network(cidr).version == 6
    return {"cidr_ipv6": cidr} if v6 else {"cidr_ipv4": cidr}


def _flag(value: str) -> bool:
    return value == "true"


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _slug(cidr: str) -> str:
    return cidr.replace("/", "-").replace(":", "-").replace(".", "-")


class ApplicationLoadBalancer(ManifestComponent):
    """Security groups, the ALB, IP target groups with their TargetGroupBindings, listeners,
    rules and the optional WAF association.

    The ALB's own group admits the allowed CIDRs on the listener ports and may only reach the
    targets' group; the targets' group admits the ALB's group on the target and health-check
    ports only. With IP targets that group is the one on the ENIs holding the pod IPs: the
    node (cluster) security group under the VPC CNI's defaults, which is why the rule goes
    there rather than into a SecurityGroupPolicy (that is for Security Groups for Pods, where
    `aws.alb.targetSecurityGroup` names the pods' group instead).
    """

    def __init__(
        self,
        name: str,
        config: EksStack,
        certificate_arns: dict[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
        *,
        after: list[pulumi.Resource] | None = None,
    ) -> None:
        super().__init__("ingresslib:index:ApplicationLoadBalancer", name, None,
                         renamed_type(opts, "ingresslib:aws:ApplicationLoadBalancer"))
        plan = alb_plan(config)
        alb = plan.settings
        tags = resource_tags(config.name)
        child = pulumi.ResourceOptions(parent=self)
        group = self._security_groups(name, plan, config, tags)
        access_logs = {"bucket": alb.access_logs.bucket, "prefix": alb.access_logs.prefix,
                       "enabled": True} if alb.access_logs else None
        attributes = plan.attributes
        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-lb",
            load_balancer_type="application",
            internal=config.load_balancer.scheme == "internal",
            ip_address_type="ipv4",
            security_groups=[group.id],
            subnets=[s.id for s in alb.subnets],
            # Every attribute from the plan, explicit (alb_plan.load_balancer_attributes): the
            # gateway trusts exactly one hop, the ALB, which appends the client's address to
            # X-Forwarded-For without its port.
            idle_timeout=int(attributes["idle_timeout.timeout_seconds"]),
            enable_xff_client_port=_flag(attributes["routing.http.xff_client_port.enabled"]),
            xff_header_processing_mode=attributes["routing.http.xff_header_processing.mode"],
            enable_http2=_flag(attributes["routing.http2.enabled"]),
            drop_invalid_header_fields=_flag(
                attributes["routing.http.drop_invalid_header_fields.enabled"]),
            desync_mitigation_mode=attributes["routing.http.desync_mitigation_mode"],
            enable_deletion_protection=_flag(attributes["deletion_protection.enabled"]),
            access_logs=access_logs,
            tags=tags,
            opts=child,
        )
        # Make before break: a listener or rule forwards to a target group only once its
        # binding is there (and reconciled: target_group_binding) and the security group rules
        # open the path to the targets, so a replaced group is never sent traffic before the
        # controller registered the gateway pods in it. (They start in `initial` health, in
        # service after one passed check: one health-check interval.)
        arns, bindings = self._target_groups(name, plan, config, tags, after or [])
        ready = [*bindings, *self.target_paths]
        for lp in plan.listeners:
            certs = [certificate_arns[k] for k in lp.certificates]
            listener = aws.lb.Listener(
                f"{name}-{lp.protocol.lower()}-{lp.port}",
                load_balancer_arn=self.load_balancer.arn,
                port=lp.port,
                protocol=lp.protocol,
                ssl_policy=lp.ssl_policy,
                certificate_arn=certs[0] if certs else None,
                default_actions=[_resolve(lp.default_action, arns)],
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=ready),
            )
            for key, arn in zip(lp.certificates[1:], certs[1:], strict=True):
                aws.lb.ListenerCertificate(f"{name}-{lp.port}-{key}", listener_arn=listener.arn,
                                           certificate_arn=arn, opts=child)
            # Each rule keyed by what it routes, aliased from the position that named it before;
            # each after the one above it, so that priorities moving down by a slot move top
            # down, into slots already left (alb_plan.rule_priorities).
            above: list[pulumi.Resource] = []
            for rule in lp.rules:
                created = aws.lb.ListenerRule(
                    f"{name}-{lp.port}-{rule.key}",
                    listener_arn=listener.arn,
                    priority=rule.priority,
                    conditions=rule.conditions,
                    actions=_resolve(rule.actions, arns),
                    tags=tags,
                    opts=pulumi.ResourceOptions(
                        parent=self, depends_on=[*above, *ready],
                        aliases=[pulumi.Alias(name=f"{name}-{lp.port}-rule-{rule.position}")]),
                )
                above = [created]
        if alb.web_acl_arn:
            aws.wafv2.WebAclAssociation(f"{name}-waf", resource_arn=self.load_balancer.arn,
                                        web_acl_arn=alb.web_acl_arn, opts=child)
        self.dns_name = self.load_balancer.dns_name
        self.zone_id = self.load_balancer.zone_id
        self.register_outputs({"arn": self.load_balancer.arn, "dnsName": self.dns_name,
                               "zoneId": self.zone_id})

    def _security_groups(self, name: str, plan: AlbPlan, config: EksStack,
                         tags: dict[str, str]) -> aws.ec2.SecurityGroup:
        alb = plan.settings
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=alb.vpc_id,
            description=f"ALB of ingress stack {config.name}: clients in, targets out",
            revoke_rules_on_delete=True,
            tags=tags,
            opts=child,
        )
        for port in sorted({lp.port for lp in plan.listeners}):
            for cidr in alb.allowed_cidrs:
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-in-{port}-{_slug(cidr)}",
                    security_group_id=group.id, ip_protocol="tcp", from_port=port,
                    to_port=port, description=f"clients to listener {port}", **_cidr(cidr),
                    opts=child,
                )
        # The path to the targets, which a listener needs before it forwards to a new group
        # (make before break: its health checks and traffic pass these rules).
        self.target_paths: list[pulumi.Resource] = []
        for port in plan.target_ports:
            egress = aws.vpc.SecurityGroupEgressRule(
                f"{name}-to-targets-{port}",
                security_group_id=group.id, referenced_security_group_id=alb.target_security_group,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"to target port {port}", opts=child,
            )
            ingress = aws.vpc.SecurityGroupIngressRule(
                f"{name}-targets-from-alb-{port}",
                security_group_id=alb.target_security_group, referenced_security_group_id=group.id,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"ALB of ingress stack {config.name} to port {port}", opts=child,
            )
            self.target_paths += [egress, ingress]
        return group

    def _target_groups(self, name: str, plan: AlbPlan, config: EksStack,
                       tags: dict[str, str], after: list[pulumi.Resource]
                       ) -> tuple[dict[str, pulumi.Output[str]], list[pulumi.Resource]]:
        """Each target group and its TargetGroupBinding, named after the group's identity
        (TargetGroupPlan.binding_name); returns the groups' ARNs and the bindings."""
        arns: dict[str, pulumi.Output[str]] = {}
        bindings = []
        vpc = plan.settings.vpc_id
        for tg in plan.target_groups:
            group = aws.lb.TargetGroup(
                f"{name}-{tg.key}",
                **{_snake(k): v for k, v in tg.inputs(vpc).items()},
                deregistration_delay=config.load_balancer.deregistration_delay_seconds,
                load_balancing_algorithm_type=tg.algorithm,
                health_check=tg.health_check,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            arns[tg.key] = group.arn
            bindings.append(target_group_binding(
                tg.binding_name(config.name, vpc), tg.namespace, service=tg.service,
                port=tg.service_port, target_group_arn=group.arn, vpc_id=vpc))
        self.bindings = self._register_manifests(name, bindings, after=after)
        return arns, list(self.bindings.values())
