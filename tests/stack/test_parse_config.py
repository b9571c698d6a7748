"""parse_config takes what the README says: a dict, YAML text, or a pulumi.Config."""

from __future__ import annotations

import contextvars
import json

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


@pytest.mark.parametrize(("text", "words"), [
    ("- cloud: eks", "must be a mapping of config keys"),
    ("cloud: [eks", "is not YAML"),
])
def test_text_that_is_no_config_is_refused(text: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    ((problem),) = err.value.problems
    assert (problem.path, words in problem.message) == ("<root>", True)


def test_a_copy_with_changes_plans_its_own_edge() -> None:
    """pydantic's model_copy carries a cached property's value over (pydantic/pydantic#11428):
    a StackConfig copied with another topology must not render the original's edge plan."""
    cfg = parse_config(eks_stack())
    assert cfg.edge.topology == "gateway"
    chained = cfg.model_copy(update={"topology": "chained"})
    assert chained.edge.topology == "chained"
    assert chained.edge.load_balancer == "AWS ALB"
    assert cfg.model_copy().edge is cfg.edge
