"""`ingresslib render`, `validate` and `diff`: offline, no cloud account, no Pulumi CLI.
`ingresslib preflight eks`: the AWS account checked before `pulumi up` (read-only, boto3).
`ingresslib schema`: the JSON Schema of ingress:stack, and the config reference."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from ingresslib import parse_config
from ingresslib.errors import ConfigError, Problem
from ingresslib.offline.diff import (
    EXIT_CHANGES,
    EXIT_REPLACEMENTS,
    checkout,
    diff,
    format_markdown,
    format_text,
)
from ingresslib.offline.mocks import OfflineError
from ingresslib.offline.output import write, write_picture
from ingresslib.offline.picture import PictureUnavailable
from ingresslib.offline.replacements import Entry, entries
from ingresslib.offline.runner import Project, run_project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingresslib", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser(
        "render",
        help="run a stack's program under mocks and write its manifests, plan and traffic "
        "picture (traffic.mmd; traffic.svg and traffic.png with the picture extra and Graphviz)",
    )
    validate = sub.add_parser("validate", help="check a stack's config; exit 0 when valid")
    compare = sub.add_parser(
        "diff",
        help="render a stack and a baseline offline and show what changes, per resource",
        description="Render STACK_DIR's stack and a baseline (another stack, another project "
        "directory, or the same directory at a git revision) and print the resources Pulumi "
        "would replace (first), change, add and remove, with the changed fields; a stack "
        "that exists on one side only is wholly added or removed. Exit status: 0, or with "
        f"--exit-code {EXIT_CHANGES} when anything changed and {EXIT_REPLACEMENTS} when a "
        "resource would be replaced; 2 on errors.",
    )
    preflight = sub.add_parser(
        "preflight", help="check the cloud account a stack deploys into, before pulumi up"
    )
    preflight.add_argument("cloud", choices=["eks"], help="the stack's cloud")
    schema = sub.add_parser("schema", help="print the JSON Schema of ingress:stack, of a stack "
                            "file, or the config reference")
    output = schema.add_mutually_exclusive_group()
    output.add_argument("--stack-file", action="store_true",
                        help="the JSON Schema of a whole Pulumi.<stack>.yaml")
    output.add_argument("--reference", action="store_true", help="the Markdown config reference")
    output.add_argument("--write", type=Path, metavar="DIR",
                        help="write all three into DIR (docs/ in this repository)")
    for p in (render, validate, compare, preflight):
        p.add_argument("stack_dir", type=Path, help="a Pulumi project directory")
        p.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    render.add_argument("--out", type=Path, required=True, help="output directory")
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
                         help=f"exit {EXIT_CHANGES} when anything changed, "
                         f"{EXIT_REPLACEMENTS} when Pulumi would replace a resource")
    compare.add_argument("--format", choices=("text", "markdown"), default="text",
                         help="text for a terminal, markdown for a pull-request comment")
    compare.add_argument("--max-chars", type=int, metavar="N",
                         help="markdown: leave out resource sections past N characters "
                         "(a comment's size limit), saying how many")
    compare.add_argument("--full-diff", type=Path, metavar="FILE",
                         help="also write the whole diff, never capped, to FILE")
    return parser


def _entries(stack_dir: Path, stack: str, *, may_lack: bool = False) -> list[Entry] | None:
    """Everything a render writes, as the diff compares it. With `may_lack`, None when the
    project or its stack does not exist (a stack that a change adds or removes)."""
    if may_lack and not ((stack_dir / "Pulumi.yaml").is_file()
                         and Project.load(stack_dir).has_stack(stack)):
        return None
    return entries(run_project(stack_dir, stack))


def _diff(args: argparse.Namespace) -> int:
    # Against a git revision the change itself may add or remove the stack (or its project):
    # the side without it is empty. Another stack or directory must exist.
    new = _entries(args.stack_dir, args.stack, may_lack=bool(args.rev))
    if args.against_stack:
        old = _entries(args.stack_dir, args.against_stack)
        labels = [f"stack {args.against_stack}", f"stack {args.stack}"]
    elif args.against_dir:
        old = _entries(args.against_dir, args.stack)
        labels = [f"{args.against_dir} stack {args.stack}", f"{args.stack_dir} stack {args.stack}"]
    else:
        with checkout(args.stack_dir, args.rev) as baseline:
            try:
                old = _entries(baseline, args.stack, may_lack=True)
            except (ConfigError, OfflineError) as e:
                # The baseline lives in a temporary directory: name it by its revision.
                raise OfflineError(f"at {args.rev}: " + str(e).replace(
                    str(baseline), f"{args.rev}:{args.stack_dir}")) from None
        labels = [f"{args.rev}", "working tree"]
    if old is None and new is None:
        raise OfflineError(f"{args.stack_dir} has no stack {args.stack!r} in the working tree "
                           f"nor at {args.rev}")
    for i, side in enumerate((old, new)):
        if side is None:
            labels[i] += f" (no stack {args.stack})"
    before, after = old or [], new or []
    result = diff(before, after)
    if args.format == "markdown":
        text = format_markdown(result, *labels, args.max_chars)
        full = format_markdown(result, *labels)
    else:
        text = full = format_text(result, *labels)
    if args.full_diff:
        args.full_diff.write_text(full)
    print(text, end="")
    return result.exit_status() if args.exit_code else 0


def _diff_or_2(args: argparse.Namespace) -> int:
    """`_diff`, exiting 2 on any error: with --exit-code, 1 and 3 mean changes, never a
    crash of the program being rendered."""
    try:
        return _diff(args)
    except (ConfigError, OfflineError):
        raise
    except Exception:
        traceback.print_exc()
        return 2


def _preflight(args: argparse.Namespace) -> int:
    """Exit 0 when the account holds everything the stack names, 2 with every problem."""
    import boto3  # noqa: PLC0415 (only preflight talks to AWS)
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from ingresslib.aws.preflight import preflight  # noqa: PLC0415 (imports boto3)

    config = Project.load(args.stack_dir).stack_config(args.stack)
    source = "ingress:stack"
    cfg = parse_config(json.loads(config.get(source) or "{}"), source)
    if cfg.cloud != args.cloud:
        raise ConfigError([Problem("cloud", cfg.cloud, f"preflight {args.cloud} checks "
                                   f"{args.cloud} stacks only")], source)
    region = args.region or config.get("aws:region")
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from ingresslib.reference import schema_command  # noqa: PLC0415 (the docs only)

        return schema_command(stack_file=args.stack_file, reference=args.reference,
                              write=args.write)
    try:
        if args.command == "diff":
            return _diff_or_2(args)
        if args.command == "preflight":
            return _preflight(args)
        if args.command == "validate":
            run_project(args.stack_dir, args.stack)
            print(f"{args.stack_dir}: stack {args.stack} is valid")
            return 0
        records = run_project(args.stack_dir, args.stack)
        files = write(args.out, records)
    except (ConfigError, OfflineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        pictures = ", ".join(p.name for p in write_picture(args.out, records))
    except PictureUnavailable as e:
        print(f"note: traffic.svg and traffic.png not written: {e}", file=sys.stderr)
        pictures = ""
    print(f"wrote {len(files)} manifests, plan.json, traffic.mmd"
          f"{', ' + pictures if pictures else ''} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
