"""Warm headroom: placeholders every model replica preempts and that never preempt, holding a node its largest
replica fits on with the vLLM image pulled; counted in the GPU quota and the cost report."""

from __future__ import annotations

import pytest

from cost.estimate import estimate
from cost.sources import select_prices
from serving.headroom import PRIORITY, PRIORITY_CLASS, headroom_gpus


def test_placeholders_are_always_preempted_by_models_never_the_reverse(plans):
    prod = plans["prod"]
    (pc,) = [r["inputs"] for r in prod.of_type("kubernetes:scheduling.k8s.io/v1:PriorityClass")]
    assert pc["value"] == PRIORITY < 0 and pc["preemptionPolicy"] == "Never" and pc["globalDefault"] is False
    deployments = {
        r["inputs"]["metadata"]["name"]: r["inputs"] for r in prod.of_type("kubernetes:apps/v1:Deployment")
    }
    holder = deployments["headroom-gpu-spot"]["spec"]["template"]["spec"]
    assert holder["priorityClassName"] == PRIORITY_CLASS
    for m in prod.fleet.models:  # the models run at the default priority, 0, above every placeholder
        assert "priorityClassName" not in deployments[m.name]["spec"]["template"]["spec"]


def test_a_placeholder_holds_a_node_its_pools_largest_replica_fits_and_pulls_the_image(plans):
    prod = plans["prod"]
    pool = prod.fleet.pools["gpu-spot"]
    d = next(
        r["inputs"]
        for r in prod.of_type("kubernetes:apps/v1:Deployment")
        if r["inputs"]["metadata"]["name"] == "headroom-gpu-spot"
    )
    assert d["spec"]["replicas"] == pool.config.headroom == 1
    pod = d["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"llm-platform.io/pool": "gpu-spot"}
    (hold,) = pod["containers"]
    assert hold["resources"]["requests"]["nvidia.com/gpu"] == str(headroom_gpus(prod.fleet, pool)) == "1"
    (pull,) = pod["initContainers"]
    assert pull["image"].startswith("vllm/vllm-openai:") and pull["command"] == ["/bin/true"]
    assert prod.fleet.model("qwen3-8b").cold.warm_node.image_s == 0  # the pull is done before a replica comes


def test_headroom_is_in_the_quota_and_the_cost(plans):
    prod = plans["prod"]
    (quota,) = prod.of_type("kubernetes:core/v1:ResourceQuota")
    minimum = sum(m.tp * m.config.replicas.min for m in prod.fleet.models)
    held = {p.name: headroom_gpus(prod.fleet, p) * p.config.headroom for p in prod.fleet.pools.values()}
    assert {p: n for p, n in held.items() if n} == {"gpu-spot": 1, "gpu-on-demand": 4}  # qwen3-32b is TP 4
    assert int(quota["inputs"]["spec"]["hard"]["requests.nvidia.com/gpu"]) >= minimum + sum(held.values())
    est = estimate(prod.fleet, select_prices(False), "prod")
    warm = {w.pool: w for w in est.headroom}
    assert {(w.nodes, w.instance_type) for w in warm.values()} == {(1, "g6e.xlarge"), (1, "g6e.12xlarge")}
    assert warm["gpu-on-demand"].instance_type == "g6e.12xlarge"  # the cheapest type a 4-GPU replica fits
    rows = {name: (lo, hi) for name, lo, hi in est.rows()}
    assert rows["Warm headroom (NodePools)"] == (pytest.approx(sum(w.hourly() for w in warm.values())), 0.0)
