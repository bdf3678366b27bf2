from __future__ import annotations

import pytest

from components.node_group import (
    DESIRED_SIZE_PATH,
    CapacityReservationTarget,
    ManagedNodeGroup,
    ManagedNodeGroupArgs,
)
from tests.component.harness import record
from vocabulary.scheduling import GPU_TAINT


def _args(**overrides) -> ManagedNodeGroupArgs:
    args = dict(
        cluster_name="c1",
        node_role_arn="arn:aws:iam::123456789012:role/node",
        subnet_ids=("subnet-a", "subnet-b", "subnet-c"),
        instance_types=("g6e.12xlarge", "g6e.24xlarge"),
        capacity_type="SPOT",
        ami_type="AL2023_x86_64_NVIDIA",
        release_version="1.35.6-20260714",
        image_volume_device="/dev/xvda",
        disk_size_gib=300,
        min_size=0,
        max_size=4,
        desired_size=0,
        labels={"llm-platform.io/pool": "p"},
        taints=(GPU_TAINT.for_eks(),),
    )
    args.update(overrides)
    return ManagedNodeGroupArgs(**args)


def _group(**overrides):
    return record(lambda: {"name": ManagedNodeGroup("gpu", _args(**overrides)).node_group_name})


def test_node_group_takes_what_it_is_given_and_pins_the_ami():
    rec = _group()
    ng = rec.one("aws:eks/nodeGroup:NodeGroup")["inputs"]
    assert ng["capacityType"] == "SPOT"
    assert ng["instanceTypes"] == ["g6e.12xlarge", "g6e.24xlarge"]
    assert ng["amiType"] == "AL2023_x86_64_NVIDIA"
    assert ng["releaseVersion"] == "1.35.6-20260714"
    assert ng["subnetIds"] == ["subnet-a", "subnet-b", "subnet-c"]
    assert ng["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    assert ng["scalingConfig"] == {"minSize": 0, "maxSize": 4, "desiredSize": 0}
    assert ng["nodeRepairConfig"] == {"enabled": True}
    # The disk is sized through the launch template only (EKS rejects disk_size together with one).
    assert "diskSize" not in ng
    assert rec.outputs["name"].startswith("gpu-ng-")


def test_autoscaler_owns_desired_size_after_creation():
    ng = _group().one("aws:eks/nodeGroup:NodeGroup")
    assert ng["ignoreChanges"] == [DESIRED_SIZE_PATH] == ["scalingConfig.desiredSize"]


def test_launch_template_enforces_imdsv2_hop_limit_one_and_sizes_the_image_volume():
    rec = _group(image_volume_device="/dev/xvdb", disk_size_gib=512)
    lt = rec.one("aws:ec2/launchTemplate:LaunchTemplate")["inputs"]
    assert lt["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    (bdm,) = lt["blockDeviceMappings"]
    assert bdm["deviceName"] == "/dev/xvdb"
    assert (
        bdm["ebs"]["volumeSize"] == 512
        and bdm["ebs"]["volumeType"] == "gp3"
        and bdm["ebs"]["encrypted"] == "true"
    )
    assert "imageId" not in lt, "an AMI in the launch template would override the pinned release_version"
    ng = rec.one("aws:eks/nodeGroup:NodeGroup")["inputs"]
    assert ng["launchTemplate"]["id"].startswith("lt-") and ng["launchTemplate"]["version"] == "1"


def test_explicit_dependencies_reach_the_node_group_itself():
    def declare():
        import pulumi_aws as aws

        nat = aws.ec2.NatGateway("nat", subnet_id="subnet-a", allocation_id="eipalloc-1")
        ManagedNodeGroup("g", _args(depends_on=(nat,)))

    ng = record(declare).one("aws:eks/nodeGroup:NodeGroup")
    assert any(d.endswith("aws:ec2/natGateway:NatGateway::nat") for d in ng["dependsOn"])


def test_a_capacity_block_group_carries_its_block_in_the_launch_template():
    block = CapacityReservationTarget(capacity_block=True, reservation_id="cr-0a1b2c3d4e5f60718")
    rec = _group(capacity_type="CAPACITY_BLOCK", instance_types=("p5.48xlarge",), capacity_reservation=block)
    lt = rec.one("aws:ec2/launchTemplate:LaunchTemplate")["inputs"]
    assert lt["capacityReservationSpecification"] == {
        "capacityReservationTarget": {"capacityReservationId": "cr-0a1b2c3d4e5f60718"}
    }
    assert lt["instanceMarketOptions"] == {"marketType": "capacity-block"}
    assert lt["instanceType"] == "p5.48xlarge"
    ng = rec.one("aws:eks/nodeGroup:NodeGroup")["inputs"]
    assert ng["capacityType"] == "CAPACITY_BLOCK" and "instanceTypes" not in ng


def test_an_odcr_group_stays_on_demand_with_its_types():
    odcr = CapacityReservationTarget(capacity_block=False, reservation_id="cr-0a1b2c3d4e5f60718")
    rec = _group(capacity_type="ON_DEMAND", instance_types=("p5.48xlarge",), capacity_reservation=odcr)
    lt = rec.one("aws:ec2/launchTemplate:LaunchTemplate")["inputs"]
    assert "instanceMarketOptions" not in lt and "instanceType" not in lt
    assert rec.one("aws:eks/nodeGroup:NodeGroup")["inputs"]["instanceTypes"] == ["p5.48xlarge"]


def test_an_unreserved_group_has_no_reservation_in_its_launch_template():
    lt = _group().one("aws:ec2/launchTemplate:LaunchTemplate")["inputs"]
    assert "capacityReservationSpecification" not in lt and "instanceMarketOptions" not in lt


@pytest.mark.parametrize(
    "overrides",
    [
        {"capacity_type": "ON_DEMAND", "instance_types": ("p5.48xlarge",)},  # a block needs CAPACITY_BLOCK
        {"capacity_type": "CAPACITY_BLOCK", "instance_types": ("p5.48xlarge", "p5.4xlarge")},  # and one type
    ],
)
def test_a_capacity_block_group_is_refused_before_any_call_unless_eks_would_take_it(overrides):
    block = CapacityReservationTarget(capacity_block=True, reservation_id="cr-0a1b2c3d4e5f60718")
    with pytest.raises(ValueError, match="Capacity Block"):
        ManagedNodeGroup("gpu", _args(capacity_reservation=block, **overrides))
