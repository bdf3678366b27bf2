"""Who may call what, and how much: API keys and per-tenant model lists (SecurityPolicy), request and token
limits and the OpenAI-style errors (BackendTrafficPolicy).

Order inside each proxy (Envoy Gateway v1.8.3 internal/xds/translator/httpfilters.go, with the AI Gateway's
ext_proc placed before the first ext_proc, rbac or rate-limit filter): api_key_auth (401, sets the client id)
-> the AI Gateway's ext_proc (sets the model header from the body) -> rbac (403) -> the global rate limit (429).
"""

from __future__ import annotations

from typing import Any

from fleet.resolved import GatewayPlan, TenantPlan
from gateway.errors import ERRORS, RETRY_AFTER_S, error_body
from gateway.proxies import ENVOY_GATEWAY_API, custom, gateway_target, meta
from gateway.routes import MODELS_ROUTE, route_names
from vocabulary.gateway import (
    API_KEY_HEADER,
    CLIENT_HEADER,
    GATEWAY_NAME,
    MODEL_HEADER,
    TOKEN_METADATA_NAMESPACE,
    TOTAL_TOKENS_KEY,
    client_id,
    key_secret_name,
)


def key_secret_names(plan: GatewayPlan) -> list[str]:
    return [key_secret_name(t.name, k) for t in plan.tenants for k in t.key_names]


def _api_key_auth(plan: GatewayPlan) -> dict[str, Any]:
    return {
        "credentialRefs": [{"kind": "Secret", "name": n} for n in key_secret_names(plan)],
        "extractFrom": [{"headers": [API_KEY_HEADER]}],
        "forwardClientIDHeader": CLIENT_HEADER,
        "sanitize": True,  # the key never reaches a model server, nor its logs
    }


def _client_ids(t: TenantPlan) -> list[str]:
    return [client_id(t.name, k) for k in t.key_names]


def security_policies(plan: GatewayPlan) -> list[dict[str, Any]]:
    """Keys on every route. On the model routes (the HTTPRoutes the AI Gateway generates, named as its
    AIGatewayRoutes) a key's tenant may call its own models only; anything else is denied."""
    routes = [
        {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": n} for n in route_names(plan)
    ]
    allow = [
        {
            "name": t.name,
            "action": "Allow",
            "principal": {
                "headers": [
                    {"name": CLIENT_HEADER, "values": _client_ids(t)},
                    {"name": MODEL_HEADER, "values": list(t.models)},
                ]
            },
        }
        for t in plan.tenants
    ]
    models_target = {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": MODELS_ROUTE}
    keys = _policy(f"{GATEWAY_NAME}-models", plan, [models_target], {"apiKeyAuth": _api_key_auth(plan)})
    if not routes:  # no model yet (a platform before its first model): nothing else to guard
        return [keys]
    authz = {"apiKeyAuth": _api_key_auth(plan), "authorization": {"defaultAction": "Deny", "rules": allow}}
    return [keys, _policy(GATEWAY_NAME, plan, routes, authz)]


def _policy(
    name: str, plan: GatewayPlan, targets: list[dict[str, str]], spec: dict[str, Any]
) -> dict[str, Any]:
    return custom(
        ENVOY_GATEWAY_API, "SecurityPolicy", meta(name, plan.namespace), {"targetRefs": targets, **spec}
    )


def _tenant_selector(t: TenantPlan) -> list[dict[str, Any]]:
    """Every key of the tenant: one bucket for all of them (a Distinct match would give each key its own)."""
    alternatives = "|".join(_client_ids(t))  # DNS labels and a dot: nothing to escape but the dot
    return [{"headers": [{"name": CLIENT_HEADER, "type": "RegularExpression",
                          "value": f"^({alternatives.replace('.', '[.]')})$"}]}]  # fmt: skip


def rate_limit_rules(plan: GatewayPlan) -> list[dict[str, Any]]:
    """Per tenant: requests per minute, and tokens per minute charged from each answer's usage (request cost
    0: a request is admitted while the minute's tokens are not spent, then its tokens are counted)."""
    rules: list[dict[str, Any]] = []
    for t in plan.tenants:
        rules.append({"clientSelectors": _tenant_selector(t),
                      "limit": {"requests": t.requests_per_minute, "unit": "Minute"}})  # fmt: skip
        rules.append(
            {
                "clientSelectors": _tenant_selector(t),
                "limit": {"requests": t.tokens_per_minute, "unit": "Minute"},
                "cost": {
                    "request": {"from": "Number", "number": 0},
                    "response": {
                        "from": "Metadata",
                        "metadata": {"namespace": TOKEN_METADATA_NAMESPACE, "key": TOTAL_TOKENS_KEY},
                    },
                },
            }
        )
    return rules


def _override(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "contentType": "application/json",
        "body": {"type": "Inline", "inline": error_body(status)},
    }
    if status == 429:
        response["header"] = {"set": [{"name": "Retry-After", "value": str(RETRY_AFTER_S)}]}
    # Local: only what Envoy answers itself, never a model server's own 4xx.
    return {
        "match": {"statusCodes": [{"type": "Value", "value": status}]},
        "source": "Local",
        "response": response,
    }


def traffic_policy(plan: GatewayPlan) -> dict[str, Any]:
    return custom(
        ENVOY_GATEWAY_API,
        "BackendTrafficPolicy",
        meta(GATEWAY_NAME, plan.namespace),
        {
            "targetRefs": [gateway_target(plan)],
            "rateLimit": {"global": {"rules": rate_limit_rules(plan)}},
            "responseOverride": [_override(status) for status in ERRORS],
        },
    )
