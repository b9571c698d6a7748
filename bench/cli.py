"""Wall-clock cost of the ingresslib command, as a user runs it.

Each command runs --runs times in a fresh interpreter (subprocess, time.perf_counter around
it) beside `python -c pass`, the floor any command pays; prints the median, min and max
seconds of each. Commands: --help, validate and render of the example and of every stack
under stacks/. Usage: python bench/cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "ingresslib.cli"]


def _stacks() -> list[tuple[str, str]]:
    """(project directory, stack) of the example and of every stack file under stacks/."""
    found = [("examples/echoserver-canary", "dev")]
    for stack_file in sorted(ROOT.glob("stacks/*/Pulumi.*.yaml")):
        found.append((str(stack_file.parent.relative_to(ROOT)), stack_file.name[7:-5]))
    return found


def _time(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def _compiled() -> None:
    """Byte-compile ingresslib as installing it does (pip writes its .pyc files): with
    PYTHONDONTWRITEBYTECODE set, each fresh interpreter would compile the library's source on
    every run while the SDK's bytecode was written at install."""
    compileall.compile_dir(ROOT / "ingresslib", quiet=1)
    print("ingresslib byte-compiled (as installed)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command")
    runs = parser.parse_args().runs
    _compiled()
    commands: list[tuple[str, list[str]]] = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("ingresslib --help", [*CLI, "--help"]),
    ]
    with tempfile.TemporaryDirectory() as out:
        for directory, stack in _stacks():
            commands.append((f"validate {directory} {stack}",
                             [*CLI, "validate", directory, "--stack", stack]))
        for directory, stack in _stacks():
            commands.append((f"render {directory} {stack}",
                             [*CLI, "render", directory, "--stack", stack, "--out",
                              f"{out}/{directory.replace('/', '-')}-{stack}"]))
        width = max(len(label) for label, _ in commands)
        print(f"{'command':<{width}}  median     min     max  (seconds, {runs} runs each)")
        for label, command in commands:
            times = _time(command, runs)
            print(f"{label:<{width}}  {statistics.median(times):6.3f}  {min(times):6.3f}  "
                  f"{max(times):6.3f}")


if __name__ == "__main__":
    main()
