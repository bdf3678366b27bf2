"""The AWS regions the platform supports: every commercial region of the pinned price source, with the zone
names a stack file may write and the instance types each zone offers.

Generated (catalog/region_offerings.py, from SkyPilot's catalog): each region's zone IDs and which zone IDs
offer each catalog GPU type and CPU family. Hand-written here: the zone names, because the source lists zone IDs
and names are per account. A region the source lacks is not supported: regenerate the table from a catalog that
lists it (README, "Regions").
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_lowercase
from types import MappingProxyType

from catalog.cpus import CPU_INSTANCES
from catalog.gpus import GPU_INSTANCES
from catalog.region_offerings import CPU_FAMILY_ZONES, GPU_TYPE_ZONES, ZONE_ID_PREFIX, ZONES
from catalog.region_offerings import SOURCE as OFFERINGS_SOURCE

__all__ = ["OFFERINGS_SOURCE", "REGIONS", "Region", "offered"]

# Zone names. A zone ID (use1-az1) is the same physical zone in every account; the name a stack file writes
# (us-east-1a) is mapped to a zone ID per account, so which zone IDs a stack's zones are is only known in the
# account (`aws ec2 describe-availability-zones --region R` lists both). The set of names is the same in every
# account: one letter per zone, a, b, c ... in order, except in the regions below, whose letters skip one.
_ZONE_LETTERS = MappingProxyType(
    {
        "ap-northeast-1": "acd",  # ap-northeast-1b exists only in older accounts
        "ca-central-1": "abd",  # ca-central-1c exists only in older accounts
        "us-west-1": "abc",  # each account sees two of the three letters; which two differs per account
    }
)


@dataclass(frozen=True)
class Region:
    """One supported region. `zones`: the zone names a stack file may write. `zone_ids`: the region's zones as
    the price source lists them. `type_zones`: the zone IDs offering each catalog GPU type;
    `cpu_family_zones`: the zone IDs offering each catalog CPU family. A type or family not listed is not known
    to be offered: the config allows it with a warning (it may have launched since the snapshot)."""

    zones: tuple[str, ...]
    zone_ids: tuple[str, ...]
    type_zones: MappingProxyType[str, tuple[str, ...]]
    cpu_family_zones: MappingProxyType[str, tuple[str, ...]]

    @property
    def gpu_families(self) -> frozenset[str]:
        """The catalog GPU families with at least one type on offer."""
        return frozenset(GPU_INSTANCES[t].family for t in self.type_zones)

    def zones_offering(self, instance_type: str) -> tuple[str, ...]:
        """The zone IDs offering a catalog GPU or CPU type (a CPU type: any size of its family); () if none."""
        if instance_type in CPU_INSTANCES:
            return self.cpu_family_zones.get(CPU_INSTANCES[instance_type].family, ())
        return self.type_zones.get(instance_type, ())


def _region(name: str) -> Region:
    prefix = ZONE_ID_PREFIX[name]

    def ids(numbers: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(f"{prefix}-az{n}" for n in numbers)

    letters = _ZONE_LETTERS.get(name, ascii_lowercase[: len(ZONES[name])])
    return Region(
        zones=tuple(f"{name}{letter}" for letter in letters),
        zone_ids=ids(ZONES[name]),
        type_zones=MappingProxyType({t: ids(z) for t, z in GPU_TYPE_ZONES.get(name, {}).items()}),
        cpu_family_zones=MappingProxyType({f: ids(z) for f, z in CPU_FAMILY_ZONES.get(name, {}).items()}),
    )


REGIONS: MappingProxyType[str, Region] = MappingProxyType({name: _region(name) for name in ZONES})


def offered(region: str, family: str) -> bool:
    """Whether a type of GPU `family` is on offer in `region` (False also for a region not in the catalog)."""
    entry = REGIONS.get(region)
    return entry is not None and family in entry.gpu_families
