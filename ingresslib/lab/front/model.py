"""What the front emulation hands to the lab runner and the probers.

Shapes only: the product modules fill them. Times are seconds (float), ports are integers,
addresses are IPv4 strings on loopback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class FrontError(Exception):
    """The render lacks (or gives a value the emulation cannot honour for) a field the load
    balancer product needs: `obj` names the rendered object (kind/namespace/name or plan
    resource type/name), `field` the missing or bad field."""

    def __init__(self, obj: str, field_path: str, problem: str) -> None:
        super().__init__(f"{obj}: {field_path}: {problem}")
        self.obj = obj
        self.field = field_path
        self.problem = problem


@dataclass(frozen=True)
class Addresses:
    """Where the lab runs each piece (all loopback).

    - front_ip: the front Envoy binds its listeners (and admin) to this address only.
    - gateway_ip: the gateway pod's address (the real gateway Envoy).
    - backends: standalone targets, {(namespace, service): [pod ip, ...]}.
    - admin_port: the front Envoy's admin port on front_ip.
    - front_ports: {product port: port actually bound} when the runner cannot bind the product's
      port (not root); a port not listed binds as the product does. Headers that carry the port
      (X-Forwarded-Port) keep the product's port.
    - gateway_ports: {container port as rendered: port the lab gateway listens on}; identity
      when absent.
    - backend_ports: {(namespace, service, service port): target port} for Services the render
      does not hold (standalone backends belong to the user's world); when absent the target
      port is the Service port.
    """

    front_ip: str
    gateway_ip: str
    backends: Mapping[tuple[str, str], Sequence[str]] = field(default_factory=dict)
    admin_port: int = 15000
    front_ports: Mapping[int, int] = field(default_factory=dict)
    gateway_ports: Mapping[int, int] = field(default_factory=dict)
    backend_ports: Mapping[tuple[str, str, int], int] = field(default_factory=dict)

    def bind_port(self, port: int) -> int:
        return int(self.front_ports.get(port, port))

    def gateway_port(self, port: int) -> int:
        return int(self.gateway_ports.get(port, port))


@dataclass(frozen=True)
class Certificate:
    """A certificate the front presents: the product's certificate reference (ARN, Key Vault
    secret, Secret name), the DNS names the lab certificate carries, and its PEM (leaf then lab
    CA) and key. `names_from` says which rendered field gave the names."""

    ref: str
    hostnames: tuple[str, ...]
    names_from: str
    cert_pem: str
    key_pem: str


@dataclass(frozen=True)
class FrontListener:
    """One front listener as a client sees it.

    protocol: TCP, TLS, HTTP or HTTPS. alpn: the product's policy name (NLB ALPN policy, or
    "h2+http/1.1" for HTTP load balancers) and alpn_protocols the list Envoy offers, server
    preference first. idle_timeout: seconds of no traffic before the product closes the
    connection. source_ranges: CIDRs allowed to connect (empty: any)."""

    name: str
    ip: str
    port: int
    bind_port: int
    protocol: str
    certificate: Certificate | None = None
    hostnames: tuple[str, ...] = ()
    alpn_policy: str = ""
    alpn_protocols: tuple[str, ...] = ()
    tls_policy: str = ""
    idle_timeout: float | None = None
    source_ranges: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class HealthCheck:
    """A health check the product runs against a target.

    protocol: TCP (connect), HTTP, HTTPS or GRPC (a gRPC call to `path`, ALB gRPC target
    groups; healthy_codes are then gRPC statuses). healthy_codes: inclusive (low, high)
    ranges.
    emulated: False when the check targets something the lab has no stand-in for (then the
    bootstrap does not run it and `not_modeled` says why). cluster: the Envoy cluster that
    runs it; proxy_protocol: whether the check itself sends a PROXY header."""

    name: str
    target_ip: str
    port: int
    protocol: str
    path: str
    interval: float
    timeout: float
    healthy_threshold: int
    unhealthy_threshold: int
    healthy_codes: tuple[tuple[int, int], ...] = ()
    host: str = ""
    cluster: str = ""
    proxy_protocol: bool = False
    emulated: bool = True
    source: str = ""


@dataclass(frozen=True)
class Timeout:
    """A product timeout: kind is one of tcp-idle, http-idle, request (whole request, AppGW
    and AGC route timeouts); applies_to names the listener or route. on_idle says what the
    product does when an idle timeout fires: "close" (FIN), "reset" (RST to both ends, Azure
    Standard LB's default) or "drop" (forgets the flow silently; later packets are answered
    with RST by the NLB, dropped by Azure without reset). The emulation closes in every case
    (Envoy has no setting for the others): a prober checks the connection ends, and reads
    on_idle for how."""

    kind: str
    seconds: float
    applies_to: str
    source: str
    on_idle: str = "close"


@dataclass
class FrontPlan:
    """The front's Envoy bootstrap (a dict, written as JSON by the runner) and the facts a
    prober needs. product: aws-nlb, aws-alb, azure-lb, azure-appgw, azure-agc.
    ca_pem: the lab CA that signed every front certificate (clients trust it)."""

    product: str
    bootstrap: dict[str, Any]
    listeners: list[FrontListener]
    health_checks: list[HealthCheck]
    timeouts: list[Timeout]
    not_modeled: list[str]
    ca_pem: str
    proxy_protocol: dict[str, bool] = field(default_factory=dict)
