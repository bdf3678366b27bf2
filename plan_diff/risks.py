"""What a reviewer must not miss in a plan diff, as one list: state that is lost or moved, models that move to
other GPUs, availability that changes, new public exposure, policy findings, and the AWS provider moving.

Each kind is read from a table (which types hold state, which input paths govern disruption, which values
expose the stack), so a new rule is a row, not a branch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from plan_diff.compare import ADD, CHANGE, DELETE, REPLACE, PlanDiff, ResourceDiff
from plan_diff.providers import account_pinning
from plan_diff.values import MISSING, as_json, flatten
from plan_diff.worktree import Side

PDB = "kubernetes:policy/v1:PodDisruptionBudget"


@dataclass(frozen=True)
class Risk:
    kind: str  # one of KINDS
    text: str  # markdown


# The kinds, in the order the summary lists them, and their label there.
KINDS: Mapping[str, str] = {
    "provider": "provider",
    "state": "state",
    "capacity": "GPUs",
    "availability": "availability",
    "exposure": "exposure",
    "policy": "policy",
}

# Resources whose replacement or deletion loses state or disturbs what others share, and what goes.
STATEFUL: Mapping[str, str] = {
    "aws:efs/fileSystem:FileSystem": "the model cache's file system: the cached weights are lost and every "
    "model downloads again",
    "aws:kms/key:Key": "a KMS key: what it encrypts (the cluster's secrets, the model cache) cannot be read "
    "once it is deleted",
    "eks:index:Cluster": "the EKS cluster: every workload and Kubernetes object in it goes with it",
    "aws:eks/nodeGroup:NodeGroup": "a node group: its nodes are drained and replaced, and its pods rescheduled",
    "aws:ec2/vpc:Vpc": "the VPC: everything in it is recreated",
    "aws:ec2/subnet:Subnet": "a subnet: the nodes, mount targets and load balancers in it are recreated",
    "aws:ec2/eip:Eip": "the NAT gateway's public IP: allowlists elsewhere that name it stop matching",
    "kubernetes:core/v1:PersistentVolumeClaim": "a volume claim: the data on its volume is lost",
    "random:index/randomPassword:RandomPassword": "a generated password: every client of the old one fails",
}

# Input paths (type pattern, path regular expression, what they govern) whose change alters how pods and
# nodes are disrupted: drains, budgets, grace periods, rollouts.
AVAILABILITY: tuple[tuple[str, str, str], ...] = (
    (PDB, r"^spec\.(minAvailable|maxUnavailable|selector)", "the disruption budget"),
    ("kubernetes:*", r"(?i)(podDisruptionBudget|envoyPDB)", "a disruption budget"),
    ("kubernetes:*", r"terminationGracePeriodSeconds$", "the termination grace period (how long a pod drains)"),
    ("kubernetes:*", r"lifecycle\.preStop", "the preStop hook (how a pod drains before it stops)"),
    ("kubernetes:karpenter.sh/v1:NodePool", r"^spec\.disruption\.", "Karpenter's disruption (consolidation, "
     "budgets)"),
    ("kubernetes:karpenter.sh/v1:NodePool", r"^spec\.template\.spec\.(expireAfter|terminationGracePeriod)$",
     "node expiry and drain time"),
    ("aws:eks/nodeGroup:NodeGroup", r"^updateConfig\.", "how many nodes an update drains at once"),
    ("kubernetes:apps/v1:*", r"^spec\.(strategy|updateStrategy)\.", "the rollout strategy"),
)  # fmt: skip

_WORLD = ("0.0.0.0/0", "::/0")


def _is_world(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(v in _WORLD for v in values)


# Values that expose the stack: (type pattern, path regular expression, test of the new value, what).
EXPOSURE: tuple[tuple[str, str, Callable[[Any], bool], str], ...] = (
    ("eks:index:Cluster", r"^endpointPublicAccess$", lambda v: v is True, "a public Kubernetes API endpoint"),
    ("kubernetes:*", r'(aws-load-balancer-scheme|alb\.ingress\.kubernetes\.io/scheme)"\]$',
     lambda v: v == "internet-facing", "an internet-facing load balancer"),
    ("*", r"", _is_world, "a CIDR open to the whole internet"),
)  # fmt: skip
# Paths where 0.0.0.0/0 is a way out, not a way in: routes and egress rules.
EGRESS: tuple[tuple[str, str], ...] = (
    ("aws:ec2/routeTable:RouteTable", r"^routes"),
    ("aws:ec2/route:Route", r""),
    ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", r""),
    ("*", r"(?i)egress"),
)

# The resolved fleet's per-model values whose change is a risk: (path in fleet.json, kind, label).
MODEL_RISKS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("tensorParallelSize",), "capacity", "TP"),
    (("gpusPerReplica",), "capacity", "GPUs per replica"),
    (("replicas", "min"), "availability", "replicas.min"),
)
_MODEL_CONSEQUENCE = {
    "capacity": "its replicas are rescheduled onto nodes with room for the new size, and its throughput and "
    "$/h per replica change",
    "availability": "how many replicas stay serving through a node drain or a scale-down changes",
}


def risks(diff: PlanDiff, base: Side, head: Side) -> list[Risk]:
    found = [
        *_provider(base, head),
        *_state(diff),
        *_models(base.fleet, head.fleet),
        *_availability(diff),
        *_exposure(diff, head.plan or {}),
        *_policy(base, head),
    ]
    return sorted(found, key=lambda r: list(KINDS).index(r.kind))


def type_matches(pattern: str, typ: str) -> bool:
    return pattern == "*" or (typ.startswith(pattern[:-1]) if pattern.endswith("*") else typ == pattern)


def _provider(base: Side, head: Side) -> Iterator[Risk]:
    pinned = account_pinning(base.plan, head.plan or {})
    if pinned is None:
        return
    said = "pinned to" if pinned.new is not MISSING else "no longer pinned, was"
    account = pinned.new if pinned.new is not MISSING else pinned.old
    yield Risk(
        "provider",
        f"the AWS account is {said} `{account}`: if the credentials' account differs, every AWS resource is "
        "created there anew",
    )


def _state(diff: PlanDiff) -> Iterator[Risk]:
    """Replaced or deleted stateful resources, one line per action and type."""
    groups: dict[tuple[str, str], list[ResourceDiff]] = {}
    for r in diff.resources:
        if r.action in (REPLACE, DELETE) and r.type in STATEFUL:
            groups.setdefault((r.action, r.type), []).append(r)
    for (action, typ), group in groups.items():
        names = ", ".join(f"**{r.name}**" for r in group)
        verb = "Replaced" if action == REPLACE else "Deleted"
        yield Risk("state", f"{verb}: `{typ}` {names} — {STATEFUL[typ]}")


def _models(base: dict[str, Any] | None, head: dict[str, Any] | None) -> Iterator[Risk]:
    """Models both fleets hold whose TP, GPUs per replica or replicas.min moved."""
    if base is None or head is None:
        return
    before, after = base.get("models", {}), head.get("models", {})
    for name in [n for n in after if n in before]:
        moved: dict[str, list[str]] = {}  # kind -> "TP 4 -> 2", in table order
        for path, kind, label in MODEL_RISKS:
            old, new = _at(before[name], path), _at(after[name], path)
            if old != new:
                moved.setdefault(kind, []).append(f"{label} {old} -> {new}")
        for kind, changes in moved.items():
            yield Risk(kind, f"`{name}`: {', '.join(changes)}: {_MODEL_CONSEQUENCE[kind]}")


def _at(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _availability(diff: PlanDiff) -> Iterator[Risk]:
    for r in diff.resources:
        if r.type == PDB and r.action in (DELETE, REPLACE):
            gone = "deleted" if r.action == DELETE else "replaced (briefly absent)"
            yield Risk("availability", f"`{r.type}` **{r.name}** is {gone}: a drain may evict all its pods")
        if r.action not in (CHANGE, REPLACE):
            continue
        for f in r.fields:
            what = next(
                (w for t, p, w in AVAILABILITY if type_matches(t, r.type) and re.search(p, f.path)), None
            )
            if what is not None:
                yield Risk(
                    "availability",
                    f"`{r.type}` **{r.name}**: {what}, `{f.path}` {_short(f.old)} -> {_short(f.new)}",
                )


def _exposure(diff: PlanDiff, head_plan: dict[str, Any]) -> Iterator[Risk]:
    """New values that expose the stack: in added resources' inputs, or changed to from a value that did not."""
    inputs = {r["urn"]: r.get("inputs", {}) for r in head_plan.get("resources", [])}
    for r in diff.resources:
        if r.action == ADD:
            candidates = [(path, MISSING, v) for path, v in flatten(inputs.get(r.urn, {}))]
        elif r.action in (CHANGE, REPLACE):
            candidates = [(f.path, f.old, f.new) for f in r.fields]
        else:
            continue
        for path, old, new in candidates:
            what = _exposes(r.type, path, old, new)
            if what is not None:
                yield Risk("exposure", f"`{r.type}` **{r.name}**: {what}, `{path}` = {_short(new)}")


def _exposes(typ: str, path: str, old: Any, new: Any) -> str | None:
    if any(type_matches(t, typ) and re.search(p, path) for t, p in EGRESS):
        return None
    for t, p, test, what in EXPOSURE:
        if (
            type_matches(t, typ)
            and re.search(p, path)
            and test(new)
            and not (old is not MISSING and test(old))
        ):
            return what
    return None


def _policy(base: Side, head: Side) -> Iterator[Risk]:
    """Findings below mandatory that the base does not have (mandatory ones lead the summary); none against a
    base that wrote no policy.json (older than it: a note says so), where every finding would look new."""
    if head.policy is None or (base.plan is not None and base.policy is None):
        return
    known = {_finding_key(f) for f in (base.policy or {}).get("findings", [])}
    for f in head.policy.get("findings", []):
        if f["level"] == "mandatory" or _finding_key(f) in known:
            continue
        later = "; it blocks a real `pulumi preview` or `up`" if f.get("blocksRealPreview") else ""
        yield Risk(
            "policy", f"new {f['level']} finding `{f['policy']}` on {f['subject']}: {f['message']}{later}"
        )


def _finding_key(f: Mapping[str, Any]) -> tuple[str, str, str]:
    return f["policy"], f["urn"], f["message"]


def _short(value: Any) -> str:
    text = "(none)" if value is MISSING else as_json(value)
    return f"`{text}`" if len(text) <= 60 else "(a long value: see below)"
