"""Shared fixtures: every stack and example the repo ships, rendered offline under fresh mocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingresslib.offline.mocks import Registered
from ingresslib.offline.runner import run_project
from tests.harness.shared import require_shared
from tests.harness.validate import ManifestValidator

ROOT = Path(__file__).resolve().parents[1]


def _projects() -> list[tuple[str, str]]:
    """(project dir, stack) for every Pulumi.<stack>.yaml under stacks/ and examples/."""
    found = []
    for stack_file in sorted([*ROOT.glob("stacks/*/Pulumi.*.yaml"),
                              *ROOT.glob("examples/*/Pulumi.*.yaml")]):
        found.append((str(stack_file.parent.relative_to(ROOT)), stack_file.name[7:-5]))
    return found


PROJECTS = _projects()


@pytest.fixture(scope="session")
def renders() -> dict[tuple[str, str], list[Registered]]:
    """Each project rendered once per session; each render has its own loop and mocks."""
    return {(d, s): run_project(ROOT / d, s) for d, s in PROJECTS}


@pytest.fixture(scope="session")
def validator() -> ManifestValidator:
    return ManifestValidator(require_shared())
