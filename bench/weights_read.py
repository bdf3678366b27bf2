"""Read throughput of a model's weights with the two loaders `loadFormat` chooses between: vLLM's default
(safetensors, `safe_open` per file) and the Run:ai Model Streamer (`SafetensorsStreamer`, concurrent reads).

    python bench/weights_read.py --gib 15 --dir /path/on/the/storage/to/test [--device cpu|cuda] [--runs 3]

It writes a synthetic safetensors checkpoint of the given size into --dir (no download: random bytes in
shards of 4 GiB, as checkpoints are published), drops it from the page cache before each cold run
(posix_fadvise DONTNEED, so no root is needed), and prints MiB/s per loader, cold and warm. With --device cuda
the tensors go to the GPU, so it measures host-to-GPU loading too. Run it on the storage you mean to serve from
(an EFS mount for the model cache) to replace fleet/cold_start.py's WEIGHT_READ rates with your own.

Needs bench/requirements.txt (torch, which the streamer imports); the project's own tests never run it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

SHARD_GIB = 4
TENSOR_MIB = 64


def make_checkpoint(directory: Path, gib: float) -> list[Path]:
    import numpy as np
    from safetensors.numpy import save_file

    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    shards, left, i = [], gib * 1024, 0
    while left > 0:
        size_mib = min(left, SHARD_GIB * 1024)
        path = directory / f"model-{i:05d}.safetensors"
        if not path.exists() or abs(path.stat().st_size / 2**20 - size_mib) > 1:
            n = max(1, int(size_mib // TENSOR_MIB))
            tensors = {
                f"layer{j}": rng.integers(0, 255, TENSOR_MIB * 2**20, dtype=np.uint8) for j in range(n)
            }
            save_file(tensors, str(path))
        shards.append(path)
        left -= size_mib
        i += 1
    return shards


def drop_cache(files: list[Path]) -> None:
    for f in files:
        fd = os.open(f, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _copy(tensor, device: str) -> int:
    """As vLLM's loaders end: the tensor copied into the model's own parameter (on `device`). safetensors hands
    out memory-mapped tensors that read nothing until touched, so a copy is what makes the read happen."""
    return tensor.to(device, copy=True).nbytes


def read_safetensors(files: list[Path], device: str) -> int:
    from safetensors import safe_open

    total = 0
    for f in files:
        with safe_open(str(f), framework="pt", device="cpu") as st:
            for name in st.keys():  # noqa: SIM118 (safe_open is not iterable)
                total += _copy(st.get_tensor(name), device)
    return total


def read_streamer(files: list[Path], device: str) -> int:
    from runai_model_streamer import SafetensorsStreamer

    total = 0
    with SafetensorsStreamer() as streamer:
        streamer.stream_files([str(f) for f in files])
        for _, tensor in streamer.get_tensors():
            total += _copy(tensor, device)
    return total


def measure(loader, files: list[Path], device: str, cold: bool, runs: int) -> float:
    rates = []
    for _ in range(runs):
        if cold:
            drop_cache(files)
        start = time.perf_counter()
        size = loader(files, device)
        if device == "cuda":
            import torch

            torch.cuda.synchronize()
        rates.append(size / 2**20 / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gib", type=float, required=True, help="checkpoint size, GiB (e.g. 15.3 for qwen3-8b)"
    )
    parser.add_argument("--dir", type=Path, required=True, help="where to write it: the storage under test")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16, help="RUNAI_STREAMER_CONCURRENCY")
    args = parser.parse_args()
    os.environ["RUNAI_STREAMER_CONCURRENCY"] = str(args.concurrency)
    files = make_checkpoint(args.dir, args.gib)
    print(
        f"{args.gib:g} GiB in {len(files)} shards at {args.dir}, to {args.device}, median of {args.runs} runs"
    )
    for name, loader in (("safetensors (vLLM default)", read_safetensors), ("runai_streamer", read_streamer)):
        cold = measure(loader, files, args.device, True, args.runs)
        warm = measure(loader, files, args.device, False, args.runs)
        print(f"  {name:<28} cold {cold:8.0f} MiB/s   warm {warm:8.0f} MiB/s")


if __name__ == "__main__":
    main()
