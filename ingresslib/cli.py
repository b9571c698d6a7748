"""`ingresslib render` and `ingresslib validate`: offline, no cloud account, no Pulumi CLI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingresslib.errors import ConfigError
from ingresslib.offline.mocks import OfflineError
from ingresslib.offline.output import write
from ingresslib.offline.runner import run_project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingresslib", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser(
        "render", help="run a stack's program under mocks and write its manifests and plan"
    )
    validate = sub.add_parser("validate", help="check a stack's config; exit 0 when valid")
    for p in (render, validate):
        p.add_argument("stack_dir", type=Path, help="a Pulumi project directory")
        p.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    render.add_argument("--out", type=Path, required=True, help="output directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
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
