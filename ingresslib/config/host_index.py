"""Which of many host names cover a host, or fall under a pattern, without comparing every pair.

`vhost_covers` answers for one pair; the analysis and the routing config ask it of every host
against every other, which grows with the square of the hosts (a thousand hosts are a million
pairs). `HostIndex` keeps the names by their reversed suffix: an exact name is one dict lookup,
the wildcards covering a host are one lookup per prefix of the reversed host (its length, not
the number of names), and the names under a wildcard are one sorted range. Each answer is the
entries `vhost_covers` would pick, in the order they were given.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


def _key(name: str) -> str:
    """What a suffix test reads of `name`, reversed: `*.example.com` -> `moc.elpmaxe.`."""
    return (name[1:] if name.startswith("*") else name)[::-1]


class HostIndex(Generic[T]):
    """Host names, each with a value, in the order given.

    `covering(host)`: the values of the names that cover `host` (`vhost_covers(name, host)`);
    `covered_by(pattern)`: the values of the names `pattern` covers (`vhost_covers(pattern,
    name)`). Both in the order the names were given; a name given twice answers twice.
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._values: list[T] = []
        self._exact: dict[str, list[int]] = {}  # plain names
        self._wild: dict[str, list[int]] = {}  # wildcards, by reversed suffix
        keyed: list[tuple[str, int]] = []
        for pos, (name, value) in enumerate(entries):
            self._values.append(value)
            table = self._wild if name.startswith("*") else self._exact
            table.setdefault(_key(name) if name.startswith("*") else name, []).append(pos)
            keyed.append((_key(name), pos))
        keyed.sort()
        self._keys = [k for k, _ in keyed]
        self._positions = [p for _, p in keyed]

    def __len__(self) -> int:
        return len(self._values)

    def _answer(self, positions: list[int]) -> list[T]:
        return [self._values[p] for p in sorted(positions)]

    def covering(self, host: str) -> list[T]:
        """Values of the names covering `host`: itself if plain, every wildcard whose suffix
        ends it (`*` included)."""
        return self._answer(self._covering(host))

    def covered_by(self, pattern: str) -> list[T]:
        """Values of the names `pattern` covers: the same name if plain, else every name (and
        narrower wildcard) ending in its suffix."""
        return self._answer(self._covered(pattern))

    def overlapping(self, host: str) -> list[T]:
        """Values of the names that cover `host` or that `host` covers (Istio's
        host.Name.Matches), each once, in the order given."""
        return self._answer(list({*self._covering(host), *self._covered(host)}))

    def _covering(self, host: str) -> list[int]:
        found = [] if host.startswith("*") else list(self._exact.get(host, ()))
        key = _key(host)
        for end in range(len(key) + 1):
            found += self._wild.get(key[:end], ())
        return found

    def _covered(self, pattern: str) -> list[int]:
        if not pattern.startswith("*"):
            return list(self._exact.get(pattern, ()))
        prefix = _key(pattern)
        found = []
        for i in range(bisect_left(self._keys, prefix), len(self._keys)):
            if not self._keys[i].startswith(prefix):
                break
            found.append(self._positions[i])
        return found
