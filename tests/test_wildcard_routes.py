"""A routing host under a wildcard routing host: refused until `inheritWildcardRoutes` says
whether it takes the wildcard's routes (rendered after its own) or stays apart."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ingresslib import parse_config
from ingresslib.errors import ConfigError
from ingresslib.stack.render import check, stack_manifests
from tests.configs import eks_stack
from tests.shared import DOCS, yaml_blocks

WILD, APP = "*.example.com", "app.example.com"
ANNOTATION = "ingresslib.io/inherit-wildcard-routes"
# The issue's stack: one HTTPS listener for *.example.com, a wildcard host routing /api/ and
# an exact host routing /app/.
BASE = eks_stack(
    listeners=[{"name": "https", "port": 443, "protocol": "HTTPS", "hosts": [WILD],
                "tls": {"certificate": "wild"}}],
    certificates={"wild": {"source": "secret", "secretName": "wild-tls", "dnsNames": [WILD]}},
    routing={
        "backends": {"api": {"service": "api", "namespace": "shop", "port": 8080},
                     "app": {"service": "app", "namespace": "shop", "port": 8080}},
        "hosts": [
            {"host": WILD, "routes": [{"name": "api", "match": [{"uri": {"prefix": "/api/"}}],
                                       "to": [{"backend": "api"}]}]},
            {"host": APP, "routes": [{"name": "app", "match": [{"uri": {"prefix": "/app/"}}],
                                      "to": [{"backend": "app"}]}]},
        ],
    },
)


def _stack(inherit: bool | None = None, **app: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    host = data["routing"]["hosts"][1]
    host.update(app)
    if inherit is not None:
        host["inheritWildcardRoutes"] = inherit
    return data


def _app_service(data: dict[str, Any]) -> dict[str, Any]:
    cfg = parse_config(data)
    objs = stack_manifests(cfg).routing
    check(cfg, objs)  # raises on every error finding
    return next(o for o in objs if o["kind"] == "VirtualService"
                and o["spec"]["hosts"] == [APP])


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return {p.path: p.message for p in err.value.problems}


def test_the_issue_is_refused_with_the_config_path() -> None:
    cfg = parse_config(_stack())
    with pytest.raises(ConfigError) as err:
        check(cfg, stack_manifests(cfg).routing)
    (problem,) = err.value.problems
    # Named by the config it came from; the rendered object follows in the message.
    assert problem.path == "routing.hosts[app.example.com]"
    assert problem.code == "ING0005"
    assert problem.message.endswith(
        "(rendered as VirtualService/istio-ingress/ingress-app-example-com spec.hosts[0])")
    assert problem.message.startswith(
        "routing.hosts[app.example.com] hides the routes api of routing.hosts[*.example.com]")


def test_inherit_renders_the_wildcards_routes_after_its_own(validator) -> None:
    vs = _app_service(_stack(inherit=True))
    validator.assert_valid([vs])
    assert [r["name"] for r in vs["spec"]["http"]] == ["app", "api"]
    assert vs["spec"]["http"][1]["match"] == [{"uri": {"prefix": "/api/"}}]
    assert vs["metadata"]["annotations"] == {ANNOTATION: "true"}


def test_kept_apart_renders_only_its_own_routes() -> None:
    vs = _app_service(_stack(inherit=False))
    assert [r["name"] for r in vs["spec"]["http"]] == ["app"]
    assert vs["metadata"]["annotations"] == {ANNOTATION: "false"}


def test_unset_without_a_wildcard_renders_as_before() -> None:
    data = _stack()
    data["routing"]["hosts"][0]["host"] = "www.example.com"
    assert "annotations" not in _app_service(data)["metadata"]


def test_inheritance_follows_the_nearest_wildcard_and_what_it_inherits() -> None:
    data = _stack(inherit=True, host="a.api.example.com")
    data["listeners"][0]["hosts"] = [WILD, "*.api.example.com"]
    data["certificates"]["wild"]["dnsNames"] = [WILD, "*.api.example.com"]
    data["routing"]["hosts"].append(
        {"host": "*.api.example.com", "inheritWildcardRoutes": True, "routes": [
            {"name": "v2", "match": [{"uri": {"prefix": "/v2/"}}], "to": [{"backend": "api"}]}]})
    cfg = parse_config(data)
    objs = stack_manifests(cfg).routing
    check(cfg, objs)
    names = {o["spec"]["hosts"][0]: [r["name"] for r in o["spec"]["http"]]
             for o in objs if o["kind"] == "VirtualService"}
    assert names == {WILD: ["api"], "*.api.example.com": ["v2", "api"],
                     "a.api.example.com": ["app", "v2", "api"]}


def test_rate_limits_may_name_inherited_routes() -> None:
    data = _stack(inherit=True)
    data["listeners"][0]["hosts"] = [WILD, APP]
    data["rateLimits"] = {"local": [{"scope": "route", "host": APP, "route": "api",
                                     "maxTokens": 10, "tokensPerFill": 10,
                                     "fillInterval": "1s"}]}
    assert parse_config(data).rate_limits.local[0].route == "api"
    data["routing"]["hosts"][1]["inheritWildcardRoutes"] = False
    assert f"rateLimits.local[{APP}].route" in _problems(data)


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"host": "app.example.org", "inherit": True},
         "routing.hosts[app.example.org].inheritWildcardRoutes", "nothing to inherit"),
        ({"inherit": True, "routes": [{"name": "api", "match": [{"uri": {"prefix": "/a/"}}],
                                       "to": [{"backend": "app"}]}]},
         f"routing.hosts[{APP}].routes[api].name", "also the name of a route inherited from"),
        ({"inherit": True, "routes": [{"name": "app", "to": [{"backend": "app"}]}]},
         f"routing.hosts[{APP}].routes[app]", "would never match"),
        ({"inherit": False, "topology": "standalone"},
         f"routing.hosts[{APP}].inheritWildcardRoutes", "topology standalone has none"),
    ],
)
def test_inherit_where_it_cannot_work_is_refused(changes: dict[str, Any], path: str,
                                                words: str) -> None:
    changes = dict(changes)
    data = _stack(changes.pop("inherit"), **{k: v for k, v in changes.items()
                                             if k != "topology"})
    if "topology" in changes:
        data["topology"] = changes["topology"]
    assert words in _problems(data)[path]


def test_the_routing_page_snippet_renders_and_is_refused_without_its_key() -> None:
    # A copy: the deletion below must not change the page's blocks if they are ever shared.
    (hosts,) = [copy.deepcopy(b["hosts"]) for b in yaml_blocks(DOCS / "routing.md")
                if isinstance(b, dict) and list(b) == ["hosts"]]
    data = copy.deepcopy(BASE)
    data["routing"] = {"hosts": hosts, "backends": {
        name: {"service": name, "namespace": "shop", "port": 8080} for name in ("shop",
                                                                                "shop-api")}}
    assert [r["name"] for r in _app_service(data)["spec"]["http"]] == ["app", "api"]
    del hosts[1]["inheritWildcardRoutes"]
    with pytest.raises(ConfigError, match="ING0005"):
        _app_service(data)
