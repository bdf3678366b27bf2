"""checkov over every rendered stack's manifests, with the reviewed skip list applied per resource.

    python security/scan.py --checkov .venv-checkov/bin/checkov build/dev build/prod

checkov runs WITHOUT skips, once per stack (`-o json`); this script then applies `checkov-skips.yaml`
itself. Two reasons: checkov's command line can only skip a check everywhere (`--skip-check`), while its
per-resource suppressions for Kubernetes are annotations on the objects themselves, which we will not ship to
the cluster; and the unskipped results are what shows a skip has gone stale. Exit status 1 when a check fails
that no skip covers, or when a skip covers nothing in any scanned stack (delete it); 2 when checkov itself
could not scan.

Only the standard library and PyYAML (both venvs have it), so the tests import it from the project venv.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

SKIPS_FILE = Path(__file__).resolve().parent / "checkov-skips.yaml"
CHECK_ID = re.compile(r"^CKV2?_K8S_\d+$")
# checkov names a Kubernetes resource `Kind.namespace.name` (graph checks append the pod's labels).
RESOURCE_PATTERN = re.compile(r"^[A-Z][A-Za-z]+\.[a-z0-9*?-]+\.[^\s]+$")
MIN_JUSTIFICATION = 60  # characters: a reason, not "n/a" or "false positive"


class ScanError(Exception):
    """checkov could not scan (not: a check failed)."""


@dataclass(frozen=True)
class Skip:
    id: str
    justification: str
    resources: tuple[str, ...] = ()  # shell-style patterns over checkov's resource names; empty = everywhere

    def covers(self, check_id: str, resource: str) -> bool:
        return check_id == self.id and (
            not self.resources or any(fnmatchcase(resource, p) for p in self.resources)
        )


@dataclass(frozen=True)
class Finding:
    stack: str
    check_id: str
    check_name: str
    resource: str
    file: str


@dataclass(frozen=True)
class Outcome:
    failed: list[Finding]  # not covered by any skip: the scan fails
    skipped: list[tuple[Finding, Skip]]
    stale: list[Skip]  # covers no failure in any scanned stack
    passed: int

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stale


def load_skips(path: Path = SKIPS_FILE) -> list[Skip]:
    """The skip list, validated: every problem at once, each naming its entry."""
    doc = yaml.safe_load(path.read_text()) or []
    errors: list[str] = []
    skips: list[Skip] = []
    if not isinstance(doc, list):
        raise ValueError(f"{path.name}: expected a list of {{id, justification, resources?}} entries")
    for i, entry in enumerate(doc):
        where = f"{path.name}[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        skips.append(_parse_skip(entry, where, errors))
    errors += _duplicate_errors(skips, path.name)
    if errors:
        raise ValueError("invalid skip list:\n  - " + "\n  - ".join(errors))
    return skips


def _parse_skip(entry: dict[str, Any], where: str, errors: list[str]) -> Skip:
    """One entry of the skip list as a Skip; appends what is wrong with it to `errors`."""
    unknown = set(entry) - {"id", "justification", "resources"}
    if unknown:
        errors.append(f"{where}: unknown key(s) {sorted(unknown)}")
    check_id = str(entry.get("id", ""))
    if not CHECK_ID.match(check_id):
        errors.append(
            f"{where}.id: {check_id!r} is not a checkov Kubernetes check id (CKV_K8S_n, CKV2_K8S_n)"
        )
    justification = " ".join(str(entry.get("justification") or "").split())
    if len(justification) < MIN_JUSTIFICATION:
        errors.append(f"{where}.justification: say why the check does not apply ({MIN_JUSTIFICATION}+ chars)")
    resources = _parse_resources(entry, where, errors)
    return Skip(check_id, justification, tuple(str(p) for p in resources))


def _parse_resources(entry: dict[str, Any], where: str, errors: list[str]) -> list[Any]:
    """An entry's resource patterns (empty when absent or invalid); appends what is wrong to `errors`."""
    resources = entry.get("resources", [])
    if not isinstance(resources, list) or (not resources and "resources" in entry):
        errors.append(f"{where}.resources: a non-empty list of patterns, or leave the key out")
        resources = []
    for pattern in resources:
        if not isinstance(pattern, str) or not RESOURCE_PATTERN.match(pattern):
            errors.append(f"{where}.resources: {pattern!r} is not a pattern over Kind.namespace.name")
    return resources


def _duplicate_errors(skips: list[Skip], file_name: str) -> list[str]:
    """One error for each further entry of a check id already listed."""
    errors: list[str] = []
    seen: set[str] = set()
    for s in skips:
        if s.id in seen:
            errors.append(f"{file_name}: {s.id} listed twice; give one entry all its resources")
        seen.add(s.id)
    return errors


def findings(stack: str, report: Any) -> tuple[list[Finding], int]:
    """Failed checks and the number passed, from checkov's JSON (one report, or a list of them)."""
    reports = report if isinstance(report, list) else [report]
    failed: list[Finding] = []
    passed = 0
    for r in reports:
        if "results" not in r:  # checkov's shape for "nothing found to scan"
            raise ScanError(f"{stack}: checkov found no Kubernetes manifests to scan")
        if r["summary"].get("parsing_errors"):
            raise ScanError(f"{stack}: checkov could not parse {r['summary']['parsing_errors']} file(s)")
        passed += r["summary"]["passed"]
        for c in r["results"]["failed_checks"]:
            failed.append(
                Finding(stack, c["check_id"], c.get("check_name", ""), c["resource"], c["file_path"])
            )
    return failed, passed


def classify(failed: list[Finding], passed: int, skips: list[Skip]) -> Outcome:
    out = Outcome(failed=[], skipped=[], stale=[], passed=passed)
    used: set[str] = set()
    for f in failed:
        skip = next((s for s in skips if s.covers(f.check_id, f.resource)), None)
        if skip is None:
            out.failed.append(f)
        else:
            out.skipped.append((f, skip))
            used.add(skip.id)
    out.stale.extend(s for s in skips if s.id not in used)
    return out


def run_checkov(checkov: str, builds: list[Path]) -> list[Any]:
    """checkov's JSON for each build/<stack>/manifests, the stacks scanned side by side."""
    # --skip-download: no Prisma Cloud look-ups (guidelines, severities); CI has no route to them anyway.
    cmd = ["--framework", "kubernetes", "--quiet", "--compact", "--skip-download", "-o", "json"]
    procs = [
        subprocess.Popen(
            [checkov, "-d", str(b / "manifests"), *cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for b in builds
    ]
    reports = []
    for build, proc in zip(builds, procs, strict=True):
        stdout, stderr = proc.communicate()
        if proc.returncode not in (0, 1):  # 1 = some check failed; anything else = checkov did not finish
            raise ScanError(f"checkov exited {proc.returncode} on {build}:\n{stderr[-2000:]}")
        try:
            reports.append(json.loads(stdout))
        except json.JSONDecodeError as err:
            raise ScanError(f"checkov printed no JSON for {build} ({err}):\n{stderr[-2000:]}") from err
    return reports


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
    lines = []
    for f in out.failed:
        lines.append(f"FAILED {f.check_id} {f.check_name}\n    {f.resource}  ({f.stack}: {f.file})")
    for s in out.stale:
        where = os.path.relpath(skips_file)
        lines.append(f"STALE skip {s.id}: no scanned stack fails it any more; delete it from {where}")
    by_skip: dict[str, int] = {}
    for _, s in out.skipped:
        by_skip[s.id] = by_skip.get(s.id, 0) + 1
    skipped = ", ".join(f"{k} x{n}" for k, n in sorted(by_skip.items()))
    lines.append(
        f"checkov: {out.passed} passed, {len(out.failed)} failed, {len(out.skipped)} skipped"
        + (f" ({skipped})" if skipped else "")
        + (f", {len(out.stale)} stale skip(s)" if out.stale else "")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="security/scan.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", default="checkov", help="the checkov executable")
    parser.add_argument("--skips", type=Path, default=SKIPS_FILE)
    parser.add_argument(
        "builds", nargs="+", type=Path, help="rendered stacks: build/<stack> (from make plan)"
    )
    args = parser.parse_args(argv)
    try:
        out = scan(args.checkov, args.builds, load_skips(args.skips))
    except (ValueError, ScanError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(report(out, args.skips))
    return 0 if out.ok else 1


if __name__ == "__main__":
    sys.exit(main())
