"""A change of where the AWS provider creates resources, between two plans.

plan.json records the default AWS provider's identity (`providers.aws`, planner/aws_identity.py): region,
partition and, where the stack file pins one, account. Pulumi replaces the provider when its region changes,
and with it every resource it manages: each is created anew in the new region and the old one deleted. A new
partition or account is the same move, made through the credentials. No resource input shows any of it (the
offline ids and the URNs carry no region or account), so the diff reads it here and classifies every AWS
resource the two plans share as a replacement.
"""

from __future__ import annotations

from typing import Any

from plan_diff.values import MISSING, FieldChange

# Types the AWS provider manages, and pulumi-eks' components, whose children it manages.
AWS_TYPE_PREFIXES = ("aws:", "eks:")

# The identity's fields, as the report names them, in the order it lists a change.
IDENTITY_FIELDS: tuple[tuple[str, str], ...] = (
    ("region", "aws:region"),
    ("partition", "partition"),
    ("account", "account"),
)


def is_aws(typ: str) -> bool:
    return typ.startswith(AWS_TYPE_PREFIXES)


def identity(plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """The plan's AWS provider identity; None for a plan that records none (older than the record)."""
    return ((plan or {}).get("providers") or {}).get("aws")


def provider_changes(base: dict[str, Any] | None, head: dict[str, Any]) -> tuple[FieldChange, ...] | None:
    """The identity fields that differ, as `aws:region: us-west-2 -> us-east-2`; None when the base has no
    plan or no record to compare. An account that one side leaves to the credentials is not a change here
    (`account_pinning` reports it): offline nobody knows which account the credentials give."""
    old, new = identity(base), identity(head)
    if old is None or new is None:
        return None
    changes = []
    for key, label in IDENTITY_FIELDS:
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None and before != after:
            changes.append(FieldChange(label, before, after))
    return tuple(changes)


def account_pinning(base: dict[str, Any] | None, head: dict[str, Any]) -> FieldChange | None:
    """The account, when exactly one side pins it: the resources move if the credentials' account is another."""
    old, new = identity(base), identity(head)
    if old is None or new is None:
        return None
    before, after = old.get("account"), new.get("account")
    if (before is None) == (after is None):
        return None
    return FieldChange("account", MISSING if before is None else before, MISSING if after is None else after)
