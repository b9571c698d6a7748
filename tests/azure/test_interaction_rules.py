"""ingresslib.azure.interaction_rules: the public entry point's settings on the hop behind
Application Gateway or Application Gateway for Containers (EDGE-HOP-AZURE), and long-lived
routes in standalone without the timeout that bounds them (EDGE-TO-LONG), each refused with
its path, value and fix; the neighbouring settings accepted."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.configs import agc_stack, aks_stack
from tests.shared import refusals

SB = "service.beta.kubernetes.io/"
PUBLIC = {f"{SB}azure-pip-name": "pip", f"{SB}azure-dns-label-name": "shop",
          f"{SB}azure-allowed-service-tags": "Internet",
          f"{SB}azure-allowed-ip-ranges": "1.2.3.4/32",
          f"{SB}azure-load-balancer-internal": "true", "example.com/team": "edge"}
RANGES = ["203.0.113.0/24"]


def _with(data: dict[str, Any], **sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data.update(copy.deepcopy(sections))
    return data


def _long_lived(data: dict[str, Any], timeout: str | None) -> dict[str, Any]:
    data = copy.deepcopy(data)
    routes = data["routing"]["hosts"][0]["routes"]
    routes.insert(0, {"name": "ws", "match": [{"uri": {"prefix": "/ws"}}],
                      "to": copy.deepcopy(routes[-1]["to"]), "longLived": True}
                  | ({"timeout": timeout} if timeout else {}))
    routes.insert(0, {"name": "sse", "match": [{"uri": {"prefix": "/sse"}}],
                      "to": copy.deepcopy(routes[-1]["to"]), "longLived": True,
                      "timeout": "60s"})
    return data


CASES: dict[str, dict[str, Any]] = {
    "chained-source-ranges": _with(aks_stack("chained"), gateway={"service": {
        "loadBalancerSourceRanges": RANGES}}),
    "chained-public-annotations": _with(aks_stack("chained"), gateway={"service": {
        "annotations": PUBLIC}}),
    "agc-chained-public-annotations-and-ranges": _with(agc_stack("chained"), gateway={
        "service": {"annotations": PUBLIC, "loadBalancerSourceRanges": RANGES}}),
    "gateway-public-annotations-and-ranges": _with(aks_stack(), gateway={"service": {
        "annotations": {"example.com/team": "edge"}, "loadBalancerSourceRanges": RANGES}}),
    "agic-long-lived-without-timeout": _long_lived(aks_stack("standalone"), None),
    "agic-long-lived-with-timeout": _long_lived(aks_stack("standalone"), "600s"),
    "agc-long-lived-without-timeout": _long_lived(agc_stack("standalone"), None),
}

# <EXPECTED>
EXPECTED: dict[str, Any] = {'chained-source-ranges': [('gateway.service.loadBalancerSourceRanges',
                            ['203.0.113.0/24'],
                            'in topology chained Application Gateway is the public entry '
                            'point and the gateway sits behind an internal load balancer only '
                            'it reaches, from azure.applicationGateway.subnetId: these client '
                            'ranges would deny Application Gateway itself (every request a '
                            '502). Restrict clients with WAF custom rules, or with '
                            'security.authorization clientCidrs (the gateway reads the client '
                            'from X-Forwarded-For), and remove them (EDGE-HOP-AZURE)')],
 'chained-public-annotations': [('gateway.service.annotations.service.beta.kubernetes.io/azure-allowed-ip-ranges',  # noqa: E501
                                 '1.2.3.4/32',
                                 'belongs to the public entry point, and in topology chained '
                                 'that is Application Gateway; the gateway sits behind an '
                                 'internal load balancer only it reaches, from '
                                 'azure.applicationGateway.subnetId. Remove it; clients reach '
                                 "the listeners through Application Gateway's address (a "
                                 'stack output) (EDGE-HOP-AZURE)'),
                                ('gateway.service.annotations.service.beta.kubernetes.io/azure-allowed-service-tags',
                                 'Internet',
                                 'belongs to the public entry point, and in topology chained '
                                 'that is Application Gateway; the gateway sits behind an '
                                 'internal load balancer only it reaches, from '
                                 'azure.applicationGateway.subnetId. Remove it; clients reach '
                                 "the listeners through Application Gateway's address (a "
                                 'stack output) (EDGE-HOP-AZURE)'),
                                ('gateway.service.annotations.service.beta.kubernetes.io/azure-dns-label-name',
                                 'shop',
                                 'belongs to the public entry point, and in topology chained '
                                 'that is Application Gateway; the gateway sits behind an '
                                 'internal load balancer only it reaches, from '
                                 'azure.applicationGateway.subnetId. Remove it; clients reach '
                                 "the listeners through Application Gateway's address (a "
                                 'stack output) (EDGE-HOP-AZURE)'),
                                ('gateway.service.annotations.service.beta.kubernetes.io/azure-load-balancer-internal',
                                 'true',
                                 'belongs to the public entry point, and in topology chained '
                                 'that is Application Gateway; the gateway sits behind an '
                                 'internal load balancer only it reaches, from '
                                 'azure.applicationGateway.subnetId. Remove it; clients reach '
                                 "the listeners through Application Gateway's address (a "
                                 'stack output) (EDGE-HOP-AZURE)'),
                                ('gateway.service.annotations.service.beta.kubernetes.io/azure-pip-name',
                                 'pip',
                                 'belongs to the public entry point, and in topology chained '
                                 'that is Application Gateway; the gateway sits behind an '
                                 'internal load balancer only it reaches, from '
                                 'azure.applicationGateway.subnetId. Remove it; clients reach '
                                 "the listeners through Application Gateway's address (a "
                                 'stack output) (EDGE-HOP-AZURE)'),
                                ('gateway.service.annotations.service.beta.kubernetes.io/azure-load-balancer-internal',
                                 'true',
                                 'ingresslib writes it from loadBalancer.scheme; set that and '
                                 'remove the annotation (EDGE-MSG-KEY)')],
 'agc-chained-public-annotations-and-ranges': [('gateway.service.annotations.service.beta.kubernetes.io/azure-allowed-ip-ranges',  # noqa: E501
                                                '1.2.3.4/32',
                                                'belongs to the public entry point, and in '
                                                'topology chained that is Application Gateway '
                                                'for Containers; the gateway sits behind a '
                                                'ClusterIP only it reaches. Remove it; '
                                                'clients reach the listeners through '
                                                "Application Gateway for Containers's address "
                                                '(a stack output) (EDGE-HOP-AZURE)'),
                                               ('gateway.service.annotations.service.beta.kubernetes.io/azure-allowed-service-tags',
                                                'Internet',
                                                'belongs to the public entry point, and in '
                                                'topology chained that is Application Gateway '
                                                'for Containers; the gateway sits behind a '
                                                'ClusterIP only it reaches. Remove it; '
                                                'clients reach the listeners through '
                                                "Application Gateway for Containers's address "
                                                '(a stack output) (EDGE-HOP-AZURE)'),
                                               ('gateway.service.annotations.service.beta.kubernetes.io/azure-dns-label-name',
                                                'shop',
                                                'belongs to the public entry point, and in '
                                                'topology chained that is Application Gateway '
                                                'for Containers; the gateway sits behind a '
                                                'ClusterIP only it reaches. Remove it; '
                                                'clients reach the listeners through '
                                                "Application Gateway for Containers's address "
                                                '(a stack output) (EDGE-HOP-AZURE)'),
                                               ('gateway.service.annotations.service.beta.kubernetes.io/azure-load-balancer-internal',
                                                'true',
                                                'belongs to the public entry point, and in '
                                                'topology chained that is Application Gateway '
                                                'for Containers; the gateway sits behind a '
                                                'ClusterIP only it reaches. Remove it; '
                                                'clients reach the listeners through '
                                                "Application Gateway for Containers's address "
                                                '(a stack output) (EDGE-HOP-AZURE)'),
                                               ('gateway.service.annotations.service.beta.kubernetes.io/azure-pip-name',
                                                'pip',
                                                'belongs to the public entry point, and in '
                                                'topology chained that is Application Gateway '
                                                'for Containers; the gateway sits behind a '
                                                'ClusterIP only it reaches. Remove it; '
                                                'clients reach the listeners through '
                                                "Application Gateway for Containers's address "
                                                '(a stack output) (EDGE-HOP-AZURE)'),
                                               ('gateway.service.loadBalancerSourceRanges',
                                                ['203.0.113.0/24'],
                                                'only applies to a LoadBalancer Service, and '
                                                'this one is ClusterIP (the default for aks '
                                                'chained); remove it')],
 'gateway-public-annotations-and-ranges': [],
 'agic-long-lived-without-timeout': [('routing.hosts[shop.example.com].routes[ws].timeout',
                                      None,
                                      'Application Gateway ends a long-lived connection (an '
                                      "upgraded WebSocket too) after the route's request "
                                      'timeout, however busy, and without one that is '
                                      'azure.applicationGateway.requestTimeoutSeconds: set '
                                      "this route's timeout to the longest a connection may "
                                      'last (EDGE-TO-LONG)')],
 'agic-long-lived-with-timeout': [],
 'agc-long-lived-without-timeout': [('routing.hosts[shop.example.com].routes[ws].timeout',
                                     None,
                                     'Application Gateway for Containers ends a long-lived '
                                     'connection (an upgraded WebSocket too) after the '
                                     "route's request timeout, however busy, and without one "
                                     'that is '
                                     'azure.applicationGatewayForContainers.requestTimeoutSeconds: '
                                     "set this route's timeout to the longest a connection "
                                     'may last (EDGE-TO-LONG)')]}
# </EXPECTED>


@pytest.mark.parametrize("case", list(CASES))
def test_each_interaction_is_refused_with_its_fix_or_accepted(case: str) -> None:
    assert refusals(CASES[case]) == EXPECTED[case]
