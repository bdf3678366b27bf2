"""`python -m planner --stack dev`: render a stack offline (what `make plan` runs).

Exit status: 0 the plan is written; 1 the plan is wrong: a mandatory policy violation (the plan is written, for
review) or a URN registered twice (nothing is written: the engine would refuse it before any plan); 2 the input
is wrong: the stack file or the stack name. build/<stack> is replaced all at once, or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from config.issues import ConfigError
from cost.report import write_report
from fleet.summary import model_changes
from planner.mocks import DuplicateUrnError, refuse_duplicate_urns
from planner.render import rebased, render_plan, staged, summary
from planner.stackfile import StackFileError, available_stacks

if TYPE_CHECKING:
    from planner.run import Plan

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planner", description=__doc__)
    parser.add_argument("--stack", default="dev", help=f"one of: {', '.join(available_stacks(PROJECT_DIR))}")
    parser.add_argument("--out", type=Path, help="output directory (default build/<stack>)")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    parser.add_argument(
        "--live-prices",
        action="store_true",
        default=os.environ.get("LIVE_PRICES", "").lower() in {"1", "true", "yes"},
        help="price cost.md with the AWS Pricing API and spot history (needs AWS credentials; or LIVE_PRICES=1)",
    )
    args = parser.parse_args(argv)
    out = args.out or Path("build") / args.stack

    started = time.monotonic()
    from pulumi import RunError  # after argparse, so --help is instant

    from planner.run import run_plan

    try:
        plan = run_plan(args.project_dir, args.stack)
    # RunError: the program refused what it looked up (an existing cluster's preconditions), as `pulumi preview`
    # stops with its message.
    except (ConfigError, FileNotFoundError, StackFileError, RunError) as err:
        # Refused before anything is registered or written: build/<stack> stays as the last valid plan left it
        # (all or nothing: a plan is replaced only by a whole new one).
        print(f"error: {err}", file=sys.stderr)
        if out.exists():
            print(f"({out}/ is left as it was: the last plan that was valid)", file=sys.stderr)
        return 2
    try:
        violations = write_everything(plan, out, live=args.live_prices)
    except DuplicateUrnError as err:
        # Exit 1, not 2: the stack file is valid, the program is wrong, as a mandatory violation says of the
        # plan; unlike one, nothing is written (`pulumi preview` would stop before showing any plan).
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"\nPlanned in {time.monotonic() - started:.1f} s.")
    # The plan is still written: a reviewer reads what violates, and CI fails on it.
    return 1 if violations else 0


def write_everything(plan: Plan, out: Path, live: bool = False) -> int:
    """The plan's files, cost.md and policy.txt, all or nothing: rendered into a new directory beside `out` and
    moved into its place only once every step has succeeded. Returns the number of mandatory violations."""
    refuse_duplicate_urns(plan.resources)  # before anything is written
    from planner.policy_check import check_policies  # after the plan: pulumi_policy is only needed here

    previous = _previous_fleet(out)
    with staged(out) as new:
        written = rebased(render_plan(plan, new), new, out)
        print(summary(plan, out, written))
        # cost.md is written into the new directory; the line says where it will be read.
        print(write_report(plan.fleet, plan.stack.stack, new, live=live).replace(str(new), str(out)))
        violations = check_policies(plan, new)
        if previous is not None:
            _print_changes(previous, json.loads((new / "fleet.json").read_text()), out)
    return violations


def _previous_fleet(out: Path) -> dict | None:
    """The fleet.json of the plan this one replaces, if it is one we can read."""
    try:
        return json.loads((out / "fleet.json").read_text())
    except (OSError, ValueError):
        return None


def _print_changes(previous: dict, current: dict, out: Path) -> None:
    """A model that moves (another TP, more GPUs per replica, another price) is said out loud: no resource
    input may show it plainly, and `tensorParallelSize: auto` can move it on an unrelated edit."""
    changes = model_changes(previous, current)
    if changes:
        print(f"\nChanged since the last plan ({out / 'fleet.json'}):")
        print("\n".join(f"  * {line}" for line in changes))


if __name__ == "__main__":
    sys.exit(main())
