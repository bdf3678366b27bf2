"""Operating what was accepted: node maintenance never deadlocks, a model that would stop serving during it is
announced, and a model that `tensorParallelSize: auto` moves is never moved silently."""

from __future__ import annotations

import dataclasses
import json

import pytest

from fleet.budgets import DRAIN_GRACE_MIN_S, drain_grace
from fleet.load import resolve_fleet
from fleet.warnings import _maintenance, fleet_warnings
from planner.run import run_plan
from tests.conftest import run_planner, write_variant


def pdbs(plan) -> dict[str, dict]:
    return {
        r["inputs"]["metadata"]["name"]: r["inputs"]["spec"]
        for r in plan.of_type("kubernetes:policy/v1:PodDisruptionBudget")
    }


def test_every_model_may_always_lose_one_replica_to_a_drain(plans):
    # minAvailable: 1 on a single replica would never allow an eviction (EKS: PodEvictionFailure after 15 min).
    for plan in plans.values():
        for name, spec in pdbs(plan).items():
            assert spec["maxUnavailable"] == 1 and "minAvailable" not in spec, name
        for d in plan.of_type("kubernetes:apps/v1:Deployment"):
            annotations = d["inputs"]["spec"]["template"]["metadata"].get("annotations", {})
            assert "karpenter.sh/do-not-disrupt" not in annotations  # it would hold drift forever


def test_karpenter_drains_are_bounded_past_every_models_cold_start(plans):
    for plan in plans.values():
        fleet = plan.fleet
        for r in plan.of_type("kubernetes:karpenter.sh/v1:NodePool"):
            name = r["inputs"]["metadata"]["name"]
            grace = r["inputs"]["spec"]["template"]["spec"]["terminationGracePeriod"]
            assert grace.endswith("m") and int(grace[:-1]) * 60 == fleet.drain_grace_s[name]
            placed = [m for m in fleet.models if name in {p.name for p in m.placement.pools}]
            assert all(fleet.drain_grace_s[name] >= m.cold_start_s + 600 for m in placed)
            assert fleet.drain_grace_s[name] >= DRAIN_GRACE_MIN_S
    # prod's gpu-on-demand holds qwen3-32b: its cold start (654 s, fleet/cold_start.py) + 10 min is under the
    # 30-minute floor, as is every other pool's.
    assert plans["prod"].fleet.model("qwen3-32b").cold_start_s + 600 < 30 * 60
    assert plans["prod"].fleet.drain_grace_s == {"gpu-spot": 30 * 60, "gpu-on-demand": 30 * 60}


def test_drain_grace_is_whole_minutes_with_a_floor():
    assert drain_grace([]) == 30 * 60
    assert drain_grace([1404]) == 34 * 60 and drain_grace([1404, 600]) == 34 * 60
    assert drain_grace([3000]) == 60 * 60


def test_prod_warns_that_a_single_warm_replica_stops_serving_during_maintenance(plans):
    text = "\n".join(plans["prod"].warnings)
    minutes = -(-plans["prod"].fleet.model("qwen3-32b").cold_start_s // 60)  # fleet/cold_start.py: 359 s
    assert "llm-platform:models[1].replicas.min: 1 warm replica" in text and f"about {minutes} min" in text
    assert "set replicas.min: 2" in text
    # dev's model scales to zero: it has no warm replica to lose, and says nothing of the kind.
    assert not any("warm replica" in w for w in plans["dev"].warnings)


def test_two_warm_replicas_keep_serving_and_only_the_eks_drain_limit_is_said(plans):
    cfg = plans["prod"].config
    models = [
        m.model_copy(update={"replicas": m.replicas.model_copy(update={"min": 2})})
        if m.name == "qwen3-32b"
        else m
        for m in cfg.models
    ]
    fleet = resolve_fleet(cfg.model_copy(update={"models": models}))
    warnings = fleet_warnings(fleet)
    assert not any("models[1].replicas.min" in w for w in warnings)
    # It runs on a managed node group too; it starts within EKS's 15-minute drain (6 min), so nothing is said...
    assert not any(w.startswith("llm-platform:models[1]:") for w in warnings)
    # ...and a replica that took longer than the drain limit would be.
    slow = dataclasses.replace(fleet.model("qwen3-32b"), cold_start_s=24 * 60)
    (said,) = _maintenance(slow)
    assert said.startswith("llm-platform:models[1]: a replica takes about 24 min")


LONGER = 40960  # Qwen3-32B's own limit; at minConcurrency 12 only TP 8 holds it on L40S


def _longer(c):
    big = next(m for m in c["llm-platform:models"] if m["name"] == "qwen3-32b")
    big.update(maxModelLen=LONGER, minConcurrency=12)


def test_auto_tensor_parallelism_drops_pools_that_cannot_hold_it_and_says_so(tmp_path):
    plan = run_plan(write_variant(tmp_path, _longer, base="prod"), "variant")
    big = plan.fleet.model("qwen3-32b")
    assert big.tp == 8 and [p.name for p in big.placement.dropped] == ["l40s-on-demand"]
    assert [p.name for p in big.placement.pools] == ["gpu-on-demand"]
    (deployment,) = [
        d
        for d in plan.of_type("kubernetes:apps/v1:Deployment")
        if d["inputs"]["metadata"]["name"] == "qwen3-32b"
    ]
    terms = deployment["inputs"]["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    pools = terms["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0][
        "matchExpressions"
    ][0]
    assert pools["values"] == ["gpu-on-demand"]  # the 4-GPU pool is not left in its affinity
    assert any(
        w.startswith("llm-platform:models[1].placement.pools: tensorParallelSize auto chose 8")
        and "l40s-on-demand (at most 4 GPUs per node)" in w
        for w in plan.warnings
    )


def test_an_explicit_tensor_parallel_size_that_a_pool_cannot_hold_is_refused(tmp_path):
    from config.issues import ConfigError

    def explicit(c):
        _longer(c)
        next(m for m in c["llm-platform:models"] if m["name"] == "qwen3-32b")["tensorParallelSize"] = 8

    with pytest.raises(ConfigError) as err:
        run_plan(write_variant(tmp_path, explicit, base="prod"), "variant")
    issues = {i.key: i.message for i in err.value.issues}
    assert (
        "l40s-on-demand (at most 4 GPUs per node) cannot hold a replica"
        in issues["llm-platform:models[1].placement.pools"]
    )


def test_make_plan_prints_a_model_that_moved_since_the_last_plan(tmp_path):
    project = write_variant(tmp_path, lambda c: None, base="prod", name="prod")
    out = tmp_path / "build"

    def plan():
        return run_planner("--project-dir", str(project), "--stack", "prod", "--out", str(out))

    first = plan()
    assert first.returncode == 0 and "Changed since the last plan" not in first.stdout
    write_variant(tmp_path, _longer, base="prod", name="prod")
    second = plan()
    assert second.returncode == 0, second.stderr
    line = next(x for x in second.stdout.splitlines() if x.strip().startswith("* qwen3-32b:"))
    assert (
        "TP 4 -> 8" in line
        and "GPUs per replica 4 -> 8" in line
        and "pools l40s-on-demand,gpu-on-demand -> gpu-on-demand" in line
    )
    assert "$/h per replica on-demand 10.4926 -> 30.1312" in line
    assert json.loads((out / "fleet.json").read_text())["models"]["qwen3-32b"]["tensorParallelSize"] == 8
