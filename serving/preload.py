"""The weights preload of one model: a Job on the system nodes that downloads a revision into the shared
cache once, and writes a marker the servers wait for."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from catalog.images import SERVING_IMAGES
from fleet.resolved import ModelPlan
from serving.hardening import PULL_POLICY, RESTRICTED, pod_hardening, preload_labels
from vocabulary import names
from vocabulary.objects import HF_TOKEN_SECRET, MODEL_CACHE_MOUNT

COMPLETE_MARKER = ".llm-platform-complete"
# The preload (`hf` or `aws`, HOME=/tmp) looks nothing up about its user: a high UID, above the node's accounts.
PRELOAD_UID = 10001
HF_TOKEN_DIR = "/var/run/secrets/huggingface"  # a file, not an env var: env leaks into every child and dump


def preload_script(m: ModelPlan) -> str:
    c = m.config
    d = shlex.quote(m.cache_dir)
    done = f"{d}/{COMPLETE_MARKER}"
    if c.source.startswith("hf://"):
        excludes = " ".join(f"--exclude {shlex.quote(p)}" for p in (m.catalog.exclude if m.catalog else ()))
        fetch = (
            f"hf download {shlex.quote(c.source.removeprefix('hf://'))} --revision {c.revision} "
            f"--local-dir {d} {excludes}".rstrip()
        )
    else:
        fetch = f"aws s3 sync {shlex.quote(c.source)} {d} --only-show-errors --exclude '.cache/*'"
    # Idempotent: a complete revision is skipped; an interrupted one resumes; the marker is written last.
    return (
        f"set -eu; if [ -f {done} ]; then echo 'cache complete: {m.cache_dir}'; exit 0; fi; "
        f"mkdir -p {d}; {fetch}; date -u +%Y-%m-%dT%H:%M:%SZ > {done}.tmp; mv {done}.tmp {done}; echo 'cached {m.cache_dir}'"
    )


def preload_job(
    m: ModelPlan, pvc: str, service_account: str, system_selector: Mapping[str, str]
) -> dict[str, Any]:
    hf = m.config.source.startswith("hf://")
    env, mounts, volumes = _files(pvc, hf)
    return {
        "metadata": {
            "name": names.preload_job(m.name),
            "labels": preload_labels(m),
            # The Deployment's own wait covers the download; Pulumi need not block on the Job as well.
            "annotations": {"pulumi.com/skipAwait": "true"},
        },
        "spec": {
            "backoffLimit": 6,
            "template": {
                "metadata": {"labels": preload_labels(m)},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "serviceAccountName": service_account,
                    "nodeSelector": dict(system_selector),  # CPU work: never hold a GPU node for a download
                    **pod_hardening(PRELOAD_UID),
                    "containers": [
                        {
                            "name": "preload",
                            "image": (m.config.image or SERVING_IMAGES["vllm"])
                            if hf
                            else SERVING_IMAGES["aws-cli"],
                            "imagePullPolicy": PULL_POLICY,
                            "command": ["/bin/sh", "-c", preload_script(m)],
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


def _files(pvc: str, hf: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(env, volume mounts, volumes): the cache, a scratch /tmp, and for Hugging Face the token file."""
    env: list[dict[str, Any]] = [{"name": "HOME", "value": "/tmp"}]
    mounts: list[dict[str, Any]] = [
        {"name": "model-cache", "mountPath": MODEL_CACHE_MOUNT},
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
    return env, mounts, volumes
