"""Dashboards: provisioned for the sidecar, every panel query parses in Prometheus and reads known metrics."""

from __future__ import annotations

import json

from observability.dashboards import panel_queries
from tests.promql.metric_names import inventory, metric_names
from tests.promql.promtool import check_rules, needs_promtool
from tests.promql.test_alerts import rendered_groups


def dashboards(plan) -> dict[str, dict]:
    out = {}
    for cm in plan.of_type("kubernetes:core/v1:ConfigMap"):
        meta = cm["inputs"]["metadata"]
        if meta.get("labels", {}).get("grafana_dashboard") == "1":
            ((_, body),) = cm["inputs"]["data"].items()
            out[meta["name"]] = json.loads(body)
    return out


def concrete(expr: str) -> str:
    """Grafana variables replaced by values, so Prometheus can parse the query."""
    return expr.replace("$namespace", "inference").replace("$model", ".*").replace("$tenant", ".*")


def test_three_dashboards_for_the_sidecar_and_one_for_the_gateway(plan):
    boards = dashboards(plan)
    assert set(boards) == {
        "dashboard-llm-inference",
        "dashboard-llm-gpu-fleet",
        "dashboard-llm-capacity-cost",
        "dashboard-llm-gateway",
    }
    titles = {b["uid"]: {p["title"] for p in b["panels"]} for b in boards.values()}
    assert {
        "Time to first token",
        "Queue depth and replicas",
        "KV cache usage (fullest replica)",
        "Prefix cache hit rate",
        "Preemptions",
        "Finished reasons",
        "Token throughput",
    } <= titles["llm-inference"]
    assert {
        "Engine active (real utilisation)",
        "Tensor core activity",
        "Temperature",
        "Power",
        "XID errors",
    } <= titles["llm-gpu-fleet"]
    assert {"Estimated on-demand $/hour of GPU nodes", "Pending GPU pods"} <= titles["llm-capacity-cost"]  # fmt: skip
    assert {
        "Requests by tenant and model",
        "Tokens by tenant, model and kind",
        "Failed requests by tenant and model",
        "Answers by status class (4xx, 5xx) and rate-limit refusals (429)",
        "Request latency (p50, p95) by model",
        "Time to first token (p95) by model",
        "Inter-token latency (p95) by model",
    } <= titles["llm-gateway"]


def test_cost_panel_prices_come_from_the_catalog(plans):
    cost = next(
        p
        for p in dashboards(plans["prod"])["dashboard-llm-capacity-cost"]["panels"]
        if "$/hour" in p["title"]
    )
    expr = cost["targets"][0]["expr"]
    assert 'label_node_kubernetes_io_instance_type="g6e.12xlarge"}) or vector(0)) * 10.49264' in expr


@needs_promtool
def test_every_panel_query_parses(tmp_path, plan):
    queries = [concrete(q) for b in dashboards(plan).values() for q in panel_queries(b)]
    assert len(queries) > 25
    groups = [
        {"name": "panels", "rules": [{"record": f"panel:query{i}", "expr": q} for i, q in enumerate(queries)]}
    ]
    check_rules(tmp_path, groups)


def test_panels_read_only_exported_metrics(plan):
    recorded = {r["record"] for g in rendered_groups(plan) for r in g["rules"] if "record" in r}
    known = inventory() | recorded
    unknown = {q: metric_names(q) - known for b in dashboards(plan).values() for q in panel_queries(b)}
    assert {q: n for q, n in unknown.items() if n} == {}
