"""The AWS regions the platform supports: the availability zones of each, and the catalog's GPU families
each offers. Adding a region is adding a row, with where its data was read."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Region:
    """One supported region. `zones` are its availability zone names; `gpu_families` the catalog GPU families
    (catalog/gpus.py) confirmed on offer there. A family not listed is not known to be offered: the config
    allows it with a warning (it may have launched since the snapshot), never refuses it."""

    zones: tuple[str, ...]
    gpu_families: frozenset[str]


def _zones(region: str, letters: str) -> tuple[str, ...]:
    return tuple(f"{region}{letter}" for letter in letters)


# Zones: every region's zone IDs as EC2 lists them (skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv at
# commit e385a0d3, generated from DescribeAvailabilityZones/DescribeInstanceTypeOfferings; use1-az1..az6,
# use2-az1..az3, usw2-az1..az4, euw1-az1..az3, euc1-az1..az3), named a, b, c... in every account. Which
# physical zone a name denotes differs between accounts; the set of names does not.
# GPU families: the regions where vms.csv at that commit lists a size of the family (read 2026-07; p5e is
# listed without an on-demand price: Capacity Blocks only). Not listed there, at that date:
#   eu-west-1: g6, g6e, p4de, p5, p5e, p5en;  eu-central-1: p5, p5e, p5en;  us-east-2: p4de;  us-east-1: p5e.
_ALL_GPU_FAMILIES = frozenset({"g4dn", "g5", "g6", "g6e", "p4d", "p4de", "p5", "p5e", "p5en"})
REGIONS: MappingProxyType[str, Region] = MappingProxyType(
    {
        "us-east-1": Region(_zones("us-east-1", "abcdef"), _ALL_GPU_FAMILIES - {"p5e"}),
        "us-east-2": Region(_zones("us-east-2", "abc"), _ALL_GPU_FAMILIES - {"p4de"}),
        "us-west-2": Region(_zones("us-west-2", "abcd"), _ALL_GPU_FAMILIES),
        "eu-west-1": Region(_zones("eu-west-1", "abc"), frozenset({"g4dn", "g5", "p4d"})),
        "eu-central-1": Region(_zones("eu-central-1", "abc"), _ALL_GPU_FAMILIES - {"p5", "p5e", "p5en"}),
    }
)


def offered(region: str, family: str) -> bool:
    """Whether `family` is confirmed on offer in `region` (False also for a region not in the catalog)."""
    entry = REGIONS.get(region)
    return entry is not None and family in entry.gpu_families
