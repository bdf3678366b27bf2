"""parliament and cloudsplaining over every IAM document of each stack's AWS plan, with security/iam-skips.yaml
applied per document (security/skips.py). The tools run in their own venv (security/iam_tools.py)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from security.iam_documents import documents
from security.skips import Finding, Outcome, Rules, Skip, classify, load_skips

SKIPS_FILE = Path(__file__).resolve().parent / "iam-skips.yaml"
TOOLS = Path(__file__).resolve().parent / "iam_tools.py"
# parliament.<ISSUE> (parliament's issue codes) and cloudsplaining.<Risk> (its four risk categories).
RULES = Rules(
    check_id=re.compile(
        r"^(parliament\.[A-Z_]+|cloudsplaining\."
        r"(PrivilegeEscalation|DataExfiltration|ResourceExposure|InfrastructureModification))$"
    ),
    id_help="parliament.<ISSUE> or cloudsplaining.<PrivilegeEscalation|DataExfiltration|ResourceExposure|"
    "InfrastructureModification>",
    resource=re.compile(r"^aws_[a-z0-9_*?]+\.[A-Za-z0-9_*?-]+$"),
    resource_help="the Terraform address of the resource holding the document, <aws_type>.<name>",
)


class ScanError(Exception):
    """The IAM tools could not run (not: a finding)."""


def lint(python: str, tfplan: Path) -> tuple[list[Finding], int]:
    """The findings on one stack's documents, and how many (document, tool) pairs found nothing."""
    docs = documents(json.loads(tfplan.read_text()))
    proc = subprocess.run(
        [python, str(TOOLS)], input=json.dumps(docs), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise ScanError(f"the IAM tools exited {proc.returncode} on {tfplan}:\n{proc.stderr[-2000:]}")
    stack = tfplan.parent.parent.name
    raw = json.loads(proc.stdout)
    found = [Finding(stack, f["id"], f["detail"], f["document"], "aws/tfplan.json") for f in raw]
    pairs = len(docs) + sum(1 for d in docs if d["kind"] == "identity")
    flagged = {(f["tool"], f["document"]) for f in raw}
    return found, pairs - len(flagged)


def scan(python: str, tfplans: list[Path], skips: list[Skip] | None = None) -> Outcome:
    """Every stack's documents linted, then the skips applied to all of them at once."""
    skips = load_skips(SKIPS_FILE, RULES) if skips is None else skips
    failed: list[Finding] = []
    passed = 0
    for path in tfplans:
        f, p = lint(python, path)
        failed += f
        passed += p
    return classify(failed, passed, skips)
