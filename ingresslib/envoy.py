"""Check EnvoyFilter patch values against Envoy's own API before they are rendered.

Istio's admission check only warns about unknown fields in a patch value, and istiod then drops
them: a misspelt `failure_mode_deny` would silently leave the gateway failing open. A value Envoy
refuses outright fails later still, on the gateway, when istiod pushes it. Parsing each value with
the classes envoy-data-plane generates from Envoy's protos turns both into an error at render time.

The library's `from_dict` already refuses unknown keys and enum names, but it coerces scalars the
way pydantic's lax mode does (`"yes"` becomes `true`) and names no path in its errors; the walk
below holds scalars to the proto3 JSON mapping and reports where in the value a problem sits.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import betterproto2
from betterproto2 import casing
from envoy_data_plane.message_pool import default_message_pool
from pydantic.warnings import PydanticDeprecationWarning


@contextlib.contextmanager
def _quiet_imports() -> Iterator[None]:
    """envoy-data-plane's generated classes use a pydantic idiom deprecated since pydantic 2.12,
    and each module warns as it loads: the warning is for that library's authors, not ours."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", category=PydanticDeprecationWarning, module=r"envoy_data_plane\."
        )
        yield


with _quiet_imports():
    from envoy_data_plane.envoy.type.v3 import StatusCode
    from envoy_data_plane.google.protobuf import Any as AnyMessage

# The HTTP statuses Envoy's HttpStatus takes (its StatusCode enum only admits defined values).
HTTP_STATUS_CODES = frozenset(code.value for code in StatusCode)
TYPE_URL_PREFIX = "type.googleapis.com/"

# What istiod decodes each patch into (its xds.BuildXDSObjectFromStruct).
PATCH_MESSAGES = {
    "LISTENER": "envoy.config.listener.v3.Listener",
    "FILTER_CHAIN": "envoy.config.listener.v3.FilterChain",
    "NETWORK_FILTER": "envoy.config.listener.v3.Filter",
    "LISTENER_FILTER": "envoy.config.listener.v3.ListenerFilter",
    "HTTP_FILTER": "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter",
    "ROUTE_CONFIGURATION": "envoy.config.route.v3.RouteConfiguration",
    "VIRTUAL_HOST": "envoy.config.route.v3.VirtualHost",
    "HTTP_ROUTE": "envoy.config.route.v3.Route",
    "CLUSTER": "envoy.config.cluster.v3.Cluster",
    "EXTENSION_CONFIG": "envoy.config.core.v3.TypedExtensionConfig",
    "BOOTSTRAP": "envoy.config.bootstrap.v3.Bootstrap",
}

_INTS = {
    betterproto2.TYPE_INT32, betterproto2.TYPE_INT64, betterproto2.TYPE_UINT32,
    betterproto2.TYPE_UINT64, betterproto2.TYPE_SINT32, betterproto2.TYPE_SINT64,
    betterproto2.TYPE_FIXED32, betterproto2.TYPE_FIXED64, betterproto2.TYPE_SFIXED32,
    betterproto2.TYPE_SFIXED64,
}
# proto3 JSON: 64-bit integers and special floats travel as strings, bytes as base64 text.
_SCALAR_KINDS: dict[str, tuple[type, ...]] = {
    betterproto2.TYPE_BOOL: (bool,),
    betterproto2.TYPE_STRING: (str,),
    betterproto2.TYPE_BYTES: (str,),
    betterproto2.TYPE_ENUM: (str, int),
    betterproto2.TYPE_FLOAT: (int, float, str),
    betterproto2.TYPE_DOUBLE: (int, float, str),
    **dict.fromkeys(_INTS, (int, str)),
}
# Well-known types whose JSON form is not an object of their fields.
_WELL_KNOWN_KINDS: dict[str, tuple[type, ...]] = {
    "Duration": (str,),
    "Timestamp": (str,),
    "FieldMask": (str,),
    "Struct": (Mapping,),
    "ListValue": (list,),
}

MessageClass = type[betterproto2.Message]


class EnvoyConfigError(ValueError):
    """A patch value Envoy would refuse or misread; the message says where and why."""


def validate_patch_value(apply_to: str, value: dict[str, Any]) -> None:
    """Parse `value` as the Envoy message istiod decodes an `apply_to` patch into, strictly,
    including every typed_config / typed_per_filter_config by its `@type`."""
    if apply_to not in PATCH_MESSAGES:
        raise EnvoyConfigError(
            f"applyTo {apply_to!r} is not one of {', '.join(sorted(PATCH_MESSAGES))}"
        )
    cls = message_class(PATCH_MESSAGES[apply_to])
    _check_message(cls, value, "value")
    try:
        cls.from_dict(value)
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise EnvoyConfigError(f"{apply_to} value is not a valid {_name(cls)}: {e}") from None


def message_class(type_name: str) -> MessageClass:
    """The generated class for a fully qualified proto message name such as
    `envoy.config.route.v3.VirtualHost` (nested: `envoy.config.route.v3.RouteAction.HashPolicy`).

    envoy-data-plane lays out one module per proto package and registers each message in its
    pool when that module is imported: import the package, then look the name up.
    """
    parts = type_name.split(".")
    package = []
    for part in parts:
        if not part.isidentifier() or part[0].isupper():
            break
        package.append(part)
    if package and len(package) < len(parts):
        # No such package is reported below, like any other unknown name.
        with contextlib.suppress(ImportError), _quiet_imports():
            importlib.import_module(f"envoy_data_plane.{'.'.join(package)}")
    cls = default_message_pool.url_to_type.get(TYPE_URL_PREFIX + type_name)
    if cls is None:
        raise EnvoyConfigError(f"unknown message type {type_name!r}: Envoy's API has no such type")
    return cls


def _name(cls: MessageClass) -> str:
    return default_message_pool.type_to_url[cls].removeprefix(TYPE_URL_PREFIX)


def _custom_json(cls: MessageClass) -> bool:
    """Well-known types (wrappers, Duration, Struct, Any...) have a JSON form of their own."""
    return cls.to_dict is not betterproto2.Message.to_dict


def _check_message(cls: MessageClass, value: Any, path: str) -> None:
    if cls is AnyMessage:
        _check_any(value, path)
        return
    if _custom_json(cls):
        _check_well_known(cls, value, path)
        return
    if not isinstance(value, Mapping):
        raise EnvoyConfigError(f"{path}: a {_name(cls)} is an object, got {value!r}")
    meta = cls._betterproto
    spelt: dict[str, str] = {}
    for key, item in value.items():
        field = casing.safe_snake_case(key)
        where = f"{path}.{key}"
        if field not in meta.meta_by_field_name:
            near = difflib.get_close_matches(field, meta.meta_by_field_name, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise EnvoyConfigError(f"{where}: {_name(cls)} has no field {key!r}{hint}")
        if field in spelt:
            raise EnvoyConfigError(f"{where}: the same field as {spelt[field]!r}; keep one")
        spelt[field] = key
        if item is not None:  # JSON null is the field's default
            _check_field(meta, field, item, where)


def _check_field(meta: Any, field: str, item: Any, where: str) -> None:
    info = meta.meta_by_field_name[field]
    if info.proto_type == betterproto2.TYPE_MAP:
        if not isinstance(item, Mapping):
            raise EnvoyConfigError(f"{where}: a map is an object, got {item!r}")
        value_cls = meta.cls_by_field[f"{field}.value"]
        for key, entry in item.items():
            _check_single(info.map_meta[1], value_cls, entry, f"{where}[{key!r}]")
    elif info.repeated:
        if not isinstance(item, list):
            raise EnvoyConfigError(f"{where}: a repeated field is a list, got {item!r}")
        for i, entry in enumerate(item):
            _check_single(info, meta.cls_by_field[field], entry, f"{where}[{i}]")
    else:
        _check_single(info, meta.cls_by_field[field], item, where)


def _check_single(info: Any, field_cls: Any, item: Any, where: str) -> None:
    if info.proto_type == betterproto2.TYPE_MESSAGE:
        _check_message(info.unwrap() if info.unwrap else field_cls, item, where)
        return
    _check_scalar(info.proto_type, item, where)
    if info.proto_type == betterproto2.TYPE_ENUM and isinstance(item, str):
        names = field_cls.__members__.keys() | field_cls.betterproto_renamed_proto_names_to_value()
        if item not in names:
            raise EnvoyConfigError(
                f"{where}: {item!r} is not a value of {field_cls.__name__} "
                f"({', '.join(sorted(names))})"
            )


def _check_scalar(proto_type: str, item: Any, where: str) -> None:
    kinds = _SCALAR_KINDS[proto_type]
    if not isinstance(item, kinds) or (isinstance(item, bool) and bool not in kinds):
        raise EnvoyConfigError(f"{where}: {item!r} is not a valid {proto_type} in JSON")


def _check_well_known(cls: MessageClass, value: Any, path: str) -> None:
    fields = cls._betterproto.meta_by_field_name
    if hasattr(cls, "from_wrapped") and "value" in fields:  # BoolValue, UInt32Value, ...
        _check_scalar(fields["value"].proto_type, value, path)
        return
    kinds = _WELL_KNOWN_KINDS.get(cls.__name__)
    if kinds and not isinstance(value, kinds):
        raise EnvoyConfigError(f"{path}: {value!r} is not a valid {_name(cls)} in JSON")


def _check_any(value: Any, path: str) -> None:
    """An Any names its message in `@type`; the other keys are that message's fields, or
    `value` for a well-known type."""
    if not isinstance(value, Mapping):
        raise EnvoyConfigError(f"{path}: an Any is an object with '@type', got {value!r}")
    type_url = value.get("@type")
    if not isinstance(type_url, str) or not type_url.startswith(TYPE_URL_PREFIX):
        raise EnvoyConfigError(
            f"{path}: '@type' must be a type URL such as "
            f"'{TYPE_URL_PREFIX}envoy.config.route.v3.Route', got {type_url!r}"
        )
    try:
        cls = message_class(type_url.removeprefix(TYPE_URL_PREFIX))
    except EnvoyConfigError as e:
        raise EnvoyConfigError(f"{path}.@type: {e}") from None
    rest = {k: v for k, v in value.items() if k != "@type"}
    if _custom_json(cls):
        if rest.keys() != {"value"}:
            raise EnvoyConfigError(f"{path}: an Any holding {_name(cls)} takes only 'value'")
        _check_message(cls, rest["value"], f"{path}.value")
    else:
        _check_message(cls, rest, path)
