"""Resolving the fleet: each fact worked out once, from config, and read from there."""

from __future__ import annotations

import json
import math

import pytest

import fleet.load
from config.issues import ConfigError
from config.schema.rope import RopeScalingConfig
from fleet.load import load_fleet, resolve_fleet
from planner.run import run_plan
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR, STACKS


def raw(stack: str = "dev") -> dict[str, str]:
    return dict(read_stack(PROJECT_DIR, stack).config)


def loaded(stack: str = "dev"):
    return load_fleet(raw(stack), f"Pulumi.{stack}.yaml")


def test_pools_carry_their_gpu_capacity_labels_and_slices():
    dev = loaded("dev")
    assert list(dev.pools) == ["l4-spot", "gpu-spot", "gpu-on-demand"]  # node groups first, then NodePools
    spot = dev.pools["l4-spot"]
    assert (spot.kind, spot.capacity_type, spot.gpu.gpu_name, spot.gpu_capacity) == (
        "node group",
        "spot",
        "l4",
        2,
    )
    assert spot.time_slices == 2 and spot.labels["nvidia.com/device-plugin.config"] == "l4-spot"
    assert spot.labels["llm-platform.io/gpu-memory-gib"] == "24" and spot.limits == {}
    nodepool = dev.pools["gpu-spot"]
    assert nodepool.kind == "NodePool" and nodepool.limits == {"nvidia.com/gpu": 4} == {
        "nvidia.com/gpu": nodepool.gpu_capacity
    }
    assert nodepool.instance_types[0] == "g6.xlarge" and set(nodepool.instance_types) == {
        t for t in nodepool.instance_types if t.startswith("g6.")
    }
    assert dev.gpu_capacity == 2 + 4 + 2 and [p.name for p in dev.node_pools] == ["gpu-spot", "gpu-on-demand"]


def test_models_are_placed_with_their_endpoint_and_time_budgets():
    prod = loaded("prod")
    big = prod.model("qwen3-32b")
    assert (
        big.tp == 4
        and big.placement.cheapest_type == "g6e.12xlarge"
        and big.placement.replicas_per_node() == 1
    )
    assert [p.name for p in big.placement.pools] == ["l40s-on-demand", "gpu-on-demand"]
    assert big.endpoint == "http://qwen3-32b.inference.svc:8000/v1" and big.proxy_name is None
    # By hand (fleet/cold_start.py's rates; tests/unit/test_cold_start.py has every path): prod streams it from
    # S3 at concurrency 32 (the Run:ai benchmarks: 15 GB in 4.88 s); the probe allows twice those weights (one
    # replica per node) plus an uncached engine start (42 + 54 + 30 s). Nothing is preloaded, so `pulumi up`
    # waits for the start alone.
    assert big.loader.from_s3 and big.loader.concurrency == 32
    assert big.startup_budget_s == math.ceil(2 * (math.ceil(big.weights_gib * 2**30 / (15e9 / 4.88)) + 126))
    assert big.preload_budget_s == 0 and big.rollout_timeout_s == big.startup_budget_s
    assert big.cold_start_s == big.cold.first_ever.total_s and big.hold_s == math.ceil(2 * big.cold_start_s)
    assert big.key == "llm-platform:models[1]"
    small8 = prod.model("qwen3-8b")  # from the EFS cache: downloaded at 50 MiB/s + 300 s first
    assert small8.preload_budget_s == int(small8.weights_gib * 1024 / 50) + 300
    assert small8.rollout_timeout_s == small8.preload_budget_s + small8.startup_budget_s
    assert small8.cache_dir == f"/models/qwen3-8b/{small8.config.revision}"
    small = loaded("dev").model("qwen3-0-6b")
    assert small.endpoint == "http://qwen3-0-6b-proxy.inference.svc:8080/v1" and small.scales_to_zero


def test_addon_addresses_follow_their_releases():
    dev, prod = loaded("dev").addons, loaded("prod").addons
    assert dev.prometheus_url == "http://kube-prometheus-stack-prometheus.monitoring.svc:9090"
    assert dev.grafana_service == "kube-prometheus-stack-grafana.monitoring.svc:80"
    assert dev.http_scaler == "keda-add-ons-http-external-scaler.keda:9090"
    assert dev.interceptor_host == "keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local"
    assert (dev.keda_http.namespace, dev.keda.namespace) == ("keda", "keda")
    assert prod.keda_http is None and prod.http_scaler is None and prod.interceptor_port is None


@pytest.mark.parametrize("stack", STACKS)
def test_a_plan_places_each_model_once(monkeypatch, stack):
    calls: list[str] = []
    place = fleet.load.place

    def counting(model, *args, **kwargs):
        calls.append(model.name)
        return place(model, *args, **kwargs)

    monkeypatch.setattr(fleet.load, "place", counting)
    plan = run_plan(PROJECT_DIR, stack)
    assert sorted(calls) == sorted(m.name for m in plan.config.models)


def test_schema_rule_and_placement_errors_come_at_once():
    c = raw("dev")
    alerts = {"queueDepth": 0}
    c["llm-platform:alerts"] = json.dumps(alerts)
    models = json.loads(c["llm-platform:models"])
    models[0]["placement"]["pools"] = ["nope"]
    models.append({**models[0], "name": "qwen3-0-6b", "placement": {"pools": ["l4-spot"]}})
    c["llm-platform:models"] = json.dumps(models)
    with pytest.raises(ConfigError) as exc:
        load_fleet(c, "Pulumi.dev.yaml")
    issues = {i.key: i.message for i in exc.value.issues}
    assert "at least 1" in issues["llm-platform:alerts.queueDepth"]  # the schema
    assert "no GPU pool named nope" in issues["llm-platform:models[0].placement.pools"]  # placement
    assert "already used" in issues["llm-platform:models[1].name"]  # a rule
    # A model whose own keys are wrong is not placed as well: one issue for it, not a second about its fit.
    assert [k for k in issues if k.startswith("llm-platform:models[1]")] == ["llm-platform:models[1].name"]


def test_resolving_an_edited_config_places_its_models_again():
    prod = loaded("prod")
    # 131,072 tokens is past Qwen3-8B's 40,960: only with the YaRN its model card documents (4 x 32,768).
    yarn = RopeScalingConfig(factor=4)
    longer = [
        m.model_copy(update={"max_model_len": 131072, "rope_scaling": yarn}) if m.name == "qwen3-8b" else m
        for m in prod.config.models
    ]
    edited = resolve_fleet(prod.config.model_copy(update={"models": longer}))
    assert edited.model("qwen3-8b").tp == 2 and prod.model("qwen3-8b").tp == 1
    assert edited.model("qwen3-8b").rope.max_context == 131072 and prod.model("qwen3-8b").rope is None
    # 64 full 131k sequences: 8.4M tokens of KV, where an 8-GPU L40S node holds ~2.1M (18 KiB a token per GPU).
    with pytest.raises(ConfigError, match=r"models\[0\]\.maxModelLen: qwen3-8b: does not fit"):
        resolve_fleet(
            prod.config.model_copy(update={"models": [longer[0].model_copy(update={"min_concurrency": 64})]})
        )
