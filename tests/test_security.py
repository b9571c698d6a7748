"""Mesh security policies: each rule refuses what cannot work, and what renders is valid Istio."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ingresslib.config.security import Security, client_ip_field, security_problems
from ingresslib.config.workload import GatewayService, GatewayWorkload
from ingresslib.errors import ConfigError
from ingresslib.manifests.security import LB_REASON, security_objects
from tests.harness.validate import ManifestValidator

GATEWAY_NS = "istio-ingress"
GATEWAY_SELECTOR = {"istio": "ingressgateway", "app": "istio-ingressgateway"}
JWKS = json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": "f83O", "y": "x_FE", "kid": "k1"}]})

GATEWAY_SECURITY: dict[str, Any] = {
    "namespaces": ["shop", "api"],
    "authorization": [
        {"name": "admin-from-office", "action": "DENY", "paths": ["/admin/*"],
         "notClientCidrs": ["203.0.113.0/24"]},
        {"name": "api-needs-token", "action": "ALLOW",
         "hosts": ["api.example.com", "*.example.com"], "methods": ["GET", "POST"],
         "jwtRequired": True},
        {"name": "no-token-writes", "action": "DENY", "methods": ["DELETE"], "jwtRequired": True},
        {"name": "blocklist", "action": "DENY",
         "clientCidrs": ["198.51.100.0/24", "2001:db8::/32"]},
    ],
    "jwt": [
        {"issuer": "https://login.example.com/", "jwksUri": "https://login.example.com/keys",
         "audiences": ["api"]},
        {"issuer": "https://sts.example.org", "jwks": JWKS, "audiences": ["api", "web"],
         "forwardOriginalToken": True, "fromHeaders": [{"name": "x-jwt", "prefix": "Bearer "}],
         "fromParams": ["token"]},
    ],
}
STANDALONE_SECURITY: dict[str, Any] = {
    "namespaces": ["shop"],
    "standalonePorts": [
        {"namespace": "shop", "selector": {"tier": "web", "app": "shop"}, "ports": [8443, 8080]},
    ],
}


def _problems(
    data: dict[str, Any], topology: str = "gateway", etp: str | None = None, proxy: bool = False
) -> dict[str, str]:
    sec = Security.model_validate(data)
    found = security_problems(sec, topology, external_traffic_policy=etp, proxy_protocol=proxy)
    return {p.path: p.message for p in found}


def _render(
    data: dict[str, Any], topology: str = "gateway", etp: str | None = None, proxy: bool = False
) -> list[dict[str, Any]]:
    gateway = None if topology == "standalone" else GatewayWorkload(
        namespace=GATEWAY_NS, labels=GATEWAY_SELECTOR,
        service=GatewayService(external_traffic_policy=etp))
    return security_objects(Security.model_validate(data), gateway, stack="ingress",
                            topology=topology, proxy_protocol=proxy)


def _by_name(objs: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objs}


def _source(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    policy = _by_name(objs)["AuthorizationPolicy", GATEWAY_NS, name]
    source: dict[str, Any] = policy["spec"]["rules"][0]["from"][0]["source"]
    return source


# --------------------------------------------------------------------------- client address


@pytest.mark.parametrize(
    ("topology", "etp", "proxy", "field"),
    [
        ("gateway", None, False, "ipBlocks"),
        ("gateway", "Local", False, "ipBlocks"),
        ("gateway", "Cluster", False, None),
        ("gateway", "Cluster", True, "remoteIpBlocks"),
        ("gateway", "Local", True, "remoteIpBlocks"),
        ("chained", None, False, "remoteIpBlocks"),
        ("chained", "Cluster", False, "remoteIpBlocks"),
        ("standalone", None, False, None),
    ],
)
def test_client_ip_field(topology: str, etp: str | None, proxy: bool, field: str | None) -> None:
    assert client_ip_field(topology, etp, proxy) == field


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("data", "topology"),
    [(GATEWAY_SECURITY, "gateway"), (GATEWAY_SECURITY, "chained"),
     (STANDALONE_SECURITY, "standalone"), ({}, "gateway")],
)
def test_valid_configs_have_no_problems(data: dict[str, Any], topology: str) -> None:
    assert _problems(data, topology) == {}


def test_standalone_ports_outside_standalone() -> None:
    problems = _problems(STANDALONE_SECURITY, "chained")
    assert list(problems) == ["security.standalonePorts"]
    assert "only topology standalone" in problems["security.standalonePorts"]


def test_standalone_without_ports_refuses_strict() -> None:
    problems = _problems({"namespaces": ["shop"]}, "standalone")
    assert list(problems) == ["security.standalonePorts"]
    message = problems["security.standalonePorts"]
    assert "cannot present a mesh certificate" in message
    assert "STRICT" in message
    assert "PERMISSIVE" in message


def test_standalone_has_no_gateway_for_authorization_or_jwt() -> None:
    problems = _problems({**GATEWAY_SECURITY, **STANDALONE_SECURITY}, "standalone")
    assert set(problems) == {"security.authorization", "security.jwt"}
    assert "backends" in problems["security.authorization"]
    assert "RequestAuthentication" in problems["security.jwt"]


def test_client_cidrs_under_cluster_traffic_policy() -> None:
    problems = _problems(GATEWAY_SECURITY, "gateway", etp="Cluster")
    assert set(problems) == {
        "security.authorization[0].notClientCidrs",
        "security.authorization[3].clientCidrs",
    }
    assert "SNAT" in problems["security.authorization[3].clientCidrs"]
    assert _problems(GATEWAY_SECURITY, "gateway", etp="Cluster", proxy=True) == {}
    assert _problems(GATEWAY_SECURITY, "chained", etp="Cluster") == {}


def test_empty_allow_rule_matches_everything() -> None:
    rules = [{"name": "open", "action": "ALLOW"}, {"name": "deny-all", "action": "DENY"}]
    problems = _problems({"authorization": rules})
    assert list(problems) == ["security.authorization[0]"]
    assert "matches every request" in problems["security.authorization[0]"]


def test_duplicate_rule_names() -> None:
    rule = {"name": "api", "action": "DENY", "paths": ["/x"]}
    problems = _problems({"authorization": [rule, rule]})
    assert list(problems) == ["security.authorization[1].name"]


def test_duplicate_namespaces() -> None:
    assert list(_problems({"namespaces": ["shop", "shop"]})) == ["security.namespaces[1]"]


def test_jwt_required_without_issuer() -> None:
    rule = {"name": "api", "action": "ALLOW", "jwtRequired": True}
    assert list(_problems({"authorization": [rule]})) == ["security.authorization[0].jwtRequired"]


def test_port_ref_names_must_be_valid_and_distinct() -> None:
    ref = {"namespace": "shop", "selector": {"app": "Shop_1"}, "ports": [8080]}
    assert list(_problems({"standalonePorts": [ref]}, "standalone")) == [
        "security.standalonePorts[0].selector"
    ]
    ref = {"namespace": "shop", "selector": {"app": "shop"}, "ports": [8080]}
    assert list(_problems({"standalonePorts": [ref, ref]}, "standalone")) == [
        "security.standalonePorts[1].selector"
    ]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"authorization": [{"name": "a", "action": "DENY", "hosts": ["Bad_Host"]}]},
         "authorization[a].hosts[0]"),
        ({"authorization": [{"name": "a", "action": "DENY", "hosts": ["*"]}]},
         "authorization[a].hosts[0]"),
        ({"authorization": [{"name": "a", "action": "DENY", "paths": ["admin"]}]},
         "authorization[a].paths[0]"),
        ({"authorization": [{"name": "a", "action": "DENY", "clientCidrs": ["10.0.0.1/8"]}]},
         "authorization[a].clientCidrs[0]"),
        ({"jwt": [{"issuer": "http://idp", "jwksUri": "https://idp/k", "audiences": ["a"]}]},
         "jwt[0].issuer"),
        ({"jwt": [{"issuer": "https://idp", "jwks": "{}", "audiences": ["a"]}]}, "jwt[0].jwks"),
        ({"jwt": [{"issuer": "https://idp", "jwksUri": "https://idp/k", "audiences": []}]},
         "jwt[0].audiences"),
        ({"standalonePorts": [{"namespace": "shop", "selector": {}, "ports": [80]}]},
         "standalonePorts[0].selector"),
        ({"standalonePorts": [{"namespace": "shop", "selector": {"a": "b"}, "ports": [0]}]},
         "standalonePorts[0].ports[0]"),
        ({"mtls": "DISABLE"}, "mtls"),
    ],
)
def test_field_rules_report_the_path(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        Security.model_validate(data)
    assert [p.path for p in ConfigError.from_validation(info.value, data).problems] == [path]


@pytest.mark.parametrize("keys", [{}, {"jwksUri": "https://idp/k", "jwks": JWKS}])
def test_exactly_one_key_source(keys: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="exactly one of jwksUri or jwks"):
        Security.model_validate({"jwt": [{"issuer": "https://idp", "audiences": ["a"], **keys}]})


def test_render_refuses_what_the_rules_refuse() -> None:
    with pytest.raises(ConfigError, match="SNAT"):
        _render(GATEWAY_SECURITY, "gateway", etp="Cluster")


# --------------------------------------------------------------------------- manifests


def test_full_gateway_config_in_order() -> None:
    objs = _render(GATEWAY_SECURITY)
    assert [(o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]) for o in objs] == [
        ("PeerAuthentication", "api", "default"),
        ("PeerAuthentication", "shop", "default"),
        ("RequestAuthentication", GATEWAY_NS, "ingress-jwt"),
        ("AuthorizationPolicy", GATEWAY_NS, "admin-from-office"),
        ("AuthorizationPolicy", GATEWAY_NS, "api-needs-token"),
        ("AuthorizationPolicy", GATEWAY_NS, "no-token-writes"),
        ("AuthorizationPolicy", GATEWAY_NS, "blocklist"),
    ]
    for o in objs:
        assert o["apiVersion"] == "security.istio.io/v1"
        assert o["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "ingresslib"}
    for ns in ("api", "shop"):
        assert _by_name(objs)["PeerAuthentication", ns, "default"]["spec"] == {
            "mtls": {"mode": "STRICT"}
        }


def test_request_authentication_lists_both_issuers() -> None:
    spec = _by_name(_render(GATEWAY_SECURITY))["RequestAuthentication", GATEWAY_NS, "ingress-jwt"][
        "spec"
    ]
    assert spec["selector"] == {"matchLabels": {"app": "istio-ingressgateway",
                                                "istio": "ingressgateway"}}
    assert spec["jwtRules"] == [
        {"issuer": "https://login.example.com/", "jwksUri": "https://login.example.com/keys",
         "audiences": ["api"]},
        {"issuer": "https://sts.example.org", "jwks": JWKS, "audiences": ["api", "web"],
         "forwardOriginalToken": True, "fromHeaders": [{"name": "x-jwt", "prefix": "Bearer "}],
         "fromParams": ["token"]},
    ]


def test_authorization_policies_in_gateway_topology() -> None:
    objs = _render(GATEWAY_SECURITY)
    office = _by_name(objs)["AuthorizationPolicy", GATEWAY_NS, "admin-from-office"]["spec"]
    assert office == {
        "selector": {"matchLabels": {"app": "istio-ingressgateway", "istio": "ingressgateway"}},
        "action": "DENY",
        "rules": [{"from": [{"source": {"notIpBlocks": ["203.0.113.0/24"]}}],
                   "to": [{"operation": {"paths": ["/admin", "/admin/*"]}}]}],
    }
    assert _source(objs, "blocklist") == {"ipBlocks": ["198.51.100.0/24", "2001:db8::/32"]}
    api = _by_name(objs)["AuthorizationPolicy", GATEWAY_NS, "api-needs-token"]["spec"]["rules"]
    assert api == [{"from": [{"source": {"requestPrincipals": ["*"]}}],
                    "to": [{"operation": {"hosts": [
                        "api.example.com", "api.example.com:*",
                        "*.example.com", "*.example.com:80", "*.example.com:443"],
                                          "methods": ["GET", "POST"]}}]}]
    assert _source(objs, "no-token-writes") == {"notRequestPrincipals": ["*"]}


@pytest.mark.parametrize(("topology", "proxy"), [("chained", False), ("gateway", True)])
def test_remote_ip_blocks_when_the_client_comes_from_the_request(
    topology: str, proxy: bool
) -> None:
    objs = _render(GATEWAY_SECURITY, topology, etp="Cluster" if proxy else None, proxy=proxy)
    assert _source(objs, "blocklist") == {"remoteIpBlocks": ["198.51.100.0/24", "2001:db8::/32"]}
    assert _source(objs, "admin-from-office") == {"notRemoteIpBlocks": ["203.0.113.0/24"]}


def test_standalone_port_level_permissive() -> None:
    objs = _render({**STANDALONE_SECURITY, "namespaces": ["shop", "api"]}, "standalone")
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objs] == [
        ("api", "default"), ("shop", "default"), ("shop", "shop-lb-permissive"),
    ]
    lb = objs[2]
    assert lb["metadata"]["annotations"] == {"ingresslib.io/reason": LB_REASON}
    assert "cannot present a mesh certificate" in LB_REASON
    assert lb["spec"] == {
        "selector": {"matchLabels": {"app": "shop", "tier": "web"}},
        "mtls": {"mode": "STRICT"},
        "portLevelMtls": {"8080": {"mode": "PERMISSIVE"}, "8443": {"mode": "PERMISSIVE"}},
    }


def test_permissive_namespaces() -> None:
    objs = _render({**STANDALONE_SECURITY, "mtls": "PERMISSIVE"}, "standalone")
    assert [o["spec"]["mtls"] for o in objs] == [{"mode": "PERMISSIVE"}] * 2


def test_gateway_policies_need_the_gateway() -> None:
    with pytest.raises(ValueError, match="need the gateway whose pods they select"):
        security_objects(Security.model_validate(GATEWAY_SECURITY), None, stack="ingress",
                         topology="gateway")


CASES = [
    (GATEWAY_SECURITY, "gateway", None, False),
    (GATEWAY_SECURITY, "chained", None, False),
    (GATEWAY_SECURITY, "gateway", "Cluster", True),
    (STANDALONE_SECURITY, "standalone", None, False),
]


@pytest.mark.parametrize(("data", "topology", "etp", "proxy"), CASES)
def test_every_object_is_valid_upstream(
    validator: ManifestValidator, data: dict[str, Any], topology: str, etp: str | None,
    proxy: bool,
) -> None:
    objs = _render(data, topology, etp, proxy)
    assert objs
    for o in objs:
        assert validator.errors(o) == [], o["metadata"]["name"]


def test_validator_catches_what_the_rendering_avoids(validator: ManifestValidator) -> None:
    """Guards the test above: the schema and CEL rules are really applied to these kinds."""
    lb = _render(STANDALONE_SECURITY, "standalone")[1]
    no_selector = {**lb, "spec": {k: v for k, v in lb["spec"].items() if k != "selector"}}
    assert any("portLevelMtls requires selector" in e for e in validator.errors(no_selector))
    ra = _render(GATEWAY_SECURITY)[2]
    both = {**ra["spec"]["jwtRules"][0], "jwks": JWKS}
    bad = {**ra, "spec": {**ra["spec"], "jwtRules": [both]}}
    assert any("only one of jwks or jwksUri" in e for e in validator.errors(bad))


def _reordered(data: dict[str, Any]) -> dict[str, Any]:
    """The same config with every unordered collection (namespaces, selectors) reversed."""
    out = {**data, "namespaces": list(reversed(data.get("namespaces", [])))}
    out["standalonePorts"] = [
        {**ref, "selector": dict(reversed(ref["selector"].items()))}
        for ref in data.get("standalonePorts", [])
    ]
    return out


@pytest.mark.parametrize(("data", "topology", "etp", "proxy"), CASES)
def test_renders_byte_identically(
    data: dict[str, Any], topology: str, etp: str | None, proxy: bool
) -> None:
    first = yaml.safe_dump_all(_render(data, topology, etp, proxy), sort_keys=False)
    again = yaml.safe_dump_all(_render(data, topology, etp, proxy), sort_keys=False)
    reordered = yaml.safe_dump_all(_render(_reordered(data), topology, etp, proxy), sort_keys=False)
    assert first == again == reordered
