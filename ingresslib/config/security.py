"""Mesh security policies (security.istio.io/v1): mTLS per namespace, the ports a standalone
cloud L7 load balancer reaches in plaintext, and JWT and authorization rules at the gateway.

Which AuthorizationPolicy field carries the client address depends on how the topology keeps it,
so the rules here take the topology and the gateway Service's traffic policy as arguments.
"""


import json
from collections.abc import Iterator
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from ingresslib.config.base import Cidr, DnsLabel, DnsSubdomain, Labels, Model, applies_to
from ingresslib.config.listeners import Host
from ingresslib.errors import Problem

HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"]
ClientIpField = Literal["ipBlocks", "remoteIpBlocks"]
NonEmpty = Annotated[str, Field(min_length=1)]

_SUBDOMAIN: TypeAdapter[str] = TypeAdapter(DnsSubdomain)


def _https_url(value: str) -> str:
    """istiod fetches keys over the network: plain http would let anyone on path forge tokens."""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an https:// URL such as https://login.example.com/")
    return value


def _jwks(value: str) -> str:
    try:
        doc = json.loads(value)
    except json.JSONDecodeError as e:
        raise ValueError(f"must be a JSON Web Key Set in JSON ({e})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list) or not doc["keys"]:
        raise ValueError('must be a JSON Web Key Set: an object with a non-empty "keys" list')
    return value


def _not_any_host(value: str) -> str:
    if value == "*":
        raise ValueError("'*' matches every host; leave hosts empty instead")
    return value


def _path(value: str) -> str:
    """A path without a leading '/' or '*' never matches, which silently disarms a DENY rule;
    Istio reads `*` only as a whole path, a prefix's end or a suffix's start, and a `*`
    elsewhere literally, so such a path never matches either (istio/istio#46910)."""
    if not value.startswith(("/", "*")) or any(c.isspace() for c in value):
        raise ValueError("must start with '/' (or '*' for a suffix match) and hold no spaces")
    inner = value[1:] if value.startswith("*") else value
    inner = inner[:-1] if inner.endswith("*") else inner
    if "*" in inner or value.count("*") > 1:
        raise ValueError("takes one '*', as the whole path ('*'), a prefix's end ('/api/*') or "
                         "a suffix's start ('*.php'); Istio matches a '*' elsewhere literally, "
                         "so the rule would never match (ING-IX-AUTHZ-PATH)")
    return value


HttpsUrl = Annotated[str, AfterValidator(_https_url)]
RuleHost = Annotated[Host, AfterValidator(_not_any_host)]
RulePath = Annotated[str, AfterValidator(_path)]


class PortRef(Model):
    """Backend pods and ports a standalone cloud L7 load balancer sends plaintext to."""

    model_config = applies_to(topologies=("standalone",))

    namespace: DnsLabel
    """Namespace of the backend pods."""
    selector: Labels = Field(min_length=1)
    """Labels selecting the pods; the first value (by key) names the PeerAuthentication."""
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(min_length=1)
    """Container ports the load balancer reaches (traffic and health probes)."""

    def policy_name(self) -> str:
        """`<first selector value, by key>-lb-permissive`, whatever order the keys came in."""
        return f"{self.selector[min(self.selector)]}-lb-permissive"


class AuthzRule(Model):
    """One AuthorizationPolicy at the gateway; all given conditions must match together."""

    model_config = applies_to(topologies=("gateway", "chained"))

    name: DnsLabel
    """Name of the AuthorizationPolicy; unique."""
    action: Literal["ALLOW", "DENY"]
    """`ALLOW` (requests matching no ALLOW rule are refused: with any ALLOW rule, every other
    host, path and passthrough host the gateway serves needs an ALLOW rule too, or the config
    is refused, ING-IX-ALLOW-SCOPE) or `DENY` (refuses what it matches, leaves the rest; the
    way to restrict one host or path)."""
    hosts: list[RuleHost] = []
    """Request hosts the rule matches, with or without a port in the Host header as routing
    does (`h` renders as `h` and `h:*`, a wildcard `*.d` as `*.d` and `*.d:<port>` for each
    port the gateway serves, ING-IX-AUTHZ-HOST-PORT); any when empty."""
    paths: list[RulePath] = []
    """Request paths (`/admin/*`, `*.php`), matched case-sensitively; `/admin/*` also matches
    `/admin`, as a route's prefix does (ING-IX-AUTHZ-PATH); any when empty."""
    methods: list[HttpMethod] = []
    """HTTP methods; any when empty."""
    client_cidrs: list[Cidr] = []
    """Client address ranges matched; the field that sees the client (ipBlocks or remoteIpBlocks)
    follows the topology."""
    not_client_cidrs: list[Cidr] = []
    """Client address ranges excluded."""
    jwt_required: bool = False
    """With `ALLOW`, match only requests with a token validated by one of `jwt`; with `DENY`,
    match requests without one (`notRequestPrincipals`), so the rule refuses them."""

    def unconditional(self) -> bool:
        """Whether the rule matches every request (Istio reads an empty rule as "any")."""
        return not (
            self.hosts
            or self.paths
            or self.methods
            or self.client_cidrs
            or self.not_client_cidrs
            or self.jwt_required
        )


class JwtHeader(Model):
    """A header the token is read from; the prefix keeps its trailing space ("Bearer ")."""

    model_config = ConfigDict(str_strip_whitespace=False)

    name: NonEmpty
    """Header name (`authorization`)."""
    prefix: str | None = None
    """Text before the token, trailing space included (`Bearer `)."""


class JwtIssuer(Model):
    """One trusted token issuer; its keys come from `jwksUri` or inline `jwks`, never both."""

    model_config = applies_to(topologies=("gateway", "chained"))

    issuer: HttpsUrl
    """The issuer (`iss`) as an https URL."""
    jwks_uri: HttpsUrl | None = None
    """https URL of its JSON Web Key Set; or give jwks."""
    jwks: Annotated[str, AfterValidator(_jwks)] | None = None
    """The JSON Web Key Set itself, as JSON text; or give jwksUri."""
    # Required and non-empty: without audiences Istio accepts tokens minted for any service.
    audiences: list[NonEmpty] = Field(min_length=1)
    """Audiences (`aud`) accepted; at least one."""
    forward_original_token: bool = False
    """Pass the token on to the backend."""
    from_headers: list[JwtHeader] = []
    """Headers the token is read from; `Authorization: Bearer` when empty."""
    from_params: list[NonEmpty] = []
    """Query parameters the token is read from."""

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if (self.jwks_uri is None) == (self.jwks is None):
            raise ValueError("set exactly one of jwksUri or jwks")
        return self


class Security(Model):
    """Mesh security for the stack's backends and its gateway."""

    mtls: Literal["STRICT", "PERMISSIVE"] = "STRICT"
    """PeerAuthentication mode of the backend namespaces: `STRICT` (mTLS only) or `PERMISSIVE`."""
    namespaces: list[DnsLabel] = []
    """Backend namespaces that get a PeerAuthentication."""
    standalone_ports: list[PortRef] = []
    """Backend pods and ports a standalone cloud load balancer reaches in plain text: PERMISSIVE
    there, the namespace mode elsewhere. Required in standalone."""
    authorization: list[AuthzRule] = []
    """AuthorizationPolicies at the gateway."""
    jwt: list[JwtIssuer] = []
    """Trusted JWT issuers: a RequestAuthentication at the gateway."""


def client_ip_field(
    topology: str, external_traffic_policy: str | None, proxy_protocol: bool
) -> ClientIpField | None:
    """The AuthorizationPolicy source field that holds the real client address, or None when
    none does: no gateway in standalone, and kube-proxy SNAT under externalTrafficPolicy Cluster.

    Behind an L7 LB (chained, numTrustedProxies 1) or with PROXY protocol Envoy learns the client
    from the request (`remoteIpBlocks`); with Local (the default) the packet source is the client.
    """
    if topology == "standalone":
        return None
    if topology == "chained" or proxy_protocol:
        return "remoteIpBlocks"
    if external_traffic_policy == "Cluster":
        return None
    return "ipBlocks"


def security_problems(
    sec: Security,
    topology: str,
    path: str = "security",
    *,
    external_traffic_policy: str | None,
    proxy_protocol: bool = False,
) -> Iterator[Problem]:
    """Refuse policies that cannot work in `topology`: a gateway rule where there is no gateway,
    a client CIDR no field can see, an ALLOW that allows all, two objects under one name.

    `external_traffic_policy` is the gateway Service's (None reads as Local, its default).
    """
    yield from _duplicates(
        sec.namespaces, f"{path}.namespaces", "a PeerAuthentication named default"
    )
    if topology != "standalone":
        if sec.standalone_ports:
            yield Problem(
                f"{path}.standalonePorts",
                [p.namespace for p in sec.standalone_ports],
                "only topology standalone sends plaintext from the cloud L7 load balancer to "
                f"the backends; in {topology} the Istio gateway speaks mTLS to them: remove it",
            )
        yield from _rule_problems(
            sec, path, client_ip_field(topology, external_traffic_policy, proxy_protocol)
        )
        return
    if not sec.standalone_ports:
        yield Problem(
            f"{path}.standalonePorts",
            [],
            "the cloud L7 load balancer cannot present a mesh certificate, so STRICT mTLS "
            "(set here or mesh-wide) would refuse its traffic: list the backend ports it "
            "reaches (they get PERMISSIVE; every other port keeps the namespace mode)",
        )
    yield from _port_ref_problems(sec.standalone_ports, f"{path}.standalonePorts")
    for name, kind in (("authorization", "AuthorizationPolicy"), ("jwt", "RequestAuthentication")):
        if getattr(sec, name):
            yield Problem(
                f"{path}.{name}",
                "set",
                f"targets the Istio gateway, and topology standalone has none; apply a {kind} "
                "to the backends' sidecars instead, or use topology chained",
            )


def _duplicates(values: list[str], path: str, what: str, field: str = "") -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            yield Problem(
                f"{path}[{i}]{field}",
                value,
                f"duplicates {path}[{seen[value]}]{field}: both would render {what}",
            )
        seen.setdefault(value, i)


def _port_ref_problems(refs: list[PortRef], path: str) -> Iterator[Problem]:
    seen: dict[tuple[str, str], int] = {}
    for i, ref in enumerate(refs):
        name = ref.policy_name()
        try:
            _SUBDOMAIN.validate_python(name)
        except ValidationError:
            yield Problem(
                f"{path}[{i}].selector",
                ref.selector,
                f"its first value (by key) names the PeerAuthentication {name!r}, which must be "
                "a lower-case DNS-1123 subdomain; use a lower-case label value",
            )
        key = (ref.namespace, name)
        if key in seen:
            yield Problem(
                f"{path}[{i}].selector",
                ref.selector,
                f"gives the same PeerAuthentication {name} in {ref.namespace} as "
                f"{path}[{seen[key]}]; merge the two entries",
            )
        seen.setdefault(key, i)


def _rule_problems(sec: Security, path: str, ip_field: ClientIpField | None) -> Iterator[Problem]:
    yield from _duplicates(
        [r.name for r in sec.authorization],
        f"{path}.authorization",
        "an AuthorizationPolicy of that name",
        ".name",
    )
    for i, rule in enumerate(sec.authorization):
        at = f"{path}.authorization[{i}]"
        if rule.action == "ALLOW" and rule.unconditional():
            yield Problem(
                at,
                rule.name,
                "an empty ALLOW rule matches every request, so it allows everything; add "
                "hosts, paths, methods, client CIDRs or jwtRequired",
            )
        if rule.jwt_required and not sec.jwt:
            yield Problem(
                f"{at}.jwtRequired",
                True,
                f"no issuer is listed under {path}.jwt, so no request ever carries a validated "
                "token; add the issuer",
            )
        if ip_field is None and (rule.client_cidrs or rule.not_client_cidrs):
            cidrs = "clientCidrs" if rule.client_cidrs else "notClientCidrs"
            yield Problem(
                f"{at}.{cidrs}",
                rule.client_cidrs or rule.not_client_cidrs,
                "the gateway Service has externalTrafficPolicy Cluster, so kube-proxy SNATs "
                "the client address and no client CIDR rule can match it; use Local or the "
                "PROXY protocol",
            )
