"""Running the platform: `serving` guardrails, `alerts` thresholds and `access` boundaries."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from catalog.kubernetes import DEFAULT_NAMESPACE, KUBERNETES_NAMESPACES
from config.schema.base import DnsLabel, RoleArns, Section, on_ttft_bucket_edge, unique
from vocabulary.addons import ADDON_RELEASES

# Namespaces no client may be: Kubernetes' own (the API server creates them; `default` excepted, where apps
# without a namespace of their own run) and the add-ons' (their pods are the platform's, not callers). The
# inference namespace itself is the rule client-namespaces-are-callers'.
RESERVED_NAMESPACES = (KUBERNETES_NAMESPACES - {DEFAULT_NAMESPACE}) | {
    r.namespace for r in ADDON_RELEASES.values()
}


def _not_reserved(namespace: str) -> str:
    if namespace in RESERVED_NAMESPACES:
        raise ValueError(
            f"{namespace!r} is Kubernetes' or the platform's own namespace, not a client's (reserved: "
            f"{', '.join(sorted(RESERVED_NAMESPACES))}): name the namespaces of the apps that call the models"
        )
    return namespace


class AlertsConfig(Section):
    """`llm-platform:alerts` — thresholds of the shipped alert rules (docs/runbooks.md explains each; each
    alert links its section there, in the repository of `llm-platform:repository.url`)."""

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
    gpu_temperature_celsius: int = Field(
        85, ge=60, le=110, description="GPU temperature held for 5 minutes (throttling starts near 90 °C)."
    )
    pending_gpu_pod_minutes: int = Field(
        15, ge=1, le=240, description="A GPU pod pending with no node this long."
    )
    spot_interruptions_per_hour: int = Field(
        5, ge=1, le=1000, description="Spot interruption notices Karpenter receives in one hour."
    )
    output_length_drift: float = Field(
        0.2, gt=0, le=5, description="Median generated tokens this far (fraction) from its 7-day baseline."
    )
    gateway_5xx_ratio: float = Field(
        0.05, gt=0, le=1, description="Share of the gateway's answers that are 5xx, for 5 minutes."
    )
    gateway_429_ratio: float = Field(
        0.25,
        gt=0,
        le=1,
        description="Share of the gateway's requests refused by a rate limit, for 10 minutes.",
    )
    tenant_token_quota: float = Field(
        0.8,
        gt=0,
        le=1,
        description="A tenant's tokens per minute at this share of its limit, for 10 minutes.",
    )

    @field_validator("ttft_p95_seconds")
    @classmethod
    def _on_bucket_edge(cls, v: float) -> float:
        return on_ttft_bucket_edge(v)  # type: ignore[return-value]


class ServingConfig(Section):
    """`llm-platform:serving` — guardrails of the inference namespace."""

    gpu_quota: int | None = Field(
        None,
        ge=1,
        le=4096,
        description="ResourceQuota on nvidia.com/gpu requests in the inference namespace; default: every GPU "
        "the pools can hold (node group maxima x GPUs per node, plus NodePool limits).",
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
    client_namespaces: Annotated[
        list[Annotated[DnsLabel, AfterValidator(_not_reserved)]], AfterValidator(unique)
    ] = Field(
        default_factory=list,
        examples=["search"],
        description="Namespaces whose pods may call the model servers; every other source is denied.",
    )
    network_policies: bool = Field(
        True,
        description="Default-deny ingress in the inference namespace, plus the allows above, monitoring and the "
        "KEDA HTTP interceptor. Turns on the VPC CNI's NetworkPolicy enforcement.",
    )
