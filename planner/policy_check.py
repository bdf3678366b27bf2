"""The policy pack's rules over the offline plan: the same rules and per-stack config `pulumi preview` gets."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from planner.mocks import UNKNOWN
from planner.run import Plan
from policy.offline import (
    DEFAULT_CONFIG,
    PolicyConfig,
    Report,
    blocks_real_preview,
    check,
    config_for_stack,
    config_path,
    described,
    render,
)
from policy.rules import Resource


def _as_preview(value: Any) -> Any:
    """The plan's "[unknown]" markers as pulumi_policy's unknown sentinels."""
    if value == UNKNOWN:
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {k: _as_preview(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_preview(v) for v in value]
    return value


def findings_json(report: Report, source: str) -> dict[str, Any]:
    """Every finding with its rule, level and resource (URN, and `type name` as policy.txt names it)."""
    return {
        "config": source,
        "rules": report.rules,
        "findings": [
            {
                "policy": f.policy,
                "level": f.level,
                "blocksRealPreview": blocks_real_preview(f),
                "urn": f.urn,
                "subject": f.subject,
                "message": f.message,
            }
            for f in sorted(report.findings, key=lambda f: (f.level != "mandatory", f.policy, f.urn))
        ],
    }


def resources_of(records: Iterable[Mapping[str, Any]]) -> list[Resource]:
    """Plan records (planner/run.py) as the policy engine would show them: values unknown before apply are
    the same sentinels `pulumi preview` uses, so a rule that touches one is skipped here exactly as there."""
    return [
        Resource(r["type"], r["name"], r["urn"], unknown_checking_proxy(_as_preview(r["inputs"])))
        for r in records
    ]


def _default_note(stack: str, config: PolicyConfig) -> str:
    """Said out loud when the stack has no policy config of its own: what it gets instead, and how to change it."""
    if config_path(stack) != DEFAULT_CONFIG:
        return ""
    return (
        f", the default for a stack without policy/config/{stack}.json: {described(config)}; "
        f"write that file to set this stack's own"
    )


def check_policies(plan: Plan, out: Path) -> int:
    """Run the rules over the plan; print the findings and write them, as text (policy.txt) and as data
    (policy.json, which `make plan-diff` reads); return the number of mandatory violations."""
    config, source = config_for_stack(plan.stack.stack)
    report = check(resources_of(plan.resources), config)
    lines = [*render(report), f"  (config: {source}{_default_note(plan.stack.stack, config)})"]
    (out / "policy.txt").write_text("\n".join(lines) + "\n")
    (out / "policy.json").write_text(json.dumps(findings_json(report, source), indent=2) + "\n")
    print("\n" + "\n".join(lines))
    return len(report.mandatory)
