"""The whole validated stack config, and the table of every key a stack file may hold."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import Field, SecretStr

from config.schema.addons import AddonsConfig
from config.schema.base import Section
from config.schema.delivery import DeliveryConfig, RepositoryConfig
from config.schema.gateway import ApiKeys, GatewayConfig
from config.schema.infrastructure import (
    ClusterConfig,
    GpuNodeGroupConfig,
    ModelCacheConfig,
    NetworkConfig,
    NodeAmiConfig,
)
from config.schema.models import ModelConfig
from config.schema.operations import AccessConfig, AlertsConfig, ServingConfig

NAMESPACE = "llm-platform"
REGION_KEY = "aws:region"
GRAFANA_PASSWORD_KEY = f"{NAMESPACE}:grafanaAdminPassword"
HF_TOKEN_KEY = f"{NAMESPACE}:huggingFaceToken"
SECRET_KEYS = (GRAFANA_PASSWORD_KEY, HF_TOKEN_KEY)
# A map whose every value is secret: it must be encrypted (as SECRET_KEYS), but it is a map, not one text.
GATEWAY_KEYS_KEY = f"{NAMESPACE}:gatewayApiKeys"
SECRET_MAPS = (GATEWAY_KEYS_KEY,)


class PlatformConfig(Section):
    """The whole validated stack config. Keys are the stack file's `llm-platform:` keys (and `aws:region`)."""

    region: str = Field(description="`aws:region`: the AWS region to deploy to, e.g. us-west-2.")
    network: NetworkConfig = Field(description="The VPC.")
    cluster: ClusterConfig = Field(description="The EKS control plane and its system node group.")
    node_ami: NodeAmiConfig = Field(description="The one pinned AMI release of every node.")
    gpu_node_groups: list[GpuNodeGroupConfig] = Field(description="EKS managed node groups of GPU nodes.")
    model_cache: ModelCacheConfig = Field(
        description="The shared EFS model cache and the inference namespace."
    )
    addons: AddonsConfig = Field(description="The in-cluster add-ons.")
    models: list[ModelConfig] = Field(default_factory=list, description="The served models.")
    serving: ServingConfig = Field(
        default_factory=ServingConfig, description="Guardrails of the inference namespace."
    )
    alerts: AlertsConfig = Field(default_factory=AlertsConfig, description="Alert thresholds.")
    access: AccessConfig = Field(default_factory=AccessConfig, description="Who may reach the models.")
    gateway: GatewayConfig = Field(
        default_factory=GatewayConfig, description="The front door: one endpoint, tenants, keys, limits."
    )
    repository: RepositoryConfig = Field(description="The repository the stack is delivered from.")
    delivery: DeliveryConfig = Field(
        default_factory=DeliveryConfig, description="How CI deploys the stack: its turn, its environment."
    )
    # Never printed (SecretStr); the tenants' and keys' names are not secret, the keys are.
    gateway_api_keys: ApiKeys = Field(
        default_factory=dict,
        description="API keys the stack file holds, by tenant and key name; set each with `pulumi config set "
        "--secret --path 'llm-platform:gatewayApiKeys.<tenant>.<key>' <key>` (a plain value is refused).",
    )
    # Never printed: pydantic's SecretStr hides both from reprs and error messages.
    hugging_face_token: SecretStr | None = Field(
        None,
        description="Token for gated Hugging Face models; set with `pulumi config set --secret` (a plain value "
        "is refused).",
    )
    grafana_admin_password: SecretStr | None = Field(
        None,
        description="Grafana's admin password; set with `pulumi config set --secret` (a plain value is "
        "refused). Absent: a random one is generated and kept in Pulumi's encrypted state.",
    )


REQUIRED = None  # a section without a default must be in the stack file

# Stack-file key -> (PlatformConfig field, schema, default when absent). The one table of what a stack file may
# contain; an optional section's default is its schema's own (safe) defaults.
SECTIONS: Mapping[str, tuple[str, Any, Callable[[], Any] | None]] = types.MappingProxyType(
    {
        f"{NAMESPACE}:network": ("network", NetworkConfig, REQUIRED),
        f"{NAMESPACE}:cluster": ("cluster", ClusterConfig, REQUIRED),
        f"{NAMESPACE}:nodeAmi": ("node_ami", NodeAmiConfig, REQUIRED),
        f"{NAMESPACE}:gpuNodeGroups": ("gpu_node_groups", list[GpuNodeGroupConfig], REQUIRED),
        f"{NAMESPACE}:modelCache": ("model_cache", ModelCacheConfig, ModelCacheConfig),
        f"{NAMESPACE}:addons": ("addons", AddonsConfig, AddonsConfig),
        GRAFANA_PASSWORD_KEY: ("grafana_admin_password", SecretStr, lambda: None),
        f"{NAMESPACE}:models": ("models", list[ModelConfig], list),
        f"{NAMESPACE}:serving": ("serving", ServingConfig, ServingConfig),
        f"{NAMESPACE}:alerts": ("alerts", AlertsConfig, AlertsConfig),
        f"{NAMESPACE}:access": ("access", AccessConfig, AccessConfig),
        f"{NAMESPACE}:gateway": ("gateway", GatewayConfig, GatewayConfig),
        f"{NAMESPACE}:repository": ("repository", RepositoryConfig, REQUIRED),
        f"{NAMESPACE}:delivery": ("delivery", DeliveryConfig, DeliveryConfig),
        GATEWAY_KEYS_KEY: ("gateway_api_keys", ApiKeys, dict),
        HF_TOKEN_KEY: ("hugging_face_token", SecretStr, lambda: None),
    }
)
