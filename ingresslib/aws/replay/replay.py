"""The replay: a render's resources created through boto3 in dependency order, each fake
identifier mapped to the real one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ingresslib.aws import fakes
from ingresslib.aws.replay import acm, controller, ec2, elbv2, route53, wafv2
from ingresslib.aws.replay.controller import LBC
from ingresslib.aws.replay.state import Obj, ReplayError, ReplayState
from ingresslib.aws.replay.world import AwsWorld

CONTROLLER = "controller:service"  # the pseudo-type of an NLB the controller makes
_ID_KEYS = ("id", "arn", "dnsName", "zoneId", "fqdn", "hostname", "resourceRecordName",
            "resourceRecordValue")


@dataclass(frozen=True)
class Entry:
    """One resource to create: a plan entry, or the NLB the controller makes for a Service."""

    type: str
    name: str
    inputs: Obj


@dataclass
class Replayed:
    """What the replay created: each fake identifier's real value, and the resources in the
    order they were created, as (type, name, real outputs)."""

    ids: dict[str, str]
    created: list[tuple[str, str, Obj]]

    def real(self, fake: str) -> str:
        return self.ids[fake]


def replay(plan_entries: list[Obj], objects: list[Obj], world: AwsWorld) -> Replayed:
    """Create `plan_entries` (a render's plan.json) and the NLBs the controller would make for
    `objects` (its manifests) through the world's session; check the TargetGroupBindings."""
    entries = [Entry(e["type"], e["name"], e["inputs"]) for e in plan_entries]
    entries += [Entry(CONTROLLER, f"{o['metadata']['namespace']}/{o['metadata']['name']}", o)
                for o in objects if _controller_service(o)]
    fake = {i: _fake_outputs(e, world.region) for i, e in enumerate(entries)}
    provided = set().union(*(_identifiers(fake[i], e.inputs) for i, e in enumerate(entries)))
    state = ReplayState(world, dict(world.ids))
    for i in _dependency_order(entries, fake):
        entry = entries[i]
        handler = HANDLERS.get(entry.type)
        if handler is None:
            raise ReplayError(f"{entry.type} {entry.name}: the replay cannot create this type")
        inputs = state.substitute(entry.inputs)
        dangling = sorted({v for v in _leaves(inputs) if v in provided})
        if dangling:
            raise ReplayError(f"{entry.type} {entry.name} refers to {dangling}, which no "
                              "replayed resource created")
        real = handler(state, entry.name, inputs)
        state.pair(fake[i], real)
        state.created.append((entry.type, entry.name, real))
    for obj in objects:
        if obj["kind"] == "TargetGroupBinding":
            state.check_binding(obj)
    return Replayed(state.ids, state.created)


def _controller_service(obj: Obj) -> bool:
    annotations = obj["metadata"].get("annotations") or {}
    return obj["kind"] == "Service" and obj["spec"].get("type") == "LoadBalancer" and (
        annotations.get(f"{LBC}type") == "external")


def _fake_outputs(entry: Entry, region: str) -> Obj:
    if entry.type == CONTROLLER:
        meta = entry.inputs["metadata"]
        name = fakes.controller_lb_name(meta["namespace"], meta["name"])
        lb = fakes.controller_nlb(name, region)
        return {"hostname": lb["dnsName"], "dnsName": lb["dnsName"], "zoneId": lb["zoneId"],
                "arn": lb["arn"]}
    return fakes.computed(entry.type, entry.name, entry.inputs, region)


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, str):
        yield value
        if "," in value:  # comma-joined annotation values (certificate ARNs)
            yield from (part.strip() for part in value.split(","))


def _identifiers(outputs: Obj, inputs: Obj) -> set[str]:
    """The identifiers a resource provides: its ID-like outputs, but not those it merely
    echoes from its inputs (a record's name), except its id: a resource whose id is another's
    identifier (a CertificateValidation) is what users of that identifier must wait for."""
    echoed = set(_leaves(inputs))
    found = set(_leaves(outputs.get("id")))
    for key in _ID_KEYS:
        found |= {v for v in _leaves(_pick(outputs, key)) if v not in echoed}
    return found


def _pick(value: Any, key: str) -> list[Any]:
    if isinstance(value, dict):
        out = [value[key]] if key in value else []
        for k, v in value.items():
            if k != key:
                out += _pick(v, key)
        return out
    if isinstance(value, list):
        return [x for v in value for x in _pick(v, key)]
    return []


def _dependency_order(entries: list[Entry], fake: dict[int, Obj]) -> list[int]:
    """Entries ordered so that each comes after those providing the identifiers it uses."""
    owners: dict[str, set[int]] = {}
    for i, entry in enumerate(entries):
        for ident in _identifiers(fake[i], entry.inputs):
            owners.setdefault(ident, set()).add(i)
    needs = {i: set().union(*(owners.get(v, set()) for v in _leaves(e.inputs))) - {i}
             for i, e in enumerate(entries)}
    order: list[int] = []
    done: set[int] = set()
    while len(order) < len(entries):
        ready = [i for i in range(len(entries)) if i not in done and needs[i] <= done]
        if not ready:
            stuck = sorted(entries[i].name for i in range(len(entries)) if i not in done)
            raise ReplayError(f"circular references between {stuck}")
        order += ready
        done.update(ready)
    return order


HANDLERS: dict[str, Callable[[ReplayState, str, Obj], Obj]] = {
    "aws:ec2/securityGroup:SecurityGroup": ec2.security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2.sg_rule(egress=False),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ec2.sg_rule(egress=True),
    "aws:lb/loadBalancer:LoadBalancer": elbv2.load_balancer,
    "aws:lb/targetGroup:TargetGroup": elbv2.target_group,
    "aws:lb/listener:Listener": elbv2.listener,
    "aws:lb/listenerCertificate:ListenerCertificate": elbv2.listener_certificate,
    "aws:lb/listenerRule:ListenerRule": elbv2.listener_rule,
    "aws:acm/certificate:Certificate": acm.certificate,
    "aws:acm/certificateValidation:CertificateValidation": acm.certificate_validation,
    "aws:route53/record:Record": route53.record,
    "aws:wafv2/webAclAssociation:WebAclAssociation": wafv2.web_acl_association,
    CONTROLLER: controller.service_nlb,
}
