"""Routing at scale: render time, peak memory, resource count and largest object.

For 1,000 and 10,000 routes (10 routes per host, one backend per 10 hosts; sizes in hundreds),
builds the stack config, renders it under fresh mocks (config validation, analysis,
registration, resolution) and prints one row each, then how the time grew from the smallest
size to the largest. Each render runs in a fresh interpreter so peak memory (ru_maxrss) is that
size's own; each size is rendered `--repeat` times (sizes alternated, so a slow minute of the
machine hits them alike) and its row gives the median time and the largest peak.
Usage: python bench/routing.py [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

# ruff: noqa: PLC0415 - the measured child imports inside its function
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

ROUTES_PER_HOST = 10
HOSTS_PER_BACKEND = 10


def config(routes: int) -> dict[str, Any]:
    hosts = max(1, routes // ROUTES_PER_HOST)
    names = [f"app{i}.example.com" for i in range(hosts)]
    backends = {
        f"svc{b}": {"service": f"svc{b}", "namespace": f"team{b % 20}", "port": 8080,
                    "subsets": {"v1": {"version": "v1"}, "v2": {"version": "v2"}}}
        for b in range(max(1, hosts // HOSTS_PER_BACKEND))
    }
    host_routes = []
    for h, name in enumerate(names):
        backend = f"svc{h // HOSTS_PER_BACKEND}"
        rules = [
            {"name": f"r{r}", "match": [{"uri": {"prefix": f"/p{r}/"}},
                                        {"headers": {"x-route": {"exact": str(r)}}}],
             "to": [{"backend": backend, "subset": "v1", "weight": 90},
                    {"backend": backend, "subset": "v2", "weight": 10}],
             "timeout": "5s", "retries": {"attempts": 2, "perTryTimeout": "2s"}}
            for r in range(ROUTES_PER_HOST - 1)
        ]
        rules.append({"name": "default", "to": [{"backend": backend}]})
        host_routes.append({"host": name, "routes": rules})
    return {
        "name": "scale", "cloud": "eks",
        "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP", "hosts": names},
            {"name": "https", "port": 443, "protocol": "HTTPS", "hosts": names,
             "tls": {"certificate": "wildcard"}},
        ],
        "certificates": {"wildcard": {"source": "secret", "secretName": "wildcard-tls",
                                      "dnsNames": ["*.example.com"]}},
        "routing": {"backends": backends, "hosts": host_routes},
    }


def measure(routes: int) -> dict[str, Any]:
    from ingresslib import IngressStack, parse_config
    from ingresslib.manifests.routing import object_size
    from ingresslib.offline.output import manifests
    from ingresslib.offline.runner import run_program

    data = config(routes)
    start = time.perf_counter()
    records = run_program(lambda: IngressStack("scale", parse_config(data)))
    elapsed = time.perf_counter() - start
    objs = manifests(records)
    return {
        "routes": routes,
        "hosts": len(data["routing"]["hosts"]),
        "seconds": elapsed,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "resources": sum(1 for r in records if r.custom),
        "largest_kib": max(object_size(o) for o in objs) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="renders per size")
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    samples: dict[int, list[dict[str, Any]]] = {size: [] for size in args.sizes}
    for _ in range(args.repeat):
        for size in args.sizes:
            out = subprocess.run([sys.executable, __file__, "--child", str(size)],
                                 check=True, capture_output=True, text=True).stdout
            samples[size].append(json.loads(out.strip().splitlines()[-1]))
    print(f"{'routes':>7}{'hosts':>7}{'render s':>10}{'peak MiB':>10}{'resources':>11}"
          f"{'largest KiB':>13}   (time: median of {args.repeat} renders, each in a fresh "
          "interpreter; peak: the largest)")
    rows = []
    for size in args.sizes:
        r = {**samples[size][0],
             "seconds": statistics.median(s["seconds"] for s in samples[size]),
             "peak_mib": max(s["peak_mib"] for s in samples[size])}
        rows.append(r)
        print(f"{r['routes']:7d}{r['hosts']:7d}{r['seconds']:10.2f}{r['peak_mib']:10.0f}"
              f"{r['resources']:11d}{r['largest_kib']:13.1f}", flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"time({last['routes']}) / time({first['routes']}) = "
              f"{last['seconds'] / first['seconds']:.2f} for {last['routes'] / first['routes']:g}x "
              f"the routes; peak {max(r['peak_mib'] for r in rows):.0f} MiB")
    print("targets at 10,000 routes: < 30 s, < 1024 MiB, time(10k) / time(1k) <= 11; resources "
          "grow with hosts, not routes; every object < 512 KiB")


if __name__ == "__main__":
    main()
