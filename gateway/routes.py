"""Routing on the request's `model`: per model a Backend (its in-cluster name) and an AIServiceBackend, and
AIGatewayRoutes whose rules match the model header the AI Gateway sets from the body; and `/v1/models`, which
answers each tenant with its own models.

Why `/v1/models` is ours: the AI Gateway answers it from every model of every route on the Gateway (v1.1.0
internal/extproc/models_processor.go), whoever asks. An exact-path HTTPRoute outranks the AI routes' prefix
matches (Gateway API precedence), the AI Gateway's ext_proc is off on routes it did not generate
(internal/extensionserver/post_translate_modify.go), and a Lua filter there, which runs after API-key
authentication, answers from a table of client id -> that tenant's list, written here from the plan.
"""

from __future__ import annotations

import json
from typing import Any

from fleet.resolved import GatewayPlan, GatewayRoute
from gateway.errors import error_body
from gateway.proxies import AI_GATEWAY_API, ENVOY_GATEWAY_API, GATEWAY_API, custom, meta
from vocabulary.gateway import (
    CLIENT_HEADER,
    GATEWAY_NAME,
    MODEL_HEADER,
    RULES_PER_ROUTE,
    TOTAL_TOKENS_KEY,
    ai_route_names,
    client_id,
)

MODELS_PATH = "/v1/models"
MODELS_ROUTE = f"{GATEWAY_NAME}-models"
OWNED_BY = "llm-platform"


def backend(plan: GatewayPlan, r: GatewayRoute) -> dict[str, Any]:
    return custom(
        ENVOY_GATEWAY_API,
        "Backend",
        meta(r.model, plan.namespace),
        {"endpoints": [{"fqdn": {"hostname": r.host, "port": r.port}}]},
    )


def ai_service_backend(plan: GatewayPlan, r: GatewayRoute) -> dict[str, Any]:
    """vLLM speaks OpenAI's API under /v1, the schema's default prefix."""
    return custom(
        AI_GATEWAY_API,
        "AIServiceBackend",
        meta(r.model, plan.namespace),
        {
            "schema": {"name": "OpenAI"},
            # Only an Envoy Gateway Backend is accepted here (the CRD's CEL rule), with group and kind spelled out.
            "backendRef": {"group": "gateway.envoyproxy.io", "kind": "Backend", "name": r.model},
        },
    )


def route_names(plan: GatewayPlan) -> list[str]:
    return ai_route_names(len(plan.routes))


def ai_gateway_routes(plan: GatewayPlan) -> list[dict[str, Any]]:
    """One rule per model, by its served name; costs record each answer's total tokens for the token limits."""
    chunks = [plan.routes[i : i + RULES_PER_ROUTE] for i in range(0, len(plan.routes), RULES_PER_ROUTE)]
    return [
        custom(
            AI_GATEWAY_API,
            "AIGatewayRoute",
            meta(name, plan.namespace),
            {
                "parentRefs": [
                    {"name": GATEWAY_NAME, "kind": "Gateway", "group": "gateway.networking.k8s.io"}
                ],
                "rules": [_rule(r) for r in chunk],
                "llmRequestCosts": [{"metadataKey": TOTAL_TOKENS_KEY, "type": "TotalToken"}],
            },
        )
        for name, chunk in zip(route_names(plan), chunks, strict=True)
    ]


def _rule(r: GatewayRoute) -> dict[str, Any]:
    return {
        "name": r.model,
        "matches": [{"headers": [{"type": "Exact", "name": MODEL_HEADER, "value": r.model}]}],
        "backendRefs": [{"name": r.model}],
        "timeouts": {"request": f"{r.request_timeout_s}s"},
        "modelsOwnedBy": OWNED_BY,
    }


def models_route(plan: GatewayPlan) -> dict[str, Any]:
    """`GET /v1/models`; the fallback filter answers only if the Lua table did not (a key of no tenant)."""
    return custom(
        GATEWAY_API,
        "HTTPRoute",
        meta(MODELS_ROUTE, plan.namespace),
        {
            "parentRefs": [{"name": GATEWAY_NAME}],
            "rules": [
                {
                    "matches": [{"path": {"type": "Exact", "value": MODELS_PATH}}],
                    "filters": [
                        {
                            "type": "ExtensionRef",
                            "extensionRef": {
                                "group": "gateway.envoyproxy.io", "kind": "HTTPRouteFilter", "name": MODELS_ROUTE
                            },
                        }
                    ],
                }
            ],
        },
    )  # fmt: skip


def models_fallback(plan: GatewayPlan) -> dict[str, Any]:
    return custom(
        ENVOY_GATEWAY_API,
        "HTTPRouteFilter",
        meta(MODELS_ROUTE, plan.namespace),
        {
            "directResponse": {
                "statusCode": 403,
                "contentType": "application/json",
                "body": {"type": "Inline", "inline": error_body(403)},
            }
        },
    )


def model_lists(plan: GatewayPlan) -> dict[str, str]:
    """Client id -> the JSON body of `/v1/models` for that key's tenant, as OpenAI's API lists models."""
    out: dict[str, str] = {}
    for t in plan.tenants:
        listed = [{"id": m, "object": "model", "created": 0, "owned_by": OWNED_BY} for m in t.models]
        body = json.dumps({"object": "list", "data": listed}, separators=(",", ":"))
        out |= {client_id(t.name, k): body for k in t.key_names}
    return out


def models_lua(plan: GatewayPlan) -> dict[str, Any]:
    lists = model_lists(plan)
    # `[ key ] = value`, spaced: `[[[` would open a long string one bracket early.
    table = "\n".join(f"  [ {_lua_string(c)} ] = {_lua_string(body)}," for c, body in sorted(lists.items()))
    script = (
        f"local lists = {{\n{table}\n}}\n"
        "function envoy_on_request(handle)\n"
        f"  local body = lists[handle:headers():get({_lua_string(CLIENT_HEADER)}) or '']\n"
        "  if body ~= nil then\n"
        "    handle:respond({[':status'] = '200', ['content-type'] = 'application/json'}, body)\n"
        "  end\n"
        "end\n"
    )
    return custom(
        ENVOY_GATEWAY_API,
        "EnvoyExtensionPolicy",
        meta(MODELS_ROUTE, plan.namespace),
        {
            "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": MODELS_ROUTE}],
            "lua": [{"type": "Inline", "inline": script}],
        },
    )


def _lua_string(text: str) -> str:
    """A Lua long-bracket string that `text` cannot end early (its level is above any `]=*]` inside)."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"
