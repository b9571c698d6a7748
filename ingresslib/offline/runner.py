"""Run a Pulumi program under mocks in an isolated context: fresh loop, config and root stack."""

from __future__ import annotations

import asyncio
import contextvars
import os
import runpy
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pulumi
from pulumi.config import ConfigMissingError, ConfigTypeError
from pulumi.runtime.stack import run_pulumi_func
from pydantic import ValidationError

from ingresslib.config.base import Model
from ingresslib.errors import ConfigError, Location
from ingresslib.offline.mocks import RecordingMocks, RecordingMonitor, Registered
from ingresslib.offline.project import (  # re-exported: Project was defined here
    CONFIG_KEY,
    SECRET_PLACEHOLDER,
    OfflineError,
    Project,
)
from ingresslib.yaml_source import shown

__all__ = ["CONFIG_KEY", "SECRET_PLACEHOLDER", "OfflineError", "Project", "program_error",
           "run_program", "run_project"]


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
    # The pool keeps Python's default size: it is the program's default executor too
    # (`asyncio.to_thread`), as the loop's executor is under `pulumi up`, and a program's thread
    # may wait on an output that a monitor call in another thread resolves. (One worker
    # rendered the example 13 ms faster cold, and deadlocked such a program.)
    thread_loops: list[asyncio.AbstractEventLoop] = []
    loop.set_default_executor(ThreadPoolExecutor(
        thread_name_prefix="ingresslib-render",
        initializer=_thread_loop,
        initargs=(thread_loops,),
    ))
    monitor = RecordingMonitor(mocks)
    try:
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=monitor
        )
        pulumi.runtime.set_all_config(config, secret_keys)
        loop.run_until_complete(run_pulumi_func(program))
        if monitor.duplicates:
            # The engine's own words (pkg/diag/errors.go GetDuplicateResourceURNError).
            raise OfflineError("".join(f"Duplicate resource URN '{urn}'; try giving it a "
                                       "unique name\n" for urn in monitor.duplicates).rstrip())
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
                # The directory, as Pulumi's Python host runs it: its __main__.py is found
                # by the import system, which keeps its bytecode instead of compiling the
                # source on every render.
                lambda: runpy.run_path(str(proj.program), run_name="__main__"),
                project=proj.name,
                stack=stack,
                config=config,
                secret_keys=proj.secret_keys(stack),
            )
    except ConfigError as e:
        raise proj.locate(e, stack) from None
    except ConfigTypeError as e:
        raise proj.config_error(e.key, stack, value=e.value, expect_type=e.expect_type) from None
    except ConfigMissingError as e:
        raise proj.config_error(e.key, stack) from None
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
