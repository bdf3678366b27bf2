"""Alternate choices switched on and off through stack config, planned end to end."""

from __future__ import annotations

from planner.run import run_plan
from tests.conftest import write_variant


def test_bottlerocket_fleet_uses_its_ami_types_and_data_volume(tmp_path):
    def to_bottlerocket(c):
        c["llm-platform:nodeAmi"] = {"family": "bottlerocket", "releaseVersion": "1.65.0-0be31b34"}
        del c["llm-platform:addons"]["gpuOperator"]["timeSlicing"]  # Bottlerocket's own device plugin

    plan = run_plan(write_variant(tmp_path, to_bottlerocket), "variant")
    types = {r["name"]: r["inputs"]["amiType"] for r in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert types == {
        "cluster-system-ng": "BOTTLEROCKET_x86_64",
        "gpu-l4-spot-ng": "BOTTLEROCKET_x86_64_NVIDIA",
    }
    for lt in plan.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        assert lt["inputs"]["blockDeviceMappings"][0]["deviceName"] == "/dev/xvdb"
    # Karpenter pins the same release through its alias, and sizes the same (data) volume.
    for nc in plan.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        assert nc["inputs"]["spec"]["amiSelectorTerms"] == [{"alias": "bottlerocket@v1.65.0"}]
        assert nc["inputs"]["spec"]["blockDeviceMappings"][0]["deviceName"] == "/dev/xvdb"
    # Bottlerocket ships the device plugin: the GPU operator must not deploy a second one.
    (gpu_operator,) = [
        r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r["inputs"]["name"] == "gpu-operator"
    ]
    assert gpu_operator["inputs"]["values"]["devicePlugin"] == {"enabled": False}


def test_adding_a_gpu_group_adds_only_that_group(tmp_path, plans):
    def add_group(c):
        c["llm-platform:gpuNodeGroups"].append(
            {
                "name": "l40s-od",
                "capacityType": "on-demand",
                "instanceTypes": ["g6e.xlarge"],
                "minSize": 0,
                "maxSize": 1,
            }
        )

    # Same stack name as the real dev plan, so mock ids line up and any other change would show.
    plan = run_plan(write_variant(tmp_path, add_group, name="dev"), "dev")
    before = {r["urn"]: r for r in plans["dev"].resources}
    added = {r["name"] for r in plan.resources if r["urn"] not in before}
    assert added == {"gpu-l40s-od", "gpu-l40s-od-lt", "gpu-l40s-od-ng"}
    changed = [r["name"] for r in plan.resources if r["urn"] in before and r != before[r["urn"]]]
    # The namespace's default GPU quota is the fleet's capacity (one more g6e.xlarge GPU), and the cost
    # dashboard prices the new instance type.
    assert sorted(changed) == ["dashboard-llm-capacity-cost", "inference-gpu-quota"]

    def quota(resource) -> int:
        return int(resource["inputs"]["spec"]["hard"]["requests.nvidia.com/gpu"])

    after = plan.by_name("inference-gpu-quota")
    assert quota(after) == quota(before[after["urn"]]) + 1
    assert set(plan.outputs["gpuNodeGroupNames"]) == {"l4-spot", "l40s-od"}


def test_unprotected_cache_and_private_only_endpoint(tmp_path):
    def change(c):
        c["llm-platform:modelCache"]["protect"] = False
        c["llm-platform:cluster"]["endpoint"] = {"privateAccess": True, "publicAccess": False}

    plan = run_plan(write_variant(tmp_path, change), "variant")
    (fs,) = plan.of_type("aws:efs/fileSystem:FileSystem")
    assert not fs["protect"] and not fs["retainOnDelete"]
    (eks,) = plan.of_type("eks:index:Cluster")
    assert eks["inputs"]["endpointPublicAccess"] is False and "publicAccessCidrs" not in eks["inputs"]
