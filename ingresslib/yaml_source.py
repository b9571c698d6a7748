"""YAML files read with the position of every value, so that a problem names the file, line
and column where the user wrote it.

PyYAML (already what ingresslib reads and writes YAML with, libyaml-backed) composes a file
into nodes that carry their start marks before constructing plain data; the nodes are kept
to find a config path's position later. Duplicate keys, which YAML loaders silently resolve
to the last one, are refused from the same nodes. ruamel.yaml keeps positions too, but only
in its pure-Python round-trip mode, several times slower here than libyaml, and would be a
second YAML library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingresslib import paths
from ingresslib.errors import ABSENT, ConfigError, Location, Problem

# libyaml's composer when present: the pure-Python one costs more than a whole render.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


def shown(path: Path) -> str:
    """How messages name a file: relative to the working directory when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class YamlFile:
    """A YAML file's data and the node tree it was built from."""

    path: Path
    data: Any
    root: yaml.Node | None

    @property
    def name(self) -> str:
        return shown(self.path)

    def at(self, keys: Sequence[paths.Key]) -> Any:
        """The data at `keys` (mapping keys and list indexes), None when absent."""
        value = self.data
        for key in keys:
            in_list = isinstance(value, list) and isinstance(key, int) and key < len(value)
            if not (in_list or (isinstance(value, dict) and key in value)):
                return None
            value = value[key]
        return value

    def location(self, keys: Sequence[paths.Key], *, complete: bool = True) -> Location:
        """Where the value at `keys` is written: a scalar where it starts, a mapping or list at
        its key. When `keys` goes on past what the file holds (`complete` false, or a key that
        is absent), the deepest part it holds, at its key (a required key is missing there)."""
        key_node: yaml.Node | None = None
        node = self.root
        for key in keys:
            found = _child(node, key)
            if found is None:
                complete = False
                break
            key_node, node = found
        if complete and isinstance(node, yaml.ScalarNode):
            mark = node.start_mark
        elif key_node is not None:
            mark = key_node.start_mark
        else:
            mark = node.start_mark if node is not None else None
        if mark is None:
            return Location(self.name, 1, 1)
        return Location(self.name, mark.line + 1, mark.column + 1)

    def locate(self, error: ConfigError, base: Sequence[paths.Key],
               only: Callable[[Problem], bool] | None = None) -> ConfigError:
        """`error`, whose paths are relative to the value at `base`, with the position of each
        problem in this file (of each problem `only` accepts, when given)."""
        data = self.at(base)
        labels = paths.Labels()

        def where(problem: Problem) -> Location | None:
            if only is not None and not only(problem):
                return None
            keys, _, rest = paths.resolve(problem.path, data, labels)
            return self.location([*base, *keys], complete=not rest)

        return error.located(where)


def read_yaml(path: Path) -> YamlFile:
    """Read a YAML file; ConfigError for a syntax error or a duplicate key, at its position."""
    name = shown(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = raw.rfind(b"\n", 0, e.start) + 1
        where = Location(name, raw.count(b"\n", 0, e.start) + 1, e.start - line_start + 1)
        raise ConfigError([Problem("", ABSENT, f"not UTF-8 text ({e.reason}); save the file "
                                   "as UTF-8", where)], name) from None
    data, root = parse_yaml(text, name)
    return YamlFile(path, data, root)


def parse_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The data of YAML `text` and its node tree; ConfigError for a syntax error or a duplicate
    key, at its line and column in `name` (a file, or what a program passed the text to)."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        duplicates = list(_duplicates(root, []))
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as e:
        raise ConfigError([_syntax_problem(e, name, text)], f"YAML in {name}") from None
    finally:
        loader.dispose()
    if duplicates:
        labels = paths.Labels()
        raise ConfigError([
            Problem(paths.join(_shown_keys(keys, data, labels)), ABSENT,
                    f"duplicate key: also set at line {first.line + 1}; YAML would silently "
                    "keep only the last one, so merge them into one",
                    Location(name, again.line + 1, again.column + 1))
            for keys, first, again in duplicates
        ], f"YAML in {name}")
    return data, root


def _child(node: yaml.Node | None, key: paths.Key) -> tuple[yaml.Node | None, yaml.Node] | None:
    """The key node (None for a list item) and value node of `node`'s entry `key`; the last
    one of a mapping, as construction keeps the last."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in reversed(node.value):
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return None, node.value[key]
    return None


def _duplicates(
    node: yaml.Node | None, keys: list[paths.Key]
) -> Iterator[tuple[list[paths.Key], yaml.Mark, yaml.Mark]]:
    """Every key written twice in one mapping: its path, first and second position."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], yaml.Mark] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                continue
            ident = (key_node.tag, key_node.value)
            if ident in seen:
                yield [*keys, key_node.value], seen[ident], key_node.start_mark
            seen.setdefault(ident, key_node.start_mark)
            yield from _duplicates(value_node, [*keys, key_node.value])
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicates(item, [*keys, i])


def _shown_keys(keys: list[paths.Key], data: Any, labels: paths.Labels) -> list[str]:
    out, current = [], data
    for key in keys:
        if isinstance(current, list) and isinstance(key, int):
            out.append(f"[{labels.of(current)[key]}]")
            current = current[key]
        else:
            out.append(str(key))
            current = current.get(key) if isinstance(current, dict) else None
    return out


def _syntax_problem(e: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = e.problem_mark or e.context_mark
    assert mark is not None
    problem = (e.problem or "invalid YAML").replace(" in this context", " here")
    context = e.context_mark
    message = problem
    if e.context and context is not None and (context.line, context.column) != (
        mark.line, mark.column
    ):
        message += f" ({e.context} at line {context.line + 1}, column {context.column + 1})"
    hint = _hint(problem, _char(text, mark), context)
    if hint.startswith(_INDENT_HINTS):
        odd = _odd_indent(text.splitlines(), mark.line)
        if odd is not None:
            line, indent, siblings, where = odd
            return Problem("", ABSENT, f"this line is indented {indent} spaces and the keys "
                           f"beside it {siblings} ({where}): indent it {siblings} spaces like "
                           f"them", Location(name, line + 1, indent + 1))
    return Problem("", ABSENT, message + (f"; {hint}" if hint else ""),
                   Location(name, mark.line + 1, mark.column + 1))


# The hints of errors an indentation mistake causes (`_hint`).
_INDENT_HINTS = ("a 'key: value' where none can start", "this line's indentation matches")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _opens(line: str) -> bool:
    """A `key:` line with its value on the lines below (a block)."""
    return line.split(" #", 1)[0].rstrip().endswith(":")


def _odd_indent(lines: list[str], error: int) -> tuple[int, int, int, str] | None:
    """The line whose indentation breaks its siblings' pattern, near the line libyaml stopped
    at: among the keys of one block, one indented differently from the others, which share
    one indentation. libyaml reports the line after it (`service: web` at 9 spaces among
    siblings at 10 makes the next line look like a value's continuation). Its index, its
    indentation, the siblings' and their line numbers; None when no line stands out."""

    def content(i: int) -> bool:
        text = lines[i].strip()
        return bool(text) and not text.startswith("#")

    if error >= len(lines) or not content(error):
        return None
    # The block's parent: the nearest `key:` line above, indented less than every line
    # between it and the error.
    least, parent = _indent(lines[error]), None
    for i in range(error - 1, -1, -1):
        if not content(i):
            continue
        if _indent(lines[i]) < least:
            if _opens(lines[i]):
                parent = i
                break
            least = _indent(lines[i])
    if parent is None:
        return None
    top = _indent(lines[parent])
    direct: list[int] = []
    block: int | None = None  # the indentation of a sub-block's parent, inside the block
    for i in range(parent + 1, len(lines)):
        if not content(i):
            continue
        indent = _indent(lines[i])
        if indent <= top:
            break
        if block is not None and indent > block:
            continue
        direct.append(i)
        block = indent if _opens(lines[i]) else None
    indents = [_indent(lines[i]) for i in direct]
    common = max(set(indents), key=indents.count) if indents else 0
    odd = [i for i in direct if _indent(lines[i]) != common]
    if len(odd) != 1 or indents.count(common) < 2:
        return None
    (line,) = odd
    siblings = [i + 1 for i in direct if i != line]
    where = (f"line {siblings[0]}" if len(siblings) == 1 else
             f"lines {', '.join(map(str, siblings[:-1]))} and {siblings[-1]}")
    return line, _indent(lines[line]), common, where


def _char(text: str, mark: yaml.Mark) -> str:
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column] if mark.column < len(line) else ""


def _hint(problem: str, char: str, context: yaml.Mark | None) -> str:
    """How to fix the error libyaml reports, for the mistakes people make."""
    opened = f"line {context.line + 1}, column {context.column + 1}" if context else "above"
    if char == "\t":
        return "this is a tab, and YAML indents with spaces only: replace it with spaces"
    if "mapping values are not allowed" in problem:
        return ("a 'key: value' where none can start: indent this line like the keys it "
                "belongs with, or quote a value that holds ': '")
    if "expected key" in problem or "expected '-' indicator" in problem or (
        "block end" in problem
    ):
        return "this line's indentation matches none of the keys above it: align it with them"
    if "',' or ']'" in problem:
        return f"close the '[' opened at {opened} with ']'"
    if "',' or '}'" in problem:
        return f"close the '{{' opened at {opened} with '}}'"
    if "end of stream" in problem and context is not None:
        return f"close the quote opened at {opened}"
    if "undefined alias" in problem:
        return "define the anchor (&name) before its alias (*name)"
    if "another document" in problem:
        return "a stack file holds one document: remove the '---' line"
    return ""

