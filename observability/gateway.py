"""The gateway's rules and dashboard, by tenant and model.

Sources (observability/metric_names.yaml): the AI Gateway sidecar's GenAI histograms, which carry the model and,
through controller.metricsRequestHeaderAttributes, the client id `<tenant>.<key>`; Envoy's own counters, which
carry the response class and the rate limit's refusals; kube-state-metrics for the proxies' Deployment. The
tenant is cut from the client id by `label_replace` (tenant names hold no dot).
"""

from __future__ import annotations

from typing import Any

from config.schema.operations import AlertsConfig
from fleet.resolved import GatewayPlan
from observability.alerts import alert
from observability.dashboards import make_dashboard, on_datasource, query_var, timeseries_panel
from vocabulary import names
from vocabulary.gateway import CLIENT_METRIC_LABEL, GATEWAY_NAME

TENANT_TOKENS = "llm:gateway_tenant_tokens:per_minute"
TOKENS = "llm:gateway_tokens:rate5m"
REQUESTS = "llm:gateway_requests:rate5m"


def by_tenant(expr: str) -> str:
    return f'label_replace({expr}, "tenant", "$1", "{CLIENT_METRIC_LABEL}", "([^.]+)[.].*")'


def _scope(plan: GatewayPlan) -> str:
    return f'namespace="{plan.namespace}"'


def _listener(plan: GatewayPlan) -> str:
    """The Gateway's listeners only, not Envoy's own stats listener (its HCM prefix is `http-<port>`)."""
    return f'{_scope(plan)},envoy_http_conn_manager_prefix=~"https?-[0-9]+"'


def recording(plan: GatewayPlan) -> list[dict[str, Any]]:
    ns = _scope(plan)
    tokens = f'gen_ai_client_token_usage_sum{{{ns},gen_ai_token_type=~"input|output"}}'
    return [
        {"record": TOKENS, "expr": "sum by (tenant, gen_ai_request_model, gen_ai_token_type) "
                                   f"({by_tenant(f'rate(gen_ai_client_token_usage_sum{{{ns}}}[5m])')})"},
        {"record": REQUESTS, "expr": "sum by (tenant, gen_ai_request_model, error_type) "
                                     f"({by_tenant(f'rate(gen_ai_server_request_duration_seconds_count{{{ns}}}[5m])')})"},
        # Input plus output, as the token limit counts them, per minute.
        {"record": TENANT_TOKENS, "expr": f"sum by (tenant) ({by_tenant(f'rate({tokens}[2m])')}) * 60"},
    ]  # fmt: skip


def gateway_rules(a: AlertsConfig, plan: GatewayPlan, rb: str) -> list[dict[str, Any]]:
    ns, listener = _scope(plan), _listener(plan)
    rq = f"sum(rate(envoy_http_downstream_rq_total{{{listener}}}[5m]))"
    available = f'kube_deployment_status_replicas_available{{{ns},deployment="{GATEWAY_NAME}"}}'
    rules = [
        alert("LLMGatewayHigh5xxRatio",
              f'sum(rate(envoy_http_downstream_rq_xx{{{listener},envoy_response_code_class="5"}}[5m])) / {rq} '
              f"> {a.gateway_5xx_ratio}", "5m", "critical",
              "The gateway answers {{ $value | humanizePercentage }} of requests with 5xx",
              "Model servers are failing or unreachable behind the gateway.", rb),
        alert("LLMGateway429Storm",
              f"sum(rate(envoy_cluster_ratelimit_over_limit{{{ns}}}[5m])) / {rq} > {a.gateway_429_ratio}",
              "10m", "warning",
              "{{ $value | humanizePercentage }} of the gateway's requests are over a rate limit",
              "Tenants are refused (429): limits are too low for their traffic, or a client retries in a loop.", rb),
        alert("LLMGatewayUnavailable", f"(max({available}) or vector(0)) < 1", "3m", "critical",
              "No gateway proxy is available", "Every call to the OpenAI endpoint fails.", rb),
    ]  # fmt: skip
    for t in plan.tenants:
        rules.append(
            alert("LLMTenantNearTokenQuota",
                  f'{TENANT_TOKENS}{{tenant="{t.name}"}} > {a.tenant_token_quota} * {t.tokens_per_minute}',
                  "10m", "warning", "Tenant {{ $labels.tenant }} uses {{ $value }} tokens per minute",
                  f"{t.tokens_per_minute} tokens per minute is its limit ({t.key}.tokensPerMinute): its "
                  "requests will soon be refused with 429.", rb, labels={"tenant": t.name})
        )  # fmt: skip
    return [
        {"name": "llm-platform.gateway.recording", "rules": recording(plan)},
        {"name": "llm-platform.gateway", "rules": rules},
    ]


def gateway_dashboard(plan: GatewayPlan, datasource_uid: str) -> dict[str, Any]:
    """Requests, tokens, errors and latency by tenant and model; refusals and answers by status class."""
    ns, listener = _scope(plan), _listener(plan)
    t = 'tenant=~"$tenant"'

    def q(histogram: str, p: float) -> str:
        return (f"histogram_quantile({p}, sum by (gen_ai_request_model, le) "
                f"(rate({histogram}_bucket{{{ns}}}[5m])))")  # fmt: skip

    panels = [
        timeseries_panel("Requests by tenant and model", [
            (f"sum by (tenant, gen_ai_request_model) ({REQUESTS}{{{t}}})", "{{tenant}} {{gen_ai_request_model}}")],
            "reqps"),
        timeseries_panel("Tokens by tenant, model and kind", [
            (f'sum by (tenant, gen_ai_request_model, gen_ai_token_type) ({TOKENS}{{{t},gen_ai_token_type=~"input|output"}})',
             "{{tenant}} {{gen_ai_request_model}} {{gen_ai_token_type}}")], "short"),
        timeseries_panel("Tokens per minute against each tenant's limit", [
            (f"{TENANT_TOKENS}{{{t}}}", "{{tenant}}"),
            *((f"vector({x.tokens_per_minute})", f"{x.name} limit") for x in plan.tenants)], "short"),
        timeseries_panel("Failed requests by tenant and model", [
            (f'sum by (tenant, gen_ai_request_model) ({REQUESTS}{{{t},error_type!=""}})',
             "{{tenant}} {{gen_ai_request_model}}")], "reqps"),
        timeseries_panel("Answers by status class (4xx, 5xx) and rate-limit refusals (429)", [
            (f"sum by (envoy_response_code_class) (rate(envoy_http_downstream_rq_xx{{{listener}}}[5m]))",
             "{{envoy_response_code_class}}xx"),
            (f"sum(rate(envoy_cluster_ratelimit_over_limit{{{ns}}}[5m]))", "429 (rate limit)")], "reqps"),
        timeseries_panel("Request latency (p50, p95) by model", [
            (q("gen_ai_server_request_duration_seconds", 0.5), "p50 {{gen_ai_request_model}}"),
            (q("gen_ai_server_request_duration_seconds", 0.95), "p95 {{gen_ai_request_model}}")], "s"),
        timeseries_panel("Time to first token (p95) by model", [
            (q("gen_ai_server_time_to_first_token_seconds", 0.95), "{{gen_ai_request_model}}")], "s"),
        timeseries_panel("Inter-token latency (p95) by model", [
            (q("gen_ai_server_time_per_output_token_seconds", 0.95), "{{gen_ai_request_model}}")], "s"),
    ]  # fmt: skip
    variables = [query_var("tenant", f"label_values({TENANT_TOKENS}, tenant)", multi=True)]
    board = make_dashboard(names.GATEWAY_DASHBOARD_UID, "LLM gateway", panels, variables)
    return on_datasource(board, datasource_uid)
