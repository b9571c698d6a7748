"""Public failure reports replayed as a new user would write them on ingresslib (issue 18's
sweep, areas of interactions-a): each is refused with its ING-IX rule, or renders so that it
works. docs/interaction-sweep-a.md lists the verdicts and links each report. Each config is
the report's, written out literally (or issue 18's input HTTP01 or CANARY from tests/configs.py
with the report's change), not built from the stack builders.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.config.acme import CHALLENGE_PREFIX
from ingresslib.errors import ConfigError
from ingresslib.stack.render import check, stack_manifests
from tests.configs import CANARY, HTTP01
from tests.shared import served_on_80

JWT = [{"issuer": "https://login.example.com/", "audiences": ["api"],
        "jwksUri": "https://login.example.com/jwks.json"}]
ADDON_AZURE = {"location": "westeurope", "resourceGroup": "edge",
               "cluster": {"name": "aks", "resourceGroup": "aks"},
               "istioAddon": {"revision": "asm-1-26"}}


def _set(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out.update(copy.deepcopy(changes))
    return out


def _route(host: str, backend: str = "app", **route: Any) -> dict[str, Any]:
    return {"host": host, "routes": [{"name": "web", "to": [{"backend": backend}], **route}]}


def _http(*hosts: str) -> dict[str, Any]:
    return {"name": "http", "port": 80, "protocol": "HTTP", "hosts": list(hosts)}


def _backend(name: str = "app", **extra: Any) -> dict[str, Any]:
    return {name: {"service": name, "namespace": "apps", "port": 8080, **extra}}


# Each case: report, config, the ING-IX code it is refused with (None: it renders).
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    # A Helm-installed gateway is labelled istio: <release> (istio: ingress), which Istio's
    # Ingress support does not serve.
    ("istio/istio#37329", _set(HTTP01, gateway={"labels": {"istio": "ingress"}}),
     "ING-IX-ACME-INGRESS"),
    # Custom gateway label, solver class istio.
    ("cert-manager/cert-manager#3429",
     _set(HTTP01, gateway={"labels": {"istio": "fed-grafana-ingressgateway"}}),
     "ING-IX-ACME-INGRESS"),
    # The AKS add-on's gateway serves no Ingress.
    ("Azure/AKS#4075", _set(HTTP01, cloud="aks", azure=ADDON_AZURE), "ING-IX-ACME-INGRESS"),
    # Sticky sessions and a weighted split between subsets.
    ("istio/istio#9764", CANARY, "ING-IX-HASH-SPLIT"),
    ("istio/istio#17181", _set(CANARY, routing={
        "backends": _backend("trader", subsets={"v1": {"version": "v1"},
                                                "v2": {"version": "v2"}},
                             trafficPolicy={"loadBalancer": {"hashCookie": "user",
                                                             "hashCookieTtl": "300s"}}),
        "hosts": [{"host": "shop.example.com", "routes": [{"name": "trade", "to": [
            {"backend": "trader", "subset": "v1", "weight": 50},
            {"backend": "trader", "subset": "v2", "weight": 50}]}]}]}),
     "ING-IX-HASH-SPLIT"),
    ("fluxcd/flagger#7", _set(CANARY, routing={
        "backends": _backend("podinfo", subsets={"primary": {"role": "primary"},
                                                 "canary": {"role": "canary"}},
                             trafficPolicy={"loadBalancer": {"hashCookie": "istiouser",
                                                             "hashCookieTtl": "30s"}}),
        "hosts": [{"host": "shop.example.com", "routes": [{"name": "podinfo", "to": [
            {"backend": "podinfo", "subset": "primary", "weight": 90},
            {"backend": "podinfo", "subset": "canary", "weight": 10}]}]}]}),
     "ING-IX-HASH-SPLIT"),
    # CORS on routes matched by method.
    ("kgateway-dev/kgateway#3774", {
        "cloud": "eks", "listeners": [_http("api.example.com")],
        "routing": {"backends": _backend("httpbin"), "hosts": [{
            "host": "api.example.com", "routes": [{
                "name": "httpbin",
                "match": [{"uri": {"prefix": "/httpbin"}, "method": {"regex": "GET|POST"}}],
                "cors": {"allowOrigins": [{"exact": "https://solo.io"}],
                         "allowMethods": ["GET", "POST", "OPTIONS"]},
                "to": [{"backend": "httpbin"}]}]}]}},
     "ING-IX-CORS-PREFLIGHT"),
    # CORS behind a rule that needs a token: authorization runs before CORS.
    ("istio/istio#45716", {
        "cloud": "eks", "listeners": [_http("api.example.com")],
        "routing": {"backends": _backend(), "hosts": [_route(
            "api.example.com", cors={"allowOrigins": [{"exact": "https://app.example.com"}]})]},
        "security": {"jwt": JWT, "authorization": [
            {"name": "require-token", "action": "ALLOW", "hosts": ["api.example.com"],
             "jwtRequired": True}]}},
     "ING-IX-CORS-PREFLIGHT"),
    ("istio/istio#55318", {
        "cloud": "eks", "listeners": [_http("api.example.com")],
        "routing": {"backends": _backend(), "hosts": [_route(
            "api.example.com", cors={"allowOrigins": [{"prefix": "https://"}]})]},
        "security": {"jwt": JWT, "authorization": [
            {"name": "api-token", "action": "DENY", "jwtRequired": True}]}},
     "ING-IX-CORS-PREFLIGHT"),
    # An ALLOW rule on one host also denies the namespace's other hosts.
    ("istio/istio#24665", {
        "cloud": "eks", "listeners": [_http("demo.example.com", "demo1.example.com")],
        "security": {"authorization": [
            {"name": "demo", "action": "ALLOW", "hosts": ["demo.example.com"],
             "clientCidrs": ["10.0.0.0/8"]}]}},
     "ING-IX-ALLOW-SCOPE"),
    # An ALLOW rule with HTTP fields closes TLS passthrough.
    ("istio/istio#29119", {
        "cloud": "eks",
        "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS",
                       "hosts": ["jenkins.example.com"], "tls": {"certificate": "j"}},
                      {"name": "tls-keycloak", "port": 443, "protocol": "TLS",
                       "hosts": ["keycloak.example.com"], "tls": {"mode": "PASSTHROUGH"}}],
        "certificates": {"j": {"source": "secret", "secretName": "j",
                               "dnsNames": ["jenkins.example.com"]}},
        "security": {"authorization": [
            {"name": "jenkins-ingress-policy", "action": "ALLOW",
             "hosts": ["jenkins.example.com"]}]}},
     "ING-IX-ALLOW-SCOPE"),
    # ignoreUriCase routes and case-sensitive policy paths.
    ("istio/istio#40541", {
        "cloud": "eks", "listeners": [_http("api.example.com")],
        "routing": {"backends": _backend(), "hosts": [{
            "host": "api.example.com", "routes": [{
                "name": "web", "match": [{"uri": {"prefix": "/"}, "ignoreUriCase": True}],
                "to": [{"backend": "app"}]}]}]},
        "security": {"authorization": [
            {"name": "no-internal", "action": "DENY", "paths": ["/internal/*"]}]}},
     "ING-IX-AUTHZ-PATH"),
    ("istio/istio#38139", {
        "cloud": "eks", "listeners": [_http("api.example.com")],
        "routing": {"backends": _backend(), "hosts": [{
            "host": "api.example.com", "routes": [{
                "name": "web", "match": [{"uri": {"prefix": "/api/"}, "ignoreUriCase": True}],
                "to": [{"backend": "app"}]}]}]},
        "security": {"authorization": [
            {"name": "no-internal", "action": "DENY", "paths": ["/api/internal/*"]}]}},
     "ING-IX-AUTHZ-PATH"),
    # A '*' inside a path is literal.
    ("istio/istio#46910", {
        "cloud": "eks", "listeners": [_http("jwt.example.com")],
        "security": {"jwt": JWT, "authorization": [
            {"name": "require-jwt", "action": "DENY", "paths": ["/service/*health"],
             "jwtRequired": True}]}},
     "ING-IX-AUTHZ-PATH"),
]


@pytest.mark.parametrize(("report", "data", "code"), REFUSED, ids=[r for r, _, _ in REFUSED])
def test_report_is_refused_with_its_rule(report: str, data: dict[str, Any], code: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert any(code in p.message for p in err.value.problems), (report, err.value)


def _objects(data: dict[str, Any]) -> list[dict[str, Any]]:
    cfg = parse_config(data)
    objs = stack_manifests(cfg).all()
    check(cfg, objs)
    return objs


def test_istio_27643_the_challenge_passes_a_gateway_that_redirects_the_host() -> None:
    """istio/istio#27643 (and #33593, the issue's input): a Gateway for the host with
    httpsRedirect; the challenge now reaches the solver and the rest is redirected."""
    objs = _objects(HTTP01)
    assert served_on_80(objs, CHALLENGE_PREFIX + "abc") == "solver"
    assert served_on_80(objs, "/index.html") == "redirect"


def test_cert_manager_4537_the_solver_sets_the_class_annotation() -> None:
    """cert-manager/cert-manager#4537: ingressClassName: istio needs an IngressClass object
    that Istio's charts do not install; the annotation needs none."""
    issuer = next(o for o in _objects(HTTP01) if o["kind"] == "ClusterIssuer")
    (solver,) = issuer["spec"]["acme"]["solvers"]
    assert solver == {"http01": {"ingress": {"class": "istio"}}}


def test_aks_4075_the_add_on_with_gateway_api_uses_the_gateway_solver() -> None:
    """Azure/AKS#4075: the reporter's way out, Gateway API and an HTTPRoute, is what
    api: gatewayApi renders on the add-on."""
    data = _set(HTTP01, cloud="aks", api="gatewayApi", azure=ADDON_AZURE)
    issuer = next(o for o in _objects(data) if o["kind"] == "ClusterIssuer")
    (solver,) = issuer["spec"]["acme"]["solvers"]
    refs = solver["http01"]["gatewayHTTPRoute"]["parentRefs"]
    assert [r["sectionName"] for r in refs] == ["http"]
    assert refs[0]["namespace"] == "aks-istio-ingress"


def test_istio_39810_wildcard_hosts_with_ports_render_one_star_per_value() -> None:
    """istio/istio#39810: `*.example.int:*` never matches; ingresslib renders the gateway's
    ports instead."""
    data = {"cloud": "eks", "listeners": [_http("*.example.int")],
            "security": {"authorization": [
                {"name": "core-allow-policy", "action": "ALLOW", "hosts": ["*.example.int"]}]}}
    policy = next(o for o in _objects(data) if o["kind"] == "AuthorizationPolicy")
    hosts = policy["spec"]["rules"][0]["to"][0]["operation"]["hosts"]
    assert hosts == ["*.example.int", "*.example.int:80", "*.example.int:443"]
    assert all(h.count("*") == 1 for h in hosts)
    assert not any(re.search(r":\*$", h) for h in hosts)
