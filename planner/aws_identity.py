"""Where a stack's AWS resources live: the default AWS provider's region, partition and account.

plan.json records it (`providers.aws`) so `make plan-diff` can tell a provider pointed elsewhere: a new region,
partition or account creates every AWS resource anew there and deletes the old ones, which no resource input
shows (the mocks' ids and the URNs do not carry the region or the account).

The account is the one the stack file pins, when it pins one: the last role of `aws:assumeRoles` (the provider
assumes the chain in order and creates everything as the last role, in that role's account), else the single
entry of `aws:allowedAccountIds` (the provider refuses any other). Otherwise it is whatever the credentials
give at `pulumi up`, unknown offline: None. The plan's ARNs keep the mocks' placeholder account either way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ASSUME_ROLES_KEY = "aws:assumeRoles"
ALLOWED_ACCOUNTS_KEY = "aws:allowedAccountIds"

# (region name prefix, partition), first match wins: the regions of the partitions other than `aws`
# (botocore's endpoints.json `regionRegex` of each partition).
PARTITIONS: tuple[tuple[str, str], ...] = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
)
DEFAULT_PARTITION = "aws"


class _AssumedRole(BaseModel):
    # Only the role's ARN says where resources go; config/namespaces.py checks the entry's other keys.
    model_config = ConfigDict(extra="ignore")
    role_arn: str | None = Field(None, alias="roleArn")


class _AwsProviderConfig(BaseModel):
    """The `aws:` keys that decide the account, as the CLI passes them (each a JSON text)."""

    model_config = ConfigDict(extra="ignore")
    assume_roles: list[_AssumedRole] = Field(default_factory=list, alias=ASSUME_ROLES_KEY)
    allowed_account_ids: list[str] = Field(default_factory=list, alias=ALLOWED_ACCOUNTS_KEY)


def partition_of(region: str) -> str:
    return next((p for prefix, p in PARTITIONS if region.startswith(prefix)), DEFAULT_PARTITION)


def aws_identity(region: str, config: Mapping[str, str]) -> dict[str, Any]:
    """`{"region", "partition", "account"}` of a stack: its validated `aws:region`, and its flat config (the
    CLI's strings) for the account, None when the stack file does not pin one."""
    parsed = _AwsProviderConfig.model_validate(
        {key: json.loads(config[key]) for key in (ASSUME_ROLES_KEY, ALLOWED_ACCOUNTS_KEY) if key in config}
    )
    return {"region": region, "partition": partition_of(region), "account": _account(parsed)}


def _account(cfg: _AwsProviderConfig) -> str | None:
    roles = [r.role_arn for r in cfg.assume_roles if r.role_arn]
    if roles:
        # arn:<partition>:iam::<account>:role/<name>
        fields = roles[-1].split(":")
        return fields[4] if len(fields) > 5 and fields[4] else None
    return cfg.allowed_account_ids[0] if len(cfg.allowed_account_ids) == 1 else None
