"""The config reference (docs/config-reference.md): every key of `ingress:stack`, by section.

Everything comes from the JSON Schema of `ingress:stack` (`ingresslib.reference.schema`):
keys, types, defaults, constraints and descriptions from the models, which cloud and topology
read a section from its `x-applies-to` (`ingresslib.config.base.applies_to`), and examples
from complete stack configs (`ingresslib.reference.examples`), cut into sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from ingresslib.reference.schema import CONFIG_KEY, REF, Schema, nodes

CLOUDS = ("aks", "eks")
TOPOLOGIES = ("gateway", "chained", "standalone")
# What a value type written as `x-type` in the schema means; its pattern comes from the schema.
VALUE_TYPES = {
    "DNS label": "Lower-case letters, digits and `-`, starting and ending with a letter or "
                 "digit, at most 63 characters (RFC 1123): Kubernetes object names.",
    "DNS subdomain": "DNS labels joined by dots, at most 253 characters.",
    "host": "A lower-case DNS name, optionally with a leading `*.` wildcard "
            "(`shop.example.com`, `*.example.com`); `*` alone where a key allows it.",
    "CIDR": "An IPv4 or IPv6 network in CIDR notation (`203.0.113.0/24`), without host bits.",
    "duration": "A Go duration as Istio and Envoy take it: `250ms`, `5s`, `1m30s`, `1.5h`; "
                "whole milliseconds, at least `1ms`.",
    "Prometheus duration": "A Prometheus duration: `30s`, `5m`, `1h30m`, `2d` (units largest "
                           "first, integers only), longer than zero.",
    "quantity": "A Kubernetes quantity: `500m` or `2` (CPU cores), `512Mi` or `1Gi` (bytes); "
                "above zero. A plain number is taken as written.",
    "count or percentage": "An integer from 0, or a percentage from `0%` to `100%`.",
    "labels": "Kubernetes labels: keys are an optional DNS-subdomain prefix and `/`, then a "
              "name of up to 63 alphanumerics, `-`, `_` or `.`; values up to 63 of the same, "
              "starting and ending alphanumeric (or empty).",
    "annotations": "Kubernetes annotations: keys as for labels, any string values.",
    "HTTP status": "A 4xx or 5xx status code Envoy knows (`429`, `503`).",
    "header name": "An HTTP header name in lower case (`x-api-key`), `:` first for "
                   "pseudo-headers.",
}


@dataclass(frozen=True)
class Scope:
    """The clouds and topologies that read a key; empty means all."""

    clouds: tuple[str, ...] = ()
    topologies: tuple[str, ...] = ()

    def within(self, other: Scope) -> Scope:
        """This scope narrowed by `other` (a section inside a section)."""
        clouds = _narrow(self.clouds, other.clouds, CLOUDS)
        topologies = _narrow(self.topologies, other.topologies, TOPOLOGIES)
        return Scope(clouds, topologies)

    def union(self, other: Scope) -> Scope:
        """Where a section used at two paths applies: at either."""
        clouds = () if not self.clouds or not other.clouds else _either(self.clouds,
                                                                         other.clouds, CLOUDS)
        topologies = () if not self.topologies or not other.topologies else _either(
            self.topologies, other.topologies, TOPOLOGIES)
        return Scope(clouds, topologies)

    def __str__(self) -> str:
        parts = [", ".join(self.clouds), ", ".join(self.topologies)]
        return " · ".join(p for p in parts if p) or "all"


def _narrow(a: tuple[str, ...], b: tuple[str, ...], order: tuple[str, ...]) -> tuple[str, ...]:
    if not a or not b:
        return a or b
    both = tuple(x for x in order if x in a and x in b)
    if not both:
        raise ValueError(f"a section applies to {b} inside one that applies to {a}: never")
    return both


def _either(a: tuple[str, ...], b: tuple[str, ...], order: tuple[str, ...]
            ) -> tuple[str, ...]:
    both = tuple(x for x in order if x in a or x in b)
    return () if both == order else both


def _scope(definition: Schema) -> Scope:
    scope = definition.get("x-applies-to", {})
    return Scope(tuple(scope.get("clouds", ())), tuple(scope.get("topologies", ())))


@dataclass
class Section:
    """One model of the config, documented at the first path it appears at."""

    name: str
    path: str
    scope: Scope
    depth: int
    variant: str | None = None
    also: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        variant = f" ({self.variant})" if self.variant else ""
        return f"`{self.path}`{variant}"

    @property
    def anchor(self) -> str:
        """GitHub's anchor for the heading."""
        text = re.sub(r"[^\w\- ]", "", self.heading.lower())
        return text.replace(" ", "-")


def _ref_name(node: Schema) -> str | None:
    ref = node.get("$ref")
    return ref[len(REF):] if isinstance(ref, str) and ref.startswith(REF) else None


def _unwrap(node: Schema) -> Schema:
    """An optional value's schema without its `null` alternative."""
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    return options[0] if len(options) == 1 and "anyOf" in node else node


def _children(node: Schema, path: str) -> Iterator[tuple[str, str, str | None]]:
    """(definition, path, variant) of each section a key's schema holds."""
    node = _unwrap(node)
    if name := _ref_name(node):
        yield name, path, None
    elif node.get("type") == "array" and isinstance(node.get("items"), dict):
        yield from _children(node["items"], f"{path}[]")
    elif isinstance(node.get("additionalProperties"), dict):
        yield from _children(node["additionalProperties"], f"{path}.<name>")
    for option in node.get("oneOf", []):
        tag = node.get("discriminator", {}).get("propertyName")
        name = _ref_name(option)
        if name is not None:
            yield name, path, tag


def _keys(definition: Schema) -> dict[str, Schema]:
    """The documented keys of a section: camelCase, without the Python spellings."""
    return {k: v for k, v in definition.get("properties", {}).items()
            if not v.get("doNotSuggest")}


def sections(defs: Schema) -> list[Section]:
    """Every section, depth first in key order, each at the first path it appears at."""
    found: dict[str, Section] = {}
    order: list[Section] = []

    def visit(name: str, path: str, outer: Scope, depth: int, tag: str | None) -> None:
        # Every path is walked, so a section used at several gets the union of their scopes.
        definition = defs[name]
        scope = _scope(definition).within(outer)
        if name in found:
            section = found[name]
            section.scope = section.scope.union(scope)
            if path != section.path and path not in section.also:
                section.also.append(path)
        else:
            variant = None if tag is None else (
                f"{tag} `{definition['properties'][tag]['const']}`")
            found[name] = Section(name, path, scope, depth, variant)
            order.append(found[name])
        for key, prop in _keys(definition).items():
            child = f"{path}.{key}" if path != CONFIG_KEY else key
            for sub, sub_path, sub_tag in _children(prop, child):
                visit(sub, sub_path, _scope(prop).within(scope), depth + 1, sub_tag)

    visit("StackConfig", CONFIG_KEY, Scope(), 0, None)
    anchors = [s.anchor for s in order]
    if len(set(anchors)) != len(anchors):
        raise ValueError(f"two sections would share an anchor: {anchors}")
    return order


# ---------------------------------------------------------------- cells of the key tables


def _code(value: Any) -> str:
    text = str(value)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _type(node: Schema, links: dict[str, Section]) -> str:
    node = _unwrap(node)
    if name := _ref_name(node):
        return f"[{links[name].heading}](#{links[name].anchor})"
    if "x-type" in node:
        kind = node["x-type"]
        return f"[{kind}](#{kind.lower().replace(' ', '-')})"
    if "oneOf" in node:
        tag = node.get("discriminator", {}).get("propertyName")
        return f"by `{tag}`: " + ", ".join(
            f"[{links[n].variant}](#{links[n].anchor})"
            for n in map(_ref_name, node["oneOf"]) if n)
    if "anyOf" in node:
        return " or ".join(_type(o, links) for o in node["anyOf"])
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type(node.get('items', {}), links)}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"map of name to {_type(node['additionalProperties'], links)}"
    if "const" in node:
        return "string"
    return str(kind or "any")


def _range(node: Schema) -> str | None:
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum")
    above = "exclusiveMinimum" in node
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"{'>' if above else '≥'} {low}"
    return None if high is None else f"≤ {high}"


def _constraints(node: Schema) -> str:
    node = _unwrap(node)
    if "x-type" in node or _ref_name(node):
        return ""
    out = []
    if "enum" in node:
        out.append("one of " + ", ".join(_code(v) for v in node["enum"]))
    if "const" in node:
        out.append(f"always {_code(node['const'])}")
    if (numbers := _range(node)) is not None:
        out.append(numbers)
    if "minLength" in node or "maxLength" in node:
        lengths = [f"at least {node['minLength']}" if "minLength" in node else "",
                   f"at most {node['maxLength']}" if "maxLength" in node else ""]
        plural = "" if node.get("maxLength", node.get("minLength")) == 1 else "s"
        out.append(" and ".join(x for x in lengths if x) + f" character{plural}")
    if "patternErrorMessage" in node:
        what = node["patternErrorMessage"].removeprefix("must be ")
        out.append(f"{what} ({_code(node['pattern'])})")
    elif "pattern" in node:
        out.append(f"matches {_code(node['pattern'])}")
    if "minItems" in node:
        out.append(f"at least {node['minItems']} item{'s' if node['minItems'] > 1 else ''}")
    keys = node.get("propertyNames", {})
    if "pattern" in keys and node.get("x-type") is None:
        out.append(f"names match {_code(keys['pattern'])}")
    for inner in ("items", "additionalProperties"):
        if isinstance(node.get(inner), dict) and (sub := _constraints(node[inner])):
            out.append(f"each {sub}")
    for option in node.get("anyOf", []):
        if sub := _constraints(option):
            out.append(sub)
    return "; ".join(out)


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix(
        "\n...").removesuffix("...").strip()


def _default(key: str, node: Schema, required: set[str]) -> str:
    if key in required:
        return "**required**"
    if "default" not in node:
        return ""
    value = node["default"]
    if value is None:
        return "unset"
    if isinstance(value, dict) and value and _ref_name(_unwrap(node)):
        return "its keys' defaults"
    return _code(_flow(value))


def _key_scope(key: str, prop: Schema, outer: Scope, defs: Schema) -> Scope:
    """Where a key is read: its section's scope, narrowed by the key's own and by the
    section(s) it holds (either variant, for a discriminated one)."""
    own = _scope(prop).within(outer)
    held = [_scope(defs[sub]).within(own) for sub, _, _ in _children(prop, key)]
    scope = held[0] if held else own
    for other in held[1:]:
        scope = scope.union(other)
    return scope


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# ---------------------------------------------------------------- examples, cut into sections


def _resolve(node: Schema, value: Any, defs: Schema) -> tuple[str | None, Schema]:
    """The section a value belongs to (picking a discriminated variant), and its schema."""
    node = _unwrap(node)
    if "oneOf" in node and isinstance(value, dict):
        tag = node.get("discriminator", {}).get("propertyName")
        for option in node["oneOf"]:
            name = _ref_name(option)
            if name and defs[name]["properties"].get(tag, {}).get("const") == value.get(tag):
                return name, defs[name]
    if name := _ref_name(node):
        return name, defs[name]
    return None, node


def _values(node: Schema, value: Any, defs: Schema) -> Iterator[tuple[str, dict[str, Any]]]:
    """(section, value) for every section value inside `value`, whose schema is `node`."""
    name, node = _resolve(node, value, defs)
    if name is not None and isinstance(value, dict):
        yield name, value
        for key, sub in _keys(node).items():
            if key in value:
                yield from _values(sub, value[key], defs)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for item in value:
            yield from _values(node["items"], item, defs)
    elif isinstance(value, dict) and isinstance(node.get("additionalProperties"), dict):
        for item in value.values():
            yield from _values(node["additionalProperties"], item, defs)


def section_values(defs: Schema, configs: list[dict[str, Any]]) -> dict[str, list[dict]]:
    """Every value each section takes in the example configs, in order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for config in configs:
        for name, value in _values({"$ref": f"{REF}StackConfig"}, config, defs):
            found.setdefault(name, []).append(value)
    return found


def _shown(values: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """Few values that together use every key: each next one adds the most keys not yet
    shown."""
    shown: list[dict[str, Any]] = []
    missing = set(keys)
    while missing:
        best = max(values, key=lambda v: len(missing & set(v)))
        if not missing & set(best):
            break
        shown.append(best)
        missing -= set(best)
    return shown


_ELIDED = "…"


def _snippet(value: dict[str, Any], definition: Schema, defs: Schema) -> str:
    """A section's value as YAML, the values of sections inside it elided."""
    out = {}
    for key, sub in value.items():
        prop = _keys(definition).get(key, {})
        inner = list(_values(prop, sub, defs))
        out[key] = _ELIDED if inner else sub
    return yaml.dump(_flowing(out), Dumper=_Dumper, sort_keys=False, width=96,
                     allow_unicode=True, default_flow_style=False)


class _FlowMap(dict[str, Any]):
    pass


class _FlowList(list[Any]):
    pass


class _Dumper(yaml.SafeDumper):
    """Block style, but lists and maps of scalars on one line (`hosts: [a, b]`)."""


_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=True))


def _flowing(value: Any, top: bool = True) -> Any:
    if isinstance(value, dict):
        inner = {k: _flowing(v, top=False) for k, v in value.items()}
        leaf = not any(isinstance(v, dict | list) for v in value.values())
        return _FlowMap(inner) if leaf and not top else inner
    if isinstance(value, list):
        items = [_flowing(v, top=False) for v in value]
        return _FlowList(items) if not any(isinstance(v, dict | list) for v in value) else items
    return value


# ---------------------------------------------------------------- the document


INTRO = f"""# Config reference: `{CONFIG_KEY}`

<!-- Generated from the config models by `ingresslib schema --reference`: edit the models'
docstrings (or ingresslib/reference/examples.py) and regenerate, never this file. -->

The whole config of an ingresslib stack is one structured Pulumi config value, `{CONFIG_KEY}`,
in `Pulumi.<stack>.yaml`:

```yaml
# yaml-language-server: $schema=<path to docs/pulumi-stack.schema.json>
config:
  {CONFIG_KEY}:
    cloud: eks
    listeners: [...]
```

Each section below lists its keys: type, default, constraints, the clouds and topologies that
read it ("all" when every one does) and what it does. Keys are camelCase as written here; the
models also accept the Python (snake_case) spelling of a key, never both at once, and refuse
unknown keys. Types and constraints are the JSON Schema's,
[`ingress-stack.schema.json`](ingress-stack.schema.json) (the value) and
[`pulumi-stack.schema.json`](pulumi-stack.schema.json) (a whole stack file, for editors through
the `yaml-language-server` comment above); rules between keys are in the descriptions, and
`ingresslib validate` checks all of them. Each section ends with examples cut from complete,
valid configs, which together use its keys (`…` stands for a section of its own).
"""


def _value_types(defs: Schema) -> str:
    patterns: dict[str, str] = {}
    for node in nodes(defs):
        kind = node.get("x-type")
        if kind and kind not in patterns:
            options = node.get("anyOf", [node])
            patterns[kind] = next((o["pattern"] for o in options if "pattern" in o), "")
    unknown = set(patterns) - set(VALUE_TYPES)
    if unknown:
        raise ValueError(f"value types without an explanation: {sorted(unknown)}")
    lines = ["## Value types", ""]
    for kind in sorted(patterns, key=str.lower):
        pattern = f" Pattern: {_code(patterns[kind])}." if patterns[kind] else ""
        lines += [f"### {kind}", "", f"{VALUE_TYPES[kind]}{pattern}", ""]
    return "\n".join(lines)


def _section(section: Section, defs: Schema, links: dict[str, Section],
             values: list[dict[str, Any]]) -> str:
    definition = defs[section.name]
    keys = _keys(definition)
    required = set(definition.get("required", []))
    for rule in definition.get("allOf", []):  # required in either spelling, camelCase first
        required.add(rule["anyOf"][0]["required"][0])
    lines = [f"## {section.heading}", "", definition.get("description", ""), "",
             f"Applies to: {section.scope}."]
    if section.also:
        lines[-1] += " Also at " + ", ".join(_code(p) for p in section.also) + "."
    lines += ["", "| Key | Type | Default | Constraints | Applies to | Description |",
              "|---|---|---|---|---|---|"]
    for key, prop in keys.items():
        cells = [_code(key), _type(prop, links), _default(key, prop, required),
                 _constraints(prop), str(_key_scope(key, prop, section.scope, defs)),
                 prop.get("description", "")]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    shown = _shown(values, list(keys)) if keys else values[:1]
    for value in shown:
        lines += ["", "```yaml", _snippet(value, definition, defs).rstrip(), "```"]
    return "\n".join(lines) + "\n"


def reference(defs: Schema, configs: list[dict[str, Any]]) -> str:
    """The Markdown reference of the definitions `defs` (`schema.definitions()`), with
    examples cut from `configs` (complete `ingress:stack` values)."""
    order = sections(defs)
    links = {s.name: s for s in order}
    values = section_values(defs, configs)
    toc = ["## Sections", ""] + [
        f"{'  ' * s.depth}- [{s.heading}](#{s.anchor})" for s in order]
    body = [_section(s, defs, links, values.get(s.name, [])) for s in order]
    return "\n".join([INTRO, "\n".join(toc) + "\n", *body, _value_types(defs)])


def uncovered(defs: Schema, configs: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Keys of each section that no example config uses (the reference shows none for them)."""
    values = section_values(defs, configs)
    missing = {}
    for section in sections(defs):
        used = {k for v in values.get(section.name, []) for k in v}
        gaps = [k for k in _keys(defs[section.name]) if k not in used]
        if gaps or section.name not in values:
            missing[section.path + (f" ({section.variant})" if section.variant else "")] = gaps
    return missing

