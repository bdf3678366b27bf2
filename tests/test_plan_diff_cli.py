"""`make plan-diff` end to end: the CLI against this repository, and the diff of two real renders."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plan_diff.compare import CHANGE, MISSING, REPLACE, diff_plans, value_at
from plan_diff.replacements import REFUSED_UPDATES, REPLACE_ON
from planner.run import run_plan
from tests.conftest import PROJECT_DIR, stack_doc, write_variant


def plan_diff(*args: str, tmp=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(tmp)) if tmp else None
    return subprocess.run(
        [sys.executable, "-m", "plan_diff", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_cli_renders_head_and_the_working_tree_and_leaves_nothing_behind(tmp_path):
    if shutil.which("git") is None or not (PROJECT_DIR / ".git").exists():
        pytest.skip("needs the project's git repository")
    # Others may be editing the working tree: assert the shape, not the changes.
    result = plan_diff("--base", "HEAD", "--stack", "dev", tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    headline = result.stdout.splitlines()[0]
    assert headline.startswith("### Offline plan diff: stack `dev`, `HEAD` (")
    assert headline.endswith("-> working tree")
    assert "No changes." in result.stdout or " to add, " in result.stdout
    # Its temporary worktree and renders lived under TMPDIR, and are gone (git's registry too).
    assert list(tmp_path.iterdir()) == []
    listed = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "worktree", "list"], capture_output=True, text=True
    )
    assert str(tmp_path) not in listed.stdout

    bad_ref = plan_diff("--base", "no-such-ref-anywhere")
    assert bad_ref.returncode == 2
    assert bad_ref.stderr == "error: not a commit in this repository: no-such-ref-anywhere\n"
    no_stack = plan_diff("--base", "HEAD", "--stack", "nope")
    assert (
        no_stack.returncode == 2 and "no stack file Pulumi.nope.yaml in the working tree" in no_stack.stderr
    )
    # -o: never (re)build the venv from a test.
    no_base = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "plan-diff"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert no_base.returncode == 2 and "usage: make plan-diff BASE=<git ref>" in no_base.stderr


def test_two_real_renders_differ_by_exactly_the_changed_config_value(tmp_path, plans):
    (model,) = stack_doc("dev")["config"]["llm-platform:models"][:1]
    old_len = model["maxModelLen"]
    new_len = old_len // 2

    def shorter_context(c):
        c["llm-platform:models"][0]["maxModelLen"] = new_len

    # Same stack name as the real dev plan, so mock ids line up and any other change would show.
    head = run_plan(write_variant(tmp_path, shorter_context, name="dev"), "dev")
    diff = diff_plans(plans["dev"].as_json(), head.as_json())

    assert diff.outputs == ()
    (r,) = diff.resources
    assert (r.action, r.type, r.name) == (
        CHANGE,
        "kubernetes:apps/v1:Deployment",
        f"model-{model['name']}-deployment",
    )
    assert r.options == ()
    (field,) = r.fields
    assert field.path == "spec.template.spec.containers[vllm].command[2]"
    assert f"--max-model-len {old_len} " in field.old and f"--max-model-len {new_len} " in field.new
    # The compile cache's directory (serving/compile_cache.py) is keyed by what vLLM hashes, the length included.
    key = re.compile(r"/[0-9a-f]{16}")
    assert key.findall(field.old) != key.findall(field.new)
    assert key.sub("/K", field.old).replace(
        f"--max-model-len {old_len} ", f"--max-model-len {new_len} "
    ) == key.sub("/K", field.new)


def test_fewer_instance_types_replace_the_node_group(tmp_path, plans):
    def drop_one(c):
        c["llm-platform:gpuNodeGroups"][0]["instanceTypes"] = c["llm-platform:gpuNodeGroups"][0][
            "instanceTypes"
        ][:1]

    group = stack_doc("dev")["config"]["llm-platform:gpuNodeGroups"][0]
    if len(group["instanceTypes"]) < 2:
        pytest.skip("the dev GPU group has a single instance type")
    head = run_plan(write_variant(tmp_path, drop_one, name="dev"), "dev")
    diff = diff_plans(plans["dev"].as_json(), head.as_json())
    (ng,) = [r for r in diff.resources if r.type == "aws:eks/nodeGroup:NodeGroup"]
    assert (ng.action, ng.name, ng.replace_fields) == (REPLACE, f"gpu-{group['name']}-ng", ("instanceTypes",))


# The REPLACE_ON fields the program sets today, as plan.json records them: a renamed or misspelled field in
# the table would silently never match.
RECORDED = {
    "aws:ec2/subnet:Subnet": ("availabilityZone", "cidrBlock", "vpcId"),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:efs/fileSystem:FileSystem": ("encrypted", "kmsKeyId", "performanceMode"),
    "aws:eks/nodeGroup:NodeGroup": (
        "amiType",
        "capacityType",
        "clusterName",
        "instanceTypes",
        "launchTemplate.id",
        "nodeRoleArn",
        "subnetIds",
    ),
    "eks:index:Cluster": ("name", "vpcId"),
    "kubernetes:apps/v1:Deployment": ("metadata.name", "metadata.namespace", "spec.selector"),
    "kubernetes:batch/v1:Job": ("spec.template",),
    "kubernetes:core/v1:PersistentVolumeClaim": ("spec.accessModes", "spec.storageClassName"),
    "kubernetes:storage.k8s.io/v1:StorageClass": ("parameters", "provisioner"),
    "kubernetes:helm.sh/v3:Release": ("name", "namespace"),
}


def test_replacement_table_fields_are_spelled_as_the_plan_records_them(plans):
    for stack, p in plans.items():
        for typ, fields in RECORDED.items():
            assert set(fields) <= set(REPLACE_ON[typ]) | set(
                REPLACE_ON["kubernetes:*"] if typ.startswith("kubernetes:") else ()
            )
            resources = p.of_type(typ)
            assert resources, f"{stack}: no {typ}"
            for r in resources:
                missing = [f for f in fields if value_at(r["inputs"], f) is MISSING]
                assert not missing, f"{stack}: {r['name']} does not record {missing}"
        for typ, fields in REFUSED_UPDATES.items():
            for r in p.of_type(typ):
                missing = [f for f in fields if value_at(r["inputs"], f) is MISSING]
                assert not missing, f"{stack}: {r['name']} does not record {missing}"


def scratch_repository(root: Path) -> Path:
    """A copy of this project in a new git repository, committed once: the base a test diffs its edits
    against, without touching the real working tree."""
    if shutil.which("git") is None or not (PROJECT_DIR / ".git").exists():
        pytest.skip("needs the project's git repository")
    repo = root / "repo"
    # The project's files as they are in the working tree (tracked, and new ones git does not ignore).
    listed = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    )
    for name in {n for n in listed.stdout.decode().split("\0") if n}:
        if (PROJECT_DIR / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_DIR / name, repo / name)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    return repo


def test_cli_prints_a_real_change_in_a_scratch_repository(tmp_path):
    """The command exactly as users run it, on a commit that changes something (a copy of this project in a
    scratch repository, so the real working tree is not touched)."""
    repo = scratch_repository(tmp_path)
    stack = repo / "Pulumi.dev.yaml"
    team = "arn:aws:iam::123456789012:role/search-team"
    stack.write_text(
        stack.read_text().replace(
            "clientNamespaces: [playground]",
            f"clientNamespaces: [playground, chat]\n    appTeamRoleArns: [{team}]",
        )
    )

    result = subprocess.run(
        [sys.executable, "-m", "plan_diff", "--base", "HEAD", "--stack", "dev"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, TMPDIR=str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    assert "**0 to add, 2 to change, 0 to replace, 0 to delete," in result.stdout
    # A field that did not exist at the base (the new access entry) shows as added.
    assert f'accessEntries.123456789012-role-search-team.principalArn: (none) -> "{team}"' in result.stdout
    assert (
        # With the gateway the client namespaces reach its proxies, not the models.
        "`kubernetes:networking.k8s.io/v1:NetworkPolicy` **gateway-netpol-gateway-proxies**" in result.stdout
    )
    assert '["playground"] -> ["playground","chat"]' in result.stdout.replace(", ", ",")
    # Both sides wrote fleet.json and access changes move nothing in the fleet: no fleet section, no note.
    assert "Fleet (resolved" not in result.stdout and "fleet.json" not in result.stdout
