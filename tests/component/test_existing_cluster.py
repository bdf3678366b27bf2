"""ExistingCluster: a node role and a Kubernetes provider for a cluster the platform does not own; the provider's
kubeconfig is the looked-up endpoint and CA, with a token for the deploy role."""

from __future__ import annotations

import json

import pulumi

from components.existing_cluster import ExistingCluster, ExistingClusterArgs
from components.iam import NODE_POLICIES
from tests.component.harness import record

ARGS = ExistingClusterArgs(
    name="llm-shared",
    region="us-east-1",
    endpoint="https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com",
    certificate_authority_data="TU9DSy1DQQ==",
    security_group_id="sg-0123456789abcdef0",
    oidc_issuer_url="https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE",
    deploy_role_arn="arn:aws:iam::123456789012:role/llm-platform-deploy",
)


def _declare():
    cluster = ExistingCluster("cluster", ARGS)
    return {
        "kubeconfig": pulumi.Output.unsecret(cluster.kubeconfig),
        "clusterName": cluster.cluster_name,
        "securityGroup": cluster.cluster_security_group_id,
        "oidc": cluster.oidc_provider_url,
    }


def test_the_kubeconfig_reaches_the_looked_up_endpoint_as_the_deploy_role():
    rec = record(_declare)
    config = json.loads(rec.outputs["kubeconfig"])
    (cluster,) = config["clusters"]
    assert cluster["cluster"] == {"server": ARGS.endpoint, "certificate-authority-data": "TU9DSy1DQQ=="}
    (user,) = config["users"]
    assert user["user"]["exec"]["command"] == "aws"
    assert user["user"]["exec"]["args"] == [
        "eks", "get-token", "--cluster-name", "llm-shared", "--region", "us-east-1",
        "--role-arn", ARGS.deploy_role_arn,
    ]  # fmt: skip
    provider = rec.one("pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    assert provider["inputs"]["enableServerSideApply"] in (True, "true")


def test_it_creates_the_node_role_and_nothing_of_the_cluster():
    rec = record(_declare)
    assert {r["type"] for r in rec.resources} == {
        "llm-platform:cluster:ExistingCluster",
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "pulumi:providers:kubernetes",
    }
    role = rec.one("aws:iam/role:Role")
    assert json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    assert len(rec.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) == len(NODE_POLICIES)


def test_names_and_ids_are_the_lookups():
    rec = record(_declare)
    assert rec.outputs["clusterName"] == "llm-shared"
    assert rec.outputs["securityGroup"] == "sg-0123456789abcdef0"
    assert rec.outputs["oidc"] == "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
