"""The config keys named in the library's strings, checked against the models (EDGE-MSG-KEY).

Every string literal of a package (f-strings with their module-level string constants filled
in: `f"{PATH}.requestTimeoutSeconds"`) is searched for dotted paths that start with a
top-level key of `ingress:stack` (`aws.nlb.idleTimeoutSeconds`, `routing.hosts[...]`); each
must resolve through the pydantic models by its YAML (camelCase) or Python spelling, list
items and map keys taking any name. Names that only look like config keys are listed in
`NOT_CONFIG` with what they are.
"""

from __future__ import annotations

import ast
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ingresslib.deferred import resolved
from ingresslib.stack.model import StackConfig

# Dotted names in the library that start like a config key and are something else.
NOT_CONFIG = (
    re.compile(r"^\w+\.(istio\.io|networking\.k8s\.io|kubernetes\.io|k8s\.io)"),  # API groups,
    re.compile(r"^topology\.kubernetes\.io"),  # well-known labels
    re.compile(r"^azure\.workload\.identity"),  # the workload identity label
    re.compile(r"^routing\.http2?\."),  # ALB attribute keys (routing.http.xff_...)
    re.compile(r"^aws\.lb\."),  # pulumi-aws module functions
    re.compile(r"^loadBalancer\.consistentHash\."),  # a DestinationRule field path
    re.compile(r"\.svc\.cluster\.local$"),  # Service DNS names
)
VAGUE = re.compile(r"\b(configure|set) it there\b")


def _sections() -> list[str]:
    return [f.alias or name for name, f in StackConfig.model_fields.items()]


TOKEN = re.compile(
    r"(?<![\w.\-/{<])(" + "|".join(sorted(_sections(), key=len, reverse=True)) +
    r")((?:\.(?:[A-Za-z][A-Za-z0-9]*|<[^>]+>)|\[[^\]\s]*\])+)")
SEGMENT = re.compile(r"\.<[^>]+>|\.[A-Za-z][A-Za-z0-9]*|\[[^\]]*\]")


def _shapes(annotation: Any) -> list[Any]:
    """What a field holds: model classes, ("map", value annotation), or "leaf"."""
    annotation = resolved(annotation)  # a cloud's section names its model (DeferredModel)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _shapes(args[0])
    if origin in (typing.Union, types.UnionType):
        return [s for a in args for s in _shapes(a)]
    if origin in (list, tuple, set, frozenset):
        return _shapes(args[0])
    if origin is dict:
        return [("map", args[1])]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return ["leaf"]


def _follow(shape: Any, rest: list[str]) -> bool:
    rest = [s for s in rest if not s.startswith("[")]
    if not rest:
        return True
    if shape == "leaf":
        return False
    if isinstance(shape, tuple):  # a map: the next segment is a key
        inner = _shapes(shape[1])
        return inner == ["leaf"] or any(_follow(s, rest[1:]) for s in inner)
    return resolves(shape, rest)


def resolves(model: type[BaseModel], segments: list[str]) -> bool:
    """Whether `segments` name a field path of `model`."""
    segments = [s for s in segments if not s.startswith("[")]
    if not segments:
        return True
    head, rest = segments[0], segments[1:]
    for name, f in model.model_fields.items():
        if head in (f.alias, name):
            return any(_follow(s, rest) for s in _shapes(f.annotation))
    return False


def _constants(tree: ast.Module) -> dict[str, str]:
    return {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for t in node.targets if isinstance(t, ast.Name)}


def strings(root: Path) -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of every string literal under `root`; an f-string's holes are a
    module constant's value or a character no key contains."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        consts = _constants(tree)
        parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                 for v in node.values}
        for node in ast.walk(tree):
            if id(node) in parts:
                continue  # read with its f-string
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else
                    consts.get(v.value.id, "\x00") if isinstance(v, ast.FormattedValue)
                    and isinstance(v.value, ast.Name) else "\x00" for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            yield str(path.relative_to(root)), node.lineno, text


def missing_keys(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, key) of every config key named under `root` that the models lack."""
    out = []
    for path, line, text in strings(root):
        for m in TOKEN.finditer(text):
            key = m.group(0)
            if text[m.end():m.end() + 1] in ("_", "/") or any(p.search(key)
                                                                for p in NOT_CONFIG):
                continue
            segments = [s.removeprefix(".") for s in SEGMENT.findall(m.group(2))]
            if not resolves(StackConfig, [m.group(1), *segments]):
                out.append((path, line, key))
    return out


def vague_messages(root: Path) -> list[tuple[str, int, str]]:
    """Strings that send the user 'there' instead of naming the key."""
    return [(path, line, text) for path, line, text in strings(root) if VAGUE.search(text)]
