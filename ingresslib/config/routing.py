"""Routing: backends (-> DestinationRules) and per-host ordered routes (-> VirtualServices).

Hosts are the unit: one VirtualService per host and one DestinationRule per backend, so the
number of resources grows with hosts and backends, never with routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from ingresslib.config.base import DnsLabel, Labels, Model
from ingresslib.config.duration import Duration
from ingresslib.config.listeners import Host
from ingresslib.errors import Problem

Percent = Field(ge=0, le=100)


class StringMatch(Model):
    """Exactly one of exact, prefix or regex (RE2)."""

    exact: str | None = None
    prefix: str | None = None
    regex: str | None = None

    @model_validator(mode="after")
    def _one(self) -> StringMatch:
        if sum(v is not None for v in (self.exact, self.prefix, self.regex)) != 1:
            raise ValueError("set exactly one of exact, prefix or regex")
        return self


class RouteMatch(Model):
    """All conditions of one match must hold; a route matches when any of its matches does."""

    uri: StringMatch | None = None
    method: StringMatch | None = None
    headers: dict[str, StringMatch] = {}
    query_params: dict[str, StringMatch] = {}
    port: int | None = Field(default=None, ge=1, le=65535)
    ignore_uri_case: bool = False

    def is_catch_all(self) -> bool:
        """Matches every request: no condition, or only a `/` prefix."""
        uri_all = self.uri is None or (self.uri.prefix == "/" and not self.ignore_uri_case)
        return uri_all and not (self.method or self.headers or self.query_params or self.port)


class Destination(Model):
    """A backend (key of routing.backends), optionally one subset, with a weight when split."""

    backend: DnsLabel
    subset: DnsLabel | None = None
    weight: int | None = Field(default=None, ge=0, le=100)


class Rewrite(Model):
    uri: str | None = None
    authority: str | None = None

    @model_validator(mode="after")
    def _some(self) -> Rewrite:
        if self.uri is None and self.authority is None:
            raise ValueError("set uri, authority or both")
        return self


class Redirect(Model):
    uri: str | None = None
    authority: str | None = None
    scheme: Literal["http", "https"] | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    redirect_code: Literal[301, 302, 303, 307, 308] = 301


class DirectResponse(Model):
    status: int = Field(ge=200, le=599)
    body: str | None = None


class Retries(Model):
    attempts: int = Field(ge=0, le=100)
    per_try_timeout: Duration | None = None
    retry_on: str | None = None


class FaultDelay(Model):
    percent: float = Percent
    fixed_delay: Duration


class FaultAbort(Model):
    percent: float = Percent
    http_status: int = Field(ge=200, le=599)


class Fault(Model):
    """Fault injection, for testing resilience; never on by default."""

    delay: FaultDelay | None = None
    abort: FaultAbort | None = None


class Cors(Model):
    allow_origins: list[StringMatch] = Field(min_length=1)
    allow_methods: list[str] = []
    allow_headers: list[str] = []
    expose_headers: list[str] = []
    max_age: Duration | None = None
    allow_credentials: bool | None = None


class Mirror(Model):
    backend: DnsLabel
    subset: DnsLabel | None = None
    percent: float = Field(default=100, ge=0, le=100)


class HeaderOperations(Model):
    set: dict[str, str] = {}
    add: dict[str, str] = {}
    remove: list[str] = []


class HeaderRules(Model):
    request: HeaderOperations | None = None
    response: HeaderOperations | None = None


class Delegate(Model):
    """Hand the matched requests to a VirtualService a team owns (it has no hosts/gateways)."""

    name: DnsLabel
    namespace: DnsLabel


class Route(Model):
    """One HTTP rule; rules are evaluated in the order given, first match wins."""

    name: DnsLabel
    match: list[RouteMatch] = []
    to: list[Destination] = []
    redirect: Redirect | None = None
    direct_response: DirectResponse | None = None
    delegate: Delegate | None = None
    rewrite: Rewrite | None = None
    timeout: Duration | None = None
    retries: Retries | None = None
    fault: Fault | None = None
    cors: Cors | None = None
    mirror: Mirror | None = None
    headers: HeaderRules | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Route:
        actions = [k for k in ("to", "redirect", "direct_response", "delegate") if getattr(self, k)]
        if len(actions) != 1:
            raise ValueError(
                "set exactly one of to (destinations), redirect, directResponse or delegate"
            )
        if self.delegate and any(
            getattr(self, k) for k in ("rewrite", "timeout", "retries", "fault", "mirror")
        ):
            raise ValueError("a delegating route leaves rewrite, timeout, retries, fault and "
                             "mirror to the delegate VirtualService")
        if self.rewrite and self.redirect:
            raise ValueError("rewrite and redirect exclude each other; keep one")
        return self

    def is_catch_all(self) -> bool:
        return not self.match or any(m.is_catch_all() for m in self.match)

    def destinations(self) -> Iterator[tuple[str, Destination | Mirror]]:
        """Every backend reference of this route, with the field it sits in."""
        for i, d in enumerate(self.to):
            yield f"to[{i}]", d
        if self.mirror:
            yield "mirror", self.mirror


class TlsRoute(Model):
    """SNI routing on a PASSTHROUGH listener: TLS goes to the backend untouched."""

    name: DnsLabel
    sni_hosts: list[Host] = Field(min_length=1)
    to: list[Destination] = Field(min_length=1)


class HostRoutes(Model):
    """The routes of one host, in evaluation order."""

    host: Host
    routes: list[Route] = []
    tls_routes: list[TlsRoute] = []
    inherit_wildcard_routes: bool | None = None
    """For a host under a wildcard routing host (`app.example.com` under `*.example.com`):
    `true` renders the nearest covering host's routes after this host's own, `false` keeps them
    apart. Envoy answers this host only from its own routes, so unset, a stack where the
    wildcard's routes would stop applying to this host is refused (ING0005)."""

    def problems(self, path: str) -> Iterator[Problem]:
        if not self.routes and not self.tls_routes:
            yield Problem(f"{path}.routes", [], "a host needs at least one route or tlsRoute")
        seen: dict[str, int] = {}
        for i, route in enumerate([*self.routes, *self.tls_routes]):
            kind, j = ("routes", i) if i < len(self.routes) else (
                "tlsRoutes", i - len(self.routes))
            if route.name in seen:
                yield Problem(f"{path}.{kind}[{j}].name", route.name,
                              "route names must be unique per host (Envoy matches them by name)")
            seen.setdefault(route.name, i)


class LoadBalancerPolicy(Model):
    """simple, or consistentHash (sticky sessions); locality failover optional."""

    simple: Literal["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "PASSTHROUGH"] | None = None
    hash_header: str | None = None
    hash_cookie: str | None = None
    hash_cookie_ttl: Duration | None = None
    hash_source_ip: bool = False
    failover: list[dict[Literal["from", "to"], str]] = []

    @model_validator(mode="after")
    def _one_kind(self) -> LoadBalancerPolicy:
        hashes = [self.hash_header, self.hash_cookie, self.hash_source_ip or None]
        n_hash = sum(h is not None for h in hashes)
        if n_hash > 1:
            raise ValueError("set one of hashHeader, hashCookie or hashSourceIp")
        if n_hash and self.simple:
            raise ValueError("simple and consistent hashing exclude each other; keep one")
        if not n_hash and not self.simple:
            raise ValueError("set simple, or one of hashHeader, hashCookie or hashSourceIp")
        if self.hash_cookie_ttl and not self.hash_cookie:
            raise ValueError("hashCookieTtl needs hashCookie")
        return self


class TcpPool(Model):
    max_connections: int | None = Field(default=None, ge=1)
    connect_timeout: Duration | None = None


class HttpPool(Model):
    http1_max_pending_requests: int | None = Field(default=None, ge=1)
    http2_max_requests: int | None = Field(default=None, ge=1)
    max_requests_per_connection: int | None = Field(default=None, ge=1)
    max_retries: int | None = Field(default=None, ge=0)
    idle_timeout: Duration | None = None


class ConnectionPool(Model):
    tcp: TcpPool | None = None
    http: HttpPool | None = None


class OutlierDetection(Model):
    consecutive_5xx_errors: int = Field(default=5, ge=1, alias="consecutive5xxErrors")
    interval: Duration = "10s"
    base_ejection_time: Duration = "30s"
    max_ejection_percent: int = Field(default=50, ge=1, le=100)


class BackendTls(Model):
    """ISTIO_MUTUAL inside the mesh; SIMPLE or MUTUAL to backends outside it."""

    mode: Literal["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"] = "ISTIO_MUTUAL"
    sni: str | None = None
    credential_name: str | None = None

    @model_validator(mode="after")
    def _credential(self) -> BackendTls:
        if self.mode == "MUTUAL" and not self.credential_name:
            raise ValueError("MUTUAL needs credentialName (a secret with the client certificate)")
        if self.mode in ("DISABLE", "ISTIO_MUTUAL") and (self.sni or self.credential_name):
            raise ValueError(f"mode {self.mode} takes no sni or credentialName")
        return self


class TrafficPolicy(Model):
    load_balancer: LoadBalancerPolicy | None = None
    connection_pool: ConnectionPool | None = None
    outlier_detection: OutlierDetection | None = None
    tls: BackendTls | None = None


class Backend(Model):
    """A Kubernetes Service the routes send to; subsets select pods by label."""

    service: DnsLabel
    namespace: DnsLabel
    port: int = Field(ge=1, le=65535)
    subsets: dict[DnsLabel, Labels] = {}
    traffic_policy: TrafficPolicy | None = None

    @property
    def fqdn(self) -> str:
        return f"{self.service}.{self.namespace}.svc.cluster.local"

    def problems(self, path: str) -> Iterator[Problem]:
        for name, labels in self.subsets.items():
            if not labels:
                yield Problem(f"{path}.subsets.{name}", labels,
                              "a subset needs labels to select its pods")


class Routing(Model):
    backends: dict[DnsLabel, Backend] = {}
    hosts: list[HostRoutes] = []
