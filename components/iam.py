"""IAM building blocks shared by the components: trust policies, Pod Identity roles and the EKS node role."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

# What every EKS node needs. ECR pull-only is narrower than the usual ReadOnly. The VPC CNI's rights
# (AmazonEKS_CNI_Policy: create, attach and delete ENIs on `*`) are not here: on the node role every pod that
# reaches the instance profile would hold them. The aws-node service account gets them through Pod Identity
# instead (components/cluster.py `_cni_credentials`), as the EKS user guide recommends ("Configure Amazon VPC
# CNI plugin to use IRSA": assign the policy to a separate role).
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",  # shell access through SSM instead of SSH keys
)

# The VPC CNI's own policy, for IPv4 clusters (ours are: pulumi-eks's default ip family). An IPv6 cluster
# needs a policy of its own (same guide, "Create IAM policy for clusters that use the IPv6 family").
CNI_POLICY = "AmazonEKS_CNI_Policy"


def service_trust(service: str, actions: tuple[str, ...] = ("sts:AssumeRole",)) -> str:
    """A trust policy letting one AWS service principal assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}],
        }
    )


# EKS Pod Identity: the agent assumes the role and tags the session with the pod's namespace/service account.
POD_IDENTITY_TRUST = service_trust("pods.eks.amazonaws.com", ("sts:AssumeRole", "sts:TagSession"))


def managed_policy_arn(policy: str) -> pulumi.Output[str]:
    """arn:<partition>:iam::aws:policy/<policy>, right in every partition (aws, aws-cn, aws-us-gov)."""
    return aws.get_partition_output().partition.apply(lambda p: f"arn:{p}:iam::aws:policy/{policy}")


def aws_context() -> pulumi.Output[tuple[str, str, str, str]]:
    """(partition, account, region, DNS suffix) of the provider the program runs with, for policies that
    name the account or a service endpoint (`kms:ViaService` hosts end in the partition's DNS suffix)."""
    partition = aws.get_partition_output()
    return pulumi.Output.all(
        partition.partition,
        aws.get_caller_identity_output().account_id,
        aws.get_region_output().region,
        partition.dns_suffix,
    ).apply(tuple)


def node_role(
    name: str, description: str, parent: pulumi.Resource, extra_policies: tuple[str, ...] = ()
) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    """An EC2 node role with the node policies (and `extra_policies`, e.g. the CNI's in a cluster whose
    aws-node acts as its node); returns the role and its attachments (to depend on)."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        name, description=description, assume_role_policy=service_trust("ec2.amazonaws.com"), opts=child
    )
    attachments: list[pulumi.Resource] = [
        aws.iam.RolePolicyAttachment(
            f"{name}-{policy}", role=role.name, policy_arn=managed_policy_arn(policy), opts=child
        )
        for policy in (*NODE_POLICIES, *extra_policies)
    ]
    return role, attachments


def pod_identity_role(
    name: str, description: str, policy: str, parent: pulumi.Resource
) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
    """A role EKS Pod Identity may hand to a service account, with one AWS managed policy; both resources are
    named `name`. Returns the attachment too: what uses the role waits for its rights."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(name, description=description, assume_role_policy=POD_IDENTITY_TRUST, opts=child)
    attachment = aws.iam.RolePolicyAttachment(
        name, role=role.name, policy_arn=managed_policy_arn(policy), opts=child
    )
    return role, attachment


def eks_addon_with_role(
    name: str,
    parent: pulumi.Resource,
    *,
    cluster_name: pulumi.Input[str],
    addon: str,
    version: str,
    service_account: str,
    policy: str,
    description: str,
    depends_on: Sequence[pulumi.Resource] = (),
) -> aws.eks.Addon:
    """A pinned EKS add-on whose controller service account gets a role (one managed policy) through Pod
    Identity. The add-on waits for the policy attachment, so its controller never starts without rights."""
    role, attachment = pod_identity_role(name, description, policy, parent)
    return aws.eks.Addon(
        name,
        cluster_name=cluster_name,
        addon_name=addon,
        addon_version=version,
        pod_identity_associations=[{"role_arn": role.arn, "service_account": service_account}],
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[attachment, *depends_on]),
    )
