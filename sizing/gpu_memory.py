"""GPU memory arithmetic: will a model fit, with how much KV cache, on which instance type, at what price.

Per GPU, vLLM gets `gpu_memory_utilization` x total memory. From that come, in order:
  weights / tensor_parallel   (each GPU holds its shard; params x bytes per param)
  a reserve                    (CUDA context, CUDA graphs and allocator slack, the activation peak of vLLM's
                                profiling run: a forward pass of max_num_batched_tokens tokens)
  the KV cache                 (what is left)
KV bytes per token per GPU = 2 (K and V) x layers x KV heads on this GPU x head dim x KV bytes. KV heads split
across tensor-parallel ranks; with fewer KV heads than ranks each rank keeps a whole head (replication).
Measured on an H100 (README "Sizing"): weights within 0.5 % of params x bytes;
KV exact; CUDA context ~0.5 GiB; activation peak of an 8k-token prefill 0.25-1.46 GiB. The reserve below bounds
those at the H100's 8,192 batched tokens and TP 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from catalog.gpus import GpuInstance
from catalog.models import Architecture

GIB = 1024**3

# Bytes per parameter (weights) and per KV element, by the name vLLM's --dtype / --quantization /
# --kv-cache-dtype use. 4-bit formats carry scales: ~0.56 bytes per parameter in practice.
WEIGHT_BYTES: dict[str, float] = {
    "bfloat16": 2.0,
    "float16": 2.0,
    "fp8": 1.0,
    "awq": 0.56,
    "gptq": 0.56,
    "mxfp4": 0.53,
}
KV_BYTES: dict[str, float] = {"bfloat16": 2.0, "float16": 2.0, "fp8": 1.0}

CUDA_CONTEXT_GIB = 0.5
# CUDA graphs, NCCL buffers, sampler and allocator slack: calibrated so that Qwen3-32B in bf16 on one H100 at
# utilisation 0.9 leaves ~6-7 GiB of KV cache (measured: 5-6 GiB), i.e. one 32k sequence does not fit.
CUDA_GRAPHS_AND_SLACK_GIB = 1.5

# Activation peak of the profiling run, in bytes per batched token per unit of hidden size. Measured for an
# 8,192-token prefill at TP 1 (the calibration point): 32 B (Qwen3-0.6B), 25 and 28 B (Qwen3-8B, Llama-3.1-8B),
# 46 B (Mistral-7B), 37 B (Qwen3-32B); 48 B bounds them all (the former fixed 1.5 GiB x hidden/4096).
# Under tensor parallelism (Megatron-style, as vLLM shards) only some of it divides by TP:
# - not sharded: tensors of hidden size, which every rank holds whole: the residual stream, the normalised
#   input of the column-parallel QKV and gate/up projections, the row-parallel o/down projections' output and
#   its all-reduced copy: four bf16 copies, 8 B;
# - sharded (/ TP): what the column-parallel layers produce, split by heads and by intermediate size: Q/K/V and
#   attention output, gate/up (2 x intermediate) and the activated intermediate: the other 40 B (the MLP is most
#   of it: 6 x intermediate/hidden = 18-30 B for these models).
ACTIVATION_BYTES_UNSHARDED = 8.0
ACTIVATION_BYTES_SHARDED = 40.0
CALIBRATION_BATCHED_TOKENS = (
    8192  # the measurements' prefill; vLLM's default on an H100 (catalog/vllm_hardware.py)
)


def activation_gib(arch: Architecture, tp: int, batched_tokens: int) -> float:
    """The profiling run's activation peak on one GPU: linear in the tokens of one engine step."""
    per_token = ACTIVATION_BYTES_UNSHARDED + ACTIVATION_BYTES_SHARDED / tp
    return batched_tokens * arch.hidden_size * per_token / GIB


def reserve_gib(arch: Architecture, tp: int = 1, batched_tokens: int = CALIBRATION_BATCHED_TOKENS) -> float:
    return CUDA_CONTEXT_GIB + CUDA_GRAPHS_AND_SLACK_GIB + activation_gib(arch, tp, batched_tokens)


def weights_gib(arch: Architecture, weight_format: str) -> float:
    """Total weight memory for the chosen format ("native" keeps the checkpoint as published). A quantized
    format leaves the embeddings and lm_head in the checkpoint's 16-bit dtype: vLLM's fp8, AWQ and GPTQ quantize
    linear layers, and neither is one (vllm/model_executor/layers/quantization/online/base.py
    resolve_quant_method_cls: LinearBase and routed experts only)."""
    if weight_format == "native":
        if arch.checkpoint_gib is not None:
            return arch.checkpoint_gib
        weight_format = arch.native_dtype
    embeddings = arch.embedding_params_b if weight_format not in ("bfloat16", "float16") else 0.0
    quantized = (arch.params_b - embeddings) * WEIGHT_BYTES[weight_format]
    return (quantized + embeddings * WEIGHT_BYTES[arch.native_dtype]) * 1e9 / GIB


def kv_bytes_per_token(arch: Architecture, tp: int, kv_dtype: str) -> float:
    """KV cache bytes one token takes on ONE GPU of a tensor-parallel group."""
    heads_here = max(1, math.ceil(arch.kv_heads / tp))
    return 2 * arch.layers * heads_here * arch.head_dim * KV_BYTES[kv_dtype]


@dataclass(frozen=True)
class Fit:
    instance_type: str
    tp: int
    gpu_total_gib: float
    usable_gib: float
    weights_per_gpu_gib: float
    reserve_gib: float
    kv_budget_gib: float
    kv_tokens: int
    max_model_len: int
    replicas_per_node: int
    batched_tokens: int  # max_num_batched_tokens: the profiling run the activation reserve is sized for

    @property
    def full_length_sequences(self) -> float:
        return self.kv_tokens / self.max_model_len

    def fits(self, min_sequences: float) -> bool:
        return self.kv_tokens >= self.max_model_len and self.full_length_sequences >= min_sequences

    def explain(self) -> str:
        return (
            f"{self.instance_type} TP={self.tp}: {self.usable_gib:.1f} GiB usable per GPU - weights "
            f"{self.weights_per_gpu_gib:.1f} GiB - reserve {self.reserve_gib:.1f} GiB ({self.batched_tokens:,}-token "
            f"batch) = KV {self.kv_budget_gib:.1f} GiB "
            f"= {self.kv_tokens:,} tokens = {self.full_length_sequences:.1f} sequences of {self.max_model_len:,}"
        )


def fit(
    arch: Architecture,
    instance_type: str,
    gpu: GpuInstance,
    *,
    tp: int,
    max_model_len: int,
    gpu_memory_utilization: float,
    batched_tokens: int,
    weight_format: str = "native",
    kv_dtype: str = "bfloat16",
) -> Fit:
    total = gpu.reported_memory_gib
    usable = total * gpu_memory_utilization
    per_gpu = weights_gib(arch, weight_format) / tp
    reserve = reserve_gib(arch, tp, batched_tokens)
    budget = usable - per_gpu - reserve
    tokens = max(0, int(budget * GIB // kv_bytes_per_token(arch, tp, kv_dtype)))
    return Fit(
        instance_type=instance_type,
        tp=tp,
        gpu_total_gib=total,
        usable_gib=usable,
        weights_per_gpu_gib=per_gpu,
        reserve_gib=reserve,
        kv_budget_gib=budget,
        kv_tokens=tokens,
        max_model_len=max_model_len,
        replicas_per_node=gpu.gpu_count // tp,
        batched_tokens=batched_tokens,
    )


def valid_tp_sizes(arch: Architecture, gpu_count: int) -> list[int]:
    """Tensor-parallel sizes vLLM accepts on one node: powers of two that divide the attention heads."""
    return [tp for tp in (1, 2, 4, 8) if tp <= gpu_count and arch.attention_heads % tp == 0]
