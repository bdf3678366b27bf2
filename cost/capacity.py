"""Pricing the capacity: what each node group and NodePool costs at minimum and maximum scale, which nodes
Karpenter launches for the models' minimum replicas, and what each model's replicas occupy."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from catalog.gpus import GPU_INSTANCES, GpuInstance
from cost.lines import ModelCost, NodeGroupCost, NodePoolCost, ReservationCost, sum_or_none, times
from cost.sources import PriceSource
from fleet.resolved import Fleet, ModelPlan, Pool
from vocabulary.scheduling import GPU_RESOURCE

PriceOf = Callable[[str, str], float | None]  # (instance type, capacity type) -> $/h
# What one node brings against each NodePool limit Karpenter understands (memory in GiB).
PER_NODE = {
    GPU_RESOURCE: lambda i: i.gpu_count,
    "cpu": lambda i: i.vcpu,
    "memory": lambda i: i.memory_gib,
}


def price_function(prices: PriceSource, region: str) -> PriceOf:
    def price_of(instance_type: str, capacity: str) -> float | None:
        if capacity == "spot":
            return prices.spot(region, instance_type)
        return prices.on_demand(region, instance_type)

    return price_of


def node_group(
    name: str,
    capacity: str,
    types: tuple[str, ...],
    lo: int,
    hi: int,
    price_of: PriceOf,
    system: bool = False,
    reservation: ReservationCost | None = None,
) -> NodeGroupCost:
    if capacity == "on-demand":
        # EKS launches on-demand capacity in the order the types are listed ("prioritized"), not by price.
        priced, why = types[0], "first listed (EKS launches on-demand types in list order)"
    else:
        priced = min(types, key=lambda t: (_or_inf(price_of(t, "spot")), types.index(t)))
        why = "cheapest listed (spot picks among all listed types)" if len(types) > 1 else "the only type"
    worst = max(types, key=lambda t: (price_of(t, capacity) or -1.0, -types.index(t)))
    od = price_of(priced, "on-demand")
    sp = price_of(priced, "spot") if not system else None
    if reservation:
        priced, why = (
            types[0],
            f"the reserved type, its nodes paid in reservation {reservation.target}",
        )
    return NodeGroupCost(
        name,
        capacity,
        types,
        priced,
        why,
        od,
        sp,
        lo,
        hi,
        worst,
        price_of(worst, capacity),
        system,
        reservation,
    )


def nodes_within_limits(limits: Mapping[str, float], instance: GpuInstance) -> tuple[int, str]:
    """Most nodes of one type a NodePool can hold, and the limit that binds (the tightest of them).
    Karpenter launches nothing that would take the pool past a limit."""
    bounds = {r: int(limit // PER_NODE[r](instance)) for r, limit in limits.items() if r in PER_NODE}
    resource = min(bounds, key=lambda r: (bounds[r], r))
    return bounds[resource], resource


def _cheapest_for(m: ModelPlan, pool: Pool) -> str | None:
    """The cheapest type of `pool` a replica of `m` fits on (its placement lists types cheapest first)."""
    return next((t for t in m.placement.instance_types if t in pool.instance_types), None)


def _uses(m: ModelPlan, pool: Pool) -> bool:
    return any(p.name == pool.name for p in m.placement.pools)


def node_pool(
    pool: Pool,
    models: Sequence[ModelPlan],
    launched: Sequence[str],
    price_of: PriceOf,
    reservation: ReservationCost | None = None,
) -> NodePoolCost:
    priced, why = _priced_type(pool, models, price_of)
    limits = pool.limits
    nodes, resource = nodes_within_limits(limits, GPU_INSTANCES[priced])
    bound = f"{limits[resource]:g} {resource} / {PER_NODE[resource](GPU_INSTANCES[priced])} per {priced} = {nodes} nodes"
    if len(limits) > 1:
        bound += f" (the tightest of its limits: {', '.join(sorted(limits))})"
    capacity = pool.capacity_type
    worst = max(
        pool.instance_types,
        key=lambda t: ((price_of(t, capacity) or 0.0) * nodes_within_limits(limits, GPU_INSTANCES[t])[0], t),
    )
    return NodePoolCost(
        name=pool.name,
        capacity_type=capacity,
        instance_families=tuple(pool.config.instance_families),
        limits=limits,
        priced_type=priced,
        why=why,
        on_demand=price_of(priced, "on-demand"),
        spot=price_of(priced, "spot"),
        nodes_at_limit=nodes,
        bound=bound,
        min_nodes=tuple(launched),
        min_hourly_price=sum_or_none(price_of(t, capacity) for t in launched),
        worst_type=worst,
        worst_nodes=nodes_within_limits(limits, GPU_INSTANCES[worst])[0],
        worst_price=price_of(worst, capacity),
        reservation=reservation,
    )


def _priced_type(pool: Pool, models: Sequence[ModelPlan], price_of: PriceOf) -> tuple[str, str]:
    """Karpenter launches the cheapest type that fits the pending pods: price the pool with what its models
    need (the dearest per GPU when several do), or its cheapest type when no model is placed on it."""
    needs = [(t, m) for m in models if _uses(m, pool) for t in [_cheapest_for(m, pool)] if t is not None]
    if not needs:
        priced = min(pool.instance_types, key=lambda t: (_or_inf(price_of(t, "on-demand")), t))
        return priced, "cheapest allowed type (no model is placed here)"
    priced, m = max(
        needs,
        # an unpriced type the models need stays the priced type: the report says n/a, not a guess
        key=lambda n: (_or_inf(price_of(n[0], "on-demand")) / GPU_INSTANCES[n[0]].gpu_count, n[0]),
    )
    return priced, f"what {m.name} needs (TP {m.tp}, {GPU_INSTANCES[priced].gpu_count} GPUs per node)"


@dataclass(frozen=True)
class AtMinimum:
    """Where the models' minimum replicas run: the nodes Karpenter launches for them per NodePool, the GPUs
    they occupy per pool, and what could not be placed."""

    launched: dict[str, list[str]]  # NodePool -> instance types of the nodes launched
    used_gpus: dict[str, float]  # pool -> GPUs the replicas occupy on its running nodes
    warnings: list[str]


def karpenter_at_min(fleet: Fleet, groups: Mapping[str, NodeGroupCost]) -> AtMinimum:
    """The nodes Karpenter launches at minimum scale: minimum replicas go to free GPUs on the node groups'
    minimum nodes first (the scheduler uses running nodes), the rest to the model's NodePool with the highest
    weight (Karpenter's order), packed onto the cheapest type that fits."""
    # pool name -> [instance type, free nvidia.com/gpu] per running node
    free: dict[str, list[list]] = {
        g.name: [
            [g.priced_type, GPU_INSTANCES[g.priced_type].gpu_count * fleet.pools[g.name].time_slices]
            for _ in range(g.min_size)
        ]
        for g in groups.values()
    }
    launched: dict[str, list[str]] = {p.name: [] for p in fleet.node_pools}
    warnings: list[str] = []
    for m in sorted(fleet.models, key=lambda m: -m.tp):  # the widest replicas first: the hardest to place
        left = _on_running_nodes(m, free)
        if left:
            warnings += _launch(m, left, free, launched)
    for p in fleet.node_pools:
        gpus = sum(GPU_INSTANCES[t].gpu_count for t in launched[p.name])
        if gpus > p.gpu_capacity:
            warnings.append(
                f"NodePool {p.name}: the models' minimum replicas need {gpus} GPUs, above its gpuLimit "
                f"{p.gpu_capacity}; some would stay pending"
            )
    return AtMinimum(launched, _used_gpus(fleet, free), warnings)


def _used_gpus(fleet: Fleet, free: Mapping[str, list[list]]) -> dict[str, float]:
    """GPUs occupied per pool: each node's slots less those left free, a time-sliced GPU counting once."""
    used = {}
    for name, nodes in free.items():
        slices = fleet.pools[name].time_slices
        used[name] = sum(GPU_INSTANCES[t].gpu_count * slices - left for t, left in nodes) / slices
    return used


def _on_running_nodes(m: ModelPlan, free: dict[str, list[list]]) -> int:
    """Place the model's minimum replicas on free GPUs of running nodes; returns how many are left."""
    left = m.config.replicas.min
    for pool in m.placement.pools:
        for node in free.get(pool.name, []):
            while left and node[1] >= m.tp:
                node[1] -= m.tp
                left -= 1
    return left


def _launch(
    m: ModelPlan, left: int, free: dict[str, list[list]], launched: dict[str, list[str]]
) -> list[str]:
    """Launch nodes for `left` replicas in the model's heaviest NodePool that has a type for it."""
    nodepools = sorted(
        (p for p in m.placement.pools if p.kind == "NodePool"), key=lambda p: (-p.config.weight, p.name)
    )
    target = next(((p, t) for p in nodepools for t in [_cheapest_for(m, p)] if t is not None), None)
    if target is None:
        return [
            f"model {m.name}: {left} minimum replica(s) fit neither on the node groups' minimum nodes "
            "nor in a NodePool; they would stay pending (raise a node group's minSize)"
        ]
    pool, t = target
    slots = GPU_INSTANCES[t].gpu_count * pool.time_slices
    while left:
        take = min(left, max(1, slots // m.tp))  # placements only list types with >= tp GPUs
        left -= take
        free.setdefault(pool.name, []).append([t, slots - take * m.tp])
        launched[pool.name].append(t)
    return []


def model_cost(m: ModelPlan, price_of: PriceOf, reservations: Mapping[str, ReservationCost]) -> ModelCost:
    p = m.placement
    wanted = m.config.placement.capacity_type
    # A replica prefers reserved capacity (paid already), then (`either`) spot: the Deployment's preferred
    # affinity, the spot NodePools' higher weight.
    reserved = [reservations[pool.name] for pool in p.pools if pool.name in reservations]
    if reserved:
        priced_as = "reserved"
    else:
        priced_as = "spot" if wanted != "on-demand" and "spot" in p.capacity_types else "on-demand"
    return ModelCost(
        name=m.name,
        tp=m.tp,
        instance_type=p.cheapest_type,
        pools=tuple(pool.name for pool in p.pools),
        placement=wanted,
        priced_as=priced_as,
        min_replicas=m.config.replicas.min,
        max_replicas=m.config.replicas.max,
        on_demand=p.price_per_replica(lambda t: price_of(t, "on-demand")),
        spot=p.price_per_replica(lambda t: price_of(t, "spot")),
        reserved=times(reserved[0].per_gpu, m.tp) if reserved else None,
    )


def _or_inf(price: float | None) -> float:
    return math.inf if price is None else price
