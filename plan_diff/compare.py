"""Two offline plans compared: resources to add, change in place, replace and delete (identity is the URN),
the changed inputs of each as flattened paths, changed resource options, changed stack outputs, and what
changed in the resolved fleet (fleet.json: a model's TP, GPUs and $/h per replica, the GPU capacity)."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from plan_diff.replacements import HELM_RELEASE, REFUSED_UPDATES, REPLACE_ON


class _Missing:
    """The side of a change where a field, list item or output does not exist."""

    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()

# List items carrying one of these keys (first found) are matched by it, not by position: containers[vllm],
# env[HF_HUB_OFFLINE], groups[llm-platform.gpu], rules[GPUXidError] (alerting or recording rules).
IDENTITY_KEYS = ("name", "alert", "record")
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

SHORT_LIST = 100  # a scalar list this long (as JSON) or shorter is shown whole when it changes


# --- the diff, as data -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """One changed value: `old` or `new` is MISSING when the field, item or output was added or removed."""

    path: str
    old: Any = MISSING
    new: Any = MISSING


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


@dataclass(frozen=True)
class PlanDiff:
    stack: str
    resources: tuple[ResourceDiff, ...]  # every resource that is not unchanged, sorted by type then name
    unchanged: int
    outputs: tuple[FieldChange, ...]
    # Changes of the resolved fleet (fleet.json); None when one side has none to compare (an older base).
    fleet: tuple[FieldChange, ...] | None = ()

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
    base = base or {}
    old = {r["urn"]: r for r in base.get("resources", [])}
    new = {r["urn"]: r for r in head.get("resources", [])}
    changes = [_deleted(old[urn]) for urn in old.keys() - new.keys()]
    changes += [_added(new[urn]) for urn in new.keys() - old.keys()]
    unchanged = 0
    for urn in old.keys() & new.keys():
        change = _changed(old[urn], new[urn])
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    changes.sort(key=lambda c: (c.type, c.name, c.urn))
    outputs = diff_values(base.get("outputs", {}), head.get("outputs", {}))
    fleet = None if base_fleet is None or head_fleet is None else tuple(diff_values(base_fleet, head_fleet))
    return PlanDiff(
        head.get("stack", base.get("stack", "?")), tuple(changes), unchanged, tuple(outputs), fleet
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
    return ResourceDiff(ADD, r["urn"], r["type"], r["name"], protect=bool(r.get("protect")))


def _changed(before: dict[str, Any], after: dict[str, Any]) -> ResourceDiff | None:
    """The change of one resource in both plans, or None when nothing about it changed."""
    b_in, a_in = before.get("inputs", {}), after.get("inputs", {})
    fields = _lead(after["type"], diff_values(b_in, a_in))
    options = diff_options(before, after)
    if not fields and not options:
        return None
    replace = replacement_fields(after["type"], b_in, a_in)
    refused = changed_fields(REFUSED_UPDATES, after["type"], b_in, a_in)
    return ResourceDiff(
        REPLACE if replace else CHANGE,
        after["urn"],
        after["type"],
        after["name"],
        fields=tuple(fields),
        options=tuple(options),
        replace_fields=replace,
        refused_fields=() if replace else refused,
        protect=bool(after.get("protect")),
        retain_on_delete=bool(after.get("retainOnDelete")),
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
            k for k in sorted(old.keys() | new.keys()) if not _same(old.get(k, MISSING), new.get(k, MISSING))
        )
    return tuple(f for f in rules if not _same(value_at(old, f), value_at(new, f)))


def _type_matches(pattern: str, typ: str) -> bool:
    return typ.startswith(pattern[:-1]) if pattern.endswith("*") else typ == pattern


def value_at(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return MISSING
        doc = doc[part]
    return doc


def diff_options(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Changed resource options; dependsOn as the URNs it gained and lost (an edge's order carries nothing)."""
    out: list[FieldChange] = []
    for opt in OPTIONS:
        old, new = before.get(opt, OPTION_DEFAULTS.get(opt)), after.get(opt, OPTION_DEFAULTS.get(opt))
        if opt == "dependsOn":
            out += [FieldChange(opt, urn, MISSING) for urn in sorted(set(old) - set(new))]
            out += [FieldChange(opt, MISSING, urn) for urn in sorted(set(new) - set(old))]
        elif not _same(old, new):
            out.append(FieldChange(opt, old, new))
    return out


def _lead(typ: str, fields: list[FieldChange]) -> list[FieldChange]:
    lead = LEAD_FIELDS.get(typ, ())
    return sorted(fields, key=lambda f: lead.index(top) if (top := _top(f.path)) in lead else len(lead))


def _top(path: str) -> str:
    return re.split(r"[.\[ ]", path, maxsplit=1)[0]


def diff_values(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """Every changed leaf between two JSON values, as flattened paths (`spec.template.spec.containers[vllm]`).

    Dicts are compared key by key. Lists whose items all carry an IDENTITY_KEYS value (unique on each side)
    are matched by it; short scalar lists change as a whole; other lists are aligned with difflib, so one
    inserted item is one line, not a shifted tail. Strings holding a JSON document (Grafana dashboards) are
    compared as JSON; multi-line strings line by line.
    """
    if old is MISSING or new is MISSING:
        present = new if old is MISSING else old
        if isinstance(present, dict) and present:  # a new or removed object: one line per leaf
            out: list[FieldChange] = []
            for key in sorted(present):
                pair = (MISSING, present[key]) if old is MISSING else (present[key], MISSING)
                out += diff_values(*pair, _join(path, key))
            return out
        return [] if old is new else [FieldChange(path, old, new)]
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(old.keys() | new.keys()):
            out += diff_values(old.get(key, MISSING), new.get(key, MISSING), _join(path, key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path)
    if isinstance(old, str) and isinstance(new, str) and old != new:
        return _diff_strings(old, new, path)
    return [] if _same(old, new) else [FieldChange(path, old, new)]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True == 1 in Python; not in a plan


def _join(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]*", key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _identities(items: list[Any]) -> list[str] | None:
    """Each item's identity (its first IDENTITY_KEYS value), or None unless every item has a unique one."""
    ids: list[str] = []
    for item in items:
        found = [item[k] for k in IDENTITY_KEYS if isinstance(item, dict) and isinstance(item.get(k), str)]
        if not found:
            return None
        ids.append(found[0])
    return ids if len(set(ids)) == len(ids) else None


def _diff_lists(old: list[Any], new: list[Any], path: str) -> list[FieldChange]:
    if _same(old, new):
        return []
    old_ids, new_ids = _identities(old), _identities(new)
    if old_ids is not None and new_ids is not None:
        return _diff_by_identity(old, new, old_ids, new_ids, path)
    scalars = all(not isinstance(v, dict | list) for v in old + new)
    if scalars and max(len(as_json(old)), len(as_json(new))) <= SHORT_LIST:
        return [FieldChange(path, old, new)]
    return _diff_aligned(old, new, path)


def _diff_by_identity(
    old: list[Any], new: list[Any], old_ids: list[str], new_ids: list[str], path: str
) -> list[FieldChange]:
    """Lists whose items carry identities: items matched by identity, then a change of their order."""
    by_old, by_new = dict(zip(old_ids, old, strict=True)), dict(zip(new_ids, new, strict=True))
    out: list[FieldChange] = []
    for i in new_ids:
        out += diff_values(by_old.get(i, MISSING), by_new[i], f"{path}[{i}]")
    for i in old_ids:
        if i not in by_new:
            out += diff_values(by_old[i], MISSING, f"{path}[{i}]")
    kept_old, kept_new = [i for i in old_ids if i in by_new], [i for i in new_ids if i in by_old]
    if kept_old != kept_new:
        out.append(FieldChange(f"{path} (order)", kept_old, kept_new))
    return out


def _diff_aligned(old: list[Any], new: list[Any], path: str) -> list[FieldChange]:
    """Other lists, aligned with difflib: replaced items pairwise, then the removed and the inserted ones."""
    matcher = difflib.SequenceMatcher(a=[_canon(v) for v in old], b=[_canon(v) for v in new], autojunk=False)
    out: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            out += diff_values(old[i1 + k], new[j1 + k], f"{path}[{j1 + k}]")
        for i in range(i1 + paired, i2):
            out += diff_values(old[i], MISSING, f"{path}[{i}]")
        for j in range(j1 + paired, j2):
            out += diff_values(MISSING, new[j], f"{path}[{j}]")
    return out


def _diff_strings(old: str, new: str, path: str) -> list[FieldChange]:
    old_doc, new_doc = _json_document(old), _json_document(new)
    if old_doc is not None and new_doc is not None:
        return diff_values(old_doc, new_doc, path)
    if "\n" not in old and "\n" not in new:
        return [FieldChange(path, old, new)]
    a, b = old.splitlines(), new.splitlines()
    out: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        out += [FieldChange(f"{path} (line {j1 + k + 1})", a[i1 + k], b[j1 + k]) for k in range(paired)]
        out += [FieldChange(f"{path} (line {i + 1})", a[i], MISSING) for i in range(i1 + paired, i2)]
        out += [FieldChange(f"{path} (line {j + 1})", MISSING, b[j]) for j in range(j1 + paired, j2)]
    return out


def _json_document(text: str) -> Any:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
