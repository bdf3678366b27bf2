"""Warnings about the resolved fleet: valid, but worth knowing before `pulumi up`. `make plan` prints them and
`pulumi up` logs them, after the config's own (config/warnings.py)."""

from __future__ import annotations

from config.warnings import warnings_for
from fleet.resolved import Fleet, ModelPlan

# EKS drains each node of a managed node group update for at most this long before it stops with
# PodEvictionFailure (EKS user guide, "Managed node update behavior": the upgrade phase).
EKS_DRAIN_LIMIT_S = 15 * 60


def fleet_warnings(fleet: Fleet) -> list[str]:
    out = warnings_for(fleet.config)
    for m in fleet.models:
        out += _dropped_pools(m) + _maintenance(m)
    return out + _gateway_unreachable(fleet)


def _gateway_unreachable(fleet: Fleet) -> list[str]:
    """With NetworkPolicies on, only the client namespaces and a load balancer reach the gateway."""
    g, access = fleet.gateway, fleet.config.access
    if g is None or g.load_balancer or access.client_namespaces or not access.network_policies:
        return []
    return [
        "llm-platform:access.clientNamespaces: empty, and the gateway has no loadBalancer: nothing can call it; "
        "name the namespaces of the apps that call the models"
    ]


def _dropped_pools(m: ModelPlan) -> list[str]:
    if not m.placement.dropped:
        return []
    names = ", ".join(f"{p.name} (at most {p.gpus_per_node} GPUs per node)" for p in m.placement.dropped)
    return [
        f"{m.key}.placement.pools: tensorParallelSize auto chose {m.tp} GPUs per replica; {names} cannot hold "
        f"one and {'is' if len(m.placement.dropped) == 1 else 'are'} left out of its placement"
    ]


def _maintenance(m: ModelPlan) -> list[str]:
    """Node maintenance (a managed node group AMI update, Karpenter drift or expiry, a node repair) drains one
    node at a time and evicts one replica of a model at a time (its PodDisruptionBudget allows one)."""
    r = m.config.replicas
    minutes = -(-m.cold_start_s // 60)
    if r.min == 1 and not m.scales_to_zero:
        return [
            f"{m.key}.replicas.min: 1 warm replica: a node drain (AMI update, Karpenter drift or expiry, node "
            f"repair) evicts it and {m.name} serves nothing until a new replica starts (about {minutes} min); "
            "set replicas.min: 2 to keep one serving through maintenance"
        ]
    on_node_groups = any(p.kind == "node group" for p in m.placement.pools)
    if r.min >= 2 and on_node_groups and m.cold_start_s > EKS_DRAIN_LIMIT_S:
        return [
            f"{m.key}: a replica takes about {minutes} min to start, longer than EKS drains a node of a managed "
            "node group update (15 min): the second replica's eviction waits for the first one's replacement, "
            "so the update may stop with PodEvictionFailure; run it again once the replacement serves"
        ]
    return []
