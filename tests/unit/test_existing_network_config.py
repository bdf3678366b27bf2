"""`llm-platform:network.existing` refused by shape, each error at the key as the stack file writes it; and the
resolved facts the rest of the platform reads from it (zones, VPC CIDR, one subnet per zone, NAT count)."""

from __future__ import annotations

from typing import Any

import pytest

from config.schema.infrastructure import NetworkConfig
from tests.unit.stack_config import K, edit, edits, issues

NET = f"{K}:network"


def existing(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "vpcId": "vpc-0a1b2c3d4e5f60718",
        "cidr": "10.60.0.0/16",
        "privateSubnets": [
            {"id": "subnet-0a1b2c3d", "availabilityZone": "us-west-2a"},
            {"id": "subnet-0a1b2c3e", "availabilityZone": "us-west-2b"},
            {"id": "subnet-0a1b2c3f", "availabilityZone": "us-west-2a"},
        ],
    }
    return value | changes


def with_network(network: dict[str, Any]) -> dict[str, str]:
    def change(v: dict) -> None:
        v.clear()
        v.update(network)

    return edit(NET, change)


def test_a_valid_existing_network_is_accepted_and_read_everywhere_through_the_resolved_facts():
    assert issues(with_network({"existing": existing()})) == {}
    network = NetworkConfig.model_validate({"existing": existing()})
    assert network.zones == ("us-west-2a", "us-west-2b")
    assert str(network.vpc_cidr) == "10.60.0.0/16"
    assert network.existing.private_subnet_per_zone == ("subnet-0a1b2c3d", "subnet-0a1b2c3e")
    assert network.nat_gateway_count == 0


@pytest.mark.parametrize(
    "change, key, words",
    [
        ({"vpcId": "vpc-XYZ"}, f"{NET}.existing.vpcId", "vpc- and 8 or 17 hex digits"),
        (
            {"privateSubnets": [{"id": "subnet-0a1b2c3d", "availabilityZone": "us-west-2a"},
                                {"id": "sn-1", "availabilityZone": "us-west-2b"}]},
            f"{NET}.existing.privateSubnets[1].id", "subnet- and 8 or 17 hex digits",
        ),
        (
            {"privateSubnets": [{"id": "subnet-0a1b2c3d", "availabilityZone": "us-west-2a"},
                                {"id": "subnet-0a1b2c3e", "availabilityZone": "usw2-az1"}]},
            f"{NET}.existing.privateSubnets[1].availabilityZone", "us-west-2a",
        ),
        ({"privateSubnets": [{"id": "subnet-0a1b2c3d", "availabilityZone": "us-west-2a"}]},
         f"{NET}.existing.privateSubnets", "at least 2 entries"),
        ({"publicSubnets": [{"id": "subnet-0a1b2c3d"}]}, f"{NET}.existing.publicSubnets[0].availabilityZone",
         "missing"),
        ({"cidr": None}, f"{NET}.existing.cidr", "required key is missing"),
    ],
)  # fmt: skip
def test_a_bad_shape_is_refused_at_its_key(change, key, words):
    found = issues(with_network({"existing": {k: v for k, v in existing(**change).items() if v is not None}}))
    assert key in found, found
    assert words in found[key]


def test_the_keys_of_a_created_network_are_refused_beside_existing_each_at_its_key():
    found = issues(
        with_network(
            {"existing": existing(), "cidr": "10.0.0.0/16", "availabilityZones": ["us-west-2a", "us-west-2b"]}
        )
    )
    assert set(found) == {f"{NET}.cidr", f"{NET}.availabilityZones"}
    assert "existing.cidr" in found[f"{NET}.cidr"]


def test_without_existing_the_zones_are_still_required():
    found = issues(with_network({"cidr": "10.20.0.0/16"}))
    assert f"{NET}.availabilityZones" in found
    assert "existing" in found[f"{NET}.availabilityZones"]


def _internet_facing(lb_type: str, public_zones: str) -> dict[str, str]:
    """prod in an existing us-east-1 network, its gateway load balancer internet-facing of `lb_type`."""
    public = [
        {"id": f"subnet-{i + 100:08x}", "availabilityZone": f"us-east-1{z}"}
        for i, z in enumerate(public_zones)
    ]
    network = existing(
        privateSubnets=[
            {"id": f"subnet-{i + 1:08x}", "availabilityZone": f"us-east-1{z}"} for i, z in enumerate("ab")
        ],
        publicSubnets=public,
    )

    def internet(gateway: dict) -> None:
        gateway["loadBalancer"].update(type=lb_type, scheme="internet-facing", sourceCidrs=["203.0.113.0/24"])

    def replace(v: dict) -> None:
        v.clear()
        v.update({"existing": network})

    return edits({NET: replace, f"{K}:gateway": internet}, stack="prod")


@pytest.mark.parametrize("lb_type, public_zones, refused", [("alb", "a", True), ("alb", "ab", False),
                                                            ("nlb", "a", False), ("nlb", "", True)])  # fmt: skip
def test_an_internet_facing_load_balancer_needs_public_subnets_in_the_zones_its_type_needs(
    lb_type, public_zones, refused
):
    found = issues(_internet_facing(lb_type, public_zones))
    assert (f"{NET}.existing.publicSubnets" in found) is refused, found
