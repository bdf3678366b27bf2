"""Valid but risky choices, printed by `make plan` and logged by `pulumi up`."""

from __future__ import annotations

from catalog.placeholders import (
    is_documentation_account,
    is_documentation_bucket,
    is_documentation_network,
    is_documentation_url,
)
from config.rules.offerings import offering_warnings
from config.schema.platform import NAMESPACE, PlatformConfig

# The config keys that hold IAM role ARNs, as the stack file writes them, and where they live in the config.
ROLE_KEYS = (
    ("cluster.adminRoleArns", lambda c: c.cluster.admin_role_arns),
    ("access.appTeamRoleArns", lambda c: c.access.app_team_role_arns),
    ("access.readOnlyRoleArns", lambda c: c.access.read_only_role_arns),
)


def placeholder_warnings(cfg: PlatformConfig) -> list[str]:
    """Example values that plan offline but break the first real `pulumi up` (catalog/placeholders.py)."""
    out = [
        f"{NAMESPACE}:{key}[{i}]: {arn} is in a documentation account: replace it with your role's ARN "
        "(EKS refuses an access entry for a role that does not exist)"
        for key, arns in ROLE_KEYS
        for i, arn in enumerate(arns(cfg))
        if is_documentation_account(arn)
    ]
    existing = cfg.cluster.existing
    if existing and is_documentation_account(existing.deploy_role_arn):
        out.append(
            f"{NAMESPACE}:cluster.existing.deployRoleArn: {existing.deploy_role_arn} is in a documentation "
            "account: replace it with the role the cluster's owners gave an access entry (the program could "
            "not reach the cluster)"
        )
    out += [
        f"{NAMESPACE}:models[{i}].source: {m.source} is in an AWS documentation bucket, which no account can "
        "create: copy the weights to your bucket and name it (the model would never load)"
        for i, m in enumerate(cfg.models)
        if m.source.startswith("s3://") and is_documentation_bucket(m.source)
    ]
    ep = cfg.cluster.endpoint
    if ep.public_access and all(is_documentation_network(c) for c in ep.public_access_cidrs):
        out.append(
            f"{NAMESPACE}:cluster.endpoint.publicAccessCidrs: only documentation ranges "
            f"({', '.join(map(str, ep.public_access_cidrs))}): nothing could reach the Kubernetes API, so every "
            "Kubernetes resource of the first `pulumi up` would time out; list your CI's and VPN's egress CIDRs"
        )
    if is_documentation_url(cfg.repository.url):
        out.append(
            f"{NAMESPACE}:repository.url: {cfg.repository.url} is a documentation address (RFC 2606): every "
            "alert's runbook link would open nothing; give your repository's web address"
        )
    return out


def warnings_for(cfg: PlatformConfig) -> list[str]:
    out = placeholder_warnings(cfg) + offering_warnings(cfg)
    ep = cfg.cluster.endpoint
    if ep.public_access and any(c.prefixlen == 0 for c in ep.public_access_cidrs):
        out.append(
            f"{NAMESPACE}:cluster.endpoint.publicAccessCidrs: the Kubernetes API is open to the internet"
        )
    for i, g in enumerate(cfg.gpu_node_groups):
        if g.capacity_type == "spot" and len(g.instance_types) == 1:
            out.append(
                f"{NAMESPACE}:gpuNodeGroups[{i}].instanceTypes: a spot group with one instance type is "
                "interrupted more often and may find no capacity; list several"
            )
    if cfg.network.existing is None and cfg.network.nat_gateways == "single" and len(cfg.network.zones) > 1:
        out.append(
            f"{NAMESPACE}:network.natGateways: single NAT gateway; private subnets lose egress if its AZ fails"
        )
    if not cfg.model_cache.protect:
        out.append(
            f"{NAMESPACE}:modelCache.protect: false; destroying the stack deletes cached model weights"
        )
    if not cfg.cluster.deletion_protection:
        out.append(
            f"{NAMESPACE}:cluster.deletionProtection: false; the cluster can be deleted by one command"
        )
    return out
