"""Run a Pulumi program under mocks in an isolated context: fresh loop, config and root stack."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import re
import runpy
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pulumi
from pulumi.config import ConfigMissingError, ConfigTypeError
from pulumi.runtime.stack import run_pulumi_func
from pydantic import ValidationError

from ingresslib.config.base import Model
from ingresslib.errors import ABSENT, RENDERED, ConfigError, Location, Problem, closest
from ingresslib.offline.mocks import OfflineError, RecordingMocks, RecordingMonitor, Registered
from ingresslib.offline.output import REDACTED
from ingresslib.yaml_source import YamlFile, read_yaml, shown

CONFIG_KEY = "ingress:stack"
# What a program reads for an encrypted config value: obviously not the secret, and the same
# text the render writes for every secret, so it reads `[secret]` wherever it lands.
SECRET_PLACEHOLDER = REDACTED


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
            match = closest(stack, known)
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
            return error.located(lambda p: doc.location(["config", CONFIG_KEY])
                                 if p.path == CONFIG_KEY else None)
        if rendered:
            # The analysis names the config a finding was rendered from where it can
            # (`stack.render.finding_problem`); the others name the rendered object only.
            data = doc.at(["config", key]) or {}
            config = [p for p in error.problems if _config_key(p.path) in data]
            located = doc.locate(ConfigError(config, error.source), ["config", key])
            where = {id(p): q.location for p, q in zip(config, located.problems, strict=True)}
            return error.located(lambda p: where.get(id(p)))
        return doc.locate(error.named(doc.at(["config", key])), ["config", key])

    def config_error(self, error: ConfigTypeError | ConfigMissingError, stack: str
                     ) -> ConfigError:
        """What Pulumi's Config said of a stack's config value, at the value's position."""
        doc = self.stack_file(stack)
        key = next((k for k in doc.at(["config"]) or {} if self._key(k) == error.key), None)
        if isinstance(error, ConfigTypeError):
            # Structured config reaches programs as JSON; in the stack file it is a mapping.
            kind = {"JSON object": "mapping of keys to values"}.get(error.expect_type,
                                                                    error.expect_type)
            problem = Problem(error.key, error.value,
                              f"must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}")
        else:
            problem = Problem(error.key, ABSENT, f"required; set it under config in {doc.name}")
        where = doc.location(["config", key] if key is not None else ["config"])
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


def run_program(
    program: Callable[[], object],
    *,
    project: str = "project",
    stack: str = "stack",
    config: Mapping[str, str] | None = None,
    secret_keys: Sequence[str] = (),
    mocks: RecordingMocks | None = None,
) -> list[Registered]:
    """Run `program` under fresh mocks and return what it registered, in order; the config
    keys in `secret_keys` are secrets to the program (`pulumi.Config.require_secret` and
    `get_secret` on other keys would warn about them, as under `pulumi up`).

    Each call runs in a new contextvars context with its own event loop, so Pulumi's
    settings, config and root stack never leak from one render (or test) into the next.
    Pass `mocks` to inspect what was registered even when the program raises.
    """
    mocks = mocks or RecordingMocks(config)
    return contextvars.Context().run(
        lambda: _run(program, project=project, stack=stack, config=dict(config or {}),
                     secret_keys=list(secret_keys), mocks=mocks))


def _run(
    program: Callable[[], object],
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    mocks: RecordingMocks,
) -> list[Registered]:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # The SDK calls the mock monitor from the loop's executor threads, and each call makes
    # sure its thread has an event loop. Loops it made itself would never be closed: the
    # garbage collector finalises them at interpreter exit, sometimes after their self-pipe
    # sockets, and prints "Exception ignored in BaseEventLoop.__del__ ... Invalid file
    # descriptor: -1". So each worker thread gets a loop from here, closed with the render.
    thread_loops: list[asyncio.AbstractEventLoop] = []
    loop.set_default_executor(ThreadPoolExecutor(
        thread_name_prefix="ingresslib-render",
        initializer=_thread_loop,
        initargs=(thread_loops,),
    ))
    try:
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=RecordingMonitor(mocks)
        )
        pulumi.runtime.set_all_config(config, secret_keys)
        loop.run_until_complete(run_pulumi_func(program))
        return mocks.registered
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        for thread_loop in thread_loops:
            thread_loop.close()
        asyncio.set_event_loop(None)
        loop.close()


def _thread_loop(loops: list[asyncio.AbstractEventLoop]) -> None:
    """Give an executor thread its event loop, and keep it to close after the render."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loops.append(loop)


def run_project(directory: str | os.PathLike[str], stack: str) -> list[Registered]:
    """Run the project's program (its `__main__.py`) with the stack's config, offline."""
    proj = Project.load(directory)
    config = proj.stack_config(stack)
    try:
        with _program_dir(proj.program):
            return run_program(
                lambda: runpy.run_path(str(proj.program / "__main__.py"), run_name="__main__"),
                project=proj.name,
                stack=stack,
                config=config,
                secret_keys=proj.secret_keys(stack),
            )
    except ConfigError as e:
        raise proj.locate(e, stack) from None
    except (ConfigTypeError, ConfigMissingError) as e:
        raise proj.config_error(e, stack) from None
    except ValidationError as e:
        # A program that validates a config it builds itself (`Model.model_validate`): the
        # problems as a stack file's would read, at the program's line that validated it.
        error = ConfigError.from_validation(e, None, e.title, _model_named(e.title),
                                            python=True)
        where = _program_line(e, proj.program)
        raise (error.located(lambda _: where) if where else error) from None
    except Exception as e:
        error = program_error(e, proj.program)
        if error is None:
            raise
        raise error from None


def _model_named(name: str) -> type[Model] | None:
    """The config model of that class name (a ValidationError's title), if it is one of ours."""
    todo: list[type[Model]] = [Model]
    while todo:
        model = todo.pop()
        if model.__name__ == name:
            return model
        todo.extend(model.__subclasses__())
    return None


def _program_line(error: BaseException, program: Path) -> Location | None:
    """The innermost line of the program (its directory) in the exception's traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve().is_relative_to(program)]
    if not frames:
        return None
    return Location(frames[-1].filename, frames[-1].lineno or 1, (frames[-1].colno or 0) + 1)


def program_error(error: BaseException, program: Path) -> OfflineError | None:
    """The user's own exception (a NameError in their program) as their traceback alone: the
    frames in the program's directory, without the mock runtime's and Pulumi's around them.
    None when the exception was raised outside the program (ingresslib's or a library's own
    failure keeps its whole traceback)."""
    ours = Path(__file__).resolve().parents[1]
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve().is_relative_to(program)
              and not Path(f.filename).resolve().is_relative_to(ours)]
    if not frames or frames[-1] != traceback.extract_tb(error.__traceback__)[-1]:
        return None
    text = "".join(["Traceback (most recent call last):\n", *traceback.format_list(frames),
                    *traceback.format_exception_only(error)])
    return OfflineError(f"{shown(program / '__main__.py')} raised "
                        f"{type(error).__name__}:\n{text.rstrip()}")


@contextmanager
def _program_dir(path: Path) -> Iterator[None]:
    """Pulumi runs a program from its own directory, with it first on sys.path; the modules it
    imports from there are forgotten afterwards, so two projects' `helpers.py` never mix."""
    cwd = Path.cwd()
    before = set(sys.modules)
    sys.path.insert(0, str(path))
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path.remove(str(path))
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if origin.startswith(str(path)):
                del sys.modules[name]
