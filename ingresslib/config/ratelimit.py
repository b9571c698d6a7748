"""Rate limits at the gateway: local token buckets per pod, and a global limit shared by all pods.

Local limits need nothing but the gateway; they cap what one pod passes, so the effective limit
grows with the replica count. The global limit (seed 001's `envoy.filters.http.ratelimit`, domain
istio-ingress, failing closed) asks an envoyproxy/ratelimit service, which `deploy` can render
with its Redis; its counters hold across pods.
"""


import re
from collections.abc import Iterator
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator

from ingresslib.config.base import DnsLabel, DnsSubdomain, Model, applies_to
from ingresslib.config.duration import Duration, duration_ns
from ingresslib.config.workload import ResourceList, Resources
from ingresslib.errors import Problem, declared

# Istio names a gateway's virtual hosts "<host>:<port>" after the Gateway server port; the
# gateway Service serves HTTP on 80 and HTTPS on 443.
VHOST_PORTS = (80, 443)
# Envoy refuses a local rate limit token bucket that refills faster than this.
MIN_FILL_INTERVAL_MS = 50
RATELIMIT_GRPC_PORT = 8081

# An HTTP header name token, lower case as HTTP/2 sends it; a leading ':' for pseudo-headers.
_HEADER_NAME = re.compile(r"^:?[a-z0-9!#$%&'*+.^_`|~-]+$")


def _status_code(value: int) -> int:
    # Deferred: Envoy's generated classes take a fifth of a second to import, paid only by
    # configs that set a status code.
    from ingresslib.envoy import HTTP_STATUS_CODES  # noqa: PLC0415

    if value < 400 or value not in HTTP_STATUS_CODES:
        raise ValueError(
            "must be a 4xx or 5xx status Envoy knows, such as 429 or 503 "
            "(Envoy answers 429 for anything below 400)"
        )
    return value


def _header_name(value: str) -> str:
    if not _HEADER_NAME.match(value):
        raise ValueError("must be an HTTP header name in lower case, such as x-api-key")
    return value


HttpStatus = Annotated[int, AfterValidator(_status_code), WithJsonSchema(
    {"type": "integer", "x-type": "HTTP status", "minimum": 400, "maximum": 599})]
HeaderName = Annotated[str, AfterValidator(_header_name), WithJsonSchema(
    {"type": "string", "x-type": "header name", "pattern": _HEADER_NAME.pattern})]


class LocalLimit(Model):
    """A token bucket for the whole gateway, one host, or one route of a host.

    Each gateway pod keeps its own buckets, one per listener for the gateway scope and one per
    port for the others. Envoy uses the most specific bucket only: a route's replaces its
    host's, and a host's the gateway's, so the gateway limit covers what no narrower one names.
    """

    scope: Literal["gateway", "host", "route"]
    """What one bucket limits: the whole `gateway`, one `host`, or one `route` of a host. The most
    specific bucket applies alone."""
    host: str | None = Field(default=None, min_length=1)
    """A listener host; required for scopes host and route."""
    route: str | None = Field(default=None, min_length=1)
    """A route name of that host; required for scope route."""
    ports: list[int] = list(VHOST_PORTS)
    """Ports (80, 443) whose virtual hosts get the bucket; host and route scopes only."""
    max_tokens: int = Field(ge=1)
    """Bucket size: the burst one gateway pod lets through."""
    tokens_per_fill: int = Field(ge=1)
    """Tokens added per fill; at most maxTokens."""
    fill_interval: Duration
    """How often the bucket refills (a duration; at least 50ms)."""
    status_code: HttpStatus = 429
    """Status of limited requests (a 4xx or 5xx Envoy knows)."""

    def problems(self, path: str) -> Iterator[Problem]:
        needs = {"gateway": (), "host": ("host",), "route": ("host", "route")}[self.scope]
        for name in ("host", "route"):
            given = getattr(self, name)
            if name in needs and given is None:
                yield Problem(f"{path}.{name}", None, f"scope {self.scope} needs a {name}")
            elif name not in needs and given is not None:
                yield Problem(
                    f"{path}.{name}", given, f"scope {self.scope} takes no {name}; remove it"
                )
        if self.scope == "gateway" and "ports" in self.model_fields_set:
            yield Problem(
                f"{path}.ports",
                self.ports,
                "scope gateway limits every listener; ports only narrows host and route scopes",
            )
        yield from _port_problems(self.ports, f"{path}.ports")
        if self.tokens_per_fill > self.max_tokens:
            yield Problem(
                f"{path}.tokensPerFill",
                self.tokens_per_fill,
                f"must be <= maxTokens ({self.max_tokens}): the bucket cannot hold more",
            )
        if duration_ns(self.fill_interval) < MIN_FILL_INTERVAL_MS * 10**6:
            yield Problem(
                f"{path}.fillInterval",
                self.fill_interval,
                f"Envoy refuses a local rate limit that refills more often than every "
                f"{MIN_FILL_INTERVAL_MS}ms; use a longer interval and scale the tokens",
            )

    def target(self) -> tuple[str, str | None, str | None]:
        """What the limit applies to: (scope, host, route)."""
        return self.scope, self.host, self.route


class RateLimitService(Model):
    """The gRPC ratelimit service; Istio calls its cluster `outbound|<port>||<host>`."""

    host: DnsSubdomain
    """The ratelimit Service's host name (`ratelimit.ratelimit.svc.cluster.local`)."""
    port: int = Field(default=RATELIMIT_GRPC_PORT, ge=1, le=65535)
    """Its gRPC port."""

    def cluster_name(self) -> str:
        return f"outbound|{self.port}||{self.host}"


class RemoteAddress(Model):
    """The client address (from X-Forwarded-For as far as the trusted proxy hops allow)."""


class RequestHeaders(Model):
    """A request header's value, sent under `descriptor_key`; requests without it skip the limit."""

    header: HeaderName
    """Request header name, lower case (`x-api-key`)."""
    descriptor_key: str = Field(min_length=1)
    """Descriptor key its value is sent under."""


class GenericKey(Model):
    """A fixed value, so that every request the descriptor covers shares one counter."""

    value: str = Field(min_length=1)
    """The fixed descriptor value."""


class Action(Model):
    """One entry of a descriptor, as Envoy's rate_limits actions spell it: set exactly one."""

    remote_address: RemoteAddress | None = None
    """The client address (`{}`): one counter per client."""
    request_headers: RequestHeaders | None = None
    """A request header's value: one counter per value."""
    generic_key: GenericKey | None = None
    """A fixed value: one counter for every request it covers."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [
            f for f in ("remote_address", "request_headers", "generic_key")
            if getattr(self, f) is not None
        ]
        if len(given) != 1:
            raise ValueError("set exactly one of remoteAddress, requestHeaders or genericKey")
        return self

    def entry(self) -> tuple[str, str | None]:
        """The (key, value) the ratelimit service sees; None where each value counts apart."""
        if self.request_headers is not None:
            return self.request_headers.descriptor_key, None
        if self.generic_key is not None:
            return "generic_key", self.generic_key.value
        return "remote_address", None


class Limit(Model):
    """What the deployed ratelimit service allows for one descriptor."""

    unit: Literal["second", "minute", "hour", "day"]
    """`second`, `minute`, `hour` or `day`."""
    requests_per_unit: int = Field(ge=1)
    """Requests allowed per unit."""


class Descriptor(Model):
    """A rate_limits entry on the virtual hosts of `hosts` (all the gateway's hosts if empty)."""

    hosts: list[str] = []
    """Listener hosts whose virtual hosts send the descriptor; every host of the gateway when
    empty."""
    actions: list[Action] = Field(min_length=1)
    """The descriptor's entries, in order."""
    limit: Limit | None = None
    """The limit for the deployed ratelimit service (required with deploy, refused without it)."""

    def entries(self) -> tuple[tuple[str, str | None], ...]:
        return tuple(a.entry() for a in self.actions)


class Deploy(Model):
    """Render envoyproxy/ratelimit and its Redis into `namespace`, injected into the mesh.

    Redis keeps the counters in memory only, so a restart starts every limit afresh. While Redis
    or the service is down the gateway fails requests if failureModeDeny is on (the default):
    both sit on the request path.
    """

    namespace: DnsLabel = "ratelimit"
    """Namespace of the ratelimit service and its Redis."""
    replicas: int = Field(default=2, ge=1)
    """Pods of the ratelimit service."""
    resources: Resources = Resources(
        requests=ResourceList(cpu="100m", memory="64Mi"),
        limits=ResourceList(cpu="1", memory="256Mi"),
    )
    """CPU and memory of the ratelimit service."""
    redis_resources: Resources = Resources(
        requests=ResourceList(cpu="100m", memory="128Mi"),
        limits=ResourceList(cpu="1", memory="512Mi"),
    )
    """CPU and memory of Redis."""

    def service_host(self) -> str:
        return f"ratelimit.{self.namespace}.svc.cluster.local"

    def problems(self, path: str) -> Iterator[Problem]:
        yield from self.resources.problems(f"{path}.resources")
        yield from self.redis_resources.problems(f"{path}.redisResources")


class Global(Model):
    """The global limit; seed 001's defaults: domain istio-ingress, failing closed."""

    domain: str = Field(default="istio-ingress", min_length=1)
    """Ratelimit domain of the descriptors."""
    failure_mode_deny: bool = True
    """Refuse requests while the ratelimit service cannot answer (fail closed): each request
    whose call fails or outlasts `timeout` gets a 500."""
    timeout: Duration = "100ms"
    """How long the gateway waits for the ratelimit service (a duration). Failing closed, at
    least 100ms, so one slow call does not fail requests (EDGE-RL-FAIL); Envoy's own default,
    20ms, is meant for limits that fail open."""
    service: RateLimitService
    """The ratelimit service the gateway asks."""
    descriptors: list[Descriptor] = []
    """Descriptors the gateway sends, each counted apart."""
    deploy: Deploy | None = None
    """Render envoyproxy/ratelimit with Redis, configured from the descriptors; unset: bring your
    own service."""

    def problems(self, path: str) -> Iterator[Problem]:
        seen: dict[tuple[tuple[str, str | None], ...], int] = {}
        for i, desc in enumerate(self.descriptors):
            where = f"{path}.descriptors[{i}]"
            if desc.entries() in seen:
                yield Problem(
                    f"{where}.actions",
                    [a.model_dump(by_alias=True, exclude_none=True) for a in desc.actions],
                    f"sends the same descriptor as descriptors[{seen[desc.entries()]}]; "
                    "merge them",
                )
            seen.setdefault(desc.entries(), i)
            if len(set(desc.hosts)) != len(desc.hosts):
                yield Problem(
                    f"{where}.hosts", desc.hosts, "lists a host twice, which counts it twice"
                )
            if self.deploy is not None and desc.limit is None:
                yield Problem(
                    f"{where}.limit",
                    None,
                    "the deployed ratelimit service needs a limit for every descriptor the "
                    "gateway sends, or it lets that descriptor through unlimited",
                )
            if self.deploy is None and desc.limit is not None:
                yield Problem(
                    f"{where}.limit",
                    desc.limit.model_dump(by_alias=True),
                    "only the deployed ratelimit service reads it: set deploy, or set the limit "
                    "in your own ratelimit service's config and remove it here",
                )
        if self.deploy is None:
            return
        yield from self.deploy.problems(f"{path}.deploy")
        if self.service.host != self.deploy.service_host():
            yield Problem(
                f"{path}.service.host",
                self.service.host,
                f"deploy renders the ratelimit Service in namespace {self.deploy.namespace}: "
                f"use {self.deploy.service_host()}",
            )
        if self.service.port != RATELIMIT_GRPC_PORT:
            yield Problem(
                f"{path}.service.port",
                self.service.port,
                f"the deployed ratelimit service serves gRPC on {RATELIMIT_GRPC_PORT}; use it",
            )


class RateLimits(Model):
    """The `rateLimits` section: local token buckets and the global limit."""

    model_config = applies_to(topologies=("gateway", "chained"))

    local: list[LocalLimit] = []
    """Token buckets in each gateway pod."""
    global_: Global | None = Field(default=None, alias="global")
    """The global limit, shared by all pods through a ratelimit service."""

    def problems(self, path: str) -> Iterator[Problem]:
        seen: dict[tuple[str, str | None, str | None, int], int] = {}
        for i, limit in enumerate(self.local):
            where = f"{path}.local[{i}]"
            yield from limit.problems(where)
            ports = [0] if limit.scope == "gateway" else limit.ports
            clash = next((seen[(*limit.target(), p)] for p in ports
                          if (*limit.target(), p) in seen), None)
            if clash is not None:
                yield Problem(
                    f"{where}.scope",
                    limit.scope,
                    f"limits the same {limit.scope} as local[{clash}]"
                    + ("" if limit.scope == "gateway" else " on a shared port")
                    + ": Envoy keeps one bucket per target, so merge them",
                )
            for p in ports:
                seen.setdefault((*limit.target(), p), i)
        if self.global_ is not None:
            yield from self.global_.problems(f"{path}.global")


def ratelimit_problems(
    rl: RateLimits,
    served_hosts: set[str],
    routes: dict[str, set[str]],
    path: str = "rateLimits",
) -> Iterator[Problem]:
    """Hosts and routes the limits name must be ones the gateway serves, or the EnvoyFilter
    matches no virtual host and the limit silently never applies."""
    known = declared(served_hosts, empty="none")
    for i, limit in enumerate(rl.local):
        where = f"{path}.local[{i}]"
        if limit.host is not None and limit.host not in served_hosts:
            yield Problem(f"{where}.host", limit.host, f"no listener serves it (hosts: {known})")
        elif limit.host is not None and limit.route is not None:
            names = routes.get(limit.host, set())
            if limit.route not in names:
                yield Problem(
                    f"{where}.route",
                    limit.route,
                    f"{limit.host} has no route by that name "
                    f"(routes: {', '.join(sorted(names)) or 'none'})",
                )
    if rl.global_ is not None:
        for i, desc in enumerate(rl.global_.descriptors):
            for j, host in enumerate(desc.hosts):
                if host not in served_hosts:
                    yield Problem(
                        f"{path}.global.descriptors[{i}].hosts[{j}]",
                        host,
                        f"no listener serves it (hosts: {known})",
                    )


def _port_problems(ports: list[int], path: str) -> Iterator[Problem]:
    if not ports:
        yield Problem(path, ports, f"list at least one of {list(VHOST_PORTS)}")
    for port in ports:
        if port not in VHOST_PORTS:
            yield Problem(
                path,
                port,
                f"the gateway serves HTTP on {VHOST_PORTS[0]} and HTTPS on {VHOST_PORTS[1]}; "
                "use those",
            )
    if len(set(ports)) != len(ports):
        yield Problem(path, ports, "lists a port twice")
