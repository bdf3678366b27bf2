"""Reviewed skip lists, one mechanism for every scanner of `make scan`: checkov over the manifests
(checkov-skips.yaml), checkov over the AWS resources (aws-skips.yaml), parliament and cloudsplaining over the
IAM documents (iam-skips.yaml).

A skip names one check id, says why it does not apply (MIN_JUSTIFICATION characters at least) and, unless it
holds everywhere, lists the resources it is about as shell-style patterns. A failure no skip covers fails the
scan, and so does a skip that covers no failure in any scanned stack (stale: delete it). Only the standard
library and PyYAML.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

MIN_JUSTIFICATION = 60  # characters: a reason, not "n/a" or "false positive"


@dataclass(frozen=True)
class Rules:
    """What one skip list's entries may name."""

    check_id: re.Pattern[str]
    id_help: str  # "a checkov Kubernetes check id (CKV_K8S_n, CKV2_K8S_n)"
    resource: re.Pattern[str]
    resource_help: str  # "Kind.namespace.name"


@dataclass(frozen=True)
class Skip:
    id: str
    justification: str
    resources: tuple[str, ...] = ()  # patterns over the scanner's resource names; empty = everywhere

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


def load_skips(path: Path, rules: Rules) -> list[Skip]:
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
        skips.append(_parse_skip(entry, where, rules, errors))
    errors += _duplicate_errors(skips, path.name)
    if errors:
        raise ValueError("invalid skip list:\n  - " + "\n  - ".join(errors))
    return skips


def _parse_skip(entry: dict[str, Any], where: str, rules: Rules, errors: list[str]) -> Skip:
    """One entry of the skip list as a Skip; appends what is wrong with it to `errors`."""
    unknown = set(entry) - {"id", "justification", "resources"}
    if unknown:
        errors.append(f"{where}: unknown key(s) {sorted(unknown)}")
    check_id = str(entry.get("id", ""))
    if not rules.check_id.match(check_id):
        errors.append(f"{where}.id: {check_id!r} is not {rules.id_help}")
    justification = " ".join(str(entry.get("justification") or "").split())
    if len(justification) < MIN_JUSTIFICATION:
        errors.append(f"{where}.justification: say why the check does not apply ({MIN_JUSTIFICATION}+ chars)")
    resources = _parse_resources(entry, where, rules, errors)
    return Skip(check_id, justification, tuple(str(p) for p in resources))


def _parse_resources(entry: dict[str, Any], where: str, rules: Rules, errors: list[str]) -> list[Any]:
    """An entry's resource patterns (empty when absent or invalid); appends what is wrong to `errors`."""
    resources = entry.get("resources", [])
    if not isinstance(resources, list) or (not resources and "resources" in entry):
        errors.append(f"{where}.resources: a non-empty list of patterns, or leave the key out")
        resources = []
    for pattern in resources:
        if not isinstance(pattern, str) or not rules.resource.match(pattern):
            errors.append(f"{where}.resources: {pattern!r} is not a pattern over {rules.resource_help}")
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


def report(tool: str, out: Outcome, skips_file: Path) -> str:
    """The failures and stale skips, one each, then a summary line: `<tool>: N passed, N failed, N skipped`."""
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
        f"{tool}: {out.passed} passed, {len(out.failed)} failed, {len(out.skipped)} skipped"
        + (f" ({skipped})" if skipped else "")
        + (f", {len(out.stale)} stale skip(s)" if out.stale else "")
    )
    return "\n".join(lines)
