"""Reserved capacity end to end (issue 15, "Capacity reservations"): a prod variant with a p5.48xlarge Capacity
Block managed node group and a p5.48xlarge Capacity Block Karpenter NodePool renders each reservation where AWS
and Karpenter read it, places a model on it, and the cost report prices it as already paid; an ODCR by resource
group renders as on-demand capacity. The real stack files have no reservation: test_policies.py holds them to
every private zone and ON_DEMAND/SPOT."""

from __future__ import annotations

import pytest

from cost.estimate import estimate
from cost.report import render_markdown
from cost.sources import TablePrices
from planner import policy_check
from planner.run import Plan, run_plan
from policy import offline, rules
from tests.conftest import write_variant
from tests.reserved_variant import (
    BLOCK_PRICE,
    GROUP_BLOCK,
    POOL_BLOCK,
    K,
    block_group,
    with_p5_capacity_blocks,
)

NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
RG = "arn:aws:resource-groups:us-east-1:123456789012:group/llm-odcrs"


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Plan:
    return run_plan(
        write_variant(tmp_path_factory.mktemp("reserved"), with_p5_capacity_blocks, base="prod"), "variant"
    )


def _custom(plan: Plan, typ: str, name: str) -> dict:
    (resource,) = [r for r in plan.of_type(typ) if r["inputs"]["metadata"]["name"] == name]
    return resource["inputs"]["spec"]


def test_the_launch_template_targets_the_capacity_block(plan):
    lt = plan.by_name("gpu-h100-block-lt")["inputs"]
    assert lt["capacityReservationSpecification"] == {
        "capacityReservationTarget": {"capacityReservationId": GROUP_BLOCK}
    }
    assert lt["instanceMarketOptions"] == {"marketType": "capacity-block"}
    assert lt["instanceType"] == "p5.48xlarge"
    # The group's other launch template settings are those of every GPU group.
    assert lt["metadataOptions"]["httpPutResponseHopLimit"] == 1


def test_the_node_group_is_a_capacity_block_group_in_the_reservations_zone(plan):
    ng = plan.by_name("gpu-h100-block-ng")["inputs"]
    assert ng["capacityType"] == "CAPACITY_BLOCK"
    assert "instanceTypes" not in ng  # EKS takes a Capacity Block's one type from the launch template
    zones = plan.config.network.zones
    assert ng["subnetIds"] == [plan.outputs["privateSubnetIds"][zones.index("us-east-1a")]]
    assert ng["labels"]["llm-platform.io/capacity-type"] == "reserved"
    assert ng["scalingConfig"] == {"minSize": 1, "maxSize": 1, "desiredSize": 1}


def test_the_node_pool_launches_only_into_its_capacity_block(plan):
    node_class = _custom(plan, NODE_CLASS, "h100-reserved")
    assert node_class["capacityReservationSelectorTerms"] == [{"id": POOL_BLOCK}]
    requirements = {
        r["key"]: r["values"]
        for r in _custom(plan, NODE_POOL, "h100-reserved")["template"]["spec"]["requirements"]
    }
    assert requirements["karpenter.sh/capacity-type"] == ["reserved"]
    assert requirements["karpenter.k8s.aws/capacity-reservation-type"] == ["capacity-block"]
    assert requirements["node.kubernetes.io/instance-type"] == ["p5.48xlarge"]
    assert requirements["topology.kubernetes.io/zone"] == ["us-east-1b"]
    # The other pools neither select a reservation nor ask for reserved capacity.
    for name in ("gpu-spot", "gpu-on-demand"):
        assert "capacityReservationSelectorTerms" not in _custom(plan, NODE_CLASS, name)
    # Karpenter's ReservedCapacity feature gate is set, not left to the chart's default.
    (karpenter,) = [
        r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r["inputs"]["name"] == "karpenter"
    ]
    assert karpenter["inputs"]["values"]["settings"]["featureGates"] == {"reservedCapacity": True}


def test_an_on_demand_model_runs_on_reserved_capacity(plan):
    (deployment,) = [
        r
        for r in plan.of_type("kubernetes:apps/v1:Deployment")
        if r["inputs"]["metadata"]["name"] == "qwen3-32b-h100"
    ]
    terms = deployment["inputs"]["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    (term,) = terms["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    wanted = {e["key"]: e["values"] for e in term["matchExpressions"]}
    assert wanted == {
        "llm-platform.io/pool": ["h100-block", "h100-reserved"],
        "llm-platform.io/capacity-type": ["reserved"],
    }
    assert plan.fleet.model("qwen3-32b-h100").tp == 2


def test_the_cost_report_prices_the_reservations_as_already_paid(plan):
    est = estimate(plan.fleet, TablePrices(), "variant")
    by_pool = {r.pool: r for r in est.reservations}
    block = BLOCK_PRICE  # one instance each, at the purchase price
    assert {p: r.hourly for p, r in by_pool.items()} == {"h100-block": block, "h100-reserved": block}
    rows = {name: (lo, hi) for name, lo, hi in est.rows()}
    assert rows["Reserved capacity (already paid: ODCRs, Capacity Blocks)"] == (2 * block, 2 * block)
    # Four TP-2 replicas fill the group's running node (8 GPUs); the fifth is on a node Karpenter launches into
    # its block, which it fills to 2 of 8 GPUs.
    assert (by_pool["h100-block"].used_gpus, by_pool["h100-reserved"].used_gpus) == (8, 2)
    assert by_pool["h100-block"].idle_hourly == 0
    assert by_pool["h100-reserved"].idle_hourly == pytest.approx(block * 6 / 8)
    (pool,) = [p for p in est.node_pools if p.name == "h100-reserved"]
    assert pool.min_nodes == ("p5.48xlarge",) and pool.hourly("min") == 0.0
    md = render_markdown(est)
    assert "## Reserved capacity (already paid)" in md
    assert f"| h100-block | node group | Capacity Block {GROUP_BLOCK} | p5.48xlarge | 1 | 31.4600 |" in md
    assert "in its reservation" in md  # the pools' own lines add nothing
    assert [w for w in est.warnings if "idle" in w] == [
        f"NodePool h100-reserved: the models' minimum replicas use 2 of the 8 GPUs reserved in {POOL_BLOCK}; the "
        "rest, $17,224.35/month, is paid for idle (place more replicas there, or reserve less)"
    ]


def test_the_policy_pack_counts_the_capacity_block_groups_gpus_from_its_launch_template(plan):
    # The group has no instanceTypes of its own; the pack still counts it (1 x 8), and the variant is at prod's cap.
    ceiling, parts = rules.gpu_capacity(policy_check.resources_of(plan.resources))
    assert "gpu-h100-block-ng: 1 x 8" in parts and "karpenter-nodepool-h100-reserved: limit 8" in parts
    assert ceiling == plan.fleet.gpu_capacity == 128
    config, _ = offline.config_for_stack("prod")
    assert offline.check(policy_check.resources_of(plan.resources), config).mandatory == []


def test_an_odcr_by_resource_group_is_on_demand_capacity_in_every_zone(tmp_path):
    def odcr(c):
        c[f"{K}:gpuNodeGroups"].append(
            block_group(
                name="h100-odcr",
                capacityReservation={"type": "odcr", "resourceGroupArn": RG, "instances": 2},
            )
        )

    plan = run_plan(write_variant(tmp_path, odcr, base="prod"), "variant")
    lt = plan.by_name("gpu-h100-odcr-lt")["inputs"]
    assert lt["capacityReservationSpecification"] == {
        "capacityReservationTarget": {"capacityReservationResourceGroupArn": RG}
    }
    assert "instanceMarketOptions" not in lt and "instanceType" not in lt
    ng = plan.by_name("gpu-h100-odcr-ng")["inputs"]
    assert (ng["capacityType"], ng["instanceTypes"]) == ("ON_DEMAND", ["p5.48xlarge"])
    assert ng["subnetIds"] == plan.outputs["privateSubnetIds"]
    # An ODCR is billed at the on-demand rate unless hourlyPrice says otherwise.
    (reservation,) = estimate(plan.fleet, TablePrices(), "variant").reservations
    assert reservation.unit_price == 55.04 and reservation.basis.startswith("the on-demand rate")


def test_a_stack_without_a_reservation_renders_none(plans):
    for plan in plans.values():
        for lt in plan.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
            assert "capacityReservationSpecification" not in lt["inputs"], lt["name"]
            assert "instanceMarketOptions" not in lt["inputs"], lt["name"]
        for node_class in plan.of_type(NODE_CLASS):
            assert "capacityReservationSelectorTerms" not in node_class["inputs"]["spec"]
        for release in plan.of_type("kubernetes:helm.sh/v3:Release"):
            if release["inputs"]["name"] == "karpenter":
                assert "featureGates" not in release["inputs"]["values"]["settings"]
