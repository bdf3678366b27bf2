"""A pool's `capacityReservation`, as the components take it: the launch template's target for a managed node
group, the EC2NodeClass's selector for a Karpenter NodePool (README "Reserved capacity")."""

from __future__ import annotations

from components.karpenter import ReservationSelector
from components.node_group import CapacityReservationTarget
from config.schema.reservations import NodeGroupReservationConfig, NodePoolReservationConfig


def reservation_target(reservation: NodeGroupReservationConfig | None) -> CapacityReservationTarget | None:
    if reservation is None:
        return None
    return CapacityReservationTarget(
        capacity_block=reservation.type == "capacityBlock",
        reservation_id=reservation.id,
        resource_group_arn=reservation.resource_group_arn,
    )


def reservation_selector(reservation: NodePoolReservationConfig | None) -> ReservationSelector | None:
    if reservation is None:
        return None
    return ReservationSelector(
        reservation_id=reservation.id,
        capacity_block=reservation.type == "capacityBlock",
        zone=reservation.availability_zone,
        instance_type=reservation.instance_type,
    )
