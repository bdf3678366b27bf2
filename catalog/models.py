"""Catalog of popular open models: the shape sizing needs, the context each takes, whether the repo is gated,
what not to download.

Values from each model's config.json (num_hidden_layers, hidden_size, num_attention_heads,
num_key_value_heads, head_dim, vocab_size, tie_word_embeddings, max_position_embeddings, rope_theta,
rope_scaling) and model card (parameters, YaRN), read 2026-11. Models not listed here state their architecture
in stack config (`llm-platform:models[].architecture`).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from types import MappingProxyType

_GIB = 1024**3


@dataclass(frozen=True)
class Architecture:
    """What the memory arithmetic and the hardware check need from a model's config.json."""

    params_b: float  # total parameters, billions (all experts of an MoE: all are resident)
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    native_dtype: str = "bfloat16"
    # Checkpoint size when the native format is quantized (gpt-oss: MXFP4 experts): overrides params x bytes.
    checkpoint_gib: float | None = None
    # The checkpoint's own quantization (config.json quantization_config.quant_method), which vLLM reads itself.
    native_quantization: str | None = None
    # Embeddings and the output layer (lm_head): vocab x hidden parameters each, one matrix when tied. vLLM's
    # FP8/AWQ/GPTQ quantize linear layers only, so these stay in 16-bit. None: unknown (custom architectures).
    vocab_size: int | None = None
    tied_embeddings: bool = False
    # Learned attention sinks (gpt-oss): fewer attention backends take them (catalog/vllm_hardware.py).
    attention_sinks: bool = False

    @property
    def embedding_params_b(self) -> float:
        """Parameters (billions) of the embeddings and lm_head together: the weights that stay 16-bit."""
        if self.vocab_size is None:
            return 0.0
        return self.vocab_size * self.hidden_size * (1 if self.tied_embeddings else 2) / 1e9


@dataclass(frozen=True)
class Yarn:
    """A YaRN recipe a model card documents: rope_type yarn, `factor` over `original` trained positions."""

    factor: float
    original: int

    @property
    def max_context(self) -> int:
        return int(self.factor * self.original)


@dataclass(frozen=True)
class CatalogModel:
    hf_id: str
    arch: Architecture
    gated: bool  # the Hugging Face repo requires accepting a licence: the preload needs a token
    _: KW_ONLY
    # config.json max_position_embeddings: the longest context vLLM accepts as the checkpoint ships (vLLM 0.31.0
    # vllm/config/model.py _get_and_verify_max_len refuses a longer --max-model-len).
    max_position_embeddings: int
    rope_theta: (
        float  # config.json rope_theta: a rope_parameters override must carry it (vLLM's default: 10,000)
    )
    # Files in the repo that serving does not read (original checkpoints, other runtimes): skipped by the preload.
    exclude: tuple[str, ...] = ()
    # The rope scaling config.json already ships (the limit above includes it): a ropeScaling on top would
    # replace it. Llama 3.x: llama3 (factor 8 over 8,192); gpt-oss: yarn (factor 32 over 4,096).
    shipped_rope: str | None = None
    yarn: Yarn | None = None  # the YaRN recipe the model card documents for longer contexts, if any

    @property
    def max_context(self) -> int:
        """The longest maxModelLen without a ropeScaling of our own."""
        return self.max_position_embeddings


def _arch(params_b, layers, hidden, heads, kv, head_dim, vocab, tied=False, **kw) -> Architecture:
    checkpoint_gb = kw.pop("checkpoint_gb", None)
    return Architecture(
        params_b=params_b,
        layers=layers,
        hidden_size=hidden,
        attention_heads=heads,
        kv_heads=kv,
        head_dim=head_dim,
        vocab_size=vocab,
        tied_embeddings=tied,
        checkpoint_gib=None if checkpoint_gb is None else checkpoint_gb * 1e9 / _GIB,
        **kw,
    )


_LLAMA_ORIGINAL = ("original/*",)
_GPT_OSS_EXCLUDE = ("original/*", "metal/*")
# Qwen3 model cards (8B and up): "32,768 natively and 131,072 tokens with YaRN" (factor 4 over 32,768); config.json
# says max_position_embeddings 40,960 (32,768 of output plus 8,192 of prompt) and rope_scaling null.
_QWEN3 = {"max_position_embeddings": 40960, "rope_theta": 1_000_000.0}
_QWEN3_YARN = Yarn(factor=4.0, original=32768)
# Llama 3.1 / 3.3 and the R1 distill of Llama 3.1 ship rope_scaling {rope_type: llama3, factor 8, original 8,192}:
# their 131,072 positions are native.
_LLAMA3 = {"max_position_embeddings": 131072, "rope_theta": 500_000.0, "shipped_rope": "llama3"}
# gpt-oss ships rope_scaling {rope_type: yarn, factor 32, original_max_position_embeddings 4,096}.
_GPT_OSS = {"max_position_embeddings": 131072, "rope_theta": 150_000.0, "shipped_rope": "yarn"}
_GPT_OSS_ARCH = {"native_quantization": "mxfp4", "attention_sinks": True}
MODEL_CATALOG: MappingProxyType[str, CatalogModel] = MappingProxyType(
    {
        # Qwen3-0.6B ties its embeddings to lm_head (tie_word_embeddings true); its card gives 32,768 and no YaRN.
        "qwen3-0.6b": CatalogModel("Qwen/Qwen3-0.6B", _arch(0.60, 28, 1024, 16, 8, 128, 151936, tied=True),
                                   gated=False, **_QWEN3),
        "qwen3-8b": CatalogModel("Qwen/Qwen3-8B", _arch(8.19, 36, 4096, 32, 8, 128, 151936), gated=False,
                                 yarn=_QWEN3_YARN, **_QWEN3),
        "qwen3-32b": CatalogModel("Qwen/Qwen3-32B", _arch(32.76, 64, 5120, 64, 8, 128, 151936), gated=False,
                                  yarn=_QWEN3_YARN, **_QWEN3),
        # MoE: all 128 experts are resident (30.5B), 3.3B active per token.
        "qwen3-30b-a3b": CatalogModel("Qwen/Qwen3-30B-A3B", _arch(30.5, 48, 2048, 32, 4, 128, 151936), gated=False,
                                      yarn=_QWEN3_YARN, **_QWEN3),
        "llama-3.1-8b-instruct": CatalogModel(
            "meta-llama/Llama-3.1-8B-Instruct", _arch(8.03, 32, 4096, 32, 8, 128, 128256), gated=True,
            exclude=_LLAMA_ORIGINAL, **_LLAMA3,
        ),
        "llama-3.3-70b-instruct": CatalogModel(
            "meta-llama/Llama-3.3-70B-Instruct", _arch(70.55, 80, 8192, 64, 8, 128, 128256), gated=True,
            exclude=_LLAMA_ORIGINAL, **_LLAMA3,
        ),
        "mistral-7b-instruct-v0.3": CatalogModel(
            "mistralai/Mistral-7B-Instruct-v0.3",
            _arch(7.25, 32, 4096, 32, 8, 128, 32768),
            gated=True,
            exclude=("consolidated.safetensors",),  # the same weights again in Mistral's own format
            max_position_embeddings=32768, rope_theta=1_000_000.0,
        ),
        "mixtral-8x7b-instruct": CatalogModel(
            "mistralai/Mixtral-8x7B-Instruct-v0.1", _arch(46.7, 32, 4096, 32, 8, 128, 32000), gated=True,
            exclude=("*.pt",), max_position_embeddings=32768, rope_theta=1_000_000.0,
        ),
        # Experts ship in MXFP4 (vLLM reads the format from config.json): the checkpoint size is the weight size.
        # Alternate layers use a 128-token sliding window; sizing counts every layer as full attention (safe side).
        "gpt-oss-20b": CatalogModel(
            "openai/gpt-oss-20b", _arch(21.0, 24, 2880, 64, 8, 64, 201088, checkpoint_gb=13.8, **_GPT_OSS_ARCH),
            gated=False, exclude=_GPT_OSS_EXCLUDE, **_GPT_OSS,
        ),
        "gpt-oss-120b": CatalogModel(
            "openai/gpt-oss-120b", _arch(117.0, 36, 2880, 64, 8, 64, 201088, checkpoint_gb=65.0, **_GPT_OSS_ARCH),
            gated=False, exclude=_GPT_OSS_EXCLUDE, **_GPT_OSS,
        ),
        # The Qwen distills keep Qwen2.5's vocabulary of 152,064; the 7B (from Qwen2.5-Math) keeps rope_theta 10,000.
        "deepseek-r1-distill-qwen-7b": CatalogModel(
            "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", _arch(7.62, 28, 3584, 28, 4, 128, 152064), gated=False,
            max_position_embeddings=131072, rope_theta=10_000.0,
        ),
        "deepseek-r1-distill-qwen-32b": CatalogModel(
            "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", _arch(32.76, 64, 5120, 40, 8, 128, 152064), gated=False,
            max_position_embeddings=131072, rope_theta=1_000_000.0,
        ),
        "deepseek-r1-distill-llama-8b": CatalogModel(
            "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", _arch(8.03, 32, 4096, 32, 8, 128, 128256), gated=False,
            **_LLAMA3,
        ),
    }
)  # fmt: skip
_BY_HF_ID = {m.hf_id.lower(): m for m in MODEL_CATALOG.values()}


def lookup(name_or_hf_id: str) -> CatalogModel | None:
    """A catalog model by short name ("qwen3-8b") or Hugging Face id ("Qwen/Qwen3-8B"), case-insensitive."""
    key = name_or_hf_id.removeprefix("hf://").lower()
    return MODEL_CATALOG.get(key) or _BY_HF_ID.get(key)
