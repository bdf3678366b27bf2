"""`llm-platform:addons` — the in-cluster add-ons, each of which can be switched off."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from catalog.gpus import FAMILY_TYPES, gpu_model, gpu_of_family
from config.schema.base import GP3_MAX_GIB, GoDuration, PoolName, Section, pattern, unique


class NodePoolConfig(Section):
    """One entry of `llm-platform:addons.karpenter.nodePools` — a Karpenter NodePool of GPU nodes."""

    name: PoolName = Field(description="NodePool name; also the node label llm-platform.io/pool.")
    capacity_type: Literal["on-demand", "spot"] = Field(description="on-demand | spot.")
    instance_families: Annotated[list[str], AfterValidator(unique)] = Field(
        min_length=1, description="GPU instance families (g6, g6e, p5 …), all with the same GPU model."
    )
    gpu_limit: int = Field(ge=1, le=1024, description="Spending cap: most nvidia.com/gpu this pool may hold.")
    weight: int = Field(0, ge=0, le=100, description="Higher is tried first: give spot pools more weight.")
    consolidate_after: GoDuration = Field(
        "10m",
        description="How long a node must be empty before it is removed (WhenEmpty consolidation only).",
    )
    expire_after: GoDuration | Literal["Never"] = Field(
        "720h",
        description="Nodes are replaced after this age (picks up new AMIs); serving pods opt out of disruption.",
    )
    disk_size_gib: int = Field(200, ge=100, le=4096, description="Image volume (gp3) of each node.")

    @field_validator("instance_families")
    @classmethod
    def _known_gpu_families(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in FAMILY_TYPES]
        if unknown:
            raise ValueError(
                f"not GPU families in the catalog: {', '.join(unknown)} (known: {', '.join(sorted(FAMILY_TYPES))})"
            )
        gpus = sorted({gpu_model(gpu_of_family(f)) for f in v})
        if len(gpus) > 1:
            raise ValueError("families mix GPU models " + ", ".join(f"{n} {m} GiB" for n, m in gpus))
        return v


class GpuOperatorConfig(Section):
    """`llm-platform:addons.gpuOperator` — NVIDIA GPU Operator (device plugin, DCGM exporter, GFD)."""

    enabled: bool = Field(True, description="Install the GPU operator: without it no node advertises GPUs.")
    time_slicing: dict[PoolName, Annotated[int, Field(ge=2, le=48)]] = Field(
        default_factory=dict,
        description="Per GPU pool (node group or NodePool name): share each GPU between N pods. For dev and "
        "batch pools only: time-sliced pods share memory with no isolation.",
    )


class KarpenterConfig(Section):
    """`llm-platform:addons.karpenter` — GPU nodes on demand, spot first."""

    enabled: bool = Field(True, description="Install Karpenter and the NodePools below.")
    node_pools: list[NodePoolConfig] = Field(
        default_factory=list, description="GPU NodePools (at least one when Karpenter is enabled)."
    )


class KedaConfig(Section):
    """`llm-platform:addons.keda` — event-driven autoscaling on Prometheus metrics."""

    enabled: bool = Field(True, description="Install KEDA: every model scales through it.")


class KedaHttpConfig(Section):
    """`llm-platform:addons.kedaHttp` — KEDA's HTTP add-on: the activation signal for scale to zero."""

    enabled: bool = Field(False, description="Install the HTTP add-on (needed by scale-to-zero models).")


class MonitoringConfig(Section):
    """`llm-platform:addons.monitoring` — kube-prometheus-stack: Prometheus, Alertmanager, Grafana."""

    enabled: bool = Field(
        True, description="Install kube-prometheus-stack (KEDA scales models on its metrics)."
    )
    retention: str = Field(
        "15d",
        pattern=pattern(r"^[1-9][0-9]*(h|d|w|y)$", "a whole number of hours, days, weeks or years", "15d"),
        description="Prometheus retention time.",
    )
    storage_gib: int = Field(
        50, ge=10, le=GP3_MAX_GIB, description="Prometheus gp3 volume size (gp3 holds at most 16 TiB)."
    )


class AddonsConfig(Section):
    """`llm-platform:addons` — the in-cluster add-ons; each can be switched off."""

    gpu_operator: GpuOperatorConfig = Field(
        default_factory=GpuOperatorConfig, description="NVIDIA GPU Operator (see below)."
    )
    karpenter: KarpenterConfig = Field(default_factory=KarpenterConfig, description="Karpenter (see below).")
    keda: KedaConfig = Field(default_factory=KedaConfig, description="KEDA (see below).")
    keda_http: KedaHttpConfig = Field(
        default_factory=KedaHttpConfig, description="KEDA's HTTP add-on (see below)."
    )
    monitoring: MonitoringConfig = Field(
        default_factory=MonitoringConfig, description="kube-prometheus-stack (see below)."
    )

    @property
    def node_pools(self) -> tuple[NodePoolConfig, ...]:
        """The NodePools that exist: those of an enabled Karpenter."""
        return tuple(self.karpenter.node_pools) if self.karpenter.enabled else ()
