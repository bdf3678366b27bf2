"""A secret anywhere inside a config key stays secret through to every resource input, as under the CLI: the
key is marked secret as a whole, and every input that holds one of its texts is made secret (stacks/program.py
`keep_secrets`). The offline placeholder must never appear in clear, in the plan or in any rendered file."""

from __future__ import annotations

import json

import pulumi
import pulumi_kubernetes as k8s
import pytest

from config.issues import ConfigError
from config.loader import check_config
from planner.run import run_plan, run_under_mocks
from planner.stackfile import SECRET_PLACEHOLDER, read_stack
from stacks import program
from tests.conftest import PROJECT_DIR, run_planner, write_variant

SECURE = {"secure": "v1:AAAAexampleciphertext"}


def secret_client(c):
    # A client namespace held encrypted (`pulumi config set --secret --path`): the only text of its key, so
    # what must turn secret is exactly what carries it, the gateway's NetworkPolicy admitting that namespace.
    c["llm-platform:access"] = {"clientNamespaces": [SECURE]}


def _admitted(plan) -> list[list[str]]:
    """The namespace names each NetworkPolicy's ingress admits by `kubernetes.io/metadata.name`."""
    return [
        expr["values"]
        for r in plan.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        for rule in r["inputs"]["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        for expr in peer.get("namespaceSelector", {}).get("matchExpressions", [])
        if expr["key"] == "kubernetes.io/metadata.name"
    ]


def test_a_nested_secret_is_secret_in_every_input_that_carries_it(tmp_path):
    project = write_variant(tmp_path, secret_client)
    assert read_stack(project, "variant").secret_keys == ("llm-platform:access",)
    plan = run_plan(project, "variant")
    admitted = _admitted(plan)
    assert ["[secret]"] in admitted
    # Only what carries the secret is secret: the other policies' namespaces stay readable.
    assert any(values != ["[secret]"] for values in admitted)
    assert SECRET_PLACEHOLDER not in json.dumps([plan.resources, plan.outputs])


def test_without_the_secret_mark_the_same_value_would_reach_the_inputs_in_clear(tmp_path):
    # The control: the same config, not marked secret, lands in clear. So the test above tests something.
    sf = read_stack(write_variant(tmp_path, secret_client), "variant")
    resources, _ = run_under_mocks(program.run, project=sf.project, stack=sf.stack, config=sf.config)
    assert SECRET_PLACEHOLDER in json.dumps(resources)


def test_no_rendered_file_holds_the_placeholder(tmp_path):
    project = write_variant(tmp_path, secret_client)
    out = tmp_path / "build"
    result = run_planner("--stack", "variant", "--out", str(out), "--project-dir", str(project))
    assert result.returncode in (0, 1), result.stderr  # 1: a policy finding, the plan is still written
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 20 and (out / "plan.json") in files
    assert [p.name for p in files if SECRET_PLACEHOLDER in p.read_text()] == []
    assert SECRET_PLACEHOLDER not in result.stdout + result.stderr
    manifests = [p.read_text() for p in (out / "manifests").glob("networkpolicy-*.yaml")]
    assert any("- '[secret]'" in m for m in manifests)


def test_a_secret_inside_a_list_entry_is_kept_secret(tmp_path):
    def secret_label(c):
        c["llm-platform:gpuNodeGroups"][0]["labels"] = {"team": SECURE}

    plan = run_plan(write_variant(tmp_path, secret_label), "variant")
    (group,) = [r for r in plan.of_type("aws:eks/nodeGroup:NodeGroup") if r["name"].startswith("gpu-")]
    assert group["inputs"]["labels"]["team"] == "[secret]"
    assert SECRET_PLACEHOLDER not in json.dumps([plan.resources, plan.outputs])


def test_a_section_encrypted_whole_is_refused_offline_without_showing_it(tmp_path):
    project = write_variant(tmp_path, lambda c: c.update({"llm-platform:alerts": SECURE}))
    with pytest.raises(ConfigError) as exc:
        run_plan(project, "variant")
    (issue,) = exc.value.issues
    assert issue.key == "llm-platform:alerts" and "encrypt only its secret fields" in issue.message
    assert SECRET_PLACEHOLDER not in str(exc.value)


def test_the_transformation_reaches_strings_maps_input_types_and_outputs():
    def declare():
        pulumi.runtime.register_stack_transformation(program.keep_secrets({"s3cr3t"}))
        derived = pulumi.Output.from_input("prefix-").apply(lambda p: p + "s3cr3t")
        k8s.core.v1.ConfigMap(
            "values",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="plain", labels={"team": "s3cr3t", "tier": "web"}),
            data={"inline": "a-s3cr3t-b", "derived": derived, "plain": "plain"},
        )
        k8s.core.v1.ConfigMap("keys", data={"s3cr3t-key": "v"})
        return {"exported": program.with_secrets(derived, {"s3cr3t"}), "plain": "plain"}

    records, outputs = run_under_mocks(declare, project="llm-platform", stack="t", config={})
    by_name = {r["name"]: r["inputs"] for r in records}
    assert by_name["values"]["metadata"] == {"name": "plain", "labels": {"team": "[secret]", "tier": "web"}}
    assert by_name["values"]["data"] == {"inline": "[secret]", "derived": "[secret]", "plain": "plain"}
    assert by_name["keys"]["data"] == "[secret]"  # a map with a secret key is secret as a whole
    assert outputs == {"exported": "[secret]", "plain": "plain"}


def test_inputs_without_a_secret_are_left_as_they_are():
    value = {"a": ["x", ("y", 1)], "b": None, "c": 2.5}
    assert program.with_secrets(value, {"s3cr3t"}) == value
    assert program.with_secrets("anything", set()) == "anything"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123:role/top-secret-token-value",  # shown whole by the ARN check
        "arn:aws:iam::123:role/" + "top-secret-" * 12,  # shortened with "..." where a message shows it
    ],
)
def test_no_config_error_shows_a_secret_held_inside_a_key(arn):
    flat = dict(read_stack(PROJECT_DIR, "dev").config)
    flat["llm-platform:access"] = json.dumps({"appTeamRoleArns": [arn]})
    issues = check_config(flat, secret_keys={"llm-platform:access"}).issues
    (issue,) = [i for i in issues if i.key.startswith("llm-platform:access")]
    assert issue.key == "llm-platform:access.appTeamRoleArns[0]"
    assert "top-secret" not in issue.message and "[secret]" in issue.message
    # Not secret, the same value is shown: the redaction is what hides it.
    (shown,) = [i for i in check_config(flat).issues if i.key.startswith("llm-platform:access")]
    assert "top-secret" in shown.message
