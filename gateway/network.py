"""NetworkPolicies around the front door. Pods a policy selects take ingress only from what a policy allows
(kubelet probes from their own node always pass); pods no policy selects are left as they were, so Envoy
Gateway's controller and certgen, which the API server and the proxies call, are untouched.

- the proxies: the client namespaces and the load balancer on the listener, Prometheus on the metrics ports;
- the rate-limit service: the proxies, and Prometheus;
- Valkey: the rate-limit service only;
- the KEDA HTTP interceptor: the proxies on its proxy port (clients no longer bypass the gateway through it),
  KEDA's own namespace (the scaler reads its admin port) and Prometheus on any port.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fleet.resolved import GatewayPlan
from gateway.proxies import meta
from vocabulary.gateway import (
    EXTPROC_METRICS_PORT,
    PROXY_LABELS,
    PROXY_METRICS_PORT,
    PROXY_READY_PORT,
    RATELIMIT_LABELS,
    RATELIMIT_METRICS_PORT,
    VALKEY_LABELS,
    VALKEY_NAME,
    VALKEY_PORT,
)
from vocabulary.objects import WHY_ANNOTATION, from_namespaces

RATELIMIT_GRPC_PORT = 8081  # envoy-ratelimit's gRPC port (internal/infrastructure/kubernetes/ratelimit)
INTERCEPTOR_LABELS = {"app.kubernetes.io/component": "interceptor", "app.kubernetes.io/name": "http-add-on"}


def pods_in(namespace: str, labels: Mapping[str, str]) -> dict[str, Any]:
    return {**from_namespaces([namespace]), "podSelector": {"matchLabels": dict(labels)}}


def tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"port": p, "protocol": "TCP"} for p in ports]


def policy(
    name: str, namespace: str, why: str, selects: Mapping[str, str], ingress: list[dict]
) -> dict[str, Any]:
    return {
        "metadata": {**meta(name, namespace), "annotations": {WHY_ANNOTATION: why}},
        "spec": {
            "podSelector": {"matchLabels": dict(selects)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def proxy_ingress(
    plan: GatewayPlan, clients: Sequence[str], vpc_cidr: str, prometheus: str | None
) -> list[dict]:
    rules = []
    if clients:
        rules.append({"from": [from_namespaces(clients)], "ports": tcp(plan.container_port)})
    if plan.load_balancer:
        # Target type ip, client addresses not preserved: the load balancer's nodes, in the VPC, connect.
        rules.append(
            {"from": [{"ipBlock": {"cidr": vpc_cidr}}], "ports": tcp(plan.container_port, PROXY_READY_PORT)}
        )
    if prometheus:
        rules.append(
            {"from": [from_namespaces([prometheus])], "ports": tcp(PROXY_METRICS_PORT, EXTPROC_METRICS_PORT)}
        )
    return rules


def gateway_policies(
    plan: GatewayPlan, clients: Sequence[str], vpc_cidr: str, prometheus: str | None
) -> list[dict[str, Any]]:
    ns, proxies = plan.namespace, pods_in(plan.namespace, PROXY_LABELS)
    ratelimit = [{"from": [proxies], "ports": tcp(RATELIMIT_GRPC_PORT)}]
    if prometheus:
        ratelimit.append({"from": [from_namespaces([prometheus])], "ports": tcp(RATELIMIT_METRICS_PORT)})
    return [
        policy("gateway-proxies", ns, "clients, the load balancer and Prometheus reach the proxies", PROXY_LABELS,
               proxy_ingress(plan, clients, vpc_cidr, prometheus)),
        policy("gateway-ratelimit", ns, "the proxies ask the rate-limit service", RATELIMIT_LABELS, ratelimit),
        policy(VALKEY_NAME, ns, "only the rate-limit service keeps counters here", VALKEY_LABELS,
               [{"from": [pods_in(ns, RATELIMIT_LABELS)], "ports": tcp(VALKEY_PORT)}]),
    ]  # fmt: skip


def interceptor_policy(
    plan: GatewayPlan, keda_namespace: str, proxy_port: int, prometheus: str | None
) -> dict[str, Any]:
    """The interceptor carries requests to models at zero replicas: through the gateway only."""
    from_keda_and_prometheus = [keda_namespace, *([prometheus] if prometheus else [])]
    return policy(
        "interceptor-from-gateway",
        keda_namespace,
        "requests to scale-to-zero models come through the gateway",
        INTERCEPTOR_LABELS,
        [{"from": [pods_in(plan.namespace, PROXY_LABELS)], "ports": tcp(proxy_port)},
         {"from": [from_namespaces(from_keda_and_prometheus)]}],
    )  # fmt: skip
