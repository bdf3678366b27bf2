"""What a stack costs a month at minimum and at maximum scale, from its resolved fleet and a price source.

`make plan` writes the estimate to build/<stack>/cost.md (cost/report.py renders it). Capacity is priced where
it is paid for: the fixed charges, the managed node groups and the Karpenter NodePools (cost/capacity.py).
Models run on that capacity, so the model table attributes it (what each model's replicas occupy) and is never
added on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from catalog.prices import EKS_CONTROL_PLANE_USD_PER_HOUR, NAT_GATEWAY_USD_PER_HOUR
from config.schema.platform import PlatformConfig
from cost import capacity
from cost import gateway as gateway_cost
from cost.lines import (
    HOURS_PER_MONTH,
    Charge,
    ModelCost,
    NodeGroupCost,
    NodePoolCost,
    ReservationCost,
    Scale,
    Total,
    add,
    sum_or_none,
)
from cost.reservations import reservation_costs
from cost.sources import PriceSource
from cost.volumes import HeadroomCost, VolumeCost, headroom_costs, volume_costs
from fleet.resolved import Fleet
from serving.headroom import headroom_gpus

EXCLUDED = (
    "EBS volumes other than the GPU nodes' image volumes (the system nodes', the Prometheus volume)",
    "EFS storage and throughput (the model cache)",
    "data transfer (internet egress, cross-AZ traffic)",
    "NAT gateway data processing (per GB)",
    "load balancer capacity units (LCU, NLCU: usage)",
    "CloudWatch Logs (control-plane logs), KMS keys, SQS and EventBridge (Karpenter interruptions)",
)
# VPC flow logs are billed by volume, which follows the traffic: named among the exclusions when they are on.
FLOW_LOG_CHARGES = {
    "cloudWatch": "VPC flow logs (CloudWatch Logs vended-log ingestion per GB, and storage for the retention)",
    "s3": "VPC flow logs (vended-log delivery to S3 per GB, and the bucket's storage)",
}


@dataclass(frozen=True)
class CostEstimate:
    stack: str
    region: str
    price_source: str
    fixed: tuple[Charge, ...]
    system: NodeGroupCost | None  # None in an existing cluster: its nodes are its owners' bill
    node_groups: tuple[NodeGroupCost, ...]
    node_pools: tuple[NodePoolCost, ...]
    models: tuple[ModelCost, ...]
    warnings: tuple[str, ...]
    # What the gateway's pods take of the system nodes: in the system line already, never added again.
    system_shares: tuple[Charge, ...] = ()
    volumes: tuple[VolumeCost, ...] = ()  # the GPU nodes' image volumes, per pool
    headroom: tuple[HeadroomCost, ...] = ()  # NodePools' warm nodes, at every scale
    reservations: tuple[ReservationCost, ...] = ()  # committed: the same at every scale
    excluded: tuple[str, ...] = EXCLUDED  # what the estimate leaves out, as the report lists it

    def rows(self) -> list[tuple[str, float | None, float | None]]:
        """The summary: (what, $/h at minimum, $/h at maximum), one row per kind of spend."""
        rows = [(c.name, c.hourly, c.hourly) for c in self.fixed]
        if self.system:
            rows.append(
                (
                    f"System node group ({self.system.priced_type}, on-demand)",
                    self.system.hourly("min"),
                    self.system.hourly("max"),
                )
            )
        else:  # the controllers run on an existing cluster's nodes, which its owners pay for
            rows.append(("System nodes (existing cluster's own)", 0.0, 0.0))
        for kind in ("on-demand", "spot"):
            groups = [g for g in self.node_groups if g.capacity_type == kind]
            if groups:
                rows.append(
                    (
                        f"GPU node groups, {kind}",
                        sum_or_none(g.hourly("min") for g in groups),
                        sum_or_none(g.hourly("max") for g in groups),
                    )
                )
        for kind in ("on-demand", "spot"):
            pools = [p for p in self.node_pools if p.capacity_type == kind]
            if pools:
                rows.append(
                    (
                        f"Karpenter NodePools, {kind}",
                        sum_or_none(p.hourly("min") for p in pools),
                        sum_or_none(p.hourly("max") for p in pools),
                    )
                )
        if self.reservations:
            paid = sum_or_none(r.hourly for r in self.reservations)
            rows.append(("Reserved capacity (already paid: ODCRs, Capacity Blocks)", paid, paid))
        if self.headroom:
            # At maximum scale the NodePools are at their limits already, placeholders' nodes included.
            rows.append(("Warm headroom (NodePools)", sum_or_none(h.hourly() for h in self.headroom), 0.0))
        if self.volumes:
            rows.append(("GPU nodes' image volumes (gp3)", sum(v.hourly("min") for v in self.volumes),
                         sum(v.hourly("max") for v in self.volumes)))  # fmt: skip
        return rows

    def hourly(self, scale: Scale) -> Total:
        return add(row[1 if scale == "min" else 2] for row in self.rows())

    def monthly(self, scale: Scale) -> Total:
        h = self.hourly(scale)
        return Total(h.usd * HOURS_PER_MONTH, h.complete)

    def worst_monthly(self) -> Total:
        """Maximum scale with every node the priciest type its group or NodePool allows."""
        parts = [c.hourly for c in self.fixed] + ([self.system.worst_hourly] if self.system else [])
        parts += [g.worst_hourly for g in self.node_groups] + [p.worst_hourly for p in self.node_pools]
        parts += [v.hourly("max") for v in self.volumes] + [r.hourly for r in self.reservations]
        h = add(parts)
        return Total(h.usd * HOURS_PER_MONTH, h.complete)

    def models_monthly(self, scale: Scale) -> Total:
        h = add(m.hourly(scale) for m in self.models)
        return Total(h.usd * HOURS_PER_MONTH, h.complete)


# --- estimate ---------------------------------------------------------------------------------------------


def estimate(fleet: Fleet, prices: PriceSource, stack: str) -> CostEstimate:
    cfg, region = fleet.config, fleet.region
    price_of = capacity.price_function(prices, region)
    lb = gateway_cost.load_balancer(fleet)
    fixed = (_control_plane(cfg), _nat_gateways(cfg), *((lb,) if lb else ()))
    system = _system_nodes(cfg, price_of)
    at_min = capacity.karpenter_at_min(fleet, {g.name: g for g in _node_groups(fleet, price_of, {})})
    reserved = reservation_costs(fleet, lambda t: price_of(t, "on-demand"), at_min.used_gpus)
    groups = _node_groups(fleet, price_of, reserved)
    node_pools = tuple(
        capacity.node_pool(p, fleet.models, at_min.launched.get(p.name, ()), price_of, reserved.get(p.name))
        for p in fleet.node_pools
    )
    models = tuple(capacity.model_cost(m, price_of, reserved) for m in fleet.models)
    warnings = at_min.warnings + _unpriced(
        region, fixed, (*((system,) if system else ()), *groups), node_pools, models
    )
    warnings += _idle(reserved.values()) + prices.warnings
    return CostEstimate(
        stack=stack,
        region=region,
        price_source=prices.description_for(region),
        fixed=fixed,
        system=system,
        node_groups=groups,
        node_pools=node_pools,
        models=models,
        warnings=tuple(dict.fromkeys(warnings)),  # each once, in order
        reservations=tuple(reserved.values()),
        excluded=_excluded(cfg),
        system_shares=gateway_cost.system_shares(fleet, lambda t: price_of(t, "on-demand")) if system else (),
        headroom=headroom_costs(fleet, price_of, lambda p: headroom_gpus(fleet, p)),
        volumes=volume_costs(
            fleet,
            {
                **{g.name: g.min_size for g in groups},
                **{p.name: len(p.min_nodes) + fleet.pools[p.name].config.headroom for p in node_pools},
            },
            {**{g.name: g.max_size for g in groups}, **{p.name: p.nodes_at_limit for p in node_pools}},
        ),
    )


def _system_nodes(cfg: PlatformConfig, price_of: capacity.PriceOf) -> NodeGroupCost | None:
    """The system node group's cost; None in an existing cluster, whose nodes (the controllers run there) are its
    owners' bill, not this stack's."""
    if cfg.cluster.existing:
        return None
    sys_cfg = cfg.cluster.system_node_group
    return capacity.node_group(
        "system", "on-demand", tuple(sys_cfg.instance_types), sys_cfg.min_size, sys_cfg.max_size, price_of,
        system=True,
    )  # fmt: skip


def _node_groups(
    fleet: Fleet, price_of: capacity.PriceOf, reserved: Mapping[str, ReservationCost]
) -> tuple[NodeGroupCost, ...]:
    return tuple(
        capacity.node_group(
            p.name,
            p.capacity_type,
            p.instance_types,
            p.config.min_size,
            p.config.max_size,
            price_of,
            reservation=reserved.get(p.name),
        )
        for p in fleet.node_groups
    )


def _idle(reservations: Iterable[ReservationCost]) -> list[str]:
    """A warning for each reservation the models' minimum replicas leave partly idle."""
    return [
        f"{r.kind} {r.pool}: the models' minimum replicas use {r.used_gpus:g} of the {r.gpus} GPUs reserved in "
        f"{r.target}; the rest, {_usd_month(r.idle_hourly)}/month, is paid for idle (place more replicas there, "
        "or reserve less)"
        for r in reservations
        if r.idle_gpus > 0
    ]


def _usd_month(hourly: float | None) -> str:
    return "n/a" if hourly is None else f"${hourly * HOURS_PER_MONTH:,.2f}"


def _excluded(cfg: PlatformConfig) -> tuple[str, ...]:
    flow_logs = cfg.network.flow_logs
    return EXCLUDED + ((FLOW_LOG_CHARGES[flow_logs.destination],) if flow_logs else ())


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
    if cfg.cluster.existing:  # its owners pay for it
        return Charge(
            "EKS control plane (existing cluster's own)", 0, EKS_CONTROL_PLANE_USD_PER_HOUR.get(support)
        )
    return Charge(f"EKS control plane ({support} support)", 1, EKS_CONTROL_PLANE_USD_PER_HOUR.get(support))


NAT_LAYOUTS = {"perAz": "one per AZ", "single": "single"}


def _nat_gateways(cfg: PlatformConfig) -> Charge:
    count = cfg.network.nat_gateway_count
    price = NAT_GATEWAY_USD_PER_HOUR.get(cfg.region)
    # An existing network's NAT gateways are its owner's bill, not this stack's.
    per = "existing network's own" if cfg.network.existing else NAT_LAYOUTS[cfg.network.nat_gateways]
    return Charge(f"NAT gateways ({count}, {per}; hourly charge only)", count, price)
