"""The AWS parts of an EKS IngressStack, in deploy order: ACM certificates before the gateway
(the NLB's TLS listeners name them), the ALB and DNS after it."""

from __future__ import annotations

from typing import Any

import pulumi

from ingresslib.aws.components.acm_certificates import AcmCertificates
from ingresslib.aws.components.alb import ApplicationLoadBalancer
from ingresslib.aws.components.alias_records import AliasRecords, controller_nlb
from ingresslib.aws.config import AcmCertificate, EksStack, record_hosts, uses_alb, uses_nlb
from ingresslib.aws.nlb import SSL_CERT_ANNOTATION, certificate_keys
from ingresslib.components.gateway import IngressGateway


def certificates(name: str, config: EksStack, parent: pulumi.Resource
                 ) -> dict[str, pulumi.Input[str]]:
    """ARNs of the stack's ACM certificates (an AcmCertificates component when there are any)."""
    if not any(isinstance(c, AcmCertificate) for c in config.certificates.values()):
        return {}
    return AcmCertificates(f"{name}-acm", config, pulumi.ResourceOptions(parent=parent)).arns


def with_issued_certificates(
    config: EksStack, objects: list[dict[str, Any]], arns: dict[str, pulumi.Input[str]]
) -> list[dict[str, Any]]:
    """The gateway's objects with the NLB's certificate annotation holding the ACM ARNs,
    comma-joined, once all are issued (the rendered objects hold the configured ARNs, or
    `acm:<key>` for a certificate created at deploy time). Nothing else changes."""
    keys = certificate_keys(config)
    if not uses_nlb(config) or not keys:
        return objects
    issued = pulumi.Output.all(*[arns[k] for k in keys]).apply(",".join)
    out = []
    for obj in objects:
        annotations = obj["metadata"].get("annotations", {})
        if obj["kind"] == "Service" and SSL_CERT_ANNOTATION in annotations:
            out.append({**obj, "metadata": {**obj["metadata"], "annotations": {
                **annotations, SSL_CERT_ANNOTATION: issued}}})
        else:
            out.append(obj)
    return out


def load_balancer(
    name: str,
    config: EksStack,
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
