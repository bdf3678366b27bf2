"""The objects the gateway's composition (stacks/gateway.py) creates, as claims for config/rules/names.py: the
fixed ones, and those named by a model, a tenant or a key (tests/stack/test_collisions.py holds this list to
what a render registers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from config.rules.registry import K, Sections
from vocabulary import names
from vocabulary.addons import ADDON_RELEASES
from vocabulary.gateway import GATEWAY_CLASS, GATEWAY_NAME, VALKEY_NAME, ai_route_names, key_secret_name

KEY = f"{K}:gateway.enabled"
# (kind, name) of the gateway's fixed objects in its namespace.
FIXED = (
    ("EnvoyProxy", GATEWAY_NAME), ("GatewayConfig", GATEWAY_NAME), ("ClientTrafficPolicy", GATEWAY_NAME),
    ("Gateway", GATEWAY_NAME), ("HTTPRoute", f"{GATEWAY_NAME}-models"), ("HTTPRouteFilter", f"{GATEWAY_NAME}-models"),
    ("EnvoyExtensionPolicy", f"{GATEWAY_NAME}-models"), ("SecurityPolicy", f"{GATEWAY_NAME}-models"),
    ("BackendTrafficPolicy", GATEWAY_NAME),
    ("Deployment", VALKEY_NAME), ("Service", VALKEY_NAME), ("PodDisruptionBudget", VALKEY_NAME),
)  # fmt: skip
POLICIES = ("gateway-proxies", "gateway-ratelimit", VALKEY_NAME)


def gateway_claims(s: Sections, claim: Any, helm_release: str) -> Iterator[Any]:
    """`claim` builds a config/rules/names.py Claim (kind, namespace, name, what, key=None, value=None);
    `helm_release` is the kind it counts Helm releases as."""
    g = s.gateway
    if not g.enabled:
        return
    ns = ADDON_RELEASES["envoy-gateway"].namespace
    yield from _releases(s, claim, helm_release)
    yield claim("GatewayClass", None, GATEWAY_CLASS, "the gateway's GatewayClass", KEY)
    for kind, name in FIXED:
        yield claim(kind, ns, name, f"the gateway's {kind}", KEY)
    yield from _monitoring(s, claim, ns)
    yield from _by_config(s, claim, ns)


def _releases(s: Sections, claim: Any, helm_release: str) -> Iterator[Any]:
    keys = ["envoy-gateway", "ai-gateway-crds", "ai-gateway"]
    keys += ["load-balancer-controller"] if s.gateway.load_balancer else []
    for namespace in sorted({ADDON_RELEASES[k].namespace for k in keys[:3]}):
        yield claim("Namespace", None, namespace, "a namespace of the gateway", KEY)
    for k in keys:
        r = ADDON_RELEASES[k]
        yield claim(helm_release, r.namespace, r.name, f"the gateway's {k} Helm release", KEY)


def _monitoring(s: Sections, claim: Any, ns: str) -> Iterator[Any]:
    if s.access.network_policies:
        for name in POLICIES:
            yield claim("NetworkPolicy", ns, name, "a NetworkPolicy of the gateway", KEY)
        if s.addons.keda_http.enabled:
            keda = ADDON_RELEASES["keda-http"].namespace
            yield claim(
                "NetworkPolicy", keda, "interceptor-from-gateway", "the interceptor's NetworkPolicy", KEY
            )
    m = s.addons.monitoring
    if m.operator_crds:
        yield claim("PodMonitor", ns, GATEWAY_NAME, "the gateway's PodMonitor", KEY)
    if m.dashboards_namespace:
        cm = names.dashboard_configmap(names.GATEWAY_DASHBOARD_UID)
        yield claim("ConfigMap", m.dashboards_namespace, cm, "the gateway dashboard", KEY)
    lb = s.gateway.load_balancer
    if lb is not None and lb.type == "alb":
        yield claim("Ingress", ns, GATEWAY_NAME, "the gateway's ALB Ingress", KEY)


def _by_config(s: Sections, claim: Any, ns: str) -> Iterator[Any]:
    """Per routed model a Backend and an AIServiceBackend; the AIGatewayRoutes; one Secret per key."""
    tenants_key = f"{K}:gateway.tenants"
    served = [m.name for m in s.models]
    called = {m for t in s.gateway.tenants for m in (t.models if t.models is not None else served)}
    routed = [m for m in served if m in called]
    for i, model in enumerate(m.name for m in s.models):
        if model in called:
            for kind in ("Backend", "AIServiceBackend"):
                yield claim(
                    kind,
                    ns,
                    model,
                    f"the gateway's {kind} of model {model!r}",
                    f"{K}:models[{i}].name",
                    model,
                )
    if routed:  # the model routes' SecurityPolicy (none before the first model)
        yield claim("SecurityPolicy", ns, GATEWAY_NAME, "the model routes' SecurityPolicy", KEY)
    for name in ai_route_names(len(routed)):
        yield claim("AIGatewayRoute", ns, name, "an AIGatewayRoute of the gateway", KEY)
    held = getattr(s, "gateway_api_keys", {}) or {}
    for i, t in enumerate(s.gateway.tenants):
        for key in (*held.get(t.name, {}), *t.generated_keys):
            name = key_secret_name(t.name, key)
            yield claim("Secret", ns, name, f"the Secret of key {key!r} of tenant {t.name!r}",
                        f"{tenants_key}[{i}].name", f"{t.name}/{key}")  # fmt: skip
