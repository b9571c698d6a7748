"""The JSON Schema of `ingress:stack`, and of a Pulumi stack file that holds it.

Both come from `StackConfig`'s own JSON Schema, reworked for the people who write stack files:
keys in their YAML spelling (camelCase) with the Python spelling (snake_case) accepted but
never suggested, as the models accept both but not together; definition names that do not
depend on which module a model lives in; maps with constrained keys refusing other keys.
Cross-field rules (a certificate that covers its listener's hosts, weights adding up to 100)
are not in a schema: `ingresslib validate` checks them.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from typing import Any

# Draft 7: yaml-language-server (VS Code, Neovim) validates no later draft fully
# (redhat-developer/yaml-language-server#856).
DIALECT = "http://json-schema.org/draft-07/schema#"
CONFIG_KEY = "ingress:stack"
_REF = "#/$defs/"  # pydantic's
REF = "#/definitions/"  # the published schemas'

Schema = dict[str, Any]


def _pydantic(by_alias: bool) -> Schema:
    from ingresslib import StackConfig  # noqa: PLC0415 (models load on demand)

    return StackConfig.model_json_schema(by_alias=by_alias, mode="validation")


def nodes(node: Any) -> Iterator[Schema]:
    """Every schema object in `node`, depth first, parents before children."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from nodes(value)


def _refs(node: Schema) -> Iterator[str]:
    """Definition names `node` refers to, in document order."""
    for sub in nodes(node):
        ref = sub.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            yield ref[len(_REF):]


def _first_sections(schema: Schema) -> dict[str, str]:
    """For each definition, the top-level key of `ingress:stack` it is first reached from."""
    defs = schema["$defs"]
    section: dict[str, str] = {}
    for key, prop in schema["properties"].items():
        todo = list(_refs(prop))
        while todo:
            name = todo.pop(0)
            if name not in section:
                section[name] = key
                todo += _refs(defs[name])
    return section


def _stable_names(schema: Schema) -> dict[str, str]:
    """pydantic qualifies a colliding model name with its module (`ingresslib__config__aws__
    AccessLogs`), which would change when a module moves: name it after the section of
    `ingress:stack` it first appears under instead (`AwsAccessLogs`)."""
    sections = _first_sections(schema)
    renames = {}
    for name, definition in schema["$defs"].items():
        if "__" in name:
            section = sections[name]
            renames[name] = section[0].upper() + section[1:] + definition["title"]
    taken = set(schema["$defs"]) - set(renames)
    clashes = taken & set(renames.values())
    if clashes or len(set(renames.values())) != len(renames):
        raise ValueError(f"two models would share a schema definition name: {renames}")
    return renames


def _rename(schema: Schema, renames: dict[str, str]) -> Schema:
    text = json.dumps(schema)
    for old, new in renames.items():
        text = text.replace(f'"{_REF}{old}"', f'"{_REF}{new}"')
    renamed = json.loads(text)
    renamed["$defs"] = {renames.get(k, k): v for k, v in renamed["$defs"].items()}
    return renamed


def _pattern_keys(node: Schema) -> None:
    """A map whose keys pydantic constrains gets `patternProperties`, which leaves other keys
    unchecked; refuse them instead, and check every value."""
    patterns = node.pop("patternProperties", None)
    if patterns:
        ((pattern, values),) = patterns.items()
        node["propertyNames"] = {**node.get("propertyNames", {}), "pattern": pattern}
        node["additionalProperties"] = values


def _python_spellings(defs: Schema, names: Schema) -> None:
    """Accept each key's snake_case spelling too (never suggested, never with the camelCase
    one): `names` are the same definitions generated with field names instead of aliases."""
    for name, definition in defs.items():
        props = definition.get("properties", {})
        snake = list(names[name].get("properties", {}))
        spellings = {camel: py for camel, py in zip(props, snake, strict=True) if camel != py}
        if not spellings:
            continue
        required = definition.get("required", [])
        either = []
        for camel, py in spellings.items():
            props[py] = {"$ref": f"{_REF}{name}/properties/{camel}", "doNotSuggest": True,
                         "description": f"`{camel}`, in its Python spelling."}
            definition.setdefault("dependencies", {})[py] = {"not": {"required": [camel]}}
            if camel in required:
                required.remove(camel)
                either.append({"anyOf": [{"required": [camel]}, {"required": [py]}]})
        if either:
            definition["allOf"] = either
        if not required:
            definition.pop("required", None)


def _sections(schema: Schema, renames: dict[str, str]) -> Schema:
    """`$defs` with `StackConfig` itself among them, under stable names."""
    schema = _rename(schema, renames)
    root = {k: v for k, v in schema.items() if k != "$defs"}
    return {"StackConfig": root, **schema["$defs"]}


def _prose(text: str) -> str:
    """A docstring as one line per paragraph: editors and Markdown tables wrap it themselves."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


def definitions() -> Schema:
    """`StackConfig` and every section it holds, by stable name: the `definitions` of both
    schemas (a fresh copy: the models' schemas are built once)."""
    return copy.deepcopy(_definitions())


@functools.cache
def _definitions() -> Schema:
    raw = _pydantic(by_alias=True)
    renames = _stable_names(raw)
    defs = _sections(raw, renames)
    for node in nodes(defs):
        node.pop("title", None)
        if isinstance(node.get("description"), str):
            node["description"] = _prose(node["description"])
        _pattern_keys(node)
    _python_spellings(defs, _sections(_pydantic(by_alias=False), renames))
    return json.loads(json.dumps(defs).replace(f'"{_REF}', f'"{REF}'))


def stack_schema() -> Schema:
    """The JSON Schema (draft 7) of the `ingress:stack` value: `StackConfig`, whose keys are
    the camelCase keys of the config, its sections under `definitions`."""
    return {"$schema": DIALECT, "title": CONFIG_KEY, "$ref": f"{REF}StackConfig",
            "definitions": definitions()}


def stack_file_schema() -> Schema:
    """The JSON Schema of a Pulumi stack file (`Pulumi.<stack>.yaml`) of an ingresslib
    program: `config.ingress:stack`, where given, is the stack's config (`StackConfig` under
    `definitions`); every other config key and top-level key is left as Pulumi takes it."""
    return {
        "$schema": DIALECT,
        "title": "Pulumi.<stack>.yaml of an ingresslib stack",
        "description": "A Pulumi stack file whose `config` holds the ingress stack under "
                       f"`{CONFIG_KEY}`; other config keys (`aws:region`, secrets) pass.",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "description": "The stack's config: `<namespace>:<key>` to value.",
                "properties": {CONFIG_KEY: {"$ref": f"{REF}StackConfig"}},
            },
            "secretsprovider": {"type": "string",
                                "description": "Where the stack's secrets are encrypted."},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {"description": "Pulumi ESC environments imported into the config."},
        },
        "definitions": definitions(),
    }


def dumps(schema: Schema) -> str:
    """The published text of a schema: sorted keys are not used, so properties keep the
    models' order (which is the order editors and the reference show)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
