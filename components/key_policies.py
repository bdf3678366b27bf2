"""Key policies for the platform's KMS keys, as plain documents.

Without a policy of its own a key gets KMS's default: `kms:*` for the account root, so any principal the
account's IAM lets near KMS may use it for anything. Each key here states instead who administers it (the
account, through IAM: administration only, never encrypt or decrypt), which AWS service may use it on the
caller's behalf (`kms:ViaService`, in this account only), and any role that uses it directly.

The administration actions are the ones the KMS console's default policy gives key administrators (KMS
developer guide, "Default key policy", "Allows key administrators to administer the KMS key"). The root keeps
`kms:PutKeyPolicy` through them: KMS refuses a policy that would lock out the principal putting it (the
policy lockout safety check), and a key nobody can administer can only be deleted by AWS support.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

ADMINISTER = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)

# What a service needs to encrypt data at rest with the key for its caller (the AWS managed key
# aws/elasticfilesystem grants the same set through kms:ViaService).
SERVICE_USE = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:CreateGrant",
    "kms:DescribeKey",
)

# EKS envelope encryption: the caller of CreateCluster needs DescribeKey and CreateGrant (EKS user guide,
# "Encrypt Kubernetes secrets with KMS on existing clusters"); the cluster role encrypts and decrypts the data
# keys and lists the grant EKS made.
EKS_CREATE = ("kms:DescribeKey", "kms:CreateGrant")
EKS_CLUSTER_ROLE = ("kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey")


def account_root(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:root"


def administered_by_account(partition: str, account: str) -> dict[str, Any]:
    return {
        "Sid": "AccountAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": account_root(partition, account)},
        "Action": list(ADMINISTER),
        "Resource": "*",
    }


def used_through(
    sid: str, service_host: str, partition: str, account: str, actions: Sequence[str] = SERVICE_USE
) -> dict[str, Any]:
    """IAM principals of this account may use the key only through `service_host` (e.g.
    elasticfilesystem.us-east-1.amazonaws.com): the service calls KMS for them, never they themselves."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": account_root(partition, account)},
        "Action": list(actions),
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": service_host, "kms:CallerAccount": account}},
    }


def used_by_role(sid: str, role_arn: str, actions: Sequence[str]) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": role_arn},
        "Action": list(actions),
        "Resource": "*",
    }


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def file_system_key_policy(partition: str, account: str, region: str, dns_suffix: str) -> str:
    """The EFS model cache's key: the account administers it; EFS uses it for the account's principals."""
    return document(
        administered_by_account(partition, account),
        used_through("UseThroughEFS", f"elasticfilesystem.{region}.{dns_suffix}", partition, account),
    )


def secrets_key_policy(partition: str, account: str, region: str, dns_suffix: str, cluster_role: str) -> str:
    """The cluster's secrets key: the account administers it; whoever creates or updates the cluster may let
    EKS describe it and make its grant; the cluster role encrypts and decrypts with it."""
    return document(
        administered_by_account(partition, account),
        used_through("CreateClusterThroughEKS", f"eks.{region}.{dns_suffix}", partition, account, EKS_CREATE),
        used_by_role("ClusterRoleEncryptsSecrets", cluster_role, EKS_CLUSTER_ROLE),
    )


# What CloudWatch Logs does with a log group's key (CloudWatch Logs user guide, "Encrypt log data in CloudWatch
# Logs using AWS KMS"). The guide's policy puts `kms:Describe*` under the encryption-context condition too, where
# it can never match (DescribeKey carries no encryption context; parliament: UNKNOWN_CONDITION_FOR_ACTION): it
# gets a statement of its own, and the context is compared as the string it is (StringEquals, not ArnLike).
LOGS_USE = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")


def log_group_key_policy(partition: str, account: str, region: str, dns_suffix: str, log_group: str) -> str:
    """A log group's own key: the account administers it; CloudWatch Logs uses it for that one group only
    (the encryption context names the group's ARN, which CloudWatch Logs sets on every call)."""
    arn = f"arn:{partition}:logs:{region}:{account}:log-group:{log_group}"
    logs = {"Service": f"logs.{region}.{dns_suffix}"}
    return document(
        administered_by_account(partition, account),
        {
            "Sid": "CloudWatchLogsEncryptsTheGroup",
            "Effect": "Allow",
            "Principal": logs,
            "Action": list(LOGS_USE),
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:aws:logs:arn": arn}},
        },
        {
            "Sid": "CloudWatchLogsDescribesTheKey",
            "Effect": "Allow",
            "Principal": logs,
            "Action": ["kms:DescribeKey"],
            "Resource": "*",
        },
    )
