"""Every KEDA trigger query, run by Prometheus itself on synthetic series (promtool test rules).

KEDA's prometheus scaler fails on a result with more than one series, so each query must return exactly one
series whatever the number of pods and models, filtered to its own model; and a sensible value with no pods.
"""

from __future__ import annotations

import pytest

from fleet.load import load_fleet
from planner.stackfile import read_stack
from serving.autoscaling import queries as model_queries
from tests.conftest import PROJECT_DIR
from tests.promql.promtool import needs_promtool, run_rule_tests

pytestmark = needs_promtool


@pytest.fixture(scope="module")
def queries() -> dict[str, str]:
    sf = read_stack(PROJECT_DIR, "prod")
    return model_queries(load_fleet(sf.config, sf.path.name, sf.secret_keys).model("qwen3-8b"))


def series(
    metric: str, model: str, pod: str, values: str, namespace: str = "inference", **labels: str
) -> dict:
    extra = "".join(f',{k}="{v}"' for k, v in labels.items())
    return {
        "series": f'{metric}{{namespace="{namespace}",model_name="{model}",pod="{pod}",engine="0"{extra}}}',
        "values": values,
    }


# Two replicas of our model, one of another model, one of our model's name in another namespace.
NOISE = [
    ("other-model", "inference", "x-1"),
    ("qwen3-8b", "staging", "y-1"),
]


def test_queue_depth_sums_our_replicas_only(tmp_path, queries):
    metric = "vllm:num_requests_waiting"
    inputs = [series(metric, "qwen3-8b", "a", "3x5"), series(metric, "qwen3-8b", "b", "5x5")]
    inputs += [series(metric, m, p, "100x5", namespace=ns) for m, ns, p in NOISE]
    run_rule_tests(tmp_path, [], [
        {"interval": "1m", "input_series": inputs,
         "promql_expr_test": [{"expr": queries["queue"], "eval_time": "3m", "exp_samples": [{"labels": "{}", "value": 8}]}]},
        # No pods: the sum of nothing is no series at all; KEDA's ignoreNullValues (default true) reads it as 0.
        {"interval": "1m", "input_series": [series(metric, "other-model", "x-1", "1x5")],
         "promql_expr_test": [{"expr": queries["queue"], "eval_time": "3m", "exp_samples": []}]},
    ])  # fmt: skip


def test_ttft_p95_is_one_series_on_our_buckets_and_zero_when_idle(tmp_path, queries):
    base = "vllm:time_to_first_token_seconds_bucket"

    # Per minute: 100 requests per pod; 90 under 1 s, 98 under 2.5 s, all under 5 s (cumulative buckets).
    def pod(p: str, model: str = "qwen3-8b", ns: str = "inference") -> list[dict]:
        return [
            series(base, model, p, f"0+{n}x10", namespace=ns, le=le)
            for le, n in (("0.5", 50), ("1.0", 90), ("2.5", 98), ("5.0", 100), ("+Inf", 100))
        ]

    busy = pod("a") + pod("b") + pod("x-1", model="other-model") + pod("y-1", ns="staging")
    idle = [series(base, "qwen3-8b", "a", "0x10", le=le) for le in ("1.0", "2.5", "+Inf")]
    run_rule_tests(tmp_path, [], [
        # p95 lies in the (1.0, 2.5] bucket: 1.0 + 1.5 x (95 - 90) / (98 - 90) = 1.9375
        {"interval": "1m", "input_series": busy,
         # promtool compares exactly; rate() arithmetic leaves ~1e-15 of float noise, so round to 1e-4.
         "promql_expr_test": [{"expr": f"round({queries['ttft_p95']}, 0.0001)", "eval_time": "5m",
                               "exp_samples": [{"labels": "{}", "value": 1.9375}]}]},
        # No traffic: histogram_quantile gives NaN; the query turns it into a plain 0 (no latency pressure).
        {"interval": "1m", "input_series": idle,
         "promql_expr_test": [{"expr": queries["ttft_p95"], "eval_time": "5m",
                               "exp_samples": [{"labels": "{}", "value": 0}]}]},
    ])  # fmt: skip


def test_kv_cache_usage_takes_the_fullest_replica(tmp_path, queries):
    metric = "vllm:kv_cache_usage_perc"
    inputs = [series(metric, "qwen3-8b", "a", "0.4x5"), series(metric, "qwen3-8b", "b", "0.92x5")]
    inputs += [series(metric, m, p, "0.99x5", namespace=ns) for m, ns, p in NOISE]
    run_rule_tests(tmp_path, [], [
        {"interval": "1m", "input_series": inputs,
         "promql_expr_test": [{"expr": queries["kv_cache"], "eval_time": "3m",
                               "exp_samples": [{"labels": "{}", "value": 0.92}]}]},
        {"interval": "1m", "input_series": [series(metric, "other-model", "x-1", "0.5x5")],
         "promql_expr_test": [{"expr": queries["kv_cache"], "eval_time": "3m",
                               "exp_samples": [{"labels": "{}", "value": 0}]}]},
    ])  # fmt: skip
