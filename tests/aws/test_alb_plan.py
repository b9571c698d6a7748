"""ingresslib.aws.alb_plan: the ALB of chained and standalone as plain data: target groups
(port, health check by protocol version, algorithm, the binding's name), listeners per port
(default action, redirects in groups of five hosts, certificates, TLS policy), rules keyed by
host and route with priorities counted from the end, and the load balancer's attributes."""

from __future__ import annotations

import copy
from dataclasses import asdict
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.aws.alb_plan import alb_plan, rule_key, rule_priorities
from tests.configs import ACM_ARN, HOST, HTTP, alb_stack, nlb_stack

HOSTS = [f"h{i}.example.com" for i in range(6)]


def planned(data: dict[str, Any]) -> dict[str, Any]:
    """The plan's every value, and each target group's binding name in stack `edge`."""
    cfg = parse_config(data)
    assert cfg.aws is not None
    assert cfg.aws.alb is not None
    plan = alb_plan(cfg)
    assert plan.settings is cfg.aws.alb
    vpc = cfg.aws.alb.vpc_id
    return {
        "target_groups": [{**asdict(tg), "binding": tg.binding_name("edge", vpc)}
                          for tg in plan.target_groups],
        "target_ports": plan.target_ports,
        "listeners": [asdict(lst) for lst in plan.listeners],
        "attributes": plan.attributes,
    }


def _alb(topology: str = "chained", **alb: Any) -> dict[str, Any]:
    data = alb_stack(topology)
    data["aws"]["alb"].update(copy.deepcopy(alb))
    return data


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


def _acm(*hosts: str) -> dict[str, Any]:
    return {"source": "acm", "dnsNames": list(hosts), "arn": ACM_ARN}


_ROUTES = [
    {"name": "api", "match": [{"uri": {"prefix": "/api/"}}, {"uri": {"exact": "/v1"},
                                                              "port": 8443}],
     "to": [{"backend": "api"}]},
    {"name": "web", "to": [{"backend": "web"}]},
]
_STANDALONE = _with(
    alb_stack("standalone"),
    listeners=[{**HTTP, "hosts": [HOST, "*.example.com"]},
               {"name": "plain", "port": 80, "protocol": "HTTP",
                "hosts": ["elsewhere.example.org"]},
               {"name": "https-acm", "port": 443, "protocol": "HTTPS",
                "hosts": [HOST, "*.example.com"], "tls": {"certificate": "edge-acm"}},
               {"name": "alt", "port": 8443, "protocol": "HTTPS", "hosts": [HOST],
                "tls": {"certificate": "alt-acm"}}],
    certificates={"edge-acm": _acm(HOST, "*.example.com"), "alt-acm": _acm(HOST)},
    routing={"backends": {
        "web": {"service": "web", "namespace": "shop", "port": 8080,
                "trafficPolicy": {"loadBalancer": {"simple": "LEAST_REQUEST"}}},
        "api": {"service": "api", "namespace": "shop", "port": 9090},
        "idle": {"service": "idle", "namespace": "shop", "port": 7070}},
        "hosts": [{"host": "*.example.com", "routes": [
                      {"name": "wild", "to": [{"backend": "web"}]}]},
                  {"host": HOST, "routes": _ROUTES},
                  {"host": "elsewhere.example.org", "routes": [
                      {"name": "x", "to": [{"backend": "idle"}]}]}]},
    security={"standalonePorts": [{"namespace": "shop", "selector": {"app": "web"},
                                   "ports": [7070, 8080, 9090, 9091]}]})
_STANDALONE["aws"]["alb"]["backends"] = {
    "api": {"targetPort": 9091, "protocolVersion": "HTTP2", "healthCheckPath": "/ready",
            "healthCheckMatcher": "200"},
    "web": {"protocolVersion": "GRPC"}}

CASES: dict[str, dict[str, Any]] = {
    "chained-redirecting-http": alb_stack(),
    "chained-plain-http-too": _with(
        _alb(idleTimeoutSeconds=120, dropInvalidHeaderFields=False, deletionProtection=False),
        listeners=[{**HTTP, "httpsRedirect": False},
                   {"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
                    "tls": {"certificate": "edge-acm"}}]),
    "chained-grpc": _alb(protocolVersion="GRPC"),
    "chained-some-hosts-redirect": _with(
        alb_stack(),
        listeners=[{"name": "r", "port": 80, "protocol": "HTTP", "hosts": HOSTS},
                   {"name": "p", "port": 80, "protocol": "HTTP", "hosts": ["plain.example.org"]},
                   {"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": HOSTS,
                    "tls": {"certificate": "edge-acm", "minProtocolVersion": "TLSV1_3"}},
                   {"name": "again", "port": 443, "protocol": "HTTPS",
                    "hosts": ["again.example.com"], "tls": {"certificate": "again-acm"}},
                   {"name": "same", "port": 443, "protocol": "HTTPS",
                    "hosts": ["same.example.com"], "tls": {"certificate": "edge-acm"}}],
        certificates={"edge-acm": _acm(*HOSTS, "same.example.com"),
                      "again-acm": _acm("again.example.com")}),
    "chained-gateway-target-port": _with(alb_stack(), gateway={"service": {
        "httpTargetPort": 8080}}),
    "chained-http2": _alb(protocolVersion="HTTP2",
                          sslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
    "standalone": _STANDALONE,
    "standalone-https-below-443-too": _with(
        alb_stack("standalone"),
        listeners=[HTTP, {"name": "https-acm", "port": 443, "protocol": "HTTPS",
                          "hosts": [HOST], "tls": {"certificate": "edge-acm"}},
                   {"name": "low", "port": 442, "protocol": "HTTPS", "hosts": [HOST],
                    "tls": {"certificate": "edge-acm"}}]),
    "standalone-https-elsewhere-than-443": _with(
        alb_stack("standalone"),
        listeners=[HTTP, {"name": "https-acm", "port": 8443, "protocol": "HTTPS",
                          "hosts": [HOST], "tls": {"certificate": "edge-acm"}},
                   {"name": "more", "port": 9443, "protocol": "HTTPS", "hosts": [HOST],
                    "tls": {"certificate": "edge-acm"}}]),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'chained-redirecting-http': {'target_groups': [{'key': 'gateway',
                                                 'port': 80,
                                                 'health_check': {'enabled': True,
                                                                  'protocol': 'HTTP',
                                                                  'port': '15021',
                                                                  'path': '/healthz/ready',
                                                                  'matcher': '200',
                                                                  'interval': 10,
                                                                  'timeout': 5,
                                                                  'healthy_threshold': 2,
                                                                  'unhealthy_threshold': 2},
                                                 'algorithm': 'round_robin',
                                                 'namespace': 'istio-ingress',
                                                 'service': 'istio-ingressgateway',
                                                 'service_port': 80,
                                                 'protocol': 'HTTP',
                                                 'protocol_version': 'HTTP1',
                                                 'default_port': 80,
                                                 'binding': 'edge-gateway'}],
                              'target_ports': [80, 15021],
                              'listeners': [{'port': 80,
                                             'protocol': 'HTTP',
                                             'default_action': {'type': 'redirect',
                                                                'redirect': {'port': '443',
                                                                             'protocol': 'HTTPS',
                                                                             'status_code': 'HTTP_301'}},  # noqa: E501
                                             'certificates': [],
                                             'ssl_policy': None,
                                             'rules': []},
                                            {'port': 443,
                                             'protocol': 'HTTPS',
                                             'default_action': {'type': 'forward',
                                                                'target_group_arn': {'key': 'gateway'}},  # noqa: E501
                                             'certificates': ['edge-acm'],
                                             'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
                                             'rules': []}],
                              'attributes': {'idle_timeout.timeout_seconds': '60',
                                             'routing.http.xff_client_port.enabled': 'false',
                                             'routing.http.xff_header_processing.mode': 'append',
                                             'routing.http2.enabled': 'true',
                                             'routing.http.drop_invalid_header_fields.enabled': 'true',  # noqa: E501
                                             'routing.http.desync_mitigation_mode': 'defensive',
                                             'deletion_protection.enabled': 'true'}},
 'chained-plain-http-too': {'target_groups': [{'key': 'gateway',
                                               'port': 80,
                                               'health_check': {'enabled': True,
                                                                'protocol': 'HTTP',
                                                                'port': '15021',
                                                                'path': '/healthz/ready',
                                                                'matcher': '200',
                                                                'interval': 10,
                                                                'timeout': 5,
                                                                'healthy_threshold': 2,
                                                                'unhealthy_threshold': 2},
                                               'algorithm': 'round_robin',
                                               'namespace': 'istio-ingress',
                                               'service': 'istio-ingressgateway',
                                               'service_port': 80,
                                               'protocol': 'HTTP',
                                               'protocol_version': 'HTTP1',
                                               'default_port': 80,
                                               'binding': 'edge-gateway'}],
                            'target_ports': [80, 15021],
                            'listeners': [{'port': 80,
                                           'protocol': 'HTTP',
                                           'default_action': {'type': 'forward',
                                                              'target_group_arn': {'key': 'gateway'}},  # noqa: E501
                                           'certificates': [],
                                           'ssl_policy': None,
                                           'rules': []},
                                          {'port': 443,
                                           'protocol': 'HTTPS',
                                           'default_action': {'type': 'forward',
                                                              'target_group_arn': {'key': 'gateway'}},  # noqa: E501
                                           'certificates': ['edge-acm'],
                                           'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
                                           'rules': []}],
                            'attributes': {'idle_timeout.timeout_seconds': '120',
                                           'routing.http.xff_client_port.enabled': 'false',
                                           'routing.http.xff_header_processing.mode': 'append',
                                           'routing.http2.enabled': 'true',
                                           'routing.http.drop_invalid_header_fields.enabled': 'false',  # noqa: E501
                                           'routing.http.desync_mitigation_mode': 'defensive',
                                           'deletion_protection.enabled': 'false'}},
 'chained-grpc': {'target_groups': [{'key': 'gateway',
                                     'port': 80,
                                     'health_check': {'enabled': True,
                                                      'protocol': 'HTTP',
                                                      'port': '15021',
                                                      'path': '/AWS.ALB/healthcheck',
                                                      'matcher': '12',
                                                      'interval': 10,
                                                      'timeout': 5,
                                                      'healthy_threshold': 2,
                                                      'unhealthy_threshold': 2},
                                     'algorithm': 'round_robin',
                                     'namespace': 'istio-ingress',
                                     'service': 'istio-ingressgateway',
                                     'service_port': 80,
                                     'protocol': 'HTTP',
                                     'protocol_version': 'GRPC',
                                     'default_port': 80,
                                     'binding': 'edge-gateway-390c0576'}],
                  'target_ports': [80, 15021],
                  'listeners': [{'port': 80,
                                 'protocol': 'HTTP',
                                 'default_action': {'type': 'redirect',
                                                    'redirect': {'port': '443',
                                                                 'protocol': 'HTTPS',
                                                                 'status_code': 'HTTP_301'}},
                                 'certificates': [],
                                 'ssl_policy': None,
                                 'rules': []},
                                {'port': 443,
                                 'protocol': 'HTTPS',
                                 'default_action': {'type': 'forward',
                                                    'target_group_arn': {'key': 'gateway'}},
                                 'certificates': ['edge-acm'],
                                 'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
                                 'rules': []}],
                  'attributes': {'idle_timeout.timeout_seconds': '60',
                                 'routing.http.xff_client_port.enabled': 'false',
                                 'routing.http.xff_header_processing.mode': 'append',
                                 'routing.http2.enabled': 'true',
                                 'routing.http.drop_invalid_header_fields.enabled': 'true',
                                 'routing.http.desync_mitigation_mode': 'defensive',
                                 'deletion_protection.enabled': 'true'}},
 'chained-some-hosts-redirect': {'target_groups': [{'key': 'gateway',
                                                    'port': 80,
                                                    'health_check': {'enabled': True,
                                                                     'protocol': 'HTTP',
                                                                     'port': '15021',
                                                                     'path': '/healthz/ready',
                                                                     'matcher': '200',
                                                                     'interval': 10,
                                                                     'timeout': 5,
                                                                     'healthy_threshold': 2,
                                                                     'unhealthy_threshold': 2},
                                                    'algorithm': 'round_robin',
                                                    'namespace': 'istio-ingress',
                                                    'service': 'istio-ingressgateway',
                                                    'service_port': 80,
                                                    'protocol': 'HTTP',
                                                    'protocol_version': 'HTTP1',
                                                    'default_port': 80,
                                                    'binding': 'edge-gateway'}],
                                 'target_ports': [80, 15021],
                                 'listeners': [{'port': 80,
                                                'protocol': 'HTTP',
                                                'default_action': {'type': 'forward',
                                                                   'target_group_arn': {'key': 'gateway'}},  # noqa: E501
                                                'certificates': [],
                                                'ssl_policy': None,
                                                'rules': [{'key': 'redirect/h0.example.com',
                                                           'priority': 49851,
                                                           'conditions': [{'host_header': {'values': ['h0.example.com',  # noqa: E501
                                                                                                      'h1.example.com',
                                                                                                      'h2.example.com',
                                                                                                      'h3.example.com',
                                                                                                      'h4.example.com']}}],
                                                           'actions': [{'type': 'redirect',
                                                                        'redirect': {'port': '443',
                                                                                     'protocol': 'HTTPS',  # noqa: E501
                                                                                     'status_code': 'HTTP_301'}}],  # noqa: E501
                                                           'position': 1},
                                                          {'key': 'redirect/h5.example.com',
                                                           'priority': 49963,
                                                           'conditions': [{'host_header': {'values': ['h5.example.com']}}],  # noqa: E501
                                                           'actions': [{'type': 'redirect',
                                                                        'redirect': {'port': '443',
                                                                                     'protocol': 'HTTPS',  # noqa: E501
                                                                                     'status_code': 'HTTP_301'}}],  # noqa: E501
                                                           'position': 2}]},
                                               {'port': 443,
                                                'protocol': 'HTTPS',
                                                'default_action': {'type': 'forward',
                                                                   'target_group_arn': {'key': 'gateway'}},  # noqa: E501
                                                'certificates': ['edge-acm', 'again-acm'],
                                                'ssl_policy': 'ELBSecurityPolicy-TLS13-1-3-2021-06',
                                                'rules': []}],
                                 'attributes': {'idle_timeout.timeout_seconds': '60',
                                                'routing.http.xff_client_port.enabled': 'false',
                                                'routing.http.xff_header_processing.mode': 'append',
                                                'routing.http2.enabled': 'true',
                                                'routing.http.drop_invalid_header_fields.enabled': 'true',  # noqa: E501
                                                'routing.http.desync_mitigation_mode': 'defensive',
                                                'deletion_protection.enabled': 'true'}},
 'chained-gateway-target-port': {'target_groups': [{'key': 'gateway',
                                                    'port': 8080,
                                                    'health_check': {'enabled': True,
                                                                     'protocol': 'HTTP',
                                                                     'port': '15021',
                                                                     'path': '/healthz/ready',
                                                                     'matcher': '200',
                                                                     'interval': 10,
                                                                     'timeout': 5,
                                                                     'healthy_threshold': 2,
                                                                     'unhealthy_threshold': 2},
                                                    'algorithm': 'round_robin',
                                                    'namespace': 'istio-ingress',
                                                    'service': 'istio-ingressgateway',
                                                    'service_port': 80,
                                                    'protocol': 'HTTP',
                                                    'protocol_version': 'HTTP1',
                                                    'default_port': 80,
                                                    'binding': 'edge-gateway-38474f39'}],
                                 'target_ports': [8080, 15021],
                                 'listeners': [{'port': 80,
                                                'protocol': 'HTTP',
                                                'default_action': {'type': 'redirect',
                                                                   'redirect': {'port': '443',
                                                                                'protocol': 'HTTPS',
                                                                                'status_code': 'HTTP_301'}},  # noqa: E501
                                                'certificates': [],
                                                'ssl_policy': None,
                                                'rules': []},
                                               {'port': 443,
                                                'protocol': 'HTTPS',
                                                'default_action': {'type': 'forward',
                                                                   'target_group_arn': {'key': 'gateway'}},  # noqa: E501
                                                'certificates': ['edge-acm'],
                                                'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
                                                'rules': []}],
                                 'attributes': {'idle_timeout.timeout_seconds': '60',
                                                'routing.http.xff_client_port.enabled': 'false',
                                                'routing.http.xff_header_processing.mode': 'append',
                                                'routing.http2.enabled': 'true',
                                                'routing.http.drop_invalid_header_fields.enabled': 'true',  # noqa: E501
                                                'routing.http.desync_mitigation_mode': 'defensive',
                                                'deletion_protection.enabled': 'true'}},
 'chained-http2': {'target_groups': [{'key': 'gateway',
                                      'port': 80,
                                      'health_check': {'enabled': True,
                                                       'protocol': 'HTTP',
                                                       'port': '15021',
                                                       'path': '/healthz/ready',
                                                       'matcher': '200',
                                                       'interval': 10,
                                                       'timeout': 5,
                                                       'healthy_threshold': 2,
                                                       'unhealthy_threshold': 2},
                                      'algorithm': 'round_robin',
                                      'namespace': 'istio-ingress',
                                      'service': 'istio-ingressgateway',
                                      'service_port': 80,
                                      'protocol': 'HTTP',
                                      'protocol_version': 'HTTP2',
                                      'default_port': 80,
                                      'binding': 'edge-gateway-c5e1508c'}],
                   'target_ports': [80, 15021],
                   'listeners': [{'port': 80,
                                  'protocol': 'HTTP',
                                  'default_action': {'type': 'redirect',
                                                     'redirect': {'port': '443',
                                                                  'protocol': 'HTTPS',
                                                                  'status_code': 'HTTP_301'}},
                                  'certificates': [],
                                  'ssl_policy': None,
                                  'rules': []},
                                 {'port': 443,
                                  'protocol': 'HTTPS',
                                  'default_action': {'type': 'forward',
                                                     'target_group_arn': {'key': 'gateway'}},
                                  'certificates': ['edge-acm'],
                                  'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
                                  'rules': []}],
                   'attributes': {'idle_timeout.timeout_seconds': '60',
                                  'routing.http.xff_client_port.enabled': 'false',
                                  'routing.http.xff_header_processing.mode': 'append',
                                  'routing.http2.enabled': 'true',
                                  'routing.http.drop_invalid_header_fields.enabled': 'true',
                                  'routing.http.desync_mitigation_mode': 'defensive',
                                  'deletion_protection.enabled': 'true'}},
 'standalone': {'target_groups': [{'key': 'api',
                                   'port': 9091,
                                   'health_check': {'enabled': True,
                                                    'protocol': 'HTTP',
                                                    'port': 'traffic-port',
                                                    'path': '/ready',
                                                    'matcher': '200',
                                                    'interval': 10,
                                                    'timeout': 5,
                                                    'healthy_threshold': 2,
                                                    'unhealthy_threshold': 2},
                                   'algorithm': 'round_robin',
                                   'namespace': 'shop',
                                   'service': 'api',
                                   'service_port': 9090,
                                   'protocol': 'HTTP',
                                   'protocol_version': 'HTTP2',
                                   'default_port': 9090,
                                   'binding': 'edge-api-6cdbfd48'},
                                  {'key': 'idle',
                                   'port': 7070,
                                   'health_check': {'enabled': True,
                                                    'protocol': 'HTTP',
                                                    'port': 'traffic-port',
                                                    'path': '/',
                                                    'matcher': '200-399',
                                                    'interval': 10,
                                                    'timeout': 5,
                                                    'healthy_threshold': 2,
                                                    'unhealthy_threshold': 2},
                                   'algorithm': 'round_robin',
                                   'namespace': 'shop',
                                   'service': 'idle',
                                   'service_port': 7070,
                                   'protocol': 'HTTP',
                                   'protocol_version': 'HTTP1',
                                   'default_port': 7070,
                                   'binding': 'edge-idle'},
                                  {'key': 'web',
                                   'port': 8080,
                                   'health_check': {'enabled': True,
                                                    'protocol': 'HTTP',
                                                    'port': 'traffic-port',
                                                    'path': '/AWS.ALB/healthcheck',
                                                    'matcher': '12',
                                                    'interval': 10,
                                                    'timeout': 5,
                                                    'healthy_threshold': 2,
                                                    'unhealthy_threshold': 2},
                                   'algorithm': 'least_outstanding_requests',
                                   'namespace': 'shop',
                                   'service': 'web',
                                   'service_port': 8080,
                                   'protocol': 'HTTP',
                                   'protocol_version': 'GRPC',
                                   'default_port': 8080,
                                   'binding': 'edge-web-b5286bb4'}],
                'target_ports': [7070, 8080, 9091],
                'listeners': [{'port': 80,
                               'protocol': 'HTTP',
                               'default_action': {'type': 'fixed-response',
                                                  'fixed_response': {'content_type': 'text/plain',
                                                                     'status_code': '404',
                                                                     'message_body': 'no '
                                                                                     'route '
                                                                                     'for '
                                                                                     'this '
                                                                                     'host '
                                                                                     'and '
                                                                                     'path'}},
                               'certificates': [],
                               'ssl_policy': None,
                               'rules': [{'key': 'redirect/*.example.com',
                                          'priority': 49854,
                                          'conditions': [{'host_header': {'values': ['*.example.com',  # noqa: E501
                                                                                     'shop.example.com']}}],
                                          'actions': [{'type': 'redirect',
                                                       'redirect': {'port': '443',
                                                                    'protocol': 'HTTPS',
                                                                    'status_code': 'HTTP_301'}}],
                                          'position': 1},
                                         {'key': 'elsewhere.example.org/x',
                                          'priority': 49915,
                                          'conditions': [{'host_header': {'values': ['elsewhere.example.org']}}],  # noqa: E501
                                          'actions': [{'type': 'forward',
                                                       'target_group_arn': {'key': 'idle'}}],
                                          'position': 2}]},
                              {'port': 443,
                               'protocol': 'HTTPS',
                               'default_action': {'type': 'fixed-response',
                                                  'fixed_response': {'content_type': 'text/plain',
                                                                     'status_code': '404',
                                                                     'message_body': 'no '
                                                                                     'route '
                                                                                     'for '
                                                                                     'this '
                                                                                     'host '
                                                                                     'and '
                                                                                     'path'}},
                               'certificates': ['edge-acm'],
                               'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
                               'rules': [{'key': 'shop.example.com/api',
                                          'priority': 49795,
                                          'conditions': [{'host_header': {'values': ['shop.example.com']}},  # noqa: E501
                                                         {'path_pattern': {'values': ['/api/*']}}],
                                          'actions': [{'type': 'forward',
                                                       'target_group_arn': {'key': 'api'}}],
                                          'position': 1},
                                         {'key': 'shop.example.com/web',
                                          'priority': 49842,
                                          'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                          'actions': [{'type': 'forward',
                                                       'target_group_arn': {'key': 'web'}}],
                                          'position': 2},
                                         {'key': '*.example.com/wild',
                                          'priority': 49946,
                                          'conditions': [{'host_header': {'values': ['*.example.com']}}],  # noqa: E501
                                          'actions': [{'type': 'forward',
                                                       'target_group_arn': {'key': 'web'}}],
                                          'position': 3}]},
                              {'port': 8443,
                               'protocol': 'HTTPS',
                               'default_action': {'type': 'fixed-response',
                                                  'fixed_response': {'content_type': 'text/plain',
                                                                     'status_code': '404',
                                                                     'message_body': 'no '
                                                                                     'route '
                                                                                     'for '
                                                                                     'this '
                                                                                     'host '
                                                                                     'and '
                                                                                     'path'}},
                               'certificates': ['alt-acm'],
                               'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
                               'rules': [{'key': 'shop.example.com/api',
                                          'priority': 49795,
                                          'conditions': [{'host_header': {'values': ['shop.example.com']}},  # noqa: E501
                                                         {'path_pattern': {'values': ['/api/*']}}],
                                          'actions': [{'type': 'forward',
                                                       'target_group_arn': {'key': 'api'}}],
                                          'position': 1},
                                         {'key': 'shop.example.com/api/2',
                                          'priority': 49852,
                                          'conditions': [{'host_header': {'values': ['shop.example.com']}},  # noqa: E501
                                                         {'path_pattern': {'values': ['/v1']}}],
                                          'actions': [{'type': 'forward',
                                                       'target_group_arn': {'key': 'api'}}],
                                          'position': 2},
                                         {'key': 'shop.example.com/web',
                                          'priority': 49942,
                                          'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                          'actions': [{'type': 'forward',
                                                       'target_group_arn': {'key': 'web'}}],
                                          'position': 3}]}],
                'attributes': {'idle_timeout.timeout_seconds': '60',
                               'routing.http.xff_client_port.enabled': 'false',
                               'routing.http.xff_header_processing.mode': 'append',
                               'routing.http2.enabled': 'true',
                               'routing.http.drop_invalid_header_fields.enabled': 'true',
                               'routing.http.desync_mitigation_mode': 'defensive',
                               'deletion_protection.enabled': 'true'}},
 'standalone-https-below-443-too': {'target_groups': [{'key': 'web',
                                                       'port': 8080,
                                                       'health_check': {'enabled': True,
                                                                        'protocol': 'HTTP',
                                                                        'port': 'traffic-port',
                                                                        'path': '/',
                                                                        'matcher': '200-399',
                                                                        'interval': 10,
                                                                        'timeout': 5,
                                                                        'healthy_threshold': 2,
                                                                        'unhealthy_threshold': 2},
                                                       'algorithm': 'round_robin',
                                                       'namespace': 'shop',
                                                       'service': 'web',
                                                       'service_port': 8080,
                                                       'protocol': 'HTTP',
                                                       'protocol_version': 'HTTP1',
                                                       'default_port': 8080,
                                                       'binding': 'edge-web'}],
                                    'target_ports': [8080],
                                    'listeners': [{'port': 80,
                                                   'protocol': 'HTTP',
                                                   'default_action': {'type': 'redirect',
                                                                      'redirect': {'port': '443',
                                                                                   'protocol': 'HTTPS',  # noqa: E501
                                                                                   'status_code': 'HTTP_301'}},  # noqa: E501
                                                   'certificates': [],
                                                   'ssl_policy': None,
                                                   'rules': []},
                                                  {'port': 442,
                                                   'protocol': 'HTTPS',
                                                   'default_action': {'type': 'fixed-response',
                                                                      'fixed_response': {'content_type': 'text/plain',  # noqa: E501
                                                                                         'status_code': '404',  # noqa: E501
                                                                                         'message_body': 'no '  # noqa: E501
                                                                                                         'route '  # noqa: E501
                                                                                                         'for '  # noqa: E501
                                                                                                         'this '  # noqa: E501
                                                                                                         'host '  # noqa: E501
                                                                                                         'and '  # noqa: E501
                                                                                                         'path'}},
                                                   'certificates': ['edge-acm'],
                                                   'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                   'rules': [{'key': 'shop.example.com/web',
                                                              'priority': 49942,
                                                              'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                                              'actions': [{'type': 'forward',
                                                                           'target_group_arn': {'key': 'web'}}],  # noqa: E501
                                                              'position': 1}]},
                                                  {'port': 443,
                                                   'protocol': 'HTTPS',
                                                   'default_action': {'type': 'fixed-response',
                                                                      'fixed_response': {'content_type': 'text/plain',  # noqa: E501
                                                                                         'status_code': '404',  # noqa: E501
                                                                                         'message_body': 'no '  # noqa: E501
                                                                                                         'route '  # noqa: E501
                                                                                                         'for '  # noqa: E501
                                                                                                         'this '  # noqa: E501
                                                                                                         'host '  # noqa: E501
                                                                                                         'and '  # noqa: E501
                                                                                                         'path'}},
                                                   'certificates': ['edge-acm'],
                                                   'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                   'rules': [{'key': 'shop.example.com/web',
                                                              'priority': 49942,
                                                              'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                                              'actions': [{'type': 'forward',
                                                                           'target_group_arn': {'key': 'web'}}],  # noqa: E501
                                                              'position': 1}]}],
                                    'attributes': {'idle_timeout.timeout_seconds': '60',
                                                   'routing.http.xff_client_port.enabled': 'false',
                                                   'routing.http.xff_header_processing.mode': 'append',  # noqa: E501
                                                   'routing.http2.enabled': 'true',
                                                   'routing.http.drop_invalid_header_fields.enabled': 'true',  # noqa: E501
                                                   'routing.http.desync_mitigation_mode': 'defensive',  # noqa: E501
                                                   'deletion_protection.enabled': 'true'}},
 'standalone-https-elsewhere-than-443': {'target_groups': [{'key': 'web',
                                                            'port': 8080,
                                                            'health_check': {'enabled': True,
                                                                             'protocol': 'HTTP',
                                                                             'port': 'traffic-port',
                                                                             'path': '/',
                                                                             'matcher': '200-399',
                                                                             'interval': 10,
                                                                             'timeout': 5,
                                                                             'healthy_threshold': 2,
                                                                             'unhealthy_threshold': 2},  # noqa: E501
                                                            'algorithm': 'round_robin',
                                                            'namespace': 'shop',
                                                            'service': 'web',
                                                            'service_port': 8080,
                                                            'protocol': 'HTTP',
                                                            'protocol_version': 'HTTP1',
                                                            'default_port': 8080,
                                                            'binding': 'edge-web'}],
                                         'target_ports': [8080],
                                         'listeners': [{'port': 80,
                                                        'protocol': 'HTTP',
                                                        'default_action': {'type': 'redirect',
                                                                           'redirect': {'port': '8443',  # noqa: E501
                                                                                        'protocol': 'HTTPS',  # noqa: E501
                                                                                        'status_code': 'HTTP_301'}},  # noqa: E501
                                                        'certificates': [],
                                                        'ssl_policy': None,
                                                        'rules': []},
                                                       {'port': 8443,
                                                        'protocol': 'HTTPS',
                                                        'default_action': {'type': 'fixed-response',
                                                                           'fixed_response': {'content_type': 'text/plain',  # noqa: E501
                                                                                              'status_code': '404',  # noqa: E501
                                                                                              'message_body': 'no '  # noqa: E501
                                                                                                              'route '  # noqa: E501
                                                                                                              'for '  # noqa: E501
                                                                                                              'this '  # noqa: E501
                                                                                                              'host '  # noqa: E501
                                                                                                              'and '  # noqa: E501
                                                                                                              'path'}},
                                                        'certificates': ['edge-acm'],
                                                        'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                        'rules': [{'key': 'shop.example.com/web',
                                                                   'priority': 49942,
                                                                   'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                                                   'actions': [{'type': 'forward',
                                                                                'target_group_arn': {'key': 'web'}}],  # noqa: E501
                                                                   'position': 1}]},
                                                       {'port': 9443,
                                                        'protocol': 'HTTPS',
                                                        'default_action': {'type': 'fixed-response',
                                                                           'fixed_response': {'content_type': 'text/plain',  # noqa: E501
                                                                                              'status_code': '404',  # noqa: E501
                                                                                              'message_body': 'no '  # noqa: E501
                                                                                                              'route '  # noqa: E501
                                                                                                              'for '  # noqa: E501
                                                                                                              'this '  # noqa: E501
                                                                                                              'host '  # noqa: E501
                                                                                                              'and '  # noqa: E501
                                                                                                              'path'}},
                                                        'certificates': ['edge-acm'],
                                                        'ssl_policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',  # noqa: E501
                                                        'rules': [{'key': 'shop.example.com/web',
                                                                   'priority': 49942,
                                                                   'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                                                   'actions': [{'type': 'forward',
                                                                                'target_group_arn': {'key': 'web'}}],  # noqa: E501
                                                                   'position': 1}]}],
                                         'attributes': {'idle_timeout.timeout_seconds': '60',
                                                        'routing.http.xff_client_port.enabled': 'false',  # noqa: E501
                                                        'routing.http.xff_header_processing.mode': 'append',  # noqa: E501
                                                        'routing.http2.enabled': 'true',
                                                        'routing.http.drop_invalid_header_fields.enabled': 'true',  # noqa: E501
                                                        'routing.http.desync_mitigation_mode': 'defensive',  # noqa: E501
                                                        'deletion_protection.enabled': 'true'}}}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_alb_is_planned_whole(case: str) -> None:
    assert planned(CASES[case]) == EXPECTED[case]


def test_only_an_alb_topology_has_an_alb_plan() -> None:
    message = r"^an ALB fronts topologies chained and standalone with aws\.alb set$"
    with pytest.raises(ValueError, match=message):
        alb_plan(parse_config(nlb_stack()))
    with pytest.raises(ValueError, match=message):
        alb_plan(parse_config(alb_stack()).model_copy(update={"topology": "gateway"}))


def test_priorities_count_from_the_end_in_slots_of_100() -> None:
    """The last rule's slot is 49901-50000, each earlier rule's the slot below; offsets of
    neighbours differ, also where keys hash alike."""
    keys = [f"k{i}" for i in range(150)]
    priorities = rule_priorities(keys)
    for rank, p in enumerate(reversed(priorities)):
        assert 50000 - 100 * (rank + 1) + 1 <= p <= 50000 - 100 * rank
    offsets = [p % 100 for p in priorities]
    for i in range(len(offsets)):
        assert offsets[i] not in offsets[i + 1:i + 100]
    assert rule_priorities(["a"]) == [49901 + int(
        __import__("hashlib").sha256(b"a").hexdigest(), 16) % 100]
    same = ["x", "x", "x"]
    assert len({p % 100 for p in rule_priorities(same)}) == 3
    assert rule_priorities(["x", "x"])[0] % 100 == (rule_priorities(["x"])[0] + 1) % 100


def test_inserting_a_rule_on_top_changes_no_other() -> None:
    keys = [f"k{i}" for i in range(20)]
    assert rule_priorities(["new", *keys])[1:] == rule_priorities(keys)


def test_a_listener_holds_at_most_500_rules() -> None:
    assert len(rule_priorities([str(i) for i in range(500)])) == 500
    with pytest.raises(ValueError, match="an ALB listener holds at most 500 rules here"):
        rule_priorities([str(i) for i in range(501)])


def test_rule_keys() -> None:
    assert rule_key(HOST, "web") == f"{HOST}/web"
    assert rule_key(HOST, "web", 0) == f"{HOST}/web"
    assert rule_key(HOST, "web", 1) == f"{HOST}/web/2"
