"""parse_config takes what the README says: a dict, YAML text, or a pulumi.Config."""

from __future__ import annotations

import contextvars
import json
import sys

import pulumi
import pytest
import yaml

from ingresslib import StackConfig, parse_config
from ingresslib.errors import ConfigError
from tests.configs import eks_stack

TEXT = """
cloud: eks
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [app.example.com]}
"""


def test_yaml_text_is_the_same_as_its_data() -> None:
    assert parse_config(TEXT) == parse_config(yaml.safe_load(TEXT))


def _from_pulumi_config(value: str) -> StackConfig:
    """parse_config(pulumi.Config("ingress")) with ingress:stack set, as in a Pulumi program."""

    def run() -> StackConfig:
        pulumi.runtime.set_all_config({"ingress:stack": value}, [])
        return parse_config(pulumi.Config("ingress"))

    return contextvars.Context().run(run)


def test_a_pulumi_config_is_read_at_its_stack_key() -> None:
    data = yaml.safe_load(TEXT)
    assert _from_pulumi_config(json.dumps(data)) == parse_config(data)
    with pytest.raises(ConfigError, match=r"^invalid ingress:stack: 1 problem"):
        _from_pulumi_config(json.dumps({**data, "cloud": "gke"}))


def test_text_that_is_no_config_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config("- cloud: eks")
    ((problem),) = err.value.problems
    assert (problem.path, "must be a mapping of config keys" in problem.message) == (
        "<root>", True)


@pytest.mark.parametrize(("text", "where", "words"), [
    ("cloud: [eks", (2, 1), "close the '[' opened at line 1, column 8"),
    # YAML keeps the last of two keys without a word; stack files refuse it, so does text.
    ("cloud: eks\ncloud: aks\n", (2, 1), "duplicate key: also set at line 1"),
])
def test_yaml_text_is_read_as_a_stack_file_is(text: str, where: tuple[int, int],
                                                words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    ((problem),) = err.value.problems
    assert problem.location is not None
    assert (problem.location.file, problem.location.line, problem.location.column) == (
        "config text", *where)
    assert words in problem.message


def test_a_program_s_config_is_refused_at_its_line() -> None:
    """As the constructors: a fresh trial found parse_config's problems without a line."""
    with pytest.raises(ConfigError) as err:
        parse_config({**eks_stack(), "name": "Edge"})
    line = sys._getframe().f_lineno - 1
    ((problem),) = err.value.problems
    assert problem.path == "name"
    assert problem.location is not None
    assert (problem.location.file, problem.location.line) == (__file__, line)


def test_a_copy_with_changes_plans_its_own_edge() -> None:
    """pydantic's model_copy carries a cached property's value over (pydantic/pydantic#11428):
    a StackConfig copied with another topology must not render the original's edge plan."""
    cfg = parse_config(eks_stack())
    assert cfg.edge.topology == "gateway"
    chained = cfg.model_copy(update={"topology": "chained"})
    assert chained.edge.topology == "chained"
    assert chained.edge.load_balancer == "AWS ALB"
    assert cfg.model_copy().edge is cfg.edge
