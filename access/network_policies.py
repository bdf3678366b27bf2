"""The NetworkPolicies of the inference namespace: deny every ingress, then allow the model servers' port from
the configured callers (or, with the gateway, from its proxies only), Prometheus and the KEDA HTTP
interceptor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vocabulary import names
from vocabulary.gateway import PROXY_LABELS
from vocabulary.objects import SERVER_LABELS, SERVING_PORT, WHY_ANNOTATION, from_namespaces


def _allow(
    name: str, why: str, sources: Sequence[str], pods: Mapping[str, str] | None = None
) -> dict[str, Any]:
    peer = from_namespaces(sources) | ({"podSelector": {"matchLabels": dict(pods)}} if pods else {})
    return {
        "metadata": {"name": name, "annotations": {WHY_ANNOTATION: why}},
        "spec": {
            "podSelector": {"matchLabels": dict(SERVER_LABELS)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [peer], "ports": [{"port": SERVING_PORT, "protocol": "TCP"}]}],
        },
    }


def network_policies(
    client_namespaces: Sequence[str],
    monitoring_namespace: str | None,
    interceptor_namespace: str | None,
    gateway_namespace: str | None = None,
) -> list[dict[str, Any]]:
    """Ingress rules of the inference namespace: deny everything, then allow only the model servers' port from
    the configured callers, Prometheus, and the KEDA HTTP interceptor (which carries scale-from-zero traffic).
    With the gateway, its proxies replace the callers: clients reach the gateway (gateway/network.py), and only
    the gateway, with its keys and limits, reaches the models.

    Kubelet probes are not affected: traffic from a pod's own node is always allowed (Kubernetes NetworkPolicy
    semantics, honoured by the VPC CNI's policy agent).
    """
    policies = [
        {
            "metadata": {
                "name": names.DEFAULT_DENY,
                "annotations": {WHY_ANNOTATION: "nothing reaches a pod here unless a policy below allows it"},
            },
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        }
    ]
    if gateway_namespace:
        policies.append(
            _allow(names.ALLOW_GATEWAY, "the gateway's proxies", [gateway_namespace], PROXY_LABELS)
        )
    elif client_namespaces:
        policies.append(
            _allow(names.ALLOW_CLIENTS, "llm-platform:access.clientNamespaces", client_namespaces)
        )
    if monitoring_namespace:
        policies.append(_allow(names.ALLOW_PROMETHEUS, "metrics on the serving port", [monitoring_namespace]))
    if interceptor_namespace:
        policies.append(
            _allow(names.ALLOW_INTERCEPTOR, "requests to scale-to-zero models", [interceptor_namespace])
        )
    return policies
