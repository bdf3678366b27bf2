"""Rules across `llm-platform:cluster.existing` and the keys that depend on it: a cluster the platform does not
create sits in a network it does not create, and none of the keys that shape a created control plane, its
system nodes or its access entries is written beside it. What only the real cluster can tell (its version,
authentication mode, VPC, Pod Identity agent) is checked when the program looks it up (stacks/cluster.py)."""

from __future__ import annotations

from collections.abc import Iterator

from config.issues import ConfigIssue
from config.rules.infrastructure import written_beside_existing
from config.rules.registry import K, Sections, rule

EXISTING = f"{K}:cluster.existing"
# Keys that describe the cluster the platform would create. With `existing` nothing follows them, and a value
# there would read as a fact about the real cluster (who may reach its API, what it logs, who administers it,
# that it cannot be deleted) while the plan ignores it: refused rather than ignored, saying whose it is.
CREATED_CLUSTER_KEYS = {
    "endpoint": "who reaches the API is the existing cluster's own endpoint setting",
    "log_types": "control-plane logging is set on the existing cluster by its owners",
    "log_retention_days": "the control-plane log group is the existing cluster's owners'",
    "admin_role_arns": "cluster admins are the existing cluster's access entries, which its owners grant; "
    "the platform itself acts as existing.deployRoleArn",
    "deletion_protection": "the platform never deletes a cluster it did not create",
    "support_type": "the upgrade policy is the existing cluster's owners'",
    "system_node_group": "the controllers run on the existing cluster's nodes labelled llm-platform.io/pool=system",
}
# Keys that would become access entries on a created cluster. On an existing one each principal may already
# have its entry (EKS takes one per principal and cluster), which only the cluster's owners can change.
ACCESS_ENTRY_KEYS = {
    "app_team_role_arns": "AmazonEKSEditPolicy scoped to the inference namespace",
    "read_only_role_arns": "AmazonEKSViewPolicy at cluster scope",
}


@rule("cluster")
def existing_cluster_alone(s: Sections) -> Iterator[ConfigIssue]:
    """With `cluster.existing`, none of the keys that shape a created cluster is written."""
    return written_beside_existing(s.cluster, "cluster", CREATED_CLUSTER_KEYS)


@rule("cluster", "network")
def existing_cluster_in_existing_network(s: Sections) -> Iterator[ConfigIssue]:
    """An existing cluster is installed into with `network.existing` naming its VPC and subnets: the node
    groups, the model cache's mount targets, Karpenter and the load balancers need them, and a network the
    platform created could not hold a cluster that was there before it."""
    if s.cluster.existing is None or s.network.existing is not None:
        return
    yield ConfigIssue(
        EXISTING,
        f"an existing cluster is in a VPC that exists already: name that VPC and its subnets under "
        f"{K}:network.existing (and remove network.cidr, availabilityZones and natGateways); the preview "
        "checks that the cluster's VPC is that one",
    )


@rule("cluster", "access")
def existing_cluster_access_is_its_owners(s: Sections) -> Iterator[ConfigIssue]:
    """With `cluster.existing`, the platform creates no access entries for app teams or read-only roles."""
    if s.cluster.existing is None:
        return
    for field, policy in ACCESS_ENTRY_KEYS.items():
        if getattr(s.access, field):
            key = type(s.access).model_fields[field].alias
            yield ConfigIssue(
                f"{K}:access.{key}",
                "is granted through access entries of the cluster, and cluster.existing is set: an existing "
                "cluster's access entries are its owners' (EKS takes one entry per principal), so remove it "
                f"and ask them for {policy}",
            )
