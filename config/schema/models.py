"""`llm-platform:models` — one entry per served model."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from config.schema.base import TTFT_BUCKET_EDGES, DnsLabel, Section, at_least, on_ttft_bucket_edge, unique
from config.schema.rope import RopeScalingConfig
from config.schema.vllm_args import check_extra_args


class ArchitectureConfig(Section):
    """A model's shape, from its config.json, for models not in the catalog (catalog/models.py)."""

    params_b: float = Field(gt=0, le=2000, description="Total parameters in billions (all MoE experts).")
    layers: int = Field(ge=1, le=256, description="num_hidden_layers")
    hidden_size: int = Field(ge=64, le=65536, description="hidden_size")
    attention_heads: int = Field(ge=1, le=256, description="num_attention_heads")
    kv_heads: int = Field(ge=1, le=256, description="num_key_value_heads")
    head_dim: int = Field(ge=16, le=512, description="head_dim (hidden_size / num_attention_heads if absent)")
    native_dtype: Literal["bfloat16", "float16"] = Field(
        "bfloat16", description="torch_dtype: the precision the checkpoint is published in."
    )


class PlacementConfig(Section):
    """`models[].placement` — where a model's replicas may run."""

    pools: Annotated[list[DnsLabel], AfterValidator(unique)] = Field(
        min_length=1,
        description="GPU pools (managed node groups and/or Karpenter NodePools) the model may use.",
    )
    capacity_type: Literal["on-demand", "spot", "either"] = Field(
        "either", description="either: prefer spot, fall back to on-demand."
    )


class ReplicasConfig(Section):
    """`models[].replicas` — the bounds KEDA scales between."""

    min: int = Field(
        1, ge=0, le=100, description="Warm replicas kept at all times; 0 only with scale to zero."
    )
    max: int = Field(2, ge=1, le=100, description="Most replicas under load (each takes its GPUs).")

    @field_validator("max")
    @classmethod
    def _max_ge_min(cls, v: int, info: ValidationInfo) -> int:
        return at_least(v, info, "min")


class WarmWindowConfig(Section):
    """`models[].autoscaling.warmWindows[]` — a KEDA cron window keeping at least `replicas` warm."""

    timezone: str = Field(
        pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", description="IANA name, e.g. Europe/Berlin"
    )
    start: str = Field(pattern=r"^(\S+\s+){4}\S+$", description="cron, e.g. '0 8 * * 1-5'")
    end: str = Field(pattern=r"^(\S+\s+){4}\S+$", description="cron, e.g. '0 19 * * 1-5'")
    replicas: int = Field(ge=1, le=100, description="Replicas kept warm between start and end.")


class AutoscalingConfig(Section):
    """`models[].autoscaling` — KEDA triggers for one model. Queue depth always; TTFT and KV usage when set."""

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
    warm_windows: list[WarmWindowConfig] = Field(
        default_factory=list, description="Cron windows with a floor of warm replicas (e.g. office hours)."
    )
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
        return on_ttft_bucket_edge(v)


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
    placement: PlacementConfig = Field(description="Where the replicas may run (see below).")
    tensor_parallel_size: Literal[1, 2, 4, 8, "auto"] = Field(
        "auto",
        description="GPUs per replica; auto picks the smallest that fits minConcurrency sequences of maxModelLen.",
    )
    max_model_len: int = Field(
        ge=256, le=1_048_576, description="Longest sequence (prompt + output, tokens) a request may have."
    )
    gpu_memory_utilization: float = Field(
        0.9,
        ge=0.1,
        le=0.95,
        description="Share of each GPU vLLM takes; on a time-sliced pool, at most 0.95 / slices.",
    )
    max_num_seqs: int = Field(
        64, ge=1, le=1024, description="Most sequences one replica batches at once (vLLM --max-num-seqs)."
    )
    dtype: Literal["auto", "bfloat16", "float16"] = Field(
        "auto", description="Compute precision; auto uses the checkpoint's."
    )
    quantization: Literal["none", "fp8", "awq", "gptq"] = Field(
        "none", description="fp8 quantizes at load; awq/gptq need a checkpoint published in that format."
    )
    kv_cache_dtype: Literal["auto", "fp8"] = Field(
        "auto", description="KV cache precision; fp8 holds twice the tokens."
    )
    prefix_caching: bool = Field(True, description="Reuse the KV cache of shared prompt prefixes.")
    min_concurrency: float = Field(
        2,
        ge=1,
        le=1024,
        description="Full-length sequences the KV cache must hold at once for the model to 'fit'.",
    )
    rope_scaling: RopeScalingConfig | None = Field(
        None, description="Stretch the context past the model's own maximum (see below); off by default."
    )
    extra_args: list[str] = Field(default_factory=list, description="More vLLM flags; may not override ours.")
    replicas: ReplicasConfig = Field(
        default_factory=ReplicasConfig, description="Replica bounds (see below)."
    )
    autoscaling: AutoscalingConfig = Field(
        default_factory=AutoscalingConfig, description="Scaling triggers (see below)."
    )

    @property
    def catalog_key(self) -> str | None:
        """The model catalog entry this model names: `architecture` when it is a name, else an hf:// source
        (a custom shape, or an s3:// source without one, names none)."""
        if isinstance(self.architecture, str):
            return self.architecture
        if self.architecture is None and self.source.startswith("hf://"):
            return self.source
        return None

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
        return check_extra_args(v)
