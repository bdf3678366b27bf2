"""Sizing maths against hand-computed cases and the H100 measurements quoted in sizing/gpu_memory.py."""

from __future__ import annotations

import pytest

from catalog.gpus import GPU_INSTANCES
from catalog.models import MODEL_CATALOG
from sizing.gpu_memory import GIB, kv_bytes_per_token, valid_tp_sizes, weights_gib
from sizing.gpu_memory import fit as fit_

KIB = 1024


@pytest.mark.parametrize(
    ("model", "kib"),
    # Measured KV bytes/token (exact): 2 x layers x KV heads x head dim x 2 bytes.
    [("qwen3-0.6b", 112), ("qwen3-8b", 144), ("llama-3.1-8b-instruct", 128), ("qwen3-32b", 256),
     ("mistral-7b-instruct-v0.3", 128)],
)  # fmt: skip
def test_kv_bytes_per_token_matches_measurement(model, kib):
    assert kv_bytes_per_token(MODEL_CATALOG[model].arch, tp=1, kv_dtype="bfloat16") == kib * KIB


def test_kv_splits_across_tensor_parallel_ranks_and_replicates_below_one_head():
    arch = MODEL_CATALOG["qwen3-32b"].arch  # 8 KV heads
    assert kv_bytes_per_token(arch, tp=4, kv_dtype="bfloat16") == 64 * KIB
    assert kv_bytes_per_token(arch, tp=8, kv_dtype="fp8") == 2 * 64 * 1 * 128 * 1
    small = MODEL_CATALOG["qwen3-30b-a3b"].arch  # 4 KV heads: at TP 8 each rank still holds a whole head
    assert kv_bytes_per_token(small, tp=8, kv_dtype="bfloat16") == kv_bytes_per_token(
        small, tp=4, kv_dtype="bfloat16"
    )


@pytest.mark.parametrize(
    ("model", "measured_gib"), [("qwen3-8b", 15.32), ("llama-3.1-8b-instruct", 15.02), ("qwen3-32b", 61.09)]
)
def test_weights_within_half_a_percent_of_measured(model, measured_gib):
    assert weights_gib(MODEL_CATALOG[model].arch, "native") == pytest.approx(measured_gib, rel=0.005)


def test_quantized_and_natively_quantized_weights():
    q32 = MODEL_CATALOG["qwen3-32b"].arch
    assert weights_gib(q32, "fp8") == pytest.approx(weights_gib(q32, "native") / 2)
    # gpt-oss ships MXFP4 experts: its 13.8 GB checkpoint is the weight size, not 21B x 2 bytes.
    assert weights_gib(MODEL_CATALOG["gpt-oss-20b"].arch, "native") == pytest.approx(13.8e9 / GIB)


def test_qwen3_32b_bf16_on_one_h100_holds_no_32k_sequence():
    # By hand: 81,559 MiB = 79.65 GiB x 0.9 = 71.68 usable; weights 32.76e9 x 2 B = 61.02 GiB;
    # reserve 0.5 + 1.5 + 1.5 x 5120/4096 = 3.875 GiB; KV 6.79 GiB / 256 KiB = ~27,800 tokens.
    f = fit_(MODEL_CATALOG["qwen3-32b"].arch, "p5.4xlarge", GPU_INSTANCES["p5.4xlarge"], tp=1,
             max_model_len=32768, gpu_memory_utilization=0.9)  # fmt: skip
    assert f.usable_gib == pytest.approx(71.68, abs=0.01)
    assert f.weights_per_gpu_gib == pytest.approx(61.02, abs=0.01)
    assert f.reserve_gib == pytest.approx(3.875)
    assert f.kv_tokens == pytest.approx(27_800, rel=0.001)
    assert not f.fits(1)  # the measured conclusion: needs TP 2 or FP8
    assert fit_(MODEL_CATALOG["qwen3-32b"].arch, "p5.48xlarge", GPU_INSTANCES["p5.48xlarge"], tp=2,
                max_model_len=32768, gpu_memory_utilization=0.9).fits(1)  # fmt: skip


def test_qwen3_8b_on_an_l4_by_hand():
    # 23,034 MiB = 22.49 GiB x 0.9 = 20.24; weights 8.19e9 x 2 = 15.26; reserve 3.5; KV 1.48 GiB / 144 KiB.
    f = fit_(MODEL_CATALOG["qwen3-8b"].arch, "g6.xlarge", GPU_INSTANCES["g6.xlarge"], tp=1,
             max_model_len=8192, gpu_memory_utilization=0.9)  # fmt: skip
    assert f.kv_budget_gib == pytest.approx(20.244 - 15.256 - 3.5, abs=0.01)
    assert f.kv_tokens == pytest.approx(1.488 * GIB / (144 * KIB), rel=0.01)
    assert f.fits(1) and not f.fits(2)
    assert f.replicas_per_node == 1


def test_tensor_parallel_sizes_must_divide_attention_heads_and_fit_the_node():
    assert valid_tp_sizes(MODEL_CATALOG["qwen3-8b"].arch, 8) == [1, 2, 4, 8]
    assert valid_tp_sizes(MODEL_CATALOG["deepseek-r1-distill-qwen-7b"].arch, 8) == [1, 2, 4]  # 28 heads
    assert valid_tp_sizes(MODEL_CATALOG["qwen3-8b"].arch, 4) == [1, 2, 4]


def test_catalogs_are_consistent():
    for name, m in MODEL_CATALOG.items():
        a = m.arch
        assert a.attention_heads % a.kv_heads == 0, name
        assert a.params_b > 0 and a.layers > 0
    for name, gpu in GPU_INSTANCES.items():
        assert 0.9 * gpu.gpu_memory_gib < gpu.reported_memory_gib <= gpu.gpu_memory_gib + 0.1, name
