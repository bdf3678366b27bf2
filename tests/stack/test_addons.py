"""Cluster add-ons across the real stacks and with each add-on switched off."""

from __future__ import annotations

import re

import pytest
import yaml

from catalog.amis import karpenter_ami_alias
from catalog.charts import HELM_CHARTS
from planner.run import run_plan
from tests.conftest import write_variant
from vocabulary.addons import ADDON_RELEASES
from vocabulary.scheduling import GPU_TAINT

RELEASE = "kubernetes:helm.sh/v3:Release"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"


def releases(plan) -> dict[str, dict]:
    return {r["inputs"]["name"]: r for r in plan.of_type(RELEASE)}


# Release name -> its chart's catalog key (the Karpenter releases are named as their charts).
CHART_OF = {r.name: r.chart for r in ADDON_RELEASES.values()}


def gateway_releases(plan) -> set[str]:
    g = plan.fleet.gateway
    if g is None:
        return set()
    return {"envoy-gateway", "ai-gateway-crds", "ai-gateway"} | (
        {"aws-load-balancer-controller"} if g.load_balancer else set()
    )


def test_four_add_ons_with_exact_pinned_versions(plan):
    rel = releases(plan)
    extra = {"keda-add-ons-http"} if plan.config.addons.keda_http.enabled else set()
    assert set(rel) == {
        "kube-prometheus-stack",
        "gpu-operator",
        "keda",
        "karpenter-crd",
        "karpenter",
    } | extra | (gateway_releases(plan))
    for name, r in rel.items():
        pin = HELM_CHARTS[CHART_OF.get(name, name)]
        assert r["inputs"]["version"] == pin.version, name
        assert pin.version[0].isdigit() or pin.version.startswith("v")
        assert not any(c in pin.version for c in "^~*x><"), "a range is not a pin"
        # Linked at exactly that version: its tag, or the release commit when the chart repo tags none.
        assert pin.values_url.startswith("https://github.com/")
        assert pin.version.lstrip("v") in pin.values_url or re.search(r"/blob/[0-9a-f]{40}/", pin.values_url)


def test_every_value_set_was_verified_upstream(plan):
    for name, r in releases(plan).items():
        assert HELM_CHARTS[CHART_OF.get(name, name)].unverified_paths(r["inputs"]["values"]) == [], name


def test_a_misspelt_value_is_refused_before_anything_is_registered():
    with pytest.raises(ValueError, match=r"dcgmExporter\.serviceMonitr"):
        HELM_CHARTS["gpu-operator"].require_verified({"dcgmExporter": {"serviceMonitr": {"enabled": True}}})


def test_charts_that_create_service_monitors_wait_for_the_monitoring_crds(plan):
    rel = releases(plan)
    monitoring = rel["kube-prometheus-stack"]["urn"]
    for name in ("gpu-operator", "keda"):
        assert monitoring in rel[name]["dependsOn"], name


def test_every_controller_waits_for_the_system_node_group(plan):
    system_ng = plan.by_name("cluster-system-ng")["urn"]
    for name, r in releases(plan).items():
        assert system_ng in r["dependsOn"], name


def test_gpu_operator_uses_the_ami_driver_and_exports_gpu_metrics(plan):
    v = releases(plan)["gpu-operator"]["inputs"]["values"]
    assert v["driver"] == {"enabled": False} and v["toolkit"] == {"enabled": False}
    assert v["devicePlugin"]["enabled"] is True  # AL2023 ships no device plugin
    assert v["dcgmExporter"]["enabled"] and v["dcgmExporter"]["serviceMonitor"]["enabled"]
    assert v["gfd"] == {"enabled": True}


def test_time_slicing_config_and_the_label_that_selects_it(plans):
    dev = plans["dev"]
    data = releases(dev)["gpu-operator"]["inputs"]["values"]["devicePlugin"]["config"]["data"]
    assert set(data) == {"l4-spot"}
    parsed = yaml.safe_load(data["l4-spot"])
    assert parsed["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 2}]
    ng = dev.by_name("gpu-l4-spot-ng")
    assert ng["inputs"]["labels"]["nvidia.com/device-plugin.config"] == "l4-spot"
    # Pools without time slicing keep whole GPUs.
    for pool in dev.of_type(NODE_POOL):
        assert (
            "nvidia.com/device-plugin.config" not in pool["inputs"]["spec"]["template"]["metadata"]["labels"]
        )
    assert "config" not in releases(plans["prod"])["gpu-operator"]["inputs"]["values"]["devicePlugin"]


def test_monitoring_picks_up_every_monitor_and_scrapes_gpu_nodes(plan):
    v = releases(plan)["kube-prometheus-stack"]["inputs"]["values"]
    spec = v["prometheus"]["prometheusSpec"]
    for kind in ("serviceMonitor", "podMonitor", "rule"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False
    assert spec["retention"] == plan.config.addons.monitoring.retention
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "gp3"
    assert claim["resources"]["requests"]["storage"] == f"{plan.config.addons.monitoring.storage_gib}Gi"
    assert {"operator": "Exists"} in v["prometheus-node-exporter"]["tolerations"]
    assert v["grafana"]["sidecar"]["dashboards"]["enabled"] is True
    assert v["grafana"]["admin"]["existingSecret"] == "grafana-admin"
    assert plan.outputs["prometheusUrl"] == "http://kube-prometheus-stack-prometheus.monitoring.svc:9090"


def test_grafana_password_is_a_secret_and_never_in_values(plan):
    (secret,) = [
        r
        for r in plan.of_type("kubernetes:core/v1:Secret")
        if r["inputs"]["metadata"]["name"] == "grafana-admin"
    ]
    assert secret["inputs"]["stringData"] == "[secret]"
    release = releases(plan)["kube-prometheus-stack"]
    assert secret["urn"] in release["dependsOn"]
    values = yaml.safe_dump(release["inputs"]["values"])
    assert "adminPassword" not in values and "offline-" not in values


def test_a_plain_text_grafana_password_is_refused(tmp_path):
    from config.issues import ConfigError

    def plain(c):
        c["llm-platform:grafanaAdminPassword"] = "hunter2"

    with pytest.raises(ConfigError) as exc:
        run_plan(write_variant(tmp_path, plain), "variant")
    (issue,) = exc.value.issues
    assert issue.key == "llm-platform:grafanaAdminPassword" and "--secret" in issue.message
    assert "hunter2" not in str(exc.value)


def test_an_encrypted_grafana_password_replaces_the_generated_one(tmp_path):
    def secure(c):
        c["llm-platform:grafanaAdminPassword"] = {"secure": "v1:AAAAciphertext"}

    plan = run_plan(write_variant(tmp_path, secure), "variant")
    generated = [r["name"] for r in plan.of_type("random:index/randomPassword:RandomPassword")]
    assert "grafana-admin" not in generated and generated  # the gateway's keys are still generated
    assert "offline-placeholder-secret" not in str(plan.as_json())


def test_karpenter_node_classes_pin_the_fleet_ami_and_pools_carry_the_gpu_taint(plan):
    alias = karpenter_ami_alias(plan.config.node_ami.family, plan.config.node_ami.release_version)
    classes = plan.of_type(NODE_CLASS)
    pools = plan.of_type(NODE_POOL)
    assert len(classes) == len(pools) == len(plan.config.addons.karpenter.node_pools) >= 2
    for nc in classes:
        spec = nc["inputs"]["spec"]
        assert spec["amiSelectorTerms"] == [{"alias": alias}] and "latest" not in alias
        assert spec["metadataOptions"]["httpTokens"] == "required"
        # Tag keys Karpenter's CRD rejects.
        assert not any(
            k.startswith(("kubernetes.io/cluster", "karpenter.sh/", "karpenter.k8s.aws/"))
            or k == "eks:eks-cluster-name"
            for k in spec["tags"]
        )
    capacity = set()
    for pool in pools:
        spec = pool["inputs"]["spec"]
        assert pool["inputs"]["apiVersion"] == "karpenter.sh/v1"
        assert GPU_TAINT.for_kubernetes() in spec["template"]["spec"]["taints"]
        assert int(spec["limits"]["nvidia.com/gpu"]) >= 1
        assert spec["disruption"]["consolidationPolicy"] == "WhenEmpty"
        assert spec["disruption"]["consolidateAfter"]  # required once disruption is written
        assert spec["template"]["spec"]["nodeClassRef"] == {
            "group": "karpenter.k8s.aws",
            "kind": "EC2NodeClass",
            "name": pool["inputs"]["metadata"]["name"],
        }
        for label in spec["template"]["metadata"]["labels"]:
            assert not label.startswith(("karpenter.sh/", "karpenter.k8s.aws/", "kubernetes.io/hostname"))
        reqs = {r["key"]: r for r in spec["template"]["spec"]["requirements"]}
        capacity |= set(reqs["karpenter.sh/capacity-type"]["values"])
        assert all(r["operator"] == "In" and r["values"] for r in reqs.values())
    assert capacity == {"spot", "on-demand"}
    weight = {
        p["inputs"]["spec"]["template"]["metadata"]["labels"]["llm-platform.io/capacity-type"]: p["inputs"][
            "spec"
        ]["weight"]
        for p in pools
    }
    assert weight["spot"] > weight["on-demand"], "spot is preferred"


def only_node_groups(c):
    """Without Karpenter there are no NodePools: models may only name managed node groups."""
    for m in c.get("llm-platform:models", []):
        m["placement"]["pools"] = [g["name"] for g in c["llm-platform:gpuNodeGroups"]]


def test_all_add_ons_off_leaves_the_base_platform(tmp_path):
    def all_off(c):
        c["llm-platform:addons"] = {
            k: {"enabled": False} for k in ("gpuOperator", "karpenter", "keda", "monitoring")
        }
        c.pop("llm-platform:models")  # served models need KEDA and a Prometheus
        c.pop("llm-platform:gateway")  # and the gateway is off by default

    plan = run_plan(write_variant(tmp_path, all_off), "variant")
    assert plan.of_type(RELEASE) == [] and plan.of_type(NODE_POOL) == []
    assert plan.of_type("aws:sqs/queue:Queue") == []
    assert "prometheusUrl" not in plan.outputs and "karpenterNodePools" not in plan.outputs
    assert len(plan.of_type("aws:eks/nodeGroup:NodeGroup")) == 2  # the base platform is untouched


@pytest.mark.parametrize(
    ("addon", "gone"),
    [
        ("gpuOperator", {"gpu-operator"}),
        ("keda", {"keda", "keda-add-ons-http"}),
        ("karpenter", {"karpenter", "karpenter-crd"}),
        ("monitoring", {"kube-prometheus-stack"}),
    ],
)
def test_each_add_on_switches_off_alone(tmp_path, addon, gone):
    def off(c):
        c["llm-platform:addons"][addon] = {"enabled": False}
        if addon == "karpenter":
            only_node_groups(c)
        if addon in ("keda", "monitoring"):
            c.pop("llm-platform:models")  # served models need KEDA, and a Prometheus: ours or an existing one
            c.pop("llm-platform:gateway")  # nothing for it to route
        if addon == "keda":
            c["llm-platform:addons"]["kedaHttp"] = {"enabled": False}  # the HTTP add-on runs on KEDA

    plan = run_plan(write_variant(tmp_path, off), "variant")
    names = {r["inputs"]["name"] for r in plan.of_type(RELEASE)}
    every = {
        "kube-prometheus-stack",
        "gpu-operator",
        "keda",
        "karpenter",
        "karpenter-crd",
        "keda-add-ons-http",
    }
    gateway = {"envoy-gateway", "ai-gateway-crds", "ai-gateway"} if plan.fleet.gateway else set()
    assert names == (every | gateway) - gone
    if addon == "monitoring":
        # Nothing may ask for ServiceMonitors when their CRD is not installed.
        gpu = releases(plan)["gpu-operator"]["inputs"]["values"]
        assert gpu["dcgmExporter"]["serviceMonitor"]["enabled"] is False
        assert (
            releases(plan)["keda"]["inputs"]["values"]["prometheus"]["operator"]["serviceMonitor"]["enabled"]
            is False
        )


@pytest.mark.parametrize(
    ("addon", "why"),
    [
        ("keda", "every model's replicas are set by its KEDA ScaledObject"),
        # Monitoring may be off with an existing Prometheus in its place (tests/stack/test_external_prometheus.py),
        # never with none.
        ("monitoring", "external.prometheusUrl"),
    ],
)
def test_models_refuse_a_platform_without_autoscaling_or_metrics(tmp_path, addon, why):
    from config.issues import ConfigError

    def off(c):
        c["llm-platform:addons"][addon] = {"enabled": False}

    with pytest.raises(ConfigError) as exc:
        run_plan(write_variant(tmp_path, off), "variant")
    issues = {i.key: i.message for i in exc.value.issues}
    assert why in issues[f"llm-platform:addons.{addon}.enabled"]
    assert set(issues) <= {f"llm-platform:addons.{addon}.enabled", "llm-platform:addons.kedaHttp.enabled"}
