"""Where each configured model runs: its GPU pools, tensor parallelism, KV capacity and price per replica.

Decided from config alone, before anything exists, so a model that cannot fit is refused at `make plan` /
`pulumi preview` with the numbers, not 20 minutes into a pod start.
"""

from __future__ import annotations

from dataclasses import dataclass

from stacks.catalog import GPU_INSTANCES, GpuInstance, on_demand_price, spot_price_estimate
from stacks.config import ModelConfig, PlatformConfig
from stacks.models import architecture_for
from stacks.sizing import Architecture, Fit, fit, valid_tp_sizes

WEIGHT_FORMAT = {"none": "native", "fp8": "fp8", "awq": "awq", "gptq": "gptq"}


@dataclass(frozen=True)
class Pool:
    name: str
    kind: str  # "node group" | "NodePool"
    capacity_type: str  # on-demand | spot
    instance_types: tuple[str, ...]

    @property
    def gpu(self) -> GpuInstance:
        return GPU_INSTANCES[self.instance_types[0]]


def gpu_pools(cfg: PlatformConfig) -> dict[str, Pool]:
    pools = {
        g.name: Pool(g.name, "node group", g.capacity_type, tuple(g.instance_types))
        for g in cfg.gpu_node_groups
    }
    if cfg.addons.karpenter.enabled:
        for p in cfg.addons.karpenter.node_pools:
            types = tuple(t for t, i in GPU_INSTANCES.items() if i.family in p.instance_families)
            pools[p.name] = Pool(p.name, "NodePool", p.capacity_type, types)
    return pools


@dataclass(frozen=True)
class ModelSizing:
    model: ModelConfig
    arch: Architecture
    pools: tuple[Pool, ...]
    tp: int
    fit: Fit  # per GPU; the same on every instance type of the (one) GPU model
    instance_types: tuple[str, ...]  # those with at least tp GPUs, cheapest first

    def price_per_replica(self, region: str, instance_type: str, spot: bool = False) -> float | None:
        price = (spot_price_estimate if spot else on_demand_price)(region, instance_type)
        return None if price is None else price * self.tp / GPU_INSTANCES[instance_type].gpu_count

    @property
    def capacity_types(self) -> tuple[str, ...]:
        return tuple(sorted({p.capacity_type for p in self.pools}))


class SizingError(ValueError):
    """A message naming the numbers and the ways out, and the model key to change (as the stack file spells
    it); the loader prefixes the model's position."""

    def __init__(self, message: str, key: str):
        super().__init__(message)
        self.key = key


def _misfit(
    arch: Architecture, model: ModelConfig, gpu: GpuInstance, tp: int, cfg: PlatformConfig
) -> SizingError:
    """Blame the context when KV is short; when the weights alone do not fit, the TP (if set) or the pools."""
    if _fit(arch, model, gpu, tp).kv_budget_gib >= 0:
        key = "maxModelLen"
    else:
        key = "placement.pools" if model.tensor_parallel_size == "auto" else "tensorParallelSize"
    return SizingError(_no_fit(arch, model, gpu, tp, cfg), key)


def _fit(
    arch: Architecture,
    model: ModelConfig,
    gpu: GpuInstance,
    tp: int,
    quantization: str | None = None,
    max_model_len: int | None = None,
) -> Fit:
    return fit(
        arch,
        f"{gpu.gpu_name} {gpu.gpu_memory_gib} GB",
        gpu,
        tp=tp,
        max_model_len=max_model_len or model.max_model_len,
        gpu_memory_utilization=model.gpu_memory_utilization,
        weight_format=WEIGHT_FORMAT[quantization or model.quantization],
        kv_dtype=arch.native_dtype if model.kv_cache_dtype == "auto" else "fp8",
    )


def size_model(cfg: PlatformConfig, model: ModelConfig) -> ModelSizing:
    arch = architecture_for(model)
    all_pools = gpu_pools(cfg)
    wanted = model.placement.capacity_type
    pools = tuple(
        all_pools[p]
        for p in model.placement.pools
        if wanted == "either" or all_pools[p].capacity_type == wanted
    )
    if not pools:
        raise SizingError(
            f"none of the pools {model.placement.pools} provides {wanted} capacity", "placement.capacityType"
        )
    gpu = pools[0].gpu
    max_gpus = max(GPU_INSTANCES[t].gpu_count for p in pools for t in p.instance_types)
    candidates = valid_tp_sizes(arch, max_gpus)
    need = model.min_concurrency

    if model.tensor_parallel_size == "auto":
        tp = next((t for t in candidates if _fit(arch, model, gpu, t).fits(need)), None)
        if tp is None:
            raise _misfit(arch, model, gpu, max(candidates), cfg)
    else:
        tp = model.tensor_parallel_size
        if tp not in candidates:
            raise SizingError(
                f"tensorParallelSize {tp} is not possible here: it must divide the {arch.attention_heads} attention "
                f"heads and the pools' nodes have at most {max_gpus} {gpu.gpu_name} GPUs (possible: {candidates})",
                "tensorParallelSize",
            )
        if not _fit(arch, model, gpu, tp).fits(need):
            raise _misfit(arch, model, gpu, tp, cfg)

    types = sorted(
        {t for p in pools for t in p.instance_types if GPU_INSTANCES[t].gpu_count >= tp},
        key=lambda t: (on_demand_price(cfg.region, t) or float("inf"), t),
    )
    return ModelSizing(model, arch, pools, tp, _fit(arch, model, gpu, tp), tuple(types))


def _no_fit(arch: Architecture, model: ModelConfig, gpu: GpuInstance, tp: int, cfg: PlatformConfig) -> str:
    need = model.min_concurrency
    f = _fit(arch, model, gpu, tp)
    ways: list[str] = []
    for bigger in valid_tp_sizes(arch, 8):
        if bigger > tp and _fit(arch, model, gpu, bigger).fits(need):
            ways.append(f"tensorParallelSize {bigger} on nodes with {bigger}+ {gpu.gpu_name} GPUs")
            break
    if model.quantization == "none":
        q = _fit(arch, model, gpu, tp, quantization="fp8")
        if q.fits(need):
            ways.append(f"quantization: fp8 ({q.full_length_sequences:.1f} sequences)")
    if f.kv_tokens > 0:
        longest = int(f.kv_tokens / need) // 256 * 256
        if longest >= 256:
            ways.append(f"maxModelLen <= {longest}")
    elif f.kv_budget_gib < 0:
        ways.append("no context length helps: the weights alone exceed the memory at this tensor parallelism")
    others = sorted(
        {
            (i.gpu_name, i.gpu_memory_gib)
            for i in GPU_INSTANCES.values()
            if (i.gpu_name, i.gpu_memory_gib) != (gpu.gpu_name, gpu.gpu_memory_gib)
            and i.gpu_memory_gib > gpu.gpu_memory_gib
            and _fit(arch, model, i, tp).fits(need)
        },
        key=lambda g: g[1],
    )
    if others:
        ways.append("a pool of " + " or ".join(f"{n} {m} GB" for n, m in others[:2]) + f" GPUs at TP {tp}")
    return f"does not fit: {f.explain()}; needs {need:g} (minConcurrency). Ways out: " + (
        "; ".join(ways) if ways else "a larger GPU"
    )
