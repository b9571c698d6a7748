"""A cloud's section named through a DeferredModel (ingresslib/deferred.py) behaves as a field of
its model's type: it validates with the model, its errors keep their paths and their
did-you-mean, its JSON Schema is the model's, and a program can build it by calling it."""

from __future__ import annotations

import typing

import pytest

from ingresslib import ConfigError, StackConfig, parse_config
from ingresslib.aws.config import Aws
from ingresslib.azure.config import Azure
from ingresslib.deferred import DeferredModel, resolved
from tests.configs import aks_stack, eks_stack


@pytest.mark.parametrize(("field", "model"), [("azure", Azure), ("aws", Aws)])
def test_each_cloud_section_names_its_model(field: str, model: type) -> None:
    annotation = StackConfig.model_fields[field].annotation
    (stand_in,) = [a for a in typing.get_args(annotation) if a is not type(None)]
    assert isinstance(stand_in, DeferredModel)
    assert resolved(stand_in) is model
    assert repr(stand_in) == f"{model.__module__}.{model.__name__}"


def test_a_set_section_is_an_instance_of_its_model() -> None:
    cfg = parse_config(aks_stack())
    assert type(cfg.azure) is Azure
    assert parse_config(eks_stack()).azure is None


def test_the_stand_in_answers_isinstance_and_issubclass_for_its_model() -> None:
    from ingresslib.stack import model  # noqa: PLC0415 - where a program meets the stand-ins

    cfg = parse_config(aks_stack())
    assert isinstance(cfg.azure, model.Azure)
    assert not isinstance(cfg.azure, model.Aws)
    assert not isinstance(None, model.Azure)
    assert issubclass(Azure, model.Azure)
    assert not issubclass(Aws, model.Azure)


def test_calling_the_stand_in_builds_the_model() -> None:
    stand_in = DeferredModel("ingresslib.aws.config", "Aws")
    assert stand_in() == Aws()
    assert DeferredModel("ingresslib.azure.config", "Azure").model() is Azure


def test_an_error_under_a_deferred_section_keeps_its_path_and_did_you_mean() -> None:
    data = aks_stack()
    data["azure"]["loadBalancr"] = {}
    with pytest.raises(ConfigError) as e:
        parse_config(data)
    (problem,) = e.value.problems
    assert problem.path == "azure.loadBalancr"
    assert "did you mean loadBalancer?" in problem.message


def test_a_type_error_under_a_deferred_section_names_the_expected_values() -> None:
    data = aks_stack()
    data["azure"]["loadBalancer"] = {"idleTimeoutMinutes": "soon"}
    with pytest.raises(ConfigError) as e:
        parse_config(data)
    (problem,) = e.value.problems
    assert problem.path == "azure.loadBalancer.idleTimeoutMinutes"
    assert problem.value == "soon"


def test_the_json_schema_holds_the_deferred_models() -> None:
    schema = StackConfig.model_json_schema()
    assert schema["properties"]["azure"] == {
        "anyOf": [{"$ref": "#/$defs/Azure"}, {"type": "null"}], "default": None,
        "description": schema["properties"]["azure"]["description"]}
    assert "loadBalancer" in schema["$defs"]["Azure"]["properties"]
    assert "nlb" in schema["$defs"]["Aws"]["properties"]


def test_only_a_model_or_its_stand_in_makes_a_section() -> None:
    from ingresslib.config.base import _section_model  # noqa: PLC0415 - the one private check

    with pytest.raises(TypeError, match="Section takes a model"):
        _section_model(int | None)
    assert _section_model(DeferredModel("m", "n") | None)[1] is True
    assert DeferredModel("m", "n").__or__(int) is NotImplemented
