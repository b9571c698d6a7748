"""Which changes make Pulumi replace a resource (delete it and create a new one) instead of
updating it in place, for the resource types ingresslib creates.

Pulumi replaces a resource when its URN changes without an alias (a new name, parent or type:
the old URN is deleted, the new one created), when an input changes that the provider cannot
update (the tables below), or when the program lists the input in `replace_on_changes`.

`entries` turns a render's records into what `diff` compares: each rendered resource with its
Pulumi address (the URN without stack and project: the type chain and name), its aliases and
the role that pairs it with itself under another name (a renamed stack).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingresslib.aws.replacements import EDGE_TYPES as AWS_EDGE_TYPES
from ingresslib.aws.replacements import IMMUTABLE as AWS_IMMUTABLE
from ingresslib.aws.replacements import REPLACE_ON as AWS_REPLACE_ON
from ingresslib.azure.replacements import EDGE_TYPES as AZURE_EDGE_TYPES
from ingresslib.azure.replacements import REPLACE_ON as AZURE_REPLACE_ON
from ingresslib.offline.mocks import Registered
from ingresslib.offline.output import manifest, plan_entry
from ingresslib.update_rules import Immutable

# Inputs, by their wire (camelCase) names, whose change replaces the resource; "*" for all.
REPLACE_ON: dict[str, tuple[str, ...]] = {
    **AWS_REPLACE_ON,
    **AZURE_REPLACE_ON,
    # pulumi-tls: every attribute of a key or certificate requires replacement.
    "tls:index/privateKey:PrivateKey": ("*",),
    "tls:index/selfSignedCert:SelfSignedCert": ("*",),
    "tls:index/locallySignedCert:LocallySignedCert": ("*",),
    "tls:index/certRequest:CertRequest": ("*",),
}
# pulumi-kubernetes replaces an object whose name or namespace changes, and on the fields the
# API server refuses to change (a Service's clusterIP, a workload's selector); a Service's
# type changes in place.
KUBERNETES_REPLACE_ON: tuple[str, ...] = ("metadata.name", "metadata.namespace")
KUBERNETES_KIND_REPLACE_ON: dict[str, tuple[str, ...]] = {
    "Service": ("spec.clusterIP", "spec.clusterIPs"),
    "Deployment": ("spec.selector",),
    "DaemonSet": ("spec.selector",),
    "StatefulSet": ("spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"),
}
# Fields that Pulumi updates in place but the cluster will not take (EDGE-CH-IMMUTABLE).
IMMUTABLE: tuple[Immutable, ...] = (
    # Kubernetes API reference, Service: loadBalancerClass "can only be set when creating or
    # updating a Service to type LoadBalancer. Once set, it can not be changed."
    Immutable("v1", "Service", (("spec", "loadBalancerClass"),),
              "the API server refuses (a Service's loadBalancerClass cannot change once "
              "set), so `pulumi up` fails there, after the changes before it are applied",
              "another class is another load balancer: first deploy a second stack with it "
              "and move DNS to it, then remove this one"),
    *AWS_IMMUTABLE,
)
# Kinds whose replacement under the same name takes traffic down: pulumi-kubernetes deletes a
# named object before it creates its replacement (EDGE-CH-NAMED-REPLACE).
SERVING_KINDS = frozenset({"Deployment", "DaemonSet", "StatefulSet", "Service",
                           "TargetGroupBinding"})
# What a reviewer most needs to hear about: a replacement here moves traffic or addresses.
EDGE_TYPES = AWS_EDGE_TYPES | AZURE_EDGE_TYPES | {"kubernetes:core/v1:Service"}
_STACK = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Entry:
    """One rendered resource as `diff` compares it.

    `key` is what a reviewer knows it by (apiVersion, kind, namespace, name of a Kubernetes
    object; type and Pulumi name otherwise), `body` its redacted manifest or plan entry. The
    rest is empty for entries made from a bare body: `address` is its URN without stack and
    project, `parent` its parent's, `role` pairs it with itself renamed, `aliases` the
    addresses Pulumi would accept as its old self, `replace_on` the program's own
    `replace_on_changes`."""

    key: tuple[str, ...]
    body: Mapping[str, Any]
    type: str = ""
    address: str = ""
    parent: str = ""
    role: str = ""
    aliases: tuple[str, ...] = ()
    replace_on: tuple[str, ...] = ()


def resource_key(body: Mapping[str, Any]) -> tuple[str, ...]:
    """apiVersion, kind, namespace, name for a Kubernetes object; type, name for a plan entry."""
    if "kind" in body and "apiVersion" in body:
        meta = body.get("metadata") or {}
        return (body["apiVersion"], body["kind"], meta.get("namespace", ""), meta["name"])
    return (body["type"], body["name"])


def _tail(urn: str) -> str:
    """`type$chain::name` of a URN, without `urn:pulumi:stack::project::`."""
    return urn.split("::", 2)[2] if urn.count("::") >= 2 else urn


def entries(records: Sequence[Registered]) -> list[Entry]:
    """Every rendered resource of a render (Kubernetes objects and plan entries)."""
    by_urn = {r.urn: r for r in records if r.urn}

    def chain(rec: Registered) -> str:
        parent = by_urn.get(rec.parent)
        return rec.type if parent is None else f"{chain(parent)}${rec.type}"

    def root(rec: Registered) -> Registered:
        parent = by_urn.get(rec.parent)
        return rec if parent is None else root(parent)

    found = []
    for rec in records:
        if not rec.custom:
            continue
        body = manifest(rec) if rec.is_kubernetes else plan_entry(rec)
        top = root(rec)
        own = rec.type if rec.is_kubernetes else ""
        if rec.is_kubernetes:
            meta = body["metadata"]
            identity = (body["apiVersion"], body["kind"], meta.get("namespace", ""),
                        _relative(meta["name"], top, rec))
        else:
            identity = (_relative(rec.name, top, rec),)
        parent = by_urn.get(rec.parent)
        found.append(Entry(
            key=resource_key(body), body=body, type=rec.type,
            address=f"{chain(rec)}::{rec.name}",
            parent=f"{chain(parent)}::{parent.name}" if parent else "",
            role="|".join((chain(rec), own, *identity)),
            aliases=tuple(_alias_address(a, rec, by_urn, chain) for a in rec.aliases),
            replace_on=rec.replace_on_changes,
        ))
    return found


def _relative(name: str, top: Registered, rec: Registered) -> str:
    """`name` with its root component's name as a prefix made generic: the same resource of a
    renamed stack has the same relative name."""
    if top is rec or top.type == _STACK:
        return name
    if name == top.name:
        return "{root}"
    return "{root}" + name[len(top.name):] if name.startswith(f"{top.name}-") else name


def _alias_address(alias: Mapping[str, Any], rec: Registered,
                   by_urn: Mapping[str, Registered], chain: Callable[[Registered], str]) -> str:
    """The address an alias names: its `urn`, or the spec's parts, defaulting to `rec`'s."""
    if "urn" in alias:
        return _tail(alias["urn"])
    if alias.get("noParent"):
        parent_chain = ""
    else:
        parent = by_urn.get(alias.get("parentUrn") or rec.parent)
        parent_chain = chain(parent) if parent else _tail(alias.get("parentUrn", "")).split(
            "::")[0]
    kind = alias.get("type") or rec.type
    qualified = f"{parent_chain}${kind}" if parent_chain else kind
    return f"{qualified}::{alias.get('name') or rec.name}"


def replace_on(entry: Entry) -> tuple[str, ...]:
    """The field paths (as `diff` writes them) whose change replaces `entry`."""
    own = tuple(f"inputs.{p}" if not entry.type.startswith("kubernetes:") else p
                for p in entry.replace_on)
    if entry.type.startswith("kubernetes:") or "kind" in entry.body:
        kind = entry.body.get("kind", "")
        return (*KUBERNETES_REPLACE_ON, *KUBERNETES_KIND_REPLACE_ON.get(kind, ()), *own)
    fields = REPLACE_ON.get(entry.type or entry.body.get("type", ""), ())
    return (*(f"inputs.{f}" if f != "*" else "inputs" for f in fields), *own)


def forces_replacement(path: str, paths: Iterable[str]) -> str | None:
    """The replace-on path that a change at `path` falls under, if any."""
    for p in paths:
        if path == p or path.startswith((f"{p}.", f"{p}[", f"{p}{{")) or p.startswith(
                f"{path}."):
            return p
    return None


def urn_change(old: Entry, new: Entry) -> str | None:
    """Why Pulumi sees `new` as another resource than `old`: its name, parent or type changed
    and no alias of `new` names `old`; None when the URN is kept (or either side has none)."""
    if not old.address or not new.address or old.address == new.address:
        return None
    if old.address in new.aliases:
        return None
    old_chain, _, old_name = old.address.rpartition("::")
    new_chain, _, new_name = new.address.rpartition("::")
    if old_name != new_name:
        return f"Pulumi name {old_name} -> {new_name}"
    if old.parent != new.parent:
        return f"parent {old.parent or '(stack)'} -> {new.parent or '(stack)'}"
    return f"type {old_chain} -> {new_chain}"
