"""The probes' own logic, without traffic: requests built from matches, shadowing, rewrites,
the authorization decision, tolerances."""

from __future__ import annotations

import math

from ingresslib.config.routing import Route
from ingresslib.config.security import AuthzRule
from ingresslib.lab import probes
from ingresslib.lab.probes import Req


def route(**kw: object) -> Route:
    return Route.model_validate({"name": "r", "to": [{"backend": "b"}], **kw})


def test_request_for_builds_a_matching_request() -> None:
    r = route(match=[{"uri": {"prefix": "/api/"}, "method": {"exact": "POST"},
                      "headers": {"x-tenant": {"prefix": "acme"}},
                      "queryParams": {"v": {"exact": "2"}}}])
    req = probes.request_for(r)
    assert req is not None
    assert (req.path, req.method, req.headers) == ("/api/lab-probe?v=2", "POST",
                                                   {"x-tenant": "acmelab"})
    assert probes.matches(r, req, 443)


def test_regex_only_routes_give_no_request() -> None:
    assert probes.request_for(route(match=[{"uri": {"regex": "/a.*"}}])) is None


def test_an_earlier_catch_all_shadows_a_later_route() -> None:
    catch_all = route(name="all")
    api = route(name="api", match=[{"uri": {"prefix": "/api"}}])
    req = probes.request_for(api)
    assert req is not None
    assert probes.matches(catch_all, req, 80)
    assert not probes.matches(route(match=[{"uri": {"exact": "/x"}}]), req, 80)


def test_rewrite_replaces_the_matched_prefix_and_keeps_the_query() -> None:
    r = route(match=[{"uri": {"prefix": "/api/"}}], rewrite={"uri": "/v1/"})
    assert probes.expected_path(r, Req("/api/lab-probe?q=1", match=r.match[0])) == \
        "/v1/lab-probe?q=1"
    exact = route(match=[{"uri": {"exact": "/old"}}], rewrite={"uri": "/new"})
    assert probes.expected_path(exact, Req("/old", match=exact.match[0])) == "/new"


def test_deny_rule_applies_with_and_without_a_port_in_host() -> None:
    deny = AuthzRule.model_validate({"name": "d", "action": "DENY",
                                     "hosts": ["app.example.com"], "paths": ["/admin/*"]})
    for host in ("app.example.com", "app.example.com:443"):
        assert not probes.decision([deny], host, "GET", "/admin/x", "127.77.1.200")
    assert probes.decision([deny], "app.example.com", "GET", "/shop", "127.77.1.200")


def test_not_client_cidrs_deny_callers_outside_them() -> None:
    office = AuthzRule.model_validate({"name": "o", "action": "DENY", "paths": ["/admin"],
                                       "notClientCidrs": ["198.51.100.0/24"]})
    assert not probes.decision([office], "h", "GET", "/admin", "127.77.1.200")
    assert probes.decision([office], "h", "GET", "/admin", "198.51.100.7")


def test_allow_rules_deny_what_they_do_not_match() -> None:
    allow = AuthzRule.model_validate({"name": "a", "action": "ALLOW", "paths": ["/public/*"]})
    assert probes.decision([allow], "h", "GET", "/public/x", "127.0.0.1")
    assert not probes.decision([allow], "h", "GET", "/private", "127.0.0.1")


def test_split_tolerance_is_binomial_and_catches_a_shifted_split() -> None:
    n, share = probes.SPLIT_REQUESTS, 0.1
    sigma = math.sqrt(n * share * (1 - share))
    assert probes._within(round(n * share + 4 * sigma), n, share)
    assert not probes._within(n // 2, n, share)  # 90/10 shifted to 50/50
    assert probes._within(0, n, 0.0)
    assert not probes._within(1, n, 0.0)


def test_probe_host_names_wildcards() -> None:
    assert probes.probe_host("*.example.com") == "lab.example.com"
    assert probes.probe_host("shop.example.com") == "shop.example.com"


def _health_probe(checks: list[object], healthy: bool = True) -> probes.Probe:
    from types import SimpleNamespace  # noqa: PLC0415

    from ingresslib.lab.runner import Health  # noqa: PLC0415

    front = SimpleNamespace(health_checks=checks)
    lab = SimpleNamespace(front=front, health=Health(healthy, 1.0, 30.0, "cluster: healthy"))
    plan = SimpleNamespace(health_check=None)
    ctx = SimpleNamespace(lab=lab, plan=plan)
    return probes._health(ctx)(probes.Probe("health check", "edge.healthCheck", ""))  # type: ignore[arg-type]


def test_the_health_check_is_not_probed_when_none_of_the_fronts_checks_can_run() -> None:
    """Every check of the front targets something the lab cannot run (kube-proxy's health
    check node port): the probe says so instead of passing on checks that never ran; one
    check that runs is enough for the probe to judge; a front with no checks keeps what the
    runner saw."""
    from types import SimpleNamespace  # noqa: PLC0415

    local = SimpleNamespace(emulated=False, source="kube-proxy healthCheckNodePort")
    ran = SimpleNamespace(emulated=True, source="annotations")
    skipped = _health_probe([local, local])
    assert skipped.verdict == probes.SKIP
    assert skipped.observed == ("none of the front's health checks can run in the lab: "
                                "kube-proxy healthCheckNodePort")
    assert _health_probe([local, ran]).verdict == probes.PASS
    assert _health_probe([local, ran], healthy=False).verdict == probes.FAIL
    assert _health_probe([]).verdict == probes.PASS
