"""What a render writes: one YAML file per Kubernetes object, plan.json for the rest,
traffic.mmd, a Mermaid picture of the traffic path, and the same picture as traffic.svg and
traffic.png (`write_picture`).

Output is byte-stable for a given config (canonical key order, sorted files), so a diff of two
renders shows only real changes, and no secret value is ever written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from ingresslib.offline.diagram import mermaid, stack_summaries, traffic
from ingresslib.offline.edge_table import edge_markdown
from ingresslib.offline.mocks import OfflineError, Registered

REDACTED = "[secret]"
_SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
_HEAD = ("apiVersion", "kind", "metadata")


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SECRET_SIG[0]) == _SECRET_SIG[1]


def redact(value: Any) -> Any:
    """Replace every Pulumi secret (wire-format wrapped) with REDACTED."""
    if isinstance(value, dict):
        if _is_secret(value):
            return REDACTED
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _canonical(value: Any) -> Any:
    """Sorted keys, and integers back as integers (Pulumi's wire format carries doubles)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def manifest(record: Registered) -> dict[str, Any]:
    """The Kubernetes object as applied: apiVersion, kind, metadata first, secrets redacted."""
    body = redact(record.inputs)
    if body.get("kind") == "Secret":
        # Every value of a Secret is redacted, secret-marked or not; its keys stay visible.
        for field in ("data", "stringData"):
            values = record.inputs.get(field)
            if _is_secret(values):
                values = values["value"]
            if values is not None:
                body[field] = dict.fromkeys(sorted(values), REDACTED)
    head = {k: _canonical(body[k]) for k in _HEAD if k in body}
    return head | {k: _canonical(body[k]) for k in sorted(body) if k not in _HEAD}


def manifests(records: list[Registered]) -> list[dict[str, Any]]:
    """Kubernetes objects sorted by file name: registration order varies between runs (the
    SDK registers from worker threads), the output must not."""
    objs = [manifest(r) for r in records if r.custom and r.is_kubernetes]
    return sorted(objs, key=file_name)


def plan(records: list[Registered]) -> list[dict[str, Any]]:
    """Every non-Kubernetes resource (cloud resources, TLS material) as type, name and inputs."""
    entries = [plan_entry(r) for r in records if r.custom and not r.is_kubernetes]
    return sorted(entries, key=lambda e: (e["type"], e["name"]))


def plan_entry(record: Registered) -> dict[str, Any]:
    """A non-Kubernetes resource as plan.json holds it: type, name, inputs redacted."""
    return {"type": record.type, "name": record.name,
            "inputs": _canonical(redact(record.inputs))}


def file_name(obj: dict[str, Any]) -> str:
    group = obj["apiVersion"].rpartition("/")[0]
    kind = obj["kind"].lower() + (f".{group}" if group else "")
    meta = obj["metadata"]
    return f"{meta.get('namespace', '_cluster')}--{kind}--{meta['name']}.yaml"


class _Dumper(yaml.SafeDumper):
    """Block style, no anchors, long strings unwrapped: stable and diff-friendly."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, width=1_000_000, allow_unicode=True)


def write(out: Path, records: list[Registered]) -> list[Path]:
    """Write DIR/manifests/*.yaml, DIR/plan.json, DIR/edge.md and DIR/traffic.mmd, replacing a
    previous render's files."""
    target = out / "manifests"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written: dict[str, Path] = {}
    objs = manifests(records)
    for obj in objs:
        name = file_name(obj)
        if name in written:
            raise OfflineError(f"two objects render to {name}: names must be unique per kind")
        written[name] = target / name
        written[name].write_text(dump_yaml(obj))
    (out / "plan.json").write_text(json.dumps(plan(records), indent=2, sort_keys=True) + "\n")
    (out / "edge.md").write_text(edge_markdown(stack_summaries(records)))
    (out / "traffic.mmd").write_text(
        mermaid(traffic(objs, stack_summaries(records), plan(records))))
    return [written[k] for k in sorted(written)]


def write_picture(out: Path, records: list[Registered]) -> list[Path]:
    """Write DIR/traffic.svg (byte-stable) and DIR/traffic.png, the traffic path drawn with
    its icons; raises picture.PictureUnavailable without diagrams or Graphviz."""
    from ingresslib.offline.picture import images  # noqa: PLC0415 (the picture extra)

    stacks = stack_summaries(records)
    title = "; ".join(f"{s['name']}: {s['cloud']} {s['topology']}" for s in stacks)
    drawn = images(traffic(manifests(records), stacks, plan(records)), title)
    paths = []
    for fmt, data in sorted(drawn.items()):
        paths.append(out / f"traffic.{fmt}")
        paths[-1].write_bytes(data)
    return paths
