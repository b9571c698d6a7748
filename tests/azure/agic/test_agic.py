"""AGIC's Ingress objects for topology standalone: paths, per-route settings, TLS and
redirects, and the path overlaps that would make Application Gateway's first match ambiguous."""

from __future__ import annotations

from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.azure.agic.ingresses import ingress_objects
from ingresslib.azure.agic.rules import CATCH_ALL, IngressPath, route_paths, timeout_seconds
from ingresslib.config.routing import Route
from tests.configs import HOST, aks_stack
from tests.harness.validate import ManifestValidator

ANN = "appgw.ingress.kubernetes.io/"


def _ingresses(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in ingress_objects(parse_config(data))}


@pytest.mark.parametrize(("a", "b", "overlap"), [
    (IngressPath("/api/", "Prefix"), IngressPath("/api/v2/", "Prefix"), True),
    (IngressPath("/api", "Prefix"), IngressPath("/apix", "Exact"), True),  # string prefixes
    (IngressPath("/api/", "Prefix"), IngressPath("/web/", "Prefix"), False),
    (IngressPath("/login", "Exact"), IngressPath("/login", "Exact"), True),
    (IngressPath("/login", "Exact"), IngressPath("/logout", "Exact"), False),
    (IngressPath("/a/b", "Exact"), IngressPath("/a/", "Prefix"), True),
    (IngressPath("/a", "Exact"), IngressPath("/a/", "Prefix"), False),
])
def test_path_overlap(a: IngressPath, b: IngressPath, overlap: bool) -> None:
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap


def test_route_paths_and_timeouts() -> None:
    route = Route.model_validate({"name": "r", "to": [{"backend": "web"}], "timeout": "2500ms",
                                  "match": [{"uri": {"exact": "/login"}},
                                            {"uri": {"prefix": "/static/"}}]})
    assert route_paths(route) == [IngressPath("/login", "Exact"),
                                  IngressPath("/static/", "Prefix")]
    assert timeout_seconds(route, 30) == 3  # whole seconds, rounded up
    catch_all = Route.model_validate({"name": "c", "to": [{"backend": "web"}]})
    assert route_paths(catch_all) == [CATCH_ALL]
    assert timeout_seconds(catch_all, 30) == 30


def test_every_route_becomes_an_ingress_in_its_backends_namespace(validator: ManifestValidator
                                                                  ) -> None:
    data = aks_stack("standalone")
    data["routing"]["backends"]["api"] = {"service": "api", "namespace": "api", "port": 9000}
    data["routing"]["hosts"][0]["routes"].insert(0, {
        "name": "api", "match": [{"uri": {"prefix": "/api/"}}, {"uri": {"exact": "/v"}}],
        "to": [{"backend": "api"}]})
    data["azure"]["applicationGateway"]["backends"]["api"] = {
        "healthProbePath": "/ready", "targetPort": 9090, "healthProbePort": 9091}
    data["security"]["standalonePorts"].append(
        {"namespace": "api", "selector": {"app": "api"}, "ports": [9090, 9091]})
    objs = _ingresses(data)
    validator.assert_valid(list(objs.values()))
    api = objs["ingress-shop-example-com-api"]
    assert api["metadata"]["namespace"] == "api"
    assert [(p["path"], p["pathType"]) for p in api["spec"]["rules"][0]["http"]["paths"]] == [
        ("/api/", "Prefix"), ("/v", "Exact")]
    # The Service port in the Ingress; the probe on the pods' own port.
    assert api["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] == {
        "number": 9000}
    assert api["metadata"]["annotations"][f"{ANN}health-probe-port"] == "9091"
    assert objs["ingress-shop-example-com-web"]["metadata"]["namespace"] == "shop"


def test_http_only_hosts_get_no_certificate_and_opt_out_of_redirects() -> None:
    plain = aks_stack("standalone")
    plain["listeners"] = plain["listeners"][:1]
    notes = _ingresses(plain)["ingress-shop-example-com-web"]["metadata"]["annotations"]
    assert f"{ANN}appgw-ssl-certificate" not in notes
    assert f"{ANN}ssl-redirect" not in notes
    opted_out = aks_stack("standalone")
    opted_out["listeners"][0]["httpsRedirect"] = False
    notes = _ingresses(opted_out)["ingress-shop-example-com-web"]["metadata"]["annotations"]
    assert notes[f"{ANN}appgw-ssl-certificate"] == "edge"
    assert notes[f"{ANN}ssl-redirect"] == "false"


def test_any_host_listener_makes_a_hostless_rule() -> None:
    data = aks_stack("standalone")
    data["listeners"] = [{"name": "http", "port": 80, "protocol": "HTTP", "hosts": ["*"],
                          "allowAnyHost": True}]
    data["routing"]["hosts"][0]["host"] = "*"
    (ingress,) = _ingresses(data).values()
    assert "host" not in ingress["spec"]["rules"][0]
    assert ingress["metadata"]["name"] == "ingress-wildcard-web"


def test_no_ingresses_outside_standalone() -> None:
    assert _ingresses(aks_stack("chained")) == {}
    assert HOST in str(_ingresses(aks_stack("standalone")))
