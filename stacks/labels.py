"""Node labels for every GPU pool, managed node group or Karpenter NodePool alike, so one affinity fits both."""

from __future__ import annotations

from stacks.addon_values import DEVICE_PLUGIN_CONFIG_LABEL
from stacks.catalog import GpuInstance
from stacks.config import PlatformConfig
from stacks.scheduling import CAPACITY_TYPE_LABEL, GPU_MEMORY_LABEL, GPU_NAME_LABEL, POOL_LABEL


def pool_labels(
    cfg: PlatformConfig, pool: str, capacity_type: str, gpu: GpuInstance, extra: dict[str, str] | None = None
) -> dict[str, str]:
    labels = {
        **(extra or {}),
        POOL_LABEL: pool,
        CAPACITY_TYPE_LABEL: capacity_type,
        GPU_NAME_LABEL: gpu.gpu_name,
        GPU_MEMORY_LABEL: str(gpu.gpu_memory_gib),
    }
    gpu_operator = cfg.addons.gpu_operator
    if gpu_operator.enabled and pool in gpu_operator.time_slicing:
        labels[DEVICE_PLUGIN_CONFIG_LABEL] = pool  # selects this pool's entry of the time-slicing ConfigMap
    return labels
