"""The AWS Load Balancer Controller's role: the upstream policy restated (16 statements, the tag conditions that
keep it to what it made), the partition a parameter, granted through Pod Identity to its service account; and
its release on the system nodes, told the region and VPC."""

from __future__ import annotations

import json

from components.load_balancer_controller_iam import CLUSTER_TAG, load_balancer_controller_policy


def _statements(partition: str = "aws") -> list[dict]:
    return json.loads(load_balancer_controller_policy(partition))["Statement"]


def test_sixteen_statements_all_allow_and_nothing_on_star_star():
    statements = _statements()
    assert len(statements) == 16 and {s["Effect"] for s in statements} == {"Allow"}
    assert not any(s["Action"] == ["*"] for s in statements)
    actions = {a for s in statements for a in s["Action"]}
    assert {"elasticloadbalancing:CreateLoadBalancer", "ec2:CreateSecurityGroup", "acm:DescribeCertificate",
            "elasticloadbalancing:RegisterTargets", "iam:CreateServiceLinkedRole"} <= actions  # fmt: skip


def test_deleting_and_modifying_is_limited_to_what_the_controller_tagged():
    owned = f"aws:ResourceTag/{CLUSTER_TAG}"
    for s in _statements():
        if {"ec2:DeleteSecurityGroup", "elasticloadbalancing:DeleteLoadBalancer"} & set(s["Action"]):
            assert s["Condition"]["Null"][owned] == "false"
        if "elasticloadbalancing:CreateLoadBalancer" in s["Action"]:
            assert s["Condition"]["Null"][f"aws:RequestTag/{CLUSTER_TAG}"] == "false"
    (slr,) = [s for s in _statements() if s["Action"] == ["iam:CreateServiceLinkedRole"]]
    assert slr["Condition"] == {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}


def test_the_partition_is_a_parameter():
    resources = json.dumps([s["Resource"] for s in _statements("aws-us-gov")])
    assert "arn:aws-us-gov:elasticloadbalancing" in resources and "arn:aws:" not in resources


def test_prod_grants_it_through_pod_identity_and_runs_it_on_the_system_nodes(plans):
    prod = plans["prod"]
    (association,) = [r["inputs"] for r in prod.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                      if r["inputs"]["serviceAccount"] == "aws-load-balancer-controller"]  # fmt: skip
    assert association["namespace"] == "kube-system"
    (policy,) = [
        r
        for r in prod.of_type("aws:iam/rolePolicy:RolePolicy")
        if r["name"] == "load-balancer-controller-policy"
    ]
    assert len(json.loads(policy["inputs"]["policy"])["Statement"]) == 16
    (release,) = [r["inputs"] for r in prod.of_type("kubernetes:helm.sh/v3:Release")
                  if r["inputs"]["name"] == "aws-load-balancer-controller"]  # fmt: skip
    values = release["values"]
    assert values["region"] == "us-east-1" and values["vpcId"] and values["clusterName"]
    assert values["enableServiceMutatorWebhook"] is False and values["defaultTargetType"] == "ip"
    assert values["serviceAccount"]["name"] == "aws-load-balancer-controller"
    assert values["nodeSelector"] == {"llm-platform.io/pool": "system"}
    assert "load-balancer-controller-policy" not in {
        r["name"] for r in plans["dev"].of_type("aws:iam/rolePolicy:RolePolicy")
    }
