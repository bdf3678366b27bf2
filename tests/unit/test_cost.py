"""The cost estimate over the real stack files, priced by the offline table; numbers recomputed here from
catalog/prices.py so a price or config change shows up as a test diff, not a silent drift."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from catalog.gpus import GPU_INSTANCES
from catalog.prices import ON_DEMAND_USD_PER_HOUR, SPOT_FRACTION
from cost.capacity import nodes_within_limits
from cost.estimate import FLOW_LOG_CHARGES, estimate
from cost.lines import HOURS_PER_MONTH
from cost.report import render_markdown, summary_line, write_report
from cost.sources import TablePrices
from planner.run import validate_stack
from tests.conftest import PROJECT_DIR, STACKS, write_variant

DEV, PROD = ON_DEMAND_USD_PER_HOUR["us-west-2"], ON_DEMAND_USD_PER_HOUR["us-east-1"]
M7I_LARGE, M7I_XLARGE = 0.1008, 0.2016  # catalog/prices.py CPU table
EKS, NAT = 0.10, 0.045


def spot(price: float, family: str) -> float:
    return price * SPOT_FRACTION[family]


def config(stack: str, project_dir=PROJECT_DIR):
    return validate_stack(project_dir, stack)[1]


def cost(stack: str, prices=None, project_dir=PROJECT_DIR):
    return estimate(config(stack, project_dir), prices or TablePrices(), stack)


def by_name(items, name):
    return next(i for i in items if i.name == name)


@pytest.fixture(scope="module")
def dev():
    return cost("dev")


@pytest.fixture(scope="module")
def prod():
    return cost("prod")


def vol(size_gib: int) -> float:
    """$/h of one GPU node's image volume at the defaults (600 MiB/s, 6,000 IOPS), by the gp3 price list."""
    return (size_gib * 0.08 + (6000 - 3000) * 0.005 + (600 - 125) * 0.04) / HOURS_PER_MONTH


def test_dev_numbers(dev):
    assert [c.hourly for c in dev.fixed] == [EKS, NAT]  # one NAT gateway: natGateways single
    assert (dev.system.hourly("min"), dev.system.hourly("max")) == (2 * M7I_LARGE, 3 * M7I_LARGE)
    l4 = by_name(dev.node_groups, "l4-spot")
    assert l4.priced_type == "g6.xlarge"  # the cheapest of g6.xlarge, g6.2xlarge, g6.4xlarge
    assert (l4.hourly("min"), l4.hourly("max")) == (0, pytest.approx(2 * spot(DEV["g6.xlarge"], "g6")))
    # NodePools: nothing at minimum (the model scales to zero); at the limit, gpuLimit 1-GPU g6.xlarge nodes
    pools = {p.name: p for p in dev.node_pools}
    assert {n: (p.hourly("min"), p.nodes_at_limit) for n, p in pools.items()} == {
        "gpu-spot": (0, 4),
        "gpu-on-demand": (0, 2),
    }
    assert pools["gpu-spot"].hourly("max") == pytest.approx(4 * spot(DEV["g6.xlarge"], "g6"))
    assert pools["gpu-on-demand"].hourly("max") == pytest.approx(2 * DEV["g6.xlarge"])
    lo = EKS + NAT + 2 * M7I_LARGE
    hi = EKS + NAT + 3 * M7I_LARGE + (2 + 4) * spot(DEV["g6.xlarge"], "g6") + 2 * DEV["g6.xlarge"]
    hi += 2 * vol(150) + (4 + 2) * vol(200)  # image volumes: l4-spot's 2 nodes, the NodePools' 4 + 2
    assert dev.hourly("min").usd == pytest.approx(lo)
    assert dev.monthly("min").usd == pytest.approx(lo * HOURS_PER_MONTH) == pytest.approx(253.018)
    assert dev.monthly("max").usd == pytest.approx(hi * HOURS_PER_MONTH)
    model = by_name(dev.models, "qwen3-0-6b")
    assert (model.priced_as, model.min_replicas, model.max_replicas) == ("spot", 0, 2)  # either prefers spot


def test_prod_numbers(prod):
    nat = by_name(prod.fixed, prod.fixed[1].name)
    assert nat.units == 3 and nat.hourly == pytest.approx(3 * NAT)  # one per AZ, three AZs
    assert (prod.system.min_size, prod.system.max_size, prod.system.price) == (3, 6, M7I_XLARGE)
    od = by_name(prod.node_groups, "l40s-on-demand")
    assert (od.hourly("min"), od.hourly("max")) == (
        PROD["g6e.12xlarge"],
        pytest.approx(4 * PROD["g6e.12xlarge"]),
    )
    sp = by_name(prod.node_groups, "l40s-spot")
    assert sp.hourly("max") == pytest.approx(6 * spot(PROD["g6e.12xlarge"], "g6e"))
    assert sp.worst_hourly == pytest.approx(6 * spot(PROD["g6e.48xlarge"], "g6e"))
    pools = {p.name: p for p in prod.node_pools}
    # qwen3-32b (TP 4) on the on-demand pool needs g6e.12xlarge: 16 GPUs / 4 per node = 4 nodes
    assert (pools["gpu-on-demand"].priced_type, pools["gpu-on-demand"].nodes_at_limit) == ("g6e.12xlarge", 4)
    assert pools["gpu-on-demand"].hourly("max") == pytest.approx(4 * PROD["g6e.12xlarge"])
    assert (pools["gpu-spot"].priced_type, pools["gpu-spot"].nodes_at_limit) == ("g6e.xlarge", 32)
    # Minimum: qwen3-32b's replica fills the always-on g6e.12xlarge; qwen3-8b's two go to the spot NodePool
    # (weight 80 over 20), one g6e.xlarge each.
    assert pools["gpu-spot"].min_nodes == ("g6e.xlarge", "g6e.xlarge")
    assert pools["gpu-on-demand"].min_nodes == ()
    lb = 0.0225  # the gateway's NLB (ELB pricing page)
    # Headroom: one node each pool's largest replica fits, gpu-spot's for qwen3-8b (TP 1), gpu-on-demand's
    # for qwen3-32b (TP 4).
    warm = spot(PROD["g6e.xlarge"], "g6e") + PROD["g6e.12xlarge"]
    lo = (
        EKS
        + 3 * NAT
        + lb
        + 3 * M7I_XLARGE
        + PROD["g6e.12xlarge"]
        + 2 * spot(PROD["g6e.xlarge"], "g6e")
        + warm
    )
    lo += vol(300) + (2 + 1 + 1) * vol(
        200
    )  # image volumes: the on-demand group's node; gpu-spot's two and its warm one; gpu-on-demand's warm one
    hi = (
        EKS + 3 * NAT + lb + 6 * M7I_XLARGE
        + 4 * PROD["g6e.12xlarge"] + 6 * spot(PROD["g6e.12xlarge"], "g6e")
        + 4 * PROD["g6e.12xlarge"] + 32 * spot(PROD["g6e.xlarge"], "g6e")
        + (4 + 6) * vol(300) + (32 + 4) * vol(200)
    )  # fmt: skip
    assert prod.monthly("min").usd == pytest.approx(lo * HOURS_PER_MONTH)
    assert prod.monthly("max").usd == pytest.approx(hi * HOURS_PER_MONTH)
    assert prod.monthly("min").complete and prod.monthly("max").complete


@pytest.mark.parametrize("stack", STACKS)
def test_relationships_on_every_real_stack(stack):
    est = cost(stack)
    lo, hi, worst = est.monthly("min"), est.monthly("max"), est.worst_monthly()
    assert 0 < lo.usd < hi.usd <= worst.usd
    # Models run on the capacity: what they occupy never exceeds what the fleet can cost.
    assert est.models_monthly("max").usd <= hi.usd
    for g in est.node_groups:
        assert g.hourly("min") <= g.hourly("max")
        assert g.spot < g.on_demand
    for p in est.node_pools:
        assert p.spot < p.on_demand
        assert p.nodes_at_limit * GPU_INSTANCES[p.priced_type].gpu_count <= p.limits["nvidia.com/gpu"]
    assert est.warnings == ()


def test_a_replica_costs_the_share_of_its_nodes_gpus():
    # The one price-per-replica computation (fleet Placement), by hand: node price x TP / GPUs per node.
    fleet = config("prod")
    big = fleet.model("qwen3-32b").placement  # TP 4 on L40S
    assert big.price_per_replica(PROD.get) == pytest.approx(PROD["g6e.12xlarge"] * 4 / 4)
    assert big.price_per_replica(PROD.get, "g6e.48xlarge") == pytest.approx(PROD["g6e.48xlarge"] * 4 / 8)
    assert big.price_per_replica(lambda t: None) is None
    # The cost report prices each model's line with it, on its cheapest type, spot from the spot table.
    est = estimate(fleet, TablePrices(), "prod")
    small = by_name(est.models, "qwen3-8b")
    assert (small.instance_type, small.tp) == ("g6e.xlarge", 1)
    assert small.on_demand == pytest.approx(PROD["g6e.xlarge"])
    assert small.spot == pytest.approx(spot(PROD["g6e.xlarge"], "g6e"))
    assert by_name(est.models, "qwen3-32b").on_demand == pytest.approx(PROD["g6e.12xlarge"])


def test_extended_support_costs_six_times_the_control_plane(tmp_path):
    write_variant(tmp_path, lambda c: c["llm-platform:cluster"].update(supportType="EXTENDED"))
    est = cost("variant", project_dir=tmp_path)
    assert est.fixed[0].hourly == 0.60 and "EXTENDED" in est.fixed[0].name


def test_minimum_replicas_beyond_the_node_groups_are_karpenter_nodes(tmp_path):
    def keep_one_warm(c):
        c["llm-platform:models"][0]["replicas"]["min"] = 1

    write_variant(tmp_path, keep_one_warm)
    est = cost("variant", project_dir=tmp_path)
    pools = {p.name: p for p in est.node_pools}
    assert pools["gpu-spot"].min_nodes == ("g6.xlarge",)  # l4-spot is at 0; the spot pool weighs more
    # The node, and its image volume.
    assert est.hourly("min").usd == pytest.approx(
        EKS + NAT + 2 * M7I_LARGE + spot(DEV["g6.xlarge"], "g6") + vol(200)
    )


def test_the_tightest_limit_bounds_a_nodepool():
    g6e_12 = GPU_INSTANCES["g6e.12xlarge"]  # 4 GPUs, 48 vCPUs
    assert nodes_within_limits({"nvidia.com/gpu": 16}, g6e_12) == (4, "nvidia.com/gpu")
    assert nodes_within_limits({"nvidia.com/gpu": 16, "cpu": 96}, g6e_12) == (2, "cpu")
    assert nodes_within_limits({"nvidia.com/gpu": 3}, g6e_12) == (0, "nvidia.com/gpu")


# --- missing prices ----------------------------------------------------------------------------------------


@dataclass
class WithoutSome:
    """The table, minus some instance types."""

    missing: set[str]
    description: str = "test prices"
    warnings: list[str] = field(default_factory=list)

    def description_for(self, region):
        return self.description

    def on_demand(self, region, instance_type):
        return None if instance_type in self.missing else TablePrices().on_demand(region, instance_type)

    def spot(self, region, instance_type):
        return None if instance_type in self.missing else TablePrices().spot(region, instance_type)


def test_a_missing_instance_price_shows_na_and_warns_without_crashing():
    est = cost("prod", WithoutSome({"g6e.12xlarge"}))
    assert by_name(est.node_groups, "l40s-on-demand").hourly("max") is None
    assert not est.monthly("max").complete
    assert by_name(est.node_pools, "gpu-on-demand").hourly("max") is None  # what qwen3-32b needs: n/a
    # the spot group falls back on its next listed type; whatever is priced is still summed
    assert by_name(est.node_groups, "l40s-spot").priced_type == "g6e.24xlarge"
    full = cost("prod")
    change = (
        -8 * PROD["g6e.12xlarge"]
        - 6 * spot(PROD["g6e.12xlarge"], "g6e")
        + 6 * spot(PROD["g6e.24xlarge"], "g6e")
    )
    assert est.hourly("max").usd == pytest.approx(full.hourly("max").usd + change)
    md = render_markdown(est)
    assert "n/a" in md and "## Warnings" in md
    assert any("node group l40s-on-demand" in w and "n/a" in w for w in est.warnings)
    assert summary_line(est).startswith("Estimated cost: ≥ $")


def test_a_family_the_region_has_no_price_for_shows_na_and_the_rest_is_priced(tmp_path):
    def ireland(c):
        c["aws:region"] = "eu-west-1"
        c["llm-platform:network"]["availabilityZones"] = ["eu-west-1a", "eu-west-1b"]

    write_variant(tmp_path, ireland)  # dev's g6 (L4): not offered in eu-west-1, so no price there
    est = cost("variant", project_dir=tmp_path)
    assert est.system.price is not None  # m7i, m6i: priced in eu-west-1 (catalog/region_prices.py)
    assert est.node_groups and all(g.price is None for g in est.node_groups)
    assert any("no on-demand price for g6." in w and "in eu-west-1" in w for w in est.warnings)
    assert not any(
        "NAT gateways" in w for w in est.warnings
    )  # eu-west-1's NAT charge is in catalog/prices.py
    assert est.monthly("max")[1] is False  # incomplete: the unpriced lines are left out, not guessed
    assert "# Cost estimate: stack `variant` (eu-west-1)" in render_markdown(est)


# --- the report --------------------------------------------------------------------------------------------


def test_markdown_has_every_section_and_the_total(prod):
    md = render_markdown(prod)
    assert md.startswith("# Cost estimate: stack `prod` (us-east-1)\n")
    for heading in (
        "## Summary",
        "## Managed node groups",
        "## Karpenter NodePools",
        "## Models",
        "## Assumptions",
    ):
        assert f"\n{heading}" in md
    lo, hi = prod.monthly("min").usd, prod.monthly("max").usd
    assert f"**Estimated cost: ${lo:,.2f}/month at minimum scale, ${hi:,.2f}/month at maximum scale.**" in md
    assert f"| **Total** | **{prod.hourly('min').usd:,.4f}** | **{lo:,.2f}** |" in md
    assert "2026-07" in md  # the price table's date
    assert "730 hours a month" in md
    for excluded in (
        "EBS volumes",
        "EFS storage",
        "data transfer",
        "NAT gateway data processing",
        "load balancer capacity units",
    ):
        assert excluded in md
    assert "attribution" in md and "not added to the totals" in md
    assert "## Warnings" not in md
    assert render_markdown(cost("prod")) == md  # deterministic: no timestamps with the offline table


def test_write_report_writes_cost_md_and_returns_the_total_line(tmp_path):
    line = write_report(config("dev"), "dev", tmp_path)
    text = (tmp_path / "cost.md").read_text()
    assert line.strip() == f"{summary_line(cost('dev'))} -> {tmp_path / 'cost.md'}"
    assert "at minimum scale" in line and "(prices: AWS Pricing API snapshots of 2026-07" in line
    assert text == render_markdown(cost("dev"))


@pytest.mark.parametrize("stack", STACKS)
def test_flow_logs_are_named_among_the_exclusions_exactly_when_they_are_on(stack):
    est = cost(stack)
    (excluded,) = [line for line in render_markdown(est).splitlines() if line.startswith("- Excluded: ")]
    flow_logs = config(stack).config.network.flow_logs
    assert ("VPC flow logs" in excluded) == (flow_logs is not None)
    if flow_logs:
        assert FLOW_LOG_CHARGES[flow_logs.destination] in excluded


def test_flow_logs_to_s3_are_excluded_as_delivery_to_s3(tmp_path):
    def to_s3(c: dict) -> None:
        c["llm-platform:network"]["flowLogs"] = {
            "destination": "s3",
            "bucketArn": "arn:aws:s3:::example-logs",
        }

    est = cost("variant", project_dir=write_variant(tmp_path, to_s3, base="prod"))
    assert FLOW_LOG_CHARGES["s3"] in est.excluded
    assert FLOW_LOG_CHARGES["cloudWatch"] not in est.excluded
