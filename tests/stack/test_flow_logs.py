"""`llm-platform:network.flowLogs`: prod records its VPC's traffic to a CloudWatch log group with a retention,
written by a role that may do nothing else; the S3 destination writes to the bucket named, with no role; in an
existing network the flow log goes on `existing.vpcId`; and a stack that does not ask for them has none."""

from __future__ import annotations

import json

import pytest

from planner.run import Plan, run_plan
from tests.conftest import STACKS, write_variant
from tests.stack.test_existing_network import VPC, existing_network

K = "llm-platform"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
FLOW_LOG_TYPES = {
    FLOW_LOG,
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:kms/key:Key",  # the log group's own key
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "llm-platform:network:FlowLogs",
}
BUCKET = "arn:aws:s3:::example-flow-logs/llm-prod"


def the_flow_log(plan: Plan) -> dict:
    (flow_log,) = plan.of_type(FLOW_LOG)
    return flow_log["inputs"]


def to_s3(c: dict) -> None:
    c[f"{K}:network"]["flowLogs"] = {"destination": "s3", "bucketArn": BUCKET, "trafficType": "REJECT"}


@pytest.fixture(scope="module")
def s3_plan(tmp_path_factory) -> Plan:
    return run_plan(write_variant(tmp_path_factory.mktemp("s3"), to_s3, base="prod"), "variant")


def test_prod_turns_flow_logs_on_to_cloudwatch_with_its_retention(plans):
    prod = plans["prod"]
    assert prod.config.network.flow_logs.destination == "cloudWatch"
    (log_group,) = [g for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup") if "flow-logs" in g["name"]]
    inputs = dict(log_group["inputs"])
    key = prod.by_name("flow-logs-key")
    assert inputs.pop("kmsKeyId").startswith("arn:aws:kms:") and key["type"] == "aws:kms/key:Key"
    assert inputs == {"name": "/aws/vpc/llm-prod/flow-logs", "retentionInDays": 90}
    flow_log = the_flow_log(prod)
    assert flow_log["logDestinationType"] == "cloud-watch-logs"
    assert flow_log["logDestination"].endswith(":log-group:/aws/vpc/llm-prod/flow-logs")
    assert flow_log["trafficType"] == "ALL"
    assert flow_log["vpcId"] == prod.outputs["vpcId"]  # the VPC the stack created


def test_the_flow_log_waits_for_the_role_policy(plans):
    (flow_log,) = plans["prod"].of_type(FLOW_LOG)
    assert any("aws:iam/rolePolicy:RolePolicy::flow-logs" in urn for urn in flow_log["dependsOn"])


def test_the_role_is_trusted_by_the_flow_log_service_of_this_account_and_region_only(plans):
    prod = plans["prod"]
    (role,) = [r for r in prod.of_type("aws:iam/role:Role") if r["name"] == "flow-logs"]
    (statement,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    account = statement["Condition"]["StringEquals"]["aws:SourceAccount"]
    assert account.isdigit() and len(account) == 12
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"] == (
        f"arn:aws:ec2:{prod.config.region}:{account}:vpc-flow-log/*"
    )
    # The flow log delivers with this role, the one the log group policy is on.
    (policy,) = [p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p["name"] == "flow-logs"]
    assert the_flow_log(prod)["iamRoleArn"].endswith(f":role/{policy['inputs']['role']}")


def test_the_role_may_only_write_its_own_log_group(plans):
    prod = plans["prod"]
    (policy,) = [p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p["name"] == "flow-logs"]
    group_arn = the_flow_log(prod)["logDestination"]
    (statement,) = json.loads(policy["inputs"]["policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == sorted(
        ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]
    )
    assert statement["Resource"] == [group_arn, f"{group_arn}:*"]
    assert not any("*" in arn.removesuffix(":*") for arn in statement["Resource"])


def test_s3_writes_to_the_bucket_named_with_no_log_group_and_no_role(s3_plan):
    flow_log = the_flow_log(s3_plan)
    assert flow_log["logDestinationType"] == "s3"
    assert flow_log["logDestination"] == BUCKET
    assert flow_log["trafficType"] == "REJECT"
    assert "iamRoleArn" not in flow_log
    children = {
        r["type"] for r in s3_plan.resources if "llm-platform:network:FlowLogs" in (r["parent"] or "")
    }
    assert children == {FLOW_LOG}


def test_in_an_existing_network_the_flow_log_is_on_the_vpc_named(tmp_path):
    def existing_with_flow_logs(c: dict) -> None:
        existing_network(c)
        c[f"{K}:network"]["flowLogs"] = {"destination": "cloudWatch", "retentionDays": 30}

    plan = run_plan(write_variant(tmp_path, existing_with_flow_logs, base="prod"), "variant")
    assert the_flow_log(plan)["vpcId"] == VPC
    (log_group,) = [g for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if "flow-logs" in g["name"]]
    assert log_group["inputs"]["retentionInDays"] == 30
    assert not plan.of_type("aws:ec2/vpc:Vpc")


@pytest.mark.parametrize("stack", STACKS)
def test_a_stack_has_flow_logs_exactly_when_its_file_asks_for_them(plans, stack):
    plan = plans[stack]
    components = plan.of_type("llm-platform:network:FlowLogs")
    children = [r for r in plan.resources if "llm-platform:network:FlowLogs" in (r["parent"] or "")]
    if plan.config.network.flow_logs is None:
        assert not components and not children
    else:
        assert len(components) == 1 and len(plan.of_type(FLOW_LOG)) == 1
        assert {r["type"] for r in children} <= FLOW_LOG_TYPES
