"""The resolved fleet against what the plan renders: the GPU quota is the fleet's real capacity, and equals
the policy pack's own (independent) count, for every shipped stack and for fleets built to tell them apart."""

from __future__ import annotations

import json

import pytest

from planner import policy_check
from planner.render import write_plan
from planner.run import Plan, run_plan
from policy import rules
from tests.conftest import write_variant


def quota(plan: Plan) -> int:
    (q,) = plan.of_type("kubernetes:core/v1:ResourceQuota")
    return int(q["inputs"]["spec"]["hard"]["requests.nvidia.com/gpu"])


def policy_capacity(plan: Plan) -> int:
    return rules.gpu_capacity(policy_check.resources_of(plan.resources))[0]


def test_the_quota_is_the_capacity_the_policy_pack_counts(plan):
    assert quota(plan) == plan.fleet.gpu_quota == plan.fleet.gpu_capacity == policy_capacity(plan)


def test_prod_counts_each_spot_group_at_its_largest_instance_type(plans):
    # l40s-spot lists g6e.12xlarge (4 GPUs) first, then 24xlarge (4) and 48xlarge (8): 6 nodes x 8 GPUs.
    prod = plans["prod"]
    assert prod.fleet.pools["l40s-spot"].gpu_capacity == 48
    assert quota(prod) == 4 * 4 + 6 * 8 + 32 + 16 == 112


@pytest.mark.parametrize(
    ("change", "capacity"),
    [
        # First type 1 GPU, then one with 4: the group can hold 3 x 4, not 3 x 1.
        (lambda c: c["llm-platform:gpuNodeGroups"][0].update(instanceTypes=["g6.xlarge", "g6.12xlarge"], maxSize=3),
         3 * 4 + 4 + 2),
        # Without Karpenter its NodePools exist nowhere: neither the quota nor the policy pack counts them.
        (lambda c: c["llm-platform:addons"]["karpenter"].update(enabled=False)
         or c["llm-platform:models"][0]["placement"].update(pools=["l4-spot"]), 2 * 1),
    ],
    ids=["first-type-not-largest", "karpenter-off"],
)  # fmt: skip
def test_variants_keep_quota_and_policy_pack_equal(tmp_path, change, capacity):
    plan = run_plan(write_variant(tmp_path, change), "variant")
    assert quota(plan) == plan.fleet.gpu_capacity == policy_capacity(plan) == capacity


def test_a_configured_quota_wins_over_the_capacity(tmp_path):
    plan = run_plan(
        write_variant(tmp_path, lambda c: c.update({"llm-platform:serving": {"gpuQuota": 3}})), "variant"
    )
    assert quota(plan) == plan.fleet.gpu_quota == 3
    assert plan.fleet.gpu_capacity == policy_capacity(plan) == 8


def test_make_plan_writes_the_resolved_fleet_for_review(tmp_path, plans):
    write_plan(plans["prod"], tmp_path)
    doc = json.loads((tmp_path / "fleet.json").read_text())
    assert doc["gpuQuota"] == doc["gpuCapacity"] == quota(plans["prod"])
    assert doc["pools"]["l40s-spot"]["nodes"] == {"min": 0, "max": 6, "initial": 0}
    assert doc["pools"]["gpu-spot"]["limits"] == {"nvidia.com/gpu": 32}
    big = doc["models"]["qwen3-32b"]
    assert (big["tensorParallelSize"], big["replicasPerNode"], big["pools"]) == (
        4,
        1,
        ["l40s-on-demand", "gpu-on-demand"],
    )
    assert big["usdPerHourPerReplica"]["onDemand"] == pytest.approx(10.4926)
    assert set(doc["addons"]) == {"monitoring", "gpuOperator", "keda"}
