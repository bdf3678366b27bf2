"""vLLM's compile cache, kept on the shared model cache so a replica starts from the artefacts an earlier one
compiled: torch.compile and CUDA graph capture drop from 42 s and 54 s to 13 s and 7 s (fleet/cold_start.py).

vLLM 0.31.0 keeps them under VLLM_CACHE_ROOT (torch_compile_cache/: the AOT artefact, Inductor and Triton
caches), under a hash of its version, every engine config field it does not ignore (the model path, revision,
dtype, quantization, max_model_len, TP, max_num_seqs …), its VLLM_* environment and the traced source. It takes
no lock, and its temporary files are named by PID, which two pods can share: two replicas compiling into one
directory on EFS could collide. So each replica compiles into its own emptyDir, seeded at start from the shared
copy when there is one, and once it serves, publishes what it has as a whole directory under a temporary name and
renames it into place (a rename on EFS is atomic; if another replica got there first, it discards its own).

The shared directory is keyed by what can make an artefact invalid (`cache_key`): the image, the GPU model, and
every argument vLLM hashes, so a change of any of them starts an empty directory and reuse happens only where it
is valid; vLLM's own hash still guards whatever this key leaves out.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Sequence

from fleet.resolved import ModelPlan

SHARED_ROOT = "/compile-cache"  # the model cache volume's `compile-cache` directory, writable
LOCAL_ROOT = "/home/vllm/.cache/vllm"  # VLLM_CACHE_ROOT: the pod's own emptyDir
SUBPATH = "compile-cache"
# Arguments vLLM leaves out of its hash (CacheConfig ignores gpu_memory_utilization and prefix caching; LoadConfig
# hashes no field at all, so neither the loader nor its extra config counts; the served name and the port are no
# config of the engine): changing them must not throw a valid cache away.
UNHASHED = {"--served-model-name", "--gpu-memory-utilization", "--enable-prefix-caching",
            "--no-enable-prefix-caching", "--port", "--load-format", "--model-loader-extra-config"}  # fmt: skip
# vLLM's /health answers once the engine (and so the compile) is done.
HEALTH = "http://127.0.0.1:8000/health"


def _hashed(args: Sequence[str]) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in UNHASHED:
            skip = not a.startswith("--enable") and not a.startswith("--no-")  # flags with a value
            continue
        out.append(a)
    return out


def cache_key(m: ModelPlan, image: str, args: Sequence[str], env: dict[str, str]) -> str:
    """16 hex digits over the image, the GPU, the weights' path (their revision) and vLLM's hashed inputs."""
    factors = {
        "image": image,
        "gpu": m.placement.pools[0].gpu.gpu_name,
        "model": m.weights_uri,
        "args": _hashed(args),
        "env": {k: v for k, v in sorted(env.items()) if k.startswith("VLLM_")},
    }
    return hashlib.sha256(json.dumps(factors, sort_keys=True).encode()).hexdigest()[:16]


def shared_dir(m: ModelPlan, key: str) -> str:
    return f"{SHARED_ROOT}/{m.name}/{key}"


def seed_and_publish(m: ModelPlan, key: str) -> str:
    """Shell, run before `exec vllm serve`: seed the local cache, and publish it in the background once serving.
    `cp -R`, not `-a`: the files belong to whoever wrote them through the EFS access point, not to this user."""
    shared, local = shlex.quote(shared_dir(m, key)), shlex.quote(LOCAL_ROOT)
    healthy = f"python3 -c \"import urllib.request as u; u.urlopen('{HEALTH}', timeout=5)\" 2>/dev/null"
    tmp = f"{shared}.$HOSTNAME.tmp"
    publish = (
        f"until {healthy}; do sleep 10; done; [ -d {shared} ] || {{ rm -rf {tmp}; mkdir -p {tmp} && "
        f"cp -R {local}/. {tmp}/ && mv -T {tmp} {shared} 2>/dev/null || rm -rf {tmp}; }}"
    )
    return f"mkdir -p {local}; if [ -d {shared} ]; then cp -R {shared}/. {local}/; fi; ( {publish} ) & "
