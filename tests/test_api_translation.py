"""Nothing is dropped between the two routing APIs (issue 18, input e, and its kind
EDGE-API-DROP): every config field that reaches the classic render (Istio Gateway,
VirtualServices, DestinationRules) either reaches the Gateway API render (Gateway, routes,
BackendTLSPolicy, the DestinationRules and route patches ingresslib still renders for Istio)
or is refused with its config path.

The check is a walk, not a list: it takes a config that sets every routing and listener field
Gateway API can carry, changes each leaf in turn (and each map key), and keeps the changes the
classic render shows. For each, the Gateway API render must change too, or validation must
refuse the change with a path at or above the leaf. A field that changes the classic objects
and leaves the Gateway API ones as they were is a silent drop, and fails here with its path.
Input (e), the booking backend of istio/istio#13578, is kept literal as the report wrote it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.config.listeners import Listener
from ingresslib.config.routing import Routing
from ingresslib.errors import ConfigError
from ingresslib.manifests.gateway_api import ParentRef, route_objects
from ingresslib.manifests.gateway_api.routes import ROUTE_PATCHES
from ingresslib.paths import named
from ingresslib.stack.model import edge_rules
from ingresslib.stack.render import stack_manifests
from tests.configs import HOST, SHOP_TLS, azure, eks_stack

# Every field ingresslib renders into the classic objects that Gateway API can also say (or
# that Istio's own objects carry beside it). What Gateway API refuses outright (fault,
# directResponse, delegate, match ports, a TLS 1.3 minimum) is tested refused in
# tests/test_gateway_api.py.
FULL = eks_stack(
    listeners=[
        {"name": "http", "port": 80, "protocol": "HTTP", "hosts": [HOST],
         "httpsRedirect": True},
        {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [HOST],
         "tls": {"certificate": "shop", "mode": "MUTUAL",
                 "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"]}},
        {"name": "tls", "port": 443, "protocol": "TLS", "hosts": ["db.example.com"],
         "tls": {"mode": "PASSTHROUGH"}},
    ],
    certificates={"shop": SHOP_TLS},
    routing={
        "backends": {
            "web": {"service": "web", "namespace": "shop", "port": 80, "targetPort": 8080,
                    "selector": {"app": "web"},
                    "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}},
                    "trafficPolicy": {
                        "loadBalancer": {"simple": "ROUND_ROBIN"},
                        "connectionPool": {
                            "tcp": {"maxConnections": 100, "connectTimeout": "5s"},
                            "http": {"maxRequestsPerConnection": 10, "maxRetries": 3,
                                     "idleTimeout": "60s", "useClientProtocol": True}},
                        "outlierDetection": {"consecutive5xxErrors": 5, "interval": "10s",
                                             "baseEjectionTime": "30s",
                                             "maxEjectionPercent": 50}}},
            "booking": {"service": "bookingrequest-api-service", "namespace": "booking",
                        "port": 443,
                        "trafficPolicy": {
                            "loadBalancer": {"simple": "LEAST_REQUEST"},
                            "tls": {"mode": "SIMPLE", "sni": "booking.internal",
                                    "credentialName": "booking-backend-ca"}}},
            # Sticky sessions on a backend no weighted split reaches (ING-IX-HASH-SPLIT).
            "cart": {"service": "cart", "namespace": "shop", "port": 80,
                     "trafficPolicy": {
                         "loadBalancer": {"hashCookie": "session", "hashCookieTtl": "1h"}}},
            "grpc": {"service": "orders", "namespace": "shop", "port": 9090,
                     "protocol": "GRPC"},
            "db": {"service": "db", "namespace": "data", "port": 5432},
        },
        "hosts": [
            {"host": HOST, "routes": [
                {"name": "orders", "match": [{"uri": {"prefix": "/shop.Orders/"}}],
                 "to": [{"backend": "grpc"}], "timeout": "5s",
                 "retries": {"attempts": 2, "perTryTimeout": "2s", "retryOn": "unavailable"}},
                {"name": "old", "match": [{"uri": {"exact": "/old"}}],
                 "redirect": {"uri": "/new/", "redirectCode": 308, "scheme": "https",
                              "authority": "new.example.com", "port": 8443}},
                {"name": "api", "match": [{"uri": {"prefix": "/api/"},
                                           "method": {"exact": "POST"},
                                           "headers": {"x-team": {"exact": "a"}},
                                           "queryParams": {"debug": {"exact": "1"}}}],
                 "to": [{"backend": "booking"}],
                 "rewrite": {"uri": "/v1/", "authority": "api.internal"},
                 "timeout": "10s",
                 "retries": {"attempts": 3, "perTryTimeout": "3s",
                             "retryOn": "5xx,reset"},
                 "mirror": {"backend": "web", "subset": "v2", "percent": 25},
                 "headers": {"request": {"set": {"x-a": "1"}, "add": {"x-d": "4"},
                                         "remove": ["x-b"]},
                             "response": {"set": {"x-e": "5"}, "add": {"x-c": "2"},
                                          "remove": ["x-f"]}}},
                {"name": "case", "match": [{"uri": {"prefix": "/Docs/"},
                                            "ignoreUriCase": True}],
                 "to": [{"backend": "web", "subset": "v1"}]},
                # CORS on a route a browser's preflight can reach (ING-IX-CORS-PREFLIGHT)
                {"name": "cart", "match": [{"uri": {"prefix": "/cart/"}}],
                 "to": [{"backend": "cart"}],
                 "cors": {"allowOrigins": [{"exact": "https://shop.example.com"}],
                          "allowMethods": ["GET", "POST"], "allowHeaders": ["x-a"],
                          "exposeHeaders": ["x-b"], "maxAge": "24h",
                          "allowCredentials": True},
                },
                {"name": "web", "to": [{"backend": "web", "subset": "v1", "weight": 90},
                                       {"backend": "web", "subset": "v2", "weight": 10}]},
            ]},
            {"host": "db.example.com", "tlsRoutes": [
                {"name": "db", "sniHosts": ["db.example.com"], "to": [{"backend": "db"}]}]},
        ],
    },
)
# Other values a leaf may take, tried before the generic changes (enumerations, and values
# whose generic change the config refuses).
ALTERNATIVES: dict[str, list[Any]] = {
    "LEAST_REQUEST": ["RANDOM"], "SIMPLE": ["MUTUAL"], "MUTUAL": ["SIMPLE"],
    "PASSTHROUGH": ["SIMPLE"], "GRPC": ["HTTP"], "https": ["http"], "POST": ["GET"],
    "ECDHE-RSA-AES128-GCM-SHA256": ["ECDHE-RSA-AES256-GCM-SHA384"],
    "5xx,reset": ["gateway-error"], "unavailable": ["cancelled"],
    # references: another subset, another backend
    "v1": ["v2"], "v2": ["v1"], "web": ["booking"], "booking": ["web"], "grpc": ["web"],
    "db": ["web"],
}
Path = tuple[str | int, ...]


def _dotted(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _leaves(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _leaves(v, (*path, i))
    else:
        yield path, data


def _maps(data: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path of a dict, key) for every key: renaming a model's field is refused by the
    config, so only the keys of maps (headers, labels, subsets...) survive as changes."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield path, k
            yield from _maps(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _maps(v, (*path, i))


def _candidates(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        return [value / 2]
    text = str(value)
    out = list(ALTERNATIVES.get(text, []))
    if text[-1:] in "sm" and text[:-1].isdigit():
        out.append(f"{int(text[:-1]) + 1}{text[-1]}")
    if text[-1:] == "h" and text[:-1].isdigit():
        out.append(f"{int(text[:-1]) + 1}h")
    if text.startswith("/"):
        out.append(text.rstrip("/") + "x/" if text.endswith("/") else text + "x")
    out += [text + "x", "x" + text]
    return out


def _set(data: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return out


def _rename(data: dict[str, Any], path: Path, key: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for p in path:
        node = node[p]
    node[key + "x"] = node.pop(key)
    return out


def _render(data: dict[str, Any], api: str, channel: str = "standard") -> str | list[str]:
    """The stack's objects as canonical JSON, or the refused config paths."""
    extra = {"gatewayApi": {"channel": channel}} if api == "gatewayApi" else {}
    try:
        cfg = parse_config({**data, "api": api, **extra})
    except ConfigError as e:
        return [p.path for p in e.problems]
    return json.dumps(stack_manifests(cfg).all(), sort_keys=True)


def _norm(path: str) -> str:
    return path.replace("_", "").lower()


def _refuses(problems: list[str], path: str, data: dict[str, Any]) -> bool:
    """A problem at the changed field or above it (its route, its backend's policy), by
    index or by name (`routes[api]`: ingresslib.paths)."""
    leaves = {_norm(path), _norm(named(path, data))}
    return any(leaf.startswith(_norm(p)) or _norm(p).startswith(leaf)
               for p in problems for leaf in leaves)


def _changes(full: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, value in _leaves(full):
        if path[0] not in ("routing", "listeners"):
            continue
        for candidate in _candidates(value):
            yield _dotted(path), _set(full, path, candidate)
    for path, key in _maps(full):
        if path and path[0] in ("routing", "listeners"):
            yield _dotted((*path, key)), _rename(full, path, key)
    yield from _weight_shifts(full, full)


def _weight_shifts(full: dict[str, Any], data: Any, path: Path = ()
                   ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Weights change together (they sum to 100): 10 from the first to the last."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _weight_shifts(full, v, (*path, k))
    elif isinstance(data, list):
        if len(data) > 1 and all(isinstance(d, dict) and "weight" in d for d in data):
            shifted = copy.deepcopy(data)
            shifted[0]["weight"] -= 10
            shifted[-1]["weight"] += 10
            yield _dotted((*path, 0, "weight")), _set(full, path, shifted)
        for i, v in enumerate(data):
            yield from _weight_shifts(full, v, (*path, i))


# What only the route patches EnvoyFilter carries under Gateway API, which the AKS Istio
# add-on does not take: retries the HTTPRoute cannot say, a gRPC route's timeout.
PATCHED = ("routing.hosts[0].routes[0].retries", "routing.hosts[0].routes[0].timeout",
           "routing.hosts[0].routes[2].retries")


def _aks_addon(*, patched: bool) -> dict[str, Any]:
    """FULL on AKS with the Istio add-on's gateway (Gateway API from asm-1-26); without the
    PATCHED fields unless `patched`."""
    data = {**copy.deepcopy(FULL), "cloud": "aks",
            "azure": azure(istioAddon={"revision": "asm-1-26"})}
    if not patched:
        for route in data["routing"]["hosts"][0]["routes"]:
            route.pop("retries", None)
            if route["name"] == "orders":
                route.pop("timeout")
    return data


def walk(channel: str = "standard", full: dict[str, Any] | None = None
         ) -> tuple[dict[str, str], list[str]]:
    """For each field the classic render of `full` (default FULL) shows: how Gateway API (on
    `channel`) keeps it ("rendered" or "refused"), or "DROPPED"; and the fields no change of
    which the classic API took."""
    full = FULL if full is None else full
    classic = _render(full, "istio")
    gateway_api = _render(full, "gatewayApi", channel)
    assert isinstance(classic, str), classic
    verdicts: dict[str, str] = {}
    tried: set[str] = set()
    for path, data in _changes(full):
        tried.add(path)
        if path in verdicts:
            continue
        changed = _render(data, "istio")
        if not isinstance(changed, str) or changed == classic:
            continue  # refused by the classic API too, or not in its render
        flipped = _render(data, "gatewayApi", channel)
        if isinstance(flipped, list):
            verdicts[path] = ("refused" if _refuses(flipped, path, data)
                              else f"DROPPED ({flipped})")
        else:
            verdicts[path] = "rendered" if flipped != gateway_api else "DROPPED"
    return verdicts, sorted(tried - set(verdicts))


@pytest.fixture(scope="module", params=["standard", "experimental", "aks-addon"])
def walked(request: pytest.FixtureRequest) -> tuple[dict[str, str], list[str]]:
    if request.param == "aks-addon":
        return walk("standard", _aks_addon(patched=False))
    return walk(request.param)


def test_no_field_of_the_classic_render_is_dropped_by_gateway_api(walked) -> None:
    verdicts, _ = walked
    dropped = {p: v for p, v in verdicts.items() if v.startswith("DROPPED")}
    assert dropped == {}


def test_the_walk_reaches_every_kind_of_field(walked, request: pytest.FixtureRequest
                                              ) -> None:
    """The walk is only as good as the changes it makes: each part of the config shows up
    (retries not on the add-on, which refuses them: the test after this one)."""
    verdicts, _ = walked
    addon = request.node.callspec.params["walked"] == "aks-addon"
    for part in ("trafficPolicy.tls.credentialName", "trafficPolicy.tls.sni",
                 "trafficPolicy.loadBalancer", "connectionPool.tcp", "connectionPool.http",
                 "outlierDetection", "retries", "timeout", "cors", "mirror", "headers.request",
                 "headers.response", "rewrite", "redirect", "match[0].uri", "match[0].headers",
                 "match[0].queryParams", "match[0].method", "ignoreUriCase", "weight",
                 "subsets", "tlsRoutes", "listeners[1].tls", "sniHosts",
                 "mirror.subset", "to[0].backend", "to[0].subset", "httpsRedirect"):
        assert (addon and part == "retries") or any(part in p for p in verdicts), part
    assert len(verdicts) >= 80


def test_input_e_a_backends_private_ca_survives_the_switch() -> None:
    """Input (e), istio/istio#13578: with api gatewayApi the booking backend's DestinationRule
    lost its TLS (credentialName: the CA that signs the backend's certificate) and a
    BackendTLSPolicy trusted the system's CAs only, with no problem reported."""
    data = {"cloud": "eks",
            "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                           "hosts": ["booking.example.com"]}],
            "routing": {
                "backends": {"booking": {
                    "service": "bookingrequest-api-service", "namespace": "booking",
                    "port": 443, "trafficPolicy": {"tls": {
                        "mode": "SIMPLE", "credentialName": "booking-backend-ca"}}}},
                "hosts": [{"host": "booking.example.com", "routes": [
                    {"name": "booking", "to": [{"backend": "booking"}]}]}]}}

    def objects(api: str) -> list[dict[str, Any]]:
        return stack_manifests(parse_config({**data, "api": api})).all()

    def rules(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [o for o in objs if o["kind"] == "DestinationRule"]

    classic, flipped = objects("istio"), objects("gatewayApi")
    assert rules(flipped) == rules(classic)
    (dr,) = rules(flipped)
    assert dr["spec"]["trafficPolicy"]["tls"] == {"mode": "SIMPLE",
                                                  "credentialName": "booking-backend-ca"}
    assert not [o for o in flipped if o["kind"] == "BackendTLSPolicy"]


def test_other_implementations_refuse_a_private_ca_with_its_path() -> None:
    """Without Istio's DestinationRules (route_objects alone: AGC, other implementations) a
    BackendTLSPolicy is all there is, and it cannot name the Secret: refused, not dropped."""
    routing = Routing.model_validate(FULL["routing"] | {"hosts": [
        {"host": HOST, "routes": [{"name": "api", "to": [{"backend": "booking"}]}]}]})
    listeners = [Listener(name="http", port=80, protocol="HTTP", hosts=[HOST])]
    with pytest.raises(ConfigError) as err:
        route_objects(routing, listeners, ParentRef("gw", "edge"), stack="s",
                      extensions=(ROUTE_PATCHES,))
    problems = {p.path: p.message for p in err.value.problems}
    assert "EDGE-API-TLS-DR" in problems["routing.backends.booking.trafficPolicy.tls."
                                         "credentialName"]
    plain = copy.deepcopy(FULL["routing"]["backends"]["booking"])
    del plain["trafficPolicy"]["tls"]["credentialName"]
    del plain["trafficPolicy"]["loadBalancer"]
    ok = Routing.model_validate({"backends": {"booking": plain}, "hosts": [
        {"host": HOST, "routes": [{"name": "api", "to": [{"backend": "booking"}]}]}]})
    kinds = [o["kind"] for o in route_objects(ok, listeners, ParentRef("gw", "edge"),
                                              stack="s")]
    assert "BackendTLSPolicy" in kinds


def test_the_aks_add_on_refuses_each_patched_field_at_its_path() -> None:
    """The add-on takes no EnvoyFilter: each field only the route patches carry is refused at
    its own path (it was refused at `api`, which names nothing to change)."""
    problems = _render(_aks_addon(patched=True), "gatewayApi")
    assert isinstance(problems, list)
    full = _aks_addon(patched=True)
    assert sorted(_norm(p) for p in problems) == sorted(
        _norm(named(p, full)) for p in PATCHED)


def _retrying(retry_on: str) -> list[dict[str, Any]]:
    data = copy.deepcopy(FULL)
    data["routing"]["hosts"][0]["routes"] = [
        {"name": "api", "to": [{"backend": "web"}],
         "retries": {"attempts": 2, "perTryTimeout": "2s", "retryOn": retry_on}}]
    cfg = parse_config({**data, "api": "gatewayApi", "gatewayApi": {"channel": "experimental"}})
    return stack_manifests(cfg).all()


@pytest.mark.parametrize(("retry_on", "native"), [
    ("gateway-error", False), ("reset,502", False), ("502,503,connect-failure", True)])
def test_retries_of_resets_and_timeouts_keep_the_route_patch(retry_on: str,
                                                            native: bool) -> None:
    """kubernetes-sigs/gateway-api#4977: Istio turns an HTTPRoute `retry` into retryOn
    connect-failure, refused-stream, unavailable, cancelled and the codes, so `gateway-error`
    as codes 502-504 (and `reset`, once counted as implied) lost the retries of resets and
    per-try timeouts; they keep the Envoy route patch, retryOn as written."""
    objs = _retrying(retry_on)
    (route,) = [o for o in objs if o["kind"] == "HTTPRoute"
                and "redirect" not in o["metadata"]["name"]]
    assert ("retry" in route["spec"]["rules"][0]) is native
    patches = [o for o in objs if o["kind"] == "EnvoyFilter"
               and o["metadata"]["name"].endswith("route-patches")]
    if native:
        assert not patches
        return
    (patch,) = patches
    values = [p["patch"]["value"] for p in patch["spec"]["configPatches"]]
    assert {v["route"]["retry_policy"]["retry_on"] for v in values} == {retry_on}


def test_translation_rules_are_edge_rules_with_sources() -> None:
    rules = {r.code: r for r in edge_rules()}
    for code in ("EDGE-API-DROP", "EDGE-API-TLS-DR"):
        assert rules[code].statement
        assert rules[code].source
