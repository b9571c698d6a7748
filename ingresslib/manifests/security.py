"""security.istio.io/v1 objects: PeerAuthentication, RequestAuthentication, AuthorizationPolicy.

Pure functions of the config; the order is fixed so that a re-render is byte-identical.
"""

from __future__ import annotations

from typing import Any

from ingresslib.config.security import (
    AuthzRule,
    ClientIpField,
    JwtIssuer,
    PortRef,
    Security,
    client_ip_field,
    security_problems,
)
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ConfigError
from ingresslib.manifests.meta import MANAGED_BY, obj, selector_labels

API_VERSION = "security.istio.io/v1"
LB_REASON = (
    "the cloud L7 load balancer cannot present a mesh certificate; "
    "plaintext is accepted on these ports only"
)


def security_objects(
    sec: Security,
    gateway: GatewayWorkload | None,
    *,
    stack: str,
    topology: str,
    proxy_protocol: bool = False,
) -> list[dict[str, Any]]:
    """PeerAuthentications by namespace/name, then the RequestAuthentication, then one
    AuthorizationPolicy per rule in config order. Policies at the edge select the pods of
    `gateway` (as deployed: its namespace, labels and Service's externalTrafficPolicy; None in
    topology standalone); `proxy_protocol`: the load balancer sends PROXY protocol, so the
    client address is the downstream one.

    Raises ConfigError on a config `security_problems` refuses, so that a caller that skipped
    the check cannot render a policy that silently never matches.
    """
    gateway_namespace = gateway.namespace if gateway else None
    gateway_selector = selector_labels(gateway) if gateway else None
    external_traffic_policy = gateway.service.external_traffic_policy if gateway else None
    problems = list(
        security_problems(
            sec,
            topology,
            external_traffic_policy=external_traffic_policy,
            proxy_protocol=proxy_protocol,
        )
    )
    if problems:
        raise ConfigError(problems)
    peers = [_peer_authentication(ns, sec.mtls) for ns in sec.namespaces]
    peers += [_load_balancer_ports(ref, sec.mtls) for ref in sec.standalone_ports]
    peers.sort(key=lambda o: (o["metadata"]["namespace"], o["metadata"]["name"]))
    if not (sec.jwt or sec.authorization):
        return peers
    if gateway_namespace is None or not gateway_selector:
        raise ValueError("jwt and authorization need the gateway whose pods they select")
    out = peers
    if sec.jwt:
        out.append(_request_authentication(sec.jwt, stack, gateway_namespace, gateway_selector))
    ip_field = client_ip_field(topology, external_traffic_policy, proxy_protocol)
    out += [
        _authorization_policy(rule, gateway_namespace, gateway_selector, ip_field)
        for rule in sec.authorization
    ]
    return out


def _peer_authentication(namespace: str, mode: str) -> dict[str, Any]:
    """The namespace-wide policy: named `default`, the name Istio documents for it."""
    return obj(
        API_VERSION,
        "PeerAuthentication",
        "default",
        namespace,
        labels=MANAGED_BY,
        spec={"mtls": {"mode": mode}},
    )


def _load_balancer_ports(ref: PortRef, mode: str) -> dict[str, Any]:
    """PERMISSIVE on the ports the cloud L7 LB reaches; the pods' other ports keep `mode`."""
    return obj(
        API_VERSION,
        "PeerAuthentication",
        ref.policy_name(),
        ref.namespace,
        labels=MANAGED_BY,
        annotations={"ingresslib.io/reason": LB_REASON},
        spec={
            "selector": {"matchLabels": dict(sorted(ref.selector.items()))},
            "mtls": {"mode": mode},
            "portLevelMtls": {str(p): {"mode": "PERMISSIVE"} for p in sorted(set(ref.ports))},
        },
    )


def _jwt_rule(issuer: JwtIssuer) -> dict[str, Any]:
    rule: dict[str, Any] = {"issuer": issuer.issuer}
    if issuer.jwks_uri is not None:
        rule["jwksUri"] = issuer.jwks_uri
    if issuer.jwks is not None:
        rule["jwks"] = issuer.jwks
    rule["audiences"] = list(issuer.audiences)
    if issuer.forward_original_token:
        rule["forwardOriginalToken"] = True
    if issuer.from_headers:
        rule["fromHeaders"] = [h.model_dump(exclude_none=True) for h in issuer.from_headers]
    if issuer.from_params:
        rule["fromParams"] = list(issuer.from_params)
    return rule


def _request_authentication(
    issuers: list[JwtIssuer], stack: str, namespace: str, selector: dict[str, str]
) -> dict[str, Any]:
    """Validates tokens of every issuer; a request without a token still passes unless an
    AuthorizationPolicy rule sets jwtRequired."""
    return obj(
        API_VERSION,
        "RequestAuthentication",
        f"{stack}-jwt",
        namespace,
        labels=MANAGED_BY,
        spec={
            "selector": {"matchLabels": dict(sorted(selector.items()))},
            "jwtRules": [_jwt_rule(i) for i in issuers],
        },
    )


# The ports a Host header names at the gateway: its Service exposes 80 and 443 only.
GATEWAY_PORTS = (80, 443)


def policy_hosts(hosts: list[str]) -> list[str]:
    """The Host values routing serves, since an authorization host matches the header
    exactly (ING-IX-AUTHZ-HOST-PORT, istio/istio#44080): a gateway's virtual host takes h and
    h:* (any port), a wildcard *.d only *.d and *.d:<server port> (Envoy allows one '*' per
    domain, and Istio one per policy value: `*.d:*` never matches, istio/istio#39810)."""
    out = []
    for h in hosts:
        ports = [f"{h}:{p}" for p in GATEWAY_PORTS] if h.startswith("*") else [f"{h}:*"]
        out += [h, *ports]
    return out


def policy_paths(paths: list[str]) -> list[str]:
    """Each /p/* also as /p, which a route's prefix /p serves and /p/* does not match
    (ING-IX-AUTHZ-PATH); a path given both ways is rendered once."""
    out: list[str] = []
    for p in paths:
        for v in ((p[:-2], p) if p.endswith("/*") and len(p) > 2 else (p,)):
            if v not in out:
                out.append(v)
    return out


def _authorization_policy(
    rule: AuthzRule,
    namespace: str,
    selector: dict[str, str],
    ip_field: ClientIpField | None,
) -> dict[str, Any]:
    """One rule, one policy. `jwtRequired` reads as "a valid token is needed": ALLOW matches
    requests with one (requestPrincipals), DENY matches those without (notRequestPrincipals)."""
    source: dict[str, Any] = {}
    if rule.client_cidrs or rule.not_client_cidrs:
        assert ip_field is not None, "security_problems refuses client CIDRs without a field"
        if rule.client_cidrs:
            source[ip_field] = list(rule.client_cidrs)
        if rule.not_client_cidrs:
            source["not" + ip_field[0].upper() + ip_field[1:]] = list(rule.not_client_cidrs)
    if rule.jwt_required:
        source["requestPrincipals" if rule.action == "ALLOW" else "notRequestPrincipals"] = ["*"]
    operation = {
        key: list(values)
        for key, values in (("hosts", policy_hosts(rule.hosts)),
                            ("paths", policy_paths(rule.paths)), ("methods", rule.methods))
        if values
    }
    body: dict[str, Any] = {}
    if source:
        body["from"] = [{"source": source}]
    if operation:
        body["to"] = [{"operation": operation}]
    return obj(
        API_VERSION,
        "AuthorizationPolicy",
        rule.name,
        namespace,
        labels=MANAGED_BY,
        spec={
            "selector": {"matchLabels": dict(sorted(selector.items()))},
            "action": rule.action,
            "rules": [body],
        },
    )
