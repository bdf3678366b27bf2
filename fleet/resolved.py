"""The resolved fleet as frozen data. Built by fleet/load.py; read by everything downstream."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from catalog.gpus import GPU_INSTANCES, GpuInstance
from catalog.models import Architecture, CatalogModel
from config.schema.addons import NodePoolConfig
from config.schema.gateway import LoadBalancerConfig
from config.schema.infrastructure import GpuNodeGroupConfig
from config.schema.models import ModelConfig
from config.schema.platform import PlatformConfig
from config.schema.reservations import CapacityReservationConfig
from fleet.cold_start import ColdStart, Loader
from sizing.gpu_memory import Fit
from vocabulary.addons import Release

PoolKind = Literal["node group", "NodePool"]


@dataclass(frozen=True)
class Pool:
    """One GPU pool: an EKS managed node group or a Karpenter NodePool (only while Karpenter is enabled)."""

    name: str
    kind: PoolKind
    capacity_type: (
        str  # on-demand | spot | reserved (an ODCR or Capacity Block: on-demand capacity, paid ahead)
    )
    # Node group: as listed (EKS launches on-demand types in that order). NodePool: every catalog size of its
    # families, or only the reserved type when it launches into a reservation.
    instance_types: tuple[str, ...]
    # The pool's one GPU model, as its first instance type carries it: read gpu_name and memory from it, not
    # gpu_count (sizes differ in how many GPUs they carry).
    gpu: GpuInstance
    # Most physical GPUs the pool can ever hold: a node group's maxSize x the most GPUs any of its types has,
    # a NodePool's nvidia.com/gpu limit.
    gpu_capacity: int
    # A NodePool's `limits`, as its manifest renders them (empty for a node group).
    limits: Mapping[str, int]
    time_slices: int  # pods sharing each GPU (1: whole GPUs)
    labels: Mapping[str, str]  # node labels: one affinity fits node groups and NodePools alike
    config: GpuNodeGroupConfig | NodePoolConfig

    @property
    def gpus_per_node(self) -> int:
        """The most GPUs one node of this pool can carry (its largest instance type)."""
        return max(GPU_INSTANCES[t].gpu_count for t in self.instance_types)

    @property
    def reservation(self) -> CapacityReservationConfig | None:
        """The ODCR or Capacity Block the pool launches into (capacity type reserved), or None."""
        return self.config.capacity_reservation

    @property
    def interruptible(self) -> bool:
        """Whether EC2 may take its nodes back at two minutes' notice: spot only. Reserved capacity is on-demand
        capacity held for the stack (a Capacity Block ends on its date, which Karpenter and EKS drain ahead of)."""
        return self.capacity_type == "spot"


@dataclass(frozen=True)
class Placement:
    """Where one model's replicas run and how each is sized (one GPU model, so one fit for every type)."""

    arch: Architecture
    pools: tuple[Pool, ...]
    tp: int  # GPUs per replica
    fit: Fit
    instance_types: tuple[str, ...]  # the pools' types with at least `tp` GPUs, cheapest on-demand first
    # Pools the model listed that cannot hold one replica at this TP (no type with `tp` GPUs): left out of
    # `pools`, and so of its node affinity, and warned about (tensorParallelSize auto chose this TP).
    dropped: tuple[Pool, ...] = ()

    @property
    def cheapest_type(self) -> str:
        return self.instance_types[0]

    @property
    def smallest_share(self) -> GpuInstance:
        """The eligible type with the fewest vCPUs per GPU: a replica's CPU and memory are sized to fit it."""
        return GPU_INSTANCES[
            min(self.instance_types, key=lambda t: GPU_INSTANCES[t].vcpu / GPU_INSTANCES[t].gpu_count)
        ]

    @property
    def cpu(self) -> int:
        """A replica's CPU request: 60 % of its GPUs' share of the smallest node, so daemon sets still fit."""
        node = self.smallest_share
        return max(2, math.floor(node.vcpu * self.tp / node.gpu_count * 0.6))

    @property
    def memory_gib(self) -> int:
        """A replica's memory request and limit: 60 % of its GPUs' share of the smallest node."""
        node = self.smallest_share
        return max(8, math.floor(node.memory_gib * self.tp / node.gpu_count * 0.6))

    @property
    def capacity_types(self) -> tuple[str, ...]:
        return tuple(sorted({p.capacity_type for p in self.pools}))

    def replicas_per_node(self, instance_type: str | None = None) -> int:
        return GPU_INSTANCES[instance_type or self.cheapest_type].gpu_count // self.tp

    def price_per_replica(
        self, node_price: Callable[[str], float | None], instance_type: str | None = None
    ) -> float | None:
        """$/h of one replica: the node's price x the share of its GPUs a replica takes (TP / GPUs per node),
        on `instance_type` (default: the cheapest). `node_price` answers $/h for an instance type."""
        t = instance_type or self.cheapest_type
        price = node_price(t)
        return None if price is None else price * self.tp / GPU_INSTANCES[t].gpu_count


@dataclass(frozen=True)
class RopeOverride:
    """A model's configured `ropeScaling`, resolved against its catalog entry, as vLLM 0.31.0 takes it:
    `--hf-overrides` (there is no --rope-scaling flag any more), applied after config.json is read."""

    rope_type: str  # yarn | linear | dynamic
    factor: float
    original_max_position_embeddings: int
    rope_theta: float
    max_context: int  # factor x original: the longest maxModelLen it allows

    def hf_overrides(self) -> dict[str, Any]:
        """The override. `rope_parameters` replaces config.json's whole dict (vllm/config/model.py
        _apply_dict_overrides sets a dict-valued key as given), so it carries rope_theta: get_rope
        (vllm/model_executor/layers/rotary_embedding/__init__.py) takes 10,000 without it. vLLM's length check
        (_get_and_verify_max_len) multiplies max_position_embeddings by `factor` for linear and dynamic, but not for
        yarn, whose max_position_embeddings is taken as already scaled: set it so either way the check allows
        exactly max_context."""
        scaled = self.rope_type == "yarn"
        return {
            "max_position_embeddings": self.max_context if scaled else self.original_max_position_embeddings,
            "rope_parameters": {
                "rope_type": self.rope_type,
                "factor": self.factor,
                "original_max_position_embeddings": self.original_max_position_embeddings,
                "rope_theta": self.rope_theta,
            },
        }

    def hf_overrides_json(self) -> str:
        """As `--hf-overrides` takes it: compact JSON, keys sorted, so the rendered command is stable."""
        return json.dumps(self.hf_overrides(), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ModelPlan:
    """One served model, resolved: its config, catalog entry, placement, names, endpoint and time budgets."""

    config: ModelConfig
    key: str  # the entry's stack-file key, e.g. llm-platform:models[1]
    catalog: CatalogModel | None
    placement: Placement
    namespace: str
    cache_dir: str  # where its weights live on the shared cache (one directory per revision)
    weights_uri: str  # what vLLM serves: cache_dir, or the s3:// source it streams from (streamFromSource)
    region: str  # the stack's, for the clients that call AWS from the pod (the streamer's S3 reads)
    endpoint: str  # where clients send requests: the Service, or the interceptor that wakes it from zero
    proxy_name: str | None  # scale to zero: the `<model>-proxy` name callers use
    rope: RopeOverride | None  # a configured ropeScaling, as vLLM is told it
    weights_gib: float  # as the checkpoint is stored and read at start
    loader: Loader  # how the replica reads them
    cold: ColdStart  # the modelled stages of each path from zero replicas to the first token
    startup_budget_s: int  # container start to serving, as the startup probe allows (fleet/cold_start.py)
    preload_budget_s: int  # download into the cache (0: streamed from S3, no preload)
    cold_start_s: int  # zero replicas to the first answer, modelled: the worst path (cold.first_ever)
    hold_s: int  # how long a request may wait for it at zero replicas: the cold start with the margin
    rollout_timeout_s: int  # how long `pulumi up` waits for the Deployment: preload + startup

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def tp(self) -> int:
        return self.placement.tp

    @property
    def scales_to_zero(self) -> bool:
        return self.config.autoscaling.scale_to_zero


@dataclass(frozen=True)
class AddonPlan:
    """The enabled add-ons' releases, and the in-cluster addresses other parts call (None when off)."""

    monitoring: Release | None  # our kube-prometheus-stack (None also when an existing Prometheus is used)
    gpu_operator: Release | None
    keda: Release | None
    keda_http: Release | None
    prometheus_url: str | None  # the Prometheus KEDA queries: ours, or the existing one
    prometheus_namespace: str | None  # where that Prometheus's scrapes come from (the NetworkPolicy's source)
    monitoring_crds: bool  # PodMonitors, ServiceMonitors and PrometheusRules are created (their CRDs exist)
    rules_namespace: str | None  # the platform-wide PrometheusRule's namespace (None: no rules)
    dashboards_namespace: str | None  # the dashboards' ConfigMaps' namespace (None: no dashboards)
    grafana_datasource_uid: str  # the Grafana datasource the dashboards query
    grafana_service: str | None
    http_scaler: str | None  # the KEDA HTTP add-on's external scaler (host:port), for external-push triggers
    interceptor_host: str | None  # the interceptor's proxy Service, which `<model>-proxy` names resolve to
    interceptor_port: int | None


@dataclass(frozen=True)
class TenantPlan:
    """One tenant of the gateway: what it may call, its limits, and its keys' names."""

    name: str
    key: str  # its stack-file key, e.g. llm-platform:gateway.tenants[0]
    models: tuple[str, ...]
    requests_per_minute: int
    tokens_per_minute: int
    generated_keys: tuple[str, ...]  # generated by the program, exported as a secret output
    held_keys: tuple[str, ...]  # the stack file's (llm-platform:gatewayApiKeys.<tenant>.<name>)

    @property
    def key_names(self) -> tuple[str, ...]:
        return (*self.held_keys, *self.generated_keys)


@dataclass(frozen=True)
class GatewayRoute:
    """One model behind the gateway, by its served name: where the gateway sends its requests."""

    model: str
    host: str  # the in-cluster name: the model's Service, or its `-proxy` name through the KEDA interceptor
    port: int
    via_interceptor: bool  # scales to zero: the interceptor holds a cold request until a replica is ready
    request_timeout_s: int  # how long the gateway waits for one answer (a cold start, then a long generation)


@dataclass(frozen=True)
class GatewayPlan:
    """The front door, resolved: its releases, tenants, routes (only models a tenant may call), listener,
    exposure and the URL clients use."""

    envoy_gateway: Release
    ai_gateway_crds: Release
    ai_gateway: Release
    load_balancer_controller: Release | None  # only with a load balancer
    namespace: str  # Envoy Gateway's: the proxies, the rate-limit service, Valkey and every gateway object
    tenants: tuple[TenantPlan, ...]
    routes: tuple[GatewayRoute, ...]
    listener_port: int  # the Gateway listener's port, the proxies' Service port and the load balancer's
    container_port: int  # what the proxy binds (ports below 1024 shifted), which NetworkPolicies select
    proxy_replicas: int
    load_balancer: LoadBalancerConfig | None
    internal_url: str  # the proxies' Service, in-cluster: `<scheme>://host[:port]/v1`
    # The load balancer's subnets by id, in an existing network; empty: the controller discovers them by tag.
    load_balancer_subnets: tuple[str, ...] = ()

    @property
    def scheme(self) -> str:
        return "https" if self.load_balancer and self.load_balancer.certificate_arn else "http"

    def tenant(self, name: str) -> TenantPlan:
        return next(t for t in self.tenants if t.name == name)


@dataclass(frozen=True)
class Fleet:
    """The whole platform, resolved once. `config` stays available for plain settings (names, sizes, flags)."""

    config: PlatformConfig
    pools: Mapping[str, Pool]  # node groups in config order, then NodePools
    models: tuple[ModelPlan, ...]
    addons: AddonPlan
    gpu_capacity: int  # physical GPUs every pool together can hold
    gpu_quota: int  # the inference namespace's nvidia.com/gpu quota: configured, or gpu_capacity
    namespace: str  # the inference namespace
    # Per NodePool: how long Karpenter may wait on a drain before it deletes pods (fleet/budgets.py).
    drain_grace_s: Mapping[str, int] = field(default_factory=dict)
    gateway: GatewayPlan | None = None  # the front door, when llm-platform:gateway.enabled

    @property
    def region(self) -> str:
        return self.config.region

    @property
    def node_groups(self) -> tuple[Pool, ...]:
        return tuple(p for p in self.pools.values() if p.kind == "node group")

    @property
    def node_pools(self) -> tuple[Pool, ...]:
        return tuple(p for p in self.pools.values() if p.kind == "NodePool")

    def model(self, name: str) -> ModelPlan:
        return next(m for m in self.models if m.name == name)
