"""Render cost of the library against a bare pulumi_kubernetes program with the same objects.

Prints, from one run: import time, build+resolve time (median of --runs renders, each under
fresh mocks), and the library/bare ratio, for the example stack. Each side runs in its own
interpreter so both imports are cold. Usage: python bench/render.py [--runs N] [--rounds R]
"""

from __future__ import annotations

# ruff: noqa: PLC0415 - each side imports inside its function so its import is what is timed
import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "echoserver-canary"
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def _unwrap(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        if value.get(SECRET_SIG[0]) == SECRET_SIG[1]:
            return _unwrap(value["value"])
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _figures(imported: float, times: list[float], resources: int) -> dict[str, float]:
    """The first render is cold (it loads the SDK modules it uses); the rest are warm."""
    return {
        "import": imported,
        "first": times[0],
        "warm": statistics.median(times[1:]),
        "resources": resources,
    }


def library(runs: int, dump: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    from ingresslib.offline.runner import run_project

    imported = time.perf_counter() - t0
    times, records = [], []
    for _ in range(runs + 1):
        t = time.perf_counter()
        records = run_project(EXAMPLE, "dev")
        times.append(time.perf_counter() - t)
    dump.write_text(json.dumps([
        {"type": r.type, "name": r.name, "inputs": _unwrap(r.inputs)}
        for r in records if r.custom
    ]))
    return _figures(imported, times, len(records))


def bare(runs: int, dump: Path) -> dict[str, float]:
    """The same objects through pulumi_kubernetes' typed classes, with no ingresslib import."""
    t0 = time.perf_counter()
    import asyncio
    import contextvars
    import importlib
    import re

    import pulumi
    import pulumi_kubernetes as k8s
    import pulumi_tls
    from pulumi.runtime.stack import run_pulumi_func

    imported = time.perf_counter() - t0
    objects = json.loads(dump.read_text())

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):  # type: ignore[no-untyped-def]
            return f"{args.name}-id", args.inputs

        def call(self, args):  # type: ignore[no-untyped-def]
            return {}, None

    def register(o: dict) -> None:  # type: ignore[type-arg]
        """Typed classes for built-in kinds, CustomResource for CRDs: as a hand-written
        program would."""
        _, module, kind = o["type"].split(":")
        group, version = module.split("/")
        body = {k: v for k, v in o["inputs"].items() if k not in ("apiVersion", "kind")}
        try:
            mod = importlib.import_module(f"pulumi_kubernetes.{group.split('.')[0]}.{version}")
            cls = getattr(mod, kind)
        except (ImportError, AttributeError):
            k8s.apiextensions.CustomResource(o["name"], api_version=o["inputs"]["apiVersion"],
                                             kind=kind, **body)
            return
        cls(o["name"], **{re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in body.items()})

    def program() -> None:
        for o in objects:
            if o["type"].startswith("kubernetes:"):
                register(o)
            else:
                kind = o["type"].rsplit(":", 1)[-1]
                args = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v
                        for k, v in o["inputs"].items()}
                getattr(pulumi_tls, kind)(o["name"], **args)

    def once() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        pulumi.runtime.set_mocks(Mocks(), project="bare", stack="dev", preview=False)
        loop.run_until_complete(run_pulumi_func(program))
        loop.close()

    times = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        contextvars.Context().run(once)
        times.append(time.perf_counter() - t)
    return _figures(imported, times, len(objects))


def _compiled() -> None:
    """Byte-compile ingresslib as installing it does (pip writes its .pyc files), and the
    example's program as its first `pulumi up` leaves it: with PYTHONDONTWRITEBYTECODE set,
    each fresh interpreter would compile their source inside the timed render, while the SDK's
    bytecode was written at install and the bare program's code is compiled before its timer
    starts."""
    compileall.compile_dir(ROOT / "ingresslib", quiet=1)
    compileall.compile_dir(EXAMPLE, quiet=1)
    print("ingresslib and the example's program byte-compiled (as installed and first run)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="renders per interpreter")
    parser.add_argument("--rounds", type=int, default=5, help="interpreters per side")
    parser.add_argument("--side", choices=["library", "bare"])
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    if args.side:
        fn = library if args.side == "library" else bare
        print(json.dumps(fn(args.runs, args.dump)))
        return
    _compiled()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "objects.json"
        samples: dict[str, list[dict[str, float]]] = {"library": [], "bare": []}
        # Alternate fresh interpreters so background load hits both sides alike.
        for _ in range(args.rounds):
            for side in ("library", "bare"):
                out = subprocess.run(
                    [sys.executable, __file__, "--side", side, "--runs", str(args.runs),
                     "--dump", str(dump)],
                    check=True, capture_output=True, text=True,
                ).stdout
                samples[side].append(json.loads(out.strip().splitlines()[-1]))
    sides = {
        side: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        for side, rows in samples.items()
    }
    lib, base = sides["library"], sides["bare"]
    print(f"example stack: {EXAMPLE.relative_to(ROOT)}; medians over {args.rounds} fresh "
          f"interpreters per side, warm = median of {args.runs} renders each")
    print(f"{'':9}{'import s':>10}{'1st render':>11}{'cold total':>11}{'warm render':>12}"
          f"{'resources':>10}")
    for name, s in (("library", lib), ("bare", base)):
        cold = s["import"] + s["first"]
        print(f"{name:9}{s['import']:10.3f}{s['first']:11.3f}{cold:11.3f}{s['warm']:12.3f}"
              f"{int(s['resources']):10d}")
    cold = (lib["import"] + lib["first"]) / (base["import"] + base["first"])
    warm = lib["warm"] / base["warm"]
    print(f"library / bare, cold (import + build + resolve): {cold:.3f} "
          f"({100 * (cold - 1):+.1f} %, target <= +25 %)")
    print(f"library / bare, warm render only: {warm:.3f} ({100 * (warm - 1):+.1f} %)")


if __name__ == "__main__":
    main()
