"""The analysis scales with hosts and routes, and still finds what the pairwise version
found."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from ingresslib.analysis import analyze
from ingresslib.config.host_index import HostIndex
from ingresslib.config.wildcard_routes import vhost_covers
from tests.generated_objects import istio_objects

ROOT = Path(__file__).resolve().parents[1]


def _names(rng: random.Random, count: int) -> list[str]:
    labels = ("a", "b", "ab", "example", "com", "x-1")
    out = []
    for _ in range(count):
        name = ".".join(rng.choice(labels) for _ in range(rng.randrange(1, 4)))
        out.append(rng.choice(("", "", "*.", "*", "*a")) + name if rng.random() < 0.5 else name)
    return [*out, "*"]


def test_host_index_answers_as_comparing_every_pair() -> None:
    rng = random.Random(7)
    for _ in range(40):
        names = _names(rng, rng.randrange(1, 30))
        index = HostIndex((n, i) for i, n in enumerate(names))
        for probe in [*names, *_names(rng, 10)]:
            assert index.covering(probe) == [i for i, n in enumerate(names)
                                             if vhost_covers(n, probe)]
            assert index.covered_by(probe) == [i for i, n in enumerate(names)
                                               if vhost_covers(probe, n)]
            assert index.overlapping(probe) == [
                i for i, n in enumerate(names) if vhost_covers(n, probe) or vhost_covers(probe, n)]


def test_analysis_findings_are_those_of_the_pairwise_analysis() -> None:
    """Digests of every finding (codes, objects, fields, messages, order) on 80 generated
    object sets, recorded from the analysis before it was indexed (it compared every host of a
    gateway with every VirtualService host)."""
    recorded = json.loads((ROOT / "tests/corpus/analysis_findings.json").read_text())
    for seed in range(80):
        findings = analyze(istio_objects(seed, hosts=6 + seed % 12),
                           credentials={("istio-ingress", "cert1")} if seed % 2 else None)
        text = "\n".join(str(f) for f in findings)
        digest = [len(findings), hashlib.sha256(text.encode()).hexdigest()[:16]]
        assert digest == recorded[str(seed)], f"seed {seed}"
