"""Reserved capacity in the cost estimate: each pool's ODCR or Capacity Block, priced as already paid.

A reservation is committed spend: an ODCR is billed at the on-demand rate for every hour it exists, instances in
it or not (EC2 user guide, "Capacity Reservation pricing and billing"), and a Capacity Block is paid up front for
its days. So it costs the same at minimum and at maximum scale, the pool's nodes in it cost nothing more, and
what the models' minimum replicas do not occupy is idle: paid for, serving nothing. A Capacity Block's price is
its purchase price (`hourlyPrice`, the upfront fee over its instances and hours); an ODCR's is the on-demand rate
unless `hourlyPrice` writes a discounted one (a Savings Plan or Reserved Instances apply to ODCRs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from catalog.gpus import GPU_INSTANCES
from cost.lines import ReservationCost
from fleet.resolved import Fleet, Pool

BASIS = {
    "capacityBlock": "hourlyPrice, as purchased",
    "odcr": "hourlyPrice, the rate written",
}


def reservation_costs(
    fleet: Fleet, on_demand: Callable[[str], float | None], used_gpus: Mapping[str, float]
) -> dict[str, ReservationCost]:
    """Pool name -> its reservation's cost, for every pool in a reservation; `on_demand` prices an instance type
    ($/h) and `used_gpus` is what the models' minimum replicas occupy per pool."""
    return {
        p.name: _reservation_cost(p, on_demand, used_gpus.get(p.name, 0.0))
        for p in fleet.pools.values()
        if p.reservation is not None
    }


def _reservation_cost(pool: Pool, on_demand: Callable[[str], float | None], used: float) -> ReservationCost:
    r = pool.reservation
    assert r is not None
    instance_type = pool.instance_types[0]  # a reserved pool has the one reserved type (config/schema)
    written = r.hourly_price is not None
    return ReservationCost(
        pool=pool.name,
        kind=pool.kind,
        reservation_type=r.type,
        target=getattr(r, "id", None) or getattr(r, "resource_group_arn", ""),
        instance_type=instance_type,
        instances=r.instances,
        unit_price=r.hourly_price if written else on_demand(instance_type),
        basis=BASIS[r.type] if written else "the on-demand rate, which an ODCR is billed at",
        gpus=r.instances * GPU_INSTANCES[instance_type].gpu_count,
        used_gpus=used,
    )
