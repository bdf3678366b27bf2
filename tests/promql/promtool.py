"""Run PromQL through the real Prometheus engine: `promtool test rules` on generated unit-test files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not found: install Debian's `prometheus` package (.ci/run does)"
)


def run_rule_tests(
    tmp: Path, groups: list[dict[str, Any]], tests: list[dict[str, Any]], evaluation_interval: str = "1m"
) -> str:
    """Write a rule file and a test file, run `promtool test rules`, fail with its output if it fails."""
    assert PROMTOOL is not None
    rules = tmp / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    spec = tmp / "tests.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "rule_files": [rules.name],
                "evaluation_interval": evaluation_interval,
                # Without it promtool evaluates groups in Go map order, a new order each run: an alert group
                # evaluated before the recording group it reads sees the previous step's samples, which a
                # long test interval (10m) puts beyond the 5m lookback, so the alert flickers. Recording
                # groups first, as listed, is what a live Prometheus at its 30s interval effectively sees.
                "group_eval_order": [g["name"] for g in groups],
                "tests": tests,
            },
            sort_keys=False,
        )
    )
    result = subprocess.run([PROMTOOL, "test", "rules", spec.name], cwd=tmp, capture_output=True, text=True)
    assert result.returncode == 0, f"promtool test rules failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def check_rules(tmp: Path, groups: list[dict[str, Any]]) -> str:
    assert PROMTOOL is not None
    rules = tmp / "check.yaml"
    rules.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    result = subprocess.run([PROMTOOL, "check", "rules", str(rules)], capture_output=True, text=True)
    # Lint findings (duplicate rules) print FAILED but exit 0: treat them as failures too.
    ok = result.returncode == 0 and "FAILED" not in result.stdout + result.stderr
    assert ok, f"promtool check rules failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout
