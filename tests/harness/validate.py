"""Validate rendered manifests as the API server would, so a bad field fails in CI, not at deploy.

Three layers, all lazily loaded and cached at module level (the tests validate hundreds of objects):

* built-in kinds: kubernetes-validate's strict schemas, for every Kubernetes version we support;
* custom resources: the JSON schemas in ``../shared/schemas/crds`` (CRDs with unknown fields
  forbidden);
* Istio resources: additionally the CEL rules (``x-kubernetes-validations``) of Istio's own CRDs,
  which JSON schema cannot express;
* Gateway API resources: the v1.6.1 CRDs themselves (``../shared/schemas/gateway-api``, standard
  channel unless the validator is built for ``experimental``): their structural schema, strict,
  then their CEL rules on the object with the schema's defaults applied, as the API server does.
"""

from __future__ import annotations

import copy
import datetime
import functools
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import celpy
import jsonschema
import kubernetes_validate
import yaml
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.evaluation import CELEvalError
from jsonschema.protocols import Validator
from kubernetes_validate.utils import SchemaNotFoundError, all_versions, major_minor
from packaging.version import Version
from referencing import Registry, Resource

K8S_VERSIONS = ("1.29.0", "1.30.0", "1.31.0", "1.32.0", "1.33.0")

_KV_SCHEMAS = Path(kubernetes_validate.__file__).resolve().parent / "kubernetes-json-schema"
_DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"
_OBJECT_META_REF = f"{_DEFINITIONS_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# Names that end up in file paths: anything else cannot name a real resource type anyway.
_KIND_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_GROUP_RE = re.compile(r"([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_VERSION_RE = re.compile(r"v[a-z0-9]+")
_PATH_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # jsonschema's json_path convention


def _json_path(parts: Iterable[str | int]) -> str:
    """Render a path the way jsonschema's ``ValidationError.json_path`` does, for uniform output."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PATH_KEY_RE.match(part):
            path += "." + part
        else:
            path += "['" + part.replace("\\", "\\\\").replace("'", r"\'") + "']"
    return path


# --------------------------------------------------------------------------- built-in kinds


@functools.cache
def _kv_versions() -> tuple[str, ...]:
    """Schema sets shipped by kubernetes-validate (it re-lists the directory on every call)."""
    return tuple(all_versions())


def _kv_schema_dir(desired: str) -> str:
    """Pick the schema set exactly as kubernetes_validate.validate does (newest not newer)."""
    desired = desired.removeprefix("v")
    wanted = Version(major_minor(desired))
    available = _kv_versions()
    candidates = [v for v in available if Version(major_minor(v)) <= wanted]
    if not candidates or wanted > Version(major_minor(available[-1])):
        raise ValueError(f"kubernetes-validate has no schemas for Kubernetes {desired}")
    return f"v{candidates[-1]}-local-strict"


def _kv_file_name(kind: str, api_version: str) -> str:
    """kubernetes_validate's file naming: rbac.authorization.k8s.io/v1 Role -> role-rbac-v1."""
    slug = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{slug}.json"


@functools.cache
def _kv_schema(schema_dir: str, kind: str, api_version: str) -> dict[str, Any] | None:
    """One top-level kind schema, or None where kubernetes_validate raises SchemaNotFoundError."""
    path = _KV_SCHEMAS / schema_dir / _kv_file_name(kind, api_version)
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _kv_registry(schema_dir: str) -> Registry[Any]:
    """The shared ``_definitions.json`` every kind schema $refs, parsed once per version."""
    text = (_KV_SCHEMAS / schema_dir / "_definitions.json").read_text(encoding="utf-8")
    return Resource.from_contents(json.loads(text)) @ Registry()


@functools.cache
def _kv_validator(schema_dir: str, kind: str, api_version: str) -> Validator | None:
    """Same validator kubernetes_validate.validate builds, but compiled once and reused."""
    schema = _kv_schema(schema_dir, kind, api_version)
    if schema is None:
        return None
    registry = Resource.from_contents(schema) @ _kv_registry(schema_dir)
    return jsonschema.Draft202012Validator(schema, registry=registry)


@functools.cache
def _object_meta_validator(schema_dir: str) -> Validator:
    """Strict ObjectMeta, for custom resources whose CRD schemas say only ``type: object``."""
    return jsonschema.Draft202012Validator(
        {"$ref": _OBJECT_META_REF}, registry=_kv_registry(schema_dir)
    )


@functools.cache
def _is_builtin(api_version: str, kind: str) -> bool:
    """Built-in iff some kubernetes-validate schema set declares exactly this group/version/kind.

    Checking the declared GVK (not just the file name) keeps e.g. networking.istio.io/v1 Ingress
    from being mistaken for networking.k8s.io/v1 Ingress, which shares the file name.
    """
    group, _, version = api_version.rpartition("/")
    gvk = {"group": group, "version": version, "kind": kind}
    for v in _kv_versions():
        schema = _kv_schema(f"v{v}-local-strict", kind, api_version)
        if schema is not None and gvk in schema.get("x-kubernetes-group-version-kind", []):
            return True
    return False


# --------------------------------------------------------------------------- custom resources


def _allow_nullable(node: Any) -> Any:
    """OpenAPI ``nullable: true`` -> JSON schema that accepts null, as the API server does."""
    if isinstance(node, list):
        return [_allow_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _allow_nullable(value) for key, value in node.items()}
    if out.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def _python_patterns(node: Any) -> Any:
    """Go's RE2 (which the API server uses) accepts global flags anywhere, e.g. the Prometheus
    operator's `^(?i)(abort|warn)?$`; Python only at the start: move them there, unchanged in
    meaning."""
    if isinstance(node, dict):
        out = {k: _python_patterns(v) for k, v in node.items()}
        pattern = out.get("pattern")
        if isinstance(pattern, str) and _INLINE_FLAGS.search(pattern, 1):
            flags = "".join(_INLINE_FLAGS.findall(pattern))
            out["pattern"] = f"(?{flags})" + _INLINE_FLAGS.sub("", pattern)
        return out
    if isinstance(node, list):
        return [_python_patterns(v) for v in node]
    return node


@functools.cache
def _crd_validator(shared_dir: Path, group: str, version: str, kind: str) -> Validator | None:
    """Compiled validator for ``crds/<group>/<kind>_<version>.json``, or None if there is none.

    Those files describe spec/status only (metadata is at most ``type: object``) and do not
    forbid unknown top-level fields, which the API server's strict field validation rejects:
    close the top level here; metadata is checked separately against ObjectMeta.
    """
    path = shared_dir / "schemas" / "crds" / group / f"{kind.lower()}_{version}.json"
    if not path.is_file():
        return None
    schema = _python_patterns(_allow_nullable(json.loads(path.read_text(encoding="utf-8"))))
    properties = schema.setdefault("properties", {})
    properties.setdefault("apiVersion", {"type": "string"})
    properties.setdefault("kind", {"type": "string"})
    properties.setdefault("metadata", {"type": "object"})
    schema.setdefault("additionalProperties", False)
    # The files carry no $schema; their OpenAPI 3.0 subset means the same under Draft 7.
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    cls.check_schema(schema)
    validator: Validator = cls(schema)
    return validator


# --------------------------------------------------------------------------- Istio CEL rules
# Kubernetes' CEL environment has library functions cel-python lacks; these are the ones Istio's
# CRDs use, ported from cel-go's strings extension and k8s.io/apiserver/pkg/cel/library.

_GO_DURATION_UNITS_NS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_GO_DURATION_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")


def _parse_go_duration(text: str) -> int:
    """Go's time.ParseDuration (what Kubernetes' duration() uses), in integer nanoseconds.

    cel-python's own parser rounds to microseconds, rejects "0" and "µs" and accepts "d".
    """
    rest = text
    negative = rest[:1] == "-"
    if rest[:1] in "+-" and rest:
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise ValueError(f"time: invalid duration {text!r}")
    total = 0
    while rest:
        match = _GO_DURATION_PART.match(rest)
        assert match is not None  # the pattern matches the empty string
        whole, frac, unit = match.group(1), match.group(2) or "", match.group(3)
        if not whole and not frac:
            raise ValueError(f"time: invalid duration {text!r}")
        if unit not in _GO_DURATION_UNITS_NS:
            raise ValueError(f"time: unknown or missing unit {unit!r} in duration {text!r}")
        scale = _GO_DURATION_UNITS_NS[unit]
        total += int(whole or "0") * scale
        if frac:
            total += int(Fraction(int(frac), 10 ** len(frac)) * scale)  # Go truncates, too
        rest = rest[match.end() :]
    if total > (1 << 63) - (0 if negative else 1):
        raise ValueError(f"time: invalid duration {text!r}")
    return -total if negative else total


class _NanoDuration(celtypes.DurationType):
    """A CEL duration that compares at Go's nanosecond precision, not timedelta's microseconds."""

    nanos: int

    def __new__(cls, nanos: int) -> _NanoDuration:
        """Keep the exact value beside the (microsecond) timedelta the base class stores."""
        instance = cast(
            "_NanoDuration", super().__new__(cls, datetime.timedelta(microseconds=nanos // 1000))
        )
        instance.nanos = nanos
        return instance

    @staticmethod
    def _ns(value: Any) -> int:
        if isinstance(value, _NanoDuration):
            return value.nanos
        if isinstance(value, datetime.timedelta):
            return (value // datetime.timedelta(microseconds=1)) * 1000
        raise TypeError(f"no such overload: duration compared with {type(value).__name__}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, datetime.timedelta) and self.nanos == self._ns(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: Any) -> bool:
        return self.nanos < self._ns(other)

    def __le__(self, other: Any) -> bool:
        return self.nanos <= self._ns(other)

    def __gt__(self, other: Any) -> bool:
        return self.nanos > self._ns(other)

    def __ge__(self, other: Any) -> bool:
        return self.nanos >= self._ns(other)

    def __hash__(self) -> int:
        return hash(self.nanos)


def _cel_duration(value: Any) -> celtypes.DurationType:
    """CEL ``duration(string)`` with Go's parsing rules."""
    if isinstance(value, celtypes.DurationType):
        return value
    if not isinstance(value, str):
        raise TypeError(f"no such overload: duration({type(value).__name__})")
    return _NanoDuration(_parse_go_duration(str(value)))


def _cel_substring(text: Any, start: Any, end: Any = None) -> celtypes.StringType:
    """cel-go strings extension ``<string>.substring(start[, end])`` (code-point indices)."""
    if not isinstance(text, str) or not isinstance(start, int):
        raise TypeError("no such overload: substring")
    stop = len(text) if end is None else end
    if not isinstance(stop, int) or not 0 <= start <= stop <= len(text):
        raise ValueError(f"index out of range: substring({start}, {stop}) of {len(text)} chars")
    return celtypes.StringType(text[start:stop])


@dataclass(frozen=True)
class _GoURL:
    """What Kubernetes' ``url()`` yields; only the parts Istio's rules read."""

    scheme: str
    host: str


def _go_get_scheme(raw: str) -> tuple[str, str]:
    """Go net/url getScheme."""
    for i, char in enumerate(raw):
        if char.isascii() and char.isalpha():
            continue
        if char.isascii() and (char.isdigit() or char in "+-."):
            if i == 0:
                return "", raw
            continue
        if char == ":":
            if i == 0:
                raise ValueError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


_HEX = frozenset("0123456789abcdefABCDEF")
_HOST_OK = frozenset("!$&'()*+,;=:[]<>\"-_.~")
_USERINFO_OK = frozenset("-._:~!$&'()*+,;=%@")


def _go_unescape(text: str, host: bool) -> None:
    """Go net/url unescape's error checks (the decoded value is not needed)."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%":
            code = text[i + 1 : i + 3]
            if len(code) < 2 or not set(code) <= _HEX:
                raise ValueError(f"invalid URL escape {text[i : i + 3]!r}")
            if host and int(code[0], 16) < 8 and code != "25":
                raise ValueError(f"invalid URL escape {text[i : i + 3]!r}")
            i += 3
            continue
        if host and char.isascii() and not char.isalnum() and char not in _HOST_OK:
            raise ValueError(f"invalid character {char!r} in host name")
        i += 1


def _go_valid_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= c <= "9" for c in port[1:]))


def _go_parse_host(host: str) -> str:
    """Go net/url parseHost."""
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise ValueError("missing ']' in host")
        if not _go_valid_port(host[end + 1 :]):
            raise ValueError(f"invalid port {host[end + 1 :]!r} after host")
    elif (colon := host.rfind(":")) != -1 and not _go_valid_port(host[colon:]):
        raise ValueError(f"invalid port {host[colon:]!r} after host")
    _go_unescape(host, host=True)
    return host


def _go_parse_url(raw: str, via_request: bool) -> _GoURL:
    """Go net/url parse(): ParseRequestURI when via_request, else Parse minus the fragment."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise ValueError("invalid control character in URL")
    if via_request and not raw:
        raise ValueError("empty url")
    if raw == "*":
        return _GoURL("", "")
    scheme, rest = _go_get_scheme(raw)
    scheme = scheme.lower()
    # Drop the query: Go keeps it, but nothing here validates or reads it.
    rest = rest[:-1] if rest.endswith("?") and rest.count("?") == 1 else rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            return _GoURL(scheme, "")  # opaque, e.g. mailto:x
        if via_request:
            raise ValueError("invalid URI for request")
        if ":" in rest.partition("/")[0]:
            raise ValueError("first path segment in URL cannot contain colon")
    host = ""
    if (scheme or (not via_request and not rest.startswith("///"))) and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        rest = slash + path
        userinfo, at, hostport = authority.rpartition("@")
        host = _go_parse_host(hostport)
        if at:
            if not all(c.isascii() and (c.isalnum() or c in _USERINFO_OK) for c in userinfo):
                raise ValueError("invalid userinfo")
            for part in userinfo.split(":", 1):
                _go_unescape(part, host=False)
    _go_unescape(rest, host=False)
    return _GoURL(scheme, host)


def _cel_is_url(value: Any) -> celtypes.BoolType:
    """Kubernetes ``isURL(string)``: url.ParseRequestURI succeeds."""
    if not isinstance(value, str):
        raise TypeError("no such overload: isURL")
    try:
        _go_parse_url(value, via_request=True)
    except ValueError:
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


def _cel_url(value: Any) -> _GoURL:
    """Kubernetes ``url(string)``: ParseRequestURI must succeed, then Parse without fragment."""
    if not isinstance(value, str):
        raise TypeError("no such overload: url")
    value = str(value)
    try:
        _go_parse_url(value, via_request=True)
    except ValueError as exc:
        raise ValueError(f"URL parse error during conversion from string: {exc}") from exc
    return _go_parse_url(value.partition("#")[0], via_request=False)


def _cel_get_scheme(value: Any) -> celtypes.StringType:
    """Kubernetes ``<URL>.getScheme()``."""
    if not isinstance(value, _GoURL):
        raise TypeError("no such overload: getScheme")
    return celtypes.StringType(value.scheme)


def _cel_is_ip(value: Any) -> celtypes.BoolType:
    """Kubernetes ``isIP(string)``: an IPv4 or IPv6 address, no zone, no leading zeros."""
    if not isinstance(value, str):
        raise TypeError("no such overload: isIP")
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return celtypes.BoolType(False)
    return celtypes.BoolType("%" not in value)


def _cel_split(text: Any, separator: Any, limit: Any = None) -> celtypes.ListType:
    """cel-go strings extension ``<string>.split(separator[, limit])``."""
    if not isinstance(text, str) or not isinstance(separator, str):
        raise TypeError("no such overload: split")
    if limit is None or int(limit) < 0:
        parts = str(text).split(str(separator)) if separator else list(str(text))
    elif int(limit) == 0:
        parts = []
    else:
        parts = str(text).split(str(separator), int(limit) - 1)
    return celtypes.ListType([celtypes.StringType(p) for p in parts])


_CEL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "isIP": _cel_is_ip,
    "split": _cel_split,
    "duration": _cel_duration,
    "substring": _cel_substring,
    "isURL": _cel_is_url,
    "url": _cel_url,
    "getScheme": _cel_get_scheme,
}
_CEL_ENV = celpy.Environment()
_OLD_SELF_RE = re.compile(r"\boldSelf\b")


@functools.cache
def _cel_program(rule: str) -> tuple[celpy.Runner | None, str]:
    """Compile a rule once; returns (program, "") or (None, the compile error)."""
    try:
        return _CEL_ENV.program(_CEL_ENV.compile(rule), functions=_CEL_FUNCTIONS), ""
    except Exception as exc:  # any failure to compile must surface as a validation error
        return None, f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class _CelNode:
    """A CRD schema node pruned to what leads to CEL rules, so walking objects stays cheap."""

    rules: tuple[tuple[str, str], ...]  # (rule, message)
    declared: frozenset[str]  # every property the schema names, with rules below or not
    properties: dict[str, _CelNode]
    items: _CelNode | None
    values: _CelNode | None  # additionalProperties: the schema of a map's values


def _cel_node(schema: Any) -> _CelNode | None:
    """Build the pruned tree; None when no rule lives at or under this node."""
    if not isinstance(schema, dict):
        return None
    rules = tuple(
        (rule["rule"], rule.get("message") or f"failed rule: {rule['rule']}")
        for rule in schema.get("x-kubernetes-validations", [])
        # Transition rules (they reference oldSelf) only run on update; a rendered manifest
        # is a create, so the API server would not evaluate them either.
        if not _OLD_SELF_RE.search(rule["rule"])
    )
    declared = schema.get("properties") or {}
    properties = {
        key: node for key, sub in declared.items() if (node := _cel_node(sub)) is not None
    }
    items = _cel_node(schema.get("items"))
    values = _cel_node(schema.get("additionalProperties"))
    if not (rules or properties or items or values):
        return None
    return _CelNode(rules, frozenset(declared), properties, items, values)


@functools.cache
def _istio_crds(shared_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Istio's CRDs keyed by (group, kind); the YAML is large, so parse it once."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = (shared_dir / "schemas" / "istio" / "crd-all.gen.yaml").read_text(encoding="utf-8")
    return {
        (doc["spec"]["group"], doc["spec"]["names"]["kind"]): doc
        for doc in yaml.load_all(text, Loader=loader)
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition"
    }


@functools.cache
def _istio_cel_tree(
    shared_dir: Path, group: str, version: str, kind: str
) -> tuple[bool, _CelNode | None]:
    """(found, pruned rule tree) for one Istio group/version/kind."""
    crd = _istio_crds(shared_dir).get((group, kind))
    if crd is None:
        return False, None
    for entry in crd["spec"]["versions"]:
        if entry["name"] == version:
            return True, _cel_node(entry.get("schema", {}).get("openAPIV3Schema"))
    return False, None


def _describe(exc: Exception) -> str:
    """Readable text for celpy's CELEvalError(message, exception class, args) and friends."""
    if not isinstance(exc, CELEvalError) or not exc.args:
        return f"{type(exc).__name__}: {exc}"
    cause = exc.__cause__
    return f"{exc.args[0]}: {cause}" if cause is not None else str(exc.args[0])


def _rule_failure(rule: str, message: str, activation: dict[str, Any]) -> str | None:
    """None when the rule holds, else why not: false, a compile or evaluation error, a non-bool."""
    program, compile_error = _cel_program(rule)
    if program is None:
        return f"CEL rule {rule!r} does not compile: {compile_error}"
    result: object
    try:
        result = program.evaluate(activation)
    except Exception as exc:  # celpy raises CELEvalError, but any failure must surface
        result = exc
    if isinstance(result, Exception):  # celpy may also return the error as the value
        return f"CEL rule {rule!r} could not be evaluated: {_describe(result)}"
    if not isinstance(result, celtypes.BoolType):
        return f"CEL rule {rule!r} gave {result!r}, not a bool"
    return None if result else f"{message} (CEL rule: {rule})"


def _run_rules(node: _CelNode, value: Any, path: list[str | int], out: list[str]) -> None:
    """Walk object and rule tree in parallel, evaluating each rule with ``self`` bound."""
    if value is None:
        return
    if node.rules:
        where = _json_path(path)
        try:
            activation = {"self": json_to_cel(value)}
        except (TypeError, ValueError) as exc:
            out.append(f"{where}: value cannot be converted for CEL: {exc}")
            return
        for rule, message in node.rules:
            if (failure := _rule_failure(rule, message, activation)) is not None:
                out.append(f"{where}: {failure}")
    if isinstance(value, dict):
        for key, child in value.items():
            sub = node.properties.get(key) if key in node.declared else node.values
            if sub is not None:
                _run_rules(sub, child, [*path, key], out)
    elif isinstance(value, list) and node.items is not None:
        for index, child in enumerate(value):
            _run_rules(node.items, child, [*path, index], out)


# --------------------------------------------------------------------------- Gateway API CRDs

GATEWAY_API_GROUPS = ("gateway.networking.k8s.io", "gateway.networking.x-k8s.io")
GATEWAY_API_CHANNELS = ("standard", "experimental")


@functools.cache
def _gateway_api_crds(shared_dir: Path, channel: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The channel's CRDs (``schemas/gateway-api/<channel>/*.yaml``) by (group, kind)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = {}
    for path in sorted((shared_dir / "schemas" / "gateway-api" / channel).glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=loader):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                out[(doc["spec"]["group"], doc["spec"]["names"]["kind"])] = doc
    return out


def _gateway_api_schema(shared_dir: Path, channel: str, group: str, version: str, kind: str
                        ) -> dict[str, Any] | None:
    """The openAPIV3Schema of one served version, or None when the channel has none."""
    crd = _gateway_api_crds(shared_dir, channel).get((group, kind))
    for entry in (crd or {}).get("spec", {}).get("versions", []):
        if entry["name"] == version and entry.get("served", True):
            schema: dict[str, Any] = entry["schema"]["openAPIV3Schema"]
            return schema
    return None


def _strict(node: Any) -> Any:
    """A structural schema as strict field validation applies it: no unknown fields (unless
    ``x-kubernetes-preserve-unknown-fields``), the ``x-kubernetes-*`` keys dropped."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strict(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if (out.get("type") == "object" and "properties" in out and "additionalProperties" not in out
            and not node.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


@functools.cache
def _gateway_api_validator(shared_dir: Path, channel: str, group: str, version: str,
                           kind: str) -> Validator | None:
    schema = _gateway_api_schema(shared_dir, channel, group, version, kind)
    if schema is None:
        return None
    strict = _python_patterns(_allow_nullable(_strict(schema)))
    strict.setdefault("properties", {})["metadata"] = {"type": "object"}
    validator: Validator = jsonschema.Draft7Validator(strict)
    return validator


# Kubernetes' CEL names object properties that are CEL keywords, or hold `_ . - /`, escaped
# (apiextensions-apiserver, cel/model/escaping.go): rules read `p.__namespace__`.
_CEL_RESERVED = frozenset((
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
    "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
    "void", "while"))
_CEL_ESCAPES = (("__", "__underscores__"), (".", "__dot__"), ("-", "__dash__"),
                ("/", "__slash__"))


def cel_property(name: str) -> str:
    """The name a CEL rule reads an object property by."""
    if name in _CEL_RESERVED:
        return f"__{name}__"
    for raw, escaped in _CEL_ESCAPES:
        name = name.replace(raw, escaped)
    return name


def _escape_schema(node: Any) -> Any:
    """The schema with its properties renamed as CEL reads them."""
    if isinstance(node, list):
        return [_escape_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _escape_schema(v) for k, v in node.items() if k != "properties"}
    if isinstance(node.get("properties"), dict):
        out["properties"] = {cel_property(k): _escape_schema(v)
                             for k, v in node["properties"].items()}
    return out


def _escape_value(schema: Any, value: Any) -> Any:
    """An object's properties renamed as CEL reads them (map keys stay as they are)."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        return {
            (cel_property(k) if k in properties else k):
            _escape_value(properties[k] if k in properties else schema.get("additionalProperties"),
                          v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_escape_value(schema.get("items"), item) for item in value]
    return value


@functools.cache
def _gateway_api_cel_tree(shared_dir: Path, channel: str, group: str, version: str,
                          kind: str) -> _CelNode | None:
    return _cel_node(_escape_schema(_gateway_api_schema(shared_dir, channel, group, version,
                                                        kind)))


def apply_defaults(schema: Any, value: Any) -> Any:
    """``value`` with the schema's ``default``s filled in where a field is absent, top down
    (a defaulted object gets its own fields' defaults too), as the API server defaults an
    object before validating it: a ``parentRef`` without ``kind`` becomes a Gateway."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        out = dict(value)
        properties = schema.get("properties") or {}
        for key, sub in properties.items():
            if key not in out and isinstance(sub, dict) and "default" in sub:
                out[key] = copy.deepcopy(sub["default"])
        for key, child in out.items():
            sub = properties.get(key) if key in properties else schema.get("additionalProperties")
            out[key] = apply_defaults(sub, child)
        return out
    if isinstance(value, list):
        return [apply_defaults(schema.get("items"), item) for item in value]
    return value


# --------------------------------------------------------------------------- public API


def _identity(obj: Any) -> str:
    """``Kind/namespace/name`` for error reports; '-' for no namespace, '?' for missing parts."""
    if not isinstance(obj, dict):
        return "?/?/?"
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    return f"{obj.get('kind') or '?'}/{meta.get('namespace') or '-'}/{meta.get('name') or '?'}"


class ManifestValidator:
    """Validates rendered objects; schemas and CEL programs are shared across instances."""

    def __init__(self, shared_dir: Path, k8s_versions: Sequence[str] = K8S_VERSIONS,
                 gateway_api_channel: str = "standard") -> None:
        """Resolve versions up front so a typo in the version list fails at once.

        ``gateway_api_channel``: the Gateway API channel whose CRDs the cluster installs
        (``standard``, or ``experimental`` for stacks that opt into its fields)."""
        if not k8s_versions:
            raise ValueError("at least one Kubernetes version is required")
        if gateway_api_channel not in GATEWAY_API_CHANNELS:
            raise ValueError(f"gateway_api_channel must be one of {GATEWAY_API_CHANNELS}")
        self.gateway_api_channel = gateway_api_channel
        self.shared_dir = Path(shared_dir).resolve()
        self.k8s_versions = tuple(k8s_versions)
        self._schema_dirs = {v: _kv_schema_dir(v) for v in self.k8s_versions}
        newest = max(self.k8s_versions, key=lambda v: Version(v.removeprefix("v")))
        self._meta_schema_dir = self._schema_dirs[newest]

    def errors(self, obj: dict[str, Any]) -> list[str]:
        """Every problem found in one object, each starting with its JSON path; [] when valid."""
        if not isinstance(obj, dict):
            return [f"$: expected a mapping, got {type(obj).__name__}"]
        problems: list[str] = []
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        metadata = obj.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(api_version, str) or not api_version:
            problems.append("$.apiVersion: required, a non-empty string")
        if not isinstance(kind, str) or not kind:
            problems.append("$.kind: required, a non-empty string")
        if not isinstance(name, str) or not name:
            problems.append("$.metadata.name: required (the API server rejects objects without)")
        if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind):
            return problems

        group, _, version = api_version.rpartition("/")
        well_formed = (
            _KIND_RE.fullmatch(kind)
            and _VERSION_RE.fullmatch(version)
            and (not group or _GROUP_RE.fullmatch(group))
        )
        if well_formed and _is_builtin(api_version, kind):
            problems.extend(self._builtin_errors(obj, api_version, kind))
            return problems
        if well_formed and group in GATEWAY_API_GROUPS:
            problems.extend(self._gateway_api_errors(obj, group, version, kind))
            return problems
        validator = (
            _crd_validator(self.shared_dir, group, version, kind) if well_formed and group else None
        )
        if validator is None:
            problems.append(
                f"$: no schema for {api_version} {kind} (neither a built-in kind in "
                f"kubernetes-validate nor in {self.shared_dir / 'schemas' / 'crds'})"
            )
            return problems
        problems.extend(f"{e.json_path}: {e.message}" for e in validator.iter_errors(obj))
        if isinstance(metadata, dict):
            meta_validator = _object_meta_validator(self._meta_schema_dir)
            problems.extend(
                f"{_json_path(['metadata', *e.absolute_path])}: {e.message}"
                for e in meta_validator.iter_errors(metadata)
            )
        if group.endswith(".istio.io"):
            problems.extend(self._istio_cel_errors(obj, group, version, kind))
        return problems

    def assert_valid(self, objs: Iterable[dict[str, Any]]) -> None:
        """Raise one AssertionError listing every problem of every object, not just the first."""
        report = [f"{_identity(obj)}: {problem}" for obj in objs for problem in self.errors(obj)]
        if report:
            raise AssertionError(f"{len(report)} manifest problem(s):\n" + "\n".join(report))

    def _builtin_errors(self, obj: dict[str, Any], api_version: str, kind: str) -> list[str]:
        """kubernetes-validate strict, every version; identical failures are merged in one line."""
        failures: dict[str, list[str]] = {}
        for desired in self.k8s_versions:
            validator = _kv_validator(self._schema_dirs[desired], kind, api_version)
            if validator is None:
                missing = SchemaNotFoundError(
                    kind=kind,
                    version=major_minor(desired.removeprefix("v")),
                    api_version=api_version,
                ).message
                failures.setdefault(f"$: SchemaNotFoundError: {missing}", []).append(desired)
                continue
            for error in validator.iter_errors(obj):
                failures.setdefault(f"{error.json_path}: {error.message}", []).append(desired)
        return [
            f"{problem} [Kubernetes {', '.join(versions)}]"
            for problem, versions in failures.items()
        ]

    def _gateway_api_errors(
        self, obj: dict[str, Any], group: str, version: str, kind: str
    ) -> list[str]:
        """The channel's CRD: the defaulted object against its strict structural schema, its
        metadata against ObjectMeta, then every CEL rule (``oldSelf`` ones aside)."""
        channel = self.gateway_api_channel
        validator = _gateway_api_validator(self.shared_dir, channel, group, version, kind)
        if validator is None:
            return [f"$: no {group}/{version} {kind} in the {channel} channel of "
                    f"{self.shared_dir / 'schemas' / 'gateway-api'}"]
        schema = _gateway_api_schema(self.shared_dir, channel, group, version, kind)
        defaulted = apply_defaults(schema, obj)
        problems = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(defaulted)]
        metadata = obj.get("metadata")
        if isinstance(metadata, dict):
            meta_validator = _object_meta_validator(self._meta_schema_dir)
            problems.extend(
                f"{_json_path(['metadata', *e.absolute_path])}: {e.message}"
                for e in meta_validator.iter_errors(metadata)
            )
        if problems:
            return problems
        tree = _gateway_api_cel_tree(self.shared_dir, channel, group, version, kind)
        if tree is not None:
            _run_rules(tree, _escape_value(schema, defaulted), [], problems)
        return problems

    def _istio_cel_errors(
        self, obj: dict[str, Any], group: str, version: str, kind: str
    ) -> list[str]:
        """Evaluate the CRD's CEL rules; an Istio kind absent from crd-all.gen.yaml is an error."""
        found, tree = _istio_cel_tree(self.shared_dir, group, version, kind)
        if not found:
            return [f"$: no CRD for {group}/{version} {kind} in schemas/istio/crd-all.gen.yaml"]
        out: list[str] = []
        if tree is not None:
            _run_rules(tree, obj, [], out)
        return out
