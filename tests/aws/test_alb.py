"""The ALB half of the edge contract (issue 11): gRPC through the ALB (input e), listener rules
keyed by route (input f), make before break between subsets and routes, and the ALB's
attributes, each rule by its code (EDGE-...). Each test fails when its rule is removed."""

from __future__ import annotations

import copy
import itertools
import shutil
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from ingresslib import parse_config
from ingresslib.aws.alb_plan import alb_plan, rule_priorities
from ingresslib.aws.edge_plan import RULES
from ingresslib.cli import main
from ingresslib.components import base
from ingresslib.errors import ConfigError
from ingresslib.offline.diff import EXIT_CHANGES, Diff, diff, format_markdown, format_text
from ingresslib.offline.output import manifests, plan
from ingresslib.offline.replacements import Entry
from ingresslib.offline.runner import run_project
from tests.configs import eks_stack, http_listener
from tests.conftest import ROOT

HOST = "grpc.example.com"
GREETER = {"service": "greeter", "namespace": "grpc", "port": 50051}
H2 = {"connectionPool": {"http": {"useClientProtocol": True}}}
RULE = "aws:lb/listenerRule:ListenerRule"


def chained_grpc(**alb: Any) -> dict[str, Any]:
    """Input (e): a chained EKS stack whose one backend is a gRPC server."""
    return eks_stack(
        "chained", alb={"protocolVersion": "GRPC"} | alb, listeners=[http_listener(HOST)],
        routing={"backends": {"greeter": dict(GREETER, trafficPolicy=copy.deepcopy(H2))},
                 "hosts": [{"host": HOST,
                            "routes": [{"name": "greeter", "to": [{"backend": "greeter"}]}]}]})


def standalone_grpc() -> dict[str, Any]:
    """A standalone stack: gRPC calls to greeter, everything else to web."""
    return eks_stack(
        "standalone", alb={"backends": {"greeter": {"protocolVersion": "GRPC"}}},
        listeners=[http_listener(HOST)],
        routing={
            "backends": {"greeter": dict(GREETER),
                         "web": {"service": "web", "namespace": "grpc", "port": 8080}},
            "hosts": [{"host": HOST, "routes": [
                {"name": "greeter", "match": [{"uri": {"prefix": "/helloworld.Greeter/"}}],
                 "to": [{"backend": "greeter"}]},
                {"name": "web", "to": [{"backend": "web"}]}]}]},
        security={"standalonePorts": [{"namespace": "grpc", "selector": {"app": "greeter"},
                                       "ports": [50051, 8080]}]})


def problems(data: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return {p.path: (p.value, p.message) for p in info.value.problems}


# ------------------------------------------------------------------ (e) gRPC through the ALB


def test_grpc_behind_the_gateway_is_a_grpc_target_group_checked_on_the_status_port() -> None:
    cfg = parse_config(chained_grpc())
    (group,) = alb_plan(cfg).target_groups
    assert (group.protocol, group.protocol_version) == ("HTTP", "GRPC")
    # EDGE-HC-ALB-GRPC: a gRPC call Envoy's status listener answers itself with its local
    # 404, which gRPC callers get as grpc-status 12, before any route exists.
    hc = group.health_check
    assert (hc["port"], hc["path"], hc["matcher"]) == ("15021", "/AWS.ALB/healthcheck", "12")
    assert (cfg.edge.health_check.port, cfg.edge.health_check.path) == (
        15021, "/AWS.ALB/healthcheck")
    assert {"EDGE-PR-ALB", "EDGE-PR-ALB-UPSTREAM", "EDGE-HC-ALB-GRPC"} <= {
        r.code for r in cfg.edge.rules}


def test_http1_stays_the_default_with_the_readiness_check() -> None:
    data = chained_grpc()
    del data["aws"]["alb"]["protocolVersion"]
    (group,) = alb_plan(parse_config(data)).target_groups
    assert (group.protocol_version, group.health_check["path"],
            group.health_check["matcher"]) == ("HTTP1", "/healthz/ready", "200")


def test_grpc_backend_without_http2_from_the_gateway_is_refused() -> None:
    """EDGE-PR-ALB-UPSTREAM: the gateway would speak HTTP/1.1 to the greeter."""
    data = chained_grpc()
    del data["routing"]["backends"]["greeter"]["trafficPolicy"]
    found = problems(data)
    path = "routing.backends.greeter.trafficPolicy.connectionPool.http.useClientProtocol"
    value, message = found[path]
    assert value is None
    assert "HTTP/1.1" in message
    assert "EDGE-PR-ALB-UPSTREAM" in message
    assert list(found) == [path]


def test_the_gateway_speaks_http2_to_the_grpc_backend(tmp_path: Path) -> None:
    records = _render(tmp_path, "grpc", chained_grpc())
    (rule,) = [o for o in manifests(records) if o["kind"] == "DestinationRule"]
    assert rule["spec"]["trafficPolicy"]["connectionPool"] == {
        "http": {"useClientProtocol": True}}
    (group,) = [e for e in plan(records) if e["type"] == "aws:lb/targetGroup:TargetGroup"]
    assert group["inputs"]["protocolVersion"] == "GRPC"
    assert group["inputs"]["healthCheck"]["matcher"] == "12"


@pytest.mark.parametrize("version", ["GRPC", "HTTP2"])
def test_an_http_listener_forwarding_to_http2_or_grpc_is_refused(version: str) -> None:
    """EDGE-PR-ALB: AWS takes HTTP2 and GRPC target groups behind HTTPS listeners only."""
    data = chained_grpc(protocolVersion=version)
    data["listeners"][0]["httpsRedirect"] = False
    value, message = problems(data)[f"listeners[{data['listeners'][0]['name']}]"]
    assert value == "http :80 HTTP"
    assert f"protocolVersion {version}" in message
    assert "EDGE-PR-ALB" in message
    data["listeners"][0]["httpsRedirect"] = True  # redirecting is fine
    parse_config(data)


def test_protocol_version_per_backend_in_standalone() -> None:
    cfg = parse_config(standalone_grpc())
    groups = {g.key: g for g in alb_plan(cfg).target_groups}
    assert groups["greeter"].protocol_version == "GRPC"
    assert (groups["greeter"].health_check["path"],
            groups["greeter"].health_check["matcher"]) == ("/AWS.ALB/healthcheck", "12")
    assert (groups["web"].protocol_version, groups["web"].health_check["matcher"]) == (
        "HTTP1", "200-399")
    data = standalone_grpc()
    data["aws"]["alb"]["protocolVersion"] = "GRPC"
    assert "aws.alb.backends.<backend>.protocolVersion" in problems(data)[
        "aws.alb.protocolVersion"][1]


@pytest.mark.parametrize(("settings", "field", "expect"), [
    ({"protocolVersion": "GRPC", "healthCheckMatcher": "200"}, "healthCheckMatcher",
     "gRPC codes, between 0 and 99"),
    ({"protocolVersion": "GRPC", "healthCheckPath": "/healthz"}, "healthCheckPath",
     "/package.Service/Method"),
    ({"healthCheckMatcher": "12"}, "healthCheckMatcher", "HTTP codes, between 100 and 599"),
])
def test_health_codes_of_the_protocol_version(settings: dict[str, Any], field: str,
                                              expect: str) -> None:
    """EDGE-HC-ALB-GRPC: a GRPC target group matches gRPC codes, any other HTTP codes."""
    data = standalone_grpc()
    data["aws"]["alb"]["backends"]["greeter"] = settings
    value, message = problems(data)[f"aws.alb.backends.greeter.{field}"]
    assert value == settings[field]
    assert expect in message
    assert "EDGE-HC-ALB-GRPC" in message


def test_a_split_across_protocol_versions_is_refused() -> None:
    data = standalone_grpc()
    data["routing"]["hosts"][0]["routes"][1]["to"] = [
        {"backend": "web", "weight": 50}, {"backend": "greeter", "weight": 50}]
    host = data["routing"]["hosts"][0]
    value, message = problems(data)[
        f"routing.hosts[{host['host']}].routes[{host['routes'][1]['name']}].to"]
    assert value == {"web": "HTTP1", "greeter": "GRPC"}
    assert "EDGE-PR-ALB" in message


def test_a_grpc_route_behind_a_plain_http_listener_is_refused() -> None:
    data = standalone_grpc()
    data["listeners"][0]["httpsRedirect"] = False
    host = data["routing"]["hosts"][0]
    value, message = problems(data)[
        f"routing.hosts[{host['host']}].routes[{host['routes'][0]['name']}].to"]
    assert value == ["greeter"]
    assert "listeners[http] (http :80 HTTP)" in message
    assert "EDGE-PR-ALB" in message


def test_grpc_target_groups_as_aws_holds_them(account: Any, tmp_path: Path) -> None:
    """The moto replay checks the health matcher kind and the listener in front, which moto
    itself does not."""
    from ingresslib.aws.replay import AwsWorld, ReplayError, replay  # noqa: PLC0415

    data = standalone_grpc()
    records = _render(tmp_path, "grpc", data)
    world = AwsWorld.build(parse_config(data), account, with_cluster=False)
    replay(plan(records), manifests(records), world)
    elbv2 = world.client("elbv2")
    groups = {g["TargetGroupName"]: g for g in elbv2.describe_target_groups()["TargetGroups"]}
    greeter = groups["ingress-alb-greeter"]
    assert (greeter["ProtocolVersion"], greeter["Matcher"], greeter["HealthCheckPath"]) == (
        "GRPC", {"GrpcCode": "12"}, "/AWS.ALB/healthcheck")

    # What AWS refuses and moto accepts: a GRPC group behind an HTTP listener.
    lb = elbv2.describe_load_balancers()["LoadBalancers"][0]["LoadBalancerArn"]
    entry = {"type": "aws:lb/listener:Listener", "name": "plain-8080", "inputs": {
        "loadBalancerArn": lb, "protocol": "HTTP", "port": 8080,
        "defaultActions": [{"type": "forward", "targetGroupArn": greeter["TargetGroupArn"]}]}}
    with pytest.raises(ReplayError, match="HTTPS listeners only"):
        replay([entry], [], world)


# ------------------------------------------------------------------ the ALB's attributes


def test_the_albs_attributes_are_explicit(renders: Any) -> None:
    """EDGE-ID-XFF-ALB, EDGE-TO-ALB: X-Forwarded-For without the client port, appended, and
    the idle timeout, in the plan and in the load balancer's inputs."""
    cfg = parse_config(chained_grpc(idleTimeoutSeconds=75))
    attributes = alb_plan(cfg).attributes
    assert attributes["routing.http.xff_client_port.enabled"] == "false"
    assert attributes["routing.http.xff_header_processing.mode"] == "append"
    assert attributes["idle_timeout.timeout_seconds"] == "75"
    (lb,) = [e for e in plan(renders[("stacks/eks", "chained")])
             if e["type"] == "aws:lb/loadBalancer:LoadBalancer"]
    inputs = lb["inputs"]
    assert (inputs["enableXffClientPort"], inputs["xffHeaderProcessingMode"],
            inputs["idleTimeout"], inputs["enableHttp2"]) == (False, "append", 60, True)


# ------------------------------------------------------------------ (f) rules keyed by route


def _render(tmp_path: Path, stack: str, data: dict[str, Any]) -> Any:
    project = _project(tmp_path)
    _write(project, stack, data)
    return run_project(project, stack)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "eks"
    if not project.exists():
        shutil.copytree(ROOT / "stacks/eks", project,
                        ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
        shutil.copy(ROOT / "stacks/eks/Pulumi.standalone.yaml", project)
    return project


def _write(project: Path, stack: str, data: dict[str, Any]) -> None:
    doc = {"config": {"aws:region": "eu-west-1", "ingress:stack": data}}
    (project / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def _standalone() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "stacks/eks/Pulumi.standalone.yaml").read_text())
    data: dict[str, Any] = doc["config"]["ingress:stack"]
    return data


STATUS = {"name": "status", "match": [{"uri": {"exact": "/status"}}], "to": [{"backend": "shop"}]}


def _diff_standalone(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any
                     ) -> tuple[int, list[str]]:
    project = _project(tmp_path)
    data = _standalone()
    edit(data["routing"]["hosts"][0]["routes"])
    _write(project, "changed", data)
    status = main(["diff", str(project), "--stack", "changed", "--against-stack", "standalone",
                   "--exit-code"])
    return status, capsys.readouterr().out.splitlines()


def test_a_route_inserted_at_the_top_adds_one_rule_and_changes_none(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Input (f): stacks/eks standalone has three routes on one host; a fourth at the top is
    one rule added, no rule rewritten (EDGE-CH-ALB-RULES)."""
    routes = _standalone()["routing"]["hosts"][0]["routes"]
    assert len(routes) == 3
    status, lines = _diff_standalone(tmp_path, capsys, lambda r: r.insert(0, STATUS))
    assert status == EXIT_CHANGES
    assert lines[0].startswith("stack standalone -> stack changed: 0 changed, 1 added, "
                               "0 removed,")
    marked = [line for line in lines if line[:1] in "!~+-"]
    assert marked == [f"+ {RULE} ingress-alb-443-shop.example.com/status"]
    assert "    inputs:" in lines
    assert not any(line.startswith("!!") for line in lines)


def test_a_route_inserted_lower_moves_only_the_rules_above_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = _diff_standalone(tmp_path, capsys, lambda r: r.insert(2, STATUS))
    assert status == EXIT_CHANGES
    marked = [line for line in lines if line[:1] in "!~+-"]
    assert marked == [f"~ {RULE} ingress-alb-443-shop.example.com/api",
                      f"~ {RULE} ingress-alb-443-shop.example.com/old-catalog",
                      f"+ {RULE} ingress-alb-443-shop.example.com/status"]
    changed = [line.strip() for line in lines if line.startswith("    inputs.")]
    assert [c.split(":")[0] for c in changed] == ["inputs.priority", "inputs.priority"]
    assert not any(line.startswith("!!") for line in lines)  # each moves into a freed slot


def test_a_route_removed_moves_the_rules_above_without_collision(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = _diff_standalone(tmp_path, capsys, lambda r: r.pop(1))
    assert status == EXIT_CHANGES
    marked = [line for line in lines if line[:1] in "!~+-"]
    assert marked == [f"~ {RULE} ingress-alb-443-shop.example.com/api",
                      f"- {RULE} ingress-alb-443-shop.example.com/old-catalog"]
    assert not any(line.startswith("!!") for line in lines)


def test_priorities_count_from_the_end_with_offsets_apart() -> None:
    keys = [f"h/r{i}" for i in range(120)]
    priorities = rule_priorities(keys)
    assert priorities == sorted(set(priorities))
    assert 49901 <= priorities[-1] <= 50000
    # Inserting at the top never moves anything; offsets of neighbours differ.
    assert rule_priorities(["h/new", *keys])[1:] == priorities
    offsets = [p % 100 for p in priorities]
    assert all(a != b for a, b in itertools.pairwise(offsets))
    with pytest.raises(ValueError, match="at most 500"):
        rule_priorities([f"h/r{i}" for i in range(501)])


def test_too_many_rules_for_a_listener_are_refused() -> None:
    data = standalone_grpc()
    data["routing"]["hosts"][0]["routes"] = [
        {"name": f"r{i}", "match": [{"uri": {"exact": f"/{i}"}}], "to": [{"backend": "web"}]}
        for i in range(501)]
    value, message = problems(data)["routing.hosts"]
    assert value == "501 rules on port 443"  # port 80 redirects: no rules there
    assert "EDGE-CH-ALB-RULES" in message


def _rule(name: str, priority: int, listener: str = "l") -> Entry:
    body = {"type": RULE, "name": name, "inputs": {"listenerArn": listener,
                                                   "priority": priority}}
    return Entry((RULE, name), body, RULE, f"alb${RULE}::{name}")


def test_diff_names_a_rule_that_would_take_a_held_priority() -> None:
    """A renamed rule created on the priority its old self holds until Pulumi deletes it at
    the end of the update: AWS would refuse it (PriorityInUse)."""
    result = diff([_rule("a", 49801), _rule("b", 49901)], [_rule("c", 49801), _rule("b", 49901)])
    (step,) = result.steps
    assert step.startswith("c takes listener rule priority 49801, which a holds until Pulumi "
                           "deletes it")
    assert "PriorityInUse" in step
    # A rule moving onto a priority its neighbour leaves first (top down) is fine; onto one
    # the neighbour below still holds is not.
    down = diff([_rule("a", 49801), _rule("b", 49901)], [_rule("a", 49701), _rule("x", 49801),
                                                       _rule("b", 49901)])
    assert down.steps == ()
    up = diff([_rule("a", 49701), _rule("b", 49801)], [_rule("a", 49801), _rule("b", 49901)])
    assert up.steps[0].startswith("a takes listener rule priority 49801, which b holds until "
                                  "Pulumi moves it to 49901")


def test_released_rule_names_are_aliased(renders: Any) -> None:
    """Rules named by position before are the same rules now: no rule is deleted and
    created again on upgrade."""
    rules = [r for r in renders[("stacks/eks", "standalone")] if r.type == RULE]
    assert sorted((r.name, r.aliases[0]["name"]) for r in rules) == [
        ("ingress-alb-443-shop.example.com/api", "ingress-alb-443-rule-1"),
        ("ingress-alb-443-shop.example.com/old-catalog", "ingress-alb-443-rule-2"),
        ("ingress-alb-443-shop.example.com/web", "ingress-alb-443-rule-3"),
    ]
    from ingresslib.offline.replacements import entries  # noqa: PLC0415

    new = [e for e in entries(renders[("stacks/eks", "standalone")]) if e.type == RULE]
    chain = new[0].address.rpartition("::")[0]
    old = [Entry((RULE, f"ingress-alb-443-rule-{i}"),
                 {"type": RULE, "name": f"ingress-alb-443-rule-{i}", "inputs": e.body["inputs"]},
                 RULE, f"{chain}::ingress-alb-443-rule-{i}") for i, e in enumerate(new, start=1)]
    # ingresslib diff pairs them through the aliases: renamed in place, not replaced
    result = diff(old, new)
    assert [(r.status, r.reasons, r.key) for r in result.resources] == [
        ("changed", (), f"{RULE} ingress-alb-443-rule-{i} -> {e.key[-1]}")
        for i, e in enumerate(new, start=1)]


def test_rules_move_top_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each listener rule depends on the one above it, so shifted priorities move into slots
    already left (and on the TargetGroupBindings, EDGE-CH-ALB-TGB: tests/test_day2_changes)."""
    seen: list[tuple[str, list[str]]] = []
    original = aws.lb.ListenerRule

    class Spy(original):  # type: ignore[misc, valid-type]
        def __init__(self, name: str, *args: Any, opts: pulumi.ResourceOptions, **kw: Any
                     ) -> None:
            seen.append((name, [d._name for d in opts.depends_on or []
                                if isinstance(d, original)]))
            super().__init__(name, *args, opts=opts, **kw)

    monkeypatch.setattr(aws.lb, "ListenerRule", Spy)
    run_project(ROOT / "stacks/eks", "standalone")
    rule = "ingress-alb-443-shop.example.com/"
    assert seen == [(f"{rule}api", []), (f"{rule}old-catalog", [f"{rule}api"]),
                    (f"{rule}web", [f"{rule}old-catalog"])]


# ------------------------------------------------------------------ make before break


def test_destination_rules_come_before_the_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[tuple[str, list[str]]] = []
    names: dict[int, str] = {}
    original = base.register

    def spy(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> Any:
        child = original(name, manifest, opts)
        names[id(child)] = manifest["kind"]
        order.append((manifest["kind"], sorted({names.get(id(d), "?")
                                                for d in opts.depends_on or []})))
        return child

    monkeypatch.setattr(base, "register", spy)
    run_project(ROOT / "stacks/eks", "chained")
    routing = [(k, d) for k, d in order
               if k in ("DestinationRule", "VirtualService", "Gateway")]
    assert routing[:2] == [("DestinationRule", []), ("DestinationRule", [])]
    assert {k for k, _ in routing[2:]} == {"Gateway", "VirtualService"}
    assert all(d == ["DestinationRule"] for _, d in routing[2:])


def _canary_removed(data: dict[str, Any]) -> None:
    del data["routing"]["backends"]["shop"]["subsets"]["canary"]
    web = data["routing"]["hosts"][0]["routes"][1]
    web["to"] = [{"backend": "shop", "subset": "stable"}]


def test_removing_a_routed_subset_needs_two_steps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "eks"
    shutil.copytree(ROOT / "stacks/eks", project, ignore=shutil.ignore_patterns("__pycache__"))
    doc = yaml.safe_load((project / "Pulumi.chained.yaml").read_text())
    _canary_removed(doc["config"]["ingress:stack"])
    (project / "Pulumi.next.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    status = main(["diff", str(project), "--stack", "next", "--against-stack", "chained",
                   "--exit-code"])
    lines = capsys.readouterr().out.splitlines()
    assert status == EXIT_CHANGES
    (step,) = [line for line in lines if line.startswith("!! two steps: ")]
    assert step == (
        "!! two steps: DestinationRule shop/ingress-shop drops subset canary while "
        "VirtualService istio-ingress/ingress-shop-example-com route web sends to it; one "
        "update changes the DestinationRule first (make before break), so the route fails "
        "until the VirtualService follows. First apply the routes without the subset, then "
        "the DestinationRule without it")
    # The other direction, a subset and its route added in one update, is one step.
    status = main(["diff", str(project), "--stack", "chained", "--against-stack", "next"])
    assert not any(line.startswith("!!") for line in capsys.readouterr().out.splitlines())


def _dr(*subsets: str) -> dict[str, Any]:
    return {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"host": "web.shop.svc.cluster.local",
                     "subsets": [{"name": n, "labels": {"version": n}} for n in subsets]}}


def _vs(subset: str) -> dict[str, Any]:
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "web", "namespace": "edge"},
            "spec": {"hosts": ["a.example.com"], "http": [{"name": "web", "route": [
                {"destination": {"host": "web.shop.svc.cluster.local", "subset": subset}}]}]}}


def test_a_subset_dropped_under_a_removed_virtual_service_needs_two_steps_too() -> None:
    """Pulumi deletes the VirtualService at the end of the update, after the subset went."""
    (step,) = diff([_dr("v1", "v2"), _vs("v2")], [_dr("v1")]).steps
    assert step.startswith("DestinationRule shop/web drops subset v2 while VirtualService "
                           "edge/web route web sends to it")
    # A DestinationRule deleted whole goes at the end too, after the route: one step.
    assert diff([_dr("v1", "v2"), _vs("v2")], [_vs("v1")]).steps == ()
    # A subset no route used goes in one step.
    assert diff([_dr("v1", "v2"), _vs("v1")], [_dr("v1"), _vs("v1")]).steps == ()


def test_two_steps_count_as_a_change_and_show_in_markdown() -> None:
    result = Diff((), 3, ("x drops subset y",))
    assert result.exit_status() == EXIT_CHANGES
    assert "[!CAUTION]" in format_markdown(result, "a", "b")
    assert "!! two steps: x drops subset y" in format_text(result, "a", "b")


# ------------------------------------------------------------------ the rules, with sources


def test_every_alb_rule_has_a_statement_and_a_source() -> None:
    codes = ("EDGE-PR-ALB", "EDGE-PR-ALB-UPSTREAM", "EDGE-HC-ALB-GRPC", "EDGE-ID-XFF-ALB",
             "EDGE-CH-ALB-RULES", "EDGE-TO-ALB")
    for code in codes:
        rule = RULES[code]
        assert rule.code == code
        assert rule.statement
        assert rule.source
    for topology in ("chained", "standalone"):
        cfg = parse_config(chained_grpc() if topology == "chained" else standalone_grpc())
        assert set(codes) <= {r.code for r in cfg.edge.rules}
