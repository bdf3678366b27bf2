"""Sizing maths against hand-computed cases and the H100 measurements quoted in sizing/gpu_memory.py."""

from __future__ import annotations

import pytest

from catalog.gpus import GPU_INSTANCES
from catalog.models import MODEL_CATALOG
from catalog.vllm_hardware import default_max_num_batched_tokens, max_num_batched_tokens
from sizing.gpu_memory import (
    ACTIVATION_BYTES_UNSHARDED,
    CALIBRATION_BATCHED_TOKENS,
    GIB,
    activation_gib,
    kv_bytes_per_token,
    reserve_gib,
    valid_tp_sizes,
    weights_gib,
)
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
    # By hand: embeddings and lm_head stay bf16 under fp8: 2 x 151,936 x 5,120 = 1.556e9 params at 2 B, the other
    # 31.20e9 at 1 B: 34.32e9 B = 31.96 GiB, a little over half of 61.02 GiB.
    assert weights_gib(q32, "fp8") == pytest.approx((32.76e9 - 1.556e9 + 2 * 1.556e9) / GIB, rel=1e-3)
    assert weights_gib(q32, "native") / 2 < weights_gib(q32, "fp8") < weights_gib(q32, "native") * 0.55
    # gpt-oss ships MXFP4 experts: its 13.8 GB checkpoint is the weight size, not 21B x 2 bytes.
    assert weights_gib(MODEL_CATALOG["gpt-oss-20b"].arch, "native") == pytest.approx(13.8e9 / GIB)


@pytest.mark.parametrize(
    "model", ["qwen3-0.6b", "qwen3-8b", "llama-3.1-8b-instruct", "mistral-7b-instruct-v0.3"]
)
@pytest.mark.parametrize("fmt", ["fp8", "awq", "gptq"])
def test_quantized_formats_keep_embeddings_and_lm_head_in_16_bit(model, fmt):
    a = MODEL_CATALOG[model].arch
    matrices = 1 if a.tied_embeddings else 2  # Qwen3-0.6B ties lm_head to the embeddings: one matrix
    embeddings = a.vocab_size * a.hidden_size * matrices
    rest = a.params_b * 1e9 - embeddings
    by_hand = {"fp8": 1.0, "awq": 0.56, "gptq": 0.56}[fmt] * rest + 2 * embeddings
    assert weights_gib(a, fmt) == pytest.approx(by_hand / GIB)
    assert weights_gib(a, fmt) < weights_gib(a, "native")  # quantizing still saves memory


def test_tied_embeddings_count_once():
    # Qwen3-0.6B: 151,936 x 1,024 = 0.156e9 params, one matrix (tie_word_embeddings): fp8 weights are
    # 0.444e9 x 1 B + 0.156e9 x 2 B = 0.756e9 B = 0.704 GiB; untied, the same model would count 0.311e9 at 2 B.
    a = MODEL_CATALOG["qwen3-0.6b"].arch
    assert a.tied_embeddings and not MODEL_CATALOG["qwen3-8b"].arch.tied_embeddings
    assert weights_gib(a, "fp8") == pytest.approx(0.756e9 / GIB, rel=1e-3)


@pytest.mark.parametrize(
    ("model", "measured_gib"),
    # Activation peak excl. KV of an 8k-token prefill on an H100 at TP 1 (the calibration point).
    [("qwen3-0.6b", 0.25), ("qwen3-8b", 0.79), ("llama-3.1-8b-instruct", 0.89), ("mistral-7b-instruct-v0.3", 1.45),
     ("qwen3-32b", 1.46)],
)  # fmt: skip
def test_the_activation_reserve_bounds_every_measured_case_at_the_calibration_point(model, measured_gib):
    a = MODEL_CATALOG[model].arch
    assert CALIBRATION_BATCHED_TOKENS == default_max_num_batched_tokens(GPU_INSTANCES["p5.4xlarge"]) == 8192
    assert measured_gib <= activation_gib(a, tp=1, batched_tokens=8192) <= 2 * max(measured_gib, 0.75)


def test_the_activation_reserve_scales_with_batched_tokens_and_shards_with_tp():
    a = MODEL_CATALOG["qwen3-32b"].arch
    at_8k = activation_gib(a, 1, 8192)
    assert activation_gib(a, 1, 2048) == pytest.approx(at_8k / 4)  # linear in the tokens of one step
    assert activation_gib(a, 1, 16384) == pytest.approx(at_8k * 2)
    sizes = [activation_gib(a, tp, 8192) for tp in (1, 2, 4, 8)]
    assert sizes == sorted(sizes, reverse=True)
    # The hidden-sized tensors every rank holds whole are a floor TP never goes below.
    floor = 8192 * a.hidden_size * ACTIVATION_BYTES_UNSHARDED / GIB
    assert all(s > floor for s in sizes) and sizes[-1] < 2 * floor
    # By hand, TP 2: 8,192 x 5,120 x (8 + 40/2) B = 1.09 GiB; plus context and graphs: 3.09 GiB.
    assert reserve_gib(a, 2, 8192) == pytest.approx(0.5 + 1.5 + 8192 * 5120 * 28 / GIB)


@pytest.mark.parametrize(
    ("instance", "tokens"),
    # vLLM 0.31.0 EngineArgs.get_batch_defaults, OpenAI server: >= 70 GiB per GPU and not an A100: 8,192; else
    # 2,048 (>= 160 GiB: 16,384, none in the catalog; the H200 reports 140.4 GiB).
    [("p5.4xlarge", 8192), ("p5en.48xlarge", 8192), ("p4de.24xlarge", 2048), ("p4d.24xlarge", 2048),
     ("g6e.xlarge", 2048), ("g6.xlarge", 2048), ("g5.xlarge", 2048), ("g4dn.xlarge", 2048)],
)  # fmt: skip
def test_vllms_batched_token_default_follows_the_gpu(instance, tokens):
    gpu = GPU_INSTANCES[instance]
    assert default_max_num_batched_tokens(gpu) == tokens
    assert (gpu.reported_memory_gib >= 70 and gpu.gpu_name != "a100") == (tokens == 8192)


def test_batched_tokens_follow_extra_args_and_the_sequence_cap():
    h100 = GPU_INSTANCES["p5.4xlarge"]
    assert max_num_batched_tokens(h100, max_num_seqs=64, max_model_len=32768) == 8192
    assert max_num_batched_tokens(h100, max_num_seqs=1, max_model_len=4096) == 4096  # seqs x length caps it
    assert max_num_batched_tokens(h100, max_num_seqs=64, max_model_len=32768,
                                  extra_args=["--max-num-batched-tokens", "32768"]) == 32768  # fmt: skip
    assert max_num_batched_tokens(h100, max_num_seqs=64, max_model_len=32768,
                                  extra_args=["--performance-mode=throughput"]) == 16384  # fmt: skip
    assert max_num_batched_tokens(h100, max_num_seqs=64, max_model_len=32768,
                                  extra_args=["--no-enable-chunked-prefill"]) == 32768  # fmt: skip


def test_qwen3_32b_bf16_on_one_h100_holds_no_32k_sequence():
    # By hand: 81,559 MiB = 79.65 GiB x 0.9 = 71.68 usable; weights 32.76e9 x 2 B = 61.02 GiB; reserve at the
    # H100's 8,192 batched tokens, TP 1: 0.5 + 1.5 + 8,192 x 5,120 x 48 B = 3.875 GiB (as the former fixed
    # reserve: the calibration point); KV 6.79 GiB / 256 KiB = ~27,800 tokens.
    h100 = GPU_INSTANCES["p5.4xlarge"]
    tokens = max_num_batched_tokens(h100, max_num_seqs=64, max_model_len=32768)
    f = fit_(MODEL_CATALOG["qwen3-32b"].arch, "p5.4xlarge", h100, tp=1, max_model_len=32768,
             gpu_memory_utilization=0.9, batched_tokens=tokens)  # fmt: skip
    assert tokens == 8192
    assert f.usable_gib == pytest.approx(71.68, abs=0.01)
    assert f.weights_per_gpu_gib == pytest.approx(61.02, abs=0.01)
    assert f.reserve_gib == pytest.approx(3.875)
    assert f.kv_tokens == pytest.approx(27_800, rel=0.001)
    assert not f.fits(1)  # the measured conclusion: needs TP 2 or FP8
    assert fit_(MODEL_CATALOG["qwen3-32b"].arch, "p5.48xlarge", GPU_INSTANCES["p5.48xlarge"], tp=2,
                max_model_len=32768, gpu_memory_utilization=0.9, batched_tokens=tokens).fits(1)  # fmt: skip


def test_qwen3_8b_on_an_l4_by_hand():
    # 23,034 MiB = 22.49 GiB x 0.9 = 20.24; weights 8.19e9 x 2 = 15.26; reserve at the L4's 2,048 batched tokens:
    # 0.5 + 1.5 + 2,048 x 4,096 x 48 B = 2.375 (the former fixed 3.5 sized every GPU for an 8k batch);
    # KV 2.61 GiB / 144 KiB = ~19,000 tokens: two 8k sequences now, not one.
    l4 = GPU_INSTANCES["g6.xlarge"]
    tokens = max_num_batched_tokens(l4, max_num_seqs=64, max_model_len=8192)
    f = fit_(MODEL_CATALOG["qwen3-8b"].arch, "g6.xlarge", l4, tp=1, max_model_len=8192,
             gpu_memory_utilization=0.9, batched_tokens=tokens)  # fmt: skip
    assert tokens == 2048 and f.reserve_gib == pytest.approx(2.375)
    assert f.kv_budget_gib == pytest.approx(20.244 - 15.256 - 2.375, abs=0.01)
    assert f.kv_tokens == pytest.approx(2.613 * GIB / (144 * KIB), rel=0.01)
    assert f.fits(2) and not f.fits(3)
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
        assert a.vocab_size and a.embedding_params_b < a.params_b / 2, (
            name
        )  # embeddings are a part of the model
        assert m.max_position_embeddings >= 32768 and m.rope_theta >= 10_000, name
        assert m.yarn is None or (m.shipped_rope is None and m.yarn.max_context > m.max_context), name
    for name, gpu in GPU_INSTANCES.items():
        assert 0.9 * gpu.gpu_memory_gib < gpu.reported_memory_gib <= gpu.gpu_memory_gib + 0.1, name
