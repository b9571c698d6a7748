"""A config's sections are validated by their own models' validators (`Section`): what a user
sees must not change for it. Each section's misspelt key gets its did-you-mean, the options of
`model_validate*` reach the sections, an instance of a section's model is taken as it is, and
the JSON Schema of a section's field is the one pydantic gives a model-typed field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from ingresslib import ConfigError, StackConfig, parse_config
from ingresslib.config import Observability, RateLimits, Routing
from ingresslib.config.base import Section
from ingresslib.config.stack import LoadBalancer
from tests.configs import eks_stack

# Each top-level section of StackConfig, a key misspelt directly in it, and the key meant.
TYPOS = [
    ("loadBalancer", "deregistrationDelay", "deregistrationDelaySeconds"),
    ("observability", "prometheusScrap", "prometheusScrape"),
    ("rateLimits", "locall", "local"),
    ("routing", "host", "hosts"),
    ("gatewayApi", "chanel", "channel"),
    ("certManager", "issuer", "issuers"),
    ("gateway", "replica", "replicas"),
    ("security", "mtl", "mtls"),
    ("aws", "nlbb", "nlb"),
]


def _sections() -> list[str]:
    return [name for name, field in StackConfig.model_fields.items()
            if any(isinstance(m, Section) for m in field.metadata)]


def test_the_typos_cover_every_section() -> None:
    aliases = {StackConfig.model_fields[name].alias for name in _sections()}
    assert aliases - {section for section, _, _ in TYPOS} == {"azure"}  # refused on eks first


@pytest.mark.parametrize(("section", "typo", "meant"), TYPOS)
def test_a_misspelt_key_in_a_section_gets_its_did_you_mean(section: str, typo: str,
                                                           meant: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(eks_stack(**{section: {typo: 1}}))
    problems = [p for p in info.value.problems if p.path == f"{section}.{typo}"]
    assert problems, [str(p) for p in info.value.problems]
    assert f"unknown key; did you mean {meant}" in problems[0].message


def _config(**sections: Any) -> dict[str, Any]:
    return {**eks_stack(), **sections}


def test_strict_reaches_the_sections() -> None:
    data = _config(observability={"prometheusScrape": "yes"})
    assert StackConfig.model_validate(data).observability.prometheus_scrape is True  # lax
    with pytest.raises(ValidationError) as info:
        StackConfig.model_validate(data, strict=True)
    assert info.value.errors()[0]["loc"] == ("observability", "prometheusScrape")
    with pytest.raises(ValidationError):
        StackConfig.model_validate_json(json.dumps(data), strict=True)


def test_extra_and_by_name_reach_the_sections() -> None:
    ignored = StackConfig.model_validate(_config(observability={"bogus": 1}), extra="ignore")
    assert ignored.observability == Observability.defaults()
    with pytest.raises(ValidationError) as info:
        StackConfig.model_validate(_config(observability={"prometheus_scrape": False}),
                                   by_name=False)
    assert info.value.errors()[0]["loc"] == ("observability", "prometheus_scrape")


def test_from_attributes_reaches_the_sections() -> None:
    class Attributes:
        scheme = "internal"
        deregistration_delay_seconds = 5

    config = StackConfig.model_validate(_config(loadBalancer=Attributes()),
                                        from_attributes=True)
    assert config.load_balancer == LoadBalancer(scheme="internal",
                                                deregistration_delay_seconds=5)


def test_strings_reach_the_sections() -> None:
    data = _config(loadBalancer={"deregistrationDelaySeconds": "5"})
    assert StackConfig.model_validate_strings(data).load_balancer.deregistration_delay_seconds == 5


def test_a_sections_model_instance_is_taken_as_it_is() -> None:
    routing, limits = Routing(), RateLimits()
    config = StackConfig(**eks_stack(), routing=routing, rate_limits=limits)
    assert config.routing is routing
    assert config.rate_limits is limits


def test_a_sections_field_has_the_schema_of_a_model_typed_field() -> None:
    properties = StackConfig.model_json_schema()["properties"]
    assert properties["loadBalancer"]["$ref"] == "#/$defs/LoadBalancer"
    assert properties["aws"]["anyOf"] == [{"$ref": "#/$defs/Aws"}, {"type": "null"}]
    assert [key for key in _sections() if "title" in properties[
        StackConfig.model_fields[key].alias]] == []
