"""Two offline plans compared: resources to add, change in place, replace and delete (identity is the URN),
the changed inputs of each as flattened paths, changed resource options, changed stack outputs, and what
changed in the resolved fleet (fleet.json: a model's TP, GPUs and $/h per replica, the GPU capacity). When the
AWS provider moves (another region, partition or account: plan_diff/providers.py), every AWS resource both
plans hold is a replacement, whatever its inputs say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from plan_diff.key_inputs import key_inputs
from plan_diff.providers import is_aws, provider_changes
from plan_diff.replacements import HELM_RELEASE, REFUSED_UPDATES, REPLACE_ON
from plan_diff.values import MISSING, FieldChange, diff_values, same, value_at

# Resource options compared beside the inputs, listed apart from them.
OPTIONS = ("dependsOn", "protect", "retainOnDelete", "ignoreChanges", "provider")
OPTION_DEFAULTS: dict[str, Any] = {
    "dependsOn": [],
    "protect": False,
    "retainOnDelete": False,
    "ignoreChanges": [],
}
# Fields shown first for a type, whatever their alphabetical place.
LEAD_FIELDS = {HELM_RELEASE: ("chart", "version", "repositoryOpts")}


# --- the diff, as data -----------------------------------------------------------------------------------

ADD, CHANGE, REPLACE, DELETE = "add", "change", "replace", "delete"
ACTIONS = (ADD, CHANGE, REPLACE, DELETE)


@dataclass(frozen=True)
class ResourceDiff:
    action: str  # one of ACTIONS
    urn: str
    type: str
    name: str
    fields: tuple[FieldChange, ...] = ()  # changed inputs (change and replace)
    options: tuple[FieldChange, ...] = ()  # changed resource options (change and replace)
    replace_fields: tuple[str, ...] = ()  # the REPLACE_ON fields that changed (replace)
    refused_fields: tuple[str, ...] = ()  # the REFUSED_UPDATES fields that changed (change: `up` will fail)
    protect: bool = False  # in the newest plan that has it: a protected one is neither deleted nor replaced
    retain_on_delete: bool = False
    key_inputs: tuple[tuple[str, Any], ...] = ()  # what an added one is (plan_diff/key_inputs.py)
    provider_fields: tuple[str, ...] = ()  # the provider identity fields that move it (replace)


@dataclass(frozen=True)
class PlanDiff:
    stack: str
    resources: tuple[ResourceDiff, ...]  # every resource that is not unchanged, sorted by type then name
    unchanged: int
    outputs: tuple[FieldChange, ...]
    # Changes of the resolved fleet (fleet.json); None when one side has none to compare (an older base).
    fleet: tuple[FieldChange, ...] | None = ()
    # The AWS provider's identity fields that changed; None when the base records none (or has no plan).
    provider: tuple[FieldChange, ...] | None = ()

    def of(self, action: str) -> list[ResourceDiff]:
        return [r for r in self.resources if r.action == action]

    def counts(self) -> dict[str, int]:
        return {a: len(self.of(a)) for a in ACTIONS} | {"unchanged": self.unchanged}

    @property
    def empty(self) -> bool:
        return not self.resources and not self.outputs and not self.fleet


def diff_plans(
    base: dict[str, Any] | None,
    head: dict[str, Any],
    base_fleet: dict[str, Any] | None = None,
    head_fleet: dict[str, Any] | None = None,
) -> PlanDiff:
    """Compare two plan.json documents (and their fleet.json, when both sides have one); `base` None is an
    empty stack (everything in `head` is added)."""
    provider = provider_changes(base, head)
    moved = tuple(f.path for f in provider or ())
    base = base or {}
    old = {r["urn"]: r for r in base.get("resources", [])}
    new = {r["urn"]: r for r in head.get("resources", [])}
    changes = [_deleted(old[urn]) for urn in old.keys() - new.keys()]
    changes += [_added(new[urn]) for urn in new.keys() - old.keys()]
    unchanged = 0
    for urn in old.keys() & new.keys():
        change = _changed(old[urn], new[urn], moved if is_aws(new[urn]["type"]) else ())
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    changes.sort(key=lambda c: (c.type, c.name, c.urn))
    outputs = diff_values(base.get("outputs", {}), head.get("outputs", {}))
    fleet = None if base_fleet is None or head_fleet is None else tuple(diff_values(base_fleet, head_fleet))
    return PlanDiff(
        head.get("stack", base.get("stack", "?")), tuple(changes), unchanged, tuple(outputs), fleet, provider
    )


def _deleted(r: dict[str, Any]) -> ResourceDiff:
    return ResourceDiff(
        DELETE,
        r["urn"],
        r["type"],
        r["name"],
        protect=bool(r.get("protect")),
        retain_on_delete=bool(r.get("retainOnDelete")),
    )


def _added(r: dict[str, Any]) -> ResourceDiff:
    return ResourceDiff(
        ADD,
        r["urn"],
        r["type"],
        r["name"],
        protect=bool(r.get("protect")),
        key_inputs=key_inputs(r["type"], r.get("inputs", {})),
    )


def _changed(before: dict[str, Any], after: dict[str, Any], moved: tuple[str, ...]) -> ResourceDiff | None:
    """The change of one resource in both plans, or None when nothing about it changed. `moved`: the provider
    identity fields that changed, when its provider moves it (a replacement even with the same inputs)."""
    b_in, a_in = before.get("inputs", {}), after.get("inputs", {})
    fields = _lead(after["type"], diff_values(b_in, a_in))
    options = diff_options(before, after)
    if not fields and not options and not moved:
        return None
    replace = replacement_fields(after["type"], b_in, a_in)
    refused = changed_fields(REFUSED_UPDATES, after["type"], b_in, a_in)
    return ResourceDiff(
        REPLACE if replace or moved else CHANGE,
        after["urn"],
        after["type"],
        after["name"],
        fields=tuple(fields),
        options=tuple(options),
        replace_fields=replace,
        refused_fields=() if replace or moved else refused,
        protect=bool(after.get("protect")),
        retain_on_delete=bool(after.get("retainOnDelete")),
        provider_fields=moved,
    )


def replacement_fields(typ: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """The fields of REPLACE_ON for `typ` whose value differs between the two inputs, in table order."""
    return changed_fields(REPLACE_ON, typ, old, new)


def changed_fields(
    table: dict[str, tuple[str, ...]], typ: str, old: dict[str, Any], new: dict[str, Any]
) -> tuple[str, ...]:
    """The fields `table` lists for `typ` whose value differs between the two inputs, in table order."""
    rules = [f for pattern, fields in table.items() if _type_matches(pattern, typ) for f in fields]
    if "*" in rules:
        return tuple(
            k for k in sorted(old.keys() | new.keys()) if not same(old.get(k, MISSING), new.get(k, MISSING))
        )
    return tuple(f for f in rules if not same(value_at(old, f), value_at(new, f)))


def _type_matches(pattern: str, typ: str) -> bool:
    return typ.startswith(pattern[:-1]) if pattern.endswith("*") else typ == pattern


def diff_options(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Changed resource options; dependsOn as the URNs it gained and lost (an edge's order carries nothing)."""
    out: list[FieldChange] = []
    for opt in OPTIONS:
        old, new = before.get(opt, OPTION_DEFAULTS.get(opt)), after.get(opt, OPTION_DEFAULTS.get(opt))
        if opt == "dependsOn":
            out += [FieldChange(opt, urn, MISSING) for urn in sorted(set(old) - set(new))]
            out += [FieldChange(opt, MISSING, urn) for urn in sorted(set(new) - set(old))]
        elif not same(old, new):
            out.append(FieldChange(opt, old, new))
    return out


def _lead(typ: str, fields: list[FieldChange]) -> list[FieldChange]:
    lead = LEAD_FIELDS.get(typ, ())
    return sorted(fields, key=lambda f: lead.index(top) if (top := _top(f.path)) in lead else len(lead))


def _top(path: str) -> str:
    return re.split(r"[.\[ ]", path, maxsplit=1)[0]
