"""`make scan`: checkov over every rendered stack's manifests and over its AWS resources, and parliament and
cloudsplaining over its IAM documents, each with its reviewed skip list applied per resource.

    .venv/bin/python -m security.scan --checkov .venv-checkov/bin/checkov --iam-python .venv-iam/bin/python \
        build/dev build/prod

The scanners run WITHOUT skips, once per stack (`-o json`); this module then applies the skip lists itself
(security/skips.py). Two reasons: checkov's command line can only skip a check everywhere (`--skip-check`),
while its per-resource suppressions are annotations or comments on the objects themselves, which we will not
ship; and the unskipped results are what shows a skip has gone stale. Exit status 1 when a check fails that no
skip covers, or when a skip covers nothing in any scanned stack (delete it); 2 when a scanner could not scan,
or a plan has an AWS type with no Terraform mapping (security/aws_types.py).

The Kubernetes half is here; the AWS half in security/aws_scan.py (checkov's terraform_plan framework over
security/tfplan.py's conversion) and security/iam_scan.py (parliament and cloudsplaining).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from security import aws_scan, iam_scan, tfplan
from security import checkov as checkov_cli
from security.checkov import ScanError
from security.skips import MIN_JUSTIFICATION, Finding, Outcome, Rules, Skip, classify
from security.skips import load_skips as _load
from security.skips import report as _report

__all__ = ["MIN_JUSTIFICATION", "Finding", "Outcome", "ScanError", "Skip", "classify"]

SKIPS_FILE = Path(__file__).resolve().parent / "checkov-skips.yaml"
# checkov names a Kubernetes resource `Kind.namespace.name` (graph checks append the pod's labels).
RULES = Rules(
    check_id=re.compile(r"^CKV2?_K8S_\d+$"),
    id_help="a checkov Kubernetes check id (CKV_K8S_n, CKV2_K8S_n)",
    resource=re.compile(r"^[A-Z][A-Za-z]+\.[a-z0-9*?-]+\.[^\s]+$"),
    resource_help="Kind.namespace.name",
)


def load_skips(path: Path = SKIPS_FILE) -> list[Skip]:
    """The manifests' skip list, validated: every problem at once, each naming its entry."""
    return _load(path, RULES)


def findings(stack: str, report: Any) -> tuple[list[Finding], int]:
    """Failed checks and the number passed, from checkov's JSON for one stack's manifests."""
    return checkov_cli.findings(stack, report, "Kubernetes manifests")


def run_checkov(checkov_bin: str, builds: list[Path]) -> list[Any]:
    """checkov's JSON for each build/<stack>/manifests, the stacks scanned side by side."""
    return checkov_cli.run(checkov_bin, "kubernetes", [("-d", b / "manifests") for b in builds])


def scan(checkov: str, builds: list[Path], skips: list[Skip]) -> Outcome:
    """Every stack scanned, then the skips applied to all of them at once (stale = needed by none)."""
    failed: list[Finding] = []
    passed = 0
    for build, result in zip(builds, run_checkov(checkov, builds), strict=True):
        f, p = findings(build.name, result)
        failed += f
        passed += p
    return classify(failed, passed, skips)


def report(out: Outcome, skips_file: Path = SKIPS_FILE) -> str:
    return _report("checkov", out, skips_file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m security.scan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", default="checkov", help="the checkov executable")
    parser.add_argument(
        "--iam-python", default=None, help="python of the venv with parliament, cloudsplaining"
    )
    parser.add_argument("--skips", type=Path, default=SKIPS_FILE, help="the manifests' skip list")
    parser.add_argument(
        "builds", nargs="+", type=Path, help="rendered stacks: build/<stack> (from make plan)"
    )
    args = parser.parse_args(argv)
    try:
        tfplans = [tfplan.write(b) for b in args.builds]
        outcomes = [
            ("checkov", scan(args.checkov, args.builds, load_skips(args.skips)), args.skips),
            ("checkov-aws", aws_scan.scan(args.checkov, tfplans), aws_scan.SKIPS_FILE),
        ]
        if args.iam_python:
            outcomes.append(("iam", iam_scan.scan(args.iam_python, tfplans), iam_scan.SKIPS_FILE))
    except (ValueError, ScanError, iam_scan.ScanError, tfplan.UnmappedTypes) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n".join(_report(tool, out, skips) for tool, out, skips in outcomes))
    return 0 if all(out.ok for _, out, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
