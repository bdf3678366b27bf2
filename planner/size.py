"""`make size MODEL=<catalog name or hf id> CONTEXT=<tokens> [CONCURRENCY=<n>] [REGION=us-east-1]`:
feasible instance types for one model, cheapest first.

CONCURRENCY is the number of full-length (CONTEXT-token) sequences the KV cache must hold at once. Types whose
GPU the pinned vLLM cannot run the model on (as configured: --dtype, --quantization, --kv-cache-dtype) are left
out, and the output says why (catalog/vllm_hardware.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field

from catalog.gpus import GPU_INSTANCES, GpuInstance, capability_str
from catalog.models import MODEL_CATALOG, CatalogModel, lookup
from catalog.prices import PRICE_SOURCE, on_demand_price, spot_price_estimate
from catalog.vllm_hardware import blockers, compute_dtype, max_num_batched_tokens, notes
from config.schema.models import ModelConfig
from sizing.gpu_memory import Fit, fit, valid_tp_sizes

# The platform's own defaults for what a model entry leaves out (config/schema/models.py).
DEFAULT_MAX_NUM_SEQS: int = ModelConfig.model_fields["max_num_seqs"].default
DEFAULT_UTILIZATION: float = ModelConfig.model_fields["gpu_memory_utilization"].default


@dataclass(frozen=True)
class Options:
    """A model entry's keys that decide where it fits and what can run it, as `make size` takes them."""

    context: int
    concurrency: float = 1
    utilization: float = DEFAULT_UTILIZATION
    dtype: str = "auto"
    quantization: str = "none"
    kv_cache_dtype: str = "auto"
    max_num_seqs: int = DEFAULT_MAX_NUM_SEQS


@dataclass
class Sizing:
    entry: CatalogModel
    rows: list[tuple[Fit, int]] = field(
        default_factory=list
    )  # (fit, TP): the smallest TP that fits, per type
    left_out: dict[str, list[str]] = field(
        default_factory=dict
    )  # "g4dn.* (t4, compute capability 7.5)" -> why
    notes: dict[str, list[str]] = field(default_factory=dict)  # GPU name -> how it runs the model there


def _blockers(entry: CatalogModel, gpu: GpuInstance, o: Options) -> list[str]:
    a = entry.arch
    own = o.quantization == "none"
    found = blockers(
        gpu.compute_capability,
        dtype=o.dtype,
        native_dtype=a.native_dtype,
        weight_format=a.native_quantization if own else o.quantization,
        kv_cache_dtype=o.kv_cache_dtype,
        attention_sinks=a.attention_sinks,
    )
    return [b.reason for b in found]


def _fit(entry: CatalogModel, name: str, gpu: GpuInstance, tp: int, o: Options) -> Fit:
    a = entry.arch
    compute = compute_dtype(o.dtype, a.native_dtype, gpu.compute_capability)
    return fit(
        a, name, gpu, tp=tp, max_model_len=o.context, gpu_memory_utilization=o.utilization,
        batched_tokens=max_num_batched_tokens(gpu, max_num_seqs=o.max_num_seqs, max_model_len=o.context),
        weight_format="native" if o.quantization == "none" else o.quantization,
        kv_dtype=compute if o.kv_cache_dtype == "auto" else o.kv_cache_dtype,
    )  # fmt: skip


def feasible(model: str, o: Options) -> Sizing:
    entry = lookup(model)
    if entry is None:
        raise SystemExit(f"error: {model!r} is not in the catalog; known: {', '.join(MODEL_CATALOG)}")
    if o.quantization != "none" and entry.arch.native_quantization:
        raise SystemExit(
            f"error: {entry.hf_id} ships {entry.arch.native_quantization} weights: --quantization none"
        )
    out = Sizing(entry)
    for name, gpu in GPU_INSTANCES.items():
        why = _blockers(entry, gpu, o)
        if why:
            out.left_out[f"{gpu.family}.* ({gpu.gpu_name}, compute capability "
                         f"{capability_str(gpu.compute_capability)})"] = why  # fmt: skip
            continue
        a = entry.arch
        how = notes(gpu.compute_capability, dtype=o.dtype, native_dtype=a.native_dtype,
                    weight_format=a.native_quantization if o.quantization == "none" else o.quantization)  # fmt: skip
        for tp in valid_tp_sizes(a, gpu.gpu_count):
            f = _fit(entry, name, gpu, tp, o)
            if f.fits(o.concurrency):
                out.rows.append((f, tp))
                if how:
                    out.notes[gpu.gpu_name] = how
                break  # the smallest TP that fits on this instance type
    return out


def _context_note(entry: CatalogModel, context: int) -> str | None:
    """None within the model's own context; past it, the ropeScaling the entry needs (or SystemExit)."""
    if context <= entry.max_context:
        return None
    if entry.yarn is None or entry.shipped_rope is not None:
        raise SystemExit(
            f"error: {context:,} tokens is above {entry.hf_id}'s context of {entry.max_context:,} "
            "(max_position_embeddings in its config.json), and its model card documents no rope scaling past it"
        )
    factor = max(entry.yarn.factor, context / entry.yarn.original)
    return (
        f"past its {entry.max_context:,}-token context: assumes ropeScaling: {{type: yarn, factor: {factor:.3g}, "
        f"originalMaxPositionEmbeddings: {entry.yarn.original}}}"
    )


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="make size", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    p.add_argument("--model", required=True)
    p.add_argument("--context", type=int, required=True)
    p.add_argument("--concurrency", type=float, default=1)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--utilization", type=float, default=DEFAULT_UTILIZATION)
    p.add_argument("--dtype", default="auto", choices=["auto", "bfloat16", "float16"])
    p.add_argument("--kv-cache-dtype", default="auto", choices=["auto", "fp8"])
    p.add_argument("--quantization", default="none", choices=["none", "fp8", "awq", "gptq"])
    p.add_argument("--max-num-seqs", type=int, default=DEFAULT_MAX_NUM_SEQS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    o = Options(
        a.context, a.concurrency, a.utilization, a.dtype, a.quantization, a.kv_cache_dtype, a.max_num_seqs
    )
    entry = lookup(a.model)
    rope = _context_note(entry, a.context) if entry is not None else None
    s = feasible(a.model, o)

    def price(f: Fit, fn) -> float | None:
        value = fn(a.region, f.instance_type)
        return None if value is None else value * f.tp / GPU_INSTANCES[f.instance_type].gpu_count

    s.rows.sort(key=lambda r: (price(r[0], on_demand_price) or float("inf"), r[0].instance_type))
    print(f"{s.entry.hf_id}: {a.context:,}-token context, {a.concurrency:g} concurrent full-length sequence(s), "
          f"utilisation {a.utilization}, {a.region}{' (gated: needs a Hugging Face token)' if s.entry.gated else ''}")  # fmt: skip
    if rope:
        print(rope)
    if not s.rows:
        quantize = "" if s.entry.arch.native_quantization else ", or quantize (--quantization fp8)"
        runs_somewhere = len(s.left_out) < len({g.family for g in GPU_INSTANCES.values()})
        print(f"nothing in the catalog fits: shorten the context, lower the concurrency{quantize}"
              if runs_somewhere else "no GPU in the catalog can run it as configured")  # fmt: skip
        _print_left_out(s)
        return 1
    print(f"{'instance type':<15} {'GPU':<10} {'TP':>2} {'per node':>8} {'KV tokens':>10} {'seqs':>6} "
          f"{'$/h replica':>11} {'spot est.':>9}")  # fmt: skip
    for f, tp in s.rows:
        gpu = GPU_INSTANCES[f.instance_type]
        od, spot = price(f, on_demand_price), price(f, spot_price_estimate)
        print(
            f"{f.instance_type:<15} {gpu.gpu_name + ' ' + str(gpu.gpu_memory_gib) + 'G':<10} {tp:>2} "
            f"{f.replicas_per_node:>8} {f.kv_tokens:>10,} {f.full_length_sequences:>6.1f} "
            f"{'n/a' if od is None else f'{od:.2f}':>11} {'n/a' if spot is None else f'{spot:.2f}':>9}"
        )
    for gpu_name, how in s.notes.items():
        print(f"note: {gpu_name}: " + "; ".join(how))
    _print_left_out(s)
    print(
        f"\nPrices: {PRICE_SOURCE}; spot is an estimate. $/h per replica = node price x TP / GPUs per node."
    )
    return 0


def _print_left_out(s: Sizing) -> None:
    """One line per GPU family the pinned vLLM cannot run the model on, with the reasons."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for family, why in s.left_out.items():
        grouped["; ".join(why)].append(family)
    for why, families in grouped.items():
        print(f"left out: {', '.join(families)}: {why}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `make size ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
