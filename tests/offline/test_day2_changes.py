"""Changes that fail mid-update (issue 18, input d, and its kind): a target group replaced
under its TargetGroupBinding, fields the cluster refuses to change in place, serving objects
replaced under the same name. `ingresslib diff` says what will fail; the ALB's renders make
the replacement of a target group safe (a new binding, created before the old one goes, and
listeners that forward to a group only once its binding is there)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingresslib.aws import fakes
from ingresslib.aws.alb_plan import TargetGroupPlan
from ingresslib.offline.diff import Diff, diff
from ingresslib.offline.mocks import Registered
from ingresslib.offline.output import manifests
from ingresslib.offline.replacements import Entry, entries
from ingresslib.offline.runner import run_project
from ingresslib.stack.model import edge_rules
from tests.conftest import ROOT

TGB = ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding")
TG = "aws:lb/targetGroup:TargetGroup"


def _project(tmp_path: Path, stack: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    target = tmp_path / "eks"
    shutil.copytree(ROOT / "stacks/eks", target, ignore=shutil.ignore_patterns("__pycache__"))
    stack_file = target / f"Pulumi.{stack}.yaml"
    data = yaml.safe_load(stack_file.read_text())
    edit(data["config"]["ingress:stack"])
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def _grpc(stack: dict[str, Any]) -> None:
    """Input (d): the chained stack's target group switched from HTTP1 to GRPC (with what
    validation asks of the backends behind a GRPC group: EDGE-PR-ALB-UPSTREAM)."""
    stack["aws"]["alb"]["protocolVersion"] = "GRPC"
    for backend in stack["routing"]["backends"].values():
        policy = backend.setdefault("trafficPolicy", {})
        policy.setdefault("connectionPool", {}).setdefault("http", {})["useClientProtocol"] = True


def _bindings(records: list[Registered]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in manifests(records) if o["kind"] == TGB[1]}


def _diff(old: list[Registered], new: list[Registered]) -> Diff:
    return diff(entries(old), entries(new))


@pytest.fixture(scope="module")
def chained() -> list[Registered]:
    return run_project(ROOT / "stacks/eks", "chained")


def test_input_d_a_replaced_target_group_gets_a_new_binding(tmp_path: Path,
                                                           chained: list[Registered]) -> None:
    """Before: the binding kept its name and the offline ARN did not move, so diff showed it
    unchanged while the webhook refuses the new targetGroupARN mid-update."""
    after = run_project(_project(tmp_path, "chained", _grpc), "chained")
    result = _diff(chained, after)
    changes = {c.key: c for c in result.resources}
    group = changes[f"{TG} ingress-alb-gateway"]
    assert group.status == "replaced"
    assert group.reasons == ("inputs.protocolVersion changes",)
    old, new = _bindings(chained), _bindings(after)
    assert list(old) == ["ingress-gateway"]
    (renamed,) = new
    assert renamed.startswith("ingress-gateway-")
    assert len(renamed) == len("ingress-gateway-") + 8
    assert changes[f"{' '.join(TGB)} istio-ingress/ingress-gateway"].status == "removed"
    assert changes[f"{' '.join(TGB)} istio-ingress/{renamed}"].status == "added"
    # The new binding names the new group: the fake ARN moves with the replace-on inputs.
    (tg,) = [r for r in after if r.type == TG]
    arn = fakes.computed(TG, tg.name, tg.inputs, "eu-west-1")["arn"]
    assert new[renamed]["spec"]["targetGroupARN"] == arn != old["ingress-gateway"]["spec"][
        "targetGroupARN"]
    # Nothing fails midway: no in-place change the webhook refuses.
    assert not [s for s in result.steps if "EDGE-CH" in s]


def test_listeners_and_rules_forward_only_once_the_bindings_exist(
        chained: list[Registered]) -> None:
    binding = next(r.urn for r in chained if r.type.endswith("TargetGroupBinding"))
    forwarding = [r for r in chained if r.type in ("aws:lb/listener:Listener",
                                                   "aws:lb/listenerRule:ListenerRule")]
    assert forwarding
    assert all(binding in r.dependencies for r in forwarding)
    # and on the security group rules that let health checks and traffic reach the targets
    paths = [r.urn for r in chained if r.name.startswith(("ingress-alb-to-targets-",
                                                          "ingress-alb-targets-from-alb-"))]
    assert len(paths) == 4  # traffic port and status port, both directions
    assert all(set(paths) <= set(r.dependencies) for r in forwarding)
    (tgb,) = _bindings(chained).values()
    assert tgb["metadata"]["annotations"] == {
        "pulumi.com/waitFor": "jsonpath={.status.observedGeneration}"}


@pytest.mark.parametrize(("edit", "renamed"), [
    (lambda s: s["gateway"].setdefault("service", {}).update(httpTargetPort=8080), True),
    (lambda s: s["aws"]["alb"].update(idleTimeoutSeconds=50), False),
], ids=["target-port-replaces", "idle-timeout-does-not"])
def test_the_binding_is_renamed_exactly_when_its_group_is_replaced(
        tmp_path: Path, chained: list[Registered], edit: Callable[[dict[str, Any]], None],
        renamed: bool) -> None:
    after = run_project(_project(tmp_path, "chained", edit), "chained")
    replaced = any(c.status == "replaced" and c.key == f"{TG} ingress-alb-gateway"
                   for c in _diff(chained, after).resources)
    assert replaced is renamed
    assert (list(_bindings(after)) != ["ingress-gateway"]) is renamed


def test_first_generation_groups_keep_the_binding_name_of_every_release() -> None:
    plan = TargetGroupPlan("gateway", 80, {}, "round_robin", "istio-ingress",
                           "istio-ingressgateway", 80, default_port=80)
    assert plan.binding_name("ingress", "vpc-1") == "ingress-gateway"
    grpc = TargetGroupPlan("gateway", 80, {}, "round_robin", "istio-ingress",
                           "istio-ingressgateway", 80, protocol_version="GRPC", default_port=80)
    assert grpc.binding_name("ingress", "vpc-1") != grpc.binding_name("ingress", "vpc-2")


def test_a_group_replaced_under_a_kept_binding_name_is_two_steps(
        tmp_path: Path, chained: list[Registered]) -> None:
    """EDGE-CH-IMMUTABLE triggers: a first-generation group moved to another VPC keeps its
    binding's name, so the binding's targetGroupARN would change in place."""
    after = run_project(_project(tmp_path, "chained", lambda s: s["aws"]["alb"].update(
        vpcId="vpc-0a1b2c3d4e5f69999")), "chained")
    (step,) = [s for s in _diff(chained, after).steps if "EDGE-CH-IMMUTABLE" in s]
    assert step.startswith("TargetGroupBinding istio-ingress/ingress-gateway changes "
                           "spec.targetGroupARN in place")
    assert "aws-load-balancer-controller#2764" in step
    assert "pulumi destroy --target" in step


def _obj(kind: str, spec: dict[str, Any], api: str = "v1") -> dict[str, Any]:
    return {"apiVersion": api, "kind": kind,
            "metadata": {"name": "istio-ingressgateway", "namespace": "istio-ingress"},
            "spec": spec}


def test_a_service_load_balancer_class_change_is_two_steps() -> None:
    old = _obj("Service", {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb"})
    new = _obj("Service", {"type": "LoadBalancer", "loadBalancerClass": "example.com/lb"})
    (step,) = diff([old], [new]).steps
    assert "spec.loadBalancerClass in place" in step
    assert "EDGE-CH-IMMUTABLE" in step
    same = _obj("Service", {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb",
                            "externalTrafficPolicy": "Local"})
    assert diff([old], [same]).steps == ()


def test_a_gateway_deployment_replaced_under_its_name_is_two_steps() -> None:
    def deployment(labels: dict[str, str], replicas: int) -> Entry:
        body = _obj("Deployment", {"replicas": replicas, "selector": {"matchLabels": labels}},
                    "apps/v1")
        return Entry(("apps/v1", "Deployment", "istio-ingress", "istio-ingressgateway"), body,
                     type="kubernetes:apps/v1:Deployment")

    old = deployment({"istio": "ingressgateway"}, 3)
    (step,) = diff([old], [deployment({"istio": "edge"}, 3)]).steps
    assert "replaced under the same name (spec.selector)" in step
    assert "EDGE-CH-NAMED-REPLACE" in step
    assert diff([old], [deployment({"istio": "ingressgateway"}, 5)]).steps == ()


def test_change_rules_are_edge_rules_with_sources() -> None:
    rules = {r.code: r for r in edge_rules()}
    for code in ("EDGE-CH-ALB-TGB", "EDGE-CH-IMMUTABLE", "EDGE-CH-NAMED-REPLACE"):
        assert rules[code].statement
        assert rules[code].source


# ------------------------------------------------------------- replayed public reports


def test_target_groups_are_autonamed_so_a_replacement_creates_first(
        chained: list[Registered]) -> None:
    """pulumi/pulumi-aws#4220, pulumi/pulumi#5900, hashicorp/terraform#16120: a target group
    with a fixed name is replaced delete-first (names are unique), which AWS refuses while a
    listener forwards to it (ResourceInUse), or created first under the same name
    (DuplicateTargetGroupName). ingresslib names none: Pulumi autonames, creates first."""
    groups = [r for r in chained if r.type == TG]
    assert groups
    assert all("name" not in r.inputs and "namePrefix" not in r.inputs for r in groups)


def test_bindings_go_before_their_groups(chained: list[Registered]) -> None:
    """kubernetes-sigs/aws-load-balancer-controller#2341, #1997: a binding whose target group
    is gone cannot be deleted (its finalizer deregisters targets from the group). Each binding
    depends on its group, so Pulumi deletes the binding first."""
    (group,) = [r.urn for r in chained if r.type == TG]
    (binding,) = [r for r in chained if r.type.endswith("TargetGroupBinding")]
    assert group in binding.dependencies


def test_gateway_labels_changed_replace_the_deployment_in_two_steps(tmp_path: Path) -> None:
    """kubernetes/kubernetes#50808, kyma-project/kyma#12947: a Deployment's selector cannot
    change; pulumi-kubernetes replaces the gateway Deployment under its own name, deleting it
    first, so the gateway has no pods in between (EDGE-CH-NAMED-REPLACE)."""
    before = run_project(ROOT / "stacks/eks", "gateway")
    after = run_project(_project(tmp_path, "gateway", lambda s: s["gateway"].update(
        labels={"istio": "edge"})), "gateway")
    steps = [s for s in _diff(before, after).steps if "EDGE-CH-NAMED-REPLACE" in s]
    assert any(s.startswith("Deployment istio-ingress/istio-ingressgateway is replaced under "
                            "the same name (spec.selector)") for s in steps), steps


def test_a_scheme_change_is_a_new_nlb_in_two_steps(tmp_path: Path) -> None:
    """kubernetes-sigs/aws-load-balancer-controller#1640: the controller replaces an NLB whose
    scheme changes (internet-facing <-> internal), under a new DNS name; diff showed an
    annotation changed in place."""
    before = run_project(ROOT / "stacks/eks", "gateway")
    def internal(stack: dict[str, Any]) -> None:
        stack.setdefault("loadBalancer", {})["scheme"] = "internal"
        stack["aws"].get("nlb", {}).pop("elasticIps", None)  # public addresses only
        stack["aws"]["dns"]["private"] = True  # a private zone for private addresses (EDGE-IN-DNS)
        # in-cluster callers keep the source ranges' preservation on purpose (EDGE-IN-HAIRPIN)
        stack["aws"]["nlb"]["preserveClientIp"] = True

    after = run_project(_project(tmp_path, "gateway", internal), "gateway")
    (step,) = [s for s in _diff(before, after).steps if "EDGE-CH-IMMUTABLE" in s]
    assert step.startswith('Service istio-ingress/istio-ingressgateway changes metadata.'
                           'annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] '
                           'in place ("internet-facing" -> "internal")')
    assert "aws-load-balancer-controller#1640" in step


def test_a_service_that_becomes_an_nlb_is_no_replacement() -> None:
    """A fresh trial: diffing an EKS gateway stack against a chained one (its gateway Service
    a ClusterIP behind the ALB) or an AKS one warned of a two-step NLB replacement, though no
    NLB existed before. The scheme rule applies to a Service the controller owns on both
    sides."""
    gateway = run_project(ROOT / "stacks/eks", "gateway")
    for before in (run_project(ROOT / "stacks/eks", "chained"),
                   run_project(ROOT / "stacks/aks", "gateway")):
        assert not [s for s in _diff(before, gateway).steps if "EDGE-CH-IMMUTABLE" in s]
        assert not [s for s in _diff(gateway, before).steps if "EDGE-CH-IMMUTABLE" in s]


def test_a_new_binding_of_a_group_still_bound_is_two_steps() -> None:
    """The controller refuses a second binding of one target group ("TargetGroup … is already
    bound to TargetGroupBinding …", targetgroupbinding_validator.go): a binding renamed while
    its group stays (an upgrade of a stack whose group was not of the first generation)."""
    def binding(name: str, arn: str) -> dict[str, Any]:
        return {"apiVersion": TGB[0], "kind": TGB[1],
                "metadata": {"name": name, "namespace": "istio-ingress"},
                "spec": {"targetGroupARN": arn, "targetType": "ip"}}

    old = binding("ingress-gateway", "arn:tg/1")
    (step,) = diff([old], [binding("ingress-gateway-1a2b3c4d", "arn:tg/1")]).steps
    assert "already bound" in step
    assert "EDGE-CH-ALB-TGB" in step
    assert diff([old], [binding("ingress-gateway-1a2b3c4d", "arn:tg/2")]).steps == ()
