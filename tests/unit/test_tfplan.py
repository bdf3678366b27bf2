"""The conversion of a plan's AWS resources to checkov's Terraform plan input (security/tfplan.py): type names,
snake_case attributes, MaxItems=1 blocks as one-element lists, maps left alone, references between resources,
the cluster pulumi-eks creates, and no AWS type dropped without a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from security import aws_max_items_one_gen, aws_scan, tfplan
from security.aws_max_items_one import MAX_ITEMS_ONE
from security.aws_types import EXCLUDED, RENAMED, TF_TYPES
from tests.conftest import PROJECT_DIR, STACKS

CHECKOV = PROJECT_DIR / ".venv-checkov" / "bin" / "checkov"


def _record(typ: str, name: str, inputs: dict, parent: str = "llm-platform:test:Test") -> dict:
    return {
        "urn": f"urn:pulumi:t::llm-platform::{parent}${typ}::{name}",
        "type": typ,
        "name": name,
        "parent": None,
        "custom": True,
        "inputs": inputs,
    }


def _plan(*records: dict) -> dict:
    return {
        "project": "llm-platform",
        "stack": "t",
        "resources": list(records),
        "outputs": {"region": "us-east-1"},
    }


def _resource(document: dict, address: str) -> dict:
    (r,) = [r for r in document["planned_values"]["root_module"]["resources"] if r["address"] == address]
    return r


@pytest.mark.parametrize(
    ("camel", "snake"),
    [
        ("cidrBlock", "cidr_block"),
        ("mapPublicIpOnLaunch", "map_public_ip_on_launch"),
        ("ipv6CidrBlock", "ipv6_cidr_block"),
        ("sqsManagedSseEnabled", "sqs_managed_sse_enabled"),
        ("httpPutResponseHopLimit", "http_put_response_hop_limit"),
        ("name", "name"),
    ],
)
def test_camel_case_properties_become_snake_case(camel, snake):
    assert tfplan.snake(camel) == snake


def test_types_map_to_terraform_names():
    assert TF_TYPES["aws:ec2/vpc:Vpc"] == "aws_vpc"
    assert (
        TF_TYPES["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
        == "aws_vpc_security_group_ingress_rule"
    )
    assert TF_TYPES["aws:ec2/tag:Tag"] == "aws_ec2_tag"
    assert TF_TYPES["aws:ec2/flowLog:FlowLog"] == "aws_flow_log"


def test_max_items_one_blocks_become_one_element_lists_and_maps_stay_maps():
    values = tfplan.tf_values(
        "aws:eks/nodeGroup:NodeGroup",
        {
            "scalingConfig": {"desiredSize": 1, "maxSize": 2, "minSize": 0},
            "taints": [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu", "value": "true"}],
            "labels": {"llm-platform.io/pool": "gpu", "camelKey": "x"},
            "tags": {"Name": "gpu"},
        },
    )
    assert values["scaling_config"] == [{"desired_size": 1, "max_size": 2, "min_size": 0}]
    assert values["taint"] == [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu", "value": "true"}]  # renamed
    assert values["labels"] == {"llm-platform.io/pool": "gpu", "camelKey": "x"}  # a map: keys as written
    assert values["tags"] == {"Name": "gpu"}


def test_nested_max_items_one_blocks_inside_list_blocks():
    values = tfplan.tf_values(
        "aws:ec2/launchTemplate:LaunchTemplate",
        {
            "blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 80}}
            ],
            "metadataOptions": {"httpTokens": "required"},
        },
    )
    assert values["block_device_mappings"] == [
        {"device_name": "/dev/xvda", "ebs": [{"encrypted": "true", "volume_size": 80}]}
    ]
    assert values["metadata_options"] == [{"http_tokens": "required"}]


def test_the_max_items_one_table_matches_the_pinned_sdk():
    # Regenerate with `python -m security.aws_max_items_one_gen` after a pulumi-aws upgrade or a new type.
    assert {k: sorted(v) for k, v in MAX_ITEMS_ONE.items()} == aws_max_items_one_gen.table()


def test_every_aws_type_of_every_stack_is_mapped_or_excluded_with_a_reason(plans):
    for stack in STACKS:
        tokens = {r["type"] for r in plans[stack].resources if r["type"].startswith(tfplan.AWS_PACKAGES)}
        assert tokens, stack
        unmapped = sorted(t for t in tokens if t not in TF_TYPES and t not in EXCLUDED)
        assert unmapped == [], f"{stack}: map these in security/aws_types.py"
        tfplan.convert(plans[stack].as_json())  # and the conversion agrees
    assert all(len(reason) > 40 for reason in EXCLUDED.values())


def test_an_unmapped_aws_type_is_an_error_naming_it():
    plan = _plan(_record("aws:lambda/function:Function", "fn", {}), _record("random:index/x:X", "r", {}))
    with pytest.raises(tfplan.UnmappedTypes, match=r"aws:lambda/function:Function") as err:
        tfplan.convert(plan)
    assert "random:" not in str(err.value)  # not an AWS type: not the scan's business


def test_references_connect_a_resource_to_the_one_whose_output_it_uses(plans):
    document = tfplan.convert(plans["prod"].as_json())
    config = {r["address"]: r["expressions"] for r in document["configuration"]["root_module"]["resources"]}
    assert "aws_vpc.network-vpc" in config["aws_flow_log.flow-logs"]["vpc_id"]["references"]
    mount = config["aws_efs_mount_target.model-cache-mount-0"]
    assert "aws_security_group.model-cache-nfs" in mount["security_groups"]["references"]
    assert (
        "aws_kms_key.model-cache-key"
        in config["aws_efs_file_system.model-cache-fs"]["kms_key_id"]["references"]
    )


def test_the_cluster_pulumi_eks_creates_is_derived_from_the_component_inputs(plans):
    document = tfplan.convert(plans["prod"].as_json())
    (component,) = plans["prod"].of_type("eks:index:Cluster")
    cluster = _resource(document, f"aws_eks_cluster.{component['name']}-eksCluster")["values"]
    inputs = component["inputs"]
    (vpc,) = cluster["vpc_config"]
    assert vpc["endpoint_public_access"] is inputs["endpointPublicAccess"]
    assert vpc["public_access_cidrs"] == inputs["publicAccessCidrs"]
    assert set(vpc["subnet_ids"]) == {*inputs["privateSubnetIds"], *inputs["publicSubnetIds"]}
    assert cluster["encryption_config"] == [
        {"provider": [{"key_arn": inputs["encryptionConfigKeyArn"]}], "resources": ["secrets"]}
    ]
    assert cluster["enabled_cluster_log_types"] == inputs["enabledClusterLogTypes"]
    assert cluster["access_config"][0]["authentication_mode"] == inputs["authenticationMode"]


def _scan_one(tmp_path: Path, *records: dict) -> dict[str, set[str]]:
    """address -> ids of the checks checkov fails on it."""
    out = tmp_path / "t" / "aws" / "tfplan.json"
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps(tfplan.convert(_plan(*records))))
    (report,) = aws_scan.run_checkov(str(CHECKOV), [out])
    failed, _ = aws_scan.findings("t", report)
    by_address: dict[str, set[str]] = {}
    for f in failed:
        by_address.setdefault(f.resource, set()).add(f.check_id)
    return by_address


@pytest.mark.skipif(not CHECKOV.exists(), reason="checkov is not installed: `make scan` builds .venv-checkov")
def test_a_known_bad_resource_fails_the_expected_checkov_check(tmp_path):
    lt = "aws:ec2/launchTemplate:LaunchTemplate"
    failed = _scan_one(
        tmp_path,
        _record(lt, "imdsv1", {"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "optional"}}),
        _record(lt, "imdsv2", {"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"}}),
        _record("aws:sqs/queue:Queue", "plain", {}),
    )
    # CKV_AWS_79: IMDSv1 enabled. It reads metadata_options as a list: a flattened object would pass both.
    assert "CKV_AWS_79" in failed["aws_launch_template.imdsv1"]
    assert "CKV_AWS_79" not in failed.get("aws_launch_template.imdsv2", set())
    assert "CKV_AWS_27" in failed["aws_sqs_queue.plain"]  # no server-side encryption


def test_every_renamed_property_is_a_property_of_the_pinned_sdk():
    # A typo in RENAMED would silently keep the camelCase name's snake_case: the SDK must know the Pulumi name.
    import importlib

    for token, renames in RENAMED.items():
        module, cls = token.split(":")[1].split("/")[0], token.split(":")[2]
        args = getattr(importlib.import_module(f"pulumi_aws.{module}"), f"{cls}Args")
        pulumi_names = {
            getattr(p.fget, "_pulumi_name", None) or n for n, p in vars(args).items() if hasattr(p, "fget")
        }
        pulumi_names |= {aws_max_items_one_gen._camel(n) for n in pulumi_names}
        for name in renames:
            assert name.split(".")[0] in pulumi_names, f"{token}: {name}"
