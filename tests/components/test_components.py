"""Components are usable alone from another Pulumi program, under fresh mocks per test."""

from __future__ import annotations

import pulumi

from ingresslib import GatewayOptions, IngressGateway
from ingresslib.config import GatewayWorkload
from ingresslib.offline.output import manifests
from ingresslib.offline.runner import run_program


def test_ingress_gateway_alone_in_a_user_program() -> None:
    outputs: dict[str, object] = {}

    def program() -> None:
        gw = IngressGateway(
            "edge",
            GatewayWorkload(name="edge-gw", namespace="edge", create_namespace=False),
            GatewayOptions(service_type="ClusterIP"),
        )
        outputs["selector"] = gw.selector
        pulumi.export("service", gw.service_name)

    records = run_program(program, project="user", stack="dev")
    component = next(r for r in records if r.type == "ingresslib:index:IngressGateway")
    children = [r for r in records if r.parent == component.urn]
    # {component}-{namespace}-{object}: stable, and unique across namespaces
    assert {r.name for r in children} == {"edge-edge-edge-gw"}
    assert {r.type.split(":")[-1] for r in children} == {
        "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service",
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"}
    assert outputs["selector"] == {"istio": "ingressgateway"}
    svc = next(o for o in manifests(records) if o["kind"] == "Service")
    assert svc["spec"]["type"] == "ClusterIP"


def test_each_run_has_fresh_mocks() -> None:
    def program() -> None:
        IngressGateway("a", GatewayWorkload(), GatewayOptions())

    first = run_program(program)
    second = run_program(program)
    assert len(first) == len(second) == 10
    assert sorted(r.urn for r in first) == sorted(r.urn for r in second)
