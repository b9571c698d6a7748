"""Settings that validate alone and break together (ING-IX rules).

Each rule has a code, a one-line statement and its public source (`RULES`, listed with the
edge rules); `interaction_problems` refuses what cannot work together, before anything is
registered, with the config path, the value and the fix. Where ingresslib can render a pair so
that it works, it does (`acme_listeners`, the authorization hosts and paths in
`ingresslib.manifests.security`) and the rule states what the render guarantees.

Cloud-agnostic: the gateway workload (its pod labels) is an argument, since only the cloud's
edge plan knows which gateway a stack binds to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ingresslib.config.cert_manager import AcmeIssuer, Http01
from ingresslib.config.certificates import CertManagerCertificate
from ingresslib.config.listeners import host_covers, redirects
from ingresslib.config.routing import Route, RouteMatch, StringMatch
from ingresslib.config.security import AuthzRule
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.config.stack import StackSpec

# code -> (one-line statement, public source). Listed with the edge rules
# (`ingresslib.stack.model.edge_rules`).
RULES: dict[str, tuple[str, str]] = {
    "ING-IX-ACME-REDIRECT": (
        "Istio applies a port-80 server's httpsRedirect to the whole virtual host, the "
        "HTTP-01 solver's routes included: a redirecting listener whose hosts an HTTP-01 "
        "certificate names is rendered as its own Gateway with a route that redirects every "
        "path but /.well-known/acme-challenge/ (api: istio), or the solver attaches an "
        "HTTPRoute to the Gateway, whose exact challenge path outranks the redirect "
        "(api: gatewayApi); with api: istio a port-80 listener that does not redirect takes "
        "no route of those hosts that could answer the challenge",
        "istio/istio#33593, #27643; cert-manager, HTTP01 challenges (gatewayHTTPRoute)"),
    "ING-IX-ACME-INGRESS": (
        "Istio serves the solver's Ingress only on gateway pods labelled "
        "istio: <meshConfig.ingressSelector> (ingressgateway by default), and only when its "
        "class is given by the kubernetes.io/ingress.class annotation or by an IngressClass "
        "with controller istio.io/ingress-controller: the solver sets the annotation "
        "(http01.ingress.class) and the gateway carries the label, or the challenge reaches "
        "no route",
        "Istio, Kubernetes Ingress (Specifying IngressClass; meshConfig ingressSelector, "
        "ingressClass); cert-manager/cert-manager#4537, #3429; istio/istio#37329; "
        "Azure/AKS#4075"),
    "ING-IX-ACME-REACH": (
        "Let's Encrypt validates HTTP-01 from the internet, on port 80, from addresses it "
        "does not publish: the load balancer is internet-facing and admits every client "
        "(loadBalancerSourceRanges), the NetworkPolicy admits every client, and no "
        "authorization rule refuses GET /.well-known/acme-challenge/ on the certificate's "
        "hosts",
        "Let's Encrypt, Challenge Types (HTTP-01: port 80 only) and FAQ (no list of "
        "validation addresses); Istio, Authorization Policy (ALLOW denies what no rule "
        "matches)"),
    "ING-IX-HASH-SPLIT": (
        "Envoy picks one of a route's weighted destinations per request before the "
        "destination's consistent hash picks a pod: a route does not split by weight to a "
        "backend whose load balancer hashes (hashCookie, hashHeader, hashSourceIp), or "
        "clients bounce between the subsets",
        "istio/istio#33343, #9764, #17181; Envoy, Route weighted_clusters"),
    "ING-IX-CORS-PREFLIGHT": (
        "Envoy answers a browser's preflight (OPTIONS with Origin, Access-Control-Request-"
        "Method and -Headers, without the request's own headers) from the CORS policy of the "
        "route it matches: a route with cors matches the preflight too (its method match "
        "admits OPTIONS, its header matches are headers a preflight sends) and no "
        "authorization rule that needs a token refuses it",
        "Fetch Standard, CORS-preflight request; Envoy, CORS filter (per-route policy); "
        "kgateway-dev/kgateway#3774; istio/istio#45716, #55318 (authorization before CORS)"),
    "ING-IX-ALLOW-SCOPE": (
        "Any ALLOW policy on the gateway denies every request no ALLOW rule matches, and an "
        "ALLOW rule with HTTP fields never matches a TLS passthrough connection: ALLOW rules "
        "scoped to some hosts or paths leave every other host, route and passthrough host "
        "the gateway serves allowed by a rule, or the config is refused (restrict one host "
        "with a DENY rule instead)",
        "Istio, Authorization Policy (ALLOW: deny if no ALLOW policy matches; HTTP-only "
        "fields on TCP); istio/istio#24665, #29119"),
    "ING-IX-AUTHZ-HOST-PORT": (
        "A gateway routes Host h and h:<any port> (a wildcard *.d as *.d and *.d:<server "
        "port>) and an authorization host matches the header exactly, with one '*': each "
        "rule host is rendered as the names routing serves, h and h:*, or *.d, *.d:80 and "
        "*.d:443, so that Host: h:port is allowed and denied as routing serves it",
        "istio/istio#44080, #39810; Istio, Authorization Policy, Operation hosts; Istio "
        "pilot, buildGatewayVirtualHostDomains"),
    "ING-IX-AUTHZ-PATH": (
        "An authorization path /p/* does not match /p, which a route's prefix /p serves: "
        "each /p/* is rendered as /p and /p/*; a * is a prefix or suffix wildcard only "
        "(elsewhere it is literal and never matches); a DENY path without '*' that a route "
        "serves as a prefix is refused (the paths below it pass); policy paths match case-"
        "sensitively, so a rule's paths on a host with an ignoreUriCase route are refused",
        "Istio, Authorization Policy, Operation paths; istio/istio#46910, #40541, #38139"),
}

# The path prefix cert-manager's HTTP-01 solver serves (RFC 8555, 8.3).
CHALLENGE_PREFIX = "/.well-known/acme-challenge/"

# Headers a browser's preflight carries (Fetch Standard, CORS-preflight request): the
# request's own headers (Authorization, Cookie, custom ones) are only named in
# Access-Control-Request-Headers.
PREFLIGHT_HEADERS = frozenset({
    "origin", "access-control-request-method", "access-control-request-headers", "host",
    ":authority", "user-agent", "accept", "accept-language", "accept-encoding", "referer",
    "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "connection",
})


def rule(code: str) -> str:
    """`(code)`, to end a message with the rule it breaks."""
    assert code in RULES, code
    return f"({code})"


def not_prefix_regex(prefix: str) -> str:
    """An RE2 regex matching every path that does not start with `prefix` (RE2 has no
    lookahead): for each proper prefix p of `prefix`, p then end, or p then another
    character."""
    def esc(text: str) -> str:
        return "".join(f"\\{c}" if c in "\\.^$|?*+()[]{}" else c for c in text)

    alts = []
    for k in range(len(prefix)):
        head = esc(prefix[:k])
        nxt = esc(prefix[k])
        if k:
            alts.append(head)
        alts.append(f"{head}[^{nxt}].*")
    return "^(" + "|".join(alts) + ")$"


def http01_hosts(spec: StackSpec) -> list[str]:
    """The names of every certificate an HTTP-01 issuer proves."""
    out: list[str] = []
    for cert in spec.certificates.values():
        if not isinstance(cert, CertManagerCertificate):
            continue
        issuer = spec.cert_manager.issuers.get(cert.issuer)
        if isinstance(issuer, AcmeIssuer) and isinstance(issuer.solver, Http01):
            out += [h for h in cert.dns_names if h not in out]
    return out


def acme_listeners(spec: StackSpec) -> list[str]:
    """The port-80 listeners that redirect to HTTPS and serve a host an HTTP-01 certificate
    names: rendered so that the challenge path is not redirected (ING-IX-ACME-REDIRECT)."""
    if spec.topology != "gateway":
        return []
    names = http01_hosts(spec)
    return [lst.name for lst in spec.listeners
            if lst.port == 80 and redirects(lst, spec.listeners)
            and any(host_covers(h, n) for h in lst.hosts for n in names)]


def interaction_problems(spec: StackSpec, workload: GatewayWorkload | None,
                         *, addon: bool = False) -> Iterator[Problem]:
    """Every ING-IX refusal of the stack. `workload` is the gateway the stack deploys or binds
    to (None in standalone); `addon` says it is the AKS Istio add-on's."""
    yield from _hash_split_problems(spec)
    yield from _cors_problems(spec)
    if spec.security is not None and spec.has_gateway:
        yield from _cors_authz_problems(spec)
        yield from _allow_scope_problems(spec)
        yield from _path_case_problems(spec)
        yield from _deny_exact_path_problems(spec)
    if workload is not None and spec.topology == "gateway":
        yield from _acme_problems(spec, workload, addon)


def _hash_split_problems(spec: StackSpec) -> Iterator[Problem]:
    backends = spec.routing.backends
    for i, host in enumerate(spec.routing.hosts):
        for j, route in enumerate(host.routes):
            live = [d for d in route.to if d.weight]
            if len(live) < 2:
                continue
            for k, d in enumerate(route.to):
                b = backends.get(d.backend)
                lb = b.traffic_policy.load_balancer if b and b.traffic_policy else None
                if lb is None or lb.simple is not None:
                    continue
                kind = ("hashCookie" if lb.hash_cookie else "hashHeader" if lb.hash_header
                        else "hashSourceIp")
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}].to",
                    [f"{x.backend}/{x.subset or '*'}:{x.weight}" for x in route.to],
                    f"splits by weight to backend {d.backend} (to[{k}]), whose "
                    f"trafficPolicy.loadBalancer.{kind} is meant to keep a client on one pod: "
                    "Envoy picks the weighted destination per request before hashing, so "
                    "clients bounce between the destinations; send a client to the canary by "
                    "a match on its cookie or header (a route before this one with "
                    "match.headers), or remove the hash "
                    f"(routing.backends.{d.backend}.trafficPolicy.loadBalancer) "
                    f"{rule('ING-IX-HASH-SPLIT')}")
                break


def _admits(m: StringMatch, value: str) -> bool:
    if m.exact is not None:
        return m.exact == value
    if m.prefix is not None:
        return value.startswith(m.prefix)
    assert m.regex is not None
    try:
        return re.fullmatch(m.regex, value) is not None
    except re.error:
        return True


def _preflight_blockers(m: RouteMatch) -> list[str]:
    """What in `m` a preflight cannot meet."""
    out = []
    if m.method is not None and not _admits(m.method, "OPTIONS"):
        out.append(f"method {m.method.model_dump(exclude_none=True)}")
    out += [f"header {h}" for h in sorted(m.headers) if h.lower() not in PREFLIGHT_HEADERS]
    return out


def _same_target(a: RouteMatch, b: RouteMatch) -> bool:
    """Whether a preflight for a request `a` matches also meets `b`'s path, query and port."""
    return ((b.uri is None or b.uri == a.uri or (b.uri.prefix == "/" and not b.ignore_uri_case))
            and (b.port is None or b.port == a.port)
            and all(a.query_params.get(k) == v for k, v in b.query_params.items()))


def _cors_problems(spec: StackSpec) -> Iterator[Problem]:
    for i, host in enumerate(spec.routing.hosts):
        for j, route in enumerate(host.routes):
            if route.cors is None:
                continue
            for k, m in enumerate(route.match):
                blockers = _preflight_blockers(m)
                if not blockers:
                    continue
                if any(_same_target(m, o) and not _preflight_blockers(o) for o in route.match):
                    continue
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}].match[{k}]",
                    ", ".join(blockers),
                    _cors_message(route, blockers))


def _cors_message(route: Route, blockers: list[str]) -> str:
    return (f"route {route.name} has cors, but a browser's preflight (OPTIONS, with "
            "Origin and Access-Control-Request-* only) cannot meet its "
            f"{' and '.join(blockers)}: the preflight falls to another route or a 404 and "
            "the browser refuses the call; add a match with the same uri and method "
            "{exact: OPTIONS} (no header conditions) to this route, or drop these conditions "
            f"{rule('ING-IX-CORS-PREFLIGHT')}")


def _overlaps(paths: list[str], m: RouteMatch | None) -> bool:
    """Whether policy `paths` (all when empty) can match a request route match `m` (all
    when None) takes."""
    if not paths or m is None or m.uri is None:
        return True
    for p in paths:
        if p == "*" or p.startswith("*"):
            return True
        head = p[:-1] if p.endswith("*") else p
        if m.uri.regex is not None:
            if re.match(m.uri.regex, head) or re.fullmatch(m.uri.regex, head + "x"):
                return True
            continue
        q = m.uri.prefix or m.uri.exact or ""
        if m.ignore_uri_case:
            q, head = q.lower(), head.lower()
        if q.startswith(head) or head.startswith(q) or (p.endswith("/*") and q == p[:-2]):
            return True
    return False


def _refuses_preflight(r: AuthzRule, host: str, route: Route) -> bool:
    """Whether a DENY rule refuses every preflight to `route` of `host`: it needs a token
    (which a preflight never carries) or names OPTIONS, for any client."""
    return (r.action == "DENY" and (r.jwt_required or "OPTIONS" in r.methods)
            and _host_in(r.hosts, host)
            and (not r.methods or "OPTIONS" in r.methods)
            and any(_overlaps(r.paths, m) for m in (route.match or [None]))
            and not r.client_cidrs and not r.not_client_cidrs)


def _admits_preflight(r: AuthzRule, host: str, route: Route) -> bool:
    """Whether an ALLOW rule admits a tokenless OPTIONS from any client to `route`."""
    prefixes = [_route_prefix(m) for m in route.match] if route.match else ["/"]
    return (r.action == "ALLOW" and not r.jwt_required and _host_in(r.hosts, host)
            and (not r.methods or "OPTIONS" in r.methods)
            and all(p is not None and _path_in(r.paths, p) for p in prefixes)
            and not r.client_cidrs and not r.not_client_cidrs)


def _cors_authz_problems(spec: StackSpec) -> Iterator[Problem]:
    """Istio's RBAC filter runs before the CORS filter, and a preflight carries no token:
    a rule that needs one refuses the preflight (istio/istio#45716, #55318)."""
    assert spec.security is not None
    rules = spec.security.authorization
    allows = [r for r in rules if r.action == "ALLOW"]
    for i, host in enumerate(spec.routing.hosts):
        for j, route in enumerate(host.routes):
            if route.cors is None:
                continue
            denying = [r.name for r in rules if _refuses_preflight(r, host.host, route)]
            if allows and any(_host_in(r.hosts, host.host) for r in allows) and not any(
                    _admits_preflight(r, host.host, route) for r in allows):
                denying += [r.name for r in allows if _host_in(r.hosts, host.host)]
            if denying:
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}].cors", route.name,
                    f"a browser's preflight carries no token and Istio checks authorization "
                    f"before CORS, so {denying} refuse it (403) and the browser refuses the "
                    "call; give jwtRequired DENY rules the methods they guard without "
                    "OPTIONS, or add an ALLOW rule with methods [OPTIONS] for this host "
                    f"{rule('ING-IX-CORS-PREFLIGHT')}")


def _host_in(rule_hosts: list[str], host: str) -> bool:
    """Whether a rule scoped to `rule_hosts` (all when empty) matches requests to `host` (a
    listener or routing host, possibly a wildcard)."""
    if not rule_hosts:
        return True
    return any(h == host or host_covers(h, host) for h in rule_hosts)


def _path_in(rule_paths: list[str], path: str) -> bool:
    """Whether policy paths match every request under a route's path prefix `path`."""
    if not rule_paths:
        return True
    for p in rule_paths:
        if p == "*":
            return True
        if p.endswith("*") and path.startswith(p[:-1]):
            return True
        if p.endswith("/*") and path == p[:-2]:
            return True
    return False


def _route_prefix(m: RouteMatch) -> str | None:
    uri = m.uri
    if uri is None:
        return "/"
    if m.ignore_uri_case:
        return None
    return uri.prefix or uri.exact


def _allow_scope_problems(spec: StackSpec) -> Iterator[Problem]:
    assert spec.security is not None
    allows = [(i, r) for i, r in enumerate(spec.security.authorization) if r.action == "ALLOW"]
    if not allows:
        return
    names = ", ".join(r.name for _, r in allows)
    at = f"security.authorization[{allows[0][0]}]"
    http_hosts = sorted({h for lst in spec.listeners if lst.protocol != "TLS" for h in lst.hosts})
    closed = [h for h in http_hosts if not any(_host_in(r.hosts, h) for _, r in allows)]
    if closed:
        yield Problem(
            f"{at}.hosts", allows[0][1].hosts,
            f"ALLOW rules ({names}) make Istio deny every request no ALLOW rule matches, so "
            f"every request to {closed}, which the listeners serve, is refused (403): to "
            "restrict a host to some clients, write action DENY with notClientCidrs (or "
            "other conditions) on that host instead; or add an ALLOW rule for these hosts "
            f"{rule('ING-IX-ALLOW-SCOPE')}")
    tls_hosts = sorted({h for lst in spec.listeners if lst.protocol == "TLS" for h in lst.hosts})
    l4 = [r for _, r in allows if not (r.hosts or r.paths or r.methods or r.jwt_required)]
    if tls_hosts and not l4:
        yield Problem(
            f"{at}", names,
            f"ALLOW rules with hosts, paths, methods or jwtRequired never match a TLS "
            f"passthrough connection (Istio sees no HTTP there), so every connection to "
            f"{tls_hosts} is refused; add an ALLOW rule with clientCidrs only, or use DENY "
            f"rules {rule('ING-IX-ALLOW-SCOPE')}")
    for hi, host in enumerate(spec.routing.hosts):
        if host.host in closed:
            continue
        covering = [r for _, r in allows if _host_in(r.hosts, host.host)]
        for ri, route in enumerate(host.routes):
            prefixes = [_route_prefix(m) for m in route.match] if route.match else ["/"]
            if any(p is None for p in prefixes):
                continue
            shut = [p for p in prefixes if p is not None
                    and not any(_path_in(r.paths, p) for r in covering)]
            if shut:
                yield Problem(
                    f"routing.hosts[{hi}].routes[{ri}]", route.name,
                    f"serves {shut} on {host.host}, which no ALLOW rule ({names}) matches: "
                    "Istio refuses every request to it (403); add its path to an ALLOW "
                    "rule's paths, or restrict with DENY rules instead "
                    f"{rule('ING-IX-ALLOW-SCOPE')}")


def _path_case_problems(spec: StackSpec) -> Iterator[Problem]:
    assert spec.security is not None
    for i, r in enumerate(spec.security.authorization):
        if not r.paths:
            continue
        for host in spec.routing.hosts:
            if not _host_in(r.hosts, host.host):
                continue
            folded = [route.name for route in host.routes
                      if any(m.ignore_uri_case and _overlaps(r.paths, m)
                             for m in route.match)]
            if folded:
                yield Problem(
                    f"security.authorization[{i}].paths", r.paths,
                    f"match case-sensitively, while routes {folded} of {host.host} set "
                    f"ignoreUriCase: a request for the same path in other case is routed but "
                    f"{'not denied' if r.action == 'DENY' else 'not allowed'} by {r.name}; "
                    "remove ignoreUriCase from those routes "
                    f"{rule('ING-IX-AUTHZ-PATH')}")
                break


def _deny_exact_path_problems(spec: StackSpec) -> Iterator[Problem]:
    """A DENY path without '*' matches that path only, while a route's prefix with the same
    path serves everything below it."""
    assert spec.security is not None
    for i, r in enumerate(spec.security.authorization):
        if r.action != "DENY":
            continue
        exact = [p for p in r.paths if "*" not in p
                 and f"{p.rstrip('/')}/*" not in r.paths and p != "/"]
        for host in spec.routing.hosts:
            if not _host_in(r.hosts, host.host):
                continue
            below = sorted({(p, route.name) for route in host.routes for m in route.match
                            for p in exact if m.uri is not None and m.uri.prefix is not None
                            and m.uri.prefix.rstrip("/") == p.rstrip("/")})
            if below:
                p, name = below[0]
                yield Problem(
                    f"security.authorization[{i}].paths", r.paths,
                    f"{p} matches that exact path only, while route {name} of {host.host} "
                    f"serves every path under it: {p.rstrip('/')}/x passes this DENY rule; "
                    f"write {p.rstrip('/')}/* (rendered as {p.rstrip('/')} and "
                    f"{p.rstrip('/')}/*) {rule('ING-IX-AUTHZ-PATH')}")
                break


def _challenge_passes(r: AuthzRule, host: str) -> bool:
    """Whether an ALLOW rule admits GET /.well-known/acme-challenge/<token> on `host` from any
    client."""
    return (_host_in(r.hosts, host) and _path_in(r.paths, CHALLENGE_PREFIX + "t")
            and (not r.methods or "GET" in r.methods) and not r.client_cidrs
            and not r.not_client_cidrs and not r.jwt_required)


def _challenge_denied(r: AuthzRule, host: str) -> bool:
    """Whether a DENY rule can refuse the challenge on `host` for some client."""
    return (_host_in(r.hosts, host) and _path_in(r.paths, CHALLENGE_PREFIX + "t")
            and (not r.methods or "GET" in r.methods)
            and bool(r.client_cidrs or r.not_client_cidrs or r.jwt_required))


def _takes_challenge(m: RouteMatch) -> bool:
    """Whether a route match can take Let's Encrypt's GET of a challenge path."""
    path = CHALLENGE_PREFIX + "token"
    if m.headers or m.query_params or (m.method and not _admits(m.method, "GET")):
        return False
    if m.uri is None:
        return True
    return _admits(m.uri, path.lower() if m.ignore_uri_case else path)


def _plain_http_challenge_problems(spec: StackSpec, names: list[str]) -> Iterator[Problem]:
    """A port-80 listener that does not redirect serves the hosts' own routes, which Istio
    merges into one virtual host with the solver Ingress's routes in an order it does not
    promise: a route that can take the challenge path may answer it instead."""
    plain = [lst for lst in spec.listeners if lst.port == 80 and lst.protocol == "HTTP"
             and not redirects(lst, spec.listeners)]
    for i, host in enumerate(spec.routing.hosts):
        proven = [n for n in names if host_covers(host.host, n) or host.host == n]
        if not proven or not any(any(host_covers(h, n) for h in lst.hosts for n in proven)
                                 for lst in plain):
            continue
        for j, route in enumerate(host.routes):
            if not route.match or any(_takes_challenge(m) for m in route.match):
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}]", route.name,
                    f"can take Let's Encrypt's GET {CHALLENGE_PREFIX}<token> for {proven} "
                    "on port 80, where Istio merges it with the HTTP-01 solver's routes in no "
                    "promised order, so the challenge may reach the backend; let the port-80 "
                    "listener redirect to HTTPS (ingresslib then leaves the challenge path to "
                    "the solver), or use api: gatewayApi (the solver's exact path outranks "
                    f"this route) {rule('ING-IX-ACME-REDIRECT')}")
                break


def _ingress_message(wanted: str, got: str | None, addon: bool) -> str:
    if addon:
        return ("Istio serves the HTTP-01 solver's Ingress on the gateway its "
                "meshConfig.ingressSelector names, and the AKS Istio add-on's gateways "
                f"(istio: {got}) do not serve Ingress (Azure/AKS#4075): the challenge "
                "reaches no route; use api: gatewayApi, whose solver attaches an HTTPRoute "
                "to the stack's Gateway, or a DNS-01 solver (azureDns) "
                + rule("ING-IX-ACME-INGRESS"))
    return (f"Istio serves the HTTP-01 solver's Ingress on gateway pods labelled istio: "
            f"{wanted} only (meshConfig.ingressSelector), and the stack's gateway is "
            f"labelled istio: {got}: the challenge reaches no route; set "
            f"gateway.labels.istio: {wanted}, or set meshConfig.ingressSelector: {got} in "
            "the mesh and state it here, or use api: gatewayApi (the solver attaches an "
            f"HTTPRoute to the stack's Gateway) {rule('ING-IX-ACME-INGRESS')}")


def _acme_problems(spec: StackSpec, workload: GatewayWorkload,
                   addon: bool) -> Iterator[Problem]:
    names = http01_hosts(spec)
    if not names:
        return
    issuers = sorted({c.issuer for c in spec.certificates.values()
                      if isinstance(c, CertManagerCertificate)
                      and isinstance(spec.cert_manager.issuers.get(c.issuer), AcmeIssuer)
                      and isinstance(spec.cert_manager.issuers[c.issuer].solver, Http01)})
    if spec.api == "istio":
        yield from _plain_http_challenge_problems(spec, names)
        for name in issuers:
            solver = spec.cert_manager.issuers[name].solver
            assert isinstance(solver, Http01)
            wanted = solver.ingress_selector
            if workload.labels.get("istio") != wanted or addon:
                yield Problem(
                    f"certManager.issuers.{name}.solver.ingressSelector", wanted,
                    _ingress_message(wanted, workload.labels.get("istio"), addon))
    if spec.load_balancer.scheme == "internal":
        yield Problem(
            "loadBalancer.scheme", "internal",
            f"certificates for {names} are proven over HTTP-01, which Let's Encrypt sends "
            "from the internet to port 80, and an internal load balancer is not reachable "
            f"from there; use a DNS-01 solver (route53, azureDns) {rule('ING-IX-ACME-REACH')}")
    wl = workload
    if wl.network_policy.enabled and wl.network_policy.ingress_from and not any(
            c in ("0.0.0.0/0", "::/0") for c in wl.network_policy.ingress_from):
        yield Problem(
            "gateway.networkPolicy.ingressFrom", list(wl.network_policy.ingress_from),
            f"admits only these clients, and Let's Encrypt validates {names} over HTTP-01 "
            "from addresses it does not publish: the challenge is dropped; use a DNS-01 "
            "solver, or admit 0.0.0.0/0 and restrict clients with authorization rules "
            f"{rule('ING-IX-ACME-REACH')}")
    ranges = wl.service.load_balancer_source_ranges
    if ranges and not any(c in ("0.0.0.0/0", "::/0") for c in ranges):
        yield Problem(
            "gateway.service.loadBalancerSourceRanges", list(ranges),
            f"let only these clients through the load balancer, and Let's Encrypt validates "
            f"{names} over HTTP-01 from addresses it does not publish: the challenge never "
            "arrives; use a DNS-01 solver, or admit 0.0.0.0/0 and restrict clients with "
            f"authorization rules {rule('ING-IX-ACME-REACH')}")
    if spec.security is None:
        return
    rules = spec.security.authorization
    allows = [r for r in rules if r.action == "ALLOW"]
    for host in names:
        if allows and not any(_challenge_passes(r, host) for r in allows):
            yield Problem(
                "security.authorization", [r.name for r in allows],
                f"no ALLOW rule admits Let's Encrypt's GET {CHALLENGE_PREFIX}<token> on "
                f"{host} from any client, so Istio refuses the HTTP-01 challenge (403); add "
                f"{{name: acme-http01, action: ALLOW, hosts: [{host}], paths: "
                f"['{CHALLENGE_PREFIX}*'], methods: [GET]}} {rule('ING-IX-ACME-REACH')}")
        for i, r in enumerate(rules):
            if r.action == "DENY" and _challenge_denied(r, host):
                yield Problem(
                    f"security.authorization[{i}]", r.name,
                    f"can refuse Let's Encrypt's GET {CHALLENGE_PREFIX}<token> on {host} "
                    "(it validates from addresses it does not publish), so the HTTP-01 "
                    f"challenge fails; scope the rule's paths away from {CHALLENGE_PREFIX}, "
                    f"or use a DNS-01 solver {rule('ING-IX-ACME-REACH')}")
