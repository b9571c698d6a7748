"""AliasRecords: Route53 alias records for the stack's hosts, and where they point."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ingresslib.aws.config import Route53
from ingresslib.components.base import renamed_type


def controller_nlb(service: k8s.core.v1.Service, parent: pulumi.Resource
                   ) -> pulumi.Output[aws.lb.GetLoadBalancerResult]:
    """The NLB the AWS Load Balancer Controller made for `service`. Pulumi does not know it
    when the program starts: read its DNS name back from the Service's status (Pulumi waits
    for it) and look the NLB up by the name that DNS name starts with."""
    hostname = service.status.apply(lambda s: s.load_balancer.ingress[0].hostname)
    # <load balancer name>-<hash>.elb.<region>.amazonaws.com
    lb_name = hostname.apply(lambda h: h.split(".", 1)[0].rsplit("-", 1)[0])
    return aws.lb.get_load_balancer_output(
        name=lb_name, opts=pulumi.InvokeOutputOptions(parent=parent))


def _slug(host: str) -> str:
    return host.replace("*", "wildcard").replace(".", "-")


class AliasRecords(pulumi.ComponentResource):
    """An A alias record per host in `dns.zone`, to a load balancer's DNS name and canonical
    zone; target health is evaluated, so Route53 stops answering for an LB with no healthy
    targets."""

    def __init__(
        self,
        name: str,
        dns: Route53,
        hosts: list[str],
        target: tuple[pulumi.Input[str], pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`target`: the load balancer's DNS name and canonical hosted zone ID."""
        super().__init__("ingresslib:index:AliasRecords", name, None,
                         renamed_type(opts, "ingresslib:aws:AliasRecords"))
        zone = aws.route53.get_zone_output(
            name=dns.zone, private_zone=dns.private, opts=pulumi.InvokeOutputOptions(parent=self))
        self.records = [
            aws.route53.Record(
                f"{name}-{_slug(host)}",
                zone_id=zone.zone_id,
                name=host,
                type="A",
                aliases=[{"name": target[0], "zone_id": target[1],
                          "evaluate_target_health": True}],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for host in hosts
        ]
        self.register_outputs({"hosts": hosts})
