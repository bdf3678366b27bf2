"""Running checkov and reading its JSON: one way for both halves of the scan (the manifests, security/scan.py,
and the AWS resources, security/aws_scan.py), which differ only in checkov's framework and what it reads."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from security.skips import Finding


class ScanError(Exception):
    """A scanner could not scan (not: a check failed)."""


def run(checkov: str, framework: str, targets: Sequence[tuple[str, Path]]) -> list[Any]:
    """checkov's JSON for each target, `(flag, path)` as `-d <dir>` or `-f <file>`, scanned side by side."""
    # --skip-download: no Prisma Cloud look-ups (guidelines, severities); CI has no route to them anyway.
    cmd = ["--framework", framework, "--quiet", "--compact", "--skip-download", "-o", "json"]
    procs = [
        subprocess.Popen(
            [checkov, flag, str(path), *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for flag, path in targets
    ]
    reports = []
    for (_, path), proc in zip(targets, procs, strict=True):
        stdout, stderr = proc.communicate()
        if proc.returncode not in (0, 1):  # 1 = some check failed; anything else = checkov did not finish
            raise ScanError(f"checkov exited {proc.returncode} on {path}:\n{stderr[-2000:]}")
        try:
            reports.append(json.loads(stdout))
        except json.JSONDecodeError as err:
            raise ScanError(f"checkov printed no JSON for {path} ({err}):\n{stderr[-2000:]}") from err
    return reports


def findings(
    stack: str, report: Any, scanned: str, file_path: str | None = None
) -> tuple[list[Finding], int]:
    """Failed checks and the number passed, from checkov's JSON (one report, or a list of them). `scanned`
    names what was scanned, for the errors; `file_path` replaces checkov's own for every finding."""
    reports = report if isinstance(report, list) else [report]
    failed: list[Finding] = []
    passed = 0
    for r in reports:
        if "results" not in r:  # checkov's shape for "nothing found to scan"
            raise ScanError(f"{stack}: checkov found no {scanned} to scan")
        if r["summary"].get("parsing_errors"):
            raise ScanError(
                f"{stack}: checkov could not parse {r['summary']['parsing_errors']} file(s) of {scanned}"
            )
        passed += r["summary"]["passed"]
        for c in r["results"]["failed_checks"]:
            where = file_path or c["file_path"]
            failed.append(Finding(stack, c["check_id"], c.get("check_name", ""), c["resource"], where))
    return failed, passed
