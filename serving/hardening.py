"""Pod and container settings every pod we run in the inference namespace shares, and the labels of a
model's objects."""

from __future__ import annotations

from typing import Any

from fleet.resolved import ModelPlan
from vocabulary.objects import (
    MODEL_LABEL,
    PART_OF,
    PRELOAD_LABELS,
    PRELOAD_OF_LABEL,
    PULL_POLICY,
    RESTRICTED,
    SERVER_LABELS,
)

__all__ = ["PULL_POLICY", "RESTRICTED", "labels", "pod_hardening", "preload_labels", "selector"]


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


def labels(m: ModelPlan) -> dict[str, str]:
    """Every object of the model; its server pods carry them too (the Service, PDB and policies select them)."""
    return {**SERVER_LABELS, **PART_OF, MODEL_LABEL: m.name}


def selector(m: ModelPlan) -> dict[str, str]:
    return {MODEL_LABEL: m.name}


def preload_labels(m: ModelPlan) -> dict[str, str]:
    """The preload Job's pods must not carry the server's labels: the Service, PDB, PodMonitor and
    NetworkPolicies select on those, and a running download pod would count as a ready model replica."""
    return {**PRELOAD_LABELS, **PART_OF, PRELOAD_OF_LABEL: m.name}
