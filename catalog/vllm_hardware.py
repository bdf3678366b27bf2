"""What the pinned vLLM (0.31.0, `SERVING_IMAGES` in catalog/images.py) runs on which GPU, and the engine defaults
that depend on the GPU.

Read in the 0.31.0 wheel's source (the wheel ships no docs/; the docs' `features/quantization/supported_hardware.md`
on main is older than these checks and still puts Marlin FP8 at Ampere). Each row names the file and function that
decides it. Re-read them when the image's vLLM version moves.

A model as configured needs: a compute dtype (`dtype`, or the checkpoint's with `auto`), its weight format
(`quantization`, or the checkpoint's own), and a KV cache dtype (`kvCacheDtype`). Each has a lowest compute
capability; the GPU must meet all of them. `blockers` says which it does not, naming the key to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from catalog.gpus import Capability, GpuInstance, capability_str

# The vLLM release every row below was read at; the serving image must pin the same (a test holds them equal).
READ_AT_VLLM_VERSION = "0.31.0"


@dataclass(frozen=True)
class Support:
    """The lowest compute capability at which vLLM 0.31.0 runs a feature, and where it decides so."""

    min_capability: Capability
    source: str
    # Compute dtypes the format's kernels take (QuantizationConfig.get_supported_act_dtypes); empty: any.
    act_dtypes: tuple[str, ...] = ()


# Compute dtypes, by the dtype vLLM's --dtype names (vllm/platforms/cuda.py CudaPlatformBase.supported_dtypes:
# bfloat16 from 8.0, float16 from 6.0). An explicit bfloat16 below 8.0 fails at start
# (CudaPlatformBase.check_if_supports_dtype, from vllm/v1/worker/gpu_worker.py init_device).
COMPUTE_DTYPES: MappingProxyType[str, Support] = MappingProxyType(
    {
        "bfloat16": Support((8, 0), "vllm/platforms/cuda.py CudaPlatformBase.supported_dtypes, check_if_supports_dtype"),
        "float16": Support((6, 0), "vllm/platforms/cuda.py CudaPlatformBase.supported_dtypes"),
    }
)  # fmt: skip

# Weight formats, by --quantization (or the checkpoint's own quant_method). vllm/config/vllm.py
# VllmConfig._get_quantization_config refuses a GPU below the format's get_min_capability() and a compute dtype
# outside its get_supported_act_dtypes().
WEIGHT_FORMATS: MappingProxyType[str, Support] = MappingProxyType(
    {
        # A bf16 checkpoint with --quantization fp8 is quantized at load (online; fp8 is the deprecated name of
        # fp8_per_tensor: vllm/model_executor/model_loader/weight_utils.py get_quant_config). Its kernels: W8A8
        # (CUTLASS, torch._scaled_mm) from 8.9 (vllm/platforms/cuda.py supports_fp8); below that, weight-only
        # Marlin W8A16 from 7.5 (vllm/model_executor/kernels/linear/scaled_mm/marlin.py
        # MarlinFP8ScaledMMLinearKernel.is_supported -> utils/marlin_utils_fp8.py is_fp8_marlin_supported). The
        # wheel's vllm/_C_stable_libtorch.abi3.so does carry sm_75 Marlin kernels for float16 activations x
        # float8_e4m3fn / uint4 / uint4b8 / uint8b128 weights (read from its fatbin; none for bfloat16 there).
        "fp8": Support(
            (7, 5),
            "vllm/model_executor/layers/quantization/online/base.py OnlineQuantizationConfig.get_min_capability, "
            "fp8.py Fp8Config.get_min_capability",
            ("bfloat16", "float16"),
        ),
        # AutoAWQConfig (awq, awq_marlin) picks a kernel with choose_mp_linear_kernel: Marlin from 7.5
        # (kernels/linear/mixed_precision/marlin.py MarlinLinearKernel.get_min_capability), Triton W4A16 at any.
        "awq": Support(
            (7, 5),
            "vllm/model_executor/layers/quantization/auto_awq.py AutoAWQConfig.get_min_capability",
            ("bfloat16", "float16"),
        ),
        # AutoGPTQConfig: Marlin from 7.5, Exllama from 6.0 (mixed_precision/exllama.py ExllamaLinearKernel).
        "gptq": Support(
            (6, 0),
            "vllm/model_executor/layers/quantization/auto_gptq.py AutoGPTQConfig.get_min_capability",
            ("bfloat16", "float16"),
        ),
        # gpt-oss ships MXFP4 experts (GptOssMxfp4Config, a Mxfp4Config): 8.0 and bfloat16 activations only.
        "mxfp4": Support(
            (8, 0),
            "vllm/model_executor/layers/quantization/mxfp4.py Mxfp4Config.get_min_capability, "
            "get_supported_act_dtypes",
            ("bfloat16",),
        ),
    }
)

# FP8 W8A8 proper (activations in FP8 too): below this, fp8 runs weight-only (Marlin) at 16-bit activation speed.
FP8_W8A8_MIN: Capability = (8, 9)

# An FP8 KV cache needs an attention backend that stores it (vllm/platforms/cuda.py _get_backend_priorities:
# FlashAttention, FlashInfer, Triton in that order): FlashAttention only with FA3 on 9.0
# (vllm/v1/attention/backends/fa_utils.py flash_attn_supports_kv_cache_dtype); FlashInfer from 8.0
# (flashinfer.py FlashInferBackend.supports_compute_capability: 7.5 is switched off in 0.31.0); Triton from 8.9
# (triton_attn.py TritonAttentionImpl.__init__: "native FP8 (fp8e4nv) requires SM89+"). Attention sinks
# (gpt-oss) rule FlashInfer out below 9.0 (FlashInferBackend.supports_sink), leaving Triton: 8.9.
KV_FP8 = Support(
    (8, 0), "vllm/v1/attention/backends/flashinfer.py FlashInferBackend.supports_compute_capability"
)
KV_FP8_WITH_SINKS = Support((8, 9), "vllm/v1/attention/backends/triton_attn.py TritonAttentionImpl.__init__")


@dataclass(frozen=True)
class Blocker:
    """One reason a GPU cannot run a model as configured: the model key that asked for it, and why."""

    key: str  # below the model's own key: dtype | quantization | kvCacheDtype | placement.pools
    reason: str
    source: str  # where vLLM 0.31.0 decides it


def compute_dtype(dtype: str, native_dtype: str, capability: Capability) -> str:
    """The dtype vLLM computes in. `auto` takes the checkpoint's, unless the GPU lacks it: then vLLM falls back
    to the GPU's first supported dtype, float16 below 8.0, with a warning (vllm/config/model.py
    _resolve_auto_dtype). A model trained in bfloat16 then runs in float16's narrower range."""
    if dtype != "auto":
        return dtype
    return native_dtype if capability >= COMPUTE_DTYPES[native_dtype].min_capability else "float16"


def blockers(
    capability: Capability,
    *,
    dtype: str,
    native_dtype: str,
    weight_format: str | None,
    kv_cache_dtype: str,
    attention_sinks: bool = False,
    weights_key: str = "quantization",
) -> list[Blocker]:
    """Why a GPU of `capability` cannot run this model as configured (empty: it can). `weight_format` is the
    quantization in effect (configured, or the checkpoint's own) or None for 16-bit weights; `weights_key` the
    key that chose it (placement.pools when it is the checkpoint's own)."""
    compute = compute_dtype(dtype, native_dtype, capability)
    out = _below(capability, COMPUTE_DTYPES[compute], f"{compute} compute", "dtype")
    if weight_format is not None:
        fmt = WEIGHT_FORMATS[weight_format]
        out += _below(capability, fmt, f"the {weight_format} weight format", weights_key)
        if fmt.act_dtypes and compute not in fmt.act_dtypes:
            reason = f"the {weight_format} weight format computes in {' or '.join(fmt.act_dtypes)} only, not {compute}"
            out.append(Blocker("dtype", reason, fmt.source))
    if kv_cache_dtype == "fp8":
        kv = KV_FP8_WITH_SINKS if attention_sinks else KV_FP8
        what = "an FP8 KV cache" + (" with attention sinks" if attention_sinks else "")
        out += _below(capability, kv, what, "kvCacheDtype")
    return out


def _below(capability: Capability, support: Support, what: str, key: str) -> list[Blocker]:
    if capability >= support.min_capability:
        return []
    return [
        Blocker(
            key, f"{what} needs compute capability {capability_str(support.min_capability)}+", support.source
        )
    ]


def notes(capability: Capability, *, dtype: str, native_dtype: str, weight_format: str | None) -> list[str]:
    """What runs differently from the configuration's face value on this GPU (it still runs)."""
    out = []
    compute = compute_dtype(dtype, native_dtype, capability)
    if compute != native_dtype and dtype == "auto":
        out.append(
            f"runs the {native_dtype} checkpoint in {compute} (vLLM's fallback below compute capability 8.0)"
        )
    if weight_format == "fp8" and capability < FP8_W8A8_MIN:
        out.append("fp8 runs weight-only (Marlin W8A16) below compute capability 8.9")
    return out


# EngineArgs.get_batch_defaults (vllm/engine/arg_utils.py), OpenAI server: max_num_batched_tokens by the memory of
# device 0 as the driver reports it (NVML total, per GPU, in GiB of 2^30 bytes) and its name (A100s are kept at
# the small default: PR #17885 measured a throughput loss). First row that matches wins.
@dataclass(frozen=True)
class BatchDefault:
    min_memory_gib: float
    tokens: int
    except_gpus: tuple[str, ...] = ()


BATCH_DEFAULTS: tuple[BatchDefault, ...] = (
    BatchDefault(160, 16384),  # B200/B300 class: none in the catalog yet (H200 reports 140.4 GiB)
    BatchDefault(70, 8192, except_gpus=("a100",)),  # H100, H200
    BatchDefault(0, 2048),
)


def default_max_num_batched_tokens(gpu: GpuInstance) -> int:
    return next(
        d.tokens
        for d in BATCH_DEFAULTS
        if gpu.reported_memory_gib >= d.min_memory_gib and gpu.gpu_name not in d.except_gpus
    )


def max_num_batched_tokens(
    gpu: GpuInstance, *, max_num_seqs: int, max_model_len: int, extra_args: Sequence[str] = ()
) -> int:
    """The token budget of one engine step, which is also the size of vLLM's memory-profiling run (vllm/v1/worker/
    gpu_model_runner.py profile_run: a dummy forward of max_num_batched_tokens tokens) and so of the activation
    reserve. As EngineArgs._set_default_max_num_seqs_and_batched_tokens_args sets it: an explicit
    --max-num-batched-tokens as given; else the GPU's default, doubled by --performance-mode throughput, raised
    to max_model_len without chunked prefill (on by default for generative models), and capped at
    max_num_seqs x max_model_len."""
    explicit = _flag_value(extra_args, "--max-num-batched-tokens")
    if explicit is not None and explicit.isdigit():
        return int(explicit)
    tokens = default_max_num_batched_tokens(gpu)
    if _flag_value(extra_args, "--performance-mode") == "throughput":
        tokens *= 2
    if "--no-enable-chunked-prefill" in extra_args:
        tokens = max(tokens, max_model_len)
    return min(tokens, max_num_seqs * max_model_len)


def _flag_value(args: Iterable[str], flag: str) -> str | None:
    """The value of `flag` in `--flag value` or `--flag=value` form (the last one, as argparse takes it)."""
    args = list(args)
    value = None
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(flag + "="):
            value = a.split("=", 1)[1]
    return value
