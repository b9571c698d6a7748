"""Routing: backends (-> DestinationRules) and per-host ordered routes (-> VirtualServices).

Hosts are the unit: one VirtualService per host and one DestinationRule per backend, so the
number of resources grows with hosts and backends, never with routes.
"""


from collections.abc import Iterator
from typing import Literal, Self

from pydantic import Field, model_validator

from ingresslib.config.base import DnsLabel, Labels, Model, scope
from ingresslib.config.duration import Duration, duration_ns
from ingresslib.config.listeners import Host, host_covers
from ingresslib.errors import Problem

Percent = Field(ge=0, le=100)


class StringMatch(Model):
    """Exactly one of exact, prefix or regex (RE2)."""

    exact: str | None = None
    """The whole value, exactly."""
    prefix: str | None = None
    """The value's beginning (`/api/` matches `/api/users`)."""
    regex: str | None = None
    """An RE2 regular expression the whole value must match."""

    @model_validator(mode="after")
    def _one(self) -> Self:
        if sum(v is not None for v in (self.exact, self.prefix, self.regex)) != 1:
            raise ValueError("set exactly one of exact, prefix or regex")
        return self


class RouteMatch(Model):
    """All conditions of one match must hold; a route matches when any of its matches does."""

    uri: StringMatch | None = None
    """The request path."""
    method: StringMatch | None = None
    """The HTTP method (`exact: GET`)."""
    headers: dict[str, StringMatch] = {}
    """Request headers by lower-case name; each must match."""
    query_params: dict[str, StringMatch] = {}
    """Query parameters by name; each must match."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """The port the request arrived on (a listener port)."""
    ignore_uri_case: bool = False
    """Match `uri` case-insensitively."""

    def is_catch_all(self) -> bool:
        """Matches every request: no condition, or only a `/` prefix."""
        uri_all = self.uri is None or (self.uri.prefix == "/" and not self.ignore_uri_case)
        return uri_all and not (self.method or self.headers or self.query_params or self.port)


class Destination(Model):
    """A backend (key of routing.backends), optionally one subset, with a weight when split."""

    backend: DnsLabel
    """Key of routing.backends."""
    subset: DnsLabel | None = None
    """A subset of that backend (its `subsets`); all its pods when unset."""
    weight: int | None = Field(default=None, ge=0, le=100)
    """Percent of requests, 0-100; required on every destination of a split, and the weights add up
    to 100."""


class Rewrite(Model):
    """Path and Host rewriting before forwarding; set uri, authority or both."""

    uri: str | None = None
    """Replaces the matched part of the path (the prefix, or the whole path for exact and regex
    matches) before forwarding."""
    authority: str | None = None
    """Replaces the Host (authority) header before forwarding."""

    @model_validator(mode="after")
    def _some(self) -> Self:
        if self.uri is None and self.authority is None:
            raise ValueError("set uri, authority or both")
        return self


class Redirect(Model):
    """An HTTP redirect built from the request: each field replaces one part of its URL."""

    uri: str | None = None
    """Path of the redirect's Location; the request's path when unset."""
    authority: str | None = None
    """Host of the Location; the request's host when unset."""
    scheme: Literal["http", "https"] | None = None
    """`http` or `https`; the request's scheme when unset."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """Port of the Location, replacing the request's."""
    redirect_code: Literal[301, 302, 303, 307, 308] = 301
    """HTTP status of the redirect: 301, 302, 303, 307 or 308."""


class DirectResponse(Model):
    """A response the gateway sends itself."""

    status: int = Field(ge=200, le=599)
    """HTTP status the gateway answers with itself (200-599)."""
    body: str | None = None
    """Response body as plain text; none when unset."""


class Retries(Model):
    """Retries of a failed request, to other pods where possible."""

    attempts: int = Field(ge=0, le=100)
    """Retries after the first try (0-100); 0 turns retries off."""
    per_try_timeout: Duration | None = None
    """Timeout of each try (a duration such as `2s`); the route's timeout when unset."""
    retry_on: str | None = None
    """Envoy retry conditions, comma-separated (`5xx,reset,connect-failure`); Istio's default set
    when unset."""


class FaultDelay(Model):
    """A fixed delay injected before forwarding."""

    percent: float = Percent
    """Percent of requests delayed (0-100, fractions allowed)."""
    fixed_delay: Duration
    """How long each delayed request waits (a duration such as `5s`)."""


class FaultAbort(Model):
    """An error answered instead of forwarding."""

    percent: float = Percent
    """Percent of requests aborted (0-100, fractions allowed)."""
    http_status: int = Field(ge=200, le=599)
    """Status the aborted requests get (200-599)."""


class Fault(Model):
    """Fault injection, for testing resilience; never on by default."""

    delay: FaultDelay | None = None
    """Delay a share of requests."""
    abort: FaultAbort | None = None
    """Fail a share of requests with an HTTP status."""


class Cors(Model):
    """The CORS policy of a route, answered by the gateway (preflights included)."""

    allow_origins: list[StringMatch] = Field(min_length=1)
    """Origins allowed to call, each an exact, prefix or regex match; at least one."""
    allow_methods: list[str] = []
    """Methods allowed in CORS requests (`GET`, `POST`...)."""
    allow_headers: list[str] = []
    """Request headers the browser may send."""
    expose_headers: list[str] = []
    """Response headers the browser may read."""
    max_age: Duration | None = None
    """How long a preflight answer may be cached (a duration such as `24h`)."""
    allow_credentials: bool | None = None
    """Whether the browser may send cookies and credentials."""


class Mirror(Model):
    """Shadow traffic: copies of requests, answers discarded."""

    backend: DnsLabel
    """Key of routing.backends to copy requests to; its answers are discarded."""
    subset: DnsLabel | None = None
    """A subset of that backend; all its pods when unset."""
    percent: float = Field(default=100, ge=0, le=100)
    """Percent of the route's requests copied (0-100)."""


class HeaderOperations(Model):
    """Header changes: set, add and remove, applied in that order."""

    set: dict[str, str] = {}
    """Headers to set, replacing any value they had."""
    add: dict[str, str] = {}
    """Headers to append to."""
    remove: list[str] = []
    """Header names to remove."""


class HeaderRules(Model):
    """Header changes on the way in and on the way out."""

    request: HeaderOperations | None = None
    """Changes to the request before it is forwarded."""
    response: HeaderOperations | None = None
    """Changes to the response before it is returned."""


class Delegate(Model):
    """Hand the matched requests to a VirtualService a team owns (it has no hosts/gateways)."""

    name: DnsLabel
    """The delegate VirtualService's name; it has no hosts or gateways."""
    namespace: DnsLabel
    """The delegate VirtualService's namespace."""


class Route(Model):
    """One HTTP rule; rules are evaluated in the order given, first match wins."""

    name: DnsLabel
    """Unique per host: names the Envoy route (rate limits, access logs, metrics)."""
    match: list[RouteMatch] = []
    """Conditions; the route applies when any one of them matches. Empty matches every request, so
    only the last route may leave it empty."""
    to: list[Destination] = []
    """Destinations: one, or a weighted split. Exactly one of to, redirect, directResponse or
    delegate."""
    redirect: Redirect | None = None
    """Answer with an HTTP redirect instead of forwarding."""
    direct_response: DirectResponse | None = None
    """Answer from the gateway itself, with a fixed status and body."""
    delegate: Delegate | None = None
    """Hand the matched requests to a VirtualService another team owns."""
    rewrite: Rewrite | None = None
    """Rewrite the path or Host before forwarding; not with redirect."""
    timeout: Duration | None = None
    """Timeout of the whole request, retries included (a duration such as `10s`); Istio's default
    (none) when unset. On a `longLived` route, the longest a connection lasts."""
    long_lived: bool = False
    """The route carries connections that outlive a request: WebSocket, server-sent events,
    streaming and long polling. Load balancers that end a whole connection after their response
    wait (Application Gateway's backend settings, Application Gateway for Containers'
    RoutePolicy) wait this route's `timeout` on its host, which it then needs (at most
    86400 s); those that end only idle connections (NLB, ALB, Azure Load Balancer) carry it
    while it never stays idle longer than their idle timeout (EDGE-TO-LONG)."""
    retries: Retries | None = None
    """Retry policy; Istio's default (2 attempts) when unset."""
    fault: Fault | None = None
    """Fault injection for resilience testing."""
    cors: Cors | None = None
    """CORS policy answered at the gateway, preflights included when they match this route:
    its matches admit an OPTIONS request without the request's own headers
    (ING-IX-CORS-PREFLIGHT)."""
    mirror: Mirror | None = None
    """Copy a share of requests to another backend."""
    headers: HeaderRules | None = None
    """Request and response header changes."""

    @model_validator(mode="after")
    def _one_action(self) -> Self:
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
        if self.long_lived and not self.to:
            raise ValueError("longLived describes connections forwarded to a backend; a "
                             "route with redirect, directResponse or delegate has none")
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
    """Unique per host: names the route."""
    sni_hosts: list[Host] = Field(min_length=1)
    """SNI names this route takes (the host's own or narrower)."""
    to: list[Destination] = Field(min_length=1)
    """Destinations of the TLS connections, untouched: one, or a weighted split."""


class HostRoutes(Model):
    """The routes of one host, in evaluation order."""

    host: Host
    """The Host (and SNI) this entry routes: a listener's host, or a name a wildcard listener host
    covers. One VirtualService each."""
    routes: list[Route] = []
    """HTTP rules for HTTP and HTTPS listeners, tried in order; the first match wins."""
    tls_routes: list[TlsRoute] = []
    """SNI rules for a TLS (PASSTHROUGH) listener serving this host."""
    inherit_wildcard_routes: bool | None = Field(
        default=None, json_schema_extra=scope(topologies=("gateway", "chained")))
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
    """simple, or consistentHash (a client kept on one pod of the destination Envoy picked:
    no stickiness across a route's weighted split, which such a backend cannot take,
    ING-IX-HASH-SPLIT); locality failover optional."""

    simple: Literal["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "PASSTHROUGH"] | None = None
    """A plain algorithm: `ROUND_ROBIN`, `LEAST_REQUEST`, `RANDOM` or `PASSTHROUGH` (to the address
    the client asked for)."""
    hash_header: str | None = None
    """Keep a client on one pod by this request header's value (within one destination: not
    across a weighted split)."""
    hash_cookie: str | None = None
    """Keep a client on one pod by this cookie (Envoy sets it when hashCookieTtl is given;
    within one destination: not across a weighted split)."""
    hash_cookie_ttl: Duration | None = None
    """Lifetime of the generated cookie (a duration); needs hashCookie."""
    hash_source_ip: bool = False
    """Keep a client on one pod by its address (within one destination: not across a
    weighted split)."""
    failover: list[dict[Literal["from", "to"], str]] = []
    """Locality failover, in order: each entry a `from` region and the `to` region its traffic moves
    to when its endpoints are unhealthy (needs outlierDetection)."""

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
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
    """TCP connection limits to each backend host."""

    max_connections: int | None = Field(default=None, ge=1)
    """Most connections to one backend host; unlimited (Istio's default) when unset."""
    connect_timeout: Duration | None = None
    """TCP connect timeout (a duration such as `2s`)."""


class HttpPool(Model):
    """HTTP limits to the backend."""

    http1_max_pending_requests: int | None = Field(default=None, ge=1)
    """Most requests queued waiting for a connection."""
    http2_max_requests: int | None = Field(default=None, ge=1)
    """Most concurrent requests to the backend."""
    max_requests_per_connection: int | None = Field(default=None, ge=1)
    """Requests per connection before it is closed; `1` turns keep-alive off."""
    max_retries: int | None = Field(default=None, ge=0)
    """Most concurrent retries to the backend."""
    idle_timeout: Duration | None = None
    """Close connections idle this long (a duration such as `1h`)."""
    use_client_protocol: bool | None = None
    """Speak to the backend the protocol the client used (HTTP/2 for gRPC). A gateway speaks
    HTTP/1.1 to a Service port unless it is named or `appProtocol`-marked grpc or http2, or
    this is true; gRPC needs HTTP/2."""


class ConnectionPool(Model):
    """Connection and request limits: Envoy's circuit breakers."""

    tcp: TcpPool | None = None
    """TCP connection limits."""
    http: HttpPool | None = None
    """HTTP request and connection limits."""


class OutlierDetection(Model):
    """Passive health checking: pods that keep failing are ejected for a while."""

    consecutive_5xx_errors: int = Field(default=5, ge=1, alias="consecutive5xxErrors")
    """5xx answers in a row that eject a backend host."""
    interval: Duration = "10s"
    """How often hosts are checked (a duration)."""
    base_ejection_time: Duration = "30s"
    """Ejection time, multiplied by the times a host was ejected (a duration)."""
    max_ejection_percent: int = Field(default=50, ge=1, le=100)
    """Most backend hosts ejected at once, in percent."""


class BackendTls(Model):
    """ISTIO_MUTUAL inside the mesh; SIMPLE or MUTUAL to backends outside it."""

    mode: Literal["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"] = "ISTIO_MUTUAL"
    """`ISTIO_MUTUAL` (mesh mTLS), `SIMPLE` or `MUTUAL` TLS to a backend outside the mesh, `DISABLE`
    for plain text."""
    sni: str | None = None
    """SNI to send (SIMPLE, MUTUAL)."""
    credential_name: str | None = None
    """Secret in the gateway namespace: the CA that verifies the backend (`ca.crt` or `cacert`;
    SIMPLE, a private CA) and, for MUTUAL (required there), the client certificate and key."""

    @model_validator(mode="after")
    def _credential(self) -> Self:
        if self.mode == "MUTUAL" and not self.credential_name:
            raise ValueError("MUTUAL needs credentialName (a secret with the client certificate)")
        if self.mode in ("DISABLE", "ISTIO_MUTUAL") and (self.sni or self.credential_name):
            raise ValueError(f"mode {self.mode} takes no sni or credentialName")
        return self


class TrafficPolicy(Model):
    """A DestinationRule's traffic policy."""

    load_balancer: LoadBalancerPolicy | None = None
    """How requests are spread over the backend's pods."""
    connection_pool: ConnectionPool | None = None
    """Connection and request limits (circuit breaking)."""
    outlier_detection: OutlierDetection | None = None
    """Eject failing pods for a while."""
    tls: BackendTls | None = None
    """TLS from the gateway to the backend."""


class Backend(Model):
    """A Kubernetes Service the routes send to; subsets select pods by label."""

    service: DnsLabel
    """The Kubernetes Service's name."""
    namespace: DnsLabel
    """The Service's namespace."""
    port: int = Field(ge=1, le=65535)
    """The Service port routes send to."""
    subsets: dict[DnsLabel, Labels] = {}
    """Named subsets, each selecting pods by labels (`version: v2`); routes pick one by name."""
    traffic_policy: TrafficPolicy | None = None
    """The DestinationRule's traffic policy for the whole backend."""
    protocol: Literal["HTTP", "GRPC"] = "HTTP"
    """What the backend speaks: `HTTP`, or `GRPC` (with `api: gatewayApi` its routes render as a
    GRPCRoute, matched by gRPC service and method)."""
    selector: Labels = {}
    """The labels the Service's selector picks its pods by (its `spec.selector`). With
    `api: gatewayApi` each subset becomes a Service of its own selecting these labels plus the
    subset's; required there when the backend has subsets."""
    target_port: int | str | None = None
    """The pods' port (number or name) the Service's `port` forwards to; the subset Services
    (`api: gatewayApi`) forward to it too. Unset: the same number as `port`."""

    @property
    def fqdn(self) -> str:
        return f"{self.service}.{self.namespace}.svc.cluster.local"

    def problems(self, path: str) -> Iterator[Problem]:
        for name, labels in self.subsets.items():
            if not labels:
                yield Problem(f"{path}.subsets.{name}", labels,
                              "a subset needs labels to select its pods")


class Routing(Model):
    """Backends and per-host routes: one DestinationRule per backend, one VirtualService per
    host."""

    backends: dict[DnsLabel, Backend] = {}
    """The Services routes send to, by name (a DNS-1123 label): one DestinationRule each."""
    hosts: list[HostRoutes] = []
    """Per host, its routes: one VirtualService each."""


def long_lived_seconds(routing: Routing, host: str) -> int | None:
    """The longest `timeout` of a `longLived` route that requests for `host` (a listener's host)
    can meet: routes of the same routing host, of one covering it, or of one it covers; whole
    seconds, rounded up. None when no such route sets one."""
    found = [-(-duration_ns(route.timeout) // 10**9)
             for h in routing.hosts
             if host_covers(h.host, host) or host_covers(host, h.host) or "*" in (host, h.host)
             for route in h.routes if route.long_lived and route.timeout]
    return max(found, default=None)
