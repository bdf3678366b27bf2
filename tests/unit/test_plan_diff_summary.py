"""The plan diff's summary on small hand-made plans: cost, models, violations, the AWS provider moving, the risk
tables and added resources' key inputs (tests/test_plan_diff_summary_cli.py runs it on real renders)."""

from __future__ import annotations

import copy
from typing import Any

from plan_diff.compare import ADD, CHANGE, REPLACE, diff_plans
from plan_diff.markdown import render
from plan_diff.summary import EXIT_VIOLATIONS, summarise
from plan_diff.worktree import Rendered, Side, older_base_notes
from tests.unit.test_plan_diff import NODE_GROUP, plan, res

AWS = {"region": "us-west-2", "partition": "aws", "account": None}
LABEL = "`HEAD` (abc1234)"


def stack(*resources: dict[str, Any], aws: dict[str, Any] | None = None) -> dict[str, Any]:
    return plan(*resources) | {"providers": {"aws": aws or AWS}}


def cost(low: float, high: float, complete: bool = True) -> dict[str, Any]:
    return {"monthlyUsd": {"min": {"usd": low, "complete": complete}, "max": {"usd": high, "complete": True}}}


def model(tp: int, od: float, spot: float, low: int = 1, high: int = 2) -> dict[str, Any]:
    return {
        "tensorParallelSize": tp,
        "gpusPerReplica": tp,
        "replicas": {"min": low, "max": high},
        "usdPerHourPerReplica": {"onDemand": od, "spot": spot},
    }


def finding(policy: str, urn: str, message: str, level: str = "mandatory") -> dict[str, Any]:
    subject = "stack" if not urn else f"{urn.split('::')[-2].split('$')[-1]} {urn.split('::')[-1]}"
    return {"policy": policy, "level": level, "urn": urn, "subject": subject, "message": message}


def rendered(base: Side, head: Side) -> Rendered:
    return Rendered(diff_plans(base.plan, head.plan, base.fleet, head.fleet), LABEL, (), base, head)


VPC = res("aws:ec2/vpc:Vpc", "network-vpc", {"cidrBlock": "10.0.0.0/16"})


def test_the_cost_reads_each_side_s_figures_and_the_delta_is_of_the_printed_cents():
    base = Side(stack(VPC), cost=cost(253.02, 3550.37))
    head = Side(stack(VPC), cost=cost(1234.5, 3550.37))
    s = summarise(rendered(base, head))
    text = render(rendered(base, head).diff, LABEL, summary=s)
    assert f"| monthly cost | {LABEL} | working tree | change |" in text
    assert "| minimum scale | $253.02 | $1,234.50 | +$981.48 |" in text
    assert "| maximum scale | $3,550.37 | $3,550.37 | no change |" in text
    # A total that leaves an unpriced line out reads as a lower bound, as `make plan` prints it.
    partial = summarise(rendered(base, Side(stack(VPC), cost=cost(100.0, 3000.0, complete=False))))
    text = render(rendered(base, head).diff, LABEL, summary=partial)
    assert "| minimum scale | $253.02 | ≥ $100.00 | -$153.02 (unpriced lines left out) |" in text


def test_a_stack_new_at_the_base_costs_nothing_there_and_an_older_base_compares_no_cost():
    head = Side(stack(VPC), cost=cost(253.02, 300.0))
    new = summarise(rendered(Side(), head))
    assert [(c.before.usd, c.after.usd) for c in new.cost] == [(0.0, 253.02), (0.0, 300.0)]
    older = summarise(rendered(Side(stack(VPC)), head))  # a plan, and no cost.json
    assert older.cost is None


def test_models_before_and_after_added_and_removed():
    base_fleet = {"models": {"a": model(4, 10.4926, 4.4069), "gone": model(1, 0.8, 0.38)}}
    head_fleet = {"models": {"a": model(2, 5.2463, 2.2035), "new": model(8, 55.04, 22.016, 1, 1)}}
    r = rendered(Side(stack(VPC), fleet=base_fleet), Side(stack(VPC), fleet=head_fleet))
    lines = render(r.diff, LABEL, summary=summarise(r)).splitlines()
    header = lines.index(
        "| model | TP | GPUs per replica | replicas | $/h per replica on-demand | $/h per replica spot |"
    )
    assert lines[header + 2 : header + 5] == [
        "| a | 4 -> 2 | 4 -> 2 | 1..2 | $10.4926 -> $5.2463 | $4.4069 -> $2.2035 |",
        "| new (added) | 8 | 8 | 1..1 | $55.0400 | $22.0160 |",
        "| gone (removed) | 1 | 1 | 1..2 | $0.8000 | $0.3800 |",
    ]
    # No model moved: no table.
    same = rendered(Side(stack(VPC), fleet=base_fleet), Side(stack(VPC), fleet=copy.deepcopy(base_fleet)))
    assert "| model |" not in render(same.diff, LABEL, summary=summarise(same))


def test_mandatory_violations_lead_the_diff_name_rule_and_resource_and_block_it():
    cluster = res("eks:index:Cluster", "cluster", {"endpointPublicAccess": True})
    opened = res("eks:index:Cluster", "cluster", {"endpointPublicAccess": True, "publicAccessCidrs": ["x"]})
    old = finding("gpu-quota", "", "the stack can run 20 GPUs, over its cap of 12 (maxGpus)")
    new = finding("eks-endpoint-not-open-to-world", cluster["urn"], "the endpoint is open to 0.0.0.0/0")
    advisory = finding("no-placeholder-values", cluster["urn"], "a documentation range", "advisory")
    base = Side(stack(cluster), policy={"findings": [old]}, exit_code=1)
    head = Side(stack(opened), policy={"findings": [new, old, advisory]}, exit_code=1)
    s = summarise(rendered(base, head))
    assert s.blocked and EXIT_VIOLATIONS == 3
    lines = render(rendered(base, head).diff, LABEL, summary=s).splitlines()
    # Right under the title, before any note or summary.
    assert lines[2].startswith("**Blocked: 2 mandatory policy violations in the working tree's plan**")
    assert "plan-diff exits 3" in lines[2]
    assert lines[3:5] == [
        "- `eks-endpoint-not-open-to-world` on `eks:index:Cluster cluster`: the endpoint is open to 0.0.0.0/0",
        "- `gpu-quota` on `stack`: the stack can run 20 GPUs, over its cap of 12 (maxGpus) (already at the base)",
    ]
    # A finding below mandatory that the base lacks is a risk, not a block.
    assert [r.text for r in s.risks if r.kind == "policy"] == [
        "new advisory finding `no-placeholder-values` on eks:index:Cluster cluster: a documentation range"
    ]
    clean = summarise(rendered(base, Side(stack(opened), policy={"findings": [advisory]})))
    assert not clean.blocked and clean.violations == ()
    # A base older than policy.json: nothing to tell new findings from old ones by, so no policy risk is claimed.
    older = summarise(rendered(Side(stack(cluster)), head))
    assert older.blocked and [r for r in older.risks if r.kind == "policy"] == []


def test_a_base_older_than_the_documents_is_compared_without_them_and_says_so():
    notes = older_base_notes(Side(plan(VPC)), "`v1` (abc1234)")
    assert notes == [
        "`v1` (abc1234) writes no fleet.json (it predates it): fleet changes are not compared.",
        "`v1` (abc1234) writes no cost.json (it predates it): the monthly cost is not compared.",
        "`v1` (abc1234) writes no policy.json (it predates it): its policy findings are not compared.",
        "`v1` (abc1234)'s plan.json records no provider identity (it predates it): a change of region, partition "
        "or account is not detected.",
    ]
    assert older_base_notes(Side(), "`v1` (abc1234)") == []  # no stack there: everything is added


def test_a_planner_that_exits_1_without_policy_json_still_blocks():
    s = summarise(rendered(Side(stack(VPC)), Side(stack(VPC), exit_code=1)))
    assert s.blocked and s.violations == ()
    text = render(rendered(Side(stack(VPC)), Side(stack(VPC))).diff, LABEL, summary=s)
    assert "**Blocked: the working tree's plan fails its policy pack**" in text


def test_a_new_region_replaces_every_aws_resource_and_never_changes_one_in_place():
    queue = res("aws:sqs/queue:Queue", "q", {"name": "q"})
    ns = res("kubernetes:core/v1:Namespace", "ns", {"metadata": {"name": "x"}})
    moved = {**AWS, "region": "us-east-1"}
    base = Side(stack(VPC, queue, ns))
    head_queue = copy.deepcopy(queue)
    head_queue["inputs"]["tags"] = {"a": "b"}  # an input change too: still a replacement, with its field
    head = Side(stack(VPC, head_queue, ns, aws=moved))
    r = rendered(base, head)
    assert [(d.action, d.type) for d in r.diff.resources] == [
        (REPLACE, "aws:ec2/vpc:Vpc"),
        (REPLACE, "aws:sqs/queue:Queue"),
    ]
    assert r.diff.counts()["unchanged"] == 1  # the namespace: it follows the cluster, not the provider
    s = summarise(r)
    text = render(r.diff, LABEL, summary=s)
    assert (
        "**Every AWS resource of this stack is replaced (2)**: the AWS provider moves (`aws:region` us-west-2 "
        "-> us-east-1)"
    ) in text
    assert "- `aws:sqs/queue:Queue` **q** — replace (the AWS provider moves: `aws:region` changes)" in text
    assert "Change in place" not in text
    assert [x.text.split(" — ")[0] for x in s.risks] == ["Replaced: `aws:ec2/vpc:Vpc` **network-vpc**"]


def test_an_account_is_a_move_only_when_both_sides_pin_one():
    def account(before, after):
        r = rendered(
            Side(stack(VPC, aws={**AWS, "account": before})), Side(stack(VPC, aws={**AWS, "account": after}))
        )
        return r.diff, summarise(r)

    diff, _ = account("111122223333", "444455556666")
    assert diff.provider[0].path == "account" and diff.of(REPLACE)[0].provider_fields == ("account",)
    diff, s = account(None, "444455556666")
    assert diff.provider == () and diff.resources == ()
    assert [r.text for r in s.risks] == [
        "the AWS account is pinned to `444455556666`: if the credentials' account differs, every AWS resource "
        "is created there anew"
    ]
    # A base older than the record compares no provider.
    older = diff_plans(plan(VPC), stack(VPC, aws={**AWS, "region": "eu-west-1"}))
    assert older.provider is None and older.resources == ()


def test_stateful_replacements_and_deletions_are_risks_grouped_by_type():
    def subnet(name, cidr):
        return res("aws:ec2/subnet:Subnet", name, {"cidrBlock": cidr})

    base = Side(stack(subnet("a", "10.0.0.0/24"), subnet("b", "10.0.1.0/24"), res("aws:kms/key:Key", "k")))
    head = Side(stack(subnet("a", "10.0.2.0/24"), subnet("b", "10.0.3.0/24")))
    texts = [r.text for r in summarise(rendered(base, head)).risks]
    assert texts == [
        "Replaced: `aws:ec2/subnet:Subnet` **a**, **b** — a subnet: the nodes, mount targets and load balancers "
        "in it are recreated",
        "Deleted: `aws:kms/key:Key` **k** — a KMS key: what it encrypts (the cluster's secrets, the model cache) "
        "cannot be read once it is deleted",
    ]


def test_availability_risks_from_the_table_and_from_the_fleet():
    pdb = res("kubernetes:policy/v1:PodDisruptionBudget", "model-a-pdb", {"spec": {"maxUnavailable": 1}})
    pool = res(
        "kubernetes:karpenter.sh/v1:NodePool",
        "gpu",
        {"spec": {"disruption": {"consolidateAfter": "10m"}, "weight": 10}},
    )
    head_pdb, head_pool = copy.deepcopy(pdb), copy.deepcopy(pool)
    head_pdb["inputs"]["spec"]["maxUnavailable"] = 2
    head_pool["inputs"]["spec"]["disruption"]["consolidateAfter"] = "1m"
    head_pool["inputs"]["spec"]["weight"] = 20  # not an availability field
    fleets = {"models": {"a": model(1, 1.0, 0.5, low=2)}}, {"models": {"a": model(1, 1.0, 0.5, low=1)}}
    base = Side(stack(pdb, pool), fleet=fleets[0])
    head = Side(stack(head_pdb, head_pool), fleet=fleets[1])
    texts = [r.text for r in summarise(rendered(base, head)).risks if r.kind == "availability"]
    assert texts == [
        "`a`: replicas.min 2 -> 1: how many replicas stay serving through a node drain or a scale-down changes",
        "`kubernetes:karpenter.sh/v1:NodePool` **gpu**: Karpenter's disruption (consolidation, budgets), "
        '`spec.disruption.consolidateAfter` `"10m"` -> `"1m"`',
        "`kubernetes:policy/v1:PodDisruptionBudget` **model-a-pdb**: the disruption budget, "
        "`spec.maxUnavailable` `1` -> `2`",
    ]
    gone = summarise(rendered(base, Side(stack(pool), fleet=fleets[0])))
    assert [r.text for r in gone.risks] == [
        "`kubernetes:policy/v1:PodDisruptionBudget` **model-a-pdb** is deleted: a drain may evict all its pods"
    ]


def test_new_public_exposure_but_not_egress_routes_or_what_was_already_open():
    scheme = "service.beta.kubernetes.io/aws-load-balancer-scheme"
    proxy = res(
        "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", "gw", {"annotations": {scheme: "internal"}}
    )
    opened = copy.deepcopy(proxy)
    opened["inputs"]["annotations"][scheme] = "internet-facing"
    route = res("aws:ec2/routeTable:RouteTable", "private", {"routes": [{"cidrBlock": "0.0.0.0/0"}]})
    ingress = res(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in", {"cidrIpv4": "0.0.0.0/0"}
    )
    cluster = res(
        "eks:index:Cluster", "cluster", {"endpointPublicAccess": False, "publicAccessCidrs": ["::/0"]}
    )
    public = copy.deepcopy(cluster)
    public["inputs"]["endpointPublicAccess"] = True
    base = Side(stack(proxy, cluster))
    head = Side(stack(opened, public, route, ingress))
    texts = [r.text for r in summarise(rendered(base, head)).risks]
    # By resource, as the diff sorts them; the route's 0.0.0.0/0 is a way out. The cluster's CIDR list was open
    # already: only its endpoint becoming public is new.
    assert texts == [
        "`aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule` **in**: a CIDR open to the whole internet, "
        '`cidrIpv4` = `"0.0.0.0/0"`',
        "`eks:index:Cluster` **cluster**: a public Kubernetes API endpoint, `endpointPublicAccess` = `true`",
        "`kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy` **gw**: an internet-facing load balancer, "
        f'`annotations["{scheme}"]` = `"internet-facing"`',
    ]


def test_added_resources_show_their_key_inputs():
    group = res(
        NODE_GROUP,
        "gpu-h100-ng",
        {
            "instanceTypes": ["p5.48xlarge"],
            "capacityType": "ON_DEMAND",
            "scalingConfig": {"desiredSize": 1, "maxSize": 2, "minSize": 1},
            "tags": {"Name": "gpu-h100"},
        },
    )
    secret = res("kubernetes:core/v1:Secret", "hf", {"data": "[secret]"})
    diff = diff_plans(stack(), stack(group, secret))
    (ng,) = [r for r in diff.of(ADD) if r.type == NODE_GROUP]
    assert ng.key_inputs == (
        ("capacityType", "ON_DEMAND"),
        ("instanceTypes", ["p5.48xlarge"]),
        ("scalingConfig.maxSize", 2),
        ("scalingConfig.minSize", 1),
        ("(GPUs per node)", "8 x h100 80 GiB"),
    )
    text = render(diff, LABEL)
    assert '  instanceTypes: ["p5.48xlarge"]' in text and '  (GPUs per node): "8 x h100 80 GiB"' in text
    # A type without key inputs (a Secret: its data is never shown) is its name alone.
    assert "- `kubernetes:core/v1:Secret` **hf**\n" in text + "\n" and "[secret]" not in text


def test_a_change_that_is_not_a_risk_lists_none():
    base = Side(stack(res(NODE_GROUP, "ng", {"scalingConfig": {"maxSize": 2}})), cost=cost(1.0, 2.0))
    head = Side(stack(res(NODE_GROUP, "ng", {"scalingConfig": {"maxSize": 3}})), cost=cost(1.0, 3.0))
    r = rendered(base, head)
    s = summarise(r)
    assert r.diff.of(CHANGE) and s.risks == () and not s.blocked
    assert "**Risks" not in render(r.diff, LABEL, summary=s)
