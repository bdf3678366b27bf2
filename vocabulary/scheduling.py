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
# The resource the NVIDIA device plugin advertises (one per GPU, or per time slice).
GPU_RESOURCE = "nvidia.com/gpu"

# The system node group's pool name: controllers run on its on-demand CPU nodes, never on (expensive,
# interruptible) GPU capacity.
SYSTEM_POOL = "system"
SYSTEM_NODES = {POOL_LABEL: SYSTEM_POOL}

# The device plugin picks its config by this node label; unlabelled nodes get plain whole-GPU scheduling.
DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config"

# AWS tag naming a node's pool on its EC2 instances and volumes (managed node groups and Karpenter alike).
POOL_TAG = "llm-platform/pool"

# Every node label the platform sets on the GPU nodes it creates (fleet/pools.py), and what reads it. A stack
# file's node group `labels` may not set one: the platform's value wins, so the label asked for would silently
# not be what the nodes get.
PLATFORM_NODE_LABELS = MappingProxyType(
    {
        POOL_LABEL: "the pool's name, which model placement and the system nodes' selector read",
        CAPACITY_TYPE_LABEL: "the pool's capacity type, which model placement selects on",
        GPU_NAME_LABEL: "the GPU model, which the dashboards group by",
        GPU_MEMORY_LABEL: "the GPU memory, which the dashboards group by",
        DEVICE_PLUGIN_CONFIG_LABEL: "the pool's time-slicing entry (addons.gpuOperator.timeSlicing), which the "
        "NVIDIA device plugin reads",
    }
)
