"""The NetworkPolicies of the inference namespace: deny every ingress, then allow the model servers' port from
the configured callers, Prometheus and the KEDA HTTP interceptor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vocabulary import names
from vocabulary.objects import SERVER_LABELS, SERVING_PORT, WHY_ANNOTATION

# The namespace label the API server sets on every namespace (Kubernetes >= 1.22): a selector on it cannot be
# spoofed by whoever may label their own namespace.
NAME_LABEL = "kubernetes.io/metadata.name"


def _from_namespaces(names: Sequence[str]) -> dict[str, Any]:
    return {
        "namespaceSelector": {
            "matchExpressions": [{"key": NAME_LABEL, "operator": "In", "values": list(names)}]
        }
    }


def _allow(name: str, why: str, sources: Sequence[str]) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "annotations": {WHY_ANNOTATION: why}},
        "spec": {
            "podSelector": {"matchLabels": dict(SERVER_LABELS)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [_from_namespaces(sources)], "ports": [{"port": SERVING_PORT, "protocol": "TCP"}]}
            ],
        },
    }


def network_policies(
    client_namespaces: Sequence[str], monitoring_namespace: str | None, interceptor_namespace: str | None
) -> list[dict[str, Any]]:
    """Ingress rules of the inference namespace: deny everything, then allow only the model servers' port from
    the configured callers, Prometheus, and the KEDA HTTP interceptor (which carries scale-from-zero traffic).

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
    if client_namespaces:
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
