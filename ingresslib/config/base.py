"""Shared base for every config model: camelCase keys, unknown keys rejected, frozen values."""


import ast
import inspect
import ipaddress
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic.config import ExtraValues
from pydantic.json_schema import (
    DEFAULT_REF_TEMPLATE,
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
)
from pydantic_core import CoreSchema, core_schema

from ingresslib.deferred import DeferredModel, resolved
from ingresslib.errors import ConfigError, Problem, caller_location, plain

# The key of a section's model in its core schema's metadata (`Section`).
_SECTION = "ingresslib_section"
# The options of the model_validate* call under way (strict, extra, from_attributes, by_alias,
# by_name), which a Section passes on to its model: pydantic hands a validator function the
# call's context, not its other options.
_CALL_OPTIONS: ContextVar[Mapping[str, Any]] = ContextVar(
    "ingresslib_call_options", default=MappingProxyType({}))


class ConfigJsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with a section's field untitled as a field of a model's type is
    (its model's schema carries the title)."""

    def field_title_should_be_set(self, schema: Any) -> bool:  # a core schema or field
        if _SECTION in schema.get("metadata", {}):
            return False
        return super().field_title_should_be_set(schema)


class Model(BaseModel):
    """Pulumi YAML spells keys in camelCase, Python in snake_case; both load, typos fail."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        # Validators are built on first use: a stack never pays for the other cloud's models.
        defer_build=True,
    )

    def __init__(self, /, **data: Any) -> None:
        """Build the section from keyword arguments (snake_case or camelCase; nested sections
        as models or dicts). Invalid input raises ConfigError, as a YAML stack file does: every
        problem with its path (list items by name), the value and the fix, a did-you-mean for
        misspelt keys, and the file:line of the call in the user's program."""
        try:
            super().__init__(**data)
        except ValidationError as e:
            error = ConfigError.from_validation(e, data, type(self).__name__, type(self),
                                                python=True)
        except ConfigError as e:
            # A model's own rules (a whole StackConfig's pipeline): list items by name.
            error = ConfigError(e.problems, type(self).__name__).named(plain(data))
        else:
            return
        where = caller_location()
        raise (error.located(lambda _: where) if where else error) from None

    # Validation of a nested section never runs this __init__ (pydantic calls a custom one
    # for every nested model otherwise, as RootModel avoids the same way): a nested problem
    # stays a path in the outer call's error.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def replace(self, /, **changes: Any) -> Self:
        """A copy with `changes` (keyword arguments in either spelling, as the constructor
        takes them), validated as the constructor validates: a bad value or a misspelt key
        raises ConfigError at the caller's line, and every rule of the section (a whole
        StackConfig's pipeline, its edge planned afresh) runs again. The fields the original
        left at their defaults stay unset. pydantic's own `model_copy(update=...)` copies
        without validating: a typo or a wrong value there reaches the render unchecked."""
        names = {f.alias or name: name for name, f in type(self).model_fields.items()}
        values = {name: getattr(self, name) for name in self.model_fields_set}
        values |= {names.get(key, key): value for key, value in changes.items()}
        return type(self)(**values)

    @classmethod
    def defaults(cls) -> Self:
        """The section with every field at its default, equal to `cls()`. pydantic never
        validates a default, and an `after` model validator judges the section it is given
        (ours return it unchanged or raise), so unless a `before` or `wrap` validator could
        shape the empty input, it is built without validating (`model_construct`): a
        section's default then costs no validator build (`defer_build`), and a stack builds
        its validators once, for the sections it reads. A class with such a validator
        (`Disruption`'s derived defaults) is validated as `cls()`. Every model's defaults
        are checked against `cls()` by the tests."""
        if any(d.info.mode != "after"
               for d in cls.__pydantic_decorators__.model_validators.values()):
            return cls()
        return cls.model_construct()

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler
                                     ) -> JsonSchemaValue:
        """The docstring under a field is its description in the JSON Schema and the reference
        (what pydantic's `use_attribute_docstrings` does, with one parse per module instead of
        a search of the source per class). Read here, when a schema is asked for, rather than
        when the class is made: validating a config never pays for parsing the source."""
        json_schema = handler(schema)
        properties = handler.resolve_ref_schema(json_schema).get("properties", {})
        for name, info in cls.__pydantic_fields__.items():
            key = info.alias if info.alias in properties else name
            doc = _field_doc(cls, name)
            if info.description is None and doc is not None and key in properties:
                properties[key] = {**properties[key], "description": doc}
        return json_schema

    @classmethod
    def model_validate(cls, obj: Any, *, strict: bool | None = None,
                       extra: ExtraValues | None = None, from_attributes: bool | None = None,
                       context: Any | None = None, by_alias: bool | None = None,
                       by_name: bool | None = None) -> Self:
        """pydantic's `model_validate`; its options reach the sections (`Section`) too."""
        given = _given(strict=strict, extra=extra, from_attributes=from_attributes,
                       by_alias=by_alias, by_name=by_name)
        with _options(given):
            return super().model_validate(obj, context=context, **given)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *,
                            strict: bool | None = None, extra: ExtraValues | None = None,
                            context: Any | None = None, by_alias: bool | None = None,
                            by_name: bool | None = None) -> Self:
        """pydantic's `model_validate_json`; its options reach the sections too (which
        validate the parsed values: no config model has a type whose JSON and Python rules
        differ)."""
        given = _given(strict=strict, extra=extra, by_alias=by_alias, by_name=by_name)
        with _options(given):
            return super().model_validate_json(json_data, context=context, **given)

    @classmethod
    def model_validate_strings(cls, obj: Any, *, strict: bool | None = None,
                               extra: ExtraValues | None = None, context: Any | None = None,
                               by_alias: bool | None = None, by_name: bool | None = None
                               ) -> Self:
        """pydantic's `model_validate_strings`; a section takes its strings the same way."""
        given = _given(strict=strict, extra=extra, by_alias=by_alias, by_name=by_name)
        with _options(given, strings=True):
            return super().model_validate_strings(obj, context=context, **given)

    @classmethod
    def model_json_schema(cls, by_alias: bool | None = None,
                          ref_template: str = DEFAULT_REF_TEMPLATE,
                          schema_generator: type[GenerateJsonSchema] = ConfigJsonSchema,
                          mode: JsonSchemaMode = "validation", **more: Any) -> dict[str, Any]:
        """pydantic's `model_json_schema`, generated by `ConfigJsonSchema` unless told (`more`:
        the keyword arguments of the installed pydantic's own, such as `union_format`)."""
        return super().model_json_schema(by_alias, ref_template, schema_generator, mode, **more)

    def problems(self, path: str) -> Iterator[Problem]:
        """Cross-field rules of this section; `path` is where the section sits in the config."""
        return iter(())


_MODULE_DOCS: dict[str, dict[str, dict[str, str]]] = {}


def _class_docs(node: ast.ClassDef) -> dict[str, str]:
    """Field name -> the string right under its annotated assignment, as pydantic reads it."""
    docs: dict[str, str] = {}
    target: str | None = None
    previous: ast.stmt | None = None
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
        elif (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
              and isinstance(stmt.value.value, str) and isinstance(previous, ast.AnnAssign)):
            if target:
                docs[target] = inspect.cleandoc(stmt.value.value)
            target = None
        previous = stmt
    return docs


def _module_docs(path: str) -> dict[str, dict[str, str]]:
    """Qualified class name -> its field docstrings, for every class of the module at `path`."""
    if path not in _MODULE_DOCS:
        found: dict[str, dict[str, str]] = {}
        todo = [("", ast.parse(Path(path).read_text(encoding="utf-8")))]
        while todo:
            prefix, parent = todo.pop()
            for node in getattr(parent, "body", []):
                if isinstance(node, ast.ClassDef):
                    found[prefix + node.name] = _class_docs(node)
                    todo.append((f"{prefix}{node.name}.", node))
        _MODULE_DOCS[path] = found
    return _MODULE_DOCS[path]


def _field_doc(cls: type[BaseModel], name: str) -> str | None:
    """The docstring of field `name` in the class that declares it (a subclass that declares
    the field again without one has none)."""
    owner = next((c for c in cls.__mro__ if name in inspect.get_annotations(c)), cls)
    return field_docstrings(owner).get(name)


def field_docstrings(cls: type[BaseModel]) -> dict[str, str]:
    """The docstrings under `cls`'s own annotated fields, by field name (none for a class made
    in a function, or without a source file)."""
    path = getattr(sys.modules.get(cls.__module__), "__file__", None)
    if "<locals>" in cls.__qualname__ or not path or not path.endswith(".py"):
        return {}
    return _module_docs(path).get(cls.__qualname__, {})


def scope(*, clouds: tuple[str, ...] = (), topologies: tuple[str, ...] = ()) -> dict[str, Any]:
    """`json_schema_extra` of a field that only some clouds (`aks`, `eks`) or topologies
    (`gateway`, `chained`, `standalone`) read: `x-applies-to` in its JSON Schema, shown by the
    config reference. The stack's rules refuse or ignore the field elsewhere."""
    given = {key: list(v) for key, v in (("clouds", clouds), ("topologies", topologies)) if v}
    return {"x-applies-to": given}


def applies_to(*, clouds: tuple[str, ...] = (), topologies: tuple[str, ...] = ()) -> ConfigDict:
    """`model_config` of a section only some clouds or topologies read (see `scope`)."""
    return ConfigDict(json_schema_extra=scope(clouds=clouds, topologies=topologies))


_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def _dns_label(value: str) -> str:
    if len(value) > 63 or not _DNS1123_LABEL.match(value):
        raise ValueError(
            "must be a DNS-1123 label: lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters"
        )
    return value


def _dns_subdomain(value: str) -> str:
    if len(value) > 253 or not _DNS1123_SUBDOMAIN.match(value):
        raise ValueError(
            "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', "
            "at most 253 characters"
        )
    return value


def _cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as e:
        raise ValueError(f"must be a CIDR block such as 203.0.113.0/24 ({e})") from None
    return value


def _label_key(key: str) -> None:
    prefix, _, name = key.rpartition("/")
    if prefix and not _DNS1123_SUBDOMAIN.match(prefix):
        raise ValueError(f"label key {key!r}: prefix must be a DNS-1123 subdomain")
    if len(name) > 63 or not _LABEL_NAME.match(name):
        raise ValueError(
            f"label key {key!r}: name must be 1-63 alphanumerics, '-', '_' or '.', "
            "starting and ending alphanumeric"
        )


def _labels(value: dict[str, str]) -> dict[str, str]:
    for key, val in value.items():
        _label_key(key)
        if len(val) > 63 or not _LABEL_VALUE.match(val):
            raise ValueError(
                f"label {key}={val!r}: value must be at most 63 alphanumerics, '-', '_' or '.', "
                "starting and ending alphanumeric"
            )
    return value


def _annotations(value: dict[str, str]) -> dict[str, str]:
    for key in value:
        _label_key(key)
    return value


def _int_or_percent(value: int | str) -> int | str:
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    if not (value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) <= 100):
        raise ValueError("must be an integer or a percentage from '0%' to '100%'")
    return value


@dataclass(frozen=True)
class Pattern:
    """`Annotated[str, Pattern(regex, what)]`: refuses a string `regex` does not match, saying
    it "must be <what>", and publishes `regex` as the JSON Schema's `pattern` with that message
    as `patternErrorMessage` (what editors using VS Code's JSON language service, the YAML
    language server among them, show for a mismatch; the config reference shows `what`). Not
    with `flags`, which JSON Schema patterns cannot carry."""

    regex: str
    what: str
    flags: int = 0

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> CoreSchema:
        compiled = re.compile(self.regex, self.flags)

        def check(value: str) -> str:
            if not compiled.match(value):
                raise ValueError(f"must be {self.what}")
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler
                                     ) -> JsonSchemaValue:
        json_schema = handler(schema)
        if self.flags:
            return json_schema
        return {**json_schema, "pattern": self.regex, "patternErrorMessage": f"must be {self.what}"}


class Section:
    """`Annotated[SomeModel, Section()]` (or `SomeModel | None`): the field is validated by its
    model's own validator, built the first time a config sets the field, instead of inside the
    validator of the model that holds it. pydantic builds a model's validator with every model
    under it; with its sections marked, a stack's validator holds only its own fields, and a
    stack that leaves `rateLimits` unset never builds RateLimits' validator.

    For fields a config holds once (the stack's sections). A field of a list item (a route's
    `retries`) stays inline: validating it through Python once per item costs 10,000 routes
    more (about 0.2 s in `bench/routing.py`, and more garbage collection) than building it
    costs a config that never sets it (3 ms for all of a route's optional sections).

    The model may be a `DeferredModel` (`ingresslib.deferred`): its module then loads
    the first time a config sets the field, as each cloud's section does.

    Nothing else changes: a section's errors keep their paths (pydantic-core puts the field's
    name in front of the ValidationError a validator raises), an instance of the model is
    taken as it is, the options of `Model.model_validate*` reach the section (`_CALL_OPTIONS`),
    and `Model.model_json_schema` shows the model as pydantic would (`ConfigJsonSchema`;
    pydantic's own generator, as `TypeAdapter` uses it, adds a `title` to the field)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Section()"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> CoreSchema:
        target, optional = _section_model(source)

        def validate(value: Any, info: core_schema.ValidationInfo) -> Any:
            if value is None and optional:
                return None
            model = resolved(target)
            options = _CALL_OPTIONS.get()
            if not options:
                return model.model_validate(value, context=info.context)
            given = {key: v for key, v in options.items() if key != "strings"}
            if options.get("strings"):
                return model.model_validate_strings(value, context=info.context, **given)
            return model.model_validate(value, context=info.context, **given)

        return core_schema.with_info_plain_validator_function(
            validate, metadata={_SECTION: (target, optional)})

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler
                                     ) -> JsonSchemaValue:
        """The model's own schema (built here, when a JSON Schema is asked for)."""
        target, optional = schema["metadata"][_SECTION]
        inner = resolved(target).__pydantic_core_schema__
        # Both wrappers generate the model through pydantic's generate_inner, which makes it a
        # `$ref` to its definition, as a field of the model's type is.
        return handler(core_schema.nullable_schema(inner) if optional
                       else core_schema.definitions_schema(inner, []))


def _given(**options: Any) -> dict[str, Any]:
    """The options a model_validate* call was given (the others are left to pydantic, whose
    older releases take fewer)."""
    return {key: value for key, value in options.items() if value is not None}


@contextmanager
def _options(given: dict[str, Any], *, strings: bool = False) -> Iterator[None]:
    """`given`, the options of a model_validate* call (`strings`: model_validate_strings),
    for its sections while it runs. A call with none, under none, sets nothing (the common
    case costs one lookup)."""
    options = {**given, "strings": True} if strings else given
    if not options and not _CALL_OPTIONS.get():
        yield
        return
    token = _CALL_OPTIONS.set(options)
    try:
        yield
    finally:
        _CALL_OPTIONS.reset(token)


def _section_model(source: Any) -> tuple[type[BaseModel] | DeferredModel, bool]:
    """The model of a section's annotation (or its DeferredModel), and whether it is optional
    (`Model | None`)."""
    members = [a for a in get_args(source) if a is not type(None)] or [source]
    if len(members) != 1 or not (isinstance(members[0], DeferredModel) or (
            isinstance(members[0], type) and issubclass(members[0], BaseModel))):
        raise TypeError(f"Section takes a model or an optional model, not {source!r}")
    return members[0], source is not members[0]


# What the validators below accept, as JSON Schema (for editors and the config reference).
_LABEL_SCHEMA = r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"
_KEY_SCHEMA = (r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
               r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABELS_SCHEMA = {"type": "object", "x-type": "labels", "propertyNames": {"pattern": _KEY_SCHEMA},
                  "additionalProperties": {"type": "string", "maxLength": 63,
                                           "pattern": _LABEL_SCHEMA}}

DnsLabel = Annotated[str, AfterValidator(_dns_label), WithJsonSchema(
    {"type": "string", "x-type": "DNS label", "maxLength": 63,
     "pattern": _DNS1123_LABEL.pattern})]
DnsSubdomain = Annotated[str, AfterValidator(_dns_subdomain), WithJsonSchema(
    {"type": "string", "x-type": "DNS subdomain", "maxLength": 253,
     "pattern": _DNS1123_SUBDOMAIN.pattern})]
Cidr = Annotated[str, AfterValidator(_cidr), WithJsonSchema(
    {"type": "string", "x-type": "CIDR", "pattern": r"^[0-9A-Fa-f:.]+/[0-9]{1,3}$"})]
Labels = Annotated[dict[str, str], AfterValidator(_labels), WithJsonSchema(_LABELS_SCHEMA)]
Annotations = Annotated[dict[str, str], AfterValidator(_annotations), WithJsonSchema(
    {"type": "object", "x-type": "annotations", "propertyNames": {"pattern": _KEY_SCHEMA},
     "additionalProperties": {"type": "string"}})]
IntOrPercent = Annotated[int | str, AfterValidator(_int_or_percent), WithJsonSchema(
    {"x-type": "count or percentage", "anyOf": [{"type": "integer", "minimum": 0},
               {"type": "string", "pattern": r"^(100|[1-9]?[0-9])%$"}]})]
UrlPath = Annotated[str, Field(max_length=1024),
                    Pattern(r"^/[^\s]*$", "a path that starts with '/' and has no spaces")]
"""A request path a probe or health check asks for (`/healthz/ready`), at most 1,024
characters."""
