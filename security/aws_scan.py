"""checkov's terraform_plan framework over each stack's AWS resources (build/<stack>/aws/tfplan.json, written
by security/tfplan.py), with security/aws-skips.yaml applied per resource (security/skips.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from security import checkov as checkov_cli
from security.skips import Finding, Outcome, Rules, Skip, classify, load_skips

SKIPS_FILE = Path(__file__).resolve().parent / "aws-skips.yaml"
# checkov names a resource of a Terraform plan by its address, `<type>.<name>`.
RULES = Rules(
    check_id=re.compile(r"^CKV2?_AWS_\d+$"),
    id_help="a checkov AWS check id (CKV_AWS_n, CKV2_AWS_n)",
    resource=re.compile(r"^aws_[a-z0-9_*?]+\.[A-Za-z0-9_*?-]+$"),
    resource_help="Terraform addresses, <aws_type>.<name>",
)


def findings(stack: str, report: Any) -> tuple[list[Finding], int]:
    """Failed checks and the number passed, from checkov's JSON for one plan file."""
    return checkov_cli.findings(stack, report, "AWS resources in the plan", file_path="aws/tfplan.json")


def run_checkov(checkov_bin: str, tfplans: list[Path]) -> list[Any]:
    """checkov's JSON for each plan file, the stacks scanned side by side."""
    return checkov_cli.run(checkov_bin, "terraform_plan", [("-f", p) for p in tfplans])


def scan(checkov: str, tfplans: list[Path], skips: list[Skip] | None = None) -> Outcome:
    """Every stack's plan scanned, then the skips applied to all of them at once (stale = needed by none)."""
    skips = load_skips(SKIPS_FILE, RULES) if skips is None else skips
    failed: list[Finding] = []
    passed = 0
    for path, result in zip(tfplans, run_checkov(checkov, tfplans), strict=True):
        f, p = findings(path.parent.parent.name, result)
        failed += f
        passed += p
    return classify(failed, passed, skips)
