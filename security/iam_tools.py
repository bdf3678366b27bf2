"""parliament and cloudsplaining over IAM documents: run by the IAM tools' own venv (.venv-iam), which has
both, and nothing of the project.

    .venv-iam/bin/python security/iam_tools.py < documents.json > findings.json

Reads `[{"name", "kind", "document"}]` (security/iam_documents.py writes it) and prints
`[{"tool", "id", "document", "detail"}]`. `kind` is identity (a role's inline policy, a managed policy), trust
(a role's assume-role policy) or resource (a queue's or a key's policy). parliament lints every document;
cloudsplaining judges identity policies, the ones that grant a principal actions: privilege escalation, data
exfiltration, resource exposure (permissions management) and infrastructure modification without constraints.
Standard library, parliament and cloudsplaining only.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from cloudsplaining.command.scan_policy_file import scan_policy
from parliament import analyze_policy_string

# cloudsplaining's four risk categories (scan_policy's result keys); the ids a skip names.
RISKS = ("PrivilegeEscalation", "DataExfiltration", "ResourceExposure", "InfrastructureModification")


def parliament_findings(name: str, document: dict[str, Any]) -> list[dict[str, str]]:
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=True)
    out = []
    for f in policy.findings:
        detail = f"{f.detail}" if f.detail else ""
        where = f.location.get("Sid") or f.location.get("actions") or f.location.get("filepath") or ""
        out.append(
            {
                "tool": "parliament",
                "id": f"parliament.{f.issue}",
                "document": name,
                "detail": f"{detail} {where}".strip()[:400],
            }
        )
    return out


def cloudsplaining_findings(name: str, document: dict[str, Any]) -> list[dict[str, str]]:
    results = scan_policy(document)
    out = []
    for risk in RISKS:
        found = (results.get(risk) or {}).get("findings") or []
        if found:
            shown = [f.get("type", f) if isinstance(f, dict) else f for f in found]
            out.append(
                {
                    "tool": "cloudsplaining",
                    "id": f"cloudsplaining.{risk}",
                    "document": name,
                    "detail": ", ".join(str(s) for s in shown)[:400],
                }
            )
    return out


def main() -> int:
    findings: list[dict[str, str]] = []
    for doc in json.load(sys.stdin):
        findings += parliament_findings(doc["name"], doc["document"])
        if doc["kind"] == "identity":
            findings += cloudsplaining_findings(doc["name"], doc["document"])
    json.dump(findings, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
