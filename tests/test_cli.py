"""`python -m planner` (what `make plan` runs), end to end in a subprocess, as a user meets it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PROJECT_DIR, write_variant


def planner(*args: str, cwd=PROJECT_DIR) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )


def test_plan_writes_plan_manifests_helm_and_a_summary(tmp_path):
    out = tmp_path / "prod"
    result = planner("--stack", "prod", "--out", str(out))
    assert result.returncode == 0, result.stderr
    plan = json.loads((out / "plan.json").read_text())
    assert (plan["project"], plan["stack"]) == ("llm-platform", "prod")
    assert {"urn", "type", "name", "parent", "custom", "inputs", "dependsOn", "protect"} <= set(
        plan["resources"][0]
    )
    manifests = {p.name for p in (out / "manifests").iterdir()}
    k8s_objects = [
        r for r in plan["resources"] if r["type"].startswith("kubernetes:") and "kind" in r["inputs"]
    ]
    assert len(manifests) == len(k8s_objects)
    for model in ("qwen3-8b", "qwen3-32b"):
        assert {
            f"job-inference-preload-{model}.yaml",
            f"deployment-inference-{model}.yaml",
            f"service-inference-{model}.yaml",
            f"poddisruptionbudget-inference-{model}.yaml",
            f"podmonitor-inference-{model}.yaml",
            f"scaledobject-inference-{model}.yaml",
        } <= manifests
    assert {
        "nodepool-gpu-spot.yaml",
        "ec2nodeclass-gpu-spot.yaml",
        "resourcequota-inference-gpu.yaml",
    } <= manifests
    assert sorted(p.name for p in (out / "helm").iterdir()) == [
        "gpu-operator.yaml",
        "karpenter-crd.yaml",
        "karpenter.yaml",
        "keda.yaml",
        "monitoring.yaml",
    ]
    assert "qwen3-32b" in result.stdout and "Models (us-east-1" in result.stdout
    assert "l40s-spot          spot" in result.stdout and "1.35.6-20260714" in result.stdout
    assert "aws:eks/nodeGroup:NodeGroup" in result.stdout


def test_invalid_stack_exits_non_zero_naming_every_bad_key_and_writes_no_plan(tmp_path):
    def break_it(c):
        c["llm-platform:gpuNodeGroupz"] = []
        c["llm-platform:gpuNodeGroups"][0]["maxSize"] = 500

    project = write_variant(tmp_path, break_it, name="broken")
    out = tmp_path / "build"
    out.mkdir()
    (out / "plan.json").write_text("{}")  # a stale plan must not survive a failed one
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "--stack",
            "broken",
            "--out",
            str(out),
            "--project-dir",
            str(project),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "llm-platform:gpuNodeGroupz: unknown key" in result.stderr
    assert (
        "llm-platform:gpuNodeGroups[0].maxSize: Input should be less than or equal to 100 (got 500)"
        in result.stderr
    )
    assert "Pulumi.broken.yaml" in result.stderr
    assert not out.exists()


def test_unknown_stack_lists_the_available_ones():
    result = planner("--stack", "nope")
    assert result.returncode == 2 and "stacks here: dev, prod" in result.stderr


def test_a_mandatory_policy_violation_fails_the_plan_but_still_writes_it(tmp_path):
    # A stack without policy/config/<stack>.json gets every rule mandatory and the default GPU cap, which
    # prod's fleet (node group maxima + NodePool limits) is well over.
    project = write_variant(tmp_path, lambda c: None, base="prod")
    out = tmp_path / "out"
    result = planner("--stack", "variant", "--out", str(out), "--project-dir", str(project))
    assert result.returncode == 1, result.stderr
    assert "x [gpu-quota] stack: the stack can run 112 GPUs" in result.stdout
    assert "config: defaults (no policy/config/variant.json)" in result.stdout
    assert (out / "policy.txt").read_text().startswith("Policy pack: 10 rules, 1 mandatory")
    assert (out / "plan.json").exists() and (out / "cost.md").exists()
