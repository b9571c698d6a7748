"""ingresslib.edge: the EdgePlan as plan.json and the traffic picture read it (`summary`), for
a stack of each kind of hop (an L4 load balancer, an L7 one in front of the gateway, the AKS
add-on's gateway, none in standalone), and the probe window a drain must outlast."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.edge import HealthCheck
from tests.configs import aks_stack, alb_stack, nlb_stack


def summary(data: dict[str, Any]) -> dict[str, Any]:
    """The plan's summary, each rule (code, statement and source, as the plan has it) by its
    code."""
    plan = parse_config(data).edge
    out = plan.summary()
    assert out["rules"] == [{"code": r.code, "statement": r.statement, "source": r.source}
                            for r in plan.rules]
    out["rules"] = [r["code"] for r in out["rules"]]
    # One key for where the plan is (a dict with a `cloud` key reads as a stack config).
    return {"on": f"{out.pop('cloud')} {out.pop('topology')}", **out}


_ADDON = aks_stack()
_ADDON["azure"]["istioAddon"] = {"revision": "asm-1-26"}

CASES: dict[str, dict[str, Any]] = {
    "eks-gateway": nlb_stack(),
    "eks-chained": alb_stack(),
    "eks-standalone": alb_stack("standalone"),
    "aks-addon": _ADDON,
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'eks-gateway': {'on': 'eks gateway',
                 'loadBalancer': 'AWS NLB (AWS Load Balancer Controller)',
                 'gateway': {'namespace': 'istio-ingress',
                             'name': 'istio-ingressgateway',
                             'deployed': True,
                             'serviceType': 'LoadBalancer',
                             'proxyProtocol': False,
                             'trustedProxies': 0,
                             'terminationDrainSeconds': 135,
                             'terminationGracePeriodSeconds': 150},
                 'healthCheck': {'port': 15021,
                                 'protocol': 'HTTP',
                                 'path': '/healthz/ready',
                                 'intervalSeconds': 10,
                                 'healthyThreshold': 2,
                                 'unhealthyThreshold': 2,
                                 'sources': []},
                 'tlsAtLoadBalancer': ['https'],
                 'tlsTermination': 'at the NLB (ACM) for https',
                 'clientAddress': 'source address (client IP preservation)',
                 'drain': {'neededSeconds': 120,
                           'why': 'the 120 s for which the NLB keeps opening connections to a '
                                  'deregistering IP target'},
                 'timeouts': {'loadBalancerPools': False,
                              'loadBalancerIdleSeconds': 350,
                              'envoyIdleSeconds': 300,
                              'responseSeconds': 350},
                 'rules': ['EDGE-HC-NLB-PORTS',
                           'EDGE-TLS-NLB-PORT',
                           'EDGE-ID-PROXY',
                           'EDGE-ID-HOPS',
                           'EDGE-ID-XFP',
                           'EDGE-TO-NLB',
                           'EDGE-DR-NLB',
                           'EDGE-DR',
                           'EDGE-TO',
                           'EDGE-HC-NETPOL',
                           'EDGE-CH-SETTING']},
 'eks-chained': {'on': 'eks chained',
                 'loadBalancer': 'AWS ALB',
                 'gateway': {'namespace': 'istio-ingress',
                             'name': 'istio-ingressgateway',
                             'deployed': True,
                             'serviceType': 'ClusterIP',
                             'proxyProtocol': False,
                             'trustedProxies': 1,
                             'terminationDrainSeconds': 45,
                             'terminationGracePeriodSeconds': 60},
                 'healthCheck': {'port': 15021,
                                 'protocol': 'HTTP',
                                 'path': '/healthz/ready',
                                 'intervalSeconds': 10,
                                 'healthyThreshold': 2,
                                 'unhealthyThreshold': 2,
                                 'sources': ['10.0.0.0/24', '10.0.1.0/24']},
                 'tlsAtLoadBalancer': ['https-acm'],
                 'tlsTermination': 'at the ALB (ACM)',
                 'clientAddress': 'X-Forwarded-For appended by the ALB without the client '
                                  'port, one trusted hop',
                 'drain': {'neededSeconds': 30,
                           'why': 'loadBalancer.deregistrationDelaySeconds (30)'},
                 'timeouts': {'loadBalancerPools': True,
                              'loadBalancerIdleSeconds': 60,
                              'envoyIdleSeconds': 3600,
                              'responseSeconds': 60},
                 'rules': ['EDGE-ID-HOPS',
                           'EDGE-DR-ALB',
                           'EDGE-TO-ALB',
                           'EDGE-ID-XFF-ALB',
                           'EDGE-PR-ALB',
                           'EDGE-CH-ALB-RULES',
                           'EDGE-CH-ALB-TGB',
                           'EDGE-DR',
                           'EDGE-TO',
                           'EDGE-HC-NETPOL',
                           'EDGE-CH-SETTING']},
 'eks-standalone': {'on': 'eks standalone',
                    'loadBalancer': 'AWS ALB',
                    'gateway': None,
                    'healthCheck': None,
                    'tlsAtLoadBalancer': ['https-acm'],
                    'tlsTermination': 'at the ALB (ACM)',
                    'clientAddress': 'X-Forwarded-For appended by the ALB without the client '
                                     'port (read by the backends)',
                    'drain': {'neededSeconds': 0, 'why': ''},
                    'timeouts': None,
                    'rules': ['EDGE-TO-ALB',
                              'EDGE-ID-XFF-ALB',
                              'EDGE-PR-ALB',
                              'EDGE-CH-ALB-RULES',
                              'EDGE-CH-ALB-TGB']},
 'aks-addon': {'on': 'aks gateway',
               'loadBalancer': 'Azure Standard Load Balancer',
               'gateway': {'namespace': 'aks-istio-ingress',
                           'name': 'aks-istio-ingressgateway-external',
                           'deployed': False,
                           'serviceType': 'LoadBalancer',
                           'proxyProtocol': False,
                           'trustedProxies': 0,
                           'terminationDrainSeconds': 45,
                           'terminationGracePeriodSeconds': 60},
               'healthCheck': {'port': 15021,
                               'protocol': 'HTTP',
                               'path': '/healthz/ready',
                               'intervalSeconds': 5,
                               'healthyThreshold': 1,
                               'unhealthyThreshold': 2,
                               'sources': ['168.63.129.16/32']},
               'tlsAtLoadBalancer': [],
               'tlsTermination': 'at the gateway',
               'clientAddress': 'source address (externalTrafficPolicy Local)',
               'drain': {'neededSeconds': 30,
                         'why': 'loadBalancer.deregistrationDelaySeconds (30)'},
               'timeouts': {'loadBalancerPools': False,
                            'loadBalancerIdleSeconds': 4200,
                            'envoyIdleSeconds': 3600,
                            'responseSeconds': 4200},
               'rules': ['EDGE-HC-AZURE',
                         'EDGE-HC-LBRULE',
                         'EDGE-ID-HOPS',
                         'EDGE-TO-AZURE-LB',
                         'EDGE-DR-AZURE-LB',
                         'EDGE-DR',
                         'EDGE-TO',
                         'EDGE-HC-NETPOL',
                         'EDGE-CH-SETTING']}}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_the_plan_as_data(case: str) -> None:
    assert summary(CASES[case]) == EXPECTED[case]


def test_the_failure_window_is_interval_times_threshold() -> None:
    assert HealthCheck(15021, "HTTP", "/healthz/ready", 5, 1, 3).failure_window_seconds == 15
