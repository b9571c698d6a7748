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
from functools import cached_property
from typing import Any, Literal

from ingresslib.config.duration import duration_problem
from ingresslib.config.host_index import HostIndex
from ingresslib.config.hostnames import vhost_covers
from ingresslib.config.wildcard_routes import WILDCARD_ROUTES_ANNOTATION

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
    """The objects the rules read, by kind, and the secrets known to exist; with the indexes
    that let each rule look up what it needs instead of scanning every object per object."""

    gateways: list[Obj]
    virtual_services: list[Obj]
    destination_rules: list[Obj]
    services: list[Obj]
    credentials: frozenset[tuple[str, str]] | None

    @cached_property
    def bound(self) -> dict[tuple[str, str], list[int]]:
        """(namespace, name) of a Gateway -> positions of the VirtualServices whose
        `spec.gateways` name it, in order."""
        bound: dict[tuple[str, str], list[int]] = {}
        for pos, vs in enumerate(self.virtual_services):
            for key in dict.fromkeys(_gateway_key(n, _ns(vs))
                                     for n in _spec(vs).get("gateways") or []):
                bound.setdefault(key, []).append(pos)
        return bound

    @cached_property
    def gateway_positions(self) -> dict[tuple[str, str], list[int]]:
        """(namespace, name) -> positions of the Gateways of that name, in order."""
        found: dict[tuple[str, str], list[int]] = {}
        for pos, gw in enumerate(self.gateways):
            found.setdefault((_ns(gw), gw["metadata"]["name"]), []).append(pos)
        return found

    @cached_property
    def by_name(self) -> dict[tuple[str, str], Obj]:
        """(namespace, name) -> the first VirtualService of that name (delegation's target)."""
        found: dict[tuple[str, str], Obj] = {}
        for vs in self.virtual_services:
            found.setdefault((_ns(vs), vs["metadata"]["name"]), vs)
        return found

    @cached_property
    def vs_hosts(self) -> HostIndex[tuple[int, int]]:
        """Every VirtualService host, as (position of the VirtualService, index of the host)."""
        return HostIndex((host, (pos, i)) for pos, vs in enumerate(self.virtual_services)
                         for i, host in enumerate(_spec(vs).get("hosts") or []))

    @cached_property
    def bound_hosts(self) -> dict[tuple[str, str], HostIndex[tuple[int, int]]]:
        """Per Gateway (namespace, name): the hosts of the VirtualServices bound to it, as
        (position of the VirtualService, index of the host)."""
        return {key: HostIndex((host, (pos, i)) for pos in positions
                               for i, host in enumerate(_spec(self.virtual_services[pos])
                                                        .get("hosts") or []))
                for key, positions in self.bound.items()}

    @cached_property
    def leaf_rules(self) -> dict[int, tuple[list[Obj], list[str]]]:
        """id of a VirtualService -> its leaf rules (`_leaf_rules`) and each one's key; filled
        on first use."""
        return {}

    @cached_property
    def selecting(self) -> dict[str, list[Obj]]:
        """Gateway selector -> the Services that select its pods; filled on first use."""
        return {}

    @cached_property
    def server_names(self) -> dict[int, _Names]:
        """id of a server -> its hosts by namespace prefix as written (`_server_names`)."""
        return {}

    @cached_property
    def port_names(self) -> dict[tuple[int, Any], _Names]:
        """(position of a Gateway, port) -> the hosts of its servers on that port that do not
        redirect to HTTPS (`_port_names`); filled on first use."""
        return {}

    @cached_property
    def server_hosts(self) -> dict[int, _Names]:
        """id of a Gateway -> its servers' hosts by namespace, `.` read as the Gateway's own
        (`_server_hosts_for`)."""
        return {}

    @cached_property
    def sni(self) -> dict[tuple[str, Any], HostIndex[tuple[tuple[bool, int], int, Obj]]]:
        """(selector, port) -> the names of the TLS servers there, each with its SNI rank and
        its order among them."""
        entries: dict[tuple[str, Any], list[tuple[str, tuple[tuple[bool, int], int, Obj]]]] = {}
        for gw in self.gateways:
            for server in _spec(gw).get("servers") or []:
                protocol = str(_get(server, "port.protocol") or "").upper()
                if protocol not in ("HTTPS", "TLS"):
                    continue
                rows = entries.setdefault((_selector_key(_selector(gw)),
                                           _get(server, "port.number")), [])
                for name in map(_bare_host, server.get("hosts") or []):
                    rows.append((name, ((not name.startswith("*"), len(name)), len(rows), server)))
        return {key: HostIndex(rows) for key, rows in entries.items()}


class _Names:
    """Host names by the namespace prefix they carry, each group indexed: the names visible to
    a namespace are those of the groups `""`, `*` and that namespace."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        groups: dict[str, list[tuple[str, None]]] = {}
        for ns, name in entries:
            groups.setdefault(ns, []).append((name, None))
        self._groups = {ns: HostIndex(rows) for ns, rows in groups.items()}

    def overlaps(self, namespace: str, host: str) -> bool:
        """Whether a name visible to `namespace` covers `host` or is covered by it."""
        return any(self._groups[ns].overlapping(host) for ns in dict.fromkeys(("", "*", namespace))
                   if ns in self._groups)


def _selector_key(selector: dict[str, str]) -> str:
    """Equal for equal selectors, usable as a dict key."""
    return json.dumps(selector, sort_keys=True, default=str)


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


def _bare_host(host: str) -> str:
    return host.split("/", 1)[-1]


def _server_hosts_for(cfg: _Config, gateway: Obj) -> _Names:
    """Server hosts by the namespace whose VirtualServices may bind to them (`ns/host`, `./`
    for the Gateway's own, `*/` or none for all)."""
    names = cfg.server_hosts.get(id(gateway))
    if names is None:
        entries = []
        for server in _spec(gateway).get("servers") or []:
            for host in server.get("hosts") or []:
                ns, _, name = host.rpartition("/")
                entries.append((_ns(gateway) if ns == "." else ns, name))
        names = cfg.server_hosts[id(gateway)] = _Names(entries)
    return names


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
        accepted = [_server_hosts_for(cfg, gw) for gw in bound]
        names = ", ".join(f"{k[0]}/{k[1]}" for k in keys if k in by_key)
        for i, host in enumerate(spec.get("hosts") or []):
            if not any(hosts.overlaps(_ns(vs), host) for hosts in accepted):
                yield Finding(
                    "IST0132", "warning", _ref(vs), f"spec.hosts[{i}]",
                    f"host {host} defined in VirtualService {_full_name(vs)} "
                    f"not found in Gateway {names}; add it to a server's hosts or remove it",
                )


def _conflicting_gateways(cfg: _Config) -> Iterator[Finding]:
    """IST0145: two Gateways claiming one host on one port of the same pods; one loses (a
    server collides with another's on the same port number when a host of each overlaps,
    namespace prefixes aside)."""
    rows: dict[tuple[str, Any], list[tuple[str, int]]] = {}
    for pos, gw in enumerate(cfg.gateways):
        for server in _spec(gw).get("servers") or []:
            rows.setdefault((_selector_key(_selector(gw)), _get(server, "port.number")), []) \
                .extend((_bare_host(h), pos) for h in server.get("hosts") or [])
    index = {key: HostIndex(entries) for key, entries in rows.items()}
    for gw in cfg.gateways:
        selector = _selector(gw)
        for i, server in enumerate(_spec(gw).get("servers") or []):
            hosts = index[(_selector_key(selector), _get(server, "port.number"))]
            others = {p for h in server.get("hosts") or [] for p in hosts.overlapping(_bare_host(h))
                      if cfg.gateways[p] is not gw}
            rivals = sorted(_full_name(cfg.gateways[p]) for p in others)
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
    users: dict[str, dict[int, Obj]] = {}  # credential name -> the Gateways that serve it
    for gw in cfg.gateways:
        for server in _spec(gw).get("servers") or []:
            for _, name in _credential_names(server):
                users.setdefault(name, {})[id(gw)] = gw
    for gw in cfg.gateways:
        for i, server in enumerate(_spec(gw).get("servers") or []):
            for path, name in _credential_names(server):
                others = sorted(
                    _full_name(other)
                    for other in users[name].values()
                    if other is not gw and _shares_pods(_selector(gw), _selector(other))
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
    key = _selector_key(_selector(gateway))
    if key not in cfg.selecting:
        labels = _selector(gateway).items()
        cfg.selecting[key] = [s for s in cfg.services
                              if _selector(s) and _selector(s).items() <= labels]
    return cfg.selecting[key]


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


def _server_names(cfg: _Config, server: Obj) -> _Names:
    """Istio's NamesForNamespace: the server's hosts by the namespace whose VirtualServices
    see them (`ns/` as written, `*/` or none for all)."""
    names = cfg.server_names.get(id(server))
    if names is None:
        names = cfg.server_names[id(server)] = _Names(
            host.rpartition("/")[::2] for host in server.get("hosts") or [])
    return names


def _port_names(cfg: _Config, gw_pos: int, port: Any) -> _Names:
    """The names of Gateway `gw_pos`'s servers on `port` that do not redirect to HTTPS, as
    one `_Names` (a host overlaps it when it overlaps one of those servers' names)."""
    names = cfg.port_names.get((gw_pos, port))
    if names is None:
        servers = [s for s in _spec(cfg.gateways[gw_pos]).get("servers") or []
                   if _get(s, "port.number") == port and not _get(s, "tls.httpsRedirect")]
        names = cfg.port_names[(gw_pos, port)] = _Names(
            host.rpartition("/")[::2] for s in servers for host in s.get("hosts") or [])
    return names


def _intersections(cfg: _Config, key: tuple[str, str], server: Obj) -> Iterator[tuple[Obj, str]]:
    """Istio's host.Names.Intersection of the server's names with the hosts of each
    VirtualService bound to Gateway `key`: of each pair that overlaps, the narrower name, each
    a virtual host the VirtualService's rules go to. In the order of the VirtualServices, then
    of the server's names, then of the VirtualService's hosts."""
    index = cfg.bound_hosts.get(key)
    pairs: dict[int, list[tuple[int, int, str]]] = {}
    for s_pos, host in enumerate(server.get("hosts") or [] if index else []):
        ns, _, name = host.rpartition("/")
        for vs_pos, v in index.covering(name):  # the VirtualService's host covers the name
            if ns in ("", "*", _ns(cfg.virtual_services[vs_pos])):
                pairs.setdefault(vs_pos, []).append((s_pos, v, name))
        for vs_pos, v in index.covered_by(name):  # the name covers the VirtualService's host
            if ns in ("", "*", _ns(cfg.virtual_services[vs_pos])):
                pairs.setdefault(vs_pos, []).append(
                    (s_pos, v, _spec(cfg.virtual_services[vs_pos])["hosts"][v]))
    for vs_pos in sorted(pairs):
        vs = cfg.virtual_services[vs_pos]
        # Where both cover each other the names are equal, so either pick is the narrower.
        for name in dict.fromkeys(name for _, _, name in sorted(pairs[vs_pos])):
            yield vs, name


def _route_configs(cfg: _Config) -> list[_RouteConfig]:
    """Every HTTP route configuration the gateways give their workloads, with its virtual hosts
    built as istiod builds them (buildGatewayHTTPRouteConfig)."""
    configs: dict[tuple[str, str], _RouteConfig] = {}
    for gw in cfg.gateways:
        key = (_ns(gw), gw["metadata"]["name"])
        for server in _spec(gw).get("servers") or []:
            name = _route_config_name(gw, server)
            if name is None:
                continue
            rc = configs.setdefault((_selector_text(_selector(gw)), name),
                                    _RouteConfig(name, _selector(gw)))
            rc.servers.append(server)
            redirect = name.startswith("http.") and bool(_get(server, "tls.httpsRedirect"))
            for vs, host in _intersections(cfg, key, server):
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
    exact server host first, then the longest wildcard, `*` last (the first of equals)."""
    index = cfg.sni.get((_selector_key(selector), port))
    ranked = index.covering(host) if index else []
    return max(ranked, key=lambda r: (r[0], -r[1]))[2] if ranked else None


def _reached(cfg: _Config, rc: _RouteConfig, host: str) -> bool:
    """Whether requests for `host` use `rc`: always on plain HTTP, where every server of the
    port shares it; on HTTPS only when SNI picks one of its servers."""
    if rc.name.startswith("http."):
        return True
    port = _get(rc.servers[0], "port.number")
    server = _sni_server(cfg, rc.selector, port, host)
    return any(server is s for s in rc.servers)


def _leaf_rules(cfg: _Config, vs: Obj) -> tuple[list[Obj], list[str]]:
    """The http rules of `vs`, each delegating rule replaced by its delegate's rules; and the
    key of each (`_rule_key`)."""
    if id(vs) not in cfg.leaf_rules:
        rules = []
        for rule in _spec(vs).get("http") or []:
            target = rule.get("delegate")
            delegate = cfg.by_name.get((target.get("namespace", _ns(vs)), target.get("name"))) \
                if target else None
            rules += (_spec(delegate).get("http") or []) if delegate else [rule]
        cfg.leaf_rules[id(vs)] = (rules, [_rule_key(r) for r in rules])
    return cfg.leaf_rules[id(vs)]


def _rule_key(rule: Obj) -> str:
    return json.dumps(rule, sort_keys=True, default=str)


def _host_index(vs: Obj, host: str) -> int:
    """Which of the VirtualService's hosts made the virtual host `host` (Istio refuses
    overlapping hosts in one VirtualService, so exactly one covers it)."""
    return next(i for i, h in enumerate(_spec(vs).get("hosts") or []) if vhost_covers(h, host))


def _wider_services(cfg: _Config, rc: _RouteConfig, host: str) -> list[tuple[str, Obj]]:
    """The VirtualServices meant to answer `host` on `rc`'s port through a wider host of theirs
    (bound to a gateway of the same pods with a server there that accepts `host`), nearest
    first: the ones a request for `host` would reach if `host` had no virtual host of its own.
    In the order of the gateways, then of the VirtualServices, then of their hosts."""
    port = _get(rc.servers[0], "port.number")
    found: list[tuple[int, int, int, str, Obj]] = []
    for vs_pos, i in cfg.vs_hosts.covering(host):
        vs = cfg.virtual_services[vs_pos]
        wide = _spec(vs)["hosts"][i]
        keys = dict.fromkeys(_gateway_key(n, _ns(vs)) for n in _spec(vs).get("gateways") or [])
        for gw_pos in (p for key in keys for p in cfg.gateway_positions.get(key, ())):
            if (wide != host and _selector(cfg.gateways[gw_pos]) == rc.selector
                    and _port_names(cfg, gw_pos, port).overlaps(_ns(vs), host)):
                found.append((gw_pos, vs_pos, i, wide, vs))
    wider = [(h, vs) for *_, h, vs in sorted(found, key=lambda f: f[:3])]
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
            own = {k for vs in vhost.services for k in _leaf_rules(cfg, vs)[1]}
            for wide_host, wide_vs in _wider_services(cfg, rc, host):
                rules, keys = _leaf_rules(cfg, wide_vs)
                hidden = [r.get("name") or f"http[{i}]"
                          for i, (r, k) in enumerate(zip(rules, keys, strict=True))
                          if k not in own]
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
