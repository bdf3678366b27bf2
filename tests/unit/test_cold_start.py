"""The cold-start model recomputed by hand, for one model on each path, from the rates and their sources in
fleet/cold_start.py; and how its figures reach the probe, the interceptor's hold and the plan's table."""

from __future__ import annotations

import math

from fleet import cold_start as cs
from fleet.load import resolve_fleet
from tests.conftest import model_plan


def test_prod_qwen3_32b_on_each_path_by_hand(plans):
    m = plans["prod"].fleet.model("qwen3-32b")  # 61 GiB of bf16 weights, the Run:ai streamer, AL2023 + SOCI
    assert m.config.load_format == "runai_streamer"
    weights = math.ceil(m.weights_gib * 1024 / 1000)  # the Run:ai benchmarks: 1,000 MiB/s, storage-bound
    engine_warm, engine_cold = 13 + 7 + 30, 42 + 54 + 30  # tensorfuse's compile and graph capture, + ours
    node, image, pod = 40 + 60, 60, 10  # Karpenter Ready + GPUs advertised; SOCI on AL2023; the pod
    assert m.cold.launch.total_s == node + image + pod + weights + engine_warm
    assert m.cold.warm_node.total_s == image + pod + weights + engine_warm  # no headroom on its pools: a pull
    assert m.cold.next_replica.total_s == pod + weights + engine_warm
    assert m.cold.first_ever.total_s == node + image + pod + weights + engine_cold
    assert (
        m.cold.next_replica.total_s < m.cold.warm_node.total_s < m.cold.launch.total_s
    )  # the next is faster


def test_the_streamer_and_the_volume_change_the_stages_they_touch(plans):
    cfg = plans["prod"].config
    fast = model_plan(cfg, "qwen3-8b", load_format="runai_streamer")
    slow = model_plan(cfg, "qwen3-8b", load_format="auto")
    assert (
        fast.cold.next_replica.weights_s
        == math.ceil(fast.weights_gib * 1024 / 1000)
        < slow.cold.next_replica.weights_s
    )
    assert fast.cold.next_replica.engine_s == slow.cold.next_replica.engine_s
    shape = cs.NodeShape("al2023", True, 250)  # below nodeadm's 600 MiB/s: containerd's default figure
    assert cs.image_pull_s(shape.family, shape.fast_pull, shape.throughput_mibps, cached=False) == 131
    assert cs.image_pull_s("bottlerocket", True, 600, cached=False) == 45
    assert cs.image_pull_s("al2023", True, 600, cached=True) == 0


def test_a_model_on_node_groups_only_has_no_launch_path(plans):
    cfg = plans["prod"].config
    groups = [g for g in cfg.gpu_node_groups]
    m = model_plan(
        cfg, "qwen3-8b", placement=cfg.models[0].placement.model_copy(update={"pools": [groups[0].name]})
    )
    assert m.cold.launch is None and m.cold.first_ever.node_s == 0


def test_the_probe_the_hold_and_the_table_read_the_model(plans):
    prod = plans["prod"]
    for m in prod.fleet.models:
        (d,) = [
            r
            for r in prod.of_type("kubernetes:apps/v1:Deployment")
            if r["inputs"]["metadata"]["name"] == m.name
        ]
        probe = d["inputs"]["spec"]["template"]["spec"]["containers"][0]["startupProbe"]
        assert probe["periodSeconds"] * probe["failureThreshold"] >= m.startup_budget_s
    dev = plans["dev"].fleet.model("qwen3-0-6b")
    (route,) = [r["inputs"] for r in plans["dev"].of_type("kubernetes:http.keda.sh/v1beta1:InterceptorRoute")]
    assert (
        route["spec"]["timeouts"]["readiness"] == f"{dev.hold_s}s"
        and dev.hold_s >= dev.cold.first_ever.total_s
    )
    assert resolve_fleet(prod.config).model("qwen3-8b").cold == prod.fleet.model("qwen3-8b").cold


# vLLM 0.31.0: vllm/model_executor/model_loader/__init__.py LoadFormats, and the keys runai_streamer_loader.py
# takes (any other is a ValueError), each type-checked there (ints, bools refused).
VLLM_LOAD_FORMATS = {"auto", "hf", "dummy", "fastsafetensors", "instanttensor", "ipc_cache", "mistral",
                     "modelexpress", "npcache", "pt", "runai_streamer", "runai_streamer_sharded", "safetensors",
                     "sharded_state", "tensorizer"}  # fmt: skip
RUNAI_KEYS = {"distributed", "concurrency", "memory_limit"}


def test_the_streamer_arguments_are_what_vllm_0_31_0_takes(plans):
    import json

    from serving.server import vllm_args

    for m in plans["prod"].fleet.models:
        args = vllm_args(m)
        assert args[args.index("--load-format") + 1] in VLLM_LOAD_FORMATS
        extra = json.loads(args[args.index("--model-loader-extra-config") + 1])
        assert set(extra) <= RUNAI_KEYS
        assert all(type(v) is int for v in extra.values()) and extra["concurrency"] >= 1
        # Its buffers stay within the replica's memory limit: a quarter of it by default.
        assert 0 < extra["memory_limit"] <= m.placement.memory_gib * 1024**3 // 2
    assert "--load-format" not in vllm_args(
        plans["dev"].fleet.model("qwen3-0-6b")
    )  # auto: vLLM's own default


def test_fleet_json_carries_every_path_and_make_plan_reports_a_change(plans):
    from fleet.summary import fleet_summary, model_changes

    prod = plans["prod"].fleet
    doc = fleet_summary(prod)
    m = prod.model("qwen3-8b")
    stages = doc["models"]["qwen3-8b"]["coldStartSeconds"]
    assert stages["warmNode"] == {"node": 0, "image": 0, "pod": 10, "weights": m.cold.warm_node.weights_s,
                                  "engine": 50, "total": m.cold.warm_node.total_s}  # fmt: skip
    assert doc["models"]["qwen3-8b"]["loadFormat"] == "runai_streamer"
    slower = model_plan(plans["prod"].config, "qwen3-8b", load_format="auto")
    before = {"models": {"qwen3-8b": {**doc["models"]["qwen3-8b"]}}}
    after = {"models": {"qwen3-8b": {**doc["models"]["qwen3-8b"], "coldStartSeconds": {
        "warmNode": {"total": slower.cold.warm_node.total_s}}}}}  # fmt: skip
    (line,) = model_changes(before, after)
    assert (
        f"cold start on a warm node (s) {m.cold.warm_node.total_s} -> {slower.cold.warm_node.total_s}" in line
    )
