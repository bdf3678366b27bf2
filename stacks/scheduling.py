"""Scheduling vocabulary shared by every part of the platform: the GPU taint and our node labels.

The taint is defined once here and rendered into each API's spelling from this one object, so a node group's
taint and every toleration the project writes can never drift apart (a classic failure: taint `gpu=true`,
tolerate `nvidia.com/gpu`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# The EKS managed node group API spells taint effects differently from Kubernetes.
_EKS_EFFECT = MappingProxyType(
    {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE", "PreferNoSchedule": "PREFER_NO_SCHEDULE"}
)


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str  # Kubernetes spelling: NoSchedule | NoExecute | PreferNoSchedule

    def for_eks(self) -> dict[str, str]:
        """As `aws.eks.NodeGroup(taints=[...])` takes it."""
        return {"key": self.key, "value": self.value, "effect": _EKS_EFFECT[self.effect]}

    def for_kubernetes(self) -> dict[str, str]:
        """As a Node / Karpenter NodePool `taints` entry."""
        return {"key": self.key, "value": self.value, "effect": self.effect}

    def toleration(self) -> dict[str, str]:
        """The exact toleration for this taint (operator Equal: tolerating any value would hide a mismatch)."""
        return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}


# Every GPU node carries this taint, so only pods that ask for GPUs land on the most expensive capacity.
GPU_TAINT = Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule")

# Node labels we set on every node we create (managed node groups now, Karpenter NodePools later), so one
# affinity works on both. Values for capacity type use Karpenter's vocabulary (spot | on-demand).
LABEL_PREFIX = "llm-platform.io"
POOL_LABEL = f"{LABEL_PREFIX}/pool"
CAPACITY_TYPE_LABEL = f"{LABEL_PREFIX}/capacity-type"
GPU_NAME_LABEL = f"{LABEL_PREFIX}/gpu-name"
GPU_MEMORY_LABEL = f"{LABEL_PREFIX}/gpu-memory-gib"
