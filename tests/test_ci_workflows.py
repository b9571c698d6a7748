"""The shipped GitHub Actions workflows, run: each `run:` step that needs no cloud executes
with bash in a scratch git repository, its `${{ }}` expressions filled in as the runner would,
and with only the Python packages its install step installs importable (the extras it leaves
out are blocked), so a workflow that renders a stack without that stack's provider fails here
as it would on GitHub."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.shared import expand_expressions, workflow_matrix

CI = ROOT / "examples" / "ci"
_REQUIREMENT = re.compile(r"^[^\[<>=!~;\s]+(?:\[([^\]]*)\])?")


def _workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((CI / name).read_text())


def _extras_of(spec: str) -> set[str]:
    """The extras a requirement such as `.[aws,azure]` or `../..[aws]` asks for."""
    match = _REQUIREMENT.match(spec)
    return {e.strip() for e in (match.group(1) or "").split(",") if e.strip()} if match else set()


def _installed_extras(job: dict[str, Any]) -> set[str]:
    """The extras of this project that the job's pip install step installs: named on its
    command line or in the requirements file it reads (relative to its directory)."""
    for step in job["steps"]:
        for line in step.get("run", "").splitlines():
            words = shlex.split(line, comments=True)
            if "pip" not in " ".join(words[:1]) or "install" not in words:
                continue
            cwd = ROOT / step.get("working-directory", ".")
            if "-r" in words:
                lines = (cwd / words[words.index("-r") + 1]).read_text().splitlines()
                return set().union(*(_extras_of(r) for r in lines if r.startswith(".")))
            return set().union(*(_extras_of(w) for w in words if w.startswith(".")))
    pytest.fail("the job installs nothing with pip")


def _blocked(extras: set[str]) -> set[str]:
    """Top-level modules that only the project's other extras would install."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional: dict[str, list[str]] = project["optional-dependencies"]
    modules: dict[str, set[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            modules.setdefault(dist.lower().replace("_", "-"), set()).add(module)

    def of(requirements: list[str]) -> set[str]:
        names = {_REQUIREMENT.match(r).group(0).split("[")[0].lower() for r in requirements}
        return set().union(*(modules.get(n, set()) for n in names))

    kept = of(project["dependencies"]) | of([r for e in extras for r in optional[e]])
    return of([r for e, reqs in optional.items() if e not in extras for r in reqs]) - kept


def _runner(tmp_path: Path, extras: set[str]) -> dict[str, str]:
    """PATH and PYTHONPATH for a step: `ingresslib` runs this checkout's CLI, and importing a
    module of an extra the workflow does not install fails as it would there."""
    bin_dir, site_dir = tmp_path / "bin", tmp_path / "site"
    bin_dir.mkdir()
    site_dir.mkdir()
    shim = bin_dir / "ingresslib"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ingresslib.cli "$@"\n')
    shim.chmod(0o755)
    (site_dir / "sitecustomize.py").write_text(
        "import importlib.abc, sys\n"
        f"BLOCKED = {sorted(_blocked(extras))!r}\n"
        "class _NotInstalled(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] in BLOCKED:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, _NotInstalled())\n")
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": f"{site_dir}{os.pathsep}{ROOT}"}


def _run_step(step: dict[str, Any], job: dict[str, Any], matrix: dict[str, str],
              repo: Path, env: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Run a `run:` step as GitHub's bash does (`-eo pipefail`), in `repo`, with the job's and
    step's env; returns its exit status and what it wrote to GITHUB_OUTPUT."""
    output, summary = repo.parent / "github_output", repo.parent / "step_summary"
    output.write_text("")
    step_env = {k: expand_expressions(str(v), matrix)
                for k, v in {**job.get("env", {}), **step.get("env", {})}.items()}
    script = expand_expressions(step["run"], matrix)
    # Every expression the step uses has a value here (unknown ones expand to `<expr>`).
    assert not re.search(r"<(github|matrix|steps|env|vars|secrets)\.", script), script
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=repo / step.get("working-directory", "."), capture_output=True, text=True,
        env={**os.environ, **env, **step_env, "GITHUB_OUTPUT": str(output),
             "GITHUB_STEP_SUMMARY": str(summary)},
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done.returncode, outputs


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A repository laid out like this one whose base branch is `origin/main`, with a pull
    request's change in the working tree: stacks/eks gateway raises minReplicas to 5."""
    repo = tmp_path / "repo"
    for cloud in ("eks", "aks"):
        shutil.copytree(ROOT / "stacks" / cloud, repo / "stacks" / cloud,
                        ignore=shutil.ignore_patterns("__pycache__", "venv"))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    stack_file = repo / "stacks/eks/Pulumi.gateway.yaml"
    stack_file.write_text(stack_file.read_text().replace("minReplicas: 3", "minReplicas: 5"))
    return repo


def _diff_job() -> tuple[dict[str, Any], dict[str, Any]]:
    (job,) = _workflow("offline-diff.yml")["jobs"].values()
    step = next(s for s in job["steps"] if s.get("id") == "diff")
    return job, step


def _entry(job: dict[str, Any], directory: str, stack: str) -> dict[str, str]:
    return next(m for m in workflow_matrix(job) if (m["dir"], m["stack"]) == (directory, stack))


def test_offline_diff_runs_as_shipped(tmp_path: Path, pull_request: Path) -> None:
    job, step = _diff_job()
    env = _runner(tmp_path, _installed_extras(job))
    status, outputs = _run_step(step, job, _entry(job, "stacks/eks", "gateway"),
                                pull_request, env)
    assert status == 0
    assert outputs == {"failed": "false", "artifact": "ingresslib-diff-stacks-eks-gateway"}
    comment = (pull_request / "diff.md").read_text()
    assert comment.startswith("**ingresslib diff** origin/main → working tree: 3 changed, "
                              "0 added, 0 removed")
    assert "spec.minReplicas: 3 -> 5" in comment
    assert (pull_request / "diff-full.md").read_text() == comment
    assert comment in (pull_request.parent / "step_summary").read_text()
    # What the later steps read is what this one wrote.
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith(
        "actions/upload-artifact"))
    assert upload["with"] == {"name": "${{ steps.diff.outputs.artifact }}",
                              "path": "diff-full.md"}
    post = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/github-script"))
    assert 'readFileSync("diff.md"' in post["with"]["script"]
    fail = next(s for s in job["steps"] if s.get("name") == "Fail on render errors")
    assert fail["if"] == "steps.diff.outputs.failed == 'true'"

    status, outputs = _run_step(step, job, _entry(job, "stacks/aks", "chained"),
                                pull_request, env)
    assert (status, outputs["failed"]) == (0, "false")
    assert (pull_request / "diff.md").read_text().endswith("No changes.\n")


def test_offline_diff_without_the_stacks_extras_fails_as_it_did(
        tmp_path: Path, pull_request: Path) -> None:
    """The harness catches the bug the workflow shipped with: `pip install .` alone."""
    job, step = _diff_job()
    env = _runner(tmp_path, set())
    status, outputs = _run_step(step, job, _entry(job, "stacks/eks", "gateway"),
                                pull_request, env)
    assert (status, outputs["failed"]) == (0, "true")
    comment = (pull_request / "diff.md").read_text()
    assert comment.startswith("**ingresslib diff** failed (exit 2):")
    assert "No module named 'pulumi_aws'" in comment


@pytest.mark.parametrize("cloud", ["eks", "aks"])
def test_pulumi_preview_offline_checks_run_as_shipped(tmp_path: Path, cloud: str) -> None:
    """The preview job's offline step, with what the stack's requirements.txt installs; the
    steps after it need the cloud and Pulumi Cloud."""
    job = _workflow("pulumi-preview.yml")["jobs"][cloud]
    step = next(s for s in job["steps"] if s.get("name", "").startswith("Offline checks"))
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "stacks" / cloud, repo / "stacks" / cloud,
                    ignore=shutil.ignore_patterns("__pycache__", "venv"))
    env = _runner(tmp_path, _installed_extras(job))
    venv_bin = repo / "stacks" / cloud / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    shutil.copy(tmp_path / "bin" / "ingresslib", venv_bin / "ingresslib")
    matrix = workflow_matrix(job)[0]
    status, _ = _run_step(step, job, matrix, repo, env)
    assert status == 0
