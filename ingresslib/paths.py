"""Config paths as users read them: mapping keys joined by '.', list items by name.

`routing.hosts[app.example.com].routes[api].to[0].backend` rather than
`routing.hosts[2].routes[0].to[0].backend`: an item is shown by its `name` (else its `host`)
when that value is unique among its siblings, by its index otherwise. Paths resolve back to
the keys and indexes of the data either way, so a file position can be found for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic.alias_generators import to_camel, to_snake

Key = str | int
# What names a list item in a path, in order of preference.
_NAMING_KEYS = ("name", "host")
# A path written into a message ("duplicates listeners[0].name"): identifiers, keys, indexes.
_PATH_IN_TEXT = re.compile(r"[A-Za-z][\w.:/\[\]-]*\[\d+\][\w.:/\[\]-]*")


def item_label(items: Sequence[Any], index: int) -> str:
    """How the path shows `items[index]`: its unique name or host, else its index."""
    item = items[index]
    if isinstance(item, dict):
        for key in _NAMING_KEYS:
            label = item.get(key)
            if _usable(label) and sum(
                isinstance(other, dict) and other.get(key) == label for other in items
            ) == 1:
                return label
    return str(index)


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


def resolve(path: str, data: Any) -> tuple[list[Key], list[str], str]:
    """Follow `path` through `data`: the keys and indexes it names, how each is shown (list
    items by name), and the part that names nothing in the data (a key that is absent)."""
    keys: list[Key] = []
    shown: list[str] = []
    rest, current = path, data
    while rest:
        if isinstance(current, list) and rest.startswith("["):
            end = rest.find("]")
            index = _index(current, rest[1:end]) if end > 0 else None
            if index is None:
                break
            keys.append(index)
            shown.append(f"[{item_label(current, index)}]")
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


def named(path: str, data: Any) -> str:
    """`path` with list items shown by name wherever they have one."""
    _, shown, rest = resolve(path, data)
    if not shown:
        return path
    return join(shown) + (rest if not rest or rest[0] in ".[" else f".{rest}")


def named_in_text(text: str, data: Any) -> str:
    """Every config path written in `text` with its list items shown by name."""

    def rename(match: re.Match[str]) -> str:
        token = match.group(0)
        body = token.rstrip(".:")
        return named(body, data) + token[len(body) :]

    return _PATH_IN_TEXT.sub(rename, text)


def _index(items: list[Any], label: str) -> int | None:
    for i in range(len(items)):
        if item_label(items, i) == label:
            return i
    if label.isdigit() and int(label) < len(items):
        return int(label)
    return None


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


def steps(loc: Sequence[Key], data: Any, *, missing: bool) -> tuple[list[Key], list[str]]:
    """The keys and shown segments of pydantic's error location `loc` in `data`: its internal
    segments (union members, discriminator tags, validator names) are dropped by walking the
    input itself. With `missing`, the last segment is a required key the input lacks."""
    keys: list[Key] = []
    shown: list[str] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            if isinstance(current, list) and 0 <= part < len(current):
                keys.append(part)
                shown.append(f"[{item_label(current, part)}]")
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
