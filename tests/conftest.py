"""Shared fixtures: every stack and example the repo ships, rendered offline under fresh mocks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh, empty AWS account (moto) per test, reached through one shared boto3 session."""
    from tests.aws_account import SESSION, moto  # noqa: PLC0415 (imports boto3)

    if moto is None:
        if os.environ.get("CI") == "true":
            pytest.fail("moto is missing under CI, where the dev extra installs it")
        pytest.skip("moto is not installed (the dev extra brings it): it emulates the AWS API")
    # Loading moto's AMI catalogue dominates EC2 start-up, and nothing here uses AMIs.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with moto.mock_aws():
        yield SESSION
