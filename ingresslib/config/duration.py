"""Durations as Istio and Envoy take them ("250ms", "5s", "1m30s"), at least 1ms."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)")
_NANOS = {"h": 3600 * 10**9, "m": 60 * 10**9, "s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def duration_ns(text: str) -> int:
    """Nanoseconds in a Go-style duration (what the Istio CRDs' CEL `duration()` accepts)."""
    pos, total = 0, Decimal(0)
    for m in _PART.finditer(text):
        if m.start() != pos:
            break
        total += Decimal(m[1]) * _NANOS[m[2]]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError("must be a duration such as '250ms', '5s' or '1m30s'")
    return int(total)


def _at_least_1ms(text: str) -> str:
    if duration_ns(text) < 10**6:
        raise ValueError("must be at least 1ms (Istio rejects shorter durations)")
    return text


Duration = Annotated[str, AfterValidator(_at_least_1ms)]
