"""The AWS Load Balancer Controller's IAM policy, restated from its upstream policy at v3.5.0
(kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json, byte-identical to v2.17.1's):
16 statements, the same actions, resources and conditions, with the partition a parameter (upstream ships one
file per partition). Reviewed statement by statement as Karpenter's was; tests/component/test_load_balancer.py
holds the actions to this list.

Why the tag conditions matter: the controller may modify or delete only security groups, load balancers and
target groups that carry `elbv2.k8s.aws/cluster` (it tags what it creates), so it cannot touch anything else in
the account with the create-and-delete rights it needs.
"""

from __future__ import annotations

import json
from typing import Any

CLUSTER_TAG = "elbv2.k8s.aws/cluster"

_DESCRIBE = [
    "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags",
    "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools",
    "ec2:DescribeRouteTables", "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeListenerCertificates", "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores",
    "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeCapacityReservation",
]  # fmt: skip
_CERTS_WAF_SHIELD = [
    "cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
    "iam:ListServerCertificates", "iam:GetServerCertificate", "waf-regional:GetWebACL",
    "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
    "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
    "shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection",
    "shield:DeleteProtection",
]  # fmt: skip
_MODIFY_OWN = [
    "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
    "elasticloadbalancing:ModifyIpPools",
]  # fmt: skip
_LISTENERS_AND_RULES = [
    "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
    "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
]  # fmt: skip

_OWNED = {"Null": {f"aws:ResourceTag/{CLUSTER_TAG}": "false"}}  # the resource is the controller's
_RETAG_OWNED = {"Null": {f"aws:RequestTag/{CLUSTER_TAG}": "true", f"aws:ResourceTag/{CLUSTER_TAG}": "false"}}
_TAGGED_AT_CREATE = {"Null": {f"aws:RequestTag/{CLUSTER_TAG}": "false"}}


def _allow(actions: list[str], resource: Any = "*", condition: dict | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def load_balancer_controller_policy(partition: str) -> str:
    """The policy document as JSON, for `partition` (aws, aws-cn, aws-us-gov …)."""
    elb = f"arn:{partition}:elasticloadbalancing:*:*"
    sg = f"arn:{partition}:ec2:*:*:security-group/*"
    lbs = [f"{elb}:targetgroup/*/*", f"{elb}:loadbalancer/net/*/*", f"{elb}:loadbalancer/app/*/*"]
    listeners = [f"{elb}:listener/net/*/*/*", f"{elb}:listener/app/*/*/*",
                 f"{elb}:listener-rule/net/*/*/*", f"{elb}:listener-rule/app/*/*/*"]  # fmt: skip
    statements = [
        _allow(["iam:CreateServiceLinkedRole"],
               condition={"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}),
        _allow(_DESCRIBE),
        _allow(_CERTS_WAF_SHIELD),
        _allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]),
        _allow(["ec2:CreateSecurityGroup"]),
        _allow(["ec2:CreateTags"], sg,
               {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}, **_TAGGED_AT_CREATE}),
        _allow(["ec2:CreateTags", "ec2:DeleteTags"], sg, _RETAG_OWNED),
        _allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
               condition=_OWNED),
        _allow(["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
               condition=_TAGGED_AT_CREATE),
        _allow(["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"]),
        _allow(["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], lbs, _RETAG_OWNED),
        _allow(["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], listeners),
        _allow(_MODIFY_OWN, condition=_OWNED),
        _allow(["elasticloadbalancing:AddTags"], lbs,
               {"StringEquals": {"elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]},
                **_TAGGED_AT_CREATE}),
        _allow(["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
               f"{elb}:targetgroup/*/*"),
        _allow(_LISTENERS_AND_RULES),
    ]  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
