"""The one typed config of an ingress stack, and how it is loaded."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, Literal

import pulumi
from pydantic import Field, ValidationError, model_validator

from ingresslib.config.aws import Aws, aws_problems, nlb_settings, uses_nlb
from ingresslib.config.azure import Azure, addon_workload, azure_problems, uses_addon
from ingresslib.config.base import DnsLabel, Model
from ingresslib.config.cert_manager import AcmeIssuer, CertManager, Http01, Route53
from ingresslib.config.certificates import (
    CertificateSource,
    CertManagerCertificate,
    ExistingSecret,
    cloud_problems,
    source_problems,
)
from ingresslib.config.listeners import Listener, host_covers
from ingresslib.config.observability import Observability, observability_problems
from ingresslib.config.placement import misplaced_sections, without
from ingresslib.config.ratelimit import RateLimits, ratelimit_problems
from ingresslib.config.routing import Destination, Mirror, Routing
from ingresslib.config.security import Security, security_problems
from ingresslib.config.workload import Drain, GatewayWorkload
from ingresslib.errors import ConfigError, Problem

Cloud = Literal["aks", "eks"]
Topology = Literal["gateway", "chained", "standalone"]
SERVICE_PORTS = {80: "http", 443: "https"}
# Envoy keeps draining this long after the load balancer stops sending, and the kubelet waits
# this long after the drain: covers the controller's and the load balancer's propagation lag.
DRAIN_MARGIN_SECONDS = 15


class LoadBalancer(Model):
    """What every cloud load balancer in front of the gateway shares; cloud specifics follow."""

    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)


class StackConfig(Model):
    """An ingress stack for one cluster: cloud, topology, gateway, listeners and what they need.

    Building it runs every field and cross-field rule; an invalid config never reaches Pulumi.
    """

    name: DnsLabel = "ingress"
    cloud: Cloud
    topology: Topology = "gateway"
    gateway: GatewayWorkload | None = None
    listeners: list[Listener] = []
    certificates: dict[DnsLabel, CertificateSource] = {}
    cert_manager: CertManager = CertManager()
    routing: Routing = Routing()
    security: Security | None = None
    rate_limits: RateLimits = RateLimits()
    load_balancer: LoadBalancer = LoadBalancer()
    observability: Observability = Observability()
    azure: Azure | None = None
    aws: Aws | None = None

    @cached_property
    def workload(self) -> GatewayWorkload | None:
        """The Istio gateway to deploy: none in standalone, the defaults when not given, its
        drain following the load balancer's deregistration delay unless set; on AKS with the
        Istio add-on, the add-on's gateway (which ingresslib binds to, not deploys). Built
        once: every section asks for it."""
        if self.topology == "standalone":
            return None
        if uses_addon(self):
            return addon_workload(self)
        wl = self.gateway or GatewayWorkload()
        drain = self._drain(wl.drain)
        return wl if drain == wl.drain else wl.model_copy(update={"drain": drain})
    def _drain(self, drain: Drain) -> Drain:
        """Unset drain times derive from the deregistration delay: the drain outlasts it by
        DRAIN_MARGIN_SECONDS, and the grace period outlasts the drain by as much."""
        given = drain.model_fields_set
        seconds = drain.termination_drain_seconds if (
            "termination_drain_seconds" in given
        ) else self.load_balancer.deregistration_delay_seconds + DRAIN_MARGIN_SECONDS
        grace = drain.termination_grace_period_seconds if (
            "termination_grace_period_seconds" in given
        ) else seconds + DRAIN_MARGIN_SECONDS
        return drain.model_copy(update={"termination_drain_seconds": seconds,
                                        "termination_grace_period_seconds": grace})

    def proxy_protocol(self) -> bool:
        """Whether PROXY protocol v2 precedes every connection to the gateway: set on the NLB's
        target group and on the gateway pods together, never on one side."""
        return uses_nlb(self) and nlb_settings(self).proxy_protocol

    def service_type(self) -> str:
        """Gateway Service type: the L4 LB itself in `gateway`; behind an L7 LB in `chained`
        (EKS ALB targets pod IPs, Application Gateway needs an internal LB address)."""
        wl = self.workload
        if wl and wl.service.type:
            return wl.service.type
        if self.topology == "chained" and self.cloud == "eks":
            return "ClusterIP"
        return "LoadBalancer"

    def summary(self) -> dict[str, Any]:
        """What no rendered object says about the stack (cloud, topology, edge listeners):
        the IngressStack component's inputs, so offline tools can read them from a render."""
        wl = self.workload
        return {
            "name": self.name,
            "cloud": self.cloud,
            "topology": self.topology,
            "scheme": self.load_balancer.scheme,
            "gateway": f"{wl.namespace}/{wl.name}" if wl else None,
            "listeners": [f"{lst.name} :{lst.port} {lst.protocol} {', '.join(lst.hosts)}"
                          for lst in self.listeners],
        }

    def credential_name(self, certificate: str) -> str:
        """The Secret, in the gateway namespace, that Istio reads `certificate` from."""
        cert = self.certificates[certificate]
        return cert.secret_name if isinstance(cert, ExistingSecret) else certificate

    def trusted_proxies(self) -> int:
        """Proxy hops in front of the gateway that append X-Forwarded-For (the L7 LB)."""
        return 1 if self.topology == "chained" else 0

    @model_validator(mode="before")
    @classmethod
    def _placement(cls, data: Any) -> Any:
        # A misplaced section is the problem, not the fields inside it (parse_config reports
        # it beside the problems elsewhere; plain model_validate stops here).
        misplaced = misplaced_sections(data)
        if misplaced:
            raise ConfigError(misplaced)
        return data

    @model_validator(mode="after")
    def _cross_field(self) -> StackConfig:
        problems = list(self.problems(""))
        if problems:
            raise ConfigError(problems)
        return self

    def problems(self, path: str) -> Iterator[Problem]:
        wl = self.workload
        if wl is not None:
            # The AKS add-on deploys, scales and drains its own gateway: not ours to check.
            own = not uses_addon(self)
            if own:
                yield from wl.problems("gateway")
            yield from self._service_problems(wl)
            drain = wl.drain.termination_drain_seconds
            delay = self.load_balancer.deregistration_delay_seconds
            if own and drain <= delay:
                yield Problem(
                    "gateway.drain.terminationDrainSeconds",
                    drain,
                    f"must outlast loadBalancer.deregistrationDelaySeconds ({delay}) or the "
                    f"load balancer still sends to a closed Envoy; use at least {delay + 5}",
                )
            if not self.listeners:
                yield Problem(
                    "listeners", [], f"topology {self.topology} needs at least one listener"
                )
        yield from self._listener_problems()
        for key, cert in self.certificates.items():
            yield from cloud_problems(f"certificates.{key}", cert, self.cloud)
            yield from cert.problems(f"certificates.{key}")
            if isinstance(cert, CertManagerCertificate):
                yield from self._issuer_problems(f"certificates.{key}", cert)
        yield from self._routing_problems()
        yield from azure_problems(self)
        yield from aws_problems(self)
        yield from observability_problems(self.observability, certificates=self.certificates)
        yield from self.rate_limits.problems("rateLimits")
        if wl is not None:
            yield from ratelimit_problems(
                self.rate_limits,
                {h for lst in self.listeners for h in lst.hosts},
                {h.host: {r.name for r in h.routes} for h in self.routing.hosts},
            )
        elif self.rate_limits.local or self.rate_limits.global_:
            yield Problem("rateLimits", "set", "rate limits run in the Istio gateway, which "
                          "topology standalone does not deploy; remove them")
        if self.security is not None:
            yield from security_problems(
                self.security,
                self.topology,
                external_traffic_policy=wl.service.external_traffic_policy if wl else None,
                proxy_protocol=self.proxy_protocol(),
            )

    def _issuer_problems(self, path: str, cert: CertManagerCertificate) -> Iterator[Problem]:
        issuer = self.cert_manager.issuers.get(cert.issuer)
        if issuer is None:
            known = ", ".join(sorted(self.cert_manager.issuers)) or "none declared"
            yield Problem(f"{path}.issuer", cert.issuer,
                          f"names no entry of certManager.issuers ({known}); declare it there "
                          "(type existing for an issuer the cluster already has)")
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
            port80 = {h for lst in self.listeners if lst.port == 80 for h in lst.hosts}
            unreachable = [h for h in cert.dns_names
                           if not any(host_covers(p, h) for p in port80)]
            if unreachable and not wildcards:
                yield Problem(f"{path}.dnsNames", unreachable,
                              "HTTP-01 challenges arrive on port 80: add these hosts to an "
                              "HTTP listener on port 80")
        elif (self.cloud == "eks") != isinstance(solver, Route53):
            wanted = "route53" if self.cloud == "eks" else "azureDns"
            yield Problem(f"certManager.issuers.{cert.issuer}.solver.kind", solver.kind,
                          f"DNS-01 authenticates with the cluster's cloud identity (IRSA on "
                          f"eks, workload identity on aks); use {wanted} on {self.cloud}")

    def _routing_problems(self) -> Iterator[Problem]:
        """References between hosts, listeners, backends and subsets, with config paths."""
        backends = self.routing.backends
        for key, backend in backends.items():
            yield from backend.problems(f"routing.backends.{key}")
        # In standalone the cloud L7 load balancer routes (the ALB's listener rules, AGIC's
        # Ingresses); aws_problems and azure_problems refuse what it cannot express.
        http_hosts = {h for lst in self.listeners if lst.protocol != "TLS" for h in lst.hosts}
        tls_hosts = {h for lst in self.listeners if lst.protocol == "TLS" for h in lst.hosts}
        seen: dict[str, int] = {}
        for i, host in enumerate(self.routing.hosts):
            path = f"routing.hosts[{i}]"
            yield from host.problems(path)
            if host.host in seen:
                yield Problem(f"{path}.host", host.host,
                              f"already routed by routing.hosts[{seen[host.host]}]; merge them")
            seen.setdefault(host.host, i)
            if host.routes and not any(host_covers(h, host.host) for h in http_hosts):
                yield Problem(f"{path}.host", host.host,
                              "no HTTP or HTTPS listener serves this host (IST0132); add it to "
                              "a listener's hosts")
            if host.tls_routes and host.host not in tls_hosts:
                yield Problem(f"{path}.tlsRoutes", host.host,
                              "tlsRoutes need a TLS (PASSTHROUGH) listener serving this host")
            for j, route in enumerate([*host.routes, *host.tls_routes]):
                kind, k = ("routes", j) if j < len(host.routes) else (
                    "tlsRoutes", j - len(host.routes))
                yield from self._destination_problems(f"{path}.{kind}[{k}]", route.to)
                for field, dest in (route.destinations() if kind == "routes" else ()):
                    if isinstance(dest, Mirror):
                        yield from self._reference(f"{path}.{kind}[{k}].{field}", dest)

    def _destination_problems(self, path: str, to: list[Destination]) -> Iterator[Problem]:
        for i, dest in enumerate(to):
            yield from self._reference(f"{path}.to[{i}]", dest)
        if len(to) > 1:
            weights = [d.weight for d in to]
            if None in weights:
                yield Problem(f"{path}.to", weights,
                              "give every destination of a split a weight")
            elif sum(w for w in weights if w is not None) != 100:
                yield Problem(f"{path}.to", weights, "weights of a split must add up to 100")

    def _reference(self, path: str, dest: Destination | Mirror) -> Iterator[Problem]:
        backend = self.routing.backends.get(dest.backend)
        if backend is None:
            known = ", ".join(sorted(self.routing.backends)) or "none declared"
            yield Problem(f"{path}.backend", dest.backend,
                          f"names no entry of routing.backends ({known})")
        elif dest.subset and dest.subset not in backend.subsets:
            known = ", ".join(backend.subsets) or "none"
            yield Problem(f"{path}.subset", dest.subset,
                          f"backend {dest.backend} defines no such subset (IST0101; "
                          f"subsets: {known}); add it under routing.backends.{dest.backend}"
                          ".subsets")

    def _service_problems(self, wl: GatewayWorkload) -> Iterator[Problem]:
        svc = wl.service
        why = "set in gateway.service.type" if svc.type else (
            f"the default for {self.cloud} {self.topology}"
        )
        yield from svc.type_problems("gateway.service", self.service_type(), why)
        if self.topology == "gateway" and svc.type not in (None, "LoadBalancer"):
            yield Problem(
                "gateway.service.type",
                svc.type,
                "in topology gateway the Service is the cloud load balancer; use LoadBalancer "
                "or choose topology chained",
            )
        if self.service_type() != "LoadBalancer" and self.load_balancer.scheme == "internal" and (
            self.topology == "gateway"
        ):
            yield Problem("loadBalancer.scheme", "internal", "needs a LoadBalancer Service")

    def _listener_problems(self) -> Iterator[Problem]:
        seen: dict[str, int] = {}
        for i, lst in enumerate(self.listeners):
            path = f"listeners[{i}]"
            yield from lst.problems(path)
            if lst.name in seen:
                yield Problem(
                    f"{path}.name", lst.name, f"duplicates listeners[{seen[lst.name]}].name"
                )
            seen.setdefault(lst.name, i)
            if self.workload and lst.port not in SERVICE_PORTS:
                yield Problem(
                    f"{path}.port",
                    lst.port,
                    "the gateway Service exposes 80 (http) and 443 (https); use one of them",
                )
            for j, other in enumerate(self.listeners[:i]):
                shared = set(lst.hosts) & set(other.hosts)
                if other.port == lst.port and shared:
                    yield Problem(
                        f"{path}.hosts",
                        sorted(shared),
                        f"also served on port {lst.port} by listeners[{j}]; Envoy would "
                        "pick one at random: keep each host on one listener per port",
                    )
            if lst.tls and lst.tls.certificate:
                yield from self._certificate_problems(path, lst)
            if lst.protocol == "HTTP" and lst.https_redirect and self.topology == "gateway":
                missing = self._without_https(lst)
                if missing:
                    yield Problem(
                        f"{path}.httpsRedirect", True,
                        f"redirects {missing} to HTTPS, which no HTTPS listener serves; add an "
                        "HTTPS listener for them or set httpsRedirect: false",
                    )

    def _without_https(self, lst: Listener) -> list[str]:
        https = {h for o in self.listeners if o.protocol == "HTTPS" for h in o.hosts}
        return [h for h in lst.hosts if not any(host_covers(o, h) for o in https)]

    def redirects(self, lst: Listener) -> bool:
        """Whether an HTTP listener answers with a redirect to HTTPS (the production default
        whenever HTTPS listeners serve all its hosts)."""
        if lst.protocol != "HTTP":
            return False
        if lst.https_redirect is not None:
            return lst.https_redirect
        return not self._without_https(lst)

    def _certificate_problems(self, path: str, lst: Listener) -> Iterator[Problem]:
        assert lst.tls is not None
        assert lst.tls.certificate is not None
        cert = self.certificates.get(lst.tls.certificate)
        if cert is None:
            known = ", ".join(sorted(self.certificates)) or "none declared"
            yield Problem(
                f"{path}.tls.certificate",
                lst.tls.certificate,
                f"names no entry of certificates ({known}); declare it under certificates",
            )
            return
        yield from source_problems(f"{path}.tls.certificate", cert, cloud=self.cloud,
                                   topology=self.topology, mode=lst.tls.mode)
        for host in lst.hosts:
            if not any(host_covers(name, host) for name in cert.dns_names):
                yield Problem(
                    f"{path}.hosts",
                    host,
                    f"is not covered by certificate {lst.tls.certificate} "
                    f"(dnsNames {cert.dns_names}); add it to the certificate's dnsNames",
                )


def parse_config(data: Mapping[str, Any] | None, source: str = "config") -> StackConfig:
    """Validate plain data (Pulumi structured config, YAML, a dict) into a StackConfig.

    Raises ConfigError listing every problem, with field paths in the user's spelling, list
    items by name; sections on a stack they do not belong to first, alone for their part.
    """
    data = data or {}
    misplaced = misplaced_sections(data)
    try:
        config = StackConfig.model_validate(without(data, misplaced))
    except ValidationError as e:
        problems = ConfigError.from_validation(e, data, source, StackConfig).problems
    except ConfigError as e:
        problems = e.problems
    else:
        problems = []
    if misplaced or problems:
        raise ConfigError([*misplaced, *problems], source).named(data) from None
    return config


CONFIG_NAMESPACE = "ingress"
CONFIG_KEY = "stack"


def load_config(cloud: Cloud | None = None) -> StackConfig:
    """Read `ingress:stack` from the current Pulumi stack's structured config.

    `cloud` is the cloud the calling program is written for; a config for the other is refused.
    """
    source = f"{CONFIG_NAMESPACE}:{CONFIG_KEY}"
    data = pulumi.Config(CONFIG_NAMESPACE).get_object(CONFIG_KEY)
    if not data:
        raise ConfigError(
            [Problem(source, data, "missing or empty; set it in Pulumi.<stack>.yaml under config")],
            source,
        )
    config = parse_config(data, source)
    if cloud is not None and config.cloud != cloud:
        raise ConfigError(
            [Problem("cloud", config.cloud, f"this program deploys to {cloud}; use {cloud}")],
            source,
        )
    return config
