"""Routing: what the seeds show is expressible, every feature renders valid Istio objects,
references are checked with config paths, and big VirtualServices split safely."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest

from ingresslib import parse_config
from ingresslib.components import base
from ingresslib.components.policies import IngressRouting
from ingresslib.config.routing import Backend, HostRoutes, Route
from ingresslib.errors import ConfigError
from ingresslib.manifests.routing import MAX_OBJECT_BYTES, object_size
from ingresslib.manifests.virtual_service import (
    delegate_virtual_service,
    host_slug,
    http_route,
    virtual_service,
)
from ingresslib.offline.output import manifests
from ingresslib.offline.runner import run_program
from ingresslib.stack.render import check, stack_manifests
from tests.configs import HOST, HTTP, SHOP_TLS, eks_stack, https_listener, with_alb

BASE = eks_stack(
    listeners=[HTTP, https_listener(certificate="shop")],
    certificates={"shop": SHOP_TLS},
    routing={
        "backends": {
            "web": {"service": "web", "namespace": "shop", "port": 8080,
                    "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}}},
            "api": {"service": "api", "namespace": "shop", "port": 9090},
        },
        "hosts": [{"host": HOST, "routes": [{"name": "web", "to": [{"backend": "web"}]}]}],
    },
)


def _cfg(**routing: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["routing"].update(routing)
    return data


def _routes(*routes: dict[str, Any]) -> dict[str, Any]:
    return _cfg(hosts=[{"host": HOST, "routes": list(routes)}])


def _by_kind(objs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for o in objs:
        out.setdefault(o["kind"], []).append(o)
    return out


def _paths(data: dict[str, Any]) -> set[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return {p.path for p in err.value.problems}


# ------------------------------------------------------------------ the seeds


def test_seed_001_echo_gateway_canary_and_subsets(renders) -> None:
    objs = _by_kind(manifests(renders[("examples/echoserver-canary", "dev")]))
    (gateway,) = objs["Gateway"]
    assert gateway["spec"]["selector"] == {"istio": "ingressgateway"}  # seed 001's selector
    http, https = gateway["spec"]["servers"]
    assert http["port"] == {"name": "http", "number": 80, "protocol": "HTTP"}
    assert http["tls"] == {"httpsRedirect": True}
    assert https["tls"] == {"credentialName": "echo-tls", "minProtocolVersion": "TLSV1_2",
                            "mode": "SIMPLE"}
    (vs,) = objs["VirtualService"]
    route = vs["spec"]["http"][0]
    assert route["match"] == [{"uri": {"prefix": "/"}}]
    assert [(d["destination"]["subset"], d["weight"]) for d in route["route"]] == [
        ("v1", 80), ("v2", 20)]
    assert {d["destination"]["host"] for d in route["route"]} == {
        "echoserver-service.echo.svc.cluster.local"}
    (dr,) = objs["DestinationRule"]
    assert dr["spec"]["subsets"] == [{"labels": {"version": "v1"}, "name": "v1"},
                                     {"labels": {"version": "v2"}, "name": "v2"}]


def test_seed_002_guide_gateway_rewrite_and_least_request(renders) -> None:
    objs = _by_kind(manifests(renders[("examples/comprehensive-guide", "dev")]))
    (gateway,) = objs["Gateway"]
    assert gateway["spec"]["servers"][0]["hosts"] == ["myapp.example.com"]
    (vs,) = objs["VirtualService"]
    assert vs["spec"]["http"][0]["rewrite"] == {"uri": "/"}
    assert vs["spec"]["http"][0]["route"][0]["destination"]["port"] == {"number": 8080}
    (dr,) = objs["DestinationRule"]
    assert dr["spec"]["trafficPolicy"] == {"loadBalancer": {"simple": "LEAST_REQUEST"}}
    hpa = objs["HorizontalPodAutoscaler"][0]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    assert objs["PodDisruptionBudget"][0]["spec"]["minAvailable"] == 1
    ratelimit = next(f for f in objs["EnvoyFilter"] if f["metadata"]["name"].endswith("global"))
    value = ratelimit["spec"]["configPatches"][0]["patch"]["value"]
    assert value["name"] == "envoy.filters.http.ratelimit"
    assert value["typed_config"]["domain"] == "istio-ingress"
    assert value["typed_config"]["failure_mode_deny"] is True


# ------------------------------------------------------------------ features render valid


# One route of each kind, and one that sets every HTTP route setting ("api").
_EVERY_FEATURE: tuple[dict[str, Any], ...] = (
    {"name": "exact", "match": [{"uri": {"exact": "/health"}, "method": {"exact": "GET"}}],
     "directResponse": {"status": 200, "body": "ok"}},
    {"name": "old", "match": [{"uri": {"prefix": "/old/"}}],
     "redirect": {"uri": "/new/", "redirectCode": 308}},
    {"name": "api", "match": [{"uri": {"regex": "^/api/v[0-9]+/.*"},
                               "headers": {"x-team": {"exact": "a"}},
                               "queryParams": {"debug": {"exact": "1"}}, "port": 443},
                              # CORS preflights' own arm (ING-IX-CORS-PREFLIGHT)
                              {"uri": {"regex": "^/api/v[0-9]+/.*"},
                               "method": {"exact": "OPTIONS"}, "port": 443}],
     "to": [{"backend": "api"}], "rewrite": {"uri": "/", "authority": "api.internal"},
     "timeout": "3s", "retries": {"attempts": 3, "perTryTimeout": "1s",
                                  "retryOn": "5xx,reset"},
     "fault": {"delay": {"percent": 1, "fixedDelay": "100ms"},
               "abort": {"percent": 0.5, "httpStatus": 503}},
     "cors": {"allowOrigins": [{"exact": "https://shop.example.com"}],
              "allowMethods": ["GET", "POST"], "maxAge": "24h", "allowCredentials": True},
     "mirror": {"backend": "web", "subset": "v2", "percent": 5},
     "headers": {"request": {"set": {"x-edge": "ingresslib"}},
                 "response": {"remove": ["server"]}}},
    {"name": "team", "match": [{"uri": {"prefix": "/team/"}}],
     "delegate": {"name": "team-routes", "namespace": "team"}},
    {"name": "web", "to": [{"backend": "web", "subset": "v1", "weight": 50},
                           {"backend": "web", "subset": "v2", "weight": 50}]},
)


def test_every_http_route_feature_renders_valid(validator) -> None:
    data = _routes(*_EVERY_FEATURE)
    objs = stack_manifests(parse_config(data)).routing
    validator.assert_valid(objs)


def test_every_http_route_setting_is_rendered() -> None:
    """Without the schema check: what each setting renders to (a setting dropped fails)."""
    objs = stack_manifests(parse_config(_routes(*_EVERY_FEATURE))).routing
    vs = _by_kind(objs)["VirtualService"][0]["spec"]["http"]
    assert [r["name"] for r in vs] == ["exact", "old", "api", "team", "web"]  # order kept
    # Every setting of the route, each where Istio reads it (a setting dropped fails here).
    assert vs[2] == {
        "name": "api",
        "match": [{"uri": {"regex": "^/api/v[0-9]+/.*"}, "headers": {"x-team": {"exact": "a"}},
                   "queryParams": {"debug": {"exact": "1"}}, "port": 443},
                  {"uri": {"regex": "^/api/v[0-9]+/.*"}, "method": {"exact": "OPTIONS"},
                   "port": 443}],
        "route": [{"destination": {"host": "api.shop.svc.cluster.local",
                                   "port": {"number": 9090}}}],
        "rewrite": {"uri": "/", "authority": "api.internal"},
        "timeout": "3s",
        "retries": {"attempts": 3, "perTryTimeout": "1s", "retryOn": "5xx,reset"},
        "fault": {"delay": {"fixedDelay": "100ms", "percentage": {"value": 1.0}},
                  "abort": {"httpStatus": 503, "percentage": {"value": 0.5}}},
        "corsPolicy": {"allowOrigins": [{"exact": "https://shop.example.com"}],
                       "allowMethods": ["GET", "POST"], "maxAge": "24h",
                       "allowCredentials": True},
        "mirror": {"host": "web.shop.svc.cluster.local", "port": {"number": 8080},
                   "subset": "v2"},
        "mirrorPercentage": {"value": 5.0},
        "headers": {"request": {"set": {"x-edge": "ingresslib"}},
                    "response": {"remove": ["server"]}},
    }
    assert vs[4]["route"] == [
        {"destination": {"host": "web.shop.svc.cluster.local", "port": {"number": 8080},
                         "subset": subset}, "weight": 50} for subset in ("v1", "v2")]
    assert vs[0]["directResponse"] == {"status": 200, "body": {"string": "ok"}}
    assert vs[1]["redirect"] == {"uri": "/new/", "redirectCode": 308}
    assert vs[3]["delegate"] == {"name": "team-routes", "namespace": "team"}


@pytest.mark.parametrize("policy", [
    {"loadBalancer": {"simple": "ROUND_ROBIN"}},
    {"loadBalancer": {"hashHeader": "x-user"}},
    {"loadBalancer": {"hashCookie": "session", "hashCookieTtl": "1h"}},
    {"loadBalancer": {"hashSourceIp": True,
                      "failover": [{"from": "eu-west-1", "to": "eu-central-1"}]},
     "outlierDetection": {}},
    {"connectionPool": {"tcp": {"maxConnections": 100, "connectTimeout": "2s"},
                        "http": {"http1MaxPendingRequests": 50, "http2MaxRequests": 500,
                                 "maxRequestsPerConnection": 10, "maxRetries": 3,
                                 "idleTimeout": "30s"}}},
    {"tls": {"mode": "ISTIO_MUTUAL"}},
    {"tls": {"mode": "SIMPLE", "sni": "api.partner.example"}},
    {"tls": {"mode": "MUTUAL", "credentialName": "partner-client"}},
])
def test_destination_rule_policies_render_valid(policy, validator) -> None:
    data = _cfg()
    data["routing"]["backends"]["api"]["trafficPolicy"] = policy
    objs = _by_kind(stack_manifests(parse_config(data)).routing)["DestinationRule"]
    validator.assert_valid(objs)
    api = next(o for o in objs if o["spec"]["host"] == "api.shop.svc.cluster.local")
    assert api["spec"]["trafficPolicy"]


def test_outlier_detection_defaults() -> None:
    data = _cfg()
    data["routing"]["backends"]["api"]["trafficPolicy"] = {"outlierDetection": {}}
    dr = next(o for o in stack_manifests(parse_config(data)).routing
              if o["kind"] == "DestinationRule" and o["spec"]["host"].startswith("api."))
    assert dr["spec"]["trafficPolicy"]["outlierDetection"] == {
        "baseEjectionTime": "30s", "consecutive5xxErrors": 5, "interval": "10s",
        "maxEjectionPercent": 50}


def test_tls_passthrough_routes_by_sni(validator) -> None:
    data = copy.deepcopy(BASE)
    data["listeners"].append({"name": "passthrough", "port": 443, "protocol": "TLS",
                              "hosts": ["db.example.com"], "tls": {"mode": "PASSTHROUGH"}})
    data["routing"]["hosts"].append({"host": "db.example.com", "tlsRoutes": [
        {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "api"}]}]})
    objs = stack_manifests(parse_config(data)).routing
    validator.assert_valid(objs)
    gateway = _by_kind(objs)["Gateway"][0]
    assert gateway["spec"]["servers"][2]["tls"] == {"mode": "PASSTHROUGH"}
    vs = next(o for o in objs if o["kind"] == "VirtualService"
              and o["spec"]["hosts"] == ["db.example.com"])
    assert vs["spec"]["tls"][0]["match"] == [{"port": 443, "sniHosts": ["db.example.com"]}]


def test_mutual_tls_listener_and_tls13(validator) -> None:
    data = copy.deepcopy(BASE)
    data["listeners"][1]["tls"] = {"certificate": "shop", "mode": "MUTUAL",
                                   "minProtocolVersion": "TLSV1_3"}
    gateway = _by_kind(stack_manifests(parse_config(data)).routing)["Gateway"][0]
    validator.assert_valid([gateway])
    assert gateway["spec"]["servers"][1]["tls"] == {
        "credentialName": "shop-tls", "minProtocolVersion": "TLSV1_3", "mode": "MUTUAL"}


def test_chained_gateway_takes_plain_http_from_the_load_balancer() -> None:
    data = with_alb({**_cfg(), "topology": "chained"})
    gateway = _by_kind(stack_manifests(parse_config(data)).routing)["Gateway"][0]
    assert gateway["spec"]["servers"] == [{
        "hosts": [HOST], "port": {"name": "http-from-lb", "number": 80, "protocol": "HTTP"}}]


def test_http_only_host_is_not_redirected() -> None:
    data = _cfg()
    data["listeners"] = [{"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST]}]
    gateway = _by_kind(stack_manifests(parse_config(data)).routing)["Gateway"][0]
    assert "tls" not in gateway["spec"]["servers"][0]


# ------------------------------------------------------------------ references and rules


@pytest.mark.parametrize(("change", "path"), [
    ({"hosts": [{"host": HOST, "routes": [{"name": "x", "to": [{"backend": "nope"}]}]}]},
     f"routing.hosts[{HOST}].routes[x].to[0].backend"),
    ({"hosts": [{"host": HOST, "routes": [{"name": "x", "to": [
        {"backend": "web", "subset": "v3"}]}]}]}, f"routing.hosts[{HOST}].routes[x].to[0].subset"),
    ({"hosts": [{"host": HOST, "routes": [{"name": "x", "to": [
        {"backend": "web", "subset": "v1", "weight": 80},
        {"backend": "web", "subset": "v2", "weight": 30}]}]}]},
     f"routing.hosts[{HOST}].routes[x].to"),
    ({"hosts": [{"host": HOST, "routes": [{"name": "x", "to": [
        {"backend": "web", "subset": "v1", "weight": 80},
        {"backend": "web", "subset": "v2"}]}]}]}, f"routing.hosts[{HOST}].routes[x].to"),
    ({"hosts": [{"host": HOST, "routes": [{"name": "x", "to": [{"backend": "web"}],
                                           "mirror": {"backend": "web", "subset": "v9"}}]}]},
     f"routing.hosts[{HOST}].routes[x].mirror.subset"),
    ({"hosts": [{"host": "other.example.com", "routes": [
        {"name": "x", "to": [{"backend": "web"}]}]}]}, "routing.hosts[other.example.com].host"),
    ({"hosts": [{"host": HOST, "routes": [{"name": "x", "to": [{"backend": "web"}]},
                                          {"name": "x", "to": [{"backend": "api"}]}]}]},
     f"routing.hosts[{HOST}].routes[1].name"),
    ({"hosts": [{"host": HOST, "routes": [{"name": "x", "to": [{"backend": "web"}]}]},
                {"host": HOST, "routes": [{"name": "y", "to": [{"backend": "web"}]}]}]},
     "routing.hosts[1].host"),
    ({"hosts": [{"host": HOST, "tlsRoutes": [{"name": "t", "sniHosts": [HOST],
                                              "to": [{"backend": "api"}]}]}]},
     f"routing.hosts[{HOST}].tlsRoutes"),
    ({"hosts": [{"host": HOST}]}, f"routing.hosts[{HOST}].routes"),
])
def test_routing_reference_problems(change, path) -> None:
    assert path in _paths(_cfg(**change))


def test_redirect_to_https_that_nothing_serves_is_refused() -> None:
    data = _cfg()
    data["listeners"] = [{"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST],
                          "httpsRedirect": True}]
    data.pop("certificates")
    assert _paths(data) == {"listeners[http].httpsRedirect"}


@pytest.mark.parametrize("route", [
    {"name": "x"},
    {"name": "x", "to": [{"backend": "web"}], "redirect": {"uri": "/"}},
    {"name": "x", "delegate": {"name": "d", "namespace": "n"}, "timeout": "1s"},
    {"name": "x", "to": [{"backend": "web"}], "timeout": "500us"},
    {"name": "x", "to": [{"backend": "web"}], "timeout": "1500us"},  # finer than Istio takes
    {"name": "x", "to": [{"backend": "web"}], "match": [{"uri": {"exact": "/", "prefix": "/"}}]},
])
def test_malformed_routes_fail_validation(route) -> None:
    assert any(p.startswith(f"routing.hosts[{HOST}].routes[x]") for p in _paths(_routes(route)))


# ------------------------------------------------------------------ analysis before deploy


def test_analysis_errors_stop_before_registration() -> None:
    cfg = parse_config(_cfg())
    objs = stack_manifests(cfg).routing
    vs = next(o for o in objs if o["kind"] == "VirtualService")
    vs["spec"]["http"][0]["route"][0]["destination"]["subset"] = "ghost"
    with pytest.raises(ConfigError) as err:
        check(cfg, objs)
    assert any(p.code == "IST0101" for p in err.value.problems)
    # Alone, routing sees no gateway Service: a warning, not an error.
    assert [f.code for f in check(cfg, stack_manifests(cfg).routing)] == ["ING0001"]


def test_ingress_routing_alone_registers_its_objects() -> None:
    cfg = parse_config(_cfg())
    assert cfg.workload is not None
    records = run_program(lambda: IngressRouting("routes", cfg.routing, cfg.listeners,
                                                 cfg.workload, stack=cfg.name))
    kinds = sorted(o["kind"] for o in manifests(records))
    assert kinds == ["DestinationRule", "DestinationRule", "Gateway", "VirtualService"]


# ------------------------------------------------------------------ size: delegates


def _big_host(runs: int, per_run: int, tail: bool = True) -> dict[str, Any]:
    body = "x" * 2000
    routes = [
        {"name": f"r{s}-{i}", "match": [{"uri": {"prefix": f"/s{s}/{i}"}}],
         "directResponse": {"status": 200, "body": body}}
        for s in range(runs) for i in range(per_run)
    ]
    if tail:
        routes.append({"name": "fallback", "to": [{"backend": "web"}]})
    return _routes(*routes)


def test_oversized_virtual_service_splits_into_delegates(validator) -> None:
    objs = stack_manifests(parse_config(_big_host(runs=4, per_run=100))).routing
    services = _by_kind(objs)["VirtualService"]
    assert all(object_size(o) <= MAX_OBJECT_BYTES for o in objs)
    root, *delegates = services
    assert len(delegates) == 4
    validator.assert_valid(services)
    rules = root["spec"]["http"]
    assert [r.get("match", [{}])[0].get("uri", {}).get("prefix") for r in rules] == [
        "/s0/", "/s1/", "/s2/", "/s3/", None]
    assert rules[-1]["name"] == "fallback"  # unconfined rules stay in place
    for n, delegate in enumerate(delegates):
        assert "hosts" not in delegate["spec"]
        names = [r["name"] for r in delegate["spec"]["http"]]
        assert names[0] == f"r{n}-0"
        assert names[-1] == "fallback"  # fall-through preserved inside the delegate
        assert rules[n]["delegate"] == {"name": delegate["metadata"]["name"],
                                        "namespace": delegate["metadata"]["namespace"]}


def test_oversized_unconfined_routes_are_refused_with_advice() -> None:
    body = "x" * 2000
    data = _routes(*[{"name": f"r{i}", "match": [{"headers": {"x": {"exact": str(i)}}}],
                      "directResponse": {"status": 200, "body": body}} for i in range(400)])
    with pytest.raises(ConfigError) as err:
        stack_manifests(parse_config(data))
    assert err.value.problems[0].path == "routing.hosts[0].routes"
    assert "delegate" in err.value.problems[0].message


def test_analysis_findings_name_the_config_they_came_from() -> None:
    """IST0130 on a rendered VirtualService is reported at the route of the config, by name
    (issue 13), with the rendered object and field in the message."""
    data = _cfg()
    routes = data["routing"]["hosts"][0]["routes"]
    data["routing"]["hosts"][0]["routes"] = [
        {"name": "everything", "to": [{"backend": routes[0]["to"][0]["backend"]}]}, *routes]
    cfg = parse_config(data)
    with pytest.raises(ConfigError) as err:
        check(cfg, stack_manifests(cfg).routing)
    problem = next(p for p in err.value.problems if p.code == "IST0130")
    host = data["routing"]["hosts"][0]["host"]
    assert problem.path.startswith(f"routing.hosts[{host}].routes[")
    assert "(rendered as VirtualService/" in problem.message


def test_routing_alone_can_name_the_gateway_service_it_binds_to(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: routing alone in front of a gateway deployed by other means warned ING0001
    (no Service selects the pods) with no way to say which gateway it is; `service` names it."""
    cfg = parse_config(_cfg())
    assert cfg.workload is not None
    warned: list[str] = []
    monkeypatch.setattr("ingresslib.components.policies.pulumi.log.warn",
                        lambda message, resource=None: warned.append(message))
    run_program(lambda: IngressRouting("routes", cfg.routing, cfg.listeners, cfg.workload,
                                       stack=cfg.name))
    assert any("ING0001" in w for w in warned)
    warned.clear()
    records = run_program(lambda: IngressRouting(
        "routes", cfg.routing, cfg.listeners, cfg.workload, stack=cfg.name,
        service="istio-ingressgateway"))
    assert not any("ING0001" in w for w in warned)
    # The named Service is the user's: analysed, never registered.
    assert "Service" not in {o["kind"] for o in manifests(records)}


# ------------------------------------------------------------------ the VirtualService itself

_DB = {"db": Backend.model_validate({"service": "db", "namespace": "data", "port": 5432})}
_DB_ROUTE = [{"destination": {"host": "db.data.svc.cluster.local", "port": {"number": 5432}}}]


def test_tls_routes_match_sni_on_the_passthrough_port() -> None:
    host = HostRoutes.model_validate({"host": "db.example.com", "tlsRoutes": [
        {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "db"}]}]})
    vs = virtual_service("x", "istio-ingress", "istio-ingress/x", host, _DB,
                         passthrough_port=8443)
    assert vs["metadata"] == {"name": "x", "namespace": "istio-ingress",
                              "labels": {"app.kubernetes.io/managed-by": "ingresslib"}}
    assert vs["spec"] == {
        "hosts": ["db.example.com"], "gateways": ["istio-ingress/x"],
        "tls": [{"match": [{"port": 8443, "sniHosts": ["db.example.com"]}],
                 "route": _DB_ROUTE}]}
    default = virtual_service("x", "istio-ingress", "istio-ingress/x", host, _DB)
    assert default["spec"]["tls"][0]["match"] == [{"port": 443, "sniHosts": ["db.example.com"]}]


def test_a_delegate_holds_rules_only() -> None:
    vs = delegate_virtual_service("shop-1", "shop", [{"name": "r"}])
    assert vs == {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                  "metadata": {"name": "shop-1", "namespace": "shop",
                               "labels": {"app.kubernetes.io/managed-by": "ingresslib"}},
                  "spec": {"http": [{"name": "r"}]}}


def test_a_wildcard_host_names_its_objects_wildcard() -> None:
    assert host_slug("*.example.com") == "wildcard-example-com"


def test_match_method_case_and_header_additions_render_as_istio_reads_them() -> None:
    route = Route.model_validate({
        "name": "r", "to": [{"backend": "db"}],
        "match": [{"uri": {"prefix": "/A/"}, "ignoreUriCase": True,
                   "method": {"exact": "POST"}}],
        "rewrite": {"uri": "/"}, "retries": {"attempts": 2},
        "headers": {"request": {"add": {"b": "2", "a": "1"}},
                    "response": {"add": {"x": "y"}}}})
    assert http_route(route, _DB) == {
        "name": "r",
        "match": [{"uri": {"prefix": "/A/"}, "method": {"exact": "POST"},
                   "ignoreUriCase": True}],
        "route": _DB_ROUTE,
        "rewrite": {"uri": "/"},  # unset fields stay out
        "retries": {"attempts": 2},
        "headers": {"request": {"add": {"a": "1", "b": "2"}}, "response": {"add": {"x": "y"}}},
    }


def test_a_virtual_service_waits_for_the_destination_rules_it_sends_to(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Make before break, per host: the VirtualService after the rules of its backends (web,
    not api), the Gateway after every rule."""
    after: dict[str, list[str]] = {}
    original = base.register

    def spy(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> Any:
        child = original(name, manifest, opts)
        after[f"{manifest['kind']}/{manifest['metadata']['name']}"] = sorted(
            d._name for d in opts.depends_on or [])  # type: ignore[union-attr]
        return child

    monkeypatch.setattr(base, "register", spy)
    cfg = parse_config(BASE)
    run_program(lambda: IngressRouting("r", cfg.routing, cfg.listeners, cfg.workload))
    assert after["VirtualService/ingress-shop-example-com"] == ["r-shop-ingress-web"]
    assert after["Gateway/ingress"] == ["r-shop-ingress-api", "r-shop-ingress-web"]
