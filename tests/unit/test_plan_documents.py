"""What `make plan` writes for `make plan-diff` to compare: plan.json's provider identity, cost.json's totals
and policy.json's findings."""

from __future__ import annotations

import json

import pytest

from cost.estimate import estimate
from cost.report import cost_json, summary_line
from cost.sources import TablePrices
from planner.aws_identity import aws_identity
from planner.policy_check import check_policies
from tests.conftest import stack_doc


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-west-2", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-isob-east-1", "aws-iso-b"),
    ],
)
def test_the_partition_follows_the_region(region, partition):
    assert aws_identity(region, {})["partition"] == partition


def test_the_account_is_the_last_assumed_role_s_else_the_only_allowed_one_else_unknown():
    chain = json.dumps(
        [
            {"roleArn": "arn:aws:iam::111122223333:role/hop"},
            {"roleArn": "arn:aws:iam::444455556666:role/deploy"},
        ]
    )
    allowed = json.dumps(["777788889999"])
    assert aws_identity("us-west-2", {"aws:assumeRoles": chain, "aws:allowedAccountIds": allowed})[
        "account"
    ] == ("444455556666")
    assert aws_identity("us-west-2", {"aws:allowedAccountIds": allowed})["account"] == "777788889999"
    assert aws_identity("us-west-2", {"aws:allowedAccountIds": json.dumps(["1", "2"])})["account"] is None
    assert aws_identity("us-west-2", {"aws:profile": "prod"})["account"] is None


def test_plan_json_records_each_stack_s_aws_provider(plans):
    for stack, p in plans.items():
        region = stack_doc(stack)["config"]["aws:region"]
        assert p.as_json()["providers"] == {"aws": {"region": region, "partition": "aws", "account": None}}


def test_cost_json_holds_the_totals_the_summary_line_prints(plans):
    for stack, p in plans.items():
        est = estimate(p.fleet, TablePrices(), stack)
        doc = cost_json(est)
        line = summary_line(est)
        low, high = doc["monthlyUsd"]["min"], doc["monthlyUsd"]["max"]
        assert line.startswith(
            f"Estimated cost: ${low['usd']:,.2f}/month at minimum scale, ${high['usd']:,.2f}/month"
        )
        assert low["complete"] and high["complete"] and doc["priceSource"] == est.price_source


def test_policy_json_names_each_finding_s_rule_level_and_resource(plans, tmp_path, capsys):
    check_policies(plans["prod"], tmp_path)
    capsys.readouterr()
    doc = json.loads((tmp_path / "policy.json").read_text())
    text = (tmp_path / "policy.txt").read_text().splitlines()
    assert doc["config"] == "policy/config/prod.json" and doc["rules"] == 12
    # One line of policy.txt per finding, in the same order, naming the same rule and resource.
    listed = [line for line in text if line.startswith(("  x [", "  ! ["))]
    assert len(listed) == len(doc["findings"]) > 0
    for line, f in zip(listed, doc["findings"], strict=True):
        assert line.startswith(
            f"  {'x' if f['level'] == 'mandatory' else '!'} [{f['policy']}] {f['subject']}: "
        )
        assert f["urn"] == "" or f["urn"].endswith(f"::{f['subject'].split(' ')[-1]}")
        assert ("[blocks a real preview or up]" in line) == f["blocksRealPreview"]
