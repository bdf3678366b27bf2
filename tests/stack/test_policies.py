"""Invariants over every real Pulumi.<stack>.yaml, written as policies a reviewer would state."""

from __future__ import annotations

import json

from catalog.amis import AMI_FAMILIES
from vocabulary.scheduling import GPU_TAINT

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def gpu_node_groups(plan):
    return [r for r in plan.of_type(NODE_GROUP) if r["name"].startswith("gpu-")]


def test_every_gpu_node_group_is_tainted_labelled_and_ami_pinned(plan):
    groups = gpu_node_groups(plan)
    assert len(groups) == len(plan.config.gpu_node_groups) >= 1
    pin = plan.config.node_ami.release_version
    family = AMI_FAMILIES[plan.config.node_ami.family]
    for ng in groups:
        i = ng["inputs"]
        assert GPU_TAINT.for_eks() in i["taints"], ng["name"]
        assert i["amiType"] in family.gpu_ami_type.values() and "NVIDIA" in i["amiType"]
        assert i["releaseVersion"] == pin and family.release_pattern.match(pin)
        assert {"llm-platform.io/pool", "llm-platform.io/capacity-type", "llm-platform.io/gpu-name"} <= set(
            i["labels"]
        )
        assert ng["ignoreChanges"] == ["scalingConfig.desiredSize"]


def test_whole_fleet_runs_one_ami_release(plan):
    assert {ng["inputs"]["releaseVersion"] for ng in plan.of_type(NODE_GROUP)} == {
        plan.config.node_ami.release_version
    }


def test_gpu_node_groups_span_every_private_zone(plan):
    private = set(plan.outputs["privateSubnetIds"])
    assert len(private) == len(plan.config.network.availability_zones)
    for ng in plan.of_type(NODE_GROUP):
        assert set(ng["inputs"]["subnetIds"]) == private, ng["name"]


def test_capacity_types_follow_config(plan):
    wanted = {
        f"gpu-{g.name}-ng": {"spot": "SPOT", "on-demand": "ON_DEMAND"}[g.capacity_type]
        for g in plan.config.gpu_node_groups
    }
    assert {ng["name"]: ng["inputs"]["capacityType"] for ng in gpu_node_groups(plan)} == wanted


def test_every_node_has_imdsv2_hop_limit_one_and_an_encrypted_gp3_image_volume(plan):
    templates = plan.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == len(plan.of_type(NODE_GROUP))
    for lt in templates:
        assert lt["inputs"]["metadataOptions"]["httpTokens"] == "required"
        assert lt["inputs"]["metadataOptions"]["httpPutResponseHopLimit"] == 1
        (bdm,) = lt["inputs"]["blockDeviceMappings"]
        assert bdm["ebs"]["encrypted"] == "true" and bdm["ebs"]["volumeType"] == "gp3"
        if lt["name"].startswith("gpu-"):
            assert bdm["ebs"]["volumeSize"] >= 100


def test_control_plane_is_encrypted_logged_and_api_authenticated(plan):
    (eks,) = plan.of_type("eks:index:Cluster")
    i = eks["inputs"]
    assert i["authenticationMode"] == "API"
    assert i["encryptionConfigKeyArn"].startswith("arn:aws:kms:")
    assert set(i["enabledClusterLogTypes"]) >= {"api", "audit", "authenticator"}
    assert i["createOidcProvider"] is True
    assert i["version"] == plan.config.cluster.kubernetes_version


def test_public_endpoint_is_always_cidr_restricted(plan):
    (eks,) = plan.of_type("eks:index:Cluster")
    if eks["inputs"]["endpointPublicAccess"]:
        assert eks["inputs"]["publicAccessCidrs"], "a public endpoint must list its allowed CIDRs"


def test_prod_endpoint_not_open_to_the_internet(plans):
    (eks,) = plans["prod"].of_type("eks:index:Cluster")
    assert "0.0.0.0/0" not in eks["inputs"].get("publicAccessCidrs", [])
    assert eks["inputs"]["endpointPrivateAccess"] is True
    assert eks["inputs"]["deletionProtection"] is True


def test_prod_spans_three_zones_with_a_nat_gateway_each(plans):
    prod = plans["prod"]
    assert len(prod.config.network.availability_zones) == 3
    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 3
    assert len(prod.of_type("aws:efs/mountTarget:MountTarget")) == 3


def test_prod_has_on_demand_baseline_and_diversified_spot(plans):
    groups = {g.capacity_type: g for g in plans["prod"].config.gpu_node_groups}
    assert groups["on-demand"].min_size >= 1
    assert len(groups["spot"].instance_types) >= 2


def test_model_cache_is_encrypted_everywhere_and_protected_in_prod(plan, plans):
    (fs,) = plan.of_type("aws:efs/fileSystem:FileSystem")
    assert fs["inputs"]["encrypted"] is True and fs["inputs"]["kmsKeyId"].startswith("arn:aws:kms:")
    (prod_fs,) = plans["prod"].of_type("aws:efs/fileSystem:FileSystem")
    prod_key = plans["prod"].by_name("model-cache-key")
    for r in (prod_fs, prod_key):
        assert r["protect"] and r["retainOnDelete"], r["name"]


def test_one_shared_rwx_claim_in_the_inference_namespace(plan):
    (pvc,) = plan.of_type("kubernetes:core/v1:PersistentVolumeClaim")
    assert pvc["inputs"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pvc["inputs"]["metadata"]["namespace"] == plan.config.model_cache.namespace
    assert plan.outputs["modelCachePvcName"] == plan.config.model_cache.pvc_name


def test_kubernetes_objects_use_the_explicit_cluster_provider(plan):
    k8s = [r for r in plan.resources if r["type"].startswith("kubernetes:")]
    assert k8s and all(r["provider"] == "cluster-k8s" for r in k8s)


def test_no_iam_statement_allows_everything(plan):
    docs = [
        json.loads(r["inputs"][k])
        for r in plan.resources
        for k in ("assumeRolePolicy", "policy")
        if k in r["inputs"]
    ]
    assert docs
    for doc in docs:
        for stmt in doc["Statement"]:
            actions = stmt.get("Action", [])
            resources = stmt.get("Resource", [])
            assert not (actions in ("*", ["*"]) and resources in ("*", ["*"]))


def test_stack_outputs_are_complete_and_secrets_redacted(plan):
    expected = {
        "region",
        "clusterName",
        "kubeconfig",
        "oidcProviderArn",
        "vpcId",
        "privateSubnetIds",
        "publicSubnetIds",
        "systemNodeGroupName",
        "gpuNodeGroupNames",
        "nodeRoleArn",
        "modelCacheFileSystemId",
        "modelCachePvcName",
        "modelCacheNamespace",
        "prometheusUrl",
        "grafanaService",
        "karpenterNodeRoleArn",
        "karpenterInterruptionQueue",
        "karpenterNodePools",
        "modelEndpoints",
        "servedModelNames",
        "openaiBaseUrl",
        "gatewayInternalUrl",
        "gatewayTenants",
        "gatewayApiKeys",  # generated keys: secret (test_gateway.py)
    } | ({"gatewayDnsName"} if plan.fleet.gateway.load_balancer else set())
    assert set(plan.outputs) == expected
    assert plan.outputs["kubeconfig"] == "[secret]"
    assert set(plan.outputs["gpuNodeGroupNames"]) == {g.name for g in plan.config.gpu_node_groups}
    text = json.dumps(plan.as_json())
    assert "get-token" not in text, "kubeconfig leaked into the plan"
    assert "offline-" not in text, "a generated password leaked into the plan"
