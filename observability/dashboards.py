"""Grafana dashboards as data: inference per model, GPU fleet, capacity and cost.

Provisioned as ConfigMaps labelled `grafana_dashboard: "1"`, which kube-prometheus-stack's Grafana sidecar
loads from every namespace (or an existing Grafana's sidecar, from addons.monitoring.external.dashboards). Every panel query is parsed by promtool and checked against the metric-name
inventory (tests/promql/test_dashboards.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from catalog.prices import on_demand_price
from config.schema.addons import KUBE_PROMETHEUS_STACK_DATASOURCE
from fleet.resolved import Fleet
from observability.alerts import GPU_MEM, KV_MAX, QUEUE, TTFT_P95
from vocabulary import names
from vocabulary.scheduling import CAPACITY_TYPE_LABEL, GPU_NAME_LABEL, POOL_LABEL

# kube-state-metrics exposes node labels only when allow-listed (kube-prometheus-stack sets none):
# label_<key> with every character outside [a-zA-Z0-9_] turned into "_".
INFERENCE, GPU_FLEET, CAPACITY = names.DASHBOARD_UIDS  # each dashboard's uid, also its ConfigMap's name
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
KARPENTER_CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type"
EXPORTED_NODE_LABELS = (
    INSTANCE_TYPE_LABEL,
    KARPENTER_CAPACITY_TYPE_LABEL,
    POOL_LABEL,
    CAPACITY_TYPE_LABEL,
    GPU_NAME_LABEL,
)
NODE_LABELS_ALLOWLIST = [f"nodes=[{','.join(EXPORTED_NODE_LABELS)}]"]


def metric_label(node_label: str) -> str:
    """kube-state-metrics' name for a node label: label_<key> with every other character turned into "_"."""
    return "label_" + re.sub(r"[^a-zA-Z0-9_]", "_", node_label)


INSTANCE_TYPE = metric_label(INSTANCE_TYPE_LABEL)
CAPACITY_TYPE = metric_label(CAPACITY_TYPE_LABEL)

M = 'namespace="$namespace",model_name=~"$model"'
# The datasource every panel reads: the uid kube-prometheus-stack 88.5.3 provisions for its Prometheus
# (values.yaml grafana.sidecar.datasources.uid); `on_datasource` moves a dashboard to another.
DATASOURCE = {"type": "prometheus", "uid": KUBE_PROMETHEUS_STACK_DATASOURCE}


def timeseries_panel(
    title: str, targets: list[tuple[str, str]], unit: str = "short", width: int = 12
) -> dict[str, Any]:
    return {
        "type": "timeseries",
        "title": title,
        "datasource": dict(DATASOURCE),
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "gridPos": {"w": width, "h": 8},
        "targets": [
            {"refId": chr(65 + i), "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def make_dashboard(
    uid: str, title: str, panels: list[dict[str, Any]], variables: list[dict[str, Any]]
) -> dict[str, Any]:
    x = y = 0
    for i, p in enumerate(panels):  # two columns, in order
        p["id"] = i + 1
        p["gridPos"] |= {"x": x, "y": y}
        x = (x + p["gridPos"]["w"]) % 24
        y += 8 if x == 0 else 0
    return {
        "uid": uid,
        "title": title,
        "tags": ["llm-platform"],
        "schemaVersion": 39,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables},
        "panels": panels,
    }


def query_var(name: str, query: str, multi: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "type": "query",
        "datasource": dict(DATASOURCE),
        "query": {"query": query, "refId": name},
        "refresh": 2,
        "multi": multi,
        "includeAll": multi,
        **({"allValue": ".*"} if multi else {}),
    }


def inference(namespace: str) -> dict[str, Any]:
    rate = "[5m]"

    def q(histogram: str, p: float) -> str:
        return f"histogram_quantile({p}, sum by (model_name, le) (rate({histogram}_bucket{{{M}}}{rate})))"

    panels = [
        timeseries_panel("Requests per second", [(f"sum by (model_name, finished_reason) (rate(vllm:request_success_total{{{M}}}{rate}))", "{{model_name}} {{finished_reason}}")], "reqps"),
        timeseries_panel("Time to first token", [(q("vllm:time_to_first_token_seconds", p), f"{{{{model_name}}}} p{int(p * 100)}") for p in (0.5, 0.95, 0.99)], "s"),
        timeseries_panel("Inter-token latency p95", [(q("vllm:inter_token_latency_seconds", 0.95), "{{model_name}}")], "s"),
        timeseries_panel("End-to-end latency p95", [(q("vllm:e2e_request_latency_seconds", 0.95), "{{model_name}}")], "s"),
        timeseries_panel("Queue depth and replicas", [
            (f'{QUEUE}{{{M}}}', "{{model_name}} waiting"),
            ('kube_deployment_spec_replicas{namespace="$namespace",deployment=~"$model"}', "{{deployment}} desired"),
            ('kube_deployment_status_replicas_ready{namespace="$namespace",deployment=~"$model"}', "{{deployment}} ready"),
        ]),
        timeseries_panel("Running requests", [(f"sum by (model_name) (vllm:num_requests_running{{{M}}})", "{{model_name}}")]),
        timeseries_panel("KV cache usage (fullest replica)", [(f'{KV_MAX}{{{M}}}', "{{model_name}}")], "percentunit"),
        timeseries_panel("Token throughput", [
            (f"sum by (model_name) (rate(vllm:prompt_tokens_total{{{M}}}{rate}))", "{{model_name}} prompt"),
            (f"sum by (model_name) (rate(vllm:generation_tokens_total{{{M}}}{rate}))", "{{model_name}} generated"),
        ], "short"),
        timeseries_panel("Prefix cache hit rate", [(
            f"sum by (model_name) (rate(vllm:prefix_cache_hits_total{{{M}}}{rate})) / "
            f"sum by (model_name) (rate(vllm:prefix_cache_queries_total{{{M}}}{rate}))", "{{model_name}}")], "percentunit"),
        timeseries_panel("Preemptions", [(f"sum by (model_name) (rate(vllm:num_preemptions_total{{{M}}}{rate}))", "{{model_name}}")]),
        timeseries_panel("Finished reasons", [(f"sum by (finished_reason) (increase(vllm:request_success_total{{{M}}}[1h]))", "{{finished_reason}}")]),
        timeseries_panel("TTFT p95 (recorded, 5m)", [(f'{TTFT_P95}{{{M}}}', "{{model_name}}")], "s"),
    ]  # fmt: skip
    variables = [
        {"name": "namespace", "type": "constant", "query": namespace, "hide": 2},
        query_var(
            "model",
            f'label_values(vllm:num_requests_running{{namespace="{namespace}"}}, model_name)',
            multi=True,
        ),
    ]
    return make_dashboard(INFERENCE, "LLM inference", panels, variables)


def gpu_fleet() -> dict[str, Any]:
    by = "by (hostname, gpu)"
    panels = [
        timeseries_panel("Engine active (real utilisation)", [(f"avg {by} (DCGM_FI_PROF_GR_ENGINE_ACTIVE)", "{{hostname}} gpu{{gpu}}")], "percentunit"),
        timeseries_panel("Tensor core activity", [(f"avg {by} (DCGM_FI_PROF_PIPE_TENSOR_ACTIVE)", "{{hostname}} gpu{{gpu}}")], "percentunit"),
        timeseries_panel("Framebuffer used", [(f"{GPU_MEM}", "{{hostname}} gpu{{gpu}}")], "percentunit"),
        timeseries_panel("Framebuffer used / free (MiB)", [
            (f"sum {by} (DCGM_FI_DEV_FB_USED)", "{{hostname}} gpu{{gpu}} used"),
            (f"sum {by} (DCGM_FI_DEV_FB_FREE)", "{{hostname}} gpu{{gpu}} free"),
        ], "decmbytes"),
        timeseries_panel("Temperature", [(f"max {by} (DCGM_FI_DEV_GPU_TEMP)", "{{hostname}} gpu{{gpu}}")], "celsius"),
        timeseries_panel("Power", [(f"sum {by} (DCGM_FI_DEV_POWER_USAGE)", "{{hostname}} gpu{{gpu}}")], "watt"),
        timeseries_panel("XID errors", [(f"max {by} (DCGM_FI_DEV_XID_ERRORS)", "{{hostname}} gpu{{gpu}}")]),
        timeseries_panel("Engine active per pod", [("avg by (namespace, pod) (DCGM_FI_PROF_GR_ENGINE_ACTIVE{pod!=\"\"})", "{{namespace}}/{{pod}}")], "percentunit"),
    ]  # fmt: skip
    return make_dashboard(GPU_FLEET, "GPU fleet", panels, [])


def capacity(region: str, namespace: str, instance_types: list[str]) -> dict[str, Any]:
    """Nodes by capacity and instance type, and an on-demand $/hour estimate from the catalog's prices."""
    nodes = f'count by ({INSTANCE_TYPE}, {CAPACITY_TYPE}) (kube_node_labels{{{CAPACITY_TYPE}!=""}})'
    priced = [(t, on_demand_price(region, t)) for t in sorted(set(instance_types))]
    cost = (
        " + ".join(
            f'(count(kube_node_labels{{{INSTANCE_TYPE}="{t}"}}) or vector(0)) * {price}'
            for t, price in priced
            if price
        )
        or "vector(0)"
    )
    panels = [
        timeseries_panel("GPU nodes by capacity and instance type", [(nodes, "{{" + CAPACITY_TYPE + "}} {{" + INSTANCE_TYPE + "}}")]),
        timeseries_panel("Estimated on-demand $/hour of GPU nodes", [(cost, "USD/hour")], "currencyUSD"),
        timeseries_panel("Desired vs current replicas (KEDA HPAs)", [
            ('kube_horizontalpodautoscaler_status_desired_replicas{namespace="$namespace"}', "{{horizontalpodautoscaler}} desired"),
            ('kube_horizontalpodautoscaler_status_current_replicas{namespace="$namespace"}', "{{horizontalpodautoscaler}} current"),
        ]),
        timeseries_panel("Pending GPU pods", [(
            'sum(sum by (namespace, pod) (kube_pod_status_phase{phase="Pending"}) * on (namespace, pod) '
            '(sum by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) > bool 0))',
            "pending")]),
        timeseries_panel("NodePool GPU usage vs limit", [
            ('karpenter_nodepools_usage{resource_type="nvidia.com/gpu"}', "{{nodepool}} used"),
            ('karpenter_nodepools_limit{resource_type="nvidia.com/gpu"}', "{{nodepool}} limit"),
        ]),
        timeseries_panel("Spot interruptions per hour", [(
            "sum by (message_type) (increase(karpenter_interruption_received_messages_total[1h]))", "{{message_type}}")]),
    ]  # fmt: skip
    variables = [{"name": "namespace", "type": "constant", "query": namespace, "hide": 2}]
    return make_dashboard(CAPACITY, "Capacity and cost", panels, variables)


def all_dashboards(fleet: Fleet) -> dict[str, dict[str, Any]]:
    """Every dashboard, for the fleet's inference namespace and the instance types its pools may launch, on the
    Grafana datasource of the fleet's Prometheus."""
    types = [t for p in fleet.pools.values() for t in p.instance_types]
    dashboards = {
        INFERENCE: inference(fleet.namespace),
        GPU_FLEET: gpu_fleet(),
        CAPACITY: capacity(fleet.region, fleet.namespace, types),
    }
    return {uid: on_datasource(d, fleet.addons.grafana_datasource_uid) for uid, d in dashboards.items()}


def on_datasource(dashboard: dict[str, Any], uid: str) -> dict[str, Any]:
    """`dashboard` with every panel and query variable reading the Prometheus datasource `uid`. Built on
    kube-prometheus-stack's (`prometheus`); an existing Grafana names its own."""
    if uid == DATASOURCE["uid"]:
        return dashboard
    source = {**DATASOURCE, "uid": uid}
    panels = [{**p, "datasource": source} for p in dashboard["panels"]]
    variables = [
        {**v, "datasource": source} if "datasource" in v else v for v in dashboard["templating"]["list"]
    ]
    return {**dashboard, "panels": panels, "templating": {"list": variables}}


def panel_queries(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p["targets"]]


def as_configmap_data(dashboard: dict[str, Any]) -> dict[str, str]:
    return {f"{dashboard['uid']}.json": json.dumps(dashboard, indent=1, sort_keys=True)}
