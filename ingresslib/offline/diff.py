"""What changes between two renders, per resource and per field.

Pure: `diff` compares two lists of rendered entries (Kubernetes objects as `output.manifests`
gives them, plan entries as `output.plan` gives them), so reviewers see semantic changes
(`spec.http[name=web].route[1].weight: 20 -> 50`) instead of a text diff of YAML files.
Secrets arrive redacted and are only ever reported as "changed (secret)", never as values.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ingresslib.offline.mocks import OfflineError
from ingresslib.offline.output import REDACTED


class _Absent:
    """A field missing on one side: distinct from an explicit null."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()
Status = Literal["added", "removed", "changed"]
_MARK: dict[Status, str] = {"added": "+", "removed": "-", "changed": "~"}
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


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
        return f"{self.path}: {_show(self.old)} -> {_show(self.new)}"


@dataclass(frozen=True)
class ResourceChange:
    key: str
    status: Status
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class Diff:
    """Changed resources in key order, and how many compared equal."""

    resources: tuple[ResourceChange, ...]
    unchanged: int

    def count(self, status: Status) -> int:
        return sum(1 for r in self.resources if r.status == status)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s}" for s in ("changed", "added", "removed"))
        return f"{counts}, {self.unchanged} unchanged"


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def resource_key(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """apiVersion, kind, namespace, name for a Kubernetes object; type, name for a plan entry."""
    if "kind" in entry and "apiVersion" in entry:
        meta = entry.get("metadata") or {}
        return (entry["apiVersion"], entry["kind"], meta.get("namespace", ""), meta["name"])
    return (entry["type"], entry["name"])


def _label(key: tuple[str, ...]) -> str:
    if len(key) == 4:
        api_version, kind, namespace, name = key
        return f"{api_version} {kind} {namespace}/{name}" if namespace else (
            f"{api_version} {kind} {name}")
    return " ".join(key)


def _index(entries: Sequence[Mapping[str, Any]]) -> dict[tuple[str, ...], Mapping[str, Any]]:
    by_key: dict[tuple[str, ...], Mapping[str, Any]] = {}
    for entry in entries:
        key = resource_key(entry)
        if key in by_key:
            raise OfflineError(f"two resources render as {_label(key)}: keys must be unique")
        by_key[key] = entry
    return by_key


def diff(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> Diff:
    """Resources added, removed and changed from `old` to `new` (Kubernetes objects and plan
    entries, in any order); Kubernetes objects first, then plan entries, each in key order."""
    before, after = _index(old), _index(new)
    changes: list[ResourceChange] = []
    unchanged = 0
    for key in sorted(before.keys() | after.keys(), key=lambda k: (len(k) != 4, k)):
        if key not in before:
            changes.append(ResourceChange(_label(key), "added"))
        elif key not in after:
            changes.append(ResourceChange(_label(key), "removed"))
        else:
            fields = tuple(_fields("", before[key], after[key]))
            if fields:
                changes.append(ResourceChange(_label(key), "changed", fields))
            else:
                unchanged += 1
    return Diff(tuple(changes), unchanged)


def _child(path: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _named(items: list[Any]) -> dict[str, int] | None:
    """Name -> index when every element is a dict with a unique string `name`, else None."""
    names = [i.get("name") if isinstance(i, dict) else None for i in items]
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        return None
    return {n: i for i, n in enumerate(names)}


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
    else:
        yield FieldChange(path, old, new)


def _list_fields(path: str, old: list[Any], new: list[Any]) -> Iterator[FieldChange]:
    """Named elements (containers, ports, routes) by name, so an insertion reports one added
    element rather than every later one changed; their order still counts (routes match first
    to last), so a reorder is reported on its own. Anything else by index."""
    old_names, new_names = _named(old), _named(new)
    if old_names is None or new_names is None:
        for i in range(max(len(old), len(new))):
            yield from _fields(f"{path}[{i}]", old[i] if i < len(old) else ABSENT,
                               new[i] if i < len(new) else ABSENT)
        return
    kept_old = [n for n in old_names if n in new_names]
    kept_new = [n for n in new_names if n in old_names]
    if kept_old != kept_new:
        yield FieldChange(f"{path}[*].name", kept_old, kept_new)
    for name in [*new_names, *(n for n in old_names if n not in new_names)]:
        yield from _fields(
            f"{path}[name={name}]",
            old[old_names[name]] if name in old_names else ABSENT,
            new[new_names[name]] if name in new_names else ABSENT,
        )


def format_text(result: Diff, old_label: str, new_label: str) -> str:
    """For a terminal: one line per resource (+ added, - removed, ~ changed), then its fields."""
    lines = [f"{old_label} -> {new_label}: {result.summary()}"]
    for res in result.resources:
        lines.append(f"{_MARK[res.status]} {res.key}")
        lines.extend(f"    {change}" for change in res.fields)
    return "\n".join(lines) + "\n"


def _fence(body: str) -> str:
    """A backtick fence longer than any backtick run in `body`, so values cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def format_markdown(result: Diff, old_label: str, new_label: str) -> str:
    """For a pull-request comment: a summary line, a table of resources and their status, and
    a fenced block of field changes per changed resource."""
    lines = [f"**ingresslib diff** {old_label} → {new_label}: {result.summary()}", ""]
    if not result.resources:
        return "\n".join([*lines, "No changes."]) + "\n"
    lines += ["| resource | status |", "|---|---|"]
    lines += [f"| {_cell(r.key)} | {r.status} |" for r in result.resources]
    for res in result.resources:
        if res.fields:
            body = "\n".join(str(change) for change in res.fields)
            fence = _fence(body)
            lines += ["", f"{_cell(res.key)}", "", f"{fence}text", body, fence]
    return "\n".join(lines) + "\n"


@contextmanager
def checkout(stack_dir: Path, rev: str) -> Iterator[Path]:
    """`stack_dir` as it is at git revision `rev`, extracted (`git archive`) into a temporary
    directory that is removed afterwards; the working tree and index are never touched."""
    directory = stack_dir.resolve()
    if not directory.is_dir():
        raise OfflineError(f"{stack_dir} is not a directory")
    top = _git(directory, "rev-parse", "--show-toplevel").decode().strip()
    relative = directory.relative_to(Path(top).resolve())
    archive = _git(Path(top), "archive", "--format=tar", rev)
    with tempfile.TemporaryDirectory(prefix="ingresslib-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        target = Path(tmp) / relative
        if not target.is_dir():
            raise OfflineError(f"{relative} does not exist at revision {rev}")
        yield target


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError:
        raise OfflineError("--rev needs git on PATH") from None
    except subprocess.CalledProcessError as e:
        detail = e.stderr.decode(errors="replace").strip()
        raise OfflineError(f"git {' '.join(args)} failed in {cwd}: {detail}") from None
    return done.stdout
