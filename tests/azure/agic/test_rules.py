"""ingresslib.azure.agic.rules: what AGIC cannot express of a standalone stack's routing,
refused with the path and the fix; paths that overlap across a host's routes; Ingress names
up to 253 characters; request timeouts in whole seconds and the drain they need."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.agic.rules import drain_needed, drain_seconds, timeout_seconds
from ingresslib.config.routing import Route
from tests.configs import HOST, HTTP, aks_stack
from tests.shared import refusals

WEB = {"backend": "web"}
# Ingress names `ingress-<host slug>-web`: 253 characters with the first host, 254 with the
# second.
HOST_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 45, "com"])
HOST_254 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 46, "com"])


def _routes(*routes: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The standalone AKS stack with `routes` on its host."""
    data = aks_stack("standalone")
    data["routing"]["hosts"][0]["routes"] = list(routes)
    data.update(copy.deepcopy(changes))
    return data


def _hosts(*hosts: str) -> dict[str, Any]:
    data = aks_stack("standalone", listeners=[{**HTTP, "hosts": list(hosts)}],
                      certificates={})
    data["routing"]["hosts"] = [{"host": h, "routes": [{"name": "web", "to": [WEB]}]}
                                for h in hosts]
    return data


def _without_azure() -> dict[str, Any]:
    data = aks_stack("standalone")
    del data["azure"]
    return data


def _p(prefix: str) -> list[dict[str, Any]]:
    return [{"uri": {"prefix": prefix}}]


CASES: dict[str, dict[str, Any]] = {
    "listener-hosts-without-routes": aks_stack(
        "standalone", listeners=[{**HTTP, "hosts": [HOST, "a.example.com", "b.example.com"]}],
        certificates={}),
    "tls-routes": _routes({"name": "web", "to": [WEB]}, routing={
        **aks_stack("standalone")["routing"],
        "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [WEB]}],
                   "tlsRoutes": [{"name": "db", "sniHosts": [HOST], "to": [WEB]}]}]}),
    "what-agic-cannot-express": _routes(
        {"name": "r", "match": _p("/r"), "redirect": {"uri": "/new"}},
        {"name": "d", "match": _p("/d"), "directResponse": {"status": 404}},
        {"name": "t", "match": _p("/t"), "delegate": {"name": "team", "namespace": "team"}},
        {"name": "x", "match": _p("/x"), "to": [WEB], "rewrite": {"uri": "/"},
         "retries": {"attempts": 2}, "fault": {"abort": {"httpStatus": 503, "percent": 1}},
         "cors": {"allowOrigins": [{"exact": "https://a.example.com"}]},
         "mirror": {"backend": "web"}, "headers": {"request": {"set": {"x-a": "1"}}}},
        {"name": "web", "to": [WEB]}),
    "splits-and-subsets": _routes(
        {"name": "w", "to": [{"backend": "web", "subset": "v1", "weight": 90},
                             {"backend": "web", "subset": "v2", "weight": 10}]},
        routing={"backends": {"web": {
            "service": "web", "namespace": "shop", "port": 8080,
            "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}}}},
            "hosts": [{"host": HOST, "routes": [
                {"name": "w", "to": [{"backend": "web", "subset": "v1", "weight": 90},
                                     {"backend": "web", "subset": "v2", "weight": 10}]}]}]}),
    "matches-agic-cannot-express": _routes(
        {"name": "m", "match": [
            {"uri": {"prefix": "/a"}, "headers": {"x-a": {"exact": "1"}},
             "queryParams": {"q": {"exact": "1"}}, "method": {"exact": "GET"}, "port": 80},
            {"uri": {"prefix": "/b"}, "ignoreUriCase": True},
            {"headers": {"x-b": {"exact": "2"}}},
            {"uri": {"regex": "/c.*"}}], "to": [WEB]},
        {"name": "web", "to": [WEB]}),
    "paths-without-a-leading-slash": _routes(
        {"name": "a", "match": [{"uri": {"exact": "api"}}], "to": [WEB]},
        {"name": "b", "match": [{"uri": {"prefix": "b/"}}], "to": [WEB]},
        {"name": "web", "to": [WEB]}),
    "no-azure-section": _without_azure(),
    "hosts-without-routes": _routes(),
    "routed-backend-without-probe-settings": _routes(
        {"name": "a", "match": _p("/a"), "to": [{"backend": "api"}]},
        {"name": "b", "match": _p("/b"), "to": [{"backend": "api"}]},
        {"name": "web", "to": [WEB]},
        routing={"backends": {
            "web": {"service": "web", "namespace": "shop", "port": 8080},
            "api": {"service": "api", "namespace": "shop", "port": 9090}},
            "hosts": [{"host": HOST, "routes": [
                {"name": "a", "match": _p("/a"), "to": [{"backend": "api"}]},
                {"name": "b", "match": _p("/b"), "to": [{"backend": "api"}]},
                {"name": "web", "to": [WEB]}]}]}),
    "catch-all-before-others": _routes(
        {"name": "all", "to": [WEB]}, {"name": "root", "match": _p("/"), "to": [WEB]},
        {"name": "a", "match": _p("/a"), "to": [WEB]}),
    "overlapping-paths": _routes(
        {"name": "api", "match": [{"uri": {"prefix": "/api"}}, {"uri": {"exact": "/v"}}],
         "to": [WEB]},
        {"name": "apix", "match": [{"uri": {"exact": "/apix"}}, {"uri": {"exact": "/w"}}],
         "to": [WEB]},
        {"name": "re", "match": [{"uri": {"regex": "/api.*"}}], "to": [WEB]},
        {"name": "v", "match": [{"uri": {"exact": "/v"}}, {"uri": {"prefix": "/w"}}],
         "to": [WEB]},
        {"name": "web", "to": [WEB]}),
    "ingress-name-of-253": _hosts(HOST_253),
    "ingress-name-of-254": _hosts(HOST_254),
    "timeout-beyond-application-gateway": _routes(
        {"name": "slow", "match": _p("/slow"), "to": [WEB], "timeout": "86401s"},
        {"name": "web", "to": [WEB], "timeout": "86400s"}),
    "delay-shorter-than-a-timeout": _routes(
        {"name": "slow", "match": _p("/slow"), "to": [WEB], "timeout": "90s"},
        {"name": "web", "to": [WEB]}, loadBalancer={"deregistrationDelaySeconds": 89}),
    "delay-as-long-as-the-timeout": _routes(
        {"name": "slow", "match": _p("/slow"), "to": [WEB], "timeout": "89500ms"},
        {"name": "web", "to": [WEB]}, loadBalancer={"deregistrationDelaySeconds": 90}),
    "delay-short-beyond-what-draining-reaches": _routes(
        {"name": "slow", "match": _p("/slow"), "to": [WEB], "timeout": "7200s"},
        {"name": "web", "to": [WEB]}, loadBalancer={"deregistrationDelaySeconds": 3599}),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'listener-hosts-without-routes': [('listeners[http].hosts',
                                    ['a.example.com', 'b.example.com'],
                                    'AGIC creates Application Gateway listeners from Ingress '
                                    'rules only, and routing.hosts has no routes for these '
                                    'hosts: add them there')],
 'tls-routes': [('routing.hosts[shop.example.com].tlsRoutes',
                 'shop.example.com',
                 'tlsRoutes need a TLS (PASSTHROUGH) listener serving this host'),
                ('routing.hosts[shop.example.com].tlsRoutes',
                 ['db'],
                 'Application Gateway terminates TLS and cannot route it by SNI; remove '
                 'them')],
 'what-agic-cannot-express': [('routing.hosts[shop.example.com].routes[r].redirect',
                               'set',
                               'AGIC cannot express a redirect: Application Gateway only '
                               'forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[d].directResponse',
                               'set',
                               'AGIC cannot express a direct response: Application Gateway '
                               'only forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[t].delegate',
                               'set',
                               'AGIC cannot express delegation to another VirtualService: '
                               'Application Gateway only forwards paths to Services. Remove '
                               'it, or use topology chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[x].rewrite',
                               'set',
                               'AGIC cannot express rewrites: Application Gateway only '
                               'forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[x].retries',
                               'set',
                               'AGIC cannot express retries: Application Gateway only '
                               'forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[x].fault',
                               'set',
                               'AGIC cannot express fault injection: Application Gateway only '
                               'forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[x].cors',
                               'set',
                               'AGIC cannot express CORS policies: Application Gateway only '
                               'forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[x].mirror',
                               'set',
                               'AGIC cannot express mirroring: Application Gateway only '
                               'forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway'),
                              ('routing.hosts[shop.example.com].routes[x].headers',
                               'set',
                               'AGIC cannot express header rewrites: Application Gateway only '
                               'forwards paths to Services. Remove it, or use topology '
                               'chained to route in the Istio gateway')],
 'splits-and-subsets': [('routing.hosts[shop.example.com].routes[w].to',
                         ['web', 'web'],
                         'AGIC sends a path to one Service and cannot split traffic by '
                         'weight; use one destination, or topology chained for canaries'),
                        ('routing.hosts[shop.example.com].routes[w].to[0].subset',
                         'v1',
                         'AGIC sends to every pod of the Service; subsets need the Istio '
                         'gateway (topology chained)'),
                        ('routing.hosts[shop.example.com].routes[w].to[1].subset',
                         'v2',
                         'AGIC sends to every pod of the Service; subsets need the Istio '
                         'gateway (topology chained)')],
 'matches-agic-cannot-express': [('routing.hosts[shop.example.com].routes[m].match[0].headers',
                                  {'x-a': {'exact': '1'}},
                                  'AGIC matches on host and URL path only; remove it, or use '
                                  'topology chained'),
                                 ('routing.hosts[shop.example.com].routes[m].match[0].queryParams',
                                  {'q': {'exact': '1'}},
                                  'AGIC matches on host and URL path only; remove it, or use '
                                  'topology chained'),
                                 ('routing.hosts[shop.example.com].routes[m].match[0].method',
                                  {'exact': 'GET'},
                                  'AGIC matches on host and URL path only; remove it, or use '
                                  'topology chained'),
                                 ('routing.hosts[shop.example.com].routes[m].match[0].port',
                                  80,
                                  'AGIC matches on host and URL path only; remove it, or use '
                                  'topology chained'),
                                 ('routing.hosts[shop.example.com].routes[m].match[1].ignoreUriCase',
                                  True,
                                  'Application Gateway path rules are always case-insensitive '
                                  'and AGIC has no switch for it; remove it'),
                                 ('routing.hosts[shop.example.com].routes[m].match[2].headers',
                                  {'x-b': {'exact': '2'}},
                                  'AGIC matches on host and URL path only; remove it, or use '
                                  'topology chained'),
                                 ('routing.hosts[shop.example.com].routes[m].match[2].uri',
                                  None,
                                  'AGIC routes by URL path: give the match a uri prefix or '
                                  'exact path'),
                                 ('routing.hosts[shop.example.com].routes[m].match[3].uri.regex',
                                  '/c.*',
                                  'AGIC takes exact and prefix paths only; use prefix or '
                                  'exact')],
 'paths-without-a-leading-slash': [('routing.hosts[shop.example.com].routes[a].match[0].uri',
                                    'api',
                                    "Ingress paths start with '/'"),
                                   ('routing.hosts[shop.example.com].routes[b].match[0].uri',
                                    'b/',
                                    "Ingress paths start with '/'")],
 'no-azure-section': [('azure',
                       None,
                       "an aks stack creates Azure resources (the load balancer's public IP, "
                       'Application Gateway, Key Vault access): set azure with location, '
                       'resourceGroup and cluster {name, resourceGroup}')],
 'hosts-without-routes': [('routing.hosts[shop.example.com].routes',
                           [],
                           'a host needs at least one route or tlsRoute'),
                          ('azure.applicationGateway.backends.web',
                           'set',
                           'no standalone route sends to this backend; remove it')],
 'routed-backend-without-probe-settings': [('azure.applicationGateway.backends.api',
                                            None,
                                            'routing.hosts[shop.example.com].routes[a].to[0] '
                                            'sends to this backend through Application '
                                            'Gateway: set its healthProbePath (and '
                                            'healthProbePort when the probe is not on the '
                                            'target port), or Application Gateway copies the '
                                            "pod's readiness probe, which Istio rewrites to "
                                            'its agent')],
 'catch-all-before-others': [('routing.hosts[shop.example.com].routes[all]',
                              'all',
                              "a catch-all becomes the host's default backend, which "
                              'Application Gateway tries after every path: the routes after '
                              'it would take its traffic; move it last'),
                             ('routing.hosts[shop.example.com].routes[root]',
                              'root',
                              "a catch-all becomes the host's default backend, which "
                              'Application Gateway tries after every path: the routes after '
                              'it would take its traffic; move it last')],
 'overlapping-paths': [('routing.hosts[shop.example.com].routes[re].match[0].uri.regex',
                        '/api.*',
                        'AGIC takes exact and prefix paths only; use prefix or exact'),
                       ('routing.hosts[shop.example.com].routes[apix].match',
                        '/apix',
                        "overlaps the paths of routes[0]: AGIC merges a host's paths in no "
                        'fixed order and Application Gateway takes the first match, so the '
                        'result would depend on it; make the paths disjoint'),
                       ('routing.hosts[shop.example.com].routes[v].match',
                        '/v',
                        "overlaps the paths of routes[0]: AGIC merges a host's paths in no "
                        'fixed order and Application Gateway takes the first match, so the '
                        'result would depend on it; make the paths disjoint'),
                       ('routing.hosts[shop.example.com].routes[v].match',
                        '/w',
                        "overlaps the paths of routes[1]: AGIC merges a host's paths in no "
                        'fixed order and Application Gateway takes the first match, so the '
                        'result would depend on it; make the paths disjoint')],
 'ingress-name-of-253': [],
 'ingress-name-of-254': [('routing.hosts[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddd.com].routes[web].name',  # noqa: E501
                          'web',
                          'makes the Ingress name ingress-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... '
                          'longer than 253 characters; shorten the stack name or the route '
                          'name')],
 'timeout-beyond-application-gateway': [('routing.hosts[shop.example.com].routes[slow].timeout',
                                         '86401s',
                                         "becomes the route's request timeout on Application "
                                         'Gateway, which takes at most 86400 s; use at most '
                                         '86400s (EDGE-TO-APPGW)')],
 'delay-shorter-than-a-timeout': [('loadBalancer.deregistrationDelaySeconds',
                                   89,
                                   "is Application Gateway's connection draining in "
                                   'standalone: a pod leaving the pool would have its '
                                   'requests cut after 89 s, before the longest request '
                                   'timeout of a route (90 s); use at least 90 '
                                   '(EDGE-DR-APPGW)')],
 'delay-as-long-as-the-timeout': [],
 'delay-short-beyond-what-draining-reaches': [('loadBalancer.deregistrationDelaySeconds',
                                               3599,
                                               "is Application Gateway's connection draining "
                                               'in standalone: a pod leaving the pool would '
                                               'have its requests cut after 3599 s, before '
                                               'the longest request timeout of a route (7200 '
                                               's), as far as Application Gateway drains '
                                               '(3600 s); use at least 3600 (EDGE-DR-APPGW)')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_names_its_path_and_fix(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]


@pytest.mark.parametrize(("timeout", "seconds"), [
    (None, 30), ("1ms", 1), ("1s", 1), ("1001ms", 2), ("2s", 2)])
def test_request_timeouts_are_whole_seconds_rounded_up(timeout: str | None,
                                                        seconds: int) -> None:
    route = {"name": "r", "to": [WEB]} | ({"timeout": timeout} if timeout else {})
    assert timeout_seconds(Route.model_validate(route), 30) == seconds


@pytest.mark.parametrize(("timeouts", "delay", "needed", "route_drains"), [
    ([None, None], None, (45, "the longest request timeout of a route (45 s)"), [45, 45]),
    (["90s", None], None, (90, "the longest request timeout of a route (90 s)"), [90, 45]),
    (["10s", "20s"], 30, (20, "the longest request timeout of a route (20 s)"), [30, 30]),
    (["3600s", None], None, (3600, "the longest request timeout of a route (3600 s)"),
     [3600, 45]),
    (["3601s", None], 3600, (3600, "the longest request timeout of a route (3601 s), as far "
                                   "as Application Gateway drains (3600 s)"), [3600, 3600]),
])
def test_the_drain_each_ingress_needs(timeouts: list[str | None], delay: int | None,
                                      needed: tuple[int, str], route_drains: list[int]
                                      ) -> None:
    routes = [{"name": f"r{i}", "to": [WEB]} | ({"match": _p(f"/r{i}")} if i == 0 else {})
              | ({"timeout": t} if t else {}) for i, t in enumerate(timeouts)]
    data = _routes(*routes)
    if delay is not None:  # else the default, 30, which the route's drain overrides
        data["loadBalancer"] = {"deregistrationDelaySeconds": delay}
    data["azure"]["applicationGateway"]["requestTimeoutSeconds"] = 45
    cfg = parse_config(data)
    assert drain_needed(cfg) == needed
    assert [drain_seconds(cfg, r) for r in cfg.routing.hosts[0].routes] == route_drains


def test_no_application_gateway_needs_no_drain() -> None:
    assert drain_needed(parse_config(aks_stack("gateway"))) == (0, "")
