"""`ingresslib render`, `ingresslib validate` and `ingresslib diff`: offline, no cloud account,
no Pulumi CLI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ingresslib.errors import ConfigError
from ingresslib.offline.diff import checkout, diff, format_markdown, format_text
from ingresslib.offline.mocks import OfflineError
from ingresslib.offline.output import manifests, plan, write
from ingresslib.offline.runner import run_project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingresslib", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser(
        "render",
        help="run a stack's program under mocks and write its manifests, plan and traffic "
        "diagram",
    )
    validate = sub.add_parser("validate", help="check a stack's config; exit 0 when valid")
    compare = sub.add_parser(
        "diff",
        help="render a stack and a baseline offline and show what changes, per resource",
        description="Render STACK_DIR's stack and a baseline (another stack, another project "
        "directory, or the same directory at a git revision) and print the resources added, "
        "removed and changed, with the changed fields. Exit 0, or 1 with --exit-code when "
        "anything changed; 2 on errors.",
    )
    for p in (render, validate, compare):
        p.add_argument("stack_dir", type=Path, help="a Pulumi project directory")
        p.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    render.add_argument("--out", type=Path, required=True, help="output directory")
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


def _entries(stack_dir: Path, stack: str) -> list[dict[str, Any]]:
    """Everything a render writes, as the diff compares it: Kubernetes objects and plan."""
    records = run_project(stack_dir, stack)
    return [*manifests(records), *plan(records)]


def _diff(args: argparse.Namespace) -> int:
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "diff":
            return _diff(args)
        if args.command == "validate":
            run_project(args.stack_dir, args.stack)
            print(f"{args.stack_dir}: stack {args.stack} is valid")
            return 0
        files = write(args.out, run_project(args.stack_dir, args.stack))
    except (ConfigError, OfflineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} manifests, plan.json and traffic.mmd to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
