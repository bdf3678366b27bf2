"""`python -m planner` (what `make plan` runs), end to end in a subprocess, as a user meets it."""

from __future__ import annotations

import json

from planner.mocks import is_kubernetes_object
from tests.conftest import STACKS, run_planner, write_variant


def test_plan_writes_plan_manifests_helm_and_a_summary(tmp_path):
    out = tmp_path / "prod"
    result = run_planner("--stack", "prod", "--out", str(out))
    assert result.returncode == 0, result.stderr
    plan = json.loads((out / "plan.json").read_text())
    assert (plan["project"], plan["stack"]) == ("llm-platform", "prod")
    assert {"urn", "type", "name", "parent", "custom", "inputs", "dependsOn", "protect"} <= set(
        plan["resources"][0]
    )
    manifests = {p.name for p in (out / "manifests").iterdir()}
    k8s_objects = [r for r in plan["resources"] if is_kubernetes_object(r["type"]) and "kind" in r["inputs"]]
    assert len(manifests) == len(k8s_objects)
    # qwen3-32b streams from S3: no preload Job.
    assert "job-inference-preload-qwen3-8b.yaml" in manifests and not any("preload-qwen3-32b" in p for p in manifests
                                                                          if p.startswith("job-"))  # fmt: skip
    for model in ("qwen3-8b", "qwen3-32b"):
        assert {
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
        "ai-gateway-crds.yaml",
        "ai-gateway.yaml",
        "envoy-gateway.yaml",
        "gpu-operator.yaml",
        "karpenter-crd.yaml",
        "karpenter.yaml",
        "keda.yaml",
        "load-balancer-controller.yaml",
        "monitoring.yaml",
    ]
    assert "qwen3-32b" in result.stdout and "Models (us-east-1" in result.stdout
    assert "l40s-spot          spot" in result.stdout and "1.35.6-20260714" in result.stdout
    assert "aws:eks/nodeGroup:NodeGroup" in result.stdout


def test_invalid_stack_exits_non_zero_naming_every_bad_key_and_leaves_the_last_plan(tmp_path):
    def break_it(c):
        c["llm-platform:gpuNodeGroupz"] = []
        c["llm-platform:gpuNodeGroups"][0]["maxSize"] = 500

    project = write_variant(tmp_path, break_it, name="broken")
    out = tmp_path / "build"
    out.mkdir()
    (out / "plan.json").write_text("{}")  # the last valid plan: an invalid config writes nothing over it
    result = run_planner("--stack", "broken", "--out", str(out), "--project-dir", str(project))
    assert result.returncode == 2
    assert "llm-platform:gpuNodeGroupz: unknown key" in result.stderr
    assert "llm-platform:gpuNodeGroups[0].maxSize: must be at most 100 (got 500)" in result.stderr
    assert "Pulumi.broken.yaml" in result.stderr
    assert [p.name for p in out.iterdir()] == ["plan.json"] and (out / "plan.json").read_text() == "{}"
    assert "is left as it was" in result.stderr


def test_unknown_stack_lists_the_available_ones():
    result = run_planner("--stack", "nope")
    assert result.returncode == 2 and f"stacks here: {', '.join(STACKS)}" in result.stderr


def test_a_mandatory_policy_violation_fails_the_plan_but_still_writes_it(tmp_path):
    # A stack without policy/config/<stack>.json gets every rule mandatory and the default GPU cap, which
    # prod's fleet (node group maxima + NodePool limits) is well over.
    project = write_variant(tmp_path, lambda c: None, base="prod")
    out = tmp_path / "out"
    result = run_planner("--stack", "variant", "--out", str(out), "--project-dir", str(project))
    assert result.returncode == 1, result.stderr
    assert "x [gpu-quota] stack: the stack can run 112 GPUs" in result.stdout
    # Said, not silent: which file applied, that it is the default, and what it sets.
    assert (
        "(config: policy/config/default.json, the default for a stack without policy/config/variant.json: "
        "every rule mandatory, gpu-quota maxGpus 16; write that file to set this stack's own)"
    ) in result.stdout
    assert (out / "policy.txt").read_text().startswith("Policy pack: 12 rules, 1 mandatory")
    assert (out / "plan.json").exists() and (out / "cost.md").exists()


def test_a_model_name_too_long_for_its_preload_job_fails_before_anything_is_written(tmp_path):
    # 63 characters pass the DNS label; `preload-<name>` would be 71, and Kubernetes refuses a Job name over 63.
    project = write_variant(tmp_path, lambda c: c["llm-platform:models"][0].update(name="m" * 63))
    out = tmp_path / "out"
    result = run_planner("--stack", "variant", "--out", str(out), "--project-dir", str(project))
    assert result.returncode == 2, result.stdout
    assert "llm-platform:models[0].name:" in result.stderr and not out.exists()


def test_two_objects_of_one_kind_and_name_fail_the_plan_naming_both_keys(tmp_path):
    def add(c):
        models = c["llm-platform:models"]
        models.append({**models[0], "name": f"{models[0]['name']}-proxy"})

    project = write_variant(tmp_path, add)
    out = tmp_path / "out"
    result = run_planner("--stack", "variant", "--out", str(out), "--project-dir", str(project))
    assert result.returncode == 2, result.stdout
    (line,) = [x for x in result.stderr.splitlines() if "llm-platform:models[1].name:" in x]
    assert "Service 'qwen3-0-6b-proxy'" in line and "llm-platform:models[0].name" in line
    assert not out.exists()  # refused at validation: no manifest written, none half-written


def _previous_build(tmp_path):
    out = tmp_path / "build" / "dev"
    out.mkdir(parents=True)
    (out / "plan.json").write_text('{"previous": true}')
    return out


def test_a_urn_registered_twice_fails_the_plan_naming_both_and_keeps_the_previous_one(
    tmp_path, plans, monkeypatch, capsys
):
    import dataclasses

    import planner.run
    from planner.__main__ import main

    plan = plans["dev"]
    box = next(r for r in plan.resources if r["type"] == "llm-platform:serving:ModelServer")
    child = next(r for r in plan.resources if r["parent"] == box["urn"] and r["type"].endswith(":Job"))
    other_box = {**box, "urn": box["urn"] + "-again", "name": box["name"] + "-again"}
    twice = [*plan.resources, other_box, {**child, "parent": other_box["urn"]}]
    monkeypatch.setattr(planner.run, "run_plan", lambda *_: dataclasses.replace(plan, resources=twice))
    out = _previous_build(tmp_path)

    assert main(["--stack", "dev", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the Pulumi engine refuses the second" in err
    assert (
        f"kubernetes:batch/v1:Job {child['name']!r} under llm-platform:serving:ModelServer {box['name']!r}"
        in err
    )
    assert f"under llm-platform:serving:ModelServer {other_box['name']!r}" in err
    assert [p.name for p in out.parent.iterdir()] == ["dev"]
    assert (out / "plan.json").read_text() == '{"previous": true}'


def test_a_failure_after_the_manifests_keeps_the_previous_plan_whole(tmp_path, monkeypatch):
    # The cost report and the policy findings are part of the plan: a crash in either must not leave a new
    # plan.json beside an old cost.md, nor half a plan.
    import planner.policy_check
    from planner.__main__ import main

    def crash(*_):
        raise RuntimeError("policy pack crashed")

    monkeypatch.setattr(planner.policy_check, "check_policies", crash)
    out = _previous_build(tmp_path)
    try:
        main(["--stack", "dev", "--out", str(out)])
    except RuntimeError as err:
        assert "policy pack crashed" in str(err)
    else:
        raise AssertionError("the crash was swallowed")
    assert [p.name for p in out.parent.iterdir()] == ["dev"]
    assert [p.name for p in out.iterdir()] == ["plan.json"]
    assert (out / "plan.json").read_text() == '{"previous": true}'
