"""The one error a user sees for bad input: every problem, each with its path, value and fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic.alias_generators import to_snake


@dataclass(frozen=True)
class Problem:
    """One invalid field: where it is, what it holds, and what would be valid."""

    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} (got {_show(self.value)})"


class ConfigError(Exception):
    # Not a ValueError on purpose: pydantic lets it through a model validator untouched, so
    # cross-field problems keep their own field paths.
    """Raised before any resource is registered, listing every problem in the config."""

    def __init__(self, problems: list[Problem], source: str = "config") -> None:
        self.problems = problems
        self.source = source
        lines = [f"invalid {source}: {len(problems)} problem(s)"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))

    @classmethod
    def from_validation(
        cls, err: ValidationError, data: Any, source: str = "config"
    ) -> ConfigError:
        """Translate pydantic's errors into field paths in the user's (camelCase) spelling."""
        problems = []
        for e in err.errors(include_url=False):
            path = _path(e["loc"], data, missing=e["type"] == "missing")
            msg = e["msg"]
            if e["type"] == "extra_forbidden":
                msg = "unknown key; remove it or check its spelling"
            elif msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            problems.append(Problem(path or "<root>", e.get("input"), msg))
        return cls(problems, source)


def _path(loc: tuple[int | str, ...], data: Any, *, missing: bool) -> str:
    """The user's path to an error: pydantic's location minus its internal segments (union
    member names, discriminator tags, validator names), found by walking the input itself."""
    out, current = "", data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            if isinstance(current, list) and 0 <= part < len(current):
                out, current = f"{out}[{part}]", current[part]
            continue
        keys = (part, to_snake(part)) if isinstance(current, dict) else ()
        key = next((k for k in keys if k in current), None)
        if key is not None:
            out, current = (f"{out}.{part}" if out else part), current[key]
        elif missing and i == len(loc) - 1:
            out = f"{out}.{part}" if out else part  # the required key that is absent
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
