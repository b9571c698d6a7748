"""`ingresslib verify` as a command: cheap --help, exit 2 for set-up and usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingresslib.cli import main
from tests.shared import in_fresh_interpreter

ROOT = Path(__file__).resolve().parents[2]


def test_verify_help_loads_no_sdk_nor_the_lab() -> None:
    probe = ("import json, sys\nfrom ingresslib.cli import main\n"
             "try:\n    main(['verify', '--help'])\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted(sys.modules)))")
    stdout, modules = in_fresh_interpreter(probe)
    loaded = set(modules)
    assert "--render-dir" in stdout
    assert not {m.split(".")[0] for m in loaded} & {"pulumi", "pydantic", "yaml", "h2"}
    assert not any(m.startswith("ingresslib.lab") for m in loaded)


def test_missing_edgelab_names_the_setup_command(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INGRESSLIB_EDGELAB", "/nonexistent/edgelab")
    assert main(["verify", str(ROOT / "stacks/eks"), "--stack", "gateway"]) == 2
    err = capsys.readouterr().err
    assert "bash scripts/lab-setup" in err
    assert "Traceback" not in err


@pytest.fixture
def tools_present(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-in executables: these errors come before any tool runs."""
    monkeypatch.setenv("INGRESSLIB_EDGELAB", "/bin/true")
    monkeypatch.setenv("INGRESSLIB_ENVOY", "/bin/true")


@pytest.mark.usefixtures("tools_present")
def test_render_dir_without_manifests_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(ROOT / "stacks/eks"), "--stack", "gateway",
                 "--render-dir", str(tmp_path)]) == 2
    assert "ingresslib render" in capsys.readouterr().err


@pytest.mark.usefixtures("tools_present")
def test_unknown_stack_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(ROOT / "stacks/eks"), "--stack", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err
    assert "Traceback" not in err
