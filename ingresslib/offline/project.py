"""A Pulumi project directory read as the Pulumi CLI reads it, without the Pulumi SDK: its
Pulumi.yaml, a stack's Pulumi.<stack>.yaml and the config a program would get from them.
`validate` of a stack file needs no more than this (and the config models); running a program
(`runner`) is what loads Pulumi."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ingresslib.errors import ABSENT, RENDERED, ConfigError, Problem, closest
from ingresslib.yaml_source import YamlFile, read_yaml, shown

CONFIG_KEY = "ingress:stack"
# The text a render writes for every secret value (`output.redact`).
REDACTED = "[secret]"
# What a program reads for an encrypted config value: obviously not the secret, and the same
# text the render writes for every secret, so it reads `[secret]` wherever it lands.
SECRET_PLACEHOLDER = REDACTED


class OfflineError(Exception):
    """The program needs something an offline render cannot provide."""


@dataclass(frozen=True)
class Project:
    """A Pulumi project directory: its name, program directory and a stack's config."""

    root: Path
    name: str
    program: Path
    defaults: dict[str, Any]

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Project:
        """Read the project's Pulumi.yaml; OfflineError or ConfigError (with the file's line
        and column) when the directory or the file is not what a Pulumi project needs."""
        given = Path(directory)
        root = given.resolve()
        if not root.exists():
            raise OfflineError(f"{given}: no such directory; name a Pulumi project directory")
        if not root.is_dir():
            stack_file = given.name.startswith("Pulumi.") and given.suffix in (".yaml", ".yml")
            raise OfflineError(f"{given} is a file, not a Pulumi project directory" + (
                f"; name the directory that holds it ({given.parent})" if stack_file else ""))
        project_file = root / "Pulumi.yaml"
        if not project_file.is_file():
            raise OfflineError(f"{given} is not a Pulumi project: it has no Pulumi.yaml")
        doc = read_yaml(project_file)
        meta = doc.data if isinstance(doc.data, dict) else {}
        problems = []
        if not isinstance(doc.data, dict):
            problems.append(Problem("", doc.data, "a Pulumi project file is a mapping with at "
                                    "least name and runtime", doc.location([])))
        elif not isinstance(meta.get("name"), str) or not meta["name"]:
            problems.append(Problem("name", meta.get("name", ABSENT), "required: the project's "
                                    "name, a string", doc.location(["name"])))
        runtime = meta.get("runtime")
        name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if not problems and name != "python":
            near = None if "runtime" in meta else closest("runtime", [str(k) for k in meta])
            problems.append(Problem(
                "runtime", meta.get("runtime", ABSENT),
                "must be python: ingresslib runs the project's Python program (__main__.py) "
                "as Pulumi's Python host does"
                + (f"; `{near}` is not it: did you mean runtime?" if near else ""),
                doc.location(["runtime"] if "runtime" in meta else [near] if near else [])))
        program = (root / str(meta.get("main", "."))).resolve()
        if not problems and not (program / "__main__.py").is_file():
            given_main = "main" in meta
            problems.append(Problem(
                "main" if given_main else "", meta.get("main", ABSENT),
                f"{'this directory' if given_main else 'the project directory'} has no "
                "__main__.py, the program to run", doc.location(["main"] if given_main else [])))
        defaults = meta.get("config") or {}
        if not problems and not isinstance(defaults, dict):
            problems.append(Problem("config", defaults, "must be a mapping of config keys",
                                    doc.location(["config"])))
        if problems:
            raise ConfigError(problems, doc.name)
        return cls(root, str(meta["name"]), program, defaults)

    def stack_file(self, stack: str) -> YamlFile:
        """The stack's Pulumi.<stack>.yaml, checked to hold a `config` mapping if anything."""
        path = self.root / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            known = sorted(p.name[7:-5] for p in self.root.glob("Pulumi.*.yaml"))
            # A stack file's name given for the stack's (`--stack Pulumi.gateway.yaml`).
            bare = Path(stack).name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(
                ".yml")
            match = bare if bare in known else closest(stack, known)
            raise OfflineError(
                f"no stack {stack!r} in {shown(self.root)} (no Pulumi.{stack}.yaml); "
                f"stacks here: {', '.join(known) or 'none'}"
                + (f"; did you mean {match!r}?" if match else "")
            )
        doc = read_yaml(path)
        if doc.data is not None and not isinstance(doc.data, dict):
            raise ConfigError([Problem("", doc.data, "a stack file is a mapping with a config "
                                       "key", doc.location([]))], doc.name)
        if not isinstance(doc.at(["config"]) or {}, dict):
            raise ConfigError([Problem("config", doc.at(["config"]), "must be a mapping of "
                                       "config keys to values", doc.location(["config"]))],
                              doc.name)
        keys = [k for k in doc.at(["config"]) or {} if not isinstance(k, str)]
        if keys:
            raise ConfigError([Problem(f"config.{k}", k, "a config key is text, "
                                       "'namespace:key' or 'key' of this project",
                                       doc.location(["config", k])) for k in keys], doc.name)
        return doc

    def has_stack(self, stack: str) -> bool:
        """Whether the project has a `Pulumi.<stack>.yaml`."""
        return (self.root / f"Pulumi.{stack}.yaml").is_file()

    def stack_config(self, stack: str) -> dict[str, str]:
        """The stack's config as Pulumi hands it to programs: `ns:key` -> string (JSON for
        objects), project defaults from Pulumi.yaml first.

        Encrypted values (`{secure: v1:...}`, whole keys or nested in objects) are never
        decrypted: each is replaced by `SECRET_PLACEHOLDER`, and its key is one of
        `secret_keys`, so the program gets it as a Pulumi secret. Only `ingress:stack` itself
        encrypted is refused, at its line: it is the config ingresslib checks and renders."""
        doc = self.stack_file(stack)
        config: dict[str, str] = {}
        for key, spec in self.defaults.items():
            value = spec.get("default") if isinstance(spec, dict) else spec
            if value is not None:
                config[self._key(key)] = _encode(value)
        for key, value in (doc.at(["config"]) or {}).items():
            if self._key(key) == CONFIG_KEY and _is_ciphertext(value):
                raise OfflineError(
                    f"{doc.location(['config', key])}: {key} is an encrypted secret, which "
                    "ingresslib cannot decrypt offline; keep secrets out of the config it "
                    "checks and renders"
                )
            config[self._key(key)] = _encode(_without_ciphertext(value))
        return config

    def secret_keys(self, stack: str) -> list[str]:
        """The stack's config keys that hold an encrypted value, anywhere inside them."""
        values = self.stack_file(stack).at(["config"]) or {}
        return sorted(self._key(key) for key, value in values.items() if _encrypted(value))

    def locate(self, error: ConfigError, stack: str) -> ConfigError:
        """`error` with each problem's position in the stack file, when its paths are those of
        the stack's `ingress:stack` (named list items included)."""
        rendered = error.source == RENDERED
        if error.source not in (CONFIG_KEY, "config") and not rendered:
            return error
        doc = self.stack_file(stack)
        key = next((k for k in doc.at(["config"]) or {} if self._key(k) == CONFIG_KEY), None)
        if key is None:  # only its absence is the stack file's: a program built the config
            return self._missing(error, doc)
        if rendered:
            # The analysis names the config a finding was rendered from where it can
            # (`stack.render.finding_problem`); the others name the rendered object only.
            data = doc.at(["config", key]) or {}
            return doc.locate(error, ["config", key],
                              only=lambda p: _config_key(p.path) in data)
        return doc.locate(error.named(doc.at(["config", key])), ["config", key])

    def _missing(self, error: ConfigError, doc: YamlFile) -> ConfigError:
        """`ingress:stack` is missing: at the misspelt key that most likely meant it (under
        `config`, or a misspelt `config` itself), with its did-you-mean; else at `config`."""
        config = doc.at(["config"])
        keys = [str(k) for k in config] if isinstance(config, dict) else []
        near = closest(CONFIG_KEY, [self._key(k) for k in keys])
        if near is not None:
            spelt = next(k for k in keys if self._key(k) == near)
            where, hint = ["config", spelt], f"; `{spelt}` is not it: did you mean {CONFIG_KEY}?"
        elif config is None and (top := closest("config", [str(k) for k in doc.data or {}])):
            where, hint = [top], f"; `{top}:` is not it: did you mean config?"
        else:
            where, hint = ["config", CONFIG_KEY], ""
        return ConfigError([
            replace(p, message=p.message + hint, location=doc.location(where))
            if p.path == CONFIG_KEY and not p.location else p
            for p in error.problems], error.source)

    def config_error(self, key: str, stack: str, *, value: Any = ABSENT,
                     expect_type: str | None = None) -> ConfigError:
        """What Pulumi's Config said of a stack's config value (`ConfigTypeError` when it
        gives `expect_type`, else `ConfigMissingError`), at the value's position."""
        doc = self.stack_file(stack)
        found = next((k for k in doc.at(["config"]) or {} if self._key(k) == key), None)
        if expect_type is not None:
            # Structured config reaches programs as JSON; in the stack file it is a mapping.
            kind = {"JSON object": "mapping of keys to values"}.get(expect_type, expect_type)
            problem = Problem(key, value, f"must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}")
        else:
            problem = Problem(key, ABSENT, f"required; set it under config in {doc.name}")
        where = doc.location(["config", found] if found is not None else ["config"])
        return ConfigError([replace(problem, location=where)], "config")

    def _key(self, key: str) -> str:
        return key if ":" in key else f"{self.name}:{key}"


def _config_key(path: str) -> str:
    """The top-level config key a problem's path starts with (`routing` of
    `routing.hosts[a].routes`); a rendered object's reference (`HTTPRoute/ns/name f`) is none."""
    return re.split(r"[.\[ ]", path, maxsplit=1)[0]


def _is_ciphertext(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _encrypted(value: Any) -> bool:
    if _is_ciphertext(value):
        return True
    if isinstance(value, dict):
        return any(_encrypted(v) for v in value.values())
    if isinstance(value, list):
        return any(_encrypted(v) for v in value)
    return False


def _without_ciphertext(value: Any) -> Any:
    """`value` with every `{secure: ...}` replaced by the placeholder, never decrypted."""
    if _is_ciphertext(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {k: _without_ciphertext(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_ciphertext(v) for v in value]
    return value


def _encode(value: Any) -> str:
    if isinstance(value, str):
        return value
    # Pulumi hands YAML timestamps (and any other scalar JSON has no type for) over as text.
    return json.dumps(value, sort_keys=True, default=str)
