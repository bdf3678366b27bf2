"""Rules across a pool's `capacityReservation` and the rest of the stack: the reservation's zone is one the
stack runs in, and no reservation is claimed by two pools (each would count its instances as its own, and the
cost report would bill it twice). What one pool's reservation must satisfy on its own is the schema's
(config/schema/reservations.py)."""

from __future__ import annotations

from collections.abc import Iterator

from config.issues import ConfigIssue
from config.rules.registry import K, Sections, rule
from config.schema.addons import AddonsConfig
from config.schema.reservations import CapacityReservationConfig


def reserved_pools(
    gpu_node_groups: list, addons: AddonsConfig
) -> Iterator[tuple[str, CapacityReservationConfig]]:
    """Every pool's reservation with the pool's key as the stack file writes it."""
    for i, group in enumerate(gpu_node_groups):
        if group.capacity_reservation is not None:
            yield f"{K}:gpuNodeGroups[{i}]", group.capacity_reservation
    if addons.karpenter.enabled:
        for i, pool in enumerate(addons.karpenter.node_pools):
            if pool.capacity_reservation is not None:
                yield f"{K}:addons.karpenter.nodePools[{i}]", pool.capacity_reservation


@rule("gpu_node_groups", "addons", "network")
def reservation_in_stack_zones(s: Sections) -> Iterator[ConfigIssue]:
    """A reservation's availabilityZone is one of the zones the stack's subnets are in: nodes launch into it
    only through a subnet of that zone."""
    zones = s.network.zones
    for key, reservation in reserved_pools(s.gpu_node_groups, s.addons):
        az = getattr(reservation, "availability_zone", None)
        if az is not None and az not in zones:
            yield ConfigIssue(
                f"{key}.capacityReservation.availabilityZone",
                f"{az!r} is not a zone the stack has subnets in ({', '.join(zones)}): nodes could never launch "
                f"into the reservation; add the zone to {K}:network, or check the reservation's zone",
            )


@rule("gpu_node_groups", "addons")
def reservation_claimed_once(s: Sections) -> Iterator[ConfigIssue]:
    """No two pools name the same reservation (by id or resource group)."""
    seen: dict[str, str] = {}
    for key, reservation in reserved_pools(s.gpu_node_groups, s.addons):
        target = getattr(reservation, "id", None) or getattr(reservation, "resource_group_arn", None)
        if target in seen:
            yield ConfigIssue(
                f"{key}.capacityReservation",
                f"{target} is already the reservation of {seen[target]}: two pools would each count its "
                "instances as theirs, and the cost report would price it twice; give each pool its own",
            )
        seen.setdefault(target, key)
