"""What the pinned vLLM runs on which GPU: `make size` never lists, and placement never accepts, a GPU that cannot
start the model as configured; both say why, naming the key to change. Expectations are computed from the
tables in catalog/vllm_hardware.py, independently of the code that applies them."""

from __future__ import annotations

import itertools
import json

import pytest

from catalog.gpus import COMPUTE_CAPABILITY, GPU_INSTANCES, Capability
from catalog.images import SERVING_IMAGES
from catalog.models import MODEL_CATALOG, CatalogModel
from catalog.prices import on_demand_price
from catalog.vllm_hardware import (
    COMPUTE_DTYPES,
    KV_FP8,
    KV_FP8_WITH_SINKS,
    READ_AT_VLLM_VERSION,
    WEIGHT_FORMATS,
)
from config.issues import ConfigError
from fleet.load import load_fleet
from planner.size import Options, feasible
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR

REV = "c1899de289a04d12100db370d81485cdf75e47ca"


def test_the_table_was_read_at_the_pinned_vllm():
    assert SERVING_IMAGES["vllm"].endswith(f":v{READ_AT_VLLM_VERSION}")


def test_every_catalog_gpu_has_its_compute_capability():
    assert {i.gpu_name for i in GPU_INSTANCES.values()} == set(COMPUTE_CAPABILITY)
    # NVIDIA's table: Turing, Ampere (GA100, GA102), Ada, Hopper.
    assert COMPUTE_CAPABILITY["t4"] == (7, 5) and COMPUTE_CAPABILITY["a100"] == (8, 0)
    assert COMPUTE_CAPABILITY["a10g"] == (8, 6) and COMPUTE_CAPABILITY["l4"] == COMPUTE_CAPABILITY[
        "l40s"
    ] == (8, 9)
    assert COMPUTE_CAPABILITY["h100"] == COMPUTE_CAPABILITY["h200"] == (9, 0)


def test_every_row_cites_the_vllm_source_that_decides_it():
    for support in [*COMPUTE_DTYPES.values(), *WEIGHT_FORMATS.values(), KV_FP8, KV_FP8_WITH_SINKS]:
        assert support.source.startswith("vllm/") and ".py " in support.source, support


def runs(entry: CatalogModel, cc: Capability, dtype: str, quantization: str, kv: str) -> bool:
    """Straight from the tables: the compute dtype vLLM settles on (auto: the checkpoint's, float16 where the GPU
    lacks it), then every minimum that applies, and the weight format's activation dtypes."""
    a = entry.arch
    native_ok = cc >= COMPUTE_DTYPES[a.native_dtype].min_capability
    compute = dtype if dtype != "auto" else (a.native_dtype if native_ok else "float16")
    mins = [COMPUTE_DTYPES[compute].min_capability]
    fmt = a.native_quantization if quantization == "none" else quantization
    if fmt is not None:
        mins.append(WEIGHT_FORMATS[fmt].min_capability)
        if compute not in WEIGHT_FORMATS[fmt].act_dtypes:
            return False
    if kv == "fp8":
        mins.append((KV_FP8_WITH_SINKS if a.attention_sinks else KV_FP8).min_capability)
    return all(cc >= m for m in mins)


MODELS = ["qwen3-8b", "qwen3-30b-a3b", "llama-3.1-8b-instruct", "gpt-oss-20b"]
OPTIONS = list(
    itertools.product(["auto", "bfloat16", "float16"], ["none", "fp8", "awq", "gptq"], ["auto", "fp8"])
)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("dtype", "quantization", "kv"), OPTIONS)
def test_make_size_lists_and_picks_only_gpus_that_can_start_the_model(model, dtype, quantization, kv):
    entry = MODEL_CATALOG[model]
    o = Options(context=8192, dtype=dtype, quantization=quantization, kv_cache_dtype=kv)
    if quantization != "none" and entry.arch.native_quantization:
        with pytest.raises(SystemExit, match="ships mxfp4 weights"):
            feasible(model, o)
        return
    s = feasible(model, o)
    for f, _ in s.rows:
        assert runs(entry, GPU_INSTANCES[f.instance_type].compute_capability, dtype, quantization, kv), f
    left_out = {family.split(".*")[0] for family in s.left_out}
    for family in {i.family for i in GPU_INSTANCES.values()}:
        gpu = next(i for i in GPU_INSTANCES.values() if i.family == family)
        assert (family in left_out) == (not runs(entry, gpu.compute_capability, dtype, quantization, kv)), (
            family
        )
    if s.rows:  # make size's top pick is the cheapest row: one the engine can start
        top = min(
            s.rows,
            key=lambda r: (on_demand_price("us-east-1", r[0].instance_type) or 1e9, r[0].instance_type),
        )
        assert runs(entry, GPU_INSTANCES[top[0].instance_type].compute_capability, dtype, quantization, kv)


def test_real_cases_of_what_is_left_out():
    fp8_kv = feasible("qwen3-8b", Options(context=8192, kv_cache_dtype="fp8"))
    (why,) = [w for k, w in fp8_kv.left_out.items() if k.startswith("g4dn.*")]
    assert why == ["an FP8 KV cache needs compute capability 8.0+"] and len(fp8_kv.left_out) == 1
    oss = feasible("gpt-oss-20b", Options(context=8192))
    assert [k for k in oss.left_out] == ["g4dn.* (t4, compute capability 7.5)"]  # MXFP4 needs 8.0
    sinks = feasible("gpt-oss-20b", Options(context=8192, kv_cache_dtype="fp8"))
    assert {k.split(".*")[0] for k in sinks.left_out} == {"g4dn", "g5", "p4d", "p4de"}  # attention sinks: 8.9
    bf16 = feasible("qwen3-8b", Options(context=8192, dtype="bfloat16"))
    assert (
        "bfloat16 compute needs compute capability 8.0+"
        in bf16.left_out["g4dn.* (t4, compute capability 7.5)"]
    )


def test_a_t4_runs_a_bf16_checkpoint_in_float16_and_fp8_weight_only():
    # vLLM 0.31.0 falls back to float16 for dtype auto (_resolve_auto_dtype); fp8 runs as Marlin W8A16 below 8.9.
    s = feasible("qwen3-8b", Options(context=8192, quantization="fp8"))
    assert any(f.instance_type.startswith("g4dn.") for f, _ in s.rows) and not s.left_out
    assert any("in float16" in n for n in s.notes["t4"]) and any("weight-only" in n for n in s.notes["a100"])
    assert "l4" not in s.notes  # 8.9: FP8 W8A8 proper, bfloat16 as published


# Placement: the same table, on a stack's pools.


def stack_with(models: list[dict], instance_types: list[str]) -> dict[str, str]:
    """dev, its node group on `instance_types`, no time slicing, with these models."""
    c = dict(read_stack(PROJECT_DIR, "dev").config)
    groups = json.loads(c["llm-platform:gpuNodeGroups"])
    groups[0]["instanceTypes"] = instance_types
    c["llm-platform:gpuNodeGroups"] = json.dumps(groups)
    addons = json.loads(c["llm-platform:addons"])
    addons["gpuOperator"].pop("timeSlicing", None)
    c["llm-platform:addons"] = json.dumps(addons)
    c["llm-platform:models"] = json.dumps(models)
    return c


def entry(source: str = "hf://Qwen/Qwen3-0.6B", **kw) -> dict:
    return {"name": "m1", "source": source, "revision": REV, "placement": {"pools": ["l4-spot"]},
            "maxModelLen": 8192, **kw}  # fmt: skip


def issues(models: list[dict], types: list[str]) -> dict[str, str]:
    with pytest.raises(ConfigError) as exc:
        load_fleet(stack_with(models, types), "Pulumi.test.yaml")
    return {i.key: i.message for i in exc.value.issues}


@pytest.mark.parametrize(
    ("model", "key", "way"),
    [
        (entry(kvCacheDtype="fp8"), "kvCacheDtype", "kvCacheDtype: auto"),
        (entry(dtype="bfloat16"), "dtype", "dtype: auto"),
        (
            entry("hf://openai/gpt-oss-20b"),
            "placement.pools",
            "a pool of a100, a10g, l4, l40s, h100, h200 GPUs",
        ),
    ],
)
def test_placement_refuses_a_gpu_that_cannot_run_the_model_naming_the_key(model, key, way):
    msg = issues([model], ["g4dn.xlarge"])[f"llm-platform:models[0].{key}"]
    assert "vLLM cannot run it on t4 GPUs (compute capability 7.5)" in msg and way in msg


def test_placement_accepts_what_the_gpu_can_run():
    fleet = load_fleet(stack_with([entry(), entry(name="m2", quantization="fp8")], ["g4dn.xlarge"]), "x")
    assert fleet.model("m1").placement.pools[0].gpu.gpu_name == "t4" and fleet.model("m2").tp == 1
    oss = load_fleet(stack_with([entry("hf://openai/gpt-oss-20b", kvCacheDtype="fp8")], ["g6.xlarge"]), "x")
    assert oss.model("m1").tp == 1  # L4: 8.9, the Triton backend stores an FP8 KV cache with sinks


def test_a_natively_quantized_checkpoint_takes_no_other_quantization():
    msg = issues([entry("hf://openai/gpt-oss-20b", quantization="fp8")], ["g6.xlarge"])
    assert "already mxfp4" in msg["llm-platform:models[0].quantization"]


def test_the_ways_out_name_only_gpus_that_can_run_the_model():
    # gpt-oss-120b (65 GB) with an FP8 KV cache at TP 1: no 24 GB GPU holds it; an A100 80 GB would, but
    # attention sinks with an FP8 KV cache need 8.9: the bigger GPUs offered are Hopper only.
    big = entry("hf://openai/gpt-oss-120b", kvCacheDtype="fp8", tensorParallelSize=1)
    msg = issues([big], ["g6.xlarge"])["llm-platform:models[0].tensorParallelSize"]
    assert "a pool of h100 80 GB or h200 141 GB GPUs at TP 1" in msg and "a100" not in msg
    assert "quantization: fp8" not in msg  # its checkpoint is MXFP4 already
    plain = issues([{**big, "kvCacheDtype": "auto"}], ["g6.xlarge"])[
        "llm-platform:models[0].tensorParallelSize"
    ]
    assert (
        "a pool of a100 80 GB or h100 80 GB GPUs at TP 1" in plain
    )  # with a 16-bit KV cache the A100 runs it
