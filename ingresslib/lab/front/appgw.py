"""Azure Application Gateway v2, from the plan's `azure-native:network:ApplicationGateway`
(ingresslib's own listeners and rules), or, when the manifests hold Ingresses of class
`azure-application-gateway`, from those Ingresses as AGIC turns them into listeners and rules
on that gateway (the plan then holds AGIC's placeholders, which AGIC replaces).

Plan mode reads: httpListeners (frontend port, protocol, hostNames, sslCertificate,
requireServerNameIndication), requestRoutingRules by priority (Basic or PathBasedRouting via
urlPathMaps; backend pool + HTTP settings, redirectConfiguration, rewriteRuleSet),
backendHttpSettingsCollection (port, protocol, requestTimeout, probe, hostName), probes
(protocol, host, path, port, interval, timeout, unhealthyThreshold, match.statusCodes),
redirectConfigurations, rewriteRuleSets, sslPolicy, enableHttp2. A backend pool address that is
the internal Azure load balancer of the gateway Service (its `azure-load-balancer-ipv4` or
loadBalancerIP) is that Service: its rules (no rule for a port: no target) and probes apply.

AGIC mode reads each Ingress's rules (host, paths: Prefix `/p/` becomes `/p/*`), TLS
(`spec.tls` or `appgw-ssl-certificate`, which must name a plan sslCertificate) and the
annotations backend-protocol, request-timeout (default 30 s), health-probe-path/port/interval/
timeout/unhealthy-threshold/status-code/hostname, rewrite-rule-set (must name a plan rewrite
rule set), ssl-redirect.

Requests carry what Application Gateway adds: X-Forwarded-For appended with the client's
`ip:port` (a rewrite to `{var_add_x_forwarded_for_proxy}` appends the IP only),
X-Forwarded-Proto, X-Forwarded-Port, X-Original-Host, X-Original-URL. The backend settings'
request timeout is the route timeout and the stream idle timeout (it also cuts WebSockets).

Sources:
- https://learn.microsoft.com/azure/application-gateway/how-application-gateway-works
  (headers added: X-Forwarded-For with port, X-Forwarded-Proto, X-Forwarded-Port,
  X-Original-Host, X-Original-URL)
- https://learn.microsoft.com/azure/application-gateway/rewrite-http-headers-url
  (server variables; add_x_forwarded_for_proxy is the IP without port)
- https://learn.microsoft.com/azure/application-gateway/configuration-http-settings
  (request timeout, default 20 s; host name override)
- https://learn.microsoft.com/azure/application-gateway/application-gateway-probe-overview
  (default probe: same protocol and port, path /, 30 s interval and timeout, 3 failures,
  host 127.0.0.1, healthy 200-399)
- https://learn.microsoft.com/azure/application-gateway/redirect-overview
- https://azure.github.io/application-gateway-kubernetes-ingress/annotations/
  (AGIC annotations and their defaults; request-timeout 30 s)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ingresslib.lab.front import azure_lb, envoy
from ingresslib.lab.front.certs import LabCA
from ingresslib.lab.front.model import (
    Addresses,
    Certificate,
    FrontError,
    FrontListener,
    FrontPlan,
    HealthCheck,
    Timeout,
)
from ingresslib.lab.front.render import Render, ref, service_ports
from ingresslib.lab.front.targets import service_targets

AGIC = "appgw.ingress.kubernetes.io/"
NOT_MODELED = [
    "the internal load balancer between a chained Application Gateway and the gateway is "
    "collapsed: its rules decide reachability, its probes run, its idle timeout does not apply",
    "X-Forwarded-For values joined with \",\" (Application Gateway's separator is not "
    "documented)",
    "WAF policy: no WAF in the lab",
    "X-AppGW-Trace-Id",
    "connection draining, autoscaling, zones",
    "client-side idle timeout of the frontend",
    "Key Vault certificate contents: the lab mints a certificate for the listener's host names",
    "TLS policy: CBC suites of the policy are not offered (BoringSSL)",
    "path rules are tried in the order of the path map (AGIC: longest path first)",
]
# AGIC annotations the emulation reads, and those that change nothing it models; any other
# one changes routing in a way the lab does not follow, and is reported.
AGIC_READ = {"appgw-ssl-certificate", "backend-protocol", "request-timeout", "health-probe-path",
             "health-probe-port", "health-probe-interval", "health-probe-timeout",
             "health-probe-unhealthy-threshold", "health-probe-status-code",
             "health-probe-hostname", "rewrite-rule-set", "ssl-redirect", "backend-hostname"}
AGIC_INERT = {"connection-draining", "connection-draining-timeout", "cookie-based-affinity",
              "cookie-based-affinity-distinct-name", "waf-policy-for-path", "use-private-ip",
              "appgw-trusted-root-certificate"}
REDIRECT_CODES = {"Permanent": "MOVED_PERMANENTLY", "Found": "FOUND", "SeeOther": "SEE_OTHER",
                  "Temporary": "TEMPORARY_REDIRECT"}
VARIABLES = {"client_ip": "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%",
             "client_port": "%DOWNSTREAM_DIRECT_REMOTE_PORT%", "host": "%REQ(:authority)%",
             "request_uri": "%REQ(:path)%", "http_method": "%REQ(:method)%"}


@dataclass
class Backend:
    """A backend pool with its HTTP settings: where and how requests go."""

    key: str
    endpoints: list[tuple[str, int]]
    https: bool
    request_timeout: float
    probe: HealthCheck | None
    host: str
    source: str


@dataclass
class Rule:
    name: str
    paths: tuple[str, ...]
    backend: Backend | None = None
    redirect: dict[str, Any] | None = None
    rewrite: dict[str, Any] | None = None


@dataclass
class Site:
    """One Application Gateway listener with the rules it routes by."""

    name: str
    port: int
    https: bool
    hostnames: tuple[str, ...]
    cert: Certificate | None
    require_sni: bool
    rules: list[Rule] = field(default_factory=list)


def _last(ref_: dict[str, Any] | None) -> str:
    return str((ref_ or {}).get("id", "")).rstrip("/").rsplit("/", 1)[-1]


def _codes(statuses: list[str], obj: str, field_path: str) -> tuple[tuple[int, int], ...]:
    return envoy.codes(",".join(statuses), obj, field_path)


def _rewrite_headers(rw: dict[str, Any] | None, obj: str
                     ) -> tuple[list[dict[str, Any]], list[str], bool]:
    """(request headers to add, to remove, whether X-Forwarded-For is set by the set)."""
    add: list[dict[str, Any]] = []
    remove: list[str] = []
    xff = False
    if not rw:
        return add, remove, xff
    for i, rule in enumerate(sorted(rw.get("rewriteRules") or [],
                                    key=lambda r: r.get("ruleSequence", 100))):
        fp = f"rewriteRuleSets[{rw.get('name')}].rewriteRules[{i}]"
        if rule.get("conditions"):
            raise FrontError(obj, f"{fp}.conditions", "conditional rewrites are not emulated")
        actions = rule.get("actionSet") or {}
        if actions.get("urlConfiguration") or actions.get("responseHeaderConfigurations"):
            raise FrontError(obj, f"{fp}.actionSet", "only request header rewrites are emulated")
        for h in actions.get("requestHeaderConfigurations") or []:
            name, value = h["headerName"].lower(), h.get("headerValue", "")
            if name == "x-forwarded-for":
                xff = True
            if value == "":
                remove.append(name)
                continue
            if value == "{var_add_x_forwarded_for_proxy}":
                if name != "x-forwarded-for":
                    raise FrontError(obj, f"{fp}.headerValue", "add_x_forwarded_for_proxy "
                                     "into another header is not emulated")
                add.append(envoy.xff_append(port=False))
                continue

            def sub(m: re.Match[str], fp: str = fp) -> str:
                var = m.group(1)
                if var.startswith("http_req_"):
                    return f"%REQ({var[9:]})%"
                if var.startswith("var_") and var[4:] in VARIABLES:
                    return VARIABLES[var[4:]]
                raise FrontError(obj, f"{fp}.headerValue", f"server variable {var} not emulated")

            add.append(envoy.header(name, re.sub(r"\{([a-z_0-9-]+)\}", sub, value)))
    return add, remove, xff


class _AppGw:
    def __init__(self, render: Render, addresses: Addresses, ca: LabCA) -> None:
        self.render, self.addresses, self.ca = render, addresses, ca
        gws = render.resources("network:ApplicationGateway")
        if len(gws) != 1:
            raise FrontError("plan.json", "ApplicationGateway", f"{len(gws)} gateways")
        self.gw = gws[0]
        self.obj = ref(self.gw)
        self.inp = self.gw["inputs"]
        self.health_checks: list[HealthCheck] = []
        self.clusters: dict[str, dict[str, Any]] = {}
        self.extra_clusters: list[dict[str, Any]] = []
        self.not_modeled = list(NOT_MODELED)
        self.timeouts: list[Timeout] = []

    def named(self, collection: str, name: str, via: str) -> dict[str, Any]:
        for item in self.inp.get(collection) or []:
            if item.get("name") == name:
                return item
        raise FrontError(via, f"{collection}[{name}]", "not in the Application Gateway plan")

    # Plan mode ---------------------------------------------------------------------------
    def _lb_service(self, ip: str) -> dict[str, Any] | None:
        for svc in self.render.kind("Service"):
            ann = (svc.get("metadata") or {}).get("annotations") or {}
            if ip in (ann.get("service.beta.kubernetes.io/azure-load-balancer-ipv4"),
                      (svc.get("spec") or {}).get("loadBalancerIP")):
                return svc
        return None

    def _pool_endpoints(self, pool: dict[str, Any], port: int) -> list[tuple[str, int]]:
        out = []
        for a in pool.get("backendAddresses") or []:
            ip = a.get("ipAddress")
            svc = self._lb_service(ip) if ip else None
            if svc is None:
                raise FrontError(self.obj, f"backendAddressPools[{pool.get('name')}]",
                                 f"address {a} is no load balancer Service of the render")
            out.extend(self._through_lb(svc, port))
        return out

    def _through_lb(self, svc: dict[str, Any], port: int) -> list[tuple[str, int]]:
        ann = (svc.get("metadata") or {}).get("annotations") or {}
        meta = svc["metadata"]
        if str(ann.get(f"service.beta.kubernetes.io/port_{port}_no_lb_rule", "")).lower() \
                == "true" or port not in [p.get("port") for p in service_ports(svc)]:
            self.not_modeled.append(f"{ref(svc)} has no load-balancing rule for port {port}: "
                                    "nothing answers there")
            return []
        ips, tport, _ = service_targets(self.render, self.addresses, meta["namespace"],
                                        meta["name"], port, via=ref(svc))
        return [(ip, tport) for ip in ips]

    def _plan_probe(self, settings: dict[str, Any], endpoints: list[tuple[str, int]],
                    pool: dict[str, Any], cluster: str) -> HealthCheck | None:
        pid = _last(settings.get("probe"))
        https = settings.get("protocol") == "Https"
        if pid:
            pr = self.named("probes", pid, self.obj)
            port = int(pr.get("port") or settings["port"])
            host = pr.get("host", "")
            if pr.get("pickHostNameFromBackendHttpSettings"):
                host = settings.get("hostName", "")
            hc_eps = self._pool_endpoints(pool, port)
            hc = HealthCheck(
                name=f"{self.obj} probe {pid}", target_ip=hc_eps[0][0] if hc_eps else "",
                port=hc_eps[0][1] if hc_eps else port,
                protocol=str(pr.get("protocol", "Http")).upper(), path=pr.get("path", "/"),
                interval=float(pr.get("interval", 30)), timeout=float(pr.get("timeout", 30)),
                healthy_threshold=1, unhealthy_threshold=int(pr.get("unhealthyThreshold", 3)),
                healthy_codes=_codes((pr.get("match") or {}).get("statusCodes") or ["200-399"],
                                     self.obj, f"probes[{pid}].match.statusCodes"),
                host=host, cluster=cluster, emulated=bool(hc_eps),
                source=f"{self.obj} probes[{pid}]")
        else:
            hc = HealthCheck(
                name=f"{self.obj} default probe of {settings['name']}",
                target_ip=endpoints[0][0] if endpoints else "",
                port=endpoints[0][1] if endpoints else int(settings["port"]),
                protocol="HTTPS" if https else "HTTP", path="/", interval=30, timeout=30,
                healthy_threshold=1, unhealthy_threshold=3, healthy_codes=((200, 399),),
                host="127.0.0.1", cluster=cluster, emulated=bool(endpoints),
                source="Application Gateway default probe")
        self.health_checks.append(hc)
        return hc

    def _plan_backend(self, pool_ref: dict[str, Any], settings_ref: dict[str, Any],
                      via: str) -> Backend:
        pool = self.named("backendAddressPools", _last(pool_ref), via)
        st = self.named("backendHttpSettingsCollection", _last(settings_ref), via)
        key = envoy.safe_name("appgw", pool["name"], st["name"])
        endpoints = self._pool_endpoints(pool, int(st["port"]))
        if st.get("pickHostNameFromBackendAddress"):
            raise FrontError(self.obj, f"backendHttpSettingsCollection[{st['name']}]."
                             "pickHostNameFromBackendAddress", "not emulated")
        return Backend(key=key, endpoints=endpoints, https=st.get("protocol") == "Https",
                       request_timeout=float(st.get("requestTimeout", 20)),
                       probe=self._plan_probe(st, endpoints, pool, key),
                       host=st.get("hostName", ""),
                       source=f"{self.obj} backendHttpSettingsCollection[{st['name']}]")

    def _plan_redirect(self, name: str, via: str) -> dict[str, Any]:
        rc = self.named("redirectConfigurations", name, via)
        out: dict[str, Any] = {"response_code": REDIRECT_CODES[rc.get("redirectType",
                                                                      "Permanent")]}
        if rc.get("targetListener"):
            tl = self.named("httpListeners", _last(rc["targetListener"]), via)
            out["scheme_redirect"] = "https" if tl.get("protocol") == "Https" else "http"
            port = self._frontend_port(tl)
            if port != {"https": 443, "http": 80}[out["scheme_redirect"]]:
                out["port_redirect"] = port
            if not rc.get("includePath", False):
                out["path_redirect"] = "/"
        elif rc.get("targetUrl"):
            raise FrontError(via, f"redirectConfigurations[{name}].targetUrl", "not emulated")
        if not rc.get("includeQueryString", False):
            out["strip_query"] = True
        return out

    def _frontend_port(self, listener: dict[str, Any]) -> int:
        fp = self.named("frontendPorts", _last(listener.get("frontendPort")), self.obj)
        return int(fp["port"])

    def _rewrite(self, rule: dict[str, Any]) -> dict[str, Any] | None:
        name = _last(rule.get("rewriteRuleSet"))
        return self.named("rewriteRuleSets", name, self.obj) if name else None

    def _plan_rules(self, rule: dict[str, Any]) -> list[Rule]:
        via = f"{self.obj} requestRoutingRules[{rule['name']}]"
        if rule.get("ruleType", "Basic") == "Basic":
            r = Rule(rule["name"], (), rewrite=self._rewrite(rule))
            if rule.get("redirectConfiguration"):
                r.redirect = self._plan_redirect(_last(rule["redirectConfiguration"]), via)
            else:
                r.backend = self._plan_backend(rule.get("backendAddressPool") or {},
                                               rule.get("backendHttpSettings") or {}, via)
            return [r]
        upm = self.named("urlPathMaps", _last(rule.get("urlPathMap")), via)
        out = []
        for pr in upm.get("pathRules") or []:
            r = Rule(f"{rule['name']}/{pr['name']}", tuple(pr["paths"]),
                     rewrite=self._rewrite(pr) or self._rewrite(rule))
            if pr.get("redirectConfiguration"):
                r.redirect = self._plan_redirect(_last(pr["redirectConfiguration"]), via)
            else:
                r.backend = self._plan_backend(pr["backendAddressPool"],
                                               pr["backendHttpSettings"], via)
            out.append(r)
        d = Rule(f"{rule['name']}/default", (), rewrite=self._rewrite(upm) or self._rewrite(rule))
        if upm.get("defaultRedirectConfiguration"):
            d.redirect = self._plan_redirect(_last(upm["defaultRedirectConfiguration"]), via)
        else:
            d.backend = self._plan_backend(upm["defaultBackendAddressPool"],
                                           upm["defaultBackendHttpSettings"], via)
        out.append(d)
        return out

    def plan_sites(self) -> list[Site]:
        sites = {}
        for lst in self.inp.get("httpListeners") or []:
            https = lst.get("protocol") == "Https"
            hosts = tuple(lst.get("hostNames") or ([lst["hostName"]] if lst.get("hostName")
                                                   else []))
            cert = None
            if https:
                cname = _last(lst.get("sslCertificate"))
                self.named("sslCertificates", cname, self.obj)
                if not hosts:
                    raise FrontError(self.obj, f"httpListeners[{lst['name']}].hostNames",
                                     "an HTTPS listener without host names: the render "
                                     "holds no names for its certificate")
                cert = self.ca.mint(cname, hosts, f"{self.obj} httpListeners[{lst['name']}]"
                                                  ".hostNames")
            sites[lst["name"]] = Site(lst["name"], self._frontend_port(lst), https, hosts, cert,
                                      bool(lst.get("requireServerNameIndication")))
        for rule in sorted(self.inp.get("requestRoutingRules") or [],
                           key=lambda r: r.get("priority", 0)):
            name = _last(rule.get("httpListener"))
            if name not in sites:
                raise FrontError(self.obj, f"requestRoutingRules[{rule['name']}].httpListener",
                                 f"{name!r} is no listener")
            sites[name].rules.extend(self._plan_rules(rule))
        self._internal_lb_probes()
        return list(sites.values())

    def _internal_lb_probes(self) -> None:
        """Probes of the internal load balancer behind the gateway's pool (run, but only
        reported: the Application Gateway's own probe decides its rotation)."""
        for pool in self.inp.get("backendAddressPools") or []:
            for a in pool.get("backendAddresses") or []:
                svc = self._lb_service(a.get("ipAddress", ""))
                if svc is None:
                    continue
                meta = svc["metadata"]
                for p in service_ports(svc):
                    n = int(p["port"])
                    if str((meta.get("annotations") or {}).get(
                            f"service.beta.kubernetes.io/port_{n}_no_lb_rule", "")).lower() \
                            == "true":
                        continue
                    cname = envoy.safe_name("azlb-probe", meta["name"], n)
                    hc = azure_lb.probe(self.render, svc, p, self.addresses, cname)
                    if hc is None:
                        continue
                    self.health_checks.append(hc)
                    if hc.emulated:
                        self.extra_clusters.append(envoy.cluster(
                            cname, [(hc.target_ip, hc.port)], hc=hc))

    # AGIC mode ---------------------------------------------------------------------------
    def agic_sites(self, ingresses: list[dict[str, Any]]) -> list[Site]:
        certs = {c["name"] for c in self.inp.get("sslCertificates") or []}
        sites: dict[tuple[int, str], Site] = {}
        for ing in ingresses:
            obj = ref(ing)
            ann = {k: str(v) for k, v in (ing["metadata"].get("annotations") or {}).items()}
            for k in ann:
                if k.startswith(AGIC) and k[len(AGIC):] not in AGIC_READ | AGIC_INERT:
                    raise FrontError(obj, f"metadata.annotations[{k}]",
                                     "an AGIC annotation the emulation does not follow")
            spec = ing.get("spec") or {}
            tls_hosts = {h for t in spec.get("tls") or [] for h in t.get("hosts") or []}
            appgw_cert = ann.get(AGIC + "appgw-ssl-certificate")
            if appgw_cert and appgw_cert not in certs:
                raise FrontError(obj, f"metadata.annotations[{AGIC}appgw-ssl-certificate]",
                                 f"{appgw_cert!r} is no sslCertificate of {self.obj}")
            rw_name = ann.get(AGIC + "rewrite-rule-set")
            rewrite = self.named("rewriteRuleSets", rw_name, obj) if rw_name else None
            redirect = ann.get(AGIC + "ssl-redirect", "false").lower() == "true"
            for r in spec.get("rules") or []:
                host = r.get("host", "")
                https = bool(appgw_cert) or host in tls_hosts
                rules = [self._agic_rule(ing, ann, p, rewrite)
                         for p in (r.get("http") or {}).get("paths") or []]
                hosts = (host,) if host else ()
                if https:
                    key = (443, host)
                    if key not in sites:
                        ref_ = appgw_cert or next(t.get("secretName", "") for t in spec["tls"]
                                                  if host in (t.get("hosts") or []))
                        if not hosts:
                            raise FrontError(obj, "spec.rules[].host", "a TLS rule without a "
                                             "host: the render holds no names for its "
                                             "certificate")
                        sites[key] = Site(f"https-{host}", 443, True, hosts,
                                          self.ca.mint(ref_, hosts, f"{obj} spec.rules.host"),
                                          False)
                    sites[key].rules.extend(rules)
                key = (80, host)
                sites.setdefault(key, Site(f"http-{host or 'any'}", 80, False, hosts, None,
                                           False))
                if https and redirect:
                    sites[key].rules = [Rule(f"{obj} ssl-redirect", (), redirect={
                        "response_code": "MOVED_PERMANENTLY", "scheme_redirect": "https"})]
                elif not any(x.redirect for x in sites[key].rules):
                    sites[key].rules.extend(rules)
        for s in sites.values():
            s.rules.sort(key=lambda r: -max((len(p) for p in r.paths), default=0))
        return list(sites.values())

    def _agic_rule(self, ing: dict[str, Any], ann: dict[str, str], path: dict[str, Any],
                   rewrite: dict[str, Any] | None) -> Rule:
        obj = ref(ing)
        svc = (path.get("backend") or {}).get("service") or {}
        port = (svc.get("port") or {}).get("number") or (svc.get("port") or {}).get("name")
        ns = ing["metadata"]["namespace"]
        ips, tport, _ = service_targets(self.render, self.addresses, ns, svc.get("name", ""),
                                        port, via=obj)
        raw, ptype = path.get("path", "/"), path.get("pathType", "Prefix")
        paths: tuple[str, ...] = ()
        if ptype == "Prefix" and raw != "/":
            paths = (raw.rstrip("/") + "/*", raw) if not raw.endswith("/") else (raw + "*",)
        elif ptype != "Prefix" and raw not in ("/", "/*"):
            paths = (raw,)
        key = envoy.safe_name("agic", ns, svc.get("name"), port, ing["metadata"]["name"])

        def num(k: str, default: float) -> float:
            v = ann.get(AGIC + k)
            if v is None:
                return default
            if not v.strip().isdigit():
                raise FrontError(obj, f"metadata.annotations[{AGIC}{k}]", f"{v!r} not a number")
            return float(v)

        https = ann.get(AGIC + "backend-protocol", "http").lower() == "https"
        probe_port = int(num("health-probe-port", tport))
        hc = HealthCheck(
            name=f"{obj} probe", target_ip=ips[0], port=probe_port,
            protocol="HTTPS" if https else "HTTP", path=ann.get(AGIC + "health-probe-path", "/"),
            interval=num("health-probe-interval", 30), timeout=num("health-probe-timeout", 30),
            healthy_threshold=1,
            unhealthy_threshold=int(num("health-probe-unhealthy-threshold", 3)),
            healthy_codes=envoy.codes(ann.get(AGIC + "health-probe-status-code", "200-399"),
                                      obj, f"metadata.annotations[{AGIC}health-probe-status-code]"),
            host=ann.get(AGIC + "health-probe-hostname", ""), cluster=key,
            source=f"{obj} annotations {AGIC}health-probe-*")
        self.health_checks.append(hc)
        backend = Backend(key=key, endpoints=[(ip, tport) for ip in ips], https=https,
                          request_timeout=num("request-timeout", 30), probe=hc,
                          host=ann.get(AGIC + "backend-hostname", ""),
                          source=f"{obj} annotations {AGIC}request-timeout")
        return Rule(f"{obj} {raw}", paths, backend=backend, rewrite=rewrite)

    # Envoy -------------------------------------------------------------------------------
    def _cluster(self, b: Backend) -> str:
        if b.key not in self.clusters:
            self.clusters[b.key] = envoy.cluster(
                b.key, b.endpoints, hc=b.probe if b.probe and b.probe.emulated else None,
                data_socket=envoy.upstream_tls() if b.https else None,
                hc_socket=envoy.upstream_tls() if b.probe and b.probe.protocol == "HTTPS"
                else None)
        return b.key

    def _routes(self, site: Site) -> list[dict[str, Any]]:
        routes = []
        for rule in site.rules:
            add, remove, xff = _rewrite_headers(rule.rewrite, self.obj)
            if not xff:
                add.insert(0, envoy.xff_append(port=True))
            if rule.redirect is not None:
                action: dict[str, Any] = {"redirect": rule.redirect}
            else:
                b = rule.backend
                assert b is not None
                t = envoy.dur(b.request_timeout)
                action = {"route": {"cluster": self._cluster(b), "timeout": t,
                                    "idle_timeout": t}}
                if b.host:
                    action["route"]["host_rewrite_literal"] = b.host
                self.timeouts.append(Timeout("request", b.request_timeout,
                                             f"{site.name} {rule.name}", b.source))
            matches = [{"prefix": "/"}] if not rule.paths else [
                {"prefix": p[:-1], "case_sensitive": False} if p.endswith("*")
                else {"path": p, "case_sensitive": False} for p in rule.paths]
            for m in matches:
                routes.append({"name": rule.name, "match": m, **action,
                               "request_headers_to_add": add,
                               "request_headers_to_remove": remove})
        return routes

    def envoy_listeners(self, sites: list[Site]) -> list[dict[str, Any]]:
        out = []
        policy = (self.inp.get("sslPolicy") or {}).get("policyName", "AppGwSslPolicy20220101")
        alpn = ("h2", "http/1.1") if self.inp.get("enableHttp2") else ("http/1.1",)
        for port in sorted({s.port for s in sites}):
            here = [s for s in sites if s.port == port]
            https = here[0].https
            vhosts = [{"name": s.name, "domains": [d for h in s.hostnames for d in (h, f"{h}:*")]
                       or ["*"], "routes": self._routes(s)} for s in here]
            route_config = {
                "name": f"appgw-{port}", "virtual_hosts": vhosts,
                "request_headers_to_add": [
                    envoy.header("x-forwarded-proto", "https" if https else "http"),
                    envoy.header("x-forwarded-port", str(port)),
                    envoy.header("x-original-host", "%REQ(:authority)%"),
                    envoy.header("x-original-url", "%REQ(:path)%")]}
            manager = envoy.hcm(f"appgw_{port}", route_config)
            # Application Gateway answers 502 when the backend fails, times out or none is
            # healthy.
            envoy.local_replies(manager, {"UF": 502, "UT": 502, "UH": 502, "URX": 502})
            if not https:
                manager["typed_config"]["codec_type"] = "HTTP1"
                chains = [{"filters": [manager]}]
            else:
                params = envoy.tls_params(policy, self.obj, "inputs.sslPolicy.policyName")
                chains = [{"filter_chain_match": {"server_names": list(s.hostnames)},
                           "filters": [manager],
                           "transport_socket": envoy.downstream_tls(s.cert, alpn, params)}
                          for s in here if s.cert is not None and s.hostnames]
                # A client without SNI gets the certificate of the first listener that does
                # not require SNI (none: the handshake fails, as on Application Gateway).
                loose = [s for s in here if s.cert is not None and not s.require_sni]
                if loose:
                    chains.append({"filters": [manager], "transport_socket":
                                   envoy.downstream_tls(loose[0].cert, alpn, params)})
            out.append(envoy.listener(f"appgw-{port}", self.addresses.front_ip,
                                      self.addresses.bind_port(port), chains,
                                      [envoy.TLS_INSPECTOR] if https else []))
        return out

    def build(self, sites: list[Site]) -> FrontPlan:
        listeners = self.envoy_listeners(sites)
        policy = (self.inp.get("sslPolicy") or {}).get("policyName", "AppGwSslPolicy20220101")
        alpn = ("h2", "http/1.1") if self.inp.get("enableHttp2") else ("http/1.1",)
        fl = [FrontListener(
            name=s.name, ip=self.addresses.front_ip, port=s.port,
            bind_port=self.addresses.bind_port(s.port), protocol="HTTPS" if s.https else "HTTP",
            certificate=s.cert, hostnames=s.hostnames,
            alpn_policy="h2+http/1.1" if s.https and len(alpn) == 2 else "",
            alpn_protocols=alpn if s.https else (), tls_policy=policy if s.https else "",
            source=self.obj) for s in sites]
        return FrontPlan(
            product="azure-appgw",
            bootstrap=envoy.bootstrap(self.addresses, listeners,
                                      [*self.clusters.values(), *self.extra_clusters]),
            listeners=fl, health_checks=self.health_checks, timeouts=self.timeouts,
            not_modeled=list(dict.fromkeys(self.not_modeled)), ca_pem=self.ca.pem,
            proxy_protocol=dict.fromkeys(self.clusters, False))


def agic_ingresses(render: Render) -> list[dict[str, Any]]:
    return [i for i in render.kind("Ingress")
            if (i.get("spec") or {}).get("ingressClassName") == "azure-application-gateway"
            or ((i.get("metadata") or {}).get("annotations") or {}).get(
                "kubernetes.io/ingress.class") == "azure/application-gateway"]


def build(render: Render, addresses: Addresses, ca: LabCA) -> FrontPlan:
    gw = _AppGw(render, addresses, ca)
    ingresses = agic_ingresses(render)
    if ingresses:
        gw.not_modeled.append("AGIC mode: the plan's placeholder listener and rule are "
                              "replaced by what AGIC makes of the Ingresses")
        gw.not_modeled.append("AGIC probes without health-probe annotations copy the pods' "
                              "readiness probe, which the render does not hold: Application "
                              "Gateway's default probe is used")
        gw.not_modeled.append("AGIC connection draining and cookie affinity annotations")
        return gw.build(gw.agic_sites(ingresses))
    return gw.build(gw.plan_sites())
