"""Catalog of popular open models: the shape sizing needs, whether the repo is gated, what not to download.

Values from each model's config.json (num_hidden_layers, hidden_size, num_attention_heads,
num_key_value_heads, head_dim) and model card (parameters), read 2026-11. Models not listed here state
their architecture in stack config (`llm-platform:models[].architecture`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

_GIB = 1024**3


@dataclass(frozen=True)
class Architecture:
    """What the memory arithmetic needs from a model's config.json."""

    params_b: float  # total parameters, billions (all experts of an MoE: all are resident)
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    native_dtype: str = "bfloat16"
    # Checkpoint size when the native format is quantized (gpt-oss: MXFP4 experts): overrides params x bytes.
    checkpoint_gib: float | None = None


@dataclass(frozen=True)
class CatalogModel:
    hf_id: str
    arch: Architecture
    gated: bool  # the Hugging Face repo requires accepting a licence: the preload needs a token
    # Files in the repo that serving does not read (original checkpoints, other runtimes): skipped by the preload.
    exclude: tuple[str, ...] = ()


def _arch(params_b, layers, hidden, heads, kv, head_dim, checkpoint_gb=None) -> Architecture:
    return Architecture(
        params_b=params_b,
        layers=layers,
        hidden_size=hidden,
        attention_heads=heads,
        kv_heads=kv,
        head_dim=head_dim,
        checkpoint_gib=None if checkpoint_gb is None else checkpoint_gb * 1e9 / _GIB,
    )


_LLAMA_ORIGINAL = ("original/*",)
MODEL_CATALOG: MappingProxyType[str, CatalogModel] = MappingProxyType(
    {
        "qwen3-0.6b": CatalogModel("Qwen/Qwen3-0.6B", _arch(0.60, 28, 1024, 16, 8, 128), gated=False),
        "qwen3-8b": CatalogModel("Qwen/Qwen3-8B", _arch(8.19, 36, 4096, 32, 8, 128), gated=False),
        "qwen3-32b": CatalogModel("Qwen/Qwen3-32B", _arch(32.76, 64, 5120, 64, 8, 128), gated=False),
        # MoE: all 128 experts are resident (30.5B), 3.3B active per token.
        "qwen3-30b-a3b": CatalogModel("Qwen/Qwen3-30B-A3B", _arch(30.5, 48, 2048, 32, 4, 128), gated=False),
        "llama-3.1-8b-instruct": CatalogModel(
            "meta-llama/Llama-3.1-8B-Instruct", _arch(8.03, 32, 4096, 32, 8, 128), gated=True, exclude=_LLAMA_ORIGINAL
        ),
        "llama-3.3-70b-instruct": CatalogModel(
            "meta-llama/Llama-3.3-70B-Instruct", _arch(70.55, 80, 8192, 64, 8, 128), gated=True, exclude=_LLAMA_ORIGINAL
        ),
        "mistral-7b-instruct-v0.3": CatalogModel(
            "mistralai/Mistral-7B-Instruct-v0.3",
            _arch(7.25, 32, 4096, 32, 8, 128),
            gated=True,
            exclude=("consolidated.safetensors",),  # the same weights again in Mistral's own format
        ),
        "mixtral-8x7b-instruct": CatalogModel(
            "mistralai/Mixtral-8x7B-Instruct-v0.1", _arch(46.7, 32, 4096, 32, 8, 128), gated=True, exclude=("*.pt",)
        ),
        # Experts ship in MXFP4 (vLLM reads the format from config.json): the checkpoint size is the weight size.
        # Alternate layers use a 128-token sliding window; sizing counts every layer as full attention (safe side).
        "gpt-oss-20b": CatalogModel(
            "openai/gpt-oss-20b", _arch(21.0, 24, 2880, 64, 8, 64, checkpoint_gb=13.8), gated=False,
            exclude=("original/*", "metal/*"),
        ),
        "gpt-oss-120b": CatalogModel(
            "openai/gpt-oss-120b", _arch(117.0, 36, 2880, 64, 8, 64, checkpoint_gb=65.0), gated=False,
            exclude=("original/*", "metal/*"),
        ),
        "deepseek-r1-distill-qwen-7b": CatalogModel(
            "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", _arch(7.62, 28, 3584, 28, 4, 128), gated=False
        ),
        "deepseek-r1-distill-qwen-32b": CatalogModel(
            "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", _arch(32.76, 64, 5120, 40, 8, 128), gated=False
        ),
        "deepseek-r1-distill-llama-8b": CatalogModel(
            "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", _arch(8.03, 32, 4096, 32, 8, 128), gated=False
        ),
    }
)  # fmt: skip
_BY_HF_ID = {m.hf_id.lower(): m for m in MODEL_CATALOG.values()}


def lookup(name_or_hf_id: str) -> CatalogModel | None:
    """A catalog model by short name ("qwen3-8b") or Hugging Face id ("Qwen/Qwen3-8B"), case-insensitive."""
    key = name_or_hf_id.removeprefix("hf://").lower()
    return MODEL_CATALOG.get(key) or _BY_HF_ID.get(key)
