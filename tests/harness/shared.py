"""Locate ``../shared`` (upstream schemas and seeds), which lives beside the repo, not in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"


def require_shared() -> Path:
    """Return SHARED_DIR; skip on a fresh user clone, but fail under CI where it must exist."""
    if SHARED_DIR.is_dir():
        return SHARED_DIR
    if os.environ.get("CI") == "true":
        pytest.fail("../shared is missing under CI, where it is always present")
    pytest.skip("../shared (upstream schemas) is absent on this clone; CI always has it")
