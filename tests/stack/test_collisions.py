"""What a render really registers, against the names config/rules/names.py measures and keeps apart: the table
of claimed objects is exactly what the composition creates (so it cannot fall behind it), every name the rules
compute is the one the plan holds, every autonamed physical name fits its API, and no URN is registered twice."""

from __future__ import annotations

from typing import Any

import pytest

from config.rules import names as rules
from config.rules.registry import Sections
from config.schema.platform import PlatformConfig
from planner.mocks import duplicate_urns, is_kubernetes_object
from planner.render import HELM_RELEASE
from planner.run import Plan, run_plan
from tests.conftest import STACKS, write_variant
from vocabulary import names

Where = tuple[str, str | None, str]


def registered(plan: Plan) -> set[Where]:
    """(kind, namespace, name) of every Kubernetes object and Helm release the plan registers."""
    out: set[Where] = set()
    for r in plan.resources:
        i = r["inputs"]
        if is_kubernetes_object(r["type"]) and "kind" in i:
            out.add((i["kind"], i["metadata"].get("namespace"), i["metadata"]["name"]))
        elif r["type"] == HELM_RELEASE:
            out.add((rules.HELM_RELEASE, i["namespace"], i["name"]))
    return out


def claimed(plan: Plan) -> list[rules.Claim]:
    cfg = plan.config
    return rules.claims(Sections({f: getattr(cfg, f) for f in PlatformConfig.model_fields}))


def assert_claims_are_the_composition(plan: Plan) -> None:
    made, claims = registered(plan), {(c.kind, c.namespace, c.name) for c in claimed(plan)}
    assert not made - claims, f"created but not claimed in config/rules/names.py: {sorted(made - claims)}"
    assert not claims - made, f"claimed but not created (a false clash waiting): {sorted(claims - made)}"


def test_the_claims_table_is_exactly_what_the_shipped_stacks_create(plan):
    assert_claims_are_the_composition(plan)


def _variant(c: dict[str, Any]) -> None:
    """Everything dev leaves out: a gated-model token, an s3:// model that does not scale to zero, no
    NetworkPolicies, no Karpenter, no time slicing."""
    c["llm-platform:huggingFaceToken"] = {"secure": "v1:AAAAciphertext"}
    s3 = {**c["llm-platform:models"][0], "name": "from-s3", "source": "s3://weights/qwen3-0.6b"}
    s3 |= {"architecture": "qwen3-0.6b", "replicas": {"min": 1, "max": 2}, "autoscaling": {}}
    s3.pop("revision")
    c["llm-platform:models"].append(s3)
    c["llm-platform:access"] = {"networkPolicies": False}
    c["llm-platform:addons"]["karpenter"] = {"enabled": False}
    c["llm-platform:addons"]["gpuOperator"].pop("timeSlicing")
    for m in c["llm-platform:models"]:
        m["placement"]["pools"] = ["l4-spot"]
        m["gpuMemoryUtilization"] = 0.9


def test_the_claims_table_follows_the_composition_where_dev_and_prod_do_not_go(tmp_path):
    assert_claims_are_the_composition(run_plan(write_variant(tmp_path, _variant), "variant"))


def test_every_name_the_rules_measure_is_the_one_the_plan_holds(tmp_path):
    plan = run_plan(write_variant(tmp_path, _variant), "variant")
    logical = {(r["type"], r["name"]) for r in plan.resources}
    assert [m.name for m in plan.fleet.models if m.config.source.startswith("s3://")] == ["from-s3"]
    for m in plan.fleet.models:
        assert ("llm-platform:serving:ModelServer", names.model_server(m.name)) in logical
        if m.config.source.startswith("s3://"):  # the autonamed role and policy the rules measure
            preload = names.model_server_part(m.name, names.MODEL_SERVER_PRELOAD)
            assert {("aws:iam/role:Role", preload), ("aws:iam/rolePolicy:RolePolicy", preload)} <= logical
    for pool in plan.fleet.node_groups:
        group = names.gpu_node_group(pool.name)
        assert ("aws:eks/nodeGroup:NodeGroup", f"{group}-{names.NODE_GROUP_PART}") in logical
        assert ("aws:ec2/launchTemplate:LaunchTemplate", f"{group}-{names.LAUNCH_TEMPLATE_PART}") in logical


def test_every_autonamed_physical_name_fits_the_api_that_receives_it(plan):
    checked = 0
    for r in plan.resources:
        if r["type"] in names.AUTONAMED:
            field, limit = names.AUTONAMED[r["type"]]
            physical = r["inputs"].get(field) or names.autonamed(r["name"])
            assert len(physical) <= limit.max_length, (
                f"{r['type']} {physical!r}: {limit.api} ({limit.source})"
            )
            checked += 1
    assert checked >= 20  # roles, the queue, the rules and targets, node groups, launch templates …


def test_the_shipped_stacks_register_every_urn_once(plan):
    assert duplicate_urns(plan.resources) == []


@pytest.mark.parametrize("stack", STACKS)
def test_the_plans_logical_names_come_from_vocabulary_names(plans, stack):
    plan = plans[stack]
    made = registered(plan)
    ns = plan.fleet.namespace
    for m in plan.fleet.models:
        # A model streaming from S3 has no preload; its service account holds the read-only role all the same.
        assert (("Job", ns, names.preload_job(m.name)) in made) != m.loader.from_s3
        assert ("ServiceAccount", ns, names.preload_service_account(m.name)) in made
        assert ("PrometheusRule", ns, names.model_rules(m.name)) in made
        assert (("Service", ns, names.proxy_service(m.name)) in made) == m.scales_to_zero
    assert {("ResourceQuota", ns, names.GPU_QUOTA), ("LimitRange", ns, names.DEFAULT_LIMITS)} <= made
