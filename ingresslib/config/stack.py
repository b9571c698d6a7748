"""The cloud-agnostic sections of an ingress stack and the rules among them."""


from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Literal

from pydantic import Field

from ingresslib.config.base import DnsLabel, Model, Section
from ingresslib.config.cert_manager import AcmeIssuer, CertManager, Http01, Route53
from ingresslib.config.certificates import (
    CertManagerCertificate,
    InClusterSource,
    cloud_problems,
    mutual_problems,
)
from ingresslib.config.gateway_api import Api, GatewayApi
from ingresslib.config.hostnames import covered
from ingresslib.config.listeners import Listener, https_hosts, without_https
from ingresslib.config.observability import Observability, observability_problems
from ingresslib.config.ratelimit import RateLimits, ratelimit_problems
from ingresslib.config.routing import Destination, Mirror, Routing
from ingresslib.config.security import Security
from ingresslib.config.wildcard_routes import effective_routes, wildcard_route_problems
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import Problem, closest, declared

Cloud = Literal["aks", "eks"]
Topology = Literal["gateway", "chained", "standalone"]
SERVICE_PORTS = {80: "http", 443: "https"}
PROXY_CONFIG = "proxy.istio.io/config"


class LoadBalancer(Model):
    """What every cloud load balancer in front of the gateway shares; cloud specifics follow."""

    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """`internet-facing` for a public address; `internal` keeps the load balancer on the virtual
    network (on AKS its frontend comes from azure.loadBalancer.subnet)."""
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    """Seconds the load balancer keeps sending to a target it is taking out (AWS deregistration
    delay, Application Gateway connection draining). The gateway's drain defaults to 15 s more than
    the longer of this and what the load balancer is measured to keep sending (EDGE-DR-*), its
    grace period to 15 s more than the drain."""


class StackSpec(Model):
    """The cloud-agnostic sections of an ingress stack: cloud, topology, gateway, listeners,
    certificates, routing, security, rate limits, load balancer and observability.

    `ingresslib.StackConfig` adds each cloud's section and the edge plan; this class holds the
    schema and the rules among these sections only (`problems`). Derived values live with the
    code that derives them: the gateway as deployed in the edge plan, credential names with the
    certificates, redirects with the listeners.
    """

    name: DnsLabel = "ingress"
    """Name of the stack's Kubernetes objects and cloud resources (a prefix); also the Istio
    Gateway's name."""
    cloud: Cloud
    """The cluster's cloud: `aks` (Azure) or `eks` (AWS). Decides the load balancers, certificate
    sources and the cloud section (`azure` or `aws`) the stack takes."""
    topology: Topology = "gateway"
    """Traffic path. `gateway`: cloud L4 load balancer, then the Istio gateway. `chained`: cloud L7
    load balancer (Application Gateway, ALB), then the gateway. `standalone`: the L7 load balancer
    sends straight to sidecar-injected backends, with no Istio gateway."""
    api: Api = "istio"
    """The API the Istio gateway's routing is written in: `istio` (Gateway, VirtualService,
    DestinationRule; the default, as the seeds use it) or `gatewayApi` (the Kubernetes Gateway
    API: a Gateway bound to the same gateway Deployment and Service, HTTPRoutes, GRPCRoutes,
    TLSRoutes). Topologies gateway and chained; standalone has no Istio gateway."""
    gateway_api: Annotated[GatewayApi, Section()] = GatewayApi.defaults()
    """Settings of the Gateway API rendering; read with `api: gatewayApi`."""
    gateway: Annotated[GatewayWorkload | None, Section()] = None
    """The Istio gateway workload (pods, scaling, Service); its defaults apply when unset. Refused
    in topology standalone."""
    listeners: list[Listener] = []
    """The ports, protocols and hosts the edge serves: one Istio Gateway server each (and the cloud
    load balancer's listeners). The gateway topologies need at least one."""
    certificates: dict[DnsLabel, InClusterSource] = {}
    """TLS certificates by name (a DNS-1123 label); a listener's `tls.certificate` names one.
    `source` decides where it comes from and where TLS ends."""
    cert_manager: Annotated[CertManager, Section()] = CertManager.defaults()
    """cert-manager issuers that `certManager` certificates name."""
    routing: Annotated[Routing, Section()] = Routing.defaults()
    """Backends and, per host, the HTTP and TLS routes to them."""
    security: Annotated[Security | None, Section()] = None
    """Mesh security: mTLS for the backends' namespaces, authorization and JWT rules at the gateway.
    Unset: no security objects are rendered."""
    rate_limits: Annotated[RateLimits, Section()] = RateLimits.defaults()
    """Local (per gateway pod) and global rate limits at the gateway."""
    load_balancer: Annotated[LoadBalancer, Section()] = LoadBalancer.defaults()
    """What every cloud load balancer in front shares: scheme and deregistration delay."""
    observability: Annotated[Observability, Section()] = Observability.defaults()
    """Scraping, alerts, dashboard and access logs of the gateway."""

    @property
    def has_gateway(self) -> bool:
        """Whether an Istio gateway sits behind the load balancer (all but standalone)."""
        return self.topology != "standalone"

    def credential_name(self, certificate: str) -> str:
        """The Secret, in the gateway namespace, that Istio reads `certificate` from."""
        return self.certificates[certificate].credential_name(certificate)

    def deployed_gateway(self) -> GatewayWorkload:
        """The gateway workload its section's own rules judge: here the section as written
        (or the defaults); a StackConfig gives the one its edge plan deploys, with the drain
        settled against the load balancer."""
        return self.gateway or GatewayWorkload.defaults()

    def problems(self, path: str) -> Iterator[Problem]:
        """Rules among the cloud-agnostic sections; each cloud's edge rules and the rules that
        need the edge plan run after these (`ingresslib.stack.model`). Sections a cloud or
        topology does not use are refused before any of these (`placement`)."""
        if self.topology == "standalone" and self.api == "gatewayApi":
            yield Problem("api", self.api, "chooses how the Istio gateway is programmed, and "
                          "topology standalone deploys none (the cloud L7 load balancer sends "
                          "straight to the backends); remove api")
        if self.has_gateway and not self.listeners:
            yield Problem(
                "listeners", [], f"topology {self.topology} needs at least one listener"
            )
        if self.gateway is not None and self.has_gateway:
            yield from self.deployed_gateway().problems("gateway")
        if (self.gateway is not None and self.has_gateway
                and PROXY_CONFIG in self.gateway.pod_annotations):
            yield Problem(f"gateway.podAnnotations.{PROXY_CONFIG}",
                          self.gateway.pod_annotations[PROXY_CONFIG],
                          "is written by ingresslib from the edge plan (drain, idle "
                          "timeout, trusted proxies, PROXY protocol, which must match the "
                          "load balancer) and would be overwritten; use gateway.drain, "
                          "gateway.idleTimeout and the load balancer's settings "
                          "(EDGE-CH-SETTING)")
        if self.api == "istio" and self.gateway_api != GatewayApi.defaults():
            yield Problem("gatewayApi", "set", "applies with api: gatewayApi; set api: "
                          "gatewayApi or remove gatewayApi")
        yield from self._listener_problems()
        port80 = frozenset(h for lst in self.listeners if lst.port == 80 for h in lst.hosts)
        for key, cert in self.certificates.items():
            yield from cloud_problems(f"certificates.{key}", cert, self.cloud)
            yield from cert.problems(f"certificates.{key}")
            if isinstance(cert, CertManagerCertificate):
                yield from self._issuer_problems(f"certificates.{key}", cert, port80)
        yield from routing_problems(self.routing, self.listeners)
        yield from wildcard_route_problems(self.routing, self.topology)
        yield from observability_problems(self.observability, certificates=self.certificates)
        yield from self.rate_limits.problems("rateLimits")
        if self.has_gateway:
            yield from ratelimit_problems(
                self.rate_limits,
                {h for lst in self.listeners for h in lst.hosts},
                {h.host: {r.name for r in effective_routes(self.routing, h)}
                 for h in self.routing.hosts},
            )
        elif self.rate_limits.local or self.rate_limits.global_:
            yield Problem("rateLimits", "set", "rate limits run in the Istio gateway, which "
                          "topology standalone does not deploy; remove them")

    def _issuer_problems(self, path: str, cert: CertManagerCertificate,
                         port80: frozenset[str]) -> Iterator[Problem]:
        """`cert`'s issuer: declared, and able to issue it; `port80` is every host a port-80
        listener serves (where HTTP-01 challenges arrive)."""
        issuer = self.cert_manager.issuers.get(cert.issuer)
        if issuer is None:
            yield from undeclared_issuer(path, cert, self.cert_manager)
            return
        if not isinstance(issuer, AcmeIssuer):
            return
        solver = issuer.solver
        if isinstance(solver, Http01):
            wildcards = [h for h in cert.dns_names if h.startswith("*.")]
            if wildcards:
                yield Problem(f"{path}.dnsNames", wildcards,
                              "ACME HTTP-01 cannot issue wildcard names; use a DNS-01 solver "
                              "(route53 or azureDns) for this issuer")
            unreachable = [h for h in cert.dns_names if not covered(port80, h)]
            if unreachable and not wildcards:
                yield Problem(f"{path}.dnsNames", unreachable,
                              "HTTP-01 challenges arrive on port 80: add these hosts to an "
                              "HTTP listener on port 80")
        elif (self.cloud == "eks") != isinstance(solver, Route53):
            wanted = "route53" if self.cloud == "eks" else "azureDns"
            yield Problem(f"certManager.issuers.{cert.issuer}.solver.kind", solver.kind,
                          f"DNS-01 authenticates with the cluster's cloud identity (IRSA on "
                          f"eks, workload identity on aks); use {wanted} on {self.cloud}")

    def _listener_problems(self) -> Iterator[Problem]:
        seen: dict[str, int] = {}
        # (port, host) -> the listeners before this one that serve it, in order.
        served: dict[tuple[int, str], list[int]] = {}
        https = https_hosts(self.listeners)
        for i, lst in enumerate(self.listeners):
            path = f"listeners[{i}]"
            yield from lst.problems(path)
            if lst.name in seen:
                yield Problem(
                    f"{path}.name", lst.name, f"duplicates listeners[{seen[lst.name]}].name"
                )
            seen.setdefault(lst.name, i)
            if self.has_gateway and lst.port not in SERVICE_PORTS:
                yield Problem(
                    f"{path}.port",
                    lst.port,
                    "the gateway Service exposes 80 (http) and 443 (https); use one of them",
                )
            shared: dict[int, set[str]] = {}
            for host in set(lst.hosts):
                for j in served.get((lst.port, host), ()):
                    shared.setdefault(j, set()).add(host)
            for j in sorted(shared):
                yield Problem(
                    f"{path}.hosts",
                    sorted(shared[j]),
                    f"also served on port {lst.port} by listeners[{j}]; Envoy would "
                    "pick one at random: keep each host on one listener per port",
                )
            for host in set(lst.hosts):
                served.setdefault((lst.port, host), []).append(i)
            if lst.tls and lst.tls.certificate:
                yield from self._certificate_problems(path, lst)
            if lst.protocol == "HTTP" and lst.https_redirect:
                missing = without_https(lst, https)
                if missing:
                    yield Problem(
                        f"{path}.httpsRedirect", True,
                        f"redirects {missing} to HTTPS, which no HTTPS listener serves; add an "
                        "HTTPS listener for them or set httpsRedirect: false",
                    )

    def _certificate_problems(self, path: str, lst: Listener) -> Iterator[Problem]:
        assert lst.tls is not None
        assert lst.tls.certificate is not None
        cert = self.certificates.get(lst.tls.certificate)
        if cert is None:
            known = declared(self.certificates)
            yield Problem(
                f"{path}.tls.certificate",
                lst.tls.certificate,
                f"names no entry of certificates ({known})"
                + _did_you_mean(lst.tls.certificate, self.certificates,
                                "declare it under certificates"),
                dangling=True,
            )
            return
        if lst.tls.mode == "MUTUAL":
            yield from mutual_problems(f"{path}.tls.certificate", cert)
        names = set(cert.dns_names)
        for host in lst.hosts:
            if not covered(names, host):
                yield Problem(
                    f"{path}.hosts",
                    host,
                    f"is not covered by certificate {lst.tls.certificate} "
                    f"(dnsNames {cert.dns_names}); add it to the certificate's dnsNames",
                )


def routing_problems(routing: Routing, listeners: Sequence[Listener]) -> Iterator[Problem]:
    """References between hosts, listeners, backends and subsets, with config paths: the
    rules a stack applies to its `routing`, and `IngressRouting` to the routing it is given
    alone (one unserved host is the same error either way)."""
    for key, backend in routing.backends.items():
        yield from backend.problems(f"routing.backends.{key}")
    # In standalone the cloud L7 load balancer routes (the ALB's listener rules, AGIC's
    # Ingresses); aws_problems and azure_problems refuse what it cannot express.
    http_hosts = {h for lst in listeners if lst.protocol != "TLS" for h in lst.hosts}
    tls_hosts = {h for lst in listeners if lst.protocol == "TLS" for h in lst.hosts}
    seen: dict[str, int] = {}
    for i, host in enumerate(routing.hosts):
        path = f"routing.hosts[{i}]"
        yield from host.problems(path)
        if host.host in seen:
            yield Problem(f"{path}.host", host.host,
                          f"already routed by routing.hosts[{seen[host.host]}]; merge them")
        seen.setdefault(host.host, i)
        if host.routes and not covered(http_hosts, host.host):
            yield Problem(f"{path}.host", host.host,
                          "no HTTP or HTTPS listener serves this host (IST0132); add it to "
                          "a listener's hosts")
        if host.tls_routes and host.host not in tls_hosts:
            yield Problem(f"{path}.tlsRoutes", host.host,
                          "tlsRoutes need a TLS (PASSTHROUGH) listener serving this host")
        for j, route in enumerate([*host.routes, *host.tls_routes]):
            kind, k = ("routes", j) if j < len(host.routes) else (
                "tlsRoutes", j - len(host.routes))
            yield from _destination_problems(routing, f"{path}.{kind}[{k}]", route.to)
            for field, dest in (route.destinations() if kind == "routes" else ()):
                if isinstance(dest, Mirror):
                    yield from _reference(routing, f"{path}.{kind}[{k}].{field}", dest)


def _destination_problems(routing: Routing, path: str, to: list[Destination]
                          ) -> Iterator[Problem]:
    for i, dest in enumerate(to):
        yield from _reference(routing, f"{path}.to[{i}]", dest)
    if len(to) > 1:
        weights = [d.weight for d in to]
        if None in weights:
            yield Problem(f"{path}.to", weights,
                          "give every destination of a split a weight")
        elif sum(w for w in weights if w is not None) != 100:
            yield Problem(f"{path}.to", weights, "weights of a split must add up to 100")


def _reference(routing: Routing, path: str, dest: Destination | Mirror) -> Iterator[Problem]:
    backend = routing.backends.get(dest.backend)
    if backend is None:
        known = declared(routing.backends)
        yield Problem(f"{path}.backend", dest.backend,
                      f"names no entry of routing.backends ({known})"
                      + _did_you_mean(dest.backend, routing.backends), dangling=True)
    elif dest.subset and dest.subset not in backend.subsets:
        known = ", ".join(backend.subsets) or "none"
        yield Problem(f"{path}.subset", dest.subset,
                      f"backend {dest.backend} defines no such subset (IST0101; "
                      f"subsets: {known}); add it under routing.backends.{dest.backend}"
                      ".subsets", dangling=True)


def undeclared_issuer(path: str, cert: CertManagerCertificate, cert_manager: CertManager
                      ) -> Iterator[Problem]:
    """The certificate at `path` names an issuer `cert_manager` does not declare (what a stack
    and the Certificates component alone both refuse)."""
    if cert.issuer not in cert_manager.issuers:
        known = declared(cert_manager.issuers)
        yield Problem(f"{path}.issuer", cert.issuer,
                      f"names no entry of certManager.issuers ({known})"
                      + _did_you_mean(cert.issuer, cert_manager.issuers,
                                      "declare it there (type existing for an issuer "
                                      "the cluster already has)"), dangling=True)


def _did_you_mean(name: str, known: Iterable[str], otherwise: str = "") -> str:
    """The fix of a name that refers to nothing: the known name it likely misspells, and
    `otherwise` what to do when it is new."""
    match = closest(name, list(known))
    if match:
        return f"; did you mean {match}?" + (f" Otherwise {otherwise}" if otherwise else "")
    return f"; {otherwise}" if otherwise else ""
