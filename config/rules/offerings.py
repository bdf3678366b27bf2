"""Warnings (config/warnings.py) for instance types `aws:region` does not offer, from the offline offerings
table (catalog/regions.py, generated from the pinned price source). Allowed, not refused: the table is a
snapshot and AWS adds types to regions, but EKS and Karpenter find no capacity for a type a zone lacks, so each
warning names the key as the stack file writes it and what to pick instead.

Zones: the table lists zone IDs (use1-az1), the stack file names zones (us-east-1a), and names map to IDs per
account. So a group's zones can only be judged by count offline: a type offered in fewer zones than the group
spans is missing from at least one of them, whichever they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from catalog.cpus import CPU_INSTANCES
from catalog.gpus import FAMILY_TYPES, GPU_INSTANCES, gpu_model, gpu_of_family
from catalog.regions import OFFERINGS_SOURCE, REGIONS, Region
from config.rules.registry import K
from config.schema.infrastructure import GpuNodeGroupConfig
from config.schema.platform import PlatformConfig

SNAPSHOT = OFFERINGS_SOURCE.rsplit(" ", 1)[-1][:8]  # the source commit, short
_SNAPSHOT_NOTE = (
    "The table is a snapshot: `aws ec2 describe-instance-type-offerings --location-type availability-zone-id "
    "--region {region}` shows whether AWS offers it now"
)


def offering_warnings(cfg: PlatformConfig) -> list[str]:
    """Every instance type or family the stack asks for that its region, or the zones a node group spans,
    does not offer. Nothing for a region outside the table: region-in-catalog refuses it already."""
    region = REGIONS.get(cfg.region)
    if region is None:
        return []
    return [*_node_groups(cfg, region), *_system_group(cfg, region), *_node_pools(cfg, region)]


def _zones_key(cfg: PlatformConfig) -> str:
    """Where the stack file names the zones its node groups span."""
    if cfg.network.existing is not None:
        return f"{K}:network.existing.privateSubnets"
    return f"{K}:network.availabilityZones"


def _group_zones(cfg: PlatformConfig, group: GpuNodeGroupConfig | None = None) -> tuple[str, ...]:
    """The zone names a managed node group spans: every zone of the stack (its subnets are the private subnets
    of every zone), or the one zone its capacity reservation is in (stacks/reservations.py limits its subnets
    to that zone)."""
    reservation = group.capacity_reservation if group is not None else None
    if reservation is not None and reservation.availability_zone:
        return (reservation.availability_zone,)
    return cfg.network.zones


def _type_warning(
    cfg: PlatformConfig, region: Region, key: str, instance_type: str, group: GpuNodeGroupConfig | None = None
) -> Iterator[str]:
    """A type no zone of the region offers cannot launch; one offered in fewer zones than the group spans
    launches only in some of them."""
    offering = region.zones_offering(instance_type)
    spans = len(_group_zones(cfg, group))
    if not offering:
        yield (
            f"{key}: {instance_type} is not offered in {cfg.region} (no zone of it lists {instance_type} in the "
            f"offerings table, SkyPilot catalog at {SNAPSHOT}), so the group finds no capacity for it: "
            f"{_instead(region, instance_type)}. {_SNAPSHOT_NOTE.format(region=cfg.region)}"
        )
    elif len(offering) < spans:
        yield (
            f"{key}: {instance_type} is offered in {len(offering)} of {cfg.region}'s zones ({', '.join(offering)}) "
            f"and the group spans the stack's {spans} zones ({_zones_key(cfg)}): at least one of them has no "
            f"{instance_type} and the group launches it only in the others. Zone names map to these zone IDs per "
            f"account (`aws ec2 describe-availability-zones --region {cfg.region}`); add a type offered in every "
            "zone, or name the zones that offer it"
        )


def _instead(region: Region, instance_type: str) -> str:
    """What to write instead: types of the same GPU model the region offers, or what it offers at all."""
    if instance_type in CPU_INSTANCES:
        return f"write a CPU family offered there ({', '.join(sorted(region.cpu_family_zones)) or 'none listed'})"
    gpu = GPU_INSTANCES[instance_type]
    same = sorted(t for t in region.type_zones if gpu_model(GPU_INSTANCES[t]) == gpu_model(gpu))
    if same:
        return f"write a type with the same GPU offered there ({', '.join(same)})"
    return (
        f"no type with its GPU ({gpu.gpu_name} {gpu.gpu_memory_gib} GiB) is offered there; the GPU families offered are "
        f"{', '.join(sorted(region.gpu_families))}"
    )


def _node_groups(cfg: PlatformConfig, region: Region) -> Iterator[str]:
    for i, group in enumerate(cfg.gpu_node_groups):
        for j, instance_type in enumerate(group.instance_types):
            key = f"{K}:gpuNodeGroups[{i}].instanceTypes[{j}]"
            yield from _type_warning(cfg, region, key, instance_type, group)


def _system_group(cfg: PlatformConfig, region: Region) -> Iterator[str]:
    for j, instance_type in enumerate(cfg.cluster.system_node_group.instance_types):
        key = f"{K}:cluster.systemNodeGroup.instanceTypes[{j}]"
        yield from _type_warning(cfg, region, key, instance_type)


def _node_pools(cfg: PlatformConfig, region: Region) -> Iterator[str]:
    """Karpenter picks a zone and a type of the pool's families per node, among the offered ones, so only a
    family none of whose catalog types the region offers is a problem."""
    for i, pool in enumerate(cfg.addons.node_pools):
        for j, family in enumerate(pool.instance_families):
            if not any(region.zones_offering(t) for t in FAMILY_TYPES[family]):
                gpu = gpu_of_family(family)
                same = sorted(f for f in region.gpu_families if gpu_model(gpu_of_family(f)) == gpu_model(gpu))
                instead = (
                    f"write a family with the same GPU offered there ({', '.join(same)})"
                    if same
                    else f"no family with its GPU ({gpu.gpu_name} {gpu.gpu_memory_gib} GiB) is offered there; the GPU families "
                    f"offered are {', '.join(sorted(region.gpu_families))}"
                )
                yield (
                    f"{K}:addons.karpenter.nodePools[{i}].instanceFamilies[{j}]: no {family} type is offered in "
                    f"{cfg.region} (offerings table, SkyPilot catalog at {SNAPSHOT}), so Karpenter finds nothing "
                    f"to launch for it: {instead}. {_SNAPSHOT_NOTE.format(region=cfg.region)}"
                )
