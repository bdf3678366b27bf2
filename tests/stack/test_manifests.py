"""Every rendered Kubernetes object validates (strictly) against the cluster version's OpenAPI schema."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml

from planner.mocks import is_kubernetes_object
from planner.render import write_plan
from tests.conftest import STACKS


@pytest.fixture(scope="module", params=STACKS)
def rendered(request, plans, tmp_path_factory):
    plan = plans[request.param]
    out = tmp_path_factory.mktemp(request.param)
    return plan, write_plan(plan, out)


# Custom resources: kubernetes-validate ships no CRD schemas; test_addons.py and test_serving.py check them.
# The gateway's (Gateway API, Envoy Gateway, AI Gateway): `make crd-check` validates them against their CRDs.
CRD_GROUPS = ("karpenter.sh/", "karpenter.k8s.aws/", "keda.sh/", "monitoring.coreos.com/", "http.keda.sh/",
              "gateway.networking.k8s.io/", "gateway.envoyproxy.io/", "aigateway.envoyproxy.io/")  # fmt: skip


def test_manifests_validate_strictly_against_the_cluster_version(rendered):
    plan, written = rendered
    version = f"{plan.config.cluster.kubernetes_version}.0"
    built_in = [
        p
        for p in written["manifests"]
        if not yaml.safe_load(p.read_text())["apiVersion"].startswith(CRD_GROUPS)
    ]
    assert len(built_in) >= 5
    for path in built_in:
        doc = yaml.safe_load(path.read_text())
        # strict: an unknown (e.g. misspelled) field fails instead of being ignored
        kubernetes_validate.validate(doc, version, strict=True)


def test_one_file_per_kubernetes_object(rendered):
    plan, written = rendered
    objects = [r for r in plan.resources if is_kubernetes_object(r["type"]) and "kind" in r["inputs"]]
    assert len(written["manifests"]) == len(objects)


def test_manifests_hold_no_secrets_or_unknowns(rendered):
    _, written = rendered
    for path in written["manifests"]:
        text = path.read_text()
        assert "[unknown]" not in text and "offline-placeholder-secret" not in text, path.name


WORKLOADS = {"Deployment", "Job", "StatefulSet", "DaemonSet"}


def test_every_workload_we_create_runs_unprivileged(rendered):
    """The Pod Security `restricted` profile and then some, for every pod template we render ourselves (Helm
    releases are their charts' business): what checkov checks in `make scan`, held here without it."""
    _, written = rendered
    docs = [yaml.safe_load(p.read_text()) for p in written["manifests"]]
    workloads = [d for d in docs if d["kind"] in WORKLOADS]
    assert workloads
    for w in workloads:
        pod = w["spec"]["template"]["spec"]
        where = f"{w['kind']} {w['metadata']['name']}"
        assert pod["automountServiceAccountToken"] is False, where
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for c in pod.get("initContainers", []) + pod["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert "memory" in c["resources"]["limits"] and "cpu" in c["resources"]["requests"], where
            assert all("secretKeyRef" not in e.get("valueFrom", {}) for e in c.get("env", [])), where
