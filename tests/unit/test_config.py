"""Config validation: every error names its key as written in the stack file, all errors come at once."""

from __future__ import annotations

import json

import pytest

from config.issues import ConfigError
from config.loader import load_config
from config.warnings import warnings_for
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR, STACKS


def flat(stack: str = "dev") -> dict[str, str]:
    return dict(read_stack(PROJECT_DIR, stack).config)


def edit(config: dict[str, str], key: str, change) -> dict[str, str]:
    value = json.loads(config[key])
    change(value)
    config[key] = json.dumps(value)
    return config


def errors(config: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ConfigError) as exc:
        load_config(config, "Pulumi.test.yaml")
    return {i.key: i.message for i in exc.value.issues}


@pytest.mark.parametrize("stack", STACKS)
def test_real_stack_files_are_valid(stack):
    cfg = load_config(flat(stack), f"Pulumi.{stack}.yaml")
    assert cfg.gpu_node_groups, "every stack declares at least one GPU node group"


def test_unknown_top_level_key_is_rejected_with_a_suggestion():
    c = flat()
    c["llm-platform:gpuNodeGroup"] = "[]"
    errs = errors(c)
    assert "llm-platform:gpuNodeGroup" in errs
    assert "did you mean llm-platform:gpuNodeGroups" in errs["llm-platform:gpuNodeGroup"]


def test_unknown_nested_key_is_named_with_its_full_path():
    c = edit(flat(), "llm-platform:gpuNodeGroups", lambda v: v[0].update(maxSise=3))
    errs = errors(c)
    assert "did you mean 'maxSize'" in errs["llm-platform:gpuNodeGroups[0].maxSise"]


def test_out_of_range_value_names_key_value_and_limit():
    c = edit(flat(), "llm-platform:gpuNodeGroups", lambda v: v[0].update(diskSizeGib=20))
    msg = errors(c)["llm-platform:gpuNodeGroups[0].diskSizeGib"]
    assert msg == "must be at least 100 (got 20)"


def test_every_error_is_reported_at_once_across_sections():
    c = flat()
    c["llm-platform:typo"] = "1"
    edit(c, "llm-platform:network", lambda v: v.update(cidr="10.0.0.0/8"))
    edit(c, "llm-platform:cluster", lambda v: v.update(kubernetesVersion="1.20"))
    edit(c, "llm-platform:gpuNodeGroups", lambda v: v[0].update(capacityType="dedicated"))
    errs = errors(c)
    assert set(errs) >= {
        "llm-platform:typo",
        "llm-platform:network.cidr",
        "llm-platform:cluster.kubernetesVersion",
        "llm-platform:gpuNodeGroups[0].capacityType",
    }
    assert (
        errs["llm-platform:gpuNodeGroups[0].capacityType"]
        == "must be one of on-demand, spot, reserved (got 'dedicated')"
    )
    assert errs["llm-platform:cluster.kubernetesVersion"] == 'must be one of "1.34", "1.35" (got \'1.20\')'


def test_missing_region_and_required_section():
    c = flat()
    del c["aws:region"], c["llm-platform:nodeAmi"]
    errs = errors(c)
    assert "aws:region" in errs and errs["llm-platform:nodeAmi"] == "required key is missing"


def test_zone_outside_region():
    c = edit(
        flat(), "llm-platform:network", lambda v: v.update(availabilityZones=["us-west-2a", "us-east-1b"])
    )
    assert "not a zone of aws:region 'us-west-2'" in errors(c)["llm-platform:network.availabilityZones[1]"]


def test_ami_release_must_match_cluster_version():
    c = edit(flat(), "llm-platform:nodeAmi", lambda v: v.update(releaseVersion="1.34.9-20260714"))
    msg = errors(c)["llm-platform:nodeAmi.releaseVersion"]
    assert "Kubernetes 1.34" in msg and "llm-platform:cluster.kubernetesVersion is '1.35'" in msg


@pytest.mark.parametrize("release", ["latest", "1.35.6", "1.35.6-latest", "v20260714"])
def test_ami_release_must_be_pinned(release):
    c = edit(flat(), "llm-platform:nodeAmi", lambda v: v.update(releaseVersion=release))
    msg = errors(c)["llm-platform:nodeAmi.releaseVersion"]
    assert f"{release!r} is not a release version of al2023" in msg and "1.35.6-20260714" in msg


def test_bottlerocket_release_format():
    # Dev's time slicing needs the GPU operator's device plugin, which Bottlerocket replaces with its own.
    clash = edit(
        flat(),
        "llm-platform:nodeAmi",
        lambda v: v.update(family="bottlerocket", releaseVersion="1.65.0-0be31b34"),
    )
    assert "ships its own device plugin" in errors(clash)["llm-platform:addons.gpuOperator.timeSlicing"]
    c0 = edit(flat(), "llm-platform:addons", lambda v: v["gpuOperator"].pop("timeSlicing"))
    ok = edit(
        c0,
        "llm-platform:nodeAmi",
        lambda v: v.update(family="bottlerocket", releaseVersion="1.65.0-0be31b34"),
    )
    assert load_config(ok, "x").node_ami.family == "bottlerocket"
    bad = edit(
        flat(), "llm-platform:nodeAmi", lambda v: v.update(family="bottlerocket", releaseVersion="1.65.0")
    )
    assert "1.65.0-0be31b34" in errors(bad)["llm-platform:nodeAmi.releaseVersion"]


def test_node_group_sizes():
    c = edit(flat(), "llm-platform:gpuNodeGroups", lambda v: v[0].update(minSize=2, maxSize=1))
    assert "1 is below minSize (2)" in errors(c)["llm-platform:gpuNodeGroups[0].maxSize"]
    c = edit(flat(), "llm-platform:gpuNodeGroups", lambda v: v[0].update(minSize=0, maxSize=2, desiredSize=5))
    assert "between minSize (0) and maxSize (2)" in errors(c)["llm-platform:gpuNodeGroups[0].desiredSize"]


def test_gpu_group_must_use_known_gpu_types_of_one_model():
    c = edit(
        flat(), "llm-platform:gpuNodeGroups", lambda v: v[0].update(instanceTypes=["g6.xlarge", "g5.xlarge"])
    )
    assert "mix GPU models" in errors(c)["llm-platform:gpuNodeGroups[0].instanceTypes"]
    c = edit(flat(), "llm-platform:gpuNodeGroups", lambda v: v[0].update(instanceTypes=["m7i.large"]))
    assert (
        "not in the GPU instance catalog: m7i.large"
        in errors(c)["llm-platform:gpuNodeGroups[0].instanceTypes"]
    )


def test_gpu_group_names_unique_and_dns_safe():
    c = edit(flat(), "llm-platform:gpuNodeGroups", lambda v: v.append(dict(v[0])))
    assert "already used by llm-platform:gpuNodeGroups[0]" in errors(c)["llm-platform:gpuNodeGroups[1].name"]
    c = edit(flat(), "llm-platform:gpuNodeGroups", lambda v: v.append(dict(v[0], name="Bad_Name")))
    msg = errors(c)["llm-platform:gpuNodeGroups[1].name"]
    assert msg.startswith("must be lower-case letters, digits and '-'") and "(got 'Bad_Name')" in msg


def test_system_group_refuses_gpu_instances():
    c = edit(
        flat(), "llm-platform:cluster", lambda v: v["systemNodeGroup"].update(instanceTypes=["g5.xlarge"])
    )
    assert "GPU instance types" in errors(c)["llm-platform:cluster.systemNodeGroup.instanceTypes"]


def test_endpoint_rules_name_the_key_written_not_the_default():
    c = edit(flat(), "llm-platform:cluster", lambda v: v.update(endpoint={"privateAccess": False}))
    msg = errors(c)["llm-platform:cluster.endpoint.privateAccess"]
    assert "nobody could reach" in msg and "publicAccess (false, its default)" in msg
    c = edit(flat(), "llm-platform:cluster", lambda v: v.update(endpoint={"publicAccess": True}))
    assert "list the CIDRs" in errors(c)["llm-platform:cluster.endpoint.publicAccess"]


def test_admin_role_arns_are_validated():
    c = edit(flat(), "llm-platform:cluster", lambda v: v.update(adminRoleArns=["arn:aws:iam::123:user/x"]))
    assert (
        "not an IAM role ARN: 'arn:aws:iam::123:user/x'" in errors(c)["llm-platform:cluster.adminRoleArns[0]"]
    )


def test_safe_defaults_when_keys_are_omitted():
    c = flat()
    del c["llm-platform:modelCache"]
    edit(c, "llm-platform:cluster", lambda v: [v.pop(k, None) for k in ("deletionProtection", "endpoint")])
    cfg = load_config(c, "x")
    assert cfg.model_cache.protect is True
    assert cfg.cluster.deletion_protection is True
    assert cfg.cluster.endpoint.public_access is False and cfg.cluster.endpoint.private_access is True
    assert cfg.network.nat_gateways == "single"  # explicitly set in dev; the default is perAz:
    c2 = edit(flat(), "llm-platform:network", lambda v: v.pop("natGateways"))
    assert load_config(c2, "x").network.nat_gateways == "perAz"


def test_warnings_flag_risky_but_valid_choices():
    c = edit(flat(), "llm-platform:cluster", lambda v: v["endpoint"].update(publicAccessCidrs=["0.0.0.0/0"]))
    edit(c, "llm-platform:gpuNodeGroups", lambda v: v[0].update(instanceTypes=["g6.xlarge"]))
    text = "\n".join(warnings_for(load_config(c, "x")))
    assert "open to the internet" in text and "spot group with one instance type" in text
    # prod's only warnings are its example placeholders (README "Replace the placeholders first"), one per key.
    assert warnings_for(load_config(flat("prod"), "x")) == [
        "llm-platform:cluster.adminRoleArns[0]: arn:aws:iam::123456789012:role/platform-admin is in a "
        "documentation account: replace it with your role's ARN (EKS refuses an access entry for a role that does "
        "not exist)",
        "llm-platform:access.appTeamRoleArns[0]: arn:aws:iam::123456789012:role/search-team is in a documentation "
        "account: replace it with your role's ARN (EKS refuses an access entry for a role that does not exist)",
        "llm-platform:access.readOnlyRoleArns[0]: arn:aws:iam::123456789012:role/github-preview is in a "
        "documentation account: replace it with your role's ARN (EKS refuses an access entry for a role that does "
        "not exist)",
        "llm-platform:models[1].source: s3://amzn-s3-demo-bucket/Qwen/Qwen3-32B/9216db5781bf21249d130ec9da846c4624c16137"
        " is in an AWS documentation bucket, which no account can create: copy the weights to your bucket and name "
        "it (the model would never load)",
        "llm-platform:cluster.endpoint.publicAccessCidrs: only documentation ranges (203.0.113.0/24): nothing could "
        "reach the Kubernetes API, so every Kubernetes resource of the first `pulumi up` would time out; list your "
        "CI's and VPN's egress CIDRs",
        "llm-platform:repository.url: https://github.example.com/your-org/llm-platform is a documentation address "
        "(RFC 2606): every alert's runbook link would open nothing; give your repository's web address",
    ]
