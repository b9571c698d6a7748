"""Rules of changes that fail mid-update: what one `pulumi up` cannot apply to objects the
cluster will not change in place, or replaces by deleting first. `ingresslib diff` checks them
between two renders (`ingresslib.offline.diff.two_steps`) and names each with the two steps
that apply the change; the renders avoid them where they can (the ALB's TargetGroupBindings:
EDGE-CH-ALB-TGB, in `ingresslib.aws.edge_plan`)."""

from __future__ import annotations

from dataclasses import dataclass

from ingresslib.edge import EdgeRule

UPDATE_RULES = {
    "EDGE-CH-IMMUTABLE": EdgeRule(
        "EDGE-CH-IMMUTABLE",
        "A change never updates in place a field the cluster will not take as an update (a "
        "TargetGroupBinding's targetGroupARN, targetType, ipAddressType; a Service's "
        "loadBalancerClass; the NLB scheme annotation, which makes the controller replace "
        "the NLB under a new DNS name): the object is renamed with what it follows, or diff "
        "names the two steps, since `pulumi up` would fail there midway, after the changes "
        "before it, or move the address",
        "kubernetes-sigs/aws-load-balancer-controller#2764 (TargetGroupBinding update may not "
        "change these fields: spec.targetGroupARN), #4071, #1640 (a scheme change recreates "
        "the load balancer); Kubernetes API reference, Service spec.loadBalancerClass (cannot "
        "be changed once set); envoyproxy/gateway#1793 (may not change once set)"),
    "EDGE-CH-NAMED-REPLACE": EdgeRule(
        "EDGE-CH-NAMED-REPLACE",
        "A serving object (gateway Deployment, DaemonSet, StatefulSet, LoadBalancer Service, "
        "TargetGroupBinding) is never replaced under its own name in one update: "
        "pulumi-kubernetes deletes a named object before it creates its replacement, so it "
        "serves nothing in between; diff names the two steps",
        "pulumi/pulumi-kubernetes tests/sdk/nodejs/delete-before-replace (a named object is "
        "deleted first: names are unique); Kubernetes API reference (Deployment spec.selector "
        "immutable in apps/v1)"),
}


@dataclass(frozen=True)
class Immutable:
    """Fields of a Kubernetes object that Pulumi would update in place but the cluster will not
    take as an update (EDGE-CH-IMMUTABLE): each cloud lists its own controllers'
    (`ingresslib.aws.replacements`), `ingresslib.offline.replacements` adds the API server's.

    `fields` of `kind` objects (each a path of keys, so annotation names with dots stay
    whole); `what` says who refuses the change or what it causes, `steps` what to do
    instead. `managed_by`: a path that must be set on both sides for the rule to apply (the
    controller owns the object before and after: a Service that only becomes an NLB gets one
    made, none replaced)."""

    api_version: str
    kind: str
    fields: tuple[tuple[str, ...], ...]
    what: str
    steps: str
    managed_by: tuple[str, ...] = ()
