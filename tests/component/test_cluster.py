from __future__ import annotations

import json

from components.cluster import Cluster, ClusterArgs, SystemNodesArgs
from tests.component.harness import record

SYSTEM = SystemNodesArgs(
    instance_types=("m7i.xlarge",),
    ami_type="AL2023_x86_64_STANDARD",
    release_version="1.35.6-20260714",
    image_volume_device="/dev/xvda",
    disk_size_gib=50,
    min_size=2,
    max_size=3,
    desired_size=2,
)


def _cluster(**overrides):
    args = dict(
        name="c1",
        kubernetes_version="1.35",
        vpc_id="vpc-1",
        private_subnet_ids=("subnet-p1", "subnet-p2"),
        public_subnet_ids=("subnet-u1", "subnet-u2"),
        endpoint_private_access=True,
        endpoint_public_access=False,
        public_access_cidrs=(),
        log_types=("api", "audit"),
        log_retention_days=90,
        admin_role_arns=("arn:aws:iam::123456789012:role/platform-admin",),
        viewer_role_arns=(),
        namespace_editor_role_arns=(),
        editable_namespaces=("inference",),
        network_policy_enforcement=True,
        vpc_cni_version="v1.20.4-eksbuild.1",
        deletion_protection=True,
        support_type="STANDARD",
        coredns_version="v1.14.2-eksbuild.4",
        kube_proxy_version="v1.35.3-eksbuild.13",
        pod_identity_agent_version="v1.3.10-eksbuild.3",
        system_nodes=SYSTEM,
    )
    args.update(overrides)

    def declare():
        c = Cluster("cluster", ClusterArgs(**args))
        return {"name": c.cluster_name, "kubeconfig": c.kubeconfig, "sg": c.cluster_security_group_id}

    return record(declare)


def test_control_plane_settings():
    rec = _cluster()
    eks = rec.one("eks:index:Cluster")["inputs"]
    assert eks["name"] == "c1" and eks["version"] == "1.35"
    assert eks["authenticationMode"] == "API"
    assert eks["createOidcProvider"] is True
    assert eks["encryptionConfigKeyArn"].startswith("arn:aws:kms:")
    assert eks["endpointPrivateAccess"] is True and eks["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in eks
    assert eks["enabledClusterLogTypes"] == ["api", "audit"]
    assert eks["skipDefaultNodeGroup"] is True and eks["skipDefaultSecurityGroups"] is True
    assert eks["deletionProtection"] is True
    assert eks["upgradePolicy"] == {"supportType": "STANDARD"}
    assert eks["corednsAddonOptions"] == {"version": "v1.14.2-eksbuild.4"}
    assert eks["kubeProxyAddonOptions"] == {"version": "v1.35.3-eksbuild.13"}
    (entry,) = eks["accessEntries"].values()
    assert entry["principalArn"] == "arn:aws:iam::123456789012:role/platform-admin"
    (assoc,) = entry["accessPolicies"].values()
    assert assoc["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert assoc["accessScope"] == {"type": "cluster"}
    key = _key(rec, "cluster-secrets")["inputs"]
    assert key["enableKeyRotation"] is True


def test_app_teams_edit_one_namespace_and_viewers_read_the_cluster():
    team, ci = "arn:aws:iam::123456789012:role/search-team", "arn:aws:iam::123456789012:role/ci-preview"
    eks = _cluster(
        namespace_editor_role_arns=(team,), viewer_role_arns=(ci,), editable_namespaces=("inference",)
    )
    entries = {
        e["principalArn"]: next(iter(e["accessPolicies"].values()))
        for e in eks.one("eks:index:Cluster")["inputs"]["accessEntries"].values()
    }
    assert entries[team] == {
        "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
        "accessScope": {"type": "namespace", "namespaces": ["inference"]},
    }
    assert entries[ci] == {
        "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
        "accessScope": {"type": "cluster"},
    }
    assert len(entries) == 3  # and the platform admin


def test_vpc_cni_is_pinned_and_enforces_network_policies_when_asked():
    for enforce in (True, False):
        cni = _cluster(network_policy_enforcement=enforce).one("eks:index:Cluster")["inputs"]["vpcCniOptions"]
        assert (cni["addonVersion"], cni["enableNetworkPolicy"]) == ("v1.20.4-eksbuild.1", enforce)


def test_control_plane_logs_have_a_retention_and_exist_before_the_cluster():
    rec = _cluster()
    logs = rec.one("aws:cloudwatch/logGroup:LogGroup")
    key = _key(rec, "cluster-control-plane-logs-key")
    inputs = dict(logs["inputs"])
    assert inputs.pop("kmsKeyId").startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert inputs == {"name": "/aws/eks/c1/cluster", "retentionInDays": 90}
    assert logs["urn"] in rec.one("eks:index:Cluster")["dependsOn"]
    # CloudWatch Logs may use the key for this one group, and nothing else may encrypt with it.
    statements = {s["Sid"]: s for s in json.loads(key["inputs"]["policy"])["Statement"]}
    use = statements["CloudWatchLogsEncryptsTheGroup"]
    assert use["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert use["Condition"] == {
        "StringEquals": {
            "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/c1/cluster"
        }
    }
    assert set(statements) == {
        "AccountAdministersTheKey",
        "CloudWatchLogsEncryptsTheGroup",
        "CloudWatchLogsDescribesTheKey",
    }


def test_public_endpoint_takes_only_the_listed_cidrs():
    eks = _cluster(endpoint_public_access=True, public_access_cidrs=("203.0.113.0/24",)).one(
        "eks:index:Cluster"
    )
    assert eks["inputs"]["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_kubeconfig_is_secret_and_feeds_an_explicit_provider():
    rec = _cluster()
    assert rec.outputs["kubeconfig"] == "[secret]"
    provider = rec.one("pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    assert rec.outputs["name"] == "c1"


def _key(rec, name: str) -> dict:
    return next(k for k in rec.of_type("aws:kms/key:Key") if k["name"] == name)


def _node_role(rec):
    return next(r for r in rec.of_type("aws:iam/role:Role") if r["name"] == "cluster-node")


def test_system_nodes_are_on_demand_cpu_and_wait_for_the_node_role():
    rec = _cluster()
    ng = rec.one("aws:eks/nodeGroup:NodeGroup")
    assert ng["inputs"]["capacityType"] == "ON_DEMAND"
    assert ng["inputs"]["amiType"] == "AL2023_x86_64_STANDARD"
    assert "taints" not in ng["inputs"] or ng["inputs"]["taints"] == []
    node_role = _node_role(rec)
    policies = {
        r["inputs"]["policyArn"].rsplit("/", 1)[-1]: r["urn"]
        for r in rec.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r["parent"] == node_role["parent"] and r["inputs"]["role"].startswith("cluster-node-")
    }
    # No CNI rights on the node role: aws-node has its own (below).
    assert set(policies) == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonSSMManagedInstanceCore",
    }
    assert set(policies.values()) <= set(ng["dependsOn"])
    trust = json.loads(node_role["inputs"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_aws_node_gets_the_cni_rights_through_pod_identity_before_the_first_node():
    rec = _cluster()
    (association,) = [
        a
        for a in rec.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if a["inputs"]["serviceAccount"] == "aws-node"
    ]
    assert association["inputs"]["namespace"] == "kube-system"
    role = next(r for r in rec.of_type("aws:iam/role:Role") if r["name"] == "cluster-vpc-cni")
    assert json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "pods.eks.amazonaws.com"
    }
    (cni,) = [
        r
        for r in rec.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r["inputs"]["policyArn"].endswith("/AmazonEKS_CNI_Policy")
    ]
    assert cni["inputs"]["role"].startswith("cluster-vpc-cni-") and cni["urn"] in association["dependsOn"]
    # The agent and the association exist before the system nodes: aws-node pods are created as nodes join,
    # and only a pod created after the association gets its credentials.
    agent = rec.one("aws:eks/addon:Addon")
    ng = rec.one("aws:eks/nodeGroup:NodeGroup")
    assert {association["urn"], agent["urn"]} <= set(ng["dependsOn"])
    assert ng["urn"] not in agent["dependsOn"]


def test_aws_node_is_rolled_before_the_node_roles_old_cni_attachment_goes():
    """On a cluster that had the CNI policy on its node role: the patch re-creates every aws-node pod (new
    credentials) during the update, and Pulumi deletes the removed attachment only after it."""
    rec = _cluster()
    (patch,) = rec.of_type("kubernetes:apps/v1:DaemonSetPatch")
    assert patch["inputs"]["metadata"] == {"name": "aws-node", "namespace": "kube-system"}
    annotations = patch["inputs"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"llm-platform.io/aws-credentials": "pod-identity"}
    association = next(
        a
        for a in rec.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if a["inputs"]["serviceAccount"] == "aws-node"
    )
    eks_cluster = rec.one("eks:index:Cluster")
    assert {association["urn"], eks_cluster["urn"]} <= set(patch["dependsOn"])
    assert patch["urn"] in rec.one("aws:eks/nodeGroup:NodeGroup")["dependsOn"]


def test_pod_identity_agent_is_pinned():
    addon = _cluster().one("aws:eks/addon:Addon")
    assert addon["inputs"]["addonName"] == "eks-pod-identity-agent"
    assert addon["inputs"]["addonVersion"] == "v1.3.10-eksbuild.3"


def test_the_secrets_key_has_its_own_policy_naming_the_cluster_role():
    rec = _cluster()
    key = _key(rec, "cluster-secrets")
    assert "policy" not in key["inputs"]  # one owner of the policy: the KeyPolicy below
    (key_policy,) = rec.of_type("aws:kms/keyPolicy:KeyPolicy")
    assert key["urn"] in key_policy["dependsOn"]
    statements = {s["Sid"]: s for s in json.loads(key_policy["inputs"]["policy"])["Statement"]}
    admin = statements["AccountAdministersTheKey"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert not {"kms:*", "kms:Decrypt", "kms:Encrypt"} & set(admin["Action"])
    create = statements["CreateClusterThroughEKS"]
    assert create["Condition"]["StringEquals"]["kms:ViaService"] == "eks.us-east-1.amazonaws.com"
    role = statements["ClusterRoleEncryptsSecrets"]
    assert role["Principal"]["AWS"].startswith("arn:aws:iam::123456789012:role/cluster-eksRole-role-")
    assert {"kms:Encrypt", "kms:Decrypt"} <= set(role["Action"])


def test_access_entries_are_keyed_by_principal_so_reordering_or_a_new_level_moves_nothing():
    a, b = "arn:aws:iam::123456789012:role/team-a", "arn:aws:iam::123456789012:role/teams/team-b"

    def keys(**kw):
        entries = _cluster(**kw).one("eks:index:Cluster")["inputs"]["accessEntries"]
        return {e["principalArn"]: (k, next(iter(e["accessPolicies"]))) for k, e in entries.items()}

    before = keys(namespace_editor_role_arns=(a, b))
    assert keys(namespace_editor_role_arns=(b, a)) == before  # reordered
    moved = keys(namespace_editor_role_arns=(a,), viewer_role_arns=(b,))
    assert moved[b] == (before[b][0], "view")  # same entry, another access policy
    assert before[b][0] == "123456789012-role-teams-team-b"
