"""`python -m planner --stack dev`: render a stack offline (what `make plan` runs)."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from planner.render import summary, write_plan
from planner.stackfile import available_stacks
from stacks.loader import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planner", description=__doc__)
    parser.add_argument("--stack", default="dev", help=f"one of: {', '.join(available_stacks(PROJECT_DIR))}")
    parser.add_argument("--out", type=Path, help="output directory (default build/<stack>)")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
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
    print(f"\nPlanned in {time.monotonic() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
