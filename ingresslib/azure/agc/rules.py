"""The rules of an AKS stack whose L7 load balancer is Application Gateway for Containers (AGC):
its subnet, listeners and certificates, WAF, the gateway it reaches in chained, and in
standalone what AGC can do with the routes (Gateway API as AGC implements it) and the backend
ports it reaches in plaintext.

Each problem names the config path, the value, the bound that works and, where it guards an
invariant of the hop, the edge rule (`ingresslib.azure.agc.edge_plan.RULES`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic.alias_generators import to_camel

from ingresslib.azure.agc.config import (
    DELEGATION,
    MAX_SUBNET_PREFIX,
    AgcSubnet,
    ApplicationGatewayForContainers,
)
from ingresslib.azure.agc.manifests import route_problems
from ingresslib.azure.agc.names import PATH, backend_protocol, target_port
from ingresslib.azure.standalone_backends import backend_problems
from ingresslib.config.certificates import CertManagerCertificate, ExistingSecret
from ingresslib.config.duration import duration_ns
from ingresslib.config.routing import Route
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.azure.config import AksStack, Azure

# Route fields AGC cannot apply, with why (Gateway API as AGC implements it: its conformance
# report lists HTTPRouteRequestMirror unsupported; retries, CORS and fault injection are not in
# Gateway API's standard channel; direct responses and delegation have no Gateway API form).
_UNSUPPORTED = {
    "mirror": "request mirroring (HTTPRouteRequestMirror is unsupported by AGC)",
    "retries": "retries (not in Gateway API's standard channel, nor implemented by AGC)",
    "fault": "fault injection (Gateway API has none)",
    "cors": "CORS policies at the load balancer",
    "direct_response": "direct responses (Gateway API has none)",
    "delegate": "delegation to another VirtualService",
}


def agc_problems(cfg: AksStack) -> Iterator[Problem]:
    """Every rule of `azure.applicationGatewayForContainers`; nothing when it is unset."""
    az = cfg.azure
    assert az is not None  # azure_problems refuses a stack without it first
    section = az.application_gateway_for_containers
    if section is None:
        return
    if cfg.topology == "gateway":
        yield Problem(PATH, "set", "topology gateway puts the Azure Standard load balancer in "
                      "front of the gateway; Application Gateway for Containers is the L7 load "
                      "balancer of topologies chained and standalone: use one of those or "
                      "remove it")
        return
    if az.application_gateway is not None:
        yield Problem("azure.applicationGateway", "set", "the stack has one L7 load balancer: "
                      "set applicationGateway (Application Gateway with AGIC) or "
                      "applicationGatewayForContainers, not both")
    yield from _subnet_problems(az, section.subnet)
    yield from _edge_problems(cfg, az, section)
    yield from _listener_problems(cfg)
    yield from _waf_problems(section)
    hc = section.health_check
    if hc.timeout_seconds >= hc.interval_seconds:
        yield Problem(f"{PATH}.healthCheck.timeoutSeconds", hc.timeout_seconds,
                      f"must be below intervalSeconds ({hc.interval_seconds}), or probes "
                      "overlap; use at most " f"{hc.interval_seconds - 1}")
    if cfg.topology == "chained":
        yield from _chained_problems(cfg, section)
    else:
        yield from _standalone_problems(cfg, section)


def _subnet_problems(az: Azure, subnet: AgcSubnet) -> Iterator[Problem]:
    path = f"{PATH}.subnet"
    if subnet.create and subnet.address_prefix is None:
        yield Problem(f"{path}.addressPrefix", None, "creating the subnet needs its address "
                      f"range: a free /{MAX_SUBNET_PREFIX} (or larger) of the virtual network")
    net = subnet.network()
    if net is not None and net.prefixlen > MAX_SUBNET_PREFIX:
        yield Problem(f"{path}.addressPrefix", subnet.address_prefix,
                      f"an association takes 256 addresses of its subnet: use a "
                      f"/{MAX_SUBNET_PREFIX} or larger (EDGE-NET-AGC)")
    own = subnet.name.lower()
    if az.application_gateway is not None and (
            az.application_gateway.subnet_id.lower() == subnet.id.lower()):
        yield Problem(f"{path}.id", subnet.id, f"is delegated to {DELEGATION} and holds "
                      "nothing else: use another subnet than Application Gateway's "
                      "(EDGE-NET-AGC)")
    lb_subnet = az.load_balancer.subnet
    if lb_subnet and lb_subnet.lower() == own:
        yield Problem(f"{path}.id", subnet.id, f"is delegated to {DELEGATION} and holds "
                      "nothing else: use another subnet than azure.loadBalancer.subnet "
                      "(EDGE-NET-AGC)")


def _edge_problems(cfg: AksStack, az: Azure, section: ApplicationGatewayForContainers
                   ) -> Iterator[Problem]:
    """What the hop in front of AGC and AGC's own frontend allow."""
    if cfg.load_balancer.scheme == "internal":
        yield Problem("loadBalancer.scheme", "internal", "Application Gateway for Containers' "
                      "frontends are public only (private addresses are not supported); keep "
                      "internet-facing and restrict clients with WAF custom rules, or use "
                      "topology gateway with an internal load balancer (EDGE-NET-AGC)")
    given = az.model_fields_set
    if "load_balancer" in given and cfg.topology == "chained":
        yield Problem("azure.loadBalancer", "set", "Application Gateway for Containers sends "
                      "to the gateway's pods directly: there is no Azure load balancer; "
                      "remove it")
    if "namespace" in section.model_fields_set and cfg.topology == "chained":
        yield Problem(f"{PATH}.namespace", section.namespace, "in chained the AGC Gateway, its "
                      "Secrets and policies live in the Istio gateway's namespace "
                      "(gateway.namespace); remove it")


def _listener_problems(cfg: AksStack) -> Iterator[Problem]:
    """Listeners as AGC serves them: HTTP on 80, HTTPS on 443, TLS 1.2 with its predefined
    policies, certificates from Kubernetes Secrets (EDGE-TLS-AGC)."""
    for i, lst in enumerate(cfg.listeners):
        at = f"listeners[{i}]"
        if lst.protocol == "TLS":
            yield Problem(f"{at}.protocol", "TLS", "Application Gateway for Containers "
                          "terminates TLS and has no TLSRoute to pass it through; use HTTPS "
                          "(EDGE-TLS-AGC)")
            continue
        wanted = 443 if lst.protocol == "HTTPS" else 80
        if lst.port != wanted:
            yield Problem(f"{at}.port", lst.port, f"Application Gateway for Containers serves "
                          f"{lst.protocol} on port {wanted}; use {wanted}")
        tls = lst.tls
        if tls is None:
            continue
        if tls.mode == "MUTUAL":
            yield Problem(f"{at}.tls.mode", "MUTUAL", "ingresslib does not configure "
                          "Application Gateway for Containers' client certificate checks "
                          "(FrontendTLSPolicy verify); use SIMPLE (EDGE-TLS-AGC)")
        if tls.cipher_suites:
            yield Problem(f"{at}.tls.cipherSuites", tls.cipher_suites, "Application Gateway "
                          "for Containers takes only its predefined TLS policies: remove them "
                          "and choose azure.applicationGatewayForContainers.tlsPolicy "
                          "(EDGE-TLS-AGC)")
        if tls.min_protocol_version == "TLSV1_3":
            yield Problem(f"{at}.tls.minProtocolVersion", "TLSV1_3", "Application Gateway for "
                          "Containers' TLS policies accept TLS 1.2 and cannot require 1.3; use "
                          "TLSV1_2 (EDGE-TLS-AGC)")
        cert = cfg.certificates.get(tls.certificate or "")
        if cert is not None and not isinstance(cert, ExistingSecret | CertManagerCertificate):
            yield Problem(f"{at}.tls.certificate", cert.source, "Application Gateway for "
                          "Containers reads listener certificates from Kubernetes Secrets "
                          "beside its Gateway: use a secret or certManager certificate (sync a "
                          "Key Vault certificate into a Secret yourself, e.g. with the Secrets "
                          "Store CSI driver) (EDGE-TLS-AGC)")
    # An httpsRedirect that no HTTPS listener serves: a rule of every topology (StackSpec).


def _waf_problems(section: ApplicationGatewayForContainers) -> Iterator[Problem]:
    waf = section.waf
    path = f"{PATH}.waf"
    given = waf.model_fields_set
    if not waf.enabled:
        extra = sorted(to_camel(k) for k in given - {"enabled"})
        if extra:
            yield Problem(path, extra, "the WAF is off (enabled: false): its other settings "
                          "do nothing; remove them")
        return
    if waf.policy_id is not None:
        own = sorted(to_camel(k) for k in given & {
            "mode", "rule_set_version", "request_body_check", "max_request_body_size_kb",
            "file_upload_limit_mb"})
        if own:
            yield Problem(path, own, "with policyId the WAF policy is yours, and these settings "
                          "of the policy ingresslib would create do nothing; set them on your "
                          "policy (Microsoft_DefaultRuleSet 2.1 or older) and remove them")


def _chained_problems(cfg: AksStack, section: ApplicationGatewayForContainers
                      ) -> Iterator[Problem]:
    if section.backends:
        yield Problem(f"{PATH}.backends", sorted(section.backends), "in topology chained "
                      "Application Gateway for Containers sends to the Istio gateway only; "
                      "remove them")
    wl = cfg.gateway
    if wl is not None and wl.service.type not in (None, "ClusterIP"):
        yield Problem("gateway.service.type", wl.service.type, "Application Gateway for "
                      "Containers sends to the gateway's pods; a load balancer Service would "
                      "open a second way in, around the WAF: use ClusterIP (EDGE-NET-AGC)")
    ingress_from = wl.network_policy.ingress_from if wl is not None else []
    if ingress_from:
        net = section.subnet.network()
        if net is None:
            yield Problem(f"{PATH}.subnet.addressPrefix", None, "gateway.networkPolicy."
                          "ingressFrom restricts the gateway's clients, and Application "
                          "Gateway for Containers connects from its subnet: give the subnet's "
                          "address range so that it is admitted (EDGE-NET-AGC)")
        elif not any(_covers(c, net) for c in ingress_from):
            yield Problem("gateway.networkPolicy.ingressFrom", ingress_from, "does not admit "
                          f"Application Gateway for Containers' subnet ({net}), its only "
                          f"client: add {net} (EDGE-NET-AGC)")
    yield from _grpc_host_problems(cfg)


def _covers(cidr: str, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    outer = ipaddress.ip_network(cidr, strict=False)
    return outer.version == net.version and net.subnet_of(outer)  # type: ignore[arg-type]


def _grpc_host_problems(cfg: AksStack) -> Iterator[Problem]:
    for i, host in enumerate(cfg.routing.hosts):
        kinds = {backend_protocol(cfg.routing.backends[d.backend])
                 for route in host.routes for d in route.to if d.backend in cfg.routing.backends}
        if len(kinds) > 1:
            yield Problem(f"routing.hosts[{i}].host", host.host, "mixes gRPC and HTTP "
                          "backends: Application Gateway for Containers speaks HTTP/1.1 to "
                          "what it sends to, and HTTP/2 only on a GRPCRoute, so one host is "
                          "one or the other; serve gRPC on a host of its own")


# ---------------------------------------------------------------- standalone


def _standalone_problems(cfg: AksStack, section: ApplicationGatewayForContainers
                         ) -> Iterator[Problem]:
    own = list(_standalone_route_problems(cfg, section))
    yield from own
    if not own:
        # What Gateway API itself cannot say, as the route renderer refuses it.
        yield from route_problems(cfg)


def _standalone_route_problems(cfg: AksStack, section: ApplicationGatewayForContainers
                               ) -> Iterator[Problem]:
    used: dict[str, str] = {}
    for i, host in enumerate(cfg.routing.hosts):
        path = f"routing.hosts[{i}]"
        if host.tls_routes:
            yield Problem(f"{path}.tlsRoutes", [r.name for r in host.tls_routes], "Application "
                          "Gateway for Containers terminates TLS and cannot route it by SNI; "
                          "remove them (EDGE-TLS-AGC)")
        for j, route in enumerate(host.routes):
            yield from _route_problems(f"{path}.routes[{j}]", route)
            for k, dest in enumerate(route.to):
                used.setdefault(dest.backend, f"{path}.routes[{j}].to[{k}]")
        yield from _timeout_problems(path, host.routes)
    yield from backend_problems(
        cfg, used, section.backends, lb="Application Gateway for Containers",
        path=f"{PATH}.backends", code="EDGE-HC-AGC",
        ports=lambda backend, probe: sorted({
            p for p in (target_port(backend), probe.health_probe_port or target_port(backend))
            if isinstance(p, int)}))


def _route_problems(path: str, route: Route) -> Iterator[Problem]:
    for key, what in _UNSUPPORTED.items():
        if getattr(route, key):
            camel = {"direct_response": "directResponse"}.get(key, key)
            yield Problem(f"{path}.{camel}", "set", f"Application Gateway for Containers "
                          f"cannot apply {what}. Remove it, or use topology chained to route "
                          "in the Istio gateway")
    for k, m in enumerate(route.match):
        at = f"{path}.match[{k}]"
        if m.ignore_uri_case:
            yield Problem(f"{at}.ignoreUriCase", True, "Gateway API path matches are case "
                          "sensitive; remove it, or use topology chained")
        regexes = [("uri", m.uri), ("method", m.method),
                   *((f"headers.{n}", v) for n, v in m.headers.items()),
                   *((f"queryParams.{n}", v) for n, v in m.query_params.items())]
        for where, sm in regexes:
            if sm is not None and sm.regex is not None:
                yield Problem(f"{at}.{where}.regex", sm.regex, "regular expression matches are "
                              "implementation-specific in Gateway API and Application Gateway "
                              "for Containers documents none; use exact or prefix, or "
                              "topology chained")


def _timeout_problems(path: str, routes: list[Route]) -> Iterator[Problem]:
    """AGC applies one request timeout per HTTPRoute, and a host's routes are one HTTPRoute:
    the routes that set a timeout agree (EDGE-TO-AGC)."""
    first: tuple[int, str] | None = None
    for j, route in enumerate(routes):
        if route.timeout is None:
            continue
        if first is None:
            first = (j, route.timeout)
        elif duration_ns(route.timeout) != duration_ns(first[1]):
            yield Problem(f"{path}.routes[{j}].timeout", route.timeout,
                          f"Application Gateway for Containers applies one request timeout to "
                          f"all routes of a host (a RoutePolicy on its HTTPRoute; it does not "
                          f"implement per-rule timeouts): use {first[1]} as routes[{first[0]}] "
                          f"does, or leave it unset for {first[1]} (EDGE-TO-AGC)")
