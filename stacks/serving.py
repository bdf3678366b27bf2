"""Per-model Kubernetes objects as plain data: preload Job, Deployment, Service, PDB, PodMonitor, ScaledObject.

Pure functions of the validated config and its sizing, so every property is testable without Pulumi, and
every PromQL query KEDA runs is defined once here (issue-5 tests run them through promtool).
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass
from typing import Any

from stacks.catalog import GPU_INSTANCES, SERVING_IMAGES
from stacks.config import AutoscalingConfig, ModelConfig
from stacks.model_sizing import ModelSizing
from stacks.models import catalog_entry
from stacks.scheduling import CAPACITY_TYPE_LABEL, GPU_TAINT, POOL_LABEL
from stacks.sizing import weights_gib

PORT = 8000
CACHE_MOUNT = "/models"
COMPLETE_MARKER = ".llm-platform-complete"
# The vLLM image's own non-root user (UID 2000, GID 0, HOME /home/vllm: vLLM's docs/deployment/docker.md). It
# has to be a UID the image's /etc/passwd knows: torch looks the user name up (getpass.getuser()) while setting
# up its compile cache and exits on an unknown UID, and the read-only root filesystem rules out adding one. Hence
# not the >= 10000 checkov asks for (security/checkov-skips.yaml). Group 2000 rather than the image's 0: every
# path the server writes is an emptyDir, and the EFS access point writes the cache as its own fixed owner.
VLLM_UID = 2000
# The preload (`hf` or `aws`, HOME=/tmp) looks nothing up about its user: a high UID, above the node's accounts.
PRELOAD_UID = 10001
MODEL_LABEL = "llm-platform.io/model"
HF_TOKEN_SECRET = "huggingface-token"
HF_TOKEN_DIR = "/var/run/secrets/huggingface"  # a file, not an env var: env leaks into every child and dump
# Conservative read and download speeds for the time budgets (EFS elastic reads; Hugging Face downloads).
CACHE_READ_MIB_S = 100
DOWNLOAD_MIB_S = 50
# Engine start after the weights are in memory: CUDA graph capture, torch.compile, warm-up.
ENGINE_WARMUP_S = 300
# From zero replicas a request also waits for a GPU node (Karpenter/ASG launch, join, GPU operator) and the
# vLLM image pull (~10 GB): measured launches of g6/g6e nodes take 3-5 minutes before the pod starts.
NODE_AND_IMAGE_S = 480
# KEDA HTTP add-on (release keda-add-ons-http in namespace keda, chart 0.15.0).
HTTP_SCALER = "keda-add-ons-http-external-scaler.keda:9090"
INTERCEPTOR = "keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local"
INTERCEPTOR_PORT = 8080


@dataclass(frozen=True)
class Served:
    """One model, resolved: config + sizing + where its files live."""

    model: ModelConfig
    sizing: ModelSizing
    namespace: str

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def cache_dir(self) -> str:
        # One directory per revision: a new revision downloads beside the old one, never over it.
        return f"{CACHE_MOUNT}/{self.name}/{self.model.revision or 'snapshot'}"

    @property
    def labels(self) -> dict[str, str]:
        return {
            "app.kubernetes.io/name": "vllm",
            "app.kubernetes.io/part-of": "llm-platform",
            MODEL_LABEL: self.name,
        }

    @property
    def preload_labels(self) -> dict[str, str]:
        """The preload Job's pods must not carry the server's labels: the Service, PDB, PodMonitor and
        NetworkPolicies select on those, and a running download pod would count as a ready model replica."""
        return {
            "app.kubernetes.io/name": "vllm-preload",
            "app.kubernetes.io/part-of": "llm-platform",
            "llm-platform.io/preload-of": self.name,
        }

    @property
    def selector(self) -> dict[str, str]:
        return {MODEL_LABEL: self.name}

    @property
    def weights_gib(self) -> float:
        return weights_gib(self.sizing.arch, "native")

    @property
    def startup_budget_s(self) -> int:
        """How long a replica may take from container start to serving: weights read from the cache + warm-up."""
        return int(self.weights_gib * 1024 / CACHE_READ_MIB_S) + ENGINE_WARMUP_S

    @property
    def preload_budget_s(self) -> int:
        return int(self.weights_gib * 1024 / DOWNLOAD_MIB_S) + 300

    @property
    def cold_start_s(self) -> int:
        """From zero replicas to the first answer: a node, the image, the weights, the warm-up."""
        return NODE_AND_IMAGE_S + self.startup_budget_s

    @property
    def scales_to_zero(self) -> bool:
        return self.model.autoscaling.scale_to_zero

    @property
    def proxy_name(self) -> str:
        return f"{self.name}-proxy"

    @property
    def endpoint(self) -> str:
        """Where clients send requests: the Service, or (scale to zero) the interceptor that wakes it."""
        if self.scales_to_zero:
            return f"http://{self.proxy_name}.{self.namespace}.svc:{INTERCEPTOR_PORT}/v1"
        return f"http://{self.name}.{self.namespace}.svc:{PORT}/v1"


def vllm_args(s: Served) -> list[str]:
    m = s.model
    args = [
        "--served-model-name", m.name,
        "--tensor-parallel-size", str(s.sizing.tp),
        "--max-model-len", str(m.max_model_len),
        "--gpu-memory-utilization", str(m.gpu_memory_utilization),
        "--max-num-seqs", str(m.max_num_seqs),
        "--dtype", m.dtype,
        "--port", str(PORT),
        "--enable-prefix-caching" if m.prefix_caching else "--no-enable-prefix-caching",
    ]  # fmt: skip
    if m.quantization != "none":
        args += ["--quantization", m.quantization]
    if m.kv_cache_dtype != "auto":
        args += ["--kv-cache-dtype", m.kv_cache_dtype]
    return args + list(m.extra_args)


def _gpu_check(tp: int) -> str:
    # Fail loudly instead of serving at CPU speed when the device plugin or driver is missing.
    return (
        "python3 -c 'import sys, torch; n = torch.cuda.device_count(); "
        f'sys.exit(0 if n >= {tp} else f"llm-platform: {{n}} CUDA GPU(s) visible, {tp} needed; not serving on CPU")\''
    )


def node_affinity(s: Served) -> dict[str, Any]:
    required = [{"key": POOL_LABEL, "operator": "In", "values": [p.name for p in s.sizing.pools]}]
    affinity: dict[str, Any] = {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": required}]
        }
    }
    wanted = s.model.placement.capacity_type
    if wanted == "either":
        affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {
                "weight": 100,
                "preference": {
                    "matchExpressions": [{"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": ["spot"]}]
                },
            }
        ]
    else:
        required.append({"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": [wanted]})
    return {"nodeAffinity": affinity}


def resources(s: Served) -> dict[str, Any]:
    """CPU and memory: 60 % of the smallest eligible node's share per GPU, so daemon sets still fit."""
    node = GPU_INSTANCES[
        min(s.sizing.instance_types, key=lambda t: GPU_INSTANCES[t].vcpu / GPU_INSTANCES[t].gpu_count)
    ]
    share = s.sizing.tp / node.gpu_count
    cpu = max(2, math.floor(node.vcpu * share * 0.6))
    memory = max(8, math.floor(node.memory_gib * share * 0.6))
    gpus = str(s.sizing.tp)
    return {
        "requests": {"cpu": str(cpu), "memory": f"{memory}Gi", "nvidia.com/gpu": gpus},
        "limits": {"memory": f"{memory}Gi", "nvidia.com/gpu": gpus},
    }


RESTRICTED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
# Tags are pinned releases, so a node's cached copy is the right one: `Always` would make every pod start, every
# scale-up from zero, depend on reaching the public registry (security/checkov-skips.yaml).
PULL_POLICY = "IfNotPresent"


def pod_hardening(uid: int) -> dict[str, Any]:
    """Pod-level settings shared by the server and the preload: neither talks to the Kubernetes API."""
    return {
        # EKS Pod Identity (the S3 preload) injects its own projected token volume; this is the API token only.
        "automountServiceAccountToken": False,
        # No `<SERVICE>_PORT` variables from the namespace's Services: a Service named `vllm` would set
        # VLLM_PORT, which vLLM reads as its own setting and fails on.
        "enableServiceLinks": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": uid,
            "runAsGroup": uid,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }


def deployment(s: Served, pvc: str) -> dict[str, Any]:
    m = s.model
    period = 10
    wait_for_cache = (
        f"until [ -f {shlex.quote(s.cache_dir)}/{COMPLETE_MARKER} ]; do "
        f"echo waiting for the preload of {m.name}; sleep 15; done"
    )
    serve = f"{_gpu_check(s.sizing.tp)} && exec vllm serve {shlex.quote(s.cache_dir)} " + " ".join(
        shlex.quote(a) for a in vllm_args(s)
    )
    cache_mount = {"name": "model-cache", "mountPath": CACHE_MOUNT, "readOnly": True}
    return {
        "metadata": {"name": m.name, "labels": s.labels},
        "spec": {
            "replicas": m.replicas.min,
            "selector": {"matchLabels": s.selector},
            # Never below the current count during a rollout: a new pod must be Ready before an old one goes.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {
                    "labels": s.labels,
                    # Karpenter must not consolidate or expire a node while it serves; KEDA decides replicas.
                    "annotations": {"karpenter.sh/do-not-disrupt": "true"},
                },
                "spec": {
                    "terminationGracePeriodSeconds": 120,
                    "tolerations": [GPU_TAINT.toleration()],
                    "affinity": node_affinity(s),
                    # Spread across zones when capacity allows; never refuse to schedule scarce GPUs over it.
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": s.selector},
                        }
                    ],
                    **pod_hardening(VLLM_UID),
                    "initContainers": [
                        {
                            "name": "wait-for-cache",
                            "image": m.image or SERVING_IMAGES["vllm"],
                            "imagePullPolicy": PULL_POLICY,
                            "command": ["/bin/sh", "-c", wait_for_cache],
                            "volumeMounts": [cache_mount],
                            "resources": {
                                "requests": {"cpu": "10m", "memory": "32Mi"},
                                "limits": {"cpu": "100m", "memory": "64Mi"},
                            },
                            "securityContext": RESTRICTED,
                        }
                    ],
                    "containers": [
                        {
                            "name": "vllm",
                            "image": m.image or SERVING_IMAGES["vllm"],
                            "imagePullPolicy": PULL_POLICY,
                            "command": ["/bin/sh", "-c", serve],
                            "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
                            "env": [
                                {
                                    "name": "HF_HUB_OFFLINE",
                                    "value": "1",
                                },  # serve only what the preload cached
                                {"name": "TRANSFORMERS_OFFLINE", "value": "1"},
                                {"name": "HOME", "value": "/home/vllm"},
                                {"name": "VLLM_NO_USAGE_STATS", "value": "1"},
                                {"name": "DO_NOT_TRACK", "value": "1"},
                            ],
                            "resources": resources(s),
                            "volumeMounts": [
                                cache_mount,
                                {"name": "shm", "mountPath": "/dev/shm"},
                                {"name": "home", "mountPath": "/home/vllm"},
                                {"name": "tmp", "mountPath": "/tmp"},
                            ],
                            # Budget from the model size; /health answers once the server process is up.
                            "startupProbe": {
                                "httpGet": {"path": "/health", "port": "http"},
                                "periodSeconds": period,
                                "failureThreshold": math.ceil(s.startup_budget_s / period),
                            },
                            # Ready only once the model is loaded and listed.
                            "readinessProbe": {
                                "httpGet": {"path": "/v1/models", "port": "http"},
                                "periodSeconds": period,
                                "failureThreshold": 3,
                            },
                            "livenessProbe": {
                                "httpGet": {"path": "/health", "port": "http"},
                                "periodSeconds": 15,
                                "timeoutSeconds": 5,
                                "failureThreshold": 4,
                            },
                            # Leave the Service's endpoints before SIGTERM so no new request lands here.
                            "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 30"]}}},
                            "securityContext": RESTRICTED,
                        }
                    ],
                    "volumes": [
                        {
                            "name": "model-cache",
                            "persistentVolumeClaim": {"claimName": pvc, "readOnly": True},
                        },
                        # NCCL moves tensors between ranks through shared memory.
                        {
                            "name": "shm",
                            "emptyDir": {"medium": "Memory", "sizeLimit": f"{2 * s.sizing.tp}Gi"},
                        },
                        {"name": "home", "emptyDir": {"sizeLimit": "20Gi"}},  # torch.compile / Triton caches
                        {"name": "tmp", "emptyDir": {"sizeLimit": "5Gi"}},
                    ],
                },
            },
        },
    }


def service(s: Served) -> dict[str, Any]:
    return {
        "metadata": {"name": s.name, "labels": s.labels},
        "spec": {
            "type": "ClusterIP",
            "selector": s.selector,
            "ports": [{"name": "http", "port": PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def pod_disruption_budget(s: Served) -> dict[str, Any]:
    # A model kept warm (min >= 1): voluntary evictions (drains, Karpenter) may never take the last replica.
    # A model allowed to scale to zero has no warm replica to protect, and `minAvailable: 1` would pin its one
    # replica's node against every drain; it still gets a budget so a drain takes its replicas one at a time.
    budget = {"minAvailable": 1} if s.model.replicas.min >= 1 else {"maxUnavailable": 1}
    return {
        "metadata": {"name": s.name, "labels": s.labels},
        "spec": {**budget, "selector": {"matchLabels": s.selector}},
    }


def pod_monitor(s: Served) -> dict[str, Any]:
    return {
        "metadata": {"name": s.name, "labels": s.labels},
        "spec": {
            "selector": {"matchLabels": s.selector},
            "podMetricsEndpoints": [{"port": "http", "path": "/metrics", "interval": "15s"}],
        },
    }


def queries(s: Served) -> dict[str, str]:
    """The PromQL behind each trigger: one series each, filtered by namespace and model_name."""
    match = f'namespace="{s.namespace}",model_name="{s.name}"'
    return {
        "queue": f"sum(vllm:num_requests_waiting{{{match}}})",
        # NaN (no traffic) is dropped by `> 0` and replaced by 0: no requests means no latency pressure.
        "ttft_p95": (
            "(histogram_quantile(0.95, sum by (le) "
            f"(rate(vllm:time_to_first_token_seconds_bucket{{{match}}}[2m]))) > 0) or vector(0)"
        ),
        "kv_cache": f"max(vllm:kv_cache_usage_perc{{{match}}}) or vector(0)",
    }


def scaled_object(s: Served, prometheus_url: str) -> dict[str, Any]:
    a: AutoscalingConfig = s.model.autoscaling
    q = queries(s)

    def prom(query: str, threshold: float, metric_type: str) -> dict[str, Any]:
        return {
            "type": "prometheus",
            "metricType": metric_type,
            "metadata": {"serverAddress": prometheus_url, "query": query, "threshold": f"{threshold:g}"},
        }

    # Queue depth is additive across replicas: AverageValue makes the HPA hold waiting/replica at the target.
    triggers = [prom(q["queue"], a.queue_depth_per_replica, "AverageValue")]
    if a.ttft_p95_seconds is not None:
        triggers.append(prom(q["ttft_p95"], a.ttft_p95_seconds, "Value"))
    if a.kv_cache_usage is not None:
        triggers.append(prom(q["kv_cache"], a.kv_cache_usage, "Value"))
    for w in a.warm_windows:
        triggers.append(
            {
                "type": "cron",
                "metadata": {
                    "timezone": w.timezone,
                    "start": w.start,
                    "end": w.end,
                    "desiredReplicas": str(w.replicas),
                },
            }
        )
    spec: dict[str, Any] = {
        "scaleTargetRef": {"name": s.name},
        "minReplicaCount": s.model.replicas.min,
        "maxReplicaCount": s.model.replicas.max,
        "pollingInterval": 15,
        "advanced": {
            "horizontalPodAutoscalerConfig": {
                "behavior": {
                    # Up fast: a cold replica takes minutes, so start it at the first sign of a queue.
                    "scaleUp": {
                        "stabilizationWindowSeconds": 0,
                        "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}],
                    },
                    # Down slowly: a replica given up is minutes of cold start to get back.
                    "scaleDown": {
                        "stabilizationWindowSeconds": 600,
                        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 300}],
                    },
                }
            }
        },
        "triggers": triggers,
    }
    if s.scales_to_zero:
        # The interceptor counts requests even at zero pods: the activation signal vLLM's metrics cannot be.
        triggers.append(
            {"type": "external-push", "metadata": {"scalerAddress": HTTP_SCALER, "interceptorRoute": s.name}}
        )
        spec["triggers"] = triggers
        spec["cooldownPeriod"] = s.model.autoscaling.idle_minutes_before_zero * 60
        # A new ScaledObject must not scale to zero before its first replica has even finished starting.
        spec["initialCooldownPeriod"] = s.cold_start_s + 300
    # KEDA applies fallback only when every metric trigger is AverageValue (kedacore/keda discussion #6524).
    if all(
        t.get("metricType", "AverageValue") == "AverageValue" for t in triggers if t["type"] == "prometheus"
    ):
        spec["fallback"] = {"failureThreshold": 3, "replicas": max(s.model.replicas.min, 1)}
    return {"metadata": {"name": s.name, "labels": s.labels}, "spec": spec}


def preload_script(s: Served) -> str:
    m = s.model
    d = shlex.quote(s.cache_dir)
    done = f"{d}/{COMPLETE_MARKER}"
    if m.source.startswith("hf://"):
        entry = catalog_entry(m)
        excludes = " ".join(f"--exclude {shlex.quote(p)}" for p in (entry.exclude if entry else ()))
        fetch = (
            f"hf download {shlex.quote(m.source.removeprefix('hf://'))} --revision {m.revision} "
            f"--local-dir {d} {excludes}".rstrip()
        )
    else:
        fetch = f"aws s3 sync {shlex.quote(m.source)} {d} --only-show-errors --exclude '.cache/*'"
    # Idempotent: a complete revision is skipped; an interrupted one resumes; the marker is written last.
    return (
        f"set -eu; if [ -f {done} ]; then echo 'cache complete: {s.cache_dir}'; exit 0; fi; "
        f"mkdir -p {d}; {fetch}; date -u +%Y-%m-%dT%H:%M:%SZ > {done}.tmp; mv {done}.tmp {done}; echo 'cached {s.cache_dir}'"
    )


def preload_job(s: Served, pvc: str, service_account: str, system_selector: dict[str, str]) -> dict[str, Any]:
    m = s.model
    hf = m.source.startswith("hf://")
    env: list[dict[str, Any]] = [{"name": "HOME", "value": "/tmp"}]
    mounts: list[dict[str, Any]] = [
        {"name": "model-cache", "mountPath": CACHE_MOUNT},
        {"name": "tmp", "mountPath": "/tmp"},
    ]
    volumes: list[dict[str, Any]] = [
        {"name": "model-cache", "persistentVolumeClaim": {"claimName": pvc}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "10Gi"}},
    ]
    if hf:
        env += [
            {"name": "HF_HUB_DISABLE_TELEMETRY", "value": "1"},
            # huggingface_hub reads the token from this file when HF_TOKEN is unset.
            {"name": "HF_TOKEN_PATH", "value": f"{HF_TOKEN_DIR}/token"},
        ]
        mounts.append({"name": "hf-token", "mountPath": HF_TOKEN_DIR, "readOnly": True})
        # Optional: only gated models need it, and then validation made sure it is configured.
        volumes.append({"name": "hf-token", "secret": {"secretName": HF_TOKEN_SECRET, "optional": True}})
    return {
        "metadata": {
            "name": f"preload-{m.name}",
            "labels": s.preload_labels,
            # The Deployment's own wait covers the download; Pulumi need not block on the Job as well.
            "annotations": {"pulumi.com/skipAwait": "true"},
        },
        "spec": {
            "backoffLimit": 6,
            "template": {
                "metadata": {"labels": s.preload_labels},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "serviceAccountName": service_account,
                    "nodeSelector": system_selector,  # CPU work: never hold a GPU node for a download
                    **pod_hardening(PRELOAD_UID),
                    "containers": [
                        {
                            "name": "preload",
                            "image": (m.image or SERVING_IMAGES["vllm"]) if hf else SERVING_IMAGES["aws-cli"],
                            "imagePullPolicy": PULL_POLICY,
                            "command": ["/bin/sh", "-c", preload_script(s)],
                            "env": env,
                            # Capped: it shares the system nodes with the cluster's controllers.
                            "resources": {
                                "requests": {"cpu": "1", "memory": "2Gi"},
                                "limits": {"cpu": "2", "memory": "4Gi"},
                            },
                            "volumeMounts": mounts,
                            "securityContext": RESTRICTED,
                        }
                    ],
                    "volumes": volumes,
                },
            },
        },
    }


def interceptor_route(s: Served) -> dict[str, Any]:
    """Routes the proxy hostnames to the model's Service and gives KEDA its request concurrency."""
    host = s.proxy_name
    return {
        "metadata": {"name": s.name, "labels": s.labels},
        "spec": {
            "target": {"service": s.name, "port": PORT},
            "rules": [
                {
                    "hosts": [
                        host,
                        f"{host}.{s.namespace}",
                        f"{host}.{s.namespace}.svc",
                        f"{host}.{s.namespace}.svc.cluster.local",
                    ]
                }
            ],
            # One replica's worth of concurrent requests is what vLLM batches at once.
            "scalingMetric": {"concurrency": {"targetValue": s.model.max_num_seqs}},
            # Hold requests through a cold start, then answer 504 instead of waiting forever.
            "timeouts": {"readiness": f"{s.cold_start_s}s"},
        },
    }


def proxy_service(s: Served) -> dict[str, Any]:
    """`<model>-proxy`: the name callers use; it resolves to KEDA's interceptor, which routes by Host."""
    return {
        "metadata": {"name": s.proxy_name, "labels": s.labels},
        "spec": {
            "type": "ExternalName",
            "externalName": INTERCEPTOR,
            "ports": [{"name": "http", "port": INTERCEPTOR_PORT}],
        },
    }
