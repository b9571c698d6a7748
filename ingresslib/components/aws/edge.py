"""The AWS parts of an EKS IngressStack, in deploy order: ACM certificates before the gateway
(the NLB's TLS listeners name them), the ALB and DNS after it."""

from __future__ import annotations

import pulumi

from ingresslib.aws.nlb import certificate_keys
from ingresslib.components.aws.alb import ApplicationLoadBalancer
from ingresslib.components.aws.certificates import AcmCertificates
from ingresslib.components.aws.dns import AliasRecords, controller_nlb
from ingresslib.components.gateway import IngressGateway
from ingresslib.config.aws import record_hosts, uses_alb, uses_nlb
from ingresslib.config.certificates import AcmCertificate
from ingresslib.config.stack import StackConfig


def certificates(name: str, config: StackConfig, parent: pulumi.Resource
                 ) -> dict[str, pulumi.Input[str]]:
    """ARNs of the stack's ACM certificates (an AcmCertificates component when there are any)."""
    if not any(isinstance(c, AcmCertificate) for c in config.certificates.values()):
        return {}
    return AcmCertificates(f"{name}-acm", config, pulumi.ResourceOptions(parent=parent)).arns


def nlb_certificates(config: StackConfig, arns: dict[str, pulumi.Input[str]]
                     ) -> pulumi.Output[str] | None:
    """The NLB's certificate annotation: its ACM ARNs, comma-joined, once all are issued."""
    keys = certificate_keys(config)
    if not uses_nlb(config) or not keys:
        return None
    return pulumi.Output.all(*[arns[k] for k in keys]).apply(",".join)


def load_balancer(
    name: str,
    config: StackConfig,
    gateway: IngressGateway | None,
    arns: dict[str, pulumi.Input[str]],
    parent: pulumi.Resource,
) -> pulumi.Output[str]:
    """The ALB (chained, standalone) or the controller's NLB (gateway), and alias records for
    every host when `aws.dns` is set; returns the load balancer's DNS name."""
    child = pulumi.ResourceOptions(parent=parent)
    if uses_alb(config):
        alb = ApplicationLoadBalancer(f"{name}-alb", config, arns, child,
                                      after=[gateway] if gateway else None)
        target = (alb.dns_name, alb.zone_id)
    else:
        assert gateway is not None
        wl = config.workload
        assert wl is not None
        service = gateway.resources[f"Service/{wl.namespace}/{wl.name}"]
        nlb = controller_nlb(service, parent)
        target = (nlb.dns_name, nlb.zone_id)
    dns = config.aws.dns if config.aws else None
    if dns is not None:
        AliasRecords(f"{name}-dns", dns, record_hosts(config), target, opts=child)
    return pulumi.Output.from_input(target[0])
