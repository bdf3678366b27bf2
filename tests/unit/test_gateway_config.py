"""The gateway's config: what the schema and the rules refuse, in the stack file's words; the Envoy Gateway
configuration we hand its chart, against the fields of its API; the Kubernetes minors the gateway supports."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.gateway import GATEWAY_RELEASE
from catalog.kubernetes import SUPPORTED_KUBERNETES_VERSIONS
from config.rules.gateway import gateway_supports_the_cluster
from config.rules.registry import Sections
from config.schema.gateway import GatewayConfig, LoadBalancerConfig
from config.schema.infrastructure import ClusterConfig
from fleet.load import load_fleet
from helm_values.gateway import envoy_gateway_config
from tests.unit.stack_config import K, edit, flat, issues

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def lb(change: dict[str, Any]):
    return edit(f"{K}:gateway", lambda v: v["loadBalancer"].update(change), "prod")


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"scheme": "internet-facing", "certificateArn": None}, "loadBalancer.certificateArn", "needs TLS"),
        ({"scheme": "internet-facing", "sourceCidrs": []}, "loadBalancer.sourceCidrs", "CIDRs its clients"),
        ({"scheme": "internet-facing", "sourceCidrs": ["0.0.0.0/0"]}, "loadBalancer.sourceCidrs[0]", "whole internet"),
        ({"certificateArn": "arn:aws:iam::123456789012:server-certificate/x"}, "loadBalancer.certificateArn", "ACM"),
        ({"type": "elb"}, "loadBalancer.type", "nlb"),
    ],
)  # fmt: skip
def test_a_public_load_balancer_needs_tls_and_named_sources(change, key, words):
    found = issues(lb(change))
    assert words in found[f"{K}:gateway.{key}"], found


def test_an_internet_facing_nlb_with_tls_and_sources_is_accepted():
    cfg = LoadBalancerConfig.model_validate(
        {"scheme": "internet-facing", "certificateArn": CERT, "sourceCidrs": ["203.0.113.0/24"]}
    )
    assert cfg.scheme == "internet-facing"


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda v: v["tenants"].append(dict(v["tenants"][0])), "tenants[2].name", "already the name"),
        (lambda v: v.update(tenants=[]), "tenants", "no tenant"),
        (lambda v: v["tenants"][0].update(generatedKeys=["-bad"]), "tenants[0].generatedKeys[0]", "2026-12"),
        (lambda v: v["tenants"][0].update(tokensPerMinute=0), "tenants[0].tokensPerMinute", "1"),
        (lambda v: v["tenants"][0].update(models=[]), "tenants[0].models", "at least 1"),
        (lambda v: v.update(proxyReplicas=0), "proxyReplicas", "1"),
    ],
)
def test_tenants_are_named_once_and_hold_their_limits(change, key, words):
    found = issues(edit(f"{K}:gateway", change, "prod"))
    assert words in found[f"{K}:gateway.{key}"], found


def test_a_short_held_key_is_refused_and_never_shown():
    c = flat("prod")
    c[f"{K}:gatewayApiKeys"] = '{"search": {"laptop": "tooshort-secret"}}'
    from config.loader import check_config

    found = {i.key: i.message for i in check_config(c, [f"{K}:gatewayApiKeys"]).issues}
    message = found[f"{K}:gatewayApiKeys.search.laptop"]
    assert "at least 32" in message and "tooshort" not in message


def test_the_fleet_gives_a_tenant_without_a_model_list_every_served_model():
    c = edit(f"{K}:gateway", lambda v: v["tenants"][1].pop("models"), "prod")
    g = load_fleet(c, "x").gateway
    assert g.tenant("chat").models == ("qwen3-8b", "qwen3-32b")
    assert {r.model for r in g.routes} == {"qwen3-8b", "qwen3-32b"}


def test_every_pinned_kubernetes_minor_is_one_the_gateway_supports_and_others_are_refused():
    assert all(GATEWAY_RELEASE.supports(v) for v in SUPPORTED_KUBERNETES_VERSIONS)
    on = GatewayConfig.model_validate({"enabled": True, "tenants": [
        {"name": "a", "requestsPerMinute": 1, "tokensPerMinute": 1, "generatedKeys": ["k"]}]})  # fmt: skip
    for version, refused in (("1.31", True), ("1.36", True), ("1.35", False)):
        cluster = ClusterConfig.model_construct(kubernetes_version=version)
        found = list(gateway_supports_the_cluster(Sections({"gateway": on, "cluster": cluster})))
        assert bool(found) is refused and all(i.key == f"{K}:cluster.kubernetesVersion" for i in found)


# The fields of Envoy Gateway v1.8.3's EnvoyGateway configuration we may set (api/v1alpha1/envoygateway_types.go:
# EnvoyGatewaySpec, ExtensionAPISettings, EnvoyGatewayKubernetesProvider, RateLimitRedisSettings).
ENVOY_GATEWAY_FIELDS = {
    "": {"gateway", "provider", "logging", "admin", "telemetry", "xdsServer", "rateLimit", "extensionManager",
         "extensionManagers", "extensionApis", "gatewayAPI", "runtimeFlags", "envoyProxy"},
    "extensionApis": {"enableEnvoyPatchPolicy", "enableBackend", "disableLua", "enableSDSSecretRef"},
    "provider.kubernetes": {"rateLimitDeployment", "rateLimitHpa", "rateLimitPDB", "watch", "deploy",
                            "leaderElection", "shutdownManager", "client", "proxyTopologyInjector", "cacheSyncPeriod"},
    "rateLimit.backend.redis": {"url", "tls"},
}  # fmt: skip


def test_the_envoy_gateway_configuration_uses_only_fields_of_its_api(plans):
    config = envoy_gateway_config(plans["prod"].fleet.gateway)
    for path, fields in ENVOY_GATEWAY_FIELDS.items():
        node = config
        for part in filter(None, path.split(".")):
            node = node[part]
        assert set(node) <= fields, path
    assert (
        config["extensionApis"]["enableBackend"] is True
    )  # the AI Gateway's backends are Envoy Gateway Backends
    assert config["rateLimit"]["backend"]["redis"]["url"].endswith(":6379")
