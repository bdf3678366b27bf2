"""`llm-platform:network.flowLogs`: off when not written, each destination's keys required where they are needed
and refused where they mean nothing, every refusal at the key as the stack file writes it."""

from __future__ import annotations

from typing import Any

import pytest

from config.schema.infrastructure import NetworkConfig
from tests.unit.stack_config import K, edit, issues

FLOW_LOGS = f"{K}:network.flowLogs"
BUCKET = "arn:aws:s3:::example-flow-logs/llm-dev"


def with_flow_logs(flow_logs: dict[str, Any]) -> dict[str, str]:
    return edit(f"{K}:network", lambda v: v.update(flowLogs=flow_logs))


def test_flow_logs_are_off_unless_written():
    assert NetworkConfig.model_validate({"availabilityZones": ["us-west-2a", "us-west-2b"]}).flow_logs is None


def test_cloudwatch_takes_the_retention_written_or_ninety_days_and_all_traffic():
    assert issues(with_flow_logs({"destination": "cloudWatch", "retentionDays": 30})) == {}
    flow_logs = NetworkConfig.model_validate(
        {"availabilityZones": ["us-west-2a", "us-west-2b"], "flowLogs": {"destination": "cloudWatch"}}
    ).flow_logs
    assert (flow_logs.retention_days, flow_logs.traffic_type, flow_logs.bucket_arn) == (90, "ALL", None)


def test_s3_takes_a_bucket_with_a_folder_and_a_traffic_type():
    assert issues(with_flow_logs({"destination": "s3", "bucketArn": BUCKET, "trafficType": "REJECT"})) == {}


@pytest.mark.parametrize(
    "flow_logs, key, words",
    [
        ({"destination": "cloudWatch", "retentionDays": 45}, "retentionDays", "90"),
        ({"destination": "s3"}, "bucketArn", "required key is missing"),
        ({"destination": "s3", "bucketArn": "example-flow-logs"}, "bucketArn", "arn:aws:s3:::"),
        ({"destination": "s3", "bucketArn": "arn:aws:logs:us-east-1:123456789012:log-group:x"}, "bucketArn",
         "arn:aws:s3:::"),
        ({"destination": "s3", "bucketArn": BUCKET, "retentionDays": 30}, "retentionDays", "lifecycle"),
        ({"destination": "cloudWatch", "bucketArn": BUCKET}, "bucketArn", "destination s3"),
        ({"destination": "kinesis"}, "destination", "cloudWatch"),
        ({"destination": "cloudWatch", "trafficType": "all"}, "trafficType", "ALL"),
        ({"destination": "cloudWatch", "retention": 30}, "retention", "retentionDays"),
        ({}, "destination", "missing"),
    ],
)  # fmt: skip
def test_a_bad_flow_logs_section_is_refused_at_its_key(flow_logs, key, words):
    found = issues(with_flow_logs(flow_logs))
    assert f"{FLOW_LOGS}.{key}" in found, found
    assert words in found[f"{FLOW_LOGS}.{key}"]
