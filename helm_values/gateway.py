"""Values of the front door's charts: Envoy Gateway (with the AI Gateway's extension and the global rate limit),
Envoy AI Gateway, and the AWS Load Balancer Controller. Every path is among its ChartPin's verified paths."""

from __future__ import annotations

from typing import Any

from fleet.resolved import GatewayPlan
from gateway.valkey import valkey_url
from vocabulary.gateway import CLIENT_HEADER, CLIENT_METRIC_LABEL, GATEWAY_CONTROLLER
from vocabulary.scheduling import SYSTEM_NODES

# The AI Gateway controller's Service (the chart's controller.fullnameOverride default) and its extension
# server port: Envoy Gateway calls it to adjust the xDS it generates.
AI_GATEWAY_CONTROLLER = "ai-gateway-controller"
EXTENSION_SERVER_PORT = 1063


def envoy_gateway_config(plan: GatewayPlan) -> dict[str, Any]:
    """The EnvoyGateway configuration (api/v1alpha1/envoygateway_types.go at v1.8.3): what the AI Gateway v1.1.0
    requires of it (manifests/envoy-gateway-values.yaml: the Backend API and its extension hooks), and the
    rate-limit service backed by our Valkey (setting `rateLimit` is what makes Envoy Gateway deploy it)."""
    include = {"includeAll": True}
    return {
        "gateway": {"controllerName": GATEWAY_CONTROLLER},
        "logging": {"level": {"default": "info"}},
        "provider": {
            "type": "Kubernetes",
            "kubernetes": {"rateLimitDeployment": {"pod": {"nodeSelector": dict(SYSTEM_NODES)}}},
        },
        "extensionApis": {"enableEnvoyPatchPolicy": True, "enableBackend": True},
        "extensionManager": {
            "hooks": {
                "xdsTranslator": {
                    "translation": {k: include for k in ("listener", "route", "cluster", "secret")},
                    "post": ["Translation", "Cluster", "Route"],
                }
            },
            "service": {
                "fqdn": {
                    "hostname": f"{AI_GATEWAY_CONTROLLER}.{plan.ai_gateway.namespace}.svc.cluster.local",
                    "port": EXTENSION_SERVER_PORT,
                }
            },
        },
        "rateLimit": {"backend": {"type": "Redis", "redis": {"url": valkey_url(plan)}}},
    }


def envoy_gateway_values(plan: GatewayPlan) -> dict[str, Any]:
    return {
        "crds": {"enabled": False},  # applied from the release manifests (catalog/gateway.py)
        "deployment": {"pod": {"nodeSelector": dict(SYSTEM_NODES)}},
        "certgen": {"job": {"nodeSelector": dict(SYSTEM_NODES)}},
        "config": {"envoyGateway": envoy_gateway_config(plan)},
    }


def ai_gateway_values() -> dict[str, Any]:
    return {
        "controller": {
            "nodeSelector": dict(SYSTEM_NODES),
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
            # Each request's client id on the ext_proc's metrics, so the dashboards and the token-quota alert
            # can show tenants (the id is `<tenant>.<key>`: the rules cut the tenant out).
            "metricsRequestHeaderAttributes": f"{CLIENT_HEADER}:{CLIENT_METRIC_LABEL}",
        }
    }


def load_balancer_controller_values(
    cluster_name: Any, region: str, vpc_id: Any, service_account: str, service_monitor: bool
) -> dict[str, Any]:
    """Region and VPC given: with IMDS hop limit 1 on our nodes the controller could not look them up
    (pkg/aws/cloud.go). It provisions only what carries its annotations or class: the mutating webhook that
    would make it every LoadBalancer Service's controller is off, and so are its Gateway API controllers
    (v3.5.0 expects Gateway API v1.6 CRDs; Envoy Gateway v1.8 installs v1.5.1)."""
    return {
        "clusterName": cluster_name,
        "region": region,
        "vpcId": vpc_id,
        "serviceAccount": {"name": service_account},
        "replicaCount": 2,
        "podDisruptionBudget": {"maxUnavailable": 1},
        "nodeSelector": dict(SYSTEM_NODES),
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "defaultTargetType": "ip",
        "enableServiceMutatorWebhook": False,
        "controllerConfig": {"featureGates": {"ALBGatewayAPI": False, "NLBGatewayAPI": False}},
        "serviceMonitor": {"enabled": service_monitor},
    }
