"""The analysis and the config checks scale with hosts and routes, and still find what the
pairwise versions found.

Work is counted, not timed: the lines of ingresslib executed for a whole render (config
validation, edge plan, manifests, analysis, registration under the offline mocks) of a generated
stack, at two sizes. A loop that compares every host with every other shows as a function
whose count grows with the square of the hosts.
"""

from __future__ import annotations

import collections
import copy
import hashlib
import importlib.util
import json
import random
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingresslib import IngressStack, parse_config
from ingresslib.analysis import analyze
from ingresslib.config.host_index import HostIndex
from ingresslib.config.hostnames import HostPatterns, covered, host_covers, vhost_covers
from ingresslib.errors import ConfigError
from ingresslib.offline.runner import run_program
from tests.configs import azure, with_alb
from tests.generated_objects import istio_objects

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = str(ROOT / "ingresslib")


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


def test_covered_answers_as_host_covers() -> None:
    rng = random.Random(8)
    for _ in range(60):
        patterns = set(_names(rng, rng.randrange(0, 12)))
        for probe in [*patterns, *_names(rng, 12), "", ".a", "a."]:
            assert covered(patterns, probe) == any(host_covers(p, probe) for p in patterns)


def test_host_patterns_answer_as_host_covers() -> None:
    rng = random.Random(9)
    for _ in range(60):
        names = [*_names(rng, rng.randrange(0, 25)), "a.b", "x.a.b", "*.a.b", ".b", "b"]
        index = HostPatterns((n, i) for i, n in enumerate(names))
        for probe in [*names, *_names(rng, 10), "", ".a", "a.", "*"]:
            assert index.covering(probe) == [i for i, n in enumerate(names)
                                             if host_covers(n, probe)]
            assert index.covered_by(probe) == [i for i, n in enumerate(names)
                                               if host_covers(probe, n)]
    # A value given under several names answers once, where it was first given.
    shared = HostPatterns([("a.b", "x"), ("*.b", "x"), ("*.b", "y")])
    assert shared.covering("a.b") == ["x", "y"]
    assert shared.covered_by("*.b") == ["x", "y"]


def test_analysis_findings_are_those_of_the_pairwise_analysis() -> None:
    """Digests of every finding (codes, objects, fields, messages, order) on 80 generated
    object sets, recorded from the analysis before it was indexed (it compared every host of a
    gateway with every VirtualService host), as it stood when the index was merged (ING0001
    naming `IngressRouting(..., service=...)`); a changed message means recording them again."""
    recorded = json.loads((ROOT / "tests/corpus/analysis_findings.json").read_text())
    for seed in range(80):
        findings = analyze(istio_objects(seed, hosts=6 + seed % 12),
                           credentials={("istio-ingress", "cert1")} if seed % 2 else None)
        text = "\n".join(str(f) for f in findings)
        digest = [len(findings), hashlib.sha256(text.encode()).hexdigest()[:16]]
        assert digest == recorded[str(seed)], f"seed {seed}"


def _bench_config(routes: int) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("bench_routing", ROOT / "bench/routing.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.config(routes)  # type: ignore[no-any-return]


def _variant(name: str, routes: int) -> dict[str, Any]:
    """bench/routing.py's stack (10 routes per host), as is or changed to reach more code."""
    data = _bench_config(routes)
    if name == "inherit":  # a wildcard host whose routes every other host inherits
        hosts = data["routing"]["hosts"]
        for lst in data["listeners"]:
            lst["hosts"] = [*lst["hosts"], "*.example.com"]
        for host in hosts:
            host["inheritWildcardRoutes"] = True
            host["routes"] = host["routes"][:-1]  # no catch-all before the inherited routes
        hosts.append({"host": "*.example.com", "routes": [
            {"name": "wide", "match": [{"uri": {"prefix": "/wide/"}}],
             "to": [{"backend": "svc0"}]}]})
    elif name == "eks-chained":
        data = with_alb(data)
        data["topology"] = "chained"
        data["aws"]["cluster"] = "scale"
    elif name == "aks":
        data = copy.deepcopy(data)
        data["cloud"] = "aks"
        data["azure"] = azure("gateway")
    elif name == "security":  # an authorization rule per host, a case-folding route per host
        data["security"] = _rule_per_host(data)
        for host in data["routing"]["hosts"]:
            host["routes"][0]["match"][0]["ignoreUriCase"] = True
    elif name in ("acme-plain", "acme-redirect"):  # per host: an HTTP-01 certificate, an
        # HTTPS listener and an authorization rule; port 80 plain, or a redirect per host
        hosts = [h["host"] for h in data["routing"]["hosts"]]
        data["certificates"] = {f"c{i}": {"source": "certManager", "dnsNames": [h],
                                          "issuer": "le"} for i, h in enumerate(hosts)}
        data["certManager"] = {"issuers": {"le": {
            "type": "acme", "server": "letsencrypt-production", "email": "ops@example.com",
            "solver": {"kind": "http01"}}}}
        port80 = ([{**data["listeners"][0], "httpsRedirect": False}] if name == "acme-plain"
                  else [{"name": f"http{i}", "port": 80, "protocol": "HTTP", "hosts": [h],
                         "httpsRedirect": True} for i, h in enumerate(hosts)])
        data["listeners"] = [*port80, *({"name": f"https{i}", "port": 443, "protocol": "HTTPS",
                                         "hosts": [h], "tls": {"certificate": f"c{i}"}}
                                        for i, h in enumerate(hosts))]
        data["security"] = _rule_per_host(data)
        if name == "acme-plain":  # no catch-all route that could take the challenge
            for host in data["routing"]["hosts"]:
                host["routes"] = host["routes"][:-1]
    elif name == "gateway-api":  # the Gateway API render, on wildcard listeners
        data["api"] = "gatewayApi"
        for lst in data["listeners"]:
            lst["hosts"] = ["*.example.com"]
        for backend in data["routing"]["backends"].values():
            backend["selector"] = {"app": backend["service"]}
        _one_match_per_route(data)
    elif name == "agic":  # AKS standalone: an Ingress per route through Application Gateway
        _one_match_per_route(data)
        data.update(cloud="aks", topology="standalone", azure=azure("standalone"))
        data["azure"]["applicationGateway"]["backends"] = {
            key: {"healthProbePath": "/healthz"} for key in data["routing"]["backends"]}
        data["certificates"] = {"wildcard": {
            "source": "keyVault", "dnsNames": ["*.example.com"], "vault": "kv-edge",
            "resourceGroup": "edge", "certificate": "wildcard"}}
        backends = data["routing"]["backends"].values()
        data["security"] = {
            "mtls": "STRICT", "namespaces": sorted({b["namespace"] for b in backends}),
            "standalonePorts": [{"namespace": b["namespace"], "selector": {"app": b["service"]},
                                 "ports": [8080]} for b in backends]}
    return data


def _rule_per_host(data: dict[str, Any]) -> dict[str, Any]:
    """A security section with a DENY rule on /admin/* for each routing host."""
    return {"mtls": "STRICT",
            "namespaces": sorted({b["namespace"] for b in data["routing"]["backends"].values()}),
            "authorization": [{"name": f"deny{i}", "action": "DENY", "hosts": [h["host"]],
                               "paths": ["/admin/*"], "notClientCidrs": ["198.51.100.0/24"]}
                              for i, h in enumerate(data["routing"]["hosts"])]}


def _one_match_per_route(data: dict[str, Any]) -> None:
    """Each route with one destination and its path match only (what AGIC can express, and
    what Gateway API orders as the config does)."""
    for host in data["routing"]["hosts"]:
        for route in host["routes"]:
            route["to"] = [{"backend": route["to"][0]["backend"]}]
            route.pop("retries", None)
            route.pop("timeout", None)
            if "match" in route:
                route["match"] = route["match"][:1]


def _lines(data: dict[str, Any]) -> collections.Counter[tuple[str, str]]:
    """Lines of ingresslib executed to render `data`, by (file, function)."""
    return _traced(lambda: run_program(lambda: IngressStack("scale", parse_config(data))))


def _error_lines(data: dict[str, Any]) -> collections.Counter[tuple[str, str]]:
    """Lines of ingresslib executed to refuse `data` and write its problems out."""

    def refuse() -> None:
        with pytest.raises(ConfigError) as refused:
            parse_config(data)
        str(refused.value)

    return _traced(refuse)


def _traced(call: Callable[[], Any]) -> collections.Counter[tuple[str, str]]:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()

    def local(frame: Any, event: str, _: Any) -> Any:
        if event == "line":
            counts[(frame.f_code.co_filename, frame.f_code.co_name)] += 1
        return local

    def calls(frame: Any, _event: str, _: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    previous = sys.gettrace()
    sys.settrace(calls)
    threading.settrace(calls)
    try:
        call()
    finally:
        sys.settrace(previous)
        threading.settrace(None)  # type: ignore[arg-type]
    return counts


def _assert_linear(small: collections.Counter[tuple[str, str]],
                   large: collections.Counter[tuple[str, str]]) -> None:
    """4x the hosts: at most 4.6x the lines overall and in every function that runs 2,000
    lines or more; comparing every host with every other would be 16x."""
    grown = {f"{Path(file).relative_to(ROOT)}:{fn}": (small[(file, fn)], n)
             for (file, fn), n in large.items() if n >= 2000 and n > 4.6 * small[(file, fn)]}
    assert grown == {}, "lines at 20 and 80 hosts, by function"
    total = (sum(small.values()), sum(large.values()))
    assert total[1] <= 4.6 * total[0], f"lines at 20 and 80 hosts: {total}"


@pytest.mark.parametrize("variant", ["eks-gateway", "inherit", "eks-chained", "aks", "security",
                                     "acme-plain", "acme-redirect", "gateway-api", "agic"])
def test_work_grows_linearly_with_hosts(variant: str) -> None:
    """4x the hosts (and routes) of a valid stack, rendered."""
    _assert_linear(_lines(_variant(variant, 200)), _lines(_variant(variant, 800)))


def _broken(routes: int, broken: str) -> dict[str, Any]:
    """bench/routing.py's stack with every route wrong: naming a backend that does not exist
    (`dangling`: each problem named by path and given a did-you-mean), or with a misspelt key
    (`misspelt`: pydantic's errors, translated)."""
    data = _bench_config(routes)
    for host in data["routing"]["hosts"]:
        for route in host["routes"]:
            if broken == "dangling":
                for dest in route["to"]:
                    dest["backend"] += "x"
            else:
                route["tiemout"] = route.pop("timeout", "5s")
    return data


@pytest.mark.parametrize("broken", ["dangling", "misspelt"])
def test_refusing_grows_linearly_with_hosts(broken: str) -> None:
    """4x the hosts (and routes) of a stack wrong at every route, refused with every problem
    (paths with list items by name, did-you-means): 80 hosts took 45x the time of 20 when each
    path looked its list items up by comparing every sibling with every other."""
    _assert_linear(_error_lines(_broken(200, broken)), _error_lines(_broken(800, broken)))
