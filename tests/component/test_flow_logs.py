"""The FlowLogs component on its own: each destination's resources, and args that name a destination without
what it needs refused before anything is declared."""

from __future__ import annotations

import json

import pytest

from components.flow_logs import FlowLogs, FlowLogsArgs, log_group_policy
from tests.component.harness import record

VPC = "vpc-0a1b2c3d4e5f60718"
BUCKET = "arn:aws:s3:::example-flow-logs/c1"


def _flow_logs(**destination):
    def declare():
        FlowLogs(
            "fl",
            FlowLogsArgs(
                vpc_id=VPC, traffic_type="ALL", cluster_name="c1", region="eu-west-1", **destination
            ),
        )

    return record(declare, region="eu-west-1")


def test_cloudwatch_declares_a_log_group_a_role_its_policy_and_the_flow_log():
    rec = _flow_logs(destination="cloudWatch", retention_days=14)
    group = rec.one("aws:cloudwatch/logGroup:LogGroup")["inputs"]
    assert group["retentionInDays"] == 14 and group["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:")
    # The group's own key: CloudWatch Logs may use it for this group only.
    (statement,) = [
        s
        for s in json.loads(rec.one("aws:kms/key:Key")["inputs"]["policy"])["Statement"]
        if s["Sid"] == "CloudWatchLogsEncryptsTheGroup"
    ]
    assert statement["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    context = statement["Condition"]["StringEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert context == f"arn:aws:logs:eu-west-1:123456789012:log-group:{group['name']}"
    flow_log = rec.one("aws:ec2/flowLog:FlowLog")["inputs"]
    assert flow_log["vpcId"] == VPC and flow_log["logDestinationType"] == "cloud-watch-logs"
    trust = json.loads(rec.one("aws:iam/role:Role")["inputs"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"].startswith("arn:aws:ec2:eu-west-1:")
    policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy")["inputs"]["policy"])
    assert policy == log_group_policy(flow_log["logDestination"])


def test_s3_declares_the_flow_log_alone():
    rec = _flow_logs(destination="s3", bucket_arn=BUCKET)
    assert {r["type"] for r in rec.resources if r["type"].startswith("aws:")} == {"aws:ec2/flowLog:FlowLog"}
    assert rec.one("aws:ec2/flowLog:FlowLog")["inputs"]["logDestination"] == BUCKET


@pytest.mark.parametrize("destination, needs", [("cloudWatch", "retention_days"), ("s3", "bucket_arn")])
def test_a_destination_without_what_it_needs_is_refused(destination, needs):
    with pytest.raises(ValueError, match=needs):
        FlowLogsArgs(
            vpc_id=VPC, destination=destination, traffic_type="ALL", cluster_name="c1", region="eu-west-1"
        )
