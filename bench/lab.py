"""The edge lab's cost: set-up time (cold: a fresh Go build cache and module cache in a temp
directory) and `ingresslib verify` time per stack and example, once set up.

Usage: python bench/lab.py [--cold] [--stacks DIR:STACK ...]
  --cold   run `bash scripts/lab-setup` with GOCACHE and GOMODCACHE in a fresh temp directory
           and the edgelab binary rebuilt into a temp copy of .lab (the Go module is
           downloaded from the module proxy and compiled from nothing); without it, time the
           warm set-up (everything cached: the CI case).
Prints seconds per step; verify's exit status per stack (0 pass, 1 mismatch).
Goals (issue 17): set-up under 20 minutes cold on 2 cores, verify under 30 s per stack.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lab_stacks() -> list[tuple[str, str]]:
    """Every shipped stack and example (as the tests run them; examples/routing-only, which
    composes IngressRouting alone, without a front)."""
    return [(str(f.parent.relative_to(ROOT)), f.name[7:-5])
            for f in sorted([*ROOT.glob("stacks/*/Pulumi.*.yaml"),
                             *ROOT.glob("examples/*/Pulumi.*.yaml")])]


def setup(cold: bool) -> float:
    env = dict(os.environ, VENV=os.environ.get("VENV", str(Path(sys.executable).parents[1])))
    with tempfile.TemporaryDirectory(prefix="ingresslib-lab-bench-") as tmp:
        if cold:
            env |= {"GOCACHE": f"{tmp}/gocache", "GOMODCACHE": f"{tmp}/gomodcache",
                    "GOFLAGS": "-modcacherw"}
            binary = ROOT / ".lab" / "bin" / "edgelab"
            if binary.exists():
                binary.rename(binary.with_suffix(".bench-saved"))
        start = time.perf_counter()
        try:
            subprocess.run(["bash", "scripts/lab-setup"], cwd=ROOT, env=env, check=True)
        finally:
            saved = ROOT / ".lab" / "bin" / "edgelab.bench-saved"
            if cold and saved.exists():
                saved.replace(ROOT / ".lab" / "bin" / "edgelab")
        return time.perf_counter() - start


def verify(project: str, stack: str) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ingresslib.cli", "verify", project,
                           "--stack", stack], cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--stacks", nargs="*", metavar="DIR:STACK")
    args = parser.parse_args()
    seconds = setup(args.cold)
    print(f"set-up ({'cold' if args.cold else 'warm'}): {seconds:.1f}s")
    stacks = [tuple(s.split(":", 1)) for s in args.stacks] if args.stacks else lab_stacks()
    for project, stack in stacks:
        secs, code = verify(project, stack)
        print(f"verify {project} --stack {stack}: {secs:.1f}s "
              f"({'pass' if code == 0 else f'exit {code}'})")


if __name__ == "__main__":
    main()
