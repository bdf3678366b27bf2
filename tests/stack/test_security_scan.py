"""The checkov scan (`make scan`): the skip list is well-formed and justified, the script applies it per
resource and reports stale entries, and, where checkov is installed, every real stack passes with each skip
still needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.render import write_plan
from security import scan
from tests.conftest import PROJECT_DIR, STACKS

CHECKOV = PROJECT_DIR / ".venv-checkov" / "bin" / "checkov"


def test_every_skip_names_a_check_and_says_why():
    skips = scan.load_skips()
    for s in skips:
        assert re.fullmatch(r"CKV2?_K8S_\d+", s.id)
        assert len(s.justification) >= scan.MIN_JUSTIFICATION
        assert s.justification.lower() not in ("false positive", "n/a", "not applicable", "todo")
    assert len({s.id for s in skips}) == len(skips)


def test_a_malformed_skip_list_is_refused_with_every_problem(tmp_path):
    bad = tmp_path / "skips.yaml"
    bad.write_text(
        "- {id: CKV_AWS_1, justification: because}\n"
        "- {id: CKV_K8S_15, justification: " + "x" * 80 + ", resources: [deployment]}\n"
        "- {id: CKV_K8S_15, justification: " + "y" * 80 + ", note: extra}\n"
    )
    with pytest.raises(ValueError) as err:
        scan.load_skips(bad)
    text = str(err.value)
    for wanted in (
        "[0].id",
        "[0].justification",
        "[1].resources",
        "[2]: unknown key",
        "CKV_K8S_15 listed twice",
    ):
        assert wanted in text


def _report(*failed: tuple[str, str], passed: int = 10) -> dict:
    """The shape of `checkov -o json` for one directory."""
    return {
        "check_type": "kubernetes",
        "results": {
            "passed_checks": [],
            "failed_checks": [
                {"check_id": c, "check_name": "name", "resource": r, "file_path": "/x.yaml"}
                for c, r in failed
            ],
            "skipped_checks": [],
            "parsing_errors": [],
        },
        "summary": {"passed": passed, "failed": len(failed), "skipped": 0, "parsing_errors": 0},
    }


def test_skips_apply_per_resource_and_stale_ones_are_reported():
    skips = [
        scan.Skip("CKV_K8S_11", "cpu", ("Deployment.inference.*",)),
        scan.Skip("CKV_K8S_43", "digest"),  # everywhere
        scan.Skip("CKV_K8S_40", "uid", ("Deployment.inference.*",)),  # nothing fails it any more
    ]
    dev, dev_passed = scan.findings(
        "dev",
        _report(
            ("CKV_K8S_11", "Deployment.inference.m"),
            ("CKV_K8S_11", "Job.inference.preload-m"),  # outside the skip's resources: still a failure
            ("CKV_K8S_43", "Job.inference.preload-m"),
        ),
    )
    prod, prod_passed = scan.findings("prod", [_report(("CKV_K8S_43", "Deployment.inference.m"), passed=5)])
    out = scan.classify(dev + prod, dev_passed + prod_passed, skips)
    assert [(f.stack, f.check_id, f.resource) for f in out.failed] == [
        ("dev", "CKV_K8S_11", "Job.inference.preload-m")
    ]
    assert len(out.skipped) == 3 and out.passed == 15
    assert [s.id for s in out.stale] == ["CKV_K8S_40"]
    text = scan.report(out)
    assert "FAILED CKV_K8S_11" in text and "STALE skip CKV_K8S_40" in text and not out.ok


def test_a_directory_checkov_found_nothing_in_is_an_error():
    empty = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
    with pytest.raises(scan.ScanError, match="no Kubernetes manifests"):
        scan.findings("dev", empty)


@pytest.mark.skipif(
    not CHECKOV.exists(), reason="checkov is not installed: `make scan` builds .venv-checkov (CI runs it)"
)
def test_every_stack_passes_the_scan_and_every_skip_is_still_needed(plans, tmp_path_factory):
    builds: list[Path] = []
    for stack in STACKS:
        out = tmp_path_factory.mktemp("scan") / stack
        write_plan(plans[stack], out)
        builds.append(out)
    out = scan.scan(str(CHECKOV), builds, scan.load_skips())
    assert out.ok, scan.report(out)
    assert out.passed > 100  # checkov really looked at the workloads
