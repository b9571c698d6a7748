"""Mutation score of the renderers, the edge planners and the rules, with mutmut.

mutmut changes one thing at a time in the code (a comparison, a constant, a removed call), runs
the tests that reach the changed function, and calls the mutant killed when one fails. A
surviving mutant is a change of behaviour no test sees. This script copies the project into a
work directory (mutmut writes its mutants/ there), tells mutmut which modules to mutate and which
test files to run for them (the ones that exercise them: the whole suite per mutant would not
fit on two cores), runs it, and prints the score per module and every surviving mutant with its
diff. Modules with different test files run in work directories of their own (one mutmut run
each): mutmut runs every selected test that reaches a mutated function, so one run over the
union would run, say, the whole-stack renders for every mutant of a helper they all call.

Usage: python bench/mutation.py [MODULE ...] [--children N] [--workdir DIR] [--no-diffs]
MODULE is a path under ingresslib/, or a folder for every module of TESTS in it
(`ingresslib/manifests`); default: every module named in TESTS. The score counts
killed and timed-out mutants over all mutants checked; "no tests" counts as surviving.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Module -> the test files that exercise it.
# Not test_aws_render.py: it runs programs in fresh interpreters, which mutmut's trampolines
# (imported from the work directory) cannot serve. The edge planners and rules are reached
# first by the tests of their own module (tests/<cloud>/test_<module>.py), which are fast.
_AWS = ["tests/aws/test_config.py"]
_AZURE = ["tests/azure/test_config.py"]


def _manifests(module: str, *more: str) -> list[str]:
    """The renderer's own tests, mirroring the source (`gateway_api/routes`:
    tests/manifests/gateway_api/test_routes.py), and `more`."""
    folder, _, name = module.rpartition("/")
    return [str(Path("tests/manifests", folder, f"test_{name}.py")), *more]


# A renderer's own tests come first and kill nearly all of its mutants in milliseconds; the
# files that render whole stacks (test_render.py, test_certificates.py: seconds a mutant) are
# left out where the renderer's own tests kill what they would.
_WORKLOAD = "tests/test_manifests.py"  # the gateway workload's objects, from a stack config
TESTS: dict[str, list[str]] = {
    "ingresslib/manifests/virtual_service.py": _manifests("virtual_service",
                                                          "tests/test_routing.py"),
    "ingresslib/manifests/routing.py": _manifests("routing"),
    "ingresslib/manifests/destination_rule.py": _manifests("destination_rule",
                                                           "tests/test_routing.py"),
    "ingresslib/manifests/gateway.py": _manifests("gateway", _WORKLOAD),
    "ingresslib/manifests/istio_gateway.py": _manifests("istio_gateway", _WORKLOAD),
    "ingresslib/manifests/meta.py": _manifests("meta", _WORKLOAD),
    "ingresslib/manifests/namespace.py": _manifests("namespace", _WORKLOAD),
    "ingresslib/manifests/rbac.py": _manifests("rbac", _WORKLOAD),
    "ingresslib/manifests/deployment.py": _manifests("deployment", _WORKLOAD),
    "ingresslib/manifests/service.py": _manifests("service", _WORKLOAD),
    "ingresslib/manifests/autoscaler.py": _manifests("autoscaler", _WORKLOAD),
    "ingresslib/manifests/disruption_budget.py": _manifests("disruption_budget", _WORKLOAD),
    "ingresslib/manifests/network_policy.py": _manifests("network_policy", _WORKLOAD),
    "ingresslib/manifests/forwarded_proto.py": _manifests("forwarded_proto"),
    "ingresslib/manifests/tls_secret.py": _manifests("tls_secret"),
    "ingresslib/manifests/envoy_filter.py": _manifests("envoy_filter", "tests/test_ratelimit.py"),
    "ingresslib/manifests/ratelimit.py": _manifests("ratelimit", "tests/test_ratelimit.py"),
    "ingresslib/manifests/ratelimit_service.py": _manifests("ratelimit_service"),
    "ingresslib/manifests/security.py": _manifests("security", "tests/test_security.py"),
    "ingresslib/manifests/monitoring.py": _manifests("monitoring", "tests/test_observability.py"),
    "ingresslib/manifests/certificates.py": _manifests("certificates"),
    "ingresslib/manifests/gateway_api/gateway.py": _manifests("gateway_api/gateway"),
    # Not test_api_translation.py: its walk renders a stack per field (seconds a mutant),
    # and the module's own tests kill what it would.
    "ingresslib/manifests/gateway_api/routes.py": _manifests("gateway_api/routes"),
    "ingresslib/manifests/gateway_api/istio.py": _manifests("gateway_api/istio"),
    "ingresslib/manifests/gateway_api/view.py": _manifests("gateway_api/view"),
    # The edge planners and the rules.
    "ingresslib/aws/rules.py": ["tests/aws/test_rules.py", *_AWS],
    "ingresslib/aws/alb_rules.py": ["tests/aws/test_alb_rules.py", *_AWS],
    "ingresslib/aws/edge_plan.py": ["tests/aws/test_edge_plan.py", *_AWS],
    "ingresslib/aws/alb_plan.py": ["tests/aws/test_alb_plan.py", *_AWS],
    # Not test_interactions_c.py: it reads every message in ingresslib's source for config
    # keys, and finds the mutants' spellings (XXkeyXX) in the mutated copies.
    "ingresslib/aws/interaction_rules.py": ["tests/aws/test_interaction_rules.py", *_AWS],
    "ingresslib/azure/rules.py": ["tests/azure/test_rules.py", *_AZURE],
    "ingresslib/edge.py": ["tests/test_edge.py"],
    "ingresslib/config/acme.py": ["tests/config/test_acme.py", "tests/test_interactions_a.py"],
    "ingresslib/config/authz_interactions.py": ["tests/config/test_authz_interactions.py",
                                                "tests/test_interactions_a.py"],
    "ingresslib/config/interactions.py": ["tests/config/test_interactions.py",
                                          "tests/test_interactions_a.py"],
    "ingresslib/config/interaction_rules.py": ["tests/config/test_interaction_rules.py"],
    "ingresslib/config/edge_interactions.py": ["tests/config/test_edge_interactions.py"],
    # Tables of rules alone: no function, so no mutant; listed so that the run says so.
    "ingresslib/update_rules.py": ["tests/test_rules.py"],
    "ingresslib/translation_rules.py": ["tests/test_rules.py"],
    "ingresslib/azure/interaction_rules.py": ["tests/azure/test_interaction_rules.py", *_AZURE],
    "ingresslib/azure/edge_plan.py": ["tests/azure/test_edge_plan.py", *_AZURE],
    "ingresslib/azure/agc/edge_plan.py": ["tests/azure/agc/test_edge_plan.py", *_AZURE],
    "ingresslib/azure/agc/rules.py": ["tests/azure/agc/test_rules.py", *_AZURE],
    "ingresslib/azure/application_gateway/plan.py": [
        "tests/azure/application_gateway/test_plan.py", "tests/azure/test_plan.py"],
    "ingresslib/azure/agic/rules.py": ["tests/azure/agic/test_rules.py",
                                       "tests/azure/agic/test_agic.py"],
}
# What the tests read besides ingresslib/ and tests/.
_ALSO_COPY = ["stacks", "examples", "docs", "bench", "Pulumi.yaml", "Pulumi.dev.yaml", "README.md"]
_KILLED = ("killed", "timeout")


def _expand(arg: str) -> list[str]:
    """`arg`, or every module of TESTS under the folder `arg`."""
    folder = arg.rstrip("/") + "/"
    return [m for m in TESTS if m.startswith(folder)] or [arg]


def _prepare(workdir: Path, modules: list[str]) -> None:
    """The project in `workdir`, with a [tool.mutmut] table for `modules`."""
    for name in ("ingresslib", "tests", *_ALSO_COPY):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, workdir / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, workdir / name)
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        # mutmut runs the tests in workdir/mutants: ../shared (the upstream schemas) beside it,
        # as beside the repository, so the tests that validate against them run rather than
        # skip, and a mutant only they catch counts as killed.
        (workdir / "shared").symlink_to(shared.resolve())
    tests = sorted({t for m in modules for t in TESTS.get(m, [])})

    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (workdir / "pyproject.toml").write_text(
        pyproject + "\n[tool.mutmut]\n"
        'source_paths = ["ingresslib"]\n'
        f"only_mutate = {toml_list(modules)}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        'pytest_add_cli_args = ["-q", "-p", "no:cacheprovider"]\n'
        f"also_copy = {toml_list(_ALSO_COPY)}\n"
        "use_git_change_detection = false\n",
        encoding="utf-8")


def _mutmut(workdir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, check=False)
    # A run over modules with no code in functions (tables of rules) has no mutant, and mutmut
    # stops with an error there; `results` then lists none, and the run counts as empty.
    if done.returncode and args[0] == "run" and _mutmut(workdir, "results", "--all", "true"):
        sys.exit(f"mutmut run failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                 f"{done.stderr[-3000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths under ingresslib/ (default: all)")
    parser.add_argument("--children", type=int, default=2, help="mutants run in parallel")
    parser.add_argument("--workdir", type=Path, help="keep mutmut's files here (default: temp)")
    parser.add_argument("--no-diffs", action="store_true", help="list survivors without diffs")
    args = parser.parse_args()
    modules = [m for arg in args.modules for m in _expand(arg)] or list(TESTS)
    unknown = [m for m in modules if m not in TESTS]
    if unknown:
        sys.exit(f"no test selection for {unknown}; add them to TESTS in {__file__}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ingresslib-mutation-"))
    if args.workdir and workdir.exists():
        shutil.rmtree(workdir)
    groups: dict[tuple[str, ...], list[str]] = {}
    for module in modules:
        groups.setdefault(tuple(TESTS[module]), []).append(module)
    statuses: dict[str, str] = {}
    workdirs: dict[str, Path] = {}  # mutant -> the work directory that ran it
    for i, group in enumerate(groups.values()):
        rundir = workdir / f"run{i + 1}" if len(groups) > 1 else workdir
        rundir.mkdir(parents=True, exist_ok=True)
        _prepare(rundir, group)
        _mutmut(rundir, "run", "--max-children", str(args.children))
        for line in _mutmut(rundir, "results", "--all", "true").splitlines():
            name, _, status = line.strip().rpartition(": ")
            if name:
                statuses[name] = status
                workdirs[name] = rundir
    by_module: dict[str, Counter[str]] = {}
    for name, status in statuses.items():
        # `pkg.module.x_function__mutmut_3`, `pkg.module.xǁClassǁmethod__mutmut_3`
        module = name.rsplit(".", 1)[0].replace(".", "/") + ".py"
        by_module.setdefault(module, Counter())[status] += 1
    print(f"{'module':<45}{'mutants':>8}{'killed':>8}{'score':>8}")
    total = Counter()
    for module, counts in sorted(by_module.items()):
        total += counts
        n, killed = sum(counts.values()), sum(counts[s] for s in _KILLED)
        print(f"{module:<45}{n:8d}{killed:8d}{100 * killed / n:7.1f}%")
    for module in sorted(set(modules) - set(by_module)):
        print(f"{module:<45}{0:8d}{0:8d}     -   (no code in functions: nothing to mutate)")
    n, killed = sum(total.values()), sum(total[s] for s in _KILLED)
    print(f"{'all':<45}{n:8d}{killed:8d}{100 * killed / max(n, 1):7.1f}%  "
          f"({', '.join(f'{s} {c}' for s, c in sorted(total.items()))})")
    survivors = sorted(name for name, status in statuses.items() if status not in _KILLED)
    print(f"\nsurviving mutants ({len(survivors)}):")
    for name in survivors:
        print(f"  {name}: {statuses[name]}")
        if not args.no_diffs:
            diff = _mutmut(workdirs[name], "show", name)
            print("\n".join("      " + line for line in diff.splitlines()[1:]))
    print(f"\nmutmut's files: {workdir}")


if __name__ == "__main__":
    main()
