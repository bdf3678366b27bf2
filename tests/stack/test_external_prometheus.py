"""Monitoring switched off, or brought along: an existing Prometheus (addons.monitoring.external) that KEDA
queries and the platform's rules, monitors and dashboards are aimed at, with or without prometheus-operator
CRDs; and the combinations that cannot work, refused before anything is registered, each at its key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from config.loader import check_config
from config.schema.addons import namespace_of_url
from planner.run import Plan, run_plan
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR, write_variant
from vocabulary import names

K = "llm-platform"
MON = f"{K}:addons.monitoring"
RELEASE = "kubernetes:helm.sh/v3:Release"
MONITORING_KINDS = ("PodMonitor", "ServiceMonitor", "PrometheusRule")
URL = "http://prometheus-operated.observability.svc:9090"
# A Prometheus agent in-cluster, queried through a central Mimir: the URL names no namespace.
MIMIR = "https://mimir.example.com/prometheus"


def external(**fields: Any) -> Callable[[dict[str, Any]], None]:
    """dev with our monitoring off and an existing Prometheus described by `fields`."""

    def mutate(c: dict[str, Any]) -> None:
        c[f"{K}:addons"]["monitoring"] = {"enabled": False, "external": {"prometheusUrl": URL, **fields}}

    return mutate


@pytest.fixture(scope="module")
def operator_based(tmp_path_factory) -> Plan:
    """An operator-based Prometheus in `observability`, dashboards for a Grafana in `grafana`."""
    dashboards = {"namespace": "grafana", "datasourceUid": "platform-prometheus"}
    return run_plan(write_variant(tmp_path_factory.mktemp("op"), external(dashboards=dashboards)), "variant")


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Plan:
    """An existing Prometheus that reads no prometheus-operator objects."""
    return run_plan(write_variant(tmp_path_factory.mktemp("plain"), external(operatorCrds=False)), "variant")


def releases(plan: Plan) -> dict[str, dict]:
    return {r["inputs"]["name"]: r for r in plan.of_type(RELEASE)}


def monitoring_objects(plan: Plan) -> list[dict]:
    return [r for r in plan.resources if r["type"].startswith("kubernetes:monitoring.coreos.com/")]


def dashboards(plan: Plan) -> list[dict]:
    return [
        r
        for r in plan.of_type("kubernetes:core/v1:ConfigMap")
        if r["inputs"]["metadata"]["name"]
        in {names.dashboard_configmap(u) for u in (*names.DASHBOARD_UIDS, names.GATEWAY_DASHBOARD_UID)}
    ]


def server_addresses(plan: Plan) -> set[str]:
    return {
        t["metadata"]["serverAddress"]
        for so in plan.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject")
        for t in so["inputs"]["spec"]["triggers"]
        if t["type"] == "prometheus"
    }


def service_monitor_switches(plan: Plan) -> dict[str, bool]:
    rel = releases(plan)
    keda = rel["keda"]["inputs"]["values"]["prometheus"]
    return {
        "dcgm": rel["gpu-operator"]["inputs"]["values"]["dcgmExporter"]["serviceMonitor"]["enabled"],
        **{
            f"keda.{c}": keda[c]["serviceMonitor"]["enabled"]
            for c in ("operator", "metricServer", "webhooks")
        },
        "karpenter": rel["karpenter"]["inputs"]["values"]["serviceMonitor"]["enabled"],
    }


# --- the shipped stacks keep their own Prometheus ------------------------------------------------------------


def test_the_shipped_stacks_aim_everything_at_their_own_prometheus(plan):
    addons = plan.fleet.addons
    assert addons.monitoring is not None and addons.monitoring_crds
    assert (
        addons.prometheus_namespace == addons.rules_namespace == addons.dashboards_namespace == "monitoring"
    )
    assert addons.grafana_datasource_uid == "prometheus"  # kube-prometheus-stack's own datasource
    assert server_addresses(plan) == {addons.prometheus_url}
    assert set(service_monitor_switches(plan).values()) == {True}


# --- an operator-based existing Prometheus -------------------------------------------------------------------


def test_keda_scales_every_model_on_the_existing_prometheus(operator_based):
    assert server_addresses(operator_based) == {URL}
    assert operator_based.outputs["prometheusUrl"] == URL
    assert "grafanaService" not in operator_based.outputs  # no Grafana of ours


def test_nothing_of_kube_prometheus_stack_is_installed(operator_based):
    assert "kube-prometheus-stack" not in releases(operator_based)
    namespaces = {
        r["inputs"]["metadata"]["name"] for r in operator_based.of_type("kubernetes:core/v1:Namespace")
    }
    assert "monitoring" not in namespaces
    secrets = {r["inputs"]["metadata"]["name"] for r in operator_based.of_type("kubernetes:core/v1:Secret")}
    assert "grafana-admin" not in secrets
    generated = [r["name"] for r in operator_based.of_type("random:index/randomPassword:RandomPassword")]
    assert "grafana-admin" not in generated


def test_platform_rules_sit_beside_the_existing_prometheus_and_wait_for_no_release(operator_based):
    (rules,) = [
        r
        for r in operator_based.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
        if r["inputs"]["metadata"]["name"] == names.PLATFORM_RULES
    ]
    # A prometheus-operator with no ruleNamespaceSelector reads the rules of its own namespace.
    assert rules["inputs"]["metadata"]["namespace"] == "observability"
    assert rules["dependsOn"] == []  # the CRDs come with the existing Prometheus: nothing here to wait for
    groups = {g["name"] for g in rules["inputs"]["spec"]["groups"]}
    assert {"llm-platform.recording", "llm-platform.serving", "llm-platform.gpu"} <= groups


def test_each_model_keeps_its_pod_monitor_and_rules_without_waiting_for_a_release(operator_based):
    release_urns = {r["urn"] for r in operator_based.of_type(RELEASE)}
    per_model = [
        r
        for r in monitoring_objects(operator_based)
        if r["inputs"]["metadata"]["name"] != names.PLATFORM_RULES
        and r["inputs"]["metadata"]["namespace"] == operator_based.fleet.namespace  # not the gateway's
    ]
    kinds = sorted(r["inputs"]["kind"] for r in per_model)
    assert kinds == sorted(["PodMonitor", "PrometheusRule"] * len(operator_based.fleet.models))
    for r in per_model:
        assert r["inputs"]["metadata"]["namespace"] == operator_based.fleet.namespace
        assert not release_urns & set(r["dependsOn"]), r["name"]


def test_dashboards_go_to_the_named_grafana_on_its_datasource(operator_based):
    made = dashboards(operator_based)
    assert len(made) == len(names.DASHBOARD_UIDS) + (1 if operator_based.fleet.gateway else 0)
    for cm in made:
        assert cm["inputs"]["metadata"]["namespace"] == "grafana"
        assert cm["inputs"]["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert cm["dependsOn"] == []  # an existing namespace
        (doc,) = (json.loads(v) for v in cm["inputs"]["data"].values())
        sources = [p["datasource"] for p in doc["panels"]]
        sources += [v["datasource"] for v in doc["templating"]["list"] if "datasource" in v]
        assert sources and all(s == {"type": "prometheus", "uid": "platform-prometheus"} for s in sources)


def test_chart_service_monitors_stay_on_and_wait_for_no_monitoring_release(operator_based):
    assert set(service_monitor_switches(operator_based).values()) == {True}
    assert releases(operator_based)["keda"]["inputs"]["values"]["prometheus"]["operator"]["enabled"] is True
    # The only add-on releases any chart waits for are Karpenter's CRDs, KEDA (for its HTTP add-on), and the
    # gateway's own: the AI Gateway waits for its CRDs and for Envoy Gateway.
    release_urns = {r["inputs"]["name"]: r["urn"] for r in operator_based.of_type(RELEASE)}
    waited = {
        n for r in operator_based.of_type(RELEASE) for n, u in release_urns.items() if u in r["dependsOn"]
    }
    assert waited == {"karpenter-crd", "keda", "ai-gateway-crds", "envoy-gateway"}


# --- an existing Prometheus without prometheus-operator ------------------------------------------------------


def test_without_operator_crds_no_monitoring_object_is_created(plain):
    assert monitoring_objects(plain) == []
    assert set(service_monitor_switches(plain).values()) == {False}
    assert dashboards(plain) == []  # no dashboards key: no dashboards


def test_without_operator_crds_keda_still_scales_on_the_existing_prometheus(plain):
    assert server_addresses(plain) == {URL}
    assert len(plain.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject")) == len(plain.fleet.models)
    # KEDA's metrics ports stay exposed (annotated prometheus.io/scrape by the chart) for that Prometheus.
    keda = releases(plain)["keda"]["inputs"]["values"]["prometheus"]
    assert all(keda[c]["enabled"] for c in ("operator", "metricServer", "webhooks"))


# --- where the scrapes come from -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "namespace"),
    [
        (URL, "observability"),
        ("http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090", "monitoring"),
        ("https://thanos-query.thanos.svc/prefix", "thanos"),
        (MIMIR, None),
        ("http://prometheus.observability:9090", None),  # two labels: could be any DNS name
        ("http://10.0.12.7:9090", None),
    ],
)
def test_the_namespace_is_read_only_from_a_service_host(url, namespace):
    assert namespace_of_url(url) == namespace


def test_a_named_namespace_wins_over_the_url(tmp_path):
    plan = run_plan(write_variant(tmp_path, external(prometheusUrl=MIMIR, namespace="agents")), "variant")
    assert plan.fleet.addons.prometheus_namespace == plan.fleet.addons.rules_namespace == "agents"
    assert server_addresses(plan) == {MIMIR}


def test_without_models_monitoring_may_be_off_with_nothing_in_its_place(tmp_path):
    def off(c: dict[str, Any]) -> None:
        c[f"{K}:addons"]["monitoring"] = {"enabled": False}
        c.pop(f"{K}:models")

    plan = run_plan(write_variant(tmp_path, off), "variant")
    assert monitoring_objects(plan) == [] and dashboards(plan) == []
    assert set(service_monitor_switches(plan).values()) == {False}
    assert "prometheusUrl" not in plan.outputs


def test_the_network_policy_admits_the_existing_prometheus(operator_based):
    (allow,) = [
        r
        for r in operator_based.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        if r["inputs"]["metadata"]["name"] == names.ALLOW_PROMETHEUS
    ]
    (source,) = allow["inputs"]["spec"]["ingress"][0]["from"]
    assert source["namespaceSelector"]["matchExpressions"][0]["values"] == ["observability"]


@pytest.mark.parametrize("variant", ["operator_based", "plain"])
def test_the_claims_table_follows_an_existing_prometheus(variant, request):
    from tests.stack.test_collisions import assert_claims_are_the_composition

    assert_claims_are_the_composition(request.getfixturevalue(variant))


# --- what cannot work is refused, at its key -----------------------------------------------------------------


def issues(mutate: Callable[[dict[str, Any]], None], stack: str = "dev") -> dict[str, str]:
    """Every issue of `stack` changed by `mutate` (on its decoded config), by key."""
    config = dict(read_stack(PROJECT_DIR, stack).config)
    doc = {k: json.loads(v) if k.startswith(f"{K}:") and v[:1] in "[{" else v for k, v in config.items()}
    mutate(doc)
    flat = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in doc.items()}
    return {i.key: i.message for i in check_config(flat).issues}


def monitoring(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(c: dict[str, Any]) -> None:
        c[f"{K}:addons"]["monitoring"] = fields

    return mutate


def no_network_policies(c: dict[str, Any]) -> None:
    c[f"{K}:access"]["networkPolicies"] = False


REFUSED = {
    "models without any Prometheus": (
        monitoring(enabled=False), f"{MON}.enabled", ["KEDA scales", "external.prometheusUrl"]),
    "an existing Prometheus beside ours": (
        monitoring(external={"prometheusUrl": URL}), f"{MON}.external", ["enabled (true, its default)", "enabled: false"]),
    "external keys without a URL": (
        monitoring(enabled=False, external={"operatorCrds": False}), f"{MON}.external.prometheusUrl", ["required"]),
    "dashboards without a namespace": (
        monitoring(enabled=False, external={"prometheusUrl": URL, "dashboards": {"datasourceUid": "p"}}),
        f"{MON}.external.dashboards.namespace", ["required"]),
    "credentials in the URL": (
        monitoring(enabled=False, external={"prometheusUrl": "http://admin:s3cret@prom.obs.svc:9090"}),
        f"{MON}.external.prometheusUrl", ["credentials", "plain text"]),
    "a trailing slash": (
        monitoring(enabled=False, external={"prometheusUrl": f"{URL}/"}), f"{MON}.external.prometheusUrl",
        ["/api/v1/query", "trailing"]),
    "a query string": (
        monitoring(enabled=False, external={"prometheusUrl": f"{URL}?tenant=a"}), f"{MON}.external.prometheusUrl",
        ["query"]),
    "another scheme": (
        monitoring(enabled=False, external={"prometheusUrl": "prometheus-operated.observability.svc:9090"}),
        f"{MON}.external.prometheusUrl", ["http:// or https://"]),
    "no host": (
        monitoring(enabled=False, external={"prometheusUrl": "http://:9090/api"}), f"{MON}.external.prometheusUrl",
        ["needs a host"]),
    "a port out of range": (
        monitoring(enabled=False, external={"prometheusUrl": "http://prom.obs.svc:90900"}),
        f"{MON}.external.prometheusUrl", ["Port out of range"]),
    "rules with nowhere to go": (
        monitoring(enabled=False, external={"prometheusUrl": MIMIR}), f"{MON}.external.namespace",
        ["PrometheusRule", "operatorCrds: false"]),
    "a bad datasource uid": (
        monitoring(enabled=False, external={"prometheusUrl": URL, "dashboards": {"namespace": "g", "datasourceUid": "a b"}}),
        f"{MON}.external.dashboards.datasourceUid", ["Grafana uid"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_combination_that_cannot_work_is_refused_at_its_key(case):
    mutate, key, words = REFUSED[case]
    found = issues(mutate)
    assert key in found, found
    for word in words:
        assert word in found[key], found[key]
    assert "s3cret" not in json.dumps(found)  # a password written in the URL is not echoed back


def test_network_policies_need_the_scraping_namespace_when_the_url_does_not_say(tmp_path):
    scrape_unknown = monitoring(enabled=False, external={"prometheusUrl": MIMIR, "operatorCrds": False})
    found = issues(scrape_unknown)
    assert list(found) == [f"{MON}.external.namespace"]
    assert f"{K}:access.networkPolicies" in found[f"{MON}.external.namespace"]

    def without_policies(c: dict[str, Any]) -> None:
        scrape_unknown(c)
        no_network_policies(c)

    def without_models(c: dict[str, Any]) -> None:
        scrape_unknown(c)
        c.pop(f"{K}:models")

    assert issues(without_policies) == {} and issues(without_models) == {}


def test_every_monitoring_error_is_reported_at_once():
    def three_keys_wrong(c: dict[str, Any]) -> None:
        dashboards = {"namespace": "Grafana", "datasourceUid": "a b"}
        monitoring(enabled=False, external={"prometheusUrl": f"{URL}/", "dashboards": dashboards})(c)

    found = issues(three_keys_wrong)
    assert set(found) == {
        f"{MON}.external.prometheusUrl",
        f"{MON}.external.dashboards.namespace",
        f"{MON}.external.dashboards.datasourceUid",
    }


def test_keda_stays_required_by_models_with_the_reason(tmp_path):
    found = issues(
        lambda c: c[f"{K}:addons"].update(keda={"enabled": False}, kedaHttp={"enabled": False}), "prod"
    )
    assert list(found) == [f"{K}:addons.keda.enabled"]
    assert "ScaledObject" in found[f"{K}:addons.keda.enabled"]


def test_refused_before_anything_is_registered(tmp_path):
    from config.issues import ConfigError

    with pytest.raises(ConfigError) as exc:
        run_plan(write_variant(tmp_path, monitoring(external={"prometheusUrl": URL})), "variant")
    assert [i.key for i in exc.value.issues] == [f"{MON}.external"]
