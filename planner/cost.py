"""What a stack costs a month at minimum and at maximum scale, from its config and a price source.

`make plan` writes the estimate to build/<stack>/cost.md (planner/cost_report.py renders it). Capacity is priced where it is paid for: the fixed
charges, the managed node groups and the Karpenter NodePools. Models run on that capacity, so the model table
attributes it (what each model's replicas occupy) and is never added on top.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from planner.prices import (
    EKS_CONTROL_PLANE_USD_PER_HOUR,
    NAT_GATEWAY_USD_PER_HOUR,
    PriceSource,
)
from stacks.catalog import GPU_INSTANCES, GpuInstance
from stacks.config import NodePoolConfig, PlatformConfig
from stacks.model_sizing import ModelSizing, Pool, gpu_pools, size_model

if TYPE_CHECKING:
    pass

HOURS_PER_MONTH = 730  # AWS's own convention: 365 days x 24 h / 12
EXCLUDED = (
    "EBS volumes (node image volumes, the Prometheus volume)",
    "EFS storage and throughput (the model cache)",
    "data transfer (internet egress, cross-AZ traffic)",
    "NAT gateway data processing (per GB)",
    "load balancers",
    "CloudWatch Logs (control-plane logs), KMS keys, SQS and EventBridge (Karpenter interruptions)",
)
# What one node brings against each NodePool limit Karpenter understands (memory in GiB).
PER_NODE = {
    "nvidia.com/gpu": lambda i: i.gpu_count,
    "cpu": lambda i: i.vcpu,
    "memory": lambda i: i.memory_gib,
}

Scale = Literal["min", "max"]


class Total(NamedTuple):
    """A sum in USD; `complete` is False when some part had no price (left out, shown as n/a)."""

    usd: float
    complete: bool


def add(values: Iterable[float | None]) -> Total:
    values = list(values)
    return Total(sum(v for v in values if v is not None), all(v is not None for v in values))


def times(price: float | None, units: float) -> float | None:
    """`units` of something at `price` per hour; zero units cost nothing, priced or not."""
    if units == 0:
        return 0.0
    return None if price is None else price * units


@dataclass(frozen=True)
class Charge:
    """A fixed hourly charge: the control plane, the NAT gateways."""

    name: str
    units: int
    unit_price: float | None

    @property
    def hourly(self) -> float | None:
        return times(self.unit_price, self.units)


@dataclass(frozen=True)
class NodeGroupCost:
    """One EKS managed node group, priced per node at the instance type it launches."""

    name: str
    capacity_type: str
    instance_types: tuple[str, ...]
    priced_type: str
    why: str
    on_demand: float | None  # $/h per node of priced_type
    spot: float | None
    min_size: int
    max_size: int
    worst_type: str  # the priciest listed type, for the worst case
    worst_price: float | None
    system: bool = False

    @property
    def price(self) -> float | None:
        return self.spot if self.capacity_type == "spot" else self.on_demand

    def hourly(self, scale: Scale) -> float | None:
        return times(self.price, self.min_size if scale == "min" else self.max_size)

    @property
    def worst_hourly(self) -> float | None:
        return times(self.worst_price, self.max_size)


@dataclass(frozen=True)
class NodePoolCost:
    """One Karpenter NodePool: nothing at minimum beyond what minimum replicas need, its limits at maximum."""

    name: str
    capacity_type: str
    instance_families: tuple[str, ...]
    limits: Mapping[str, float]
    priced_type: str
    why: str
    on_demand: float | None
    spot: float | None
    nodes_at_limit: int
    bound: str  # how nodes_at_limit follows from the limits
    min_nodes: tuple[str, ...]  # the nodes the models' minimum replicas need (instance types)
    min_hourly_price: float | None
    worst_type: str
    worst_nodes: int
    worst_price: float | None

    @property
    def price(self) -> float | None:
        return self.spot if self.capacity_type == "spot" else self.on_demand

    def hourly(self, scale: Scale) -> float | None:
        return self.min_hourly_price if scale == "min" else times(self.price, self.nodes_at_limit)

    @property
    def worst_hourly(self) -> float | None:
        return times(self.worst_price, self.worst_nodes)


@dataclass(frozen=True)
class ModelCost:
    """One model's replicas, priced as the share of a node they occupy (attribution, not extra spend)."""

    name: str
    tp: int
    instance_type: str
    pools: tuple[str, ...]
    placement: str  # on-demand | spot | either
    priced_as: str  # on-demand | spot
    min_replicas: int
    max_replicas: int
    on_demand: float | None  # $/h per replica
    spot: float | None

    @property
    def price(self) -> float | None:
        return self.spot if self.priced_as == "spot" else self.on_demand

    def hourly(self, scale: Scale) -> float | None:
        return times(self.price, self.min_replicas if scale == "min" else self.max_replicas)


@dataclass(frozen=True)
class CostEstimate:
    stack: str
    region: str
    price_source: str
    fixed: tuple[Charge, ...]
    system: NodeGroupCost
    node_groups: tuple[NodeGroupCost, ...]
    node_pools: tuple[NodePoolCost, ...]
    models: tuple[ModelCost, ...]
    warnings: tuple[str, ...]

    def rows(self) -> list[tuple[str, float | None, float | None]]:
        """The summary: (what, $/h at minimum, $/h at maximum), one row per kind of spend."""
        rows = [(c.name, c.hourly, c.hourly) for c in self.fixed]
        rows.append(
            (
                f"System node group ({self.system.priced_type}, on-demand)",
                self.system.hourly("min"),
                self.system.hourly("max"),
            )
        )
        for capacity in ("on-demand", "spot"):
            groups = [g for g in self.node_groups if g.capacity_type == capacity]
            if groups:
                rows.append(
                    (
                        f"GPU node groups, {capacity}",
                        _sum_or_none(g.hourly("min") for g in groups),
                        _sum_or_none(g.hourly("max") for g in groups),
                    )
                )
        for capacity in ("on-demand", "spot"):
            pools = [p for p in self.node_pools if p.capacity_type == capacity]
            if pools:
                rows.append(
                    (
                        f"Karpenter NodePools, {capacity}",
                        _sum_or_none(p.hourly("min") for p in pools),
                        _sum_or_none(p.hourly("max") for p in pools),
                    )
                )
        return rows

    def hourly(self, scale: Scale) -> Total:
        return add(row[1 if scale == "min" else 2] for row in self.rows())

    def monthly(self, scale: Scale) -> Total:
        h = self.hourly(scale)
        return Total(h.usd * HOURS_PER_MONTH, h.complete)

    def worst_monthly(self) -> Total:
        """Maximum scale with every node the priciest type its group or NodePool allows."""
        parts = [c.hourly for c in self.fixed] + [self.system.worst_hourly]
        parts += [g.worst_hourly for g in self.node_groups] + [p.worst_hourly for p in self.node_pools]
        h = add(parts)
        return Total(h.usd * HOURS_PER_MONTH, h.complete)

    def models_monthly(self, scale: Scale) -> Total:
        h = add(m.hourly(scale) for m in self.models)
        return Total(h.usd * HOURS_PER_MONTH, h.complete)


def _sum_or_none(values: Iterable[float | None]) -> float | None:
    total = add(values)
    return total.usd if total.complete else None


# --- estimate ---------------------------------------------------------------------------------------------


def estimate(cfg: PlatformConfig, prices: PriceSource, stack: str) -> CostEstimate:
    region = cfg.region
    warnings: list[str] = []

    def on_demand(t: str) -> float | None:
        return prices.on_demand(region, t)

    def spot(t: str) -> float | None:
        return prices.spot(region, t)

    def price_of(t: str, capacity: str) -> float | None:
        return spot(t) if capacity == "spot" else on_demand(t)

    fixed = (_control_plane(cfg), _nat_gateways(cfg))
    sys_cfg = cfg.cluster.system_node_group
    system = _node_group(
        "system",
        "on-demand",
        tuple(sys_cfg.instance_types),
        sys_cfg.min_size,
        sys_cfg.max_size,
        price_of,
        system=True,
    )
    groups = tuple(
        _node_group(g.name, g.capacity_type, tuple(g.instance_types), g.min_size, g.max_size, price_of)
        for g in cfg.gpu_node_groups
    )
    sizings = [size_model(cfg, m) for m in cfg.models]
    pools = gpu_pools(cfg)
    launched, placement_warnings = _karpenter_at_min(cfg, sizings, {g.name: g for g in groups})
    warnings += placement_warnings
    node_pools = tuple(
        _node_pool(p, pools[p.name], sizings, launched.get(p.name, ()), price_of)
        for p in (cfg.addons.karpenter.node_pools if cfg.addons.karpenter.enabled else ())
    )
    models = tuple(_model(s, on_demand, spot) for s in sizings)
    warnings += _unpriced(region, fixed, (system, *groups), node_pools, models)
    warnings += prices.warnings
    return CostEstimate(
        stack=stack,
        region=region,
        price_source=prices.description,
        fixed=fixed,
        system=system,
        node_groups=groups,
        node_pools=node_pools,
        models=models,
        warnings=tuple(dict.fromkeys(warnings)),  # each once, in order
    )


def _unpriced(
    region: str,
    fixed: Sequence[Charge],
    groups: Sequence[NodeGroupCost],
    pools: Sequence[NodePoolCost],
    models: Sequence[ModelCost],
) -> list[str]:
    """One warning per line of the report that has no price (it shows n/a and the totals leave it out)."""
    missing = [f"{c.name}: no price for {region}" for c in fixed if c.unit_price is None]
    missing += [
        f"node group {g.name}: no {g.capacity_type} price for {g.priced_type} in {region}"
        for g in groups
        if g.price is None
    ]
    missing += [
        f"NodePool {p.name}: no {p.capacity_type} price for {p.priced_type} in {region}"
        for p in pools
        if p.price is None
    ]
    missing += [
        f"model {m.name}: no {m.priced_as} price for {m.instance_type} in {region}"
        for m in models
        if m.price is None
    ]
    return [f"{w}: shown as n/a and left out of the totals" for w in missing]


def _control_plane(cfg: PlatformConfig) -> Charge:
    support = cfg.cluster.support_type
    return Charge(f"EKS control plane ({support} support)", 1, EKS_CONTROL_PLANE_USD_PER_HOUR.get(support))


def _nat_gateways(cfg: PlatformConfig) -> Charge:
    count = len(cfg.network.availability_zones) if cfg.network.nat_gateways == "perAz" else 1
    price = NAT_GATEWAY_USD_PER_HOUR.get(cfg.region)
    per = "one per AZ" if cfg.network.nat_gateways == "perAz" else "single"
    return Charge(f"NAT gateways ({count}, {per}; hourly charge only)", count, price)


def _node_group(
    name: str, capacity: str, types: tuple[str, ...], lo: int, hi: int, price_of, system: bool = False
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
    return NodeGroupCost(
        name, capacity, types, priced, why, od, sp, lo, hi, worst, price_of(worst, capacity), system
    )


def nodepool_limits(p: NodePoolConfig) -> dict[str, float]:
    """The NodePool's `limits` as components/karpenter.py renders them: nvidia.com/gpu only, today."""
    return {"nvidia.com/gpu": p.gpu_limit}


def nodes_within_limits(limits: Mapping[str, float], instance: GpuInstance) -> tuple[int, str]:
    """Most nodes of one type a NodePool can hold, and the limit that binds (the tightest of them).
    Karpenter launches nothing that would take the pool past a limit."""
    bounds = {r: int(limit // PER_NODE[r](instance)) for r, limit in limits.items() if r in PER_NODE}
    resource = min(bounds, key=lambda r: (bounds[r], r))
    return bounds[resource], resource


def _cheapest_for(s: ModelSizing, pool: Pool) -> str | None:
    """The cheapest type of `pool` a replica of `s` fits on (size_model sorts its types cheapest first)."""
    return next((t for t in s.instance_types if t in pool.instance_types), None)


def _node_pool(
    p: NodePoolConfig, pool: Pool, sizings: Sequence[ModelSizing], launched: Sequence[str], price_of
) -> NodePoolCost:
    capacity = p.capacity_type
    limits = nodepool_limits(p)
    # Karpenter launches the cheapest type that fits the pending pods: price the pool with what its models
    # need (the dearest per GPU when several do), or its cheapest type when no model is placed on it.
    needs = [(t, s) for s in sizings if pool in s.pools for t in [_cheapest_for(s, pool)] if t is not None]
    if needs:
        priced, s = max(
            needs,
            # an unpriced type the models need stays the priced type: the report says n/a, not a guess
            key=lambda n: (_or_inf(price_of(n[0], "on-demand")) / GPU_INSTANCES[n[0]].gpu_count, n[0]),
        )
        why = f"what {s.model.name} needs (TP {s.tp}, {GPU_INSTANCES[priced].gpu_count} GPUs per node)"
    else:
        priced = min(pool.instance_types, key=lambda t: (_or_inf(price_of(t, "on-demand")), t))
        why = "cheapest allowed type (no model is placed here)"
    nodes, resource = nodes_within_limits(limits, GPU_INSTANCES[priced])
    per_node = PER_NODE[resource](GPU_INSTANCES[priced])
    bound = f"{limits[resource]:g} {resource} / {per_node} per {priced} = {nodes} nodes"
    if len(limits) > 1:
        bound += f" (the tightest of its limits: {', '.join(sorted(limits))})"
    worst = max(
        pool.instance_types,
        key=lambda t: ((price_of(t, capacity) or 0.0) * nodes_within_limits(limits, GPU_INSTANCES[t])[0], t),
    )
    return NodePoolCost(
        name=p.name,
        capacity_type=capacity,
        instance_families=tuple(p.instance_families),
        limits=limits,
        priced_type=priced,
        why=why,
        on_demand=price_of(priced, "on-demand"),
        spot=price_of(priced, "spot"),
        nodes_at_limit=nodes,
        bound=bound,
        min_nodes=tuple(launched),
        min_hourly_price=_sum_or_none(price_of(t, capacity) for t in launched),
        worst_type=worst,
        worst_nodes=nodes_within_limits(limits, GPU_INSTANCES[worst])[0],
        worst_price=price_of(worst, capacity),
    )


def _karpenter_at_min(
    cfg: PlatformConfig,
    sizings: Sequence[ModelSizing],
    groups: Mapping[str, NodeGroupCost],
) -> tuple[dict[str, list[str]], list[str]]:
    """The nodes Karpenter launches at minimum scale: minimum replicas go to free GPUs on the node groups'
    minimum nodes first (the scheduler uses running nodes), the rest to the model's NodePool with the highest
    weight (Karpenter's order), packed onto the cheapest type that fits."""
    slicing = cfg.addons.gpu_operator.time_slicing if cfg.addons.gpu_operator.enabled else {}
    weights = {p.name: p.weight for p in cfg.addons.karpenter.node_pools}
    # pool name -> [instance type, free nvidia.com/gpu] per running node
    free: dict[str, list[list]] = {
        g.name: [
            [g.priced_type, GPU_INSTANCES[g.priced_type].gpu_count * slicing.get(g.name, 1)]
            for _ in range(g.min_size)
        ]
        for g in groups.values()
    }
    launched: dict[str, list[str]] = {name: [] for name in weights}
    warnings: list[str] = []
    for s in sorted(sizings, key=lambda s: -s.tp):  # the widest replicas first: they are the hardest to place
        left = s.model.replicas.min
        for pool in s.pools:
            for node in free.get(pool.name, []):
                while left and node[1] >= s.tp:
                    node[1] -= s.tp
                    left -= 1
        if not left:
            continue
        nodepools = sorted(
            (p for p in s.pools if p.kind == "NodePool"), key=lambda p: (-weights[p.name], p.name)
        )
        target = next(((p, t) for p in nodepools for t in [_cheapest_for(s, p)] if t is not None), None)
        if target is None:
            warnings.append(
                f"model {s.model.name}: {left} minimum replica(s) fit neither on the node groups' minimum nodes "
                "nor in a NodePool; they would stay pending (raise a node group's minSize)"
            )
            continue
        pool, t = target
        slots = GPU_INSTANCES[t].gpu_count * slicing.get(pool.name, 1)
        while left:
            take = min(left, max(1, slots // s.tp))  # size_model only lists types with >= tp GPUs
            left -= take
            free.setdefault(pool.name, []).append([t, slots - take * s.tp])
            launched[pool.name].append(t)
    for p in cfg.addons.karpenter.node_pools:
        gpus = sum(GPU_INSTANCES[t].gpu_count for t in launched.get(p.name, []))
        if gpus > p.gpu_limit:
            warnings.append(
                f"NodePool {p.name}: the models' minimum replicas need {gpus} GPUs, above its gpuLimit "
                f"{p.gpu_limit}; some would stay pending"
            )
    return launched, warnings


def _model(s: ModelSizing, on_demand, spot) -> ModelCost:
    t = s.instance_types[0]
    share = s.tp / GPU_INSTANCES[t].gpu_count  # as ModelSizing.price_per_replica: the GPUs a replica takes
    od, sp = on_demand(t), spot(t)
    wanted = s.model.placement.capacity_type
    # `either` prefers spot (the Deployment's preferred affinity, the spot NodePools' higher weight).
    priced_as = "spot" if wanted != "on-demand" and "spot" in s.capacity_types else "on-demand"
    min_replicas = s.model.replicas.min
    return ModelCost(
        name=s.model.name,
        tp=s.tp,
        instance_type=t,
        pools=tuple(p.name for p in s.pools),
        placement=wanted,
        priced_as=priced_as,
        min_replicas=min_replicas,
        max_replicas=s.model.replicas.max,
        on_demand=None if od is None else od * share,
        spot=None if sp is None else sp * share,
    )


def _or_inf(price: float | None) -> float:
    return math.inf if price is None else price
