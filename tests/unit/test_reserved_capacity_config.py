"""`capacityReservation` of a GPU node group and of a Karpenter NodePool, refused by shape before anything is
registered, each error at the key as the stack file writes it; and how a reserved pool resolves (its one
reserved type, not interruptible)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from catalog.capacity_blocks import CAPACITY_BLOCK_TYPES
from catalog.gpus import GPU_INSTANCES
from config.loader import load_config
from config.rules.offerings import offering_warnings
from fleet.load import load_fleet
from tests.reserved_variant import block_group, block_pool, with_p5_capacity_blocks
from tests.unit.stack_config import SECRETS, K, flat, issues

GROUPS, ADDONS = f"{K}:gpuNodeGroups", f"{K}:addons"
GROUP = f"{GROUPS}[2]"  # prod has two node groups: the reserved one is the third
POOL = f"{ADDONS}.karpenter.nodePools[2]"


def prod_with(group: dict[str, Any] | None = None, pool: dict[str, Any] | None = None) -> dict[str, str]:
    """Prod's config with one reserved node group and/or NodePool appended."""
    c = flat("prod")
    for key, entry, into in (
        (GROUPS, group, lambda v: v),
        (ADDONS, pool, lambda v: v["karpenter"]["nodePools"]),
    ):
        if entry is not None:
            value = json.loads(c[key])
            into(value).append(entry)
            c[key] = json.dumps(value)
    return c


def reservation(entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`entry` with its capacityReservation changed (a value of None removes the key)."""
    r = {**entry["capacityReservation"], **changes}
    return entry | {"capacityReservation": {k: v for k, v in r.items() if v is not None}}


def test_a_capacity_block_group_and_pool_are_accepted():
    assert issues(prod_with(block_group(), block_pool())) == {}


def test_the_prod_variant_resolves_reserved_pools_as_not_interruptible():
    c = flat("prod")
    doc = {k: json.loads(v) if k.startswith(K) else v for k, v in c.items()}
    with_p5_capacity_blocks(doc)
    fleet = load_fleet(
        {k: json.dumps(v) if k.startswith(K) else v for k, v in doc.items()}, "Pulumi.prod.yaml"
    )
    group, pool = fleet.pools["h100-block"], fleet.pools["h100-reserved"]
    assert (group.capacity_type, pool.capacity_type) == ("reserved", "reserved")
    assert not group.interruptible and not pool.interruptible and fleet.pools["l40s-spot"].interruptible
    # The NodePool launches the reserved type only, not every size of p5.
    assert pool.instance_types == ("p5.48xlarge",) and pool.gpu_capacity == 8
    assert pool.reservation.id == "cr-0f1e2d3c4b5a69788"
    # placement.capacityType on-demand takes reserved pools: they are not interruptible.
    assert [p.name for p in fleet.model("qwen3-32b-h100").placement.pools] == ["h100-block", "h100-reserved"]


CASES: dict[str, tuple[Callable[[], dict[str, str]], str, str]] = {
    # name: (config, key, words the message must hold)
    "block-on-a-type-blocks-do-not-offer": (
        lambda: prod_with(block_group(instanceTypes=["g6e.12xlarge"])),
        f"{GROUP}.instanceTypes",
        "g6e.12xlarge is not sold as a Capacity Block",
    ),
    "id-not-cr-and-17-hex": (
        lambda: prod_with(reservation(block_group(), id="cr-12345")),
        f"{GROUP}.capacityReservation.id",
        "cr- and 17 hex digits",
    ),
    "reservation-with-spot": (
        lambda: prod_with(block_group(capacityType="spot")),
        f"{GROUP}.capacityType",
        "spot cannot use",
    ),
    "reservation-with-on-demand": (
        lambda: prod_with(block_group(capacityType="on-demand")),
        f"{GROUP}.capacityType",
        "set capacityType: reserved",
    ),
    "reserved-without-a-reservation": (
        lambda: prod_with({k: v for k, v in block_group().items() if k != "capacityReservation"}),
        f"{GROUP}.capacityReservation",
        "required key is missing",
    ),
    "block-without-its-price": (
        lambda: prod_with(reservation(block_group(), hourlyPrice=None)),
        f"{GROUP}.capacityReservation.hourlyPrice",
        "priced at purchase",
    ),
    "id-without-its-zone": (
        lambda: prod_with(reservation(block_group(), availabilityZone=None)),
        f"{GROUP}.capacityReservation.availabilityZone",
        "limited to it",
    ),
    "id-and-resource-group": (
        lambda: prod_with(
            reservation(
                block_group(),
                type="odcr",
                resourceGroupArn="arn:aws:resource-groups:us-east-1:123456789012:group/g",
            )
        ),
        f"{GROUP}.capacityReservation.resourceGroupArn",
        "alternative to id",
    ),
    "block-by-resource-group": (
        lambda: prod_with(
            reservation(
                block_group(),
                id=None,
                resourceGroupArn="arn:aws:resource-groups:us-east-1:123456789012:group/g",
            )
        ),
        f"{GROUP}.capacityReservation.resourceGroupArn",
        "targets its block by id",
    ),
    "two-types-in-a-reservation": (
        lambda: prod_with(block_group(instanceTypes=["p5.48xlarge", "p5.4xlarge"])),
        f"{GROUP}.instanceTypes",
        "holds one instance type",
    ),
    "more-nodes-than-reserved": (
        lambda: prod_with(block_group(maxSize=2)),
        f"{GROUP}.maxSize",
        "capacityReservation.instances (1)",
    ),
    "pool-type-outside-its-families": (
        lambda: prod_with(pool=block_pool(instanceFamilies=["p4d"])),
        f"{POOL}.capacityReservation.instanceType",
        "not a type of instanceFamilies (p4d)",
    ),
    "pool-limit-above-the-reservation": (
        lambda: prod_with(pool=block_pool(gpuLimit=16)),
        f"{POOL}.gpuLimit",
        "above the reservation's 8 GPUs",
    ),
    "pool-block-on-a-type-blocks-do-not-offer": (
        lambda: prod_with(pool=reservation(block_pool(instanceFamilies=["p5"]), instanceType="p5.4xlarge")),
        f"{POOL}.capacityReservation.instanceType",
        "p5.4xlarge is not sold as a Capacity Block",
    ),
    "pool-reservation-with-spot": (
        lambda: prod_with(pool=block_pool(capacityType="spot")),
        f"{POOL}.capacityType",
        "spot cannot use",
    ),
    "zone-the-stack-has-no-subnets-in": (
        lambda: prod_with(reservation(block_group(), availabilityZone="us-east-1d")),
        f"{GROUP}.capacityReservation.availabilityZone",
        "not a zone the stack has subnets in",
    ),
    "one-reservation-two-pools": (
        lambda: prod_with(
            block_group(), reservation(block_pool(), id=block_group()["capacityReservation"]["id"])
        ),
        f"{POOL}.capacityReservation",
        f"the reservation of {GROUP}",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_refused_at_the_key_as_written(case):
    config, key, words = CASES[case]
    found = issues(config())
    assert key in found, found
    assert words in found[key]


def test_every_capacity_block_type_the_gpu_catalog_has_is_known():
    # The GPU catalog's Capacity Block types: a pool can name each (the others, Trainium, vLLM cannot run).
    assert {t for t in CAPACITY_BLOCK_TYPES if t in GPU_INSTANCES} == {
        "p4d.24xlarge",
        "p4de.24xlarge",
        "p5.48xlarge",
        "p5e.48xlarge",
        "p5en.48xlarge",
    }


def test_a_reserved_group_spans_its_reservations_zone_only_in_the_offering_check():
    """p5en.48xlarge is offered in two of us-east-1's zones: a group across prod's three zones is warned that
    it launches in some only, and a group pinned to its reservation's one zone is not."""

    def warned(group: dict[str, Any]) -> list[str]:
        return [w for w in offering_warnings(load_config(prod_with(group), "x", SECRETS)) if "p5en" in w]

    reserved = block_group(name="h200-block", instanceTypes=["p5en.48xlarge"])
    assert warned(reserved) == []
    spread = {k: v for k, v in reserved.items() if k != "capacityReservation"} | {"capacityType": "on-demand"}
    assert [w.split(":")[1] for w in warned(spread)] == ["gpuNodeGroups[2].instanceTypes[0]"]
    assert "offered in 2 of us-east-1's zones" in warned(spread)[0]
