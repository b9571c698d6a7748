"""ingresslib.analysis: each rule triggered once and left quiet once, on small inline objects."""

from __future__ import annotations

import random
from typing import Any

import pytest

from ingresslib.analysis import Finding, analyze

Obj = dict[str, Any]
SELECTOR = {"app": "istio-ingressgateway"}
HOST = "echo.example.com"
CREDENTIALS = {("istio-ingress", "echo-tls")}


def meta(kind: str, name: str, ns: str | None, api: str = "networking.istio.io/v1") -> Obj:
    metadata = {"name": name} if ns is None else {"name": name, "namespace": ns}
    return {"apiVersion": api, "kind": kind, "metadata": metadata}


def server(port: int, *hosts: str, credential: str | None = None) -> Obj:
    srv: Obj = {"port": {"number": port, "name": f"p{port}", "protocol": "HTTP"},
                "hosts": list(hosts or [HOST])}
    if credential:
        srv["port"]["protocol"] = "HTTPS"
        srv["tls"] = {"mode": "SIMPLE", "credentialName": credential}
    return srv


def gateway(name: str = "echo", ns: str = "istio-ingress", *servers: Obj,
            selector: dict[str, str] | None = None) -> Obj:
    servers = servers or (server(80), server(443, credential="echo-tls"))
    spec = {"selector": SELECTOR if selector is None else selector, "servers": list(servers)}
    return {**meta("Gateway", name, ns), "spec": spec}


def dest(host: str = "echoserver-service", subset: str | None = None,
         weight: int | None = None) -> Obj:
    d: Obj = {"destination": {"host": host} | ({"subset": subset} if subset else {})}
    return d | ({} if weight is None else {"weight": weight})


def split() -> list[Obj]:
    return [dest(subset="v1", weight=80), dest(subset="v2", weight=20)]


def virtual_service(*http: Obj, name: str = "echo", ns: str = "echo",
                    hosts: tuple[str, ...] = (HOST,),
                    gateways: tuple[str, ...] = ("istio-ingress/echo",), **spec: Any) -> Obj:
    body = {"hosts": list(hosts), "gateways": list(gateways), **spec}
    if http or not spec:
        body["http"] = list(http or [{"route": split()}])
    return {**meta("VirtualService", name, ns), "spec": body}


def destination_rule(host: str = "echoserver-service", ns: str | None = "echo",
                     subsets: tuple[str, ...] = ("v1", "v2"), **spec: Any) -> Obj:
    body = {"host": host, "subsets": [{"name": s, "labels": {"version": s}} for s in subsets]}
    return {**meta("DestinationRule", "echoserver", ns), "spec": body | spec}


def service(ports: tuple[tuple[int, int], ...] = ((15021, 15021), (80, 80), (443, 443)),
            ns: str = "istio-ingress", selector: dict[str, str] | None = None) -> Obj:
    spec = {"selector": SELECTOR if selector is None else selector,
            "ports": [{"name": f"p{p}", "port": p, "targetPort": t} for p, t in ports]}
    return {**meta("Service", "istio-ingressgateway", ns, api="v1"), "spec": spec}


def seed() -> list[Obj]:
    """Seed 001: echo Gateway, 80/20 VirtualService, v1/v2 DestinationRule, gateway Service."""
    return [gateway(), virtual_service(), destination_rule(), service(),
            meta("Namespace", "echo", None, api="v1")]


def run(*objs: Obj, credentials: set[tuple[str, str]] | None = None) -> list[Finding]:
    return analyze(objs, credentials=credentials)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_seed_is_clean() -> None:
    assert analyze(seed(), credentials=CREDENTIALS) == []


def test_finding_prints_severity_code_ref_field_and_message() -> None:
    f = Finding("IST0101", "error", "VirtualService/ns/vs", "spec.gateways[0]", "gone")
    assert str(f) == "error IST0101 VirtualService/ns/vs spec.gateways[0]: gone"


def test_order_is_sorted_and_independent_of_input_order() -> None:
    rules = [{"match": [{"uri": {"prefix": f"/{i}"}}], "route": [dest(subset="v9")]}
             for i in range(12)]
    objs = [*seed()[1:], virtual_service(*rules, name="a"), gateway("b", "x", server(8443))]
    first = analyze(objs)
    random.Random(7).shuffle(objs)
    assert analyze(objs) == first
    assert first == sorted(first, key=lambda f: f.ref)
    fields = [f.field for f in first if f.ref == "VirtualService/echo/a"]
    assert fields[0] == "spec.gateways[0]"  # the Gateway was left out
    assert fields.index("spec.http[2].route[0].destination.subset") < fields.index(
        "spec.http[10].route[0].destination.subset")


# 1. IST0101: subset no DestinationRule defines


def test_route_to_undefined_subset() -> None:
    vs = virtual_service({"route": [dest(subset="v1", weight=80), dest(subset="v3", weight=20)]})
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.severity, f.ref) == ("IST0101", "error", "VirtualService/echo/echo")
    assert f.field == "spec.http[0].route[1].destination.subset"
    assert '"echoserver-service+v3"' in f.message


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"http": [{"route": [dest()], "mirror": {"host": "echoserver-service",
                                                  "subset": "v3"}}]}, "spec.http[0].mirror.subset"),
        ({"tcp": [{"route": [dest(subset="v3")]}]}, "spec.tcp[0].route[0].destination.subset"),
        ({"tls": [{"match": [{"sniHosts": [HOST]}], "route": [dest(subset="v3")]}]},
         "spec.tls[0].route[0].destination.subset"),
    ],
)
def test_mirror_tcp_and_tls_destinations_are_checked(spec: Obj, field: str) -> None:
    f = only(run(gateway(), virtual_service(**spec), destination_rule(), service()))
    assert (f.code, f.field) == ("IST0101", field)


def test_short_name_resolves_in_the_rules_own_namespace() -> None:
    fqdn_rule = destination_rule(host="echoserver-service.echo.svc.cluster.local")
    assert run(gateway(), virtual_service(), fqdn_rule, service()) == []
    elsewhere = destination_rule(ns=None)  # "default": echoserver-service.default...
    assert {f.code for f in run(gateway(), virtual_service(), elsewhere, service())} == {"IST0101"}


def test_name_dot_namespace_is_not_expanded_as_istio_does_not() -> None:
    vs = virtual_service({"route": [dest("echoserver-service.echo", "v1")]})
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert f.field == "spec.http[0].route[0].destination.subset"


# 2. IST0101: gateway that is not among the objects


def test_missing_gateway() -> None:
    vs = virtual_service(gateways=("missing",))
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.severity, f.ref, f.field) == (
        "IST0101", "error", "VirtualService/echo/echo", "spec.gateways[0]")
    assert 'gateway not found: "missing"' in f.message


def test_missing_gateway_in_match() -> None:
    rule = {"match": [{"gateways": ["istio-ingress/nope"]}], "route": [dest()]}
    f = only(run(gateway(), virtual_service(rule), destination_rule(), service()))
    assert (f.code, f.field) == ("IST0101", "spec.http[0].match[0].gateways[0]")


def test_mesh_short_and_qualified_gateway_names_resolve() -> None:
    vs = virtual_service(ns="istio-ingress", gateways=("mesh", "echo", "istio-ingress/echo"),
                         http=[{"match": [{"gateways": ["echo"]}], "route": [dest()]}])
    assert run(gateway(), vs, service()) == []


# 3. IST0132: host no server of the bound gateways accepts


def test_host_not_in_gateway() -> None:
    vs = virtual_service(hosts=(HOST, "other.example.com"))
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.severity, f.ref, f.field) == (
        "IST0132", "warning", "VirtualService/echo/echo", "spec.hosts[1]")


@pytest.mark.parametrize(
    ("server_host", "vs_host", "found"),
    [
        ("*.example.com", "a.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "*.example.com", True),
        ("*", "*.example.com", True),
        ("echo/echo.example.com", HOST, True),
        ("other/echo.example.com", HOST, False),
        ("*/echo.example.com", HOST, True),
        ("./echo.example.com", HOST, False),  # "." is the Gateway's namespace, istio-ingress
    ],
)
def test_gateway_host_forms(server_host: str, vs_host: str, found: bool) -> None:
    gw = gateway("echo", "istio-ingress", server(80, server_host))
    findings = run(gw, virtual_service(hosts=(vs_host,)), destination_rule(), service())
    assert [f.code for f in findings] == ([] if found else ["IST0132"])


# 4. IST0145: same selector, port and overlapping hosts


def test_conflicting_gateways() -> None:
    other = gateway("other", "istio-ingress", server(443, "*.example.com", credential="x"))
    findings = run(gateway(), other, service())
    assert [(f.code, f.severity, f.ref, f.field) for f in findings if f.code == "IST0145"] == [
        ("IST0145", "error", "Gateway/istio-ingress/echo", "spec.servers[1]"),
        ("IST0145", "error", "Gateway/istio-ingress/other", "spec.servers[0]"),
    ]


@pytest.mark.parametrize(
    "other",
    [
        gateway("other", "istio-ingress", server(443, "api.example.com", credential="x")),
        gateway("other", "istio-ingress", server(8443, HOST, credential="x")),
        gateway("other", "istio-ingress", server(443, HOST, credential="x"),
                selector={"app": "internal-gateway"}),
    ],
)
def test_distinct_host_port_or_selector_do_not_conflict(other: Obj) -> None:
    assert "IST0145" not in {f.code for f in run(gateway(), other, service())}


# 5. IST0138: one certificate on several gateways of one workload


def test_duplicate_certificate() -> None:
    other = gateway("api", "istio-ingress", server(443, "api.example.com", credential="echo-tls"))
    findings = run(gateway(), other, service())
    assert [(f.code, f.severity, f.ref, f.field) for f in findings] == [
        ("IST0138", "warning", "Gateway/istio-ingress/api", "spec.servers[0].tls.credentialName"),
        ("IST0138", "warning", "Gateway/istio-ingress/echo", "spec.servers[1].tls.credentialName"),
    ]


def test_same_certificate_on_another_workload_is_fine() -> None:
    internal = {"app": "internal-gateway"}
    other = gateway("api", "istio-ingress", server(443, "api.example.com", credential="echo-tls"),
                    selector=internal)
    assert run(gateway(), other, service(), service(selector=internal)) == []


# 6. IST0162 / ING0001: gateway port against the Service that selects its pods


def test_gateway_port_not_on_service() -> None:
    gw = gateway("echo", "istio-ingress", server(80), server(8443, credential="echo-tls"))
    f = only(run(gw, service()))
    assert (f.code, f.severity, f.ref, f.field) == (
        "IST0162", "warning", "Gateway/istio-ingress/echo", "spec.servers[1].port.number")


def test_gateway_port_may_be_a_target_port() -> None:
    gw = gateway("echo", "istio-ingress", server(8080), server(8443, credential="echo-tls"))
    svc = service(((80, 8080), (443, 8443)))
    assert run(gw, svc) == []


def test_no_service_selects_the_gateway() -> None:
    svc = service(selector={"app": "istio-ingressgateway", "extra": "label"})
    f = only(run(gateway(), svc))
    assert (f.code, f.severity, f.ref, f.field) == (
        "ING0001", "warning", "Gateway/istio-ingress/echo", "spec.selector")


# 7. ING0002: credentialName no certificate source provides


def test_credential_not_provided() -> None:
    f = only(run(gateway(), service(), credentials=set()))
    assert (f.code, f.severity, f.ref, f.field) == (
        "ING0002", "error", "Gateway/istio-ingress/echo", "spec.servers[1].tls.credentialName")


def test_each_of_credential_names_is_checked() -> None:
    tls = {"mode": "SIMPLE", "credentialNames": ["echo-tls", "echo-ecdsa"]}
    gw = gateway("echo", "istio-ingress", server(80), server(443) | {"tls": tls})
    f = only(run(gw, service(), credentials=CREDENTIALS))
    assert (f.code, f.field) == ("ING0002", "spec.servers[1].tls.credentialNames[1]")


def test_credential_from_tls_secret_or_unchecked() -> None:
    secret = {**meta("Secret", "echo-tls", "istio-ingress", api="v1"), "type": "kubernetes.io/tls"}
    assert run(gateway(), service(), secret, credentials=set()) == []
    assert run(gateway(), service()) == []  # credentials=None: not checked


def test_credential_is_read_in_the_gateway_pods_namespace() -> None:
    gw = gateway("echo", "echo")  # the Gateway object elsewhere; the pods' Service decides
    assert run(gw, service(), credentials=CREDENTIALS) == []
    f = only(run(gw, service(), credentials={("echo", "echo-tls")}))
    assert (f.code, f.field) == ("ING0002", "spec.servers[1].tls.credentialName")


# 8. ING0003: weights


@pytest.mark.parametrize(
    ("route", "severity", "field"),
    [
        ([dest(subset="v1", weight=-10), dest(subset="v2", weight=110)], "error",
         "spec.http[0].route[0].weight"),
        ([dest(subset="v1", weight=0), dest(subset="v2")], "error", "spec.http[0].route"),
        ([dest(subset="v1", weight=50), dest(subset="v2", weight=30)], "warning",
         "spec.http[0].route"),
    ],
)
def test_bad_weights(route: list[Obj], severity: str, field: str) -> None:
    f = only(run(gateway(), virtual_service({"route": route}), destination_rule(), service()))
    assert (f.code, f.severity, f.ref, f.field) == (
        "ING0003", severity, "VirtualService/echo/echo", field)


@pytest.mark.parametrize(
    "route",
    [[dest()], [dest(weight=0)], [dest(subset="v1", weight=100), dest(subset="v2")]],
)
def test_valid_weights(route: list[Obj]) -> None:
    assert run(gateway(), virtual_service({"route": route}), destination_rule(), service()) == []


def test_tcp_weights_are_checked() -> None:
    vs = virtual_service(tcp=[{"route": [dest(weight=0), dest(weight=0)]}])
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.field) == ("ING0003", "spec.tcp[0].route")


# 9. IST0130 / IST0131: unreachable rules and duplicate matches


def prefix(path: str, **extra: Any) -> Obj:
    return {"uri": {"prefix": path}, **extra}


@pytest.mark.parametrize(
    "first",
    [{"route": [dest()]}, {"match": [prefix("/")], "route": [dest()]},
     {"match": [{"name": "all", "uri": {"prefix": "/"}}], "route": [dest()]}],
)
def test_rule_after_catch_all(first: Obj) -> None:
    vs = virtual_service(first, {"match": [prefix("/api")], "route": [dest()]})
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.severity, f.ref, f.field) == (
        "IST0130", "error", "VirtualService/echo/echo", "spec.http[1]")


def test_rule_whose_matches_all_came_before() -> None:
    vs = virtual_service({"match": [prefix("/api")], "route": [dest()]},
                         {"match": [{"name": "again", "uri": {"prefix": "/api"}}],
                          "route": [dest()]},
                         {"route": [dest()]})
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.severity, f.field) == ("IST0130", "error", "spec.http[1]")


def test_one_duplicate_match_in_a_reachable_rule() -> None:
    vs = virtual_service({"match": [prefix("/api")], "route": [dest()]},
                         {"match": [prefix("/v2"), prefix("/api")], "route": [dest()]})
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.severity, f.field) == ("IST0131", "warning", "spec.http[1].match[1]")


def test_specific_rules_before_catch_all_are_reachable() -> None:
    vs = virtual_service({"match": [prefix("/api")], "route": [dest()]},
                         {"match": [prefix("/", headers={"x-canary": {"exact": "1"}})],
                          "route": [dest(subset="v2")]},
                         {"match": [prefix("/")], "route": split()})
    assert run(gateway(), vs, destination_rule(), service()) == []


# 10. ING0004: durations


@pytest.mark.parametrize(
    ("value", "words"),
    [("500us", "under 1ms"), ("0", "under 1ms"), ("-5s", "under 1ms"),
     ("5 s", "not a duration"), ("5", "not a duration"), (5, "not a duration"),
     ("1500us", "finer than a millisecond")],
)
def test_bad_route_timeout(value: Any, words: str) -> None:
    vs = virtual_service({"route": split(), "timeout": value})
    f = only(run(gateway(), vs, destination_rule(), service()))
    assert (f.code, f.severity, f.ref, f.field) == (
        "ING0004", "error", "VirtualService/echo/echo", "spec.http[0].timeout")
    assert words in f.message


@pytest.mark.parametrize("value", ["250ms", "5s", "1m30s", "1.5s", "1h", "1000us", "1000µs",
                                   ".5s", "2000000ns"])
def test_valid_durations(value: str) -> None:
    rule = {"route": split(), "timeout": value, "retries": {"attempts": 2, "perTryTimeout": value},
            "fault": {"delay": {"fixedDelay": value, "percentage": {"value": 1}}},
            "corsPolicy": {"allowOrigins": [{"exact": "https://a.example.com"}], "maxAge": value}}
    policy = {"connectionPool": {"tcp": {"connectTimeout": value},
                                 "http": {"idleTimeout": value}},
              "outlierDetection": {"interval": value, "baseEjectionTime": value},
              "loadBalancer": {"consistentHash": {"httpCookie": {"name": "s", "ttl": value}}}}
    dr = destination_rule(trafficPolicy=policy | {"portLevelSettings": [policy]})
    assert run(gateway(), virtual_service(rule), dr, service()) == []


def test_destination_rule_durations_at_every_level() -> None:
    bad = {"outlierDetection": {"interval": "0.1ms"}}
    dr = destination_rule(trafficPolicy={"connectionPool": {"tcp": {"connectTimeout": "10"}},
                                         "portLevelSettings": [bad]})
    dr["spec"]["subsets"][1]["trafficPolicy"] = {
        "loadBalancer": {"consistentHash": {"httpCookie": {"name": "s", "ttl": "0s"}}}}
    findings = run(gateway(), virtual_service(), dr, service())
    assert [(f.code, f.ref, f.field) for f in findings] == [
        ("ING0004", "DestinationRule/echo/echoserver", field) for field in (
            "spec.subsets[1].trafficPolicy.loadBalancer.consistentHash.httpCookie.ttl",
            "spec.trafficPolicy.connectionPool.tcp.connectTimeout",
            "spec.trafficPolicy.portLevelSettings[0].outlierDetection.interval",
        )
    ]


# 11. ING0005: an exact host hides the routes of the wildcard host above it

WILD, APP = "*.example.com", "app.example.com"


def slug(host: str) -> str:
    return host.replace("*", "wildcard").replace(".", "-")


def routed(host: str, *names: str, gateway_ref: str = "istio-ingress/echo", **meta: Any) -> Obj:
    """A VirtualService for `host` with one `/<name>/` rule per name."""
    rules = [{"name": n, "match": [prefix(f"/{n}/")], "route": [dest()]} for n in names]
    vs = virtual_service(*rules, name=slug(host), ns="istio-ingress", hosts=(host,),
                         gateways=(gateway_ref,))
    vs["metadata"].update(meta)
    return vs


def https(name: str, *hosts: str) -> Obj:
    srv = server(443, *hosts, credential="echo-tls")
    srv["port"]["name"] = name
    return srv


def http(name: str, *hosts: str) -> Obj:
    srv = server(80, *hosts)
    srv["port"]["name"] = name
    return srv


def shadowing(*objs: Obj) -> list[Finding]:
    found = run(*objs, destination_rule(ns="istio-ingress"), service())
    return [f for f in found if f.code == "ING0005"]


def one_gateway(*servers: Obj, app: Obj | None = None) -> list[Finding]:
    return shadowing(gateway("echo", "istio-ingress", *servers), routed(WILD, "api"),
                     app or routed(APP, "app"))


def test_exact_host_hides_the_wildcards_routes() -> None:
    # The issue: one HTTPS server for *.example.com; https://app.example.com/api/ answers 404.
    f = only(one_gateway(https("https", WILD)))
    assert (f.severity, f.ref, f.field) == (
        "error", "VirtualService/istio-ingress/app-example-com", "spec.hosts[0]")
    assert f.message.startswith(
        "routing.hosts[app.example.com] hides the routes api of routing.hosts[*.example.com] "
        "from requests to app.example.com (route configurations "
        "https.443.https.echo.istio-ingress)")
    assert "inheritWildcardRoutes: true" in f.message


def test_one_report_per_host_for_every_route_configuration() -> None:
    f = only(one_gateway(http("http", WILD), https("https", WILD)))
    assert "(route configurations http.80, https.443.https.echo.istio-ingress)" in f.message


@pytest.mark.parametrize("listen", [http, https])
def test_a_server_naming_the_exact_host_merges_both(listen: Any) -> None:
    # istiod intersects *.example.com with the server host app.example.com: both
    # VirtualServices' rules land on one app.example.com virtual host (and on HTTPS, SNI
    # app.example.com picks that server).
    assert one_gateway(listen("wild", WILD), listen("app", APP)) == []


def test_plain_http_servers_of_other_gateways_share_the_ports_route_configuration() -> None:
    # No SNI on plain HTTP: route config http.80 holds every HTTP server of port 80 of the
    # pods, whichever Gateway declares it.
    objs = [gateway("echo", "istio-ingress", http("wild", WILD)),
            gateway("app", "istio-ingress", http("app", APP)),
            routed(WILD, "api"), routed(APP, "app", gateway_ref="istio-ingress/app")]
    f = only(shadowing(*objs))
    assert "routing.hosts[app.example.com] hides the routes api" in f.message
    assert "(route configurations http.80)" in f.message


def test_sni_sends_the_exact_host_to_another_gateways_server() -> None:
    objs = [gateway("echo", "istio-ingress", https("wild", WILD)),
            gateway("app", "istio-ingress", https("app", APP)),
            routed(WILD, "api"), routed(APP, "app", gateway_ref="istio-ingress/app")]
    f = only(shadowing(*objs))
    assert "(route configurations https.443.app.app.istio-ingress)" in f.message


@pytest.mark.parametrize(
    ("wide", "narrow"),
    [("*.example.com", "*.api.example.com"),  # the longest wildcard wins too
     ("*", "app.example.com")],
)
def test_narrower_hosts_of_every_kind(wide: str, narrow: str) -> None:
    f = only(shadowing(gateway("echo", "istio-ingress", https("https", "*")),
                       routed(wide, "api"), routed(narrow, "app")))
    assert f.ref == f"VirtualService/istio-ingress/{slug(narrow)}"
    assert f"routing.hosts[{narrow}] hides the routes api of routing.hosts[{wide}]" in f.message


def test_quiet_when_the_exact_host_carries_the_wildcards_rules() -> None:
    # What inheritWildcardRoutes: true renders: its own rules, then the wildcard's.
    assert one_gateway(https("https", WILD), app=routed(APP, "app", "api")) == []


def test_quiet_when_kept_apart_on_purpose() -> None:
    apart = routed(APP, "app", annotations={"ingresslib.io/inherit-wildcard-routes": "false"})
    assert one_gateway(https("https", WILD), app=apart) == []


def test_quiet_when_the_port_redirects_to_https() -> None:
    assert one_gateway(http("http", WILD) | {"tls": {"httpsRedirect": True}}) == []
