"""The lab's tests need Envoy and edgelab (`bash scripts/lab-setup`). Outside CI a machine
without them skips the traffic tests, saying so; in CI (CI=true) nothing of the lab is
skipped: a missing tool fails them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ingresslib.lab import stack, tools

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def lab_tools() -> None:
    try:
        tools.envoy()
        tools.edgelab()
    except tools.LabToolMissing as e:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"CI runs every lab test: {e}")
        pytest.skip(f"the lab is not set up here ({e})")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """render(project, stack) -> a fresh copy of its render directory (rendered once)."""
    cache: dict[tuple[str, str], Path] = {}

    def render(project: str, name: str) -> Path:
        if (project, name) not in cache:
            scratch = tmp_path_factory.mktemp(f"render-{Path(project).name}-{name}")
            cache[(project, name)] = stack.load(ROOT / project, name, None, scratch).render_dir
        copy = tmp_path_factory.mktemp("copy") / "render"
        shutil.copytree(cache[(project, name)], copy)
        return copy

    return render
