"""Azure Application Gateway for Containers (AGC), from the Gateway API objects in the
manifests: the Gateway of class `azure-alb-*` (listeners: port, protocol, hostname, TLS
certificateRefs), its FrontendTLSPolicy (TLS policy per listener section), the HTTPRoutes
and GRPCRoutes attached to it (hostnames, matches, RequestRedirect filters, weighted
backendRefs; gRPC backends over HTTP/2), their
RoutePolicy (`timeouts.routeTimeout`, 60 s when absent) and the HealthCheckPolicy of each
backend Service (else AGC's default probe).

Requests carry what AGC adds: X-Forwarded-For appended with the client IP (comma without
space), X-Forwarded-Proto, X-Request-Id. HTTP/2 is always on at the frontend. Idle
connections close after 5 minutes.

Sources:
- https://learn.microsoft.com/azure/application-gateway/for-containers/application-gateway-for-containers-components
  (modifications to the request; request timeout 60 s; idle connections 5 minutes)
- https://learn.microsoft.com/azure/application-gateway/for-containers/custom-health-probe
  (HealthCheckPolicy, then readiness probe, then default: 5 s interval, 30 s timeout,
  1 healthy, 3 unhealthy, path /, host localhost, the backend port)
- https://learn.microsoft.com/azure/application-gateway/for-containers/api-specification-kubernetes
  (RoutePolicy timeouts.routeTimeout, FrontendTLSPolicy, HealthCheckPolicy)
- https://learn.microsoft.com/azure/application-gateway/for-containers/tls-policy
- https://gateway-api.sigs.k8s.io/reference/spec/#httproutematch (match precedence)
"""

from __future__ import annotations

import re
from typing import Any

from ingresslib.lab.front import envoy
from ingresslib.lab.front.certs import LabCA
from ingresslib.lab.front.model import (
    Addresses,
    FrontError,
    FrontListener,
    FrontPlan,
    HealthCheck,
    Timeout,
)
from ingresslib.lab.front.render import Render, ref
from ingresslib.lab.front.targets import service_targets

DEFAULT_ROUTE_TIMEOUT = 60.0
IDLE = 300.0
NOT_MODELED = [
    "WAF policy: no WAF in the lab",
    "readiness probes of backend pods as AGC's fallback probe (not in the render): AGC's "
    "default probe is used when no HealthCheckPolicy targets the Service",
    "session affinity, retries, URL rewrite and header modifier filters",
    "TLS policy: CBC suites of the policy are not offered (BoringSSL)",
    "Secrets' certificate contents: the lab mints a certificate for the listener hostname",
]


def gateways(render: Render) -> list[dict[str, Any]]:
    return [g for g in render.kind("Gateway", "gateway.networking.k8s.io")
            if str((g.get("spec") or {}).get("gatewayClassName", "")).startswith("azure-alb-")]


def _seconds(raw: str, obj: str, field_path: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(raw).strip())
    if not m:
        raise FrontError(obj, field_path, f"{raw!r} is not a duration")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def _targets(obj: dict[str, Any], kind: str, name: str, ns: str) -> bool:
    t = (obj.get("spec") or {}).get("targetRef") or {}
    return (t.get("kind") == kind and t.get("name") == name
            and t.get("namespace", obj["metadata"].get("namespace")) == ns)


def _precedence(rule_match: tuple[dict[str, Any], int]) -> tuple[Any, ...]:
    m, order = rule_match
    path = m.get("path") or {"type": "PathPrefix", "value": "/"}
    return (0 if path.get("type") == "Exact" else 1, -len(path.get("value", "/")),
            0 if m.get("method") else 1, -len(m.get("headers") or []),
            -len(m.get("queryParams") or []), order)


def _route_match(m: dict[str, Any], obj: str) -> dict[str, Any]:
    path = m.get("path") or {"type": "PathPrefix", "value": "/"}
    value = path.get("value", "/")
    out: dict[str, Any]
    if path.get("type") == "Exact":
        out = {"path": value}
    elif path.get("type") == "RegularExpression":
        out = {"safe_regex": {"regex": value}}
    elif value.rstrip("/"):
        out = {"path_separated_prefix": value.rstrip("/")}
    else:
        out = {"prefix": "/"}
    headers = []
    for h in m.get("headers") or []:
        sm = ({"exact": h["value"]} if h.get("type", "Exact") == "Exact"
              else {"safe_regex": {"regex": h["value"]}})
        headers.append({"name": h["name"].lower(), "string_match": sm})
    if m.get("method"):
        headers.append({"name": ":method", "string_match": {"exact": m["method"]}})
    if headers:
        out["headers"] = headers
    if m.get("queryParams"):
        out["query_parameters"] = [
            {"name": q["name"], "string_match": {"exact": q["value"]}}
            if q.get("type", "Exact") == "Exact" else
            {"name": q["name"], "string_match": {"safe_regex": {"regex": q["value"]}}}
            for q in m["queryParams"]]
    return out


def _grpc_match(m: dict[str, Any], obj: str) -> dict[str, Any]:
    """A GRPCRoute match as the equivalent HTTP match: /service/method exact, /service/
    prefix, or any gRPC call; headers kept."""
    method = m.get("method") or {}
    if method.get("type", "Exact") != "Exact":
        raise FrontError(obj, "rules[].matches[].method.type", "only Exact is emulated")
    svc, meth = method.get("service"), method.get("method")
    out: dict[str, Any] = {"headers": list(m.get("headers") or [])}
    if svc and meth:
        out["path"] = {"type": "Exact", "value": f"/{svc}/{meth}"}
    elif svc:
        out["path"] = {"type": "PathPrefix", "value": f"/{svc}"}
    elif meth:
        out["path"] = {"type": "RegularExpression", "value": f"/[^/]+/{re.escape(meth)}"}
    return out


class _Agc:
    def __init__(self, render: Render, addresses: Addresses, ca: LabCA) -> None:
        self.render, self.addresses, self.ca = render, addresses, ca
        gws = gateways(render)
        if len(gws) != 1:
            raise FrontError("manifests", "Gateway", f"{len(gws)} AGC Gateways: the lab "
                             "fronts one")
        self.gw = gws[0]
        self.obj = ref(self.gw)
        self.ns = self.gw["metadata"]["namespace"]
        self.clusters: dict[str, dict[str, Any]] = {}
        self.health_checks: list[HealthCheck] = []
        self.timeouts: list[Timeout] = []
        self.not_modeled = list(NOT_MODELED)

    def _probe(self, ns: str, name: str, ip: str, port: int, *, gateway: bool,
               cluster: str) -> HealthCheck:
        pols = [p for p in self.render.kind("HealthCheckPolicy")
                if _targets(p, "Service", name, ns)]
        if not pols:
            return HealthCheck(name=f"AGC default probe of Service/{ns}/{name}", target_ip=ip,
                               port=port, protocol="HTTP", path="/", interval=5, timeout=30,
                               healthy_threshold=1, unhealthy_threshold=3,
                               healthy_codes=((200, 399),), host="localhost", cluster=cluster,
                               source="AGC default health probe")
        pol, o = pols[0], ref(pols[0])
        d = (pol.get("spec") or {}).get("default") or {}
        http = d.get("http")
        hport = int(d.get("port", port))
        if gateway:
            hport = self.addresses.gateway_port(hport)
        codes = tuple((int(c.get("start", 200)), int(c.get("end", c.get("start", 200))))
                      for c in ((http or {}).get("match") or {}).get("statusCodes") or []) \
            or ((200, 399),)
        tls = bool(d.get("useTLS"))
        return HealthCheck(
            name=o, target_ip=ip, port=hport,
            protocol=("HTTPS" if tls else "HTTP") if http is not None or "grpc" not in d
            else "GRPC", path=(http or {}).get("path", "/"),
            interval=_seconds(d.get("interval", "5s"), o, "spec.default.interval"),
            timeout=_seconds(d.get("timeout", "30s"), o, "spec.default.timeout"),
            healthy_threshold=int(d.get("healthyThreshold", 1)),
            unhealthy_threshold=int(d.get("unhealthyThreshold", 3)), healthy_codes=codes,
            host=(http or {}).get("host", "localhost"), cluster=cluster,
            source=f"{o} spec.default")

    def _granted(self, route: dict[str, Any], b: dict[str, Any]) -> bool:
        """A backendRef across namespaces needs a ReferenceGrant in the Service's namespace
        from HTTPRoutes of the route's namespace (Gateway API)."""
        rns = route["metadata"]["namespace"]
        ns = b.get("namespace", rns)
        if ns == rns:
            return True
        for g in self.render.kind("ReferenceGrant"):
            spec = g.get("spec") or {}
            if g["metadata"].get("namespace") != ns:
                continue
            if any(f.get("kind") == "HTTPRoute" and f.get("namespace") == rns
                   for f in spec.get("from") or []) and any(
                    t.get("kind") == "Service" and t.get("name", b["name"]) == b["name"]
                    for t in spec.get("to") or []):
                return True
        return False

    def _cluster(self, route: dict[str, Any], b: dict[str, Any]) -> str:
        if not self._granted(route, b):
            self.not_modeled.append(f"{ref(route)}: backendRef {b.get('namespace')}/"
                                    f"{b['name']} has no ReferenceGrant: its share of "
                                    "requests fails (the lab answers 503, AGC 500)")
            self.clusters.setdefault("agc-unresolved", envoy.cluster("agc-unresolved", []))
            return "agc-unresolved"
        ns = b.get("namespace", route["metadata"]["namespace"])
        name, port = b["name"], b.get("port")
        if port is None:
            raise FrontError(ref(route), f"backendRefs[{name}].port", "missing")
        ips, tport, gw = service_targets(self.render, self.addresses, ns, name, int(port),
                                         via=ref(route))
        grpc = route.get("kind") == "GRPCRoute"
        key = envoy.safe_name("agc", ns, name, port, *(["grpc"] if grpc else []))
        if key not in self.clusters:
            hc = self._probe(ns, name, ips[0], tport, gateway=gw, cluster=key)
            if hc.protocol == "GRPC":
                raise FrontError(hc.name, "spec.default.grpc", "gRPC probes not emulated")
            self.health_checks.append(hc)
            # AGC speaks HTTP/1.1 to backends, HTTP/2 for gRPC.
            self.clusters[key] = envoy.cluster(
                key, [(ip, tport) for ip in ips], hc=hc, idle=IDLE, http2=grpc,
                hc_socket=envoy.upstream_tls() if hc.protocol == "HTTPS" else None)
        return key

    def _route_timeout(self, route: dict[str, Any]) -> tuple[float, str]:
        ns, name = route["metadata"]["namespace"], route["metadata"]["name"]
        for p in self.render.kind("RoutePolicy"):
            if _targets(p, route.get("kind", "HTTPRoute"), name, ns):
                raw = (((p.get("spec") or {}).get("default") or {}).get("timeouts") or {}).get(
                    "routeTimeout")
                if raw:
                    return (_seconds(raw, ref(p), "spec.default.timeouts.routeTimeout"),
                            f"{ref(p)} spec.default.timeouts.routeTimeout")
        return DEFAULT_ROUTE_TIMEOUT, "AGC default request timeout (60 s)"

    def _routes_for(self, lst: dict[str, Any]) -> list[dict[str, Any]]:
        section, listener_host = lst["name"], lst.get("hostname", "")
        allowed = (((lst.get("allowedRoutes") or {}).get("namespaces") or {}).get("from")
                   or "Same")
        if allowed not in ("Same", "All"):
            raise FrontError(self.obj, f"spec.listeners[{section}].allowedRoutes.namespaces",
                             f"from: {allowed} is not emulated")
        found: list[tuple[dict[str, Any], int, dict[str, Any], dict[str, Any]]] = []
        order = 0
        for route in [*self.render.kind("HTTPRoute", "gateway.networking.k8s.io"),
                      *self.render.kind("GRPCRoute", "gateway.networking.k8s.io")]:
            rns = route["metadata"]["namespace"]
            if allowed == "Same" and rns != self.ns:
                continue
            attached = any(p.get("name") == self.gw["metadata"]["name"]
                           and p.get("namespace", rns) == self.ns
                           and p.get("sectionName", section) == section
                           for p in (route.get("spec") or {}).get("parentRefs") or [])
            hosts = (route.get("spec") or {}).get("hostnames") or []
            if not attached or (listener_host and hosts and listener_host not in hosts):
                continue
            for rule in (route.get("spec") or {}).get("rules") or []:
                for m in rule.get("matches") or [{}]:
                    grpc = route.get("kind") == "GRPCRoute"
                    found.append((_grpc_match(m, ref(route)) if grpc else m, order, rule,
                                  route))
                    order += 1
        found.sort(key=lambda f: _precedence((f[0], f[1])))
        out = []
        for m, _, rule, route in found:
            out.append({"name": f"{ref(route)}/{rule.get('name', '')}",
                        "match": _route_match(m, ref(route)), **self._action(rule, route)})
        return out

    def _action(self, rule: dict[str, Any], route: dict[str, Any]) -> dict[str, Any]:
        for f in rule.get("filters") or []:
            if f.get("type") == "RequestRedirect":
                rr = f.get("requestRedirect") or {}
                red: dict[str, Any] = {"response_code": {301: "MOVED_PERMANENTLY",
                                                         302: "FOUND"}[
                    int(rr.get("statusCode", 302))]}
                if rr.get("scheme"):
                    red["scheme_redirect"] = rr["scheme"]
                if rr.get("hostname"):
                    red["host_redirect"] = rr["hostname"]
                if rr.get("port"):
                    red["port_redirect"] = int(rr["port"])
                return {"redirect": red}
            raise FrontError(ref(route), f"rules[{rule.get('name')}].filters",
                             f"filter {f.get('type')} not emulated")
        refs = rule.get("backendRefs") or []
        if not refs or not any(self._granted(route, b) for b in refs):
            # Gateway API: a rule with no resolvable backend answers 500.
            return {"direct_response": {"status": 500}}
        t, src = self._route_timeout(route)
        self.timeouts.append(Timeout("request", t, f"{ref(route)}/{rule.get('name', '')}", src))
        base: dict[str, Any] = {"timeout": envoy.dur(t)}
        if len(refs) == 1:
            return {"route": {"cluster": self._cluster(route, refs[0]), **base}}
        return {"route": {"weighted_clusters": {"clusters": [
            {"name": self._cluster(route, b), "weight": int(b.get("weight", 1))}
            for b in refs]}, **base}}

    def _tls_policy(self, section: str) -> str:
        for p in self.render.kind("FrontendTLSPolicy"):
            t = (p.get("spec") or {}).get("targetRef") or {}
            if (t.get("name") == self.gw["metadata"]["name"]
                    and section in (t.get("sectionNames") or [section])):
                pt = ((p.get("spec") or {}).get("default") or {}).get("policyType") or {}
                return str(pt.get("name", "2023-06"))
        return "2023-06"

    def build(self) -> FrontPlan:
        listeners, fl = [], []
        by_port: dict[int, list[dict[str, Any]]] = {}
        for lst in (self.gw.get("spec") or {}).get("listeners") or []:
            by_port.setdefault(int(lst["port"]), []).append(lst)
        for port, lsts in sorted(by_port.items()):
            https = lsts[0].get("protocol") == "HTTPS"
            chains = []
            for lst in lsts:
                host = lst.get("hostname", "")
                rc = {"name": f"agc-{lst['name']}", "virtual_hosts": [{
                    "name": lst["name"], "domains": [host, f"{host}:*"] if host else ["*"],
                    "routes": self._routes_for(lst)}],
                    "request_headers_to_add": [
                        envoy.xff_append(port=False),
                        envoy.header("x-forwarded-proto", "https" if https else "http")]}
                manager = envoy.hcm(f"agc_{lst['name']}", rc, idle=IDLE)
                manager["typed_config"]["generate_request_id"] = True
                manager["typed_config"]["preserve_external_request_id"] = False
                chain: dict[str, Any] = {"filters": [manager]}
                cert = None
                policy = ""
                if https:
                    refs = ((lst.get("tls") or {}).get("certificateRefs") or [])
                    if not refs or not host:
                        raise FrontError(self.obj, f"spec.listeners[{lst['name']}].tls",
                                         "an HTTPS listener needs certificateRefs and a "
                                         "hostname to mint its lab certificate")
                    cert = self.ca.mint(refs[0]["name"], (host,),
                                        f"{self.obj} spec.listeners[{lst['name']}].hostname")
                    policy = self._tls_policy(lst["name"])
                    chain["filter_chain_match"] = {"server_names": [host]}
                    chain["transport_socket"] = envoy.downstream_tls(
                        cert, ("h2", "http/1.1"),
                        envoy.tls_params(policy, self.obj, "FrontendTLSPolicy policyType"))
                chains.append(chain)
                fl.append(FrontListener(
                    name=lst["name"], ip=self.addresses.front_ip, port=port,
                    bind_port=self.addresses.bind_port(port),
                    protocol="HTTPS" if https else "HTTP", certificate=cert,
                    hostnames=(host,) if host else (),
                    alpn_policy="h2+http/1.1" if https else "",
                    alpn_protocols=("h2", "http/1.1") if https else (), tls_policy=policy,
                    idle_timeout=IDLE, source=f"{self.obj} spec.listeners[{lst['name']}]"))
            if not https and len(chains) > 1:
                # One plain port: one chain, the listeners as virtual hosts.
                vhosts = [v for c in chains for v in c["filters"][0]["typed_config"][
                    "route_config"]["virtual_hosts"]]
                chains[0]["filters"][0]["typed_config"]["route_config"]["virtual_hosts"] = vhosts
                chains = chains[:1]
            listeners.append(envoy.listener(f"agc-{port}", self.addresses.front_ip,
                                            self.addresses.bind_port(port), chains,
                                            [envoy.TLS_INSPECTOR] if https else []))
            self.timeouts.append(Timeout("http-idle", IDLE, f"port {port}",
                                         "AGC idle connections (5 minutes)"))
        return FrontPlan(
            product="azure-agc",
            bootstrap=envoy.bootstrap(self.addresses, listeners, list(self.clusters.values())),
            listeners=fl, health_checks=self.health_checks, timeouts=self.timeouts,
            not_modeled=list(dict.fromkeys(self.not_modeled)), ca_pem=self.ca.pem,
            proxy_protocol=dict.fromkeys(self.clusters, False))


def build(render: Render, addresses: Addresses, ca: LabCA) -> FrontPlan:
    return _Agc(render, addresses, ca).build()
