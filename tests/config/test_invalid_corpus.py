"""Every config in tests/corpus/invalid is refused, with the problems its `expect` lists, and
every file in tests/corpus/stacks with the messages tests/corpus/stacks.yaml lists.

Each file of corpus/invalid names what is wrong with it, says why in its first line, and lists
every (path, message substring) the error must carry; see any file there for the format.
corpus/stacks holds whole stack files (and project files) as users write them, mistakes in the
YAML itself included; `ingresslib validate` must report each with its file, line and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingresslib import parse_config
from ingresslib.cli import main
from ingresslib.errors import ABSENT, ConfigError, Problem

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "invalid"
FILES = sorted(CORPUS.glob("*.yaml"))
STACKS = Path(__file__).resolve().parents[1] / "corpus" / "stacks"
STACK_FILES = sorted(STACKS.glob("*.yaml"))
STACK_EXPECT = yaml.safe_load((STACKS.parent / "stacks.yaml").read_text())
# A valid stack file, beside the corpus's project files.
VALID_STACK = """config:
  ingress:stack:
    cloud: eks
    listeners: [{name: http, port: 80, protocol: HTTP, hosts: [shop.example.com]}]
"""
# file:line:column: at the start of a problem line.
LOCATED = re.compile(r"^(  - |error: )(/\S+/)?Pulumi(\.test)?\.yaml:\d+:\d+: ", re.M)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert set(data) == {"expect", "config"}, f"{path.name}: keys must be expect and config"
    assert data["expect"], f"{path.name}: expect lists no problem"
    for item in data["expect"]:
        assert set(item) == {"path", "message"}, f"{path.name}: bad expect entry {item}"
    return data


def _error(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(data["config"], "test")
    return info.value


def _matching(problems: list[Problem], path: str, message: str) -> list[Problem]:
    return [p for p in problems if p.path == path and message in p.message]


def _shown(value: object) -> str:
    """The part of repr(value) that str(ConfigError) shows (it abbreviates long values)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77]


def _project(root: Path, program: str = "load_config()") -> Path:
    (root / "Pulumi.yaml").write_text("name: corpus\nruntime: python\n")
    (root / "__main__.py").write_text(f"from ingresslib import load_config\n{program}\n")
    return root


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 40


def test_corpus_files_say_why_they_are_invalid() -> None:
    for path in FILES:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# "), f"{path.name}: no reason comment"
        assert len(first) > 10, f"{path.name}: reason comment too short"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_invalid_config_is_refused_with_expected_problems(path: Path) -> None:
    data = _load(path)
    error = _error(data)
    assert error.source == "test"
    got = [(p.path, p.message) for p in error.problems]
    for item in data["expect"]:
        assert _matching(error.problems, item["path"], item["message"]), (
            f"expected {item['path']!r} with {item['message']!r}; got {got}"
        )


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_error_text_shows_each_path_and_value(path: Path) -> None:
    data = _load(path)
    error = _error(data)
    text = str(error)
    assert text.startswith(f"invalid test: {len(error.problems)} problem(s)")
    for item in data["expect"]:
        for problem in _matching(error.problems, item["path"], item["message"]):
            assert problem.path in text
            if problem.value is not ABSENT:
                assert _shown(problem.value) in text
    for problem in error.problems:
        assert f"{problem.path}: {problem.message}" in text


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_cli_validate_reports_problems_at_their_lines(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _load(path)
    _project(tmp_path)
    text = yaml.safe_dump({"config": {"ingress:stack": data["config"]}}, sort_keys=False)
    (tmp_path / "Pulumi.bad.yaml").write_text(text)

    code = main(["validate", str(tmp_path), "--stack", "bad"])

    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "is valid" not in out
    assert "Traceback" not in out + err
    assert "invalid ingress:stack" in err
    lines = text.splitlines()
    for item in data["expect"]:
        match = re.search(rf"Pulumi\.bad\.yaml:(\d+):(\d+): {re.escape(item['path'])}: ", err)
        assert match, f"{item['path']} is not reported at a line of the file: {err}"
        line, column = int(match[1]), int(match[2])
        assert 1 <= line <= len(lines)
        assert 1 <= column <= len(lines[line - 1]) + 1


def test_cli_validate_reports_missing_config_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path)
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  ingress:stack:\n")

    code = main(["validate", str(tmp_path), "--stack", "bad"])

    _, err = capsys.readouterr()
    assert code == 2
    assert "ingress:stack" in err


def test_stack_corpus_is_large_and_described() -> None:
    assert len(STACK_FILES) >= 40
    assert sorted(STACK_EXPECT) == [p.stem for p in STACK_FILES]
    for path in STACK_FILES:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# "), f"{path.name}: no reason comment"
        assert len(first) > 10, f"{path.name}: reason comment too short"
        assert STACK_EXPECT[path.stem]["expect"], f"{path.name}: expects nothing"


@pytest.mark.parametrize("path", STACK_FILES, ids=[p.stem for p in STACK_FILES])
def test_stack_file_mistake_is_reported_at_its_line(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = STACK_EXPECT[path.stem]
    _project(tmp_path, case.get("program", "load_config()"))
    if path.stem.startswith("project-"):
        (tmp_path / "Pulumi.yaml").write_text(path.read_text())
        (tmp_path / "Pulumi.test.yaml").write_text(VALID_STACK)
    else:
        (tmp_path / "Pulumi.test.yaml").write_text(path.read_text())

    code = main(["validate", str(tmp_path), "--stack", "test"])

    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert out == ""
    assert "Traceback" not in err
    for expected in case["expect"]:
        assert any(expected in line for line in err.splitlines()), f"{expected!r} not in {err}"
    for rejected in case.get("reject", []):
        assert rejected not in err
    problems = [line for line in err.splitlines() if line.startswith(("  - ", "error: "))
                and not line.startswith("error: invalid")]
    assert problems
    for line in problems:
        assert LOCATED.match(line), f"no file:line:column: {line}"
