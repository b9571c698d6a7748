"""`ingresslib render` and `ingresslib validate`: offline, no cloud account, no Pulumi CLI.
`ingresslib preflight eks`: the AWS account checked before `pulumi up` (read-only, boto3)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingresslib.config import parse_config
from ingresslib.errors import ConfigError, Problem
from ingresslib.offline.mocks import OfflineError
from ingresslib.offline.output import write
from ingresslib.offline.runner import Project, run_project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingresslib", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser(
        "render", help="run a stack's program under mocks and write its manifests and plan"
    )
    validate = sub.add_parser("validate", help="check a stack's config; exit 0 when valid")
    preflight = sub.add_parser(
        "preflight", help="check the cloud account a stack deploys into, before pulumi up"
    )
    preflight.add_argument("cloud", choices=["eks"], help="the stack's cloud")
    for p in (render, validate, preflight):
        p.add_argument("stack_dir", type=Path, help="a Pulumi project directory")
        p.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    render.add_argument("--out", type=Path, required=True, help="output directory")
    preflight.add_argument("--region", help="AWS region (default: the stack's aws:region)")
    preflight.add_argument("--profile", help="AWS profile of the shared config files")
    return parser


def _preflight(args: argparse.Namespace) -> int:
    """Exit 0 when the account holds everything the stack names, 2 with every problem."""
    import boto3  # noqa: PLC0415 (only preflight talks to AWS)
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from ingresslib.preflight.eks import preflight  # noqa: PLC0415 (imports boto3)

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
    try:
        if args.command == "preflight":
            return _preflight(args)
        records = run_project(args.stack_dir, args.stack)
        if args.command == "validate":
            print(f"{args.stack_dir}: stack {args.stack} is valid")
            return 0
        files = write(args.out, records)
    except (ConfigError, OfflineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} manifests and plan.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
