"""checkov's terraform_plan framework over each stack's AWS resources (build/<stack>/aws/tfplan.json, written
by security/tfplan.py), with security/aws-skips.yaml applied per resource (security/skips.py)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from security.skips import Finding, Outcome, Rules, Skip, classify, load_skips

SKIPS_FILE = Path(__file__).resolve().parent / "aws-skips.yaml"
# checkov names a resource of a Terraform plan by its address, `<type>.<name>`.
RULES = Rules(
    check_id=re.compile(r"^CKV2?_AWS_\d+$"),
    id_help="a checkov AWS check id (CKV_AWS_n, CKV2_AWS_n)",
    resource=re.compile(r"^aws_[a-z0-9_*?]+\.[A-Za-z0-9_*?-]+$"),
    resource_help="Terraform addresses, <aws_type>.<name>",
)


class ScanError(Exception):
    """checkov could not scan a plan (not: a check failed)."""


def findings(stack: str, report: Any) -> tuple[list[Finding], int]:
    """Failed checks and the number passed, from checkov's JSON for one plan file."""
    reports = report if isinstance(report, list) else [report]
    failed: list[Finding] = []
    passed = 0
    for r in reports:
        if "results" not in r:  # checkov's shape for "nothing found to scan"
            raise ScanError(f"{stack}: checkov found no AWS resources in the plan")
        if r["summary"].get("parsing_errors"):
            raise ScanError(f"{stack}: checkov could not parse the AWS plan")
        passed += r["summary"]["passed"]
        for c in r["results"]["failed_checks"]:
            failed.append(
                Finding(stack, c["check_id"], c.get("check_name", ""), c["resource"], "aws/tfplan.json")
            )
    return failed, passed


def run_checkov(checkov: str, tfplans: list[Path]) -> list[Any]:
    """checkov's JSON for each plan file, the stacks scanned side by side."""
    cmd = ["--framework", "terraform_plan", "--quiet", "--compact", "--skip-download", "-o", "json"]
    procs = [
        subprocess.Popen(
            [checkov, "-f", str(p), *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for p in tfplans
    ]
    reports = []
    for path, proc in zip(tfplans, procs, strict=True):
        stdout, stderr = proc.communicate()
        if proc.returncode not in (0, 1):
            raise ScanError(f"checkov exited {proc.returncode} on {path}:\n{stderr[-2000:]}")
        try:
            reports.append(json.loads(stdout))
        except json.JSONDecodeError as err:
            raise ScanError(f"checkov printed no JSON for {path} ({err}):\n{stderr[-2000:]}") from err
    return reports


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
