"""The config reference and the JSON Schemas in docs/: current with the models, usable by
editors on every shipped stack file, refusing what the models refuse and accepting what they
accept (both key spellings), with examples that are valid stacks using every key."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from ingresslib import parse_config
from ingresslib.cli import main
from ingresslib.errors import ConfigError
from ingresslib.reference import (
    REFERENCE_FILE,
    SCHEMA_FILE,
    STACK_FILE_SCHEMA_FILE,
    document,
    documents,
)
from ingresslib.reference.examples import configs
from ingresslib.reference.markdown import uncovered
from ingresslib.reference.schema import definitions, nodes
from ingresslib.stack.render import check, stack_manifests
from tests.conftest import ROOT

DOCS = ROOT / "docs"
STACK_FILES = sorted([ROOT / "Pulumi.dev.yaml", *ROOT.glob("stacks/*/Pulumi.*.yaml"),
                      *ROOT.glob("examples/*/Pulumi.*.yaml")])
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)
# A key no example can use: the metric types customMetrics take refuse Utilization targets.
UNUSABLE = {"gateway.autoscaling.customMetrics[].target": ["averageUtilization"]}


def _validator(name: str) -> Draft7Validator:
    return Draft7Validator(json.loads((DOCS / name).read_text()))


STACK = _validator(SCHEMA_FILE)
STACK_FILE = _validator(STACK_FILE_SCHEMA_FILE)


def _errors(validator: Draft7Validator, data: Any) -> list[str]:
    """Every error message, those of the alternatives of anyOf and oneOf included."""
    todo, messages = list(validator.iter_errors(data)), []
    while todo:
        error = todo.pop(0)
        messages.append(error.message)
        todo += error.context or []
    return messages


@pytest.mark.parametrize("name", [SCHEMA_FILE, STACK_FILE_SCHEMA_FILE, REFERENCE_FILE])
def test_docs_are_what_the_models_give(name: str) -> None:
    assert (DOCS / name).read_text() == document(name), (
        f"docs/{name} is stale: run `ingresslib schema --write docs`")


def test_the_schemas_are_valid_draft_7() -> None:
    for name in (SCHEMA_FILE, STACK_FILE_SCHEMA_FILE):
        Draft7Validator.check_schema(json.loads((DOCS / name).read_text()))


def test_patterns_are_portable_to_editors() -> None:
    """Editors run patterns as ECMAScript regexes: no Python-only syntax."""
    schema = json.loads((DOCS / SCHEMA_FILE).read_text())
    patterns = [n["pattern"] for n in nodes(schema) if isinstance(n.get("pattern"), str)]
    assert len(patterns) > 20
    for pattern in patterns:
        re.compile(pattern)
        assert not re.search(r"\(\?(P|<[=!]|[aiLmsux]+\))|\\[AZz]", pattern), pattern


def test_definition_names_do_not_depend_on_modules() -> None:
    names = set(definitions())
    assert not [n for n in names if "__" in n]
    assert {"AwsAccessLogs", "ObservabilityAccessLogs", "AwsRoute53",
            "CertManagerRoute53"} <= names


def test_cli_prints_each_document_and_writes_all(capsys, tmp_path: Path) -> None:
    for args, name in (([], SCHEMA_FILE), (["--stack-file"], STACK_FILE_SCHEMA_FILE),
                       (["--reference"], REFERENCE_FILE)):
        assert main(["schema", *args]) == 0
        assert capsys.readouterr().out == document(name)
    assert main(["schema", "--write", str(tmp_path / "docs")]) == 0
    assert {p.name: p.read_text() for p in (tmp_path / "docs").iterdir()} == documents()


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_stack_files_name_the_schema_and_validate(path: Path) -> None:
    text = path.read_text()
    (target,) = MODELINE.findall(text.splitlines()[0])
    assert (path.parent / target).resolve() == DOCS / STACK_FILE_SCHEMA_FILE
    assert _errors(STACK_FILE, yaml.safe_load(text)) == []


def _examples() -> list[dict[str, Any]]:
    return configs()


@pytest.mark.parametrize("index", range(len(configs())))
def test_examples_are_valid_stacks_that_render_cleanly(index: int) -> None:
    cfg = parse_config(_examples()[index])
    assert check(cfg, stack_manifests(cfg).all()) == []


def test_examples_use_every_key_of_every_section() -> None:
    assert uncovered(definitions(), configs()) == UNUSABLE


@pytest.mark.parametrize("index", range(len(configs())))
def test_schema_accepts_the_examples_in_both_spellings(index: int) -> None:
    data = _examples()[index]
    assert _errors(STACK, data) == []
    assert _errors(STACK_FILE, {"config": {"ingress:stack": data, "aws:region": "eu-west-1"}}) == []
    # The Python spelling of every key the models know (map keys such as labels stay as given).
    snake = parse_config(data).model_dump(mode="json", exclude_unset=True)
    assert snake != data
    assert _errors(STACK, snake) == []
    parse_config(snake)


def _stack(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(_examples()[1])  # EKS chained: small
    data.update(changes)
    return data


def _listener(**changes: Any) -> dict[str, Any]:
    data = _stack()
    data["listeners"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_stack(cloud="gke"), "'gke' is not one of ['aks', 'eks']"),
        (_stack(replica=3), "'replica' was unexpected"),
        (_stack(name="Shop_Edge"), "does not match"),
        (_listener(port=70000), "70000 is greater than the maximum of 65535"),
        (_listener(hosts=[]), "[] should be non-empty"),
        (_listener(hosts=["Shop.Example.com"]), "does not match"),
        (_stack(certificates={"edge-tls": {"source": "letsEncrypt", "dnsNames": ["a.b"]}}),
         "is not valid under any of the given schemas"),
        (_stack(certificates={"Edge_TLS": {"source": "acm", "dnsNames": ["a.example.com"],
                                           "validationZone": "example.com"}}),
         "does not match"),
        (_stack(loadBalancer={"deregistrationDelaySeconds": 10,
                              "deregistration_delay_seconds": 20}),
         "should not be valid under"),
        (_stack(gateway={"drain": {"terminationDrainSeconds": "45s"}}), "is not of type 'integer'"),
        (_stack(gateway={"resources": {"requests": {"cpu": "lots", "memory": "1Gi"}}}),
         "is not valid under any of the given schemas"),
        (_stack(routing={"hosts": [{"host": "shop.example.com", "routes": [
            {"name": "web", "timeout": "10 seconds", "to": [{"backend": "shop"}]}]}]}),
         "does not match"),
    ],
    ids=["cloud", "unknown-key", "dns-label", "port", "no-hosts", "host-case", "source",
         "map-key", "both-spellings", "integer", "quantity", "duration"],
)
def test_schema_refuses_what_the_models_refuse(data: dict[str, Any], words: str) -> None:
    errors = _errors(STACK, data)
    assert any(words in e for e in errors), errors
    with pytest.raises(ConfigError):
        parse_config(data)


def test_schema_accepts_python_spelled_required_keys_and_refuses_none_missing() -> None:
    data = _stack()
    acm = data["certificates"]["edge-tls"]
    acm["validation_zone"] = acm.pop("validationZone")
    data["aws"]["alb"]["vpc_id"] = data["aws"]["alb"].pop("vpcId")
    assert _errors(STACK, data) == []
    parse_config(data)
    del data["aws"]["alb"]["vpc_id"]
    assert _errors(STACK, data) != []


def test_stack_file_schema_takes_other_config_and_refuses_a_bad_stack() -> None:
    assert _errors(STACK_FILE, {"config": {"app:host": "a.example.com"}}) == []
    bad = {"config": {"ingress:stack": _stack(topology="mesh")}}
    assert any("'mesh' is not one of" in e for e in _errors(STACK_FILE, bad))


def test_the_docs_link_the_reference_and_the_schemas() -> None:
    assert f"](docs/{REFERENCE_FILE})" in (ROOT / "README.md").read_text()
    started = (ROOT / "docs/getting-started.md").read_text()
    for name in (REFERENCE_FILE, SCHEMA_FILE, STACK_FILE_SCHEMA_FILE):
        assert f"]({name})" in started
