"""Model entries: validated like the rest of the config, fit decided before anything is created."""

from __future__ import annotations

import json
import re

import pytest

from config.issues import ConfigError
from fleet.load import load_fleet
from planner.size import main as size_main
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR

REV = "c1899de289a04d12100db370d81485cdf75e47ca"


def with_models(models: list[dict], stack: str = "dev", sliced: bool = False) -> dict[str, str]:
    """The stack's config with these models; dev's time slicing only when a test is about it."""
    c = dict(read_stack(PROJECT_DIR, stack).config)
    c["llm-platform:models"] = json.dumps(models)
    if not sliced:
        addons = json.loads(c["llm-platform:addons"])
        addons["gpuOperator"].pop("timeSlicing", None)
        c["llm-platform:addons"] = json.dumps(addons)
    return c


def model(**kw) -> dict:
    base = {
        "name": "m1",
        "source": "hf://Qwen/Qwen3-0.6B",
        "revision": REV,
        "placement": {"pools": ["l4-spot"]},
        "maxModelLen": 8192,
    }
    return {**base, **kw}


def errors(models: list[dict], stack: str = "dev", sliced: bool = False) -> dict[str, str]:
    with pytest.raises(ConfigError) as exc:
        load_fleet(with_models(models, stack, sliced), "Pulumi.test.yaml")
    return {i.key: i.message for i in exc.value.issues}


def test_a_small_model_fits_the_dev_pools():
    fleet = load_fleet(with_models([model()]), "x")
    assert fleet.config.models[0].tensor_parallel_size == "auto" and fleet.model("m1").tp == 1


def test_source_revision_and_image_rules():
    errs = errors([model(revision=None), model(name="m2", source="s3://bucket/qwen", revision=REV, architecture="qwen3-0.6b"),
                   model(name="m3", image="vllm/vllm-openai:latest"), model(name="m4", revision="main")])  # fmt: skip
    assert "required for hf:// sources" in errs["llm-platform:models[0].revision"]
    assert "only for hf:// sources" in errs["llm-platform:models[1].revision"]
    assert "not a pin" in errs["llm-platform:models[2].image"]
    assert errs["llm-platform:models[3].revision"].startswith("must be the full 40-character commit sha")


def test_extra_args_may_not_override_platform_flags():
    errs = errors([model(extraArgs=["--max-model-len=4096", "--enforce-eager"])])
    msg = errs["llm-platform:models[0].extraArgs"]
    assert "--max-model-len" in msg and "set by the platform" in msg and "maxModelLen" in msg


def test_unknown_pool_and_mixed_gpus_and_unknown_architecture():
    errs = errors([
        model(placement={"pools": ["nope"]}),
        model(name="m2", source="hf://someone/unknown-model", revision=REV),
        model(name="m1"),
    ])  # fmt: skip
    assert "no GPU pool named nope" in errs["llm-platform:models[0].placement.pools"]
    # architecture is not written, so the unknown model is reported where it is named: its source.
    assert "not in the model catalog" in errs["llm-platform:models[1].source"]
    assert "llm-platform:models[1].architecture" not in errs
    assert "already used" in errs["llm-platform:models[2].name"]


def test_a_model_that_cannot_fit_is_refused_with_numbers_and_ways_out():
    big = model(name="big", source="hf://Qwen/Qwen3-32B", revision=REV, placement={"pools": ["l4-spot"]},
                maxModelLen=32768, tensorParallelSize=1)  # fmt: skip
    msg = errors([big])["llm-platform:models[0].tensorParallelSize"]
    assert "does not fit: l4 24 GB TP=1: 20.2 GiB usable per GPU - weights 61.0 GiB" in msg
    assert "tensorParallelSize 8 on nodes with 8+ l4 GPUs" in msg and "a pool of h200 141 GB" in msg
    # When the context is what does not fit, the key is maxModelLen and the ways out say how short, or fp8.
    long = model(name="long", source="hf://Qwen/Qwen3-8B", revision=REV, maxModelLen=32768)
    msg = errors([long])["llm-platform:models[0].maxModelLen"]
    # By hand: 20.24 GiB usable - 15.26 weights - 2.375 reserve (the L4's 2,048-token batch) = 2.61 GiB of KV
    # / 144 KiB = 19,039 tokens; fp8 weights 8.79 GiB (embeddings and lm_head kept bf16) leave 9.08 GiB =
    # 66,140 tokens; two sequences each need maxModelLen <= 19,039 / 2, rounded down to 256: 9,472.
    assert "= 19,039 tokens = 0.6 sequences of 32,768; needs 2 (minConcurrency)" in msg
    assert "quantization: fp8 (2.0 sequences)" in msg and "maxModelLen <= 9472" in msg


def test_auto_tensor_parallelism_and_explicit_impossible_tp():
    fleet = load_fleet(with_models([model(name="q8", source="hf://Qwen/Qwen3-8B", placement={"pools": ["gpu-spot"]},
                                          maxModelLen=32768)]), "x")  # fmt: skip
    assert fleet.model("q8").tp == 2  # L4: one GPU holds under two 32k sequences of Qwen3-8B
    errs = errors([model(tensorParallelSize=8)])  # l4-spot nodes have one GPU
    assert "not possible" in errs["llm-platform:models[0].tensorParallelSize"]


def test_capacity_preference_needs_a_matching_pool():
    errs = errors([model(placement={"pools": ["l4-spot"], "capacityType": "on-demand"})])
    assert "provides on-demand capacity" in errs["llm-platform:models[0].placement.capacityType"]


def test_make_size_ranks_feasible_instance_types(capsys):
    assert size_main(["--model", "qwen3-32b", "--context", "32768", "--concurrency", "2"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.startswith(("g", "p")) and "xlarge" in line]
    prices = [float(r[-2]) for r in rows if r[-2] != "n/a"]
    assert prices == sorted(prices) and len(rows) >= 5
    assert not any(r[0] in ("g6.xlarge", "g5.xlarge") for r in rows)  # 61 GiB of weights on a 24 GB GPU


def test_make_size_says_when_nothing_fits(capsys):
    # 1,000 full 131k sequences of gpt-oss-120b: ~9 GiB of KV each at TP 8, far past any node.
    assert size_main(["--model", "gpt-oss-120b", "--context", "131072", "--concurrency", "1000"]) == 1
    out = capsys.readouterr().out
    assert "nothing in the catalog fits" in out and "--quantization" not in out  # gpt-oss ships MXFP4 already


def test_make_size_refuses_a_context_past_the_model_and_assumes_the_cards_yarn(capsys):
    with pytest.raises(
        SystemExit, match=re.escape("above meta-llama/Llama-3.1-8B-Instruct's context of 131,072")
    ):
        size_main(["--model", "llama-3.1-8b-instruct", "--context", "200000"])
    assert size_main(["--model", "qwen3-8b", "--context", "131072"]) == 0
    assert (
        "assumes ropeScaling: {type: yarn, factor: 4, originalMaxPositionEmbeddings: 32768}"
        in capsys.readouterr().out
    )


def test_time_sliced_pools_limit_each_models_share_of_the_gpu():
    errs = errors([model(gpuMemoryUtilization=0.9)], sliced=True)  # l4-spot: 2 pods per GPU in dev
    msg = errs["llm-platform:models[0].gpuMemoryUtilization"]
    assert "0.9 x 2 pods per GPU on time-sliced pool 'l4-spot'" in msg and "at most 0.47" in msg
    assert (
        load_fleet(with_models([model(gpuMemoryUtilization=0.45)]), "x")
        .config.models[0]
        .gpu_memory_utilization
        == 0.45
    )


def test_scale_to_zero_needs_permission_and_an_activation_signal():
    errs = errors([model(replicas={"min": 0, "max": 2})])
    assert "0 needs autoscaling.scaleToZero: true" in errs["llm-platform:models[0].replicas.min"]
    c = with_models([model(replicas={"min": 0, "max": 2}, autoscaling={"scaleToZero": True})])
    addons = json.loads(c["llm-platform:addons"])
    addons["kedaHttp"] = {"enabled": False}
    c["llm-platform:addons"] = json.dumps(addons)
    with pytest.raises(ConfigError) as exc:
        load_fleet(c, "x")
    (issue,) = exc.value.issues
    assert issue.key == "llm-platform:models[0].autoscaling.scaleToZero" and "kedaHttp" in issue.message
