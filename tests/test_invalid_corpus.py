"""Every config in tests/corpus/invalid is refused, with the problems its `expect` lists.

Each corpus file names what is wrong with it, says why in its first line, and lists every
(path, message substring) the error must carry; see any file there for the format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ingresslib import parse_config
from ingresslib.cli import main
from ingresslib.errors import ConfigError, Problem

CORPUS = Path(__file__).parent / "corpus" / "invalid"
FILES = sorted(CORPUS.glob("*.yaml"))

# A spread of rule kinds for the (slower) end-to-end CLI check: field and cross-field
# errors, enums, unknown keys, union members, list indices and several problems at once.
CLI_SAMPLE = [
    "cloud-gke",
    "unknown-root-key-gatway",
    "min-replicas-above-max",
    "bad-cidr-source-ranges",
    "self-signed-typo-dns-name",
    "wildcard-certificate-does-not-cover-two-labels",
    "standalone-with-gateway-section",
    "several-cross-field-problems",
]


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


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 40


def test_corpus_files_say_why_they_are_invalid() -> None:
    for path in FILES:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# "), f"{path.name}: no reason comment"
        assert len(first) > 10, f"{path.name}: reason comment too short"


def test_cli_sample_is_in_the_corpus() -> None:
    assert {p.stem for p in FILES} >= set(CLI_SAMPLE)


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
            assert _shown(problem.value) in text
    for problem in error.problems:
        assert f"{problem.path}: {problem.message}" in text


@pytest.mark.parametrize("stem", CLI_SAMPLE)
def test_cli_validate_reports_problems_without_traceback(
    stem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _load(CORPUS / f"{stem}.yaml")
    (tmp_path / "Pulumi.yaml").write_text("name: corpus\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("from ingresslib import load_config\nload_config()\n")
    (tmp_path / "Pulumi.bad.yaml").write_text(
        yaml.safe_dump({"config": {"ingress:stack": data["config"]}}, sort_keys=False)
    )

    code = main(["validate", str(tmp_path), "--stack", "bad"])

    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "is valid" not in out
    assert "Traceback" not in out + err
    assert "invalid ingress:stack" in err
    for item in data["expect"]:
        assert item["path"] in err


def test_cli_validate_reports_missing_config_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: corpus\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("from ingresslib import load_config\nload_config()\n")
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  ingress:stack:\n")

    code = main(["validate", str(tmp_path), "--stack", "bad"])

    _, err = capsys.readouterr()
    assert code == 2
    assert "ingress:stack" in err
