"""Stack configuration schema: one pydantic model per `llm-platform:` key of `Pulumi.<stack>.yaml`.

Field names are snake_case in Python and camelCase in the stack file (the alias), which is how errors name them.
Each default is the safe production choice and is documented beside its field; dev stacks opt out explicitly.
Checks that span several keys live in `stacks/loader.py` so that they can name every key involved.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

from stacks.catalog import AMI_FAMILIES, GPU_INSTANCES, SUPPORTED_KUBERNETES_VERSIONS


class Section(BaseModel):
    """Base for every config object: unknown keys are errors, values are immutable once validated."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        frozen=True,
        # Defaults pass through the same checks, so cross-field rules also see omitted keys.
        validate_default=True,
    )


def _unique(values: list) -> list:
    dupes = sorted({str(v) for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"duplicate entries: {', '.join(dupes)}")
    return values


def at_least(v: int, info: ValidationInfo, lower_field: str) -> int:
    """An upper bound must not be below the lower bound declared before it (named as in the stack file)."""
    lo = info.data.get(lower_field)
    if lo is not None and v < lo:
        raise ValueError(f"must be >= {to_camel(lower_field)} ({lo})")
    return v


DnsLabel = Annotated[str, Field(pattern=r"^[a-z]([-a-z0-9]*[a-z0-9])?$", max_length=63)]
AZ_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$"
# The retention periods CloudWatch Logs accepts.
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
IAM_ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$")


def _role_arns(values: list[str]) -> list[str]:
    bad = [a for a in values if not IAM_ROLE_ARN.match(a)]
    if bad:
        raise ValueError(f"not IAM role ARNs (arn:aws:iam::<account>:role/<name>): {', '.join(bad)}")
    return values


RoleArns = Annotated[list[str], AfterValidator(_unique), AfterValidator(_role_arns)]


class NetworkConfig(Section):
    """`llm-platform:network` — the VPC."""

    cidr: IPv4Network = Field(
        IPv4Network("10.0.0.0/16"),
        description="VPC CIDR, /16 to /20. Private subnets get 1/8 of it each (room for VPC-CNI pod IPs).",
    )
    availability_zones: Annotated[
        list[Annotated[str, Field(pattern=AZ_PATTERN)]], AfterValidator(_unique)
    ] = Field(
        min_length=2,
        max_length=6,
        description="AZ names in `aws:region` (EKS needs two; prod uses three). Named, not counted, so a "
        "plan never changes because AWS reordered zones, and so GPU-scarce zones can be avoided.",
    )
    nat_gateways: Literal["single", "perAz"] = Field(
        "perAz", description="`perAz` keeps private subnets online when one AZ fails; `single` is cheaper."
    )

    @field_validator("cidr")
    @classmethod
    def _cidr_size(cls, v: IPv4Network) -> IPv4Network:
        if not 16 <= v.prefixlen <= 20:
            raise ValueError(f"prefix length must be /16 to /20, got /{v.prefixlen}")
        if not v.is_private:
            raise ValueError("must be a private (RFC 1918) range")
        return v


class EndpointConfig(Section):
    """`llm-platform:cluster.endpoint` — who can reach the Kubernetes API."""

    private_access: bool = Field(True, description="Reachable from inside the VPC.")
    public_access: bool = Field(
        False, description="Reachable from the internet, restricted to `publicAccessCidrs`."
    )
    public_access_cidrs: Annotated[list[IPv4Network], AfterValidator(_unique)] = Field(
        default_factory=list,
        description="Required when `publicAccess` is true; 0.0.0.0/0 is allowed but warned.",
    )

    @field_validator("public_access")
    @classmethod
    def _reachable(cls, v: bool, info: ValidationInfo) -> bool:
        if not v and info.data.get("private_access") is False:
            raise ValueError(
                "privateAccess and publicAccess are both false: nobody could reach the cluster API"
            )
        return v

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs_match_access(cls, v: list[IPv4Network], info: ValidationInfo) -> list[IPv4Network]:
        public = info.data.get("public_access")
        if public and not v:
            raise ValueError("publicAccess is true, so list the CIDRs allowed in (e.g. your VPN egress)")
        if v and public is False:
            raise ValueError("set but publicAccess is false: remove the CIDRs or enable publicAccess")
        return v


class SizedNodeGroup(Section):
    """Size rules shared by every node group section (fields are declared by each subclass, in the order
    minSize, maxSize, desiredSize, so each check sees the values before it)."""

    @field_validator("max_size", check_fields=False)
    @classmethod
    def _max_ge_min(cls, v: int, info: ValidationInfo) -> int:
        return at_least(v, info, "min_size")

    @field_validator("desired_size", check_fields=False)
    @classmethod
    def _desired_in_range(cls, v: int | None, info: ValidationInfo) -> int | None:
        lo, hi = info.data.get("min_size"), info.data.get("max_size")
        if v is not None and lo is not None and hi is not None and not lo <= v <= hi:
            raise ValueError(f"must lie between minSize ({lo}) and maxSize ({hi})")
        return v

    @property
    def initial_size(self) -> int:
        """The node count at creation: desiredSize, else minSize. Afterwards the autoscaler owns it."""
        return self.desired_size if self.desired_size is not None else self.min_size  # type: ignore[attr-defined]


class SystemNodeGroupConfig(SizedNodeGroup):
    """`llm-platform:cluster.systemNodeGroup` — on-demand CPU nodes for controllers (never GPUs)."""

    instance_types: Annotated[list[str], AfterValidator(_unique)] = Field(["m7i.xlarge"], min_length=1)
    min_size: int = Field(
        2, ge=1, description="At least 1: controllers (Karpenter, KEDA, CoreDNS) live here."
    )
    max_size: int = Field(4, ge=1, le=100)
    desired_size: int | None = Field(
        None, description="Initial size; defaults to minSize. The autoscaler owns it."
    )
    disk_size_gib: int = Field(50, ge=20, le=1000)

    @field_validator("instance_types")
    @classmethod
    def _not_gpu(cls, v: list[str]) -> list[str]:
        gpus = [t for t in v if t in GPU_INSTANCES]
        if gpus:
            raise ValueError(f"GPU instance types do not belong in the system node group: {', '.join(gpus)}")
        # The system group runs the x86_64 AMI; Graviton families (m7g, c8gd, ...) would not boot it.
        graviton = [t for t in v if re.match(r"^[a-z]+\d+g[a-z]*\.", t)]
        if graviton:
            raise ValueError(f"arm64 (Graviton) instance types are not supported yet: {', '.join(graviton)}")
        return v


class ClusterConfig(Section):
    """`llm-platform:cluster` — the EKS control plane."""

    name: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9-]{0,99}$", description="EKS cluster name.")
    kubernetes_version: Literal[SUPPORTED_KUBERNETES_VERSIONS] = Field(  # type: ignore[valid-type]
        description="Pinned Kubernetes minor version."
    )
    endpoint: EndpointConfig = Field(default_factory=EndpointConfig)
    log_types: Annotated[
        list[Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]],
        AfterValidator(_unique),
    ] = Field(["api", "audit", "authenticator", "controllerManager", "scheduler"])
    log_retention_days: Literal[LOG_RETENTION_DAYS] = Field(  # type: ignore[valid-type]
        90, description="CloudWatch retention of control-plane logs (EKS would keep them forever)."
    )
    admin_role_arns: RoleArns = Field(
        default_factory=list, description="IAM roles granted cluster-admin through EKS access entries."
    )
    deletion_protection: bool = Field(True, description="EKS refuses to delete the cluster while true.")
    support_type: Literal["STANDARD", "EXTENDED"] = Field(
        "STANDARD",
        description="EKS upgrade policy. EXTENDED keeps an old version running at 6x the control-plane price.",
    )
    system_node_group: SystemNodeGroupConfig = Field(default_factory=SystemNodeGroupConfig)


class NodeAmiConfig(Section):
    """`llm-platform:nodeAmi` — ONE pinned AMI release for every node we create (one driver/CUDA version)."""

    family: Literal[tuple(AMI_FAMILIES)] = Field(  # type: ignore[valid-type]
        "al2023", description="al2023 (driver + toolkit in the AMI) or bottlerocket (also the device plugin)."
    )
    release_version: str = Field(
        description="Managed node group release_version, e.g. 1.35.6-20260714 (al2023) or 1.65.0-0be31b34 "
        "(bottlerocket). Never 'latest': an AMI release changes the NVIDIA driver."
    )

    @field_validator("release_version")
    @classmethod
    def _release_matches_family(cls, v: str, info: ValidationInfo) -> str:
        family = info.data.get("family")
        if family is None:
            return v
        fam = AMI_FAMILIES[family]
        if not fam.release_pattern.match(v):
            raise ValueError(f"not a {family} release version (expected the form {fam.release_example})")
        return v


class GpuNodeGroupConfig(SizedNodeGroup):
    """One entry of `llm-platform:gpuNodeGroups` — one EKS managed node group, tainted for GPU work only."""

    name: DnsLabel = Field(
        max_length=30, description="Pool name; becomes the node label llm-platform.io/pool."
    )
    capacity_type: Literal["on-demand", "spot"] = Field(description="on-demand | spot.")
    instance_types: Annotated[list[str], AfterValidator(_unique)] = Field(
        min_length=1, description="GPU instance types, all with the same GPU model. Spot: list several."
    )
    min_size: int = Field(ge=0, le=100)
    max_size: int = Field(ge=1, le=100)
    desired_size: int | None = Field(
        None, description="Initial size; defaults to minSize. The autoscaler owns it."
    )
    disk_size_gib: int = Field(
        200, ge=100, le=4096, description="Image volume: vLLM images are ~10 GB compressed, ~25 GB unpacked."
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels.")

    @field_validator("instance_types")
    @classmethod
    def _known_gpu_types(cls, v: list[str]) -> list[str]:
        unknown = [t for t in v if t not in GPU_INSTANCES]
        if unknown:
            known = ", ".join(sorted({i.family for i in GPU_INSTANCES.values()}))
            raise ValueError(f"not in the GPU instance catalog: {', '.join(unknown)} (families: {known})")
        gpus = sorted({(GPU_INSTANCES[t].gpu_name, GPU_INSTANCES[t].gpu_memory_gib) for t in v})
        if len(gpus) > 1:
            raise ValueError(
                "instance types mix GPU models "
                + ", ".join(f"{n} {m} GiB" for n, m in gpus)
                + ": one node group must expose one GPU model (split it into several groups)"
            )
        return v


class ModelCacheConfig(Section):
    """`llm-platform:modelCache` — the shared EFS model-weights cache."""

    namespace: DnsLabel = Field("inference", description="Namespace of the inference workloads and the PVC.")
    pvc_name: DnsLabel = Field("model-cache", description="The one shared ReadWriteMany claim.")
    size_gib: int = Field(
        1024,
        ge=1,
        description="Requested PVC size. EFS does not enforce it; it documents the expected footprint.",
    )
    throughput_mode: Literal["elastic", "bursting"] = Field(
        "elastic", description="elastic: full read speed for cold starts without provisioning throughput."
    )
    protect: bool = Field(
        True,
        description="Protect the file system and its KMS key from deletion and keep them when the stack is "
        "destroyed, so no config edit or destroy can lose cached weights.",
    )


GoDuration = Annotated[str, Field(pattern=r"^(\d+h)?(\d+m)?(\d+s)?$", min_length=2)]


class NodePoolConfig(Section):
    """One entry of `llm-platform:addons.karpenter.nodePools` — a Karpenter NodePool of GPU nodes."""

    name: DnsLabel = Field(
        max_length=30, description="NodePool name; also the node label llm-platform.io/pool."
    )
    capacity_type: Literal["on-demand", "spot"]
    instance_families: Annotated[list[str], AfterValidator(_unique)] = Field(
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
    disk_size_gib: int = Field(200, ge=100, le=4096)

    @field_validator("instance_families")
    @classmethod
    def _known_gpu_families(cls, v: list[str]) -> list[str]:
        families = {i.family: i for i in GPU_INSTANCES.values()}
        unknown = [f for f in v if f not in families]
        if unknown:
            raise ValueError(
                f"not GPU families in the catalog: {', '.join(unknown)} (known: {', '.join(sorted(families))})"
            )
        gpus = sorted({(families[f].gpu_name, families[f].gpu_memory_gib) for f in v})
        if len(gpus) > 1:
            raise ValueError("families mix GPU models " + ", ".join(f"{n} {m} GiB" for n, m in gpus))
        return v


class GpuOperatorConfig(Section):
    """`llm-platform:addons.gpuOperator` — NVIDIA GPU Operator (device plugin, DCGM exporter, GFD)."""

    enabled: bool = True
    time_slicing: dict[str, Annotated[int, Field(ge=2, le=48)]] = Field(
        default_factory=dict,
        description="Per GPU pool (node group or NodePool name): share each GPU between N pods. For dev and "
        "batch pools only: time-sliced pods share memory with no isolation.",
    )


class KarpenterConfig(Section):
    """`llm-platform:addons.karpenter` — GPU nodes on demand, spot first."""

    enabled: bool = True
    node_pools: list[NodePoolConfig] = Field(default_factory=list)


class KedaConfig(Section):
    """`llm-platform:addons.keda` — event-driven autoscaling on Prometheus metrics."""

    enabled: bool = True


class KedaHttpConfig(Section):
    """`llm-platform:addons.kedaHttp` — KEDA's HTTP add-on: the activation signal for scale to zero."""

    enabled: bool = False


class MonitoringConfig(Section):
    """`llm-platform:addons.monitoring` — kube-prometheus-stack: Prometheus, Alertmanager, Grafana."""

    enabled: bool = True
    retention: str = Field("15d", pattern=r"^\d+(h|d|w|y)$", description="Prometheus retention time.")
    storage_gib: int = Field(50, ge=10, le=16384, description="Prometheus gp3 volume size.")


class AddonsConfig(Section):
    """`llm-platform:addons` — the in-cluster add-ons; each can be switched off."""

    gpu_operator: GpuOperatorConfig = Field(default_factory=GpuOperatorConfig)
    karpenter: KarpenterConfig = Field(default_factory=KarpenterConfig)
    keda: KedaConfig = Field(default_factory=KedaConfig)
    keda_http: KedaHttpConfig = Field(default_factory=KedaHttpConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)


class ArchitectureConfig(Section):
    """A model's shape, from its config.json, for models not in the catalog (stacks/models.py)."""

    params_b: float = Field(gt=0, le=2000, description="Total parameters in billions (all MoE experts).")
    layers: int = Field(ge=1, le=256, description="num_hidden_layers")
    hidden_size: int = Field(ge=64, le=65536)
    attention_heads: int = Field(ge=1, le=256, description="num_attention_heads")
    kv_heads: int = Field(ge=1, le=256, description="num_key_value_heads")
    head_dim: int = Field(ge=16, le=512)
    native_dtype: Literal["bfloat16", "float16"] = "bfloat16"


class PlacementConfig(Section):
    pools: Annotated[list[DnsLabel], AfterValidator(_unique)] = Field(
        min_length=1,
        description="GPU pools (managed node groups and/or Karpenter NodePools) the model may use.",
    )
    capacity_type: Literal["on-demand", "spot", "either"] = Field(
        "either", description="either: prefer spot, fall back to on-demand."
    )


class ReplicasConfig(Section):
    min: int = Field(
        1, ge=0, le=100, description="Warm replicas kept at all times; 0 only with scale to zero."
    )
    max: int = Field(2, ge=1, le=100)

    @field_validator("max")
    @classmethod
    def _max_ge_min(cls, v: int, info: ValidationInfo) -> int:
        return at_least(v, info, "min")


# Edges of vLLM's TTFT histogram (vllm:time_to_first_token_seconds): a p95 target between two edges would be
# interpolated inside one bucket, so targets must sit on an edge.
TTFT_BUCKET_EDGES = (0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0)


class WarmWindowConfig(Section):
    """A KEDA cron window keeping at least `replicas` warm (e.g. office hours)."""

    timezone: str = Field(
        pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", description="IANA name, e.g. Europe/Berlin"
    )
    start: str = Field(pattern=r"^(\S+\s+){4}\S+$", description="cron, e.g. '0 8 * * 1-5'")
    end: str = Field(pattern=r"^(\S+\s+){4}\S+$", description="cron, e.g. '0 19 * * 1-5'")
    replicas: int = Field(ge=1, le=100)


class AutoscalingConfig(Section):
    """KEDA triggers for one model. Queue depth always; TTFT and KV usage when set."""

    queue_depth_per_replica: int = Field(
        4,
        ge=1,
        le=1000,
        description="Waiting requests per replica (vllm:num_requests_waiting) before adding one.",
    )
    ttft_p95_seconds: float | None = Field(
        None, description=f"Scale up when p95 time-to-first-token exceeds this; one of {TTFT_BUCKET_EDGES}."
    )
    kv_cache_usage: float | None = Field(
        None, ge=0.5, le=0.99, description="Scale up when a replica's KV cache is fuller than this (0-1)."
    )
    warm_windows: list[WarmWindowConfig] = Field(default_factory=list)
    scale_to_zero: bool = Field(
        False,
        description="Allow 0 replicas when idle (dev). Needs addons.kedaHttp: requests then go through its "
        "interceptor, which counts them even at zero pods and holds them through the cold start.",
    )
    idle_minutes_before_zero: int = Field(
        30, ge=5, le=1440, description="Idle time before the last replica goes."
    )

    @field_validator("ttft_p95_seconds")
    @classmethod
    def _on_bucket_edge(cls, v: float | None) -> float | None:
        if v is not None and v not in TTFT_BUCKET_EDGES:
            raise ValueError(
                f"must be a bucket edge of vLLM's TTFT histogram: {', '.join(map(str, TTFT_BUCKET_EDGES))}"
            )
        return v


class AlertsConfig(Section):
    """`llm-platform:alerts` — thresholds of the shipped alert rules (docs/runbooks.md explains each)."""

    queue_depth: int = Field(10, ge=1, description="Requests waiting per model for 5 minutes.")
    ttft_p95_seconds: float = Field(
        2.5,
        description="TTFT p95 SLO for models without autoscaling.ttftP95Seconds; a histogram bucket edge.",
    )
    kv_cache_usage: float = Field(
        0.9, ge=0.5, le=1.0, description="Fullest replica's KV cache, for 10 minutes."
    )
    gpu_memory_usage: float = Field(
        0.95,
        ge=0.5,
        le=1.0,
        description="Framebuffer used / total. vLLM takes gpuMemoryUtilization of each GPU up front, so this sits "
        "above every model's utilisation (validated); 0.95 leaves room for the CUDA context.",
    )
    gpu_temperature_celsius: int = Field(85, ge=60, le=110)
    pending_gpu_pod_minutes: int = Field(
        15, ge=1, le=240, description="A GPU pod pending with no node this long."
    )
    spot_interruptions_per_hour: int = Field(5, ge=1, le=1000)
    output_length_drift: float = Field(
        0.2, gt=0, le=5, description="Median generated tokens this far (fraction) from its 7-day baseline."
    )
    runbook_base_url: str = Field(
        "docs/runbooks.md", description="Where runbooks live; alerts link <this>#<alert name, lower-case>."
    )

    @field_validator("ttft_p95_seconds")
    @classmethod
    def _on_bucket_edge(cls, v: float) -> float:
        if v not in TTFT_BUCKET_EDGES:
            raise ValueError(
                f"must be a bucket edge of vLLM's TTFT histogram: {', '.join(map(str, TTFT_BUCKET_EDGES))}"
            )
        return v


class ServingConfig(Section):
    """`llm-platform:serving` — guardrails of the inference namespace."""

    gpu_quota: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="ResourceQuota on nvidia.com/gpu; default: what every model's max replicas need.",
    )


class AccessConfig(Section):
    """`llm-platform:access` — who may reach the inference namespace, by IAM role (the Kubernetes API) and by
    namespace (the network). Platform admins are `cluster.adminRoleArns`."""

    app_team_role_arns: RoleArns = Field(
        default_factory=list,
        description="IAM roles of app teams: EKS access entries with edit rights in the inference namespace only.",
    )
    read_only_role_arns: RoleArns = Field(
        default_factory=list,
        description="IAM roles with cluster-wide view rights, e.g. the CI preview role: pulumi-kubernetes falls "
        "back to a client-side diff when a server-side dry run is forbidden.",
    )
    client_namespaces: Annotated[list[DnsLabel], AfterValidator(_unique)] = Field(
        default_factory=list,
        description="Namespaces whose pods may call the model servers; every other source is denied.",
    )
    network_policies: bool = Field(
        True,
        description="Default-deny ingress in the inference namespace, plus the allows above, monitoring and the "
        "KEDA HTTP interceptor. Turns on the VPC CNI's NetworkPolicy enforcement.",
    )


# Flags the platform sets itself; `extraArgs` may not override them.
MANAGED_VLLM_FLAGS = frozenset(
    {
        "--served-model-name",
        "--tensor-parallel-size",
        "--max-model-len",
        "--gpu-memory-utilization",
        "--max-num-seqs",
        "--dtype",
        "--quantization",
        "--kv-cache-dtype",
        "--enable-prefix-caching",
        "--no-enable-prefix-caching",
        "--port",
        "--host",
        "--model",
        "--download-dir",
        "--revision",
    }
)
HF_SOURCE = r"^hf://[A-Za-z0-9][\w.-]*/[\w.-]+$"
S3_SOURCE = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[\w./-]*)?$"


class ModelConfig(Section):
    """One entry of `llm-platform:models` — one served model."""

    name: DnsLabel = Field(
        max_length=40, description="--served-model-name and the metrics' model_name label."
    )
    source: str = Field(
        pattern=f"({HF_SOURCE})|({S3_SOURCE})", description="hf://org/model or s3://bucket/prefix"
    )
    revision: str | None = Field(
        None, pattern=r"^[0-9a-f]{40}$", description="hf:// only: the commit to serve (a branch name drifts)."
    )
    architecture: str | ArchitectureConfig | None = Field(
        None,
        description="A catalog name (see `make size`), or the shape itself; default: the catalog entry of an hf:// source.",
    )
    image: str | None = Field(
        None,
        pattern=r"^[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$",
        description="Override the pinned vLLM image.",
    )
    placement: PlacementConfig
    tensor_parallel_size: Literal[1, 2, 4, 8, "auto"] = "auto"
    max_model_len: int = Field(ge=256, le=1_048_576)
    gpu_memory_utilization: float = Field(
        0.9,
        ge=0.1,
        le=0.95,
        description="Share of each GPU vLLM takes; on a time-sliced pool, at most 0.95 / slices.",
    )
    max_num_seqs: int = Field(64, ge=1, le=1024)
    dtype: Literal["auto", "bfloat16", "float16"] = "auto"
    quantization: Literal["none", "fp8", "awq", "gptq"] = Field(
        "none", description="fp8 quantizes at load; awq/gptq need a checkpoint published in that format."
    )
    kv_cache_dtype: Literal["auto", "fp8"] = "auto"
    prefix_caching: bool = True
    min_concurrency: float = Field(
        2,
        ge=1,
        le=1024,
        description="Full-length sequences the KV cache must hold at once for the model to 'fit'.",
    )
    extra_args: list[str] = Field(default_factory=list, description="More vLLM flags; may not override ours.")
    replicas: ReplicasConfig = Field(default_factory=ReplicasConfig)
    autoscaling: AutoscalingConfig = Field(default_factory=AutoscalingConfig)

    @field_validator("autoscaling")
    @classmethod
    def _zero_only_when_allowed(cls, v: AutoscalingConfig, info: ValidationInfo) -> AutoscalingConfig:
        replicas = info.data.get("replicas")
        if replicas is not None and replicas.min == 0 and not v.scale_to_zero:
            raise ValueError(
                "replicas.min is 0 but scaleToZero is false: keep min >= 1, or allow scale to zero"
            )
        return v

    @field_validator("revision")
    @classmethod
    def _revision_for_hf(cls, v: str | None, info: ValidationInfo) -> str | None:
        source = info.data.get("source", "")
        if source.startswith("hf://") and v is None:
            raise ValueError("required for hf:// sources: the 40-character commit sha to serve")
        if source.startswith("s3://") and v is not None:
            raise ValueError("only for hf:// sources (an s3:// prefix is already one immutable copy)")
        return v

    @field_validator("image")
    @classmethod
    def _pinned(cls, v: str | None) -> str | None:
        if v is not None and v.endswith(":latest"):
            raise ValueError("':latest' is not a pin: use a version tag or a digest")
        return v

    @field_validator("extra_args")
    @classmethod
    def _no_overrides(cls, v: list[str]) -> list[str]:
        clash = sorted({a.split("=", 1)[0] for a in v} & MANAGED_VLLM_FLAGS)
        if clash:
            raise ValueError(f"{', '.join(clash)} set by the platform from the model's own keys")
        return v


class PlatformConfig(Section):
    """The whole validated stack config. Keys are the stack file's `llm-platform:` keys."""

    region: str
    network: NetworkConfig
    cluster: ClusterConfig
    node_ami: NodeAmiConfig
    gpu_node_groups: list[GpuNodeGroupConfig]
    model_cache: ModelCacheConfig
    addons: AddonsConfig
    models: list[ModelConfig] = Field(default_factory=list)
    serving: ServingConfig = Field(default_factory=ServingConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    access: AccessConfig = Field(default_factory=AccessConfig)
    # `llm-platform:huggingFaceToken`, set with `pulumi config set --secret`; required by gated models.
    hugging_face_token: SecretStr | None = None
    # `llm-platform:grafanaAdminPassword`, set with `pulumi config set --secret`. When absent a random password
    # is generated. Never printed: pydantic's SecretStr hides it from reprs and error messages.
    grafana_admin_password: SecretStr | None = None
