"""Every metric name a shipped query reads is exported by the pinned versions (observability/metric_names.yaml)."""

from __future__ import annotations

from serving.autoscaling import queries
from tests.promql.metric_names import inventory, metric_names
from tests.promql.test_alerts import rendered_groups


def test_the_tokenizer_finds_metrics_not_functions_labels_or_strings():
    expr = (
        'sum by (namespace, le) (rate(vllm:time_to_first_token_seconds_bucket{model_name="x:y"}[5m])) '
        "/ on (namespace) group_left() kube_pod_info > bool 0 or vector(0)"
    )
    assert metric_names(expr) == {"vllm:time_to_first_token_seconds_bucket", "kube_pod_info"}


def test_inventory_has_the_removed_names_absent():
    names = inventory()
    assert "vllm:time_to_first_token_seconds_bucket" in names
    for gone in ("vllm:gpu_cache_usage_perc", "vllm:time_per_output_token_seconds", "keda_scaler_errors_total",
                 "karpenter_provisioner_scheduling_duration_seconds"):  # fmt: skip
        assert gone not in names


def test_rules_and_triggers_read_only_exported_metrics(plan):
    known = inventory()
    ours = set()
    used: dict[str, set[str]] = {}
    for group in rendered_groups(plan):
        for rule in group["rules"]:
            if "record" in rule:
                ours.add(rule["record"])
            used[rule.get("alert") or rule["record"]] = metric_names(rule["expr"])
    for m in plan.fleet.models:
        for name, q in queries(m).items():
            used[f"{m.name}:{name}"] = metric_names(q)
    unknown = {where: names - known - ours for where, names in used.items() if names - known - ours}
    assert unknown == {}, f"metric names not exported by the pinned versions: {unknown}"
    assert len(used) > 20
