"""`python -m planner --stack dev`: render a stack offline (what `make plan` runs)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from config.issues import ConfigError
from cost.report import write_report
from planner.render import summary, write_plan
from planner.stackfile import available_stacks

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
    from planner.run import run_plan  # after argparse, so --help is instant

    try:
        plan = run_plan(args.project_dir, args.stack)
    except ConfigError as err:
        shutil.rmtree(out, ignore_errors=True)  # no plan for an invalid config, not even an old one
        print(f"error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    written = write_plan(plan, out)
    print(summary(plan, out, written))
    print(write_report(plan.fleet, plan.stack.stack, out, live=args.live_prices))
    from planner.policy_check import check_policies  # after the plan: pulumi_policy is only needed here

    violations = check_policies(plan, out)
    print(f"\nPlanned in {time.monotonic() - started:.1f} s.")
    # The plan is still written: a reviewer reads what violates, and CI fails on it.
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
