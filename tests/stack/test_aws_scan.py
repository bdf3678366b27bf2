"""The AWS half of `make scan`: the AWS and IAM skip lists are well-formed, justified and scoped, the pending
block is last, the IAM documents of every kind are found, and, where the tools' venvs exist, every real stack
passes checkov's AWS checks and the IAM linters with each skip still needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planner.render import write_plan
from security import aws_scan, iam_scan, tfplan
from security.iam_documents import THIS_KEY, documents
from security.skips import MIN_JUSTIFICATION, Finding, Skip, classify, load_skips
from tests.conftest import PROJECT_DIR, STACKS

CHECKOV = PROJECT_DIR / ".venv-checkov" / "bin" / "checkov"
IAM_PYTHON = PROJECT_DIR / ".venv-iam" / "bin" / "python"
PENDING = "# PENDING (issue 15 item 6, fixed on main)"


@pytest.mark.parametrize("module", [aws_scan, iam_scan], ids=["aws", "iam"])
def test_every_skip_names_a_check_says_why_and_is_scoped(module):
    skips = load_skips(module.SKIPS_FILE, module.RULES)
    assert skips
    for s in skips:
        assert module.RULES.check_id.match(s.id)
        assert len(s.justification) >= MIN_JUSTIFICATION
        assert s.resources, f"{s.id}: scope it to the resources it is about"


def test_the_pending_block_is_last_and_holds_only_pending_entries():
    # What issue 15 item 6 fixes on main: the lead deletes these entries (then the header) at merge.
    text = aws_scan.SKIPS_FILE.read_text()
    assert text.count(PENDING) <= 1
    head, _, tail = text.partition(PENDING)
    pending_ids = set(re.findall(r"^- id: (\S+)", tail, re.M))
    assert not pending_ids & set(re.findall(r"^- id: (\S+)", head, re.M))
    for s in load_skips(aws_scan.SKIPS_FILE, aws_scan.RULES):
        assert (s.id in pending_ids) == s.justification.startswith("PENDING issue 15 item 6"), s.id


def test_a_malformed_aws_skip_is_refused_with_every_problem(tmp_path):
    bad = tmp_path / "skips.yaml"
    bad.write_text(
        "- {id: CKV_K8S_8, justification: because}\n"
        "- {id: CKV_AWS_39, justification: " + "x" * 80 + ", resources: [Deployment.inference.x]}\n"
    )
    with pytest.raises(ValueError) as err:
        load_skips(bad, aws_scan.RULES)
    for wanted in ("[0].id", "[0].justification", "[1].resources"):
        assert wanted in str(err.value)


def test_iam_skips_apply_per_document_and_stale_ones_are_reported():
    skips = [
        Skip("parliament.RESOURCE_STAR", "x" * 60, ("aws_iam_role_policy.lbc-*",)),
        Skip("cloudsplaining.DataExfiltration", "x" * 60, ("aws_iam_role_policy.*",)),
    ]
    failed = [
        Finding("dev", "parliament.RESOURCE_STAR", "", "aws_iam_role_policy.lbc-policy", "aws/tfplan.json"),
        Finding("dev", "parliament.RESOURCE_STAR", "", "aws_iam_role_policy.other", "aws/tfplan.json"),
    ]
    out = classify(failed, 3, skips)
    assert [f.resource for f in out.failed] == ["aws_iam_role_policy.other"]
    assert [s.id for s in out.stale] == ["cloudsplaining.DataExfiltration"]


def test_every_kind_of_iam_document_in_the_plan_is_linted(plans):
    docs = documents(tfplan.convert(plans["prod"].as_json()))
    kinds = {d["kind"] for d in docs}
    assert kinds == {"trust", "identity", "resource"}
    roles = plans["prod"].of_type("aws:iam/role:Role")
    assert sum(d["kind"] == "trust" for d in docs) == len(roles)


def _builds(plans, tmp_path_factory) -> list[Path]:
    out = []
    for stack in STACKS:
        build = tmp_path_factory.mktemp("aws-scan") / stack
        write_plan(plans[stack], build)
        out.append(tfplan.write(build))
    return out


@pytest.mark.skipif(
    not (CHECKOV.exists() and IAM_PYTHON.exists()),
    reason="the scanners are not installed: `make scan` builds .venv-checkov and .venv-iam (CI runs it)",
)
def test_every_stack_passes_the_aws_scan_and_every_skip_is_still_needed(plans, tmp_path_factory):
    tfplans = _builds(plans, tmp_path_factory)
    aws = aws_scan.scan(str(CHECKOV), tfplans)
    assert aws.ok, "\n" + "\n".join(f"{f.check_id} {f.resource}" for f in aws.failed) + f"\nstale {aws.stale}"
    assert aws.passed > 100  # checkov really looked at the resources
    iam = iam_scan.scan(str(IAM_PYTHON), tfplans)
    assert iam.ok, "\n" + "\n".join(f"{f.check_id} {f.resource}" for f in iam.failed) + f"\nstale {iam.stale}"
    assert len(iam.skipped) + iam.passed > 20


def test_a_key_policy_is_linted_as_the_key_it_is_on():
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::1:role/r"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        ],
    }
    tfplan_doc = {
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_kms_key.k",
                        "type": "aws_kms_key",
                        "values": {"policy": json.dumps(policy)},
                    }
                ]
            }
        }
    }
    ((doc,),) = [documents(tfplan_doc)]
    assert doc["kind"] == "resource"
    assert doc["document"]["Statement"][0]["Resource"] == THIS_KEY  # "*" in a key policy is this key


def test_a_separate_key_policy_resource_is_linted_too():
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
    }
    plan = {
        "project": "llm-platform",
        "stack": "t",
        "outputs": {"region": "us-east-1"},
        "resources": [
            {
                "urn": "urn:pulumi:t::llm-platform::aws:kms/keyPolicy:KeyPolicy::k-policy",
                "type": "aws:kms/keyPolicy:KeyPolicy",
                "name": "k-policy",
                "custom": True,
                "inputs": {"keyId": "k", "policy": json.dumps(policy)},
            }
        ],
    }
    (doc,) = documents(tfplan.convert(plan))
    assert (doc["name"], doc["kind"]) == ("aws_kms_key_policy.k-policy", "resource")
    assert doc["document"]["Statement"][0]["Resource"] == THIS_KEY
