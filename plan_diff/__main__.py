"""`make plan-diff BASE=<git ref> [STACK=dev]`: what a change does to a stack, read offline before review.

Renders the stack twice — at BASE, in a temporary `git worktree` with that tree's own planner, and in the
working tree — and compares the two `plan.json` files: resources to add, change in place, replace and delete
(identity is the URN), the changed inputs of each as flattened paths (long values as a short unified diff),
changed resource options and changed stack outputs; and the two `fleet.json` files: what changed in the
resolved fleet (a model's TP, GPUs and $/h per replica, the GPU capacity). The text is markdown: CI posts it
verbatim as a pull-request comment.

A summary heads it (plan_diff/summary.py): the working tree's mandatory policy violations, each rule on its
resource; a move of the AWS provider (region, partition, account: every AWS resource is replaced); the
monthly cost at minimum and maximum scale before and after, from each side's cost.json; each model's TP, GPUs
per replica, replicas and $/h per replica before and after, from fleet.json; and the risks (plan_diff/risks.py): stateful or shared resources
replaced or deleted, models moving to other GPUs, availability and public exposure changes, new policy
findings. Added resources show their key inputs (plan_diff/key_inputs.py).

Replacements are an offline estimate. Without a provider to ask, `REPLACE_ON` (plan_diff/replacements.py)
lists, per resource type, the inputs that type cannot update in place, taken from the providers' own tables;
`pulumi preview --diff` against the real stack stays the authority.

Exit status: 0 when the diff is printed (with or without changes); 3 when it is printed and the working
tree's plan has mandatory policy violations (they lead the diff; `pulumi preview` would refuse the plan); 2
for a bad ref, a missing stack, an invalid stack configuration or a base that cannot be rendered (nothing is
printed on stdout). `make plan-diff` passes the diff through; make itself exits 2 on any failure, so scripts
that tell 3 from 2 run `python -m plan_diff`.
"""

from __future__ import annotations

import argparse
import signal
import sys

from plan_diff.markdown import render
from plan_diff.summary import EXIT_VIOLATIONS, summarise
from plan_diff.worktree import DiffError, plan_diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plan_diff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base", required=True, metavar="REF", help="git ref to compare against (HEAD~1, main)"
    )
    parser.add_argument("--stack", default="dev", help="stack name: Pulumi.<stack>.yaml (default dev)")
    args = parser.parse_args(argv)
    # A SIGTERM (CI cancel) unwinds like Ctrl-C, so the worktree and temp dirs are still removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = plan_diff(args.base, args.stack)
    except DiffError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    summary = summarise(result)
    print(render(result.diff, result.base_label, notes=result.notes, summary=summary))
    return EXIT_VIOLATIONS if summary.blocked else 0


if __name__ == "__main__":
    sys.exit(main())
