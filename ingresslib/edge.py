"""The edge plan: the contract between the cloud load balancer and the Istio gateway.

The load balancer and the gateway are two halves of one hop. For each cloud and topology, the
cloud's own planner (`ingresslib.aws.edge_plan`, `ingresslib.azure.edge_plan`) states that
hop once, as an `EdgePlan`, before anything is registered; the Istio core reads the plan and
never imports a cloud module, and the cloud components read the same plan. A value one side
depends on (the health-check port, PROXY protocol, the drain) is therefore set in one place.

Shapes only: this module decides nothing about any cloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import NonNegativeInt, PositiveInt

from ingresslib.config.base import DnsLabel
from ingresslib.config.certificates import Certificate
from ingresslib.config.listeners import Listener
from ingresslib.config.observability import Observability
from ingresslib.config.routing import Routing
from ingresslib.config.security import Security
from ingresslib.config.stack import LoadBalancer
from ingresslib.config.workload import GatewayWorkload

# Istio's status port and readiness path: Envoy answers 200 there once it is ready to serve and
# 503 as soon as it starts draining, before any Gateway binds the traffic ports.
STATUS_PORT = 15021
READINESS_PATH = "/healthz/ready"


@dataclass(frozen=True)
class GatewayOptions:
    """The gateway's half of the hop: what the cloud load balancer needs of the workload.

    `service_type`: the gateway Service's type (LoadBalancer when the Service is the cloud load
    balancer, ClusterIP when an L7 load balancer targets pod IPs). `trusted_proxies`: proxy hops
    in front of Envoy that append X-Forwarded-For (Istio's `numTrustedProxies`).
    `proxy_protocol`: a PROXY protocol v2 header precedes every connection.
    `service_annotations`: what the cloud's controller reads from the Service.
    `namespace_labels`: labels the cloud needs on the gateway namespace (readiness gates).
    `health_check_sources`: CIDRs the NetworkPolicy admits to the status port for the probes.
    `status_port_on_service`: whether the Service carries Istio's status port (15021) beside
    the traffic ports: yes where the cloud's health check or probe names a Service port, where
    the cloud can keep a port off the load balancer (Azure's no_lb_rule), or where no listener
    is made of the Service (the ALB's ClusterIP Service); no where every
    Service port becomes a public listener and the health check needs none (an NLB, whatever
    its target type: EDGE-HC-NLB-PORTS).
    """

    stack: DnsLabel = "ingress"
    service_type: Literal["LoadBalancer", "ClusterIP", "NodePort"] = "LoadBalancer"
    trusted_proxies: NonNegativeInt = 0
    proxy_protocol: bool = False
    prometheus_scrape: bool = True
    service_annotations: Mapping[str, Any] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    health_check_sources: tuple[str, ...] = ()
    # The pod ports those sources reach (the status port for probes alone; the traffic ports
    # too where the load balancer itself is the client).
    health_check_ports: tuple[int, ...] = (STATUS_PORT,)
    # Envoy's downstream HTTP idle timeout (seconds); None keeps Envoy's default (1 h).
    idle_timeout_seconds: PositiveInt | None = None
    # Ports whose TLS the load balancer ended: Envoy tells backends the client used https.
    https_at_load_balancer: tuple[int, ...] = ()
    status_port_on_service: bool = True


@dataclass(frozen=True)
class HealthCheck:
    """How the cloud load balancer decides a target is up.

    `port`/`path`/`protocol`: what it probes (`path` is None for TCP). `interval_seconds` x
    `unhealthy_threshold` is how long a draining target keeps receiving new connections after it
    starts failing. `sources`: where the probes come from (admitted by the NetworkPolicy).
    """

    port: int | str
    protocol: Literal["HTTP", "HTTPS", "TCP"]
    path: str | None
    interval_seconds: int
    healthy_threshold: int
    unhealthy_threshold: int
    sources: tuple[str, ...] = ()

    @property
    def failure_window_seconds(self) -> int:
        """Seconds from a target failing its probe to the load balancer marking it down."""
        return self.interval_seconds * self.unhealthy_threshold


@dataclass(frozen=True)
class EdgeRule:
    """One invariant of the hop: a code, a one-line statement, and the public source where
    the failure it prevents is documented (vendor documentation or the issue that reported
    it). Problems that break it name the code."""

    code: str
    statement: str
    source: str


@dataclass(frozen=True)
class Timeouts:
    """The idle timeouts on both sides of the hop, in seconds.

    `pooling`: the load balancer keeps idle connections to the gateway and reuses them (an L7
    load balancer: ALB, Application Gateway), so it must close them before Envoy does; else
    (an L4 load balancer: NLB, Azure Load Balancer) it drops idle flows, so Envoy must close
    first. `load_balancer_idle_seconds`: the load balancer's idle timeout.
    `envoy_idle_seconds`: Envoy's downstream idle timeout. `response_seconds`: the longest
    the load balancer waits for a response; a route timeout beyond it is never reached.
    `idle_rule` and `response_rule`: the codes of the rules that bound them.
    `idle_setting` and `response_setting`: the config keys that set the load balancer's idle
    timeout and its response wait (where a problem tells the user to change them), and
    `response_by`: the component that waits, in the vendor's words (which in chained is not
    the one right in front of the gateway). `response_ends_sessions`: the response wait ends a
    whole connection, an upgraded WebSocket included, however busy (Application Gateway,
    Application Gateway for Containers); else only idle time ends one (NLB, ALB, Azure Load
    Balancer). `response_max_seconds`: the longest wait the load balancer takes.
    """

    pooling: bool
    load_balancer_idle_seconds: int
    envoy_idle_seconds: int
    response_seconds: int
    idle_rule: str = "EDGE-TO"
    response_rule: str = "EDGE-TO"
    idle_setting: str = ""
    response_setting: str = ""
    response_by: str = ""
    response_ends_sessions: bool = False
    response_max_seconds: int | None = None


@dataclass(frozen=True)
class EdgePlan:
    """One cloud x topology's edge, computed once from the config.

    `load_balancer`: what fronts the gateway, in the vendor's words. `workload`: the Istio
    gateway ingresslib deploys (or, when `deploys_gateway` is false, binds to: the AKS add-on's),
    with its drain settled against the load balancer; None in topology standalone.
    `gateway`: the gateway's half of the hop. `health_check`: the load balancer's probe of the
    gateway (None where the load balancer probes backends, in standalone).
    `tls_listeners`: names of the listeners whose TLS the load balancer terminates (the gateway
    serves them as plain HTTP). `rules`: the invariants of this cloud x topology.
    """

    cloud: str
    topology: str
    load_balancer: str
    workload: GatewayWorkload | None
    gateway: GatewayOptions | None
    health_check: HealthCheck | None
    deploys_gateway: bool = True
    tls_listeners: tuple[str, ...] = ()
    # How long the load balancer keeps sending new requests after a pod starts draining, and
    # why; the gateway's drain outlasts it.
    drain_needed_seconds: int = 0
    drain_reason: str = ""
    timeouts: Timeouts | None = None
    # How the client's address reaches the gateway, and where TLS from the client ends.
    client_address: str = ""
    tls_termination: str = ""
    rules: tuple[EdgeRule, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The plan as JSON-ready data, for plan.json and the traffic picture."""
        gw = self.gateway
        hc = self.health_check
        wl = self.workload
        return {
            "cloud": self.cloud,
            "topology": self.topology,
            "loadBalancer": self.load_balancer,
            "gateway": None if gw is None or wl is None else {
                "namespace": wl.namespace,
                "name": wl.name,
                "deployed": self.deploys_gateway,
                "serviceType": gw.service_type,
                "proxyProtocol": gw.proxy_protocol,
                "trustedProxies": gw.trusted_proxies,
                "terminationDrainSeconds": wl.drain.termination_drain_seconds,
                "terminationGracePeriodSeconds": wl.drain.termination_grace_period_seconds,
            },
            "healthCheck": None if hc is None else {
                "port": hc.port, "protocol": hc.protocol, "path": hc.path,
                "intervalSeconds": hc.interval_seconds,
                "healthyThreshold": hc.healthy_threshold,
                "unhealthyThreshold": hc.unhealthy_threshold,
                "sources": list(hc.sources),
            },
            "tlsAtLoadBalancer": list(self.tls_listeners),
            "tlsTermination": self.tls_termination,
            "clientAddress": self.client_address,
            "drain": {"neededSeconds": self.drain_needed_seconds, "why": self.drain_reason},
            "timeouts": None if self.timeouts is None else {
                "loadBalancerPools": self.timeouts.pooling,
                "loadBalancerIdleSeconds": self.timeouts.load_balancer_idle_seconds,
                "envoyIdleSeconds": self.timeouts.envoy_idle_seconds,
                "responseSeconds": self.timeouts.response_seconds,
            },
            "rules": [{"code": r.code, "statement": r.statement, "source": r.source}
                      for r in self.rules],
        }



# The rules every cloud x topology with a gateway shares; each cloud's planner adds its own.
CORE_RULES = {
    "EDGE-ID-HOPS": EdgeRule(
        "EDGE-ID-HOPS",
        "numTrustedProxies equals the L7 hops in front of the gateway that append "
        "X-Forwarded-For: 0 behind an L4 load balancer (NLB, Azure Load Balancer), 1 behind "
        "the ALB or Application Gateway (an internal L4 load balancer between them adds none)",
        "Envoy, HTTP header manipulation, x-forwarded-for and xff_num_trusted_hops; Istio, "
        "Configuring Gateway Network Topology"),
    "EDGE-HC-NETPOL": EdgeRule(
        "EDGE-HC-NETPOL",
        "A NetworkPolicy that restricts the gateway's clients still admits the load "
        "balancer's health-check sources on the probed port",
        "Azure, 'What is IP address 168.63.129.16' (probes must not be blocked); "
        "MicrosoftDocs/azure-docs#122526; AWS, Network Load Balancer target security groups "
        "(health checks come from the load balancer's addresses in its subnets)"),
    "EDGE-DR": EdgeRule(
        "EDGE-DR",
        "The gateway's drain outlasts how long the load balancer keeps sending after a pod "
        "starts draining, and the grace period outlasts the drain; an explicit drain below "
        "that minimum is refused with the minimum",
        "Istio ProxyConfig terminationDrainDuration; Kubernetes, Pod termination "
        "(terminationGracePeriodSeconds)"),
    "EDGE-TO": EdgeRule(
        "EDGE-TO",
        "Envoy's idle timeout (gateway.idleTimeout) is shorter than an L4 load balancer's and "
        "longer than an L7 load balancer's; a route timeout fits the load balancer's wait",
        "Envoy FAQ, 'How do I configure timeouts?'; AWS ALB and NLB connection idle timeout"),
    "EDGE-CH-SETTING": EdgeRule(
        "EDGE-CH-SETTING",
        "No setting is dropped: gateway.podAnnotations['proxy.istio.io/config'], which "
        "ingresslib writes from the plan, is refused rather than overwritten",
        "Istio, Resource Annotations, proxy.istio.io/config (one ProxyConfig per pod)"),
}


# Rules of features that validate alone and break together (issue 18), every cloud's; each
# cloud adds its own (`ingresslib.aws.interaction_rules`, `ingresslib.azure.interaction_rules`).
INTERACTION_RULES = {
    "EDGE-TO-LONG": EdgeRule(
        "EDGE-TO-LONG",
        "A route that carries long-lived connections (routes[].longLived: WebSocket, "
        "server-sent events, streams) lasts its timeout at every hop: a load balancer whose "
        "response wait ends a whole connection (Application Gateway's backend settings, "
        "Application Gateway for Containers' RoutePolicy) waits that timeout on the route's "
        "host, which the route must set; one that ends only idle connections (NLB, ALB, Azure "
        "Load Balancer) is not bounded by it; a route timeout beyond a load balancer's wait "
        "is refused naming the component and the key that sets the wait",
        "Azure, WebSocket support in Application Gateway ('The request timeout value in HTTP "
        "Settings also applies to the WebSocket session'); "
        "Azure/application-gateway-kubernetes-ingress#491, #1277; MicrosoftDocs/azure-docs#49622; "
        "Azure, Application Gateway for Containers API specification, RoutePolicy "
        "timeouts.routeTimeout; AWS, ALB and NLB connection idle timeout"),
    "EDGE-HOP-DNS": EdgeRule(
        "EDGE-HOP-DNS",
        "Behind an L7 load balancer (chained) the public entry point is that load balancer: "
        "an external-dns hostname record for a listener's host, or a target record, on the "
        "gateway Service would send clients to the hop behind it, and is refused",
        "kubernetes-sigs/external-dns, Annotations (external-dns.alpha.kubernetes.io/hostname "
        "publishes the Service's load balancer address; target overrides it); Istio, "
        "Configuring Gateway Network Topology (third-party load balancers)"),
    "EDGE-RL-FAIL": EdgeRule(
        "EDGE-RL-FAIL",
        "A global rate limit that fails closed (rateLimits.global.failureModeDeny) fails every "
        "request whose call to the ratelimit service outlasts rateLimits.global.timeout: "
        "failing closed, the timeout is at least 100 ms (the default; Envoy's 20 ms default "
        "is for limits that fail open); and since the route's timeout starts after that "
        "call, a route timeout plus the call's fits the load balancer's wait",
        "Envoy, Rate limit filter (extensions.filters.http.ratelimit.v3.RateLimit: timeout "
        "defaults to 20ms; failure_mode_deny); Istio, Enabling Rate Limits using Envoy "
        "(failure_mode_deny: true with timeout: 10s); envoyproxy/ratelimit#322 (RLSE 500s "
        "under load, failing closed); envoyproxy/gateway#1616"),
    "EDGE-RT-RETRY": EdgeRule(
        "EDGE-RT-RETRY",
        "A route's timeout bounds all its tries: retries.perTryTimeout at or beyond the "
        "route's timeout leaves no time for a retry, and is refused",
        "Envoy, Route components, RouteAction.timeout ('includes all retries') and "
        "RetryPolicy.per_try_timeout; Istio, VirtualService HTTPRetry.perTryTimeout"),
    "EDGE-MSG-KEY": EdgeRule(
        "EDGE-MSG-KEY",
        "A problem names the component that refuses and only config keys that exist: a "
        "setting ingresslib writes from the config names the key that sets it, and an "
        "annotation no key sets is passed through, not refused with a pointer to a key that "
        "does not exist",
        "ingresslib issue 18 (a dual-stack NLB annotation refused, pointed at a key that does "
        "not exist, "
        "and a route timeout refused blaming 'Azure Standard Load Balancer (internal)'); "
        "Azure/application-gateway-kubernetes-ingress#491"),
}


class StackView(Protocol):
    """The stack as a cloud's planner, rules and components read it: the cloud-agnostic
    sections and, once planned, the edge plan. `ingresslib.StackConfig` is one; each cloud's
    view adds its own section (`ingresslib.aws.config.EksStack`,
    `ingresslib.azure.config.AksStack`), so that no cloud folder imports the stack layer above
    it."""

    @property
    def name(self) -> str: ...
    @property
    def cloud(self) -> str: ...
    @property
    def topology(self) -> str: ...
    @property
    def gateway(self) -> GatewayWorkload | None: ...
    @property
    def listeners(self) -> list[Listener]: ...
    @property
    def certificates(self) -> Mapping[str, Certificate]: ...
    @property
    def routing(self) -> Routing: ...
    @property
    def security(self) -> Security | None: ...
    @property
    def load_balancer(self) -> LoadBalancer: ...
    @property
    def observability(self) -> Observability: ...
    @property
    def edge(self) -> EdgePlan: ...
    @property
    def workload(self) -> GatewayWorkload | None: ...

    def credential_name(self, certificate: str) -> str: ...
