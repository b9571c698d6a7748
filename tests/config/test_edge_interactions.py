"""ingresslib.config.edge_interactions: cloud-agnostic settings that break together, each
refused with its path, value and fix at its boundary and accepted beside it: a public DNS
record on the hop behind an L7 load balancer (EDGE-HOP-DNS), a fail-closed rate limit's
timeout (EDGE-RL-FAIL), a per-try timeout that fills the route's (EDGE-RT-RETRY)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.configs import HOST, aks_stack, alb_stack, routed_nlb_stack
from tests.shared import refusals

DNS = "external-dns.alpha.kubernetes.io/"


def _records(data: dict[str, Any], **annotations: str) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["gateway"] = {"service": {"annotations": {DNS + k: v for k, v in annotations.items()}}}
    return data


def _with_team(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with an annotation that sorts before external-dns's."""
    data["gateway"]["service"]["annotations"]["example.com/team"] = "edge"
    return data


def _rate_limited(**changes: Any) -> dict[str, Any]:
    data = routed_nlb_stack()
    data["rateLimits"] = {"global": {"service": {
        "host": "ratelimit.ratelimit.svc.cluster.local", "port": 8081}, **changes}}
    return data


def _retrying(timeout: str, per_try: str, attempts: int = 2) -> dict[str, Any]:
    return routed_nlb_stack(
        {"name": "first", "match": [{"uri": {"prefix": "/a"}}], "to": [{"backend": "web"}]},
        {"name": "web", "to": [{"backend": "web"}], "timeout": timeout,
         "retries": {"attempts": attempts, "perTryTimeout": per_try}})


_WILD = copy.deepcopy(alb_stack())
_WILD["listeners"][0]["hosts"] = ["*.example.com"]

CASES: dict[str, dict[str, Any]] = {
    "chained-hostname-of-a-listener-host": _records(
        alb_stack(), hostname=f"internal.example.org, ,{HOST}"),
    "chained-hostname-private": _records(alb_stack(), hostname="gw.internal.example.org"),
    "chained-hostname-under-a-wildcard-listener": _records(_WILD, hostname="a.example.com"),
    "chained-hostname-wildcard-over-a-listener-host": _records(
        alb_stack(), hostname="*.example.com"),
    "chained-target": _records(alb_stack(), target="10.0.0.1"),
    "chained-other-annotation": _records(alb_stack(), ttl="60"),
    "chained-hostname-after-another-annotation": _with_team(_records(alb_stack(),
                                                                     hostname=HOST)),
    "aks-chained-hostname": _records(aks_stack("chained"), hostname=HOST),
    "gateway-hostname": _records(routed_nlb_stack(), hostname=HOST),
    "fail-closed-99ms": _rate_limited(failureModeDeny=True, timeout="99ms"),
    "fail-closed-100ms": _rate_limited(failureModeDeny=True, timeout="100ms"),
    "fail-open-20ms": _rate_limited(failureModeDeny=False, timeout="20ms"),
    "per-try-as-long-as-the-route": _retrying("3s", "3000ms"),
    "per-try-longer-than-the-route": _retrying("3s", "4s", attempts=3),
    "per-try-shorter-than-the-route": _retrying("3s", "2999ms"),
    "per-try-without-attempts": _retrying("3s", "3s", attempts=0),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'chained-hostname-of-a-listener-host': [('gateway.service.annotations.external-dns.alpha.kubernetes.io/hostname',  # noqa: E501
                                          'internal.example.org, ,shop.example.com',
                                          'in topology chained the public entry point is the '
                                          'L7 load balancer in front of the gateway; this '
                                          "record would send the listeners' clients to the "
                                          'hop behind it, which only the load balancer '
                                          "reaches. Point the listener hosts' records at the "
                                          'load balancer (its address is a stack output) and '
                                          'remove it, or name a private host here '
                                          '(EDGE-HOP-DNS)')],
 'chained-hostname-private': [],
 'chained-hostname-under-a-wildcard-listener': [('gateway.service.annotations.external-dns.alpha.kubernetes.io/hostname',  # noqa: E501
                                                 'a.example.com',
                                                 'in topology chained the public entry point '
                                                 'is the L7 load balancer in front of the '
                                                 'gateway; this record would send the '
                                                 "listeners' clients to the hop behind it, "
                                                 'which only the load balancer reaches. Point '
                                                 "the listener hosts' records at the load "
                                                 'balancer (its address is a stack output) '
                                                 'and remove it, or name a private host here '
                                                 '(EDGE-HOP-DNS)')],
 'chained-hostname-wildcard-over-a-listener-host': [('gateway.service.annotations.external-dns.alpha.kubernetes.io/hostname',  # noqa: E501
                                                     '*.example.com',
                                                     'in topology chained the public entry '
                                                     'point is the L7 load balancer in front '
                                                     'of the gateway; this record would send '
                                                     "the listeners' clients to the hop "
                                                     'behind it, which only the load balancer '
                                                     "reaches. Point the listener hosts' "
                                                     'records at the load balancer (its '
                                                     'address is a stack output) and remove '
                                                     'it, or name a private host here '
                                                     '(EDGE-HOP-DNS)')],
 'chained-target': [('gateway.service.annotations.external-dns.alpha.kubernetes.io/target',
                     '10.0.0.1',
                     'in topology chained the public entry point is the L7 load balancer in '
                     "front of the gateway; this record would send the listeners' clients to "
                     'the hop behind it, which only the load balancer reaches. Point the '
                     "listener hosts' records at the load balancer (its address is a stack "
                     'output) and remove it, or name a private host here (EDGE-HOP-DNS)')],
 'chained-other-annotation': [],
 'chained-hostname-after-another-annotation': [('gateway.service.annotations.external-dns.alpha.kubernetes.io/hostname',  # noqa: E501
                                                'shop.example.com',
                                                'in topology chained the public entry point '
                                                'is the L7 load balancer in front of the '
                                                'gateway; this record would send the '
                                                "listeners' clients to the hop behind it, "
                                                'which only the load balancer reaches. Point '
                                                "the listener hosts' records at the load "
                                                'balancer (its address is a stack output) and '
                                                'remove it, or name a private host here '
                                                '(EDGE-HOP-DNS)')],
 'aks-chained-hostname': [('gateway.service.annotations.external-dns.alpha.kubernetes.io/hostname',
                           'shop.example.com',
                           'in topology chained the public entry point is the L7 load '
                           'balancer in front of the gateway; this record would send the '
                           "listeners' clients to the hop behind it, which only the load "
                           "balancer reaches. Point the listener hosts' records at the load "
                           'balancer (its address is a stack output) and remove it, or name a '
                           'private host here (EDGE-HOP-DNS)')],
 'gateway-hostname': [],
 'fail-closed-99ms': [('rateLimits.global.timeout',
                       '99ms',
                       'with failureModeDeny: true the gateway answers 500 to every request '
                       'whose call to the ratelimit service takes longer than this, so one '
                       'slow call (a Redis failover, a cross-zone hop) fails requests; use at '
                       'least 100ms, or failureModeDeny: false to let requests through while '
                       'the service is slow (EDGE-RL-FAIL)')],
 'fail-closed-100ms': [],
 'fail-open-20ms': [],
 'per-try-as-long-as-the-route': [('routing.hosts[shop.example.com].routes[web].retries.perTryTimeout',  # noqa: E501
                                   '3000ms',
                                   "the route's timeout (3s) bounds all tries, so a first try "
                                   'that may last this long leaves no time for the 2 retries; '
                                   'use a perTryTimeout shorter than the timeout (at most '
                                   'timeout / (attempts + 1) for every retry to run) '
                                   '(EDGE-RT-RETRY)')],
 'per-try-longer-than-the-route': [('routing.hosts[shop.example.com].routes[web].retries.perTryTimeout',  # noqa: E501
                                    '4s',
                                    "the route's timeout (3s) bounds all tries, so a first "
                                    'try that may last this long leaves no time for the 3 '
                                    'retries; use a perTryTimeout shorter than the timeout '
                                    '(at most timeout / (attempts + 1) for every retry to '
                                    'run) (EDGE-RT-RETRY)')],
 'per-try-shorter-than-the-route': [],
 'per-try-without-attempts': []}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_interaction_is_refused_at_its_boundary_or_accepted(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]
