"""Rules across `llm-platform:network.existing` and the keys that depend on it: a network the platform does not
create must still cover two zones of `aws:region`, name each subnet once, and have the public subnets an
internet-facing load balancer needs. Zones are checked from the stack file alone, without calling AWS."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.regions import REGIONS
from config.issues import ConfigIssue
from config.rules.infrastructure import written_beside_existing, zone_outside_region
from config.rules.registry import K, Sections, rule
from config.schema.infrastructure import ExistingNetworkConfig, ExistingSubnet

EXISTING = f"{K}:network.existing"
# Keys that describe the network the platform would create. With `existing` nothing follows them, so a value
# there would be read as a fact about the real network (the zones, the NAT cost) while the plan ignores it:
# refused rather than ignored.
CREATED_NETWORK_KEYS = {
    "cidr": "the VPC's CIDR goes under existing.cidr",
    "availability_zones": "the zones are the private subnets' availabilityZone",
    "nat_gateways": "egress is the existing network's own (a NAT gateway or VPC endpoints)",
}
SUBNET_LISTS = {"private_subnets": "privateSubnets", "public_subnets": "publicSubnets"}
# The zones a load balancer's subnets must cover (AWS LB controller v3.5.0 annotations: an ALB's subnets are "at
# least two subnets in different AZs", an NLB's "at least one subnet in any of the AZs").
LOAD_BALANCER_ZONES = {"alb": 2, "nlb": 1}


def _subnets(existing: ExistingNetworkConfig) -> Iterator[tuple[str, ExistingSubnet]]:
    """Every subnet with its key as the stack file writes it: `llm-platform:network.existing.privateSubnets[1]`."""
    for field, key in SUBNET_LISTS.items():
        for i, subnet in enumerate(getattr(existing, field)):
            yield f"{EXISTING}.{key}[{i}]", subnet


@rule("network")
def existing_network_alone(s: Sections) -> Iterator[ConfigIssue]:
    """With `network.existing`, none of the keys that shape a created network is written."""
    return written_beside_existing(s.network, "network", CREATED_NETWORK_KEYS)


@rule("network")
def existing_subnets_once(s: Sections) -> Iterator[ConfigIssue]:
    """Each existing subnet is listed once, across the private and the public subnets."""
    if s.network.existing is None:
        return
    seen: dict[str, str] = {}
    for key, subnet in _subnets(s.network.existing):
        if subnet.id in seen:
            yield ConfigIssue(f"{key}.id", f"{subnet.id} is already listed at {seen[subnet.id]}")
        seen.setdefault(subnet.id, key)


@rule("network")
def existing_private_two_zones(s: Sections) -> Iterator[ConfigIssue]:
    """The existing private subnets cover at least two zones: EKS needs two, and so does an AZ outage."""
    existing = s.network.existing
    if existing is None or len(existing.zones) >= 2:
        return
    yield ConfigIssue(
        f"{EXISTING}.privateSubnets",
        f"every private subnet is in {existing.zones[0]}: EKS needs subnets in at least two zones; add a "
        "private subnet of another zone",
    )


@rule("region", "network")
def existing_zones_in_region(s: Sections) -> Iterator[ConfigIssue]:
    """Every existing subnet's zone is a zone of `aws:region` (catalog/regions.py)."""
    if s.region not in REGIONS or s.network.existing is None:
        return  # region-in-catalog says so
    for key, subnet in _subnets(s.network.existing):
        yield from zone_outside_region(f"{key}.availabilityZone", subnet.availability_zone, s.region)


@rule("network", "gateway")
def existing_public_subnets_for_internet(s: Sections) -> Iterator[ConfigIssue]:
    """An internet-facing gateway load balancer in an existing network has public subnets, in as many zones
    as its type needs, to go in."""
    existing, gateway = s.network.existing, s.gateway
    lb = gateway.load_balancer if gateway.enabled else None
    if existing is None or lb is None or lb.scheme != "internet-facing":
        return
    needed, zones = LOAD_BALANCER_ZONES[lb.type], len(existing.public_subnet_per_zone)
    if zones < needed:
        yield ConfigIssue(
            f"{EXISTING}.publicSubnets",
            f"{K}:gateway.loadBalancer.scheme is internet-facing, so the {lb.type.upper()} goes in public "
            f"subnets of at least {needed} zone(s), and {zones} are listed: add the existing network's public "
            "subnets (a route to an internet gateway)",
        )
