"""Names, headers and ports the front door's parts must agree on: the gateway objects, the NetworkPolicies,
the scrape config, the dashboards and alerts, and the stack outputs."""

from __future__ import annotations

from types import MappingProxyType

# The Gateway, its EnvoyProxy and GatewayConfig, and (through EnvoyProxy's envoyService.name and
# envoyDeployment.name) the proxies' Service and Deployment: fixed names, so clients, the NetworkPolicies, the
# load balancer and the alerts can name them. The proxies run in Envoy Gateway's own namespace (its default
# `deploy.type: ControllerNamespace`), and every gateway object lives there beside them.
GATEWAY_NAME = "llm-gateway"
GATEWAY_CLASS = "llm-platform"
# Envoy Gateway's controller name (the chart's config.envoyGateway.gateway.controllerName default).
GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller"

# Labels Envoy Gateway v1.8.3 puts on every proxy pod (internal/gatewayapi/translator.go OwningGateway*Label,
# internal/infrastructure/kubernetes/proxy resource labels).
PROXY_LABELS = MappingProxyType(
    {
        "app.kubernetes.io/name": "envoy",
        "app.kubernetes.io/component": "proxy",
        "gateway.envoyproxy.io/owning-gateway-name": GATEWAY_NAME,
    }
)
# The rate-limit service Envoy Gateway deploys once config.envoyGateway.rateLimit is set
# (internal/infrastructure/kubernetes/ratelimit: its pods' app.kubernetes.io/name).
RATELIMIT_LABELS = MappingProxyType({"app.kubernetes.io/name": "envoy-ratelimit"})

# Envoy binds a listener below 1024 at port + 10000 inside the pod (internal/gatewayapi/listener.go,
# wellKnownPortShift): NetworkPolicies select pod ports, so they use the shifted one.
PRIVILEGED_PORT_SHIFT = 10000
PROXY_METRICS_PORT = 19001  # container port `metrics`, path /stats/prometheus
PROXY_READY_PORT = 19003  # container port `readiness`, path /ready
EXTPROC_METRICS_PORT = 1064  # the AI Gateway sidecar's `aigw-admin` port, path /metrics
RATELIMIT_METRICS_PORT = 19001

# The API key arrives as OpenAI clients send it: `Authorization: Bearer <key>` (Envoy's api_key_auth strips the
# `Bearer ` prefix). Once it matches, Envoy sets CLIENT_HEADER to the key's client id, `<tenant>.<key name>`,
# replacing any value the caller sent; authorization, rate limits and metrics key on that header.
API_KEY_HEADER = "Authorization"
CLIENT_HEADER = "x-llm-platform-client"
# The AI Gateway sets this from the request body's `model`, overwriting what a client sent.
MODEL_HEADER = "x-ai-eg-model"
# The metric label the ext_proc gives CLIENT_HEADER (controller.metricsRequestHeaderAttributes).
CLIENT_METRIC_LABEL = "llm_platform_client"
# Where the AI Gateway writes each response's token count (its dynamic-metadata namespace) and our key there.
TOKEN_METADATA_NAMESPACE = "io.envoy.ai_gateway"
TOTAL_TOKENS_KEY = "llm_total_token"

# Valkey, the rate-limit counters' store, beside the rate-limit service.
VALKEY_NAME = "gateway-ratelimit-valkey"
VALKEY_LABELS = MappingProxyType(
    {"app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": VALKEY_NAME}
)
VALKEY_PORT = 6379


# An AIGatewayRoute holds at most 15 rules, one per model: the AI Gateway keeps the 16th of the HTTPRoute it
# generates for its catch-all (api/v1beta1/ai_gateway_route.go, v1.1.0).
RULES_PER_ROUTE = 15


def ai_route_names(models: int) -> list[str]:
    """The AIGatewayRoutes for `models` routed models, and the HTTPRoutes the AI Gateway generates under the
    same names."""
    count = -(-models // RULES_PER_ROUTE)
    return [GATEWAY_NAME if i == 0 else f"{GATEWAY_NAME}-{i + 1}" for i in range(count)]


def client_id(tenant: str, key: str) -> str:
    """One API key's client id: a Secret data key (`[-._a-zA-Z0-9]+`) that names its tenant first."""
    return f"{tenant}.{key}"


def key_secret_name(tenant: str, key: str) -> str:
    """The Secret holding one API key. One key per Secret: Envoy Gateway takes the first Secret's value for a
    client id that several carry, and fails the whole policy when two client ids share a key."""
    return f"gateway-key-{tenant}-{key}"
