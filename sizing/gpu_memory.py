"""GPU memory arithmetic: will a model fit, with how much KV cache, on which instance type, at what price.

Per GPU, vLLM gets `gpu_memory_utilization` x total memory. From that come, in order:
  weights / tensor_parallel   (each GPU holds its shard; params x bytes per param)
  a fixed reserve              (CUDA context, activation peak of the profiling run, CUDA graphs, allocator slack)
  the KV cache                 (what is left)
KV bytes per token per GPU = 2 (K and V) x layers x KV heads on this GPU x head dim x KV bytes. KV heads split
across tensor-parallel ranks; with fewer KV heads than ranks each rank keeps a whole head (replication).
Measured on an H100 (see README "Sizing"): weights within 0.5 % of params x bytes; KV exact; CUDA context
~0.5 GiB; activation peak for an 8k-token prefill 0.25-1.46 GiB. The reserve below covers those with margin.
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
# Activation peak of vLLM's profiling run (an 8k-token prefill), scaled by hidden size: 1.5 GiB at 4096 bounds
# every measured case (0.25 GiB at 1024, 0.79-1.45 GiB at 4096, 1.46 GiB at 5120) from above.
ACTIVATION_GIB_PER_4096_HIDDEN = 1.5


def reserve_gib(arch: Architecture) -> float:
    return (
        CUDA_CONTEXT_GIB
        + CUDA_GRAPHS_AND_SLACK_GIB
        + ACTIVATION_GIB_PER_4096_HIDDEN * arch.hidden_size / 4096
    )


def weights_gib(arch: Architecture, weight_format: str) -> float:
    """Total weight memory for the chosen format ("native" keeps the checkpoint as published)."""
    if weight_format == "native":
        if arch.checkpoint_gib is not None:
            return arch.checkpoint_gib
        weight_format = arch.native_dtype
    return arch.params_b * 1e9 * WEIGHT_BYTES[weight_format] / GIB


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

    @property
    def full_length_sequences(self) -> float:
        return self.kv_tokens / self.max_model_len

    def fits(self, min_sequences: float) -> bool:
        return self.kv_tokens >= self.max_model_len and self.full_length_sequences >= min_sequences

    def explain(self) -> str:
        return (
            f"{self.instance_type} TP={self.tp}: {self.usable_gib:.1f} GiB usable per GPU - weights "
            f"{self.weights_per_gpu_gib:.1f} GiB - reserve {self.reserve_gib:.1f} GiB = KV {self.kv_budget_gib:.1f} GiB "
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
    weight_format: str = "native",
    kv_dtype: str = "bfloat16",
) -> Fit:
    total = gpu.reported_memory_gib
    usable = total * gpu_memory_utilization
    per_gpu = weights_gib(arch, weight_format) / tp
    reserve = reserve_gib(arch)
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
    )


def valid_tp_sizes(arch: Architecture, gpu_count: int) -> list[int]:
    """Tensor-parallel sizes vLLM accepts on one node: powers of two that divide the attention heads."""
    return [tp for tp in (1, 2, 4, 8) if tp <= gpu_count and arch.attention_heads % tp == 0]
