"""ingresslib.config.interactions: routing's own pairs that validate alone and break together,
each refused with its path, value and fix and accepted beside it: a weighted split to a backend
that hashes (ING-IX-HASH-SPLIT), CORS on a route a browser's preflight cannot match
(ING-IX-CORS-PREFLIGHT)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.configs import HOST, routed_nlb_stack
from tests.shared import refusals

ORIGIN = {"allowOrigins": [{"exact": "https://app.example.com"}]}


def _split(policy: dict[str, Any] | None, weights: tuple[int, int] = (90, 10),
           **more: Any) -> dict[str, Any]:
    data = routed_nlb_stack({"name": "split", "to": [
        {"backend": "web", "weight": weights[0]}, {"backend": "api", "weight": weights[1]}]})
    if policy is not None:
        data["routing"]["backends"]["api"]["trafficPolicy"] = {"loadBalancer": policy}
    for key, value in more.items():
        data["routing"]["backends"][key]["trafficPolicy"] = {"loadBalancer": value}
    return data


def _two_splits() -> dict[str, Any]:
    """A route to one backend, then two routes that split by weight to hashing backends."""
    data = _split({"hashCookie": "session"}, web={"hashHeader": "x-user"})
    split = data["routing"]["hosts"][0]["routes"][0]
    data["routing"]["hosts"][0]["routes"] = [
        {"name": "one", "match": [{"uri": {"prefix": "/one"}}], "to": [{"backend": "web"}]},
        {**split, "name": "first", "match": [{"uri": {"prefix": "/first"}}]},
        {**split, "name": "second"}]
    return data


def _cors(*matches: dict[str, Any]) -> dict[str, Any]:
    return routed_nlb_stack(
        {"name": "first", "match": [{"uri": {"prefix": "/first"}}], "to": [{"backend": "web"}]},
        {"name": "orders", "match": list(matches), "to": [{"backend": "api"}],
         "cors": copy.deepcopy(ORIGIN)},
        {"name": "web", "to": [{"backend": "web"}]})


ORDERS = {"prefix": "/orders"}

CASES: dict[str, dict[str, Any]] = {
    "split-to-a-cookie-hash": _split({"hashCookie": "session"}),
    "split-to-a-header-hash": _split({"hashHeader": "x-user"}),
    "split-to-a-source-ip-hash": _split({"hashSourceIp": True}),
    "split-to-two-hashes": _split({"hashSourceIp": True}, web={"hashHeader": "x-user"}),
    "split-to-simple": _split({"simple": "LEAST_REQUEST"}),
    "split-with-one-live-weight": _split({"hashCookie": "session"}, weights=(100, 0)),
    "split-after-a-single-destination-and-twice": _two_splits(),
    "cors-second-match-blocked": _cors({"uri": {"prefix": "/a"}},
                                       {"uri": {"prefix": "/b"}, "method": {"exact": "POST"}}),
    "cors-second-match-blocked-after-a-covered-one": _cors(
        {"uri": {"prefix": "/a"}, "method": {"exact": "POST"}},
        {"uri": {"prefix": "/b"}, "method": {"exact": "POST"}},
        {"uri": {"prefix": "/a"}, "method": {"exact": "OPTIONS"}}),
    "cors-method-without-options": _cors({"uri": ORDERS, "method": {"exact": "POST"}}),
    "cors-method-regex-admitting-options": _cors({"uri": ORDERS,
                                                  "method": {"regex": "POST|OPTIONS"}}),
    "cors-headers-a-preflight-lacks": _cors({"uri": ORDERS, "headers": {
        "authorization": {"prefix": "Bearer"}, "Origin": {"exact": "https://app.example.com"},
        "x-team": {"exact": "a"}}}),
    "cors-preflight-headers-only": _cors({"uri": ORDERS, "headers": {
        "origin": {"exact": "https://app.example.com"},
        "Access-Control-Request-Method": {"exact": "POST"}}}),
    "cors-with-an-options-match": _cors({"uri": ORDERS, "method": {"exact": "POST"}},
                                        {"uri": ORDERS, "method": {"exact": "OPTIONS"}}),
    "cors-options-match-on-another-path": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}},
        {"uri": {"prefix": "/other"}, "method": {"exact": "OPTIONS"}}),
    "cors-options-match-on-every-path": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}},
        {"uri": {"prefix": "/"}, "method": {"exact": "OPTIONS"}}),
    "cors-options-match-on-every-path-without-case": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}},
        {"uri": {"prefix": "/"}, "ignoreUriCase": True, "method": {"exact": "OPTIONS"}}),
    "cors-options-match-without-a-path": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}, "port": 80},
        {"method": {"exact": "OPTIONS"}, "port": 80}),
    "cors-options-match-on-another-port": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}, "port": 80},
        {"uri": ORDERS, "method": {"exact": "OPTIONS"}, "port": 443}),
    "cors-options-match-needing-a-query": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}},
        {"uri": ORDERS, "method": {"exact": "OPTIONS"}, "queryParams": {"v": {"exact": "2"}}}),
    "cors-options-match-with-the-same-query": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}, "queryParams": {"v": {"exact": "2"}}},
        {"uri": ORDERS, "method": {"exact": "OPTIONS"}, "queryParams": {"v": {"exact": "2"}}}),
    "cors-options-match-with-a-header": _cors(
        {"uri": ORDERS, "method": {"exact": "POST"}},
        {"uri": ORDERS, "method": {"exact": "OPTIONS"}, "headers": {"x-team": {"exact": "a"}}}),
}
assert HOST

# <EXPECTED>
EXPECTED: dict[str, Any] = {'split-to-a-cookie-hash': [('routing.hosts[shop.example.com].routes[split].to',  # noqa: E501
                             ['web/*:90', 'api/*:10'],
                             'splits by weight to backend api (to[1]), whose '
                             'trafficPolicy.loadBalancer.hashCookie is meant to keep a client '
                             'on one pod: Envoy picks the weighted destination per request '
                             'before hashing, so clients bounce between the destinations; '
                             'send a client to the canary by a match on its cookie or header '
                             '(a route before this one with match.headers), or remove the '
                             'hash (routing.backends.api.trafficPolicy.loadBalancer) '
                             '(ING-IX-HASH-SPLIT)')],
 'split-to-a-header-hash': [('routing.hosts[shop.example.com].routes[split].to',
                             ['web/*:90', 'api/*:10'],
                             'splits by weight to backend api (to[1]), whose '
                             'trafficPolicy.loadBalancer.hashHeader is meant to keep a client '
                             'on one pod: Envoy picks the weighted destination per request '
                             'before hashing, so clients bounce between the destinations; '
                             'send a client to the canary by a match on its cookie or header '
                             '(a route before this one with match.headers), or remove the '
                             'hash (routing.backends.api.trafficPolicy.loadBalancer) '
                             '(ING-IX-HASH-SPLIT)')],
 'split-to-a-source-ip-hash': [('routing.hosts[shop.example.com].routes[split].to',
                                ['web/*:90', 'api/*:10'],
                                'splits by weight to backend api (to[1]), whose '
                                'trafficPolicy.loadBalancer.hashSourceIp is meant to keep a '
                                'client on one pod: Envoy picks the weighted destination per '
                                'request before hashing, so clients bounce between the '
                                'destinations; send a client to the canary by a match on its '
                                'cookie or header (a route before this one with '
                                'match.headers), or remove the hash '
                                '(routing.backends.api.trafficPolicy.loadBalancer) '
                                '(ING-IX-HASH-SPLIT)')],
 'split-to-two-hashes': [('routing.hosts[shop.example.com].routes[split].to',
                          ['web/*:90', 'api/*:10'],
                          'splits by weight to backend web (to[0]), whose '
                          'trafficPolicy.loadBalancer.hashHeader is meant to keep a client on '
                          'one pod: Envoy picks the weighted destination per request before '
                          'hashing, so clients bounce between the destinations; send a client '
                          'to the canary by a match on its cookie or header (a route before '
                          'this one with match.headers), or remove the hash '
                          '(routing.backends.web.trafficPolicy.loadBalancer) '
                          '(ING-IX-HASH-SPLIT)')],
 'split-to-simple': [],
 'split-with-one-live-weight': [],
 'split-after-a-single-destination-and-twice': [('routing.hosts[shop.example.com].routes[first].to',
                                                 ['web/*:90', 'api/*:10'],
                                                 'splits by weight to backend web (to[0]), '
                                                 'whose trafficPolicy.loadBalancer.hashHeader '
                                                 'is meant to keep a client on one pod: Envoy '
                                                 'picks the weighted destination per request '
                                                 'before hashing, so clients bounce between '
                                                 'the destinations; send a client to the '
                                                 'canary by a match on its cookie or header '
                                                 '(a route before this one with '
                                                 'match.headers), or remove the hash '
                                                 '(routing.backends.web.trafficPolicy.loadBalancer) '  # noqa: E501
                                                 '(ING-IX-HASH-SPLIT)'),
                                                ('routing.hosts[shop.example.com].routes[second].to',
                                                 ['web/*:90', 'api/*:10'],
                                                 'splits by weight to backend web (to[0]), '
                                                 'whose trafficPolicy.loadBalancer.hashHeader '
                                                 'is meant to keep a client on one pod: Envoy '
                                                 'picks the weighted destination per request '
                                                 'before hashing, so clients bounce between '
                                                 'the destinations; send a client to the '
                                                 'canary by a match on its cookie or header '
                                                 '(a route before this one with '
                                                 'match.headers), or remove the hash '
                                                 '(routing.backends.web.trafficPolicy.loadBalancer) '  # noqa: E501
                                                 '(ING-IX-HASH-SPLIT)')],
 'cors-second-match-blocked': [('routing.hosts[shop.example.com].routes[orders].match[1]',
                                "method {'exact': 'POST'}",
                                "route orders has cors, but a browser's preflight (OPTIONS, "
                                'with Origin and Access-Control-Request-* only) cannot meet '
                                "its method {'exact': 'POST'}: the preflight falls to another "
                                'route or a 404 and the browser refuses the call; add a match '
                                'with the same uri and method {exact: OPTIONS} (no header '
                                'conditions) to this route, or drop these conditions '
                                '(ING-IX-CORS-PREFLIGHT)')],
 'cors-second-match-blocked-after-a-covered-one': [('routing.hosts[shop.example.com].routes[orders].match[1]',  # noqa: E501
                                                    "method {'exact': 'POST'}",
                                                    "route orders has cors, but a browser's "
                                                    'preflight (OPTIONS, with Origin and '
                                                    'Access-Control-Request-* only) cannot '
                                                    "meet its method {'exact': 'POST'}: the "
                                                    'preflight falls to another route or a '
                                                    '404 and the browser refuses the call; '
                                                    'add a match with the same uri and method '
                                                    '{exact: OPTIONS} (no header conditions) '
                                                    'to this route, or drop these conditions '
                                                    '(ING-IX-CORS-PREFLIGHT)')],
 'cors-method-without-options': [('routing.hosts[shop.example.com].routes[orders].match[0]',
                                  "method {'exact': 'POST'}",
                                  "route orders has cors, but a browser's preflight (OPTIONS, "
                                  'with Origin and Access-Control-Request-* only) cannot meet '
                                  "its method {'exact': 'POST'}: the preflight falls to "
                                  'another route or a 404 and the browser refuses the call; '
                                  'add a match with the same uri and method {exact: OPTIONS} '
                                  '(no header conditions) to this route, or drop these '
                                  'conditions (ING-IX-CORS-PREFLIGHT)')],
 'cors-method-regex-admitting-options': [],
 'cors-headers-a-preflight-lacks': [('routing.hosts[shop.example.com].routes[orders].match[0]',
                                     'header authorization, header x-team',
                                     "route orders has cors, but a browser's preflight "
                                     '(OPTIONS, with Origin and Access-Control-Request-* '
                                     'only) cannot meet its header authorization and header '
                                     'x-team: the preflight falls to another route or a 404 '
                                     'and the browser refuses the call; add a match with the '
                                     'same uri and method {exact: OPTIONS} (no header '
                                     'conditions) to this route, or drop these conditions '
                                     '(ING-IX-CORS-PREFLIGHT)')],
 'cors-preflight-headers-only': [],
 'cors-with-an-options-match': [],
 'cors-options-match-on-another-path': [('routing.hosts[shop.example.com].routes[orders].match[0]',
                                         "method {'exact': 'POST'}",
                                         "route orders has cors, but a browser's preflight "
                                         '(OPTIONS, with Origin and Access-Control-Request-* '
                                         "only) cannot meet its method {'exact': 'POST'}: the "
                                         'preflight falls to another route or a 404 and the '
                                         'browser refuses the call; add a match with the same '
                                         'uri and method {exact: OPTIONS} (no header '
                                         'conditions) to this route, or drop these conditions '
                                         '(ING-IX-CORS-PREFLIGHT)')],
 'cors-options-match-on-every-path': [],
 'cors-options-match-on-every-path-without-case': [('routing.hosts[shop.example.com].routes[orders].match[0]',  # noqa: E501
                                                    "method {'exact': 'POST'}",
                                                    "route orders has cors, but a browser's "
                                                    'preflight (OPTIONS, with Origin and '
                                                    'Access-Control-Request-* only) cannot '
                                                    "meet its method {'exact': 'POST'}: the "
                                                    'preflight falls to another route or a '
                                                    '404 and the browser refuses the call; '
                                                    'add a match with the same uri and method '
                                                    '{exact: OPTIONS} (no header conditions) '
                                                    'to this route, or drop these conditions '
                                                    '(ING-IX-CORS-PREFLIGHT)')],
 'cors-options-match-without-a-path': [],
 'cors-options-match-on-another-port': [('routing.hosts[shop.example.com].routes[orders].match[0]',
                                         "method {'exact': 'POST'}",
                                         "route orders has cors, but a browser's preflight "
                                         '(OPTIONS, with Origin and Access-Control-Request-* '
                                         "only) cannot meet its method {'exact': 'POST'}: the "
                                         'preflight falls to another route or a 404 and the '
                                         'browser refuses the call; add a match with the same '
                                         'uri and method {exact: OPTIONS} (no header '
                                         'conditions) to this route, or drop these conditions '
                                         '(ING-IX-CORS-PREFLIGHT)')],
 'cors-options-match-needing-a-query': [('routing.hosts[shop.example.com].routes[orders].match[0]',
                                         "method {'exact': 'POST'}",
                                         "route orders has cors, but a browser's preflight "
                                         '(OPTIONS, with Origin and Access-Control-Request-* '
                                         "only) cannot meet its method {'exact': 'POST'}: the "
                                         'preflight falls to another route or a 404 and the '
                                         'browser refuses the call; add a match with the same '
                                         'uri and method {exact: OPTIONS} (no header '
                                         'conditions) to this route, or drop these conditions '
                                         '(ING-IX-CORS-PREFLIGHT)')],
 'cors-options-match-with-the-same-query': [],
 'cors-options-match-with-a-header': [('routing.hosts[shop.example.com].routes[orders].match[0]',
                                       "method {'exact': 'POST'}",
                                       "route orders has cors, but a browser's preflight "
                                       '(OPTIONS, with Origin and Access-Control-Request-* '
                                       "only) cannot meet its method {'exact': 'POST'}: the "
                                       'preflight falls to another route or a 404 and the '
                                       'browser refuses the call; add a match with the same '
                                       'uri and method {exact: OPTIONS} (no header '
                                       'conditions) to this route, or drop these conditions '
                                       '(ING-IX-CORS-PREFLIGHT)'),
                                      ('routing.hosts[shop.example.com].routes[orders].match[1]',
                                       'header x-team',
                                       "route orders has cors, but a browser's preflight "
                                       '(OPTIONS, with Origin and Access-Control-Request-* '
                                       'only) cannot meet its header x-team: the preflight '
                                       'falls to another route or a 404 and the browser '
                                       'refuses the call; add a match with the same uri and '
                                       'method {exact: OPTIONS} (no header conditions) to '
                                       'this route, or drop these conditions '
                                       '(ING-IX-CORS-PREFLIGHT)')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_pair_is_refused_with_its_fix_or_accepted(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]
