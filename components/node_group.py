"""ManagedNodeGroup: one EKS managed node group with its own launch template.

Used for the CPU system group and for every GPU group; what makes a group a GPU group (AMI type, taint,
labels) arrives as data in the args. The launch template exists for what the node group API cannot say:
IMDSv2 with hop limit 1, a gp3 image volume sized for inference images, instance tags, and the capacity
reservation (an ODCR or a Capacity Block) the group launches into.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

# Node group field the cluster autoscaler / Karpenter owns after creation (engine property path).
DESIRED_SIZE_PATH = "scalingConfig.desiredSize"


@dataclass(frozen=True)
class CapacityReservationTarget:
    """The reservation the launch template targets: a reservation id, or (ODCRs) a resource group of them."""

    capacity_block: bool  # a Capacity Block for ML (market type capacity-block), else an ODCR
    reservation_id: str | None = None
    resource_group_arn: str | None = None

    def specification(self) -> dict[str, Any]:
        """The launch template's `capacity_reservation_specification` (pulumi-aws 7.51)."""
        if self.reservation_id:
            return {"capacity_reservation_target": {"capacity_reservation_id": self.reservation_id}}
        return {
            "capacity_reservation_target": {
                "capacity_reservation_resource_group_arn": self.resource_group_arn
            }
        }


@dataclass(frozen=True)
class ManagedNodeGroupArgs:
    cluster_name: pulumi.Input[str]
    node_role_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    instance_types: tuple[str, ...]
    capacity_type: str  # ON_DEMAND | SPOT | CAPACITY_BLOCK (EKS spelling)
    ami_type: str
    release_version: str
    image_volume_device: str
    disk_size_gib: int
    min_size: int
    max_size: int
    desired_size: int
    # gp3 above its included 3,000 IOPS and 125 MiB/s: image pulls of 10+ GB are volume-bound.
    disk_iops: int = 3000
    disk_throughput_mibps: int = 250
    # Launch-template user data as EKS merges it with its own bootstrap (before base64), or None.
    user_data: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Mapping[str, str], ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    # Applied to the node group itself: a component's own depends_on does not reach its children.
    depends_on: Sequence[pulumi.Resource] = ()
    # Reserved capacity the nodes launch into; None: ordinary on-demand or spot capacity.
    capacity_reservation: CapacityReservationTarget | None = None


class ManagedNodeGroup(pulumi.ComponentResource):
    def __init__(self, name: str, args: ManagedNodeGroupArgs, opts: pulumi.ResourceOptions | None = None):
        _check_capacity_block(args)
        super().__init__("llm-platform:compute:ManagedNodeGroup", name, None, opts)
        self._name, self._args = name, args
        tags = {"Name": name, **args.tags}
        self._launch_template(tags)
        self._node_group(tags)
        self.node_group_name = self.node_group.node_group_name
        self.register_outputs({"nodeGroupName": self.node_group_name})

    def _launch_template(self, tags: dict[str, str]) -> None:
        """The launch template: IMDSv2 with hop limit 1, an encrypted gp3 image volume, instance tags."""
        name, args = self._name, self._args
        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"{name}: IMDSv2, encrypted gp3 image volume",
            # Hop limit 1: pods cannot reach the node's instance role through IMDS; they use Pod Identity/IRSA.
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
            },
            block_device_mappings=[
                {
                    "device_name": args.image_volume_device,
                    "ebs": {
                        "volume_size": args.disk_size_gib,
                        "volume_type": "gp3",
                        "iops": args.disk_iops,
                        "throughput": args.disk_throughput_mibps,
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            tag_specifications=[
                {"resource_type": "instance", "tags": tags},
                {"resource_type": "volume", "tags": tags},
            ],
            user_data=base64.b64encode(args.user_data.encode()).decode() if args.user_data else None,
            **_reservation_inputs(args),
            update_default_version=True,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _node_group(self, tags: dict[str, str]) -> None:
        """The EKS managed node group on the launch template; the autoscaler owns its desired size."""
        args = self._args
        self.node_group = aws.eks.NodeGroup(
            f"{self._name}-ng",
            cluster_name=args.cluster_name,
            node_role_arn=args.node_role_arn,
            subnet_ids=list(args.subnet_ids),
            # A Capacity Block's one type is the launch template's (EKS takes it from there, not from here).
            instance_types=None if _capacity_block(args) else list(args.instance_types),
            capacity_type=args.capacity_type,
            ami_type=args.ami_type,
            # Pinned: the AMI release fixes the NVIDIA driver and CUDA. Not resolved at deploy time.
            release_version=args.release_version,
            # The node group API takes the version as a string; latest_version is a number.
            launch_template={
                "id": self.launch_template.id,
                "version": self.launch_template.latest_version.apply(str),
            },
            scaling_config={
                "min_size": args.min_size,
                "max_size": args.max_size,
                "desired_size": args.desired_size,
            },
            update_config={"max_unavailable": 1},
            # EKS replaces nodes that report unhealthy (including GPU/XID failures from the node monitoring agent).
            node_repair_config={"enabled": True},
            labels=dict(args.labels),
            taints=[dict(t) for t in args.taints],
            tags=tags,
            # After creation the autoscaler owns the node count; re-applying config must not reset it.
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=[DESIRED_SIZE_PATH], depends_on=list(args.depends_on)
            ),
        )


def _capacity_block(args: ManagedNodeGroupArgs) -> bool:
    return args.capacity_reservation is not None and args.capacity_reservation.capacity_block


def _check_capacity_block(args: ManagedNodeGroupArgs) -> None:
    """EKS refuses a Capacity Block group whose capacity type is not CAPACITY_BLOCK, or that has several instance
    types (EKS user guide, "Create a managed node group with Capacity Blocks for ML"): say so before any call."""
    if _capacity_block(args) != (args.capacity_type == "CAPACITY_BLOCK"):
        raise ValueError(f"capacity type {args.capacity_type} and a Capacity Block go together, or neither")
    if _capacity_block(args) and len(args.instance_types) != 1:
        raise ValueError(
            f"a Capacity Block node group takes one instance type, not {list(args.instance_types)}"
        )


def _reservation_inputs(args: ManagedNodeGroupArgs) -> dict[str, Any]:
    """The launch template's inputs for reserved capacity: the reservation it targets, and for a Capacity Block
    the market type `capacity-block` and the one instance type (EKS needs all three in the template)."""
    target = args.capacity_reservation
    if target is None:
        return {}
    inputs: dict[str, Any] = {"capacity_reservation_specification": target.specification()}
    if target.capacity_block:
        inputs |= {
            "instance_market_options": {"market_type": "capacity-block"},
            "instance_type": args.instance_types[0],
        }
    return inputs
