"""`python -m delivery [table|matrix|stacks|credentials STACK]`: the environments the workflows run.

  table        (default) each stack's deploy order, region, GitHub environments, policy config and secrets
               provider, read from the stack files
  matrix       the same as a workflow matrix, `{"include": [...]}` on one line, in deploy order (what the
               workflows' first job writes to $GITHUB_OUTPUT); with --changed-since REF, only the stacks
               the change since REF needs a real preview of (delivery/changed.py)
  stacks       the stack names, space-separated (the files are not read: the offline diff reports those)
  credentials  STACK: whether the job holds what STACK's backend and secrets provider need, from the
               environment the workflow sets (PULUMI_BACKEND_URL, HAS_PULUMI_ACCESS_TOKEN,
               HAS_PULUMI_CONFIG_PASSPHRASE, the AWS role's keys); exit 1 naming each missing one

Exit status: 0; 1 a credential is missing; 2 a stack file cannot be previewed or deployed (every problem is
listed) or STACK is no stack.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from delivery.changed import changed_stacks
from delivery.credentials import Held, missing
from delivery.environments import Environment, EnvironmentsError, environments, stack_names

PROJECT_DIR = Path(__file__).resolve().parent.parent
COLUMNS = (
    "order",
    "stack",
    "region",
    "environment",
    "preview_environment",
    "policy_config",
    "secrets_provider",
)


def matrix(envs: list[Environment]) -> str:
    return json.dumps({"include": [e.matrix_entry() for e in envs]}, separators=(",", ":"))


def table(envs: list[Environment]) -> str:
    rows = [COLUMNS, *[tuple(str(getattr(e, c)) for c in COLUMNS) for e in envs]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows)


OUTPUTS = {"table": table, "matrix": matrix}


def credentials(envs: list[Environment], stack: str) -> int:
    env = next((e for e in envs if e.stack == stack), None)
    if env is None:
        print(f"error: no stack {stack!r} (stacks: {', '.join(e.stack for e in envs)})", file=sys.stderr)
        return 2
    lacking = missing(stack, env.secrets_provider, Held.from_env(os.environ))
    for line in lacking:
        print(f"::error::{line}")  # a GitHub annotation; the line names what is missing, never a value
    if not lacking:
        print(f"{stack}: the backend's login and the {env.secrets_provider} secrets provider's key are set")
    return 1 if lacking else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m delivery", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output", nargs="?", default="table", choices=[*OUTPUTS, "stacks", "credentials"])
    parser.add_argument("stack", nargs="?", help="credentials: the stack whose job this is")
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help="matrix: only the stacks whose real preview the change since REF needs",
    )
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (args.output == "credentials") != (args.stack is not None):
        parser.error("give a stack with `credentials`, and only with it")
    try:
        if args.output == "stacks":
            print(" ".join(stack_names(args.project_dir)))
            return 0
        envs = environments(args.project_dir)
    except EnvironmentsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.output == "credentials":
        return credentials(envs, args.stack)
    if args.changed_since is not None:
        if args.output != "matrix":
            parser.error("--changed-since goes with `matrix` only")
        wanted = set(changed_stacks(args.changed_since, [e.stack for e in envs], args.project_dir))
        envs = [e for e in envs if e.stack in wanted]
    print(OUTPUTS[args.output](envs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
