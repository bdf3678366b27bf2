"""A plan diff (plan_diff/compare.py) as markdown: CI posts it verbatim as a pull-request comment."""

from __future__ import annotations

from typing import Any

from plan_diff.compare import ACTIONS, ADD, CHANGE, DELETE, REPLACE, PlanDiff, ResourceDiff
from plan_diff.long_values import diff_lines, is_long, pieces
from plan_diff.summary import Summary, render_lead, render_summary
from plan_diff.values import MISSING, FieldChange, as_json

MAX_FIELD_LINES = 50  # lines of changed fields shown per resource before "... N more"
MAX_KEY_LINES = 12  # lines of one key input of an added resource before "… N more lines"


SECTIONS = {ADD: "Add", CHANGE: "Change in place", REPLACE: "Replace", DELETE: "Delete"}


def render(
    diff: PlanDiff,
    base_label: str,
    head_label: str = "working tree",
    notes: tuple[str, ...] = (),
    summary: Summary | None = None,
) -> str:
    """The title; the mandatory policy violations, which lead; the notes; the summary (plan_diff/summary.py);
    then the resources by action, the stack outputs and the fleet."""
    counts = diff.counts()
    lines = [f"### Offline plan diff: stack `{diff.stack}`, {base_label} -> {head_label}", ""]
    lines += render_lead(summary) if summary else []
    lines += [f"> {note}" for note in notes] + ([""] if notes else [])
    if diff.empty and not (summary and summary.changed):
        return "\n".join([*lines, f"No changes. ({diff.unchanged} resources unchanged)"])
    lines += render_summary(summary, base_label, head_label) if summary else []
    lines.append(
        f"**{counts[ADD]} to add, {counts[CHANGE]} to change, {counts[REPLACE]} to replace, "
        f"{counts[DELETE]} to delete, {counts['unchanged']} unchanged**"
    )
    ambiguous = _ambiguous_names(diff)
    for action in ACTIONS:
        group = diff.of(action)
        if not group:
            continue
        lines += ["", f"#### {SECTIONS[action]} ({len(group)})", ""]
        for r in group:
            lines += _render_resource(r, ambiguous)
    lines += _fields_section("Stack outputs", diff.outputs)
    lines += _fields_section("Fleet (resolved: pools, models, GPU capacity)", diff.fleet or ())
    if counts[REPLACE]:
        lines += [
            "",
            "_Replacements are an offline estimate from `REPLACE_ON` in `plan_diff/replacements.py` (the fields each "
            "type cannot update in place); `pulumi preview --diff` on the real stack is authoritative._",
        ]
    return "\n".join(lines)


def _fields_section(title: str, fields: tuple[FieldChange, ...]) -> list[str]:
    if not fields:
        return []
    return [
        "",
        f"#### {title} ({len(fields)} changed)",
        "",
        "```",
        *(line for f in fields for line in render_field(f)),
        "```",
    ]


def _ambiguous_names(diff: PlanDiff) -> set[tuple[str, str]]:
    seen: dict[tuple[str, str], int] = {}
    for r in diff.resources:
        seen[(r.type, r.name)] = seen.get((r.type, r.name), 0) + 1
    return {k for k, n in seen.items() if n > 1}


def _render_resource(r: ResourceDiff, ambiguous: set[tuple[str, str]]) -> list[str]:
    head = f"- `{r.type}` **{r.name}**"
    if (r.type, r.name) in ambiguous:
        head += f" ({r.urn})"
    head += _why(r)
    shown = [line for path, value in r.key_inputs for line in _render_key_input(path, value)]
    if r.fields or r.options:
        rendered = [line for f in r.fields for line in render_field(f)]
        shown = rendered[:MAX_FIELD_LINES]
        if len(rendered) > MAX_FIELD_LINES:
            shown.append(f"... {len(rendered) - MAX_FIELD_LINES} more")
        if r.options:
            shown += ["-- options --"] + [line for f in r.options for line in render_field(f)]
    return [head, *(["  ```", *(f"  {line}" for line in shown), "  ```"] if shown else [])]


def _why(r: ResourceDiff) -> str:
    """What the resource's line says after its name: why it is replaced, what will fail, what protects it."""
    kind = r.type.rsplit(":", 1)[-1]
    out = ""
    if r.action == REPLACE and r.provider_fields:
        moved = ", ".join(f"`{f}`" for f in r.provider_fields)
        out += f" — replace (the AWS provider moves: {moved} changes)"
    if r.action == REPLACE and r.replace_fields:
        changed = ", ".join(f"`{f}`" for f in r.replace_fields)
        out += f" — replace (changes {changed}, which {kind} cannot update in place)"
    if r.action == REPLACE and r.protect:
        out += "; **protected**: `pulumi up` refuses to replace it until it is unprotected"
    if r.refused_fields:
        changed = ", ".join(f"`{f}`" for f in r.refused_fields)
        out += (
            f" — **`pulumi up` will fail**: the API server refuses to change {changed} of a {kind}; plan "
            "`pulumi up --replace <urn>`"
        )
    if r.action == DELETE and r.protect:
        out += " — **protected**: `pulumi up` refuses to delete it until it is unprotected"
    if r.action == DELETE and r.retain_on_delete:
        out += " — retainOnDelete: leaves the stack, stays in the cloud"
    return out


def render_field(f: FieldChange) -> list[str]:
    """`path: old -> new`; a long or multi-line value as a unified diff under its path (plan_diff/long_values.py)."""
    old, new = _shown(f.old), _shown(f.new)
    if is_long(old) or is_long(new):
        return [f"{f.path}:", *(f"  {line}" for line in diff_lines(old, new))]
    return [f"{f.path}: {_render_value(old)} -> {_render_value(new)}"]


def _render_key_input(path: str, value: Any) -> list[str]:
    value = _shown(value)
    if not is_long(value):
        return [f"{path}: {_render_value(value)}"]
    lines = pieces(value)
    more = [f"  … {len(lines) - MAX_KEY_LINES} more lines"] if len(lines) > MAX_KEY_LINES else []
    return [f"{path}:", *(f"  {line}" for line in lines[:MAX_KEY_LINES]), *more]


def _shown(value: Any) -> Any:
    """A value as the diff shows it: a URN (a dependsOn edge) as `type::name`."""
    return _short_urn(value) if isinstance(value, str) and value.startswith("urn:pulumi:") else value


def _render_value(value: Any) -> str:
    return "(none)" if value is MISSING else as_json(value)


def _short_urn(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` -> `<type>::<name>`."""
    parts = urn.split("::", 2)
    if len(parts) < 3 or "::" not in parts[2]:
        return urn
    types, name = parts[2].rsplit("::", 1)
    return f"{types.rsplit('$', 1)[-1]}::{name}"
