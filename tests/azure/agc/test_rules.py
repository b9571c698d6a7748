"""ingresslib.azure.agc.rules: each rule of Application Gateway for Containers refuses exactly
its case, at the field path, with the value and the whole message (and the edge rule it
guards), and accepts the value beside it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.configs import AGC_SUBNET, APPGW_SUBNET, HOST, KEY_VAULT_CERT, agc_stack, azure
from tests.shared import refusals

HTTP = {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST]}
HTTPS = {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
         "tls": {"certificate": "edge"}}


def _agc(topology: str = "standalone", **section: Any) -> dict[str, Any]:
    """agc_stack with keys of azure.applicationGatewayForContainers replaced."""
    data = agc_stack(topology)
    data["azure"]["applicationGatewayForContainers"].update(copy.deepcopy(section))
    return data


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


def _routes(*routes: dict[str, Any], **backends: Any) -> dict[str, Any]:
    """Standalone AGC routing HOST with `routes` to backend `web` (and `backends`)."""
    data = _agc()
    data["routing"]["hosts"][0]["routes"] = list(routes)
    data["routing"]["backends"].update(copy.deepcopy(backends))
    return data


def _beside_application_gateway(data: dict[str, Any]) -> dict[str, Any]:
    data["azure"]["applicationGateway"] = azure("standalone")["applicationGateway"]
    return data


WEB = {"backend": "web", "subset": "v1"}
_CHAINED = agc_stack("chained")
_GRPC = {"service": "grpc", "namespace": "shop", "port": 9090, "protocol": "GRPC"}

_NO_AZURE = agc_stack()
del _NO_AZURE["azure"]

CASES: dict[str, dict[str, Any]] = {
    "no-azure-section": _NO_AZURE,
    "agc-on-gateway": agc_stack("gateway"),
    "agc-and-application-gateway": _beside_application_gateway(_agc()),
    "agc-in-application-gateways-subnet": _beside_application_gateway(
        _agc(subnet={"id": APPGW_SUBNET.upper(), "addressPrefix": "10.240.16.0/24"})),
    "subnet-created-without-a-range": _agc(subnet={"id": AGC_SUBNET, "create": True}),
    "subnet-too-small": _agc(subnet={"id": AGC_SUBNET, "addressPrefix": "10.240.16.0/25"}),
    "subnet-of-the-load-balancer": _with(_agc("chained"), azure={
        **_agc("chained")["azure"], "loadBalancer": {"subnet": "AGC"}}),
    "internal-scheme": _with(_agc(), loadBalancer={"scheme": "internal"}),
    "chained-namespace": _agc("chained", namespace="edge"),
    "standalone-namespace": _agc(namespace="edge"),
    "listeners-agc-cannot-serve": _with(_agc("chained"), listeners=[
        {"name": "db", "port": 443, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}},
        {**HTTP, "port": 8080},
        {**HTTPS, "port": 8443, "tls": {"certificate": "edge", "mode": "MUTUAL",
                                        "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"]}},
        {**HTTPS, "name": "v13", "tls": {"certificate": "edge",
                                          "minProtocolVersion": "TLSV1_3"}}]),
    "key-vault-certificate": _with(_agc(), certificates={"edge": KEY_VAULT_CERT}),
    "waf-off-with-settings": _agc(waf={"enabled": False, "mode": "Detection",
                                       "requestBodyCheck": False}),
    "waf-off-alone": _agc(waf={"enabled": False}),
    "waf-policy-with-settings": _agc(waf={"policyId": (
        "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/edge/providers/"
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/mine"),
        "mode": "Detection", "fileUploadLimitMb": 10, "ruleSetVersion": "2.0",
        "requestBodyCheck": False, "maxRequestBodySizeKb": 64}),
    "health-check-timeout-at-the-interval": _agc(healthCheck={"intervalSeconds": 5,
                                                              "timeoutSeconds": 5}),
    "health-check-timeout-below-the-interval": _agc(healthCheck={"intervalSeconds": 5,
                                                                 "timeoutSeconds": 4}),
    "chained-backends-and-service-type": _with(
        _agc("chained", backends={"web": {"healthProbePath": "/healthz"},
                                  "api": {"healthProbePath": "/healthz"}}),
        gateway={"service": {"type": "LoadBalancer"}}),
    "chained-service-cluster-ip": _with(_CHAINED, gateway={"service": {"type": "ClusterIP"}}),
    "chained-ingress-from-without-subnet-range": _with(
        _agc("chained", subnet={"id": AGC_SUBNET}),
        gateway={"networkPolicy": {"ingressFrom": ["10.0.0.0/8"]}}),
    "chained-ingress-from-not-the-subnet": _with(_CHAINED, gateway={"networkPolicy": {
        "ingressFrom": ["10.0.0.0/16", "fd00::/8", "10.240.16.0/25"]}}),
    "chained-ingress-from-the-subnet": _with(_CHAINED, gateway={"networkPolicy": {
        "ingressFrom": ["fd00::/8", "10.240.0.0/16"]}}),
    "chained-host-mixing-grpc-and-http": _with(_CHAINED, routing={
        "backends": {"web": {"service": "web", "namespace": "shop", "port": 8080},
                     "grpc": _GRPC},
        "hosts": [{"host": "other.example.com", "routes": [
                      {"name": "g", "to": [{"backend": "grpc"}]}]},
                  {"host": HOST, "routes": [
                      {"name": "a", "match": [{"uri": {"prefix": "/a"}}],
                       "to": [{"backend": "grpc"}]},
                      {"name": "b", "to": [{"backend": "web"}]}]}]},
        listeners=[{**HTTP, "hosts": [HOST, "other.example.com"]}]),
    "standalone-tls-routes": _with(_agc(), routing={
        **agc_stack()["routing"],
        "hosts": [{**agc_stack()["routing"]["hosts"][0], "tlsRoutes": [
            {"name": "db", "sniHosts": [HOST], "to": [WEB]}]}]}),
    "standalone-route-features": _routes(
        {"name": "x", "to": [WEB], "mirror": {"backend": "web", "subset": "v2"},
         "retries": {"attempts": 2}, "fault": {"abort": {"httpStatus": 503, "percent": 1}},
         "cors": {"allowOrigins": [{"exact": "https://a.example.com"}]}},
        {"name": "d", "match": [{"uri": {"prefix": "/d"}}],
         "directResponse": {"status": 404}},
        {"name": "t", "match": [{"uri": {"prefix": "/t"}}],
         "delegate": {"name": "team", "namespace": "team"}}),
    "standalone-matches": _routes(
        {"name": "m", "match": [
            {"uri": {"prefix": "/a"}, "ignoreUriCase": True},
            {"uri": {"regex": "/b.*"}, "method": {"regex": "GE."},
             "headers": {"x-a": {"regex": "1.*"}, "x-b": {"exact": "2"}},
             "queryParams": {"q": {"regex": "y+"}}}], "to": [WEB]}),
    "standalone-backends-probes-and-ports": _with(
        _routes({"name": "a", "match": [{"uri": {"prefix": "/a"}}],
                 "to": [{"backend": "api"}]},
                {"name": "b", "match": [{"uri": {"prefix": "/b"}}],
                 "to": [{"backend": "api"}]},
                {"name": "web", "to": [WEB]},
                api={"service": "api", "namespace": "shop", "port": 9090},
                web={**agc_stack()["routing"]["backends"]["web"],
                     "trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 9}}}}),
        azure={**agc_stack()["azure"], "applicationGatewayForContainers": {
            **agc_stack()["azure"]["applicationGatewayForContainers"],
            "backends": {"web": {"healthProbePath": "/healthz", "healthProbePort": 9091},
                         "ghost": {"healthProbePath": "/healthz"}}}}),
    "standalone-timeouts-disagree": _routes(
        {"name": "a", "match": [{"uri": {"prefix": "/a"}}], "to": [WEB]},
        {"name": "b", "match": [{"uri": {"prefix": "/b"}}], "to": [WEB], "timeout": "5s"},
        {"name": "c", "match": [{"uri": {"prefix": "/c"}}], "to": [WEB], "timeout": "5000ms"},
        {"name": "d", "to": [WEB], "timeout": "6s"}),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'no-azure-section': [('azure',
                       None,
                       "an aks stack creates Azure resources (the load balancer's public IP, "
                       'Application Gateway, Key Vault access): set azure with location, '
                       'resourceGroup and cluster {name, resourceGroup}'),
                      ('listeners[https].tls.certificate',
                       'secret',
                       'in topology standalone Application Gateway terminates TLS and reads '
                       'certificates from keyVault, not from the cluster; use a keyVault '
                       'source')],
 'agc-on-gateway': [('azure.applicationGatewayForContainers',
                     'set',
                     'topology gateway puts the Azure Standard load balancer in front of the '
                     'gateway; Application Gateway for Containers is the L7 load balancer of '
                     'topologies chained and standalone: use one of those or remove it')],
 'agc-and-application-gateway': [('azure.applicationGateway',
                                  'set',
                                  'the stack has one L7 load balancer: set applicationGateway '
                                  '(Application Gateway with AGIC) or '
                                  'applicationGatewayForContainers, not both')],
 'agc-in-application-gateways-subnet': [('azure.applicationGateway',
                                         'set',
                                         'the stack has one L7 load balancer: set '
                                         'applicationGateway (Application Gateway with AGIC) '
                                         'or applicationGatewayForContainers, not both'),
                                        ('azure.applicationGatewayForContainers.subnet.id',
                                         '/SUBSCRIPTIONS/00000000-0000-4000-8000-000000000001/RESOURCEGROUPS/NET/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKS/VNET/SUBNETS/APPGW',
                                         'is delegated to '
                                         'Microsoft.ServiceNetworking/trafficControllers and '
                                         'holds nothing else: use another subnet than '
                                         "Application Gateway's (EDGE-NET-AGC)")],
 'subnet-created-without-a-range': [('azure.applicationGatewayForContainers.subnet.addressPrefix',
                                     None,
                                     'creating the subnet needs its address range: a free /24 '
                                     '(or larger) of the virtual network')],
 'subnet-too-small': [('azure.applicationGatewayForContainers.subnet.addressPrefix',
                       '10.240.16.0/25',
                       'an association takes 256 addresses of its subnet: use a /24 or larger '
                       '(EDGE-NET-AGC)')],
 'subnet-of-the-load-balancer': [('azure.applicationGatewayForContainers.subnet.id',
                                  '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agc',
                                  'is delegated to '
                                  'Microsoft.ServiceNetworking/trafficControllers and holds '
                                  'nothing else: use another subnet than '
                                  'azure.loadBalancer.subnet (EDGE-NET-AGC)'),
                                 ('azure.loadBalancer',
                                  'set',
                                  "Application Gateway for Containers sends to the gateway's "
                                  'pods directly: there is no Azure load balancer; remove '
                                  'it')],
 'internal-scheme': [('loadBalancer.scheme',
                      'internal',
                      "Application Gateway for Containers' frontends are public only (private "
                      'addresses are not supported); keep internet-facing and restrict '
                      'clients with WAF custom rules, or use topology gateway with an '
                      'internal load balancer (EDGE-NET-AGC)')],
 'chained-namespace': [('azure.applicationGatewayForContainers.namespace',
                        'edge',
                        'in chained the AGC Gateway, its Secrets and policies live in the '
                        "Istio gateway's namespace (gateway.namespace); remove it")],
 'standalone-namespace': [],
 'listeners-agc-cannot-serve': [('listeners[http].port',
                                 8080,
                                 'the gateway Service exposes 80 (http) and 443 (https); use '
                                 'one of them'),
                                ('listeners[https].port',
                                 8443,
                                 'the gateway Service exposes 80 (http) and 443 (https); use '
                                 'one of them'),
                                ('listeners[db].protocol',
                                 'TLS',
                                 'Application Gateway for Containers terminates TLS and has '
                                 'no TLSRoute to pass it through; use HTTPS (EDGE-TLS-AGC)'),
                                ('listeners[http].port',
                                 8080,
                                 'Application Gateway for Containers serves HTTP on port 80; '
                                 'use 80'),
                                ('listeners[https].port',
                                 8443,
                                 'Application Gateway for Containers serves HTTPS on port '
                                 '443; use 443'),
                                ('listeners[https].tls.mode',
                                 'MUTUAL',
                                 'ingresslib does not configure Application Gateway for '
                                 "Containers' client certificate checks (FrontendTLSPolicy "
                                 'verify); use SIMPLE (EDGE-TLS-AGC)'),
                                ('listeners[https].tls.cipherSuites',
                                 ['ECDHE-RSA-AES128-GCM-SHA256'],
                                 'Application Gateway for Containers takes only its '
                                 'predefined TLS policies: remove them and choose '
                                 'azure.applicationGatewayForContainers.tlsPolicy '
                                 '(EDGE-TLS-AGC)'),
                                ('listeners[v13].tls.minProtocolVersion',
                                 'TLSV1_3',
                                 "Application Gateway for Containers' TLS policies accept TLS "
                                 '1.2 and cannot require 1.3; use TLSV1_2 (EDGE-TLS-AGC)')],
 'key-vault-certificate': [('listeners[https].tls.certificate',
                            'keyVault',
                            'Application Gateway for Containers reads listener certificates '
                            'from Kubernetes Secrets beside its Gateway: use a secret or '
                            'certManager certificate (sync a Key Vault certificate into a '
                            'Secret yourself, e.g. with the Secrets Store CSI driver) '
                            '(EDGE-TLS-AGC)')],
 'waf-off-with-settings': [('azure.applicationGatewayForContainers.waf',
                            ['mode', 'requestBodyCheck'],
                            'the WAF is off (enabled: false): its other settings do nothing; '
                            'remove them')],
 'waf-off-alone': [],
 'waf-policy-with-settings': [('azure.applicationGatewayForContainers.waf',
                               ['fileUploadLimitMb',
                                'maxRequestBodySizeKb',
                                'mode',
                                'requestBodyCheck',
                                'ruleSetVersion'],
                               'with policyId the WAF policy is yours, and these settings of '
                               'the policy ingresslib would create do nothing; set them on '
                               'your policy (Microsoft_DefaultRuleSet 2.1 or older) and '
                               'remove them')],
 'health-check-timeout-at-the-interval': [('azure.applicationGatewayForContainers.healthCheck.timeoutSeconds',  # noqa: E501
                                           5,
                                           'must be below intervalSeconds (5), or probes '
                                           'overlap; use at most 4')],
 'health-check-timeout-below-the-interval': [],
 'chained-backends-and-service-type': [('azure.applicationGatewayForContainers.backends',
                                        ['api', 'web'],
                                        'in topology chained Application Gateway for '
                                        'Containers sends to the Istio gateway only; remove '
                                        'them'),
                                       ('gateway.service.type',
                                        'LoadBalancer',
                                        'Application Gateway for Containers sends to the '
                                        "gateway's pods; a load balancer Service would open a "
                                        'second way in, around the WAF: use ClusterIP '
                                        '(EDGE-NET-AGC)')],
 'chained-service-cluster-ip': [],
 'chained-ingress-from-without-subnet-range': [('azure.applicationGatewayForContainers.subnet.addressPrefix',  # noqa: E501
                                                None,
                                                'gateway.networkPolicy.ingressFrom restricts '
                                                "the gateway's clients, and Application "
                                                'Gateway for Containers connects from its '
                                                "subnet: give the subnet's address range so "
                                                'that it is admitted (EDGE-NET-AGC)')],
 'chained-ingress-from-not-the-subnet': [('gateway.networkPolicy.ingressFrom',
                                          ['10.0.0.0/16', 'fd00::/8', '10.240.16.0/25'],
                                          "does not admit Application Gateway for Containers' "
                                          'subnet (10.240.16.0/24), its only client: add '
                                          '10.240.16.0/24 (EDGE-NET-AGC)')],
 'chained-ingress-from-the-subnet': [],
 'chained-host-mixing-grpc-and-http': [('routing.hosts[shop.example.com].host',
                                        'shop.example.com',
                                        'mixes gRPC and HTTP backends: Application Gateway '
                                        'for Containers speaks HTTP/1.1 to what it sends to, '
                                        'and HTTP/2 only on a GRPCRoute, so one host is one '
                                        'or the other; serve gRPC on a host of its own')],
 'standalone-tls-routes': [('routing.hosts[shop.example.com].tlsRoutes',
                            'shop.example.com',
                            'tlsRoutes need a TLS (PASSTHROUGH) listener serving this host'),
                           ('routing.hosts[shop.example.com].tlsRoutes',
                            ['db'],
                            'Application Gateway for Containers terminates TLS and cannot '
                            'route it by SNI; remove them (EDGE-TLS-AGC)')],
 'standalone-route-features': [('routing.hosts[shop.example.com].routes[x].mirror',
                                'set',
                                'Application Gateway for Containers cannot apply request '
                                'mirroring (HTTPRouteRequestMirror is unsupported by AGC). '
                                'Remove it, or use topology chained to route in the Istio '
                                'gateway'),
                               ('routing.hosts[shop.example.com].routes[x].retries',
                                'set',
                                'Application Gateway for Containers cannot apply retries (not '
                                "in Gateway API's standard channel, nor implemented by AGC). "
                                'Remove it, or use topology chained to route in the Istio '
                                'gateway'),
                               ('routing.hosts[shop.example.com].routes[x].fault',
                                'set',
                                'Application Gateway for Containers cannot apply fault '
                                'injection (Gateway API has none). Remove it, or use topology '
                                'chained to route in the Istio gateway'),
                               ('routing.hosts[shop.example.com].routes[x].cors',
                                'set',
                                'Application Gateway for Containers cannot apply CORS '
                                'policies at the load balancer. Remove it, or use topology '
                                'chained to route in the Istio gateway'),
                               ('routing.hosts[shop.example.com].routes[d].directResponse',
                                'set',
                                'Application Gateway for Containers cannot apply direct '
                                'responses (Gateway API has none). Remove it, or use topology '
                                'chained to route in the Istio gateway'),
                               ('routing.hosts[shop.example.com].routes[t].delegate',
                                'set',
                                'Application Gateway for Containers cannot apply delegation '
                                'to another VirtualService. Remove it, or use topology '
                                'chained to route in the Istio gateway')],
 'standalone-matches': [('routing.hosts[shop.example.com].routes[m].match[0].ignoreUriCase',
                         True,
                         'Gateway API path matches are case sensitive; remove it, or use '
                         'topology chained'),
                        ('routing.hosts[shop.example.com].routes[m].match[1].uri.regex',
                         '/b.*',
                         'regular expression matches are implementation-specific in Gateway '
                         'API and Application Gateway for Containers documents none; use '
                         'exact or prefix, or topology chained'),
                        ('routing.hosts[shop.example.com].routes[m].match[1].method.regex',
                         'GE.',
                         'regular expression matches are implementation-specific in Gateway '
                         'API and Application Gateway for Containers documents none; use '
                         'exact or prefix, or topology chained'),
                        ('routing.hosts[shop.example.com].routes[m].match[1].headers.x-a.regex',
                         '1.*',
                         'regular expression matches are implementation-specific in Gateway '
                         'API and Application Gateway for Containers documents none; use '
                         'exact or prefix, or topology chained'),
                        ('routing.hosts[shop.example.com].routes[m].match[1].queryParams.q.regex',
                         'y+',
                         'regular expression matches are implementation-specific in Gateway '
                         'API and Application Gateway for Containers documents none; use '
                         'exact or prefix, or topology chained')],
 'standalone-backends-probes-and-ports': [('azure.applicationGatewayForContainers.backends.api',
                                           None,
                                           'routing.hosts[shop.example.com].routes[a].to[0] '
                                           'sends to this backend through Application Gateway '
                                           'for Containers: set its healthProbePath (and '
                                           'healthProbePort when the probe is not on the '
                                           'target port), or Application Gateway for '
                                           "Containers copies the pod's readiness probe, "
                                           'which Istio rewrites to its agent (EDGE-HC-AGC)'),
                                          ('routing.backends.web.trafficPolicy',
                                           'set',
                                           'a DestinationRule configures the Istio proxies '
                                           'that send to the backend, and Application Gateway '
                                           'for Containers is not one; remove it'),
                                          ('security.standalonePorts',
                                           ['shop:9091'],
                                           'Application Gateway for Containers reaches '
                                           'backend web on these pod ports in plaintext '
                                           '(traffic and health probes); STRICT mTLS, set '
                                           'here or mesh-wide, would reset those connections: '
                                           'list them under security.standalonePorts so they '
                                           'get PERMISSIVE'),
                                          ('azure.applicationGatewayForContainers.backends.ghost',
                                           'set',
                                           'no standalone route sends to this backend; remove '
                                           'it')],
 'standalone-timeouts-disagree': [('routing.hosts[shop.example.com].routes[d].timeout',
                                   '6s',
                                   'Application Gateway for Containers applies one request '
                                   'timeout to all routes of a host (a RoutePolicy on its '
                                   'HTTPRoute; it does not implement per-rule timeouts): use '
                                   '5s as routes[1] does, or leave it unset for 5s '
                                   '(EDGE-TO-AGC)')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_refuses_its_case_with_the_path_value_and_fix(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]
