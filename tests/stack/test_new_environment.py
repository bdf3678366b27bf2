"""Adding an environment is adding its stack file (README "Add an environment"): a copy of Pulumi.dev.yaml with
its own cluster name and network range, in a copy of the project, plans, passes the policy pack under the
default policy config, and is listed for the previews, the offline diffs and the deploys in its region and
its turn, with no other edit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from delivery.waits import longest_chain
from planner.policy_check import resources_of
from planner.run import run_plan
from policy.offline import DEFAULT_CONFIG, check, config_for_stack
from tests.conftest import PROJECT_DIR, STACKS, project_with, run_planner, unused_network, unused_stack

NEW = unused_stack("staging")  # staging, unless the project has a Pulumi.staging.yaml already
STAGING = (
    ("    name: llm-dev\n", f"    name: llm-{NEW}\n"),
    ("cidr: 10.20.0.0/16", f"cidr: {unused_network()}"),
    ("      environment: dev\n", f"      environment: {NEW}\n"),  # aws:defaultTags, for the bill
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return project_with(tmp_path_factory.mktemp("staging"), NEW, *STAGING)


def delivery(project: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "delivery", *args, "--project-dir", str(project)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_workflows_list_the_new_stack_in_its_region_and_its_turn(project):
    entries = json.loads(delivery(project, "matrix"))["include"]
    order = [e["stack"] for e in entries]
    assert sorted(order) == sorted([*STACKS, NEW])
    # No delivery settings in the copy: order 0, after dev by name, before the shipped prod (order 100).
    assert order.index("dev") < order.index(NEW) < order.index("prod")
    (staging,) = [e for e in entries if e["stack"] == NEW]
    assert staging == {
        "stack": NEW,
        "region": "us-west-2",
        "environment": NEW,
        "previewEnvironment": f"preview-{NEW}",
        "policyConfig": "policy/config/default.json",
    }
    assert NEW in delivery(project, "stacks").split()


def test_the_new_stack_plans_and_passes_the_policy_pack_under_the_default_config(project):
    plan = run_plan(project, NEW)
    config, source = config_for_stack(NEW)
    assert source == f"policy/config/{DEFAULT_CONFIG.name}"
    report = check(resources_of(plan.resources), config)
    assert report.mandatory == []
    assert plan.config.cluster.name == f"llm-{NEW}"


def test_make_plan_says_which_policy_config_the_new_stack_gets(project, tmp_path):
    result = run_planner("--stack", NEW, "--out", str(tmp_path / "out"), "--project-dir", str(project))
    assert result.returncode == 0, result.stderr
    said = f"(config: policy/config/default.json, the default for a stack without policy/config/{NEW}.json:"
    assert said in result.stdout


def test_the_deploy_job_outlasts_the_new_stack_s_waits(project):
    deploy = yaml.safe_load((PROJECT_DIR / ".github" / "workflows" / "deploy.yml").read_text())
    chain = longest_chain(run_plan(project, NEW).resources)
    assert chain.job_minutes <= deploy["jobs"]["up"]["timeout-minutes"]


def test_a_copy_that_keeps_dev_s_cluster_name_is_refused_naming_the_key(tmp_path):
    copied = project_with(tmp_path, NEW, STAGING[1])
    result = subprocess.run(
        [sys.executable, "-m", "delivery", "matrix", "--project-dir", str(copied)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"Pulumi.{NEW}.yaml: llm-platform:cluster.name llm-dev is also Pulumi.dev.yaml's" in result.stderr
