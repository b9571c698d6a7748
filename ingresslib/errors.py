"""The one error a user sees for bad input: every problem, each with where it is written (file,
line and column when it came from a YAML file), its path, value and fix."""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, Self, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from ingresslib import paths
from ingresslib.deferred import resolved


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


# The value of a problem about something not written at all, such as a required key: its
# text shows no "(got ...)".
ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Location:
    """Where a value is written: a file and the 1-based line and column in it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One invalid field: where it is, what it holds, and what would be valid."""

    path: str
    value: Any
    message: str
    location: Location | None = None
    # A name that refers to nothing (a mistyped certificate, backend or issuer): the rules
    # that would reason about what it names are not run on it (`suppressed_by`).
    dangling: bool = field(default=False, compare=False)
    # The analysis's code for a problem found in the rendered objects (IST0132, GWAPI0008),
    # shown after the message; a config problem names its rule in the message itself.
    code: str | None = None

    def __str__(self) -> str:
        parts = [str(self.location)] if self.location else []
        text = ": ".join([*parts, *([self.path] if self.path else []), self.message])
        if self.code:
            text = f"{text} ({self.code})"
        return text if self.value is ABSENT else f"{text} (got {_show(self.value)})"


# The source of the problems the analysis finds in rendered objects (`ConfigError.source`):
# those that name the config they were rendered from get its file:line like any other.
RENDERED = "rendered objects"


class ConfigError(Exception):
    # Not a ValueError on purpose: pydantic lets it through a model validator untouched, so
    # cross-field problems keep their own field paths.
    """Raised before any resource is registered, listing every problem in the config.

    Once Pulumi is imported, `ConfigError(...)` is also a `pulumi.RunError`
    (`ingresslib.components.run_error.PulumiConfigError`): Pulumi's Python host prints a
    RunError as its message alone, any other exception with its traceback. A process that
    never imports Pulumi (`ingresslib validate` of a stack file) never loads it for this."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        if cls is ConfigError and "pulumi" in sys.modules:
            from ingresslib.components.run_error import PulumiConfigError  # noqa: PLC0415

            return super().__new__(PulumiConfigError, *args)  # type: ignore[return-value]
        return super().__new__(cls, *args)

    def __init__(self, problems: list[Problem], source: str = "config") -> None:
        self.problems = problems
        self.source = source
        lines = [f"invalid {source}: {len(problems)} problem(s)"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))

    @classmethod
    def from_validation(
        cls,
        err: ValidationError,
        data: Any,
        source: str = "config",
        model: type[BaseModel] | None = None,
        *,
        python: bool = False,
    ) -> ConfigError:
        """Translate pydantic's errors into paths in the user's (camelCase) spelling, list items
        by name. With the `model` validated, an unknown key or value gets the closest valid one
        as a suggestion, and a value of the wrong type the format it needs. `python`: the data
        came from Python code, so suggested keys are spelt as Python attributes (snake_case)."""
        errors = err.errors(include_url=False)
        data = _skeleton(errors) if data is None else plain(data)
        return cls(_translate(errors, data, model, python), source)

    def named(self, data: Any) -> ConfigError:
        """The same problems with the list items of their paths, and of the paths their
        messages mention, shown by name where `data` gives them one."""
        labels = paths.Labels()
        return ConfigError(
            [replace(p, path=paths.named(p.path, data, labels),
                     message=paths.named_in_text(p.message, data, labels))
             for p in self.problems],
            self.source,
        )

    def located(self, where: Callable[[Problem], Location | None]) -> ConfigError:
        """The same problems, each without a location given the one `where` finds for it."""
        return ConfigError(
            [p if p.location else replace(p, location=where(p)) for p in self.problems],
            self.source,
        )


def suppressed_by(dangling: Sequence[Problem]) -> Callable[[Problem], bool]:
    """Whether a problem follows from one of the `dangling` references: it is about the
    reference itself or a section that holds it (`listeners` holds `listeners[1].tls.
    certificate`), so it would only repeat, in other words, that the name refers to nothing.
    Each reference's path and the paths holding it are gathered once, then each problem is
    one lookup."""
    holding = {d.path[:i] for d in dangling for i, c in enumerate(d.path) if c in ".["}
    holding.update(d.path for d in dangling)

    def suppressed(problem: Problem) -> bool:
        return bool(problem.path) and not problem.dangling and problem.path in holding

    return suppressed


def _skeleton(errors: Sequence[Mapping[str, Any]]) -> Any:
    """The input as far as the errors show it, when the caller no longer has it (a program's
    own `model_validate` call): each error's location rebuilt, its input at the end. List items
    cannot be named then, but every key is the user's."""
    root: dict[Any, Any] = {}
    for e in errors:
        loc = list(e["loc"])
        if not loc:
            continue
        current: Any = root
        for part, after in zip(loc, [*loc[1:], None], strict=True):
            if after is None:
                if e["type"] != "missing":
                    _put(current, part, e.get("input"))
                break
            if _get(current, part) is None:
                _put(current, part, [] if isinstance(after, int) else {})
            current = _get(current, part)
    return root


def _get(container: Any, key: Any) -> Any:
    if isinstance(container, list):
        return container[key] if isinstance(key, int) and key < len(container) else None
    return container.get(key) if isinstance(container, dict) else None


def _put(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, list) and isinstance(key, int):
        container.extend({} for _ in range(key + 1 - len(container)))
        container[key] = value
    elif isinstance(container, dict):
        container[key] = value


def plain(data: Any) -> Any:
    """`data` with the models a Python caller nested in it as dicts (field names as keys), so
    paths can name list items and follow keys through them."""
    if isinstance(data, BaseModel):
        return data.model_dump()
    if isinstance(data, Mapping):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [plain(v) for v in data]
    return data


_PACKAGE = __file__.rsplit("/", 1)[0] + "/"  # ingresslib/


def caller_location(*, direct: bool = False) -> Location | None:
    """Where the user's code called into ingresslib: the innermost frame outside ingresslib,
    pydantic and the standard library's import machinery, as file:line:column. With
    `direct`, only when the user's code called the function that asks (None when ingresslib
    itself did: `load_config`'s problems are the stack file's, located there)."""
    if direct and sys._getframe(2).f_code.co_filename.startswith(_PACKAGE):
        return None
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith(_PACKAGE) or "/pydantic" in name or name.startswith("<frozen")):
            positions = list(frame.f_code.co_positions())
            index = frame.f_lasti // 2
            column = positions[index][2] if index < len(positions) else None
            return Location(name, frame.f_lineno, (column or 0) + 1)
        frame = frame.f_back
    return None


def _translate(
    errors: Sequence[Mapping[str, Any]], data: Any, model: type[BaseModel] | None,
    python: bool = False,
) -> list[Problem]:
    found = []
    labels = paths.Labels()
    for e in errors:
        keys, shown = paths.steps(e["loc"], data, missing=e["type"] == "missing",
                                  labels=labels)
        found.append((e, keys, shown))
    # A misspelt required key is one problem, the unknown key, not also a missing one.
    missing = {(tuple(keys), shown[-1]) for e, keys, shown in found if e["type"] == "missing"}
    typos: dict[tuple[tuple[paths.Key, ...], paths.Key], str] = {}
    for e, keys, _ in found:
        if e["type"] == "extra_forbidden" and keys:
            parent = tuple(keys[:-1])
            match = closest(str(keys[-1]), [f for p, f in missing if p == parent])
            if match:
                typos[parent, keys[-1]] = match
    taken = {(parent, field) for (parent, _), field in typos.items()}
    problems = []
    for e, keys, shown in found:
        if e["type"] == "missing" and (tuple(keys), shown[-1]) in taken:
            continue
        typo = typos.get((tuple(keys[:-1]), keys[-1])) if keys else None
        problems.append(_problem(e, keys, shown, _Types(model, data, python), typo))
    return problems


def _problem(
    e: Mapping[str, Any], keys: list[paths.Key], shown: list[str], types_: _Types,
    typo: str | None,
) -> Problem:
    kind, value, message = e["type"], e.get("input"), e["msg"]
    ctx = e.get("ctx") or {}
    path = paths.join(shown)
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's, a dataclass's
        if typo:
            typo = types_.spelt(keys[:-1], typo, like=str(keys[-1]))
            return Problem(path, value, f"unknown key; did you mean {typo} (required here)?")
        fields = types_.fields(keys[:-1], like=str(keys[-1]))
        match = closest(str(keys[-1]), fields)
        if match:
            return Problem(path, value, f"unknown key; did you mean {match}?")
        if fields:
            return Problem(path, value, f"unknown key; remove it, or use one of: "
                           f"{', '.join(fields)}")
        return Problem(path, value, "unknown key; remove it or check its spelling")
    if kind == "missing":
        choices = _literals(types_.child(keys, shown[-1]))
        return Problem(path, ABSENT, "required key missing; add it" + (
            f" (one of {_listing(choices)})" if choices else ""))
    if kind == "union_tag_invalid":
        tags = _quoted(ctx.get("expected_tags", ""))
        return Problem(f"{path}.{ctx['discriminator'].strip(chr(39))}", ctx["tag"],
                       f"must be one of {_listing(tags)}{_did_you_mean(ctx['tag'], tags)}")
    if kind == "union_tag_not_found":
        return Problem(f"{path}.{ctx['discriminator'].strip(chr(39))}", ABSENT,
                       "required key missing; add it")
    if kind == "literal_error":
        message += _did_you_mean(value, _quoted(ctx.get("expected", "")))
    elif kind in ("value_error", "assertion_error"):
        message = message.split(", ", 1)[-1]  # "Value error, ..." / "Assertion failed, ..."
    elif kind == "string_type":
        message = _text_needed(value, types_.at(keys))
    elif kind in ("bool_type", "bool_parsing"):
        message = "must be true or false"
    elif kind in ("list_type", "tuple_type", "set_type"):
        message += "; write a list: [a, b], or one '- item' line per item"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = "must be a mapping of keys to values ('key: value' lines)"
    return Problem(path, value, message)


class _Types:
    """The declared types along a path of the validated model, chosen by the data where a
    union has several members (a certificate's `source` picks its model)."""

    def __init__(self, model: type[BaseModel] | None, data: Any, python: bool = False) -> None:
        self.model = model
        self.data = data
        self.python = python

    def at(self, keys: Sequence[paths.Key]) -> Any:
        tp: Any = self.model
        value = self.data
        for key in keys:
            if tp is None:
                return None
            tp = _child(tp, key, value)
            value = value[key]
        return tp

    def child(self, keys: Sequence[paths.Key], key: str) -> Any:
        parent = self.at(keys)
        value = self.data
        for k in keys:
            value = value[k]
        return None if parent is None else _child(parent, key, value)

    def fields(self, keys: Sequence[paths.Key], like: str = "") -> list[str]:
        """The keys the model at `keys` takes, as YAML spells them (camelCase). From Python,
        which takes both spellings, as the key `like` is spelt: snake_case unless it is
        camelCase (`loadBalancr` gets `loadBalancer`, `load_balancr` `load_balancer`)."""
        snake = self.python and ("_" in like or like == like.lower())
        return [name if snake else alias for name, alias in self._names(keys)]

    def spelt(self, keys: Sequence[paths.Key], field: str, like: str) -> str:
        """`field` (a key of the model at `keys`, either spelling) as `fields` spells it."""
        for (name, alias), shown in zip(self._names(keys), self.fields(keys, like), strict=True):
            if field in (name, alias):
                return shown
        return field

    def _names(self, keys: Sequence[paths.Key]) -> list[tuple[str, str]]:
        """(name, alias) of each field of the model at `keys`."""
        tp = self.at(keys)
        value = self.data
        for k in keys:
            value = value[k]
        members = [_bare(m) for m in _fitting(_members(tp), value)] if tp else []
        for member in members:
            if _is_model(member):
                return [(name, f.alias or name) for name, f in member.model_fields.items()]
            if isinstance(member, type) and dataclasses.is_dataclass(member):
                return [(f.name, f.name) for f in dataclasses.fields(member)]
        return []


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _members(tp: Any) -> list[Any]:
    """The alternatives of a type: union members (None left out), each keeping its Annotated
    metadata (the validators that define its format)."""
    origin = get_origin(tp)
    if origin is Annotated and get_origin(get_args(tp)[0]) in (Union, types.UnionType):
        return _members(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in get_args(tp) for m in _members(arg)]
    return [] if tp is type(None) else [resolved(tp)]


def _bare(tp: Any) -> Any:
    return get_args(tp)[0] if get_origin(tp) is Annotated else tp


def _fitting(members: list[Any], value: Any) -> list[Any]:
    """Members whose fixed (single-value Literal) fields the data matches come first."""

    def fits(member: Any) -> bool:
        model = _bare(member)
        if not (_is_model(model) and isinstance(value, dict)):
            return False
        for name, f in model.model_fields.items():
            fixed = get_args(f.annotation) if get_origin(f.annotation) is Literal else ()
            given = value.get(f.alias or name, value.get(name))
            if len(fixed) == 1 and given is not None and given != fixed[0]:
                return False
        return True

    return sorted(members, key=lambda m: not fits(m))


def _child(tp: Any, key: paths.Key, value: Any) -> Any:
    """The declared type of `value[key]`, `value` being of type `tp`."""
    for member in _fitting(_members(tp), value):
        bare = _bare(member)
        origin = get_origin(bare)
        if _is_model(bare):
            for name, f in bare.model_fields.items():
                if key in (name, f.alias):
                    return Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
        elif isinstance(key, int) and origin in (list, tuple, set, frozenset):
            return get_args(bare)[0]
        elif origin in (dict, Mapping):
            return get_args(bare)[1]
    return None


def _literals(tp: Any) -> list[Any]:
    return [v for m in _members(tp) if get_origin(_bare(m)) is Literal
            for v in get_args(_bare(m))] if tp is not None else []


def _text_needed(value: Any, tp: Any) -> str:
    """What a text field says of a value that is not text: for a value YAML read as a boolean
    or a number, why, and the quoted text, or the field's format when the quoted text would
    not fit it either."""
    if isinstance(value, bool):
        return ("must be text; YAML reads unquoted true, false, yes, no, on and off as "
                "booleans: quote the text")
    text = next((m for m in _members(tp) if _bare(m) is str), None) if tp is not None else None
    if text is None or not isinstance(value, int | float):
        return "must be text"
    try:
        TypeAdapter(text).validate_python(str(value))
    except ValidationError as e:
        return e.errors(include_url=False)[0]["msg"].split(", ", 1)[-1]
    return f"must be text; quote it: '{value}'"


def declared(names: Iterable[str], *, empty: str = "none declared", limit: int = 10) -> str:
    """The names a reference could have named, for its message: sorted and comma-separated,
    the first `limit` of them and how many more (a stack of hundreds of backends would repeat
    them all in each problem), or `empty` when there are none."""
    shown = sorted(names)
    if not shown:
        return empty
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice `word` most likely misspells, if any: same letters in another case or
    spelling (snake_case for camelCase), else difflib's closest match. Answers are kept: a
    config names the same missing backend or certificate from many places."""
    return _closest(word, tuple(choices))


@functools.lru_cache(maxsize=128)
def _closest(word: str, choices: tuple[str, ...]) -> str | None:

    def norm(text: str) -> str:
        return text.lower().replace("_", "").replace("-", "")

    by_norm = {norm(c): c for c in choices}
    if norm(word) in by_norm:
        return by_norm[norm(word)]
    import difflib  # noqa: PLC0415 - a misspelt key is the only use

    match = difflib.get_close_matches(norm(word), list(by_norm), n=1, cutoff=0.6)
    return by_norm[match[0]] if match else None


def _did_you_mean(value: Any, choices: Sequence[Any]) -> str:
    texts = [c for c in choices if isinstance(c, str)]
    match = closest(value, texts) if isinstance(value, str) else None
    return f"; did you mean {match!r}?" if match else ""


def _quoted(text: str) -> list[str]:
    """The values pydantic lists in a message's context ("'a', 'b' or 'c'")."""
    return re.findall(r"'((?:[^'\\]|\\.)*)'", text)


def _listing(values: Sequence[Any]) -> str:
    return ", ".join(repr(v) for v in values)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
