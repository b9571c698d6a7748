"""Routing of an Istio gateway stack with `api: gatewayApi`: the Gateway and routes, plus the
Istio resources that say what Gateway API cannot and attach to the same gateway.

* DestinationRules carry each backend's traffic policy (load balancing, connection pools,
  outlier detection, TLS with its credentialName and sni) for its Service and each subset
  Service: Istio applies them to Gateway API traffic as to any other. No BackendTLSPolicy
  beside them (EDGE-API-TLS-DR): Istio turns a BackendTLSPolicy into a DestinationRule of its
  own for the same host and does not merge the two (istio/istio#60122), so one of them would
  lose its whole traffic policy, and a BackendTLSPolicy cannot name the Secret whose CA
  `credentialName` gives (istio/istio#13578).
* An EnvoyFilter patches the Envoy routes whose retries (and gRPC timeouts) the routes cannot
  carry. Istio names a Gateway API rule's Envoy route after the rule's `name`, which is the
  config's route name: the same names the rate limits match.
* Rate limits (EnvoyFilters), AuthorizationPolicies, RequestAuthentication and Telemetry
  select the gateway pods by label, and the pods are ingresslib's own: they apply unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ingresslib.config.duration import proto_duration
from ingresslib.config.listeners import Listener, redirect_names
from ingresslib.config.routing import Route, Routing
from ingresslib.config.wildcard_routes import with_inherited_routes
from ingresslib.config.workload import GatewayWorkload
from ingresslib.manifests.destination_rule import destination_rule, traffic_policy
from ingresslib.manifests.envoy_filter import envoy_filter, patch, vhost
from ingresslib.manifests.gateway_api.gateway import gateway_api_gateway
from ingresslib.manifests.gateway_api.routes import (
    ROUTE_PATCHES,
    TRAFFIC_POLICY,
    ParentRef,
    hosts_intersect,
    native_retry,
    route_objects,
    subset_service_name,
)
from ingresslib.manifests.meta import MANAGED_BY, obj, selector_labels

ISTIO_EXTENSIONS = (ROUTE_PATCHES, TRAFFIC_POLICY)
ROUTE_PATCH_PRIORITY = 5


def destination_rules(routing: Routing, stack: str, subset_services: Collection[str]
                      ) -> list[dict[str, Any]]:
    """Per backend, the classic API's DestinationRule, unchanged, TLS included (its subsets
    unused but kept, so switching API never takes a subset from a VirtualService still
    serving), and a DestinationRule with the backend's traffic policy for each subset
    Service: with Gateway API a subset is a Service of its own."""
    out = []
    for key, backend in sorted(routing.backends.items()):
        out.append(destination_rule(f"{stack}-{key}", backend))
        if backend.traffic_policy is None:
            continue
        policy = traffic_policy(backend.traffic_policy)
        for subset in backend.subsets:
            svc = subset_service_name(backend, subset)
            if svc not in subset_services:
                continue
            if policy:
                out.append(obj("networking.istio.io/v1", "DestinationRule",
                               f"{stack}-{key}-{subset}", backend.namespace, labels=MANAGED_BY,
                               spec={"host": f"{svc}.{backend.namespace}.svc.cluster.local",
                                     "trafficPolicy": policy}))
    return out


def _retry_policy(route: Route) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if route.timeout:
        value["timeout"] = proto_duration(route.timeout)
    retries = route.retries
    if retries is not None:
        policy: dict[str, Any] = {"num_retries": retries.attempts}
        if retries.attempts:
            policy["retry_on"] = retries.retry_on or (
                "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes")
            if retries.per_try_timeout:
                policy["per_try_timeout"] = proto_duration(retries.per_try_timeout)
        value["retry_policy"] = policy
    return {"route": value}


def _grpc(routing: Routing, route: Route) -> bool:
    return bool(route.to) and all(routing.backends[d.backend].protocol == "GRPC"
                                  for d in route.to if d.backend in routing.backends)


def patched_fields(routing: Routing, route: Route, experimental: bool) -> list[str]:
    """The fields of `route` ("retries", "timeout") that only the route patches EnvoyFilter
    carries under Gateway API: retries the HTTPRoute cannot say, a gRPC route's timeout."""
    grpc = _grpc(routing, route)
    fields = []
    if route.retries is not None and (grpc or not native_retry(route, experimental)):
        fields.append("retries")
    if grpc and route.timeout is not None:
        fields.append("timeout")
    return fields


def route_patches(routing: Routing, listeners: list[Listener], workload: GatewayWorkload, *,
                  stack: str, experimental: bool, redirecting: Collection[str]
                  ) -> list[dict[str, Any]]:
    """One EnvoyFilter at the gateway pods patching, by virtual host (`host:port`) and route
    name, the retries the HTTPRoutes cannot carry and the timeouts of gRPC routes."""
    patches = []
    for host in routing.hosts:
        ports = sorted({lst.port for lst in listeners
                        if lst.protocol in ("HTTP", "HTTPS") and lst.name not in redirecting
                        and any(hosts_intersect(h, host.host) for h in lst.hosts)})
        for route in with_inherited_routes(routing, host).routes:
            if not patched_fields(routing, route, experimental):
                continue
            grpc = _grpc(routing, route)
            value = _retry_policy(route) if grpc else {
                "route": {k: v for k, v in _retry_policy(route)["route"].items()
                          if k == "retry_policy"}}
            patches += [patch("HTTP_ROUTE", vhost(host.host, port, route.name), "MERGE", value)
                        for port in ports]
    if not patches:
        return []
    return [envoy_filter(f"{stack}-route-patches", workload.namespace,
                          selector=selector_labels(workload), stack=stack,
                          priority=ROUTE_PATCH_PRIORITY, patches=patches)]


def istio_gateway_api_objects(
    routing: Routing,
    listeners: list[Listener],
    workload: GatewayWorkload,
    *,
    stack: str,
    service: str | None = None,
    credentials: Mapping[str, str] | None = None,
    redirecting: Collection[str] | None = None,
    experimental: bool = False,
    paths: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every routing object of an Istio gateway stack with `api: gatewayApi`: the Gateway
    `stack` (class `istio`) in the gateway's namespace bound to its Service `service`
    (default: the workload's name), the routes and their companions (`route_objects`), the
    DestinationRules of the traffic policies and the route patches EnvoyFilter."""
    if redirecting is None:
        redirecting = redirect_names(listeners)
    parent = ParentRef(stack, workload.namespace)
    creds = {**{k: k for lst in listeners if lst.tls and (k := lst.tls.certificate)},
             **(credentials or {})}
    gateway = gateway_api_gateway(parent, listeners, service=service or workload.name,
                                  credentials=creds, paths=paths)
    routes = route_objects(routing, listeners, parent, stack=stack, experimental=experimental,
                           redirecting=redirecting, extensions=ISTIO_EXTENSIONS)
    subset_services = {o["metadata"]["name"] for o in routes
                       if o["kind"] == "Service"}
    return [gateway, *routes, *destination_rules(routing, stack, subset_services),
            *route_patches(routing, listeners, workload, stack=stack,
                           experimental=experimental, redirecting=redirecting)]
