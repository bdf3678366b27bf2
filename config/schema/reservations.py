"""`capacityReservation` of a GPU node group or a Karpenter NodePool: capacity the stack's owners have already
bought, an On-Demand Capacity Reservation (ODCR) or a Capacity Block for ML, that the pool launches its nodes
into. README "Reserved capacity".

What AWS and Karpenter require, checked here before anything is registered:
- A reservation is for one instance type in one zone (EC2 user guide, "Capacity Reservations"; Capacity Blocks
  are delivered as targeted reservations in a single zone). An instance launched into it must be that type, in a
  subnet of that zone.
- A targeted reservation does not fall back to other capacity: nodes beyond its instance count never launch.
- EKS managed node groups with a Capacity Block (EKS user guide, "Create a managed node group with Capacity Blocks
  for ML"): capacity type CAPACITY_BLOCK, a launch template with market type `capacity-block`, the reservation id
  and one instance type, and subnets of the reservation's zone only.
- Karpenter v1.14.1 selects reservations by `capacityReservationSelectorTerms` in the EC2NodeClass (an id matches
  `^cr-[0-9a-z]+$`) and launches into them as capacity type `reserved`; Capacity Blocks are selected the same way
  (website/content/en/docs/tasks/odcrs.md at v1.14.1).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from catalog.capacity_blocks import CAPACITY_BLOCK_SOURCE, CAPACITY_BLOCK_TYPES
from config.schema.base import AZ_PATTERN, Section, at_key, key_of, pattern

# EC2 names a capacity reservation `cr-` and 17 hex digits (DescribeCapacityReservations); Capacity Blocks too.
RESERVATION_ID = pattern(r"^cr-[0-9a-f]{17}$", "cr- and 17 hex digits", "cr-0a1b2c3d4e5f60718")
RESOURCE_GROUP_ARN = pattern(
    r"^arn:aws(-cn|-us-gov)?:resource-groups:[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9]{12}:group/[A-Za-z0-9_.-]{1,128}$",
    "arn:aws:resource-groups:<region>:<account>:group/<name>",
    "arn:aws:resource-groups:us-east-1:123456789012:group/llm-odcrs",
)

ReservationType = Literal["odcr", "capacityBlock"]


class CapacityReservationConfig(Section):
    """What every reservation says: its kind, how many instances it holds and what they cost."""

    type: ReservationType = Field(
        description="`odcr`: an On-Demand Capacity Reservation, billed at the on-demand rate for as long as it "
        "exists, nodes in it or not. `capacityBlock`: a Capacity Block for ML, paid up front for its days; EC2 "
        "terminates its instances 30 minutes before it ends."
    )
    instances: int = Field(
        ge=1,
        le=1000,
        description="Instances the reservation holds: what is paid for whether pods use it or not. The pool never "
        "holds more nodes (maxSize, or gpuLimit in GPUs), and the cost report shows what the models leave idle.",
    )
    hourly_price: float | None = Field(
        None,
        gt=0,
        le=1000,
        description="USD per instance-hour the reservation costs. A Capacity Block's price is set at purchase "
        "(its upfront fee / instances / hours): required for `capacityBlock`. An ODCR is billed at the on-demand "
        "rate, the default; write the effective rate when a Savings Plan or Reserved Instances discount it.",
    )

    @model_validator(mode="after")
    def _capacity_block_priced(self) -> CapacityReservationConfig:
        if self.type == "capacityBlock" and self.hourly_price is None:
            raise at_key(
                "hourlyPrice",
                "required key is missing: a Capacity Block is priced at purchase, not by a price list; write its "
                "upfront fee divided by its instances and hours (e.g. 31.46 for a p5.48xlarge)",
            )
        return self


class NodeGroupReservationConfig(CapacityReservationConfig):
    """`gpuNodeGroups[].capacityReservation` — the reservation a managed node group's launch template targets."""

    id: str | None = Field(
        None,
        pattern=RESERVATION_ID,
        description="The reservation's id (`aws ec2 describe-capacity-reservations`). Required for a Capacity "
        "Block; for an ODCR, this or `resourceGroupArn`.",
    )
    resource_group_arn: str | None = Field(
        None,
        pattern=RESOURCE_GROUP_ARN,
        description="ODCRs only: a resource group of reservations (of this group's instance type) the launch "
        "template targets, in whichever zones they are. Not with `id`.",
    )
    availability_zone: str | None = Field(
        None,
        pattern=AZ_PATTERN,
        description="The reservation's zone, as EC2 reports it: the node group's subnets are limited to it. "
        "Required with `id`; with `resourceGroupArn`, the group uses every zone unless this names one.",
    )

    @model_validator(mode="after")
    def _one_target(self) -> NodeGroupReservationConfig:
        if self.id is None and self.resource_group_arn is None:
            raise at_key(
                "id",
                "required key is missing: name the reservation by id (e.g. cr-0a1b2c3d4e5f60718)"
                + (", or its resource group under resourceGroupArn" if self.type == "odcr" else ""),
            )
        if self.id is not None and self.resource_group_arn is not None:
            raise at_key("resourceGroupArn", "is an alternative to id: a launch template targets one of them")
        if self.type == "capacityBlock" and self.resource_group_arn is not None:
            raise at_key(
                "resourceGroupArn",
                "is for ODCRs: a Capacity Block node group targets its block by id (EKS CAPACITY_BLOCK)",
            )
        if self.id is not None and self.availability_zone is None:
            raise at_key(
                "availabilityZone",
                "required key is missing: a reservation is in one zone, and the node group's subnets must be "
                "limited to it (e.g. us-east-1a, as `aws ec2 describe-capacity-reservations` reports it)",
            )
        return self


class NodePoolReservationConfig(CapacityReservationConfig):
    """`addons.karpenter.nodePools[].capacityReservation` — the reservation a NodePool launches into (its
    EC2NodeClass `capacityReservationSelectorTerms`)."""

    id: str = Field(
        pattern=RESERVATION_ID,
        description="The reservation's id: the EC2NodeClass selects it by id (Karpenter does not target resource "
        "groups).",
    )
    availability_zone: str = Field(
        pattern=AZ_PATTERN, description="The reservation's zone: the NodePool launches only there."
    )
    instance_type: str = Field(
        examples=["p5.48xlarge"],
        description="The reservation's instance type, of the pool's `instanceFamilies`: the only type the pool "
        "launches.",
    )


def check_reservation(
    section: Section,
    capacity_type: str,
    reservation: CapacityReservationConfig | None,
    types_key: str,
    instance_types: list[str],
) -> None:
    """A pool's capacity type and its reservation agree, and the reserved type is one the reservation can hold.
    `types_key` is where the pool names its instance type(s), below the pool's own key."""
    if capacity_type == "reserved" and reservation is None:
        raise at_key(
            "capacityReservation",
            "required key is missing: capacityType is reserved, so name the reservation (type, id, "
            "availabilityZone, instances), or set capacityType: on-demand",
        )
    if reservation is None:
        return
    if capacity_type != "reserved":
        raise at_key(
            key_of(section, "capacity_type"),
            f"is {capacity_type}, but capacityReservation is set: "
            + (
                "a reservation is on-demand capacity already paid for, which spot cannot use"
                if capacity_type == "spot"
                else "nodes in a reservation are labelled and priced as reserved"
            )
            + "; set capacityType: reserved, or remove capacityReservation",
        )
    if len(instance_types) != 1:
        raise at_key(
            types_key,
            f"lists {len(instance_types)} types, but a reservation holds one instance type (and EKS takes one for "
            "a Capacity Block): list only the reserved type",
        )
    if reservation.type == "capacityBlock" and instance_types[0] not in CAPACITY_BLOCK_TYPES:
        raise at_key(
            types_key,
            f"{instance_types[0]} is not sold as a Capacity Block: they offer "
            f"{', '.join(sorted(CAPACITY_BLOCK_TYPES))} ({CAPACITY_BLOCK_SOURCE}); reserve an ODCR (type: odcr) "
            "for other types",
        )
