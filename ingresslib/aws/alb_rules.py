"""Listener rules of a standalone ALB from the routing config.

An ALB matches host, path (wildcards, case-sensitive), method, headers and query strings and
forwards (weighted), redirects or answers fixed responses; everything else an Istio route can
do is refused here with the reason, so the translation never drops a feature silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingresslib.aws.config import ALB_BODY_BYTES, ALB_FORWARD_GROUPS, ALB_RULE_EVALUATIONS, Alb
from ingresslib.config.hostnames import HostPatterns
from ingresslib.config.listeners import covered, https_hosts, redirects
from ingresslib.config.routing import Backend, Route, RouteMatch, StringMatch
from ingresslib.errors import Problem, declared

if TYPE_CHECKING:
    from ingresslib.aws.config import EksStack

_METHOD = re.compile(r"^[A-Z_-]{1,40}$")
# Listener rule priorities: AWS takes 1-50000, unique per listener; ingresslib gives each rule
# a slot of PRIORITY_SLOT of them (alb_plan.rule_priorities).
PRIORITY_MAX = 50000
PRIORITY_SLOT = 100
MAX_RULES = PRIORITY_MAX // PRIORITY_SLOT
_UNSUPPORTED = (
    ("rewrite", "rewrite the path or authority (ingresslib generates no ALB transforms)"),
    ("timeout", "time out one route (only the load balancer's idle timeout applies)"),
    ("retries", "retry requests"),
    ("fault", "inject faults"),
    ("cors", "answer CORS preflights"),
    ("mirror", "mirror traffic"),
    ("headers", "change request or response headers"),
)
_ALGORITHMS = {
    "ROUND_ROBIN": "round_robin",
    "LEAST_REQUEST": "least_outstanding_requests",
    "RANDOM": "weighted_random",
}


@dataclass(frozen=True)
class TargetGroupRef:
    """A target group, by routing backend key, until the thin layer has its ARN."""

    key: str


@dataclass(frozen=True)
class Rule:
    """One ALB listener rule: all conditions hold; `port` limits it to one listener."""

    conditions: list[dict[str, Any]]
    action: dict[str, Any]
    port: int | None = None


def _escape(value: str) -> str:
    """ALB header and query values read `*` and `?` as wildcards unless escaped."""
    return re.sub(r"([*?\\])", r"\\\1", value)


def _value(m: StringMatch, path: str, what: str) -> tuple[str | None, list[Problem]]:
    if m.regex is not None:
        return None, [Problem(f"{path}.regex", m.regex,
                              f"ingresslib matches {what} at an ALB with wildcards only (ALB "
                              "regex conditions do not follow Istio's RE2 full-match "
                              "semantics); use exact or prefix")]
    if m.exact is not None:
        return _escape(m.exact), []
    assert m.prefix is not None
    return _escape(m.prefix) + "*", []


def _path_pattern(match: RouteMatch, path: str) -> tuple[str | None, list[Problem]]:
    assert match.uri is not None
    uri = match.uri
    if match.ignore_uri_case:
        return None, [Problem(f"{path}.ignoreUriCase", True,
                              "ALB path patterns are case-sensitive; remove ignoreUriCase")]
    if uri.regex is not None:
        return None, [Problem(f"{path}.uri.regex", uri.regex,
                              "ingresslib matches paths at an ALB with wildcards only (ALB "
                              "regex conditions do not follow Istio's RE2 full-match "
                              "semantics); use exact or prefix")]
    text = uri.exact if uri.exact is not None else uri.prefix
    assert text is not None
    if "*" in text or "?" in text:
        return None, [Problem(f"{path}.uri", text,
                              "an ALB reads * and ? in a path as wildcards and cannot escape "
                              "them; match without them")]
    pattern = text if uri.exact is not None else f"{text}*"
    if len(pattern) > 128:
        return None, [Problem(f"{path}.uri", text, "ALB path patterns hold 128 characters")]
    return pattern, []


def match_conditions(
    host: str, match: RouteMatch | None, path: str
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The conditions of one Istio match on `host`, in pulumi-aws ListenerRuleCondition shape."""
    conditions: list[dict[str, Any]] = []
    problems: list[Problem] = []
    if host != "*":
        conditions.append({"host_header": {"values": [host]}})
    if match is not None:
        if match.uri is not None:
            pattern, found = _path_pattern(match, path)
            problems += found
            if pattern:
                conditions.append({"path_pattern": {"values": [pattern]}})
        if match.method is not None:
            method = match.method.exact
            if method is None or not _METHOD.match(method):
                problems.append(Problem(f"{path}.method", match.method.model_dump(
                    exclude_none=True), "an ALB matches one exact method in capitals, such as "
                    "GET; use exact"))
            else:
                conditions.append({"http_request_method": {"values": [method]}})
        for name, header in sorted(match.headers.items()):
            value, found = _value(header, f"{path}.headers.{name}", "headers")
            problems += found
            if name.startswith(":") or len(name) > 40:
                problems.append(Problem(f"{path}.headers", name, "an ALB matches ordinary "
                                        "headers of up to 40 characters, not pseudo-headers"))
            elif value is not None:
                conditions.append({"http_header": {"http_header_name": name,
                                                   "values": [value]}})
        pairs = []
        for name, param in sorted(match.query_params.items()):
            value, found = _value(param, f"{path}.queryParams.{name}", "query strings")
            problems += found
            if value is not None:
                pairs.append({"key": _escape(name), "value": value})
        if pairs:
            conditions.append({"query_strings": pairs})
    evaluations = sum(len(c["query_strings"]) if "query_strings" in c else 1
                      for c in conditions)
    if evaluations > ALB_RULE_EVALUATIONS:
        problems.append(Problem(path, evaluations,
                                f"an ALB rule holds at most {ALB_RULE_EVALUATIONS} condition "
                                "values (host, path, method, each header and query string); "
                                "match on fewer"))
    if not conditions:
        conditions.append({"path_pattern": {"values": ["*"]}})
    return conditions, problems


def route_action(route: Route, path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The ALB action of a route: forward (weighted), redirect or fixed response."""
    problems = [
        Problem(f"{path}.{field}", "set", f"an ALB cannot {what}; remove it, or use topology "
                "chained, where the Istio gateway routes")
        for field, what in _UNSUPPORTED
        if getattr(route, field)
    ]
    if route.delegate:
        problems.append(Problem(f"{path}.delegate", route.delegate.name,
                                "an ALB has no delegated route tables; list the routes here, "
                                "or use topology chained"))
        return None, problems
    if route.to:
        for i, dest in enumerate(route.to):
            if dest.subset:
                problems.append(Problem(f"{path}.to[{i}].subset", dest.subset,
                                        "an ALB target group holds every pod of the backend's "
                                        "Service and cannot pick a subset by labels; give each "
                                        "version its own Service and backend"))
        keys = [d.backend for d in route.to]
        if len(set(keys)) != len(keys):
            problems.append(Problem(f"{path}.to", keys, "an ALB forwards to each target group "
                                    "once per rule; split across distinct backends"))
        if len(keys) > ALB_FORWARD_GROUPS:
            problems.append(Problem(f"{path}.to", keys, f"an ALB splits across at most "
                                    f"{ALB_FORWARD_GROUPS} target groups"))
        if len(route.to) == 1:
            return {"type": "forward", "target_group_arn": TargetGroupRef(keys[0])}, problems
        groups = [{"arn": TargetGroupRef(d.backend), "weight": d.weight} for d in route.to]
        return {"type": "forward", "forward": {"target_groups": groups}}, problems
    if route.redirect:
        r = route.redirect
        if r.redirect_code not in (301, 302):
            problems.append(Problem(f"{path}.redirect.redirectCode", r.redirect_code,
                                    "an ALB redirects with 301 or 302 only"))
        if r.authority and ":" in r.authority:
            problems.append(Problem(f"{path}.redirect.authority", r.authority,
                                    "give the port in redirect.port; an ALB redirect host "
                                    "takes no port"))
        if r.uri is not None and not r.uri.startswith("/"):
            problems.append(Problem(f"{path}.redirect.uri", r.uri, "must start with '/'"))
        port = r.port or {"https": 443, "http": 80}.get(r.scheme or "")
        redirect = {
            "status_code": f"HTTP_{r.redirect_code}",
            "protocol": r.scheme.upper() if r.scheme else "#{protocol}",
            "host": r.authority or "#{host}",
            "port": str(port) if port else "#{port}",
            "path": r.uri or "/#{path}",
            "query": "#{query}",
        }
        return {"type": "redirect", "redirect": redirect}, problems
    assert route.direct_response is not None
    d = route.direct_response
    if d.status // 100 not in (2, 4, 5):
        problems.append(Problem(f"{path}.directResponse.status", d.status,
                                "an ALB fixed response has a 2xx, 4xx or 5xx status"))
    if d.body and len(d.body.encode()) > ALB_BODY_BYTES:
        problems.append(Problem(f"{path}.directResponse.body", f"{len(d.body)} characters",
                                f"an ALB fixed response body holds {ALB_BODY_BYTES} bytes"))
    fixed: dict[str, Any] = {"content_type": "text/plain", "status_code": str(d.status)}
    if d.body:
        fixed["message_body"] = d.body
    return {"type": "fixed-response", "fixed_response": fixed}, problems


def route_rules(host: str, route: Route, path: str) -> tuple[list[Rule], list[Problem]]:
    """One rule per match of the route (an Istio route matches when any of its matches does)."""
    action, problems = route_action(route, path)
    rules = []
    for i, match in enumerate(route.match or [None]):
        conditions, found = match_conditions(host, match, f"{path}.match[{i}]")
        problems += found
        if action is not None:
            rules.append(Rule(conditions, action, match.port if match else None))
    return rules, problems


def host_order(hosts: list[str]) -> list[str]:
    """Exact hosts first, then wildcards, then '*': an ALB takes the first rule that matches,
    Istio the most specific host."""
    return sorted(hosts, key=lambda h: (h == "*", h.startswith("*."), hosts.index(h)))


def target_port(key: str, backend: Backend, alb: Alb) -> int:
    settings = alb.backends.get(key)
    return (settings.target_port if settings else None) or backend.port


def algorithm(backend: Backend) -> str:
    policy = backend.traffic_policy
    simple = policy.load_balancer.simple if policy and policy.load_balancer else None
    return _ALGORITHMS.get(simple or "ROUND_ROBIN", "round_robin")


def routed_backends(cfg: EksStack) -> list[str]:
    """Backend keys some route forwards to, sorted: each gets a target group."""
    return sorted({d.backend for h in cfg.routing.hosts for r in h.routes for d in r.to})


def alb_route_problems(cfg: EksStack, alb: Alb) -> Iterator[Problem]:
    """What a standalone ALB cannot do of `routing`, and the mTLS it cannot speak."""
    if cfg.topology != "standalone":
        return
    for i, host in enumerate(cfg.routing.hosts):
        if host.tls_routes:
            yield Problem(f"routing.hosts[{i}].tlsRoutes", [r.name for r in host.tls_routes],
                          "an ALB cannot route TLS by SNI without terminating it; use "
                          "topology gateway")
        for j, route in enumerate(host.routes):
            yield from route_rules(host.host, route, f"routing.hosts[{i}].routes[{j}]")[1]
    for key in sorted(alb.backends):
        if key not in cfg.routing.backends:
            known = declared(cfg.routing.backends)
            yield Problem(f"aws.alb.backends.{key}", key,
                          f"names no entry of routing.backends ({known})")
    for key in routed_backends(cfg):
        backend = cfg.routing.backends.get(key)
        if backend is not None:
            yield from _backend_problems(cfg, key, backend, alb)
    yield from _protocol_version_problems(cfg, alb)
    yield from _rule_count_problems(cfg)


def protocol_version(alb: Alb, key: str) -> str:
    """The protocol version of backend `key`'s target group."""
    settings = alb.backends.get(key)
    return settings.protocol_version if settings else "HTTP1"


def _plain_http_listeners(cfg: EksStack) -> HostPatterns[int]:
    """The HTTP listeners that serve a host without redirecting to HTTPS, by the hosts they
    serve: `covering(host)` gives their indices."""
    https = https_hosts(cfg.listeners)
    return HostPatterns((h, i) for i, lst in enumerate(cfg.listeners)
                        if lst.protocol == "HTTP" and not redirects(lst, https)
                        for h in lst.hosts)


def _protocol_version_problems(cfg: EksStack, alb: Alb) -> Iterator[Problem]:
    """EDGE-PR-ALB: a route forwards to target groups of one protocol version, and to an
    HTTP2 or GRPC one only behind HTTPS listeners."""
    plain_http = _plain_http_listeners(cfg)
    for i, host in enumerate(cfg.routing.hosts):
        plain = plain_http.covering(host.host)
        for j, route in enumerate(host.routes):
            path = f"routing.hosts[{i}].routes[{j}].to"
            versions = {d.backend: protocol_version(alb, d.backend) for d in route.to}
            if len(set(versions.values())) > 1:
                yield Problem(path, versions,
                              "splits one request stream across target groups of different "
                              "protocol versions, and a request fails in every group but its "
                              "own kind's (gRPC in GRPC, HTTP/1.1 in HTTP1); split between "
                              "backends of one aws.alb.backends.<b>.protocolVersion "
                              "(EDGE-PR-ALB)")
            newer = sorted(k for k, v in versions.items() if v != "HTTP1")
            for k in plain if newer else []:
                lst = cfg.listeners[k]
                yield Problem(path, newer,
                              f"listeners[{k}] ({lst.name} :{lst.port} HTTP) serves this host "
                              "without redirecting to HTTPS, and AWS accepts target groups of "
                              f"protocolVersion {versions[newer[0]]} behind HTTPS listeners "
                              "only; let it redirect (serve the host on an HTTPS listener, "
                              "httpsRedirect not false), or use protocolVersion HTTP1 "
                              "(EDGE-PR-ALB)")


def _rule_count_problems(cfg: EksStack) -> Iterator[Problem]:
    """EDGE-CH-ALB-RULES: a listener's rules fit its priority slots."""
    https = https_hosts(cfg.listeners)
    for port in sorted({lst.port for lst in cfg.listeners}):
        served = frozenset(h for lst in cfg.listeners if lst.port == port
                           and not redirects(lst, https) for h in lst.hosts)
        count = sum(len(route.match or [None]) for host in cfg.routing.hosts
                    if covered(served, host.host) for route in host.routes)
        if count > MAX_RULES:
            yield Problem("routing.hosts", f"{count} rules on port {port}",
                          f"an ALB listener takes at most {MAX_RULES} rules here (priorities "
                          f"1-50000 in slots of 100; AWS's default quota is 100 rules per "
                          f"load balancer); route fewer paths on port {port} (EDGE-CH-ALB-RULES)")


def _backend_problems(cfg: EksStack, key: str, backend: Backend, alb: Alb
                      ) -> Iterator[Problem]:
    path = f"routing.backends.{key}"
    policy = backend.traffic_policy
    if policy is not None:
        lb = policy.load_balancer
        if lb and (lb.simple not in _ALGORITHMS or lb.failover):
            yield Problem(f"{path}.trafficPolicy.loadBalancer", lb.model_dump(
                by_alias=True, exclude_defaults=True),
                "an ALB target group balances with simple ROUND_ROBIN, LEAST_REQUEST or "
                "RANDOM only (no hashing, passthrough or failover)")
        for field in ("connection_pool", "outlier_detection", "tls"):
            if getattr(policy, field) is not None:
                yield Problem(f"{path}.trafficPolicy", field,
                              "DestinationRule policies apply to mesh clients, and the ALB is "
                              "not one: it would never apply to the ALB's traffic; remove it")
    port = target_port(key, backend, alb)
    refs = cfg.security.standalone_ports if cfg.security else []
    if not any(r.namespace == backend.namespace and port in r.ports for r in refs):
        yield Problem(path, f"{backend.namespace}/{backend.service}:{port}",
                      f"the ALB sends plaintext to port {port} of these pods (it cannot present "
                      "a mesh certificate), so STRICT mTLS, set in the namespace or mesh-wide, "
                      "would refuse every request; list the pods and port under "
                      "security.standalonePorts (PERMISSIVE there only), or set "
                      f"aws.alb.backends.{key}.targetPort if the container port differs")
