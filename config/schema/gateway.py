"""`llm-platform:gateway` — the front door: one OpenAI-compatible endpoint, its tenants and their limits, and
how it is exposed; and `llm-platform:gatewayApiKeys`, the tenants' API keys that the stack file holds."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, SecretStr, model_validator

from config.schema.base import Ipv4Net, ModelName, Section, at_key, dns_label, pattern, unique

# A tenant's name and a key's name make the key's client id, `<tenant>.<key>` (vocabulary/gateway.py), a
# Secret data key, and the Secret's name `gateway-key-<tenant>-<key>`.
TenantName = dns_label(30)
# A key's name may start with a digit (RFC 1123 label), so a date names it: 2026-12.
KEY_NAME = pattern(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    "lower-case letters, digits and '-', not starting or ending with '-'",
    "2026-12",
)
KeyName = Annotated[str, Field(pattern=KEY_NAME, max_length=30)]

# An ACM certificate in any partition (ACM API reference: arn:<partition>:acm:<region>:<account>:certificate/<id>).
ACM_CERTIFICATE_ARN = pattern(
    r"^arn:aws(-[a-z]+)*:acm:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:certificate/[0-9a-f-]{36}$",
    "an ACM certificate ARN",
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
)

# A key a stack file holds: long enough not to be guessed, and only characters an `Authorization: Bearer`
# header carries unquoted (RFC 6750 b64token).
API_KEY_MIN_LENGTH = 32
_API_KEY = re.compile(r"[A-Za-z0-9._~+/=-]+", re.ASCII)


def _strong_key(key: SecretStr) -> SecretStr:
    """Never shows the key: the message says what is wrong with it, not what it is."""
    text = key.get_secret_value()
    if len(text) < API_KEY_MIN_LENGTH:
        raise ValueError(
            f"an API key must be at least {API_KEY_MIN_LENGTH} characters (this one has {len(text)})"
        )
    if not _API_KEY.fullmatch(text):
        raise ValueError(
            "an API key may hold letters, digits and . _ ~ + / = - only (what a Bearer token carries unquoted)"
        )
    return key


ApiKey = Annotated[SecretStr, AfterValidator(_strong_key)]
# Tenant -> key name -> key. Set with `pulumi config set --secret --path 'llm-platform:gatewayApiKeys.<tenant>.<key>'`.
ApiKeys = dict[TenantName, dict[KeyName, ApiKey]]


class TenantConfig(Section):
    """One entry of `llm-platform:gateway.tenants`: a team calling the gateway, what it may call and how much."""

    name: TenantName = Field(description="The tenant's name: its keys' client ids and its metrics carry it.")
    models: Annotated[list[ModelName], AfterValidator(unique)] | None = Field(
        None,
        min_length=1,
        description="Served names (`llm-platform:models[].name`) this tenant may call; any other model is 403. "
        "Absent: every served model, the ones added later included.",
    )
    requests_per_minute: int = Field(
        ge=1, le=1_000_000, description="Requests per minute across all its keys; over it, 429."
    )
    tokens_per_minute: int = Field(
        ge=1,
        le=1_000_000_000,
        description="Input plus output tokens per minute, as the gateway counts them from each response's usage; "
        "a request is refused (429) once the minute's tokens are spent, and a running one is never cut off.",
    )
    generated_keys: Annotated[list[KeyName], AfterValidator(unique)] = Field(
        default_factory=list,
        examples=["2026-12"],
        description="Names of API keys the program generates; exported only as the secret output "
        "`gatewayApiKeys`. Rotate: add a name, move clients to its key, remove the old name.",
    )


class LoadBalancerConfig(Section):
    """`llm-platform:gateway.loadBalancer` — an AWS load balancer in front of the gateway, made by the AWS Load
    Balancer Controller."""

    type: Literal["nlb", "alb"] = Field("nlb", description="nlb (layer 4, TLS at the NLB) | alb (layer 7).")
    scheme: Literal["internal", "internet-facing"] = Field(
        "internal", description="internal (the VPC and what routes to it) | internet-facing."
    )
    certificate_arn: Annotated[str, Field(pattern=ACM_CERTIFICATE_ARN)] | None = Field(
        None, description="ACM certificate for TLS at the load balancer; required when internet-facing."
    )
    source_cidrs: Annotated[list[Ipv4Net], AfterValidator(unique)] = Field(
        default_factory=list,
        examples=["203.0.113.0/24"],
        description="Only these sources reach the load balancer; required when internet-facing, and never "
        "0.0.0.0/0 there. Internal and empty: the VPC.",
    )

    @model_validator(mode="after")
    def _public_needs_tls_and_sources(self) -> LoadBalancerConfig:
        if self.scheme != "internet-facing":
            return self
        if self.certificate_arn is None:
            raise at_key(
                "certificateArn",
                "an internet-facing load balancer needs TLS: set the ARN of an ACM certificate for its name",
            )
        if not self.source_cidrs:
            raise at_key(
                "sourceCidrs",
                "an internet-facing load balancer needs the CIDRs its clients call from (API keys alone are "
                "one leaked key away from the whole internet)",
            )
        for i, cidr in enumerate(self.source_cidrs):
            if cidr.prefixlen == 0:
                raise at_key(
                    f"sourceCidrs[{i}]", f"{cidr} admits the whole internet: name your clients' CIDRs"
                )
        return self


class GatewayConfig(Section):
    """`llm-platform:gateway` — one OpenAI-compatible endpoint in front of every model (Envoy AI Gateway on
    Envoy Gateway): API keys per tenant, the models each tenant may call, request and token limits."""

    enabled: bool = Field(False, description="Install the gateway; off, clients call each model's Service.")
    tenants: list[TenantConfig] = Field(
        default_factory=list, max_length=100, description="Who may call the gateway, and how much."
    )
    proxy_replicas: int = Field(
        2,
        ge=1,
        le=20,
        description="Envoy proxy pods, on the system nodes; 2 or more keep it up through a drain.",
    )
    load_balancer: LoadBalancerConfig | None = Field(
        None, description="Absent: internal only, a ClusterIP Service the client namespaces may reach."
    )

    @model_validator(mode="after")
    def _tenants_named_once(self) -> GatewayConfig:
        names = [t.name for t in self.tenants]
        for i, name in enumerate(names):
            if names.index(name) != i:
                raise at_key(
                    f"tenants[{i}].name", f"{name!r} is already the name of tenants[{names.index(name)}]"
                )
        if self.enabled and not self.tenants:
            raise at_key("tenants", "the gateway is enabled but has no tenant: no key could call it")
        return self
