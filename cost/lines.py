"""The lines of a cost estimate: fixed charges, node groups, NodePools and models, each priced per hour,
and how their totals add up when some part has no price."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

HOURS_PER_MONTH = 730  # AWS's own convention: 365 days x 24 h / 12

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


def sum_or_none(values: Iterable[float | None]) -> float | None:
    total = add(values)
    return total.usd if total.complete else None
