"""`ingresslib render`, `validate` and `diff`: offline, no cloud account, no Pulumi CLI.
`ingresslib preflight eks`: the AWS account checked before `pulumi up` (read-only, boto3)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The commands import ingresslib's config models, Pulumi and the cloud SDKs inside their
# functions: --help, --version and usage errors answer without loading them (about a second).

_VALIDATE = """\
Check a stack before deploying it; exit 0 when valid, 2 listing every problem.

When the program reads its config with load_config() (as stacks/eks and stacks/aks do),
validate does not run it: it checks the stack file's `ingress:stack` with every field and
cross-field rule (each problem with its file, line and column), then renders the objects the
stack would deploy and analyses them as `istioctl analyze` would (errors fail, warnings are
printed). A program that builds its config in Python (examples/echoserver-canary) is run
offline as render runs it, writing nothing. Neither needs the cloud or the Pulumi CLI."""


class _Version(argparse.Action):
    """--version, reading the installed distribution's version only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib.metadata import version  # noqa: PLC0415 (only --version needs it)

        print(f"ingresslib {version('ingresslib')}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingresslib", description=__doc__)
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser(
        "render",
        help="run a stack's program under mocks and write its manifests, plan and traffic "
        "diagram",
        description="Run the stack's program under Pulumi's mocks and write DIR/manifests/ "
        "(one YAML file per Kubernetes object), DIR/plan.json (every other resource) and "
        "DIR/traffic.mmd. DIR is created when missing; a later render replaces exactly the "
        "files the last one wrote (listed in DIR/.ingresslib-render.json) and never touches "
        "other files.",
    )
    validate = sub.add_parser(
        "validate", help="check a stack before deploying it; exit 0 when valid",
        description=_VALIDATE, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare = sub.add_parser(
        "diff",
        help="render a stack and a baseline offline and show what changes, per resource",
        description="Render STACK_DIR's stack and a baseline (another stack, another project "
        "directory, or the same directory at a git revision) and print the resources added, "
        "removed and changed, with the changed fields. Exit 0, or 1 with --exit-code when "
        "anything changed; 2 on errors.",
    )
    preflight = sub.add_parser(
        "preflight", help="check the cloud account a stack deploys into, before pulumi up"
    )
    preflight.add_argument("cloud", choices=["eks"], help="the stack's cloud")
    for p in (render, validate, compare, preflight):
        p.add_argument("stack_dir", type=Path, help="a Pulumi project directory")
        p.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    render.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="output directory")
    preflight.add_argument("--region", help="AWS region (default: the stack's aws:region)")
    preflight.add_argument("--profile", help="AWS profile of the shared config files")
    baseline = compare.add_mutually_exclusive_group(required=True)
    baseline.add_argument("--against-stack", metavar="OTHER",
                          help="baseline: stack OTHER of the same project")
    baseline.add_argument("--against-dir", type=Path, metavar="OTHER_STACK_DIR",
                          help="baseline: the same stack of another project directory")
    baseline.add_argument("--rev", metavar="GIT_REV",
                          help="baseline: STACK_DIR at git revision GIT_REV (git archive)")
    compare.add_argument("--exit-code", action="store_true",
                         help="exit 1 when anything changed, like git diff --exit-code")
    compare.add_argument("--format", choices=("text", "markdown"), default="text",
                         help="text for a terminal, markdown for a pull-request comment")
    return parser


def _render(args: argparse.Namespace) -> int:
    from ingresslib.offline.output import write  # noqa: PLC0415 (see the note at the top)
    from ingresslib.offline.runner import run_project  # noqa: PLC0415

    files = write(args.out, run_project(args.stack_dir, args.stack))
    print(f"wrote {len(files)} manifests, plan.json and traffic.mmd to {args.out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ingresslib.offline.validate import validate  # noqa: PLC0415 (see the note at the top)

    result = validate(args.stack_dir, args.stack)
    for warning in result.warnings:
        print(f"warning: {warning}")
    how = "program run offline" if result.ran_program else "config and rendered objects"
    print(f"{args.stack_dir}: stack {args.stack} is valid ({how})")
    return 0


def _entries(stack_dir: Path, stack: str) -> list[dict[str, Any]]:
    """Everything a render writes, as the diff compares it: Kubernetes objects and plan."""
    from ingresslib.offline.output import manifests, plan  # noqa: PLC0415 (see the top)
    from ingresslib.offline.runner import run_project  # noqa: PLC0415

    records = run_project(stack_dir, stack)
    return [*manifests(records), *plan(records)]


def _diff(args: argparse.Namespace) -> int:
    from ingresslib.offline.diff import (  # noqa: PLC0415 (see the note at the top)
        checkout,
        diff,
        format_markdown,
        format_text,
    )

    new = _entries(args.stack_dir, args.stack)
    if args.against_stack:
        old = _entries(args.stack_dir, args.against_stack)
        labels = (f"stack {args.against_stack}", f"stack {args.stack}")
    elif args.against_dir:
        old = _entries(args.against_dir, args.stack)
        labels = (f"{args.against_dir} stack {args.stack}", f"{args.stack_dir} stack {args.stack}")
    else:
        with checkout(args.stack_dir, args.rev) as baseline:
            old = _entries(baseline, args.stack)
        labels = (f"{args.rev}", "working tree")
    result = diff(old, new)
    formatter = format_markdown if args.format == "markdown" else format_text
    print(formatter(result, *labels), end="")
    return 1 if args.exit_code and result.resources else 0


def _preflight(args: argparse.Namespace) -> int:
    """Exit 0 when the account holds everything the stack names, 2 with every problem."""
    import boto3  # noqa: PLC0415 (only preflight talks to AWS)
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from ingresslib.errors import ConfigError, Problem  # noqa: PLC0415 (see the top)
    from ingresslib.offline.runner import Project  # noqa: PLC0415
    from ingresslib.offline.validate import stack_config  # noqa: PLC0415
    from ingresslib.preflight.eks import preflight  # noqa: PLC0415 (imports boto3)

    project = Project.load(args.stack_dir)
    cfg = stack_config(project, args.stack)
    if cfg.cloud != args.cloud:
        error = ConfigError([Problem("cloud", cfg.cloud, f"preflight {args.cloud} checks "
                                     f"{args.cloud} stacks only")], "ingress:stack")
        raise project.locate(error, args.stack)
    region = args.region or project.stack_config(args.stack).get("aws:region")
    try:
        session = boto3.Session(profile_name=args.profile, region_name=region)
        problems = preflight(cfg, session)
    except (BotoCoreError, ClientError) as e:
        print(f"error: AWS refused a preflight call: {e}", file=sys.stderr)
        return 2
    where = f"{args.stack_dir} stack {args.stack} in {session.region_name}"
    if problems:
        print(f"error: preflight of {where}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 2
    print(f"preflight of {where} passed")
    return 0


_COMMANDS = {"render": _render, "validate": _validate, "diff": _diff, "preflight": _preflight}


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 2 on bad input (one message, no traceback)."""
    args = _parser().parse_args(argv)
    from ingresslib.errors import ConfigError  # noqa: PLC0415 (see the note at the top)
    from ingresslib.offline.mocks import OfflineError  # noqa: PLC0415

    try:
        return _COMMANDS[args.command](args)
    except (ConfigError, OfflineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
