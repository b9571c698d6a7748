"""What a render writes: one YAML file per Kubernetes object, plan.json for the rest,
traffic.mmd, a Mermaid picture of the traffic path, and the same picture as traffic.svg and
traffic.png (`traffic_images`).

Output is byte-stable for a given config (canonical key order, sorted files), so a diff of two
renders shows only real changes, and no secret value is ever written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ingresslib.offline.diagram import mermaid, stack_summaries, traffic
from ingresslib.offline.edge_table import edge_markdown
from ingresslib.offline.mocks import Registered
from ingresslib.offline.project import REDACTED, OfflineError

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


# Lists what the last render wrote into its directory: the next render replaces exactly those
# files and never touches any other.
MARKER = ".ingresslib-render.json"


def write(out: Path, records: list[Registered],
          images: Mapping[str, bytes] | None = None) -> list[Path]:
    """Write DIR/manifests/*.yaml, DIR/plan.json, DIR/edge.md, DIR/traffic.mmd and `images`
    (file name -> bytes, from `traffic_images`), and the marker listing them; returns the
    manifests. Files of
    the previous render (by its marker) are replaced or removed; any other file is left alone,
    and one the render would overwrite stops it before anything is written."""
    files: dict[str, str | bytes] = {}
    objs = manifests(records)
    for obj in objs:
        name = f"manifests/{file_name(obj)}"
        if name in files:
            raise OfflineError(f"two objects render to {name}: names must be unique per kind")
        files[name] = dump_yaml(obj)
    files["plan.json"] = json.dumps(plan(records), indent=2, sort_keys=True) + "\n"
    files["edge.md"] = edge_markdown(stack_summaries(records))
    files["traffic.mmd"] = mermaid(traffic(objs, stack_summaries(records), plan(records)))
    files.update(images or {})
    previous = _previous(out)
    foreign = sorted(n for n in files if n not in previous and (out / n).exists())
    if foreign:
        raise OfflineError(
            f"{out} holds {', '.join(foreign[:3])}{' and more' if len(foreign) > 3 else ''}, "
            "which no earlier render wrote there; render into an empty or new directory, or "
            "move those files away"
        )
    try:
        (out / "manifests").mkdir(parents=True, exist_ok=True)
        # The marker lists old and new files until the new ones are all written.
        _write_marker(out, sorted(previous | set(files)))
        for name in sorted(previous - set(files)):
            (out / name).unlink(missing_ok=True)
        for name, content in files.items():
            if isinstance(content, bytes):
                (out / name).write_bytes(content)
            else:
                (out / name).write_text(content)
        _write_marker(out, sorted(files))
    except OSError as e:
        raise OfflineError(f"cannot write the render into {out}: {e.strerror} "
                           f"({e.filename})") from None
    return [out / n for n in sorted(files) if n.startswith("manifests/")]


def traffic_images(records: list[Registered]) -> dict[str, bytes]:
    """traffic.svg (byte-stable) and traffic.png, the traffic path drawn with its icons, by
    file name, for `write`; raises picture.PictureUnavailable without diagrams or Graphviz."""
    from ingresslib.offline.picture import images  # noqa: PLC0415 (the picture extra)

    stacks = stack_summaries(records)
    title = "; ".join(f"{s['name']}: {s['cloud']} {s['topology']}" for s in stacks)
    drawn = images(traffic(manifests(records), stacks, plan(records)), title)
    return {f"traffic.{fmt}": data for fmt, data in sorted(drawn.items())}


def _previous(out: Path) -> set[str]:
    """The files the marker says the last render wrote into `out` (only names a render
    writes: a damaged or hand-edited marker cannot make it delete anything else)."""
    if out.exists() and not out.is_dir():
        raise OfflineError(f"{out} is a file; name a directory to render into (it is created "
                           "when missing)")
    marker = out / MARKER
    if not marker.is_file():
        return set()
    try:
        listed = json.loads(marker.read_text()).get("files", [])
    except (ValueError, AttributeError):
        raise OfflineError(f"{marker} is damaged; remove it and the files it listed") from None
    return {n for n in listed if isinstance(n, str) and _RENDERED.fullmatch(n)}


_RENDERED = re.compile(
    r"manifests/[A-Za-z0-9_.-]+\.yaml|plan\.json|edge\.md|traffic\.(mmd|svg|png)")


def _write_marker(out: Path, names: list[str]) -> None:
    (out / MARKER).write_text(json.dumps({"writtenBy": "ingresslib render", "files": names},
                                         indent=2) + "\n")
