from __future__ import annotations

import json

import pulumi_kubernetes as k8s
import pytest

from components.model_cache import ModelCache, ModelCacheArgs
from tests.component.harness import record


def _cache(protect: bool):
    def declare():
        provider = k8s.Provider("k8s", kubeconfig="{}")
        cache = ModelCache(
            "mc",
            ModelCacheArgs(
                cluster_name="c1",
                vpc_id="vpc-1",
                subnet_ids=("subnet-a", "subnet-b", "subnet-c"),
                node_security_group_id="sg-nodes",
                namespace="inference",
                pvc_name="model-cache",
                size_gib=500,
                throughput_mode="elastic",
                protect=protect,
                efs_csi_version="v3.4.0-eksbuild.1",
                k8s_provider=provider,
            ),
        )
        return {"fs": cache.file_system_id, "pvc": cache.pvc_name, "ns": cache.pvc_namespace}

    return record(declare)


@pytest.mark.parametrize("protect", [True, False])
def test_file_system_is_encrypted_with_its_own_key_and_protected_when_asked(protect):
    rec = _cache(protect)
    fs = rec.one("aws:efs/fileSystem:FileSystem")
    key = rec.one("aws:kms/key:Key")
    assert fs["inputs"]["encrypted"] is True
    assert fs["inputs"]["kmsKeyId"].startswith("arn:aws:kms:")
    assert fs["inputs"]["throughputMode"] == "elastic"
    assert "lifecyclePolicies" not in fs["inputs"]
    # The key is kept with the data: retained weights encrypted under a deleted key would be unreadable.
    for r in (fs, key):
        assert r["protect"] is protect and r["retainOnDelete"] is protect
    sc = rec.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert sc["inputs"]["reclaimPolicy"] == ("Retain" if protect else "Delete")


def test_the_keys_policy_lets_the_account_use_it_only_through_efs():
    key = _cache(protect=True).one("aws:kms/key:Key")
    statements = {s["Sid"]: s for s in json.loads(key["inputs"]["policy"])["Statement"]}
    assert set(statements) == {"AccountAdministersTheKey", "UseThroughEFS"}
    assert not {"kms:*", "kms:Decrypt", "kms:Encrypt"} & set(statements["AccountAdministersTheKey"]["Action"])
    assert "kms:PutKeyPolicy" not in statements["AccountAdministersTheKey"]["Action"]  # as kms:Put*
    assert "kms:Put*" in statements["AccountAdministersTheKey"]["Action"]  # no lockout
    use = statements["UseThroughEFS"]
    assert {"kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"} <= set(use["Action"])
    assert use["Condition"]["StringEquals"] == {
        "kms:ViaService": "elasticfilesystem.us-east-1.amazonaws.com",
        "kms:CallerAccount": "123456789012",
    }


def test_nfs_only_from_cluster_nodes_and_a_mount_target_per_subnet():
    rec = _cache(True)
    (rule,) = rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rule["inputs"]["referencedSecurityGroupId"] == "sg-nodes"
    assert (rule["inputs"]["fromPort"], rule["inputs"]["toPort"], rule["inputs"]["ipProtocol"]) == (
        2049,
        2049,
        "tcp",
    )
    assert "cidrIpv4" not in rule["inputs"]
    mts = rec.of_type("aws:efs/mountTarget:MountTarget")
    assert sorted(m["inputs"]["subnetId"] for m in mts) == ["subnet-a", "subnet-b", "subnet-c"]
    sg_id = {m["inputs"]["securityGroups"][0] for m in mts}
    assert len(sg_id) == 1


def test_csi_driver_addon_gets_its_role_through_pod_identity():
    rec = _cache(True)
    addon = rec.one("aws:eks/addon:Addon")["inputs"]
    assert addon["addonName"] == "aws-efs-csi-driver" and addon["addonVersion"] == "v3.4.0-eksbuild.1"
    (assoc,) = addon["podIdentityAssociations"]
    assert assoc["serviceAccount"] == "efs-csi-controller-sa"
    role = rec.one("aws:iam/role:Role")
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    (stmt,) = trust["Statement"]
    assert stmt["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(stmt["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    assert assoc["roleArn"].startswith("arn:aws:iam::123456789012:role/mc-efs-csi-")
    policy = rec.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")["inputs"]["policyArn"]
    assert policy == "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"


def test_one_shared_read_write_many_claim():
    rec = _cache(True)
    (pvc,) = rec.of_type("kubernetes:core/v1:PersistentVolumeClaim")
    spec = pvc["inputs"]["spec"]
    assert spec["accessModes"] == ["ReadWriteMany"]
    assert spec["storageClassName"] == "efs-model-cache"
    assert spec["resources"]["requests"]["storage"] == "500Gi"
    assert rec.outputs == {"fs": rec.outputs["fs"], "pvc": "model-cache", "ns": "inference"}
    assert rec.outputs["fs"].startswith("fs-")
    # The claim waits for the provisioner and for mount targets.
    deps = " ".join(pvc["dependsOn"])
    assert "aws:eks/addon:Addon::mc-efs-csi" in deps and deps.count("aws:efs/mountTarget:MountTarget") == 3
    params = rec.one("kubernetes:storage.k8s.io/v1:StorageClass")["inputs"]["parameters"]
    assert params["provisioningMode"] == "efs-ap" and params["fileSystemId"] == rec.outputs["fs"]
    assert params["ensureUniqueDirectory"] == "false"  # a re-created claim finds its weights again
