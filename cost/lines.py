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
class ReservationCost:
    """A pool's capacity reservation (an ODCR or a Capacity Block): committed spend, paid every hour it exists
    whether nodes run in it or not, so the same at minimum and at maximum scale. The pool's nodes in it cost
    nothing more; what the models' minimum replicas leave of it is idle."""

    pool: str
    kind: str  # node group | NodePool
    reservation_type: str  # odcr | capacityBlock
    target: str  # the reservation's id, or its resource group
    instance_type: str
    instances: int
    unit_price: float | None  # $/h per reserved instance
    basis: str  # where unit_price comes from
    gpus: int  # GPUs reserved: instances x GPUs per instance
    used_gpus: float  # what the models' minimum replicas occupy of them

    @property
    def hourly(self) -> float | None:
        return times(self.unit_price, self.instances)

    @property
    def idle_gpus(self) -> float:
        return max(0.0, self.gpus - self.used_gpus)

    @property
    def idle_hourly(self) -> float | None:
        """Reserved instances x price, less the share the models' minimum replicas use."""
        hourly = self.hourly
        return None if hourly is None else hourly * self.idle_gpus / self.gpus

    @property
    def per_gpu(self) -> float | None:
        """$/h of one reserved GPU: what a replica on it is attributed."""
        return None if self.unit_price is None else self.unit_price * self.instances / self.gpus


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
    reservation: ReservationCost | None = None  # its nodes are paid in the reservation's line

    @property
    def price(self) -> float | None:
        if self.reservation:
            return self.reservation.unit_price
        return self.spot if self.capacity_type == "spot" else self.on_demand

    def hourly(self, scale: Scale) -> float | None:
        if self.reservation:
            return 0.0
        return times(self.price, self.min_size if scale == "min" else self.max_size)

    @property
    def worst_hourly(self) -> float | None:
        return 0.0 if self.reservation else times(self.worst_price, self.max_size)


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
    reservation: ReservationCost | None = None  # its nodes are paid in the reservation's line

    @property
    def price(self) -> float | None:
        if self.reservation:
            return self.reservation.unit_price
        return self.spot if self.capacity_type == "spot" else self.on_demand

    def hourly(self, scale: Scale) -> float | None:
        if self.reservation:
            return 0.0
        return self.min_hourly_price if scale == "min" else times(self.price, self.nodes_at_limit)

    @property
    def worst_hourly(self) -> float | None:
        return 0.0 if self.reservation else times(self.worst_price, self.worst_nodes)


@dataclass(frozen=True)
class ModelCost:
    """One model's replicas, priced as the share of a node they occupy (attribution, not extra spend)."""

    name: str
    tp: int
    instance_type: str
    pools: tuple[str, ...]
    placement: str  # on-demand | spot | either
    priced_as: str  # on-demand | spot | reserved
    min_replicas: int
    max_replicas: int
    on_demand: float | None  # $/h per replica
    spot: float | None
    reserved: float | None = None  # its share of a reservation it prefers, at the reservation's price

    @property
    def price(self) -> float | None:
        return {"spot": self.spot, "reserved": self.reserved}.get(self.priced_as, self.on_demand)

    def hourly(self, scale: Scale) -> float | None:
        return times(self.price, self.min_replicas if scale == "min" else self.max_replicas)


def sum_or_none(values: Iterable[float | None]) -> float | None:
    total = add(values)
    return total.usd if total.complete else None
