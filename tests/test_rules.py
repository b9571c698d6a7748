"""The rule table (`ingresslib.rules`): every code leads to the functions that enforce it, and
every code the library names is in the table."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from ingresslib import rules as rules_module
from ingresslib.rules import ENFORCED_BY, Rule, main, resolve, rules, where

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"(?<![A-Za-z0-9-])(EDGE-[A-Z0-9-]*[A-Z0-9]|ING-IX-[A-Z0-9-]*[A-Z0-9]|"
                  r"ING[0-9]{4}|GWAPI[0-9]{4}|IST[0-9]{4})(?![A-Za-z0-9-])")
TABLE = rules()


def _named(code: str, text: str) -> bool:
    return code in CODE.findall(text)


def test_every_code_has_a_statement_a_source_and_enforcers() -> None:
    assert set(TABLE) == set(ENFORCED_BY)
    for code, rule in TABLE.items():
        assert isinstance(rule, Rule)
        assert rule.code == code
        assert rule.statement, code
        assert rule.source, code
        assert rule.enforced_by, code
        assert len(set(rule.enforced_by)) == len(rule.enforced_by), code


@pytest.mark.parametrize("code", sorted(ENFORCED_BY))
def test_each_enforcer_exists_and_names_its_code(code: str) -> None:
    for name, fn in zip(TABLE[code].enforced_by, TABLE[code].enforcers(), strict=True):
        assert callable(fn), name
        assert _named(code, inspect.getsource(fn)), f"{name} does not name {code}"


def test_every_code_the_library_names_is_in_the_table() -> None:
    named: dict[str, set[str]] = {}
    for path in sorted((ROOT / "ingresslib").rglob("*.py")):
        if path.name == "rules.py" and path.parent.name == "ingresslib":
            continue
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            named.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    missing = {code: sorted(files) for code, files in named.items() if code not in TABLE}
    assert not missing, f"codes with no row in ingresslib.rules: {missing}"


def test_edge_rules_and_analysis_rules_keep_their_homes() -> None:
    """The statements of edge rules stay in the cloud's and core's RULES (edge_rules); the
    analysis findings' are in ANALYSIS_RULES; no code is stated twice."""
    from ingresslib.stack.model import edge_rules  # noqa: PLC0415

    edge = {r.code for r in edge_rules()}
    assert not edge & set(rules_module.ANALYSIS_RULES)
    assert edge | set(rules_module.ANALYSIS_RULES) == set(TABLE)


def test_where_names_file_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = where("EDGE-DR")
    assert lines[0].startswith(str(ROOT / "ingresslib" / "stack" / "model.py") + ":")
    assert lines[0].endswith(" ingresslib.stack.model:edge_problems")
    assert main(["EDGE-DR"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("EDGE-DR: ")
    assert "enforced by" in out
    assert main(["EDGE-NOPE"]) == 2
    assert "no rule EDGE-NOPE" in capsys.readouterr().err


def test_a_missing_enforcer_fails_to_resolve() -> None:
    with pytest.raises(AttributeError):
        resolve("ingresslib.stack.model:no_such_rule")
