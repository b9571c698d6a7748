"""Config paths as users read them: mapping keys joined by '.', list items by name.

`routing.hosts[app.example.com].routes[api].to[0].backend` rather than
`routing.hosts[2].routes[0].to[0].backend`: an item is shown by its `name` (else its `host`)
when that value is unique among its siblings, by its index otherwise. Paths resolve back to
the keys and indexes of the data either way, so a file position can be found for them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic.alias_generators import to_camel, to_snake

Key = str | int
# What names a list item in a path, in order of preference.
_NAMING_KEYS = ("name", "host")
# A path written into a message ("duplicates listeners[0].name"): identifiers, keys, indexes.
_PATH_IN_TEXT = re.compile(r"[A-Za-z][\w.:/\[\]-]*\[\d+\][\w.:/\[\]-]*")


class Labels:
    """How paths show the items of lists: an item by its `name` (else its `host`) when that
    value is unique among its siblings, by its index otherwise. Each list is labelled once, in
    one pass: share one to name or resolve the paths of many problems in the same data (each
    function here makes its own when given none). Holds the lists it labelled; a list changed
    afterwards needs a new one."""

    def __init__(self) -> None:
        self._lists: dict[int, tuple[Sequence[Any], list[str], dict[str, int]]] = {}

    def of(self, items: Sequence[Any]) -> list[str]:
        """The label of each item of `items`."""
        return self._entry(items)[1]

    def index(self, items: Sequence[Any], label: str) -> int | None:
        """The item of `items` shown as `label` (by its name or its index), if any."""
        found = self._entry(items)[2].get(label)
        if found is None and label.isdigit() and int(label) < len(items):
            return int(label)
        return found

    def _entry(self, items: Sequence[Any]) -> tuple[Sequence[Any], list[str], dict[str, int]]:
        entry = self._lists.get(id(items))
        if entry is None or entry[0] is not items:
            labels = _labels(items)
            first = {label: i for i, label in reversed(list(enumerate(labels)))}
            entry = self._lists[id(items)] = (items, labels, first)
        return entry


def _labels(items: Sequence[Any]) -> list[str]:
    """Each item's unique name or host, else its index, with the names counted once."""
    counts = {key: Counter(label for item in items if isinstance(item, dict)
                           and _usable(label := item.get(key))) for key in _NAMING_KEYS}
    out = []
    for index, item in enumerate(items):
        shown = str(index)
        if isinstance(item, dict):
            for key in _NAMING_KEYS:
                label = item.get(key)
                if _usable(label) and counts[key][label] == 1:
                    shown = label
                    break
        out.append(shown)
    return out


def _usable(label: Any) -> bool:
    """A name can stand for an index when it cannot be mistaken for one or for the brackets."""
    return (isinstance(label, str) and bool(label) and not label.isdigit()
            and not set(label) & set("[] "))


def join(shown: Iterable[str]) -> str:
    """Path text from shown segments: keys as `.key`, items as `[label]`."""
    out = ""
    for part in shown:
        out += part if part.startswith("[") or not out else f".{part}"
    return out


def resolve(path: str, data: Any, labels: Labels | None = None
            ) -> tuple[list[Key], list[str], str]:
    """Follow `path` through `data`: the keys and indexes it names, how each is shown (list
    items by name), and the part that names nothing in the data (a key that is absent)."""
    labels = labels or Labels()
    keys: list[Key] = []
    shown: list[str] = []
    rest, current = path, data
    while rest:
        if isinstance(current, list) and rest.startswith("["):
            end = rest.find("]")
            index = labels.index(current, rest[1:end]) if end > 0 else None
            if index is None:
                break
            keys.append(index)
            shown.append(f"[{labels.of(current)[index]}]")
            current, rest = current[index], rest[end + 1 :]
        elif isinstance(current, dict):
            matched = _key(current, rest.removeprefix("."))
            if matched is None:
                break
            key, spelt = matched
            keys.append(key)
            shown.append(spelt)
            current, rest = current[key], rest.removeprefix(".")[len(spelt) :]
        else:
            break
    return keys, shown, rest


def named(path: str, data: Any, labels: Labels | None = None) -> str:
    """`path` with list items shown by name wherever they have one."""
    _, shown, rest = resolve(path, data, labels)
    if not shown:
        return path
    return join(shown) + (rest if not rest or rest[0] in ".[" else f".{rest}")


def named_in_text(text: str, data: Any, labels: Labels | None = None) -> str:
    """Every config path written in `text` with its list items shown by name."""
    labels = labels or Labels()

    def rename(match: re.Match[str]) -> str:
        token = match.group(0)
        body = token.rstrip(".:")
        return named(body, data, labels) + token[len(body) :]

    return _PATH_IN_TEXT.sub(rename, text)


def _key(mapping: dict[Any, Any], rest: str) -> tuple[Any, str] | None:
    """The mapping's key that `rest` starts with, and how the path spells it (camelCase for a
    snake_case key of a Python-built config); the longest wins, as keys may hold dots."""
    best: tuple[Any, str] | None = None
    for key in mapping:
        snake = isinstance(key, str) and key.isidentifier() and "_" in key
        for spelt in (str(key), to_camel(key)) if snake else (str(key),):
            after = rest[len(spelt) : len(spelt) + 1]
            if rest.startswith(spelt) and after in ("", ".", "[") and (
                best is None or len(spelt) > len(best[1])
            ):
                best = (key, spelt)
    return best


def steps(loc: Sequence[Key], data: Any, *, missing: bool, labels: Labels | None = None
          ) -> tuple[list[Key], list[str]]:
    """The keys and shown segments of pydantic's error location `loc` in `data`: its internal
    segments (union members, discriminator tags, validator names) are dropped by walking the
    input itself. With `missing`, the last segment is a required key the input lacks."""
    labels = labels or Labels()
    keys: list[Key] = []
    shown: list[str] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            if isinstance(current, list) and 0 <= part < len(current):
                keys.append(part)
                shown.append(f"[{labels.of(current)[part]}]")
                current = current[part]
            continue
        candidates = (part, to_snake(part)) if isinstance(current, dict) else ()
        key = next((k for k in candidates if k in current), None)
        if key is not None:
            keys.append(key)
            shown.append(part)
            current = current[key]
        elif missing and i == len(loc) - 1:
            shown.append(part)  # the required key that is absent
    return keys, shown
