"""IngressStack (stack/component.py), in every stack and example: the order its components are
created in (what each waits for; Pulumi creates what nothing orders in parallel, so a lost
`depends_on` renders the same objects and fails only on a real cluster), that the objects it
analyses before registering anything are the objects it registers, that a program's options
reach it and everything it creates, the analysis warnings it logs and its load balancer's DNS
name. Two AKS variants no shipped stack covers join them: the
Istio add-on's gateway and a Key Vault the stack creates."""

from __future__ import annotations

import logging
from typing import Any

import pulumi
import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.analysis import Finding
from ingresslib.offline.mocks import RecordingMocks, Registered
from ingresslib.offline.output import manifest
from ingresslib.offline.runner import run_program, run_project
from ingresslib.stack import component
from ingresslib.stack.render import check
from tests.configs import (
    VAULT_PFX,
    aks_addon_stack,
    aks_stack,
    aks_vault_stack,
    eks_stack,
    stack_file,
)
from tests.conftest import PROJECTS, ROOT


def _ids(p: tuple[str, str]) -> str:
    return f"{p[0]}:{p[1]}"


def _type(name: str) -> str:
    return f"ingresslib:index:{name}"


# Component -> the components whose resources it must wait for, when the stack has them.
# On AKS with the Istio add-on, the add-on's patched Service stands for the gateway.
_IN_GATEWAY_NAMESPACE = [_type("IngressGateway"), _type("IstioAddonGateway")]
WAITS_FOR: dict[str, list[str]] = {
    # Istio reads credentialName secrets, and the routing and monitoring objects live, in the
    # gateway's namespace: the gateway component creates it.
    _type("Certificates"): _IN_GATEWAY_NAMESPACE,
    _type("CertificateSync"): _IN_GATEWAY_NAMESPACE,
    _type("IngressRouting"): _IN_GATEWAY_NAMESPACE,
    _type("Monitoring"): _IN_GATEWAY_NAMESPACE,
    _type("RateLimiting"): _IN_GATEWAY_NAMESPACE,
    # The gateway Service names the public IP (AKS gateway topology).
    _type("IngressGateway"): [_type("GatewayPublicIp")],
    _type("IstioAddonGateway"): [_type("GatewayPublicIp")],
    # The AGC Gateway names the traffic controller and its frontend, and in chained the
    # gateway's Service.
    _type("AgcGateway"): [_type("ApplicationGatewayForContainers"), _type("IngressGateway")],
    # AGIC writes the routing into the Application Gateway.
    _type("AgicIngresses"): [_type("ApplicationGatewayEdge")],
}


def _descendants(records: list[Registered], component: Registered) -> list[Registered]:
    """Every resource under `component`, at any depth."""
    children: dict[str, list[Registered]] = {}
    for r in records:
        children.setdefault(r.parent, []).append(r)
    found: list[Registered] = []
    todo = [component]
    while todo:
        below = children.get(todo.pop().urn, [])
        found += below
        todo += below
    return found


_ADDON = ("aks with the Istio add-on", "")
_VAULT = ("aks creating its Key Vault", "")


def _istio_addon() -> list[Registered]:
    return run_program(lambda: IngressStack("edge", parse_config(aks_addon_stack())))


def _created_vault() -> list[Registered]:
    return run_program(lambda: IngressStack("edge", parse_config(aks_vault_stack())),
                       config=VAULT_PFX)


_VARIANTS = {_ADDON: _istio_addon, _VAULT: _created_vault}


@pytest.fixture(scope="module")
def all_renders(renders) -> dict[tuple[str, str], list[Registered]]:
    return {**renders, **{name: render() for name, render in _VARIANTS.items()}}


@pytest.mark.parametrize("project", [*PROJECTS, *_VARIANTS], ids=_ids)
def test_each_component_waits_for_what_it_names(project, all_renders) -> None:
    records: list[Registered] = all_renders[project]
    by_type: dict[str, list[Registered]] = {}
    for r in records:
        by_type.setdefault(r.type, []).append(r)
    for waiting_type, prerequisites in WAITS_FOR.items():
        for waiting in by_type.get(waiting_type, []):
            for prerequisite in (p for t in prerequisites for p in by_type.get(t, [])):
                needed = {r.urn for r in _descendants(records, prerequisite) if r.custom}
                assert needed, prerequisite.urn
                missing = needed - set(waiting.dependencies)
                assert not missing, (f"{waiting.urn} does not wait for {sorted(missing)} "
                                     f"of {prerequisite.urn}")


def test_every_ordered_component_is_rendered_somewhere(all_renders) -> None:
    """The table names real component types, each met with one of its prerequisites."""
    met = {w for records in all_renders.values() for w in WAITS_FOR
           if any(r.type == w for r in records)
           and any(r.type == p for r in records for p in WAITS_FOR[w])}
    assert met == set(WAITS_FOR)


# Registered without being analysed, each for its reason: TLS Secrets made from key material
# generated at deploy (the analysis is given their names as the credentials it may read), and
# the TargetGroupBindings the AWS edge makes from its target groups' ARNs (the lab's ALB front
# sends traffic through their serviceRef).
_NOT_ANALYSED = {("v1", "Secret"), ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding")}


def _key(o: dict[str, Any]) -> tuple[str, str, str, str]:
    return (o["apiVersion"], o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])


@pytest.mark.parametrize("project", [*PROJECTS, *_VARIANTS], ids=_ids)
def test_what_is_analysed_is_what_is_registered(project, monkeypatch) -> None:
    """IngressStack analyses every object before registering any: the analysis must see the
    objects the stack registers, not a list that lost one (a Key Vault sync, AGC's objects,
    AGIC's Ingresses) or gained one."""
    analysed: list[dict[str, Any]] = []

    def recording_check(cfg: Any, objects: list[dict[str, Any]]) -> Any:
        analysed.extend(objects)
        return check(cfg, objects)

    monkeypatch.setattr(component, "check", recording_check)
    render = _VARIANTS.get(project)
    records = render() if render else run_project(ROOT / project[0], project[1])
    stacks = [r for r in records if r.type == _type("IngressStack")]
    if not stacks:
        assert not analysed  # a component used alone (routing only) renders its own
        return
    registered = [manifest(r) for r in _descendants(records, stacks[0])
                  if r.custom and r.is_kubernetes]
    seen = sorted(map(_key, analysed))
    expected = sorted(_key(o) for o in registered if (o["apiVersion"], o["kind"])
                      not in _NOT_ANALYSED or _key(o) in seen)
    assert seen == expected


def test_the_programs_options_reach_the_stack() -> None:
    """IngressStack inside a program's own component (its parent) and with its options, as
    pulumi-eks' and pulumi-awsx' components take them."""
    def program() -> None:
        outer = pulumi.ComponentResource("acme:index:Platform", "platform")
        IngressStack("edge", parse_config(aks_stack()),
                     pulumi.ResourceOptions(parent=outer, protect=True))

    records = run_program(program)
    (outer,) = [r for r in records if r.type == "acme:index:Platform"]
    (stack,) = [r for r in records if r.type == _type("IngressStack")]
    assert stack.parent == outer.urn
    assert stack.protect


@pytest.mark.parametrize("project", [*(p for p in PROJECTS if p[0].startswith("stacks/")),
                                     *_VARIANTS], ids=_ids)
def test_everything_the_stack_creates_is_under_it(project, all_renders) -> None:
    """A stack program registers IngressStack alone; every other resource is in its tree, so a
    program's options (parent, protect, providers) reach all of them and none is orphaned."""
    records: list[Registered] = all_renders[project]
    (stack,) = [r for r in records if r.type == _type("IngressStack")]
    under = {r.urn for r in _descendants(records, stack)}
    assert {r.urn for r in records} - under == {stack.urn}


def test_the_analysis_warnings_go_to_the_pulumi_log(monkeypatch, caplog) -> None:
    """What check() finds short of an error is logged as a Pulumi warning, in its words."""
    warning = Finding("IST0131", "warning", "VirtualService/shop/shop", "spec.http[1].match[0]",
                      "VirtualService rule #1 match #0 is not used (duplicate match in rule #0)")
    monkeypatch.setattr(component, "check", lambda cfg, objects: [warning])
    with caplog.at_level(logging.WARNING):
        run_program(lambda: IngressStack("edge", parse_config(eks_stack())))
    assert str(warning) in caplog.messages


# The fakes' DNS names of the shipped EKS stacks' load balancers.
_NLB_DNS = "k8s-istio-in-istio-in-1ef422a79b-71134f5fbe5f0f1c.elb.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(("data", "dns"), [
    (stack_file("eks", "chained"), "edge-alb-lb-3005114776.eu-west-1.elb.amazonaws.com"),
    (stack_file("eks", "gateway"), _NLB_DNS),
    (eks_stack(), None),  # creates no AWS resource
    (aks_stack(), None),
], ids=["eks ALB", "eks NLB", "eks creating nothing in AWS", "aks"])
def test_the_load_balancer_dns_name(data: dict[str, Any], dns: str | None) -> None:
    """`IngressStack.load_balancer_dns`: the AWS load balancer's DNS name on EKS stacks that
    create AWS resources (the fakes' name for it here), None elsewhere."""
    stacks: list[IngressStack] = []
    names: list[str] = []

    def program() -> None:
        stacks.append(IngressStack("edge", parse_config(data)))
        if stacks[0].load_balancer_dns is not None:
            stacks[0].load_balancer_dns.apply(names.append)

    run_program(program, config={"aws:region": "eu-west-1"})
    assert (stacks[0].load_balancer_dns is None) is (dns is None)
    assert names == ([dns] if dns else [])


@pytest.mark.parametrize(("cloud", "topology", "gateway", "dns"), [
    ("eks", "gateway", ("istio-ingress", "istio-ingressgateway"), _NLB_DNS),
    ("aks", "standalone", None, None),
])
def test_the_stacks_outputs(cloud: str, topology: str, gateway: tuple[str, str] | None,
                            dns: str | None) -> None:
    """What IngressStack registers as its outputs (shown by Pulumi with the resource): the
    cloud and topology, the gateway's namespace and Service when it has one, the AWS load
    balancer's DNS name when it creates one."""
    data = stack_file(cloud, topology)
    expected: dict[str, str] = {"cloud": cloud, "topology": topology}
    if gateway:
        expected |= {"gatewayNamespace": gateway[0], "gatewayService": gateway[1]}
    if dns:
        expected["loadBalancerDnsName"] = dns
    mocks = RecordingMocks({"aws:region": "eu-west-1"})
    records = run_program(lambda: IngressStack("edge", parse_config(data)),
                          config={"aws:region": "eu-west-1"}, mocks=mocks)
    (stack,) = [r for r in records if r.type == _type("IngressStack")]
    assert mocks.outputs[stack.urn] == expected


# Components IngressStack registers only when it has their objects to hand them.
_FOR_THEIR_OBJECTS = {_type(name) for name in (
    "IngressGateway", "IngressRouting", "MeshSecurity", "Monitoring", "RateLimiting",
    "AgcGateway", "AgicIngresses", "IstioAddonGateway")}


@pytest.mark.parametrize("project", [*PROJECTS, *_VARIANTS], ids=_ids)
def test_no_component_is_registered_without_its_objects(project, all_renders) -> None:
    """One of these with nothing under it (an AgcGateway on a stack without AGC) is a branch
    taken by mistake."""
    records: list[Registered] = all_renders[project]
    parents = {r.parent for r in records}
    empty = [r.urn for r in records if r.type in _FOR_THEIR_OBJECTS and r.urn not in parents]
    assert not empty
