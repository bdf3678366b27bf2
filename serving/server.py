"""The vLLM server of one model: Deployment, Service, PodDisruptionBudget and PodMonitor, as plain data."""

from __future__ import annotations

import json
import math
import shlex
from typing import Any

from catalog.images import SERVING_IMAGES
from fleet.resolved import ModelPlan
from serving import compile_cache
from serving.hardening import PULL_POLICY, RESTRICTED, labels, pod_hardening, selector
from serving.preload import COMPLETE_MARKER
from vocabulary import names
from vocabulary.objects import MODEL_CACHE_MOUNT, SERVING_PORT
from vocabulary.scheduling import CAPACITY_TYPE_LABEL, GPU_RESOURCE, GPU_TAINT, POOL_LABEL

# The vLLM image's own non-root user (UID 2000, GID 0, HOME /home/vllm: vLLM's docs/deployment/docker.md). It
# has to be a UID the image's /etc/passwd knows: torch looks the user name up (getpass.getuser()) while setting
# up its compile cache and exits on an unknown UID, and the read-only root filesystem rules out adding one. Hence
# not the >= 10000 checkov asks for (security/checkov-skips.yaml). Group 2000 rather than the image's 0: every
# path the server writes is an emptyDir, and the EFS access point writes the cache as its own fixed owner.
VLLM_UID = 2000
PROBE_PERIOD_S = 10


def image(m: ModelPlan) -> str:
    return m.config.image or SERVING_IMAGES["vllm"]


def vllm_args(m: ModelPlan) -> list[str]:
    c = m.config
    args = [
        "--served-model-name", c.name,
        "--tensor-parallel-size", str(m.tp),
        "--max-model-len", str(c.max_model_len),
        "--gpu-memory-utilization", str(c.gpu_memory_utilization),
        "--max-num-seqs", str(c.max_num_seqs),
        "--dtype", c.dtype,
        "--port", str(SERVING_PORT),
        "--enable-prefix-caching" if c.prefix_caching else "--no-enable-prefix-caching",
    ]  # fmt: skip
    if c.quantization != "none":
        args += ["--quantization", c.quantization]
    if c.kv_cache_dtype != "auto":
        args += ["--kv-cache-dtype", c.kv_cache_dtype]
    if m.rope is not None:
        # vLLM 0.31.0 has no --rope-scaling flag: rope parameters go through the HF config (fleet/resolved.py
        # RopeOverride says why max_position_embeddings and rope_theta come with them).
        args += ["--hf-overrides", m.rope.hf_overrides_json()]
    return args + _loader_args(m) + list(c.extra_args)


def streamer_memory_gib(m: ModelPlan) -> int:
    """Each rank's streamer read buffers: as configured, else a quarter of the pod's memory shared by its TP
    ranks. The limit is per process and vLLM runs one worker process per GPU in the pod, so TP of them share
    its memory limit (the streamer's own default, 40 GB each, would get the pod OOM-killed)."""
    configured = m.config.streamer_memory_limit_gib
    return configured if configured is not None else max(1, m.placement.memory_gib // (4 * m.tp))


def _loader_args(m: ModelPlan) -> list[str]:
    """The Run:ai Model Streamer, when configured. vLLM 0.31.0's loader takes exactly `distributed`,
    `concurrency` and `memory_limit` in its extra config (runai_streamer_loader.py; any other key is an error)
    and exports the last two as RUNAI_STREAMER_CONCURRENCY and _MEMORY_LIMIT. `distributed` is set where several
    ranks stream from S3: without it each rank reads every file (vLLM streams to the CPU then, where the
    streamer never distributes), with it each reads its part and broadcasts it over NCCL. From the cache the
    page cache already reads the files once, and the broadcast would only add to it (fleet/cold_start.py)."""
    c = m.config
    if c.load_format == "auto":
        return []
    extra: dict[str, int | bool] = {"concurrency": c.streamer_concurrency}
    extra["memory_limit"] = streamer_memory_gib(m) * 1024**3
    if m.loader.from_s3 and m.tp > 1:
        extra["distributed"] = True
    return [
        "--load-format",
        c.load_format,
        "--model-loader-extra-config",
        json.dumps(extra, separators=(",", ":")),
    ]


def _gpu_check(tp: int) -> str:
    # Fail loudly instead of serving at CPU speed when the device plugin or driver is missing.
    return (
        "python3 -c 'import sys, torch; n = torch.cuda.device_count(); "
        f'sys.exit(0 if n >= {tp} else f"llm-platform: {{n}} CUDA GPU(s) visible, {tp} needed; not serving on CPU")\''
    )


def node_affinity(m: ModelPlan) -> dict[str, Any]:
    required = [{"key": POOL_LABEL, "operator": "In", "values": [p.name for p in m.placement.pools]}]
    affinity: dict[str, Any] = {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": required}]
        }
    }
    wanted, offered = m.config.placement.capacity_type, m.placement.capacity_types
    if wanted != "either":
        # on-demand: any capacity that is not interruptible, which reserved capacity is not either.
        required.append({"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": list(offered)})
    preferred = _preferred_capacity(wanted, offered)
    if preferred:
        affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {
                "weight": 100 // (rank + 1),
                "preference": {
                    "matchExpressions": [{"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": [t]}]
                },
            }
            for rank, t in enumerate(preferred)
        ]
    return {"nodeAffinity": affinity}


def _preferred_capacity(wanted: str, offered: tuple[str, ...]) -> list[str]:
    """The capacity types a replica prefers, most wanted first: reserved capacity, paid whether used or not,
    then (`either`) spot, the cheapest."""
    reserved = ["reserved"] if "reserved" in offered and len(offered) > 1 else []
    return [*reserved, "spot"] if wanted == "either" else reserved


def resources(m: ModelPlan) -> dict[str, Any]:
    """CPU and memory: 60 % of the smallest eligible node's share per GPU, so daemon sets still fit."""
    cpu, memory = m.placement.cpu, m.placement.memory_gib
    gpus = str(m.tp)
    return {
        "requests": {"cpu": str(cpu), "memory": f"{memory}Gi", GPU_RESOURCE: gpus},
        "limits": {"memory": f"{memory}Gi", GPU_RESOURCE: gpus},
    }


def deployment(m: ModelPlan, pvc: str) -> dict[str, Any]:
    return {
        "metadata": {"name": m.name, "labels": labels(m)},
        "spec": {
            "replicas": m.config.replicas.min,
            "selector": {"matchLabels": selector(m)},
            # Never below the current count during a rollout: a new pod must be Ready before an old one goes.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                # No karpenter.sh/do-not-disrupt: on a pod it blocks drift (an AMI update of Karpenter's nodes)
                # for as long as the pod runs. The PodDisruptionBudget below decides instead; WhenEmpty
                # consolidation never touches a node that serves.
                "metadata": {"labels": labels(m)},
                "spec": _pod(m, pvc),
            },
        },
    }


def _pod(m: ModelPlan, pvc: str) -> dict[str, Any]:
    return {
        "terminationGracePeriodSeconds": 120,
        "tolerations": [GPU_TAINT.toleration()],
        "affinity": node_affinity(m),
        # Spread across zones when capacity allows; never refuse to schedule scarce GPUs over it.
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": selector(m)},
            }
        ],
        **pod_hardening(VLLM_UID),
        # Streaming from S3: no preload to wait for, and the preload's service account, which holds the model's
        # read-only role (Pod Identity), reads the source.
        **(
            {"serviceAccountName": names.preload_service_account(m.name)}
            if m.config.stream_from_source
            else {}
        ),
        "initContainers": [] if m.config.stream_from_source else [_wait_for_cache(m)],
        "containers": [_server(m)],
        "volumes": [
            # Read-write at the volume, read-only at every mount but the compile cache's (serving/compile_cache.py).
            {"name": "model-cache", "persistentVolumeClaim": {"claimName": pvc}},
            # NCCL moves tensors between ranks through shared memory.
            {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": f"{2 * m.tp}Gi"}},
            {"name": "home", "emptyDir": {"sizeLimit": "20Gi"}},  # torch.compile / Triton caches
            {"name": "tmp", "emptyDir": {"sizeLimit": "5Gi"}},
        ],
    }


_CACHE_MOUNT = {"name": "model-cache", "mountPath": MODEL_CACHE_MOUNT, "readOnly": True}


def _wait_for_cache(m: ModelPlan) -> dict[str, Any]:
    wait = (
        f"until [ -f {shlex.quote(m.cache_dir)}/{COMPLETE_MARKER} ]; do "
        f"echo waiting for the preload of {m.name}; sleep 15; done"
    )
    return {
        "name": "wait-for-cache",
        "image": image(m),
        "imagePullPolicy": PULL_POLICY,
        "command": ["/bin/sh", "-c", wait],
        "volumeMounts": [dict(_CACHE_MOUNT)],
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
        "securityContext": RESTRICTED,
    }


ENV = {
    "HF_HUB_OFFLINE": "1",  # serve only what the preload cached
    "TRANSFORMERS_OFFLINE": "1",
    "HOME": "/home/vllm",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
    "VLLM_CACHE_ROOT": compile_cache.LOCAL_ROOT,
}


def _stream_env(m: ModelPlan) -> dict[str, str]:
    """Streaming from S3: the region, so the streamer's S3 client does not probe IMDS for it (its C++ SDK waits 5 s;
    and the node's IMDS is not the pod's, hop limit 1). Credentials come from the Pod Identity agent."""
    return {"AWS_REGION": m.region} if m.config.stream_from_source else {}


def _server(m: ModelPlan) -> dict[str, Any]:
    args = vllm_args(m)
    key = compile_cache.cache_key(m, image(m), args, ENV)
    serve = (
        f"{_gpu_check(m.tp)} || exit 1; {compile_cache.seed_and_publish(m, key)}"
        f"exec vllm serve {shlex.quote(m.weights_uri)} " + " ".join(shlex.quote(a) for a in args)
    )
    return {
        "name": "vllm",
        "image": image(m),
        "imagePullPolicy": PULL_POLICY,
        "command": ["/bin/sh", "-c", serve],
        "ports": [{"name": "http", "containerPort": SERVING_PORT, "protocol": "TCP"}],
        "env": [{"name": k, "value": v} for k, v in {**ENV, **_stream_env(m)}.items()],
        "resources": resources(m),
        "volumeMounts": [
            dict(_CACHE_MOUNT),
            {"name": "model-cache", "mountPath": compile_cache.SHARED_ROOT, "subPath": compile_cache.SUBPATH},
            {"name": "shm", "mountPath": "/dev/shm"},
            {"name": "home", "mountPath": "/home/vllm"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
        **_probes(m),
        # Leave the Service's endpoints before SIGTERM so no new request lands here.
        "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 30"]}}},
        "securityContext": RESTRICTED,
    }


def _probes(m: ModelPlan) -> dict[str, Any]:
    return {
        # Budget from the model size; /health answers once the server process is up.
        "startupProbe": {
            "httpGet": {"path": "/health", "port": "http"},
            "periodSeconds": PROBE_PERIOD_S,
            "failureThreshold": math.ceil(m.startup_budget_s / PROBE_PERIOD_S),
        },
        # Ready only once the model is loaded and listed.
        "readinessProbe": {
            "httpGet": {"path": "/v1/models", "port": "http"},
            "periodSeconds": PROBE_PERIOD_S,
            "failureThreshold": 3,
        },
        "livenessProbe": {
            "httpGet": {"path": "/health", "port": "http"},
            "periodSeconds": 15,
            "timeoutSeconds": 5,
            "failureThreshold": 4,
        },
    }


def service(m: ModelPlan) -> dict[str, Any]:
    return {
        "metadata": {"name": m.name, "labels": labels(m)},
        "spec": {
            "type": "ClusterIP",
            "selector": selector(m),
            "ports": [{"name": "http", "port": SERVING_PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def pod_disruption_budget(m: ModelPlan) -> dict[str, Any]:
    """One replica at a time, for every model. A drain (a managed node group update, Karpenter drift or
    expiry, a node repair) may always evict a replica, so maintenance never deadlocks, and evicts the next only
    once its replacement is Ready, so a model with two or more replicas keeps one serving throughout. A model
    with one warm replica accepts a gap of one cold start: fleet/warnings.py says so, with the minutes. (With
    `minAvailable: 1` a single replica could never be evicted: EKS stops the update with PodEvictionFailure
    after its 15-minute drain limit, and Karpenter's drain waits for its terminationGracePeriod.)"""
    return {
        "metadata": {"name": m.name, "labels": labels(m)},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(m)}},
    }


def pod_monitor(m: ModelPlan) -> dict[str, Any]:
    return {
        "metadata": {"name": m.name, "labels": labels(m)},
        "spec": {
            "selector": {"matchLabels": selector(m)},
            "podMetricsEndpoints": [{"port": "http", "path": "/metrics", "interval": "15s"}],
        },
    }
