"""KMS keys of the components, each with its own key policy (components/key_policies.py): one place for what
every key shares (yearly rotation, the 30-day deletion window that leaves time to cancel a mistaken delete)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.iam import aws_context
from components.key_policies import log_group_key_policy


def key(
    name: str, description: str, opts: pulumi.ResourceOptions, policy: pulumi.Input[str] | None = None
) -> aws.kms.Key:
    """A rotated key. `policy` None: the key's policy is a separate `aws.kms.KeyPolicy` (one that names a role
    created after the key)."""
    return aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy,
        opts=opts,
    )


def log_group_key(name: str, log_group: str, description: str, parent: pulumi.Resource) -> aws.kms.Key:
    """A KMS key for one CloudWatch log group, with the key policy that lets CloudWatch Logs use it for that
    group only. A key per group: the policy's encryption context names one group, and a key costs $1 a month."""
    policy = aws_context().apply(lambda c: log_group_key_policy(*c, log_group=log_group))
    return key(name, description, pulumi.ResourceOptions(parent=parent), policy)
