"""Where each configured model runs: its GPU pools, tensor parallelism, KV capacity and instance types.

Decided from config alone, before anything exists, so a model that cannot fit, or that the pools' GPU cannot
run (catalog/vllm_hardware.py), is refused at `make plan` / `pulumi preview` with the numbers, not 20 minutes
into a pod start. The one place that sizes a model: the fleet is resolved once (fleet/load.py) and everything
else reads its placements.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog.gpus import COMPUTE_CAPABILITY, GPU_INSTANCES, Capability, GpuInstance, capability_str, gpu_model
from catalog.models import Architecture
from catalog.prices import on_demand_price
from catalog.vllm_hardware import Blocker, blockers, compute_dtype, max_num_batched_tokens
from config.schema.models import ModelConfig
from fleet.resolved import Placement, Pool
from sizing.gpu_memory import Fit, fit, valid_tp_sizes

WEIGHT_FORMAT = {"none": "native", "fp8": "fp8", "awq": "awq", "gptq": "gptq"}


class PlacementError(ValueError):
    """A message naming the numbers and the ways out, and the model key to change (as the stack file spells
    it, below the model's own key)."""

    def __init__(self, message: str, key: str):
        super().__init__(message)
        self.key = key


def place(model: ModelConfig, arch: Architecture, pools: Mapping[str, Pool], region: str) -> Placement:
    """The model's placement on `pools` (every pool of the stack), or PlacementError."""
    chosen = _pools_of(model, pools)
    gpu = chosen[0].gpu
    _check_runs_on(model, arch, gpu)
    max_gpus = max(p.gpus_per_node for p in chosen)
    tp = _tensor_parallelism(arch, model, gpu, max_gpus)
    holding, dropped = _holding(model, chosen, tp)
    types = sorted(
        {t for p in holding for t in p.instance_types if GPU_INSTANCES[t].gpu_count >= tp},
        key=lambda t: (on_demand_price(region, t) or float("inf"), t),
    )
    return Placement(arch, holding, tp, _fit(arch, model, gpu, tp), tuple(types), dropped)


def _holding(
    model: ModelConfig, chosen: tuple[Pool, ...], tp: int
) -> tuple[tuple[Pool, ...], tuple[Pool, ...]]:
    """The pools that can hold a replica of `tp` GPUs, and those that cannot. A pool the model named that can
    never run it must not stay in its node affinity unannounced: with tensorParallelSize auto it is dropped
    (and warned about: fleet/warnings.py), with an explicit size it is refused."""
    holding = tuple(p for p in chosen if p.gpus_per_node >= tp)
    dropped = tuple(p for p in chosen if p.gpus_per_node < tp)
    if dropped and model.tensor_parallel_size != "auto":
        small = ", ".join(f"{p.name} (at most {p.gpus_per_node} GPUs per node)" for p in dropped)
        raise PlacementError(
            f"tensorParallelSize {tp} needs nodes with {tp} GPUs; {small} cannot hold a replica: leave "
            "them out of placement.pools, or set a smaller tensorParallelSize",
            "placement.pools",
        )
    return holding, dropped


def _pools_of(model: ModelConfig, pools: Mapping[str, Pool]) -> tuple[Pool, ...]:
    """The pools the model may use: named, of one GPU model, offering the capacity type it wants."""
    unknown = [p for p in model.placement.pools if p not in pools]
    if unknown:
        raise PlacementError(
            f"no GPU pool named {', '.join(unknown)} (pools: {', '.join(pools) or 'none'})", "placement.pools"
        )
    gpus = sorted({gpu_model(pools[p].gpu) for p in model.placement.pools})
    if len(gpus) > 1:
        raise PlacementError(
            "pools with different GPUs ("
            + ", ".join(f"{n} {m} GB" for n, m in gpus)
            + "): one model is sized "
            "for one GPU model; list pools of the same GPU",
            "placement.pools",
        )
    wanted = model.placement.capacity_type
    chosen = tuple(pools[p] for p in model.placement.pools if _provides(pools[p], wanted))
    if not chosen:
        raise PlacementError(
            f"none of the pools {model.placement.pools} provides {wanted} capacity", "placement.capacityType"
        )
    return chosen


def _provides(pool: Pool, wanted: str) -> bool:
    """Whether `pool` gives a model the capacity its placement asks for: on-demand means not interruptible, which
    reserved capacity (an ODCR or a Capacity Block) is too."""
    if wanted == "either":
        return True
    return pool.interruptible if wanted == "spot" else not pool.interruptible


def _blockers(model: ModelConfig, arch: Architecture, capability: Capability, **change: str) -> list[Blocker]:
    """Why vLLM cannot run the model on a GPU of this compute capability, as configured or with `change`
    (dtype, quantization, kv_cache_dtype as ModelConfig names them) applied."""
    c = {
        "dtype": model.dtype,
        "quantization": model.quantization,
        "kv_cache_dtype": model.kv_cache_dtype,
    } | change
    own = c["quantization"] == "none"
    return blockers(
        capability,
        dtype=c["dtype"],
        native_dtype=arch.native_dtype,
        weight_format=arch.native_quantization if own else c["quantization"],
        kv_cache_dtype=c["kv_cache_dtype"],
        attention_sinks=arch.attention_sinks,
        # The checkpoint's own format is the model's: only another GPU changes it.
        weights_key="placement.pools" if own else "quantization",
    )


# Values of the model's own keys that may lift a blocker on the same GPU, tried in this order.
_ALTERNATIVES: tuple[tuple[str, str, str], ...] = (
    ("dtype", "dtype", "auto"),
    ("dtype", "dtype", "float16"),
    ("kvCacheDtype", "kv_cache_dtype", "auto"),
    ("quantization", "quantization", "none"),
)


def _check_runs_on(model: ModelConfig, arch: Architecture, gpu: GpuInstance) -> None:
    """PlacementError naming the key to change when vLLM cannot run the model on the pools' GPU."""
    if model.quantization != "none" and arch.native_quantization is not None:
        raise PlacementError(
            f"the checkpoint is already {arch.native_quantization} (vLLM reads that from its config.json and "
            "refuses another --quantization): set quantization: none",
            "quantization",
        )
    cc = gpu.compute_capability
    found = _blockers(model, arch, cc)
    if not found:
        return
    ways: dict[str, str] = {}  # the first value of each blocking key that lifts that key's blockers here
    for key, field, value in _ALTERNATIVES:
        lifted = not any(b.key == key for b in _blockers(model, arch, cc, **{field: value}))
        if key in {b.key for b in found} and key not in ways and getattr(model, field) != value and lifted:
            ways[key] = f"{key}: {value}"
    runs = sorted((c, g) for g, c in COMPUTE_CAPABILITY.items() if not _blockers(model, arch, c))
    if runs:
        ways["placement.pools"] = "a pool of " + ", ".join(g for _, g in runs) + " GPUs"
    raise PlacementError(
        f"vLLM cannot run it on {gpu.gpu_name} GPUs (compute capability {capability_str(cc)}): "
        + "; ".join(b.reason for b in found)
        + ". Ways out: "
        + ("; ".join(ways.values()) if ways else "none in the catalog"),
        found[0].key,
    )


def _tensor_parallelism(arch: Architecture, model: ModelConfig, gpu: GpuInstance, max_gpus: int) -> int:
    candidates = valid_tp_sizes(arch, max_gpus)
    need = model.min_concurrency
    if model.tensor_parallel_size == "auto":
        tp = next((t for t in candidates if _fit(arch, model, gpu, t).fits(need)), None)
        if tp is None:
            raise _misfit(arch, model, gpu, max(candidates))
        return tp
    tp = model.tensor_parallel_size
    if tp not in candidates:
        raise PlacementError(
            f"tensorParallelSize {tp} is not possible here: it must divide the {arch.attention_heads} attention "
            f"heads and the pools' nodes have at most {max_gpus} {gpu.gpu_name} GPUs (possible: {candidates})",
            "tensorParallelSize",
        )
    if not _fit(arch, model, gpu, tp).fits(need):
        raise _misfit(arch, model, gpu, tp)
    return tp


def _misfit(arch: Architecture, model: ModelConfig, gpu: GpuInstance, tp: int) -> PlacementError:
    """Blame the context when KV is short; when the weights alone do not fit, the TP (if set) or the pools."""
    if _fit(arch, model, gpu, tp).kv_budget_gib >= 0:
        key = "maxModelLen"
    else:
        key = "placement.pools" if model.tensor_parallel_size == "auto" else "tensorParallelSize"
    return PlacementError(_no_fit(arch, model, gpu, tp), key)


def _fit(
    arch: Architecture,
    model: ModelConfig,
    gpu: GpuInstance,
    tp: int,
    quantization: str | None = None,
    max_model_len: int | None = None,
) -> Fit:
    length = max_model_len or model.max_model_len
    compute = compute_dtype(model.dtype, arch.native_dtype, gpu.compute_capability)
    return fit(
        arch,
        f"{gpu.gpu_name} {gpu.gpu_memory_gib} GB",
        gpu,
        tp=tp,
        max_model_len=length,
        gpu_memory_utilization=model.gpu_memory_utilization,
        # vLLM's default for this GPU unless extraArgs set it: the activation reserve is sized for it.
        batched_tokens=max_num_batched_tokens(
            gpu, max_num_seqs=model.max_num_seqs, max_model_len=length, extra_args=model.extra_args
        ),
        weight_format=WEIGHT_FORMAT[quantization or model.quantization],
        kv_dtype=compute if model.kv_cache_dtype == "auto" else "fp8",
    )


def _no_fit(arch: Architecture, model: ModelConfig, gpu: GpuInstance, tp: int) -> str:
    need = model.min_concurrency
    f = _fit(arch, model, gpu, tp)
    ways = _bigger_tp(arch, model, gpu, tp) + _quantized(arch, model, gpu, tp)
    if f.kv_tokens > 0:
        longest = int(f.kv_tokens / need) // 256 * 256
        if longest >= 256:
            ways.append(f"maxModelLen <= {longest}")
    elif f.kv_budget_gib < 0:
        ways.append("no context length helps: the weights alone exceed the memory at this tensor parallelism")
    ways += _bigger_gpus(arch, model, gpu, tp)
    return f"does not fit: {f.explain()}; needs {need:g} (minConcurrency). Ways out: " + (
        "; ".join(ways) if ways else "a larger GPU"
    )


def _bigger_tp(arch: Architecture, model: ModelConfig, gpu: GpuInstance, tp: int) -> list[str]:
    for bigger in valid_tp_sizes(arch, 8):
        if bigger > tp and _fit(arch, model, gpu, bigger).fits(model.min_concurrency):
            return [f"tensorParallelSize {bigger} on nodes with {bigger}+ {gpu.gpu_name} GPUs"]
    return []


def _quantized(arch: Architecture, model: ModelConfig, gpu: GpuInstance, tp: int) -> list[str]:
    if (
        model.quantization != "none"
        or arch.native_quantization
        or _blockers(model, arch, gpu.compute_capability, quantization="fp8")
    ):
        return []
    q = _fit(arch, model, gpu, tp, quantization="fp8")
    return (
        [f"quantization: fp8 ({q.full_length_sequences:.1f} sequences)"]
        if q.fits(model.min_concurrency)
        else []
    )


def _bigger_gpus(arch: Architecture, model: ModelConfig, gpu: GpuInstance, tp: int) -> list[str]:
    others = sorted(
        {
            gpu_model(i)
            for i in GPU_INSTANCES.values()
            if gpu_model(i) != gpu_model(gpu)
            and i.gpu_memory_gib > gpu.gpu_memory_gib
            and not _blockers(model, arch, i.compute_capability)
            and _fit(arch, model, i, tp).fits(model.min_concurrency)
        },
        key=lambda g: (g[1], g[0]),  # by memory, then name: a stable message
    )
    if not others:
        return []
    return ["a pool of " + " or ".join(f"{n} {m} GB" for n, m in others[:2]) + f" GPUs at TP {tp}"]
