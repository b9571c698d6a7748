"""manifests/routing.py: the Istio Gateway, a VirtualService per host (split into delegates
past the size etcd should hold), DestinationRules, the ACME challenge's Gateway, and the one
routing entry point of both APIs."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib.config.acme import CHALLENGE_PREFIX, not_prefix_regex
from ingresslib.config.listeners import Listener, https_hosts, redirects
from ingresslib.config.routing import Route, Routing
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ConfigError
from ingresslib.manifests import routing as routing_module
from ingresslib.manifests.routing import (
    MAX_OBJECT_BYTES,
    acme_redirect_objects,
    gateway_listeners,
    gateway_routing_objects,
    object_size,
    routing_objects,
)

MANAGED = {"app.kubernetes.io/managed-by": "ingresslib"}
API = [{"destination": {"host": "api.shop.svc.cluster.local", "port": {"number": 80}}}]
WL = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                     "labels": {"istio": "edge"}})


def _listeners(*data: dict[str, Any]) -> list[Listener]:
    return [Listener.model_validate(d) for d in data]


LISTENERS = _listeners(
    {"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["shop.example.com",
                                                             "*.example.org"]},
    {"name": "https", "port": 443, "protocol": "HTTPS",
     "hosts": ["shop.example.com", "*.example.org"], "tls": {"certificate": "c"}},
    {"name": "tls", "port": 9443, "protocol": "TLS", "hosts": ["db.example.com"],
     "tls": {"mode": "PASSTHROUGH"}},
)
BACKENDS = {"api": {"service": "api", "namespace": "shop", "port": 80},
            "db": {"service": "db", "namespace": "data", "port": 5432}}


def _routing(*hosts: dict[str, Any]) -> Routing:
    return Routing.model_validate({"backends": BACKENDS, "hosts": list(hosts)})


def _meta(name: str, namespace: str = "edge", **annotations: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": MANAGED}
    if annotations:
        meta["annotations"] = annotations
    return meta


def _vs(name: str, host: str, gateway: str = "edge/shop", annotations: dict[str, str] | None = None,
        **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": _meta(name, **(annotations or {})),
            "spec": {"hosts": [host], "gateways": [gateway], **spec}}


ROUTING = _routing(
    {"host": "*.example.org", "routes": [{"name": "w", "to": [{"backend": "api"}]}]},
    {"host": "a.example.org", "inheritWildcardRoutes": True,
     "routes": [{"name": "a", "match": [{"uri": {"prefix": "/a"}}], "to": [{"backend": "api"}]}]},
    {"host": "b.example.org", "inheritWildcardRoutes": False,
     "routes": [{"name": "b", "to": [{"backend": "api"}]}]},
    {"host": "db.example.com", "tlsRoutes": [
        {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "db"}]}]},
    {"host": "other.example.com", "tlsRoutes": [
        {"name": "o", "sniHosts": ["other.example.com"], "to": [{"backend": "db"}]}]},
)


def test_every_object_in_order() -> None:
    objs = routing_objects(ROUTING, LISTENERS, WL, stack="shop", credentials={"c": "c-tls"})
    db = [{"destination": {"host": "db.data.svc.cluster.local", "port": {"number": 5432}}}]
    assert objs == [
        {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": _meta("shop"),
         "spec": {"selector": {"istio": "edge"}, "servers": [
             {"port": {"number": 80, "name": "http", "protocol": "HTTP"},
              "hosts": ["shop.example.com", "*.example.org"], "tls": {"httpsRedirect": True}},
             {"port": {"number": 443, "name": "https", "protocol": "HTTPS"},
              "hosts": ["shop.example.com", "*.example.org"],
              "tls": {"mode": "SIMPLE", "credentialName": "c-tls",
                      "minProtocolVersion": "TLSV1_2"}},
             {"port": {"number": 9443, "name": "tls", "protocol": "TLS"},
              "hosts": ["db.example.com"], "tls": {"mode": "PASSTHROUGH"}}]}},
        _vs("shop-wildcard-example-org", "*.example.org", http=[{"name": "w", "route": API}]),
        _vs("shop-a-example-org", "a.example.org",
            annotations={"ingresslib.io/inherit-wildcard-routes": "true"},
            http=[{"name": "a", "match": [{"uri": {"prefix": "/a"}}], "route": API},
                  {"name": "w", "route": API}]),
        _vs("shop-b-example-org", "b.example.org",
            annotations={"ingresslib.io/inherit-wildcard-routes": "false"},
            http=[{"name": "b", "route": API}]),
        # SNI routes match on the port of the TLS listener serving the host (else 443).
        _vs("shop-db-example-com", "db.example.com",
            tls=[{"match": [{"port": 9443, "sniHosts": ["db.example.com"]}], "route": db}]),
        _vs("shop-other-example-com", "other.example.com",
            tls=[{"match": [{"port": 443, "sniHosts": ["other.example.com"]}], "route": db}]),
        {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
         "metadata": _meta("shop-api", "shop"), "spec": {"host": "api.shop.svc.cluster.local"}},
        {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
         "metadata": _meta("shop-db", "data"), "spec": {"host": "db.data.svc.cluster.local"}},
    ]


def test_defaults_credentials_by_key_and_redirects_named() -> None:
    objs = routing_objects(_routing(), LISTENERS, WL)
    servers = objs[0]["spec"]["servers"]
    assert objs[0]["metadata"]["name"] == "ingress"
    assert servers[1]["tls"]["credentialName"] == "c"
    assert "tls" in servers[0]
    objs = routing_objects(_routing(), LISTENERS, WL, redirecting=())
    assert "tls" not in objs[0]["spec"]["servers"][0]


def test_the_acme_challenge_gets_a_gateway_of_its_own() -> None:
    objs = routing_objects(ROUTING, LISTENERS, WL, stack="shop", challenge_listeners=["http"],
                           challenge_hosts=["x.example.org", "y.example.net",
                                            "shop.example.com"])
    assert [s["port"]["name"] for s in objs[0]["spec"]["servers"]] == ["https", "tls"]
    assert objs[1:3] == [
        {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": _meta("shop-acme"),
         "spec": {"selector": {"istio": "edge"}, "servers": [
             {"port": {"number": 80, "name": "http", "protocol": "HTTP"},
              "hosts": ["shop.example.com", "*.example.org"]}]}},
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": _meta("shop-acme-redirect"),
         "spec": {"hosts": ["*.example.org", "shop.example.com", "x.example.org"],
                  "gateways": ["edge/shop-acme"],
                  "http": [{"name": "https-redirect",
                            "match": [{"uri": {"regex": not_prefix_regex(CHALLENGE_PREFIX)}}],
                            "redirect": {"scheme": "https", "redirectCode": 301}}]}},
    ]
    assert objs[3]["spec"]["gateways"] == ["edge/shop"]


def test_a_catch_all_host_takes_every_challenge_name() -> None:
    listeners = _listeners({"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["*"]})
    vs = acme_redirect_objects("acme", "edge", {"istio": "edge"}, listeners,
                               ["b.example.com", "a.example.com"])[1]
    assert vs["spec"]["hosts"] == ["*", "a.example.com", "b.example.com"]
    assert acme_redirect_objects("acme", "edge", {}, listeners)[1]["spec"]["hosts"] == ["*"]


def test_gateway_listeners() -> None:
    nlb = gateway_listeners(LISTENERS, "gateway", tls_at_load_balancer={"https"})
    # The HTTPS listener it redirected to is served as HTTP now: the redirect is kept, so the
    # servers alone say it (IngressRouting without `redirecting`).
    assert nlb[0] == LISTENERS[0].model_copy(update={"https_redirect": True})
    assert redirects(nlb[0], https_hosts(nlb))
    assert nlb[2] is LISTENERS[2]
    assert gateway_listeners(LISTENERS, "gateway")[0] is LISTENERS[0]
    assert nlb[1] == Listener(name="https", port=443, protocol="HTTP",
                              hosts=["shop.example.com", "*.example.org"], https_redirect=False)
    assert gateway_listeners(LISTENERS, "standalone") == LISTENERS
    any_host = _listeners({"name": "h", "port": 8080, "protocol": "HTTP", "hosts": ["*"],
                           "allowAnyHost": True})
    assert gateway_listeners(any_host, "gateway", ["h"])[0].allow_any_host is True
    chained = gateway_listeners(LISTENERS, "chained", ["https"])
    assert chained == [Listener(name="http-from-lb", port=80, protocol="HTTP",
                                hosts=["*.example.org", "db.example.com", "shop.example.com"],
                                https_redirect=False, allow_any_host=False)]
    star = gateway_listeners(any_host, "chained")[0]
    assert (star.hosts, star.allow_any_host) == (["*"], True)


def test_gateway_routing_objects_in_either_api() -> None:
    routing = _routing({"host": "shop.example.com",
                        "routes": [{"name": "r", "to": [{"backend": "api"}]}]})
    classic = gateway_routing_objects(routing, LISTENERS, WL, stack="shop",
                                      credentials={"c": "c-tls"}, redirecting=())
    assert classic == routing_objects(routing, LISTENERS, WL, stack="shop",
                                      credentials={"c": "c-tls"}, redirecting=())
    assert "tls" not in classic[0]["spec"]["servers"][0]
    acme = gateway_routing_objects(routing, LISTENERS, WL, challenge_listeners=["http"],
                                   challenge_hosts=["x.example.org"])
    assert [o["metadata"]["name"] for o in acme][:3] == [
        "ingress", "ingress-acme", "ingress-acme-redirect"]
    assert acme[2]["spec"]["hosts"] == ["*.example.org", "shop.example.com", "x.example.org"]
    assert gateway_routing_objects(routing, LISTENERS, WL) == routing_objects(
        routing, LISTENERS, WL)


def test_gateway_routing_objects_under_gateway_api() -> None:
    retried = _routing({"host": "shop.example.com", "routes": [
        {"name": "r", "to": [{"backend": "api"}], "retries": {"attempts": 2, "retryOn": "503"}}]})
    api = gateway_routing_objects(retried, LISTENERS, WL, api="gatewayApi", stack="shop",
                                  credentials={"c": "c-tls"}, redirecting=(),
                                  experimental=True, service="mine")
    gateway, route = api[:2]
    assert (gateway["kind"], gateway["metadata"]["name"]) == ("Gateway", "shop")
    assert gateway["spec"]["addresses"][0]["value"] == "mine.edge.svc.cluster.local"
    assert gateway["spec"]["listeners"][2]["tls"]["certificateRefs"][0]["name"] == "c-tls"
    assert route["spec"]["rules"][0]["retry"] == {"attempts": 2, "codes": [503]}
    assert [o["metadata"]["name"] for o in api if o["kind"] == "HTTPRoute"] == [
        "shop-shop-example-com"]
    # The standard channel by default: the retries go to the route patches.
    standard = gateway_routing_objects(retried, LISTENERS, WL, api="gatewayApi")
    assert "retry" not in standard[1]["spec"]["rules"][0]
    assert [o["metadata"]["name"] for o in standard if o["kind"] == "HTTPRoute"] == [
        "ingress-shop-example-com", "ingress-http-https-redirect"]
    assert standard[-1]["kind"] == "EnvoyFilter"
    tls13 = [*LISTENERS, *_listeners({"name": "v13", "port": 8443, "protocol": "HTTPS",
                                      "hosts": ["shop.example.com"],
                                      "tls": {"certificate": "c",
                                              "minProtocolVersion": "TLSV1_3"}})]
    with pytest.raises(ConfigError) as err:
        gateway_routing_objects(retried, tls13, WL, api="gatewayApi",
                                paths={"v13": "gateway.listeners[9]"})
    assert [p.path for p in err.value.problems] == ["gateway.listeners[9].tls.minProtocolVersion"]


# ------------------------------------------------------------------ size: delegates


def test_object_size_is_compact_json_in_bytes() -> None:
    assert object_size({"a": [1, "é"]}) == len('{"a":[1,"\\u00e9"]}')
    assert MAX_OBJECT_BYTES == 512 * 1024


def _host(*routes: dict[str, Any]) -> Routing:
    return _routing({"host": "shop.example.com", "routes": list(routes)})


def _direct(name: str, match: list[dict[str, Any]], body: str = "x") -> dict[str, Any]:
    return {"name": name, "match": match, "directResponse": {"status": 200, "body": body}}


def _prefix(p: str, **more: Any) -> list[dict[str, Any]]:
    return [{"uri": {"prefix": p}, **more}]


def test_a_virtual_service_splits_only_past_the_limit() -> None:
    """The limit itself still fits in one object; one byte more splits it."""
    def objects(pad: int) -> list[dict[str, Any]]:
        routing = _host(_direct("a", _prefix("/a/"), "x" * pad),
                        _direct("b", _prefix("/b/"), "y" * 100))
        return routing_objects(routing, [], WL)
    size = object_size(objects(100)[1])
    fits = objects(100 + MAX_OBJECT_BYTES - size)
    assert object_size(fits[1]) == MAX_OBJECT_BYTES
    assert [o["metadata"]["name"] for o in fits if o["kind"] == "VirtualService"] == [
        "ingress-shop-example-com"]
    split = objects(101 + MAX_OBJECT_BYTES - size)
    assert [o["metadata"]["name"] for o in split if o["kind"] == "VirtualService"] == [
        "ingress-shop-example-com", "ingress-shop-example-com-1", "ingress-shop-example-com-2"]


def _limit_below(monkeypatch: pytest.MonkeyPatch, routing: Routing, host: int = -1) -> None:
    """A size limit one byte under the VirtualService of `routing`'s host `host`."""
    services = [o for o in routing_objects(routing, [], WL) if o["kind"] == "VirtualService"]
    monkeypatch.setattr(routing_module, "MAX_OBJECT_BYTES", object_size(services[host]) - 1)


def test_runs_confined_to_a_first_segment_become_delegates(monkeypatch) -> None:
    routing = _host(
        _direct("u0", [{"headers": {"x": {"exact": "0"}}}]),
        _direct("a1", _prefix("/a/1")),
        {"name": "a2", "match": [{"uri": {"exact": "/a/2"}}], "to": [{"backend": "api"}]},
        _direct("u1", _prefix("/")),
        _direct("b1", _prefix("/b/x"), "b" * 300),
        _direct("a3", _prefix("/a/3")),
        _direct("u2", _prefix("/a", ignoreUriCase=True)),
    )
    _limit_below(monkeypatch, routing)
    root, *delegates = [o for o in routing_objects(routing, [], WL)
                        if o["kind"] == "VirtualService"]
    names = [[r["name"] for r in d["spec"]["http"]] for d in delegates]
    assert names == [["a1", "a2", "u1", "u2"], ["b1", "u2"], ["a3", "u2"]]
    assert delegates[0]["spec"]["http"][1] == {
        "name": "a2", "match": [{"uri": {"exact": "/a/2"}}], "route": API}
    assert root["metadata"] == _meta("ingress-shop-example-com")
    assert root["spec"]["hosts"] == ["shop.example.com"]
    assert [(r["name"], r.get("match"), r.get("delegate")) for r in root["spec"]["http"]] == [
        ("u0", [{"headers": {"x": {"exact": "0"}}}], None),
        ("delegate-1", _prefix("/a/"), {"name": "ingress-shop-example-com-1", "namespace": "edge"}),
        ("u1", _prefix("/"), None),
        ("delegate-2", _prefix("/b/"), {"name": "ingress-shop-example-com-2", "namespace": "edge"}),
        ("delegate-3", _prefix("/a/"), {"name": "ingress-shop-example-com-3", "namespace": "edge"}),
        ("u2", _prefix("/a", ignoreUriCase=True), None),
    ]
    assert delegates[0] == {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                            "metadata": _meta("ingress-shop-example-com-1"),
                            "spec": {"http": delegates[0]["spec"]["http"]}}


@pytest.mark.parametrize(("matches", "scoped"), [
    ([{"uri": {"prefix": "/a/b"}}, {"uri": {"exact": "/a/"}}], True),
    ([{"uri": {"prefix": "/a/"}}, {"uri": {"prefix": "/b/"}}], False),
    ([{"uri": {"prefix": "/a"}}], False),
    ([{"uri": {"prefix": "//a"}}], False),
    ([{"uri": {"regex": "/a/.*"}}], False),
    ([{"uri": {"prefix": "/a/"}, "ignoreUriCase": True}], False),
    ([{"method": {"exact": "GET"}}], False),
    ([{"uri": {"prefix": "/a/"}}, {"headers": {"x": {"exact": "1"}}}], False),
])
def test_which_routes_a_delegate_takes(monkeypatch, matches: list[dict[str, Any]],
                                       scoped: bool) -> None:
    # The host's VirtualService is over the limit; a delegate with the route alone is under.
    routing = _host({"name": "r", "match": matches,
                     "directResponse": {"status": 200, "body": "x" * 400}})
    _limit_below(monkeypatch, routing)
    if not scoped:
        with pytest.raises(ConfigError):
            routing_objects(routing, [], WL)
        return
    root = routing_objects(routing, [], WL)[1]
    assert root["spec"]["http"][0]["delegate"]["name"] == "ingress-shop-example-com-1"


def test_split_objects_may_reach_the_limit_exactly(monkeypatch) -> None:
    routing = _host(_direct("a", _prefix("/a/"), "x" * 300),
                    _direct("b", _prefix("/b/"), "y" * 900))
    _limit_below(monkeypatch, routing)
    split = [o for o in routing_objects(routing, [], WL) if o["kind"] == "VirtualService"]
    largest = max(object_size(o) for o in split)
    monkeypatch.setattr(routing_module, "MAX_OBJECT_BYTES", largest)
    assert [o for o in routing_objects(routing, [], WL) if o["kind"] == "VirtualService"] == split


def test_routes_that_do_not_fit_even_split_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(routing_module, "MAX_OBJECT_BYTES", 3 * 1024)
    routing = _routing(
        {"host": "a.example.com", "routes": [{"name": "a", "to": [{"backend": "api"}]}]},
        {"host": "shop.example.com", "routes": [
            _direct(f"r{i}", _prefix(f"/s/{i}"), "x" * 2000) for i in range(2)]})
    with pytest.raises(ConfigError) as err:
        routing_objects(routing, [], WL)
    assert [(p.path, p.value, p.message) for p in err.value.problems] == [(
        "routing.hosts[1].routes", "2 routes",
        "render VirtualServices over 3 KiB even split by first path segment; group the routes "
        "under distinct path prefixes or delegate them to team VirtualServices "
        "(routes[].delegate)")]
    # Each run fits in a delegate: no problem.
    fits = _host(*[_direct(f"r{i}", _prefix(f"/s{i}/"), "x" * 2000) for i in range(2)])
    assert len(routing_objects(fits, [], WL)) == 1 + 3 + 2


def test_a_split_host_keeps_its_inherited_routes_in_the_root(monkeypatch) -> None:
    routing = _routing(
        {"host": "*.example.org", "routes": [{"name": "w", "to": [{"backend": "api"}]}]},
        {"host": "a.example.org", "inheritWildcardRoutes": True, "routes": [
            _direct("a1", _prefix("/a/"), "x" * 1100), _direct("a2", _prefix("/a/b"))]})
    _limit_below(monkeypatch, routing)
    objs = routing_objects(routing, [], WL)
    root = next(o for o in objs if o["metadata"]["name"] == "ingress-a-example-org")
    assert root["metadata"]["annotations"] == {"ingresslib.io/inherit-wildcard-routes": "true"}
    # The inherited route is unconfined: it stays in the root, after the delegating rule, and
    # the delegate carries a copy for the requests that fall through.
    assert [r["name"] for r in root["spec"]["http"]] == ["delegate-1", "w"]
    delegate = next(o for o in objs if o["metadata"]["name"] == "ingress-a-example-org-1")
    assert [r["name"] for r in delegate["spec"]["http"]] == ["a1", "a2", "w"]


def test_route_scopes_from_the_config_models() -> None:
    route = Route.model_validate({"name": "r", "match": [{"uri": {"prefix": "/a/b"}}],
                                  "to": [{"backend": "api"}]})
    assert routing_module._scope(route) == "/a/"
