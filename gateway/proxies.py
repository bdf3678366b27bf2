"""The GatewayClass, the Gateway, and how its Envoy proxies run: EnvoyProxy (Envoy Gateway's), GatewayConfig
(the AI Gateway's ext_proc sidecar) and a ClientTrafficPolicy for what every request goes through first."""

from __future__ import annotations

from typing import Any

from fleet.resolved import GatewayPlan
from gateway.exposure import envoy_service
from vocabulary.gateway import CLIENT_HEADER, GATEWAY_CLASS, GATEWAY_CONTROLLER, GATEWAY_NAME
from vocabulary.objects import PART_OF
from vocabulary.scheduling import SYSTEM_NODES

GATEWAY_API = "gateway.networking.k8s.io/v1"
ENVOY_GATEWAY_API = "gateway.envoyproxy.io/v1alpha1"
AI_GATEWAY_API = "aigateway.envoyproxy.io/v1beta1"
# The Gateway annotation naming its GatewayConfig, which must be in the Gateway's namespace (AI Gateway v1.1.0,
# internal/controller/gateway_mutator.go).
GATEWAY_CONFIG_ANNOTATION = "aigateway.envoyproxy.io/gateway-config"
# Request bodies the proxy buffers: the AI Gateway reads the whole body to find `model` (its examples: 50Mi).
BUFFER_LIMIT = "50Mi"
# Requests and limits of one Envoy proxy and of its ext_proc sidecar (Envoy Gateway's default request is
# 100m/512Mi, api/v1alpha1/shared_types.go; the sidecar has none unless a GatewayConfig gives them).
PROXY_RESOURCES = {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}}
EXTPROC_RESOURCES = {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}


def meta(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "labels": dict(PART_OF), **extra}
    if namespace is not None:
        out["namespace"] = namespace
    return out


def custom(api_version: str, kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """One custom resource as plain data: what every Gateway API, Envoy Gateway and AI Gateway object shares."""
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}


def gateway_class() -> dict[str, Any]:
    return custom(GATEWAY_API, "GatewayClass", meta(GATEWAY_CLASS), {"controllerName": GATEWAY_CONTROLLER})


def envoy_proxy(plan: GatewayPlan) -> dict[str, Any]:
    """The proxies: on the system nodes, `proxy_replicas` of them with a PDB that lets a drain take one at a
    time, behind a Service with a fixed name (a load balancer's, or a ClusterIP one)."""
    kubernetes: dict[str, Any] = {
        "envoyDeployment": {
            "name": GATEWAY_NAME,
            "replicas": plan.proxy_replicas,
            "pod": {"nodeSelector": dict(SYSTEM_NODES)},
            "container": {"resources": PROXY_RESOURCES},
        },
        "envoyService": envoy_service(plan),
    }
    if plan.proxy_replicas > 1:
        # maxUnavailable, not minAvailable = replicas: that would block every node drain (EKS node group
        # updates fail on PodEvictionFailure).
        kubernetes["envoyPDB"] = {"maxUnavailable": 1}
    return custom(
        ENVOY_GATEWAY_API,
        "EnvoyProxy",
        meta(GATEWAY_NAME, plan.namespace),
        {"provider": {"type": "Kubernetes", "kubernetes": kubernetes}},
    )


def gateway_config(plan: GatewayPlan) -> dict[str, Any]:
    return custom(
        AI_GATEWAY_API,
        "GatewayConfig",
        meta(GATEWAY_NAME, plan.namespace),
        {"extProc": {"kubernetes": {"resources": EXTPROC_RESOURCES}}},
    )


def gateway(plan: GatewayPlan) -> dict[str, Any]:
    """One plain-HTTP listener: TLS, when configured, ends at the load balancer."""
    return custom(
        GATEWAY_API,
        "Gateway",
        meta(GATEWAY_NAME, plan.namespace, annotations={GATEWAY_CONFIG_ANNOTATION: GATEWAY_NAME}),
        {
            "gatewayClassName": GATEWAY_CLASS,
            "infrastructure": {
                "parametersRef": {
                    "group": "gateway.envoyproxy.io",
                    "kind": "EnvoyProxy",
                    "name": GATEWAY_NAME,
                }
            },
            "listeners": [{"name": "http", "protocol": "HTTP", "port": plan.listener_port}],
        },
    )


def gateway_target(plan: GatewayPlan) -> dict[str, str]:
    del plan  # one Gateway; the argument keeps call sites reading alike
    return {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY_NAME}


def client_traffic(plan: GatewayPlan) -> dict[str, Any]:
    """Before anything else: drop any client id a caller sends (only a matched API key sets it), and buffer
    bodies large enough for long prompts."""
    return custom(
        ENVOY_GATEWAY_API,
        "ClientTrafficPolicy",
        meta(GATEWAY_NAME, plan.namespace),
        {
            "targetRefs": [gateway_target(plan)],
            "headers": {"earlyRequestHeaders": {"remove": [CLIENT_HEADER]}},
            "connection": {"bufferLimit": BUFFER_LIMIT},
        },
    )
