"""The Kubernetes objects that program Application Gateway for Containers (AGC), pure.

- A Gateway of class `azure-alb-external` naming ingresslib's traffic controller
  (`alb.networking.azure.io/alb-id`) and frontend (its address), one listener per listener and
  host as `ingresslib.manifests.gateway_api` names them, TLS from Kubernetes Secrets beside it;
- the routes, from the Gateway API route renderer (`route_objects`): in standalone the
  stack's routing (weighted splits between per-subset Services, ReferenceGrants into the
  backends' namespaces); in chained every host to the Istio gateway's Service (a GRPCRoute for
  gRPC hosts), each HTTP listener that redirects with a redirect route;
- AGC's own policies: a FrontendTLSPolicy (the predefined TLS policy), a
  WebApplicationFirewallPolicy (the WAF policy), a RoutePolicy per HTTPRoute (AGC's request
  timeout: it implements no HTTPRoute timeouts, so they are moved there) and a
  HealthCheckPolicy per Service AGC sends to (the Istio gateway's readiness in chained, each
  backend's probe in standalone);
- in standalone the AGC namespace, and the cert-manager Certificates of its listeners.

`agc_contract_problems` reads them back against the edge plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ingresslib.azure.agc.config import GATEWAY_CLASS
from ingresslib.azure.agc.names import (
    PATH,
    agc,
    frontend_name,
    gateway_namespace,
    grpc_hosts,
    host_timeout,
    target_port,
    traffic_controller_name,
    waf_policy_name,
)
from ingresslib.azure.config import AksStack
from ingresslib.azure.ids import resource_id
from ingresslib.config.listeners import Listener, redirect_names
from ingresslib.config.routing import (
    Backend,
    Destination,
    HostRoutes,
    Route,
    Routing,
    long_lived_seconds,
)
from ingresslib.edge import EdgePlan
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.certificates import certificate_objects, credentials
from ingresslib.manifests.gateway_api import (
    ParentRef,
    gateway_duration,
    route_objects,
    subset_service_name,
)
from ingresslib.manifests.gateway_api.gateway import gateway_api_gateway
from ingresslib.manifests.meta import MANAGED_BY, obj

ALB = "alb.networking.azure.io/v1"
ALB_ID = "alb.networking.azure.io/alb-id"
FRONTEND_ADDRESS = "alb.networking.azure.io/alb-frontend"
GATEWAY_GROUP = "gateway.networking.k8s.io"
# The subscription before the stack knows it (a render for analysis); the AGC component renders
# the objects again with the deploying subscription's ID.
PENDING_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# The Istio gateway Service's plain HTTP port, where AGC sends in chained.
GATEWAY_HTTP_PORT = 80
TO_GATEWAY = "to-gateway"

Manifest = dict[str, Any]


def traffic_controller_id(cfg: AksStack, subscription_id: str) -> str:
    assert cfg.azure is not None
    return resource_id(subscription_id, cfg.azure.resource_group,
                       "Microsoft.ServiceNetworking/trafficControllers",
                       traffic_controller_name(cfg))


def waf_policy_id(cfg: AksStack, subscription_id: str) -> str:
    """The WAF policy AGC applies: the configured one, or the one ingresslib creates."""
    section = agc(cfg)
    assert section is not None
    assert cfg.azure is not None
    return section.waf.policy_id or resource_id(
        subscription_id, cfg.azure.resource_group,
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", waf_policy_name(cfg))


def parent(cfg: AksStack) -> ParentRef:
    return ParentRef(f"{cfg.name}-agc", gateway_namespace(cfg))


def _target(group: str, kind: str, name: str, namespace: str,
            sections: list[str] | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"group": group, "kind": kind, "name": name, "namespace": namespace}
    if sections:
        ref["sectionNames"] = sections
    return ref


def agc_gateway(cfg: AksStack, subscription_id: str) -> Manifest:
    """The AGC Gateway: class azure-alb-external, ingresslib's traffic controller and frontend,
    a listener per listener and host, TLS from the certificates' Secrets beside it."""
    p = parent(cfg)
    gateway = gateway_api_gateway(
        p, cfg.listeners, service="-", credentials=credentials(cfg.certificates),
        paths={lst.name: f"listeners[{i}]" for i, lst in enumerate(cfg.listeners)},
        class_name=GATEWAY_CLASS)
    gateway["metadata"]["annotations"] = {ALB_ID: traffic_controller_id(cfg, subscription_id)}
    gateway["spec"]["addresses"] = [{"type": FRONTEND_ADDRESS, "value": frontend_name(cfg)}]
    return gateway


def _chained_routing(cfg: AksStack) -> Routing:
    """Chained: every host the listeners serve, all of it to the Istio gateway's Service (its
    plain HTTP port; the gateway routes from there). gRPC hosts through a gRPC backend, so
    that AGC speaks HTTP/2 to the gateway for them (a GRPCRoute)."""
    wl = cfg.workload
    assert wl is not None
    grpc = grpc_hosts(cfg)
    backends = {
        "gateway": Backend(service=wl.name, namespace=wl.namespace, port=GATEWAY_HTTP_PORT),
        "gateway-grpc": Backend(service=wl.name, namespace=wl.namespace,
                                port=GATEWAY_HTTP_PORT, protocol="GRPC"),
    }
    hosts = sorted({h for lst in cfg.listeners for h in lst.hosts})
    return Routing(backends=backends, hosts=[
        HostRoutes(host=h, inherit_wildcard_routes=False, routes=[Route(
            name=TO_GATEWAY, to=[Destination(backend="gateway-grpc" if h in grpc else "gateway")])])
        for h in hosts])


def _route_timeouts(cfg: AksStack, routes: list[Manifest]) -> Iterator[Manifest]:
    """AGC implements no HTTPRoute timeouts: take them off the rules and say the host's
    timeout (or requestTimeoutSeconds) in a RoutePolicy on each HTTPRoute that forwards."""
    section = agc(cfg)
    assert section is not None
    by_host = {h.host: h.routes for h in cfg.routing.hosts}
    for route in routes:
        if route["kind"] != "HTTPRoute":
            continue
        rules = route["spec"]["rules"]
        for rule in rules:
            rule.pop("timeouts", None)
        if not any(rule.get("backendRefs") for rule in rules):
            continue  # redirects only
        hostnames = route["spec"].get("hostnames") or ["*"]
        # In chained a longLived route's host waits its timeout: AGC's wait ends the whole
        # connection, an upgraded WebSocket too (EDGE-TO-LONG).
        longest = long_lived_seconds(cfg.routing, hostnames[0]) or 0
        timeout = f"{max(section.request_timeout_seconds, longest)}s"
        if cfg.topology == "standalone":
            timeout = host_timeout(by_host.get(hostnames[0], []),
                                   section.request_timeout_seconds)
        meta = route["metadata"]
        yield obj(ALB, "RoutePolicy", meta["name"], meta["namespace"], labels=MANAGED_BY,
                  spec={"targetRef": _target(GATEWAY_GROUP, "HTTPRoute", meta["name"],
                                             meta["namespace"]),
                        "default": {"timeouts": {"routeTimeout": gateway_duration(timeout)}}})


def _health_check_policy(cfg: AksStack, name: str, namespace: str, *, port: int | None,
                         path: str | None, codes: list[dict[str, int]], grpc: bool = False
                         ) -> Manifest:
    section = agc(cfg)
    assert section is not None
    hc = section.health_check
    default: dict[str, Any] = {
        "interval": f"{hc.interval_seconds}s",
        "timeout": f"{hc.timeout_seconds}s",
        "healthyThreshold": hc.healthy_threshold,
        "unhealthyThreshold": hc.unhealthy_threshold,
    }
    if port is not None:
        default["port"] = port
    if grpc:
        default["grpc"] = {}
    else:
        default["http"] = {"path": path, "match": {"statusCodes": codes}}
    default["useTLS"] = False
    return obj(ALB, "HealthCheckPolicy", f"{cfg.name}-{name}", namespace, labels=MANAGED_BY,
               spec={"targetRef": _target("", "Service", name, namespace),
                     "default": default})


def health_check_policies(cfg: AksStack, plan: EdgePlan, routes: list[Manifest]
                          ) -> list[Manifest]:
    """Chained: the Istio gateway's readiness, as the plan states it. Standalone: per Service
    the routes send to (backends and their subset Services), the backend's configured probe."""
    section = agc(cfg)
    assert section is not None
    if cfg.topology == "chained":
        wl, hc = plan.workload, plan.health_check
        assert wl is not None
        assert hc is not None
        return [_health_check_policy(cfg, wl.name, wl.namespace, port=int(hc.port),
                                     path=hc.path, codes=[{"start": 200, "end": 200}])]
    reached = {(ref.get("namespace", r["metadata"]["namespace"]), ref["name"])
               for r in routes if r["kind"] in ("HTTPRoute", "GRPCRoute")
               for rule in r["spec"]["rules"] for ref in rule.get("backendRefs", [])}
    out = []
    for key, backend in sorted(cfg.routing.backends.items()):
        probe = section.backends.get(key)
        if probe is None:
            continue
        names = [backend.service, *(subset_service_name(backend, s) for s in backend.subsets)]
        port = probe.health_probe_port or target_port(backend)
        for name in names:
            if (backend.namespace, name) not in reached:
                continue
            out.append(_health_check_policy(
                cfg, name, backend.namespace, port=port if isinstance(port, int) else None,
                path=probe.health_probe_path, codes=probe.status_ranges(),
                grpc=backend.protocol == "GRPC"))
    return out


def agc_objects(cfg: AksStack, *, subscription_id: str = PENDING_SUBSCRIPTION
                ) -> list[Manifest]:
    """Every Kubernetes object that programs AGC for `cfg` ([] when it does not use AGC).

    Raises ConfigError when the routes cannot be said in Gateway API (the config rules report
    the same problems first)."""
    section = agc(cfg)
    if section is None:
        return []
    plan = cfg.edge
    p = parent(cfg)
    namespace = p.namespace
    out: list[Manifest] = []
    if cfg.topology == "standalone":
        out.append(obj("v1", "Namespace", namespace, labels={
            **MANAGED_BY, "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest"}))
    out.append(agc_gateway(cfg, subscription_id))
    https = [s for lst in cfg.listeners if lst.protocol == "HTTPS"
             for s in _sections(p, lst)]
    if https:
        out.append(obj(ALB, "FrontendTLSPolicy", p.name, namespace, labels=MANAGED_BY, spec={
            "targetRef": _target(GATEWAY_GROUP, "Gateway", p.name, namespace, https),
            "default": {"policyType": {"type": "predefined", "name": section.tls_policy}}}))
    if section.waf.enabled:
        out.append(obj(ALB, "WebApplicationFirewallPolicy", p.name, namespace,
                       labels=MANAGED_BY, spec={
                           "targetRef": _target(GATEWAY_GROUP, "Gateway", p.name, namespace),
                           "webApplicationFirewall": {"id": waf_policy_id(cfg, subscription_id)}}))
    routing = _chained_routing(cfg) if cfg.topology == "chained" else cfg.routing
    routes = agc_routes(cfg, routing)
    out += routes
    out += _route_timeouts(cfg, routes)
    out += health_check_policies(cfg, plan, routes)
    if cfg.topology == "standalone":
        out += certificate_objects(cfg.certificates, cfg.cert_manager, namespace)
    return out


def agc_credentials(cfg: AksStack) -> set[tuple[str, str]]:
    """(namespace, Secret) of the certificates the AGC Gateway's listeners read."""
    if agc(cfg) is None:
        return set()
    used = {lst.tls.certificate for lst in cfg.listeners if lst.tls and lst.tls.certificate}
    return {(gateway_namespace(cfg), cert.credential_name(key))
            for key, cert in cfg.certificates.items() if key in used}


def agc_routes(cfg: AksStack, routing: Routing) -> list[Manifest]:
    """The routes AGC serves, attached to the AGC Gateway's listeners."""
    listeners = cfg.listeners
    return route_objects(routing, listeners, parent(cfg), stack=f"{cfg.name}-agc",
                         redirecting=redirect_names(listeners))


def route_problems(cfg: AksStack) -> list[Problem]:
    """What the Gateway API route renderer refuses of the stack's routing (standalone)."""
    try:
        agc_routes(cfg, cfg.routing)
    except ConfigError as e:
        return list(e.problems)
    return []


def _sections(p: ParentRef, lst: Listener) -> list[str]:
    from ingresslib.manifests.gateway_api import listener_sections  # noqa: PLC0415

    return [name for _, name in listener_sections(lst, p.base(lst))]


# ---------------------------------------------------------------- read back


def _find(objects: list[Manifest], kind: str, namespace: str, name: str) -> Manifest | None:
    return next((o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name
                 and o["metadata"].get("namespace") == namespace), None)


def _attaches(route: Manifest, p: ParentRef) -> bool:
    """Whether `route` attaches to the AGC Gateway (not, say, to the Istio gateway's)."""
    namespace = route["metadata"].get("namespace")
    return any(ref.get("kind", "Gateway") == "Gateway" and ref["name"] == p.name
               and ref.get("namespace", namespace) == p.namespace
               for ref in route["spec"].get("parentRefs") or [])


def agc_contract_problems(cfg: AksStack, objects: list[Manifest]) -> Iterator[Problem]:
    """The AGC objects read back against the plan: the Gateway names the traffic controller
    and frontend, the gateway's HealthCheckPolicy probes what the plan's health check says
    (EDGE-HC-AGC, EDGE-DR-AGC), no route carries a timeout AGC ignores and every forwarding
    HTTPRoute has its RoutePolicy (EDGE-TO-AGC)."""
    section = agc(cfg)
    if section is None:
        return
    p = parent(cfg)
    gateway = _find(objects, "Gateway", p.namespace, p.name)
    if gateway is None or ALB_ID not in gateway["metadata"].get("annotations", {}) or (
            gateway["spec"].get("addresses") != [{"type": FRONTEND_ADDRESS,
                                                  "value": frontend_name(cfg)}]):
        yield Problem(f"Gateway/{p.namespace}/{p.name}", "alb-id, addresses",
                      "the AGC Gateway must name ingresslib's traffic controller and frontend, "
                      "or the ALB Controller provisions neither (EDGE-NET-AGC)")
    plan, hc = cfg.edge, cfg.edge.health_check
    if cfg.topology == "chained" and plan.workload is not None and hc is not None:
        wl = plan.workload
        policy = _find(objects, "HealthCheckPolicy", wl.namespace, f"{cfg.name}-{wl.name}")
        default = policy["spec"]["default"] if policy else {}
        want = {"port": hc.port, "interval": f"{hc.interval_seconds}s",
                "unhealthyThreshold": hc.unhealthy_threshold}
        got = {k: default.get(k) for k in want}
        if got != want or default.get("http", {}).get("path") != hc.path:
            yield Problem(f"HealthCheckPolicy/{wl.namespace}/{cfg.name}-{wl.name}", got,
                          f"must probe {hc.port} {hc.path} every {hc.interval_seconds} s, "
                          f"down after {hc.unhealthy_threshold} failures, as the gateway's "
                          "drain assumes (EDGE-HC-AGC, EDGE-DR-AGC)")
    policies = {(o["metadata"]["namespace"], o["spec"]["targetRef"]["name"])
                for o in objects if o["kind"] == "RoutePolicy"}
    for route in objects:
        if route["kind"] != "HTTPRoute" or not _attaches(route, p):
            continue
        ref = f"HTTPRoute/{p.namespace}/{route['metadata']['name']}"
        rules = route["spec"]["rules"]
        if any("timeouts" in rule for rule in rules):
            yield Problem(f"{ref} timeouts", "set", "Application Gateway for Containers does "
                          "not implement HTTPRoute timeouts; a RoutePolicy says them "
                          "(EDGE-TO-AGC)")
        forwards = any(rule.get("backendRefs") for rule in rules)
        if forwards and (p.namespace, route["metadata"]["name"]) not in policies:
            yield Problem(ref, "no RoutePolicy", "Application Gateway for Containers would "
                          f"wait its default 60 s, not {PATH}.requestTimeoutSeconds "
                          "(EDGE-TO-AGC)")
