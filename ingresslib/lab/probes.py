"""Probes derived from the stack's config: the config is the spec, real traffic the judge.

No probe is listed per stack. For every host and route of `routing`, the request that route
must answer (its match: path, method, headers, query, port) is built, checked not to be
shadowed by an earlier route, and sent through the front; what it must observe follows from the
route: the backend and subset (the stand-in's echo), rewrites and header changes, weighted
splits, redirects, direct responses, retries, timeouts, faults, CORS, mirroring, gRPC, session
affinity. Listeners give the HTTPS redirect and the TLS probes; `security.authorization` the
allowed and denied callers (with and without `:port` in Host); `rateLimits` the local and
global limits; cert-manager issuers solving HTTP-01 the ACME challenge; the edge plan the
client address the backends see and the idle timeouts on both sides of the hop.

Tolerances (docs/lab.md): weighted splits send `SPLIT_REQUESTS` requests and accept a count
within `SPLIT_SIGMAS` binomial standard deviations of weight x N (a false failure about once
in 150 000 runs); a weight of 0 or 100 must be exact. Timeouts: the 504 must come no earlier
than 90 % of the expected time and no later than `TIMEOUT_SLACK_S` after it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import math
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from ingresslib.config.duration import duration_ns
from ingresslib.config.listeners import Listener, host_covers, https_hosts, redirects
from ingresslib.config.routing import HostRoutes, Route, RouteMatch, StringMatch
from ingresslib.edge import READINESS_PATH
from ingresslib.lab import client
from ingresslib.lab.client import Response, Target
from ingresslib.lab.runner import Lab

SPLIT_REQUESTS = 200
SPLIT_SIGMAS = 4.5
TIMEOUT_SLACK_S = 1.0
LONGEST_TIMEOUT_PROBED_S = 40.0
RATE_PROBE_MAX_REQUESTS = 3000
DENIED = 403
FAIL, PASS, SKIP = "fail", "pass", "skip"
# The health check's reason to skip for a gateway deployed by other means (IngressRouting alone)
NO_FRONT = ("no load balancer emulated: the render has none (a gateway deployed by other "
            "means); the client talks to the gateway Service's ports directly")
# What a load balancer answers when a target times out (Application Gateway: 502 Bad Gateway,
# "backend ... timed out"; ALB and AGC: 504).
FRONT_TIMEOUT_STATUS = {"azure-appgw": 502, "aws-alb": 504, "azure-agc": 504}


@dataclass
class Probe:
    """One probe: what the config says must happen, and what the traffic showed."""

    name: str
    path: str  # the config path it comes from
    intent: str
    observed: str = ""
    verdict: str = FAIL  # pass | fail | skip (not probed here; `observed` says why)

    def record(self, ok: bool, observed: str) -> Probe:
        self.verdict, self.observed = (PASS if ok else FAIL), observed
        return self

    def skip(self, why: str) -> Probe:
        self.verdict, self.observed = SKIP, why
        return self

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Planned:
    probe: Probe
    run: Callable[[Probe], Probe]
    serial: bool = False  # counts tokens: runs alone, after the others


@dataclass
class Req:
    """A request a route must answer."""

    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    match: RouteMatch | None = None


def sec(duration: str | None) -> float:
    return duration_ns(duration) / 1e9 if duration else 0.0


def probe_host(host: str) -> str:
    """A concrete name for a host pattern: `*.example.com` -> `lab.example.com`."""
    if host == "*":
        return "lab.example.invalid"
    return "lab" + host[1:] if host.startswith("*.") else host


class Context:
    """What the probes share: the lab, the config and the client addresses."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.config = lab.config
        self.net = lab.net
        self._next_source = 0
        plan = self.config.edge
        self.plan = plan
        self.budget = self._per_address_budget()

    # --- where requests go --------------------------------------------------------------
    def listeners_for(self, host: str) -> list[Listener]:
        return [lst for lst in self.config.listeners
                if any(host_covers(h, host) for h in lst.hosts)]

    def entry(self, host: str, port: int | None = None) -> tuple[Target, Listener] | None:
        """The listener a client reaches `host` on: the one on `port` when given, else HTTPS,
        else an HTTP listener that does not redirect, else any."""
        cands = self.listeners_for(host)
        if port is not None:
            cands = [lst for lst in cands if lst.port == port]
        if not cands:
            return None
        https = https_hosts(self.config.listeners)
        ranked = sorted(cands, key=lambda lst: (
            lst.protocol != "HTTPS", redirects(lst, https), lst.port))
        lst = ranked[0]
        if lst.protocol == "TLS":
            return None
        return self.target(lst, host), lst

    def target(self, lst: Listener, host: str) -> Target:
        tls = lst.protocol in ("HTTPS", "TLS")
        port = lst.port
        front = self.lab.front
        if front is None:  # no load balancer emulated: the gateway Service's target port
            wl = self.config.workload
            service = getattr(self.config, "service", wl.name if wl else "")
            port = self.lab.world.target_ports.get((wl.namespace, service, lst.port), port)
            return Target(self.net.gateway, port, tls=tls, sni=host if tls else None)
        for fl in getattr(front, "listeners", []):
            if fl.port == lst.port:
                port = fl.bind_port
        return Target(self.net.front, port, tls=tls, sni=host if tls else None)

    def source(self) -> str:
        """A fresh client source address of this run's /24 (.150 to .254, reused in turn)."""
        k = self._next_source
        self._next_source += 1
        return f"{self.net.prefix}.{150 + k % 105}"

    def _per_address_budget(self) -> int:
        """Requests one client address may send without meeting a global per-address limit."""
        g = self.config.rate_limits.global_
        budget = 10**6
        if g is not None:
            for d in g.descriptors:
                if d.limit and any(a.remote_address is not None for a in d.actions):
                    budget = min(budget, max(1, d.limit.requests_per_unit // 2))
        return budget

    def sources(self, n: int) -> list[str]:
        """Addresses for `n` requests, spread so none exceeds the per-address budget."""
        per = max(1, min(n, self.budget))
        addrs = [self.source() for _ in range(math.ceil(n / per))]
        return [addrs[i // per] for i in range(n)]


# --- route requests ---------------------------------------------------------------------
def _sample(m: StringMatch | None, default: str) -> str | None:
    if m is None:
        return default
    if m.exact is not None:
        return m.exact
    if m.prefix is not None:
        return m.prefix + "lab"
    return None  # a regex: no sample is derived


def _path_for(m: RouteMatch | None) -> str | None:
    if m is None or m.uri is None:
        return "/lab-probe"
    if m.uri.exact is not None:
        return m.uri.exact
    if m.uri.prefix is not None:
        p = m.uri.prefix
        if p == "/":
            return "/lab-probe"
        return p + "lab-probe" if p.endswith("/") else p + "/lab-probe"
    return None


def request_for(route: Route) -> Req | None:
    """A request matching `route` (its first match it can build one for)."""
    for m in route.match or [None]:
        path = _path_for(m)
        if path is None:
            continue
        req = Req(path, match=m)
        if m is not None:
            if m.method is not None:
                method = _sample(m.method, "GET")
                if method is None:
                    continue
                req.method = method
            ok = True
            for name, sm in m.headers.items():
                value = _sample(sm, "lab")
                if value is None:
                    ok = False
                req.headers[name] = value or ""
            query = []
            for name, sm in m.query_params.items():
                value = _sample(sm, "lab")
                if value is None:
                    ok = False
                query.append(f"{name}={value}")
            if not ok:
                continue
            if query:
                req.path += "?" + "&".join(query)
            req.port = m.port
        return req
    return None


def _str_match(m: StringMatch | None, value: str | None, ignore_case: bool = False) -> bool:
    if m is None:
        return True
    if value is None:
        return False
    if ignore_case:
        value = value.lower()
    if m.exact is not None:
        return value == (m.exact.lower() if ignore_case else m.exact)
    if m.prefix is not None:
        return value.startswith(m.prefix.lower() if ignore_case else m.prefix)
    return re.fullmatch(m.regex or "", value) is not None


def matches(route: Route, req: Req, port: int) -> bool:
    """Whether `route` matches `req` (Istio's HTTPMatchRequest, as far as the lab builds)."""
    if not route.match:
        return True
    path, _, query = req.path.partition("?")
    params = dict(p.partition("=")[::2] for p in query.split("&") if p)
    for m in route.match:
        if (_str_match(m.uri, path, m.ignore_uri_case)
                and _str_match(m.method, req.method)
                and all(_str_match(sm, req.headers.get(k)) for k, sm in m.headers.items())
                and all(_str_match(sm, params.get(k)) for k, sm in m.query_params.items())
                and (m.port is None or m.port == port)):
            return True
    return False


def expected_path(route: Route, req: Req) -> str:
    """The path the backend must see: Istio's rewrite.uri replaces the matched prefix (the
    whole path for exact and regex matches), the query stays."""
    if route.rewrite is None or route.rewrite.uri is None:
        return req.path
    path, sep, query = req.path.partition("?")
    m = req.match
    new = route.rewrite.uri
    if m is not None and m.uri is not None and m.uri.prefix is not None:
        rest = path[len(m.uri.prefix):]
        new = new + rest if not (new.endswith("/") and rest.startswith("/")) else new + rest[1:]
    return new + (sep + query if sep else "")


# --- planning -----------------------------------------------------------------------------
def plan(ctx: Context) -> list[Planned]:
    """Every probe of the config."""
    out: list[Planned] = [Planned(Probe("health check", "edge.healthCheck", ""), _health(ctx))]
    out += list(_listener_probes(ctx))
    out.append(Planned(Probe("front listens on the listeners' ports only", "listeners", ""),
                       _front_ports(ctx)))
    for hi, hr in enumerate(ctx.config.routing.hosts):
        out += list(_host_probes(ctx, hi, hr))
    out += list(_authz_probes(ctx))
    out += list(_acme_probes(ctx))
    out += list(_rate_probes(ctx))
    out += list(_edge_probes(ctx))
    return out


def run(ctx: Context, planned: list[Planned], workers: int = 8) -> list[Probe]:
    """Run the probes: those that count tokens alone and last; the rest in parallel."""
    health = planned[0]
    health.run(health.probe)
    if health.probe.verdict not in (PASS, SKIP):
        for p in planned[1:]:
            p.probe.skip("not run: the front never saw the gateway healthy")
        return [p.probe for p in planned]
    parallel = [p for p in planned[1:] if not p.serial]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(_guarded, parallel))
    for p in planned[1:]:
        if p.serial:
            _guarded(p)
    return [p.probe for p in planned]


def _guarded(p: Planned) -> None:
    try:
        p.run(p.probe)
    except Exception as e:  # a probe's own bug is a failed probe, reported with its error
        p.probe.record(False, f"probe error: {type(e).__name__}: {e}")


def _health(ctx: Context) -> Callable[[Probe], Probe]:
    def go(p: Probe) -> Probe:
        h = ctx.lab.health
        hc = ctx.plan.health_check
        what = (f"{hc.protocol} {hc.port}{' ' + hc.path if hc.path else ''}"
                if hc is not None else "the load balancer's checks")
        p.intent = f"front marks the gateway/targets healthy ({what})"
        if ctx.lab.front is None and ctx.plan.health_check is None:
            return p.skip(NO_FRONT)
        checks = list(getattr(ctx.lab.front, "health_checks", []))
        if checks and not any(c.emulated for c in checks):
            # No check of the product's can run in the lab (kube-proxy's health check node
            # port under externalTrafficPolicy Local, a probe of an empty pool): not passed.
            return p.skip("none of the front's health checks can run in the lab: "
                          + "; ".join(sorted({c.source for c in checks})))
        if h is None:
            return p.record(False, "the front was not started")
        return p.record(h.healthy, f"{'healthy' if h.healthy else 'never healthy'} after "
                                   f"{h.waited_s:.1f}s (limit {h.limit_s:.0f}s): {h.seen}")
    return go


# --- listeners: HTTPS redirect, TLS -------------------------------------------------------
def _listener_probes(ctx: Context) -> Iterator[Planned]:
    https = https_hosts(ctx.config.listeners)
    for li, lst in enumerate(ctx.config.listeners):
        path = f"listeners[{lst.name}]"
        for h in lst.hosts:
            host = probe_host(h)
            if redirects(lst, https):
                yield Planned(Probe(f"https redirect {host}:{lst.port}", path,
                                    f"301 to https://{host}/lab-probe"),
                              _https_redirect(ctx, lst, host))
            if lst.protocol == "HTTPS" and lst.tls is not None:
                yield Planned(Probe(f"tls {host}:{lst.port}", f"{path}.tls", ""),
                              _tls(ctx, lst, host))
        del li


def _front_ports(ctx: Context) -> Callable[[Probe], Probe]:
    """The load balancer listens where the config's listeners do and nowhere else: a port of
    the front beyond them (a Service port every listener-per-port load balancer publishes,
    such as Istio's status port on an NLB: EDGE-HC-NLB-PORTS) is connected to, and fails the
    probe when it answers."""
    def go(p: Probe) -> Probe:
        ports = sorted({lst.port for lst in ctx.config.listeners})
        p.intent = f"only {', '.join(map(str, ports))} accept connections at the front"
        front = ctx.lab.front
        if front is None:
            return p.skip(NO_FRONT)
        listeners = list(getattr(front, "listeners", []))
        exposed = []
        for fl in listeners:
            if fl.port in ports:
                continue
            tls = fl.protocol in ("TLS", "HTTPS")
            r = client.request(Target(ctx.net.front, fl.bind_port, tls=tls),
                               path=READINESS_PATH, source=ctx.source(), timeout=5.0)
            if not (r.status == 0 and (r.error or "").startswith("connect:")):
                exposed.append(f"{fl.name} ({fl.source}) answers GET {READINESS_PATH}: "
                               f"{r.summary()}")
        if exposed:
            return p.record(False, "; ".join(exposed))
        return p.record(True, "front listeners: " + ", ".join(fl.name for fl in listeners))
    return go


def _https_redirect(ctx: Context, lst: Listener, host: str) -> Callable[[Probe], Probe]:
    def go(p: Probe) -> Probe:
        r = client.request(ctx.target(lst, host), path="/lab-probe", host=host,
                           source=ctx.source())
        loc = r.header("location") or ""
        ok = r.status in (301, 308) and loc.startswith(f"https://{host}") and \
            loc.endswith("/lab-probe")
        return p.record(ok, f"{r.summary()} location={loc or '-'}")
    return go


def _tls(ctx: Context, lst: Listener, host: str) -> Callable[[Probe], Probe]:
    minimum = lst.tls.min_protocol_version if lst.tls else "TLSV1_2"

    def go(p: Probe) -> Probe:
        want = "TLSv1.3" if minimum == "TLSV1_3" else "TLSv1.2 or TLSv1.3"
        p.intent = f"handshake with SNI {host}, certificate for {host}, {want}"
        t = ctx.target(lst, host)
        r = client.tls_handshake(t, ctx.source())
        if r.status != 1 or r.tls is None:
            return p.record(False, f"handshake failed: {r.error}")
        names = r.tls["certNames"]
        ok = any(host_covers(n, host) or n == host for n in names)
        obs = f"{r.tls['version']}, certificate for {', '.join(names) or '-'}"
        if minimum == "TLSV1_3":
            old = client.tls_handshake(Target(**{**t.__dict__, "max_version": "TLSV1_2"}),
                                       ctx.source())
            p.intent += "; TLSv1.2 refused"
            ok = ok and old.status == 0 and r.tls["version"] == "TLSv1.3"
            obs += f"; TLSv1.2 {'refused' if old.status == 0 else 'accepted'}"
        return p.record(ok, obs)
    return go


# --- routes -------------------------------------------------------------------------------
def _host_probes(ctx: Context, hi: int, hr: HostRoutes) -> Iterator[Planned]:
    host = probe_host(hr.host)
    base = f"routing.hosts[{hr.host}]"
    first_backend_route = True
    for ri, route in enumerate(hr.routes):
        path = f"{base}.routes[{route.name}]"
        req = request_for(route)
        if req is None:
            yield Planned(Probe(f"route {route.name}", path, "reaches its action"),
                          _skip("no request derived from its match (regex)"))
            continue
        got = ctx.entry(host, req.port)
        if got is None:
            yield Planned(Probe(f"route {route.name}", path, "reaches its action"),
                          _skip(f"no HTTP(S) listener serves {host}"))
            continue
        target, lst = got
        earlier = next((r for r in hr.routes[:ri] if matches(r, req, lst.port)), None)
        if earlier is not None:
            yield Planned(Probe(f"route {route.name}", path, "reaches its action"),
                          _skip(f"{req.method} {req.path} is answered by the earlier route "
                                f"{earlier.name}"))
            continue
        r = _Route(ctx, host, route, req, target=target, port=lst.port)
        name = f"{host} {route.name}"
        aborts = route.fault is not None and route.fault.abort is not None
        if route.to and aborts:
            yield Planned(Probe(f"{name}: destination", path + ".to", r.to_intent()),
                          _skip("the route's fault aborts requests: the fault probe runs"))
        elif route.to:
            yield from _to_probes(ctx, r, name, path, first=first_backend_route)
            first_backend_route = False
        elif route.redirect is not None:
            yield Planned(Probe(f"{name}: redirect", path + ".redirect", ""), r.redirect)
        elif route.direct_response is not None:
            yield Planned(Probe(f"{name}: direct response", path + ".directResponse", ""),
                          r.direct)
        else:
            yield Planned(Probe(f"route {route.name}", path + ".delegate", ""),
                          _skip("delegated to a VirtualService the config does not hold"))
        if route.fault is not None:
            yield Planned(Probe(f"{name}: fault", path + ".fault", ""), r.fault)
        if route.cors is not None:
            yield Planned(Probe(f"{name}: cors", path + ".cors", ""), r.cors)
    del hi


def _to_probes(ctx: Context, r: _Route, name: str, path: str, *, first: bool
               ) -> Iterator[Planned]:
    """The probes of a route that forwards (`to`)."""
    route = r.route
    yield Planned(Probe(f"{name}: destination", path + ".to", r.to_intent()), r.to)
    if len([d for d in route.to if (d.weight or 0) > 0]) > 1:
        yield Planned(Probe(f"{name}: weighted split", path + ".to", ""), r.split)
    if route.retries is not None and route.retries.attempts > 0 and _retries_5xx(route):
        yield Planned(Probe(f"{name}: retries", path + ".retries", ""), r.retries)
    if route.timeout:
        yield Planned(Probe(f"{name}: timeout", path + ".timeout", ""), r.timeout)
    if route.mirror is not None:
        yield Planned(Probe(f"{name}: mirror", path + ".mirror", ""), r.mirror)
    if route.headers is not None:
        yield Planned(Probe(f"{name}: headers", path + ".headers", ""), r.headers)
    if _grpc(ctx, route):
        yield Planned(Probe(f"{name}: grpc", path, ""), r.grpc)
    elif first:
        yield Planned(Probe(f"{name}: websocket", path, ""), r.websocket)
    if _hash_cookie(ctx, route):
        yield Planned(Probe(f"{name}: session affinity", path + ".to", ""), r.affinity)
    if first:
        yield Planned(Probe(f"{name}: client address", "edge.clientAddress", ""),
                      r.client_address)


def _skip(why: str) -> Callable[[Probe], Probe]:
    return lambda p: p.skip(why)


def _retries_5xx(route: Route) -> bool:
    on = (route.retries.retry_on or "") if route.retries else ""
    return any(k in on.split(",") for k in ("5xx", "gateway-error"))


def _grpc(ctx: Context, route: Route) -> bool:
    backends = ctx.config.routing.backends
    return any(backends[d.backend].protocol == "GRPC" for d in route.to
               if d.backend in backends)


def _hash_cookie(ctx: Context, route: Route) -> str | None:
    for d in route.to:
        b = ctx.config.routing.backends.get(d.backend)
        tp = b.traffic_policy if b else None
        if tp and tp.load_balancer and tp.load_balancer.hash_cookie:
            return tp.load_balancer.hash_cookie
    return None


class _Route:
    """The probes of one route, sharing its request."""

    def __init__(self, ctx: Context, host: str, route: Route, req: Req, *, target: Target,
                 port: int) -> None:
        self.ctx, self.host, self.route, self.req = ctx, host, route, req
        self.t, self.port = target, port

    def send(self, extra: dict[str, str] | None = None, *, method: str | None = None,
             source: str | None = None, timeout: float = 10.0,
             host: str | None = None) -> Response:
        return client.request(self.t, method=method or self.req.method, path=self.req.path,
                              host=host or self.host,
                              headers={**self.req.headers, **(extra or {})},
                              source=source or self.ctx.source(), timeout=timeout)

    def dests(self) -> list[tuple[str, str | None, int]]:
        ds = self.route.to
        if len(ds) == 1:
            return [(ds[0].backend, ds[0].subset, 100)]
        return [(d.backend, d.subset, d.weight or 0) for d in ds]

    def to_intent(self) -> str:
        live = [f"{b}{'/' + s if s else ''}" for b, s, w in self.dests() if w > 0]
        want = f"reaches {' or '.join(live)}"
        want_path = expected_path(self.route, self.req)
        if want_path != self.req.path:
            want += f", path {want_path}"
        if self.route.rewrite and self.route.rewrite.authority:
            want += f", authority {self.route.rewrite.authority}"
        return f"{self.req.method} {self.req.path}: {want}"

    def _reached(self, r: Response) -> tuple[bool, str]:
        echo = r.echo()
        if echo is None:
            return False, r.summary() + (f" {r.body[:80]!r}" if r.status else "")
        live = [(b, s) for b, s, w in self.dests() if w > 0]
        ok = any(echo.get("backend") == b and (s is None or echo.get("subset") == s)
                 for b, s in live)
        obs = f"{r.status} {echo.get('backend')}/{echo.get('subset') or '-'} " \
              f"path {echo.get('path')}"
        if echo.get("path") != expected_path(self.route, self.req):
            ok = False
        if self.route.rewrite and self.route.rewrite.authority:
            ok = ok and echo.get("host", "").split(":")[0] == self.route.rewrite.authority
            obs += f" authority {echo.get('host')}"
        return ok and r.status < 400, obs

    def to(self, p: Probe) -> Probe:
        return p.record(*self._reached(self.send()))

    def split(self, p: Probe) -> Probe:
        n = SPLIT_REQUESTS
        total = sum(w for _, _, w in self.dests()) or 1
        bounds = {}
        for b, s, w in self.dests():
            share = w / total
            sigma = math.sqrt(n * share * (1 - share))
            lo = max(0, math.floor(n * share - SPLIT_SIGMAS * sigma))
            hi = min(n, math.ceil(n * share + SPLIT_SIGMAS * sigma))
            bounds[(b, s)] = (lo, hi, w)
        p.intent = f"{n} requests: " + ", ".join(
            f"{b}/{s or '-'} {w}% ({lo}-{hi})" for (b, s), (lo, hi, w) in bounds.items())
        counts: Counter[tuple[str, str | None]] = Counter()
        other = 0
        for src in self.ctx.sources(n):
            echo = self.send(source=src).echo()
            key = (echo.get("backend"), echo.get("subset") or None) if echo else None
            if key in bounds:
                counts[key] += 1
            elif echo and (echo.get("backend"), None) in bounds:
                counts[(echo.get("backend"), None)] += 1
            else:
                other += 1
        ok = other == 0 and all(lo <= counts[k] <= hi for k, (lo, hi, _) in bounds.items())
        obs = ", ".join(f"{b}/{s or '-'} {counts[(b, s)]}" for (b, s) in bounds)
        return p.record(ok, obs + (f", {other} elsewhere or failed" if other else ""))

    def retries(self, p: Probe) -> Probe:
        attempts = self.route.retries.attempts if self.route.retries else 0
        p.intent = (f"{attempts} failing tries (503) are retried: 200 on try {attempts + 1}; "
                    f"{attempts + 1} failing tries: 503")
        rid = uuid.uuid4().hex
        ok_r = self.send({"x-lab-fail-attempts": str(attempts), "x-request-id": rid})
        echo = ok_r.echo() or {}
        rid2 = uuid.uuid4().hex
        bad = self.send({"x-lab-fail-attempts": str(attempts + 1), "x-request-id": rid2})
        ok = ok_r.status == 200 and echo.get("attempt") == attempts + 1 and bad.status == 503
        return p.record(ok, f"{ok_r.status} on try {echo.get('attempt', '?')}; "
                            f"{attempts + 1} failures: {bad.status}")

    def expected_timeout(self) -> float:
        limit = sec(self.route.timeout)
        rt = self.route.retries
        if rt is not None and rt.per_try_timeout:
            # retried on 5xx (a try's timeout is a 504): every try may run out; else the
            # first try's timeout ends the request
            tries = rt.attempts + 1 if _retries_5xx(self.route) else 1
            limit = min(limit, tries * sec(rt.per_try_timeout))
        tm = self.ctx.plan.timeouts
        if tm is not None and tm.response_seconds:
            limit = min(limit, float(tm.response_seconds))
        return limit

    def timeout(self, p: Probe) -> Probe:
        want = self.expected_timeout()
        delay = sec(self.route.timeout) + 1.5
        status = 504
        product = getattr(self.ctx.lab.front, "product", "")
        if self.ctx.config.workload is None:  # standalone: the load balancer times out
            status = FRONT_TIMEOUT_STATUS.get(product, 504)
        p.intent = f"backend {delay:.1f}s slow: {status} after {want:.1f}s"
        if status != 504:
            p.intent += f" ({product}'s status for a backend timeout)"
        if want > LONGEST_TIMEOUT_PROBED_S:
            return p.skip(f"{want:.0f}s is beyond the lab's {LONGEST_TIMEOUT_PROBED_S:.0f}s")
        r = self.send({"x-lab-delay": f"{int(delay * 1000)}ms"}, timeout=delay + 10)
        ok = r.status == status and want * 0.9 - 0.1 <= r.elapsed <= want + TIMEOUT_SLACK_S
        return p.record(ok, f"{r.summary()} after {r.elapsed:.1f}s")

    def headers(self, p: Probe) -> Probe:
        hdrs = self.route.headers
        assert hdrs is not None
        send: dict[str, str] = {}
        want = []
        if hdrs.request:
            for k in hdrs.request.remove:
                send[k] = "lab-remove-me"
                want.append(f"-{k}")
            want += [f"{k}={v}" for k, v in hdrs.request.set.items()]
            want += [f"+{k}={v}" for k, v in hdrs.request.add.items()]
        if hdrs.response:
            want += [f"resp {k}={v}" for k, v in {**hdrs.response.set,
                                                   **hdrs.response.add}.items()]
        p.intent = "backend sees " + ", ".join(want)
        r = self.send(send)
        echo = r.echo()
        if echo is None:
            return p.record(False, r.summary())
        seen = {k.lower(): v for k, v in echo.get("headers", {}).items()}
        bad = []
        if hdrs.request:
            bad += [f"{k} still sent" for k in hdrs.request.remove if k.lower() in seen]
            bad += [f"{k}={seen.get(k.lower())}" for k, v in hdrs.request.set.items()
                    if seen.get(k.lower()) != [v]]
            bad += [f"{k}={seen.get(k.lower())}" for k, v in hdrs.request.add.items()
                    if v not in (seen.get(k.lower()) or [])]
        if hdrs.response:
            for k, v in {**hdrs.response.set, **hdrs.response.add}.items():
                got = r.header(k)
                if got is None or v not in got:
                    bad.append(f"response {k}={got}")
        return p.record(not bad, "as intended" if not bad else "; ".join(bad))

    def mirror(self, p: Probe) -> Probe:
        """A request carrying a unique marker reaches the mirror's pods too (their request
        log, GET /.lab/requests: Envoy discards the mirror's answer)."""
        m = self.route.mirror
        assert m is not None
        p.intent = (f"{m.percent:g}% of requests also reach {m.backend}"
                    f"{'/' + m.subset if m.subset else ''}")
        n = 1 if m.percent in (0, 100) else 60
        marks = [uuid.uuid4().hex for _ in range(n)]
        for mark in marks:
            self.send({"x-lab-marker": mark})
        pods = self.ctx.lab.world.pods_of(m.backend, m.subset)
        ca = self.ctx.lab.workdir / "ca"
        seen: set[str] = set()
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for pod in pods:
                mtls = (str((ca / "gateway").with_suffix(".pem")), str(ca / "gateway-key.pem")) \
                    if pod.sidecar else None
                for entry in client.pod_requests(pod.ip, pod.port, mtls=mtls):
                    seen |= set(entry.get("headers", {}).get("x-lab-marker", [])) & set(marks)
            if len(seen) == n or m.percent < 100:
                break
            time.sleep(0.1)
        ok = _within(len(seen), n, m.percent / 100)
        return p.record(ok, f"{len(seen)}/{n} marked requests in the mirror's request log")

    def redirect(self, p: Probe) -> Probe:
        rd = self.route.redirect
        assert rd is not None
        want = [str(rd.redirect_code)]
        if rd.scheme:
            want.append(f"{rd.scheme}://")
        if rd.authority:
            want.append(rd.authority)
        if rd.uri:
            want.append(rd.uri)
        p.intent = f"{self.req.method} {self.req.path}: redirect {' '.join(want)}"
        r = self.send()
        loc = r.header("location") or ""
        ok = r.status == rd.redirect_code
        if rd.scheme:
            ok = ok and loc.startswith(f"{rd.scheme}://")
        if rd.authority:
            ok = ok and f"//{rd.authority}" in loc
        if rd.uri:
            ok = ok and (loc.endswith(rd.uri) or f"{rd.uri}?" in loc)
        if rd.port:
            ok = ok and f":{rd.port}" in loc
        return p.record(ok, f"{r.status} location={loc or '-'}")

    def direct(self, p: Probe) -> Probe:
        dr = self.route.direct_response
        assert dr is not None
        p.intent = f"{dr.status}" + (f" body {dr.body!r}" if dr.body else "")
        r = self.send()
        ok = r.status == dr.status and (dr.body is None or r.body.decode() == dr.body)
        return p.record(ok, f"{r.status} body {r.body[:60]!r}")

    def fault(self, p: Probe) -> Probe:
        f = self.route.fault
        assert f is not None
        parts, ok, obs = [], True, []
        n = 1 if all((x is None or x.percent in (0, 100)) for x in (f.abort, f.delay)) else 60
        results = [self.send(timeout=30) for _ in range(n)]
        if f.abort is not None:
            parts.append(f"{f.abort.percent}% answered {f.abort.http_status}")
            hits = sum(r.status == f.abort.http_status for r in results)
            ok = ok and _within(hits, n, f.abort.percent / 100)
            obs.append(f"{hits}/{n} answered {f.abort.http_status}")
        if f.delay is not None:
            d = sec(f.delay.fixed_delay)
            parts.append(f"{f.delay.percent}% delayed {d:g}s")
            hits = sum(r.elapsed >= d * 0.95 for r in results)
            ok = ok and _within(hits, n, f.delay.percent / 100)
            obs.append(f"{hits}/{n} delayed >= {d:g}s")
        p.intent = ", ".join(parts)
        return p.record(ok, ", ".join(obs))

    def cors(self, p: Probe) -> Probe:
        c = self.route.cors
        assert c is not None
        origin = next((o for o in (_sample(m, "") for m in c.allow_origins) if o), None)
        if origin is None:
            return p.skip("no origin derived from the allowed origins (regex)")
        method = c.allow_methods[0] if c.allow_methods else self.req.method
        pre = {"Origin": origin, "Access-Control-Request-Method": method}
        if c.allow_headers:
            pre["Access-Control-Request-Headers"] = ",".join(c.allow_headers)
        p.intent = (f"preflight OPTIONS from {origin} ({method}) answered with "
                    f"Access-Control-Allow-Origin {origin}; the actual request reaches the "
                    "route with it; other origins get none")
        r = self.send(pre, method="OPTIONS")
        acao = r.header("access-control-allow-origin")
        acam = r.header("access-control-allow-methods") or ""
        ok = r.status < 300 and acao in (origin, "*") and r.echo() is None
        if c.allow_methods:
            ok = ok and method in acam
        actual = self.send({"Origin": origin})
        a_acao = actual.header("access-control-allow-origin")
        ok = ok and a_acao in (origin, "*") and actual.echo() is not None
        other = self.send({"Origin": "https://not-allowed.lab.invalid"})
        o_acao = other.header("access-control-allow-origin")
        ok = ok and o_acao is None
        return p.record(ok, f"preflight {r.status} ACAO={acao} methods={acam or '-'}"
                            f"{' (reached a backend)' if r.echo() else ''}; actual "
                            f"{actual.summary()} ACAO={a_acao}; other origin ACAO={o_acao}")

    def grpc(self, p: Probe) -> Probe:
        p.intent = f"gRPC call {self.req.path}: grpc-status 0 from {self.to_intent()}"
        r = client.grpc(self.t, host=self.host, path=self.req.path, message=b"lab",
                        source=self.ctx.source())
        try:
            echo = json.loads(r.body)
        except ValueError:
            echo = {}
        ok = r.status == 200 and r.trailers.get("grpc-status") == "0" and any(
            echo.get("backend") == b for b, _, w in self.dests() if w > 0)
        return p.record(ok, f"{r.status} grpc-status={r.trailers.get('grpc-status')} "
                            f"from {echo.get('pod', '-')}{' ' + r.error if r.error else ''}")

    def websocket(self, p: Probe) -> Probe:
        p.intent = "WebSocket upgrade (101) reaches the backend; a frame is echoed"
        r = client.websocket(self.t, host=self.host, path=self.req.path,
                             source=self.ctx.source())
        echo = {}
        with contextlib.suppress(ValueError):
            echo = json.loads(r.body) if r.status == 101 else {}
        ok = r.status == 101 and bool(echo.get("pod")) and r.trailers.get("echoed") == "lab"
        return p.record(ok, f"{r.status or r.error} from {echo.get('pod', '-')}, "
                            f"echoed {r.trailers.get('echoed', '-')!r}")

    def affinity(self, p: Probe) -> Probe:
        cookie = _hash_cookie(self.ctx, self.route)
        p.intent = f"requests carrying cookie {cookie} stay on one pod"
        first = self.send()
        set_cookie = first.header("set-cookie") or ""
        value = next((c.split("=", 1)[1].split(";")[0] for c in set_cookie.split(", ")
                      if c.startswith(f"{cookie}=")), "lab-session")
        pods: Counter[str | None] = Counter()
        for _ in range(20):
            echo = self.send({"Cookie": f"{cookie}={value}"}).echo()
            pods[echo.get("pod") if echo else None] += 1
        # Other cookie values must spread over the pods: a hash that ignores the cookie would
        # pin every request to one pod and pass the first half for the wrong reason.
        others: Counter[str | None] = Counter()
        for k in range(20):
            echo = self.send({"Cookie": f"{cookie}=lab-{k}"}).echo()
            others[echo.get("pod") if echo else None] += 1
        ok = len(pods) == 1 and None not in pods and len(others) > 1 and None not in others
        p.intent += "; other cookie values spread over the pods"
        return p.record(ok, f"cookie {'set' if set_cookie else 'not set'}; same cookie: "
                            f"{dict(pods)}; 20 other cookies: {dict(others)}")

    def client_address(self, p: Probe) -> Probe:
        src = self.ctx.source()
        how = self.ctx.plan.client_address or "not stated"
        p.intent = f"backend sees the client {src} ({how})"
        if how.startswith("source address"):
            notes = [n for n in getattr(self.ctx.lab.front, "not_modeled", [])
                     if "client ip" in n.lower() or "source address" in n.lower()]
            return p.skip("not modeled: the lab's L4 front connects to the gateway from its "
                          "own address" + (f" ({notes[0]})" if notes else ""))
        echo = self.send(source=src).echo()
        if echo is None:
            return p.record(False, "no backend answered")
        xff = ", ".join(echo.get("headers", {}).get("x-forwarded-for", []))
        remote = echo.get("remoteAddr", "")
        ok = src in [a.strip() for a in xff.split(",")] or remote.split(":")[0] == src
        return p.record(ok, f"x-forwarded-for={xff or '-'} remote={remote}")


def _within(hits: int, n: int, share: float) -> bool:
    if share in (0, 1):
        return hits == round(share * n)
    sigma = math.sqrt(n * share * (1 - share))
    return abs(hits - n * share) <= SPLIT_SIGMAS * sigma


# --- authorization ------------------------------------------------------------------------
def _authz_probes(ctx: Context) -> Iterator[Planned]:
    sec_ = ctx.config.security
    if sec_ is None or not sec_.authorization or ctx.config.workload is None:
        return
    rules = sec_.authorization
    hosts = [probe_host(h.host) for h in ctx.config.routing.hosts] or \
        [probe_host(h) for lst in ctx.config.listeners for h in lst.hosts]
    for rule in rules:
        path = f"security.authorization[{rule.name}]"
        if rule.jwt_required:
            yield Planned(Probe(f"authz {rule.name}", path, "jwt"),
                          _skip("JWT-bound rules: the lab has no token issuer"))
            continue
        host = probe_host(rule.hosts[0]) if rule.hosts else (hosts[0] if hosts else None)
        if host is None:
            continue
        got = ctx.entry(host)
        if got is None:
            continue
        target, lst = got
        req_path = _rule_path(rule.paths[0]) if rule.paths else "/lab-authz"
        method = rule.methods[0] if rule.methods else "GET"
        for with_port in (False, True):
            shown = f"{host}:{lst.port}" if with_port else host
            yield Planned(Probe(f"authz {rule.name}: {method} {req_path} Host {shown}", path,
                                ""),
                          _authz(ctx, rules, target, shown=shown, method=method, path=req_path))
        if rule.paths and rule.action == "DENY":
            yield Planned(Probe(f"authz {rule.name}: outside its paths", path, ""),
                          _authz(ctx, rules, target, shown=host, method=method,
                                 path="/lab-authz-other"))


def _rule_path(p: str) -> str:
    if p == "*":
        return "/lab"
    if p.startswith("*"):
        return "/lab" + p[1:]
    return p[:-1] + "lab" if p.endswith("*") else p


def _path_match(pattern: str, path: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return path.endswith(pattern[1:])
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


def _in(cidrs: list[str], ip: str) -> bool:
    a = ipaddress.ip_address(ip)
    return any(a in ipaddress.ip_network(c, strict=False) for c in cidrs)


def decision(rules: list[Any], host: str, method: str, path: str, source: str) -> bool:
    """Whether the gateway must allow the request (Istio: DENY first, then ALLOW if any).
    `host` is compared without its port: the config's intent for `Host: name:port`."""
    bare = host.rsplit(":", 1)[0] if host.count(":") == 1 else host

    def hit(r: Any) -> bool:
        return ((not r.hosts or any(host_covers(h, bare) or h == bare for h in r.hosts))
                and (not r.paths or any(_path_match(x, path) for x in r.paths))
                and (not r.methods or method in r.methods)
                and (not r.client_cidrs or _in(r.client_cidrs, source))
                and (not r.not_client_cidrs or not _in(r.not_client_cidrs, source))
                and not r.jwt_required)

    if any(hit(r) for r in rules if r.action == "DENY"):
        return False
    allows = [r for r in rules if r.action == "ALLOW"]
    return not allows or any(hit(r) for r in allows)


def _authz(ctx: Context, rules: list[Any], t: Target, *, shown: str, method: str,
           path: str) -> Callable[[Probe], Probe]:
    def go(p: Probe) -> Probe:
        src = ctx.source()
        allow = decision(rules, shown, method, path, src)
        p.intent = f"from {src}: {'allowed' if allow else f'denied ({DENIED})'}"
        r = client.request(t, method=method, path=path, host=shown, source=src)
        denied = r.status == DENIED and r.echo() is None
        ok = (not denied and r.status != 0) if allow else denied
        return p.record(ok, r.summary())
    return go


# --- ACME HTTP-01 ------------------------------------------------------------------------
def _acme_probes(ctx: Context) -> Iterator[Planned]:
    for a in ctx.lab.world.acme:
        path = f"certManager.issuers[{a.issuer}].solver"
        yield Planned(Probe(f"acme http-01 {a.host}", path,
                            f"http://{a.host}{a.path} answers the key authorization (200)"),
                      _acme(ctx, a))


def _acme(ctx: Context, a: Any) -> Callable[[Probe], Probe]:
    def go(p: Probe) -> Probe:
        lst = next((lst for lst in ctx.listeners_for(a.host)
                    if lst.protocol == "HTTP" and lst.port == 80), None)
        if lst is None:
            return p.record(False, f"no HTTP listener on port 80 serves {a.host}")
        r = client.request(ctx.target(lst, a.host), path=a.path, host=a.host,
                           source=ctx.source())
        ok = r.status == 200 and r.body.decode(errors="replace").strip() == a.key_authorization
        return p.record(ok, f"{r.status} {r.header('location') or r.body[:60]!r}")
    return go


# --- rate limits -------------------------------------------------------------------------
def _rate_probes(ctx: Context) -> Iterator[Planned]:
    rl = ctx.config.rate_limits
    routes = [(probe_host(h.host), r) for h in ctx.config.routing.hosts for r in h.routes
              if r.to]
    for i, lim in enumerate(rl.local):
        path = f"rateLimits.local[{i}]"
        cands = [(h, r) for h, r in routes
                 if (lim.host is None or host_covers(lim.host, h) or lim.host == h)
                 and (lim.route is None or r.name == lim.route)]
        if not cands:
            continue
        host, route = cands[0]
        yield Planned(Probe(f"local rate limit {lim.scope} {host}", path, ""),
                      _local(ctx, lim, host, route), serial=True)
    g = rl.global_
    if g is not None and ctx.config.workload is not None:
        for i, d in enumerate(g.descriptors):
            if d.limit is None or not routes:
                continue
            host, route = routes[0]
            if d.hosts:
                host = probe_host(d.hosts[0])
            yield Planned(Probe(f"global rate limit {host}", f"rateLimits.global.descriptors"
                                f"[{i}]", ""), _global(ctx, d, host, route), serial=True)


def _local(ctx: Context, lim: Any, host: str, route: Route) -> Callable[[Probe], Probe]:
    def go(p: Probe) -> Probe:
        fill_s = sec(lim.fill_interval)
        rate = lim.tokens_per_fill / fill_s if fill_s else float("inf")
        p.intent = (f"{lim.status_code} once {lim.max_tokens} tokens are spent "
                    f"(refill {lim.tokens_per_fill}/{lim.fill_interval})")
        req = request_for(route)
        got = ctx.entry(host, req.port if req else None)
        if req is None or got is None:
            return p.skip("no request derived for the limited route")
        bound = int(lim.max_tokens * 1.5 + 20)
        if rate > 150:
            bound = int(lim.max_tokens + 20 + rate * 8)
        if bound > RATE_PROBE_MAX_REQUESTS:
            return p.skip(f"the bucket refills at {rate:.0f}/s: more than the lab sends")
        statuses = client.burst(got[0], host=host, path=req.path, count=bound,
                                stop_status=lim.status_code, headers=req.headers,
                                source=ctx.source())
        limited = statuses[-1] == lim.status_code
        return p.record(limited, f"{len(statuses)} requests: "
                                 f"{dict(Counter(statuses))}")
    return go


def _global(ctx: Context, d: Any, host: str, route: Route) -> Callable[[Probe], Probe]:
    def go(p: Probe) -> Probe:
        n = d.limit.requests_per_unit
        p.intent = f"429 by request {n + 1} ({n} per {d.limit.unit})"
        req = request_for(route)
        got = ctx.entry(host, req.port if req else None)
        if req is None or got is None:
            return p.skip("no request derived for the limited route")
        if n > RATE_PROBE_MAX_REQUESTS:
            return p.skip(f"{n} requests per {d.limit.unit}: more than the lab sends")
        headers = dict(req.headers)
        for a in d.actions:
            if a.request_headers is not None:
                headers[a.request_headers.header] = uuid.uuid4().hex[:12]
        statuses = client.burst(got[0], host=host, path=req.path, count=n + 1,
                                stop_status=429, headers=headers, source=ctx.source())
        return p.record(statuses[-1] == 429,
                        f"{len(statuses)} requests: {dict(Counter(statuses))}")
    return go


# --- the hop: idle timeouts --------------------------------------------------------------
def _edge_probes(ctx: Context) -> Iterator[Planned]:
    tm = ctx.plan.timeouts
    if tm is None:
        return
    yield Planned(Probe("idle timeouts across the hop", "edge.timeouts", ""), _idle(ctx, tm))


def _idle(ctx: Context, tm: Any) -> Callable[[Probe], Probe]:
    def go(p: Probe) -> Probe:
        lb, gw = tm.load_balancer_idle_seconds, tm.envoy_idle_seconds
        if tm.pooling:
            p.intent = f"the load balancer closes idle connections ({lb}s) before Envoy ({gw}s)"
        else:
            p.intent = f"Envoy closes idle connections ({gw}s) before the load balancer ({lb}s)"
        served = _gateway_idle(ctx)
        front = _front_idle(ctx)
        if front is None:
            product = getattr(ctx.lab.front, "product", "the load balancer")
            return p.skip(f"the front models no idle timeout for {product}")
        if served is None or front is None:
            return p.record(False, f"idle timeouts served: gateway {served}, front {front}")
        ok = front < served if tm.pooling else served < front
        return p.record(ok, f"served by the Envoys: front {front:g}s, gateway {served:g}s")
    return go


def _walk(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)


def _gateway_idle(ctx: Context) -> float | None:
    """The gateway's downstream idle timeout, from its HTTP connection managers."""
    boot = ctx.lab.gateway_bootstrap or {}
    values = [sec_any(v) for hcm in _walk(boot.get("static_resources", {}).get("listeners", []),
                                          "common_http_protocol_options")
              for v in [hcm.get("idle_timeout")] if v]
    return min(values) if values else None


def _front_idle(ctx: Context) -> float | None:
    """The load balancer's idle timeout as the front emulates it."""
    values = [t.seconds for t in getattr(ctx.lab.front, "timeouts", [])
              if t.kind in ("tcp-idle", "http-idle")]
    return min(values) if values else None


def sec_any(v: Any) -> float:
    if isinstance(v, dict):
        return float(v.get("seconds", 0)) + float(v.get("nanos", 0)) / 1e9
    text = str(v)
    return float(text[:-1]) if text.endswith("s") else float(text)
