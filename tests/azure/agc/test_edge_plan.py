"""ingresslib.azure.agc.edge_plan: the EdgePlan of AKS stacks behind Application Gateway for
Containers, every planned value: its probe of the gateway's readiness from the association's
subnet, the drain its probe window or the deregistration delay needs and why, the timeouts on
both sides, the listeners whose TLS it ends, and the rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.agc.edge_plan import agc_edge_plan
from tests.configs import HOST, agc_stack
from tests.shared import planned_edge


def _agc(topology: str = "chained", **section: Any) -> dict[str, Any]:
    data = agc_stack(topology)
    data["azure"]["applicationGatewayForContainers"].update(copy.deepcopy(section))
    return data


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


_SUBNET = agc_stack()["azure"]["applicationGatewayForContainers"]["subnet"]["id"]

CASES: dict[str, dict[str, Any]] = {
    "chained": agc_stack("chained", name="edge"),
    "chained-probe-window-beyond-the-delay": _agc(healthCheck={
        "intervalSeconds": 11, "unhealthyThreshold": 3, "healthyThreshold": 2,
        "timeoutSeconds": 10}),
    "chained-probe-window-at-the-delay": _agc(healthCheck={
        "intervalSeconds": 10, "unhealthyThreshold": 3}),
    "chained-settings": _with(
        _agc(tlsPolicy="2023-06", requestTimeoutSeconds=120, subnet={"id": _SUBNET}),
        gateway={"idleTimeout": "400500ms"},
        listeners=[{"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST]},
                   {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
                    "tls": {"certificate": "edge"}},
                   {"name": "more", "port": 443, "protocol": "HTTPS",
                    "hosts": ["more.example.com"], "tls": {"certificate": "more"}}],
        certificates={"edge": agc_stack()["certificates"]["edge"],
                      "more": {"source": "secret", "secretName": "more-tls",
                               "dnsNames": ["more.example.com"]}}),
    "standalone": agc_stack("standalone"),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'chained': {'on': 'aks chained',
             'load_balancer': "Azure Application Gateway for Containers (to the gateway's "
                              'pods)',
             'workload': {'name': 'istio-ingress/istio-ingressgateway',
                          'drain': {'termination_drain_seconds': 45,
                                    'termination_grace_period_seconds': 60},
                          'idleTimeout': None,
                          'serviceType': None},
             'gateway': {'stack': 'edge',
                         'service_type': 'ClusterIP',
                         'trusted_proxies': 1,
                         'proxy_protocol': False,
                         'prometheus_scrape': True,
                         'service_annotations': {},
                         'namespace_labels': {},
                         'health_check_sources': ('10.240.16.0/24',),
                         'health_check_ports': (15021,),
                         'idle_timeout_seconds': 3600,
                         'https_at_load_balancer': (),
                         'status_port_on_service': True},
             'health_check': {'port': 15021,
                              'protocol': 'HTTP',
                              'path': '/healthz/ready',
                              'interval_seconds': 5,
                              'healthy_threshold': 1,
                              'unhealthy_threshold': 3,
                              'sources': ('10.240.16.0/24',)},
             'deploys_gateway': True,
             'tls_listeners': ('https',),
             'drain_needed_seconds': 30,
             'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30), the time the ALB '
                             "Controller is given to take the pod's endpoint out of "
                             'Application Gateway for Containers',
             'timeouts': {'pooling': True,
                          'load_balancer_idle_seconds': 300,
                          'envoy_idle_seconds': 3600,
                          'response_seconds': 60,
                          'idle_rule': 'EDGE-TO-AGC',
                          'response_rule': 'EDGE-TO-AGC',
                          'idle_setting': '',
                          'response_setting': 'azure.applicationGatewayForContainers.requestTimeoutSeconds',  # noqa: E501
                          'response_by': 'Application Gateway for Containers',
                          'response_ends_sessions': True,
                          'response_max_seconds': 86400},
             'client_address': 'X-Forwarded-For appended by Application Gateway for '
                               'Containers, one trusted hop',
             'tls_termination': 'at Application Gateway for Containers (Kubernetes Secret, '
                                'FrontendTLSPolicy 2023-06-S)',
             'rules': ['EDGE-HC-AGC',
                       'EDGE-ID-AGC',
                       'EDGE-TO-AGC',
                       'EDGE-DR-AGC',
                       'EDGE-NET-AGC',
                       'EDGE-TLS-AGC',
                       'EDGE-ID-HOPS',
                       'EDGE-DR',
                       'EDGE-TO',
                       'EDGE-HC-NETPOL',
                       'EDGE-CH-SETTING']},
 'chained-probe-window-beyond-the-delay': {'on': 'aks chained',
                                           'load_balancer': 'Azure Application Gateway for '
                                                            "Containers (to the gateway's "
                                                            'pods)',
                                           'workload': {'name': 'istio-ingress/istio-ingressgateway',  # noqa: E501
                                                        'drain': {'termination_drain_seconds': 48,
                                                                  'termination_grace_period_seconds': 63},  # noqa: E501
                                                        'idleTimeout': None,
                                                        'serviceType': None},
                                           'gateway': {'stack': 'ingress',
                                                       'service_type': 'ClusterIP',
                                                       'trusted_proxies': 1,
                                                       'proxy_protocol': False,
                                                       'prometheus_scrape': True,
                                                       'service_annotations': {},
                                                       'namespace_labels': {},
                                                       'health_check_sources': ('10.240.16.0/24',),
                                                       'health_check_ports': (15021,),
                                                       'idle_timeout_seconds': 3600,
                                                       'https_at_load_balancer': (),
                                                       'status_port_on_service': True},
                                           'health_check': {'port': 15021,
                                                            'protocol': 'HTTP',
                                                            'path': '/healthz/ready',
                                                            'interval_seconds': 11,
                                                            'healthy_threshold': 2,
                                                            'unhealthy_threshold': 3,
                                                            'sources': ('10.240.16.0/24',)},
                                           'deploys_gateway': True,
                                           'tls_listeners': ('https',),
                                           'drain_needed_seconds': 33,
                                           'drain_reason': 'the 33 s Application Gateway for '
                                                           "Containers' probes take to mark a "
                                                           'pod down',
                                           'timeouts': {'pooling': True,
                                                        'load_balancer_idle_seconds': 300,
                                                        'envoy_idle_seconds': 3600,
                                                        'response_seconds': 60,
                                                        'idle_rule': 'EDGE-TO-AGC',
                                                        'response_rule': 'EDGE-TO-AGC',
                                                        'idle_setting': '',
                                                        'response_setting': 'azure.applicationGatewayForContainers.requestTimeoutSeconds',  # noqa: E501
                                                        'response_by': 'Application Gateway '
                                                                       'for Containers',
                                                        'response_ends_sessions': True,
                                                        'response_max_seconds': 86400},
                                           'client_address': 'X-Forwarded-For appended by '
                                                             'Application Gateway for '
                                                             'Containers, one trusted hop',
                                           'tls_termination': 'at Application Gateway for '
                                                              'Containers (Kubernetes Secret, '
                                                              'FrontendTLSPolicy 2023-06-S)',
                                           'rules': ['EDGE-HC-AGC',
                                                     'EDGE-ID-AGC',
                                                     'EDGE-TO-AGC',
                                                     'EDGE-DR-AGC',
                                                     'EDGE-NET-AGC',
                                                     'EDGE-TLS-AGC',
                                                     'EDGE-ID-HOPS',
                                                     'EDGE-DR',
                                                     'EDGE-TO',
                                                     'EDGE-HC-NETPOL',
                                                     'EDGE-CH-SETTING']},
 'chained-probe-window-at-the-delay': {'on': 'aks chained',
                                       'load_balancer': 'Azure Application Gateway for '
                                                        "Containers (to the gateway's pods)",
                                       'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                                    'drain': {'termination_drain_seconds': 45,
                                                              'termination_grace_period_seconds': 60},  # noqa: E501
                                                    'idleTimeout': None,
                                                    'serviceType': None},
                                       'gateway': {'stack': 'ingress',
                                                   'service_type': 'ClusterIP',
                                                   'trusted_proxies': 1,
                                                   'proxy_protocol': False,
                                                   'prometheus_scrape': True,
                                                   'service_annotations': {},
                                                   'namespace_labels': {},
                                                   'health_check_sources': ('10.240.16.0/24',),
                                                   'health_check_ports': (15021,),
                                                   'idle_timeout_seconds': 3600,
                                                   'https_at_load_balancer': (),
                                                   'status_port_on_service': True},
                                       'health_check': {'port': 15021,
                                                        'protocol': 'HTTP',
                                                        'path': '/healthz/ready',
                                                        'interval_seconds': 10,
                                                        'healthy_threshold': 1,
                                                        'unhealthy_threshold': 3,
                                                        'sources': ('10.240.16.0/24',)},
                                       'deploys_gateway': True,
                                       'tls_listeners': ('https',),
                                       'drain_needed_seconds': 30,
                                       'drain_reason': 'loadBalancer.deregistrationDelaySeconds '
                                                       '(30), the time the ALB Controller is '
                                                       "given to take the pod's endpoint out "
                                                       'of Application Gateway for Containers',
                                       'timeouts': {'pooling': True,
                                                    'load_balancer_idle_seconds': 300,
                                                    'envoy_idle_seconds': 3600,
                                                    'response_seconds': 60,
                                                    'idle_rule': 'EDGE-TO-AGC',
                                                    'response_rule': 'EDGE-TO-AGC',
                                                    'idle_setting': '',
                                                    'response_setting': 'azure.applicationGatewayForContainers.requestTimeoutSeconds',  # noqa: E501
                                                    'response_by': 'Application Gateway for '
                                                                   'Containers',
                                                    'response_ends_sessions': True,
                                                    'response_max_seconds': 86400},
                                       'client_address': 'X-Forwarded-For appended by '
                                                         'Application Gateway for Containers, '
                                                         'one trusted hop',
                                       'tls_termination': 'at Application Gateway for '
                                                          'Containers (Kubernetes Secret, '
                                                          'FrontendTLSPolicy 2023-06-S)',
                                       'rules': ['EDGE-HC-AGC',
                                                 'EDGE-ID-AGC',
                                                 'EDGE-TO-AGC',
                                                 'EDGE-DR-AGC',
                                                 'EDGE-NET-AGC',
                                                 'EDGE-TLS-AGC',
                                                 'EDGE-ID-HOPS',
                                                 'EDGE-DR',
                                                 'EDGE-TO',
                                                 'EDGE-HC-NETPOL',
                                                 'EDGE-CH-SETTING']},
 'chained-settings': {'on': 'aks chained',
                      'load_balancer': 'Azure Application Gateway for Containers (to the '
                                       "gateway's pods)",
                      'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                   'drain': {'termination_drain_seconds': 45,
                                             'termination_grace_period_seconds': 60},
                                   'idleTimeout': '400500ms',
                                   'serviceType': None},
                      'gateway': {'stack': 'ingress',
                                  'service_type': 'ClusterIP',
                                  'trusted_proxies': 1,
                                  'proxy_protocol': False,
                                  'prometheus_scrape': True,
                                  'service_annotations': {},
                                  'namespace_labels': {},
                                  'health_check_sources': (),
                                  'health_check_ports': (15021,),
                                  'idle_timeout_seconds': 400,
                                  'https_at_load_balancer': (),
                                  'status_port_on_service': True},
                      'health_check': {'port': 15021,
                                       'protocol': 'HTTP',
                                       'path': '/healthz/ready',
                                       'interval_seconds': 5,
                                       'healthy_threshold': 1,
                                       'unhealthy_threshold': 3,
                                       'sources': ()},
                      'deploys_gateway': True,
                      'tls_listeners': ('https', 'more'),
                      'drain_needed_seconds': 30,
                      'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30), the time '
                                      "the ALB Controller is given to take the pod's endpoint "
                                      'out of Application Gateway for Containers',
                      'timeouts': {'pooling': True,
                                   'load_balancer_idle_seconds': 300,
                                   'envoy_idle_seconds': 400,
                                   'response_seconds': 120,
                                   'idle_rule': 'EDGE-TO-AGC',
                                   'response_rule': 'EDGE-TO-AGC',
                                   'idle_setting': '',
                                   'response_setting': 'azure.applicationGatewayForContainers.requestTimeoutSeconds',  # noqa: E501
                                   'response_by': 'Application Gateway for Containers',
                                   'response_ends_sessions': True,
                                   'response_max_seconds': 86400},
                      'client_address': 'X-Forwarded-For appended by Application Gateway for '
                                        'Containers, one trusted hop',
                      'tls_termination': 'at Application Gateway for Containers (Kubernetes '
                                         'Secret, FrontendTLSPolicy 2023-06)',
                      'rules': ['EDGE-HC-AGC',
                                'EDGE-ID-AGC',
                                'EDGE-TO-AGC',
                                'EDGE-DR-AGC',
                                'EDGE-NET-AGC',
                                'EDGE-TLS-AGC',
                                'EDGE-ID-HOPS',
                                'EDGE-DR',
                                'EDGE-TO',
                                'EDGE-HC-NETPOL',
                                'EDGE-CH-SETTING']},
 'standalone': {'on': 'aks standalone',
                'load_balancer': 'Azure Application Gateway for Containers',
                'workload': None,
                'gateway': None,
                'health_check': None,
                'deploys_gateway': True,
                'tls_listeners': (),
                'drain_needed_seconds': 0,
                'drain_reason': '',
                'timeouts': None,
                'client_address': 'X-Forwarded-For appended by Application Gateway for '
                                  'Containers (read by the backends)',
                'tls_termination': 'at Application Gateway for Containers (Kubernetes Secret, '
                                   'FrontendTLSPolicy 2023-06-S)',
                'rules': ['EDGE-HC-AGC', 'EDGE-TO-AGC', 'EDGE-NET-AGC', 'EDGE-TLS-AGC']}}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_topology_plans_its_edge(case: str) -> None:
    assert planned_edge(CASES[case]) == EXPECTED[case]


def test_prometheus_scrape_is_the_callers() -> None:
    cfg = parse_config(agc_stack("chained"))
    assert agc_edge_plan(cfg).gateway.prometheus_scrape is True
    assert agc_edge_plan(cfg, prometheus_scrape=False).gateway.prometheus_scrape is False
