"""ingresslib.aws.alb_rules: what a standalone ALB makes of each route (its listener rules'
conditions and action, as pulumi-aws takes them), what it refuses with the path and the
reason, and the limits it counts (condition values, target groups, rules per listener)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib.aws.alb_rules import (
    TargetGroupRef,
    algorithm,
    host_order,
    route_rules,
)
from ingresslib.config.routing import Backend, Route
from tests.configs import HOST, HTTP, alb_stack
from tests.shared import refusals

LONG = "/" + "p" * 126  # 127 characters: with the prefix's '*', 128
WEB = {"backend": "web"}


def translated(case: tuple[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
    """The rules and refusals of one route on one host."""
    host, route = case
    rules, problems = route_rules(host, Route.model_validate(route), "r")
    return ([{"conditions": r.conditions, "action": r.action, "port": r.port} for r in rules],
            [(p.path, p.value, p.message) for p in problems])


ROUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "catch-all-on-any-host": ("*", {"name": "all", "to": [WEB]}),
    "exact-and-prefix-paths": (HOST, {"name": "p", "match": [
        {"uri": {"exact": "/a"}}, {"uri": {"prefix": "/b/"}, "port": 8443}], "to": [WEB]}),
    "path-of-128-characters": (HOST, {"name": "p", "match": [{"uri": {"prefix": LONG}}],
                                      "to": [WEB]}),
    "path-of-129-characters": (HOST, {"name": "p", "match": [{"uri": {"prefix": LONG + "p"}}],
                                      "to": [WEB]}),
    "path-wildcards-case-and-regex": (HOST, {"name": "p", "match": [
        {"uri": {"prefix": "/a*"}}, {"uri": {"exact": "/b?"}},
        {"uri": {"prefix": "/c"}, "ignoreUriCase": True}, {"uri": {"regex": "/d.*"}}],
        "to": [WEB]}),
    "methods": (HOST, {"name": "m", "match": [
        {"method": {"exact": "GET"}}, {"method": {"exact": "get"}},
        {"method": {"prefix": "P"}}], "to": [WEB]}),
    "headers": (HOST, {"name": "h", "match": [{"headers": {
        "x-b": {"exact": "a*b?c\\d"}, "x-a": {"prefix": "v1"}, "x-c": {"regex": "v.*"},
        ":authority": {"exact": "x"}, "x-" + "y" * 38: {"exact": "ok"},
        "x-" + "z" * 39: {"exact": "long"}}}], "to": [WEB]}),
    "header-refused-before-a-query-string": (HOST, {"name": "q", "match": [{
        "headers": {"x-a": {"regex": "v.*"}}, "queryParams": {"q": {"exact": "1"}}}],
        "to": [WEB]}),
    "query-strings": (HOST, {"name": "q", "match": [{"queryParams": {
        "b*": {"exact": "1?"}, "a": {"prefix": "x"}, "c": {"regex": "y+"}}}], "to": [WEB]}),
    "five-condition-values": (HOST, {"name": "f", "match": [{
        "uri": {"prefix": "/"}, "method": {"exact": "GET"},
        "headers": {"x-a": {"exact": "1"}}, "queryParams": {"q": {"exact": "1"}}}],
        "to": [WEB]}),
    "six-condition-values": (HOST, {"name": "s", "match": [{
        "uri": {"prefix": "/"}, "method": {"exact": "GET"},
        "headers": {"x-a": {"exact": "1"}}, "queryParams": {"q": {"exact": "1"},
                                                             "r": {"exact": "2"}}}],
        "to": [WEB]}),
    "weighted-split": (HOST, {"name": "w", "to": [{"backend": "web", "weight": 90},
                                                  {"backend": "api", "weight": 10}]}),
    "split-to-subsets-of-one-backend": (HOST, {"name": "w", "to": [
        {"backend": "web", "subset": "v1", "weight": 50},
        {"backend": "web", "subset": "v2", "weight": 50}]}),
    "split-across-five": (HOST, {"name": "w", "to": [
        {"backend": f"b{i}", "weight": 20} for i in range(5)]}),
    "split-across-six": (HOST, {"name": "w", "to": [
        {"backend": f"b{i}", "weight": [20, 20, 20, 20, 10, 10][i]} for i in range(6)]}),
    "redirect-to-https": (HOST, {"name": "r", "redirect": {"scheme": "https"}}),
    "redirect-to-http-elsewhere": (HOST, {"name": "r", "redirect": {
        "scheme": "http", "authority": "www.example.com", "uri": "/new", "redirectCode": 302}}),
    "redirect-port-only": (HOST, {"name": "r", "redirect": {"port": 8443}}),
    "redirect-the-alb-cannot": (HOST, {"name": "r", "redirect": {
        "authority": "www.example.com:8443", "uri": "new", "redirectCode": 308}}),
    "fixed-response": (HOST, {"name": "d", "directResponse": {"status": 204}}),
    "fixed-response-with-body": (HOST, {"name": "d", "directResponse": {
        "status": 503, "body": "é" * 512}}),
    "fixed-response-too-long": (HOST, {"name": "d", "directResponse": {
        "status": 404, "body": "é" * 512 + "x"}}),
    "fixed-response-redirect-status": (HOST, {"name": "d", "directResponse": {"status": 302}}),
    "fixed-response-4xx": (HOST, {"name": "d", "directResponse": {"status": 418}}),
    "what-an-alb-cannot-do": (HOST, {
        "name": "x", "to": [WEB], "rewrite": {"uri": "/"}, "timeout": "5s",
        "retries": {"attempts": 2}, "fault": {"abort": {"httpStatus": 503, "percent": 1}},
        "cors": {"allowOrigins": [{"exact": "https://a.example.com"}]},
        "mirror": {"backend": "api"}, "headers": {"request": {"set": {"x-a": "1"}}}}),
    "delegate": (HOST, {"name": "x", "delegate": {"name": "team", "namespace": "team"}}),
}

# <EXPECTED_ROUTES>
EXPECTED_ROUTES: dict[str, Any] = {'catch-all-on-any-host': ([{'conditions': [{'path_pattern': {'values': ['*']}}],  # noqa: E501
                             'action': {'type': 'forward',
                                        'target_group_arn': TargetGroupRef(key='web')},
                             'port': None}],
                           []),
 'exact-and-prefix-paths': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},
                                             {'path_pattern': {'values': ['/a']}}],
                              'action': {'type': 'forward',
                                         'target_group_arn': TargetGroupRef(key='web')},
                              'port': None},
                             {'conditions': [{'host_header': {'values': ['shop.example.com']}},
                                             {'path_pattern': {'values': ['/b/*']}}],
                              'action': {'type': 'forward',
                                         'target_group_arn': TargetGroupRef(key='web')},
                              'port': 8443}],
                            []),
 'path-of-128-characters': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},
                                             {'path_pattern': {'values': ['/pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp*']}}],  # noqa: E501
                              'action': {'type': 'forward',
                                         'target_group_arn': TargetGroupRef(key='web')},
                              'port': None}],
                            []),
 'path-of-129-characters': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                              'action': {'type': 'forward',
                                         'target_group_arn': TargetGroupRef(key='web')},
                              'port': None}],
                            [('r.match[0].uri',
                              '/ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp',
                              'ALB path patterns hold 128 characters')]),
 'path-wildcards-case-and-regex': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                     'action': {'type': 'forward',
                                                'target_group_arn': TargetGroupRef(key='web')},
                                     'port': None},
                                    {'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                     'action': {'type': 'forward',
                                                'target_group_arn': TargetGroupRef(key='web')},
                                     'port': None},
                                    {'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                     'action': {'type': 'forward',
                                                'target_group_arn': TargetGroupRef(key='web')},
                                     'port': None},
                                    {'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                     'action': {'type': 'forward',
                                                'target_group_arn': TargetGroupRef(key='web')},
                                     'port': None}],
                                   [('r.match[0].uri',
                                     '/a*',
                                     'an ALB reads * and ? in a path as wildcards and cannot '
                                     'escape them; match without them'),
                                    ('r.match[1].uri',
                                     '/b?',
                                     'an ALB reads * and ? in a path as wildcards and cannot '
                                     'escape them; match without them'),
                                    ('r.match[2].ignoreUriCase',
                                     True,
                                     'ALB path patterns are case-sensitive; remove '
                                     'ignoreUriCase'),
                                    ('r.match[3].uri.regex',
                                     '/d.*',
                                     'ingresslib matches paths at an ALB with wildcards only '
                                     "(ALB regex conditions do not follow Istio's RE2 "
                                     'full-match semantics); use exact or prefix')]),
 'methods': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},
                              {'http_request_method': {'values': ['GET']}}],
               'action': {'type': 'forward', 'target_group_arn': TargetGroupRef(key='web')},
               'port': None},
              {'conditions': [{'host_header': {'values': ['shop.example.com']}}],
               'action': {'type': 'forward', 'target_group_arn': TargetGroupRef(key='web')},
               'port': None},
              {'conditions': [{'host_header': {'values': ['shop.example.com']}}],
               'action': {'type': 'forward', 'target_group_arn': TargetGroupRef(key='web')},
               'port': None}],
             [('r.match[1].method',
               {'exact': 'get'},
               'an ALB matches one exact method in capitals, such as GET; use exact'),
              ('r.match[2].method',
               {'prefix': 'P'},
               'an ALB matches one exact method in capitals, such as GET; use exact')]),
 'headers': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},
                              {'http_header': {'http_header_name': 'x-a', 'values': ['v1*']}},
                              {'http_header': {'http_header_name': 'x-b',
                                               'values': ['a\\*b\\?c\\\\d']}},
                              {'http_header': {'http_header_name': 'x-yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',  # noqa: E501
                                               'values': ['ok']}}],
               'action': {'type': 'forward', 'target_group_arn': TargetGroupRef(key='web')},
               'port': None}],
             [('r.match[0].headers',
               ':authority',
               'an ALB matches ordinary headers of up to 40 characters, not pseudo-headers'),
              ('r.match[0].headers.x-c.regex',
               'v.*',
               'ingresslib matches headers at an ALB with wildcards only (ALB regex '
               "conditions do not follow Istio's RE2 full-match semantics); use exact or "
               'prefix'),
              ('r.match[0].headers',
               'x-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
               'an ALB matches ordinary headers of up to 40 characters, not pseudo-headers')]),
 'header-refused-before-a-query-string': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},  # noqa: E501
                                                           {'query_strings': [{'key': 'q',
                                                                               'value': '1'}]}],
                                            'action': {'type': 'forward',
                                                       'target_group_arn': TargetGroupRef(key='web')},  # noqa: E501
                                            'port': None}],
                                          [('r.match[0].headers.x-a.regex',
                                            'v.*',
                                            'ingresslib matches headers at an ALB with '
                                            'wildcards only (ALB regex conditions do not '
                                            "follow Istio's RE2 full-match semantics); use "
                                            'exact or prefix')]),
 'query-strings': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},
                                    {'query_strings': [{'key': 'a', 'value': 'x*'},
                                                       {'key': 'b\\*', 'value': '1\\?'}]}],
                     'action': {'type': 'forward',
                                'target_group_arn': TargetGroupRef(key='web')},
                     'port': None}],
                   [('r.match[0].queryParams.c.regex',
                     'y+',
                     'ingresslib matches query strings at an ALB with wildcards only (ALB '
                     "regex conditions do not follow Istio's RE2 full-match semantics); use "
                     'exact or prefix')]),
 'five-condition-values': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},
                                            {'path_pattern': {'values': ['/*']}},
                                            {'http_request_method': {'values': ['GET']}},
                                            {'http_header': {'http_header_name': 'x-a',
                                                             'values': ['1']}},
                                            {'query_strings': [{'key': 'q', 'value': '1'}]}],
                             'action': {'type': 'forward',
                                        'target_group_arn': TargetGroupRef(key='web')},
                             'port': None}],
                           []),
 'six-condition-values': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}},
                                           {'path_pattern': {'values': ['/*']}},
                                           {'http_request_method': {'values': ['GET']}},
                                           {'http_header': {'http_header_name': 'x-a',
                                                            'values': ['1']}},
                                           {'query_strings': [{'key': 'q', 'value': '1'},
                                                              {'key': 'r', 'value': '2'}]}],
                            'action': {'type': 'forward',
                                       'target_group_arn': TargetGroupRef(key='web')},
                            'port': None}],
                          [('r.match[0]',
                            6,
                            'an ALB rule holds at most 5 condition values (host, path, '
                            'method, each header and query string); match on fewer')]),
 'weighted-split': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                      'action': {'type': 'forward',
                                 'forward': {'target_groups': [{'arn': TargetGroupRef(key='web'),
                                                                'weight': 90},
                                                               {'arn': TargetGroupRef(key='api'),
                                                                'weight': 10}]}},
                      'port': None}],
                    []),
 'split-to-subsets-of-one-backend': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                       'action': {'type': 'forward',
                                                  'forward': {'target_groups': [{'arn': TargetGroupRef(key='web'),  # noqa: E501
                                                                                 'weight': 50},
                                                                                {'arn': TargetGroupRef(key='web'),  # noqa: E501
                                                                                 'weight': 50}]}},
                                       'port': None}],
                                     [('r.to[0].subset',
                                       'v1',
                                       "an ALB target group holds every pod of the backend's "
                                       'Service and cannot pick a subset by labels; give each '
                                       'version its own Service and backend'),
                                      ('r.to[1].subset',
                                       'v2',
                                       "an ALB target group holds every pod of the backend's "
                                       'Service and cannot pick a subset by labels; give each '
                                       'version its own Service and backend'),
                                      ('r.to',
                                       ['web', 'web'],
                                       'an ALB forwards to each target group once per rule; '
                                       'split across distinct backends')]),
 'split-across-five': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                         'action': {'type': 'forward',
                                    'forward': {'target_groups': [{'arn': TargetGroupRef(key='b0'),
                                                                   'weight': 20},
                                                                  {'arn': TargetGroupRef(key='b1'),
                                                                   'weight': 20},
                                                                  {'arn': TargetGroupRef(key='b2'),
                                                                   'weight': 20},
                                                                  {'arn': TargetGroupRef(key='b3'),
                                                                   'weight': 20},
                                                                  {'arn': TargetGroupRef(key='b4'),
                                                                   'weight': 20}]}},
                         'port': None}],
                       []),
 'split-across-six': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                        'action': {'type': 'forward',
                                   'forward': {'target_groups': [{'arn': TargetGroupRef(key='b0'),
                                                                  'weight': 20},
                                                                 {'arn': TargetGroupRef(key='b1'),
                                                                  'weight': 20},
                                                                 {'arn': TargetGroupRef(key='b2'),
                                                                  'weight': 20},
                                                                 {'arn': TargetGroupRef(key='b3'),
                                                                  'weight': 20},
                                                                 {'arn': TargetGroupRef(key='b4'),
                                                                  'weight': 10},
                                                                 {'arn': TargetGroupRef(key='b5'),
                                                                  'weight': 10}]}},
                        'port': None}],
                      [('r.to',
                        ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'],
                        'an ALB splits across at most 5 target groups')]),
 'redirect-to-https': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                         'action': {'type': 'redirect',
                                    'redirect': {'status_code': 'HTTP_301',
                                                 'protocol': 'HTTPS',
                                                 'host': '#{host}',
                                                 'port': '443',
                                                 'path': '/#{path}',
                                                 'query': '#{query}'}},
                         'port': None}],
                       []),
 'redirect-to-http-elsewhere': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                                  'action': {'type': 'redirect',
                                             'redirect': {'status_code': 'HTTP_302',
                                                          'protocol': 'HTTP',
                                                          'host': 'www.example.com',
                                                          'port': '80',
                                                          'path': '/new',
                                                          'query': '#{query}'}},
                                  'port': None}],
                                []),
 'redirect-port-only': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                          'action': {'type': 'redirect',
                                     'redirect': {'status_code': 'HTTP_301',
                                                  'protocol': '#{protocol}',
                                                  'host': '#{host}',
                                                  'port': '8443',
                                                  'path': '/#{path}',
                                                  'query': '#{query}'}},
                          'port': None}],
                        []),
 'redirect-the-alb-cannot': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                               'action': {'type': 'redirect',
                                          'redirect': {'status_code': 'HTTP_308',
                                                       'protocol': '#{protocol}',
                                                       'host': 'www.example.com:8443',
                                                       'port': '#{port}',
                                                       'path': 'new',
                                                       'query': '#{query}'}},
                               'port': None}],
                             [('r.redirect.redirectCode',
                               308,
                               'an ALB redirects with 301 or 302 only'),
                              ('r.redirect.authority',
                               'www.example.com:8443',
                               'give the port in redirect.port; an ALB redirect host takes no '
                               'port'),
                              ('r.redirect.uri', 'new', "must start with '/'")]),
 'fixed-response': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                      'action': {'type': 'fixed-response',
                                 'fixed_response': {'content_type': 'text/plain',
                                                    'status_code': '204'}},
                      'port': None}],
                    []),
 'fixed-response-with-body': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                                'action': {'type': 'fixed-response',
                                           'fixed_response': {'content_type': 'text/plain',
                                                              'status_code': '503',
                                                              'message_body': 'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé'}},  # noqa: E501
                                'port': None}],
                              []),
 'fixed-response-too-long': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                               'action': {'type': 'fixed-response',
                                          'fixed_response': {'content_type': 'text/plain',
                                                             'status_code': '404',
                                                             'message_body': 'ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééx'}},  # noqa: E501
                               'port': None}],
                             [('r.directResponse.body',
                               '513 characters',
                               'an ALB fixed response body holds 1024 bytes')]),
 'fixed-response-redirect-status': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],  # noqa: E501
                                      'action': {'type': 'fixed-response',
                                                 'fixed_response': {'content_type': 'text/plain',
                                                                    'status_code': '302'}},
                                      'port': None}],
                                    [('r.directResponse.status',
                                      302,
                                      'an ALB fixed response has a 2xx, 4xx or 5xx status')]),
 'fixed-response-4xx': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                          'action': {'type': 'fixed-response',
                                     'fixed_response': {'content_type': 'text/plain',
                                                        'status_code': '418'}},
                          'port': None}],
                        []),
 'what-an-alb-cannot-do': ([{'conditions': [{'host_header': {'values': ['shop.example.com']}}],
                             'action': {'type': 'forward',
                                        'target_group_arn': TargetGroupRef(key='web')},
                             'port': None}],
                           [('r.rewrite',
                             'set',
                             'an ALB cannot rewrite the path or authority (ingresslib '
                             'generates no ALB transforms); remove it, or use topology '
                             'chained, where the Istio gateway routes'),
                            ('r.timeout',
                             'set',
                             "an ALB cannot time out one route (only the load balancer's idle "
                             'timeout applies); remove it, or use topology chained, where the '
                             'Istio gateway routes'),
                            ('r.retries',
                             'set',
                             'an ALB cannot retry requests; remove it, or use topology '
                             'chained, where the Istio gateway routes'),
                            ('r.fault',
                             'set',
                             'an ALB cannot inject faults; remove it, or use topology '
                             'chained, where the Istio gateway routes'),
                            ('r.cors',
                             'set',
                             'an ALB cannot answer CORS preflights; remove it, or use '
                             'topology chained, where the Istio gateway routes'),
                            ('r.mirror',
                             'set',
                             'an ALB cannot mirror traffic; remove it, or use topology '
                             'chained, where the Istio gateway routes'),
                            ('r.headers',
                             'set',
                             'an ALB cannot change request or response headers; remove it, or '
                             'use topology chained, where the Istio gateway routes')]),
 'delegate': ([],
              [('r.delegate',
                'team',
                'an ALB has no delegated route tables; list the routes here, or use topology '
                'chained')])}
# </EXPECTED_ROUTES>


@pytest.mark.parametrize("case", list(ROUTES))
def test_each_route_becomes_its_rules_or_is_refused(case: str) -> None:
    assert translated(ROUTES[case]) == EXPECTED_ROUTES[case]


def test_exact_hosts_then_wildcards_then_any_host() -> None:
    assert host_order(["*", "*.b.example.com", "b.example.com", "*.a.example.com",
                       "a.example.com"]) == [
        "b.example.com", "a.example.com", "*.b.example.com", "*.a.example.com", "*"]


@pytest.mark.parametrize(("policy", "expected"), [
    (None, "round_robin"),
    ({"loadBalancer": {"simple": "ROUND_ROBIN"}}, "round_robin"),
    ({"loadBalancer": {"simple": "LEAST_REQUEST"}}, "least_outstanding_requests"),
    ({"loadBalancer": {"simple": "RANDOM"}}, "weighted_random"),
    ({"loadBalancer": {"simple": "PASSTHROUGH"}}, "round_robin"),
    ({"connectionPool": {"tcp": {"maxConnections": 10}}}, "round_robin"),
])
def test_the_target_groups_algorithm(policy: dict[str, Any] | None, expected: str) -> None:
    backend = {"service": "web", "namespace": "shop", "port": 8080}
    if policy:
        backend["trafficPolicy"] = policy
    assert algorithm(Backend.model_validate(backend)) == expected


def _standalone(routes: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    """alb_stack standalone with `routes` on its host; `section__key=value` sets a key of a
    section (`alb__…` of aws.alb), `section=value` a whole section."""
    data = alb_stack("standalone")
    if routes is not None:
        data["routing"]["hosts"][0]["routes"] = routes
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if not name:
            data[key] = copy.deepcopy(value)
            continue
        target = data[section] if section != "alb" else data["aws"]["alb"]
        target[name] = copy.deepcopy(value)
    return data


_BACKENDS = {
    "web": {"service": "web", "namespace": "shop", "port": 8080},
    "api": {"service": "api", "namespace": "shop", "port": 9090},
    "other": {"service": "other", "namespace": "other", "port": 8080},
    "spare": {"service": "spare", "namespace": "shop", "port": 8080},
}


def _many_rules(count: int) -> dict[str, Any]:
    return _standalone([{"name": "many", "match": [{"uri": {"exact": f"/{i}"}}
                                                  for i in range(count)], "to": [WEB]}])


CASES: dict[str, dict[str, Any]] = {
    "tls-routes": _standalone(routing__hosts=[{
        "host": HOST, "routes": [{"name": "web", "to": [WEB]}],
        "tlsRoutes": [{"name": "db", "sniHosts": [HOST], "to": [WEB]}]}]),
    "route-refusals-by-path": _standalone(routing__hosts=[
        {"host": "a.example.com", "routes": [{"name": "web", "to": [WEB]}]},
        {"host": HOST, "routes": [{"name": "ok", "match": [{"uri": {"prefix": "/ok"}}],
                                   "to": [WEB]},
                                  {"name": "bad", "match": [{"method": {"exact": "get"}}],
                                   "to": [WEB], "timeout": "5s"}]}],
        listeners=[{**HTTP, "hosts": ["a.example.com", HOST]}]),
    "alb-backends-naming-nothing": _standalone(
        routing__backends={"web": _BACKENDS["web"], "spare": _BACKENDS["spare"]},
        alb__backends={"web": {}, "ghost": {}, "alpha": {}}),
    "alb-backends-and-no-routing-backends": _standalone(
        [{"name": "r", "redirect": {"uri": "/elsewhere"}}],
        routing__backends={}, alb__backends={"ghost": {}}),
    "five-condition-values-on-any-host": _standalone(
        routing__hosts=[{"host": "*", "routes": [{"name": "any", "match": [{
            "uri": {"prefix": "/"}, "method": {"exact": "GET"},
            "headers": {"x-a": {"exact": "1"}, "x-b": {"exact": "2"},
                        "x-c": {"exact": "3"}}}], "to": [WEB]}]}],
        listeners=[{**HTTP, "hosts": ["*"], "allowAnyHost": True},
                   {"name": "https-acm", "port": 443, "protocol": "HTTPS", "hosts": ["*"],
                    "allowAnyHost": True, "tls": {"certificate": "edge-acm"}}]),
    "backend-pool-policy-only": _standalone(routing__backends={"web": {
        **_BACKENDS["web"], "trafficPolicy": {"outlierDetection": {
            "consecutive5xxErrors": 5}}}}),
    "no-security-section": _standalone(security=None),
    "backend-policies-the-alb-ignores": _standalone(routing__backends={"web": {
        **_BACKENDS["web"], "trafficPolicy": {
            "loadBalancer": {"hashHeader": "x-user"},
            "connectionPool": {"tcp": {"maxConnections": 10}},
            "outlierDetection": {"consecutive5xxErrors": 5},
            "tls": {"mode": "SIMPLE"}}}}),
    "backend-failover": _standalone(routing__backends={"web": {
        **_BACKENDS["web"], "trafficPolicy": {"loadBalancer": {
            "simple": "LEAST_REQUEST", "failover": [{"from": "eu-west-1", "to": "eu-west-2"}]}}}}),
    "backend-hash": _standalone(routing__backends={"web": {
        **_BACKENDS["web"], "trafficPolicy": {"loadBalancer": {"hashSourceIp": True}}}}),
    "plaintext-ports-not-permissive": _standalone(
        [{"name": "a", "match": [{"uri": {"prefix": "/a"}}], "to": [{"backend": "api"}]},
         {"name": "o", "match": [{"uri": {"prefix": "/o"}}], "to": [{"backend": "other"}]},
         {"name": "w", "to": [WEB]}],
        routing__backends=_BACKENDS, alb__backends={"web": {"targetPort": 8081}}),
    "target-port-permissive": _standalone(
        routing__backends=_BACKENDS, alb__backends={"web": {"targetPort": 9090}},
        security__standalonePorts=[{"namespace": "shop", "selector": {"app": "web"},
                                    "ports": [9090]}]),
    "split-across-protocol-versions": _standalone(
        [{"name": "w", "to": [{"backend": "web", "weight": 50},
                              {"backend": "api", "weight": 50}]}],
        routing__backends=_BACKENDS, alb__backends={"api": {"protocolVersion": "GRPC"}},
        security__standalonePorts=[{"namespace": "shop", "selector": {"app": "web"},
                                    "ports": [8080, 9090]}]),
    "http2-behind-plain-http": _standalone(
        [{"name": "w", "to": [WEB]}],
        alb__backends={"web": {"protocolVersion": "HTTP2"}},
        listeners=[{**HTTP, "httpsRedirect": False},
                   {"name": "other", "port": 8080, "protocol": "HTTP",
                    "hosts": ["*.example.com"]},
                   {"name": "elsewhere", "port": 8081, "protocol": "HTTP",
                    "hosts": ["other.example.org"]},
                   {"name": "https-acm", "port": 443, "protocol": "HTTPS",
                    "hosts": [HOST], "tls": {"certificate": "edge-acm"}}]),
    "http2-behind-redirecting-http": _standalone(
        [{"name": "w", "to": [WEB]}], alb__backends={"web": {"protocolVersion": "HTTP2"}}),
    "500-rules-on-a-listener": _many_rules(500),
    "501-rules-on-a-listener": _many_rules(501),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'tls-routes': [('routing.hosts[shop.example.com].tlsRoutes',
                 'shop.example.com',
                 'tlsRoutes need a TLS (PASSTHROUGH) listener serving this host'),
                ('routing.hosts[shop.example.com].tlsRoutes',
                 ['db'],
                 'an ALB cannot route TLS by SNI without terminating it; use topology '
                 'gateway')],
 'route-refusals-by-path': [('listeners',
                             ['http'],
                             'topology standalone on EKS serves clients through an ALB, which '
                             'needs an HTTPS listener with an ACM certificate; add one '
                             '(certificates with source acm)'),
                            ('routing.hosts[shop.example.com].routes[bad].timeout',
                             'set',
                             "an ALB cannot time out one route (only the load balancer's idle "
                             'timeout applies); remove it, or use topology chained, where the '
                             'Istio gateway routes'),
                            ('routing.hosts[shop.example.com].routes[bad].match[0].method',
                             {'exact': 'get'},
                             'an ALB matches one exact method in capitals, such as GET; use '
                             'exact')],
 'alb-backends-naming-nothing': [('aws.alb.backends.alpha',
                                  'alpha',
                                  'names no entry of routing.backends (spare, web)'),
                                 ('aws.alb.backends.ghost',
                                  'ghost',
                                  'names no entry of routing.backends (spare, web)')],
 'alb-backends-and-no-routing-backends': [('aws.alb.backends.ghost',
                                           'ghost',
                                           'names no entry of routing.backends (none '
                                           'declared)')],
 'five-condition-values-on-any-host': [('listeners[https-acm].hosts',
                                        '*',
                                        'is not covered by certificate edge-acm (dnsNames '
                                        "['shop.example.com']); add it to the certificate's "
                                        'dnsNames')],
 'backend-pool-policy-only': [('routing.backends.web.trafficPolicy',
                               'outlier_detection',
                               'DestinationRule policies apply to mesh clients, and the ALB '
                               "is not one: it would never apply to the ALB's traffic; remove "
                               'it')],
 'no-security-section': [('routing.backends.web',
                          'shop/web:8080',
                          'the ALB sends plaintext to port 8080 of these pods (it cannot '
                          'present a mesh certificate), so STRICT mTLS, set in the namespace '
                          'or mesh-wide, would refuse every request; list the pods and port '
                          'under security.standalonePorts (PERMISSIVE there only), or set '
                          'aws.alb.backends.web.targetPort if the container port differs')],
 'backend-policies-the-alb-ignores': [('routing.backends.web.trafficPolicy.loadBalancer',
                                       {'hashHeader': 'x-user'},
                                       'an ALB target group balances with simple ROUND_ROBIN, '
                                       'LEAST_REQUEST or RANDOM only (no hashing, passthrough '
                                       'or failover)'),
                                      ('routing.backends.web.trafficPolicy',
                                       'connection_pool',
                                       'DestinationRule policies apply to mesh clients, and '
                                       "the ALB is not one: it would never apply to the ALB's "
                                       'traffic; remove it'),
                                      ('routing.backends.web.trafficPolicy',
                                       'outlier_detection',
                                       'DestinationRule policies apply to mesh clients, and '
                                       "the ALB is not one: it would never apply to the ALB's "
                                       'traffic; remove it'),
                                      ('routing.backends.web.trafficPolicy',
                                       'tls',
                                       'DestinationRule policies apply to mesh clients, and '
                                       "the ALB is not one: it would never apply to the ALB's "
                                       'traffic; remove it')],
 'backend-failover': [('routing.backends.web.trafficPolicy.loadBalancer',
                       {'simple': 'LEAST_REQUEST',
                        'failover': [{'from': 'eu-west-1', 'to': 'eu-west-2'}]},
                       'an ALB target group balances with simple ROUND_ROBIN, LEAST_REQUEST '
                       'or RANDOM only (no hashing, passthrough or failover)')],
 'backend-hash': [('routing.backends.web.trafficPolicy.loadBalancer',
                   {'hashSourceIp': True},
                   'an ALB target group balances with simple ROUND_ROBIN, LEAST_REQUEST or '
                   'RANDOM only (no hashing, passthrough or failover)')],
 'plaintext-ports-not-permissive': [('routing.backends.api',
                                     'shop/api:9090',
                                     'the ALB sends plaintext to port 9090 of these pods (it '
                                     'cannot present a mesh certificate), so STRICT mTLS, set '
                                     'in the namespace or mesh-wide, would refuse every '
                                     'request; list the pods and port under '
                                     'security.standalonePorts (PERMISSIVE there only), or '
                                     'set aws.alb.backends.api.targetPort if the container '
                                     'port differs'),
                                    ('routing.backends.other',
                                     'other/other:8080',
                                     'the ALB sends plaintext to port 8080 of these pods (it '
                                     'cannot present a mesh certificate), so STRICT mTLS, set '
                                     'in the namespace or mesh-wide, would refuse every '
                                     'request; list the pods and port under '
                                     'security.standalonePorts (PERMISSIVE there only), or '
                                     'set aws.alb.backends.other.targetPort if the container '
                                     'port differs'),
                                    ('routing.backends.web',
                                     'shop/web:8081',
                                     'the ALB sends plaintext to port 8081 of these pods (it '
                                     'cannot present a mesh certificate), so STRICT mTLS, set '
                                     'in the namespace or mesh-wide, would refuse every '
                                     'request; list the pods and port under '
                                     'security.standalonePorts (PERMISSIVE there only), or '
                                     'set aws.alb.backends.web.targetPort if the container '
                                     'port differs')],
 'target-port-permissive': [],
 'split-across-protocol-versions': [('routing.hosts[shop.example.com].routes[w].to',
                                     {'web': 'HTTP1', 'api': 'GRPC'},
                                     'splits one request stream across target groups of '
                                     'different protocol versions, and a request fails in '
                                     "every group but its own kind's (gRPC in GRPC, HTTP/1.1 "
                                     'in HTTP1); split between backends of one '
                                     'aws.alb.backends.<b>.protocolVersion (EDGE-PR-ALB)')],
 'http2-behind-plain-http': [('routing.hosts[shop.example.com].routes[w].to',
                              ['web'],
                              'listeners[http] (http :80 HTTP) serves this host without '
                              'redirecting to HTTPS, and AWS accepts target groups of '
                              'protocolVersion HTTP2 behind HTTPS listeners only; let it '
                              'redirect (serve the host on an HTTPS listener, httpsRedirect '
                              'not false), or use protocolVersion HTTP1 (EDGE-PR-ALB)'),
                             ('routing.hosts[shop.example.com].routes[w].to',
                              ['web'],
                              'listeners[other] (other :8080 HTTP) serves this host without '
                              'redirecting to HTTPS, and AWS accepts target groups of '
                              'protocolVersion HTTP2 behind HTTPS listeners only; let it '
                              'redirect (serve the host on an HTTPS listener, httpsRedirect '
                              'not false), or use protocolVersion HTTP1 (EDGE-PR-ALB)')],
 'http2-behind-redirecting-http': [],
 '500-rules-on-a-listener': [],
 '501-rules-on-a-listener': [('routing.hosts',
                              '501 rules on port 443',
                              'an ALB listener takes at most 500 rules here (priorities '
                              "1-50000 in slots of 100; AWS's default quota is 100 rules per "
                              'load balancer); route fewer paths on port 443 '
                              '(EDGE-CH-ALB-RULES)')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_standalone_refusal_names_its_path_and_fix(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]
