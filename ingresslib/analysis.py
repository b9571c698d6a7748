"""`istioctl analyze` before deploy: semantic checks across rendered Istio objects.

Schema validation sees one object at a time; the mistakes that 404 or 503 in production sit
between objects (a subset no DestinationRule defines, a host no Gateway serves). These rules
find them in the plain manifest dicts, before anything is registered with Pulumi. Codes and
meanings follow istioctl's analyzers (`pkg/config/analysis`); ING codes are this library's own
for checks istioctl has no message for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ingresslib.config.duration import duration_problem
from ingresslib.config.wildcard_routes import WILDCARD_ROUTES_ANNOTATION, vhost_covers

Severity = Literal["error", "warning"]
Obj = dict[str, Any]

_ROUTE_KINDS = ("http", "tls", "tcp")
_DR_DURATIONS = (
    "connectionPool.tcp.connectTimeout",
    "connectionPool.http.idleTimeout",
    "outlierDetection.interval",
    "outlierDetection.baseEjectionTime",
    "loadBalancer.consistentHash.httpCookie.ttl",
)
_VS_DURATIONS = ("timeout", "retries.perTryTimeout", "fault.delay.fixedDelay", "corsPolicy.maxAge")
# Server protocols whose route configuration Istio shares per port (protocol.IsHTTP).
_HTTP_PROTOCOLS = ("HTTP", "HTTP2", "GRPC", "GRPC-WEB")


@dataclass(frozen=True)
class Finding:
    """One problem, located by object and JSON path so the fix can be made where it is."""

    code: str
    severity: Severity
    ref: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} {self.code} {self.ref} {self.field}: {self.message}"


@dataclass(frozen=True)
class _Config:
    """The objects the rules read, by kind, and the secrets known to exist."""

    gateways: list[Obj]
    virtual_services: list[Obj]
    destination_rules: list[Obj]
    services: list[Obj]
    credentials: frozenset[tuple[str, str]] | None


def _ns(obj: Obj) -> str:
    return obj.get("metadata", {}).get("namespace") or "default"


def _full_name(obj: Obj) -> str:
    return f"{_ns(obj)}/{obj['metadata']['name']}"


def _ref(obj: Obj) -> str:
    return f"{obj['kind']}/{_full_name(obj)}"


def _spec(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def _get(data: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _fqdn(host: str, namespace: str) -> str:
    """Istio expands only dot-less names (`reviews`); `reviews.prod` is taken as written."""
    if "." in host or host == "*":
        return host
    return f"{host}.{namespace}.svc.cluster.local"


def _hosts_overlap(a: str, b: str) -> bool:
    """Istio's host.Name.Matches: equal, or one wildcard covers the other."""
    if a.startswith("*") and b.startswith("*"):
        return a[1:].endswith(b[1:]) or b[1:].endswith(a[1:])
    if a.startswith("*"):
        return b.endswith(a[1:])
    if b.startswith("*"):
        return a.endswith(b[1:])
    return a == b


def _bare_host(host: str) -> str:
    return host.split("/", 1)[-1]


def _server_hosts_for(gateway: Obj, vs_namespace: str) -> list[str]:
    """Server hosts a VirtualService in `vs_namespace` may bind to (`ns/host`, `./`, `*/`)."""
    hosts = []
    for server in _spec(gateway).get("servers") or []:
        for host in server.get("hosts") or []:
            ns, _, name = host.rpartition("/")
            ns = _ns(gateway) if ns == "." else ns
            if ns in ("", "*", vs_namespace):
                hosts.append(name)
    return hosts


def _selector(obj: Obj) -> dict[str, str]:
    return _spec(obj).get("selector") or {}


def _selector_text(selector: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<all pods>"


def _credential_names(server: Obj) -> Iterator[tuple[str, str]]:
    tls = server.get("tls") or {}
    if tls.get("credentialName"):
        yield "tls.credentialName", tls["credentialName"]
    for i, name in enumerate(tls.get("credentialNames") or []):
        yield f"tls.credentialNames[{i}]", name


def _gateway_refs(vs: Obj) -> Iterator[tuple[str, str]]:
    spec = _spec(vs)
    for i, name in enumerate(spec.get("gateways") or []):
        yield f"spec.gateways[{i}]", name
    for i, rule in enumerate(spec.get("http") or []):
        for j, match in enumerate(rule.get("match") or []):
            for k, name in enumerate(match.get("gateways") or []):
                yield f"spec.http[{i}].match[{j}].gateways[{k}]", name


def _gateway_key(name: str, vs_namespace: str) -> tuple[str, str]:
    ns, _, short = name.rpartition("/")
    return ns or vs_namespace, short


def _destinations(vs: Obj) -> Iterator[tuple[str, Obj]]:
    spec = _spec(vs)
    for kind in _ROUTE_KINDS:
        for i, rule in enumerate(spec.get(kind) or []):
            for j, dest in enumerate(rule.get("route") or []):
                yield f"spec.{kind}[{i}].route[{j}].destination", dest.get("destination") or {}
    for i, rule in enumerate(spec.get("http") or []):
        if rule.get("mirror"):
            yield f"spec.http[{i}].mirror", rule["mirror"]
        for j, mirror in enumerate(rule.get("mirrors") or []):
            yield f"spec.http[{i}].mirrors[{j}].destination", mirror.get("destination") or {}


def _duration_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{value!r} is not a duration; write it like '250ms', '5s' or '1m30s'"
    return duration_problem(value)


def _is_catch_all(match: Obj) -> bool:
    """No condition, or only `uri.prefix: /` (the match's name is not a condition)."""
    conditions = {k: v for k, v in match.items() if k != "name"}
    return not conditions or conditions == {"uri": {"prefix": "/"}}


def _match_key(match: Obj) -> str:
    return json.dumps({k: v for k, v in match.items() if k != "name"}, sort_keys=True, default=str)


# Rules: one per istioctl analyzer (or ING check), each yielding its findings.


def _missing_subsets(cfg: _Config) -> Iterator[Finding]:
    """IST0101: a route to a subset no DestinationRule defines is a 503 (no cluster)."""
    defined = {
        (_fqdn(_spec(dr).get("host", ""), _ns(dr)), subset.get("name"))
        for dr in cfg.destination_rules
        for subset in _spec(dr).get("subsets") or []
    }
    for vs in cfg.virtual_services:
        for path, dest in _destinations(vs):
            host, subset = dest.get("host", ""), dest.get("subset")
            if subset and (_fqdn(host, _ns(vs)), subset) not in defined:
                yield Finding(
                    "IST0101", "error", _ref(vs), f"{path}.subset",
                    f'Referenced host+subset in destinationrule not found: "{host}+{subset}"; '
                    f"define subset {subset} in a DestinationRule for "
                    f"{_fqdn(host, _ns(vs))}, or route without it",
                )


def _missing_gateways(cfg: _Config) -> Iterator[Finding]:
    """IST0101: a VirtualService bound to an absent Gateway configures nothing."""
    existing = {(_ns(gw), gw["metadata"]["name"]) for gw in cfg.gateways}
    for vs in cfg.virtual_services:
        for path, name in _gateway_refs(vs):
            if name != "mesh" and _gateway_key(name, _ns(vs)) not in existing:
                yield Finding(
                    "IST0101", "error", _ref(vs), path,
                    f'Referenced gateway not found: "{name}"; name an existing Gateway '
                    f"(`name` in {_ns(vs)}, or `namespace/name`)",
                )


def _hosts_not_in_gateways(cfg: _Config) -> Iterator[Finding]:
    """IST0132: a host no server of the bound Gateways accepts never reaches its routes."""
    by_key = {(_ns(gw), gw["metadata"]["name"]): gw for gw in cfg.gateways}
    for vs in cfg.virtual_services:
        spec = _spec(vs)
        keys = [_gateway_key(n, _ns(vs)) for n in spec.get("gateways") or [] if n != "mesh"]
        bound = [by_key[k] for k in keys if k in by_key]
        if not bound:
            continue
        accepted = [h for gw in bound for h in _server_hosts_for(gw, _ns(vs))]
        names = ", ".join(f"{k[0]}/{k[1]}" for k in keys if k in by_key)
        for i, host in enumerate(spec.get("hosts") or []):
            if not any(_hosts_overlap(host, gh) for gh in accepted):
                yield Finding(
                    "IST0132", "warning", _ref(vs), f"spec.hosts[{i}]",
                    f"host {host} defined in VirtualService {_full_name(vs)} "
                    f"not found in Gateway {names}; add it to a server's hosts or remove it",
                )


def _servers_collide(a: Obj, b: Obj) -> bool:
    """Same port number and at least one overlapping host (namespace prefixes aside)."""
    hosts_b = [_bare_host(h) for h in b.get("hosts") or []]
    return _get(a, "port.number") == _get(b, "port.number") and any(
        _hosts_overlap(_bare_host(h), hb) for h in a.get("hosts") or [] for hb in hosts_b
    )


def _conflicting_gateways(cfg: _Config) -> Iterator[Finding]:
    """IST0145: two Gateways claiming one host on one port of the same pods; one loses."""
    for gw in cfg.gateways:
        selector = _selector(gw)
        for i, server in enumerate(_spec(gw).get("servers") or []):
            rivals = sorted(
                _full_name(other)
                for other in cfg.gateways
                if other is not gw and _selector(other) == selector
                and any(_servers_collide(server, s) for s in _spec(other).get("servers") or [])
            )
            if rivals:
                yield Finding(
                    "IST0145", "error", _ref(gw), f"spec.servers[{i}]",
                    f"Conflict with gateways {','.join(rivals)} (workload selector "
                    f"{_selector_text(selector)}, port {_get(server, 'port.number')}, hosts "
                    f"{','.join(server.get('hosts') or [])}); merge the servers into one "
                    "Gateway or give them distinct hosts",
                )


def _shares_pods(a: dict[str, str], b: dict[str, str]) -> bool:
    """Istio's test for one workload: either selector is a subset of the other."""
    return a.items() <= b.items() or b.items() <= a.items()


def _duplicate_certificates(cfg: _Config) -> Iterator[Finding]:
    """IST0138: HTTP/2 clients reuse a connection for every host of one certificate, so a
    host on the other Gateway 404s (envoyproxy/envoy#6767)."""
    for gw in cfg.gateways:
        for i, server in enumerate(_spec(gw).get("servers") or []):
            for path, name in _credential_names(server):
                others = sorted(
                    _full_name(other)
                    for other in cfg.gateways
                    if other is not gw and _shares_pods(_selector(gw), _selector(other))
                    and any(name == n for s in _spec(other).get("servers") or []
                            for _, n in _credential_names(s))
                )
                if others:
                    yield Finding(
                        "IST0138", "warning", _ref(gw), f"spec.servers[{i}].{path}",
                        f"Duplicate certificate {name} in multiple gateways "
                        f"{','.join([_full_name(gw), *others])} may cause 404s if "
                        "clients re-use HTTP2 connections; serve its hosts from one Gateway",
                    )


def _gateway_services(cfg: _Config, gateway: Obj) -> list[Obj]:
    """Services that select the gateway's pods: their selector is within the Gateway's."""
    labels = _selector(gateway).items()
    return [s for s in cfg.services if _selector(s) and _selector(s).items() <= labels]


def _gateway_ports_on_service(cfg: _Config) -> Iterator[Finding]:
    """IST0162 / ING0001: a listener no Service port reaches is unreachable from outside."""
    for gw in cfg.gateways:
        services = _gateway_services(cfg, gw)
        selector = _selector_text(_selector(gw))
        if not services:
            yield Finding(
                "ING0001", "warning", _ref(gw), "spec.selector",
                f"no Service selects the gateway's pods ({selector}): nothing outside the pods "
                "reaches its servers; add a Service whose selector these labels satisfy, or, "
                "for routing in front of a gateway deployed elsewhere, name that gateway's "
                "Service: IngressRouting(..., service=\"<its Service>\")",
            )
            continue
        ports = {
            p
            for svc in services
            for sp in _spec(svc).get("ports") or []
            for p in (sp.get("port"), sp.get("targetPort", sp.get("port")))
        }
        for i, server in enumerate(_spec(gw).get("servers") or []):
            number = _get(server, "port.number")
            if number not in ports:
                yield Finding(
                    "IST0162", "warning", _ref(gw), f"spec.servers[{i}].port.number",
                    f"The gateway is listening on a target port (port {number}) that is not "
                    f"defined in the Service associated with its workload instances (Pod "
                    f"selector {selector}); add it to the Service or listen on a Service port",
                )


def _missing_credentials(cfg: _Config) -> Iterator[Finding]:
    """ING0002: a credentialName nothing provides leaves the TLS listener without a cert."""
    if cfg.credentials is None:
        return
    for gw in cfg.gateways:
        # Istio reads the secret in the gateway pods' namespace: the selecting Services' one.
        namespaces = sorted({_ns(s) for s in _gateway_services(cfg, gw)} or {_ns(gw)})
        for i, server in enumerate(_spec(gw).get("servers") or []):
            for path, name in _credential_names(server):
                for ns in namespaces:
                    if (ns, name) not in cfg.credentials:
                        yield Finding(
                            "ING0002", "error", _ref(gw), f"spec.servers[{i}].{path}",
                            f"no certificate source provides secret {name} in namespace {ns} "
                            "(where the gateway pods read it); declare a certificate with "
                            "this secret name there, or fix the name",
                        )


def _weights(cfg: _Config) -> Iterator[Finding]:
    """ING0003: Istio rejects negative or all-zero splits and normalises other sums."""
    for vs in cfg.virtual_services:
        for kind in _ROUTE_KINDS:
            for i, rule in enumerate(_spec(vs).get(kind) or []):
                route = rule.get("route") or []
                weights = [d.get("weight", 0) for d in route]
                path = f"spec.{kind}[{i}].route"
                negative = [j for j, w in enumerate(weights) if w < 0]
                for j in negative:
                    yield Finding("ING0003", "error", _ref(vs), f"{path}[{j}].weight",
                                  f"weight {weights[j]} < 0, which Istio rejects; use 0..100")
                if negative or len(route) < 2 or sum(weights) == 100:
                    continue
                if sum(weights) == 0:
                    yield Finding("ING0003", "error", _ref(vs), path,
                                  "total destination weight = 0, which Istio rejects; give "
                                  "the destinations weights that sum to 100")
                else:
                    yield Finding("ING0003", "warning", _ref(vs), path,
                                  f"weights sum to {sum(weights)}, not 100: Istio normalises "
                                  f"them (each destination gets weight/{sum(weights)}); make "
                                  "them sum to 100 so they read as percentages")


def _unreachable_rules(cfg: _Config) -> Iterator[Finding]:
    """IST0130 / IST0131: rules are tried in order, so nothing after a catch-all or an
    earlier identical match is ever used."""
    for vs in cfg.virtual_services:
        for kind in _ROUTE_KINDS:
            seen: dict[str, int] = {}
            catch_all: int | None = None
            for i, rule in enumerate(_spec(vs).get(kind) or []):
                path, matches = f"spec.{kind}[{i}]", rule.get("match") or []
                if catch_all is not None:
                    yield Finding("IST0130", "error", _ref(vs), path,
                                  f"VirtualService rule #{i} not used (rule #{catch_all} before "
                                  "it matches every request); move it before that rule")
                    continue
                dead = []
                for j, match in enumerate(matches):
                    if _match_key(match) in seen:
                        dead.append((j, seen[_match_key(match)]))
                    else:
                        seen[_match_key(match)] = i
                if matches and len(dead) == len(matches):
                    yield Finding("IST0130", "error", _ref(vs), path,
                                  f"VirtualService rule #{i} not used (all matches used by "
                                  "prior rules); remove it or change its matches")
                else:
                    for j, earlier in dead:
                        yield Finding("IST0131", "warning", _ref(vs), f"{path}.match[{j}]",
                                      f"VirtualService rule #{i} match #{j} is not used "
                                      f"(duplicate match in rule #{earlier}); remove it")
                if not matches or (kind == "http" and any(map(_is_catch_all, matches))):
                    catch_all = i


def _durations(cfg: _Config) -> Iterator[Finding]:
    """ING0004: Istio rejects durations it cannot parse, under 1ms, or finer than 1ms."""
    for vs in cfg.virtual_services:
        for i, rule in enumerate(_spec(vs).get("http") or []):
            for key in _VS_DURATIONS:
                yield from _duration_findings(vs, f"spec.http[{i}]", rule, key)
    for dr in cfg.destination_rules:
        spec = _spec(dr)
        policies = [("spec.trafficPolicy", spec.get("trafficPolicy"))]
        policies += [(f"spec.subsets[{k}].trafficPolicy", s.get("trafficPolicy"))
                     for k, s in enumerate(spec.get("subsets") or [])]
        for path, policy in policies:
            if not policy:
                continue
            levels = [(path, policy)] + [
                (f"{path}.portLevelSettings[{p}]", port)
                for p, port in enumerate(policy.get("portLevelSettings") or [])
            ]
            for level_path, level in levels:
                for key in _DR_DURATIONS:
                    yield from _duration_findings(dr, level_path, level, key)


def _duration_findings(obj: Obj, path: str, data: Obj, key: str) -> Iterator[Finding]:
    value = _get(data, key)
    problem = None if value is None else _duration_problem(value)
    if problem:
        yield Finding("ING0004", "error", _ref(obj), f"{path}.{key}", problem)


@dataclass
class _VirtualHost:
    """One virtual host of a route configuration: the VirtualServices whose rules it holds, and
    whether it only redirects to HTTPS."""

    services: list[Obj] = field(default_factory=list)
    redirect: bool = False


@dataclass
class _RouteConfig:
    """One Envoy route configuration (RDS) of a gateway workload, named as istiod names it:
    `http.<port>` for every plain HTTP server on a port, `https.<port>.<port name>.<gateway>.
    <namespace>` for each HTTPS server that terminates TLS (SNI picks its filter chain)."""

    name: str
    selector: dict[str, str]
    servers: list[Obj] = field(default_factory=list)
    virtual_hosts: dict[str, _VirtualHost] = field(default_factory=dict)


def _route_config_name(gateway: Obj, server: Obj) -> str | None:
    protocol = str(_get(server, "port.protocol") or "").upper()
    port = _get(server, "port.number")
    if protocol in _HTTP_PROTOCOLS:
        return f"http.{port}"
    if protocol == "HTTPS" and (server.get("tls") or {}).get("mode") != "PASSTHROUGH":
        meta = gateway["metadata"]
        return f"https.{port}.{_get(server, 'port.name')}.{meta['name']}.{_ns(gateway)}"
    return None


def _server_names(server: Obj, vs_namespace: str) -> list[str]:
    """Istio's NamesForNamespace: the server's hosts a VirtualService in `vs_namespace` sees."""
    names = []
    for host in server.get("hosts") or []:
        ns, _, name = host.rpartition("/")
        if ns in ("", "*", vs_namespace):
            names.append(name)
    return names


def _intersection(server_hosts: list[str], vs_hosts: list[str]) -> list[str]:
    """Istio's host.Names.Intersection: of each pair that overlaps, the narrower name; each is a
    virtual host the VirtualService's rules go to."""
    out: list[str] = []
    for s in server_hosts:
        for v in vs_hosts:
            name = s if vhost_covers(v, s) else v if vhost_covers(s, v) else None
            if name is not None and name not in out:
                out.append(name)
    return out


def _route_configs(cfg: _Config) -> list[_RouteConfig]:
    """Every HTTP route configuration the gateways give their workloads, with its virtual hosts
    built as istiod builds them (buildGatewayHTTPRouteConfig)."""
    configs: dict[tuple[str, str], _RouteConfig] = {}
    for gw in cfg.gateways:
        key = (_ns(gw), gw["metadata"]["name"])
        bound = [vs for vs in cfg.virtual_services
                 if any(_gateway_key(n, _ns(vs)) == key for n in _spec(vs).get("gateways") or [])]
        for server in _spec(gw).get("servers") or []:
            name = _route_config_name(gw, server)
            if name is None:
                continue
            rc = configs.setdefault((_selector_text(_selector(gw)), name),
                                    _RouteConfig(name, _selector(gw)))
            rc.servers.append(server)
            redirect = name.startswith("http.") and bool(_get(server, "tls.httpsRedirect"))
            for vs in bound:
                vs_hosts = _spec(vs).get("hosts") or []
                for host in _intersection(_server_names(server, _ns(vs)), vs_hosts):
                    vhost = rc.virtual_hosts.setdefault(host, _VirtualHost())
                    vhost.redirect |= redirect
                    if not any(vs is other for other in vhost.services):
                        vhost.services.append(vs)
            if redirect:
                for host in server.get("hosts") or []:
                    rc.virtual_hosts.setdefault(_bare_host(host), _VirtualHost()).redirect = True
    return list(configs.values())


def _sni_server(cfg: _Config, selector: dict[str, str], port: Any, host: str) -> Obj | None:
    """The TLS server on `port` whose filter chain a client naming `host` in SNI reaches: an
    exact server host first, then the longest wildcard, `*` last."""
    best: tuple[tuple[bool, int], Obj] | None = None
    for gw in cfg.gateways:
        if _selector(gw) != selector:
            continue
        for server in _spec(gw).get("servers") or []:
            protocol = str(_get(server, "port.protocol") or "").upper()
            if _get(server, "port.number") != port or protocol not in ("HTTPS", "TLS"):
                continue
            for name in map(_bare_host, server.get("hosts") or []):
                rank = (not name.startswith("*"), len(name))
                if vhost_covers(name, host) and (best is None or rank > best[0]):
                    best = (rank, server)
    return best[1] if best else None


def _reached(cfg: _Config, rc: _RouteConfig, host: str) -> bool:
    """Whether requests for `host` use `rc`: always on plain HTTP, where every server of the
    port shares it; on HTTPS only when SNI picks one of its servers."""
    if rc.name.startswith("http."):
        return True
    port = _get(rc.servers[0], "port.number")
    server = _sni_server(cfg, rc.selector, port, host)
    return any(server is s for s in rc.servers)


def _leaf_rules(cfg: _Config, vs: Obj) -> list[Obj]:
    """The http rules of `vs`, each delegating rule replaced by its delegate's rules."""
    rules = []
    for rule in _spec(vs).get("http") or []:
        target = rule.get("delegate")
        delegate = next((d for d in cfg.virtual_services if target and _ns(d) == target.get(
            "namespace", _ns(vs)) and d["metadata"]["name"] == target.get("name")), None)
        rules += (_spec(delegate).get("http") or []) if delegate else [rule]
    return rules


def _rule_key(rule: Obj) -> str:
    return json.dumps(rule, sort_keys=True, default=str)


def _host_index(vs: Obj, host: str) -> int:
    """Which of the VirtualService's hosts made the virtual host `host` (Istio refuses
    overlapping hosts in one VirtualService, so exactly one covers it)."""
    return next(i for i, h in enumerate(_spec(vs).get("hosts") or []) if vhost_covers(h, host))


def _wider_services(cfg: _Config, rc: _RouteConfig, host: str) -> list[tuple[str, Obj]]:
    """The VirtualServices meant to answer `host` on `rc`'s port through a wider host of theirs
    (bound to a gateway of the same pods with a server there that accepts `host`), nearest
    first: the ones a request for `host` would reach if `host` had no virtual host of its own."""
    port = _get(rc.servers[0], "port.number")
    wider: list[tuple[str, Obj]] = []
    for gw in cfg.gateways:
        servers = [s for s in _spec(gw).get("servers") or [] if _get(s, "port.number") == port
                   and not _get(s, "tls.httpsRedirect")]
        if _selector(gw) != rc.selector or not servers:
            continue
        key = (_ns(gw), gw["metadata"]["name"])
        for vs in cfg.virtual_services:
            if all(_gateway_key(n, _ns(vs)) != key for n in _spec(vs).get("gateways") or []):
                continue
            accepts = any(vhost_covers(name, host) or vhost_covers(host, name)
                          for s in servers for name in _server_names(s, _ns(vs)))
            wider += [(h, vs) for h in _spec(vs).get("hosts") or []
                      if accepts and h != host and vhost_covers(h, host)]
    nearest = max((len(h) for h, _ in wider), default=0)
    return [(h, vs) for h, vs in wider if len(h) == nearest]


def _shadowed_wildcard_routes(cfg: _Config) -> Iterator[Finding]:
    """ING0005: a host with its own virtual host hides the routes of the wildcard above it.

    Envoy answers a request from the most specific virtual host of the route configuration its
    connection uses (an exact host, then the longest wildcard, `*` last) and never falls back
    to a wider one. With `*.example.com` routing `/api/` and `app.example.com` routing `/app/`
    on one server, `https://app.example.com/api/` answers 404: istio/istio#55475 ("Document
    limitations of wildcard domains in VirtualServices": Istio does not merge wildcard hosts
    with non-wildcard hosts) and #58396 ("Virtual service with a more specific domain breaks a
    virtual service with wildcard domain").

    For each virtual host, in the route configuration its requests use (the port's one for
    plain HTTP, where all servers of a port share it; on HTTPS the server SNI picks), the
    rules of the nearest wider host meant for it (its VirtualService bound to a server of that
    port that accepts the host) must be among its own. They are when istiod merged both onto
    one virtual host (a server that names the exact host), when `inheritWildcardRoutes: true`
    rendered them, or when either redirects to HTTPS; `inheritWildcardRoutes: false` keeps a
    host apart on purpose. Clients that reuse an HTTP/2 connection for another host of its
    certificate can still land on another server's route configuration; IST0138 covers that.
    """
    found: dict[tuple[int, int, int], tuple[Obj, str, Obj, str, list[str], list[str]]] = {}
    for rc in _route_configs(cfg):
        for host, vhost in rc.virtual_hosts.items():
            if vhost.redirect or not _reached(cfg, rc, host) or any(
                _annotations(vs).get(WILDCARD_ROUTES_ANNOTATION) == "false"
                for vs in vhost.services
            ):
                continue
            own = {_rule_key(r) for vs in vhost.services for r in _leaf_rules(cfg, vs)}
            for wide_host, wide_vs in _wider_services(cfg, rc, host):
                hidden = [r.get("name") or f"http[{i}]"
                          for i, r in enumerate(_leaf_rules(cfg, wide_vs))
                          if _rule_key(r) not in own]
                for vs in vhost.services if hidden else []:
                    key = (id(vs), _host_index(vs, host), id(wide_vs))
                    entry = found.setdefault(key, (vs, host, wide_vs, wide_host, [], []))
                    entry[4].extend(n for n in hidden if n not in entry[4])
                    entry[5].append(rc.name)
    for (_, index, _), (vs, host, _, wide_host, hidden, rcs) in found.items():
        name = _spec(vs)["hosts"][index]
        yield Finding(
            "ING0005", "error", _ref(vs), f"spec.hosts[{index}]",
            f"routing.hosts[{name}] hides the routes {', '.join(hidden)} of "
            f"routing.hosts[{wide_host}] from requests to {host} (route configurations "
            f"{', '.join(rcs)}): Envoy answers them from the most specific virtual host only, "
            f"so they get a 404 or another route; set inheritWildcardRoutes: true on "
            f"routing.hosts[{name}] to render those routes after its own, or false to keep "
            "the hosts apart",
        )


def _annotations(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("annotations") or {}


_RULES: tuple[Callable[[_Config], Iterator[Finding]], ...] = (
    _missing_subsets,
    _missing_gateways,
    _hosts_not_in_gateways,
    _conflicting_gateways,
    _duplicate_certificates,
    _gateway_ports_on_service,
    _missing_credentials,
    _weights,
    _unreachable_rules,
    _durations,
    _shadowed_wildcard_routes,
)


def _of(obj: Obj, group: str, kind: str) -> bool:
    return obj.get("kind") == kind and obj.get("apiVersion", "").rpartition("/")[0] == group


def _natural(text: str) -> list[Any]:
    """`spec.http[2]` before `spec.http[10]`."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def analyze(
    objects: Iterable[Obj], *, credentials: set[tuple[str, str]] | None = None
) -> list[Finding]:
    """Every finding across `objects`, sorted by object, field and code.

    `credentials` holds the (namespace, secret name) pairs the caller's certificate sources
    create; kubernetes.io/tls Secrets among `objects` count too. Without it, credentialNames
    are not checked (ING0002), since their secrets may come from outside the program.
    """
    objs = list(objects)
    if credentials is not None:
        credentials = credentials | {
            (_ns(o), o["metadata"]["name"])
            for o in objs
            if _of(o, "", "Secret") and o.get("type") == "kubernetes.io/tls"
        }
    cfg = _Config(
        gateways=[o for o in objs if _of(o, "networking.istio.io", "Gateway")],
        virtual_services=[o for o in objs if _of(o, "networking.istio.io", "VirtualService")],
        destination_rules=[o for o in objs if _of(o, "networking.istio.io", "DestinationRule")],
        services=[o for o in objs if _of(o, "", "Service")],
        credentials=None if credentials is None else frozenset(credentials),
    )
    findings = [f for rule in _RULES for f in rule(cfg)]
    return sorted(findings, key=lambda f: (f.ref, _natural(f.field), f.code, f.message))
