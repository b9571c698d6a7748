"""ingresslib.config.authz_interactions: authorization at the gateway read as routing reads the
same request, each refusal with its path, value and fix and the neighbour accepted: ALLOW rules
that close what they do not name (ING-IX-ALLOW-SCOPE), policy paths with other semantics than
the routes' (ING-IX-AUTHZ-PATH), rules a browser's preflight cannot pass
(ING-IX-CORS-PREFLIGHT)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib.config.authz_interactions import host_in, path_in
from tests.configs import HOST, HTTP, HTTPS_ACM, routed_nlb_stack
from tests.shared import refusals

JWT = [{"issuer": "https://login.example.com/", "audiences": ["api"],
        "jwksUri": "https://login.example.com/jwks.json"}]
ORIGIN = {"allowOrigins": [{"exact": "https://app.example.com"}]}
WEB = [{"backend": "web"}]


def _secured(*rules: dict[str, Any], routes: list[dict[str, Any]] | None = None,
             **changes: Any) -> dict[str, Any]:
    data = routed_nlb_stack(*(routes or []))
    data["security"] = {"jwt": JWT, "authorization": list(rules)}
    data.update(copy.deepcopy(changes))
    return data


_CORS_ROUTES = [
    {"name": "orders", "match": [{"uri": {"prefix": "/orders"}}], "to": WEB,
     "cors": ORIGIN},
    {"name": "web", "to": WEB}]


def _cors(*rules: dict[str, Any]) -> dict[str, Any]:
    if not any(r["action"] == "ALLOW" for r in rules):
        rules = (*rules, {"name": "all", "action": "ALLOW", "clientCidrs": ["0.0.0.0/0"]})
    return _secured(*rules, routes=_CORS_ROUTES)


_TLS = {"name": "db", "port": 443, "protocol": "TLS", "hosts": ["db.example.com"],
        "tls": {"mode": "PASSTHROUGH"}}
_SECRET = {"edge": {"source": "secret", "secretName": "edge", "dnsNames": [HOST]}}
_TLS_ROUTING_HOST = {"host": "db.example.com", "tlsRoutes": [
    {"name": "db", "sniHosts": ["db.example.com"], "to": WEB}]}

def _cors_route(match: dict[str, Any], *rules: dict[str, Any]) -> dict[str, Any]:
    """A cors route with `match` after a route without cors, guarded by `rules` (and an ALLOW
    rule that admits everyone, unless one is given)."""
    if not any(r["action"] == "ALLOW" for r in rules):
        rules = (*rules, {"name": "all", "action": "ALLOW", "clientCidrs": ["0.0.0.0/0"]})
    return _secured(*rules, routes=[
        {"name": "plain", "match": [{"uri": {"prefix": "/plain"}}], "to": WEB},
        {"name": "c", "match": [match], "to": WEB, "cors": ORIGIN},
        {"name": "web", "to": WEB}])


def _jwt_deny(*paths: str, **more: Any) -> dict[str, Any]:
    return {"name": "token", "action": "DENY", "jwtRequired": True, "paths": list(paths),
            **more}


_OTHER = "other.example.com"
_TWO_HOSTS = [HTTP | {"hosts": [HOST, _OTHER]}, HTTPS_ACM | {"hosts": [HOST, _OTHER]}]
_TWO_CERT = {"edge": {"source": "acm", "dnsNames": [HOST, _OTHER],
                      "arn": routed_nlb_stack()["certificates"]["edge"]["arn"]}}


def _two_hosts(*rules: dict[str, Any], shop: list[dict[str, Any]],
               other: list[dict[str, Any]], other_first: bool = False) -> dict[str, Any]:
    hosts = [{"host": HOST, "routes": shop}, {"host": _OTHER, "routes": other}]
    data = _secured(*rules, listeners=_TWO_HOSTS, certificates=_TWO_CERT)
    data["routing"]["hosts"] = hosts[::-1] if other_first else hosts
    return data


def _prefix(name: str, prefix: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "match": [{"uri": {"prefix": prefix}, **more}], "to": WEB}


CASES: dict[str, dict[str, Any]] = {
    "preflight-match-without-a-uri": _cors_route({"method": {"exact": "POST"}},
                                                 _jwt_deny("/admin/*")),
    "preflight-path-beside-the-routes": _cors_route({"uri": {"prefix": "/ax"}},
                                                    _jwt_deny("/ab")),
    "preflight-wildcard-beside-the-routes": _cors_route({"uri": {"prefix": "/orx"}},
                                                        _jwt_deny("/ord*")),
    "preflight-path-under-the-route": _cors_route({"uri": {"prefix": "/orders"}},
                                                  _jwt_deny("/orders/list")),
    "preflight-path-beside-an-exact-route": _cors_route({"uri": {"exact": "/orders"}},
                                                        _jwt_deny("/zzz")),
    "preflight-regex-route-matching-the-path": _cors_route({"uri": {"regex": "/orders"}},
                                                           _jwt_deny("/orders")),
    "preflight-regex-route-under-the-wildcard": _cors_route({"uri": {"regex": "/a[x]"}},
                                                            _jwt_deny("/a*")),
    "preflight-regex-route-second-path": _cors_route({"uri": {"regex": "/orders.*"}},
                                                     _jwt_deny("/zzz", "/orders/*")),
    "preflight-regex-route-beside-the-path": _cors_route({"uri": {"regex": "/orders.*"}},
                                                         _jwt_deny("/zzz")),
    "preflight-regex-route-python-cannot-read": _cors_route({"uri": {"regex": "\\pL+"}},
                                                            _jwt_deny("/zzz")),
    "preflight-empty-prefix-route": _cors_route({"uri": {"prefix": ""}}, _jwt_deny("/zzz")),
    "preflight-deny-scoped-to-the-host": _cors_route({"uri": {"prefix": "/orders"}},
                                                     _jwt_deny(hosts=[HOST])),
    "preflight-allow-scoped-to-the-host": _cors_route(
        {"uri": {"prefix": "/orders"}},
        {"name": "token", "action": "ALLOW", "jwtRequired": True, "hosts": [HOST]}),
    "preflight-refused-by-deny-and-allow": _cors_route(
        {"uri": {"prefix": "/orders"}}, _jwt_deny(),
        {"name": "token-allow", "action": "ALLOW", "jwtRequired": True}),
    "allow-scoped-to-a-host-and-passthrough": _secured(
        {"name": "shop", "action": "ALLOW", "hosts": [HOST]},
        listeners=[HTTP, HTTPS_ACM, _TLS], certificates=_SECRET,
        routing={**routed_nlb_stack()["routing"],
                 "hosts": [*routed_nlb_stack()["routing"]["hosts"], _TLS_ROUTING_HOST]}),
    "allow-closes-the-first-host-and-shuts-a-route-of-the-second": _two_hosts(
        {"name": "shop", "action": "ALLOW", "hosts": [HOST], "paths": ["/api/*"]},
        shop=[_prefix("api", "/api/"), {"name": "web", "to": WEB}],
        other=[{"name": "web", "to": WEB}], other_first=True),
    "caseless-route-on-the-second-host": _two_hosts(
        {"name": "admin", "action": "DENY", "paths": ["/admin/*"], "hosts": [_OTHER]},
        shop=[{"name": "web", "to": WEB}],
        other=[_prefix("admin", "/Admin", ignoreUriCase=True), {"name": "web", "to": WEB}]),
    "deny-exact-paths-of-two-rules-and-hosts": _two_hosts(
        {"name": "slash", "action": "DENY", "paths": ["/"]},
        {"name": "api", "action": "DENY", "paths": ["/apiX/"]},
        {"name": "admin", "action": "DENY", "paths": ["/admin/", "/admin/*"]},
        {"name": "ax", "action": "DENY", "paths": ["/aX"], "hosts": [_OTHER]},
        {"name": "ax-all", "action": "DENY", "paths": ["/aX/", "/aX/*"], "hosts": [_OTHER]},
        {"name": "lit", "action": "DENY", "paths": ["/x*"]},
        shop=[_prefix("root", "/"), _prefix("api", "/apiX"), _prefix("admin", "/admin/"),
              _prefix("x", "/x*"), {"name": "web", "to": WEB}],
        other=[_prefix("ax", "/aX/"), {"name": "web", "to": WEB}]),
    "cors-jwt-deny": _cors({"name": "token", "action": "DENY", "jwtRequired": True}),
    "cors-jwt-deny-of-posts": _cors({"name": "token", "action": "DENY", "jwtRequired": True,
                                     "methods": ["POST"]}),
    "cors-deny-of-options": _cors({"name": "opt", "action": "DENY", "methods": ["OPTIONS"]}),
    "cors-jwt-deny-elsewhere": _cors(
        {"name": "admin", "action": "DENY", "jwtRequired": True, "paths": ["/admin/*"]},
        {"name": "other", "action": "DENY", "jwtRequired": True,
         "hosts": ["other.example.com"]}),
    "cors-jwt-deny-on-the-route": _cors(
        {"name": "orders", "action": "DENY", "jwtRequired": True, "paths": ["/orders/*"]},
        {"name": "star", "action": "DENY", "jwtRequired": True, "paths": ["*/new"]},
        {"name": "rx", "action": "DENY", "jwtRequired": True, "paths": ["/ord*"]}),
    "cors-allow-rules-need-a-token": _cors(
        {"name": "token", "action": "ALLOW", "jwtRequired": True},
        {"name": "posts", "action": "ALLOW", "methods": ["POST"], "hosts": [HOST]},
        {"name": "other", "action": "ALLOW", "hosts": ["other.example.com"]}),
    "cors-allow-rule-for-options": _cors(
        {"name": "token", "action": "ALLOW", "jwtRequired": True},
        {"name": "preflight", "action": "ALLOW", "methods": ["OPTIONS"], "hosts": [HOST]}),
    "cors-allow-rule-for-other-paths": _cors(
        {"name": "token", "action": "ALLOW", "jwtRequired": True},
        {"name": "preflight", "action": "ALLOW", "methods": ["OPTIONS"],
         "paths": ["/web/*"]}),
    "cors-allow-rule-for-the-routes-paths": _cors(
        {"name": "token", "action": "ALLOW", "jwtRequired": True},
        {"name": "preflight", "action": "ALLOW", "methods": ["OPTIONS"],
         "paths": ["/orders/*"]}),
    "cors-catch-all-route-and-a-preflight-rule-for-some-paths": _secured(
        {"name": "token", "action": "ALLOW", "jwtRequired": True},
        {"name": "preflight", "action": "ALLOW", "methods": ["OPTIONS"],
         "paths": ["/orders/*"]},
        routes=[{"name": "web", "to": WEB, "cors": ORIGIN}]),
    "cors-catch-all-route-and-a-preflight-rule-for-every-path": _secured(
        {"name": "token", "action": "ALLOW", "jwtRequired": True},
        {"name": "preflight", "action": "ALLOW", "methods": ["OPTIONS"], "paths": ["/*"]},
        routes=[{"name": "web", "to": WEB, "cors": ORIGIN}]),
    "allow-scoped-to-one-host": _secured(
        {"name": "shop", "action": "ALLOW", "hosts": [HOST]},
        {"name": "deny", "action": "DENY", "paths": ["/admin/*"]},
        listeners=[{**HTTP, "hosts": [HOST, "b.example.com", "a.example.com"]}, HTTPS_ACM]),
    "allow-rules-and-passthrough": _secured(
        {"name": "shop", "action": "ALLOW", "hosts": [HOST]},
        {"name": "get", "action": "ALLOW", "methods": ["GET"]},
        listeners=[HTTP, HTTPS_ACM, _TLS], certificates=_SECRET,
        routing={**routed_nlb_stack()["routing"],
                 "hosts": [*routed_nlb_stack()["routing"]["hosts"], _TLS_ROUTING_HOST]}),
    "allow-rules-with-a-client-rule-and-passthrough": _secured(
        {"name": "shop", "action": "ALLOW", "hosts": [HOST]},
        {"name": "office", "action": "ALLOW", "clientCidrs": ["198.51.100.0/24"]},
        listeners=[HTTP, HTTPS_ACM, _TLS], certificates=_SECRET,
        routing={**routed_nlb_stack()["routing"],
                 "hosts": [*routed_nlb_stack()["routing"]["hosts"], _TLS_ROUTING_HOST]}),
    "allow-paths-shut-routes": _secured(
        {"name": "api", "action": "ALLOW", "paths": ["/api/*", "/v1"]},
        routes=[{"name": "api", "match": [{"uri": {"prefix": "/api"}}], "to": WEB},
                {"name": "v1", "match": [{"uri": {"exact": "/v1"}}], "to": WEB},
                {"name": "case", "match": [{"uri": {"prefix": "/C"}, "ignoreUriCase": True}],
                 "to": WEB},
                {"name": "gets", "match": [{"method": {"exact": "GET"}}], "to": WEB},
                {"name": "two", "match": [{"uri": {"prefix": "/two"}},
                                          {"uri": {"prefix": "/api/two"}}], "to": WEB},
                {"name": "web", "to": WEB}]),
    "allow-star-opens-every-route": _secured(
        {"name": "all", "action": "ALLOW", "paths": ["*"]},
        routes=[{"name": "api", "match": [{"uri": {"prefix": "/api"}}], "to": WEB},
                {"name": "web", "to": WEB}]),
    "allow-scoped-to-another-host-only-routes": _secured(
        {"name": "other", "action": "ALLOW", "hosts": ["other.example.com"],
         "paths": ["/x/*"]},
        {"name": "shop", "action": "ALLOW", "hosts": ["*.example.com"], "paths": ["/api/*"]},
        routes=[{"name": "api", "match": [{"uri": {"prefix": "/api/"}}], "to": WEB},
                {"name": "x", "match": [{"uri": {"prefix": "/x/"}}], "to": WEB}]),
    "paths-against-caseless-routes": _secured(
        {"name": "admin", "action": "DENY", "paths": ["/admin/*"]},
        {"name": "api", "action": "ALLOW", "paths": ["/API/*", "/web/*"]},
        {"name": "other", "action": "DENY", "paths": ["/admin/*"],
         "hosts": ["other.example.com"]},
        {"name": "unrelated", "action": "DENY", "paths": ["/zzz/*"]},
        {"name": "all", "action": "DENY", "clientCidrs": ["203.0.113.0/24"]},
        routes=[{"name": "admin", "match": [{"uri": {"prefix": "/Admin"},
                                             "ignoreUriCase": True}], "to": WEB},
                {"name": "again", "match": [{"uri": {"prefix": "/ADMIN/x"},
                                             "ignoreUriCase": True}], "to": WEB},
                {"name": "api", "match": [{"uri": {"prefix": "/api/"},
                                           "ignoreUriCase": True}], "to": WEB},
                {"name": "rx", "match": [{"uri": {"regex": "/ZZZ.*"}}], "to": WEB},
                {"name": "web", "match": [{"uri": {"prefix": "/web/"}}], "to": WEB}]),
    "deny-exact-path-under-a-prefix-route": _secured(
        {"name": "pass", "action": "DENY", "paths": ["/admin/x"]},
        {"name": "admin", "action": "DENY", "paths": ["/admin", "/api/", "/"]},
        {"name": "covered", "action": "DENY", "paths": ["/api", "/api/*"]},
        {"name": "other", "action": "DENY", "paths": ["/admin"], "hosts": ["other.example.com"]},
        {"name": "allow", "action": "ALLOW", "paths": ["/admin", "/*"]},
        routes=[{"name": "exact", "match": [{"uri": {"exact": "/admin"}}], "to": WEB},
                {"name": "admin", "match": [{"uri": {"prefix": "/admin/"}}], "to": WEB},
                {"name": "api", "match": [{"uri": {"prefix": "/api"}}], "to": WEB},
                {"name": "web", "to": WEB}]),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'preflight-match-without-a-uri': [('routing.hosts[shop.example.com].routes[c].match[0]',  # noqa: E501
                                    "method {'exact': 'POST'}",
                                    "route c has cors, but a browser's preflight (OPTIONS, "
                                    'with Origin and Access-Control-Request-* only) cannot '
                                    "meet its method {'exact': 'POST'}: the preflight falls "
                                    'to another route or a 404 and the browser refuses the '
                                    'call; add a match with the same uri and method {exact: '
                                    'OPTIONS} (no header conditions) to this route, or drop '
                                    'these conditions (ING-IX-CORS-PREFLIGHT)'),
                                   ('routing.hosts[shop.example.com].routes[c].cors',
                                    'c',
                                    "a browser's preflight carries no token and Istio checks "
                                    "authorization before CORS, so ['token'] refuse it (403) "
                                    'and the browser refuses the call; give jwtRequired DENY '
                                    'rules the methods they guard without OPTIONS, or add an '
                                    'ALLOW rule with methods [OPTIONS] for this host '
                                    '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-path-beside-the-routes': [],
 'preflight-wildcard-beside-the-routes': [],
 'preflight-path-under-the-route': [('routing.hosts[shop.example.com].routes[c].cors',
                                     'c',
                                     "a browser's preflight carries no token and Istio checks "
                                     "authorization before CORS, so ['token'] refuse it (403) "
                                     'and the browser refuses the call; give jwtRequired DENY '
                                     'rules the methods they guard without OPTIONS, or add an '
                                     'ALLOW rule with methods [OPTIONS] for this host '
                                     '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-path-beside-an-exact-route': [],
 'preflight-regex-route-matching-the-path': [('routing.hosts[shop.example.com].routes[c].cors',
                                              'c',
                                              "a browser's preflight carries no token and "
                                              'Istio checks authorization before CORS, so '
                                              "['token', 'all'] refuse it (403) and the "
                                              'browser refuses the call; give jwtRequired '
                                              'DENY rules the methods they guard without '
                                              'OPTIONS, or add an ALLOW rule with methods '
                                              '[OPTIONS] for this host '
                                              '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-regex-route-under-the-wildcard': [('routing.hosts[shop.example.com].routes[c].cors',
                                               'c',
                                               "a browser's preflight carries no token and "
                                               'Istio checks authorization before CORS, so '
                                               "['token', 'all'] refuse it (403) and the "
                                               'browser refuses the call; give jwtRequired '
                                               'DENY rules the methods they guard without '
                                               'OPTIONS, or add an ALLOW rule with methods '
                                               '[OPTIONS] for this host '
                                               '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-regex-route-second-path': [('routing.hosts[shop.example.com].routes[c].cors',
                                        'c',
                                        "a browser's preflight carries no token and Istio "
                                        "checks authorization before CORS, so ['token', "
                                        "'all'] refuse it (403) and the browser refuses the "
                                        'call; give jwtRequired DENY rules the methods they '
                                        'guard without OPTIONS, or add an ALLOW rule with '
                                        'methods [OPTIONS] for this host '
                                        '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-regex-route-beside-the-path': [('routing.hosts[shop.example.com].routes[c].cors',
                                            'c',
                                            "a browser's preflight carries no token and Istio "
                                            "checks authorization before CORS, so ['all'] "
                                            'refuse it (403) and the browser refuses the '
                                            'call; give jwtRequired DENY rules the methods '
                                            'they guard without OPTIONS, or add an ALLOW rule '
                                            'with methods [OPTIONS] for this host '
                                            '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-regex-route-python-cannot-read': [('routing.hosts[shop.example.com].routes[c].cors',
                                               'c',
                                               "a browser's preflight carries no token and "
                                               'Istio checks authorization before CORS, so '
                                               "['token', 'all'] refuse it (403) and the "
                                               'browser refuses the call; give jwtRequired '
                                               'DENY rules the methods they guard without '
                                               'OPTIONS, or add an ALLOW rule with methods '
                                               '[OPTIONS] for this host '
                                               '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-empty-prefix-route': [('routing.hosts[shop.example.com].routes[c].cors',
                                   'c',
                                   "a browser's preflight carries no token and Istio checks "
                                   "authorization before CORS, so ['token', 'all'] refuse it "
                                   '(403) and the browser refuses the call; give jwtRequired '
                                   'DENY rules the methods they guard without OPTIONS, or add '
                                   'an ALLOW rule with methods [OPTIONS] for this host '
                                   '(ING-IX-CORS-PREFLIGHT)')],
 'preflight-deny-scoped-to-the-host': [('routing.hosts[shop.example.com].routes[c].cors',
                                        'c',
                                        "a browser's preflight carries no token and Istio "
                                        "checks authorization before CORS, so ['token'] "
                                        'refuse it (403) and the browser refuses the call; '
                                        'give jwtRequired DENY rules the methods they guard '
                                        'without OPTIONS, or add an ALLOW rule with methods '
                                        '[OPTIONS] for this host (ING-IX-CORS-PREFLIGHT)')],
 'preflight-allow-scoped-to-the-host': [('routing.hosts[shop.example.com].routes[c].cors',
                                         'c',
                                         "a browser's preflight carries no token and Istio "
                                         "checks authorization before CORS, so ['token'] "
                                         'refuse it (403) and the browser refuses the call; '
                                         'give jwtRequired DENY rules the methods they guard '
                                         'without OPTIONS, or add an ALLOW rule with methods '
                                         '[OPTIONS] for this host (ING-IX-CORS-PREFLIGHT)')],
 'preflight-refused-by-deny-and-allow': [('routing.hosts[shop.example.com].routes[c].cors',
                                          'c',
                                          "a browser's preflight carries no token and Istio "
                                          "checks authorization before CORS, so ['token', "
                                          "'token-allow'] refuse it (403) and the browser "
                                          'refuses the call; give jwtRequired DENY rules the '
                                          'methods they guard without OPTIONS, or add an '
                                          'ALLOW rule with methods [OPTIONS] for this host '
                                          '(ING-IX-CORS-PREFLIGHT)')],
 'allow-scoped-to-a-host-and-passthrough': [('security.authorization[shop]',
                                             'shop',
                                             'ALLOW rules with hosts, paths, methods or '
                                             'jwtRequired never match a TLS passthrough '
                                             'connection (Istio sees no HTTP there), so every '
                                             "connection to ['db.example.com'] is refused; "
                                             'add an ALLOW rule with clientCidrs only, or use '
                                             'DENY rules (ING-IX-ALLOW-SCOPE)')],
 'allow-closes-the-first-host-and-shuts-a-route-of-the-second': [('security.authorization[shop].hosts',  # noqa: E501
                                                                  ['shop.example.com'],
                                                                  'ALLOW rules (shop) make '
                                                                  'Istio deny every request '
                                                                  'no ALLOW rule matches, so '
                                                                  'every request to '
                                                                  "['other.example.com'], "
                                                                  'which the listeners serve, '
                                                                  'is refused (403): to '
                                                                  'restrict a host to some '
                                                                  'clients, write action DENY '
                                                                  'with notClientCidrs (or '
                                                                  'other conditions) on that '
                                                                  'host instead; or add an '
                                                                  'ALLOW rule for these hosts '
                                                                  '(ING-IX-ALLOW-SCOPE)'),
                                                                 ('routing.hosts[shop.example.com].routes[web]',
                                                                  'web',
                                                                  "serves ['/'] on "
                                                                  'shop.example.com, which no '
                                                                  'ALLOW rule (shop) matches: '
                                                                  'Istio refuses every '
                                                                  'request to it (403); add '
                                                                  'its path to an ALLOW '
                                                                  "rule's paths, or restrict "
                                                                  'with DENY rules instead '
                                                                  '(ING-IX-ALLOW-SCOPE)')],
 'caseless-route-on-the-second-host': [('security.authorization[admin].paths',
                                        ['/admin/*'],
                                        "match case-sensitively, while routes ['admin'] of "
                                        'other.example.com set ignoreUriCase: a request for '
                                        'the same path in other case is routed but not denied '
                                        'by admin; remove ignoreUriCase from those routes '
                                        '(ING-IX-AUTHZ-PATH)')],
 'deny-exact-paths-of-two-rules-and-hosts': [('security.authorization[api].paths',
                                              ['/apiX/'],
                                              '/apiX/ matches that exact path only, while '
                                              'route api of shop.example.com serves every '
                                              'path under it: /apiX/x passes this DENY rule; '
                                              'write /apiX/* (rendered as /apiX and /apiX/*) '
                                              '(ING-IX-AUTHZ-PATH)'),
                                             ('security.authorization[ax].paths',
                                              ['/aX'],
                                              '/aX matches that exact path only, while route '
                                              'ax of other.example.com serves every path '
                                              'under it: /aX/x passes this DENY rule; write '
                                              '/aX/* (rendered as /aX and /aX/*) '
                                              '(ING-IX-AUTHZ-PATH)')],
 'cors-jwt-deny': [('routing.hosts[shop.example.com].routes[orders].cors',
                    'orders',
                    "a browser's preflight carries no token and Istio checks authorization "
                    "before CORS, so ['token'] refuse it (403) and the browser refuses the "
                    'call; give jwtRequired DENY rules the methods they guard without '
                    'OPTIONS, or add an ALLOW rule with methods [OPTIONS] for this host '
                    '(ING-IX-CORS-PREFLIGHT)')],
 'cors-jwt-deny-of-posts': [],
 'cors-deny-of-options': [('routing.hosts[shop.example.com].routes[orders].cors',
                           'orders',
                           "a browser's preflight carries no token and Istio checks "
                           "authorization before CORS, so ['opt'] refuse it (403) and the "
                           'browser refuses the call; give jwtRequired DENY rules the methods '
                           'they guard without OPTIONS, or add an ALLOW rule with methods '
                           '[OPTIONS] for this host (ING-IX-CORS-PREFLIGHT)')],
 'cors-jwt-deny-elsewhere': [],
 'cors-jwt-deny-on-the-route': [('routing.hosts[shop.example.com].routes[orders].cors',
                                 'orders',
                                 "a browser's preflight carries no token and Istio checks "
                                 "authorization before CORS, so ['orders', 'star', 'rx'] "
                                 'refuse it (403) and the browser refuses the call; give '
                                 'jwtRequired DENY rules the methods they guard without '
                                 'OPTIONS, or add an ALLOW rule with methods [OPTIONS] for '
                                 'this host (ING-IX-CORS-PREFLIGHT)')],
 'cors-allow-rules-need-a-token': [('routing.hosts[shop.example.com].routes[orders].cors',
                                    'orders',
                                    "a browser's preflight carries no token and Istio checks "
                                    "authorization before CORS, so ['token', 'posts'] refuse "
                                    'it (403) and the browser refuses the call; give '
                                    'jwtRequired DENY rules the methods they guard without '
                                    'OPTIONS, or add an ALLOW rule with methods [OPTIONS] for '
                                    'this host (ING-IX-CORS-PREFLIGHT)')],
 'cors-allow-rule-for-options': [],
 'cors-allow-rule-for-other-paths': [('routing.hosts[shop.example.com].routes[orders].cors',
                                      'orders',
                                      "a browser's preflight carries no token and Istio "
                                      "checks authorization before CORS, so ['token', "
                                      "'preflight'] refuse it (403) and the browser refuses "
                                      'the call; give jwtRequired DENY rules the methods they '
                                      'guard without OPTIONS, or add an ALLOW rule with '
                                      'methods [OPTIONS] for this host '
                                      '(ING-IX-CORS-PREFLIGHT)')],
 'cors-allow-rule-for-the-routes-paths': [],
 'cors-catch-all-route-and-a-preflight-rule-for-some-paths': [('routing.hosts[shop.example.com].routes[web].cors',  # noqa: E501
                                                               'web',
                                                               "a browser's preflight carries "
                                                               'no token and Istio checks '
                                                               'authorization before CORS, so '
                                                               "['token', 'preflight'] refuse "
                                                               'it (403) and the browser '
                                                               'refuses the call; give '
                                                               'jwtRequired DENY rules the '
                                                               'methods they guard without '
                                                               'OPTIONS, or add an ALLOW rule '
                                                               'with methods [OPTIONS] for '
                                                               'this host '
                                                               '(ING-IX-CORS-PREFLIGHT)')],
 'cors-catch-all-route-and-a-preflight-rule-for-every-path': [],
 'allow-scoped-to-one-host': [('security.authorization[shop].hosts',
                               ['shop.example.com'],
                               'ALLOW rules (shop) make Istio deny every request no ALLOW '
                               "rule matches, so every request to ['a.example.com', "
                               "'b.example.com'], which the listeners serve, is refused "
                               '(403): to restrict a host to some clients, write action DENY '
                               'with notClientCidrs (or other conditions) on that host '
                               'instead; or add an ALLOW rule for these hosts '
                               '(ING-IX-ALLOW-SCOPE)')],
 'allow-rules-and-passthrough': [('security.authorization[shop]',
                                  'shop, get',
                                  'ALLOW rules with hosts, paths, methods or jwtRequired '
                                  'never match a TLS passthrough connection (Istio sees no '
                                  "HTTP there), so every connection to ['db.example.com'] is "
                                  'refused; add an ALLOW rule with clientCidrs only, or use '
                                  'DENY rules (ING-IX-ALLOW-SCOPE)')],
 'allow-rules-with-a-client-rule-and-passthrough': [],
 'allow-paths-shut-routes': [('routing.hosts[shop.example.com].routes[v1]',
                              'v1',
                              "serves ['/v1'] on shop.example.com, which no ALLOW rule (api) "
                              'matches: Istio refuses every request to it (403); add its path '
                              "to an ALLOW rule's paths, or restrict with DENY rules instead "
                              '(ING-IX-ALLOW-SCOPE)'),
                             ('routing.hosts[shop.example.com].routes[gets]',
                              'gets',
                              "serves ['/'] on shop.example.com, which no ALLOW rule (api) "
                              'matches: Istio refuses every request to it (403); add its path '
                              "to an ALLOW rule's paths, or restrict with DENY rules instead "
                              '(ING-IX-ALLOW-SCOPE)'),
                             ('routing.hosts[shop.example.com].routes[two]',
                              'two',
                              "serves ['/two'] on shop.example.com, which no ALLOW rule (api) "
                              'matches: Istio refuses every request to it (403); add its path '
                              "to an ALLOW rule's paths, or restrict with DENY rules instead "
                              '(ING-IX-ALLOW-SCOPE)'),
                             ('routing.hosts[shop.example.com].routes[web]',
                              'web',
                              "serves ['/'] on shop.example.com, which no ALLOW rule (api) "
                              'matches: Istio refuses every request to it (403); add its path '
                              "to an ALLOW rule's paths, or restrict with DENY rules instead "
                              '(ING-IX-ALLOW-SCOPE)')],
 'allow-star-opens-every-route': [],
 'allow-scoped-to-another-host-only-routes': [('routing.hosts[shop.example.com].routes[x]',
                                               'x',
                                               "serves ['/x/'] on shop.example.com, which no "
                                               'ALLOW rule (other, shop) matches: Istio '
                                               'refuses every request to it (403); add its '
                                               "path to an ALLOW rule's paths, or restrict "
                                               'with DENY rules instead '
                                               '(ING-IX-ALLOW-SCOPE)')],
 'paths-against-caseless-routes': [('security.authorization[admin].paths',
                                    ['/admin/*'],
                                    "match case-sensitively, while routes ['admin', 'again'] "
                                    'of shop.example.com set ignoreUriCase: a request for the '
                                    'same path in other case is routed but not denied by '
                                    'admin; remove ignoreUriCase from those routes '
                                    '(ING-IX-AUTHZ-PATH)'),
                                   ('security.authorization[api].paths',
                                    ['/API/*', '/web/*'],
                                    "match case-sensitively, while routes ['api'] of "
                                    'shop.example.com set ignoreUriCase: a request for the '
                                    'same path in other case is routed but not allowed by '
                                    'api; remove ignoreUriCase from those routes '
                                    '(ING-IX-AUTHZ-PATH)')],
 'deny-exact-path-under-a-prefix-route': [('security.authorization[admin].paths',
                                           ['/admin', '/api/', '/'],
                                           '/admin matches that exact path only, while route '
                                           'admin of shop.example.com serves every path under '
                                           'it: /admin/x passes this DENY rule; write '
                                           '/admin/* (rendered as /admin and /admin/*) '
                                           '(ING-IX-AUTHZ-PATH)')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_names_its_path_and_fix(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]


@pytest.mark.parametrize(("hosts", "host", "matched"), [
    ([], HOST, True), ([HOST], HOST, True), (["other.example.com"], HOST, False),
    (["*.example.com"], HOST, True), (["*.example.com"], "*.example.com", True),
    ([HOST], "*.example.com", False)])
def test_which_hosts_a_rule_is_scoped_to(hosts: list[str], host: str, matched: bool) -> None:
    assert host_in(hosts, host) is matched


@pytest.mark.parametrize(("paths", "prefix", "matched"), [
    ([], "/api", True), (["*"], "/api", True), (["/api/*"], "/api/v1", True),
    (["/api/*"], "/api", True), (["/api/*"], "/ap", False), (["/api/*"], "/apix", False),
    (["/api*"], "/apix", True),
    (["/api"], "/api", False), (["/other/*", "/api/*"], "/api/x", True),
    (["/a/*"], "/b", False)])
def test_whether_policy_paths_match_a_whole_prefix(paths: list[str], prefix: str,
                                                   matched: bool) -> None:
    assert path_in(paths, prefix) is matched
