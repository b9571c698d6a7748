"""The one error a user sees for bad input: every problem, each with its path, value and fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


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
    def from_validation(cls, err: ValidationError, source: str = "config") -> ConfigError:
        """Translate pydantic's errors into field paths in the user's (camelCase) spelling."""
        problems = []
        for e in err.errors(include_url=False):
            path = _path(e["loc"])
            msg = e["msg"]
            if e["type"] == "extra_forbidden":
                msg = "unknown key; remove it or check its spelling"
            elif msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            problems.append(Problem(path or "<root>", e.get("input"), msg))
        return cls(problems, source)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in str(part) or "-" in str(part) and not out:
            # union tags and function-validator names are pydantic internals, not user paths
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
