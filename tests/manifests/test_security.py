"""manifests/security.py: PeerAuthentications, the RequestAuthentication and one
AuthorizationPolicy per rule, selecting the gateway's pods."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib.config.security import Security
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ConfigError
from ingresslib.manifests.security import policy_hosts, policy_paths, security_objects

MANAGED = {"app.kubernetes.io/managed-by": "ingresslib"}
SELECT = {"matchLabels": {"a": "b", "istio": "edge"}}
WL = GatewayWorkload.model_validate({"name": "gw", "namespace": "edge",
                                     "labels": {"istio": "edge", "a": "b"}})
JWKS = '{"keys": [{"kty": "RSA"}]}'


def _meta(name: str, namespace: str = "edge", **more: Any) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": MANAGED, **more}


def _sec(**data: Any) -> Security:
    return Security.model_validate(data)


def _policy(name: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
            "metadata": _meta(name),
            "spec": {"selector": SELECT, "action": action, "rules": [body]}}


def test_every_object_in_order() -> None:
    sec = _sec(
        mtls="PERMISSIVE", namespaces=["zeta", "alpha"],
        jwt=[{"issuer": "https://issuer.example.com", "jwksUri": "https://issuer.example.com/jwks",
              "audiences": ["shop"], "forwardOriginalToken": True,
              "fromHeaders": [{"name": "x-token", "prefix": "Bearer "}, {"name": "x-raw"}],
              "fromParams": ["token"]},
             {"issuer": "https://other.example.com", "jwks": JWKS, "audiences": ["a", "b"]}],
        authorization=[
            {"name": "deny-admin", "action": "DENY",
             "hosts": ["shop.example.com", "*.example.org"],
             "paths": ["/admin/*", "/admin", "/x/*", "/*"], "methods": ["POST"],
             "clientCidrs": ["10.0.0.0/8"], "notClientCidrs": ["10.1.0.0/16"],
             "jwtRequired": True},
            {"name": "allow-shop", "action": "ALLOW", "hosts": ["shop.example.com"],
             "jwtRequired": True},
        ])
    assert security_objects(sec, WL, stack="shop", topology="gateway") == [
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
         "metadata": _meta("default", "alpha"), "spec": {"mtls": {"mode": "PERMISSIVE"}}},
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
         "metadata": _meta("default", "zeta"), "spec": {"mtls": {"mode": "PERMISSIVE"}}},
        {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication",
         "metadata": _meta("shop-jwt"),
         "spec": {"selector": SELECT, "jwtRules": [
             {"issuer": "https://issuer.example.com",
              "jwksUri": "https://issuer.example.com/jwks", "audiences": ["shop"],
              "forwardOriginalToken": True,
              "fromHeaders": [{"name": "x-token", "prefix": "Bearer "}, {"name": "x-raw"}],
              "fromParams": ["token"]},
             {"issuer": "https://other.example.com", "jwks": JWKS, "audiences": ["a", "b"]},
         ]}},
        _policy("deny-admin", "DENY", {
            "from": [{"source": {"ipBlocks": ["10.0.0.0/8"], "notIpBlocks": ["10.1.0.0/16"],
                                 "notRequestPrincipals": ["*"]}}],
            "to": [{"operation": {
                "hosts": ["shop.example.com", "shop.example.com:*", "*.example.org",
                          "*.example.org:80", "*.example.org:443"],
                "paths": ["/admin", "/admin/*", "/x", "/x/*", "/*"],
                "methods": ["POST"]}}]}),
        _policy("allow-shop", "ALLOW", {
            "from": [{"source": {"requestPrincipals": ["*"]}}],
            "to": [{"operation": {"hosts": ["shop.example.com", "shop.example.com:*"]}}]}),
    ]


def test_the_client_address_field_follows_the_hop() -> None:
    sec = _sec(authorization=[{"name": "d", "action": "DENY", "clientCidrs": ["10.0.0.0/8"],
                               "notClientCidrs": ["10.1.0.0/16"]}])
    remote = {"from": [{"source": {"remoteIpBlocks": ["10.0.0.0/8"],
                                   "notRemoteIpBlocks": ["10.1.0.0/16"]}}]}
    assert security_objects(sec, WL, stack="s", topology="chained")[-1] == _policy(
        "d", "DENY", remote)
    assert security_objects(sec, WL, stack="s", topology="gateway",
                            proxy_protocol=True)[-1] == _policy("d", "DENY", remote)
    only_not = _sec(authorization=[{"name": "d", "action": "DENY",
                                    "notClientCidrs": ["10.1.0.0/16"]}])
    assert security_objects(only_not, WL, stack="s", topology="gateway")[-1]["spec"][
        "rules"] == [{"from": [{"source": {"notIpBlocks": ["10.1.0.0/16"]}}]}]
    # kube-proxy's SNAT hides the client under externalTrafficPolicy Cluster: refused.
    cluster = GatewayWorkload.model_validate({"service": {"externalTrafficPolicy": "Cluster"}})
    with pytest.raises(ConfigError) as err:
        security_objects(sec, cluster, stack="s", topology="gateway")
    assert [p.path for p in err.value.problems] == [
        "security.authorization[0].clientCidrs"]
    assert security_objects(sec, cluster, stack="s", topology="gateway",
                            proxy_protocol=True)[-1]["spec"]["rules"] == [remote]


def test_a_deny_of_everything_has_an_empty_rule() -> None:
    sec = _sec(authorization=[{"name": "d", "action": "DENY", "methods": ["TRACE"]}])
    assert security_objects(sec, WL, stack="s", topology="gateway") == [_policy(
        "d", "DENY", {"to": [{"operation": {"methods": ["TRACE"]}}]})]


def test_standalone_ports_are_permissive_for_the_load_balancer() -> None:
    sec = _sec(namespaces=["shop"], standalonePorts=[
        {"namespace": "shop", "selector": {"tier": "web", "app": "web"}, "ports": [8443, 80, 80]},
        {"namespace": "api", "selector": {"app": "api"}, "ports": [8080]}])
    objs = security_objects(sec, None, stack="s", topology="standalone")
    reason = {"ingresslib.io/reason": "the cloud L7 load balancer cannot present a mesh "
              "certificate; plaintext is accepted on these ports only"}
    assert objs == [
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
         "metadata": _meta("api-lb-permissive", "api", annotations=reason),
         "spec": {"selector": {"matchLabels": {"app": "api"}}, "mtls": {"mode": "STRICT"},
                  "portLevelMtls": {"8080": {"mode": "PERMISSIVE"}}}},
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
         "metadata": _meta("default", "shop"), "spec": {"mtls": {"mode": "STRICT"}}},
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
         "metadata": _meta("web-lb-permissive", "shop", annotations=reason),
         "spec": {"selector": {"matchLabels": {"app": "web", "tier": "web"}},
                  "mtls": {"mode": "STRICT"},
                  "portLevelMtls": {"80": {"mode": "PERMISSIVE"},
                                    "8443": {"mode": "PERMISSIVE"}}}},
    ]
    assert list(objs[2]["spec"]["selector"]["matchLabels"]) == ["app", "tier"]
    assert list(objs[2]["spec"]["portLevelMtls"]) == ["80", "8443"]


def test_edge_policies_need_the_gateway() -> None:
    for sec in (_sec(jwt=[{"issuer": "https://i.example.com", "jwks": JWKS,
                           "audiences": ["a"]}]),
                _sec(authorization=[{"name": "d", "action": "DENY", "paths": ["/x"]}])):
        with pytest.raises(ValueError, match=r"^jwt and authorization need the gateway whose pods "
                           r"they select$"):
            security_objects(sec, None, stack="s", topology="gateway")
        unlabelled = GatewayWorkload.model_validate({"labels": {}})
        with pytest.raises(ValueError, match="need the gateway"):
            security_objects(sec, unlabelled, stack="s", topology="gateway")
    assert security_objects(_sec(), None, stack="s", topology="gateway") == []


def test_policy_hosts_and_paths() -> None:
    assert policy_hosts(["*", "a.example.com"]) == ["*", "*:80", "*:443", "a.example.com",
                                                    "a.example.com:*"]
    assert policy_paths(["//*"]) == ["/", "//*"]
    assert policy_paths(["/a/*", "/a", "/b", "/b/*", "/*", "*"]) == [
        "/a", "/a/*", "/b", "/b/*", "/*", "*"]
