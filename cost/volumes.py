"""The cold-start lines of the cost estimate: the GPU nodes' image volumes (gp3 sized for parallel image pulls,
config/schema/volumes.py: storage plus what is provisioned above gp3's included IOPS and throughput, per node)
and the nodes warm headroom keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalog.gpus import GPU_INSTANCES
from catalog.prices import GP3_USD_PER_GB_MONTH, GP3_USD_PER_IOPS_MONTH, GP3_USD_PER_MIBPS_MONTH
from config.schema.volumes import IOPS_INCLUDED, THROUGHPUT_INCLUDED
from cost.lines import HOURS_PER_MONTH, Scale
from fleet.resolved import Fleet, Pool


def volume_hourly(size_gib: int, iops: int, throughput_mibps: int) -> float:
    """$/h of one gp3 volume."""
    monthly = (
        size_gib * GP3_USD_PER_GB_MONTH
        + max(0, iops - IOPS_INCLUDED) * GP3_USD_PER_IOPS_MONTH
        + max(0, throughput_mibps - THROUGHPUT_INCLUDED) * GP3_USD_PER_MIBPS_MONTH
    )
    return monthly / HOURS_PER_MONTH


@dataclass(frozen=True)
class VolumeCost:
    """One pool's image volumes: $/h of one, and how many nodes there are at each scale."""

    pool: str
    per_volume: float
    nodes_min: int
    nodes_max: int

    def hourly(self, scale: Scale) -> float:
        return self.per_volume * (self.nodes_min if scale == "min" else self.nodes_max)


def volume_costs(
    fleet: Fleet, min_nodes: dict[str, int], max_nodes: dict[str, int]
) -> tuple[VolumeCost, ...]:
    """Per GPU pool, with the node counts the node group and NodePool lines use at each scale."""
    return tuple(
        VolumeCost(p.name, _per_volume(p), min_nodes.get(p.name, 0), max_nodes.get(p.name, 0))
        for p in fleet.pools.values()
    )


def _per_volume(pool: Pool) -> float:
    c = pool.config
    return volume_hourly(c.disk_size_gib, c.disk_iops, c.disk_throughput_mibps)


@dataclass(frozen=True)
class HeadroomCost:
    """A NodePool's warm headroom: nodes Karpenter keeps for the placeholders, at every scale (a managed node
    group's headroom holds nodes its minSize already pays for)."""

    pool: str
    nodes: int
    instance_type: str
    price: float | None  # $/h per node

    def hourly(self) -> float | None:
        return None if self.price is None else self.price * self.nodes


def headroom_costs(
    fleet: Fleet, price_of: Callable[[str, str], float | None], gpus: Callable[[Pool], int]
) -> tuple[HeadroomCost, ...]:
    """Each NodePool with headroom: its nodes at the cheapest type that holds one placeholder's GPUs."""
    out = []
    for p in fleet.node_pools:
        if p.config.headroom == 0 or p.reservation is not None:
            continue  # a reserved pool's warm nodes are in its reservation, which is paid already
        fits = [t for t in p.instance_types if GPU_INSTANCES[t].gpu_count >= gpus(p)]
        cheapest = min(fits, key=lambda t: (price_of(t, p.capacity_type) or float("inf"), t))
        out.append(HeadroomCost(p.name, p.config.headroom, cheapest, price_of(cheapest, p.capacity_type)))
    return tuple(out)
