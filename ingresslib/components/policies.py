"""IngressRouting, MeshSecurity, RateLimiting and Monitoring: the stack's policies and
operations objects, each a component of its own, taking only its own section and the gateway
it serves. Every child gets `parent=` the component and a name prefixed with the component's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Annotated, Any

import pulumi
from pydantic import Strict, StrictBool

from ingresslib.analysis import Finding, analyze
from ingresslib.components.base import ManifestComponent, checked_arguments, refuse_alone
from ingresslib.config.base import DnsLabel, DnsSubdomain
from ingresslib.config.gateway_api import Api
from ingresslib.config.listeners import Listener
from ingresslib.config.observability import Observability
from ingresslib.config.ratelimit import RateLimits
from ingresslib.config.routing import Routing
from ingresslib.config.security import Security, security_problems
from ingresslib.config.stack import Topology, routing_problems
from ingresslib.config.wildcard_routes import wildcard_route_problems
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ABSENT, RENDERED, ConfigError, Problem, closest, declared
from ingresslib.manifests.monitoring import monitoring_objects
from ingresslib.manifests.ratelimit import ratelimit_objects
from ingresslib.manifests.routing import gateway_routing_objects
from ingresslib.manifests.security import security_objects
from ingresslib.manifests.service import service as gateway_service

Manifest = dict[str, Any]


def analyzed(objects: list[Manifest], credentials: set[tuple[str, str]] | None = None,
             *, gateway_api: bool = False) -> list[Finding]:
    """Analyse `objects` as `istioctl analyze` would (`gateway_api`: their Gateway API
    objects, `ingresslib.gateway_api_analysis`); raise ConfigError on any error, return the
    warnings."""
    if gateway_api:
        # Gateway API's analysis loads for the stacks that use it.
        from ingresslib.gateway_api_analysis import analyze_gateway_api  # noqa: PLC0415

        findings = analyze_gateway_api(objects, credentials=credentials)
    else:
        findings = analyze(objects, credentials=credentials)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ConfigError(
            [Problem(f"{f.ref} {f.field}", ABSENT, f.message, code=f.code) for f in errors],
            RENDERED,
        )
    return findings


def _check_routing(name: str, routing: Routing, listeners: list[Listener], *,
                   named: Mapping[str, Collection[str]]) -> None:
    """The rules a stack applies to its routing, applied to routing used alone: the same
    problems, with the same paths (`routing.hosts[shop.example.com].host`), as ConfigError.
    `named`: the arguments that name listeners (`redirecting`, `challenge_listeners`), each
    refused where it names none of them (a misspelt name dropped a redirect without a word).
    (`credentials` may name certificates no listener here ends TLS with: a stack passes all.)"""
    known = [lst.name for lst in listeners]
    dangling = [
        Problem(argument, given, f"names no listener: one of {declared(known)}"
                + (f"; did you mean {match}?" if (match := closest(given, known)) else ""))
        for argument, names in named.items() for given in names if given not in known
    ]
    refuse_alone(f"IngressRouting {name}", [*dangling, *routing_problems(routing, listeners),
                                             *wildcard_route_problems(routing, "gateway")],
                 {"routing": routing, "listeners": listeners})


def _destination_hosts(spec: Manifest) -> set[str]:
    """The hosts a VirtualService's routes and mirrors send to."""
    hosts = set()
    for kind in ("http", "tls", "tcp"):
        for rule in spec.get(kind) or []:
            dests = [d.get("destination") or {} for d in rule.get("route") or []]
            dests += [rule.get("mirror") or {}]
            dests += [m.get("destination") or {} for m in rule.get("mirrors") or []]
            hosts |= {d["host"] for d in dests if d.get("host")}
    return hosts


class StackPart(ManifestComponent):
    """One section of a stack, registering the manifests it rendered (or those IngressStack
    already rendered and analysed)."""

    def _register(self, name: str, manifests: list[Manifest]) -> None:
        self.manifests = manifests
        self.resources = self._register_manifests(name, manifests)
        self.register_outputs({"objects": len(manifests)})


class IngressRouting(StackPart):
    """The Istio Gateway `stack` with a server per listener, a VirtualService per routed host
    and a DestinationRule per backend, bound to the pods of `gateway` (its namespace and
    labels): usable alone in front of a gateway deployed elsewhere.

    With `api="gatewayApi"` the same routing renders as Gateway API instead: a Gateway
    `stack` (class istio) bound to the gateway's Service (`service`, default the workload's
    name) through `spec.addresses`, HTTPRoutes, GRPCRoutes, TLSRoutes, ReferenceGrants,
    subset Services, BackendTLSPolicies, DestinationRules for traffic policies and an
    EnvoyFilter for the retries the routes cannot carry (`manifests.gateway_api`);
    `experimental` renders the experimental channel's fields.

    `listeners` are the servers as the gateway serves them (`manifests.routing.
    gateway_listeners`); `credentials` maps certificate keys to the Secrets Istio reads
    (default: the key); `redirecting` names the HTTP listeners that redirect to HTTPS
    (default: those an HTTPS listener of the same hosts backs); `challenge_listeners` and
    `challenge_hosts` are the port-80 listeners and names of ACME HTTP-01 certificates, whose
    challenge path must not be redirected (`manifests.routing.routing_objects`); `paths`
    names each listener's config path in Gateway API refusals. `service` names the gateway's
    existing Service in its namespace (deployed by other means): the analysis then knows what
    reaches the gateway's pods instead of warning that nothing does (ING0001). Before anything is
    registered, the routing passes the rules a stack applies to it (references between
    hosts, listeners, backends and subsets; a host no listener serves is IST0132, the same
    error with the same path as in a stack file), then the objects are analysed: errors
    raise ConfigError, warnings go to the Pulumi log.

    Make before break: the DestinationRules are registered first; each VirtualService depends
    on those of the hosts it sends to, everything else (the Gateway) on all of them, so a
    subset exists before a route sends to it (a subset and its route added in one update
    work). Per host rather than all of them: a thousand VirtualServices each waiting on a
    hundred DestinationRules made registration grow with their product. Pulumi cannot order
    the other direction in the same update (the route's removal before its subset's), so
    `ingresslib diff` says when a change needs two steps.
    """

    def __init__(
        self,
        name: str,
        routing: Routing,
        listeners: list[Listener],
        gateway: GatewayWorkload,
        opts: pulumi.ResourceOptions | None = None,
        *,
        stack: str = "ingress",
        credentials: Mapping[str, str] | None = None,
        manifests: list[Manifest] | None = None,
        api: Api = "istio",
        experimental: bool = False,
        service: str | None = None,
        redirecting: Collection[str] | None = None,
        challenge_listeners: Collection[str] = (),
        challenge_hosts: Collection[str] = (),
        paths: Mapping[str, str] | None = None,
    ) -> None:
        warnings: list[Finding] = []
        if manifests is None:
            args = checked_arguments(
                "IngressRouting", routing=(Routing, routing),
                listeners=(Annotated[list[Listener], Strict()], listeners),
                gateway=(GatewayWorkload, gateway),
                stack=(DnsLabel, stack), api=(Api, api), service=(DnsLabel | None, service),
                credentials=(dict[str, DnsSubdomain] | None, credentials),
                redirecting=(list[str] | None, redirecting),
                challenge_listeners=(list[str], challenge_listeners),
                challenge_hosts=(list[str], challenge_hosts),
                experimental=(StrictBool, experimental))
            routing, listeners, gateway = args["routing"], args["listeners"], args["gateway"]
            stack, api, service = args["stack"], args["api"], args["service"]
            credentials, redirecting = args["credentials"], args["redirecting"]
            challenge_listeners, challenge_hosts = (args["challenge_listeners"],
                                                    args["challenge_hosts"])
            experimental = args["experimental"]
            _check_routing(name, routing, listeners, named={
                "redirecting": redirecting or (), "challenge_listeners": challenge_listeners})
            # The gateway's own Service, when named: analysed, never registered (not ours).
            known = [gateway_service(gateway.model_copy(update={"name": service}), {},
                                     service_type="ClusterIP")] if service else []
            manifests = gateway_routing_objects(
                routing, listeners, gateway, api=api, stack=stack, credentials=credentials,
                redirecting=redirecting, experimental=experimental, service=service,
                paths=paths, challenge_listeners=challenge_listeners,
                challenge_hosts=challenge_hosts)
            warnings = analyzed([*manifests, *known])
            if api == "gatewayApi":
                warnings += analyzed([*manifests, *known], gateway_api=True)
        super().__init__("ingresslib:index:IngressRouting", name, None, opts)
        for warning in warnings:
            pulumi.log.warn(str(warning), resource=self)
        self.manifests = manifests
        rules = [m for m in manifests if m["kind"] == "DestinationRule"]
        subsets = self._register_manifests(name, rules)
        by_host: dict[str, list[pulumi.Resource]] = {}
        for rule, resource in zip(rules, subsets.values(), strict=True):
            by_host.setdefault(rule["spec"].get("host", ""), []).append(resource)
        every = list(subsets.values())

        def before(manifest: Manifest) -> list[pulumi.Resource]:
            if manifest["kind"] != "VirtualService":
                return every
            return [r for host in sorted(_destination_hosts(manifest.get("spec") or {}))
                    for r in by_host.get(host, [])]

        routes = self._register_manifests(
            name, [m for m in manifests if m["kind"] != "DestinationRule"], after_each=before)
        self.resources = subsets | routes
        self.register_outputs({"objects": len(manifests)})


class MeshSecurity(StackPart):
    """PeerAuthentications, RequestAuthentication and AuthorizationPolicies of `security`,
    at the gateway `gateway` (None in standalone) of a `topology` stack. `proxy_protocol`:
    the load balancer sends PROXY protocol, so the client address is the downstream one."""

    def __init__(
        self,
        name: str,
        security: Security,
        gateway: GatewayWorkload | None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        topology: Topology = "gateway",
        stack: str = "ingress",
        proxy_protocol: bool = False,
        manifests: list[Manifest] | None = None,
    ) -> None:
        if manifests is None:
            args = checked_arguments(
                "MeshSecurity", security=(Security, security),
                gateway=(GatewayWorkload | None, gateway), topology=(Topology, topology),
                stack=(DnsLabel, stack), proxy_protocol=(StrictBool, proxy_protocol))
            security, gateway, topology = args["security"], args["gateway"], args["topology"]
            stack, proxy_protocol = args["stack"], args["proxy_protocol"]
            refuse_alone(f"MeshSecurity {name}", list(security_problems(
                security, topology,
                external_traffic_policy=gateway.service.external_traffic_policy
                if gateway else None, proxy_protocol=proxy_protocol)), {"security": security})
            manifests = security_objects(security, gateway, stack=stack, topology=topology,
                                         proxy_protocol=proxy_protocol)
        super().__init__("ingresslib:index:MeshSecurity", name, None, opts)
        self._register(name, manifests)


class RateLimiting(StackPart):
    """Local and global rate-limit EnvoyFilters of `rate_limits` at the gateway `gateway`, and
    the ratelimit service when deployed.

    The global filter fails closed, so its EnvoyFilters wait for the service to be ready.
    """

    def __init__(
        self,
        name: str,
        rate_limits: RateLimits,
        gateway: GatewayWorkload,
        opts: pulumi.ResourceOptions | None = None,
        *,
        stack: str = "ingress",
        manifests: list[Manifest] | None = None,
    ) -> None:
        if manifests is None:
            args = checked_arguments(
                "RateLimiting", rate_limits=(RateLimits, rate_limits),
                gateway=(GatewayWorkload, gateway), stack=(DnsLabel, stack))
            rate_limits, gateway, stack = args["rate_limits"], args["gateway"], args["stack"]
            refuse_alone(f"RateLimiting {name}", list(rate_limits.problems("rateLimits")),
                         {"rateLimits": rate_limits})
            manifests = ratelimit_objects(rate_limits, gateway, stack=stack)
        super().__init__("ingresslib:index:RateLimiting", name, None, opts)
        self.manifests = manifests
        service = self._register_manifests(
            name, [m for m in manifests if m["kind"] != "EnvoyFilter"])
        filters = [m for m in manifests if m["kind"] == "EnvoyFilter"]
        self.resources = service | self._register_manifests(
            name, filters, after=list(service.values()))
        self.register_outputs({"objects": len(manifests)})


class Monitoring(StackPart):
    """PodMonitor or ServiceMonitor, PrometheusRule, Grafana dashboard and access logging of
    `observability` for the gateway `gateway`. `deployment`: its Deployment's name (default
    the gateway's); `cert_manager_certificates`: (namespace, name) of the cert-manager
    Certificates whose expiry to alert on."""

    def __init__(
        self,
        name: str,
        observability: Observability,
        gateway: GatewayWorkload,
        opts: pulumi.ResourceOptions | None = None,
        *,
        stack: str = "ingress",
        deployment: str | None = None,
        cert_manager_certificates: list[tuple[str, str]] | None = None,
        manifests: list[Manifest] | None = None,
    ) -> None:
        if manifests is None:
            args = checked_arguments(
                "Monitoring", observability=(Observability, observability),
                gateway=(GatewayWorkload, gateway), stack=(DnsLabel, stack),
                deployment=(DnsLabel | None, deployment))
            observability, gateway = args["observability"], args["gateway"]
            stack, deployment = args["stack"], args["deployment"]
            refuse_alone(f"Monitoring {name}", list(observability.problems("observability")),
                         {"observability": observability})
            manifests = monitoring_objects(
                observability, gateway, stack=stack, deployment=deployment,
                cert_manager_certificates=cert_manager_certificates or ())
        super().__init__("ingresslib:index:Monitoring", name, None, opts)
        self._register(name, manifests)
