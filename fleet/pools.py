"""The GPU pools: every managed node group and every NodePool of an enabled Karpenter, with the GPU model
they carry, how many GPUs they can hold and the node labels one affinity selects them by."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from catalog.gpus import GPU_INSTANCES, GpuInstance, instance_types_of
from config.schema.addons import AddonsConfig, NodePoolConfig
from config.schema.infrastructure import GpuNodeGroupConfig
from fleet.resolved import Pool
from vocabulary.scheduling import (
    CAPACITY_TYPE_LABEL,
    DEVICE_PLUGIN_CONFIG_LABEL,
    GPU_MEMORY_LABEL,
    GPU_NAME_LABEL,
    GPU_RESOURCE,
    POOL_LABEL,
)


def resolve_pools(gpu_node_groups: Sequence[GpuNodeGroupConfig], addons: AddonsConfig) -> dict[str, Pool]:
    """Node groups in config order, then the NodePools that exist (Karpenter enabled)."""
    slicing = addons.gpu_operator.time_slicing if addons.gpu_operator.enabled else {}
    pools = {g.name: _node_group(g, slicing) for g in gpu_node_groups}
    pools |= {p.name: _node_pool(p, slicing) for p in addons.node_pools}
    return pools


def _node_group(g: GpuNodeGroupConfig, slicing: Mapping[str, int]) -> Pool:
    types = tuple(g.instance_types)
    gpu = GPU_INSTANCES[types[0]]
    return Pool(
        name=g.name,
        kind="node group",
        capacity_type=g.capacity_type,
        instance_types=types,
        gpu=gpu,
        # A spot group may launch any listed type: count the one with the most GPUs.
        gpu_capacity=g.max_size * max(GPU_INSTANCES[t].gpu_count for t in types),
        limits={},
        time_slices=slicing.get(g.name, 1),
        labels=_labels(g.name, g.capacity_type, gpu, slicing, dict(g.labels)),
        config=g,
    )


def _node_pool(p: NodePoolConfig, slicing: Mapping[str, int]) -> Pool:
    # Karpenter may launch any size of its families; into a reservation, only the reserved type.
    reservation = p.capacity_reservation
    types = (reservation.instance_type,) if reservation else instance_types_of(p.instance_families)
    gpu = GPU_INSTANCES[types[0]]
    return Pool(
        name=p.name,
        kind="NodePool",
        capacity_type=p.capacity_type,
        instance_types=types,
        gpu=gpu,
        gpu_capacity=p.gpu_limit,
        # Karpenter launches nothing that would take the pool past a limit; GPUs are the one we cap.
        limits={GPU_RESOURCE: p.gpu_limit},
        time_slices=slicing.get(p.name, 1),
        labels=_labels(p.name, p.capacity_type, gpu, slicing),
        config=p,
    )


def _labels(
    pool: str,
    capacity_type: str,
    gpu: GpuInstance,
    slicing: Mapping[str, int],
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    labels = {
        **(extra or {}),
        POOL_LABEL: pool,
        CAPACITY_TYPE_LABEL: capacity_type,
        GPU_NAME_LABEL: gpu.gpu_name,
        GPU_MEMORY_LABEL: str(gpu.gpu_memory_gib),
    }
    if pool in slicing:
        labels[DEVICE_PLUGIN_CONFIG_LABEL] = pool  # selects this pool's entry of the time-slicing ConfigMap
    return labels
