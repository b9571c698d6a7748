"""Gateway API analysis: each code fires on the mistake it names and stays quiet on the
object that avoids it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.errors import ConfigError
from ingresslib.gateway_api_analysis import analyze_gateway_api, hostnames_intersect
from ingresslib.stack.render import check, stack_manifests
from tests.configs import eks_stack, http_listener

GW_API = "gateway.networking.k8s.io/v1"
SVC_HOST = "gw.edge.svc.cluster.local"


def _gateway(*listeners: dict[str, Any], name: str = "gw", address: str | None = SVC_HOST
             ) -> dict[str, Any]:
    spec: dict[str, Any] = {"gatewayClassName": "istio", "listeners": list(listeners)}
    if address:
        spec["addresses"] = [{"type": "Hostname", "value": address}]
    return {"apiVersion": GW_API, "kind": "Gateway",
            "metadata": {"name": name, "namespace": "edge"}, "spec": spec}


def _listener(name: str = "http", hostname: str | None = "a.example.com", port: int = 80,
              protocol: str = "HTTP", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "port": port, "protocol": protocol, **extra}
    if hostname:
        out["hostname"] = hostname
    return out


def _service(name: str = "gw", namespace: str = "edge", ports: tuple[int, ...] = (80, 443)
             ) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": {"app": name},
                     "ports": [{"name": f"p{p}", "port": p} for p in ports]}}


def _route(*rules: dict[str, Any], name: str = "r", namespace: str = "edge",
           hostnames: tuple[str, ...] = ("a.example.com",), section: str | None = "http",
           parent: str = "gw", kind: str = "HTTPRoute") -> dict[str, Any]:
    ref: dict[str, Any] = {"name": parent, "namespace": "edge"}
    if section:
        ref["sectionName"] = section
    spec: dict[str, Any] = {"parentRefs": [ref], "rules": list(rules)}
    if hostnames:
        spec["hostnames"] = list(hostnames)
    return {"apiVersion": GW_API, "kind": kind,
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def _to(name: str = "web", namespace: str | None = None, port: int = 80, **extra: Any
        ) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": name, "port": port, **extra}
    if namespace:
        ref["namespace"] = namespace
    return ref


def _rule(*matches: dict[str, Any], name: str = "x", to: list[dict[str, Any]] | None = None
          ) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": name, "backendRefs": to if to is not None else [_to()]}
    if matches:
        rule["matches"] = list(matches)
    return rule


def _prefix(value: str, **extra: Any) -> dict[str, Any]:
    return {"path": {"type": "PathPrefix", "value": value}, **extra}


def _exact(value: str) -> dict[str, Any]:
    return {"path": {"type": "Exact", "value": value}}


def _grant(namespace: str = "shop", kind: str = "HTTPRoute", to: str | None = "web"
           ) -> dict[str, Any]:
    target: dict[str, Any] = {"group": "", "kind": "Service"}
    if to:
        target["name"] = to
    return {"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
            "metadata": {"name": "g", "namespace": namespace},
            "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": kind,
                               "namespace": "edge"}], "to": [target]}}


BASE = [_gateway(_listener()), _service(), _service("web")]


def _codes(objs: list[dict[str, Any]], **kwargs: Any) -> list[tuple[str, str]]:
    return [(f.code, f.field) for f in analyze_gateway_api(objs, **kwargs)]


def _has(code: str, objs: list[dict[str, Any]], **kwargs: Any) -> list[str]:
    return [field for c, field in _codes(objs, **kwargs) if c == code]


def test_a_clean_stack_has_no_finding() -> None:
    assert _codes([*BASE, _route(_rule(_prefix("/")))], credentials=set(),
                  known_services=set()) == []


# GWAPI0001 ------------------------------------------------------------------------------


def test_gwapi0001_parent_and_section_must_resolve() -> None:
    assert _has("GWAPI0001", [*BASE, _route(_rule(), parent="nope")]) == [
        "spec.parentRefs[0].name"]
    assert _has("GWAPI0001", [*BASE, _route(_rule(), section="https")]) == [
        "spec.parentRefs[0].sectionName"]
    assert _has("GWAPI0001", [*BASE, _route(_rule(), section="http")]) == []
    assert _has("GWAPI0001", [*BASE, _route(_rule(), section=None)]) == []


# GWAPI0002 ------------------------------------------------------------------------------


def test_gwapi0002_route_and_listener_hostnames_must_intersect() -> None:
    assert _has("GWAPI0002", [*BASE, _route(_rule(), hostnames=("b.example.com",))]) == [
        "spec.parentRefs[0]"]
    wildcard = [_gateway(_listener(hostname="*.example.com")), _service(), _service("web")]
    assert _has("GWAPI0002", [*wildcard, _route(_rule(), hostnames=("x.y.example.com",))]) \
        == []
    assert _has("GWAPI0002", [*BASE, _route(_rule(), hostnames=())]) == []


def test_hostnames_intersect_as_gateway_api_says() -> None:
    assert hostnames_intersect("*.example.com", "a.b.example.com")
    assert not hostnames_intersect("*.example.com", "example.com")
    assert hostnames_intersect("*.example.com", "*.b.example.com")
    assert hostnames_intersect(None, "a.example.com")
    assert not hostnames_intersect("a.example.com", "b.example.com")


# GWAPI0003 ------------------------------------------------------------------------------


def test_gwapi0003_backend_refs_must_resolve() -> None:
    route = _route(_rule(to=[_to("missing")]))
    assert _has("GWAPI0003", [*BASE, route], known_services=set()) == [
        "spec.rules[0].backendRefs[0].name"]
    assert _has("GWAPI0003", [*BASE, route], known_services={("edge", "missing")}) == []
    assert _has("GWAPI0003", [*BASE, _route(_rule(to=[_to(port=81)]))]) == [
        "spec.rules[0].backendRefs[0].port"]
    mirror = _rule(to=[_to()])
    mirror["filters"] = [{"type": "RequestMirror",
                          "requestMirror": {"backendRef": _to("ghost")}}]
    assert _has("GWAPI0003", [*BASE, _route(mirror)], known_services=set()) == [
        "spec.rules[0].filters[0].requestMirror.backendRef.name"]


# GWAPI0004 ------------------------------------------------------------------------------


def test_gwapi0004_cross_namespace_references_need_a_reference_grant() -> None:
    route = _route(_rule(to=[_to("web", "shop")]))
    shop = _service("web", "shop")
    assert _has("GWAPI0004", [*BASE, shop, route]) == ["spec.rules[0].backendRefs[0]"]
    assert _has("GWAPI0004", [*BASE, shop, route, _grant()]) == []
    assert _has("GWAPI0004", [*BASE, shop, route, _grant(to=None)]) == []
    assert _has("GWAPI0004", [*BASE, shop, route, _grant(kind="GRPCRoute")]) == [
        "spec.rules[0].backendRefs[0]"]
    assert _has("GWAPI0004", [*BASE, shop, route, _grant(to="other")]) == [
        "spec.rules[0].backendRefs[0]"]


def test_gwapi0004_certificates_in_another_namespace_need_a_grant() -> None:
    tls = {"mode": "Terminate", "certificateRefs": [{"name": "c", "namespace": "certs"}]}
    gw = _gateway(_listener("https", port=443, protocol="HTTPS", tls=tls))
    assert _has("GWAPI0004", [gw, _service()]) == [
        "spec.listeners[0].tls.certificateRefs[0]"]
    grant = {"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
             "metadata": {"name": "g", "namespace": "certs"},
             "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                "namespace": "edge"}],
                      "to": [{"group": "", "kind": "Secret", "name": "c"}]}}
    assert _has("GWAPI0004", [gw, _service(), grant]) == []


# GWAPI0005 ------------------------------------------------------------------------------


def test_gwapi0005_listeners_admit_the_routes_namespace_and_kind() -> None:
    other_ns = _route(_rule(), namespace="team")
    assert _has("GWAPI0005", [*BASE, other_ns]) == ["spec.parentRefs[0]"]
    everyone = _gateway(_listener(allowedRoutes={"namespaces": {"from": "All"}}))
    assert _has("GWAPI0005", [everyone, _service(), other_ns]) == []
    tls_route = _route({"backendRefs": [_to()]}, kind="TLSRoute")
    assert _has("GWAPI0005", [*BASE, tls_route]) == ["spec.parentRefs[0]"]


# GWAPI0006 ------------------------------------------------------------------------------


def test_gwapi0006_all_zero_weights() -> None:
    zero = _route(_rule(to=[_to(weight=0), _to(weight=0)]))
    assert _has("GWAPI0006", [*BASE, zero]) == ["spec.rules[0].backendRefs"]
    canary = _route(_rule(to=[_to(weight=100), _to(weight=0)]))
    assert _has("GWAPI0006", [*BASE, canary]) == []


# GWAPI0007 ------------------------------------------------------------------------------


def test_gwapi0007_a_match_taken_by_one_tried_first_is_unreachable() -> None:
    dup = _route(_rule(_prefix("/api/"), name="a"), _rule(_prefix("/api/"), name="b"))
    assert _has("GWAPI0007", [*BASE, dup]) == ["spec.rules[1].matches[0]"]
    narrower = _route(_rule(_prefix("/api/"), name="a"),
                      _rule(_prefix("/api/", method="GET"), name="b"))
    assert _has("GWAPI0007", [*BASE, narrower]) == []


# GWAPI0008 ------------------------------------------------------------------------------


def test_gwapi0008_precedence_that_reorders_the_configs_routes() -> None:
    moved = _route(_rule(_prefix("/api/"), name="all-api"), _rule(_prefix("/api/v2/"),
                                                                  name="v2"))
    assert _has("GWAPI0008", [*BASE, moved]) == ["spec.rules[1].matches[0]"]
    ordered = _route(_rule(_prefix("/api/v2/"), name="v2"), _rule(_prefix("/api/"),
                                                                  name="all-api"))
    assert _has("GWAPI0008", [*BASE, ordered]) == []
    disjoint = _route(_rule(_prefix("/api/"), name="api"), _rule(_exact("/health"),
                                                                 name="health"))
    assert _has("GWAPI0008", [*BASE, disjoint]) == []


def test_gwapi0008_stops_the_render_of_a_config_gateway_api_would_reorder() -> None:
    data = eks_stack(
        api="gatewayApi", listeners=[http_listener("a.example.com")],
        routing={"backends": {"web": {"service": "web", "namespace": "shop", "port": 80}},
                 "hosts": [{"host": "a.example.com", "routes": [
                     {"name": "docs", "match": [{"uri": {"regex": "/docs/.*"}}],
                      "to": [{"backend": "web"}]},
                     {"name": "web", "to": [{"backend": "web"}]}]}]})
    cfg = parse_config(data)
    with pytest.raises(ConfigError) as err:
        check(cfg, stack_manifests(cfg).all())
    assert [p.code for p in err.value.problems] == ["GWAPI0008"]
    istio = parse_config({**copy.deepcopy(data), "api": "istio"})
    check(istio, stack_manifests(istio).all())  # first match wins there: fine


def test_gwapi0008_an_ignore_case_route_is_told_apart_and_given_a_fix_that_works() -> None:
    """Issue 18 (api translation): `ignoreUriCase` renders a regular expression, which ranks
    after every prefix. A route of another, disjoint prefix was reported as reordering it,
    and the catch-all that does take its requests got the advice to move the route first,
    where it already was."""
    data = eks_stack(
        api="gatewayApi", listeners=[http_listener("a.example.com")],
        routing={"backends": {"web": {"service": "web", "namespace": "shop", "port": 80}},
                 "hosts": [{"host": "a.example.com", "routes": [
                     {"name": "booking", "match": [{"uri": {"prefix": "/booking/"},
                                                    "ignoreUriCase": True}],
                      "to": [{"backend": "web"}]},
                     {"name": "api", "match": [{"uri": {"prefix": "/api/"}}],
                      "to": [{"backend": "web"}]},
                     {"name": "web", "to": [{"backend": "web"}]}]}]})
    cfg = parse_config(data)
    with pytest.raises(ConfigError) as err:
        check(cfg, stack_manifests(cfg).all())
    (problem,) = err.value.problems
    # The finding names the route by the config's path: the HTTPRoute rule carries its name.
    assert problem.path == "routing.hosts[a.example.com].routes[web]"
    assert "of web before booking" in problem.message
    assert "drop ignoreUriCase" in problem.message
    assert "put the more specific route first" not in problem.message
    regex = {"type": "RegularExpression", "value": "(?i)/Booking/.*"}
    assert _has("GWAPI0008", [*BASE, _route(_rule({"path": regex}, name="b"),
                                            _rule(_prefix("/booking/x/"), name="x"))]) == [
        "spec.rules[1].matches[0]"]  # the same prefix, case folded: still reordered


# GWAPI0009 ------------------------------------------------------------------------------


def test_gwapi0009_prefixes_match_whole_segments() -> None:
    assert _codes([*BASE, _route(_rule(_prefix("/api")))]) == [
        ("GWAPI0009", "spec.rules[0].matches[0].path")]
    assert _has("GWAPI0009", [*BASE, _route(_rule(_prefix("/api/")))]) == []


# GWAPI0010 ------------------------------------------------------------------------------


def test_gwapi0010_the_gateway_binds_the_gateway_service_and_its_ports() -> None:
    no_address = _gateway(_listener(), address=None)
    assert [(f.code, f.severity) for f in analyze_gateway_api([no_address])] == [
        ("GWAPI0010", "warning")]
    assert _has("GWAPI0010", [_gateway(_listener())], known_services=set()) == [
        "spec.addresses[0].value"]
    assert _has("GWAPI0010", [_gateway(_listener(port=8080)), _service()]) == [
        "spec.listeners[0].port"]
    assert _has("GWAPI0010", BASE) == []


# GWAPI0011 ------------------------------------------------------------------------------


def test_gwapi0011_certificates_come_from_a_source() -> None:
    tls = {"mode": "Terminate", "certificateRefs": [{"name": "edge-tls"}]}
    gw = _gateway(_listener("https", port=443, protocol="HTTPS", tls=tls))
    assert _has("GWAPI0011", [gw, _service()], credentials=set()) == [
        "spec.listeners[0].tls.certificateRefs[0]"]
    assert _has("GWAPI0011", [gw, _service()], credentials={("edge", "edge-tls")}) == []
    assert _has("GWAPI0011", [gw, _service()]) == []  # unknown sources: not checked


# GWAPI0012 ------------------------------------------------------------------------------


def test_gwapi0012_two_gateways_on_one_service_and_port() -> None:
    rival = _gateway(_listener(hostname="*.example.com"), name="rival")
    assert {f.ref for f in analyze_gateway_api([*BASE, rival]) if f.code == "GWAPI0012"} == {
        "Gateway/edge/gw", "Gateway/edge/rival"}
    apart = _gateway(_listener(hostname="b.example.com"), name="apart")
    assert _has("GWAPI0012", [*BASE, apart]) == []


# GWAPI0013 ------------------------------------------------------------------------------


def test_gwapi0013_ties_across_routes_are_decided_by_creation_time() -> None:
    one = _route(_rule(_prefix("/api/", headers=[{"name": "x", "value": "1"}]), name="a"),
                 name="one")
    two = _route(_rule(_prefix("/api/", headers=[{"name": "y", "value": "2"}]), name="b"),
                 name="two")
    assert _has("GWAPI0013", [*BASE, one, two]) == ["spec.rules[0].matches[0]"]
    other = _route(_rule(_prefix("/web/"), name="b"), name="two")
    assert _has("GWAPI0013", [*BASE, one, other]) == []
