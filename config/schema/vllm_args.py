"""`models[].extraArgs`: more vLLM flags, checked against the flags the platform sets itself."""

from __future__ import annotations

# Flags the platform sets itself; `extraArgs` may not override them.
MANAGED_VLLM_FLAGS = frozenset(
    {
        "--served-model-name",
        "--tensor-parallel-size",
        "--max-model-len",
        "--gpu-memory-utilization",
        "--max-num-seqs",
        "--dtype",
        "--quantization",
        "--kv-cache-dtype",
        "--enable-prefix-caching",
        "--no-enable-prefix-caching",
        "--port",
        "--host",
        "--model",
        "--download-dir",
        "--revision",
    }
)


def check_extra_args(args: list[str]) -> list[str]:
    """The extra flags as given, or ValueError naming what they may not do."""
    clash = sorted({a.split("=", 1)[0] for a in args} & MANAGED_VLLM_FLAGS)
    if clash:
        raise ValueError(f"{', '.join(clash)} set by the platform from the model's own keys")
    return args
