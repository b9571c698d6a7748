"""ingresslib.aws.edge_plan: the EdgePlan of each EKS topology, every planned value: the
gateway's half of the hop (Service type, trusted hops, PROXY protocol, annotations, namespace
labels, idle timeout, ports TLS ended at), the load balancer's health check and where its
connections come from, the drain it needs and why, both sides' timeouts, and the rules that
apply to the stack."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.aws.edge_plan import eks_edge_plan, load_balancer_sources
from ingresslib.config.workload import GatewayWorkload
from tests.configs import ACM, HOST, HTTP, HTTPS_ACM, NLB_SUBNETS, alb_stack, nlb_stack
from tests.shared import planned_edge, refusals

SECRET = {"source": "secret", "secretName": "shop-tls", "dnsNames": [HOST]}


def _nlb(gateway: dict[str, Any] | None = None, **nlb: Any) -> dict[str, Any]:
    data = nlb_stack(aws={"nlb": nlb})
    if gateway is not None:
        data["gateway"] = gateway
    return data


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


def _alb(topology: str = "chained", **alb: Any) -> dict[str, Any]:
    data = alb_stack(topology)
    data["aws"]["alb"].update(copy.deepcopy(alb))
    return data


_PLAIN = nlb_stack(listeners=[HTTP, {**HTTPS_ACM, "tls": {"certificate": "own"}}],
                   certificates={"own": SECRET})

CASES: dict[str, dict[str, Any]] = {
    "nlb-defaults-tls-at-the-nlb": nlb_stack(),
    "nlb-long-idle-with-tls": _nlb(idleTimeoutSeconds=400),
    "nlb-long-idle-without-tls": _with(_nlb(idleTimeoutSeconds=400),
                                       listeners=_PLAIN["listeners"],
                                       certificates=_PLAIN["certificates"]),
    "nlb-instance-targets": _nlb(targetType="instance"),
    "nlb-instance-targets-short-delay": _with(_nlb(targetType="instance"),
                                              loadBalancer={"deregistrationDelaySeconds": 5}),
    "nlb-instance-targets-cluster-policy": _nlb({"service": {"externalTrafficPolicy": "Cluster"}},
                                                targetType="instance"),
    "nlb-proxy-protocol-with-subnets": _nlb(proxyProtocol=True, subnets=NLB_SUBNETS),
    "nlb-no-preservation": _nlb(preserveClientIp=False, subnets=NLB_SUBNETS),
    "nlb-subnet-without-cidr": _nlb(subnets=[NLB_SUBNETS[0], {
        "id": "subnet-0a1b2c3d4e5f60002", "zone": "eu-west-1b"}]),
    "nlb-delay-at-the-lag": _with(nlb_stack(), loadBalancer={"deregistrationDelaySeconds": 120}),
    "nlb-delay-beyond-the-lag": _with(nlb_stack(),
                                      loadBalancer={"deregistrationDelaySeconds": 121}),
    "nlb-gateway-settings": _with(
        _nlb({"idleTimeout": "100500ms", "service": {"type": "LoadBalancer"},
              "drain": {"terminationDrainSeconds": 200}}), name="edge"),
    "nlb-two-acm-listeners": _with(nlb_stack(), listeners=[
        HTTP, HTTPS_ACM, {"name": "www", "port": 443, "protocol": "HTTPS",
                          "hosts": ["www.example.com"], "tls": {"certificate": "www"}}],
        certificates={"edge": ACM, "www": {**ACM, "dnsNames": ["www.example.com"]}}),
    "alb-chained-defaults": alb_stack(),
    "alb-chained-short-delay": _with(alb_stack(), loadBalancer={"deregistrationDelaySeconds": 5}),
    "alb-chained-load-balancer-service": _with(alb_stack(), gateway={"service": {
        "type": "LoadBalancer"}}),
    "alb-chained-long-idle": _alb(idleTimeoutSeconds=3541),
    "alb-chained-idle-at-the-boundary": _alb(idleTimeoutSeconds=3540),
    "alb-chained-grpc-with-cidrs": _with(
        _alb(protocolVersion="GRPC"),
        listeners=[{**HTTP, "httpsRedirect": True},
                   {"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
                    "tls": {"certificate": "edge-acm"}}]),
    "alb-standalone": alb_stack("standalone"),
    "alb-standalone-grpc-backend": _alb("standalone", backends={"web": {
        "protocolVersion": "GRPC"}}),
}
CASES["alb-chained-grpc-with-cidrs"]["aws"]["alb"]["subnets"] = NLB_SUBNETS

# <EXPECTED>
EXPECTED: dict[str, Any] = {'nlb-defaults-tls-at-the-nlb': {'on': 'eks gateway',
                                 'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                                 'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                              'drain': {'termination_drain_seconds': 135,
                                                        'termination_grace_period_seconds': 150},
                                              'idleTimeout': None,
                                              'serviceType': None},
                                 'gateway': {'stack': 'ingress',
                                             'service_type': 'LoadBalancer',
                                             'trusted_proxies': 0,
                                             'proxy_protocol': False,
                                             'prometheus_scrape': True,
                                             'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                                     'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                             'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                             'health_check_sources': (),
                                             'health_check_ports': (15021,),
                                             'idle_timeout_seconds': 300,
                                             'https_at_load_balancer': (443,),
                                             'status_port_on_service': False},
                                 'health_check': {'port': 15021,
                                                  'protocol': 'HTTP',
                                                  'path': '/healthz/ready',
                                                  'interval_seconds': 10,
                                                  'healthy_threshold': 2,
                                                  'unhealthy_threshold': 2,
                                                  'sources': ()},
                                 'deploys_gateway': True,
                                 'tls_listeners': ('https',),
                                 'drain_needed_seconds': 120,
                                 'drain_reason': 'the 120 s for which the NLB keeps opening '
                                                 'connections to a deregistering IP target',
                                 'timeouts': {'pooling': False,
                                              'load_balancer_idle_seconds': 350,
                                              'envoy_idle_seconds': 300,
                                              'response_seconds': 350,
                                              'idle_rule': 'EDGE-TO-NLB',
                                              'response_rule': 'EDGE-TO-NLB',
                                              'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                              'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                              'response_by': 'the NLB',
                                              'response_ends_sessions': False,
                                              'response_max_seconds': None},
                                 'client_address': 'source address (client IP preservation)',
                                 'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-long-idle-with-tls': {'on': 'eks gateway',
                            'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                            'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                         'drain': {'termination_drain_seconds': 135,
                                                   'termination_grace_period_seconds': 150},
                                         'idleTimeout': None,
                                         'serviceType': None},
                            'gateway': {'stack': 'ingress',
                                        'service_type': 'LoadBalancer',
                                        'trusted_proxies': 0,
                                        'proxy_protocol': False,
                                        'prometheus_scrape': True,
                                        'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=400',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                                'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                        'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                        'health_check_sources': (),
                                        'health_check_ports': (15021,),
                                        'idle_timeout_seconds': 300,
                                        'https_at_load_balancer': (443,),
                                        'status_port_on_service': False},
                            'health_check': {'port': 15021,
                                             'protocol': 'HTTP',
                                             'path': '/healthz/ready',
                                             'interval_seconds': 10,
                                             'healthy_threshold': 2,
                                             'unhealthy_threshold': 2,
                                             'sources': ()},
                            'deploys_gateway': True,
                            'tls_listeners': ('https',),
                            'drain_needed_seconds': 120,
                            'drain_reason': 'the 120 s for which the NLB keeps opening '
                                            'connections to a deregistering IP target',
                            'timeouts': {'pooling': False,
                                         'load_balancer_idle_seconds': 350,
                                         'envoy_idle_seconds': 300,
                                         'response_seconds': 350,
                                         'idle_rule': 'EDGE-TO-NLB',
                                         'response_rule': 'EDGE-TO-NLB',
                                         'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                         'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                         'response_by': 'the NLB',
                                         'response_ends_sessions': False,
                                         'response_max_seconds': None},
                            'client_address': 'source address (client IP preservation)',
                            'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-long-idle-without-tls': {'on': 'eks gateway',
                               'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                               'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                            'drain': {'termination_drain_seconds': 135,
                                                      'termination_grace_period_seconds': 150},
                                            'idleTimeout': None,
                                            'serviceType': None},
                               'gateway': {'stack': 'ingress',
                                           'service_type': 'LoadBalancer',
                                           'trusted_proxies': 0,
                                           'proxy_protocol': False,
                                           'prometheus_scrape': True,
                                           'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=400',  # noqa: E501
                                                                   'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-443': 'tcp.idle_timeout.seconds=400'},  # noqa: E501
                                           'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                           'health_check_sources': (),
                                           'health_check_ports': (15021,),
                                           'idle_timeout_seconds': 350,
                                           'https_at_load_balancer': (),
                                           'status_port_on_service': False},
                               'health_check': {'port': 15021,
                                                'protocol': 'HTTP',
                                                'path': '/healthz/ready',
                                                'interval_seconds': 10,
                                                'healthy_threshold': 2,
                                                'unhealthy_threshold': 2,
                                                'sources': ()},
                               'deploys_gateway': True,
                               'tls_listeners': (),
                               'drain_needed_seconds': 120,
                               'drain_reason': 'the 120 s for which the NLB keeps opening '
                                               'connections to a deregistering IP target',
                               'timeouts': {'pooling': False,
                                            'load_balancer_idle_seconds': 400,
                                            'envoy_idle_seconds': 350,
                                            'response_seconds': 400,
                                            'idle_rule': 'EDGE-TO-NLB',
                                            'response_rule': 'EDGE-TO-NLB',
                                            'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                            'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                            'response_by': 'the NLB',
                                            'response_ends_sessions': False,
                                            'response_max_seconds': None},
                               'client_address': 'source address (client IP preservation)',
                               'tls_termination': 'at the gateway',
                               'rules': ['EDGE-HC-NLB-PORTS',
                                         'EDGE-ID-PROXY',
                                         'EDGE-ID-HOPS',
                                         'EDGE-TO-NLB',
                                         'EDGE-DR-NLB',
                                         'EDGE-DR',
                                         'EDGE-TO',
                                         'EDGE-HC-NETPOL',
                                         'EDGE-CH-SETTING']},
 'nlb-instance-targets': {'on': 'eks gateway',
                          'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
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
                                      'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                      'namespace_labels': {},
                                      'health_check_sources': (),
                                      'health_check_ports': (15021,),
                                      'idle_timeout_seconds': 300,
                                      'https_at_load_balancer': (443,),
                                      'status_port_on_service': False},
                          'health_check': {'port': 'healthCheckNodePort',
                                           'protocol': 'HTTP',
                                           'path': '/healthz',
                                           'interval_seconds': 10,
                                           'healthy_threshold': 2,
                                           'unhealthy_threshold': 2,
                                           'sources': ()},
                          'deploys_gateway': True,
                          'tls_listeners': ('https',),
                          'drain_needed_seconds': 30,
                          'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
                          'timeouts': {'pooling': False,
                                       'load_balancer_idle_seconds': 350,
                                       'envoy_idle_seconds': 300,
                                       'response_seconds': 350,
                                       'idle_rule': 'EDGE-TO-NLB',
                                       'response_rule': 'EDGE-TO-NLB',
                                       'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                       'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                       'response_by': 'the NLB',
                                       'response_ends_sessions': False,
                                       'response_max_seconds': None},
                          'client_address': 'source address (client IP preservation)',
                          'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-instance-targets-short-delay': {'on': 'eks gateway',
                                      'load_balancer': 'AWS NLB (AWS Load Balancer '
                                                       'Controller)',
                                      'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                                   'drain': {'termination_drain_seconds': 35,
                                                             'termination_grace_period_seconds': 50},  # noqa: E501
                                                   'idleTimeout': None,
                                                   'serviceType': None},
                                      'gateway': {'stack': 'ingress',
                                                  'service_type': 'LoadBalancer',
                                                  'trusted_proxies': 0,
                                                  'proxy_protocol': False,
                                                  'prometheus_scrape': True,
                                                  'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=5,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                                          'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                                  'namespace_labels': {},
                                                  'health_check_sources': (),
                                                  'health_check_ports': (15021,),
                                                  'idle_timeout_seconds': 300,
                                                  'https_at_load_balancer': (443,),
                                                  'status_port_on_service': False},
                                      'health_check': {'port': 'healthCheckNodePort',
                                                       'protocol': 'HTTP',
                                                       'path': '/healthz',
                                                       'interval_seconds': 10,
                                                       'healthy_threshold': 2,
                                                       'unhealthy_threshold': 2,
                                                       'sources': ()},
                                      'deploys_gateway': True,
                                      'tls_listeners': ('https',),
                                      'drain_needed_seconds': 20,
                                      'drain_reason': "the 20 s the NLB's health check takes "
                                                      'to mark a node down',
                                      'timeouts': {'pooling': False,
                                                   'load_balancer_idle_seconds': 350,
                                                   'envoy_idle_seconds': 300,
                                                   'response_seconds': 350,
                                                   'idle_rule': 'EDGE-TO-NLB',
                                                   'response_rule': 'EDGE-TO-NLB',
                                                   'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                                   'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                                   'response_by': 'the NLB',
                                                   'response_ends_sessions': False,
                                                   'response_max_seconds': None},
                                      'client_address': 'source address (client IP '
                                                        'preservation)',
                                      'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-instance-targets-cluster-policy': {'on': 'eks gateway',
                                         'load_balancer': 'AWS NLB (AWS Load Balancer '
                                                          'Controller)',
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
                                                     'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'tcp',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': 'traffic-port',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                                             'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                                     'namespace_labels': {},
                                                     'health_check_sources': (),
                                                     'health_check_ports': (15021,),
                                                     'idle_timeout_seconds': 300,
                                                     'https_at_load_balancer': (443,),
                                                     'status_port_on_service': False},
                                         'health_check': {'port': 'traffic-port',
                                                          'protocol': 'TCP',
                                                          'path': None,
                                                          'interval_seconds': 10,
                                                          'healthy_threshold': 2,
                                                          'unhealthy_threshold': 2,
                                                          'sources': ()},
                                         'deploys_gateway': True,
                                         'tls_listeners': ('https',),
                                         'drain_needed_seconds': 30,
                                         'drain_reason': 'loadBalancer.deregistrationDelaySeconds '
                                                         '(30)',
                                         'timeouts': {'pooling': False,
                                                      'load_balancer_idle_seconds': 350,
                                                      'envoy_idle_seconds': 300,
                                                      'response_seconds': 350,
                                                      'idle_rule': 'EDGE-TO-NLB',
                                                      'response_rule': 'EDGE-TO-NLB',
                                                      'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                                      'response_setting': 'aws.nlb.idleTimeoutSeconds',  # noqa: E501
                                                      'response_by': 'the NLB',
                                                      'response_ends_sessions': False,
                                                      'response_max_seconds': None},
                                         'client_address': 'source address (client IP '
                                                           'preservation)',
                                         'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-proxy-protocol-with-subnets': {'on': 'eks gateway',
                                     'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                                     'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                                  'drain': {'termination_drain_seconds': 135,
                                                            'termination_grace_period_seconds': 150},  # noqa: E501
                                                  'idleTimeout': None,
                                                  'serviceType': None},
                                     'gateway': {'stack': 'ingress',
                                                 'service_type': 'LoadBalancer',
                                                 'trusted_proxies': 0,
                                                 'proxy_protocol': True,
                                                 'prometheus_scrape': True,
                                                 'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=false,proxy_protocol_v2.enabled=true',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'tcp',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': 'traffic-port',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-subnets': 'subnet-0a1b2c3d4e5f60001, '  # noqa: E501
                                                                                                                                 'subnet-0a1b2c3d4e5f60002',
                                                                         'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                                         'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                                 'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                                 'health_check_sources': ('10.0.0.0/24',
                                                                          '10.0.1.0/24'),
                                                 'health_check_ports': (80, 443),
                                                 'idle_timeout_seconds': 300,
                                                 'https_at_load_balancer': (443,),
                                                 'status_port_on_service': False},
                                     'health_check': {'port': 'traffic-port',
                                                      'protocol': 'TCP',
                                                      'path': None,
                                                      'interval_seconds': 10,
                                                      'healthy_threshold': 2,
                                                      'unhealthy_threshold': 2,
                                                      'sources': ('10.0.0.0/24',
                                                                  '10.0.1.0/24')},
                                     'deploys_gateway': True,
                                     'tls_listeners': ('https',),
                                     'drain_needed_seconds': 120,
                                     'drain_reason': 'the 120 s for which the NLB keeps '
                                                     'opening connections to a deregistering '
                                                     'IP target',
                                     'timeouts': {'pooling': False,
                                                  'load_balancer_idle_seconds': 350,
                                                  'envoy_idle_seconds': 300,
                                                  'response_seconds': 350,
                                                  'idle_rule': 'EDGE-TO-NLB',
                                                  'response_rule': 'EDGE-TO-NLB',
                                                  'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                                  'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                                  'response_by': 'the NLB',
                                                  'response_ends_sessions': False,
                                                  'response_max_seconds': None},
                                     'client_address': 'PROXY protocol v2 '
                                                       '(aws.nlb.proxyProtocol)',
                                     'tls_termination': 'at the NLB (ACM) for https',
                                     'rules': ['EDGE-HC-PROXY',
                                               'EDGE-HC-NLB-PORTS',
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
 'nlb-no-preservation': {'on': 'eks gateway',
                         'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                         'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                      'drain': {'termination_drain_seconds': 135,
                                                'termination_grace_period_seconds': 150},
                                      'idleTimeout': None,
                                      'serviceType': None},
                         'gateway': {'stack': 'ingress',
                                     'service_type': 'LoadBalancer',
                                     'trusted_proxies': 0,
                                     'proxy_protocol': False,
                                     'prometheus_scrape': True,
                                     'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=false',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-subnets': 'subnet-0a1b2c3d4e5f60001, '  # noqa: E501
                                                                                                                     'subnet-0a1b2c3d4e5f60002',
                                                             'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                             'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                     'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                     'health_check_sources': ('10.0.0.0/24', '10.0.1.0/24'),
                                     'health_check_ports': (80, 443, 15021),
                                     'idle_timeout_seconds': 300,
                                     'https_at_load_balancer': (443,),
                                     'status_port_on_service': False},
                         'health_check': {'port': 15021,
                                          'protocol': 'HTTP',
                                          'path': '/healthz/ready',
                                          'interval_seconds': 10,
                                          'healthy_threshold': 2,
                                          'unhealthy_threshold': 2,
                                          'sources': ('10.0.0.0/24', '10.0.1.0/24')},
                         'deploys_gateway': True,
                         'tls_listeners': ('https',),
                         'drain_needed_seconds': 120,
                         'drain_reason': 'the 120 s for which the NLB keeps opening '
                                         'connections to a deregistering IP target',
                         'timeouts': {'pooling': False,
                                      'load_balancer_idle_seconds': 350,
                                      'envoy_idle_seconds': 300,
                                      'response_seconds': 350,
                                      'idle_rule': 'EDGE-TO-NLB',
                                      'response_rule': 'EDGE-TO-NLB',
                                      'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                      'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                      'response_by': 'the NLB',
                                      'response_ends_sessions': False,
                                      'response_max_seconds': None},
                         'client_address': "none: the gateway sees the NLB's address",
                         'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-subnet-without-cidr': {'on': 'eks gateway',
                             'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                             'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                          'drain': {'termination_drain_seconds': 135,
                                                    'termination_grace_period_seconds': 150},
                                          'idleTimeout': None,
                                          'serviceType': None},
                             'gateway': {'stack': 'ingress',
                                         'service_type': 'LoadBalancer',
                                         'trusted_proxies': 0,
                                         'proxy_protocol': False,
                                         'prometheus_scrape': True,
                                         'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-subnets': 'subnet-0a1b2c3d4e5f60001, '  # noqa: E501
                                                                                                                         'subnet-0a1b2c3d4e5f60002',
                                                                 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                                 'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                         'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                         'health_check_sources': (),
                                         'health_check_ports': (15021,),
                                         'idle_timeout_seconds': 300,
                                         'https_at_load_balancer': (443,),
                                         'status_port_on_service': False},
                             'health_check': {'port': 15021,
                                              'protocol': 'HTTP',
                                              'path': '/healthz/ready',
                                              'interval_seconds': 10,
                                              'healthy_threshold': 2,
                                              'unhealthy_threshold': 2,
                                              'sources': ()},
                             'deploys_gateway': True,
                             'tls_listeners': ('https',),
                             'drain_needed_seconds': 120,
                             'drain_reason': 'the 120 s for which the NLB keeps opening '
                                             'connections to a deregistering IP target',
                             'timeouts': {'pooling': False,
                                          'load_balancer_idle_seconds': 350,
                                          'envoy_idle_seconds': 300,
                                          'response_seconds': 350,
                                          'idle_rule': 'EDGE-TO-NLB',
                                          'response_rule': 'EDGE-TO-NLB',
                                          'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                          'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                          'response_by': 'the NLB',
                                          'response_ends_sessions': False,
                                          'response_max_seconds': None},
                             'client_address': 'source address (client IP preservation)',
                             'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-delay-at-the-lag': {'on': 'eks gateway',
                          'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                          'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                       'drain': {'termination_drain_seconds': 135,
                                                 'termination_grace_period_seconds': 150},
                                       'idleTimeout': None,
                                       'serviceType': None},
                          'gateway': {'stack': 'ingress',
                                      'service_type': 'LoadBalancer',
                                      'trusted_proxies': 0,
                                      'proxy_protocol': False,
                                      'prometheus_scrape': True,
                                      'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=120,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                      'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                      'health_check_sources': (),
                                      'health_check_ports': (15021,),
                                      'idle_timeout_seconds': 300,
                                      'https_at_load_balancer': (443,),
                                      'status_port_on_service': False},
                          'health_check': {'port': 15021,
                                           'protocol': 'HTTP',
                                           'path': '/healthz/ready',
                                           'interval_seconds': 10,
                                           'healthy_threshold': 2,
                                           'unhealthy_threshold': 2,
                                           'sources': ()},
                          'deploys_gateway': True,
                          'tls_listeners': ('https',),
                          'drain_needed_seconds': 120,
                          'drain_reason': 'loadBalancer.deregistrationDelaySeconds (120)',
                          'timeouts': {'pooling': False,
                                       'load_balancer_idle_seconds': 350,
                                       'envoy_idle_seconds': 300,
                                       'response_seconds': 350,
                                       'idle_rule': 'EDGE-TO-NLB',
                                       'response_rule': 'EDGE-TO-NLB',
                                       'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                       'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                       'response_by': 'the NLB',
                                       'response_ends_sessions': False,
                                       'response_max_seconds': None},
                          'client_address': 'source address (client IP preservation)',
                          'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-delay-beyond-the-lag': {'on': 'eks gateway',
                              'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                              'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                           'drain': {'termination_drain_seconds': 136,
                                                     'termination_grace_period_seconds': 151},
                                           'idleTimeout': None,
                                           'serviceType': None},
                              'gateway': {'stack': 'ingress',
                                          'service_type': 'LoadBalancer',
                                          'trusted_proxies': 0,
                                          'proxy_protocol': False,
                                          'prometheus_scrape': True,
                                          'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=121,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                                  'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                          'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                          'health_check_sources': (),
                                          'health_check_ports': (15021,),
                                          'idle_timeout_seconds': 300,
                                          'https_at_load_balancer': (443,),
                                          'status_port_on_service': False},
                              'health_check': {'port': 15021,
                                               'protocol': 'HTTP',
                                               'path': '/healthz/ready',
                                               'interval_seconds': 10,
                                               'healthy_threshold': 2,
                                               'unhealthy_threshold': 2,
                                               'sources': ()},
                              'deploys_gateway': True,
                              'tls_listeners': ('https',),
                              'drain_needed_seconds': 121,
                              'drain_reason': 'loadBalancer.deregistrationDelaySeconds (121)',
                              'timeouts': {'pooling': False,
                                           'load_balancer_idle_seconds': 350,
                                           'envoy_idle_seconds': 300,
                                           'response_seconds': 350,
                                           'idle_rule': 'EDGE-TO-NLB',
                                           'response_rule': 'EDGE-TO-NLB',
                                           'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                           'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                           'response_by': 'the NLB',
                                           'response_ends_sessions': False,
                                           'response_max_seconds': None},
                              'client_address': 'source address (client IP preservation)',
                              'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-gateway-settings': {'on': 'eks gateway',
                          'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                          'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                       'drain': {'termination_drain_seconds': 200,
                                                 'termination_grace_period_seconds': 215},
                                       'idleTimeout': '100500ms',
                                       'serviceType': 'LoadBalancer'},
                          'gateway': {'stack': 'edge',
                                      'service_type': 'LoadBalancer',
                                      'trusted_proxies': 0,
                                      'proxy_protocol': False,
                                      'prometheus_scrape': True,
                                      'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                              'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                      'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                      'health_check_sources': (),
                                      'health_check_ports': (15021,),
                                      'idle_timeout_seconds': 100,
                                      'https_at_load_balancer': (443,),
                                      'status_port_on_service': False},
                          'health_check': {'port': 15021,
                                           'protocol': 'HTTP',
                                           'path': '/healthz/ready',
                                           'interval_seconds': 10,
                                           'healthy_threshold': 2,
                                           'unhealthy_threshold': 2,
                                           'sources': ()},
                          'deploys_gateway': True,
                          'tls_listeners': ('https',),
                          'drain_needed_seconds': 120,
                          'drain_reason': 'the 120 s for which the NLB keeps opening '
                                          'connections to a deregistering IP target',
                          'timeouts': {'pooling': False,
                                       'load_balancer_idle_seconds': 350,
                                       'envoy_idle_seconds': 100,
                                       'response_seconds': 350,
                                       'idle_rule': 'EDGE-TO-NLB',
                                       'response_rule': 'EDGE-TO-NLB',
                                       'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                       'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                       'response_by': 'the NLB',
                                       'response_ends_sessions': False,
                                       'response_max_seconds': None},
                          'client_address': 'source address (client IP preservation)',
                          'tls_termination': 'at the NLB (ACM) for https',
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
 'nlb-two-acm-listeners': {'on': 'eks gateway',
                           'load_balancer': 'AWS NLB (AWS Load Balancer Controller)',
                           'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                        'drain': {'termination_drain_seconds': 135,
                                                  'termination_grace_period_seconds': 150},
                                        'idleTimeout': None,
                                        'serviceType': None},
                           'gateway': {'stack': 'ingress',
                                       'service_type': 'LoadBalancer',
                                       'trusted_proxies': 0,
                                       'proxy_protocol': False,
                                       'prometheus_scrape': True,
                                       'service_annotations': {'service.beta.kubernetes.io/aws-load-balancer-type': 'external',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=30,deregistration_delay.connection_termination.enabled=true,preserve_client_ip.enabled=true',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80': 'tcp.idle_timeout.seconds=350',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90,arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                               'service.beta.kubernetes.io/aws-load-balancer-alpn-policy': 'HTTP2Preferred'},  # noqa: E501
                                       'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                       'health_check_sources': (),
                                       'health_check_ports': (15021,),
                                       'idle_timeout_seconds': 300,
                                       'https_at_load_balancer': (443,),
                                       'status_port_on_service': False},
                           'health_check': {'port': 15021,
                                            'protocol': 'HTTP',
                                            'path': '/healthz/ready',
                                            'interval_seconds': 10,
                                            'healthy_threshold': 2,
                                            'unhealthy_threshold': 2,
                                            'sources': ()},
                           'deploys_gateway': True,
                           'tls_listeners': ('https', 'www'),
                           'drain_needed_seconds': 120,
                           'drain_reason': 'the 120 s for which the NLB keeps opening '
                                           'connections to a deregistering IP target',
                           'timeouts': {'pooling': False,
                                        'load_balancer_idle_seconds': 350,
                                        'envoy_idle_seconds': 300,
                                        'response_seconds': 350,
                                        'idle_rule': 'EDGE-TO-NLB',
                                        'response_rule': 'EDGE-TO-NLB',
                                        'idle_setting': 'aws.nlb.idleTimeoutSeconds',
                                        'response_setting': 'aws.nlb.idleTimeoutSeconds',
                                        'response_by': 'the NLB',
                                        'response_ends_sessions': False,
                                        'response_max_seconds': None},
                           'client_address': 'source address (client IP preservation)',
                           'tls_termination': 'at the NLB (ACM) for https, www',
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
 'alb-chained-defaults': {'on': 'eks chained',
                          'load_balancer': 'AWS ALB',
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
                                      'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                      'health_check_sources': ('10.0.0.0/24', '10.0.1.0/24'),
                                      'health_check_ports': (80, 15021),
                                      'idle_timeout_seconds': 3600,
                                      'https_at_load_balancer': (),
                                      'status_port_on_service': True},
                          'health_check': {'port': 15021,
                                           'protocol': 'HTTP',
                                           'path': '/healthz/ready',
                                           'interval_seconds': 10,
                                           'healthy_threshold': 2,
                                           'unhealthy_threshold': 2,
                                           'sources': ('10.0.0.0/24', '10.0.1.0/24')},
                          'deploys_gateway': True,
                          'tls_listeners': ('https-acm',),
                          'drain_needed_seconds': 30,
                          'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
                          'timeouts': {'pooling': True,
                                       'load_balancer_idle_seconds': 60,
                                       'envoy_idle_seconds': 3600,
                                       'response_seconds': 60,
                                       'idle_rule': 'EDGE-TO-ALB',
                                       'response_rule': 'EDGE-TO-ALB',
                                       'idle_setting': 'aws.alb.idleTimeoutSeconds',
                                       'response_setting': 'aws.alb.idleTimeoutSeconds',
                                       'response_by': 'the ALB',
                                       'response_ends_sessions': False,
                                       'response_max_seconds': None},
                          'client_address': 'X-Forwarded-For appended by the ALB without the '
                                            'client port, one trusted hop',
                          'tls_termination': 'at the ALB (ACM)',
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
 'alb-chained-short-delay': {'on': 'eks chained',
                             'load_balancer': 'AWS ALB',
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
                                         'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                         'health_check_sources': ('10.0.0.0/24',
                                                                  '10.0.1.0/24'),
                                         'health_check_ports': (80, 15021),
                                         'idle_timeout_seconds': 3600,
                                         'https_at_load_balancer': (),
                                         'status_port_on_service': True},
                             'health_check': {'port': 15021,
                                              'protocol': 'HTTP',
                                              'path': '/healthz/ready',
                                              'interval_seconds': 10,
                                              'healthy_threshold': 2,
                                              'unhealthy_threshold': 2,
                                              'sources': ('10.0.0.0/24', '10.0.1.0/24')},
                             'deploys_gateway': True,
                             'tls_listeners': ('https-acm',),
                             'drain_needed_seconds': 30,
                             'drain_reason': 'the 30 s for which the ALB keeps sending to a '
                                             'deregistering IP target',
                             'timeouts': {'pooling': True,
                                          'load_balancer_idle_seconds': 60,
                                          'envoy_idle_seconds': 3600,
                                          'response_seconds': 60,
                                          'idle_rule': 'EDGE-TO-ALB',
                                          'response_rule': 'EDGE-TO-ALB',
                                          'idle_setting': 'aws.alb.idleTimeoutSeconds',
                                          'response_setting': 'aws.alb.idleTimeoutSeconds',
                                          'response_by': 'the ALB',
                                          'response_ends_sessions': False,
                                          'response_max_seconds': None},
                             'client_address': 'X-Forwarded-For appended by the ALB without '
                                               'the client port, one trusted hop',
                             'tls_termination': 'at the ALB (ACM)',
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
 'alb-chained-load-balancer-service': {'on': 'eks chained',
                                       'load_balancer': 'AWS ALB',
                                       'workload': {'name': 'istio-ingress/istio-ingressgateway',
                                                    'drain': {'termination_drain_seconds': 45,
                                                              'termination_grace_period_seconds': 60},  # noqa: E501
                                                    'idleTimeout': None,
                                                    'serviceType': 'LoadBalancer'},
                                       'gateway': {'stack': 'ingress',
                                                   'service_type': 'LoadBalancer',
                                                   'trusted_proxies': 1,
                                                   'proxy_protocol': False,
                                                   'prometheus_scrape': True,
                                                   'service_annotations': {},
                                                   'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                                   'health_check_sources': ('10.0.0.0/24',
                                                                            '10.0.1.0/24'),
                                                   'health_check_ports': (80, 15021),
                                                   'idle_timeout_seconds': 3600,
                                                   'https_at_load_balancer': (),
                                                   'status_port_on_service': True},
                                       'health_check': {'port': 15021,
                                                        'protocol': 'HTTP',
                                                        'path': '/healthz/ready',
                                                        'interval_seconds': 10,
                                                        'healthy_threshold': 2,
                                                        'unhealthy_threshold': 2,
                                                        'sources': ('10.0.0.0/24',
                                                                    '10.0.1.0/24')},
                                       'deploys_gateway': True,
                                       'tls_listeners': ('https-acm',),
                                       'drain_needed_seconds': 30,
                                       'drain_reason': 'loadBalancer.deregistrationDelaySeconds '
                                                       '(30)',
                                       'timeouts': {'pooling': True,
                                                    'load_balancer_idle_seconds': 60,
                                                    'envoy_idle_seconds': 3600,
                                                    'response_seconds': 60,
                                                    'idle_rule': 'EDGE-TO-ALB',
                                                    'response_rule': 'EDGE-TO-ALB',
                                                    'idle_setting': 'aws.alb.idleTimeoutSeconds',
                                                    'response_setting': 'aws.alb.idleTimeoutSeconds',  # noqa: E501
                                                    'response_by': 'the ALB',
                                                    'response_ends_sessions': False,
                                                    'response_max_seconds': None},
                                       'client_address': 'X-Forwarded-For appended by the ALB '
                                                         'without the client port, one '
                                                         'trusted hop',
                                       'tls_termination': 'at the ALB (ACM)',
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
 'alb-chained-long-idle': {'on': 'eks chained',
                           'load_balancer': 'AWS ALB',
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
                                       'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                       'health_check_sources': ('10.0.0.0/24', '10.0.1.0/24'),
                                       'health_check_ports': (80, 15021),
                                       'idle_timeout_seconds': 3601,
                                       'https_at_load_balancer': (),
                                       'status_port_on_service': True},
                           'health_check': {'port': 15021,
                                            'protocol': 'HTTP',
                                            'path': '/healthz/ready',
                                            'interval_seconds': 10,
                                            'healthy_threshold': 2,
                                            'unhealthy_threshold': 2,
                                            'sources': ('10.0.0.0/24', '10.0.1.0/24')},
                           'deploys_gateway': True,
                           'tls_listeners': ('https-acm',),
                           'drain_needed_seconds': 30,
                           'drain_reason': 'loadBalancer.deregistrationDelaySeconds (30)',
                           'timeouts': {'pooling': True,
                                        'load_balancer_idle_seconds': 3541,
                                        'envoy_idle_seconds': 3601,
                                        'response_seconds': 3541,
                                        'idle_rule': 'EDGE-TO-ALB',
                                        'response_rule': 'EDGE-TO-ALB',
                                        'idle_setting': 'aws.alb.idleTimeoutSeconds',
                                        'response_setting': 'aws.alb.idleTimeoutSeconds',
                                        'response_by': 'the ALB',
                                        'response_ends_sessions': False,
                                        'response_max_seconds': None},
                           'client_address': 'X-Forwarded-For appended by the ALB without the '
                                             'client port, one trusted hop',
                           'tls_termination': 'at the ALB (ACM)',
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
 'alb-chained-idle-at-the-boundary': {'on': 'eks chained',
                                      'load_balancer': 'AWS ALB',
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
                                                  'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                                  'health_check_sources': ('10.0.0.0/24',
                                                                           '10.0.1.0/24'),
                                                  'health_check_ports': (80, 15021),
                                                  'idle_timeout_seconds': 3600,
                                                  'https_at_load_balancer': (),
                                                  'status_port_on_service': True},
                                      'health_check': {'port': 15021,
                                                       'protocol': 'HTTP',
                                                       'path': '/healthz/ready',
                                                       'interval_seconds': 10,
                                                       'healthy_threshold': 2,
                                                       'unhealthy_threshold': 2,
                                                       'sources': ('10.0.0.0/24',
                                                                   '10.0.1.0/24')},
                                      'deploys_gateway': True,
                                      'tls_listeners': ('https-acm',),
                                      'drain_needed_seconds': 30,
                                      'drain_reason': 'loadBalancer.deregistrationDelaySeconds '
                                                      '(30)',
                                      'timeouts': {'pooling': True,
                                                   'load_balancer_idle_seconds': 3540,
                                                   'envoy_idle_seconds': 3600,
                                                   'response_seconds': 3540,
                                                   'idle_rule': 'EDGE-TO-ALB',
                                                   'response_rule': 'EDGE-TO-ALB',
                                                   'idle_setting': 'aws.alb.idleTimeoutSeconds',
                                                   'response_setting': 'aws.alb.idleTimeoutSeconds',
                                                   'response_by': 'the ALB',
                                                   'response_ends_sessions': False,
                                                   'response_max_seconds': None},
                                      'client_address': 'X-Forwarded-For appended by the ALB '
                                                        'without the client port, one trusted '
                                                        'hop',
                                      'tls_termination': 'at the ALB (ACM)',
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
 'alb-chained-grpc-with-cidrs': {'on': 'eks chained',
                                 'load_balancer': 'AWS ALB',
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
                                             'namespace_labels': {'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled'},  # noqa: E501
                                             'health_check_sources': ('10.0.0.0/24',
                                                                      '10.0.1.0/24'),
                                             'health_check_ports': (80, 15021),
                                             'idle_timeout_seconds': 3600,
                                             'https_at_load_balancer': (),
                                             'status_port_on_service': True},
                                 'health_check': {'port': 15021,
                                                  'protocol': 'HTTP',
                                                  'path': '/AWS.ALB/healthcheck',
                                                  'interval_seconds': 10,
                                                  'healthy_threshold': 2,
                                                  'unhealthy_threshold': 2,
                                                  'sources': ('10.0.0.0/24', '10.0.1.0/24')},
                                 'deploys_gateway': True,
                                 'tls_listeners': ('https-acm',),
                                 'drain_needed_seconds': 30,
                                 'drain_reason': 'loadBalancer.deregistrationDelaySeconds '
                                                 '(30)',
                                 'timeouts': {'pooling': True,
                                              'load_balancer_idle_seconds': 60,
                                              'envoy_idle_seconds': 3600,
                                              'response_seconds': 60,
                                              'idle_rule': 'EDGE-TO-ALB',
                                              'response_rule': 'EDGE-TO-ALB',
                                              'idle_setting': 'aws.alb.idleTimeoutSeconds',
                                              'response_setting': 'aws.alb.idleTimeoutSeconds',
                                              'response_by': 'the ALB',
                                              'response_ends_sessions': False,
                                              'response_max_seconds': None},
                                 'client_address': 'X-Forwarded-For appended by the ALB '
                                                   'without the client port, one trusted hop',
                                 'tls_termination': 'at the ALB (ACM)',
                                 'rules': ['EDGE-ID-HOPS',
                                           'EDGE-DR-ALB',
                                           'EDGE-TO-ALB',
                                           'EDGE-ID-XFF-ALB',
                                           'EDGE-PR-ALB',
                                           'EDGE-PR-ALB-UPSTREAM',
                                           'EDGE-HC-ALB-GRPC',
                                           'EDGE-CH-ALB-RULES',
                                           'EDGE-CH-ALB-TGB',
                                           'EDGE-DR',
                                           'EDGE-TO',
                                           'EDGE-HC-NETPOL',
                                           'EDGE-CH-SETTING']},
 'alb-standalone': {'on': 'eks standalone',
                    'load_balancer': 'AWS ALB',
                    'workload': None,
                    'gateway': None,
                    'health_check': None,
                    'deploys_gateway': True,
                    'tls_listeners': ('https-acm',),
                    'drain_needed_seconds': 0,
                    'drain_reason': '',
                    'timeouts': None,
                    'client_address': 'X-Forwarded-For appended by the ALB without the client '
                                      'port (read by the backends)',
                    'tls_termination': 'at the ALB (ACM)',
                    'rules': ['EDGE-TO-ALB',
                              'EDGE-ID-XFF-ALB',
                              'EDGE-PR-ALB',
                              'EDGE-CH-ALB-RULES',
                              'EDGE-CH-ALB-TGB']},
 'alb-standalone-grpc-backend': {'on': 'eks standalone',
                                 'load_balancer': 'AWS ALB',
                                 'workload': None,
                                 'gateway': None,
                                 'health_check': None,
                                 'deploys_gateway': True,
                                 'tls_listeners': ('https-acm',),
                                 'drain_needed_seconds': 0,
                                 'drain_reason': '',
                                 'timeouts': None,
                                 'client_address': 'X-Forwarded-For appended by the ALB '
                                                   'without the client port (read by the '
                                                   'backends)',
                                 'tls_termination': 'at the ALB (ACM)',
                                 'rules': ['EDGE-TO-ALB',
                                           'EDGE-ID-XFF-ALB',
                                           'EDGE-PR-ALB',
                                           'EDGE-PR-ALB-UPSTREAM',
                                           'EDGE-HC-ALB-GRPC',
                                           'EDGE-CH-ALB-RULES',
                                           'EDGE-CH-ALB-TGB']}}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_topology_plans_its_edge(case: str) -> None:
    assert planned_edge(CASES[case]) == EXPECTED[case]


@pytest.mark.parametrize(("nlb", "ranges", "expected"), [
    ({"subnets": NLB_SUBNETS}, [], (("10.0.0.0/24", "10.0.1.0/24"), (15021,))),
    ({"subnets": NLB_SUBNETS}, ["203.0.113.0/24"],
     (("10.0.0.0/24", "10.0.1.0/24"), (15021,))),
    ({"subnets": NLB_SUBNETS, "preserveClientIp": False}, [],
     (("10.0.0.0/24", "10.0.1.0/24"), (80, 443, 15021))),
    ({"subnets": NLB_SUBNETS, "proxyProtocol": True}, [],
     (("10.0.0.0/24", "10.0.1.0/24"), (80, 443))),
    ({"subnets": NLB_SUBNETS, "targetType": "instance"}, [], ((), ())),
    ({}, [], ((), (15021,))),
])
def test_where_the_nlbs_connections_come_from(nlb: dict[str, Any], ranges: list[str],
                                              expected: tuple[Any, Any]) -> None:
    """The subnets' ranges, when every subnet gives one, and the pod ports they reach: the
    status port, the traffic ports too where the NLB does not keep the client's address."""
    data = _nlb({"service": {"loadBalancerSourceRanges": ranges}} if ranges else None, **nlb)
    cfg = parse_config(data)
    assert load_balancer_sources(cfg, cfg.gateway or GatewayWorkload()) == expected


def test_the_target_ports_are_the_gateways() -> None:
    """The traffic ports the sources reach are the gateway's target ports, not the Service's."""
    data = _nlb({"service": {"httpTargetPort": 8080, "httpsTargetPort": 8443}},
                subnets=NLB_SUBNETS, preserveClientIp=False)
    cfg = parse_config(data)
    assert load_balancer_sources(cfg, cfg.workload) == (
        ("10.0.0.0/24", "10.0.1.0/24"), (8080, 8443, 15021))
    alb = _alb(subnets=NLB_SUBNETS)
    alb["gateway"] = {"service": {"httpTargetPort": 8080}}
    cfg = parse_config(alb)
    assert load_balancer_sources(cfg, cfg.workload) == (
        ("10.0.0.0/24", "10.0.1.0/24"), (8080, 15021))


def test_prometheus_scrape_is_the_callers() -> None:
    cfg = parse_config(nlb_stack())
    assert eks_edge_plan(cfg).gateway.prometheus_scrape is True
    assert eks_edge_plan(cfg, prometheus_scrape=False).gateway.prometheus_scrape is False
    alb = parse_config(alb_stack())
    assert eks_edge_plan(alb, prometheus_scrape=False).gateway.prometheus_scrape is False


def test_an_alb_left_out_is_planned_with_the_albs_default_idle_timeout() -> None:
    """Chained without aws.alb is refused for that, and the rest is checked against the ALB's
    defaults: a route timeout beyond its 60 s idle timeout too."""
    routing = {"backends": {"web": {"service": "web", "namespace": "shop", "port": 8080}},
               "hosts": [{"host": HOST, "routes": [{"name": "w", "to": [{"backend": "web"}],
                                                   "timeout": "61s"}]}]}
    found = refusals(nlb_stack(topology="chained", routing=routing))
    assert [path for path, _, _ in found] == ["aws.alb",
                                              "routing.hosts[shop.example.com].routes[w].timeout"]
    assert "the ALB ends a connection idle for 60 s" in found[1][2]
    routing["hosts"][0]["routes"][0]["timeout"] = "60s"
    assert [path for path, _, _ in refusals(nlb_stack(topology="chained", routing=routing))] == [
        "aws.alb"]
