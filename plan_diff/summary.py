"""The summary that heads a plan diff: mandatory policy violations first (they fail the diff), then a move of
the AWS provider, the monthly cost before and after, each model before and after, and the risks
(plan_diff/risks.py).

Every figure is one a side's own planner wrote: the cost from its cost.json (the totals `make plan` prints,
formatted by the same function), the models from its fleet.json, the findings from its policy.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cost.lines import Total
from cost.report import total_text
from plan_diff.compare import ADD, DELETE, PlanDiff
from plan_diff.providers import is_aws
from plan_diff.risks import KINDS, Risk, risks
from plan_diff.values import FieldChange
from plan_diff.worktree import Rendered, Side

# The diff's exit status when the working tree's plan has mandatory policy violations (2 is a bad ref or an
# invalid config, before any diff).
EXIT_VIOLATIONS = 3

SCALES = (("min", "minimum scale"), ("max", "maximum scale"))
NOTHING = Total(0.0, True)  # a stack that does not exist at the base costs nothing there


@dataclass(frozen=True)
class CostLine:
    label: str
    before: Total
    after: Total


def _usd(value: Any) -> str:
    return "n/a" if value is None else f"${value:,.4f}"


def _replicas(value: Any) -> str:
    return "n/a" if not isinstance(value, dict) else f"{value.get('min')}..{value.get('max')}"


# The model table's columns: (heading, path in fleet.json, how a value reads).
MODEL_COLUMNS: tuple[tuple[str, tuple[str, ...], Callable[[Any], str]], ...] = (
    ("TP", ("tensorParallelSize",), str),
    ("GPUs per replica", ("gpusPerReplica",), str),
    ("replicas", ("replicas",), _replicas),
    ("$/h per replica on-demand", ("usdPerHourPerReplica", "onDemand"), _usd),
    ("$/h per replica spot", ("usdPerHourPerReplica", "spot"), _usd),
)
ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True)
class ModelRow:
    name: str
    status: str  # ADDED, REMOVED, CHANGED or SAME
    cells: tuple[tuple[str | None, str | None], ...]  # (before, after) per MODEL_COLUMNS; None: no such side


@dataclass(frozen=True)
class Violation:
    policy: str
    subject: str  # `type name` of the resource, or `stack`
    message: str
    at_base: bool  # the base has it too: not this change's doing, and still blocking


@dataclass(frozen=True)
class Summary:
    violations: tuple[Violation, ...]  # the working tree's mandatory findings
    provider: tuple[FieldChange, ...]  # the AWS provider identity fields that changed
    moved: int  # AWS resources replaced because the provider moves (the same URN in both plans)
    renamed: tuple[int, int]  # AWS resources deleted and added beside them (names that carry a zone)
    kubernetes_objects: int  # Kubernetes resources in the working tree's plan: they follow the cluster
    cost: tuple[CostLine, ...] | None  # None: one side wrote no cost.json
    models: tuple[ModelRow, ...] | None  # None: one side wrote no fleet.json
    risks: tuple[Risk, ...]
    blocked: bool  # the working tree's plan fails its policy pack: the diff exits EXIT_VIOLATIONS

    @property
    def changed(self) -> bool:
        """Whether it says anything changed (a price can move the cost with no resource input changing)."""
        costs = any(round(c.before.usd, 2) != round(c.after.usd, 2) for c in self.cost or ())
        models = any(m.status != SAME for m in self.models or ())
        return bool(self.provider or self.risks) or costs or models


def summarise(rendered: Rendered) -> Summary:
    diff, base, head = rendered.diff, rendered.base, rendered.head
    violations = _violations(base, head)
    return Summary(
        violations=violations,
        provider=diff.provider or (),
        moved=sum(1 for r in diff.resources if r.provider_fields),
        renamed=(_aws_count(diff, DELETE), _aws_count(diff, ADD)),
        kubernetes_objects=sum(1 for r in (head.plan or {}).get("resources", []) if _is_object(r)),
        cost=_cost(base, head),
        models=_models(base, head),
        risks=tuple(risks(diff, base, head)),
        # The planner's exit 1 is its own word that the plan is refused, even without a policy.json to name why.
        blocked=bool(violations) or head.exit_code == 1,
    )


def _aws_count(diff: PlanDiff, action: str) -> int:
    return sum(1 for r in diff.of(action) if is_aws(r.type))


def _is_object(record: dict[str, Any]) -> bool:
    return record["type"].startswith("kubernetes:") and record.get("custom", True)


def _violations(base: Side, head: Side) -> tuple[Violation, ...]:
    at_base = {
        (f["policy"], f["urn"], f["message"])
        for f in (base.policy or {}).get("findings", [])
        if f["level"] == "mandatory"
    }
    return tuple(
        Violation(f["policy"], f["subject"], f["message"], (f["policy"], f["urn"], f["message"]) in at_base)
        for f in (head.policy or {}).get("findings", [])
        if f["level"] == "mandatory"
    )


def _cost(base: Side, head: Side) -> tuple[CostLine, ...] | None:
    if head.cost is None or (base.plan is not None and base.cost is None):
        return None

    def total(side: Side, scale: str) -> Total:
        if side.cost is None:  # no stack at the base
            return NOTHING
        figure = side.cost["monthlyUsd"][scale]
        return Total(figure["usd"], figure["complete"])

    return tuple(CostLine(label, total(base, scale), total(head, scale)) for scale, label in SCALES)


def _models(base: Side, head: Side) -> tuple[ModelRow, ...] | None:
    if head.fleet is None or (base.plan is not None and base.fleet is None):
        return None
    before, after = (base.fleet or {}).get("models", {}), head.fleet.get("models", {})
    names = [*after, *(n for n in before if n not in after)]
    return tuple(_model_row(n, before.get(n), after.get(n)) for n in names)


def _model_row(name: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> ModelRow:
    cells = tuple((_cell(before, path, show), _cell(after, path, show)) for _, path, show in MODEL_COLUMNS)
    if before is None or after is None:
        status = ADDED if before is None else REMOVED
    else:
        status = CHANGED if any(old != new for old, new in cells) else SAME
    return ModelRow(name, status, cells)


def _cell(model: dict[str, Any] | None, path: tuple[str, ...], show: Callable[[Any], str]) -> str | None:
    if model is None:
        return None
    value: Any = model
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return show(value)


# --- as markdown -----------------------------------------------------------------------------------------
EXIT_NOTE = f"plan-diff exits {EXIT_VIOLATIONS}"


def render_summary(s: Summary, base_label: str, head_label: str) -> list[str]:
    """The summary section: the provider's move, the cost, the models, the risks; empty parts left out."""
    body = [*_provider_lines(s), *_cost_lines(s, base_label, head_label), *_model_lines(s), *_risk_lines(s)]
    return ["#### Summary", "", *body] if body else []


def render_lead(s: Summary) -> list[str]:
    """What leads the comment: the working tree's mandatory policy violations, each rule on its resource."""
    if not s.blocked:
        return []
    n = len(s.violations)
    head = (
        f"**Blocked: {n} mandatory policy violation{'s' if n != 1 else ''} in the working tree's plan** "
        f"(`pulumi preview` and `pulumi up` refuse it; {EXIT_NOTE}):"
    )
    if not s.violations:  # a planner that failed its policy pack without writing policy.json
        return ["**Blocked: the working tree's plan fails its policy pack** (`make plan` shows why; "
                f"{EXIT_NOTE}).", ""]  # fmt: skip
    items = [
        f"- `{v.policy}` on `{v.subject}`: {v.message}" + (" (already at the base)" if v.at_base else "")
        for v in s.violations
    ]
    return [head, *items, ""]


def _provider_lines(s: Summary) -> list[str]:
    if not s.provider:
        return []
    moves = "; ".join(f"`{f.path}` {f.old} -> {f.new}" for f in s.provider)
    deleted, added = s.renamed
    renamed = f", and {deleted} deleted beside {added} added under new names" if deleted or added else ""
    return [
        f"**Every AWS resource of this stack is replaced ({s.moved + deleted})**: the AWS provider moves "
        f"({moves}), so each is created anew there and the old one deleted ({s.moved} under the same "
        f"name{renamed}). The Kubernetes resources ({s.kubernetes_objects}) go with the new cluster.",
        "",
    ]


def _cost_lines(s: Summary, base_label: str, head_label: str) -> list[str]:
    if s.cost is None:
        return []
    rows = [
        f"| {c.label} | {total_text(c.before)} | {total_text(c.after)} | {delta_text(c)} |" for c in s.cost
    ]
    return [f"| monthly cost | {base_label} | {head_label} | change |", "|---|--:|--:|--:|", *rows, ""]


def delta_text(c: CostLine) -> str:
    """After minus before, of the printed (cent) figures; flagged when either leaves an unpriced line out."""
    cents = round((c.after.usd - c.before.usd) * 100)
    text = "no change" if cents == 0 else f"{'+' if cents > 0 else '-'}${abs(cents) / 100:,.2f}"
    return text if c.before.complete and c.after.complete else f"{text} (unpriced lines left out)"


def _model_lines(s: Summary) -> list[str]:
    if not s.models or all(m.status == SAME for m in s.models):
        return []
    heads = " | ".join(h for h, _, _ in MODEL_COLUMNS)
    lines = [f"| model | {heads} |", "|---|" + "--:|" * len(MODEL_COLUMNS)]
    for m in s.models:
        name = f"{m.name} ({m.status})" if m.status in (ADDED, REMOVED) else m.name
        lines.append(f"| {name} | " + " | ".join(_cell_text(old, new) for old, new in m.cells) + " |")
    return [*lines, ""]


def _cell_text(old: str | None, new: str | None) -> str:
    if old is None or new is None:
        return str(new if old is None else old)
    return new if old == new else f"{old} -> {new}"


def _risk_lines(s: Summary) -> list[str]:
    if not s.risks:
        return []
    return [f"**Risks ({len(s.risks)})**", "", *(f"- **{KINDS[r.kind]}**: {r.text}" for r in s.risks), ""]
