"""The harness validates Gateway API objects as an API server with the v1.6.1 CRDs would:
defaults applied before the CEL rules, properties escaped as Kubernetes' CEL names them, the
channel's schema strict, and Kubernetes' library functions the rules call."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.harness.shared import require_shared
from tests.harness.validate import ManifestValidator, apply_defaults, cel_property

ROUTE: dict[str, Any] = {
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
    "metadata": {"name": "r", "namespace": "edge"},
    "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["a.example.com"],
             "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]},
}


@pytest.fixture(scope="module")
def standard() -> ManifestValidator:
    return ManifestValidator(require_shared())


@pytest.fixture(scope="module")
def experimental() -> ManifestValidator:
    return ManifestValidator(require_shared(), gateway_api_channel="experimental")


def _route(**spec: Any) -> dict[str, Any]:
    route = copy.deepcopy(ROUTE)
    route["spec"].update(spec)
    return route


def test_a_minimal_route_is_valid_once_defaulted(standard) -> None:
    """`Must have port for Service reference` reads backendRef.kind, which only defaulting
    sets: the rule holds on the defaulted object."""
    assert standard.errors(ROUTE) == []


def test_defaults_fill_absent_fields_top_down() -> None:
    schema = {"type": "object", "properties": {
        "ref": {"type": "object", "default": {},
                "properties": {"kind": {"type": "string", "default": "Service"},
                               "group": {"type": "string", "default": ""}}}}}
    assert apply_defaults(schema, {}) == {"ref": {"kind": "Service", "group": ""}}
    assert apply_defaults(schema, {"ref": {"kind": "X"}}) == {"ref": {"kind": "X", "group": ""}}


def test_cel_rules_fail_with_their_message(standard) -> None:
    route = _route(rules=[{"backendRefs": [{"name": "web"}]}])
    assert any("Must have port for Service reference" in e for e in standard.errors(route))
    redirect = _route(rules=[{
        "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}],
        "backendRefs": [{"name": "web", "port": 80}]}])
    assert any("must not be used together with backendRefs" in e
               for e in standard.errors(redirect))


def test_escaped_properties_reach_the_rules(standard) -> None:
    """The parentRefs rule reads `p.__namespace__`: two refs to one Gateway in different
    namespaces are different parents, and the same namespace twice is a duplicate."""
    assert cel_property("namespace") == "__namespace__"
    assert cel_property("x-y.z") == "x__dash__y__dot__z"
    two = _route(parentRefs=[{"name": "gw", "namespace": "a", "sectionName": "s"},
                             {"name": "gw", "namespace": "b", "sectionName": "s"}])
    assert standard.errors(two) == []
    same = _route(parentRefs=[{"name": "gw", "namespace": "a", "sectionName": "s"},
                              {"name": "gw", "namespace": "a", "sectionName": "s"}])
    assert any("must be unique" in e for e in standard.errors(same))


def test_the_channel_decides_which_fields_exist(standard, experimental) -> None:
    retry = _route(rules=[{"backendRefs": [{"name": "web", "port": 80}],
                           "retry": {"attempts": 2}}])
    assert any("'retry' was unexpected" in e for e in standard.errors(retry))
    assert experimental.errors(retry) == []


def test_kubernetes_cel_functions(standard) -> None:
    """isIP (TLSRoute hostnames) and split (Gateway infrastructure annotations)."""
    tls = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "TLSRoute",
           "metadata": {"name": "t", "namespace": "edge"},
           "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["10.0.0.1"],
                    "rules": [{"backendRefs": [{"name": "db", "port": 5432}]}]}}
    assert any("cannot contain an IP" in e for e in standard.errors(tls))
    tls["spec"]["hostnames"] = ["db.example.com"]
    assert standard.errors(tls) == []
    gw = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
          "metadata": {"name": "gw", "namespace": "edge"},
          "spec": {"gatewayClassName": "istio",
                   "infrastructure": {"annotations": {"example.com/a": "1"}},
                   "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}}
    assert standard.errors(gw) == []


def test_unknown_fields_and_unknown_kinds_are_errors(standard) -> None:
    assert any("'color' was unexpected" in e
               for e in standard.errors(_route(color="blue")))
    mesh = {"apiVersion": "gateway.networking.x-k8s.io/v1alpha1", "kind": "XMesh",
            "metadata": {"name": "m"}, "spec": {"controllerName": "example.com/mesh"}}
    assert any("standard channel" in e for e in standard.errors(mesh))


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="gateway_api_channel"):
        ManifestValidator(require_shared(), gateway_api_channel="beta")
