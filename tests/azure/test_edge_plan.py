"""ingresslib.azure.edge_plan: the EdgePlan of each AKS topology with the Azure load balancer or
Application Gateway, every planned value: the gateway's half of the hop, the probe and where it
comes from, the drain it needs and why, both sides' timeouts (and the key that sets each), the
rules, and the statements of the rules this edge words its own way."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.edge_plan import aks_edge_plan
from tests.configs import agc_stack, aks_stack
from tests.shared import planned_edge, refusals


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


def _lb(topology: str = "gateway", **lb: Any) -> dict[str, Any]:
    data = aks_stack(topology)
    data["azure"].setdefault("loadBalancer", {}).update(lb)
    return data


_ADDON = aks_stack()
_ADDON["azure"]["istioAddon"] = {"revision": "asm-1-26"}
_CHAINED = aks_stack("chained")
_CHAINED["azure"]["applicationGateway"]["requestTimeoutSeconds"] = 45

CASES: dict[str, dict[str, Any]] = {
    "gateway": aks_stack(),
    "gateway-internal": _with(_lb(subnet="ingress"), loadBalancer={"scheme": "internal"}),
    "gateway-tcp-reset-off-long-idle": _lb(tcpReset=False, idleTimeoutMinutes=10),
    "gateway-probe-window-beyond-the-delay": _lb(probeIntervalSeconds=20),
    "gateway-probe-window-at-the-delay": _lb(probeIntervalSeconds=15),
    "gateway-envoy-idle-given": _with(aks_stack(), gateway={"idleTimeout": "100500ms"},
                                      name="edge"),
    "gateway-addon": _ADDON,
    "chained": _CHAINED,
    "standalone": aks_stack("standalone"),
    "agc-chained": agc_stack("chained"),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'gateway': {'on': 'aks gateway',
             'load_balancer': 'Azure Standard Load Balancer',
             'workload': {'name': 'istio-ingress/istio-ingressgateway',
                          'drain': {'termination_drain_seconds': 45,
                                    'termination_grace_period_seconds': 60},
                          'idleTimeout': None,
                          'serviceType': None},
             'gateway': {'stack': 'ingress',
                         'service_type': 'LoadBalancer',
                         'trusted_proxies': 0,
                         'proxy_protocol': False,
                         'prometheus_scrape': True,
                         'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-resource-group': 'edge',  # noqa: E501
                                                 'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '30',  # noqa: E501
                                                 'service.beta.kubernetes.io/azure-pip-name': 'ingress-gateway-ip',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_15021_no_lb_rule': 'true',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_interval': '5',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_interval': '5',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                         'namespace_labels': {},
                         'health_check_sources': ('168.63.129.16/32',),
                         'health_check_ports': (15021,),
                         'idle_timeout_seconds': 1740,
                         'https_at_load_balancer': (),
                         'status_port_on_service': True},
             'health_check': {'port': 15021,
                              'protocol': 'HTTP',
                              'path': '/healthz/ready',
                              'interval_seconds': 5,
                              'healthy_threshold': 1,
                              'unhealthy_threshold': 2,
                              'sources': ('168.63.129.16/32',)},
             'deploys_gateway': True,
             'tls_listeners': (),
             'drain_needed_seconds': 30,
             'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
             'timeouts': {'pooling': False,
                          'load_balancer_idle_seconds': 1800,
                          'envoy_idle_seconds': 1740,
                          'response_seconds': 1800,
                          'idle_rule': 'EDGE-TO-AZURE-LB',
                          'response_rule': 'EDGE-TO-AZURE-LB',
                          'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                          'response_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                          'response_by': 'the Azure load balancer',
                          'response_ends_sessions': False,
                          'response_max_seconds': None},
             'client_address': 'source address (externalTrafficPolicy Local)',
             'tls_termination': 'at the gateway',
             'rules': ['EDGE-HC-AZURE',
                       'EDGE-HC-LBRULE',
                       'EDGE-ID-HOPS',
                       'EDGE-TO-AZURE-LB',
                       'EDGE-DR-AZURE-LB',
                       'EDGE-DR',
                       'EDGE-TO',
                       'EDGE-HC-NETPOL',
                       'EDGE-CH-SETTING']},
 'gateway-internal': {'on': 'aks gateway',
                      'load_balancer': 'Azure Standard Load Balancer',
                      'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                   'drain': {'termination_drain_seconds': 45,
                                             'termination_grace_period_seconds': 60},
                                   'idleTimeout': None,
                                   'serviceType': None},
                      'gateway': {'stack': 'ingress',
                                  'service_type': 'LoadBalancer',
                                  'trusted_proxies': 0,
                                  'proxy_protocol': False,
                                  'prometheus_scrape': True,
                                  'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',  # noqa: E501
                                                          'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': 'ingress',  # noqa: E501
                                                          'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '30',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_15021_no_lb_rule': 'true',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_443_health-probe_interval': '5',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_80_health-probe_interval': '5',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                          'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                                  'namespace_labels': {},
                                  'health_check_sources': ('168.63.129.16/32',),
                                  'health_check_ports': (15021,),
                                  'idle_timeout_seconds': 1740,
                                  'https_at_load_balancer': (),
                                  'status_port_on_service': True},
                      'health_check': {'port': 15021,
                                       'protocol': 'HTTP',
                                       'path': '/healthz/ready',
                                       'interval_seconds': 5,
                                       'healthy_threshold': 1,
                                       'unhealthy_threshold': 2,
                                       'sources': ('168.63.129.16/32',)},
                      'deploys_gateway': True,
                      'tls_listeners': (),
                      'drain_needed_seconds': 30,
                      'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
                      'timeouts': {'pooling': False,
                                   'load_balancer_idle_seconds': 1800,
                                   'envoy_idle_seconds': 1740,
                                   'response_seconds': 1800,
                                   'idle_rule': 'EDGE-TO-AZURE-LB',
                                   'response_rule': 'EDGE-TO-AZURE-LB',
                                   'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                                   'response_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                                   'response_by': 'the Azure load balancer',
                                   'response_ends_sessions': False,
                                   'response_max_seconds': None},
                      'client_address': 'source address (externalTrafficPolicy Local)',
                      'tls_termination': 'at the gateway',
                      'rules': ['EDGE-HC-AZURE',
                                'EDGE-HC-LBRULE',
                                'EDGE-ID-HOPS',
                                'EDGE-TO-AZURE-LB',
                                'EDGE-DR-AZURE-LB',
                                'EDGE-DR',
                                'EDGE-TO',
                                'EDGE-HC-NETPOL',
                                'EDGE-CH-SETTING']},
 'gateway-tcp-reset-off-long-idle': {'on': 'aks gateway',
                                     'load_balancer': 'Azure Standard Load Balancer (TCP '
                                                      'reset off)',
                                     'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                                  'drain': {'termination_drain_seconds': 45,
                                                            'termination_grace_period_seconds': 60},
                                                  'idleTimeout': None,
                                                  'serviceType': None},
                                     'gateway': {'stack': 'ingress',
                                                 'service_type': 'LoadBalancer',
                                                 'trusted_proxies': 0,
                                                 'proxy_protocol': False,
                                                 'prometheus_scrape': True,
                                                 'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-disable-tcp-reset': 'true',  # noqa: E501
                                                                         'service.beta.kubernetes.io/azure-load-balancer-resource-group': 'edge',  # noqa: E501
                                                                         'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '10',  # noqa: E501
                                                                         'service.beta.kubernetes.io/azure-pip-name': 'ingress-gateway-ip',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_15021_no_lb_rule': 'true',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_443_health-probe_interval': '5',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_80_health-probe_interval': '5',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                                         'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                                                 'namespace_labels': {},
                                                 'health_check_sources': ('168.63.129.16/32',),
                                                 'health_check_ports': (15021,),
                                                 'idle_timeout_seconds': 540,
                                                 'https_at_load_balancer': (),
                                                 'status_port_on_service': True},
                                     'health_check': {'port': 15021,
                                                      'protocol': 'HTTP',
                                                      'path': '/healthz/ready',
                                                      'interval_seconds': 5,
                                                      'healthy_threshold': 1,
                                                      'unhealthy_threshold': 2,
                                                      'sources': ('168.63.129.16/32',)},
                                     'deploys_gateway': True,
                                     'tls_listeners': (),
                                     'drain_needed_seconds': 30,
                                     'drain_reason': 'loadBalancer.deregistrationDelaySeconds '
                                                     '(30)',
                                     'timeouts': {'pooling': False,
                                                  'load_balancer_idle_seconds': 600,
                                                  'envoy_idle_seconds': 540,
                                                  'response_seconds': 600,
                                                  'idle_rule': 'EDGE-TO-AZURE-LB',
                                                  'response_rule': 'EDGE-TO-AZURE-LB',
                                                  'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',  # noqa: E501
                                                  'response_setting': 'azure.loadBalancer.idleTimeoutMinutes',  # noqa: E501
                                                  'response_by': 'the Azure load balancer',
                                                  'response_ends_sessions': False,
                                                  'response_max_seconds': None},
                                     'client_address': 'source address (externalTrafficPolicy '
                                                       'Local)',
                                     'tls_termination': 'at the gateway',
                                     'rules': ['EDGE-HC-AZURE',
                                               'EDGE-HC-LBRULE',
                                               'EDGE-ID-HOPS',
                                               'EDGE-TO-AZURE-LB',
                                               'EDGE-DR-AZURE-LB',
                                               'EDGE-DR',
                                               'EDGE-TO',
                                               'EDGE-HC-NETPOL',
                                               'EDGE-CH-SETTING']},
 'gateway-probe-window-beyond-the-delay': {'on': 'aks gateway',
                                           'load_balancer': 'Azure Standard Load Balancer',
                                           'workload': {'name': 'istio-ingress/istio-ingressgateway',  # noqa: E501
                                                        'drain': {'termination_drain_seconds': 55,
                                                                  'termination_grace_period_seconds': 70},  # noqa: E501
                                                        'idleTimeout': None,
                                                        'serviceType': None},
                                           'gateway': {'stack': 'ingress',
                                                       'service_type': 'LoadBalancer',
                                                       'trusted_proxies': 0,
                                                       'proxy_protocol': False,
                                                       'prometheus_scrape': True,
                                                       'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-resource-group': 'edge',  # noqa: E501
                                                                               'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '30',  # noqa: E501
                                                                               'service.beta.kubernetes.io/azure-pip-name': 'ingress-gateway-ip',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_15021_no_lb_rule': 'true',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_443_health-probe_interval': '20',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_80_health-probe_interval': '20',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                                               'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                                                       'namespace_labels': {},
                                                       'health_check_sources': ('168.63.129.16/32',),  # noqa: E501
                                                       'health_check_ports': (15021,),
                                                       'idle_timeout_seconds': 1740,
                                                       'https_at_load_balancer': (),
                                                       'status_port_on_service': True},
                                           'health_check': {'port': 15021,
                                                            'protocol': 'HTTP',
                                                            'path': '/healthz/ready',
                                                            'interval_seconds': 20,
                                                            'healthy_threshold': 1,
                                                            'unhealthy_threshold': 2,
                                                            'sources': ('168.63.129.16/32',)},
                                           'deploys_gateway': True,
                                           'tls_listeners': (),
                                           'drain_needed_seconds': 40,
                                           'drain_reason': 'the 40 s the Azure load '
                                                           "balancer's probes take to mark a "
                                                           'pod down',
                                           'timeouts': {'pooling': False,
                                                        'load_balancer_idle_seconds': 1800,
                                                        'envoy_idle_seconds': 1740,
                                                        'response_seconds': 1800,
                                                        'idle_rule': 'EDGE-TO-AZURE-LB',
                                                        'response_rule': 'EDGE-TO-AZURE-LB',
                                                        'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',  # noqa: E501
                                                        'response_setting': 'azure.loadBalancer.idleTimeoutMinutes',  # noqa: E501
                                                        'response_by': 'the Azure load '
                                                                       'balancer',
                                                        'response_ends_sessions': False,
                                                        'response_max_seconds': None},
                                           'client_address': 'source address '
                                                             '(externalTrafficPolicy Local)',
                                           'tls_termination': 'at the gateway',
                                           'rules': ['EDGE-HC-AZURE',
                                                     'EDGE-HC-LBRULE',
                                                     'EDGE-ID-HOPS',
                                                     'EDGE-TO-AZURE-LB',
                                                     'EDGE-DR-AZURE-LB',
                                                     'EDGE-DR',
                                                     'EDGE-TO',
                                                     'EDGE-HC-NETPOL',
                                                     'EDGE-CH-SETTING']},
 'gateway-probe-window-at-the-delay': {'on': 'aks gateway',
                                       'load_balancer': 'Azure Standard Load Balancer',
                                       'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                                    'drain': {'termination_drain_seconds': 45,
                                                              'termination_grace_period_seconds': 60},  # noqa: E501
                                                    'idleTimeout': None,
                                                    'serviceType': None},
                                       'gateway': {'stack': 'ingress',
                                                   'service_type': 'LoadBalancer',
                                                   'trusted_proxies': 0,
                                                   'proxy_protocol': False,
                                                   'prometheus_scrape': True,
                                                   'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-resource-group': 'edge',  # noqa: E501
                                                                           'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '30',  # noqa: E501
                                                                           'service.beta.kubernetes.io/azure-pip-name': 'ingress-gateway-ip',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_15021_no_lb_rule': 'true',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_443_health-probe_interval': '15',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_80_health-probe_interval': '15',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                                           'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                                                   'namespace_labels': {},
                                                   'health_check_sources': ('168.63.129.16/32',),
                                                   'health_check_ports': (15021,),
                                                   'idle_timeout_seconds': 1740,
                                                   'https_at_load_balancer': (),
                                                   'status_port_on_service': True},
                                       'health_check': {'port': 15021,
                                                        'protocol': 'HTTP',
                                                        'path': '/healthz/ready',
                                                        'interval_seconds': 15,
                                                        'healthy_threshold': 1,
                                                        'unhealthy_threshold': 2,
                                                        'sources': ('168.63.129.16/32',)},
                                       'deploys_gateway': True,
                                       'tls_listeners': (),
                                       'drain_needed_seconds': 30,
                                       'drain_reason': 'loadBalancer.deregistrationDelaySeconds '
                                                       '(30)',
                                       'timeouts': {'pooling': False,
                                                    'load_balancer_idle_seconds': 1800,
                                                    'envoy_idle_seconds': 1740,
                                                    'response_seconds': 1800,
                                                    'idle_rule': 'EDGE-TO-AZURE-LB',
                                                    'response_rule': 'EDGE-TO-AZURE-LB',
                                                    'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',  # noqa: E501
                                                    'response_setting': 'azure.loadBalancer.idleTimeoutMinutes',  # noqa: E501
                                                    'response_by': 'the Azure load balancer',
                                                    'response_ends_sessions': False,
                                                    'response_max_seconds': None},
                                       'client_address': 'source address '
                                                         '(externalTrafficPolicy Local)',
                                       'tls_termination': 'at the gateway',
                                       'rules': ['EDGE-HC-AZURE',
                                                 'EDGE-HC-LBRULE',
                                                 'EDGE-ID-HOPS',
                                                 'EDGE-TO-AZURE-LB',
                                                 'EDGE-DR-AZURE-LB',
                                                 'EDGE-DR',
                                                 'EDGE-TO',
                                                 'EDGE-HC-NETPOL',
                                                 'EDGE-CH-SETTING']},
 'gateway-envoy-idle-given': {'on': 'aks gateway',
                              'load_balancer': 'Azure Standard Load Balancer',
                              'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                           'drain': {'termination_drain_seconds': 45,
                                                     'termination_grace_period_seconds': 60},
                                           'idleTimeout': '100500ms',
                                           'serviceType': None},
                              'gateway': {'stack': 'edge',
                                          'service_type': 'LoadBalancer',
                                          'trusted_proxies': 0,
                                          'proxy_protocol': False,
                                          'prometheus_scrape': True,
                                          'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-resource-group': 'edge',  # noqa: E501
                                                                  'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '30',  # noqa: E501
                                                                  'service.beta.kubernetes.io/azure-pip-name': 'edge-gateway-ip',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_15021_no_lb_rule': 'true',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_443_health-probe_interval': '5',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_80_health-probe_interval': '5',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                                  'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                                          'namespace_labels': {},
                                          'health_check_sources': ('168.63.129.16/32',),
                                          'health_check_ports': (15021,),
                                          'idle_timeout_seconds': 100,
                                          'https_at_load_balancer': (),
                                          'status_port_on_service': True},
                              'health_check': {'port': 15021,
                                               'protocol': 'HTTP',
                                               'path': '/healthz/ready',
                                               'interval_seconds': 5,
                                               'healthy_threshold': 1,
                                               'unhealthy_threshold': 2,
                                               'sources': ('168.63.129.16/32',)},
                              'deploys_gateway': True,
                              'tls_listeners': (),
                              'drain_needed_seconds': 30,
                              'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
                              'timeouts': {'pooling': False,
                                           'load_balancer_idle_seconds': 1800,
                                           'envoy_idle_seconds': 100,
                                           'response_seconds': 1800,
                                           'idle_rule': 'EDGE-TO-AZURE-LB',
                                           'response_rule': 'EDGE-TO-AZURE-LB',
                                           'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                                           'response_setting': 'azure.loadBalancer.idleTimeoutMinutes',  # noqa: E501
                                           'response_by': 'the Azure load balancer',
                                           'response_ends_sessions': False,
                                           'response_max_seconds': None},
                              'client_address': 'source address (externalTrafficPolicy Local)',
                              'tls_termination': 'at the gateway',
                              'rules': ['EDGE-HC-AZURE',
                                        'EDGE-HC-LBRULE',
                                        'EDGE-ID-HOPS',
                                        'EDGE-TO-AZURE-LB',
                                        'EDGE-DR-AZURE-LB',
                                        'EDGE-DR',
                                        'EDGE-TO',
                                        'EDGE-HC-NETPOL',
                                        'EDGE-CH-SETTING']},
 'gateway-addon': {'on': 'aks gateway',
                   'load_balancer': 'Azure Standard Load Balancer',
                   'workload': {'name': 'aks-istio-ingress/aks-istio-ingressgateway-external',
                                'drain': {'termination_drain_seconds': 45,
                                          'termination_grace_period_seconds': 60},
                                'idleTimeout': None,
                                'serviceType': None},
                   'gateway': {'stack': 'ingress',
                               'service_type': 'LoadBalancer',
                               'trusted_proxies': 0,
                               'proxy_protocol': False,
                               'prometheus_scrape': True,
                               'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-resource-group': 'edge',  # noqa: E501
                                                       'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '70',  # noqa: E501
                                                       'service.beta.kubernetes.io/azure-pip-name': 'ingress-gateway-ip',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_443_health-probe_interval': '5',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_80_health-probe_interval': '5',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                       'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                               'namespace_labels': {},
                               'health_check_sources': ('168.63.129.16/32',),
                               'health_check_ports': (15021,),
                               'idle_timeout_seconds': None,
                               'https_at_load_balancer': (),
                               'status_port_on_service': True},
                   'health_check': {'port': 15021,
                                    'protocol': 'HTTP',
                                    'path': '/healthz/ready',
                                    'interval_seconds': 5,
                                    'healthy_threshold': 1,
                                    'unhealthy_threshold': 2,
                                    'sources': ('168.63.129.16/32',)},
                   'deploys_gateway': False,
                   'tls_listeners': (),
                   'drain_needed_seconds': 30,
                   'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
                   'timeouts': {'pooling': False,
                                'load_balancer_idle_seconds': 4200,
                                'envoy_idle_seconds': 3600,
                                'response_seconds': 4200,
                                'idle_rule': 'EDGE-TO-AZURE-LB',
                                'response_rule': 'EDGE-TO-AZURE-LB',
                                'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                                'response_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                                'response_by': 'the Azure load balancer',
                                'response_ends_sessions': False,
                                'response_max_seconds': None},
                   'client_address': 'source address (externalTrafficPolicy Local)',
                   'tls_termination': 'at the gateway',
                   'rules': ['EDGE-HC-AZURE',
                             'EDGE-HC-LBRULE',
                             'EDGE-ID-HOPS',
                             'EDGE-TO-AZURE-LB',
                             'EDGE-DR-AZURE-LB',
                             'EDGE-DR',
                             'EDGE-TO',
                             'EDGE-HC-NETPOL',
                             'EDGE-CH-SETTING']},
 'chained': {'on': 'aks chained',
             'load_balancer': 'Azure Standard Load Balancer (internal) behind Azure '
                              'Application Gateway',
             'workload': {'name': 'istio-ingress/istio-ingressgateway',
                          'drain': {'termination_drain_seconds': 45,
                                    'termination_grace_period_seconds': 60},
                          'idleTimeout': None,
                          'serviceType': None},
             'gateway': {'stack': 'ingress',
                         'service_type': 'LoadBalancer',
                         'trusted_proxies': 1,
                         'proxy_protocol': False,
                         'prometheus_scrape': True,
                         'service_annotations': {'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',  # noqa: E501
                                                 'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': 'ingress',  # noqa: E501
                                                 'service.beta.kubernetes.io/azure-load-balancer-ipv4': '10.240.4.10',  # noqa: E501
                                                 'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '30',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_15021_health-probe_interval': '5',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_15021_health-probe_num-of-probe': '2',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_15021_health-probe_port': '15021',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_15021_health-probe_protocol': 'http',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_15021_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_interval': '5',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_num-of-probe': '2',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_port': '15021',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_protocol': 'http',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_443_health-probe_request-path': '/healthz/ready',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_interval': '5',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_num-of-probe': '2',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_port': '15021',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',  # noqa: E501
                                                 'service.beta.kubernetes.io/port_80_health-probe_request-path': '/healthz/ready'},  # noqa: E501
                         'namespace_labels': {},
                         'health_check_sources': ('168.63.129.16/32',),
                         'health_check_ports': (15021,),
                         'idle_timeout_seconds': 1740,
                         'https_at_load_balancer': (),
                         'status_port_on_service': True},
             'health_check': {'port': 15021,
                              'protocol': 'HTTP',
                              'path': '/healthz/ready',
                              'interval_seconds': 5,
                              'healthy_threshold': 1,
                              'unhealthy_threshold': 2,
                              'sources': ('168.63.129.16/32',)},
             'deploys_gateway': True,
             'tls_listeners': (),
             'drain_needed_seconds': 30,
             'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
             'timeouts': {'pooling': False,
                          'load_balancer_idle_seconds': 1800,
                          'envoy_idle_seconds': 1740,
                          'response_seconds': 45,
                          'idle_rule': 'EDGE-TO-AZURE-LB',
                          'response_rule': 'EDGE-TO-APPGW',
                          'idle_setting': 'azure.loadBalancer.idleTimeoutMinutes',
                          'response_setting': 'azure.applicationGateway.requestTimeoutSeconds',
                          'response_by': 'Application Gateway',
                          'response_ends_sessions': True,
                          'response_max_seconds': 86400},
             'client_address': 'X-Forwarded-For appended by Application Gateway, rewritten '
                               "without the client's port; one trusted hop",
             'tls_termination': 'at Application Gateway (Key Vault)',
             'rules': ['EDGE-HC-AZURE',
                       'EDGE-HC-LBRULE',
                       'EDGE-ID-HOPS',
                       'EDGE-TO-AZURE-LB',
                       'EDGE-DR-AZURE-LB',
                       'EDGE-ID-XFF-PORT',
                       'EDGE-TO-APPGW',
                       'EDGE-PR-APPGW',
                       'EDGE-DR',
                       'EDGE-TO',
                       'EDGE-HC-NETPOL',
                       'EDGE-CH-SETTING']},
 'standalone': {'on': 'aks standalone',
                'load_balancer': 'Azure Application Gateway (AGIC)',
                'workload': None,
                'gateway': None,
                'health_check': None,
                'deploys_gateway': True,
                'tls_listeners': (),
                'drain_needed_seconds': 30,
                'drain_reason': 'the longest request timeout of a route (30 s)',
                'timeouts': None,
                'client_address': 'X-Forwarded-For appended by Application Gateway, rewritten '
                                  "without the client's port (read by the backends)",
                'tls_termination': 'at Application Gateway (Key Vault)',
                'rules': ['EDGE-ID-XFF-PORT',
                          'EDGE-TO-APPGW',
                          'EDGE-DR-APPGW',
                          'EDGE-PR-APPGW']},
 'agc-chained': {'on': 'aks chained',
                 'load_balancer': "Azure Application Gateway for Containers (to the gateway's "
                                  'pods)',
                 'workload': {'name': 'istio-ingress/istio-ingressgateway',
                              'drain': {'termination_drain_seconds': 45,
                                        'termination_grace_period_seconds': 60},
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
                                  'interval_seconds': 5,
                                  'healthy_threshold': 1,
                                  'unhealthy_threshold': 3,
                                  'sources': ('10.240.16.0/24',)},
                 'deploys_gateway': True,
                 'tls_listeners': ('https',),
                 'drain_needed_seconds': 30,
                 'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30), the time the '
                                 "ALB Controller is given to take the pod's endpoint out of "
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
                 'tls_termination': 'at Application Gateway for Containers (Kubernetes '
                                    'Secret, FrontendTLSPolicy 2023-06-S)',
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
                           'EDGE-CH-SETTING']}}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_topology_plans_its_edge(case: str) -> None:
    assert planned_edge(CASES[case]) == EXPECTED[case]


def test_the_idle_rule_says_how_the_load_balancer_ends_idle_flows() -> None:
    on = {r.code: r for r in parse_config(aks_stack()).edge.rules}["EDGE-TO-AZURE-LB"]
    off = {r.code: r for r in parse_config(
        _lb(tcpReset=False)).edge.rules}["EDGE-TO-AZURE-LB"]
    assert on.statement == (
        "The Azure load balancer forgets a flow idle for its idle timeout (4-100 min), and "
        "with TCP reset on (azure.loadBalancer.tcpReset) it resets both ends: Envoy's idle "
        "timeout is shorter, and a route timeout fits inside it")
    assert off.statement == (
        "The Azure load balancer forgets a flow idle for its idle timeout (4-100 min), and "
        "with TCP reset off (azure.loadBalancer.tcpReset) it drops the flow silently: Envoy's "
        "idle timeout is shorter, and a route timeout fits inside it")
    assert on.source == off.source


def test_standalone_words_the_timeout_rule_as_agic_applies_it() -> None:
    rules = {r.code: r for r in parse_config(aks_stack("standalone")).edge.rules}
    assert rules["EDGE-TO-APPGW"].statement == (
        "Application Gateway waits a backend setting's request timeout for a response: in "
        "standalone each route's timeout becomes its Ingress's request timeout (whole "
        "seconds, at most 86400), requestTimeoutSeconds where the route has none")
    chained = {r.code: r for r in parse_config(_CHAINED).edge.rules}
    assert chained["EDGE-TO-APPGW"].statement.startswith(
        "Application Gateway waits requestTimeoutSeconds for a response")
    assert rules["EDGE-TO-APPGW"].source == chained["EDGE-TO-APPGW"].source


@pytest.mark.parametrize("topology", ["gateway", "chained"])
def test_prometheus_scrape_is_the_callers(topology: str) -> None:
    cfg = parse_config(aks_stack(topology))
    assert aks_edge_plan(cfg).gateway.prometheus_scrape is True
    assert aks_edge_plan(cfg, prometheus_scrape=False).gateway.prometheus_scrape is False
    agc = parse_config(agc_stack("chained"))
    assert aks_edge_plan(agc, prometheus_scrape=False).gateway.prometheus_scrape is False


def test_a_stack_without_azure_is_planned_with_the_load_balancers_defaults() -> None:
    """An aks stack without `azure` is refused for that; the plan the other rules read keeps
    the load balancer's defaults (TCP reset on)."""
    cfg = parse_config(aks_stack()).model_copy(update={"azure": None})
    assert aks_edge_plan(cfg).load_balancer == "Azure Standard Load Balancer"
    data = aks_stack()
    del data["azure"]
    assert [p for p, _, _ in refusals(data)] == ["azure"]
