"""`ingresslib validate`: a stack checked before deploy, without running its program when the
program only reads its config with `load_config`, builds `IngressStack` from it and exports
outputs (`config_call`), as stacks/ ships them.

Such a program's whole input is the stack file's `ingress:stack`: validating it, rendering the
objects with the plain manifest functions and analysing them is what the program would do
before registering its first resource, at a fraction of the cost of running it under mocks,
and every problem keeps its file, line and column. Any other program (one that builds its
config in Python, or a component of its own) is run offline instead, as `render` runs it.
"""

from __future__ import annotations

import ast
import contextvars
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from ingresslib.config.stack import Cloud
from ingresslib.errors import ConfigError
from ingresslib.offline.project import CONFIG_KEY, Project
from ingresslib.stack.model import StackConfig, config_from


@dataclass(frozen=True)
class Validation:
    """What validate checked: the stack file's config (or, when the program builds its own,
    the program run offline), and the analysis warnings of the rendered objects."""

    ran_program: bool
    warnings: list[str]


@dataclass(frozen=True)
class ConfigCall:
    """A program's `load_config(...)` call, with the cloud it names when it is a literal."""

    cloud: Cloud | None


def validate(directory: str | os.PathLike[str], stack: str) -> Validation:
    """Check the stack; ConfigError (located in the stack file) or OfflineError when invalid."""
    project = Project.load(directory)
    call = config_call(project.program / "__main__.py")
    if call is None:
        from ingresslib.offline.runner import run_project  # noqa: PLC0415 (loads Pulumi)

        run_project(directory, stack)
        return Validation(ran_program=True, warnings=[])
    # The manifests render without Pulumi: only validate pays for them.
    from ingresslib.stack.render import check, stack_manifests  # noqa: PLC0415

    config = stack_config(project, stack, call.cloud)
    try:
        findings = check(config, stack_manifests(config).all())
    except ConfigError as e:
        raise project.locate(e, stack) from None
    return Validation(ran_program=False, warnings=[str(f) for f in findings])


def stack_config(project: Project, stack: str, cloud: Cloud | None = None) -> StackConfig:
    """The stack's `ingress:stack` as `load_config(cloud)` reads it in the program (the same
    config values, defaults and checks), without running the program. When the stack file sets
    it, as `pulumi.Config.get_object` parses it, without loading Pulumi."""
    values = project.stack_config(stack)
    if CONFIG_KEY not in values:
        return _from_pulumi(project, stack, values, cloud)
    try:
        data = json.loads(values[CONFIG_KEY])
    except ValueError:
        raise project.config_error(CONFIG_KEY, stack, value=values[CONFIG_KEY],
                                   expect_type="JSON object") from None
    try:
        return config_from(data, cloud, aws_region=values.get("aws:region"))
    except ConfigError as e:
        raise project.locate(e, stack) from None


def _from_pulumi(project: Project, stack: str, values: dict[str, str], cloud: Cloud | None
                 ) -> StackConfig:
    """`load_config(cloud)` under Pulumi's own config, which reads a key the stack file does
    not set from the environment (`PULUMI_CONFIG`), as under `pulumi up`."""
    import pulumi  # noqa: PLC0415 (only for a key the stack file leaves unset)
    from pulumi.config import ConfigMissingError, ConfigTypeError  # noqa: PLC0415

    from ingresslib.stack.model import load_config  # noqa: PLC0415

    def load() -> StackConfig:
        pulumi.runtime.set_all_config(values, project.secret_keys(stack))
        return load_config(cloud)

    try:
        return contextvars.Context().run(load)
    except ConfigError as e:
        raise project.locate(e, stack) from None
    except ConfigTypeError as e:
        raise project.config_error(e.key, stack, value=e.value,
                                   expect_type=e.expect_type) from None
    except ConfigMissingError as e:
        raise project.config_error(e.key, stack) from None


# What a program may do and still be validated from its stack file alone: import Pulumi and
# these two names, load its config once, build the stack from it once, name values, read
# attributes, branch on them and export its outputs. Any other statement or expression (an
# assignment to an attribute, a loop, a function, a subscript...) makes it a program to run.
_STACK_FILE_NAMES = frozenset({"IngressStack", "load_config"})
_STACK_FILE_CALLS = _STACK_FILE_NAMES | {"export"}
_STACK_FILE_NODES = (
    ast.Module, ast.Expr, ast.Constant, ast.Import, ast.ImportFrom, ast.alias, ast.Assign,
    ast.Name, ast.Load, ast.Store, ast.Call, ast.keyword, ast.Attribute, ast.If, ast.IfExp,
    ast.Compare, ast.Is, ast.IsNot, ast.Eq, ast.NotEq, ast.BoolOp, ast.And, ast.Or,
    ast.UnaryOp, ast.Not,
)


def config_call(program: Path) -> ConfigCall | None:
    """The program's `load_config(...)` call when its `__main__.py` is a stack file's program
    (as stacks/ ships them): it imports only `pulumi` and `IngressStack` and `load_config`
    from ingresslib, calls `load_config` and `IngressStack` once each and otherwise only
    `pulumi.export`, and assigns only names, so the stack file's `ingress:stack` is its whole
    input. None otherwise (a program that builds its config, changes it, builds a component
    or a second stack, or anything else, or cannot be parsed): running it is the only way to
    know it works, and running it says why it does not."""
    try:
        tree = ast.parse(program.read_text(encoding="utf-8"), str(program))
    except (SyntaxError, UnicodeDecodeError):
        return None
    nodes = list(ast.walk(tree))
    if not all(isinstance(n, _STACK_FILE_NODES) for n in nodes) or any(
            isinstance(n, ast.Assign) and not all(isinstance(t, ast.Name) for t in n.targets)
            for n in nodes):
        return None
    calls = [node for node in nodes if isinstance(node, ast.Call)]
    loads = [c for c in calls if _called(c.func) == "load_config"]
    stacks = [c for c in calls if _called(c.func) == "IngressStack"]
    if len(loads) != 1 or len(stacks) != 1 or not all(
            _called(c.func) in _STACK_FILE_CALLS for c in calls):
        return None
    for node in nodes:
        if isinstance(node, ast.Import) and any(a.name != "pulumi" for a in node.names):
            return None
        if isinstance(node, ast.ImportFrom) and not (
                node.module == "ingresslib" and {a.name for a in node.names} <= _STACK_FILE_NAMES):
            return None
    given = [*loads[0].args[:1], *(k.value for k in loads[0].keywords if k.arg == "cloud")]
    cloud = given[0].value if given and isinstance(given[0], ast.Constant) else None
    return ConfigCall(cloud if cloud in get_args(Cloud) else None)


def _called(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None

