"""ingresslib.azure.application_gateway.plan: every argument of the Application Gateway of
chained (listeners per host in priority order, redirects, the pool at the internal load
balancer's address, the readiness probe, one backend setting per request timeout, the
X-Forwarded-For rewrite) and of standalone (AGIC's placeholders), with TLS policy, zones,
frontend ports and certificates."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.application_gateway.plan import (
    AppGwIds,
    appgw_public_ip_zones,
    application_gateway_args,
    ports_through_load_balancer,
)
from tests.configs import HOST, HTTP, HTTPS, KEY_VAULT_CERT, aks_stack

IDS = AppGwIds("sub", "rg", "gw")


def planned(data: dict[str, Any]) -> dict[str, Any]:
    """The gateway's arguments, its neighbours' IDs given as PIP, ID and WAF."""
    return application_gateway_args(parse_config(data), IDS, public_ip_id="PIP",
                                    identity_id="ID", waf_policy_id="WAF")


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


_WILD = "*.example.com"
_CERTS = {"edge": {**KEY_VAULT_CERT, "dnsNames": [HOST, _WILD]},
          "wild": {**KEY_VAULT_CERT, "dnsNames": [_WILD], "certificate": "wild"}}
_MANY = _with(
    aks_stack("chained"),
    listeners=[
        {**HTTP, "hosts": ["b.example.com", HOST, "other.example.org", "*"],
         "allowAnyHost": True},
        {**HTTP, "name": "plain", "hosts": ["plain.example.com"], "httpsRedirect": False},
        {**HTTPS, "hosts": [HOST], "tls": {"certificate": "edge",
                                            "minProtocolVersion": "TLSV1_3"}},
        {**HTTPS, "name": "wild", "hosts": [_WILD], "tls": {"certificate": "wild",
                                                            "minProtocolVersion": "TLSV1_3"}}],
    certificates=_CERTS,
    loadBalancer={"deregistrationDelaySeconds": 0},
    routing={"backends": {"web": {"service": "web", "namespace": "shop", "port": 8080}},
             "hosts": [{"host": HOST, "routes": [
                 {"name": "ws", "match": [{"uri": {"prefix": "/ws"}}], "to": [{"backend": "web"}],
                  "longLived": True, "timeout": "600s"},
                 {"name": "web", "to": [{"backend": "web"}]}]},
                 {"host": "b.example.com", "routes": [
                     {"name": "ws", "to": [{"backend": "web"}], "longLived": True,
                      "timeout": "20s"}]}]})
_MANY["azure"]["applicationGateway"].update({"zones": [], "http2": False, "minCapacity": 0,
                                             "maxCapacity": 3})
_STANDALONE_HTTPS = _with(aks_stack("standalone"), listeners=[HTTPS],
                          loadBalancer={"deregistrationDelaySeconds": 31})

_ANY_HOST = aks_stack("chained")
_ANY_HOST["listeners"].append({"name": "any", "port": 443, "protocol": "HTTPS", "hosts": ["*"],
                               "allowAnyHost": True, "tls": {"certificate": "any"}})
_ANY_HOST["certificates"]["any"] = {**KEY_VAULT_CERT, "dnsNames": ["*"], "certificate": "any"}

CASES: dict[str, dict[str, Any]] = {
    "chained": aks_stack("chained"),
    "chained-https-for-any-host": _ANY_HOST,
    "chained-delay-of-1": _with(aks_stack("chained"), loadBalancer={
        "deregistrationDelaySeconds": 1}),
    "chained-hosts-wildcards-and-long-lived-routes": _MANY,
    "standalone": aks_stack("standalone"),
    "standalone-https-only": _STANDALONE_HTTPS,
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'chained': {'application_gateway_name': 'gw',
             'resource_group_name': 'rg',
             'location': 'westeurope',
             'sku': {'name': 'WAF_v2', 'tier': 'WAF_v2'},
             'autoscale_configuration': {'min_capacity': 2, 'max_capacity': 10},
             'zones': ['1', '2', '3'],
             'enable_http2': True,
             'identity': {'type': 'UserAssigned', 'user_assigned_identities': ['ID']},
             'firewall_policy': {'id': 'WAF'},
             'force_firewall_policy_association': True,
             'gateway_ip_configurations': [{'name': 'gateway-ip',
                                            'subnet': {'id': '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw'}}],  # noqa: E501
             'frontend_ip_configurations': [{'name': 'public',
                                             'public_ip_address': {'id': 'PIP'}}],
             'frontend_ports': [{'name': 'port-80', 'port': 80},
                                {'name': 'port-443', 'port': 443}],
             'ssl_certificates': [{'name': 'edge',
                                   'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/shop'}],
             'ssl_policy': {'policy_type': 'Predefined',
                            'policy_name': 'AppGwSslPolicy20220101S'},
             'tags': {'managed-by': 'ingresslib', 'ingresslib-stack': 'ingress'},
             'backend_address_pools': [{'name': 'istio-gateway',
                                        'backend_addresses': [{'ip_address': '10.240.4.10'}]}],
             'probes': [{'name': 'istio-gateway-ready',
                         'protocol': 'Http',
                         'host': '127.0.0.1',
                         'path': '/healthz/ready',
                         'port': 15021,
                         'interval': 5,
                         'timeout': 5,
                         'unhealthy_threshold': 2,
                         'pick_host_name_from_backend_http_settings': False,
                         'match': {'status_codes': ['200-399']}}],
             'backend_http_settings_collection': [{'name': 'istio-gateway-http',
                                                   'port': 80,
                                                   'protocol': 'Http',
                                                   'cookie_based_affinity': 'Disabled',
                                                   'pick_host_name_from_backend_address': False,
                                                   'request_timeout': 30,
                                                   'connection_draining': {'enabled': True,
                                                                           'drain_timeout_in_sec': 30},  # noqa: E501
                                                   'probe': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/probes/istio-gateway-ready'}}],  # noqa: E501
             'http_listeners': [{'name': 'https-shop-example-com',
                                 'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                 'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-443'},  # noqa: E501
                                 'protocol': 'Https',
                                 'host_names': ['shop.example.com'],
                                 'ssl_certificate': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/sslCertificates/edge'},  # noqa: E501
                                 'require_server_name_indication': True},
                                {'name': 'http-shop-example-com',
                                 'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                 'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                 'protocol': 'Http',
                                 'host_names': ['shop.example.com']}],
             'redirect_configurations': [{'name': 'redirect-shop-example-com',
                                          'redirect_type': 'Permanent',
                                          'target_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                          'include_path': True,
                                          'include_query_string': True}],
             'request_routing_rules': [{'name': 'https-shop-example-com',
                                        'rule_type': 'Basic',
                                        'priority': 100,
                                        'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                        'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                        'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http'},  # noqa: E501
                                        'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}},  # noqa: E501
                                       {'name': 'http-shop-example-com',
                                        'rule_type': 'Basic',
                                        'priority': 110,
                                        'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-shop-example-com'},  # noqa: E501
                                        'redirect_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/redirectConfigurations/redirect-shop-example-com'}}],  # noqa: E501
             'rewrite_rule_sets': [{'name': 'xff-without-port',
                                    'rewrite_rules': [{'name': 'xff-client-ip-only',
                                                       'rule_sequence': 100,
                                                       'action_set': {'request_header_configurations': [{'header_name': 'X-Forwarded-For',  # noqa: E501
                                                                                                         'header_value': '{var_add_x_forwarded_for_proxy}'}]}}]}]},  # noqa: E501
 'chained-https-for-any-host': {'application_gateway_name': 'gw',
                                'resource_group_name': 'rg',
                                'location': 'westeurope',
                                'sku': {'name': 'WAF_v2', 'tier': 'WAF_v2'},
                                'autoscale_configuration': {'min_capacity': 2,
                                                            'max_capacity': 10},
                                'zones': ['1', '2', '3'],
                                'enable_http2': True,
                                'identity': {'type': 'UserAssigned',
                                             'user_assigned_identities': ['ID']},
                                'firewall_policy': {'id': 'WAF'},
                                'force_firewall_policy_association': True,
                                'gateway_ip_configurations': [{'name': 'gateway-ip',
                                                               'subnet': {'id': '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw'}}],  # noqa: E501
                                'frontend_ip_configurations': [{'name': 'public',
                                                                'public_ip_address': {'id': 'PIP'}}],  # noqa: E501
                                'frontend_ports': [{'name': 'port-80', 'port': 80},
                                                   {'name': 'port-443', 'port': 443}],
                                'ssl_certificates': [{'name': 'any',
                                                      'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/any'},
                                                     {'name': 'edge',
                                                      'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/shop'}],
                                'ssl_policy': {'policy_type': 'Predefined',
                                               'policy_name': 'AppGwSslPolicy20220101S'},
                                'tags': {'managed-by': 'ingresslib',
                                         'ingresslib-stack': 'ingress'},
                                'backend_address_pools': [{'name': 'istio-gateway',
                                                           'backend_addresses': [{'ip_address': '10.240.4.10'}]}],  # noqa: E501
                                'probes': [{'name': 'istio-gateway-ready',
                                            'protocol': 'Http',
                                            'host': '127.0.0.1',
                                            'path': '/healthz/ready',
                                            'port': 15021,
                                            'interval': 5,
                                            'timeout': 5,
                                            'unhealthy_threshold': 2,
                                            'pick_host_name_from_backend_http_settings': False,
                                            'match': {'status_codes': ['200-399']}}],
                                'backend_http_settings_collection': [{'name': 'istio-gateway-http',
                                                                      'port': 80,
                                                                      'protocol': 'Http',
                                                                      'cookie_based_affinity': 'Disabled',  # noqa: E501
                                                                      'pick_host_name_from_backend_address': False,  # noqa: E501
                                                                      'request_timeout': 30,
                                                                      'connection_draining': {'enabled': True,  # noqa: E501
                                                                                              'drain_timeout_in_sec': 30},  # noqa: E501
                                                                      'probe': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/probes/istio-gateway-ready'}}],  # noqa: E501
                                'http_listeners': [{'name': 'https-shop-example-com',
                                                    'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                    'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-443'},  # noqa: E501
                                                    'protocol': 'Https',
                                                    'host_names': ['shop.example.com'],
                                                    'ssl_certificate': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/sslCertificates/edge'},  # noqa: E501
                                                    'require_server_name_indication': True},
                                                   {'name': 'http-shop-example-com',
                                                    'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                    'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                                    'protocol': 'Http',
                                                    'host_names': ['shop.example.com']},
                                                   {'name': 'https-wildcard',
                                                    'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                    'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-443'},  # noqa: E501
                                                    'protocol': 'Https',
                                                    'ssl_certificate': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/sslCertificates/any'},  # noqa: E501
                                                    'require_server_name_indication': False}],
                                'redirect_configurations': [{'name': 'redirect-shop-example-com',
                                                             'redirect_type': 'Permanent',
                                                             'target_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                                             'include_path': True,
                                                             'include_query_string': True}],
                                'request_routing_rules': [{'name': 'https-shop-example-com',
                                                           'rule_type': 'Basic',
                                                           'priority': 100,
                                                           'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                                           'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                           'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http'},  # noqa: E501
                                                           'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}},  # noqa: E501
                                                          {'name': 'http-shop-example-com',
                                                           'rule_type': 'Basic',
                                                           'priority': 110,
                                                           'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-shop-example-com'},  # noqa: E501
                                                           'redirect_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/redirectConfigurations/redirect-shop-example-com'}},  # noqa: E501
                                                          {'name': 'https-wildcard',
                                                           'rule_type': 'Basic',
                                                           'priority': 120,
                                                           'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-wildcard'},  # noqa: E501
                                                           'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                           'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http'},  # noqa: E501
                                                           'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}}],  # noqa: E501
                                'rewrite_rule_sets': [{'name': 'xff-without-port',
                                                       'rewrite_rules': [{'name': 'xff-client-ip-only',  # noqa: E501
                                                                          'rule_sequence': 100,
                                                                          'action_set': {'request_header_configurations': [{'header_name': 'X-Forwarded-For',  # noqa: E501
                                                                                                                            'header_value': '{var_add_x_forwarded_for_proxy}'}]}}]}]},  # noqa: E501
 'chained-delay-of-1': {'application_gateway_name': 'gw',
                        'resource_group_name': 'rg',
                        'location': 'westeurope',
                        'sku': {'name': 'WAF_v2', 'tier': 'WAF_v2'},
                        'autoscale_configuration': {'min_capacity': 2, 'max_capacity': 10},
                        'zones': ['1', '2', '3'],
                        'enable_http2': True,
                        'identity': {'type': 'UserAssigned',
                                     'user_assigned_identities': ['ID']},
                        'firewall_policy': {'id': 'WAF'},
                        'force_firewall_policy_association': True,
                        'gateway_ip_configurations': [{'name': 'gateway-ip',
                                                       'subnet': {'id': '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw'}}],  # noqa: E501
                        'frontend_ip_configurations': [{'name': 'public',
                                                        'public_ip_address': {'id': 'PIP'}}],
                        'frontend_ports': [{'name': 'port-80', 'port': 80},
                                           {'name': 'port-443', 'port': 443}],
                        'ssl_certificates': [{'name': 'edge',
                                              'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/shop'}],
                        'ssl_policy': {'policy_type': 'Predefined',
                                       'policy_name': 'AppGwSslPolicy20220101S'},
                        'tags': {'managed-by': 'ingresslib', 'ingresslib-stack': 'ingress'},
                        'backend_address_pools': [{'name': 'istio-gateway',
                                                   'backend_addresses': [{'ip_address': '10.240.4.10'}]}],  # noqa: E501
                        'probes': [{'name': 'istio-gateway-ready',
                                    'protocol': 'Http',
                                    'host': '127.0.0.1',
                                    'path': '/healthz/ready',
                                    'port': 15021,
                                    'interval': 5,
                                    'timeout': 5,
                                    'unhealthy_threshold': 2,
                                    'pick_host_name_from_backend_http_settings': False,
                                    'match': {'status_codes': ['200-399']}}],
                        'backend_http_settings_collection': [{'name': 'istio-gateway-http',
                                                              'port': 80,
                                                              'protocol': 'Http',
                                                              'cookie_based_affinity': 'Disabled',
                                                              'pick_host_name_from_backend_address': False,  # noqa: E501
                                                              'request_timeout': 30,
                                                              'connection_draining': {'enabled': True,  # noqa: E501
                                                                                      'drain_timeout_in_sec': 1},  # noqa: E501
                                                              'probe': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/probes/istio-gateway-ready'}}],  # noqa: E501
                        'http_listeners': [{'name': 'https-shop-example-com',
                                            'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                            'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-443'},  # noqa: E501
                                            'protocol': 'Https',
                                            'host_names': ['shop.example.com'],
                                            'ssl_certificate': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/sslCertificates/edge'},  # noqa: E501
                                            'require_server_name_indication': True},
                                           {'name': 'http-shop-example-com',
                                            'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                            'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                            'protocol': 'Http',
                                            'host_names': ['shop.example.com']}],
                        'redirect_configurations': [{'name': 'redirect-shop-example-com',
                                                     'redirect_type': 'Permanent',
                                                     'target_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                                     'include_path': True,
                                                     'include_query_string': True}],
                        'request_routing_rules': [{'name': 'https-shop-example-com',
                                                   'rule_type': 'Basic',
                                                   'priority': 100,
                                                   'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                                   'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                   'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http'},  # noqa: E501
                                                   'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}},  # noqa: E501
                                                  {'name': 'http-shop-example-com',
                                                   'rule_type': 'Basic',
                                                   'priority': 110,
                                                   'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-shop-example-com'},  # noqa: E501
                                                   'redirect_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/redirectConfigurations/redirect-shop-example-com'}}],  # noqa: E501
                        'rewrite_rule_sets': [{'name': 'xff-without-port',
                                               'rewrite_rules': [{'name': 'xff-client-ip-only',
                                                                  'rule_sequence': 100,
                                                                  'action_set': {'request_header_configurations': [{'header_name': 'X-Forwarded-For',  # noqa: E501
                                                                                                                    'header_value': '{var_add_x_forwarded_for_proxy}'}]}}]}]},  # noqa: E501
 'chained-hosts-wildcards-and-long-lived-routes': {'application_gateway_name': 'gw',
                                                   'resource_group_name': 'rg',
                                                   'location': 'westeurope',
                                                   'sku': {'name': 'WAF_v2', 'tier': 'WAF_v2'},
                                                   'autoscale_configuration': {'min_capacity': 0,
                                                                               'max_capacity': 3},
                                                   'zones': [],
                                                   'enable_http2': False,
                                                   'identity': {'type': 'UserAssigned',
                                                                'user_assigned_identities': ['ID']},
                                                   'firewall_policy': {'id': 'WAF'},
                                                   'force_firewall_policy_association': True,
                                                   'gateway_ip_configurations': [{'name': 'gateway-ip',  # noqa: E501
                                                                                  'subnet': {'id': '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw'}}],  # noqa: E501
                                                   'frontend_ip_configurations': [{'name': 'public',
                                                                                   'public_ip_address': {'id': 'PIP'}}],  # noqa: E501
                                                   'frontend_ports': [{'name': 'port-80',
                                                                       'port': 80},
                                                                      {'name': 'port-443',
                                                                       'port': 443}],
                                                   'ssl_certificates': [{'name': 'edge',
                                                                         'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/shop'},
                                                                        {'name': 'wild',
                                                                         'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/wild'}],
                                                   'ssl_policy': {'policy_type': 'CustomV2',
                                                                  'min_protocol_version': 'TLSv1_3'},  # noqa: E501
                                                   'tags': {'managed-by': 'ingresslib',
                                                            'ingresslib-stack': 'ingress'},
                                                   'backend_address_pools': [{'name': 'istio-gateway',  # noqa: E501
                                                                              'backend_addresses': [{'ip_address': '10.240.4.10'}]}],  # noqa: E501
                                                   'probes': [{'name': 'istio-gateway-ready',
                                                               'protocol': 'Http',
                                                               'host': '127.0.0.1',
                                                               'path': '/healthz/ready',
                                                               'port': 15021,
                                                               'interval': 5,
                                                               'timeout': 5,
                                                               'unhealthy_threshold': 2,
                                                               'pick_host_name_from_backend_http_settings': False,  # noqa: E501
                                                               'match': {'status_codes': ['200-399']}}],  # noqa: E501
                                                   'backend_http_settings_collection': [{'name': 'istio-gateway-http',  # noqa: E501
                                                                                         'port': 80,
                                                                                         'protocol': 'Http',  # noqa: E501
                                                                                         'cookie_based_affinity': 'Disabled',  # noqa: E501
                                                                                         'pick_host_name_from_backend_address': False,  # noqa: E501
                                                                                         'request_timeout': 30,  # noqa: E501
                                                                                         'connection_draining': {'enabled': False,  # noqa: E501
                                                                                                                 'drain_timeout_in_sec': 1},  # noqa: E501
                                                                                         'probe': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/probes/istio-gateway-ready'}},  # noqa: E501
                                                                                        {'name': 'istio-gateway-http-600s',  # noqa: E501
                                                                                         'port': 80,
                                                                                         'protocol': 'Http',  # noqa: E501
                                                                                         'cookie_based_affinity': 'Disabled',  # noqa: E501
                                                                                         'pick_host_name_from_backend_address': False,  # noqa: E501
                                                                                         'request_timeout': 600,  # noqa: E501
                                                                                         'connection_draining': {'enabled': False,  # noqa: E501
                                                                                                                 'drain_timeout_in_sec': 1},  # noqa: E501
                                                                                         'probe': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/probes/istio-gateway-ready'}}],  # noqa: E501
                                                   'http_listeners': [{'name': 'http-b-example-com',
                                                                       'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                                       'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                                                       'protocol': 'Http',
                                                                       'host_names': ['b.example.com']},  # noqa: E501
                                                                      {'name': 'http-other-example-org',  # noqa: E501
                                                                       'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                                       'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                                                       'protocol': 'Http',
                                                                       'host_names': ['other.example.org']},  # noqa: E501
                                                                      {'name': 'http-plain-example-com',  # noqa: E501
                                                                       'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                                       'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                                                       'protocol': 'Http',
                                                                       'host_names': ['plain.example.com']},  # noqa: E501
                                                                      {'name': 'https-shop-example-com',  # noqa: E501
                                                                       'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                                       'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-443'},  # noqa: E501
                                                                       'protocol': 'Https',
                                                                       'host_names': ['shop.example.com'],  # noqa: E501
                                                                       'ssl_certificate': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/sslCertificates/edge'},  # noqa: E501
                                                                       'require_server_name_indication': True},  # noqa: E501
                                                                      {'name': 'http-shop-example-com',  # noqa: E501
                                                                       'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                                       'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                                                       'protocol': 'Http',
                                                                       'host_names': ['shop.example.com']},  # noqa: E501
                                                                      {'name': 'https-wildcard-example-com',  # noqa: E501
                                                                       'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                                       'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-443'},  # noqa: E501
                                                                       'protocol': 'Https',
                                                                       'host_names': ['*.example.com'],  # noqa: E501
                                                                       'ssl_certificate': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/sslCertificates/wild'},  # noqa: E501
                                                                       'require_server_name_indication': True},  # noqa: E501
                                                                      {'name': 'http-wildcard',
                                                                       'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                                                       'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                                                       'protocol': 'Http'}],
                                                   'redirect_configurations': [{'name': 'redirect-b-example-com',  # noqa: E501
                                                                                'redirect_type': 'Permanent',  # noqa: E501
                                                                                'target_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-wildcard-example-com'},  # noqa: E501
                                                                                'include_path': True,  # noqa: E501
                                                                                'include_query_string': True},  # noqa: E501
                                                                               {'name': 'redirect-shop-example-com',  # noqa: E501
                                                                                'redirect_type': 'Permanent',  # noqa: E501
                                                                                'target_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                                                                'include_path': True,  # noqa: E501
                                                                                'include_query_string': True}],  # noqa: E501
                                                   'request_routing_rules': [{'name': 'http-b-example-com',  # noqa: E501
                                                                              'rule_type': 'Basic',
                                                                              'priority': 100,
                                                                              'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-b-example-com'},  # noqa: E501
                                                                              'redirect_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/redirectConfigurations/redirect-b-example-com'}},  # noqa: E501
                                                                             {'name': 'http-other-example-org',  # noqa: E501
                                                                              'rule_type': 'Basic',
                                                                              'priority': 110,
                                                                              'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-other-example-org'},  # noqa: E501
                                                                              'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                                              'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http'},  # noqa: E501
                                                                              'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}},  # noqa: E501
                                                                             {'name': 'http-plain-example-com',  # noqa: E501
                                                                              'rule_type': 'Basic',
                                                                              'priority': 120,
                                                                              'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-plain-example-com'},  # noqa: E501
                                                                              'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                                              'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http'},  # noqa: E501
                                                                              'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}},  # noqa: E501
                                                                             {'name': 'https-shop-example-com',  # noqa: E501
                                                                              'rule_type': 'Basic',
                                                                              'priority': 130,
                                                                              'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-shop-example-com'},  # noqa: E501
                                                                              'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                                              'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http-600s'},  # noqa: E501
                                                                              'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}},  # noqa: E501
                                                                             {'name': 'http-shop-example-com',  # noqa: E501
                                                                              'rule_type': 'Basic',
                                                                              'priority': 140,
                                                                              'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-shop-example-com'},  # noqa: E501
                                                                              'redirect_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/redirectConfigurations/redirect-shop-example-com'}},  # noqa: E501
                                                                             {'name': 'https-wildcard-example-com',  # noqa: E501
                                                                              'rule_type': 'Basic',
                                                                              'priority': 150,
                                                                              'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/https-wildcard-example-com'},  # noqa: E501
                                                                              'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                                              'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http-600s'},  # noqa: E501
                                                                              'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}},  # noqa: E501
                                                                             {'name': 'http-wildcard',  # noqa: E501
                                                                              'rule_type': 'Basic',
                                                                              'priority': 160,
                                                                              'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/http-wildcard'},  # noqa: E501
                                                                              'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/istio-gateway'},  # noqa: E501
                                                                              'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/istio-gateway-http-600s'},  # noqa: E501
                                                                              'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}}],  # noqa: E501
                                                   'rewrite_rule_sets': [{'name': 'xff-without-port',  # noqa: E501
                                                                          'rewrite_rules': [{'name': 'xff-client-ip-only',  # noqa: E501
                                                                                             'rule_sequence': 100,  # noqa: E501
                                                                                             'action_set': {'request_header_configurations': [{'header_name': 'X-Forwarded-For',  # noqa: E501
                                                                                                                                               'header_value': '{var_add_x_forwarded_for_proxy}'}]}}]}]},  # noqa: E501
 'standalone': {'application_gateway_name': 'gw',
                'resource_group_name': 'rg',
                'location': 'westeurope',
                'sku': {'name': 'WAF_v2', 'tier': 'WAF_v2'},
                'autoscale_configuration': {'min_capacity': 2, 'max_capacity': 10},
                'zones': ['1', '2', '3'],
                'enable_http2': True,
                'identity': {'type': 'UserAssigned', 'user_assigned_identities': ['ID']},
                'firewall_policy': {'id': 'WAF'},
                'force_firewall_policy_association': True,
                'gateway_ip_configurations': [{'name': 'gateway-ip',
                                               'subnet': {'id': '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw'}}],  # noqa: E501
                'frontend_ip_configurations': [{'name': 'public',
                                                'public_ip_address': {'id': 'PIP'}}],
                'frontend_ports': [{'name': 'port-80', 'port': 80},
                                   {'name': 'port-443', 'port': 443}],
                'ssl_certificates': [{'name': 'edge',
                                      'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/shop'}],
                'ssl_policy': {'policy_type': 'Predefined',
                               'policy_name': 'AppGwSslPolicy20220101S'},
                'tags': {'managed-by': 'ingresslib', 'ingresslib-stack': 'ingress'},
                'backend_address_pools': [{'name': 'defaultaddresspool'}],
                'backend_http_settings_collection': [{'name': 'defaulthttpsetting',
                                                      'port': 80,
                                                      'protocol': 'Http',
                                                      'cookie_based_affinity': 'Disabled',
                                                      'request_timeout': 30,
                                                      'connection_draining': {'enabled': True,
                                                                              'drain_timeout_in_sec': 30}}],  # noqa: E501
                'http_listeners': [{'name': 'placeholder-http',
                                    'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                    'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                    'protocol': 'Http'}],
                'request_routing_rules': [{'name': 'placeholder',
                                           'rule_type': 'Basic',
                                           'priority': 20000,
                                           'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/placeholder-http'},  # noqa: E501
                                           'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/defaultaddresspool'},  # noqa: E501
                                           'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/defaulthttpsetting'},  # noqa: E501
                                           'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}}],  # noqa: E501
                'rewrite_rule_sets': [{'name': 'xff-without-port',
                                       'rewrite_rules': [{'name': 'xff-client-ip-only',
                                                          'rule_sequence': 100,
                                                          'action_set': {'request_header_configurations': [{'header_name': 'X-Forwarded-For',  # noqa: E501
                                                                                                            'header_value': '{var_add_x_forwarded_for_proxy}'}]}}]}]},  # noqa: E501
 'standalone-https-only': {'application_gateway_name': 'gw',
                           'resource_group_name': 'rg',
                           'location': 'westeurope',
                           'sku': {'name': 'WAF_v2', 'tier': 'WAF_v2'},
                           'autoscale_configuration': {'min_capacity': 2, 'max_capacity': 10},
                           'zones': ['1', '2', '3'],
                           'enable_http2': True,
                           'identity': {'type': 'UserAssigned',
                                        'user_assigned_identities': ['ID']},
                           'firewall_policy': {'id': 'WAF'},
                           'force_firewall_policy_association': True,
                           'gateway_ip_configurations': [{'name': 'gateway-ip',
                                                          'subnet': {'id': '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw'}}],  # noqa: E501
                           'frontend_ip_configurations': [{'name': 'public',
                                                           'public_ip_address': {'id': 'PIP'}}],
                           'frontend_ports': [{'name': 'port-80', 'port': 80},
                                              {'name': 'port-443', 'port': 443}],
                           'ssl_certificates': [{'name': 'edge',
                                                 'key_vault_secret_id': 'https://kv-edge.vault.azure.net/secrets/shop'}],
                           'ssl_policy': {'policy_type': 'Predefined',
                                          'policy_name': 'AppGwSslPolicy20220101S'},
                           'tags': {'managed-by': 'ingresslib', 'ingresslib-stack': 'ingress'},
                           'backend_address_pools': [{'name': 'defaultaddresspool'}],
                           'backend_http_settings_collection': [{'name': 'defaulthttpsetting',
                                                                 'port': 80,
                                                                 'protocol': 'Http',
                                                                 'cookie_based_affinity': 'Disabled',  # noqa: E501
                                                                 'request_timeout': 30,
                                                                 'connection_draining': {'enabled': True,  # noqa: E501
                                                                                         'drain_timeout_in_sec': 31}}],  # noqa: E501
                           'http_listeners': [{'name': 'placeholder-http',
                                               'frontend_ip_configuration': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendIPConfigurations/public'},  # noqa: E501
                                               'frontend_port': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/frontendPorts/port-80'},  # noqa: E501
                                               'protocol': 'Http'}],
                           'request_routing_rules': [{'name': 'placeholder',
                                                      'rule_type': 'Basic',
                                                      'priority': 20000,
                                                      'http_listener': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/placeholder-http'},  # noqa: E501
                                                      'backend_address_pool': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/defaultaddresspool'},  # noqa: E501
                                                      'backend_http_settings': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendHttpSettingsCollection/defaulthttpsetting'},  # noqa: E501
                                                      'rewrite_rule_set': {'id': '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/rewriteRuleSets/xff-without-port'}}],  # noqa: E501
                           'rewrite_rule_sets': [{'name': 'xff-without-port',
                                                  'rewrite_rules': [{'name': 'xff-client-ip-only',
                                                                     'rule_sequence': 100,
                                                                     'action_set': {'request_header_configurations': [{'header_name': 'X-Forwarded-For',  # noqa: E501
                                                                                                                       'header_value': '{var_add_x_forwarded_for_proxy}'}]}}]}]}}  # noqa: E501
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_gateway_is_planned_whole(case: str) -> None:
    assert planned(CASES[case]) == EXPECTED[case]


def test_ports_reached_through_the_load_balancer() -> None:
    assert ports_through_load_balancer(parse_config(aks_stack("chained"))) == {
        80: "Application Gateway's traffic", 15021: "Application Gateway's health probe"}
    assert ports_through_load_balancer(parse_config(aks_stack("gateway"))) == {}
    assert ports_through_load_balancer(parse_config(aks_stack("standalone"))) == {}


def test_the_public_ip_is_zone_redundant_where_the_gateway_has_zones() -> None:
    agw = parse_config(aks_stack("chained")).azure.application_gateway
    assert appgw_public_ip_zones(agw) == ["1", "2", "3"]
    assert appgw_public_ip_zones(agw.model_copy(update={"zones": ["2"]})) == ["1", "2", "3"]
    assert appgw_public_ip_zones(agw.model_copy(update={"zones": []})) == []
