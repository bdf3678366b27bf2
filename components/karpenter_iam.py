"""The Karpenter controller's IAM policy, as data.

Our own restatement of the six controller policies in Karpenter v1.14's getting-started CloudFormation
(website/content/en/v1.14/getting-started/getting-started-with-karpenter/cloudformation.yaml): every write is
scoped by resource ARN and by the `kubernetes.io/cluster/<name>: owned` / `karpenter.sh/nodepool` tags Karpenter
puts on what it creates; the only `*` resources are read-only describe/pricing calls, pinned to the region.
"""

from __future__ import annotations

from typing import Any


def controller_policy(
    *, partition: str, region: str, account: str, cluster: str, node_role_arn: str, queue_arn: str
) -> dict[str, Any]:
    ec2 = f"arn:{partition}:ec2:{region}"
    profile = f"arn:{partition}:iam::{account}:instance-profile/*"
    cluster_arn = f"arn:{partition}:eks:{region}:{account}:cluster/{cluster}"
    statements = [
        *_node_launch_statements(ec2, cluster),
        *_node_tagging_statements(ec2, cluster),
        *_instance_profile_statements(profile, region, cluster, node_role_arn),
        *_cluster_statements(cluster_arn, queue_arn),
        *_read_only_statements(partition, region, profile),
    ]
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **s} for s in statements]}


def _owned(cluster: str) -> dict[str, str]:
    """The condition on resources Karpenter created for this cluster."""
    return {f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned"}


def _request_owned(cluster: str) -> dict[str, str]:
    """The condition on the tags of a create request for this cluster."""
    return {
        f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster,
    }


def _launched(ec2: str) -> list[str]:
    """The ARNs of what launching a node creates."""
    return [
        f"{ec2}:*:{r}/*"
        for r in (
            "fleet",
            "instance",
            "volume",
            "network-interface",
            "launch-template",
            "spot-instances-request",
        )
    ]


def _regional(cluster: str, region: str) -> tuple[dict[str, str], dict[str, str]]:
    """The conditions on instance profiles of this cluster and region: (resource tags, request tags)."""
    regional = {
        f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned",
        "aws:ResourceTag/topology.kubernetes.io/region": region,
    }
    request_regional = {
        f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster,
        "aws:RequestTag/topology.kubernetes.io/region": region,
    }
    return regional, request_regional


def _node_launch_statements(ec2: str, cluster: str) -> list[dict[str, Any]]:
    """Node lifecycle, part one: launching instances and fleets from launch templates."""
    return [
        {
            "Sid": "AllowScopedEC2InstanceAccessActions",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": [f"{ec2}::image/*", f"{ec2}::snapshot/*"]
            + [
                f"{ec2}:*:{r}/*"
                for r in ("security-group", "subnet", "capacity-reservation", "placement-group")
            ],
        },
        {
            "Sid": "AllowScopedEC2LaunchTemplateAccessActions",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": f"{ec2}:*:launch-template/*",
            "Condition": {
                "StringEquals": _owned(cluster),
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedEC2InstanceActionsWithTags",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            "Resource": _launched(ec2),
            "Condition": {
                "StringEquals": _request_owned(cluster),
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
    ]


def _node_tagging_statements(ec2: str, cluster: str) -> list[dict[str, Any]]:
    """Node lifecycle, part two: tagging what was launched, and deleting it."""
    return [
        {
            "Sid": "AllowScopedResourceCreationTagging",
            "Action": "ec2:CreateTags",
            "Resource": _launched(ec2),
            "Condition": {
                "StringEquals": {
                    **_request_owned(cluster),
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedResourceTagging",
            "Action": "ec2:CreateTags",
            "Resource": f"{ec2}:*:instance/*",
            "Condition": {
                "StringEquals": _owned(cluster),
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        },
        {
            "Sid": "AllowScopedDeletion",
            "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            "Resource": [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
            "Condition": {
                "StringEquals": _owned(cluster),
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
    ]


def _instance_profile_statements(
    profile: str, region: str, cluster: str, node_role_arn: str
) -> list[dict[str, Any]]:
    """IAM integration: instance profiles for the node role only."""
    regional, request_regional = _regional(cluster, region)
    return [
        {
            "Sid": "AllowPassingInstanceRole",
            "Action": "iam:PassRole",
            "Resource": node_role_arn,
            "Condition": {
                "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileCreationActions",
            "Action": "iam:CreateInstanceProfile",
            "Resource": profile,
            "Condition": {
                "StringEquals": request_regional,
                "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileTagActions",
            "Action": "iam:TagInstanceProfile",
            "Resource": profile,
            "Condition": {
                "StringEquals": {**regional, **request_regional},
                "StringLike": {
                    "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                },
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileActions",
            "Action": [
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
            ],
            "Resource": profile,
            "Condition": {
                "StringEquals": regional,
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
    ]


def _cluster_statements(cluster_arn: str, queue_arn: str) -> list[dict[str, Any]]:
    """EKS, the interruption queue, zonal shift."""
    return [
        {"Sid": "AllowAPIServerEndpointDiscovery", "Action": "eks:DescribeCluster", "Resource": cluster_arn},
        {
            "Sid": "AllowInterruptionQueueActions",
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            "Resource": queue_arn,
        },
        {
            "Sid": "AllowZonalShiftStatusReadOnly",
            "Action": "arc-zonal-shift:GetManagedResource",
            "Resource": "*",
            "Condition": {"StringEquals": {"arc-zonal-shift:ResourceIdentifier": cluster_arn}},
        },
    ]


def _read_only_statements(partition: str, region: str, profile: str) -> list[dict[str, Any]]:
    """Read-only discovery: describe, SSM parameter, pricing and instance profile reads."""
    return [
        {
            "Sid": "AllowRegionalReadActions",
            "Action": [
                f"ec2:{a}"
                for a in (
                    "DescribeCapacityReservations",
                    "DescribeImages",
                    "DescribeInstances",
                    "DescribeInstanceStatus",
                    "DescribeInstanceTypeOfferings",
                    "DescribeInstanceTypes",
                    "DescribeLaunchTemplates",
                    "DescribePlacementGroups",
                    "DescribeSecurityGroups",
                    "DescribeSpotPriceHistory",
                    "DescribeSubnets",
                )
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": region}},
        },
        {
            "Sid": "AllowSSMReadActions",
            "Action": "ssm:GetParameter",
            "Resource": f"arn:{partition}:ssm:{region}::parameter/aws/service/*",
        },
        {"Sid": "AllowPricingReadActions", "Action": "pricing:GetProducts", "Resource": "*"},
        {
            "Sid": "AllowUnscopedInstanceProfileListAction",
            "Action": "iam:ListInstanceProfiles",
            "Resource": "*",
        },
        {"Sid": "AllowInstanceProfileReadActions", "Action": "iam:GetInstanceProfile", "Resource": profile},
    ]


# EventBridge events Karpenter acts on before AWS takes a node away (same CloudFormation file).
INTERRUPTION_EVENTS: dict[str, dict[str, list[str]]] = {
    "scheduled-change": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "spot-interruption": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "instance-state-change": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
    },
    "capacity-reservation-interruption": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"],
    },
}
