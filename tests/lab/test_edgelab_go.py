"""The lab's Go tool (lab/edgelab) tested by Go's own tests: istiod's translation and the stand-ins.

`go test` reuses the module and build caches scripts/lab-setup filled. On a machine without Go the
test skips and says so; in CI (CI=true) that is a failure: nothing of the lab is skipped there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "lab" / "edgelab"


def test_go_tests_of_the_lab_tool_pass() -> None:
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Go is missing: CI runs the lab's Go tests (scripts/lab-setup needs Go)")
        pytest.skip("Go is not installed: the lab's Go tests need it (scripts/lab-setup)")
    if not (ROOT / ".lab" / "share" / "envoy_bootstrap.json").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("the lab is not set up: .ci/run runs bash scripts/lab-setup first")
        pytest.skip("the lab is not set up: run bash scripts/lab-setup")
    done = subprocess.run([go, "test", "-count=1", "./..."], cwd=MODULE, capture_output=True,
                          text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
