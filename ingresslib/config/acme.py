"""A controller that must reach the gateway: cert-manager's ACME HTTP-01 solver through the
Istio gateway (ING-IX-ACME-REDIRECT, ING-IX-ACME-INGRESS, ING-IX-ACME-REACH). What renders
(`acme_listeners`, `not_prefix_regex`: `ingresslib.manifests.routing`; the solver:
`ingresslib.manifests.certificates`) and what is refused.

Cloud-agnostic: the gateway workload (its pod labels, whether it is the AKS add-on's) is an
argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ingresslib.config.authz_interactions import HostRules, path_in
from ingresslib.config.cert_manager import LETS_ENCRYPT, AcmeIssuer, Http01
from ingresslib.config.certificates import CertManagerCertificate
from ingresslib.config.hostnames import HostPatterns
from ingresslib.config.interaction_rules import rule, string_admits
from ingresslib.config.listeners import https_hosts, redirects
from ingresslib.config.routing import RouteMatch
from ingresslib.config.security import AuthzRule
from ingresslib.config.workload import GatewayWorkload
from ingresslib.errors import Problem

if TYPE_CHECKING:
    from ingresslib.config.stack import StackSpec

# The path prefix cert-manager's HTTP-01 solver serves (RFC 8555, 8.3), and the characters of
# a token after it (base64url).
CHALLENGE_PREFIX = "/.well-known/acme-challenge/"
_TOKEN = re.compile(r"[A-Za-z0-9_-]*")


def not_prefix_regex(prefix: str) -> str:
    """An RE2 regex matching every path that does not start with `prefix` (RE2 has no
    lookahead): after each character of `prefix`, the path ends, or goes on with another
    character, or with the next one of `prefix` and the same again, short of the whole
    `prefix`. About 15 characters per character of `prefix`, far inside the RE2 program size
    Istio's Envoy admits (re2.max_program_size.error_level 32768)."""
    def esc(c: str) -> str:
        return f"\\{c}" if c in "\\.^$|?*+()[]{}-" else c

    tail = f"(?:[^{esc(prefix[-1])}].*)?"
    for c in reversed(prefix[:-1]):
        tail = f"(?:[^{esc(c)}].*|{esc(c)}{tail})?"
    return f"^{tail}$"


def http01_hosts(spec: StackSpec, *, public: bool = False) -> list[str]:
    """The names of every certificate an HTTP-01 issuer proves; `public`: only those Let's
    Encrypt proves, from the internet (another ACME server may validate from inside)."""
    out: list[str] = []
    for cert in spec.certificates.values():
        if not isinstance(cert, CertManagerCertificate):
            continue
        issuer = spec.cert_manager.issuers.get(cert.issuer)
        if not (isinstance(issuer, AcmeIssuer) and isinstance(issuer.solver, Http01)):
            continue
        if public and issuer.server_url not in LETS_ENCRYPT.values():
            continue
        out += [h for h in cert.dns_names if h not in out]
    return out


def acme_listeners(spec: StackSpec) -> list[str]:
    """The port-80 listeners that redirect to HTTPS and serve a host an HTTP-01 certificate
    names: rendered so that the challenge path is not redirected (ING-IX-ACME-REDIRECT)."""
    if spec.topology != "gateway":
        return []
    names = HostPatterns((n, n) for n in http01_hosts(spec))
    https = https_hosts(spec.listeners)
    return [lst.name for lst in spec.listeners
            if lst.port == 80 and redirects(lst, https)
            and any(names.covered_by(h) for h in lst.hosts)]


def acme_problems(spec: StackSpec, workload: GatewayWorkload,
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
    yield from _reach_problems(spec, workload, http01_hosts(spec, public=True))


def _reach_problems(spec: StackSpec, wl: GatewayWorkload, names: list[str]
                    ) -> Iterator[Problem]:
    """What keeps Let's Encrypt's validation of `names` from the gateway's port 80."""
    if not names:
        return
    if spec.load_balancer.scheme == "internal":
        yield Problem(
            "loadBalancer.scheme", "internal",
            f"certificates for {names} are proven over HTTP-01, which Let's Encrypt sends "
            "from the internet to port 80, and an internal load balancer is not reachable "
            f"from there; use a DNS-01 solver (route53, azureDns) {rule('ING-IX-ACME-REACH')}")
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
    matching = HostRules(rules)
    for host in names:
        if allows and not any(_challenge_passes(r) for _, r in matching(host)
                              if r.action == "ALLOW"):
            yield Problem(
                "security.authorization", [r.name for r in allows],
                f"no ALLOW rule admits Let's Encrypt's GET {CHALLENGE_PREFIX}<token> on "
                f"{host} from any client, so Istio refuses the HTTP-01 challenge (403); add "
                f"{{name: acme-http01, action: ALLOW, hosts: [{host}], paths: "
                f"['{CHALLENGE_PREFIX}*'], methods: [GET]}} {rule('ING-IX-ACME-REACH')}")
        for i, r in matching(host):
            if r.action == "DENY" and _challenge_denied(r):
                yield Problem(
                    f"security.authorization[{i}]", r.name,
                    f"can refuse Let's Encrypt's GET {CHALLENGE_PREFIX}<token> on {host} "
                    "(it validates from addresses it does not publish), so the HTTP-01 "
                    f"challenge fails; scope the rule's paths away from {CHALLENGE_PREFIX}, "
                    f"or use a DNS-01 solver {rule('ING-IX-ACME-REACH')}")


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


def _plain_http_challenge_problems(spec: StackSpec, names: list[str]) -> Iterator[Problem]:
    """A port-80 listener that does not redirect serves the hosts' own routes, which Istio
    merges into one virtual host with the solver Ingress's routes in an order it does not
    promise: a route that can take the challenge path may answer it instead."""
    https = https_hosts(spec.listeners)
    plain = [lst for lst in spec.listeners if lst.port == 80 and lst.protocol == "HTTP"
             and not redirects(lst, https)]
    # The names each routing host covers, and the plain listeners serving each name.
    named = HostPatterns((n, n) for n in names)
    served = HostPatterns((h, k) for k, lst in enumerate(plain) for h in lst.hosts)
    for i, host in enumerate(spec.routing.hosts):
        proven = named.covered_by(host.host)
        serving = sorted({k for n in proven for k in served.covering(n)})
        if not serving:
            continue
        keys = " or ".join(f"listeners[{plain[k].name}].httpsRedirect: true" for k in serving)
        for j, route in enumerate(host.routes):
            if not route.match or any(_takes_challenge(m) for m in route.match):
                yield Problem(
                    f"routing.hosts[{i}].routes[{j}]", route.name,
                    f"can take Let's Encrypt's GET {CHALLENGE_PREFIX}<token> for {proven} "
                    "on port 80, where Istio merges it with the HTTP-01 solver's routes in no "
                    "promised order, so the challenge may reach the backend; let the port-80 "
                    f"listener redirect to HTTPS ({keys}: ingresslib then leaves the "
                    "challenge path to the solver), or use api: gatewayApi (the solver's "
                    "exact path outranks "
                    f"this route) {rule('ING-IX-ACME-REDIRECT')}")
                break


def _takes_challenge(m: RouteMatch) -> bool:
    """Whether a route match can take Let's Encrypt's GET of the challenge path of some token
    (a regex is tried on one sample token)."""
    if m.headers or m.query_params or (m.method and not string_admits(m.method, "GET")):
        return False
    uri = m.uri
    if uri is None:
        return True
    if uri.regex is not None:
        return string_admits(uri, CHALLENGE_PREFIX + "token")
    # Istio ignores case in exact and prefix matches (not regex).
    text = (uri.exact or uri.prefix or "").lower() if m.ignore_uri_case else (
        uri.exact or uri.prefix or "")
    if uri.exact is not None:
        return text.startswith(CHALLENGE_PREFIX) and _TOKEN.fullmatch(
            text[len(CHALLENGE_PREFIX):]) is not None and text != CHALLENGE_PREFIX
    return CHALLENGE_PREFIX.startswith(text) or (
        text.startswith(CHALLENGE_PREFIX)
        and _TOKEN.fullmatch(text[len(CHALLENGE_PREFIX):]) is not None)


def _challenge_passes(r: AuthzRule) -> bool:
    """Whether an ALLOW rule on the challenge's host admits GET
    /.well-known/acme-challenge/<token> from any client, whatever the token."""
    return (path_in(r.paths, CHALLENGE_PREFIX)
            and (not r.methods or "GET" in r.methods) and not r.client_cidrs
            and not r.not_client_cidrs and not r.jwt_required)


def _challenge_denied(r: AuthzRule) -> bool:
    """Whether a DENY rule on the challenge's host can refuse the challenge for some client
    and token."""
    return (_some_token(r.paths)
            and (not r.methods or "GET" in r.methods)
            and bool(r.client_cidrs or r.not_client_cidrs or r.jwt_required))


def _some_token(paths: list[str]) -> bool:
    """Whether policy `paths` (all when empty) match the challenge path of some token (RFC
    8555 tokens are base64url): a path under the prefix, a prefix wildcard the prefix starts
    with, or a suffix wildcard whose suffix such a path can end with."""
    return not paths or any(
        p.startswith(CHALLENGE_PREFIX)
        or (p.endswith("*") and CHALLENGE_PREFIX.startswith(p[:-1]))
        or (p.startswith("*") and _ends_some_challenge_path(p[1:])) for p in paths)


def _ends_some_challenge_path(suffix: str) -> bool:
    """Whether some challenge path ends with `suffix`: the end of the prefix, then token
    characters."""
    return any(suffix.startswith(CHALLENGE_PREFIX[i:])
               and _TOKEN.fullmatch(suffix[len(CHALLENGE_PREFIX) - i:]) is not None
               for i in range(len(CHALLENGE_PREFIX) + 1))
