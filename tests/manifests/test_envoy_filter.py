"""manifests/envoy_filter.py: the EnvoyFilter builder and its patches."""

from __future__ import annotations

import pytest

from ingresslib.envoy import EnvoyConfigError
from ingresslib.manifests.envoy_filter import (
    envoy_filter,
    insert_filter,
    patch,
    route_configuration,
    vhost,
)

BAD = patch("ROUTE_CONFIGURATION", route_configuration(80), "MERGE",
            {"request_headers_to_add": [{"no_such_field": 1}]})
GOOD = patch("ROUTE_CONFIGURATION", route_configuration(80), "MERGE",
             {"request_headers_to_add": [{"header": {"key": "x", "value": "y"}}]})


def test_envoy_filter_object() -> None:
    made = envoy_filter("f", "edge", selector={"istio": "edge"}, stack="shop", patches=[GOOD])
    assert made == {
        "apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter",
        "metadata": {"name": "f", "namespace": "edge", "labels": {
            "app.kubernetes.io/managed-by": "ingresslib", "app.kubernetes.io/part-of": "shop"}},
        "spec": {"workloadSelector": {"labels": {"istio": "edge"}}, "configPatches": [GOOD]},
    }


def test_priority_comes_before_the_patches() -> None:
    spec = envoy_filter("f", "edge", selector={}, stack="s", patches=[GOOD], priority=-5)["spec"]
    assert list(spec) == ["workloadSelector", "priority", "configPatches"]
    assert spec["priority"] == -5
    assert envoy_filter("f", "edge", selector={}, stack="s", patches=[], priority=0)[
        "spec"]["priority"] == 0


def test_patch_values_are_checked_unless_told_not_to() -> None:
    with pytest.raises(EnvoyConfigError, match="no_such_field"):
        envoy_filter("f", "edge", selector={}, stack="s", patches=[GOOD, BAD])
    with pytest.raises(EnvoyConfigError):
        envoy_filter("f", "edge", selector={}, stack="s", patches=[BAD], validate=True)
    unchecked = envoy_filter("f", "edge", selector={}, stack="s", patches=[BAD], validate=False)
    assert unchecked["spec"]["configPatches"] == [BAD]


def test_patch_matches_the_gateway_context() -> None:
    assert patch("VIRTUAL_HOST", {"routeConfiguration": {"portNumber": 80}}, "MERGE", {"a": 1}) == {
        "applyTo": "VIRTUAL_HOST",
        "match": {"context": "GATEWAY", "routeConfiguration": {"portNumber": 80}},
        "patch": {"operation": "MERGE", "value": {"a": 1}},
    }


def test_insert_filter_goes_before_the_router() -> None:
    assert insert_filter("envoy.filters.http.x", {"@type": "t"}) == {
        "applyTo": "HTTP_FILTER",
        "match": {"context": "GATEWAY", "listener": {"filterChain": {"filter": {
            "name": "envoy.filters.network.http_connection_manager",
            "subFilter": {"name": "envoy.filters.http.router"}}}}},
        "patch": {"operation": "INSERT_BEFORE",
                  "value": {"name": "envoy.filters.http.x", "typed_config": {"@type": "t"}}},
    }


def test_matches() -> None:
    assert vhost("a.example.com", 443) == {
        "routeConfiguration": {"vhost": {"name": "a.example.com:443"}}}
    assert vhost("a.example.com", 80, "r") == {
        "routeConfiguration": {"vhost": {"name": "a.example.com:80", "route": {"name": "r"}}}}
    assert vhost("a.example.com", 80, "") == {
        "routeConfiguration": {"vhost": {"name": "a.example.com:80", "route": {"name": ""}}}}
    assert route_configuration(8443) == {"routeConfiguration": {"portNumber": 8443}}
