"""What the platform refuses in `models[].extraArgs`, and why: the flags vllm_args.py refuses by name.

`REFUSED`: what the platform sets from other keys, and what changes placement or memory behind sizing's back,
each with why and the model key that says it instead. `READ_BY_SIZING`: the flags sizing reads, allowed only
spelled the way its reader reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from vocabulary.objects import SERVING_PORT


@dataclass(frozen=True)
class Refusal:
    why: str  # what the flag would do; the message reads "`<flag>` <why>"
    key: str | None = None  # the model key that says it instead
    only: tuple[str, ...] = ()  # refused only with one of these values (empty: with any)


def _each(flags: tuple[str, ...], why: str, key: str | None = None) -> dict[str, Refusal]:
    return {flag: Refusal(why, key) for flag in flags}


_PLATFORM = "is set by the platform from the model's keys"
_WEIGHTS = "is set by the platform: vLLM loads the preload's copy of `source` from the model cache, as it is"
_OFFLINE = (
    "would read another repository than `source`: the preload caches only `source`, and the server runs "
    "offline (HF_HUB_OFFLINE=1)"
)

# Keyed by the flag's name in catalog/vllm_flags.py, which covers every spelling of it (short forms, the second
# name of --gpu-memory-utilization) except a `--no-` form: turning a mode off is harmless unless listed as such.
# Knobs that act only inside a mode refused here (--all2all-backend, --dcp-comm-backend, --offload-params, the
# LoRA limits ...) are allowed: without the mode they do nothing. Harmless tuning stays allowed too:
# --enforce-eager, -O / --compilation-config, --cudagraph-capture-sizes (CUDA graphs sit in sizing's reserve),
# --block-size, --seed, --max-num-active-seqs (it only admits fewer), tool and reasoning parsers, chat templates;
# and the prefill batch flags, which sizing reads (READ_BY_SIZING below).
REFUSED: Mapping[str, Refusal] = MappingProxyType(
    {
        # What serving/server.py `vllm_args` passes itself (a test keeps this list in step with it).
        "--served-model-name": Refusal(_PLATFORM, "name"),
        "--tensor-parallel-size": Refusal(_PLATFORM, "tensorParallelSize"),
        "--max-model-len": Refusal(_PLATFORM, "maxModelLen"),
        "--gpu-memory-utilization": Refusal(_PLATFORM, "gpuMemoryUtilization"),
        "--max-num-seqs": Refusal(_PLATFORM, "maxNumSeqs"),
        "--dtype": Refusal(_PLATFORM, "dtype"),
        "--quantization": Refusal(_PLATFORM, "quantization"),
        "--quantization-config": Refusal(
            "configures the weights' quantization, whose bytes per parameter sizing takes", "quantization"
        ),
        "--kv-cache-dtype": Refusal(_PLATFORM, "kvCacheDtype"),
        "--kv-cache-dtype-skip-layers": Refusal(
            "keeps some layers' KV cache in full precision, which sizing does not count", "kvCacheDtype"
        ),
        **_each(("--enable-prefix-caching", "--no-enable-prefix-caching"), _PLATFORM, "prefixCaching"),
        # The platform's rope scaling goes through the HF config: vLLM 0.31.0 has no --rope-scaling flag.
        "--hf-overrides": Refusal(_PLATFORM, "ropeScaling"),
        "--port": Refusal(
            f"is set by the platform: the Service, the probes and the PodMonitor use {SERVING_PORT}"
        ),
        # Where the weights come from and how they are read: the preload's copy of `source` at `revision`.
        "--model": Refusal("is set by the platform: vLLM serves the cached copy of `source`", "source"),
        **_each(
            ("--revision", "--code-revision", "--tokenizer-revision"),
            "would read another revision than the one the preload cached (the server runs offline)",
            "revision",
        ),
        **_each(("--tokenizer", "--hf-config-path"), _OFFLINE, "source"),
        "--download-dir": Refusal("is set by the platform: the weights come from `llm-platform:modelCache`"),
        **_each(("--load-format", "--model-loader-extra-config"), _PLATFORM, "loadFormat"),
        **_each(("--config-format", "--ignore-patterns"), _WEIGHTS),
        "--config": Refusal(
            "reads more flags from a YAML file this check cannot see: list them in extraArgs"
        ),
        # What the pod's contract needs: HTTP on the serving port, the probes, vLLM's metrics.
        "--host": Refusal(
            "is set by the platform: vLLM listens on every address of the pod, as the Service needs"
        ),
        "--uds": Refusal(
            "makes vLLM listen on a Unix socket and ignore the port: the Service and probes get nothing"
        ),
        "--grpc": Refusal(
            "serves gRPC instead of HTTP: the probes, the Service and the HTTP add-on speak HTTP"
        ),
        "--headless": Refusal(
            "runs the engine without the API server: nothing answers the probes or the Service"
        ),
        **_each(
            ("--ssl-keyfile", "--ssl-certfile"), "turns TLS on: the probes and the Service speak plain HTTP"
        ),
        "--disable-log-stats": Refusal(
            "turns vLLM's engine metrics off: KEDA, the alerts and the dashboards read them"
        ),
        "--help": Refusal("prints the help and exits: the pod would restart forever"),
        # Placement: a replica is one pod of `tensorParallelSize` GPUs on one node; replicas scale through KEDA.
        "--pipeline-parallel-size": Refusal("asks for more GPUs than the pod gets", "tensorParallelSize"),
        "--prefill-context-parallel-size": Refusal(
            "asks for more GPUs than the pod gets", "tensorParallelSize"
        ),
        "--decode-context-parallel-size": Refusal("shards the KV cache in a way sizing does not model"),
        **_each(
            (
                "--data-parallel-size",
                "--data-parallel-size-local",
                "--data-parallel-rank",
                "--data-parallel-start-rank",
                "--data-parallel-hybrid-lb",
                "--data-parallel-external-lb",
                "--data-parallel-multi-port-external-lb",
                "--enable-elastic-ep",
                "--elastic-ep-max-dp-size",
            ),
            "runs several engines (data parallel) in a pod sized for one: replicas scale through `replicas`",
        ),
        "--enable-expert-parallel": Refusal(
            "shards MoE experts whole instead of splitting each: not the tensor-parallel split sizing computes"
        ),
        "--enable-eplb": Refusal("adds redundant experts: more weights per GPU than sizing counts"),
        **_each(("--nnodes", "--node-rank"), "spreads one replica over several nodes: a replica is one pod"),
        "--distributed-executor-backend": Refusal(
            "picks an executor that needs a Ray cluster or an outside launcher: the pod runs vLLM's own",
            only=("ray", "external_launcher"),
        ),
        "--device-ids": Refusal("picks GPUs by id: the pod sees only the GPUs the device plugin gave it"),
        **_each(
            ("--kv-transfer-config", "--ec-transfer-config"),
            "connects to other engines or to host memory (disaggregated serving, KV offload) the platform does "
            "not run or size",
        ),
        # Memory: what sizing (sizing/gpu_memory.py) computes a model's fit from.
        **_each(
            ("--cpu-offload-gb", "--offload-group-size"),
            "moves weights to host memory: sizing keeps them on the GPU, and the pod's memory limit does not "
            "count them",
        ),
        "--kv-offloading-size": Refusal(
            "keeps KV cache in host memory, which the pod's memory limit does not count"
        ),
        **_each(
            ("--kv-cache-memory-bytes", "--num-gpu-blocks-override"),
            "sizes the KV cache directly, so the fit check no longer holds",
            "gpuMemoryUtilization",
        ),
        "--mm-ipc-gpu-memory-gb": Refusal(
            "carves GPU memory out of the KV cache, which the fit check counts in full"
        ),
        **_each(
            ("--speculative-config", "--spec-method", "--spec-model", "--spec-tokens"),
            "turns speculative decoding on: a draft model's weights and KV cache, which sizing does not count, "
            "from a repository the preload does not fetch",
        ),
        **_each(
            ("--enable-lora", "--lora-modules"),
            "serves LoRA adapters: their weights and buffers take GPU memory sizing does not count, from files "
            "the preload does not fetch",
        ),
        # Credentials: whatever is on the command line shows in `ps`, the Deployment, the plan and Pulumi state.
        "--api-key": Refusal(
            "puts an API key on the command line, where `ps`, the Deployment, the plan and Pulumi state show it "
            "(vLLM also reads VLLM_API_KEY from the environment, which the platform does not set: the inference "
            "namespace's NetworkPolicies decide who may call, `llm-platform:access.clientNamespaces`)"
        ),
        "--hf-token": Refusal(
            "puts a Hugging Face token on the command line, where `ps`, the Deployment, the plan and Pulumi state "
            "show it: the server reads only the model cache, which the preload fills with "
            "`llm-platform:huggingFaceToken`"
        ),
    }
)

# Allowed because sizing models them: catalog/vllm_hardware.py `max_num_batched_tokens` reads these from extraArgs
# to size the activation reserve (the prefill batch of vLLM's profiling run). Its reader takes only the spelling
# here, written in full (`--flag value` or `--flag=value`), and a batch as a plain number: vLLM would also take
# `--max_num_batched_tokens`, `--max-num-b` or `16k`, which sizing would miss, so those are refused.
READ_BY_SIZING: Mapping[str, re.Pattern[str] | None] = MappingProxyType(
    {
        "--max-num-batched-tokens": re.compile(r"[0-9]+"),
        "--performance-mode": None,
        "--no-enable-chunked-prefill": None,
    }
)
