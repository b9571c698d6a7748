"""Every routing object of a stack: the Gateway, a VirtualService per host (split into
delegates when one would grow past what etcd should hold) and a DestinationRule per backend."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from ingresslib.config.acme import CHALLENGE_PREFIX, not_prefix_regex
from ingresslib.config.gateway_api import Api
from ingresslib.config.listeners import Listener, covered, https_hosts, redirect_names, redirects
from ingresslib.config.routing import HostRoutes, Route, Routing
from ingresslib.config.wildcard_routes import WILDCARD_ROUTES_ANNOTATION, with_inherited_routes
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import ConfigError, Problem
from ingresslib.manifests.destination_rule import destination_rule
from ingresslib.manifests.istio_gateway import istio_gateway
from ingresslib.manifests.meta import MANAGED_BY, obj, selector_labels
from ingresslib.manifests.virtual_service import (
    delegate_virtual_service,
    host_slug,
    http_route,
    virtual_service,
)

# etcd refuses objects over 1.5 MiB; stay well below so status and annotations always fit.
MAX_OBJECT_BYTES = 512 * 1024


def object_size(obj: dict[str, Any]) -> int:
    return len(json.dumps(obj, separators=(",", ":")).encode())


def gateway_listeners(
    listeners: list[Listener], topology: str, tls_at_load_balancer: Collection[str] = ()
) -> list[Listener]:
    """The Istio Gateway's servers, from the stack's listeners. In `chained` the L7 load
    balancer owns the listeners (TLS, redirects) and sends plain HTTP to port 80: the gateway
    serves every host there, and must not redirect, or requests would loop through the load
    balancer. A listener named in `tls_at_load_balancer` has TLS end at the load balancer
    (an NLB with ACM certificates): the gateway serves it as plain HTTP, and an HTTP
    listener keeps the redirect those HTTPS listeners gave it (`redirects` on the stack's
    listeners), so the servers alone say which redirect."""
    if topology != "chained":
        https = https_hosts(listeners)
        return [_served(lst, https, tls_at_load_balancer) for lst in listeners]
    hosts = sorted({h for lst in listeners for h in lst.hosts})
    return [Listener(name="http-from-lb", port=80, protocol="HTTP", hosts=hosts,
                     https_redirect=False, allow_any_host="*" in hosts)]


def _served(lst: Listener, https: frozenset[str], tls_at_load_balancer: Collection[str]
            ) -> Listener:
    """`lst` as the gateway serves it in topology gateway (`gateway_listeners`); `https`: the
    hosts of the stack's HTTPS listeners."""
    if lst.name in tls_at_load_balancer:
        return Listener(name=lst.name, port=lst.port, protocol="HTTP", hosts=lst.hosts,
                        allow_any_host=lst.allow_any_host, https_redirect=False)
    if tls_at_load_balancer and lst.protocol == "HTTP" and lst.https_redirect is None:
        return lst.model_copy(update={"https_redirect": redirects(lst, https)})
    return lst


def routing_objects(
    routing: Routing,
    listeners: list[Listener],
    gateway: GatewayWorkload,
    *,
    stack: str = "ingress",
    credentials: Mapping[str, str] | None = None,
    redirecting: Collection[str] | None = None,
    challenge_listeners: Collection[str] = (),
    challenge_hosts: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The Istio Gateway `stack` in the namespace of `gateway` (selecting its pods) with a
    server per listener, a VirtualService per routed host and a DestinationRule per backend.

    `challenge_listeners` name the redirecting port-80 listeners an ACME HTTP-01 solver's
    Ingress is served on: Istio would apply a server's httpsRedirect to the solver's routes
    too (istio/istio#33593), so they form the Gateway `<stack>-acme`, without httpsRedirect,
    and a VirtualService redirects every path there but the challenge's
    (ING-IX-ACME-REDIRECT). The hosts' own VirtualServices bind to `stack` only.
    `challenge_hosts` are the names HTTP-01 proves; the redirect names those a wildcard host
    covers too, so that it shares the solver's virtual host (Envoy prefers the exact name).

    `listeners` are the servers as the gateway serves them (`gateway_listeners`);
    `credentials` maps each certificate key to the Secret Istio reads it from (default: the
    key); `redirecting` names the HTTP listeners that redirect to HTTPS (default: by
    the gateway). Raises ConfigError when a host's routes cannot fit in VirtualServices
    etcd takes.
    """
    namespace = gateway.namespace
    # A certificate no mapping names is read from the Secret of its own name (as documented,
    # and as the Gateway API path does): an HTTPS server without credentialName serves no TLS.
    creds = {**{k: k for lst in listeners if lst.tls and (k := lst.tls.certificate)},
             **(credentials or {})}
    if redirecting is None:
        redirecting = redirect_names(listeners)
    acme = [lst for lst in listeners if lst.name in challenge_listeners]
    objs = [istio_gateway(stack, namespace, selector_labels(gateway),
                          [lst for lst in listeners if lst.name not in challenge_listeners],
                          credentials=creds, redirects=set(redirecting))]
    if acme:
        objs += acme_redirect_objects(f"{stack}-acme", namespace, selector_labels(gateway),
                                      acme, challenge_hosts)
    backends = routing.backends
    # Each host's TLS passthrough port: the first TLS listener serving it.
    passthrough_ports: dict[str, int] = {}
    for lst in listeners:
        if lst.protocol == "TLS":
            for name in lst.hosts:
                passthrough_ports.setdefault(name, lst.port)
    for i, host in enumerate(routing.hosts):
        vs_name = f"{stack}-{host_slug(host.host)}"
        passthrough = passthrough_ports.get(host.host, 443)
        routed = with_inherited_routes(routing, host)
        vs = virtual_service(vs_name, namespace, f"{namespace}/{stack}", routed, backends,
                             passthrough_port=passthrough)
        if host.inherit_wildcard_routes is not None:
            vs["metadata"]["annotations"] = {
                WILDCARD_ROUTES_ANNOTATION: json.dumps(host.inherit_wildcard_routes)}
        if object_size(vs) > MAX_OBJECT_BYTES:
            objs += _split(vs, routed, i, routing)
        else:
            objs.append(vs)
    objs += [destination_rule(f"{stack}-{key}", b) for key, b in sorted(backends.items())]
    return objs


def acme_redirect_objects(name: str, namespace: str, selector: dict[str, str],
                          listeners: list[Listener], names: Collection[str] = ()
                          ) -> list[dict[str, Any]]:
    """The Gateway `name` serving `listeners` (port 80) without httpsRedirect, and the
    VirtualService that redirects every path of their hosts to HTTPS but the ACME challenge
    prefix, which is left to cert-manager's solver Ingress (Istio merges its routes into the
    same virtual host). The match is a regex, so no merge order lets it shadow the solver.
    `names` (the HTTP-01 names) join the hosts where a wildcard or `*` host covers them: the
    solver's Ingress gets a virtual host of its own exact name, which must redirect too."""
    served = {h for lst in listeners for h in lst.hosts}
    hosts = sorted(served | {n for n in names if n not in served and (
        "*" in served or covered(served, n))})
    redirect = {"name": "https-redirect",
                "match": [{"uri": {"regex": not_prefix_regex(CHALLENGE_PREFIX)}}],
                "redirect": {"scheme": "https", "redirectCode": 301}}
    return [
        istio_gateway(name, namespace, selector, listeners, credentials={}, redirects=set()),
        obj("networking.istio.io/v1", "VirtualService", f"{name}-redirect", namespace,
            labels=MANAGED_BY, spec={"hosts": hosts, "gateways": [f"{namespace}/{name}"],
                                     "http": [redirect]}),
    ]


def _scope(route: Route) -> str | None:
    """The first path segment every match of `route` is confined to ("/api/"), if any."""
    scopes = set()
    for m in route.match:
        uri = m.uri
        path = uri.prefix or uri.exact if uri and not m.ignore_uri_case else None
        parts = path.split("/") if path else []
        if len(parts) < 3 or not parts[1]:
            return None
        scopes.add(f"/{parts[1]}/")
    return scopes.pop() if len(scopes) == 1 else None


def _split(vs: dict[str, Any], host: HostRoutes, index: int, routing: Routing
           ) -> list[dict[str, Any]]:
    """Move runs of routes confined to one first path segment into delegate VirtualServices.

    The root keeps the order: a delegating rule per run, unconfined rules in place. A request
    that enters a delegate never returns to the root, so each delegate also carries copies of
    the unconfined rules that follow its run: fall-through behaves as before the split.
    """
    backends = routing.backends
    routes = host.routes
    scopes = [_scope(r) for r in routes]
    root: list[dict[str, Any]] = []
    delegates: list[dict[str, Any]] = []
    meta = vs["metadata"]
    i = 0
    while i < len(routes):
        scope = scopes[i]
        if scope is None:
            root.append(http_route(routes[i], backends))
            i += 1
            continue
        j = i
        while j < len(routes) and scopes[j] == scope:
            j += 1
        rules = [http_route(r, backends) for r in routes[i:j]]
        rules += [http_route(r, backends) for r, s in zip(routes[j:], scopes[j:], strict=True)
                  if s is None]
        name = f"{meta['name']}-{len(delegates) + 1}"
        delegates.append(delegate_virtual_service(name, meta["namespace"], rules))
        root.append({"name": f"delegate-{len(delegates)}", "match": [{"uri": {"prefix": scope}}],
                     "delegate": {"name": name, "namespace": meta["namespace"]}})
        i = j
    split_root = {**vs, "spec": {**vs["spec"], "http": root}}
    too_big = [o for o in (split_root, *delegates) if object_size(o) > MAX_OBJECT_BYTES]
    if too_big:
        raise ConfigError([Problem(
            f"routing.hosts[{index}].routes", f"{len(routes)} routes",
            f"render VirtualServices over {MAX_OBJECT_BYTES // 1024} KiB even split by first "
            "path segment; group the routes under distinct path prefixes or delegate them "
            "to team VirtualServices (routes[].delegate)",
        )])
    return [split_root, *delegates]


def gateway_routing_objects(
    routing: Routing,
    listeners: list[Listener],
    gateway: GatewayWorkload,
    *,
    api: Api = "istio",
    stack: str = "ingress",
    credentials: Mapping[str, str] | None = None,
    redirecting: Collection[str] | None = None,
    experimental: bool = False,
    service: str | None = None,
    paths: Mapping[str, str] | None = None,
    challenge_listeners: Collection[str] = (),
    challenge_hosts: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The gateway's routing in `api`: Istio's Gateway, VirtualServices and DestinationRules
    (`routing_objects`, which takes the ACME `challenge_*` arguments), or with
    `api="gatewayApi"` Gateway API's objects bound to the gateway's Service `service` (default
    the workload's name; `manifests.gateway_api.istio`, which takes `experimental` and the
    listeners' config `paths` for its messages). The one function both `IngressStack` (through
    `ingresslib.stack.routing`) and `IngressRouting` render routing with."""
    if api == "gatewayApi":
        # Gateway API's renderers load for the stacks that use it.
        from ingresslib.manifests.gateway_api.istio import (  # noqa: PLC0415
            istio_gateway_api_objects,
        )

        return istio_gateway_api_objects(
            routing, listeners, gateway, stack=stack, service=service,
            credentials=credentials, redirecting=redirecting, experimental=experimental,
            paths=paths)
    return routing_objects(routing, listeners, gateway, stack=stack, credentials=credentials,
                           redirecting=redirecting, challenge_listeners=challenge_listeners,
                           challenge_hosts=challenge_hosts)
