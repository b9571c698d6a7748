"""Run a Pulumi program under mocks in an isolated context: fresh loop, config and root stack."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.stack import run_pulumi_func

from ingresslib.offline.mocks import OfflineError, RecordingMocks, RecordingMonitor, Registered
from ingresslib.offline.output import REDACTED

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
        root = Path(directory).resolve()
        project_file = root / "Pulumi.yaml"
        if not project_file.is_file():
            raise OfflineError(f"{root} is not a Pulumi project: it has no Pulumi.yaml")
        meta = _load_yaml(project_file)
        program = (root / meta.get("main", ".")).resolve()
        if not (program / "__main__.py").is_file():
            raise OfflineError(f"{program} has no __main__.py to run")
        return cls(root, str(meta["name"]), program, meta.get("config") or {})

    def has_stack(self, stack: str) -> bool:
        """Whether the project has a `Pulumi.<stack>.yaml`."""
        return (self.root / f"Pulumi.{stack}.yaml").is_file()

    def stack_config(self, stack: str) -> dict[str, str]:
        """The stack's config as Pulumi hands it to programs: `ns:key` -> string (JSON for
        objects), project defaults from Pulumi.yaml first.

        Encrypted values (`{secure: v1:...}`, whole keys or nested in objects) are never
        decrypted: each is replaced by `SECRET_PLACEHOLDER`, and its key is one of
        `secret_keys`, so the program gets it as a Pulumi secret."""
        config: dict[str, str] = {}
        for key, spec in self.defaults.items():
            value = spec.get("default") if isinstance(spec, dict) else spec
            if value is not None:
                config[self._key(key)] = _encode(value)
        for key, value in self._stack_values(stack).items():
            config[self._key(key)] = _encode(_without_ciphertext(value))
        return config

    def secret_keys(self, stack: str) -> list[str]:
        """The stack's config keys that hold an encrypted value, anywhere inside them."""
        return sorted(self._key(key) for key, value in self._stack_values(stack).items()
                      if _encrypted(value))

    def _stack_values(self, stack: str) -> dict[str, Any]:
        if not self.has_stack(stack):
            known = sorted(p.name[7:-5] for p in self.root.glob("Pulumi.*.yaml"))
            raise OfflineError(
                f"no stack {stack!r} in {self.root} (no Pulumi.{stack}.yaml); "
                f"stacks here: {', '.join(known) or 'none'}"
            )
        return _load_yaml(self.root / f"Pulumi.{stack}.yaml").get("config") or {}

    def _key(self, key: str) -> str:
        return key if ":" in key else f"{self.name}:{key}"


def _load_yaml(path: Path) -> dict[str, Any]:
    # libyaml's loader when present: the pure-Python one costs more than the whole render.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(), Loader=loader) or {}


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
    return json.dumps(value, sort_keys=True)


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
    try:
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=RecordingMonitor(mocks)
        )
        pulumi.runtime.set_all_config(config, secret_keys)
        loop.run_until_complete(run_pulumi_func(program))
        return mocks.registered
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def run_project(directory: str | os.PathLike[str], stack: str) -> list[Registered]:
    """Run the project's program (its `__main__.py`) with the stack's config, offline."""
    proj = Project.load(directory)
    config = proj.stack_config(stack)
    with _program_dir(proj.program):
        return run_program(
            lambda: runpy.run_path(str(proj.program / "__main__.py"), run_name="__main__"),
            project=proj.name,
            stack=stack,
            config=config,
            secret_keys=proj.secret_keys(stack),
        )


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
