"""`ingresslib render`, `validate` and `diff`: offline, no cloud account, no Pulumi CLI.
`ingresslib preflight eks`: the AWS account checked before `pulumi up` (read-only, boto3).
`ingresslib schema`: the JSON Schema of ingress:stack, and the config reference.
`ingresslib verify`: a stack proven by real traffic in the edge lab (docs/lab.md)."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The commands import ingresslib's config models, Pulumi and the cloud SDKs inside their
# functions: --help, --version and usage errors answer without loading them (about a second).

# offline.diff's EXIT_CHANGES and EXIT_REPLACEMENTS, for the help text (test_cli checks them).
EXIT_CHANGES = 1
EXIT_REPLACEMENTS = 3

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
        "picture (traffic.mmd; traffic.svg and traffic.png with the picture extra and Graphviz)",
        description="Run the stack's program under Pulumi's mocks and write DIR/manifests/ "
        "(one YAML file per Kubernetes object), DIR/plan.json (every other resource), "
        "DIR/traffic.mmd and, with the picture extra and Graphviz, DIR/traffic.svg and "
        "DIR/traffic.png. DIR is created when missing; a later render replaces exactly the "
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
    verify = sub.add_parser(
        "verify", help="prove a stack by real traffic on loopback (the edge lab; set up with "
        "`bash scripts/lab-setup`)",
        description="Render the stack (or take --render-dir), start the edge lab (the cloud "
        "load balancer emulated from the render, the gateway's Envoy with the xDS istiod "
        "would push, stand-ins for the backends) and run the probes the stack's config implies. "
        "Prints intent against observation per probe. Exit status: 0 every probe passed, 1 any "
        "mismatch (or the lab could not start the stack), 2 usage, config or set-up errors.",
    )
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.add_argument("--render-dir", type=Path, metavar="DIR",
                        help="use this `ingresslib render` output instead of rendering")
    verify.add_argument("--keep", action="store_true",
                        help="keep the lab's working directory (logs, bootstraps) and print it")
    for p in (render, validate, compare, preflight, verify):
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


def _render(args: argparse.Namespace) -> int:
    from ingresslib.offline.output import traffic_images, write  # noqa: PLC0415 (see the top)
    from ingresslib.offline.picture import PictureUnavailable  # noqa: PLC0415
    from ingresslib.offline.runner import run_project  # noqa: PLC0415

    records = run_project(args.stack_dir, args.stack)
    try:
        images = traffic_images(records)
        note = ""
    except PictureUnavailable as e:
        images, note = {}, f"note: traffic.svg and traffic.png not written: {e}"
    files = write(args.out, records, images)
    if note:
        print(note, file=sys.stderr)
    pictures = "".join(f", {name}" for name in sorted(images))
    print(f"wrote {len(files)} manifests, plan.json, edge.md, traffic.mmd{pictures} to {args.out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ingresslib.offline.validate import validate  # noqa: PLC0415 (see the note at the top)

    result = validate(args.stack_dir, args.stack)
    for warning in result.warnings:
        print(f"warning: {warning}")
    how = "program run offline" if result.ran_program else "config and rendered objects"
    print(f"{args.stack_dir}: stack {args.stack} is valid ({how})")
    return 0


def _entries(stack_dir: Path, stack: str, *, may_lack: bool = False) -> list[Any] | None:
    """Everything a render writes, as the diff compares it (`replacements.Entry`). With
    `may_lack`, None when the project or its stack does not exist (a stack that a change adds
    or removes)."""
    from ingresslib.offline.replacements import entries  # noqa: PLC0415 (see the top)
    from ingresslib.offline.runner import Project, run_project  # noqa: PLC0415

    if may_lack and not ((stack_dir / "Pulumi.yaml").is_file()
                         and Project.load(stack_dir).has_stack(stack)):
        return None
    return entries(run_project(stack_dir, stack))


def _diff(args: argparse.Namespace) -> int:
    from ingresslib.errors import ConfigError  # noqa: PLC0415 (see the note at the top)
    from ingresslib.offline.diff import (  # noqa: PLC0415
        checkout,
        diff,
        format_markdown,
        format_text,
    )
    from ingresslib.offline.project import OfflineError  # noqa: PLC0415

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
        text = format_markdown(result, *labels, args.max_chars,
                               str(args.full_diff) if args.full_diff else None)
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
    from ingresslib.errors import ConfigError  # noqa: PLC0415 (see the note at the top)
    from ingresslib.offline.project import OfflineError  # noqa: PLC0415

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
    from ingresslib.errors import ConfigError, Problem  # noqa: PLC0415 (see the top)
    from ingresslib.offline.project import Project  # noqa: PLC0415
    from ingresslib.offline.validate import stack_config  # noqa: PLC0415

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


def _verify(args: argparse.Namespace) -> int:
    from ingresslib.lab.stack import RenderDirError  # noqa: PLC0415 (see the note at the top)
    from ingresslib.lab.tools import LabToolMissing  # noqa: PLC0415
    from ingresslib.lab.verify import EXIT_MISMATCH, EXIT_PASS, table, to_json  # noqa: PLC0415
    from ingresslib.lab.verify import verify as run  # noqa: PLC0415

    try:
        result = run(args.stack_dir, args.stack, args.render_dir, keep=args.keep)
    except (LabToolMissing, RenderDirError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(to_json(result) if args.json else table(result))
    if args.keep and result.workdir and not args.json:
        print(f"lab files: {result.workdir}")
    return EXIT_PASS if result.passed else EXIT_MISMATCH


_COMMANDS = {"render": _render, "validate": _validate, "diff": _diff_or_2,
             "preflight": _preflight, "verify": _verify}


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 2 on bad input (one message, no traceback)."""
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from ingresslib.reference import schema_command  # noqa: PLC0415 (the docs only)

        return schema_command(stack_file=args.stack_file, reference=args.reference,
                              write=args.write)
    from ingresslib.errors import ConfigError  # noqa: PLC0415 (see the note at the top)
    from ingresslib.offline.project import OfflineError  # noqa: PLC0415

    try:
        return _COMMANDS[args.command](args)
    except (ConfigError, OfflineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
