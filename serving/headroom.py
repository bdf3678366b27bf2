"""Warm headroom: per pool, `headroom` GPU nodes held ready by placeholder pods that any model replica preempts.

A placeholder runs the pinned pause image at the lowest priority the platform uses (below every model's,
which run at the default 0) and never preempts anything itself. It requests as many GPUs as the largest replica
of the pool's models, so Karpenter launches, and keeps, a node that replica fits on; its init container pulls
the vLLM image onto the node, so a replica that preempts it skips the pull (fleet/cold_start.py's warm node
path). Karpenter consolidates no node a placeholder holds; on a managed node group it holds running nodes.
"""

from __future__ import annotations

from typing import Any

from catalog.images import SERVING_IMAGES
from fleet.resolved import Fleet, Pool
from serving.hardening import PULL_POLICY, RESTRICTED
from vocabulary import names
from vocabulary.objects import HEADROOM_LABEL, PART_OF
from vocabulary.scheduling import GPU_RESOURCE, GPU_TAINT, POOL_LABEL

PRIORITY_CLASS = names.HEADROOM_PRIORITY_CLASS
# Below the default priority (0) every model replica runs at: a replica always preempts a placeholder, and a
# placeholder (preemptionPolicy Never) never preempts anything.
PRIORITY = -100
PAUSE_UID = 65535  # the pause image's own nobody user


def priority_class() -> dict[str, Any]:
    return {
        "metadata": {"name": PRIORITY_CLASS, "labels": dict(PART_OF)},
        "value": PRIORITY,
        "preemptionPolicy": "Never",
        "globalDefault": False,
        "description": "llm-platform warm headroom: placeholders every model replica preempts",
    }


def headroom_gpus(fleet: Fleet, pool: Pool) -> int:
    """GPUs one placeholder holds: the largest replica (TP) of the models placed on the pool, at least one."""
    return max((m.tp for m in fleet.models if pool in m.placement.pools), default=1)


def placeholder(fleet: Fleet, pool: Pool) -> dict[str, Any]:
    labels = {HEADROOM_LABEL: pool.name, **PART_OF}
    gpus = str(headroom_gpus(fleet, pool))
    pod = {
        "priorityClassName": PRIORITY_CLASS,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": 0,  # preempted at once: the replica waits for nothing
        "nodeSelector": {POOL_LABEL: pool.name},
        "tolerations": [GPU_TAINT.toleration()],
        # One placeholder a node: N placeholders hold N nodes.
        "affinity": {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "labelSelector": {"matchLabels": {HEADROOM_LABEL: pool.name}},
                        "topologyKey": "kubernetes.io/hostname",
                    }
                ]
            }
        },
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": PAUSE_UID,
            "runAsGroup": PAUSE_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "initContainers": [_container("pull-vllm", SERVING_IMAGES["vllm"], ["/bin/true"], None)],
        "containers": [_container("hold", SERVING_IMAGES["pause"], None, gpus)],
    }
    return {
        "metadata": {"name": names.headroom_deployment(pool.name), "labels": labels},
        "spec": {
            "replicas": pool.config.headroom,
            "selector": {"matchLabels": {HEADROOM_LABEL: pool.name}},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }


def _container(name: str, image: str, command: list[str] | None, gpus: str | None) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "requests": {"cpu": "10m", "memory": "16Mi"},
        "limits": {"cpu": "100m", "memory": "64Mi"},
    }
    if gpus:
        resources["requests"][GPU_RESOURCE] = resources["limits"][GPU_RESOURCE] = gpus
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": PULL_POLICY,
        **({"command": command} if command else {}),
        "resources": resources,
        "securityContext": dict(RESTRICTED),
    }
