"""The environments the workflows run, read from the stack files (delivery/): their order, GitHub environments,
policy configs and secrets providers; the names and the collisions they refuse; the credentials a job must
hold; and the waits a deploy job must outlast."""

from __future__ import annotations

import json
import subprocess
import sys

import pulumi
import pytest

from delivery.credentials import Held, missing
from delivery.environments import EnvironmentsError, environments, secrets_provider_kind, stack_names
from delivery.waits import JOB_MARGIN_MINUTES, Chain, duration_s, longest_chain, wait_s
from planner.run import run_under_mocks
from tests.conftest import PROJECT_DIR, STACKS, project_with, unused_network, unused_stack

# A copy of dev under a name of its own needs a cluster name and a network of its own (whatever the project's
# stacks are, so these tests hold with a Pulumi.staging.yaml beside the shipped ones).
QA = unused_stack("qa")
CANARY = unused_stack("canary")
DEV_CLUSTER = ("    name: llm-dev\n", f"    name: llm-{QA}\n")
DEV_CIDR = ("cidr: 10.20.0.0/16", f"cidr: {unused_network()}")


def problems(project) -> list[str]:
    with pytest.raises(EnvironmentsError) as exc:
        environments(project)
    return exc.value.problems


def delivery_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "delivery", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- the environments ---------------------------------------------------------------------------------------


def test_the_shipped_stacks_are_every_stack_file_in_deploy_order():
    envs = environments(PROJECT_DIR)
    assert sorted(e.stack for e in envs) == STACKS
    assert [(e.order, e.stack) for e in envs] == sorted((e.order, e.stack) for e in envs)


def test_a_stack_without_delivery_settings_deploys_first_in_an_environment_of_its_name(tmp_path):
    # qa copies dev, so it has no llm-platform:delivery: order 0, ties broken by name, and its own environments.
    project = project_with(tmp_path, QA, DEV_CLUSTER, DEV_CIDR)
    envs = environments(project)
    names = [e.stack for e in envs]
    (qa,) = [e for e in envs if e.stack == QA]
    assert (qa.order, qa.environment, qa.preview_environment) == (0, QA, f"preview-{QA}")
    assert names.index("dev") < names.index(QA) < names.index("prod")  # the shipped prod's order is 100
    # No policy/config/<qa>.json: the documented default, named as the workflows pass it.
    assert qa.policy_config == "policy/config/default.json"
    assert {e.stack: e.policy_config for e in envs}["dev"] == "policy/config/dev.json"


def test_delivery_order_moves_a_stack_and_an_environment_renames_its_gate(tmp_path):
    project = project_with(
        tmp_path,
        CANARY,
        DEV_CLUSTER,
        DEV_CIDR,
        ("  llm-platform:repository:\n", "  llm-platform:delivery: {order: 200, environment: canary-gate}\n"
         "  llm-platform:repository:\n"),
    )  # fmt: skip
    envs = environments(project)
    assert envs[-1].stack == CANARY and envs[-1].environment == "canary-gate"


def test_a_bad_delivery_setting_is_named_as_the_stack_file_writes_it(tmp_path):
    project = project_with(
        tmp_path, QA, DEV_CLUSTER, DEV_CIDR, ("  llm-platform:repository:\n", "  llm-platform:delivery: {order: x}\n"
                                                "  llm-platform:repository:\n"),
    )  # fmt: skip
    (problem,) = problems(project)
    assert problem.startswith(f"Pulumi.{QA}.yaml: ") and "llm-platform:delivery.order" in problem


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Staging", "lower-case letters"),
        ("qa_1", "lower-case letters"),
        ("-qa", "not starting or ending with '-'"),
        ("default", "policy/config/default.json is the policy default"),
    ],
)
def test_a_stack_name_the_workflows_cannot_carry_is_refused(tmp_path, name, says):
    project = project_with(tmp_path, name, DEV_CLUSTER, DEV_CIDR)
    assert [p for p in problems(project) if says in p and p.startswith(f"Pulumi.{name}.yaml")]
    with pytest.raises(EnvironmentsError):
        stack_names(project)


def test_two_stacks_with_one_cluster_name_in_one_region_are_refused(tmp_path):
    project = project_with(tmp_path, QA, DEV_CIDR)
    (problem,) = problems(project)
    assert f"Pulumi.{QA}.yaml: llm-platform:cluster.name llm-dev is also Pulumi.dev.yaml's" in problem


def test_overlapping_networks_are_refused(tmp_path):
    project = project_with(tmp_path, QA, DEV_CLUSTER, ("cidr: 10.20.0.0/16", "cidr: 10.20.128.0/17"))
    (problem,) = problems(project)
    assert "llm-platform:network.cidr 10.20.128.0/17 overlaps Pulumi.dev.yaml's 10.20.0.0/16" in problem


def test_every_problem_of_every_stack_is_reported_at_once(tmp_path):
    project = project_with(tmp_path, QA, DEV_CLUSTER, ("cidr: 10.20.0.0/16", "cidr: 10.20.0.0/33"))
    (project / "Pulumi.QA2.yaml").write_text((project / f"Pulumi.{QA}.yaml").read_text())
    found = problems(project)
    assert len(found) == 2
    assert found[0].startswith("Pulumi.QA2.yaml: the stack name must be")
    assert found[1].startswith(f"Pulumi.{QA}.yaml: ") and "llm-platform:network.cidr" in found[1]


@pytest.mark.parametrize(
    ("provider", "kind"),
    [(None, "default"), ("passphrase", "passphrase"), ("awskms://alias/pulumi?region=us-east-1", "awskms")],
)
def test_secrets_providers_the_workflows_serve(provider, kind):
    assert secrets_provider_kind(provider) == kind


def test_a_secrets_provider_the_workflows_give_no_key_for_is_refused(tmp_path):
    project = project_with(tmp_path, QA, DEV_CLUSTER, DEV_CIDR)
    text = (project / f"Pulumi.{QA}.yaml").read_text()
    (project / f"Pulumi.{QA}.yaml").write_text("secretsprovider: gcpkms://projects/p/keys/k\n" + text)
    (problem,) = problems(project)
    assert "gcpkms://projects/p/keys/k is not one the workflows give credentials for" in problem
    (project / f"Pulumi.{QA}.yaml").write_text("secretsprovider: passphrase\n" + text)
    assert {e.stack: e.secrets_provider for e in environments(project)}[QA] == "passphrase"


# --- the command the workflows run ----------------------------------------------------------------------------


def test_the_matrix_is_one_line_of_json_with_every_stack_in_deploy_order():
    result = delivery_cli("matrix")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout) == {"include": [e.matrix_entry() for e in environments(PROJECT_DIR)]}
    assert delivery_cli("stacks").stdout.split() == STACKS
    table = delivery_cli().stdout.splitlines()
    assert table[0].split()[:3] == ["order", "stack", "region"] and len(table) == 1 + len(STACKS)


def test_the_command_exits_2_listing_the_problems(tmp_path):
    project = project_with(tmp_path, QA, DEV_CIDR)
    result = delivery_cli("matrix", "--project-dir", str(project))
    assert result.returncode == 2 and result.stdout == ""
    assert "llm-platform:cluster.name llm-dev is also" in result.stderr


# --- the credentials a job must hold ----------------------------------------------------------------------------

CLOUD = Held(backend_url="", access_token=True, passphrase=False, aws_role=True)
S3 = Held(backend_url="s3://state-bucket", access_token=False, passphrase=True, aws_role=True)


@pytest.mark.parametrize(
    ("provider", "held", "lacking"),
    [
        ("default", CLOUD, []),
        ("default", Held("", False, False, True), ["PULUMI_ACCESS_TOKEN"]),
        ("default", Held("https://api.pulumi.com", False, False, True), ["PULUMI_ACCESS_TOKEN"]),
        ("default", S3, []),
        ("default", Held("s3://state-bucket", False, False, True), ["PULUMI_CONFIG_PASSPHRASE"]),
        ("passphrase", CLOUD, ["PULUMI_CONFIG_PASSPHRASE"]),
        ("passphrase", S3, []),
        ("awskms", Held("s3://state-bucket", False, False, True), []),
        ("awskms", Held("s3://state-bucket", False, False, False), ["AWS credentials"]),
    ],
)
def test_each_backend_and_secrets_provider_needs_its_own_credentials(provider, held, lacking):
    assert [line.split(":")[0] for line in missing("qa", provider, held)] == lacking


def test_the_credentials_check_reads_only_whether_each_is_set():
    held = Held.from_env(
        {
            "HAS_PULUMI_ACCESS_TOKEN": "true",
            "HAS_PULUMI_CONFIG_PASSPHRASE": "false",
            "AWS_ACCESS_KEY_ID": "AKIA",
        }
    )
    assert held == Held("", True, False, True)
    result = subprocess.run(
        [sys.executable, "-m", "delivery", "credentials", STACKS[0]],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HAS_PULUMI_ACCESS_TOKEN": "false"},
    )
    assert result.returncode == 1 and result.stdout.startswith("::error::PULUMI_ACCESS_TOKEN: ")


# --- the waits a deploy job must outlast ---------------------------------------------------------------------------


def record(name, typ="aws:s3/bucket:Bucket", inputs=None, depends=(), **extra):
    return {"urn": f"urn::{name}", "name": name, "type": typ, "inputs": inputs or {}, "dependsOn": list(depends),
            **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("r", "seconds"),
    [
        (record("b"), 0),
        (record("b", customTimeouts={"create": "1h30m", "delete": "10m"}), 5400),
        (record("r", "kubernetes:helm.sh/v3:Release", {"timeout": 900}), 900),
        (record("r", "kubernetes:helm.sh/v3:Release"), 300),
        (record("r", "kubernetes:helm.sh/v3:Release", {"timeout": 900, "skipAwait": True}), 0),
        (record("d", "kubernetes:apps/v1:Deployment"), 600),
        (record("d", "kubernetes:apps/v1:Deployment", {"metadata": {"annotations": {"pulumi.com/timeoutSeconds": "896"}}}), 896),
        (record("j", "kubernetes:batch/v1:Job", {"metadata": {"annotations": {"pulumi.com/skipAwait": "true"}}}), 0),
        (record("g", "kubernetes:gateway.networking.k8s.io/v1:Gateway", {"metadata": {"annotations": {"pulumi.com/waitFor": "condition=Programmed"}}}), 600),
        (record("c", "kubernetes:core/v1:ConfigMap"), 0),
    ],
)  # fmt: skip
def test_each_resource_waits_as_long_as_its_provider_would(r, seconds):
    assert wait_s(r) == seconds


def test_the_longest_chain_follows_dependencies_not_the_longest_single_wait():
    records = [
        record("crds", "kubernetes:helm.sh/v3:Release", {"timeout": 600}),
        record("operator", "kubernetes:helm.sh/v3:Release", {"timeout": 600}, depends=["urn::crds"]),
        record("pool", "kubernetes:karpenter.sh/v1:NodePool", depends=["urn::operator"]),
        record("alone", "kubernetes:helm.sh/v3:Release", {"timeout": 900}),
    ]
    chain = longest_chain(records)
    assert chain == Chain(1200, ("crds", "operator"))
    assert chain.job_minutes == 20 + JOB_MARGIN_MINUTES
    assert duration_s("2h") == 7200 and duration_s("1m30s") == 90


def test_the_plan_records_custom_timeouts_only_where_a_resource_sets_them():
    def declare():
        pulumi.CustomResource(
            "test:index:Timed",
            "timed",
            {},
            pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="45m", update="20m")),
        )
        pulumi.CustomResource("test:index:Plain", "plain", {})

    records, _ = run_under_mocks(declare, project="llm-platform", stack="t", config={})
    by_name = {r["name"]: r for r in records}
    assert by_name["timed"]["customTimeouts"] == {"create": "45m", "update": "20m"}
    assert "customTimeouts" not in by_name["plain"]
    assert wait_s(by_name["timed"]) == 2700
