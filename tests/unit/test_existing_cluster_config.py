"""`llm-platform:cluster.existing` refused by shape and beside the keys of a created cluster, each error at the key
as the stack file writes it; and the preconditions the lookup checks, as a pure function of what it found."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from catalog.kubernetes import SUPPORTED_KUBERNETES_VERSIONS
from stacks.cluster import FoundCluster, cluster_problems
from tests.unit.stack_config import K, edits, issues
from tests.unit.test_existing_network_config import existing as existing_network

CLUSTER, NET, ACCESS = f"{K}:cluster", f"{K}:network", f"{K}:access"
ROLE = "arn:aws:iam::123456789012:role/llm-platform-deploy"


def stack(cluster: dict[str, Any], *, network: bool = True, **more) -> dict[str, str]:
    """dev with `cluster` as its whole cluster section, in an existing network unless `network` is False."""

    def whole(value: dict[str, Any]):
        def change(v: dict) -> None:
            v.clear()
            v.update(value)

        return change

    changes = {CLUSTER: whole(cluster), **more}
    if network:
        changes[NET] = whole({"existing": existing_network()})
    return edits(changes)


def existing_cluster(**existing: Any) -> dict[str, Any]:
    return {
        "name": "llm-shared",
        "kubernetesVersion": "1.35",
        "existing": {"deployRoleArn": ROLE, **existing},
    }


def test_an_existing_cluster_in_an_existing_network_is_accepted():
    assert issues(stack(existing_cluster())) == {}


@pytest.mark.parametrize(
    "existing, key, words",
    [
        ({"deployRoleArn": "platform-deploy"}, f"{CLUSTER}.existing.deployRoleArn", "not an IAM role ARN"),
        ({"deployRoleArn": None}, f"{CLUSTER}.existing.deployRoleArn", "required key is missing"),
        ({"roleArn": ROLE}, f"{CLUSTER}.existing.roleArn", "deployRoleArn"),
    ],
)
def test_a_bad_shape_is_refused_at_its_key(existing, key, words):
    cluster = existing_cluster(**existing)
    cluster["existing"] = {k: v for k, v in cluster["existing"].items() if v is not None}
    found = issues(stack(cluster))
    assert key in found, found
    assert words in found[key]


def test_the_name_and_the_kubernetes_version_are_still_required():
    cluster = existing_cluster()
    del cluster["kubernetesVersion"]
    assert f"{CLUSTER}.kubernetesVersion" in issues(stack(cluster))


CREATED_KEYS = {
    "endpoint": {"privateAccess": True},
    "logTypes": ["api"],
    "logRetentionDays": 30,
    "adminRoleArns": ["arn:aws:iam::123456789012:role/platform-admin"],
    "deletionProtection": True,
    "supportType": "STANDARD",
    "systemNodeGroup": {"minSize": 2},
}


def test_every_key_of_a_created_cluster_is_refused_beside_existing_each_at_its_key():
    found = issues(stack({**existing_cluster(), **CREATED_KEYS}))
    assert set(found) == {f"{CLUSTER}.{key}" for key in CREATED_KEYS}
    assert all("cluster.existing is set: remove it" in message for message in found.values())
    assert "pool=system" in found[f"{CLUSTER}.systemNodeGroup"]
    assert "deployRoleArn" in found[f"{CLUSTER}.adminRoleArns"]


def test_an_existing_cluster_needs_an_existing_network():
    found = issues(stack(existing_cluster(), network=False))
    assert set(found) == {f"{CLUSTER}.existing"}
    assert f"{NET}.existing" in found[f"{CLUSTER}.existing"]


@pytest.mark.parametrize("key", ["appTeamRoleArns", "readOnlyRoleArns"])
def test_access_entries_for_teams_are_the_owners_to_grant(key):
    def with_role(access: dict) -> None:
        access[key] = ["arn:aws:iam::123456789012:role/search-team"]

    found = issues(stack(existing_cluster(), **{ACCESS: with_role}))
    assert set(found) == {f"{ACCESS}.{key}"}
    assert "its owners'" in found[f"{ACCESS}.{key}"]


def test_without_existing_the_created_cluster_keys_stay_allowed():
    assert (
        issues(stack({"name": "llm-dev", "kubernetesVersion": "1.35", **CREATED_KEYS}, network=False)) == {}
    )


# --- the preconditions the lookup checks (stacks/cluster.py) -------------------------------------------------

VPC = "vpc-0a1b2c3d4e5f60718"
GOOD = FoundCluster(
    name="llm-shared",
    version="1.35",
    authentication_mode="API_AND_CONFIG_MAP",
    vpc_id=VPC,
    security_group_id="sg-0123456789abcdef0",
    endpoint="https://EXAMPLE.gr7.us-west-2.eks.amazonaws.com",
    certificate_authority_data="TU9DSy1DQQ==",
    oidc_issuer_url="https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE",
    pod_identity_agent_version="v1.3.10-eksbuild.3",
    deploy_role_entry_type="STANDARD",
)


def test_a_cluster_that_meets_every_precondition_has_no_problem():
    assert cluster_problems(GOOD, "1.35", VPC) == []
    assert cluster_problems(replace(GOOD, authentication_mode="API"), "1.35", VPC) == []


@pytest.mark.parametrize(
    "change, key",
    [
        ({"version": "1.33"}, f"{CLUSTER}.kubernetesVersion"),
        ({"authentication_mode": "CONFIG_MAP"}, f"{CLUSTER}.existing"),
        ({"pod_identity_agent_version": None}, f"{CLUSTER}.existing"),
        ({"deploy_role_entry_type": None}, f"{CLUSTER}.existing.deployRoleArn"),
        ({"vpc_id": "vpc-0ffffffffffffffff"}, f"{NET}.existing.vpcId"),
    ],
)
def test_each_broken_precondition_is_one_problem_naming_its_key(change, key):
    (problem,) = cluster_problems(replace(GOOD, **change), "1.35", VPC)
    assert problem.startswith(f"{key}: ")


def test_a_version_mismatch_names_both_versions_and_what_the_pins_support():
    (problem,) = cluster_problems(replace(GOOD, version="1.33"), "1.35", VPC)
    assert "is 1.35, and llm-shared runs Kubernetes 1.33" in problem
    assert " or ".join(SUPPORTED_KUBERNETES_VERSIONS) in problem


def test_every_broken_precondition_is_reported_at_once():
    broken = replace(GOOD, version="1.34", authentication_mode="CONFIG_MAP", pod_identity_agent_version=None)
    assert len(cluster_problems(broken, "1.35", VPC)) == 3
