"""Rules across the AWS side's keys: zones, the AMI release, node group names, access entries."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.amis import AMI_FAMILIES
from config.issues import ConfigIssue
from config.rules.registry import K, Sections, rule


@rule("region", "network")
def zones_in_region(s: Sections) -> Iterator[ConfigIssue]:
    """Every availability zone is a zone of `aws:region`."""
    for i, az in enumerate(s.network.availability_zones):
        if not (az.startswith(s.region) and len(az) == len(s.region) + 1):
            yield ConfigIssue(
                f"{K}:network.availabilityZones[{i}]", f"{az!r} is not a zone of aws:region {s.region!r}"
            )


@rule("cluster", "node_ami")
def ami_release_matches_kubernetes(s: Sections) -> Iterator[ConfigIssue]:
    """The AMI release is built for the cluster's Kubernetes minor."""
    ami, k8s = s.node_ami, s.cluster.kubernetes_version
    match = AMI_FAMILIES[ami.family].release_pattern.match(ami.release_version)
    ami_k8s = match.groupdict().get("k8s") if match else None
    if ami_k8s is not None and ami_k8s != k8s:
        yield ConfigIssue(
            f"{K}:nodeAmi.releaseVersion",
            f"{ami.release_version!r} is built for Kubernetes {ami_k8s}, but "
            f"{K}:cluster.kubernetesVersion is {k8s!r}: pin a {k8s} release of the same date",
        )


@rule("gpu_node_groups")
def node_group_names_unique(s: Sections) -> Iterator[ConfigIssue]:
    """No two GPU node groups share a name."""
    seen: dict[str, int] = {}
    for i, group in enumerate(s.gpu_node_groups):
        if group.name in seen:
            yield ConfigIssue(
                f"{K}:gpuNodeGroups[{i}].name",
                f"{group.name!r} is already used by {K}:gpuNodeGroups[{seen[group.name]}]",
            )
        seen.setdefault(group.name, i)


@rule("access", "cluster")
def one_access_entry_per_role(s: Sections) -> Iterator[ConfigIssue]:
    """EKS takes one access entry per principal: each role gets one level of access."""
    seen = {arn: f"{K}:cluster.adminRoleArns" for arn in s.cluster.admin_role_arns}
    for field, name in (
        ("app_team_role_arns", "appTeamRoleArns"),
        ("read_only_role_arns", "readOnlyRoleArns"),
    ):
        for i, arn in enumerate(getattr(s.access, field)):
            if arn in seen:
                yield ConfigIssue(
                    f"{K}:access.{name}[{i}]",
                    f"{arn} is also in {seen[arn]}; EKS takes one access entry per role",
                )
            seen.setdefault(arn, f"{K}:access.{name}")
