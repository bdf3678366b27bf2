"""`planner.diff` on small hand-made plans: classification, flattened paths, options, outputs, rendering."""

from __future__ import annotations

import copy
import json
from typing import Any

from plan_diff.compare import ADD, CHANGE, DELETE, MISSING, REPLACE, FieldChange, diff_plans, diff_values
from plan_diff.markdown import MAX_FIELD_LINES, render

STACK = "urn:pulumi:dev::llm-platform::"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
RELEASE = "kubernetes:helm.sh/v3:Release"


def res(typ: str, name: str, inputs: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    """One plan.json resource record, as the planner writes it."""
    return {
        "urn": f"{STACK}pulumi:pulumi:Stack${typ}::{name}",
        "type": typ,
        "name": name,
        "parent": None,
        "custom": True,
        "provider": None,
        "inputs": inputs or {},
        "dependsOn": [],
        "protect": False,
        "retainOnDelete": False,
        "ignoreChanges": [],
    } | options


def plan(*resources: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"project": "llm-platform", "stack": "dev", "resources": list(resources), "outputs": outputs or {}}


def deployment(args: list[str], image: str = "vllm/vllm-openai:v0.31.0", **extra: Any) -> dict[str, Any]:
    containers = [
        {"name": "sidecar", "image": "busybox:1.37"},
        {"name": "vllm", "image": image, "args": args},
    ]
    return res(
        DEPLOYMENT,
        "model-qwen3-deployment",
        {
            "metadata": {"name": "qwen3", "namespace": "inference"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "qwen3"}},
                "template": {"spec": {"containers": containers}},
            },
        },
        **extra,
    )


ARGS = ["serve", "/models/qwen3", "--port=8000", "--max-model-len=8192", "--max-num-seqs=32", "--dtype=auto"]


def paths(changes: list[FieldChange]) -> list[str]:
    return [c.path for c in changes]


def test_added_removed_changed_unchanged_are_told_apart_and_sorted_by_type_then_name():
    keep = res("aws:ec2/vpc:Vpc", "network-vpc", {"cidrBlock": "10.0.0.0/16"})
    gone = res("aws:sqs/queue:Queue", "old-queue")
    base = plan(keep, gone, deployment(ARGS))
    head = plan(
        keep,
        deployment(ARGS, image="vllm/vllm-openai:v0.32.0"),
        res("aws:sqs/queue:Queue", "b-queue"),
        res("aws:iam/role:Role", "z-role"),
    )

    diff = diff_plans(base, head)

    assert diff.counts() == {ADD: 2, CHANGE: 1, REPLACE: 0, DELETE: 1, "unchanged": 1}
    assert [(r.action, r.type, r.name) for r in diff.resources] == [
        (ADD, "aws:iam/role:Role", "z-role"),
        (ADD, "aws:sqs/queue:Queue", "b-queue"),
        (DELETE, "aws:sqs/queue:Queue", "old-queue"),
        (CHANGE, DEPLOYMENT, "model-qwen3-deployment"),
    ]
    (changed,) = diff.of(CHANGE)
    assert changed.fields == (
        FieldChange(
            "spec.template.spec.containers[vllm].image",
            "vllm/vllm-openai:v0.31.0",
            "vllm/vllm-openai:v0.32.0",
        ),
    )


def test_identity_is_the_urn_so_the_same_name_under_another_type_is_a_different_resource():
    base = plan(res("aws:sqs/queue:Queue", "karpenter"))
    head = plan(res("aws:iam/role:Role", "karpenter"))
    assert [(r.action, r.type) for r in diff_plans(base, head).resources] == [
        (ADD, "aws:iam/role:Role"),
        (DELETE, "aws:sqs/queue:Queue"),
    ]


def test_a_field_the_type_cannot_update_in_place_makes_a_replacement():
    def group(instance_types: list[str], desired: int) -> dict[str, Any]:
        inputs = {"instanceTypes": instance_types, "scalingConfig": {"desiredSize": desired, "maxSize": 4}}
        return res(NODE_GROUP, "gpu-l4-spot-ng", inputs)

    diff = diff_plans(plan(group(["g6.xlarge"], 1)), plan(group(["g6.xlarge", "g6.2xlarge"], 2)))
    (r,) = diff.resources
    assert r.action == REPLACE and r.replace_fields == ("instanceTypes",)
    assert paths(list(r.fields)) == ["instanceTypes", "scalingConfig.desiredSize"]
    # Scaling alone is an in-place update.
    only_scaling = diff_plans(plan(group(["g6.xlarge"], 1)), plan(group(["g6.xlarge"], 2)))
    assert only_scaling.resources[0].action == CHANGE


def test_kubernetes_replacements_from_the_provider_table():
    base = deployment(ARGS)

    def changed(mutate) -> tuple[str, tuple[str, ...]]:
        head = copy.deepcopy(base)
        mutate(head["inputs"])
        (r,) = diff_plans(plan(base), plan(head)).resources
        return r.action, r.replace_fields

    assert changed(lambda i: i["spec"].update(replicas=3)) == (CHANGE, ())
    assert changed(lambda i: i["metadata"].update(name="qwen3-b")) == (REPLACE, ("metadata.name",))
    assert changed(lambda i: i["spec"]["selector"]["matchLabels"].update(app="x")) == (
        REPLACE,
        ("spec.selector",),
    )
    # A Job's pod template is immutable.
    job = res(
        "kubernetes:batch/v1:Job", "preload", {"spec": {"template": {"spec": {"restartPolicy": "Never"}}}}
    )
    job2 = copy.deepcopy(job)
    job2["inputs"]["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    assert diff_plans(plan(job), plan(job2)).resources[0].replace_fields == ("spec.template",)


def test_an_update_the_api_server_refuses_is_flagged_as_failing_not_as_a_replacement():
    sc = res(
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "model-cache-sc",
        {"provisioner": "efs.csi.aws.com", "reclaimPolicy": "Delete", "parameters": {"a": "1"}},
    )
    retained = copy.deepcopy(sc)
    retained["inputs"]["reclaimPolicy"] = "Retain"
    (r,) = diff_plans(plan(sc), plan(retained)).resources
    # The provider updates in place and the API server says "field is immutable": `up` fails.
    assert (r.action, r.replace_fields, r.refused_fields) == (CHANGE, (), ("reclaimPolicy",))
    text = render(diff_plans(plan(sc), plan(retained)), "`HEAD`")
    assert "**`pulumi up` will fail**: the API server refuses to change `reclaimPolicy`" in text
    # With a real replacement as well, the replacement covers it.
    both = copy.deepcopy(retained)
    both["inputs"]["parameters"] = {"a": "2"}
    (r,) = diff_plans(plan(sc), plan(both)).resources
    assert (r.action, r.replace_fields, r.refused_fields) == (REPLACE, ("parameters",), ())


def test_every_input_of_a_random_password_forces_a_new_one():
    a = res("random:index/randomPassword:RandomPassword", "grafana-admin", {"length": 24, "special": False})
    b = res("random:index/randomPassword:RandomPassword", "grafana-admin", {"length": 32, "special": False})
    (r,) = diff_plans(plan(a), plan(b)).resources
    assert (r.action, r.replace_fields) == (REPLACE, ("length",))


def test_lists_of_named_items_are_matched_by_name_not_position():
    old = {"containers": [{"name": "a", "image": "a:1"}, {"name": "vllm", "image": "v:1", "args": ["x"]}]}
    new = {"containers": [{"name": "vllm", "image": "v:2", "args": ["x"]}, {"name": "b", "image": "b:1"}]}
    assert diff_values(old, new) == [
        FieldChange("containers[vllm].image", "v:1", "v:2"),
        FieldChange("containers[b].image", MISSING, "b:1"),
        FieldChange("containers[b].name", MISSING, "b"),
        FieldChange("containers[a].image", "a:1", MISSING),
        FieldChange("containers[a].name", "a", MISSING),
    ]
    # Prometheus rules are named by `alert` or `record`.
    rules = [{"record": "llm:queue", "expr": "sum(x)"}, {"alert": "Backlog", "expr": "llm:queue > 10"}]
    rules2 = [rules[0], {"alert": "Backlog", "expr": "llm:queue > 20"}]
    assert paths(diff_values({"rules": rules}, {"rules": rules2})) == ["rules[Backlog].expr"]


def test_a_reorder_of_named_items_is_reported_once():
    old = [{"name": "a", "v": 1}, {"name": "b", "v": 1}]
    assert diff_values(old, old[::-1], "env") == [FieldChange("env (order)", ["a", "b"], ["b", "a"])]


def test_duplicate_names_fall_back_to_positions():
    mounts = [{"name": "cache", "mountPath": "/models"}, {"name": "cache", "mountPath": "/tmp/x"}]
    changed = [mounts[0], {"name": "cache", "mountPath": "/tmp/y"}]
    assert diff_values(mounts, changed, "volumeMounts") == [
        FieldChange("volumeMounts[1].mountPath", "/tmp/x", "/tmp/y")
    ]


def test_long_scalar_lists_change_by_position_and_an_insertion_does_not_shift_the_tail():
    new_args = list(ARGS)
    new_args[3] = "--max-model-len=16384"
    assert diff_values(ARGS, new_args, "args") == [
        FieldChange("args[3]", "--max-model-len=8192", "--max-model-len=16384")
    ]
    inserted = [*ARGS[:2], "--enable-prefix-caching", *ARGS[2:]]
    assert diff_values(ARGS, inserted, "args") == [FieldChange("args[2]", MISSING, "--enable-prefix-caching")]


def test_short_scalar_lists_are_shown_whole():
    assert diff_values(["a", "b"], ["a", "c", "b"], "instanceTypes") == [
        FieldChange("instanceTypes", ["a", "b"], ["a", "c", "b"])
    ]


def test_helm_releases_show_chart_and_version_first_then_values_paths():
    def release(version: str, values: dict[str, Any]) -> dict[str, Any]:
        inputs = {"chart": "keda", "name": "keda", "namespace": "keda", "values": values, "version": version}
        return res(RELEASE, "keda", inputs)

    base = release("2.20.2", {"operator": {"replicaCount": 2}, "podDisruptionBudget": {"operator": {}}})
    head = release("2.21.0", {"operator": {"replicaCount": 3}, "metricsServer": {"replicaCount": 2}})
    (r,) = diff_plans(plan(base), plan(head)).resources
    assert r.action == CHANGE
    assert [(f.path, f.old, f.new) for f in r.fields] == [
        ("version", "2.20.2", "2.21.0"),
        ("values.metricsServer.replicaCount", MISSING, 2),
        ("values.operator.replicaCount", 2, 3),
        ("values.podDisruptionBudget.operator", {}, MISSING),
    ]
    text = render(diff_plans(plan(base), plan(head)), "`main` (abc1234)")
    assert '  version: "2.20.2" -> "2.21.0"' in text
    assert "  values.metricsServer.replicaCount: (none) -> 2" in text
    # A new release name is a new release.
    renamed = release("2.20.2", base["inputs"]["values"])
    renamed["inputs"]["name"] = "keda2"
    assert diff_plans(plan(base), plan(renamed)).resources[0].replace_fields == ("name",)


def test_keys_that_are_not_identifiers_are_quoted():
    old = {"metadata": {"labels": {"nvidia.com/gpu.present": "true"}}}
    new = {"metadata": {"labels": {"nvidia.com/gpu.present": "false"}}}
    assert paths(diff_values(old, new)) == ['metadata.labels["nvidia.com/gpu.present"]']


def test_json_documents_in_strings_are_compared_as_json_and_multiline_text_by_line():
    dash = {"panels": [{"title": "TTFT", "targets": [{"expr": "a"}]}], "title": "LLM"}
    dash2 = copy.deepcopy(dash)
    dash2["panels"][0]["targets"][0]["expr"] = "b"
    old, new = {"data": {"x.json": json.dumps(dash, indent=1)}}, {"data": {"x.json": json.dumps(dash2)}}
    assert diff_values(old, new) == [FieldChange('data["x.json"].panels[0].targets[0].expr', "a", "b")]
    # A script changes whole; the markdown shows it as a unified diff of its lines (tests/unit/test_long_values.py).
    script = "set -eu\nhf download a\necho done\n"
    assert diff_values(script, script.replace("download a", "download b"), "command[2]") == [
        FieldChange("command[2]", script, script.replace("download a", "download b"))
    ]


def test_resource_options_are_listed_apart_from_inputs():
    dep = res("kubernetes:core/v1:Namespace", "ns").get("urn")
    base = res("aws:efs/fileSystem:FileSystem", "model-cache-fs", {"encrypted": True}, dependsOn=[dep])
    head = res(
        "aws:efs/fileSystem:FileSystem",
        "model-cache-fs",
        {"encrypted": True},
        protect=True,
        retainOnDelete=True,
        ignoreChanges=["tags"],
        dependsOn=[f"{STACK}llm-platform:cluster:Cluster$eks:index:Cluster::cluster"],
    )
    diff = diff_plans(plan(base), plan(head))
    (r,) = diff.resources
    assert r.action == CHANGE and r.fields == ()
    assert paths(list(r.options)) == ["dependsOn", "dependsOn", "protect", "retainOnDelete", "ignoreChanges"]
    text = render(diff, "`HEAD~1` (abc1234)")
    assert "  -- options --" in text
    assert '  dependsOn: "kubernetes:core/v1:Namespace::ns" -> (none)' in text  # URNs as type::name
    assert '  dependsOn: (none) -> "eks:index:Cluster::cluster"' in text
    assert "  protect: false -> true" in text
    assert '  ignoreChanges: [] -> ["tags"]' in text


def test_long_values_are_a_unified_diff_of_whole_pieces_and_a_repeated_edit_shows_once():
    def command(revision: str, max_len: int) -> str:
        return (
            f"test -f /models/x/{revision}/.complete && exec vllm serve /models/x/{revision} "
            f"--served-model-name x --tensor-parallel-size 1 --max-model-len {max_len} "
            f"--gpu-memory-utilization 0.9 --max-num-seqs 32 --dtype auto --port 8000; rm /models/x/{revision}/.lock"
        )

    base = deployment(ARGS)
    head = copy.deepcopy(base)
    base["inputs"]["spec"]["template"]["spec"]["containers"][1]["command"] = [
        "/bin/sh",
        "-c",
        command("r1", 16384),
    ]
    head["inputs"]["spec"]["template"]["spec"]["containers"][1]["command"] = [
        "/bin/sh",
        "-c",
        command("r2", 8192),
    ]
    note = "x" * 300
    head["inputs"]["metadata"]["annotations"] = {"note": note}
    text = render(diff_plans(plan(base), plan(head)), "`HEAD~1` (abc1234)")
    lines = text.splitlines()
    start = lines.index("  spec.template.spec.containers[vllm].command[2]:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    assert lines[start + 1 : end] == [
        # The revision's edit, made in three places, once; the pieces around each change whole.
        "    - test -f /models/x/r1/.complete &&",
        "    + test -f /models/x/r2/.complete &&   (and 2 more places)",
        "    …",
        "      --tensor-parallel-size 1",
        "    - --max-model-len 16384",
        "    + --max-model-len 8192",
        "      --gpu-memory-utilization 0.9",
    ]
    # A long value with nowhere to break is shown whole, never cut.
    start = lines.index("  metadata.annotations.note:")
    assert lines[start + 1] == f"    + {note}"


def test_a_resource_shows_at_most_the_cap_of_field_lines():
    base = res("kubernetes:core/v1:ConfigMap", "big", {"labels": {f"k{i:03}": "a" for i in range(80)}})
    head = res("kubernetes:core/v1:ConfigMap", "big", {"labels": {f"k{i:03}": "b" for i in range(80)}})
    text = render(diff_plans(plan(base), plan(head)), "`x` (abc1234)")
    assert len([ln for ln in text.splitlines() if ln.startswith("  labels.k")]) == MAX_FIELD_LINES
    assert f"  ... {80 - MAX_FIELD_LINES} more" in text


def test_stack_outputs_are_compared_too():
    keep = res("aws:ec2/vpc:Vpc", "network-vpc")
    base = plan(keep, outputs={"clusterName": "llm-dev", "modelEndpoints": {"a": "http://a"}, "gone": 1})
    head = plan(
        keep, outputs={"clusterName": "llm-dev", "modelEndpoints": {"a": "http://a", "b": "http://b"}}
    )
    diff = diff_plans(base, head)
    assert diff.resources == () and not diff.empty
    assert diff.outputs == (
        FieldChange("gone", 1, MISSING),
        FieldChange("modelEndpoints.b", MISSING, "http://b"),
    )
    text = render(diff, "`HEAD~1` (abc1234)")
    assert "#### Stack outputs (2 changed)" in text and 'modelEndpoints.b: (none) -> "http://b"' in text


def test_the_resolved_fleet_is_compared_when_both_sides_have_it():
    same = plan(res("aws:ec2/vpc:Vpc", "network-vpc"))
    base_fleet = {
        "gpuCapacity": 8,
        "models": {"m": {"tensorParallelSize": 4, "usdPerHourPerReplica": {"onDemand": 10.49}}},
    }
    head_fleet = {
        "gpuCapacity": 8,
        "models": {"m": {"tensorParallelSize": 8, "usdPerHourPerReplica": {"onDemand": 30.13}}},
    }
    diff = diff_plans(same, copy.deepcopy(same), base_fleet, head_fleet)
    # No resource input changed, and still the review shows the model moved to TP 8 at three times the price.
    assert diff.resources == () and not diff.empty
    assert diff.fleet == (
        FieldChange("models.m.tensorParallelSize", 4, 8),
        FieldChange("models.m.usdPerHourPerReplica.onDemand", 10.49, 30.13),
    )
    text = render(diff, "`HEAD` (abc1234)")
    assert "#### Fleet (resolved: pools, models, GPU capacity) (2 changed)" in text
    assert "models.m.tensorParallelSize: 4 -> 8" in text
    # A base without fleet.json (older than it) compares nothing, and says nothing changed there.
    older = diff_plans(same, copy.deepcopy(same), None, head_fleet)
    assert older.fleet is None and older.empty and "Fleet" not in render(older, "`v1` (abc1234)")


def test_no_changes_says_so():
    same = plan(res("aws:ec2/vpc:Vpc", "network-vpc", {"cidrBlock": "10.0.0.0/16"}), outputs={"a": 1})
    diff = diff_plans(same, copy.deepcopy(same))
    assert diff.empty and diff.counts()["unchanged"] == 1
    text = render(diff, "`HEAD` (abc1234)")
    assert text.splitlines()[0] == "### Offline plan diff: stack `dev`, `HEAD` (abc1234) -> working tree"
    assert "No changes." in text and "####" not in text


def test_a_missing_base_adds_everything_and_the_note_says_why():
    diff = diff_plans(None, plan(res("aws:ec2/vpc:Vpc", "network-vpc"), outputs={"region": "us-west-2"}))
    assert diff.counts()[ADD] == 1 and diff.outputs == (FieldChange("region", MISSING, "us-west-2"),)
    text = render(diff, "`v1` (abc1234)", notes=("Pulumi.dev.yaml does not exist at `v1` (abc1234).",))
    assert "> Pulumi.dev.yaml does not exist at `v1` (abc1234)." in text


def test_the_rendered_headline_groups_and_replacement_wording():
    protected = {"protect": True}
    base = plan(
        res(NODE_GROUP, "gpu-ng", {"capacityType": "SPOT"}),
        res("aws:efs/fileSystem:FileSystem", "model-cache-fs", **protected, retainOnDelete=True),
    )
    head = plan(res(NODE_GROUP, "gpu-ng", {"capacityType": "ON_DEMAND"}), res("aws:ec2/vpc:Vpc", "vpc"))
    text = render(diff_plans(base, head), "`HEAD~1` (abc1234)")
    lines = text.splitlines()
    assert lines[0] == "### Offline plan diff: stack `dev`, `HEAD~1` (abc1234) -> working tree"
    assert "**1 to add, 0 to change, 1 to replace, 1 to delete, 0 unchanged**" in lines
    assert [ln for ln in lines if ln.startswith("#### ")] == [
        "#### Add (1)",
        "#### Replace (1)",
        "#### Delete (1)",
    ]
    assert (
        "- `aws:eks/nodeGroup:NodeGroup` **gpu-ng** — replace (changes `capacityType`, which NodeGroup "
        "cannot update in place)"
    ) in lines
    assert '  capacityType: "SPOT" -> "ON_DEMAND"' in lines
    (deleted,) = [ln for ln in lines if "model-cache-fs" in ln]
    assert "**protected**" in deleted and "retainOnDelete" in deleted
    assert "offline estimate" in text
