"""ingresslib.aws.interaction_rules: settings that validate alone and break together on EKS,
each refused with its path, value and fix, and the neighbouring settings accepted:
EDGE-IN-HAIRPIN, EDGE-IN-DNS, EDGE-HOP-ALB."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.configs import alb_stack, nlb_stack
from tests.shared import refusals

LBC = "service.beta.kubernetes.io/aws-load-balancer-"
RANGES = {"loadBalancerSourceRanges": ["10.0.0.0/8"]}


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


_INTERNAL = {"scheme": "internal"}

CASES: dict[str, dict[str, Any]] = {
    "hairpin-internal-ranges-unset": _with(nlb_stack(aws={"nlb": {}}), loadBalancer=_INTERNAL,
                                           gateway={"service": RANGES}),
    "hairpin-said-on-purpose": _with(nlb_stack(aws={"nlb": {"preserveClientIp": True}}),
                                     loadBalancer=_INTERNAL, gateway={"service": RANGES}),
    "hairpin-without-nlb-section": _with(nlb_stack(), loadBalancer=_INTERNAL,
                                         gateway={"service": RANGES}),
    "hairpin-internet-facing": _with(nlb_stack(aws={"nlb": {}}), gateway={"service": RANGES}),
    "hairpin-no-ranges": _with(nlb_stack(aws={"nlb": {}}), loadBalancer=_INTERNAL,
                               gateway={"service": {"loadBalancerSourceRanges": []}}),
    "dns-internal-public-zone": _with(nlb_stack(aws={"dns": {"zone": "example.com"}}),
                                      loadBalancer=_INTERNAL),
    "dns-internal-public-on-purpose": _with(
        nlb_stack(aws={"dns": {"zone": "example.com", "private": False}}),
        loadBalancer=_INTERNAL),
    "dns-internal-private": _with(
        nlb_stack(aws={"dns": {"zone": "example.com", "private": True}}),
        loadBalancer=_INTERNAL),
    "dns-internet-facing": nlb_stack(aws={"dns": {"zone": "example.com"}}),
    "hop-annotations-behind-the-alb": _with(alb_stack(), gateway={"service": {"annotations": {
        f"{LBC}scheme": "internet-facing",
        f"{LBC}ssl-cert": "arn:aws:acm:eu-west-1:111122223333:certificate/x",
        f"{LBC}access-log-enabled": "true",
        f"{LBC}healthcheck-path": "/ready",
        "service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8",
        "example.com/team": "edge"}}}),
    "hop-annotations-on-the-nlb": _with(nlb_stack(), gateway={"service": {"annotations": {
        "example.com/team": "edge"}}}),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'hairpin-internal-ranges-unset': [('aws.nlb.preserveClientIp',
                                    None,
                                    'loadBalancer.scheme is internal, and '
                                    'gateway.service.loadBalancerSourceRanges turn client IP '
                                    'preservation on (the AWS Load Balancer Controller '
                                    'ignores them without it); with it the NLB drops the '
                                    'connections of a caller in the cluster that it sends to '
                                    "a gateway pod on the caller's own node (hairpin); set "
                                    'aws.nlb.preserveClientIp: true to accept that, or remove '
                                    'the ranges and admit callers with security.authorization '
                                    'clientCidrs and aws.nlb.proxyProtocol: true '
                                    '(EDGE-IN-HAIRPIN)')],
 'hairpin-said-on-purpose': [],
 'hairpin-without-nlb-section': [],
 'hairpin-internet-facing': [],
 'hairpin-no-ranges': [],
 'dns-internal-public-zone': [('aws.dns.private',
                               None,
                               'loadBalancer.scheme is internal, so the alias records in '
                               'example.com (a public zone unless set) would publish the load '
                               "balancer's private addresses to callers outside the VPC, who "
                               'cannot reach them; use a private hosted zone associated with '
                               'the VPC (aws.dns.private: true), or say aws.dns.private: '
                               'false to publish them in a public zone on purpose '
                               '(EDGE-IN-DNS)')],
 'dns-internal-public-on-purpose': [],
 'dns-internal-private': [],
 'dns-internet-facing': [],
 'hop-annotations-behind-the-alb': [('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-access-log-enabled',  # noqa: E501
                                     'true',
                                     'in topology chained the gateway Service is a ClusterIP '
                                     'behind the ALB, and the AWS Load Balancer Controller '
                                     'reads Service annotations on LoadBalancer Services '
                                     'only, so this configures nothing; the public entry '
                                     'point is the ALB: set this with aws.alb.accessLogs; '
                                     'remove this annotation (EDGE-HOP-ALB)'),
                                    ('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-healthcheck-path',
                                     '/ready',
                                     'in topology chained the gateway Service is a ClusterIP '
                                     'behind the ALB, and the AWS Load Balancer Controller '
                                     'reads Service annotations on LoadBalancer Services '
                                     'only, so this configures nothing; the public entry '
                                     'point is the ALB, and ingresslib has no setting for '
                                     'this on it (its keys: aws.alb.subnets, '
                                     'aws.alb.allowedCidrs, aws.alb.sslPolicy, '
                                     'aws.alb.idleTimeoutSeconds, aws.alb.accessLogs, '
                                     'aws.alb.webAclArn); remove this annotation '
                                     '(EDGE-HOP-ALB)'),
                                    ('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-scheme',
                                     'internet-facing',
                                     'in topology chained the gateway Service is a ClusterIP '
                                     'behind the ALB, and the AWS Load Balancer Controller '
                                     'reads Service annotations on LoadBalancer Services '
                                     'only, so this configures nothing; the public entry '
                                     'point is the ALB: set this with loadBalancer.scheme; '
                                     'remove this annotation (EDGE-HOP-ALB)'),
                                    ('gateway.service.annotations.service.beta.kubernetes.io/aws-load-balancer-ssl-cert',
                                     'arn:aws:acm:eu-west-1:111122223333:certificate/x',
                                     'in topology chained the gateway Service is a ClusterIP '
                                     'behind the ALB, and the AWS Load Balancer Controller '
                                     'reads Service annotations on LoadBalancer Services '
                                     'only, so this configures nothing; the public entry '
                                     'point is the ALB: set this with certificates.<name>.arn '
                                     '(source acm, named by listeners[].tls.certificate); '
                                     'remove this annotation (EDGE-HOP-ALB)'),
                                    ('gateway.service.annotations.service.beta.kubernetes.io/load-balancer-source-ranges',
                                     '10.0.0.0/8',
                                     'in topology chained the gateway Service is a ClusterIP '
                                     'behind the ALB, and the AWS Load Balancer Controller '
                                     'reads Service annotations on LoadBalancer Services '
                                     'only, so this configures nothing; the public entry '
                                     'point is the ALB: set this with aws.alb.allowedCidrs; '
                                     'remove this annotation (EDGE-HOP-ALB)')],
 'hop-annotations-on-the-nlb': []}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_interaction_is_refused_with_its_fix_or_accepted(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]
