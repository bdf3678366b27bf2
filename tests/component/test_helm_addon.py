from __future__ import annotations

import json

import pulumi_kubernetes as k8s
import pytest

from components.helm_addon import AddonIdentity, HelmAddon, HelmAddonArgs, chart_reference
from components.helm_chart import ChartPin
from planner import run as planner_run
from planner.mocks import RecordingMonitor
from tests.component.harness import record

PIN = ChartPin(
    chart="thing",
    repository="https://charts.example",
    version="1.2.3",
    values_url="https://charts.example/thing/1.2.3/values.yaml",
    images=(),
    settable=frozenset({"a.b", "serviceAccount.annotations"}),
)


def test_chart_reference_for_https_and_oci_repositories():
    assert chart_reference("keda", "https://kedacore.github.io/charts") == (
        "keda",
        {"repo": "https://kedacore.github.io/charts"},
    )
    assert chart_reference("karpenter", "oci://public.ecr.aws/karpenter") == (
        "oci://public.ecr.aws/karpenter/karpenter",
        None,
    )
    with pytest.raises(ValueError, match="https:// or oci://"):
        chart_reference("x", "http://insecure.example")


def _declare(identity: AddonIdentity | None, values=None):
    def declare():
        provider = k8s.Provider("k8s", kubeconfig="{}")
        HelmAddon(
            "thing",
            HelmAddonArgs(
                release="thing",
                namespace="things",
                chart=PIN,
                values=values or {"a": {"b": 1}},
                k8s_provider=provider,
                cluster_name="c1",
                identity=identity,
            ),
        )

    return declare


def _addon(identity: AddonIdentity | None, values=None):
    return record(_declare(identity, values))


def test_release_is_pinned_atomic_and_uses_the_cluster_provider():
    rec = _addon(None)
    rel = rec.one("kubernetes:helm.sh/v3:Release")
    i = rel["inputs"]
    assert (i["chart"], i["version"], i["repositoryOpts"], i["namespace"]) == (
        "thing",
        "1.2.3",
        {"repo": "https://charts.example"},
        "things",
    )
    assert i["atomic"] is True and i["values"] == {"a": {"b": 1}}
    assert rel["provider"] == "k8s"
    assert rec.of_type("aws:iam/role:Role") == []


def test_irsa_role_is_trusted_for_one_service_account_and_written_into_values():
    ident = AddonIdentity(
        service_account="sa1",
        mechanism="irsa",
        managed_policies=("service-role/Something",),
        role_arn_value_paths=(("serviceAccount", "annotations", "eks.amazonaws.com/role-arn"),),
        oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
        oidc_provider_url="oidc.eks.us-east-1.amazonaws.com/id/ABC",
    )
    rec = _addon(ident)
    role = rec.one("aws:iam/role:Role")
    (stmt,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert stmt["Action"] == "sts:AssumeRoleWithWebIdentity"
    cond = stmt["Condition"]["StringEquals"]
    assert cond["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"] == "system:serviceaccount:things:sa1"
    assert cond["oidc.eks.us-east-1.amazonaws.com/id/ABC:aud"] == "sts.amazonaws.com"
    values = rec.one("kubernetes:helm.sh/v3:Release")["inputs"]["values"]
    assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
    assert values["a"] == {"b": 1}
    assert rec.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation") == []


def test_pod_identity_role_is_associated_before_the_release():
    ident = AddonIdentity(service_account="sa1", mechanism="pod-identity", inline_policy='{"Statement": []}')
    rec = _addon(ident)
    assoc = rec.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (assoc["inputs"]["namespace"], assoc["inputs"]["serviceAccount"]) == ("things", "sa1")
    policy = rec.one("aws:iam/rolePolicy:RolePolicy")
    release = rec.one("kubernetes:helm.sh/v3:Release")
    assert {assoc["urn"], policy["urn"]} <= set(release["dependsOn"])


def test_values_outside_the_pins_verified_paths_are_refused_before_anything_is_registered(monkeypatch):
    monitors: list[RecordingMonitor] = []

    class Spy(RecordingMonitor):
        def __init__(self, mocks):
            super().__init__(mocks)
            monitors.append(self)

    monkeypatch.setattr(planner_run, "RecordingMonitor", Spy)
    with pytest.raises(Exception, match=r"thing 1\.2\.3: values a\.typo are not among the paths verified"):
        _addon(None, values={"a": {"b": 1, "typo": 2}})
    # Only the provider the test itself made: neither the component nor any child was registered.
    assert [r["type"] for r in monitors[0].records] == ["pulumi:providers:kubernetes"]
    # The role ARN's paths are verified too: an IRSA path the chart does not take is refused.
    ident = AddonIdentity(service_account="sa", mechanism="irsa", role_arn_value_paths=(("rbac", "roleArn"),))
    with pytest.raises(Exception, match=r"values rbac are not among"):
        _addon(ident)
