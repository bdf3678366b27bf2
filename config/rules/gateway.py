"""Rules across the gateway's keys: the models tenants may call, the keys the stack file holds for them, and
what the pinned gateway release supports."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from catalog.gateway import GATEWAY_RELEASE
from config.issues import ConfigIssue
from config.rules.registry import K, Sections, rule
from config.schema.platform import GATEWAY_KEYS_KEY

TENANTS_KEY = f"{K}:gateway.tenants"


def _hint(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


@rule("gateway", "models")
def tenants_call_served_models(s: Sections) -> Iterator[ConfigIssue]:
    """A tenant's models are served names of `llm-platform:models`: the gateway routes nothing else."""
    served = [m.name for m in s.models]
    for i, tenant in enumerate(s.gateway.tenants):
        for j, model in enumerate(tenant.models or ()):
            if model not in served:
                yield ConfigIssue(
                    f"{TENANTS_KEY}[{i}].models[{j}]",
                    f"no served model is named {model!r}: {_hint(model, served)}"
                    f"the gateway routes {', '.join(served) or 'no model'} (llm-platform:models[].name)",
                )


@rule("gateway", "gateway_api_keys")
def api_keys_belong_to_tenants(s: Sections) -> Iterator[ConfigIssue]:
    """Every key the stack file holds belongs to a tenant, under a name the tenant does not also generate, and
    only while the gateway is on (nothing else reads them)."""
    if s.gateway_api_keys and not s.gateway.enabled:
        yield ConfigIssue(GATEWAY_KEYS_KEY, f"{K}:gateway.enabled is false: nothing reads these keys")
        return
    tenants = {t.name: t for t in s.gateway.tenants}
    for tenant, keys in s.gateway_api_keys.items():
        if tenant not in tenants:
            yield ConfigIssue(
                f"{GATEWAY_KEYS_KEY}.{tenant}",
                f"no tenant is named {tenant!r}: {_hint(tenant, list(tenants))}"
                f"tenants are {', '.join(tenants) or 'none'} ({TENANTS_KEY}[].name)",
            )
            continue
        i = list(tenants).index(tenant)
        for name in keys:
            if name in tenants[tenant].generated_keys:
                yield ConfigIssue(
                    f"{GATEWAY_KEYS_KEY}.{tenant}.{name}",
                    f"{TENANTS_KEY}[{i}].generatedKeys also names {name!r}: a key is held or generated, not both",
                )


@rule("gateway", "gateway_api_keys")
def every_tenant_has_a_key(s: Sections) -> Iterator[ConfigIssue]:
    """A tenant without a key could never call the gateway: it must generate one or hold one."""
    if not s.gateway.enabled:
        return
    for i, tenant in enumerate(s.gateway.tenants):
        if not tenant.generated_keys and not s.gateway_api_keys.get(tenant.name):
            yield ConfigIssue(
                f"{TENANTS_KEY}[{i}].generatedKeys",
                f"tenant {tenant.name!r} has no API key: name one here for the program to generate, or set one "
                f"with pulumi config set --secret --path '{GATEWAY_KEYS_KEY}.{tenant.name}.<key name>' <key>",
            )


@rule("gateway_api_keys")
def api_keys_distinct(s: Sections) -> Iterator[ConfigIssue]:
    """No two held keys are one key: Envoy Gateway refuses the whole policy on a duplicated key ("duplicated
    API key", internal/gatewayapi/securitypolicy.go), and every tenant would be locked out. Never shows it."""
    first: dict[str, str] = {}
    for tenant, keys in s.gateway_api_keys.items():
        for name, key in keys.items():
            where = f"{GATEWAY_KEYS_KEY}.{tenant}.{name}"
            text = key.get_secret_value()
            if text in first:
                yield ConfigIssue(where, f"is the same key as {first[text]}: each key must be its own")
            first.setdefault(text, where)


@rule("gateway", "cluster")
def gateway_supports_the_cluster(s: Sections) -> Iterator[ConfigIssue]:
    """The pinned Envoy Gateway and AI Gateway releases support this Kubernetes minor (catalog/gateway.py)."""
    version, r = s.cluster.kubernetes_version, GATEWAY_RELEASE
    if s.gateway.enabled and not r.supports(version):
        yield ConfigIssue(
            f"{K}:cluster.kubernetesVersion",
            f"{version} is outside {r.kubernetes_min} to {r.kubernetes_max}, what Envoy Gateway {r.envoy_gateway} "
            f"and Envoy AI Gateway {r.ai_gateway} support ({K}:gateway.enabled is true)",
        )
