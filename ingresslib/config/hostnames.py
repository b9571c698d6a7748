"""Host name patterns, the three ways ingresslib matches them. Shared by the config rules, the
renderers and the analysis alike.

* Certificates and listener hosts (`host_covers`; `covered` asks it of a whole set of
  patterns by lookup): RFC 6125, `*.example.com` covers exactly one extra label.
* Envoy's virtual hosts (`vhost_covers`) and Gateway API (`hostnames_intersect`) read
  `*.example.com` as a suffix match at any depth that does not cover `example.com` itself;
  they differ in the question: whether one pattern covers every name of another (a virtual
  host answering for a host), or whether two patterns share any name (a route attaching to a
  listener).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


def host_covers(pattern: str, host: str) -> bool:
    """Whether a certificate name or listener host `pattern` matches `host` (RFC 6125 wildcards:
    `*.example.com` covers exactly one extra label)."""
    if pattern == host:
        return True
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and "." not in host[: -len(suffix)] and host != suffix[1:]
    return False


def covered(patterns: set[str] | frozenset[str], host: str) -> bool:
    """Whether any of `patterns` covers `host` (`host_covers`), by lookup rather than by
    comparing each: the host itself, or the one wildcard one label above it."""
    return host in patterns or ("." in host and "*" + host[host.index("."):] in patterns)


class HostPatterns(Generic[T]):
    """Host names and patterns (listener hosts, certificate names, authorization hosts), each
    with a (hashable) value, in the order given, read as `host_covers` reads them without
    comparing every pair: `covering(host)`, the values whose pattern covers `host` (the host
    itself, or the wildcard one label above it); `covered_by(pattern)`, the values whose name
    `pattern` covers (the same name, and for `*.example.com` every name one label above
    `example.com`). Each answer lists a value once, where it was first given: a listener that
    names a host and its wildcard serves the host once."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._values: list[T] = []
        self._at: dict[str, list[int]] = {}  # name -> positions
        self._below: dict[str, list[int]] = {}  # `.example.com` -> names one label above it
        for pos, (name, value) in enumerate(entries):
            self._values.append(value)
            self._at.setdefault(name, []).append(pos)
            if "." in name:
                self._below.setdefault(name[name.index("."):], []).append(pos)

    def covering(self, host: str) -> list[T]:
        """Values of the patterns covering `host` (`host_covers(pattern, host)`)."""
        found = list(self._at.get(host, ()))
        if "." in host:
            found += self._at.get("*" + host[host.index("."):], ())
        return self._answer(found)

    def covered_by(self, pattern: str) -> list[T]:
        """Values of the names `pattern` covers (`host_covers(pattern, name)`)."""
        found = list(self._at.get(pattern, ()))
        if pattern.startswith("*."):
            found += self._below.get(pattern[1:], ())
        return self._answer(found)

    def _answer(self, positions: list[int]) -> list[T]:
        return list(dict.fromkeys(self._values[p] for p in sorted(positions)))


def vhost_covers(pattern: str, host: str) -> bool:
    """Whether Envoy's virtual host `pattern` matches every request `host` names, as Istio's
    `host.Name.SubsetOf` reads it: `*` covers all, `*.example.com` any name ending in
    `.example.com` at any depth (also the narrower wildcard `*.api.example.com`)."""
    if not pattern.startswith("*"):
        return host == pattern
    return host[1:].endswith(pattern[1:]) if host.startswith("*") else host.endswith(pattern[1:])


def hostnames_intersect(a: str | None, b: str | None) -> bool:
    """Gateway API's hostname intersection: unset or `*` matches all; `*.example.com` is a
    suffix match (it covers `a.example.com` and `a.b.example.com`, not `example.com`)."""
    if a in (None, "*") or b in (None, "*"):
        return True
    assert a is not None
    assert b is not None
    if a.startswith("*.") and b.startswith("*."):
        return a[1:].endswith(b[1:]) or b[1:].endswith(a[1:])
    if a.startswith("*."):
        return b.endswith(a[1:])
    if b.startswith("*."):
        return a.endswith(b[1:])
    return a == b
