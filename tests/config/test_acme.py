"""ingresslib.config.acme: cert-manager's HTTP-01 solver through the Istio gateway: which names
an HTTP-01 issuer proves, which port-80 listeners leave the challenge path unredirected, the
regex that matches every other path, and each refusal (ING-IX-ACME-REDIRECT, -INGRESS,
-REACH) with its path, value and fix."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.config.acme import CHALLENGE_PREFIX, acme_listeners, http01_hosts, not_prefix_regex
from tests.configs import HOST, HTTP01, aks_stack, nlb_stack
from tests.shared import refusals

APP = "app.example.com"
TOKEN = CHALLENGE_PREFIX + "t0k3n"


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(HTTP01)
    data.update(copy.deepcopy(changes))
    return data


def _routes(*routes: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = _with(**changes)
    data["routing"]["hosts"][0]["routes"] = list(routes)
    data["listeners"][0]["httpsRedirect"] = False
    return data


def _match(name: str, match: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "match": [match], "to": APP_TO}


def _two_plain_hosts() -> dict[str, Any]:
    """Port 80 without redirects for a host not proven, a wildcard host and an exact host
    over an HTTP-01 certificate, each with a catch-all route."""
    data = _with(listeners=[
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [APP, "other.example.org"],
         "httpsRedirect": False},
        {"name": "wild", "port": 80, "protocol": "HTTP", "hosts": ["*.example.com"],
         "httpsRedirect": False},
        {**HTTP01["listeners"][1], "hosts": [APP, "www.example.com"]}],
        certificates={"app-tls": {**HTTP01["certificates"]["app-tls"],
                                  "dnsNames": [APP, "www.example.com"]}})
    data["routing"]["hosts"] = [
        {"host": h, "routes": [{"name": "web", "to": APP_TO}]}
        for h in ("other.example.org", "*.example.com", APP)]
    return data


def _authz(*rules: dict[str, Any]) -> dict[str, Any]:
    return _with(security={"jwt": JWT, "authorization": list(rules)})


APP_TO = [{"backend": "app"}]


def _addon_http01() -> dict[str, Any]:
    """An AKS stack on the Istio add-on's gateway whose certificate is proven over HTTP-01."""
    data = aks_stack(certificates={"edge": {"source": "certManager", "dnsNames": [HOST],
                                             "issuer": "letsencrypt"}},
                      certManager=copy.deepcopy(HTTP01["certManager"]))
    data["azure"]["istioAddon"] = {"revision": "asm-1-26"}
    return data
JWT = [{"issuer": "https://login.example.com/", "audiences": ["api"],
        "jwksUri": "https://login.example.com/jwks.json"}]
_OTHER_ISSUERS = {
    "letsencrypt": HTTP01["certManager"]["issuers"]["letsencrypt"],
    "inside": {"type": "acme", "server": "https://acme.internal.example.com/directory",
               "email": "ops@example.com", "solver": {"kind": "http01"}},
    "dns": {"type": "acme", "server": "letsencrypt-production", "email": "ops@example.com",
            "solver": {"kind": "route53", "region": "eu-west-1",
                       "hostedZoneId": "Z0123456789ABCDEFGHIJ"}},
}

CASES: dict[str, dict[str, Any]] = {
    "redirecting-port-80": HTTP01,
    "plain-port-80-routes": _routes(
        {"name": "api", "match": [{"uri": {"prefix": "/api/"}}], "to": APP_TO},
        {"name": "post", "match": [{"uri": {"prefix": "/"}, "method": {"exact": "POST"}}],
         "to": APP_TO},
        {"name": "hdr", "match": [{"uri": {"prefix": "/"}, "headers": {"x-a": {"exact": "1"}}}],
         "to": APP_TO},
        {"name": "qp", "match": [{"uri": {"prefix": "/"},
                                  "queryParams": {"q": {"exact": "1"}}}], "to": APP_TO},
        {"name": "caseless", "match": [{"uri": {"prefix": "/.WELL-KNOWN/"},
                                        "ignoreUriCase": True}], "to": APP_TO},
        {"name": "web", "to": APP_TO}),
    "plain-port-80-get-catch-all": _routes(
        {"name": "get", "match": [{"method": {"exact": "GET"}}], "to": APP_TO}),
    "plain-port-80-case-sensitive-upper": _routes(
        {"name": "up", "match": [{"uri": {"prefix": "/.WELL-KNOWN/"}}], "to": APP_TO},
        {"name": "web", "match": [{"uri": {"prefix": "/web"}}], "to": APP_TO}),
    "plain-port-80-challenge-paths": _routes(
        _match("exact-prefix-only", {"uri": {"exact": CHALLENGE_PREFIX}}),
        _match("exact-elsewhere", {"uri": {"exact": "/.well-known/other"}}),
        _match("exact-with-a-slash", {"uri": {"exact": CHALLENGE_PREFIX + "a/b"}}),
        _match("prefix-upper", {"uri": {"prefix": "/.WELL"}}),
        _match("prefix-beside", {"uri": {"prefix": CHALLENGE_PREFIX + "a/"}}),
        _match("regex-elsewhere", {"uri": {"regex": "/api/.*"}}),
        _match("prefix-caseless", {"uri": {"prefix": "/API"}, "ignoreUriCase": True}),
        _match("exact-upper", {"uri": {"exact": CHALLENGE_PREFIX.upper() + "ABC"},
                               "ignoreUriCase": True}),
        {"name": "web", "match": [{"uri": {"prefix": "/web"}}], "to": APP_TO}),
    "plain-port-80-prefix-under-the-challenge": _routes(
        _match("prefix-under", {"uri": {"prefix": CHALLENGE_PREFIX + "t"}}),
        {"name": "web", "match": [{"uri": {"prefix": "/web"}}], "to": APP_TO}),
    "plain-port-80-empty-prefix": _routes(
        _match("empty", {"uri": {"prefix": ""}}),
        {"name": "web", "match": [{"uri": {"prefix": "/web"}}], "to": APP_TO}),
    "plain-port-80-empty-prefix-caseless": _routes(
        _match("empty", {"uri": {"prefix": ""}, "ignoreUriCase": True}),
        {"name": "web", "match": [{"uri": {"prefix": "/web"}}], "to": APP_TO}),
    "plain-port-80-regex-route-of-lower-case-tokens": _routes(
        _match("regex", {"uri": {"regex": "/[.]well-known/acme-challenge/[a-z]+"}}),
        {"name": "web", "match": [{"uri": {"prefix": "/web"}}], "to": APP_TO}),
    "plain-port-80-regex-route": _routes(
        _match("regex", {"uri": {"regex": "/[.]well-known/.*"}}),
        {"name": "web", "match": [{"uri": {"prefix": "/web"}}], "to": APP_TO}),
    "plain-port-80-two-hosts": _two_plain_hosts(),
    "gateway-without-the-ingress-label": _with(gateway={"labels": {"istio": "edge"}}),
    "selector-says-the-gateways-label": _with(certManager={"issuers": {"letsencrypt": {
        **HTTP01["certManager"]["issuers"]["letsencrypt"],
        "solver": {"kind": "http01", "ingressSelector": "edge"}}}},
        gateway={"labels": {"istio": "edge"}}),
    "gateway-api-needs-no-label": _with(api="gatewayApi", gateway={"labels": {"istio": "edge"}}),
    "internal-load-balancer": _with(loadBalancer={"scheme": "internal"}),
    "network-policy-restricts-clients": _with(gateway={"networkPolicy": {
        "ingressFrom": ["10.0.0.0/8"]}}),
    "network-policy-admits-everyone": _with(gateway={"networkPolicy": {
        "ingressFrom": ["10.0.0.0/8", "::/0"]}}),
    "network-policy-admits-every-ipv4-client": _with(gateway={"networkPolicy": {
        "ingressFrom": ["0.0.0.0/0", "10.0.0.0/8"]}}),
    "network-policy-off": _with(gateway={"networkPolicy": {
        "enabled": False, "ingressFrom": ["10.0.0.0/8"]}}),
    "source-ranges": _with(gateway={"service": {
        "loadBalancerSourceRanges": ["10.0.0.0/8"]}}),
    "source-ranges-everyone": _with(gateway={"service": {
        "loadBalancerSourceRanges": ["0.0.0.0/0"]}}),
    "source-ranges-every-ipv6-client": _with(gateway={"service": {
        "loadBalancerSourceRanges": ["10.0.0.0/8", "::/0"]}}),
    "allow-rules-shut-the-challenge": _authz(
        {"name": "api", "action": "ALLOW", "paths": ["/api/*"]},
        {"name": "office", "action": "ALLOW", "clientCidrs": ["198.51.100.0/24"]},
        {"name": "post", "action": "ALLOW", "methods": ["POST"]},
        {"name": "token", "action": "ALLOW", "jwtRequired": True},
        {"name": "other", "action": "ALLOW", "hosts": ["other.example.com"]},
        {"name": "rest", "action": "ALLOW", "notClientCidrs": ["203.0.113.0/24"]}),
    "allow-rule-admits-the-challenge": _authz(
        {"name": "acme", "action": "ALLOW", "hosts": [APP],
         "paths": [CHALLENGE_PREFIX + "*"], "methods": ["GET"]}),
    "deny-rules-on-the-challenge": _authz(
        {"name": "office", "action": "DENY", "notClientCidrs": ["198.51.100.0/24"]},
        {"name": "block", "action": "DENY", "clientCidrs": ["203.0.113.0/24"],
         "methods": ["GET"]},
        {"name": "token", "action": "DENY", "jwtRequired": True, "paths": ["/.well-known/*"]},
        {"name": "api", "action": "DENY", "jwtRequired": True, "paths": ["/api/*"]},
        {"name": "post", "action": "DENY", "jwtRequired": True, "methods": ["POST"]},
        {"name": "other", "action": "DENY", "jwtRequired": True,
         "hosts": ["other.example.com"]},
        {"name": "everyone", "action": "DENY", "paths": ["/admin"]},
        {"name": "app-only", "action": "DENY", "hosts": [APP], "clientCidrs": ["203.0.113.0/24"]},
        {"name": "some-tokens", "action": "DENY", "notClientCidrs": ["198.51.100.0/24"],
         "paths": [CHALLENGE_PREFIX + "t*"]},
        {"name": "other-tokens", "action": "DENY", "notClientCidrs": ["198.51.100.0/24"],
         "paths": [CHALLENGE_PREFIX + "x*"]},
        {"name": "suffix", "action": "DENY", "jwtRequired": True, "paths": ["*.php"]},
        {"name": "any-token", "action": "DENY", "jwtRequired": True, "paths": ["*abc"]},
        {"name": "end-of-prefix", "action": "DENY", "jwtRequired": True,
         "paths": ["*challenge/x"]},
        {"name": "all", "action": "DENY", "jwtRequired": True, "paths": ["*"]},
        {"name": "beside", "action": "DENY", "jwtRequired": True,
         "paths": ["/.well-known/other/*", "/.well-known/acme-challengeX", "/.well-knownX*"]},
        {"name": "above", "action": "DENY", "jwtRequired": True, "paths": ["/.well-*"]}),
    "allow-rule-for-some-tokens": _authz(
        {"name": "acme", "action": "ALLOW", "paths": [CHALLENGE_PREFIX + "t*"]},
        {"name": "web", "action": "ALLOW", "paths": ["/*"], "methods": ["POST"]}),
    "allow-rule-for-the-challenge-prefix": _authz(
        {"name": "acme", "action": "ALLOW", "paths": ["/.well-known/*"], "methods": ["GET"]},
        {"name": "web", "action": "ALLOW", "paths": ["/*"], "methods": ["POST"]}),
    "addon-gateway": _addon_http01(),
    "chained-terminates-before-the-gateway": aks_stack(
        "chained", certificates={"edge": {"source": "certManager", "dnsNames": [HOST],
                                          "issuer": "letsencrypt"}},
        certManager=copy.deepcopy(HTTP01["certManager"]), gateway={"labels": {"istio": "edge"}}),
    "issuers-of-other-kinds": _with(
        certificates={"app-tls": {**HTTP01["certificates"]["app-tls"], "issuer": "inside"},
                      "dns-tls": {"source": "certManager", "dnsNames": ["dns.example.com"],
                                  "issuer": "dns"}},
        certManager={"issuers": _OTHER_ISSUERS}, loadBalancer={"scheme": "internal"}),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'redirecting-port-80': [],
 'plain-port-80-routes': [('routing.hosts[app.example.com].routes[caseless]',
                           'caseless',
                           "can take Let's Encrypt's GET /.well-known/acme-challenge/<token> "
                           "for ['app.example.com'] on port 80, where Istio merges it with "
                           "the HTTP-01 solver's routes in no promised order, so the "
                           'challenge may reach the backend; let the port-80 listener '
                           'redirect to HTTPS (listeners[http].httpsRedirect: true: '
                           'ingresslib then leaves the challenge path to the solver), or use '
                           "api: gatewayApi (the solver's exact path outranks this route) "
                           '(ING-IX-ACME-REDIRECT)')],
 'plain-port-80-get-catch-all': [('routing.hosts[app.example.com].routes[get]',
                                  'get',
                                  "can take Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> for '
                                  "['app.example.com'] on port 80, where Istio merges it with "
                                  "the HTTP-01 solver's routes in no promised order, so the "
                                  'challenge may reach the backend; let the port-80 listener '
                                  'redirect to HTTPS (listeners[http].httpsRedirect: true: '
                                  'ingresslib then leaves the challenge path to the solver), '
                                  "or use api: gatewayApi (the solver's exact path outranks "
                                  'this route) (ING-IX-ACME-REDIRECT)')],
 'plain-port-80-case-sensitive-upper': [],
 'plain-port-80-challenge-paths': [('routing.hosts[app.example.com].routes[exact-upper]',
                                    'exact-upper',
                                    "can take Let's Encrypt's GET "
                                    '/.well-known/acme-challenge/<token> for '
                                    "['app.example.com'] on port 80, where Istio merges it "
                                    "with the HTTP-01 solver's routes in no promised order, "
                                    'so the challenge may reach the backend; let the port-80 '
                                    'listener redirect to HTTPS '
                                    '(listeners[http].httpsRedirect: true: ingresslib then '
                                    'leaves the challenge path to the solver), or use api: '
                                    "gatewayApi (the solver's exact path outranks this route) "
                                    '(ING-IX-ACME-REDIRECT)')],
 'plain-port-80-prefix-under-the-challenge': [('routing.hosts[app.example.com].routes[prefix-under]',  # noqa: E501
                                               'prefix-under',
                                               "can take Let's Encrypt's GET "
                                               '/.well-known/acme-challenge/<token> for '
                                               "['app.example.com'] on port 80, where Istio "
                                               "merges it with the HTTP-01 solver's routes in "
                                               'no promised order, so the challenge may reach '
                                               'the backend; let the port-80 listener '
                                               'redirect to HTTPS '
                                               '(listeners[http].httpsRedirect: true: '
                                               'ingresslib then leaves the challenge path to '
                                               'the solver), or use api: gatewayApi (the '
                                               "solver's exact path outranks this route) "
                                               '(ING-IX-ACME-REDIRECT)')],
 'plain-port-80-empty-prefix': [('routing.hosts[app.example.com].routes[empty]',
                                 'empty',
                                 "can take Let's Encrypt's GET "
                                 "/.well-known/acme-challenge/<token> for ['app.example.com'] "
                                 "on port 80, where Istio merges it with the HTTP-01 solver's "
                                 'routes in no promised order, so the challenge may reach the '
                                 'backend; let the port-80 listener redirect to HTTPS '
                                 '(listeners[http].httpsRedirect: true: ingresslib then '
                                 'leaves the challenge path to the solver), or use api: '
                                 "gatewayApi (the solver's exact path outranks this route) "
                                 '(ING-IX-ACME-REDIRECT)')],
 'plain-port-80-empty-prefix-caseless': [('routing.hosts[app.example.com].routes[empty]',
                                          'empty',
                                          "can take Let's Encrypt's GET "
                                          '/.well-known/acme-challenge/<token> for '
                                          "['app.example.com'] on port 80, where Istio merges "
                                          "it with the HTTP-01 solver's routes in no promised "
                                          'order, so the challenge may reach the backend; let '
                                          'the port-80 listener redirect to HTTPS '
                                          '(listeners[http].httpsRedirect: true: ingresslib '
                                          'then leaves the challenge path to the solver), or '
                                          "use api: gatewayApi (the solver's exact path "
                                          'outranks this route) (ING-IX-ACME-REDIRECT)')],
 'plain-port-80-regex-route-of-lower-case-tokens': [('routing.hosts[app.example.com].routes[regex]',
                                                     'regex',
                                                     "can take Let's Encrypt's GET "
                                                     '/.well-known/acme-challenge/<token> for '
                                                     "['app.example.com'] on port 80, where "
                                                     'Istio merges it with the HTTP-01 '
                                                     "solver's routes in no promised order, "
                                                     'so the challenge may reach the backend; '
                                                     'let the port-80 listener redirect to '
                                                     'HTTPS (listeners[http].httpsRedirect: '
                                                     'true: ingresslib then leaves the '
                                                     'challenge path to the solver), or use '
                                                     "api: gatewayApi (the solver's exact "
                                                     'path outranks this route) '
                                                     '(ING-IX-ACME-REDIRECT)')],
 'plain-port-80-regex-route': [('routing.hosts[app.example.com].routes[regex]',
                                'regex',
                                "can take Let's Encrypt's GET "
                                "/.well-known/acme-challenge/<token> for ['app.example.com'] "
                                "on port 80, where Istio merges it with the HTTP-01 solver's "
                                'routes in no promised order, so the challenge may reach the '
                                'backend; let the port-80 listener redirect to HTTPS '
                                '(listeners[http].httpsRedirect: true: ingresslib then leaves '
                                'the challenge path to the solver), or use api: gatewayApi '
                                "(the solver's exact path outranks this route) "
                                '(ING-IX-ACME-REDIRECT)')],
 'plain-port-80-two-hosts': [('routing.hosts[*.example.com].routes[web]',
                              'web',
                              "can take Let's Encrypt's GET "
                              "/.well-known/acme-challenge/<token> for ['app.example.com', "
                              "'www.example.com'] on port 80, where Istio merges it with the "
                              "HTTP-01 solver's routes in no promised order, so the challenge "
                              'may reach the backend; let the port-80 listener redirect to '
                              'HTTPS (listeners[http].httpsRedirect: true or '
                              'listeners[wild].httpsRedirect: true: ingresslib then leaves '
                              'the challenge path to the solver), or use api: gatewayApi (the '
                              "solver's exact path outranks this route) "
                              '(ING-IX-ACME-REDIRECT)'),
                             ('routing.hosts[app.example.com].routes[web]',
                              'web',
                              "can take Let's Encrypt's GET "
                              "/.well-known/acme-challenge/<token> for ['app.example.com'] on "
                              "port 80, where Istio merges it with the HTTP-01 solver's "
                              'routes in no promised order, so the challenge may reach the '
                              'backend; let the port-80 listener redirect to HTTPS '
                              '(listeners[http].httpsRedirect: true or '
                              'listeners[wild].httpsRedirect: true: ingresslib then leaves '
                              'the challenge path to the solver), or use api: gatewayApi (the '
                              "solver's exact path outranks this route) "
                              '(ING-IX-ACME-REDIRECT)')],
 'gateway-without-the-ingress-label': [('certManager.issuers.letsencrypt.solver.ingressSelector',
                                        'ingressgateway',
                                        "Istio serves the HTTP-01 solver's Ingress on gateway "
                                        'pods labelled istio: ingressgateway only '
                                        "(meshConfig.ingressSelector), and the stack's "
                                        'gateway is labelled istio: edge: the challenge '
                                        'reaches no route; set gateway.labels.istio: '
                                        'ingressgateway, or set meshConfig.ingressSelector: '
                                        'edge in the mesh and state it here, or use api: '
                                        'gatewayApi (the solver attaches an HTTPRoute to the '
                                        "stack's Gateway) (ING-IX-ACME-INGRESS)")],
 'selector-says-the-gateways-label': [],
 'gateway-api-needs-no-label': [],
 'internal-load-balancer': [('loadBalancer.scheme',
                             'internal',
                             "certificates for ['app.example.com'] are proven over HTTP-01, "
                             "which Let's Encrypt sends from the internet to port 80, and an "
                             'internal load balancer is not reachable from there; use a '
                             'DNS-01 solver (route53, azureDns) (ING-IX-ACME-REACH)')],
 'network-policy-restricts-clients': [('gateway.networkPolicy.ingressFrom',
                                       ['10.0.0.0/8'],
                                       "admits only these clients, and the load balancer's "
                                       'own connections (its health checks on ports 15021) '
                                       'come from its subnets, which would be refused: every '
                                       'target unhealthy. Give each of aws.nlb.subnets its '
                                       'cidr so they are admitted, or remove ingressFrom '
                                       '(EDGE-HC-NETPOL)'),
                                      ('gateway.networkPolicy.ingressFrom',
                                       ['10.0.0.0/8'],
                                       "admits only these clients, and Let's Encrypt "
                                       "validates ['app.example.com'] over HTTP-01 from "
                                       'addresses it does not publish: the challenge is '
                                       'dropped; use a DNS-01 solver, or admit 0.0.0.0/0 and '
                                       'restrict clients with authorization rules '
                                       '(ING-IX-ACME-REACH)')],
 'network-policy-admits-everyone': [('gateway.networkPolicy.ingressFrom',
                                     ['10.0.0.0/8', '::/0'],
                                     "admits only these clients, and the load balancer's own "
                                     'connections (its health checks on ports 15021) come '
                                     'from its subnets, which would be refused: every target '
                                     'unhealthy. Give each of aws.nlb.subnets its cidr so '
                                     'they are admitted, or remove ingressFrom '
                                     '(EDGE-HC-NETPOL)')],
 'network-policy-admits-every-ipv4-client': [('gateway.networkPolicy.ingressFrom',
                                              ['0.0.0.0/0', '10.0.0.0/8'],
                                              'admits only these clients, and the load '
                                              "balancer's own connections (its health checks "
                                              'on ports 15021) come from its subnets, which '
                                              'would be refused: every target unhealthy. Give '
                                              'each of aws.nlb.subnets its cidr so they are '
                                              'admitted, or remove ingressFrom '
                                              '(EDGE-HC-NETPOL)')],
 'network-policy-off': [],
 'source-ranges': [('gateway.service.loadBalancerSourceRanges',
                    ['10.0.0.0/8'],
                    "let only these clients through the load balancer, and Let's Encrypt "
                    "validates ['app.example.com'] over HTTP-01 from addresses it does not "
                    'publish: the challenge never arrives; use a DNS-01 solver, or admit '
                    '0.0.0.0/0 and restrict clients with authorization rules '
                    '(ING-IX-ACME-REACH)')],
 'source-ranges-everyone': [],
 'source-ranges-every-ipv6-client': [],
 'allow-rules-shut-the-challenge': [('security.authorization',
                                     ['api', 'office', 'post', 'token', 'other', 'rest'],
                                     "no ALLOW rule admits Let's Encrypt's GET "
                                     '/.well-known/acme-challenge/<token> on app.example.com '
                                     'from any client, so Istio refuses the HTTP-01 challenge '
                                     '(403); add {name: acme-http01, action: ALLOW, hosts: '
                                     '[app.example.com], paths: '
                                     "['/.well-known/acme-challenge/*'], methods: [GET]} "
                                     '(ING-IX-ACME-REACH)')],
 'allow-rule-admits-the-challenge': [('routing.hosts[app.example.com].routes[web]',
                                      'web',
                                      "serves ['/'] on app.example.com, which no ALLOW rule "
                                      '(acme) matches: Istio refuses every request to it '
                                      "(403); add its path to an ALLOW rule's paths, or "
                                      'restrict with DENY rules instead '
                                      '(ING-IX-ALLOW-SCOPE)')],
 'deny-rules-on-the-challenge': [('security.authorization[office]',
                                  'office',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[block]',
                                  'block',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[token]',
                                  'token',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[app-only]',
                                  'app-only',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[some-tokens]',
                                  'some-tokens',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[other-tokens]',
                                  'other-tokens',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[any-token]',
                                  'any-token',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[end-of-prefix]',
                                  'end-of-prefix',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[all]',
                                  'all',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)'),
                                 ('security.authorization[above]',
                                  'above',
                                  "can refuse Let's Encrypt's GET "
                                  '/.well-known/acme-challenge/<token> on app.example.com (it '
                                  'validates from addresses it does not publish), so the '
                                  "HTTP-01 challenge fails; scope the rule's paths away from "
                                  '/.well-known/acme-challenge/, or use a DNS-01 solver '
                                  '(ING-IX-ACME-REACH)')],
 'allow-rule-for-some-tokens': [('security.authorization',
                                 ['acme', 'web'],
                                 "no ALLOW rule admits Let's Encrypt's GET "
                                 '/.well-known/acme-challenge/<token> on app.example.com from '
                                 'any client, so Istio refuses the HTTP-01 challenge (403); '
                                 'add {name: acme-http01, action: ALLOW, hosts: '
                                 '[app.example.com], paths: '
                                 "['/.well-known/acme-challenge/*'], methods: [GET]} "
                                 '(ING-IX-ACME-REACH)')],
 'allow-rule-for-the-challenge-prefix': [],
 'addon-gateway': [('certManager.issuers.letsencrypt.solver.ingressSelector',
                    'ingressgateway',
                    "Istio serves the HTTP-01 solver's Ingress on the gateway its "
                    "meshConfig.ingressSelector names, and the AKS Istio add-on's gateways "
                    '(istio: aks-istio-ingressgateway-external) do not serve Ingress '
                    '(Azure/AKS#4075): the challenge reaches no route; use api: gatewayApi, '
                    "whose solver attaches an HTTPRoute to the stack's Gateway, or a DNS-01 "
                    'solver (azureDns) (ING-IX-ACME-INGRESS)')],
 'chained-terminates-before-the-gateway': [('listeners',
                                            ['http', 'https'],
                                            'in topology chained Application Gateway '
                                            'terminates TLS: add an HTTPS listener whose '
                                            'certificate has source keyVault'),
                                           ('listeners[https].tls.certificate',
                                            'certManager',
                                            'in topology chained Application Gateway '
                                            'terminates TLS and reads certificates from '
                                            'keyVault, not from the cluster; use a keyVault '
                                            'source')],
 'issuers-of-other-kinds': []}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_names_its_path_and_fix(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]


def test_the_names_an_http01_issuer_proves() -> None:
    data = _with(certificates={
        "own": {"source": "secret", "secretName": "own", "dnsNames": ["own.example.com"]},
        "dns": {"source": "certManager", "dnsNames": ["dns.example.com"], "issuer": "dns"},
        "inside": {"source": "certManager", "dnsNames": ["inside.example.com"],
                   "issuer": "inside"},
        "app-tls": {**HTTP01["certificates"]["app-tls"], "dnsNames": [APP, "www.example.com"]},
        "again": {**HTTP01["certificates"]["app-tls"], "dnsNames": ["www.example.com", APP]}},
        certManager={"issuers": _OTHER_ISSUERS},
        listeners=[{**HTTP01["listeners"][0], "hosts": [APP, "www.example.com",
                                                        "inside.example.com"]},
                   {**HTTP01["listeners"][1], "hosts": [APP, "www.example.com"]}])
    data["listeners"][0]["httpsRedirect"] = False
    data["routing"]["hosts"][0]["routes"][0]["match"] = [{"uri": {"prefix": "/web"}}]
    cfg = parse_config(data)
    assert http01_hosts(cfg) == ["inside.example.com", APP, "www.example.com"]
    assert http01_hosts(cfg, public=True) == [APP, "www.example.com"]


def test_the_listeners_that_leave_the_challenge_path_alone() -> None:
    cfg = parse_config(_with(listeners=[
        {**HTTP01["listeners"][0], "hosts": [APP]},
        {"name": "other", "port": 80, "protocol": "HTTP", "hosts": ["other.example.com"]},
        {"name": "plain", "port": 80, "protocol": "HTTP", "hosts": ["plain.example.com"],
         "httpsRedirect": False},
        {"name": "unproven", "port": 80, "protocol": "HTTP", "hosts": ["unproven.example.com"]},
        {**HTTP01["listeners"][1], "hosts": [APP, "other.example.com"]},
        {"name": "unproven-tls", "port": 443, "protocol": "HTTPS",
         "hosts": ["unproven.example.com"], "tls": {"certificate": "unproven"}}],
        certificates={"app-tls": {**HTTP01["certificates"]["app-tls"],
                                  "dnsNames": [APP, "other.example.com", "plain.example.com"]},
                      "unproven": {"source": "secret", "secretName": "unproven",
                                   "dnsNames": ["unproven.example.com"]}},
        routing={**HTTP01["routing"], "hosts": [
            {"host": h, "routes": [{"name": "web", "match": [{"uri": {"prefix": "/web"}}],
                                    "to": APP_TO}]}
            for h in (APP, "other.example.com", "plain.example.com")]}))
    assert acme_listeners(cfg) == ["http", "other"]
    assert acme_listeners(parse_config(nlb_stack())) == []


@pytest.mark.parametrize("prefix", ["/ab", CHALLENGE_PREFIX, "/a.b"])
def test_the_regex_matches_every_path_but_the_prefixs(prefix: str) -> None:
    regex = re.compile(not_prefix_regex(prefix))
    inside = [prefix, prefix + "x", prefix + "/deeper"]
    outside = ["", "/", prefix[:-1], prefix[:-1] + "x", "x" + prefix, "/z", "/a",
               prefix.upper() if prefix.upper() != prefix else "/Q"]
    assert [p for p in inside if regex.fullmatch(p)] == []
    assert [p for p in outside if not regex.fullmatch(p)] == []


def test_the_regex_of_a_short_prefix() -> None:
    assert not_prefix_regex("/X") == "^(?:[^/].*|/(?:[^X].*)?)?$"
    assert not_prefix_regex("/a") == "^(?:[^/].*|/(?:[^a].*)?)?$"
    assert not_prefix_regex("/.") == "^(?:[^/].*|/(?:[^\\.].*)?)?$"
    assert TOKEN.startswith(CHALLENGE_PREFIX)
