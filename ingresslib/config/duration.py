"""Durations as Istio and Envoy take them ("250ms", "5s", "1m30s"): Go's syntax, whole
milliseconds, at least 1ms. The one parser for config validation and analysis alike."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

MS = 10**6
_DURATION = re.compile(r"[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+")
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_NANOS = {"h": 3600 * 10**9, "m": 60 * 10**9, "s": 10**9, "ms": MS,
          "us": 1000, "µs": 1000, "μs": 1000, "ns": 1}


def duration_ns(text: str) -> int:
    """Nanoseconds in a Go duration ("1m30s", "1.5s", "-2ms", "0"), as the Istio CRDs' CEL
    `duration()` reads it; ValueError when it is not one."""
    if re.fullmatch(r"[-+]?0", text):
        return 0
    if not _DURATION.fullmatch(text):
        raise ValueError("must be a duration such as '250ms', '5s' or '1m30s'")
    total = sum(Decimal(n) * _NANOS[unit] for n, unit in _PART.findall(text))
    return int(-total if text.startswith("-") else total)


def duration_problem(text: str) -> str | None:
    """Why Istio would refuse `text` as a duration, or None."""
    try:
        ns = duration_ns(text)
    except ValueError:
        return f"{text!r} is not a duration; write it like '250ms', '5s' or '1m30s'"
    if ns < MS:
        return f"{text!r} is under 1ms, which Istio rejects; use at least '1ms'"
    if ns % MS:
        return f"{text!r} is finer than a millisecond, which Istio rejects; round it to ms"
    return None


def _valid(text: str) -> str:
    problem = duration_problem(text)
    if problem:
        raise ValueError(problem)
    return text


Duration = Annotated[str, AfterValidator(_valid), WithJsonSchema(
    {"type": "string", "x-type": "duration",
     "pattern": f"^{_DURATION.pattern.removeprefix('[-+]?')}$"})]
