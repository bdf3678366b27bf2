"""`make size MODEL=<catalog name or hf id> CONTEXT=<tokens> [CONCURRENCY=<n>] [REGION=us-east-1]`:
feasible instance types for one model, cheapest first.

CONCURRENCY is the number of full-length (CONTEXT-token) sequences the KV cache must hold at once.
"""

from __future__ import annotations

import argparse
import os
import sys

from catalog.gpus import GPU_INSTANCES
from catalog.models import MODEL_CATALOG, lookup
from catalog.prices import PRICE_SOURCE, on_demand_price, spot_price_estimate
from sizing.gpu_memory import Fit, fit, valid_tp_sizes


def feasible(
    model: str, context: int, concurrency: float, utilization: float, kv_dtype: str, quantization: str
):
    entry = lookup(model)
    if entry is None:
        raise SystemExit(f"error: {model!r} is not in the catalog; known: {', '.join(MODEL_CATALOG)}")
    rows: list[tuple[Fit, int]] = []
    for name, gpu in GPU_INSTANCES.items():
        for tp in valid_tp_sizes(entry.arch, gpu.gpu_count):
            f = fit(
                entry.arch, name, gpu, tp=tp, max_model_len=context, gpu_memory_utilization=utilization,
                weight_format="native" if quantization == "none" else quantization,
                kv_dtype=entry.arch.native_dtype if kv_dtype == "auto" else kv_dtype,
            )  # fmt: skip
            if f.fits(concurrency):
                rows.append((f, tp))
                break  # the smallest TP that fits on this instance type
    return entry, rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="make size", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    p.add_argument("--model", required=True)
    p.add_argument("--context", type=int, required=True)
    p.add_argument("--concurrency", type=float, default=1)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--utilization", type=float, default=0.9)
    p.add_argument("--kv-cache-dtype", default="auto", choices=["auto", "fp8"])
    p.add_argument("--quantization", default="none", choices=["none", "fp8", "awq", "gptq"])
    a = p.parse_args(argv)
    entry, rows = feasible(a.model, a.context, a.concurrency, a.utilization, a.kv_cache_dtype, a.quantization)

    def price(f: Fit, fn) -> float | None:
        value = fn(a.region, f.instance_type)
        return None if value is None else value * f.tp / GPU_INSTANCES[f.instance_type].gpu_count

    rows.sort(key=lambda r: (price(r[0], on_demand_price) or float("inf"), r[0].instance_type))
    print(f"{entry.hf_id}: {a.context:,}-token context, {a.concurrency:g} concurrent full-length sequence(s), "
          f"utilisation {a.utilization}, {a.region}{' (gated: needs a Hugging Face token)' if entry.gated else ''}")  # fmt: skip
    if not rows:
        print(
            "nothing in the catalog fits: shorten the context, lower the concurrency, or quantize (--quantization fp8)"
        )
        return 1
    print(f"{'instance type':<15} {'GPU':<10} {'TP':>2} {'per node':>8} {'KV tokens':>10} {'seqs':>6} "
          f"{'$/h replica':>11} {'spot est.':>9}")  # fmt: skip
    for f, tp in rows:
        gpu = GPU_INSTANCES[f.instance_type]
        od, spot = price(f, on_demand_price), price(f, spot_price_estimate)
        print(
            f"{f.instance_type:<15} {gpu.gpu_name + ' ' + str(gpu.gpu_memory_gib) + 'G':<10} {tp:>2} "
            f"{f.replicas_per_node:>8} {f.kv_tokens:>10,} {f.full_length_sequences:>6.1f} "
            f"{'n/a' if od is None else f'{od:.2f}':>11} {'n/a' if spot is None else f'{spot:.2f}':>9}"
        )
    print(
        f"\nPrices: {PRICE_SOURCE}; spot is an estimate. $/h per replica = node price x TP / GPUs per node."
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `make size ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
