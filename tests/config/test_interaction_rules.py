"""ingresslib.config.interaction_rules: a message ends with the code of the rule it breaks,
only a code the table holds; the string matching the interaction checks share."""

from __future__ import annotations

import pytest

from ingresslib.config.interaction_rules import RULES, rule, string_admits
from ingresslib.config.routing import StringMatch


def test_a_message_ends_with_the_rules_code() -> None:
    assert rule("ING-IX-HASH-SPLIT") == "(ING-IX-HASH-SPLIT)"
    assert all(rule(code) == f"({code})" for code in RULES)


def test_a_code_the_table_lacks_is_a_defect() -> None:
    with pytest.raises(AssertionError, match=r"^ING-IX-NOPE$"):
        rule("ING-IX-NOPE")


@pytest.mark.parametrize(("match", "value", "admits"), [
    ({"exact": "GET"}, "GET", True),
    ({"exact": "GET"}, "GETX", False),
    ({"exact": "GET"}, "get", False),
    ({"prefix": "/api"}, "/api/v1", True),
    ({"prefix": "/api"}, "/api", True),
    ({"prefix": "/api"}, "/ap", False),
    ({"regex": "GET|OPTIONS"}, "OPTIONS", True),
    ({"regex": "GET|OPTIONS"}, "OPTIONSX", False),
    ({"regex": "GE"}, "GET", False),
    ({"regex": "(?P<bad"}, "GET", True),  # RE2 Python cannot read: assume it can match
])
def test_string_admits_as_envoy_matches(match: dict[str, str], value: str,
                                        admits: bool) -> None:
    assert string_admits(StringMatch.model_validate(match), value) is admits
