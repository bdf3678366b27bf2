"""`llm-platform:cluster.existing`: prod installed into an EKS cluster (and VPC) another team owns. The platform
creates no control plane, system node group, core add-on, secrets key or control-plane log group, tags nothing
of the cluster's, and every input that read the created cluster's names and ids reads the stack file's or the
lookup's. A cluster that breaks a precondition fails the plan, naming the key."""

from __future__ import annotations

import pytest
from pulumi.runtime.mocks import MockCallArgs

import planner.mocks
from planner.__main__ import main
from planner.mocks import SECRET, PlanMocks
from planner.run import Plan, run_plan
from tests.conftest import stack_doc, write_variant
from tests.stack.test_existing_network import NETWORK_TYPES, PRIVATE_IDS, VPC, existing_network

K = "llm-platform"
NAME = "llm-shared"
DEPLOY_ROLE = "arn:aws:iam::123456789012:role/llm-platform-deploy"
# What a created cluster consists of, besides the network: none of it is created in an existing cluster.
CREATED_CLUSTER = {
    ("eks:index:Cluster", "cluster"),
    ("llm-platform:cluster:Cluster", "cluster"),
    ("aws:kms/key:Key", "cluster-secrets"),
    ("aws:kms/keyPolicy:KeyPolicy", "cluster-secrets-policy"),
    ("aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs"),
    ("aws:kms/key:Key", "cluster-control-plane-logs-key"),
    ("llm-platform:compute:ManagedNodeGroup", "cluster-system"),
    ("aws:eks/nodeGroup:NodeGroup", "cluster-system-ng"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "cluster-system-lt"),
    ("aws:eks/addon:Addon", "cluster-pod-identity-agent"),
    # aws-node's rights through Pod Identity: aws-node and its credentials are the existing cluster's.
    ("aws:iam/role:Role", "cluster-vpc-cni"),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-vpc-cni"),
    ("aws:eks/podIdentityAssociation:PodIdentityAssociation", "cluster-vpc-cni"),
    ("kubernetes:apps/v1:DaemonSetPatch", "cluster-aws-node-credentials"),
    # The cluster security group is the owners': Karpenter's node classes name it by id instead.
    ("aws:ec2/tag:Tag", "karpenter-cluster-sg-discovery"),
}


def existing_cluster(c: dict) -> None:
    flow_logs = c[f"{K}:network"]["flowLogs"]
    existing_network(c)
    c[f"{K}:network"]["flowLogs"] = flow_logs  # on either network: kept, so only the cluster's part differs
    c[f"{K}:cluster"] = {
        "name": NAME,
        "kubernetesVersion": "1.35",
        "existing": {"deployRoleArn": DEPLOY_ROLE},
    }
    for key in ("appTeamRoleArns", "readOnlyRoleArns"):
        del c[f"{K}:access"][key]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_variant(tmp_path_factory.mktemp("existing-cluster"), existing_cluster, base="prod")


@pytest.fixture(scope="module")
def plan(project) -> Plan:
    return run_plan(project, "variant")


@pytest.fixture(scope="module")
def found(plan) -> dict:
    """The cluster the offline lookup found (planner/mocks.py answers DescribeCluster from the stack file)."""
    mocks = PlanMocks(plan.config.region, "variant", K, dict(plan.stack.config))
    return mocks.call(MockCallArgs("aws:eks/getCluster:getCluster", {"name": NAME}, ""))


def keys(resources: list[dict]) -> set[tuple[str, str]]:
    return {(r["type"], r["name"]) for r in resources}


def test_exactly_the_network_and_the_cluster_are_not_created(plan, plans):
    prod = plans["prod"]
    missing = keys(prod.resources) - keys(plan.resources)
    network = {k for k in missing if k[0] in NETWORK_TYPES}
    assert missing - network == CREATED_CLUSTER
    assert keys(plan.resources) - keys(prod.resources) == {
        ("llm-platform:cluster:ExistingCluster", "cluster"),
        # awsNodeCredentials: nodeRole (the default): aws-node on the platform's nodes acts as the node.
        *CNI_ON_NODE_ROLES,
    }


CNI_ON_NODE_ROLES = {
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-node-AmazonEKS_CNI_Policy"),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "karpenter-node-AmazonEKS_CNI_Policy"),
}


def test_the_cni_policy_is_on_the_node_roles_unless_aws_node_has_its_own_role(plan, tmp_path):
    """An existing cluster's aws-node usually acts as its node (EKS's default): GPU and Karpenter nodes the
    platform adds would never turn Ready without the CNI's rights on their roles. `ownRole` says aws-node
    has a role of its own, and then the node roles carry none, as on a created cluster."""
    for name in ("cluster-node-AmazonEKS_CNI_Policy", "karpenter-node-AmazonEKS_CNI_Policy"):
        attachment = plan.by_name(name)
        assert attachment["inputs"]["policyArn"] == "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"

    def own_role(c: dict) -> None:
        existing_cluster(c)
        c[f"{K}:cluster"]["existing"]["awsNodeCredentials"] = "ownRole"

    own = run_plan(write_variant(tmp_path, own_role, base="prod"), "variant")
    assert keys(plan.resources) - keys(own.resources) == CNI_ON_NODE_ROLES
    assert not [
        a
        for a in own.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a["inputs"]["policyArn"].endswith("AmazonEKS_CNI_Policy")
    ]


def test_no_access_entry_but_karpenter_nodes_and_no_core_addon_is_created(plan):
    (entry,) = plan.of_type("aws:eks/accessEntry:AccessEntry")
    assert (entry["name"], entry["inputs"]["type"]) == ("karpenter-node", "EC2_LINUX")
    assert entry["inputs"]["clusterName"] == NAME
    addons = {a["inputs"]["addonName"] for a in plan.of_type("aws:eks/addon:Addon")}
    assert addons == {"aws-efs-csi-driver", "aws-ebs-csi-driver"}  # vpc-cni, coredns, kube-proxy: the owners'


def test_node_groups_join_the_existing_cluster_with_the_platforms_node_role(plan):
    role = plan.by_name("cluster-node")
    assert role["parent"].endswith("llm-platform:cluster:ExistingCluster::cluster")
    attached = {a["name"] for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert {
        "cluster-node-AmazonEKSWorkerNodePolicy",
        "cluster-node-AmazonEC2ContainerRegistryPullOnly",
    } <= attached
    groups = plan.of_type("aws:eks/nodeGroup:NodeGroup")
    assert {g["name"] for g in groups} == {"gpu-l40s-on-demand-ng", "gpu-l40s-spot-ng"}
    for group in groups:
        assert group["inputs"]["clusterName"] == NAME
        assert group["inputs"]["subnetIds"] == PRIVATE_IDS


def test_pod_identity_and_the_efs_addon_name_the_existing_cluster(plan):
    associations = plan.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert associations and all(a["inputs"]["clusterName"] == NAME for a in associations)
    assert all(a["inputs"]["clusterName"] == NAME for a in plan.of_type("aws:eks/addon:Addon"))


def test_the_model_cache_admits_the_clusters_security_group_from_the_lookup(plan, found):
    mounts = [m["inputs"]["subnetId"] for m in plan.of_type("aws:efs/mountTarget:MountTarget")]
    assert mounts == PRIVATE_IDS[:3]
    (ingress,) = plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert ingress["inputs"]["referencedSecurityGroupId"] == found["vpcConfig"]["clusterSecurityGroupId"]


def test_karpenter_selects_the_clusters_security_group_and_subnets_by_id(plan, found):
    for node_class in plan.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        spec = node_class["inputs"]["spec"]
        assert spec["securityGroupSelectorTerms"] == [{"id": found["vpcConfig"]["clusterSecurityGroupId"]}]
        assert spec["subnetSelectorTerms"] == [{"id": s} for s in PRIVATE_IDS]
    (release,) = [r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r["name"] == "karpenter"]
    assert release["inputs"]["values"]["settings"]["clusterName"] == NAME


def test_every_kubernetes_object_goes_through_the_existing_clusters_provider(plan):
    (provider,) = plan.of_type("pulumi:providers:kubernetes")
    assert provider["name"] == "cluster-k8s"
    assert provider["inputs"]["kubeconfig"] == SECRET
    objects = [r for r in plan.resources if planner.mocks.is_kubernetes_object(r["type"])]
    assert objects and {r["provider"] for r in objects} == {"cluster-k8s"}


def test_the_outputs_name_the_existing_cluster_and_leave_out_what_it_does_not_have(plan, plans):
    assert plan.outputs["clusterName"] == NAME
    assert plan.outputs["kubeconfig"] == SECRET
    assert plan.outputs["vpcId"] == VPC
    assert set(plans["prod"].outputs) - set(plan.outputs) == {"systemNodeGroupName", "oidcProviderArn"}


def test_the_example_deploy_role_is_warned_as_a_placeholder(plan):
    (warning,) = [w for w in plan.warnings if "deployRoleArn" in w]
    assert warning.startswith(
        f"{K}:cluster.existing.deployRoleArn: {DEPLOY_ROLE} is in a documentation account"
    )


def test_the_summary_and_the_cost_report_say_whose_the_cluster_is(project, tmp_path, capsys):
    assert main(["--stack", "variant", "--project-dir", str(project), "--out", str(tmp_path / "out")]) in (
        0,
        1,
    )
    assert f"Kubernetes 1.35 (existing cluster {NAME})," in capsys.readouterr().out
    rows = [line for line in (tmp_path / "out" / "cost.md").read_text().splitlines() if line.startswith("| ")]
    (control_plane,) = [r for r in rows if r.startswith("| EKS control plane")]
    (system,) = [r for r in rows if r.startswith("| System node")]
    assert control_plane.startswith("| EKS control plane (existing cluster's own) | 0.0000 | 0.00 |")
    assert system == "| System nodes (existing cluster's own) | 0.0000 | 0.00 | 0.0000 | 0.00 |"
    assert not [r for r in rows if r.startswith("| system (CPU)")]  # no system group among the node groups
    assert not [r for r in rows if r.startswith("| on the system nodes")]  # nor the gateway's share of one


BROKEN = {
    "version": ("1.34", f"{K}:cluster.kubernetesVersion: is 1.35, and {NAME} runs Kubernetes 1.34"),
    "authenticationMode": ("CONFIG_MAP", f"{K}:cluster.existing: {NAME}'s authentication mode is CONFIG_MAP"),
    "vpcId": ("vpc-0ffffffffffffffff", f"{K}:network.existing.vpcId: is {VPC}, and {NAME} is in vpc-0ffff"),
    "addons": ({}, f"{K}:cluster.existing: {NAME} has no eks-pod-identity-agent add-on"),
    "accessEntries": ({}, f"{K}:cluster.existing.deployRoleArn: has no access entry on {NAME}"),
}


@pytest.mark.parametrize("fact", BROKEN)
def test_a_cluster_that_breaks_a_precondition_fails_the_plan_naming_the_key(
    fact, project, monkeypatch, capsys
):
    value, message = BROKEN[fact]
    real = planner.mocks.offline_existing_cluster
    monkeypatch.setattr(planner.mocks, "offline_existing_cluster", lambda c, p: {**real(c, p), fact: value})
    assert main(["--stack", "variant", "--project-dir", str(project), "--out", str(project / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count(f"{K}:") == 1, err  # that one precondition, and no other
    assert not (project / "out").exists()


def test_a_cluster_that_does_not_exist_is_named_at_cluster_name(project, monkeypatch, capsys):
    monkeypatch.setattr(planner.mocks, "offline_existing_cluster", lambda c, p: None)
    assert main(["--stack", "variant", "--project-dir", str(project), "--out", str(project / "out")]) == 2
    assert f"{K}:cluster.name: no EKS cluster {NAME}" in capsys.readouterr().err


def test_the_shipped_stacks_look_no_cluster_up(plans):
    assert all("existing" not in stack_doc(s)["config"][f"{K}:cluster"] for s in plans)
