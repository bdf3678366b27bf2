"""GPU nodes' user data for parallel image pulls: the MIME archive EKS merges for a managed node group, the
NodeConfig against nodeadm's types at the pinned AMI release, Bottlerocket's settings, and the gp3 volume they
need (its limits refused at the key as written)."""

from __future__ import annotations

import base64
import email
import json

import pytest
import yaml

from catalog.node_bootstrap import BOTTLEROCKET_SETTINGS, karpenter_user_data, node_group_user_data
from tests.unit.stack_config import K, edit, issues

# nodeadm's NodeConfig at amazon-eks-ami v20260714 (nodeadm/api/v1alpha1/nodeconfig_types.go): the spec fields and
# the feature gates the kubebuilder enum allows.
NODECONFIG_SPEC = {"cluster", "kubelet", "containerd", "instance", "featureGates"}
FEATURE_GATES = {"InstanceIdNodeName", "FastImagePull"}


def test_the_managed_node_group_user_data_is_a_mime_archive_with_one_nodeconfig_part():
    message = email.message_from_string(node_group_user_data("al2023"))
    assert message.is_multipart() and message.get_content_type() == "multipart/mixed"
    (part,) = message.get_payload()
    assert part.get_content_type() == "application/node.eks.aws"
    config = yaml.safe_load(part.get_payload())
    assert (config["apiVersion"], config["kind"]) == ("node.eks.aws/v1alpha1", "NodeConfig")
    assert set(config["spec"]) <= NODECONFIG_SPEC and set(config["spec"]["featureGates"]) <= FEATURE_GATES
    assert config["spec"]["featureGates"]["FastImagePull"] is True
    assert node_group_user_data("al2023") == node_group_user_data(
        "al2023"
    )  # no random boundary: stable plans


def test_karpenter_takes_the_nodeconfig_itself_and_bottlerocket_its_settings_toml():
    assert yaml.safe_load(karpenter_user_data("al2023"))["kind"] == "NodeConfig"
    import tomllib

    settings = tomllib.loads(BOTTLEROCKET_SETTINGS)["settings"]
    assert settings["container-runtime"]["snapshotter"] == "soci"
    soci = settings["container-runtime-plugins"]["soci-snapshotter"]
    assert soci["pull-mode"] == "parallel-pull-unpack"
    assert (
        karpenter_user_data("bottlerocket") == node_group_user_data("bottlerocket") == BOTTLEROCKET_SETTINGS
    )


def test_prod_gpu_nodes_get_the_user_data_and_the_volume_for_it(plans):
    prod = plans["prod"]
    templates = [
        r["inputs"] for r in prod.of_type("aws:ec2/launchTemplate:LaunchTemplate") if "gpu-" in r["name"]
    ]
    assert templates
    for t in templates:
        assert base64.b64decode(t["userData"]).decode() == node_group_user_data("al2023")
        (disk,) = t["blockDeviceMappings"]
        assert (disk["ebs"]["throughput"], disk["ebs"]["iops"]) == (600, 6000)
    system = [
        r["inputs"] for r in prod.of_type("aws:ec2/launchTemplate:LaunchTemplate") if "system" in r["name"]
    ]
    assert system and all("userData" not in t for t in system)  # CPU nodes pull small images
    for c in prod.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        assert c["inputs"]["spec"]["userData"] == karpenter_user_data("al2023")
        assert c["inputs"]["spec"]["blockDeviceMappings"][0]["ebs"]["throughput"] == 600


@pytest.mark.parametrize(
    ("key", "change", "where", "words"),
    [
        (f"{K}:gpuNodeGroups", lambda v: v[0].update(diskThroughputMibps=2000), "gpuNodeGroups[0].diskThroughputMibps", "8000 IOPS"),
        (f"{K}:gpuNodeGroups", lambda v: v[0].update(diskIops=80000), "gpuNodeGroups[0].diskIops", "160 GiB"),
        (f"{K}:addons", lambda v: v["karpenter"]["nodePools"][0].update(diskThroughputMibps=100), "addons.karpenter.nodePools[0].diskThroughputMibps", "125"),
        (f"{K}:nodeAmi", lambda v: v.update(releaseVersion="1.33.0-20250715"), "nodeAmi.fastImagePull", "predates parallel image pulls"),
    ],
)  # fmt: skip
def test_volumes_within_gp3_and_fast_pull_within_the_release(key, change, where, words):
    found = issues(edit(key, change))
    assert words in found[f"{K}:{where}"], json.dumps(found)
