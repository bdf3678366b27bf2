"""`python -m planner --stack dev`: render a stack offline (what `make plan` runs)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from planner.cost_report import write_report
from planner.render import summary, write_plan
from planner.stackfile import available_stacks
from stacks.loader import ConfigError

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
    print(write_report(plan, out, live=args.live_prices))
    violations = check_policies(plan, out)
    print(f"\nPlanned in {time.monotonic() - started:.1f} s.")
    # The plan is still written: a reviewer reads what violates, and CI fails on it.
    return 1 if violations else 0


def check_policies(plan, out: Path) -> int:
    """Run the policy pack's rules over the plan (same rules and per-stack config as `--policy-pack policy`);
    print and write the findings; return the number of mandatory violations."""
    from policy.offline import check, config_for_stack, render, resources_of

    config, source = config_for_stack(plan.stack.stack)
    report = check(resources_of(plan.resources), config)
    lines = [*render(report), f"  (config: {source})"]
    (out / "policy.txt").write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))
    return len(report.mandatory)


if __name__ == "__main__":
    sys.exit(main())
