"""Every IAM document of a converted plan (security/tfplan.py), with what kind of document it is.

A role's trust policy, its inline policies, managed policies, and the resource policies of queues, keys and
buckets: the documents our program writes. AWS-managed policies attached by ARN are not here: their text is
AWS's, not in the plan, and reviewed where they are attached (checkov's attachment checks, the skip list).
"""

from __future__ import annotations

import json
from typing import Any

# Terraform type -> (attribute holding the document, kind).
DOCUMENTS: dict[str, tuple[str, str]] = {
    "aws_iam_role": ("assume_role_policy", "trust"),
    "aws_iam_role_policy": ("policy", "identity"),
    "aws_iam_policy": ("policy", "identity"),
    "aws_sqs_queue_policy": ("policy", "resource"),
    "aws_kms_key": ("policy", "resource"),
    "aws_kms_key_policy": ("policy", "resource"),
    "aws_s3_bucket_policy": ("policy", "resource"),
}
# In a key policy `"Resource": "*"` means the key itself (AWS KMS developer guide, "Key policies"); the linters
# read it as every resource of every service. Linted as this key's ARN, so only what is really broad is found.
THIS_KEY = "arn:aws:kms:*:*:key/this-key"


def documents(tfplan: dict[str, Any]) -> list[dict[str, Any]]:
    """[{name: the resource's address, kind, document}] for each IAM document in the plan."""
    out = []
    for r in tfplan["planned_values"]["root_module"]["resources"]:
        attribute, kind = DOCUMENTS.get(r["type"], (None, None))
        text = r["values"].get(attribute) if attribute else None
        if text:
            document = json.loads(text) if isinstance(text, str) else text
            if r["type"] in ("aws_kms_key", "aws_kms_key_policy"):
                document = _as_this_key(document)
            out.append({"name": r["address"], "kind": kind, "document": document})
    return out


def _as_this_key(document: dict[str, Any]) -> dict[str, Any]:
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    return {
        **document,
        "Statement": [{**s, "Resource": THIS_KEY} if s.get("Resource") == "*" else s for s in statements],
    }
