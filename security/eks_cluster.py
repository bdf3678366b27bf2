"""The aws_eks_cluster that pulumi-eks's `eks:index:Cluster` creates, derived from the component's inputs.

The component is a remote (multi-language) one: offline, the plan holds the component and none of its children,
yet checkov's EKS checks (public endpoint, public CIDRs, secrets encryption, control-plane logging) are about
the child `aws.eks.Cluster`. This mirrors how pulumi-eks 4.x maps its inputs onto that child
(nodejs/eks/cluster/cluster.ts, `createCore`: `new aws.eks.Cluster(`${name}-eksCluster`, ...)`), in Terraform
attribute names. Only what the checks read, and only what the inputs fix: the service role, the OIDC provider,
the default add-ons and security groups the component also creates are not derived.
"""

from __future__ import annotations

from typing import Any


def derived_cluster(component_name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(resource name, Terraform values) of the component's aws_eks_cluster."""
    name = f"{component_name}-eksCluster"
    values: dict[str, Any] = {
        "name": inputs.get("name") or name,
        "version": inputs.get("version"),
        "enabled_cluster_log_types": inputs.get("enabledClusterLogTypes") or [],
        "vpc_config": [_vpc_config(inputs)],
        # The component sets it whatever the input (true unless EKS Auto Mode is on).
        "bootstrap_self_managed_addons": inputs.get("bootstrapSelfManagedAddons", True),
        "tags": {"Name": name, **(inputs.get("clusterTags") or {}), **(inputs.get("tags") or {})},
    }
    if inputs.get("encryptionConfigKeyArn"):
        values["encryption_config"] = [
            {"provider": [{"key_arn": inputs["encryptionConfigKeyArn"]}], "resources": ["secrets"]}
        ]
    if inputs.get("authenticationMode"):
        # The component always grants the creating principal admin: it installs charts into the cluster.
        values["access_config"] = [
            {
                "authentication_mode": inputs["authenticationMode"],
                "bootstrap_cluster_creator_admin_permissions": True,
            }
        ]
    if inputs.get("upgradePolicy"):
        values["upgrade_policy"] = [{"support_type": inputs["upgradePolicy"].get("supportType")}]
    if "deletionProtection" in inputs:
        values["deletion_protection"] = inputs["deletionProtection"]
    return name, {k: v for k, v in values.items() if v is not None}


def _vpc_config(inputs: dict[str, Any]) -> dict[str, Any]:
    subnets = inputs.get("subnetIds") or [
        *(inputs.get("publicSubnetIds") or []),
        *(inputs.get("privateSubnetIds") or []),
    ]
    config: dict[str, Any] = {"subnet_ids": subnets}
    # Unset, the provider's defaults apply: private access off, public access on, from 0.0.0.0/0.
    for pulumi_name, tf_name in (
        ("endpointPrivateAccess", "endpoint_private_access"),
        ("endpointPublicAccess", "endpoint_public_access"),
    ):
        if pulumi_name in inputs:
            config[tf_name] = inputs[pulumi_name]
    if inputs.get("publicAccessCidrs"):
        config["public_access_cidrs"] = inputs["publicAccessCidrs"]
    if inputs.get("skipDefaultSecurityGroups"):
        config["security_group_ids"] = []
    return config
