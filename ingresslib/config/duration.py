"""Durations: the one module that reads and writes them.

Config durations are Go's syntax as Istio and Envoy take them ("250ms", "5s", "1m30s"), whole
milliseconds, at least 1ms (`Duration`, read by `duration_ns`, the one parser for config
validation, the planners and the analysis alike). They are written out as Envoy's proto3 JSON
(`proto_duration`, "0.100s") in EnvoyFilter patches and as Gateway API's restricted form
(`gateway_duration`, "1s500ms") in route timeouts. Prometheus durations ("5m", "1h30m", "2d")
are a syntax of their own, for the monitoring thresholds (`PromDuration`, read by
`prom_duration_ms`)."""

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


def proto_duration(value: str) -> str:
    """A config duration ("100ms") in the proto3 JSON form Envoy reads ("0.100s")."""
    seconds, nanos = divmod(duration_ns(value), 10**9)
    if not nanos:
        return f"{seconds}s"
    frac = f"{nanos:09d}"  # proto3 JSON writes 3, 6 or 9 fractional digits
    digits = 3 if frac.endswith("000000") else 6 if frac.endswith("000") else 9
    return f"{seconds}.{frac[:digits]}s"


def gateway_duration(text: str) -> str:
    """A Go duration as Gateway API writes it (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`): 1.5s ->
    1s500ms, 90m -> 1h30m."""
    ms = duration_ns(text) // MS
    if ms == 0:
        return "0s"
    parts = []
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        n, ms = divmod(ms, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


_PROM_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_UNIT_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)


def prom_duration_ms(text: str) -> int:
    """Milliseconds in a Prometheus duration ("30s", "5m", "1h30m", "2d"), units largest first."""
    m = _PROM_DURATION.match(text)
    if not m or not text:
        raise ValueError("must be a Prometheus duration such as '30s', '5m' or '1h30m'")
    return sum(int(n) * unit for n, unit in zip(m.groups(), _UNIT_MS, strict=True) if n)


def _positive(text: str) -> str:
    if prom_duration_ms(text) == 0:
        raise ValueError("must be longer than zero")
    return text


# What the Prometheus operator's CRDs accept for `interval` and `for` (no "1.5m", no "90s5m").
PromDuration = Annotated[str, AfterValidator(_positive), WithJsonSchema(
    {"type": "string", "x-type": "Prometheus duration", "minLength": 1,
     "pattern": _PROM_DURATION.pattern})]
