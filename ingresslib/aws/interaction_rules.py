"""The AWS rules of settings that validate alone and break together (issue 18): callers
inside the VPC or the cluster (EDGE-IN-HAIRPIN, EDGE-IN-DNS) and controller annotations on the
hop behind the ALB (EDGE-HOP-ALB). `RULES` holds their statements and sources.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingresslib.aws.config import LBC_ANNOTATION_PREFIXES, EksStack
from ingresslib.edge import EdgeRule
from ingresslib.errors import Problem

NLB_TG_DOCS = ("https://docs.aws.amazon.com/elasticloadbalancing/latest/network/"
               "load-balancer-target-groups.html#client-ip-preservation")
RULES = {
    "EDGE-IN-HAIRPIN": EdgeRule(
        "EDGE-IN-HAIRPIN",
        "An internal NLB's callers are in the VPC, often in the cluster: with client IP "
        "preservation a connection from a node to a target on that same node is dropped "
        "(NAT loopback), so an internal NLB preserves the client's address only when set "
        "(aws.nlb.preserveClientIp) or when source ranges need it; PROXY protocol "
        "(aws.nlb.proxyProtocol) carries the address without it",
        f"AWS, NLB target groups, Client IP preservation: 'NAT loopback, also known as "
        f"hairpinning, is not supported when client IP preservation is enabled' ({NLB_TG_DOCS}); "
        "kubernetes/cloud-provider-aws#1160; kubernetes/ingress-nginx#6758"),
    "EDGE-IN-DNS": EdgeRule(
        "EDGE-IN-DNS",
        "The alias records ingresslib publishes (aws.dns) point at the load balancer: an "
        "internal one's private addresses belong in a private hosted zone associated with "
        "the VPC (aws.dns.private: true): with the zone's kind unset, an internal load "
        "balancer's records are refused, not published where callers outside the VPC resolve "
        "and cannot reach them",
        "AWS, Route 53, Working with private hosted zones; AWS, Elastic Load Balancing, "
        "internal load balancers ('the DNS name of an internal load balancer is publicly "
        "resolvable to the private IP addresses of the nodes')"),
    "EDGE-HOP-ALB": EdgeRule(
        "EDGE-HOP-ALB",
        "Behind the ALB (chained) the gateway Service is a ClusterIP the ALB reaches through "
        "a TargetGroupBinding: an AWS Load Balancer Controller Service annotation there "
        "(scheme, certificates, source ranges) configures nothing, and is refused; the public "
        "entry point is set in aws.alb",
        "AWS Load Balancer Controller, Service annotations (read on Services of type "
        "LoadBalancer only; "
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/"
        "annotations/)"),
}


def aws_interaction_problems(cfg: EksStack) -> Iterator[Problem]:
    """Every AWS interaction rule of `cfg`."""
    yield from _dns_problems(cfg)
    yield from _wrong_hop_problems(cfg)


def _dns_problems(cfg: EksStack) -> Iterator[Problem]:
    """EDGE-IN-DNS: an internal load balancer's records in a public zone."""
    dns = cfg.aws.dns if cfg.aws else None
    if dns is None or "private" in dns.model_fields_set or (
            cfg.load_balancer.scheme != "internal"):
        return
    yield Problem("aws.dns.private", None,
                  f"loadBalancer.scheme is internal, so the alias records in {dns.zone} (a "
                  "public zone unless set) would publish the load balancer's private "
                  "addresses to callers outside the VPC, who cannot reach them; use a private "
                  "hosted zone associated with the VPC (aws.dns.private: true), or say "
                  "aws.dns.private: false to publish them in a public zone on purpose "
                  "(EDGE-IN-DNS)")


def _wrong_hop_problems(cfg: EksStack) -> Iterator[Problem]:
    """EDGE-HOP-ALB: controller annotations on the ClusterIP Service behind the ALB."""
    if cfg.topology != "chained" or cfg.gateway is None:
        return
    for key, value in sorted(cfg.gateway.service.annotations.items()):
        if key.startswith(LBC_ANNOTATION_PREFIXES):
            yield Problem(f"gateway.service.annotations.{key}", value,
                          "in topology chained the gateway Service is a ClusterIP behind the "
                          "ALB, and the AWS Load Balancer Controller reads Service annotations "
                          "on LoadBalancer Services only, so this configures nothing; the "
                          "public entry point is the ALB: set it in aws.alb, and remove this "
                          "(EDGE-HOP-ALB)")
