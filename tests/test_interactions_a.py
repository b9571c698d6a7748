"""Settings that validate alone and break together (issue 18, inputs a-c and their kinds):
a controller that must reach the gateway (ACME HTTP-01), two valid settings that cannot work
together (hash x weighted split, CORS x preflight, scoped ALLOW x the rest), and policy
matching with other semantics than routing (authorization hosts with a port, paths).

Each input is the issue's config, kept literal as the issue wrote it (inputs a and b, HTTP01 and
CANARY, in tests/configs.py, which the sweep shares); each ING-IX rule has a case that triggers
and one that does not. The public reports replayed here are listed in
docs/interaction-sweep-a.md.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from ingresslib import parse_config
from ingresslib.config.acme import CHALLENGE_PREFIX, not_prefix_regex
from ingresslib.config.interaction_rules import RULES
from ingresslib.errors import ConfigError
from ingresslib.reference.examples import CONFIGS, EKS_GATEWAY
from ingresslib.stack.model import StackConfig, edge_rules
from ingresslib.stack.render import check, stack_manifests
from tests.configs import CANARY, HTTP01
from tests.shared import served_on_80


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data.update(copy.deepcopy(changes))
    return data


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return [(p.path, p.message) for p in err.value.problems]


def _codes(data: dict[str, Any]) -> set[str]:
    try:
        parse_config(data)
    except ConfigError as e:
        return {c for p in e.problems for c in re.findall(r"ING-IX-[A-Z0-9-]+", p.message)}
    return set()


def _objects(cfg: StackConfig) -> list[dict[str, Any]]:
    objs = stack_manifests(cfg).all()
    check(cfg, objs)
    return objs


def _kind(objs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


# ------------------------------------------------------------------ (a) HTTP-01 through Istio





def test_input_a_the_challenge_is_not_redirected_and_the_rest_is() -> None:
    """istio/istio#33593: the port-80 server's httpsRedirect sent the challenge a 301. Now
    port 80 is its own Gateway, whose one route redirects every path but the challenge's."""
    objs = _objects(parse_config(HTTP01))
    assert served_on_80(objs, CHALLENGE_PREFIX + "t0k3n") == "solver"
    assert served_on_80(objs, "/") == "redirect"
    assert served_on_80(objs, "/login") == "redirect"
    gateways = _kind(objs, "Gateway")
    assert [s["port"]["number"] for s in gateways["ingress"]["spec"]["servers"]] == [443]
    assert gateways["ingress-acme"]["spec"]["servers"][0]["port"]["number"] == 80
    # The app's own routes never answer on port 80.
    assert _kind(objs, "VirtualService")["ingress-app-example-com"]["spec"]["gateways"] == [
        "istio-ingress/ingress"]
    issuer = _kind(objs, "ClusterIssuer")["letsencrypt"]
    assert issuer["spec"]["acme"]["solvers"] == [{"http01": {"ingress": {"class": "istio"}}}]


def test_input_a_without_http01_the_redirect_stays_on_the_gateway() -> None:
    """ING-IX-ACME-REDIRECT does not trigger: a DNS-01 issuer leaves the render as it was."""
    data = _with(HTTP01, certManager={"issuers": {"letsencrypt": {
        "type": "acme", "email": "ops@example.com", "solver": {
            "kind": "route53", "region": "eu-west-1", "hostedZoneId": "Z0123456789ABC"}}}})
    objs = _objects(parse_config(data))
    assert set(_kind(objs, "Gateway")) == {"ingress"}
    assert served_on_80(objs, CHALLENGE_PREFIX + "t") == "redirect"


def test_a_wildcard_port_80_host_redirects_the_exact_name_the_solver_serves() -> None:
    """The solver's Ingress forms a virtual host of the exact name, which Envoy prefers to
    the wildcard's: the redirect names it too, so GET / there is still redirected."""
    data = copy.deepcopy(HTTP01)
    data["listeners"][0]["hosts"] = ["*.example.com"]
    data["listeners"][1]["hosts"] = ["*.example.com"]
    data["certificates"] = {"app-tls": {"source": "secret", "secretName": "wild",
                                        "dnsNames": ["*.example.com"]},
                            "app-acme": {"source": "certManager",
                                         "dnsNames": ["app.example.com"],
                                         "issuer": "letsencrypt"}}
    vs = _kind(_objects(parse_config(data)), "VirtualService")["ingress-acme-redirect"]
    assert vs["spec"]["hosts"] == ["*.example.com", "app.example.com"]


def test_plain_http_with_http01_refuses_routes_that_could_take_the_challenge() -> None:
    """Without the redirect, the host's own routes share port 80's virtual host with the
    solver's, in an order Istio does not promise: a catch-all route could answer it."""
    data = copy.deepcopy(HTTP01)
    data["listeners"][0]["httpsRedirect"] = False
    ((path, message),) = _problems(data)
    assert path == "routing.hosts[app.example.com].routes[web]"
    assert "ING-IX-ACME-REDIRECT" in message
    assert "(listeners[http].httpsRedirect: true:" in message  # the key of the fix
    data["routing"]["hosts"][0]["routes"][0]["match"] = [{"uri": {"prefix": "/app/"}}]
    parse_config(data)
    parse_config(_with(data, api="gatewayApi"))


@pytest.mark.parametrize("path", ["/", "/a", "/.well-known/", "/.well-known/acme-challenge",
                                  "/.well-known/acme-challengeX", "/.w", "/x/.well-known/"])
def test_the_redirect_regex_takes_every_other_path(path: str) -> None:
    assert re.fullmatch(not_prefix_regex(CHALLENGE_PREFIX), path)
    assert not re.fullmatch(not_prefix_regex(CHALLENGE_PREFIX), CHALLENGE_PREFIX + "abc")


def test_input_a_with_gateway_api_the_solver_attaches_to_the_gateway() -> None:
    """With api: gatewayApi the solver is cert-manager's gatewayHTTPRoute on the port-80
    listener: its exact challenge path outranks the listener's redirect route."""
    objs = _objects(parse_config(_with(HTTP01, api="gatewayApi")))
    issuer = _kind(objs, "ClusterIssuer")["letsencrypt"]
    assert issuer["spec"]["acme"]["solvers"] == [{"http01": {"gatewayHTTPRoute": {
        "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                        "name": "ingress", "namespace": "istio-ingress",
                        "sectionName": "http"}]}}}]
    listeners = _kind(objs, "Gateway")["ingress"]["spec"]["listeners"]
    assert {"name": "http", "port": 80} .items() <= next(
        x for x in listeners if x["name"] == "http").items()


def test_the_solver_attaches_to_the_port_80_listeners_of_its_names_only() -> None:
    """The ACME server connects to port 80 for an HTTP-01 challenge (RFC 8555 section 8.3):
    a plain HTTP listener on 443 (TLS ended in front of the gateway) serving the same name
    takes no solver route, nor does a port-80 listener of names no certificate proves."""
    data = _with(HTTP01, api="gatewayApi")
    data["listeners"][1] = {"name": "tls-ended", "port": 443, "protocol": "HTTP",
                            "hosts": ["app.example.com"]}
    data["listeners"].append({"name": "other", "port": 80, "protocol": "HTTP",
                              "hosts": ["other.example.com"]})
    issuer = _kind(_objects(parse_config(data)), "ClusterIssuer")["letsencrypt"]
    (solver,) = issuer["spec"]["acme"]["solvers"]
    assert [r["sectionName"] for r in solver["http01"]["gatewayHTTPRoute"]["parentRefs"]] == [
        "http"]


def test_a_gateway_not_labelled_for_ingress_is_refused() -> None:
    """ING-IX-ACME-INGRESS: Istio serves the solver's Ingress on istio: ingressgateway pods
    only (cert-manager/cert-manager#3429, istio/istio#37329)."""
    data = _with(HTTP01, gateway={"labels": {"istio": "edge-gateway"}})
    ((path, message),) = _problems(data)
    assert path == "certManager.issuers.letsencrypt.solver.ingressSelector"
    assert "istio: edge-gateway" in message
    assert "gateway.labels.istio: ingressgateway" in message
    assert "ING-IX-ACME-INGRESS" in message
    # Stated as the mesh's ingressSelector, it passes; and Gateway API needs no Ingress.
    data["certManager"]["issuers"]["letsencrypt"]["solver"]["ingressSelector"] = "edge-gateway"
    parse_config(data)
    data = _with(HTTP01, api="gatewayApi", gateway={"labels": {"istio": "edge-gateway"}})
    parse_config(data)


def test_http01_needs_a_public_load_balancer_and_open_port_80() -> None:
    """ING-IX-ACME-REACH: an internal load balancer or a client allow-list drops Let's
    Encrypt's validation; the default stack triggers neither."""
    internal = _with(HTTP01, loadBalancer={"scheme": "internal"})
    assert "ING-IX-ACME-REACH" in _codes(internal)
    fenced = _with(HTTP01, gateway={"networkPolicy": {"ingressFrom": ["198.51.100.0/24"]}})
    reach = [p for p, m in _problems(fenced) if "ING-IX-ACME-REACH" in m]
    assert reach == ["gateway.networkPolicy.ingressFrom"]
    ranged = _with(HTTP01, gateway={"service": {"loadBalancerSourceRanges": ["10.0.0.0/8"]}})
    assert "gateway.service.loadBalancerSourceRanges" in [
        p for p, m in _problems(ranged) if "ING-IX-ACME-REACH" in m]
    assert "ING-IX-ACME-REACH" not in _codes(HTTP01)
    # Another ACME server (private PKI) may validate from inside the network.
    private = copy.deepcopy(internal)
    private["certManager"]["issuers"]["letsencrypt"]["server"] = (
        "https://acme.internal.example.com/directory")
    assert "ING-IX-ACME-REACH" not in _codes(private)


def test_authorization_that_refuses_the_challenge_is_refused() -> None:
    allow = _with(HTTP01, security={"authorization": [
        {"name": "office", "action": "ALLOW", "clientCidrs": ["198.51.100.0/24"]}]})
    assert "ING-IX-ACME-REACH" in _codes(allow)
    allow["security"]["authorization"].append(
        {"name": "acme-http01", "action": "ALLOW", "hosts": ["app.example.com"],
         "paths": [CHALLENGE_PREFIX + "*"], "methods": ["GET"]})
    parse_config(allow)
    deny = _with(HTTP01, security={"authorization": [
        {"name": "office", "action": "DENY", "notClientCidrs": ["198.51.100.0/24"]}]})
    assert "ING-IX-ACME-REACH" in _codes(deny)
    deny["security"]["authorization"][0]["paths"] = ["/admin/*"]
    parse_config(deny)


# ------------------------------------------------------------------ (b) sticky x canary

def test_input_b_sticky_sessions_across_a_weighted_canary_are_refused() -> None:
    """istio/istio#33343: Envoy picks the weighted subset before hashing."""
    ((path, message),) = _problems(CANARY)
    assert path == "routing.hosts[shop.example.com].routes[web].to"
    assert "hashCookie" in message
    assert "ING-IX-HASH-SPLIT" in message
    assert "match.headers" in message


def test_sticky_sessions_without_a_split_and_a_split_without_hashing_pass() -> None:
    one = copy.deepcopy(CANARY)
    one["routing"]["hosts"][0]["routes"][0]["to"] = [{"backend": "shop", "subset": "live"}]
    parse_config(one)
    plain = copy.deepcopy(CANARY)
    plain["routing"]["backends"]["shop"]["trafficPolicy"] = {
        "loadBalancer": {"simple": "LEAST_REQUEST"}}
    parse_config(plain)
    # The canary by cookie match, then the weighted rest, still splits a hashed backend.
    assert "ING-IX-HASH-SPLIT" in _codes(CANARY)


CORS: dict[str, Any] = {
    "cloud": "eks",
    "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                   "hosts": ["api.example.com"]}],
    "routing": {
        "backends": {"api": {"service": "api", "namespace": "api", "port": 8080}},
        "hosts": [{"host": "api.example.com", "routes": [{
            "name": "orders", "match": [{"uri": {"prefix": "/orders"},
                                         "method": {"exact": "POST"}}],
            "cors": {"allowOrigins": [{"exact": "https://app.example.com"}],
                     "allowMethods": ["POST"]},
            "to": [{"backend": "api"}]}]}]},
}


def test_cors_on_a_route_its_preflight_cannot_match_is_refused() -> None:
    """kgateway-dev/kgateway#3774 (Envoy): a method match without OPTIONS sends the
    preflight elsewhere."""
    ((path, message),) = _problems(CORS)
    assert path == "routing.hosts[api.example.com].routes[orders].match[0]"
    assert "method {'exact': 'POST'}" in message
    assert "ING-IX-CORS-PREFLIGHT" in message
    header = copy.deepcopy(CORS)
    header["routing"]["hosts"][0]["routes"][0]["match"] = [
        {"uri": {"prefix": "/orders"}, "headers": {"x-tenant": {"exact": "a"}}}]
    assert "ING-IX-CORS-PREFLIGHT" in _codes(header)


def test_cors_routes_a_preflight_can_match_pass() -> None:
    ok = copy.deepcopy(CORS)
    ok["routing"]["hosts"][0]["routes"][0]["match"].append(
        {"uri": {"prefix": "/orders"}, "method": {"exact": "OPTIONS"}})
    parse_config(ok)
    regex = copy.deepcopy(CORS)
    regex["routing"]["hosts"][0]["routes"][0]["match"][0]["method"] = {
        "regex": "POST|OPTIONS"}
    regex["routing"]["hosts"][0]["routes"][0]["match"][0]["headers"] = {
        "origin": {"prefix": "https://"}}
    parse_config(regex)


def test_cors_on_a_route_a_token_rule_guards_is_refused() -> None:
    """istio/istio#45716, #55318: authorization runs before CORS and a preflight has no
    token, so a jwtRequired DENY on the route refuses it; without OPTIONS it passes."""
    data = copy.deepcopy(CORS)
    data["routing"]["hosts"][0]["routes"][0]["match"][0].pop("method")
    data["security"] = {
        "jwt": [{"issuer": "https://login.example.com/", "audiences": ["api"],
                 "jwksUri": "https://login.example.com/jwks.json"}],
        "authorization": [{"name": "token", "action": "DENY", "paths": ["/orders/*"],
                           "jwtRequired": True}]}
    ((path, message),) = _problems(data)
    assert path == "routing.hosts[api.example.com].routes[orders].cors"
    assert "['token']" in message
    assert "ING-IX-CORS-PREFLIGHT" in message
    data["security"]["authorization"][0]["methods"] = ["GET", "POST", "PUT", "DELETE"]
    parse_config(data)
    data["security"]["authorization"][0]["paths"] = ["/admin/*"]
    del data["security"]["authorization"][0]["methods"]
    parse_config(data)
    data["security"]["authorization"] = [
        {"name": "no-options", "action": "DENY", "methods": ["OPTIONS", "TRACE"]}]
    assert "ING-IX-CORS-PREFLIGHT" in _codes(data)
    # An office-only API: preflights from the office pass like its requests.
    data["security"]["authorization"] = [
        {"name": "office", "action": "ALLOW", "clientCidrs": ["198.51.100.0/24"]}]
    parse_config(data)


NEWCOMER: dict[str, Any] = {
    "cloud": "eks",
    "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                   "hosts": ["admin.example.com", "app.example.com"]}],
    "security": {"authorization": [
        {"name": "admin-office-only", "action": "ALLOW", "hosts": ["admin.example.com"],
         "clientCidrs": ["198.51.100.0/24"]}]},
}


def test_newcomer_allow_scoped_to_one_host_is_refused() -> None:
    """The issue's newcomer case: the ALLOW rule also denies app.example.com."""
    ((path, message),) = _problems(NEWCOMER)
    assert path == "security.authorization[admin-office-only].hosts"
    assert "['app.example.com']" in message
    assert "notClientCidrs" in message
    assert "ING-IX-ALLOW-SCOPE" in message


def test_the_newcomer_intent_as_a_deny_rule_passes() -> None:
    data = copy.deepcopy(NEWCOMER)
    data["security"]["authorization"] = [
        {"name": "admin-office-only", "action": "DENY", "hosts": ["admin.example.com"],
         "notClientCidrs": ["198.51.100.0/24"]}]
    parse_config(data)
    # An ALLOW rule for the only host served closes nothing else.
    single = copy.deepcopy(NEWCOMER)
    single["listeners"][0]["hosts"] = ["admin.example.com"]
    parse_config(single)


def test_allow_scoped_to_paths_closes_the_hosts_other_routes() -> None:
    data = copy.deepcopy(NEWCOMER)
    data["listeners"][0]["hosts"] = ["app.example.com"]
    data["routing"] = {"backends": {"app": {"service": "app", "namespace": "a", "port": 80}},
                       "hosts": [{"host": "app.example.com", "routes": [
                           {"name": "public", "match": [{"uri": {"prefix": "/public/"}}],
                            "to": [{"backend": "app"}]},
                           {"name": "rest", "to": [{"backend": "app"}]}]}]}
    data["security"]["authorization"] = [
        {"name": "public-only", "action": "ALLOW", "paths": ["/public/*"]}]
    ((path, message),) = _problems(data)
    assert path == "routing.hosts[app.example.com].routes[rest]"
    assert "ING-IX-ALLOW-SCOPE" in message


def test_allow_with_http_fields_closes_tls_passthrough() -> None:
    """istio/istio#29119: HTTP-only fields never match a passthrough connection."""
    data = copy.deepcopy(NEWCOMER)
    data["listeners"] = [
        {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": ["admin.example.com"],
         "tls": {"certificate": "c"}},
        {"name": "tls-db", "port": 443, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}}]
    data["certificates"] = {"c": {"source": "secret", "secretName": "c",
                                  "dnsNames": ["admin.example.com"]}}
    messages = [m for _, m in _problems(data)]
    assert any("db.example.com" in m and "ING-IX-ALLOW-SCOPE" in m for m in messages)


def test_the_reference_example_has_no_allow_rule_that_closes_the_rest() -> None:
    """The reference's ALLOW example denied every other host when used alone: it is written
    as DENY rules now, and the full example validates."""
    assert "admin-outside-office" in EKS_GATEWAY
    for text in CONFIGS:
        assert "action: ALLOW" not in text
    parse_config(yaml.safe_load(EKS_GATEWAY))


# ------------------------------------------------------------------ (c) policy vs routing

PORTED: dict[str, Any] = {
    "cloud": "eks",
    "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                   "hosts": ["*.ourdomain.com"]}],
    "security": {"authorization": [
        {"name": "allow-ourdomain", "action": "ALLOW", "hosts": ["*.ourdomain.com"]},
        {"name": "no-admin", "action": "DENY", "hosts": ["lolcat.ourdomain.com"],
         "paths": ["/admin/*"]}]},
}


def _operation(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return _kind(objs, "AuthorizationPolicy")[name]["spec"]["rules"][0]["to"][0]["operation"]


def _matches(patterns: list[str], value: str) -> bool:
    """Istio's string match of AuthorizationPolicy: exact, prefix*, *suffix or *."""
    return any(p in ("*", value) or (p.endswith("*") and value.startswith(p[:-1]))
               or (p.startswith("*") and value.endswith(p[1:])) for p in patterns)


def test_input_c_a_host_header_with_a_port_is_matched_as_routing_matches_it() -> None:
    """istio/istio#44080: Host: lolcat.ourdomain.com:80 passed the DENY on /admin/*."""
    objs = _objects(parse_config(PORTED))
    allow = _operation(objs, "allow-ourdomain")["hosts"]
    deny = _operation(objs, "no-admin")
    for host in ("lolcat.ourdomain.com", "lolcat.ourdomain.com:80",
                 "lolcat.ourdomain.com:443"):
        assert _matches(allow, host), host
        assert _matches(deny["hosts"], host), host
    assert _matches(deny["hosts"], "lolcat.ourdomain.com:8443")
    assert "*.ourdomain.com:*" not in allow  # one '*' per value (istio/istio#39810)
    assert not _matches(deny["hosts"], "other.ourdomain.com:80")
    # /admin, which a route's prefix /admin serves, is denied too.
    assert _matches(deny["paths"], "/admin")
    assert _matches(deny["paths"], "/admin/x")
    assert not _matches(deny["paths"], "/administrator")


def test_paths_given_both_ways_render_once() -> None:
    """The shipped stacks' [/admin, /admin/*] renders as before."""
    data = copy.deepcopy(PORTED)
    data["security"]["authorization"][1]["paths"] = ["/admin", "/admin/*"]
    assert _operation(_objects(parse_config(data)), "no-admin")["paths"] == [
        "/admin", "/admin/*"]


def test_a_wildcard_host_in_a_deny_rule_covers_the_ports_routing_serves() -> None:
    """Routing serves *.d and *.d:<server port> only (no other port reaches a route): a DENY
    on *.ourdomain.com renders exactly those."""
    data = copy.deepcopy(PORTED)
    data["security"]["authorization"][1]["hosts"] = ["*.ourdomain.com"]
    hosts = _operation(_objects(parse_config(data)), "no-admin")["hosts"]
    assert hosts == ["*.ourdomain.com", "*.ourdomain.com:80", "*.ourdomain.com:443"]
    for host in ("x.ourdomain.com", "x.ourdomain.com:80", "x.ourdomain.com:443"):
        assert _matches(hosts, host)


@pytest.mark.parametrize("path", ["/service/*health", "/a/*/b", "**"])
def test_a_star_inside_a_policy_path_is_refused(path: str) -> None:
    """istio/istio#46910: Istio reads such a * literally, so the rule never matches."""
    data = copy.deepcopy(PORTED)
    data["security"]["authorization"][1]["paths"] = [path]
    ((p, message),) = _problems(data)
    assert p == "security.authorization[no-admin].paths[0]"
    assert "ING-IX-AUTHZ-PATH" in message


def test_a_deny_on_an_exact_path_a_route_serves_as_a_prefix_is_refused() -> None:
    """DENY /admin while the route's prefix /admin/ serves /admin/users: it passes."""
    data = copy.deepcopy(PORTED)
    data["security"]["authorization"][1]["paths"] = ["/admin"]
    data["routing"] = {"backends": {"b": {"service": "b", "namespace": "b", "port": 80}},
                       "hosts": [{"host": "lolcat.ourdomain.com", "routes": [
                           {"name": "admin", "match": [{"uri": {"prefix": "/admin/"}}],
                            "to": [{"backend": "b"}]}]}]}
    ((path, message),) = _problems(data)
    assert path == "security.authorization[no-admin].paths"
    assert "write /admin/*" in message
    assert "ING-IX-AUTHZ-PATH" in message
    data["security"]["authorization"][1]["paths"] = ["/admin/*"]
    parse_config(data)


def test_policy_paths_on_a_host_with_ignore_uri_case_routes_are_refused() -> None:
    """istio/istio#40541: /ADMIN is routed but not denied."""
    data = copy.deepcopy(PORTED)
    data["routing"] = {"backends": {"b": {"service": "b", "namespace": "b", "port": 80}},
                       "hosts": [{"host": "lolcat.ourdomain.com", "routes": [
                           {"name": "admin", "match": [{"uri": {"prefix": "/admin"},
                                                        "ignoreUriCase": True}],
                            "to": [{"backend": "b"}]}]}]}
    ((path, message),) = _problems(data)
    assert path == "security.authorization[no-admin].paths"
    assert "not denied" in message
    assert "ING-IX-AUTHZ-PATH" in message
    del data["routing"]["hosts"][0]["routes"][0]["match"][0]["ignoreUriCase"]
    parse_config(data)


# ------------------------------------------------------------------ the rules themselves


def test_every_ing_ix_rule_is_an_edge_rule_with_a_source() -> None:
    listed = {r.code: r for r in edge_rules()}
    for code, (statement, source) in RULES.items():
        assert listed[code].statement == statement
        assert listed[code].source == source
        assert statement
        assert source


def test_the_sweep_doc_lists_every_rule() -> None:
    """The sweep page names each rule; its statement and source are in the one generated
    table of the edge contract (edge_rules), which the page links to."""
    from pathlib import Path  # noqa: PLC0415

    from ingresslib.stack.model import edge_rules  # noqa: PLC0415

    doc = (Path(__file__).parent.parent / "docs" / "interaction-sweep-a.md").read_text()
    rules = {(r.code, r.statement, r.source) for r in edge_rules()}
    for code, (statement, source) in RULES.items():
        assert f"`{code}`" in doc, code
        assert (code, statement, source) in rules, code


def test_yaml_of_the_inputs_is_what_the_issue_says() -> None:
    """The issue's (b) in its own spelling parses to the config used above."""
    text = """
    trafficPolicy: {loadBalancer: {hashCookie: session, hashCookieTtl: 1h}}
    """
    assert yaml.safe_load(text)["trafficPolicy"] == CANARY["routing"]["backends"]["shop"][
        "trafficPolicy"]
