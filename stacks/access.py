"""Access boundaries as data: Pod Security Admission per namespace and the NetworkPolicies of the inference
namespace. (Who may use the Kubernetes API is EKS access entries: components/cluster.py.)

Kubernetes objects only; `stacks/platform.py` and `stacks/addons.py` register them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from stacks.serving import PORT

PSA = "pod-security.kubernetes.io"
# The namespace label the API server sets on every namespace (Kubernetes >= 1.22): a selector on it cannot be
# spoofed by whoever may label their own namespace.
NAME_LABEL = "kubernetes.io/metadata.name"
SERVER_SELECTOR: Mapping[str, str] = MappingProxyType({"app.kubernetes.io/name": "vllm"})


@dataclass(frozen=True)
class PodSecurity:
    """Pod Security Admission levels: `enforce` rejects pods, `report` (warn + audit) only flags them, so a
    namespace can show what tightening it would break before anyone tightens it."""

    enforce: str
    report: str
    why: str


POD_SECURITY: Mapping[str, PodSecurity] = MappingProxyType(
    {
        "inference": PodSecurity("baseline", "restricted", "vLLM and the preload Job need no privileges"),
        "keda": PodSecurity(
            "baseline", "restricted", "operators and the HTTP interceptor need no privileges"
        ),
        "monitoring": PodSecurity("privileged", "privileged", "node-exporter uses the host network and PIDs"),
        "gpu-operator": PodSecurity(
            "privileged", "privileged", "driver, toolkit and device plugin run privileged"
        ),
    }
)


def namespace_metadata(name: str, security: PodSecurity) -> dict[str, Any]:
    return {
        "name": name,
        "labels": {
            "app.kubernetes.io/part-of": "llm-platform",
            f"{PSA}/enforce": security.enforce,
            f"{PSA}/warn": security.report,
            f"{PSA}/audit": security.report,
        },
    }


def _from_namespaces(names: Sequence[str]) -> dict[str, Any]:
    return {
        "namespaceSelector": {
            "matchExpressions": [{"key": NAME_LABEL, "operator": "In", "values": list(names)}]
        }
    }


def _allow(name: str, why: str, sources: Sequence[str]) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "annotations": {"llm-platform.io/why": why}},
        "spec": {
            "podSelector": {"matchLabels": dict(SERVER_SELECTOR)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [_from_namespaces(sources)], "ports": [{"port": PORT, "protocol": "TCP"}]}],
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
                "name": "default-deny-ingress",
                "annotations": {
                    "llm-platform.io/why": "nothing reaches a pod here unless a policy below allows it"
                },
            },
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        }
    ]
    if client_namespaces:
        policies.append(
            _allow("allow-model-clients", "llm-platform:access.clientNamespaces", client_namespaces)
        )
    if monitoring_namespace:
        policies.append(
            _allow("allow-prometheus-scrape", "metrics on the serving port", [monitoring_namespace])
        )
    if interceptor_namespace:
        policies.append(
            _allow("allow-keda-http-interceptor", "requests to scale-to-zero models", [interceptor_namespace])
        )
    return policies
