"""Every alert the platform ships, run by Prometheus on synthetic series: once firing, once quiet.

The rules tested are the ones `make plan` renders for the dev stack (default thresholds). promtool compares
annotations exactly, so the unit tests run on a copy without annotations; `promtool check rules` validates the
annotation templates of the real rules.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from observability.alerts import platform_rules
from tests.promql.promtool import check_rules, needs_promtool, run_rule_tests

pytestmark = needs_promtool
RUNBOOKS = Path(__file__).resolve().parents[2] / "docs" / "runbooks.md"


def rendered_groups(plan) -> list[dict]:
    """Platform rules plus every model's rules, as the plan renders them."""
    groups = []
    for r in plan.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule"):
        groups += r["inputs"]["spec"]["groups"]
    return groups


def without_annotations(groups: list[dict]) -> list[dict]:
    groups = copy.deepcopy(groups)
    for g in groups:
        for rule in g["rules"]:
            rule.pop("annotations", None)
    return groups


def alert_names(groups: list[dict]) -> set[str]:
    return {r["alert"] for g in groups for r in g["rules"] if "alert" in r}


def test_rendered_rules_pass_promtool_check(tmp_path, plan):
    groups = rendered_groups(plan)
    assert {"llm-platform.recording", "llm-platform.serving", "llm-platform.gpu"} <= {
        g["name"] for g in groups
    }
    out = check_rules(tmp_path, groups)
    assert "SUCCESS" in out


def test_every_alert_has_severity_summary_description_and_a_runbook_section(plan):
    sections = set(re.findall(r"^## (\w+)$", RUNBOOKS.read_text(), flags=re.M))
    # Absolute: Alertmanager, Slack and pagers open the link as written (llm-platform:repository.url).
    runbooks = f"{plan.config.repository.url}/blob/main/docs/runbooks.md"
    assert runbooks.startswith("https://")
    for g in rendered_groups(plan):
        for rule in (r for r in g["rules"] if "alert" in r):
            assert rule["labels"]["severity"] in {"warning", "critical"}
            assert {"summary", "description", "runbook_url"} <= set(rule["annotations"])
            assert rule["annotations"]["runbook_url"] == f"{runbooks}#{rule['alert'].lower()}"
            assert rule["alert"] in sections, f"docs/runbooks.md has no section for {rule['alert']}"


NS = 'namespace="inference"'
GW = 'namespace="envoy-gateway-system"'
HCM = 'envoy_http_conn_manager_prefix="http-10080"'
DEV_MODEL = "qwen3-0-6b"


def s(series: str, values: str) -> dict:
    return {"series": series, "values": values}


def gpu(metric: str, values: str) -> dict:
    return s(f'{metric}{{gpu="0",hostname="ip-10-0-0-1",UUID="GPU-1",modelName="NVIDIA L4"}}', values)


GPU_LABELS = {"gpu": "0", "hostname": "ip-10-0-0-1", "UUID": "GPU-1", "modelName": "NVIDIA L4"}


def ttft(model: str, le_counts: dict[str, int]) -> list[dict]:
    return [
        s(
            f'vllm:time_to_first_token_seconds_bucket{{{NS},model_name="{model}",pod="p",le="{le}"}}',
            f"0+{n}x40",
        )
        for le, n in le_counts.items()
    ]


# alert -> (firing input, eval time, expected labels (besides severity), quiet input)
CASES = {
    "LLMRequestQueueBacklog": (
        [s(f'vllm:num_requests_waiting{{{NS},model_name="m",pod="a"}}', "12x10")], "8m",
        {"namespace": "inference", "model_name": "m"},
        [s(f'vllm:num_requests_waiting{{{NS},model_name="m",pod="a"}}', "5x10")],
    ),
    "LLMKVCacheNearlyFull": (
        [s(f'vllm:kv_cache_usage_perc{{{NS},model_name="m",pod="a"}}', "0.95x20")], "15m",
        {"namespace": "inference", "model_name": "m"},
        [s(f'vllm:kv_cache_usage_perc{{{NS},model_name="m",pod="a"}}', "0.5x20")],
    ),
    "LLMModelReplicasUnavailable": (
        [s(f'kube_deployment_status_replicas_available{{{NS},deployment="m"}}', "1x30"),
         s(f'kube_deployment_spec_replicas{{{NS},deployment="m"}}', "2x30")], "20m",
        {"namespace": "inference", "deployment": "m"},
        [s(f'kube_deployment_status_replicas_available{{{NS},deployment="m"}}', "2x30"),
         s(f'kube_deployment_spec_replicas{{{NS},deployment="m"}}', "2x30")],
    ),
    "LLMModelPodCrashLooping": (
        [s(f'kube_pod_container_status_waiting_reason{{{NS},pod="m-1",uid="u",container="vllm",reason="CrashLoopBackOff"}}', "1x10")],
        "8m", {"namespace": "inference", "pod": "m-1", "container": "vllm"},
        [s(f'kube_pod_container_status_waiting_reason{{{NS},pod="m-1",uid="u",container="vllm",reason="CrashLoopBackOff"}}', "0x10")],
    ),
    "LLMWeightsPreloadFailed": (
        [s(f'kube_job_failed{{{NS},job_name="preload-m",condition="true"}}', "1x5")], "2m",
        {"namespace": "inference", "job_name": "preload-m"},
        [s(f'kube_job_failed{{{NS},job_name="backup",condition="true"}}', "1x5")],
    ),
    "GPUMemoryNearlyFull": (
        [gpu("DCGM_FI_DEV_FB_USED", "23000x20"), gpu("DCGM_FI_DEV_FB_FREE", "300x20")], "15m", GPU_LABELS,
        [gpu("DCGM_FI_DEV_FB_USED", "20000x20"), gpu("DCGM_FI_DEV_FB_FREE", "3000x20")],
    ),
    "GPUTemperatureHigh": ([gpu("DCGM_FI_DEV_GPU_TEMP", "90x10")], "8m", GPU_LABELS, [gpu("DCGM_FI_DEV_GPU_TEMP", "70x10")]),
    "GPUXidError": ([gpu("DCGM_FI_DEV_XID_ERRORS", "0 0 79 79")], "3m", GPU_LABELS, [gpu("DCGM_FI_DEV_XID_ERRORS", "0x3")]),
    "GPURowRemapFailure": ([gpu("DCGM_FI_DEV_ROW_REMAP_FAILURE", "1x3")], "2m", GPU_LABELS,
                           [gpu("DCGM_FI_DEV_ROW_REMAP_FAILURE", "0x3")]),
    "GPUUncorrectableRemappedRows": ([gpu("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "2x3")], "2m", GPU_LABELS,
                                     [gpu("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "0x3")]),
    "GPUPodPendingNoNode": (
        [s(f'kube_pod_status_phase{{{NS},pod="m-1",uid="u",phase="Pending"}}', "1x30"),
         s(f'kube_pod_container_resource_requests{{{NS},pod="m-1",uid="u",container="vllm",node="",resource="nvidia_com_gpu",unit="integer"}}', "1x30")],
        "20m", {"namespace": "inference", "pod": "m-1"},
        # A pending pod without GPUs is someone else's problem.
        [s(f'kube_pod_status_phase{{{NS},pod="web-1",uid="u",phase="Pending"}}', "1x30"),
         s(f'kube_pod_container_resource_requests{{{NS},pod="web-1",uid="u",container="web",node="",resource="cpu",unit="core"}}', "1x30")],
    ),
    "KEDAScalerErrors": (
        [s(f'keda_scaler_detail_errors_total{{{NS},scaledObject="m",scaler="prometheusScaler",triggerIndex="0",metric="s0-prometheus",type="scaledobject"}}', "0+1x30")],
        "20m", {"namespace": "inference", "scaledObject": "m"},
        [s(f'keda_scaler_detail_errors_total{{{NS},scaledObject="m",scaler="prometheusScaler",triggerIndex="0",metric="s0-prometheus",type="scaledobject"}}', "0x30")],
    ),
    "KarpenterProvisioningFailures": (
        [s('karpenter_cloudprovider_errors_total{controller="nodeclaim.lifecycle",method="Create",provider="aws",error="InsufficientCapacityError"}', "0+1x40")],
        "35m", {"controller": "nodeclaim.lifecycle", "error": "InsufficientCapacityError"},
        [s('karpenter_cloudprovider_errors_total{controller="nodeclaim.lifecycle",method="Get",provider="aws",error="NodeClaimNotFoundError"}', "0+1x40")],
    ),
    "KarpenterSpotInterruptionSpike": (
        [s('karpenter_interruption_received_messages_total{message_type="spot_interrupted"}', "0+1x70")], "65m", {},
        [s('karpenter_interruption_received_messages_total{message_type="rebalance_recommendation"}', "0+1x70")],
    ),
    "LLMModelStartupTooSlow": (
        [s(f'kube_pod_status_ready{{{NS},pod="{DEV_MODEL}-5d9c7b8f6-x2x4k",uid="u",condition="false"}}', "1x40")],
        "15m", {"namespace": "inference", "pod": f"{DEV_MODEL}-5d9c7b8f6-x2x4k", "model_name": DEV_MODEL},
        [s(f'kube_pod_status_ready{{{NS},pod="other-5d9c7b8f6-x2x4k",uid="u",condition="false"}}', "1x40")],
    ),
    "LLMTimeToFirstTokenSLOBreach": (
        # p95 = 2.5 + 2.5 x (95 - 50) / (100 - 50) = 4.75 s, above the default 2.5 s SLO
        ttft(DEV_MODEL, {"1.0": 10, "2.5": 50, "5.0": 100, "+Inf": 100}), "25m",
        {"namespace": "inference", "model_name": DEV_MODEL},
        ttft(DEV_MODEL, {"1.0": 100, "2.5": 100, "5.0": 100, "+Inf": 100}),
    ),
    # The gateway (dev: one proxy namespace, tenant playground at 100,000 tokens per minute).
    "LLMGatewayHigh5xxRatio": (
        [s(f'envoy_http_downstream_rq_xx{{{GW},{HCM},envoy_response_code_class="5",pod="p"}}', "0+10x20"),
         s(f'envoy_http_downstream_rq_total{{{GW},{HCM},pod="p"}}', "0+100x20"),
         # Envoy's own stats listener is not the gateway's traffic.
         s(f'envoy_http_downstream_rq_total{{{GW},envoy_http_conn_manager_prefix="eg-stats-http",pod="p"}}', "0+1000x20")],
        "15m", {},
        [s(f'envoy_http_downstream_rq_xx{{{GW},{HCM},envoy_response_code_class="5",pod="p"}}', "0+1x20"),
         s(f'envoy_http_downstream_rq_total{{{GW},{HCM},pod="p"}}', "0+100x20")],
    ),
    "LLMGateway429Storm": (
        [s(f'envoy_cluster_ratelimit_over_limit{{{GW},envoy_cluster_name="httproute/r/rule/0",pod="p"}}', "0+50x30"),
         s(f'envoy_http_downstream_rq_total{{{GW},{HCM},pod="p"}}', "0+100x30")],
        "20m", {},
        [s(f'envoy_cluster_ratelimit_over_limit{{{GW},envoy_cluster_name="httproute/r/rule/0",pod="p"}}', "0+5x30"),
         s(f'envoy_http_downstream_rq_total{{{GW},{HCM},pod="p"}}', "0+100x30")],
    ),
    "LLMGatewayUnavailable": (
        [s(f'kube_deployment_status_replicas_available{{{GW},deployment="llm-gateway"}}', "0x10")], "8m", {},
        [s(f'kube_deployment_status_replicas_available{{{GW},deployment="llm-gateway"}}', "1x10")],
    ),
    "LLMTenantNearTokenQuota": (
        [s(f'gen_ai_client_token_usage_sum{{{GW},llm_platform_client="playground.dev-1",gen_ai_token_type="output",gen_ai_request_model="m",pod="p"}}', "0+90000x30")],
        "20m", {"tenant": "playground"},
        [s(f'gen_ai_client_token_usage_sum{{{GW},llm_platform_client="playground.dev-1",gen_ai_token_type="output",gen_ai_request_model="m",pod="p"}}', "0+50000x30")],
    ),
}  # fmt: skip


def test_every_alert_has_a_firing_and_a_quiet_case(plans):
    # LLMOutputLengthDrift needs a week of history: its own test below.
    assert alert_names(rendered_groups(plans["dev"])) == set(CASES) | {"LLMOutputLengthDrift"}


@pytest.mark.parametrize("alert", sorted(CASES))
def test_alert_fires_on_its_condition_and_stays_quiet_otherwise(tmp_path, plans, alert):
    firing, at, labels, quiet = CASES[alert]
    groups = without_annotations(rendered_groups(plans["dev"]))
    severity = next(r["labels"]["severity"] for g in groups for r in g["rules"] if r.get("alert") == alert)
    run_rule_tests(tmp_path, groups, [
        {"interval": "1m", "input_series": firing,
         "alert_rule_test": [{"eval_time": at, "alertname": alert,
                              "exp_alerts": [{"exp_labels": {**labels, "severity": severity}}]}]},
        {"interval": "1m", "input_series": quiet,
         "alert_rule_test": [{"eval_time": at, "alertname": alert, "exp_alerts": []}]},
    ])  # fmt: skip


def test_output_length_drift_against_the_seven_day_baseline(tmp_path, plans):
    from config.schema.operations import AlertsConfig

    groups = without_annotations(
        platform_rules(AlertsConfig(), "inference", "https://example.com/runbooks.md")
    )

    def bucket(le: str) -> str:
        return f'vllm:request_generation_tokens_bucket{{{NS},model_name="m",pod="a",le="{le}"}}'

    week, day = 1008, 144  # 10-minute steps
    # Six days of answers in (64, 128] tokens, then a day in (128, 256]: the median doubles.
    drifting = [
        s(bucket("64"), f"0x{week}"),
        s(bucket("128"), f"0+100x{week - day} {(week - day) * 100}+0x{day}"),
        s(bucket("256"), f"0+100x{week}"),
        s(bucket("+Inf"), f"0+100x{week}"),
    ]
    steady = [
        s(bucket("64"), f"0x{week}"),
        s(bucket("128"), f"0+100x{week}"),
        s(bucket("256"), f"0+100x{week}"),
        s(bucket("+Inf"), f"0+100x{week}"),
    ]
    run_rule_tests(tmp_path, groups, [
        {"interval": "10m", "input_series": drifting,
         "alert_rule_test": [{"eval_time": "167h", "alertname": "LLMOutputLengthDrift",
                              "exp_alerts": [{"exp_labels": {"namespace": "inference", "model_name": "m",
                                                             "severity": "warning"}}]}]},
        {"interval": "10m", "input_series": steady,
         "alert_rule_test": [{"eval_time": "167h", "alertname": "LLMOutputLengthDrift", "exp_alerts": []}]},
    ], evaluation_interval="10m")  # fmt: skip
