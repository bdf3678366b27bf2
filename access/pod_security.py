"""Pod Security Admission levels of every namespace we create, and the namespace objects that carry them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from vocabulary.objects import PART_OF

PSA = "pod-security.kubernetes.io"


@dataclass(frozen=True)
class PodSecurity:
    """Pod Security Admission levels: `enforce` rejects pods, `report` (warn + audit) only flags them, so a
    namespace can show what tightening it would break before anyone tightens it."""

    enforce: str
    report: str
    why: str


# By the role of the namespace (the inference namespace, and each add-on's).
POD_SECURITY: Mapping[str, PodSecurity] = MappingProxyType(
    {
        "inference": PodSecurity("baseline", "restricted", "vLLM and the preload Job need no privileges"),
        "keda": PodSecurity(
            "baseline", "restricted", "operators and the HTTP interceptor need no privileges"
        ),
        "monitoring": PodSecurity("privileged", "privileged", "node-exporter uses the host network and PIDs"),
        "gpu-operator": PodSecurity(
            "privileged", "privileged", "driver, toolkit and device plugin run privileged"
        ),
        # Envoy Gateway's proxies and rate-limit service, and the AI Gateway controller run as non-root with
        # every capability dropped; the injected ext_proc sidecar's settings are the AI Gateway's to keep.
        "gateway": PodSecurity(
            "baseline", "restricted", "proxies, rate limits and Valkey need no privileges"
        ),
        "ai-gateway": PodSecurity("baseline", "restricted", "the AI Gateway controller needs no privileges"),
    }
)


def namespace_metadata(name: str, security: PodSecurity) -> dict[str, Any]:
    return {
        "name": name,
        "labels": {
            **PART_OF,
            f"{PSA}/enforce": security.enforce,
            f"{PSA}/warn": security.report,
            f"{PSA}/audit": security.report,
        },
    }
