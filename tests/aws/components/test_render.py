"""The EKS stacks rendered offline: their AWS resources sit in the component tree and refer to
each other (and to the Kubernetes objects) through the mocks' deterministic fakes; only EKS
stacks that create AWS resources load pulumi-aws."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from ingresslib.aws import fakes
from ingresslib.offline.mocks import RecordingMocks
from ingresslib.offline.output import manifests, plan
from tests.conftest import ROOT


def _records(renders: Any, topology: str) -> list[Any]:
    records: list[Any] = renders[("stacks/eks", topology)]
    return records


def _entries(renders: Any, topology: str) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in plan(_records(renders, topology))}


def test_aws_resources_are_children_of_their_components(renders: Any) -> None:
    for topology in ("gateway", "chained", "standalone"):
        records = _records(renders, topology)
        by_urn = {r.urn: r for r in records}
        stack = next(r for r in records if r.type == "ingresslib:index:IngressStack")
        aws = [r for r in records if r.type.startswith("aws:")]
        assert aws
        for record in aws:
            parent = by_urn[record.parent]
            # An AWS component (its type aliased from the former ingresslib:aws: token).
            assert any(t.startswith("ingresslib:aws:") for t in parent.alias_types), record.name
            assert record.name.startswith(f"{parent.name}-"), record.name
            assert by_urn[parent.parent] == stack


def test_gateway_certificate_reaches_the_nlb_once_validated(renders: Any) -> None:
    entries = _entries(renders, "gateway")
    cert = fakes.computed("aws:acm/certificate:Certificate", "ingress-acm-edge-tls",
                          entries["ingress-acm-edge-tls"]["inputs"], "eu-west-1")
    validation = entries["ingress-acm-edge-tls-validation"]["inputs"]
    assert validation["certificateArn"] == cert["arn"]
    record = entries["ingress-acm-edge-tls-validation-shop-example-com"]["inputs"]
    option = cert["domainValidationOptions"][0]
    assert (record["name"], record["records"]) == (
        option["resourceRecordName"], [option["resourceRecordValue"]])
    assert validation["validationRecordFqdns"] == [record["name"].rstrip(".")]
    service = next(o for o in manifests(_records(renders, "gateway")) if o["kind"] == "Service")
    annotations = service["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] == cert["arn"]


def test_gateway_alias_points_at_the_controllers_nlb(renders: Any) -> None:
    alias = _entries(renders, "gateway")["ingress-dns-shop-example-com"]["inputs"]
    nlb = fakes.controller_nlb(fakes.controller_lb_name("istio-ingress", "istio-ingressgateway"),
                               "eu-west-1")
    assert alias["aliases"] == [{"evaluateTargetHealth": True, "name": nlb["dnsName"],
                                 "zoneId": nlb["zoneId"]}]
    assert alias["zoneId"] == fakes.zone_id("example.com")


def test_target_group_bindings_name_the_target_groups(renders: Any) -> None:
    for topology, groups in (("chained", {"gateway"}),
                             ("standalone", {"shop", "shop-api", "shop-v2"})):
        entries = _entries(renders, topology)
        arns = {key: fakes.computed("aws:lb/targetGroup:TargetGroup", f"ingress-alb-{key}",
                                    entries[f"ingress-alb-{key}"]["inputs"], "eu-west-1")["arn"]
                for key in groups}
        bindings = {o["metadata"]["name"]: o["spec"] for o in manifests(
            _records(renders, topology)) if o["kind"] == "TargetGroupBinding"}
        assert {b["targetGroupARN"] for b in bindings.values()} == set(arns.values())
        assert {b["targetType"] for b in bindings.values()} == {"ip"}


def test_chained_listener_uses_the_existing_certificate(renders: Any) -> None:
    entries = _entries(renders, "chained")
    https = entries["ingress-alb-https-443"]["inputs"]
    assert https["certificateArn"].startswith("arn:aws:acm:eu-west-1:111122223333:")
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    lb = entries["ingress-alb-lb"]["inputs"]
    assert (lb["dropInvalidHeaderFields"], lb["idleTimeout"], lb["xffHeaderProcessingMode"]) == (
        True, 60, "append")
    assert len(lb["subnets"]) == 3


def test_mocks_answer_aws_lookups_deterministically() -> None:
    mocks = RecordingMocks({"aws:region": "eu-central-1"})
    call = type("Call", (), {"token": "aws:route53/getZone:getZone",
                             "args": {"name": "example.com", "privateZone": False}})
    first, second = mocks.call(call()), mocks.call(call())  # type: ignore[arg-type]
    assert first == second
    assert first["zoneId"] == fakes.zone_id("example.com")
    lookup = type("Call", (), {"token": "aws:lb/getLoadBalancer:getLoadBalancer",
                               "args": {"name": "k8s-a-b-0123456789"}})
    nlb = mocks.call(lookup())  # type: ignore[arg-type]
    assert nlb["dnsName"].endswith(".elb.eu-central-1.amazonaws.com")


def test_each_stack_loads_only_its_own_clouds_sdk() -> None:
    """Each in a fresh interpreter: `import ingresslib` loads no cloud SDK, an AKS stack loads
    Azure's only, an EKS stack without AWS resources none, an EKS stack AWS's only."""
    script = """
import json, sys
import ingresslib
from ingresslib.offline.runner import run_project
if len(sys.argv) > 1:
    run_project(sys.argv[1], sys.argv[2])
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules
                         if m.split('.')[0] in ('pulumi_aws', 'boto3', 'pulumi_azure_native')})))
"""
    cases = {
        "import": [],
        "aks": ["stacks/aks", "chained"],
        "eks-without-aws": ["examples/echoserver-canary", "dev"],
        "eks": ["stacks/eks", "chained"],
    }
    loaded = {
        name: json.loads(subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT,
                                        capture_output=True, text=True, check=True,
                                        timeout=120).stdout)
        for name, args in cases.items()
    }
    assert loaded == {"import": [], "aks": ["pulumi_azure_native"], "eks-without-aws": [],
                      "eks": ["pulumi_aws"]}
