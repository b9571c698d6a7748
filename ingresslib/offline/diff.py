"""What changes between two renders, per resource and per field, for a reviewer.

Pure: `diff` compares two renders' entries (`replacements.entries`, or bare Kubernetes objects
and plan entries as `output.manifests` and `output.plan` give them), so reviewers see semantic
changes (`spec.http[name=web].route[1].weight: 20 -> 50`) instead of a text diff of YAML:

- documents embedded in strings (JSON or YAML in ConfigMap data and annotations) are compared
  parsed, each change at its path inside them (`data["x.json"]{json}.panels[title=Replicas]`);
- list items are matched by what names them (`name`, an alert's or recording rule's name, a
  panel's title, a server's port name, a rule's priority or condition field), never by
  position, so removing one item reports one item removed;
- a resource Pulumi would replace (its URN changes without an alias, or an input it cannot
  update changes: `replacements.REPLACE_ON`) is a replacement, listed first with its reasons;
- added and removed resources carry their whole body;
- a change that one `pulumi up` cannot apply without dropping requests is named, with the
  two steps that can (`two_steps`): a subset removed while the old routes send to it, a
  listener rule moved onto a priority another rule still holds.

Secrets arrive redacted and are only ever reported as "changed (secret)", never as values.
"""

from __future__ import annotations

import difflib
import html
import io
import json
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from ingresslib.offline.mocks import OfflineError
from ingresslib.offline.output import REDACTED
from ingresslib.offline.replacements import (
    EDGE_TYPES,
    IMMUTABLE,
    SERVING_KINDS,
    Entry,
    forces_replacement,
    replace_on,
    resource_key,
    urn_change,
)


class _Absent:
    """A field missing on one side: distinct from an explicit null."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()
Status = Literal["replaced", "changed", "added", "removed"]
_MARK: dict[Status, str] = {"replaced": "!", "changed": "~", "added": "+", "removed": "-"}
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Exit statuses of `ingresslib diff --exit-code`.
EXIT_CHANGES = 1
EXIT_REPLACEMENTS = 3
# Strings longer than this are shown as a word diff, not twice.
_LONG = 60
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class FieldChange:
    """One leaf (or whole subtree, when added or removed) whose value differs."""

    path: str
    old: Any
    new: Any

    @property
    def secret(self) -> bool:
        return REDACTED in (self.old, self.new)

    def __str__(self) -> str:
        if self.secret:
            return f"{self.path}: changed (secret)"
        if isinstance(self.old, str) and isinstance(self.new, str):
            if "\n" in self.old or "\n" in self.new:
                lines = difflib.unified_diff(self.old.splitlines(), self.new.splitlines(),
                                             lineterm="", n=1)
                return "\n".join([f"{self.path}:", *(f"  {line}" for line in list(lines)[2:])])
            if max(len(self.old), len(self.new)) > _LONG:
                return f"{self.path}: {_word_diff(self.old, self.new)}"
        return f"{self.path}: {_show(self.old)} -> {_show(self.new)}"


@dataclass(frozen=True)
class ResourceChange:
    """A resource added, removed, changed in place or replaced; `reasons` say why Pulumi
    replaces it, `body` is an added or removed resource in full."""

    key: str
    status: Status
    fields: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = ()
    body: Mapping[str, Any] | None = None
    edge: bool = False


@dataclass(frozen=True)
class Diff:
    """Changed resources (replacements first, edge resources first among them, then the rest
    in key order), and how many compared equal."""

    resources: tuple[ResourceChange, ...]
    unchanged: int
    # Changes one update cannot apply safely, each with the two steps that can (two_steps).
    steps: tuple[str, ...] = ()

    def count(self, status: Status) -> int:
        return sum(1 for r in self.resources if r.status == status)

    def summary(self) -> str:
        replaced = self.count("replaced")
        counts = ", ".join(f"{self.count(s)} {s}" for s in ("changed", "added", "removed"))
        return f"{f'{replaced} replaced, ' if replaced else ''}{counts}, {self.unchanged} unchanged"

    def exit_status(self) -> int:
        """0 when nothing changed, EXIT_CHANGES for changes, EXIT_REPLACEMENTS when Pulumi
        would replace anything."""
        if self.count("replaced"):
            return EXIT_REPLACEMENTS
        return EXIT_CHANGES if self.resources or self.steps else 0


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _clip(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:18]}…{text[-18:]}"


def _word_diff(old: str, new: str) -> str:
    """`"same [-old-]{+new+} same"`, git's word-diff markers, long unchanged runs clipped."""
    a, b = re.findall(r"\w+|\s+|[^\w\s]", old), re.findall(r"\w+|\s+|[^\w\s]", new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_clip("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"[-{''.join(a[i1:i2])}-]")
        if j2 > j1:
            out.append(f"{{+{''.join(b[j1:j2])}+}}")
    return json.dumps("".join(out), ensure_ascii=False)


def _label(key: tuple[str, ...]) -> str:
    if len(key) == 4:
        api_version, kind, namespace, name = key
        return f"{api_version} {kind} {namespace}/{name}" if namespace else (
            f"{api_version} {kind} {name}")
    return " ".join(key)


def _as_entry(item: Entry | Mapping[str, Any]) -> Entry:
    return item if isinstance(item, Entry) else Entry(resource_key(item), item)


def _index(entries: Sequence[Entry]) -> dict[tuple[str, ...], Entry]:
    by_key: dict[tuple[str, ...], Entry] = {}
    for entry in entries:
        if entry.key in by_key:
            raise OfflineError(f"two resources render as {_label(entry.key)}: keys must be "
                               "unique")
        by_key[entry.key] = entry
    return by_key


def _pair(before: dict[tuple[str, ...], Entry], after: dict[tuple[str, ...], Entry],
          attribute: Callable[[Entry], str]) -> list[tuple[Entry, Entry]]:
    """Unmatched entries that share `attribute` with exactly one entry of the other side."""
    def unique(side: dict[tuple[str, ...], Entry]) -> dict[str, Entry]:
        groups: dict[str, list[Entry]] = {}
        for e in side.values():
            if attribute(e):
                groups.setdefault(attribute(e), []).append(e)
        return {k: v[0] for k, v in groups.items() if len(v) == 1}

    olds, news = unique(before), unique(after)
    pairs = [(olds[k], news[k]) for k in sorted(olds.keys() & news.keys())]
    for old, new in pairs:
        del before[old.key], after[new.key]
    return pairs


def diff(old: Sequence[Entry | Mapping[str, Any]],
         new: Sequence[Entry | Mapping[str, Any]]) -> Diff:
    """Resources replaced, changed, added and removed from `old` to `new` (in any order).

    Resources are matched by key, then (renamed) by Pulumi address, then by role: a resource
    of a renamed stack is the same resource under a new name, which Pulumi replaces."""
    before = _index([_as_entry(e) for e in old])
    after = _index([_as_entry(e) for e in new])
    pairs = [(before.pop(k), after.pop(k)) for k in sorted(before.keys() & after.keys())]
    pairs += _pair(before, after, lambda e: e.address)
    pairs += _aliased(before, after)
    pairs += _pair(before, after, lambda e: e.role)
    steps = two_steps(pairs, list(before.values()), list(after.values()))
    changes: list[tuple[tuple[Any, ...], ResourceChange]] = []
    unchanged = 0
    for a, b in pairs:
        change = _compare(a, b)
        if change is None:
            unchanged += 1
        else:
            changes.append((_order(b.key, change), change))
    for entry, status in [*((e, "added") for e in after.values()),
                          *((e, "removed") for e in before.values())]:
        change = ResourceChange(_label(entry.key), status, body=_shown(entry),
                                edge=_edge(entry))
        changes.append((_order(entry.key, change), change))
    return Diff(tuple(c for _, c in sorted(changes, key=lambda c: c[0])), unchanged, steps)


def _aliased(before: dict[tuple[str, ...], Entry], after: dict[tuple[str, ...], Entry]
             ) -> list[tuple[Entry, Entry]]:
    """Unmatched entries whose new side carries an alias naming the old one's address: the
    same resource under a new name, which Pulumi updates in place."""
    olds = {e.address: e for e in before.values() if e.address}
    pairs = []
    for new in sorted(after.values(), key=lambda e: e.key):
        old = next((olds[a] for a in new.aliases if a in olds), None)
        if old is not None and old.key in before:
            pairs.append((before.pop(old.key), after.pop(new.key)))
    return pairs


# ------------------------------------------------------------ changes that need two steps

_RULE = "aws:lb/listenerRule:ListenerRule"
_MESH = ".svc.cluster.local"


def two_steps(pairs: Sequence[tuple[Entry, Entry]], removed: Sequence[Entry],
              added: Sequence[Entry]) -> tuple[str, ...]:
    """What one update cannot apply without dropping requests, and the two steps that can.

    - A DestinationRule that loses a subset the old VirtualServices route to: IngressRouting
      updates DestinationRules before VirtualServices (make before break), so the subset
      would go while a route still sends to it, and Pulumi cannot order the other way in
      the same update. First remove the routes, then the subset.
    - An ALB listener rule moved (or created) onto a priority another rule holds until Pulumi
      reaches it (rules move top down) or deletes it (at the end of the update): AWS refuses
      it (PriorityInUse, pulumi/pulumi-aws#175).
    - A Kubernetes object updated in place on a field the cluster refuses to change
      (replacements.IMMUTABLE: a TargetGroupBinding's targetGroupARN): `pulumi up` fails
      there, midway, after what it changed before (EDGE-CH-IMMUTABLE).
    - A serving object (gateway Deployment, Service, TargetGroupBinding) replaced under the
      same name: pulumi-kubernetes deletes a named object before it creates its replacement,
      so it is gone in between (EDGE-CH-NAMED-REPLACE).
    - A TargetGroupBinding added for a target group that a removed one still binds: Pulumi
      creates before it deletes, and the controller's webhook refuses a second binding of a
      group (EDGE-CH-ALB-TGB)."""
    return (*_subset_steps(pairs, removed), *_priority_steps(pairs, removed, added),
            *_immutable_steps(pairs), *_named_replacement_steps(pairs),
            *_rebinding_steps(removed, added))


def _destinations(vs: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(host as an FQDN, subset, route name) of every destination and mirror of a
    VirtualService."""
    namespace = (vs.get("metadata") or {}).get("namespace", "")
    spec = vs.get("spec") or {}
    for kind in ("http", "tls", "tcp"):
        for i, route in enumerate(spec.get(kind) or []):
            name = route.get("name") or f"{kind}[{i}]"
            targets = [r.get("destination") or {} for r in route.get("route") or []]
            targets.append(route.get("mirror") or {})
            for d in targets:
                if d.get("subset"):
                    yield _fqdn(d.get("host", ""), namespace), d["subset"], name


def _fqdn(host: str, namespace: str) -> str:
    if host.endswith(_MESH) or host.count(".") > 1:
        return host
    return f"{host}.{namespace}{_MESH}" if "." not in host else f"{host}{_MESH}"


def _short(entry: Entry) -> str:
    """`Kind namespace/name` of a Kubernetes object."""
    meta = entry.body.get("metadata") or {}
    return f"{entry.body.get('kind')} {meta.get('namespace', '')}/{meta.get('name', '')}"


def _kind(entry: Entry, kind: str) -> bool:
    return entry.body.get("kind") == kind and str(entry.body.get("apiVersion", "")).startswith(
        "networking.istio.io/")


def _subset_steps(pairs: Sequence[tuple[Entry, Entry]], removed: Sequence[Entry]
                  ) -> Iterator[str]:
    # The old VirtualServices, kept or removed (Pulumi deletes those at the end of the update).
    routed: dict[tuple[str, str], list[str]] = {}
    for old in [*(old for old, _ in pairs), *removed]:
        if _kind(old, "VirtualService"):
            for host, subset, route in _destinations(old.body):
                routed.setdefault((host, subset), []).append(f"{_short(old)} route {route}")
    for old, new in pairs:
        if not (_kind(old, "DestinationRule") and _kind(new, "DestinationRule")):
            continue
        host = _fqdn((old.body.get("spec") or {}).get("host", ""),
                     (old.body.get("metadata") or {}).get("namespace", ""))
        kept = {s.get("name") for s in (new.body.get("spec") or {}).get("subsets") or []}
        for subset in (old.body.get("spec") or {}).get("subsets") or []:
            users = routed.get((host, subset.get("name")), [])
            if subset.get("name") not in kept and users:
                yield (f"{_short(new)} drops subset {subset['name']} while "
                       f"{', '.join(users)} sends to it; one update changes the "
                       "DestinationRule first (make before break), so the route fails until "
                       "the VirtualService follows. First apply the routes without the "
                       "subset, then the DestinationRule without it")


def _rule_at(entry: Entry) -> tuple[str, int] | None:
    if (entry.type or entry.body.get("type")) != _RULE:
        return None
    inputs = entry.body.get("inputs") or {}
    return str(inputs.get("listenerArn", "")), int(inputs.get("priority", 0))


def _name(entry: Entry) -> str:
    return entry.address.rpartition("::")[2] or entry.key[-1]


def _priority_steps(pairs: Sequence[tuple[Entry, Entry]], removed: Sequence[Entry],
                    added: Sequence[Entry]) -> Iterator[str]:
    held = {at: old for old, _ in pairs if (at := _rule_at(old))}
    held |= {at: old for old in removed if (at := _rule_at(old))}
    now = {old.key: _rule_at(new) for old, new in pairs}
    moves = [(_rule_at(old), new) for old, new in pairs] + [(None, new) for new in added]
    for before, new in moves:
        at = _rule_at(new)
        if at is None or at == before or at not in held:
            continue
        holder = held[at]
        if holder.key in now and (later := now[holder.key]) and not (
                later[0] == at[0] and later[1] < at[1]):
            why = (f"which {_name(holder)} holds until Pulumi moves it to {later[1]} after "
                   "this rule")
        elif holder.key in now:
            continue  # the holder moves first (rules move top down) and frees it
        else:
            why = (f"which {_name(holder)} holds until Pulumi deletes it at the end of the "
                   "update")
        yield (f"{_name(new)} takes listener rule priority {at[1]}, {why}, and AWS refuses "
               "two rules on one priority (PriorityInUse). Apply in two steps: first "
               f"`pulumi up --target` the URN of {_name(holder)} alone, then the rest")


def _immutable_steps(pairs: Sequence[tuple[Entry, Entry]]) -> Iterator[str]:
    for old, new in pairs:
        if old.key != new.key or _forced(old, new):
            continue
        for rule in IMMUTABLE:
            if (new.body.get("apiVersion"), new.body.get("kind")) != (rule.api_version,
                                                                    rule.kind):
                continue
            if rule.managed_by and ABSENT in (_get_path(old.body, rule.managed_by),
                                              _get_path(new.body, rule.managed_by)):
                continue
            for keys in rule.fields:
                before, after = _get_path(old.body, keys), _get_path(new.body, keys)
                if before == after:
                    continue
                path = ""
                for key in keys:
                    path = _child(path, key)
                yield (f"{_short(new)} changes {path} in place ({_show(before)} -> "
                       f"{_show(after)}): {rule.what} (EDGE-CH-IMMUTABLE). Apply in two "
                       f"steps: {rule.steps}")


def _rebinding_steps(removed: Sequence[Entry], added: Sequence[Entry]) -> Iterator[str]:
    def bound(entries: Sequence[Entry]) -> dict[Any, Entry]:
        return {(e.body.get("spec") or {}).get("targetGroupARN"): e for e in entries
                if e.body.get("kind") == "TargetGroupBinding"}

    before = bound(removed)
    for arn, new in bound(added).items():
        old = before.get(arn)
        if arn and old is not None:
            yield (f"{_short(new)} binds the target group that {_short(old)} binds until Pulumi "
                   "deletes it at the end of the update; the AWS Load Balancer Controller's "
                   "webhook refuses a second binding of one group (already bound) "
                   "(EDGE-CH-ALB-TGB). Apply in two steps: first `pulumi destroy --target` the "
                   f"URN of {_short(old)} (its targets are deregistered until step two), then "
                   "`pulumi up`")


def _named_replacement_steps(pairs: Sequence[tuple[Entry, Entry]]) -> Iterator[str]:
    for old, new in pairs:
        kind = str(new.body.get("kind", ""))
        spec = new.body.get("spec") or {}
        serving = kind in SERVING_KINDS and (kind != "Service"
                                             or spec.get("type") == "LoadBalancer")
        if not serving or old.key != new.key or not (reasons := _forced(old, new)):
            continue
        yield (f"{_short(new)} is replaced under the same name ({', '.join(reasons)}): "
               "pulumi-kubernetes deletes a named object before it creates its replacement, so "
               "it serves nothing in between (EDGE-CH-NAMED-REPLACE). Apply in two steps: "
               "first add the new object under another name next to the old one (a renamed "
               "gateway or stack), move traffic to it, then remove the old")


def _forced(old: Entry, new: Entry) -> list[str]:
    """The replace-on paths (replacements.replace_on) whose change replaces `new`."""
    forced = replace_on(new)
    found = []
    for change in _fields("", _shown(old), _shown(new)):
        path = forces_replacement(change.path, forced)
        if path and path not in found:
            found.append(path)
    return found


def _get_path(body: Mapping[str, Any], keys: Sequence[str]) -> Any:
    value: Any = body
    for key in keys:
        value = value.get(key, ABSENT) if isinstance(value, Mapping) else ABSENT
    return value


# Among edge resources, what holds the address clients reach comes first.
_ADDRESS_TYPES = ("LoadBalancer", "PublicIPAddress", "TrafficControllerInterface",
                  "FrontendsInterface", "kubernetes:core/v1:Service")


def _order(key: tuple[str, ...], change: ResourceChange) -> tuple[Any, ...]:
    """Replacements first (edge resources first, load balancers and addresses first among
    them), then Kubernetes objects, then plan entries."""
    address = change.edge and any(t in change.key for t in _ADDRESS_TYPES)
    return (change.status != "replaced", not change.edge, not address, len(key) != 4, key)


def _edge(entry: Entry) -> bool:
    kind = entry.type or entry.body.get("type", "")
    spec = entry.body.get("spec") or {}
    return kind in EDGE_TYPES and (kind != "kubernetes:core/v1:Service"
                                   or spec.get("type") == "LoadBalancer")


def _shown(entry: Entry) -> Mapping[str, Any]:
    """What a diff compares and shows of a resource: a plan entry's inputs, an object whole."""
    return {"inputs": entry.body["inputs"]} if "inputs" in entry.body else entry.body


def _compare(old: Entry, new: Entry) -> ResourceChange | None:
    fields = tuple(_fields("", _shown(old), _shown(new)))
    reasons = []
    moved = urn_change(old, new)
    if moved:
        reasons.append(f"{moved} (no alias)")
    forced = replace_on(new)
    for change in fields:
        path = forces_replacement(change.path, forced)
        if path == "inputs":  # the provider replaces on every input: name the one changed
            path = ".".join(change.path.split(".")[:2]).partition("[")[0].partition("{")[0]
        if path and f"{path} changes" not in reasons:
            reasons.append(f"{path} changes")
    label = _label(new.key)
    if old.key != new.key:  # renamed: the old key, then what differs in the new one
        name = "/".join(k for k in new.key[2:] if k) if len(new.key) == 4 else new.key[-1]
        label = f"{_label(old.key)} -> {name}"
    if reasons:
        return ResourceChange(label, "replaced", fields, tuple(reasons), edge=_edge(new))
    if fields or old.key != new.key:
        return ResourceChange(label, "changed", fields, edge=_edge(new))
    return None


def _child(path: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _document(text: str) -> tuple[str, Any] | None:
    """A JSON or YAML document (object or list) held in a string, with its format."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict | list):
            return "json", value
    if "\n" in text.strip():
        try:
            docs = [d for d in yaml.load_all(text, Loader=_LOADER) if d is not None]
        except yaml.YAMLError:
            return None
        if len(docs) == 1 and isinstance(docs[0], dict | list):
            return "yaml", docs[0]
        if len(docs) > 1:
            return "yaml", docs
    return None


def _fields(path: str, old: Any, new: Any) -> Iterator[FieldChange]:
    if old == new:
        return
    if REDACTED in (old, new):
        yield FieldChange(path, old, new)
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            yield from _fields(_child(path, key), old.get(key, ABSENT), new.get(key, ABSENT))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _list_fields(path, old, new)
    elif isinstance(old, str) and isinstance(new, str):
        before, after = _document(old), _document(new)
        if before and after and before[0] == after[0]:
            yield from _fields(f"{path}{{{before[0]}}}", before[1], after[1])
        else:
            yield FieldChange(path, old, new)
    else:
        yield FieldChange(path, old, new)


def _get(item: Any, *keys: str) -> Any:
    for key in keys:
        item = item.get(key) if isinstance(item, dict) else None
    return item


def _single_key(item: Any) -> str | None:
    return f"key={next(iter(item))}" if isinstance(item, dict) and len(item) == 1 else None


def _scalar(label: str, *keys: str) -> Callable[[Any], str | None]:
    def identity(item: Any) -> str | None:
        value = _get(item, *keys)
        return f"{label}={value}" if isinstance(value, str | int) else None
    return identity


def _rule(item: Any) -> str | None:
    for key in ("alert", "record"):
        if isinstance(_get(item, key), str):
            return f"{key}={item[key]}"
    return None


# What names a list item, tried in order; the first that names every item on both sides,
# uniquely on each, is used: Kubernetes' and Istio's names, Prometheus alert and recording
# rules, Grafana panels and queries, Gateway servers, Ingress rules and paths, ALB listener
# rules by priority, their conditions by field, forward target groups by ARN, descriptors.
_IDENTITIES: tuple[Callable[[Any], str | None], ...] = (
    _scalar("name", "name"), _rule, _scalar("title", "title"), _scalar("refId", "refId"),
    _scalar("port.name", "port", "name"), _scalar("host", "host"), _scalar("path", "path"),
    _scalar("priority", "priority"), _scalar("arn", "arn"), _scalar("key", "key"),
    _single_key,
)


def _identify(old: list[Any], new: list[Any]) -> tuple[list[str], list[str]] | None:
    """Each item's identity on both sides, or None when no identity names them all."""
    for identity in _IDENTITIES:
        ids = [identity(i) for i in old], [identity(i) for i in new]
        if all(None not in side and len(set(side)) == len(side) for side in ids):
            return ids  # type: ignore[return-value]
    return None


def _list_fields(path: str, old: list[Any], new: list[Any]) -> Iterator[FieldChange]:
    """Named items by identity, so an insertion or removal reports that item alone; their
    order still counts (routes match first to last), so a reorder is reported on its own.
    Anything else by index."""
    ids = _identify(old, new)
    if ids is None:
        for i in range(max(len(old), len(new))):
            yield from _fields(f"{path}[{i}]", old[i] if i < len(old) else ABSENT,
                               new[i] if i < len(new) else ABSENT)
        return
    old_ids, new_ids = ids
    kept_old = [n for n in old_ids if n in new_ids]
    kept_new = [n for n in new_ids if n in old_ids]
    if kept_old != kept_new:
        label = kept_new[0].partition("=")[0] if kept_new else "item"
        yield FieldChange(f"{path}[*].{label}", [n.partition("=")[2] for n in kept_old],
                          [n.partition("=")[2] for n in kept_new])
    for ident in [*new_ids, *(n for n in old_ids if n not in new_ids)]:
        yield from _fields(
            f"{path}[{ident}]",
            old[old_ids.index(ident)] if ident in old_ids else ABSENT,
            new[new_ids.index(ident)] if ident in new_ids else ABSENT,
        )


class _BodyDumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks: a whole resource a person reads."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not value.endswith((" ", "\n\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BodyDumper.add_representer(str, _str)


def body_yaml(body: Mapping[str, Any]) -> str:
    """An added or removed resource as YAML, as `diff` shows it."""
    return yaml.dump(dict(body), Dumper=_BodyDumper, sort_keys=False, width=1_000_000,
                     allow_unicode=True)


def _details(res: ResourceChange) -> list[str]:
    """A resource's lines under its header: replacement reasons, changed fields, or its
    whole body when added or removed."""
    lines = [f"replaced: {reason}" for reason in res.reasons]
    lines += [line for change in res.fields for line in str(change).splitlines()]
    if res.body is not None:
        lines += body_yaml(res.body).splitlines()
    return lines


def format_text(result: Diff, old_label: str, new_label: str) -> str:
    """For a terminal: one line per resource (! replaced, ~ changed, + added, - removed), then
    its replacement reasons and fields, or its body."""
    lines = [f"{old_label} -> {new_label}: {result.summary()}"]
    lines += [f"!! two steps: {step}" for step in result.steps]
    for res in result.resources:
        lines.append(f"{_MARK[res.status]} {res.key}")
        lines.extend(f"    {line}" for line in _details(res))
    return "\n".join(lines) + "\n"


def _fence(body: str) -> str:
    """A backtick fence longer than any backtick run in `body`, so values cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def _section(res: ResourceChange) -> list[str]:
    """One resource as a collapsible section: open when replaced or changed, folded when
    added or removed (its whole body)."""
    body = "\n".join(_details(res))
    fence = _fence(body)
    language = "yaml" if res.body is not None else "text"
    opened = " open" if res.status in ("replaced", "changed") else ""
    return ["", f"<details{opened}><summary><code>{html.escape(res.key)}</code> {res.status}"
            "</summary>", "", f"{fence}{language}", body, fence, "", "</details>"]


def format_markdown(result: Diff, old_label: str, new_label: str,
                    max_chars: int | None = None, full_diff: str | None = None) -> str:
    """For a pull-request comment: a summary line, replacements called out, a table of
    resources and their status, and a collapsible section per resource. With `max_chars` the
    whole comment stays under it: sections, then table rows, then listed replacements that
    would pass it are left out, and a line says how many and where the full diff is
    (`full_diff`, the file `--full-diff` wrote, if any)."""
    text = _markdown(result, old_label, new_label, max_chars, full_diff)
    if max_chars is not None and len(text) > max_chars:
        where = f"`{full_diff}`" if full_diff else "`--full-diff FILE`"
        text = text[: max(max_chars - 120, 0)].rsplit("\n", 1)[0] + (
            f"\n\n_cut at the size cap; the full diff: {where}_\n")
    return text


def _capped(lines: list[str], budget: int | None, what: str) -> list[str]:
    """`lines` while they fit `budget` characters, and a line saying how many were left out."""
    if budget is None:
        return lines
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > budget:
            # A blank line first: the note must not read as one more table row.
            return [*kept, "", f"_… {len(lines) - len(kept)} more {what}_"]
        kept.append(line)
        used += len(line) + 1
    return kept


def _markdown(result: Diff, old_label: str, new_label: str, max_chars: int | None,
              full_diff: str | None) -> str:
    lines = [f"**ingresslib diff** {old_label} → {new_label}: {result.summary()}", ""]
    if not result.resources and not result.steps:
        return "\n".join([*lines, "No changes."]) + "\n"
    if result.steps:
        lines += ["> [!CAUTION]", f"> **{len(result.steps)} change(s) need two steps**: one "
                  "`pulumi up` would drop requests."]
        lines += [f"> - {step}" for step in result.steps]
        lines.append("")
    replaced = [r for r in result.resources if r.status == "replaced"]
    if replaced:
        lines += ["> [!WARNING]",
                  f"> **{len(replaced)} replacement(s)**: Pulumi deletes and recreates these "
                  "(a replaced load balancer or public IP gets a new address)."]
        # The replacements matter most: they get up to half of the cap.
        lines += _capped([f"> - {_cell(r.key)}: {'; '.join(r.reasons)}" for r in replaced],
                         max_chars // 2 if max_chars else None, "replacements")
        lines.append("")
    used = sum(len(line) + 1 for line in lines)
    lines += ["| resource | status |", "|---|---|"]
    lines += _capped(
        [f"| {_cell(r.key)} | {'**replaced**' if r.status == 'replaced' else r.status} |"
         for r in result.resources],
        max(max_chars - used - 400, 0) if max_chars else None, "resources (table rows)")
    sections = [_section(r) for r in result.resources]
    text = "\n".join(lines)
    shown = 0
    for section in sections:
        part = "\n" + "\n".join(section)
        if max_chars is not None and len(text) + len(part) + 200 > max_chars:
            break
        text += part
        shown += 1
    if shown < len(sections):
        where = (f"the full diff is in `{full_diff}`" if full_diff else
                 "rerun with `--full-diff FILE` to keep the full diff")
        text += (f"\n\n_{len(sections) - shown} of {len(sections)} resource sections left out "
                 f"to stay under {max_chars} characters: {where}._")
    return text + "\n"


@contextmanager
def checkout(stack_dir: Path, rev: str) -> Iterator[Path]:
    """`stack_dir` as it is at git revision `rev`, extracted (`git archive`) into a temporary
    directory that is removed afterwards; the working tree and index are never touched. The
    path yielded does not exist when `stack_dir` did not exist at `rev`."""
    directory = stack_dir.resolve()
    if not directory.is_dir():
        raise OfflineError(f"{stack_dir} is not a directory")
    top = _git(directory, "rev-parse", "--show-toplevel").decode().strip()
    relative = directory.relative_to(Path(top).resolve())
    archive = _git(Path(top), "archive", "--format=tar", rev)
    with tempfile.TemporaryDirectory(prefix="ingresslib-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / relative


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError:
        raise OfflineError("--rev needs git on PATH") from None
    except subprocess.CalledProcessError as e:
        detail = e.stderr.decode(errors="replace").strip()
        raise OfflineError(f"git {' '.join(args)} failed in {cwd}: {detail}") from None
    return done.stdout
