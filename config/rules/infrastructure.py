"""Rules across the AWS side's keys: the region and its zones, the AMI release, node group names, access
entries and client namespaces. The warnings about instance types a region does not offer: offerings.py."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from catalog.amis import AMI_FAMILIES
from catalog.regions import OFFERINGS_SOURCE, REGIONS
from catalog.skypilot_prices import OTHER_PARTITIONS
from config.issues import ConfigIssue
from config.rules.registry import K, Sections, rule
from config.schema.base import non_ascii_note
from config.schema.platform import REGION_KEY
from vocabulary.scheduling import POOL_LABEL, SYSTEM_POOL


@rule("region")
def region_in_catalog(s: Sections) -> Iterator[ConfigIssue]:
    """`aws:region` is a region of the region catalog, which knows its zones and GPU families."""
    if s.region in REGIONS:
        return
    note = non_ascii_note(s.region)
    close = difflib.get_close_matches(s.region, REGIONS, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    if s.region.startswith(OTHER_PARTITIONS):
        why = "GovCloud and China regions are other AWS partitions (their own ARNs, endpoints and prices)"
    else:
        why = f"the offline price and offering table ({OFFERINGS_SOURCE}) lists no such region"
    yield ConfigIssue(
        REGION_KEY,
        f"{s.region!r} {f'{note}, so it ' if note else ''}is not a region the platform supports ({why}): "
        f"{hint}supported are {', '.join(REGIONS)}; a region the table lacks is added by regenerating it from a "
        'newer SkyPilot catalog that lists it (catalog/regions.py, README "Regions")',
    )


@rule("region", "network")
def zones_in_region(s: Sections) -> Iterator[ConfigIssue]:
    """Every availability zone is a zone of `aws:region` (catalog/regions.py)."""
    if s.region not in REGIONS:
        return  # region-in-catalog says so
    for i, az in enumerate(s.network.availability_zones or ()):
        yield from zone_outside_region(f"{K}:network.availabilityZones[{i}]", az, s.region)


def written_beside_existing(
    section: Any, name: str, created_keys: Mapping[str, str]
) -> Iterator[ConfigIssue]:
    """The keys of `created_keys` (field -> what takes its place) written in a section whose `existing` is
    set (`network`, `cluster`, its `name`): they shape what the platform creates, and it creates none of it there."""
    if section.existing is None:
        return
    for field, instead in created_keys.items():
        if field in section.model_fields_set:
            key = type(section).model_fields[field].alias
            yield ConfigIssue(
                f"{K}:{name}.{key}",
                f"is for a {name} the platform creates, and {name}.existing is set: remove it ({instead})",
            )


def zone_outside_region(key: str, az: str, region_name: str) -> Iterator[ConfigIssue]:
    """An issue at `key` when `az` is not a zone of the (catalogued) region `region_name`."""
    zones = REGIONS[region_name].zones
    if az not in zones:
        where = "" if az.startswith(region_name) else " (it is in another region)"
        yield ConfigIssue(
            key,
            f"{az!r} is not a zone of aws:region {region_name!r}{where}: its zones are {', '.join(zones)}",
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
    """No two GPU node groups share a name, and none takes the system node group's pool name."""
    seen: dict[str, int] = {}
    for i, group in enumerate(s.gpu_node_groups):
        if group.name == SYSTEM_POOL:
            # The name becomes the node label llm-platform.io/pool, whose value `system` selects the CPU nodes.
            yield ConfigIssue(
                f"{K}:gpuNodeGroups[{i}].name",
                f"{group.name!r} is the system node group's pool name: its GPU nodes would get {POOL_LABEL}="
                f"{SYSTEM_POOL}, the label that places every controller and preload Job on the CPU system nodes; "
                "name the group otherwise, e.g. l4-spot",
            )
        elif group.name in seen:
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


@rule("access", "model_cache")
def client_namespaces_are_callers(s: Sections) -> Iterator[ConfigIssue]:
    """No client namespace is the inference namespace itself (its pods are the model servers)."""
    for i, namespace in enumerate(s.access.client_namespaces):
        if namespace == s.model_cache.namespace:
            yield ConfigIssue(
                f"{K}:access.clientNamespaces[{i}]",
                f"{namespace!r} is the inference namespace ({K}:modelCache.namespace), where the model servers "
                "run: list the namespaces of the apps that call them",
            )
