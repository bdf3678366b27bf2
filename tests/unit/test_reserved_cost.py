"""The cost lines of reserved capacity: a reservation is committed spend (the same at every scale), its pool's
nodes cost nothing more, a replica on it is attributed the reservation's price per GPU, and what the models'
minimum replicas leave of it is idle."""

from __future__ import annotations

import pytest

from cost.lines import HOURS_PER_MONTH, ModelCost, NodeGroupCost, ReservationCost
from cost.report import render_markdown
from tests.conftest import write_variant
from tests.reserved_variant import BLOCK_PRICE, P5_ON_DEMAND, with_p5_capacity_blocks
from tests.unit.test_cost import cost


def line(**changes) -> ReservationCost:
    values = dict(
        pool="h100-block",
        kind="node group",
        reservation_type="capacityBlock",
        target="cr-0a1b2c3d4e5f60718",
        instance_type="p5.48xlarge",
        instances=2,
        unit_price=BLOCK_PRICE,
        basis="hourlyPrice, as purchased",
        gpus=16,
        used_gpus=6,
    )
    return ReservationCost(**(values | changes))


def test_a_reservation_costs_its_instances_at_its_price_and_the_unused_share_is_idle():
    r = line()
    assert r.hourly == 2 * BLOCK_PRICE
    assert r.idle_gpus == 10
    assert r.idle_hourly == pytest.approx(2 * BLOCK_PRICE * 10 / 16)
    assert r.per_gpu == pytest.approx(2 * BLOCK_PRICE / 16)
    assert line(used_gpus=16).idle_hourly == 0
    # An unpriced reservation is n/a, never a guess.
    assert line(unit_price=None).hourly is None and line(unit_price=None).idle_hourly is None


def test_a_reserved_pools_own_line_adds_nothing_to_its_reservation():
    group = NodeGroupCost(
        "h100-block", "reserved", ("p5.48xlarge",), "p5.48xlarge", "the reserved type", P5_ON_DEMAND, 22.0,
        1, 2, "p5.48xlarge", P5_ON_DEMAND, reservation=line(),
    )  # fmt: skip
    assert (group.hourly("min"), group.hourly("max"), group.worst_hourly) == (0.0, 0.0, 0.0)
    assert group.price == BLOCK_PRICE


def test_a_replica_on_reserved_capacity_is_attributed_the_reservations_price():
    m = ModelCost("m", 2, "p5.48xlarge", ("h100-block",), "on-demand", "reserved", 3, 8, 13.76, 5.5, 7.865)
    assert m.price == 7.865 and m.hourly("min") == pytest.approx(3 * 7.865)


@pytest.fixture(scope="module")
def reserved(tmp_path_factory):
    project = write_variant(tmp_path_factory.mktemp("reserved"), with_p5_capacity_blocks, base="prod")
    return cost("variant", project_dir=project)


def test_the_estimate_counts_each_reservation_once_at_every_scale(reserved):
    paid = 2 * BLOCK_PRICE  # two blocks of one instance
    rows = {name: (lo, hi) for name, lo, hi in reserved.rows()}
    assert rows["Reserved capacity (already paid: ODCRs, Capacity Blocks)"] == (paid, paid)
    assert not [
        name for name in rows if name.endswith("reserved")
    ]  # no node group or NodePool row of its own
    # The worst case cannot push a reservation to a priciest type: it is what was bought.
    assert reserved.worst_monthly().usd - cost("prod").worst_monthly().usd >= paid * HOURS_PER_MONTH


def test_the_model_on_reserved_capacity_is_priced_at_the_blocks_rate(reserved):
    (m,) = [m for m in reserved.models if m.name == "qwen3-32b-h100"]
    assert (m.priced_as, m.price) == ("reserved", pytest.approx(BLOCK_PRICE / 8 * 2))


def test_the_report_lists_each_reservation_with_its_idle_cost(reserved):
    md = render_markdown(reserved)
    section = md.split("## Reserved capacity (already paid)")[1].split("\n## ")[0]
    assert "| 8 of 8 | 0.00 |" in section  # the group's node is full
    assert "| 2 of 8 | 17,224.35 |" in section  # 6 of 8 GPUs idle: 31.46 x 6/8 x 730
    assert "$17,224.35/month in all" in section


def test_stacks_without_a_reservation_have_no_reserved_line():
    for stack in ("dev", "prod"):
        est = cost(stack)
        assert est.reservations == ()
        assert "Reserved capacity" not in render_markdown(est)
