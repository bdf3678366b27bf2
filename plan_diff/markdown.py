"""A plan diff (plan_diff/compare.py) as markdown: CI posts it verbatim as a pull-request comment."""

from __future__ import annotations

import difflib
import re
from typing import Any

from plan_diff.compare import (
    ACTIONS,
    ADD,
    CHANGE,
    DELETE,
    MISSING,
    REPLACE,
    FieldChange,
    PlanDiff,
    ResourceDiff,
    as_json,
)

VALUE_WIDTH = 80  # characters of one rendered value before the ellipsis
MAX_FIELD_LINES = 50  # lines of changed fields shown per resource before "... N more"
MAX_HUNKS = 5  # distinct changes shown per long string
CONTEXT = 30  # characters of unchanged text kept around each change in a long string


SECTIONS = {ADD: "Add", CHANGE: "Change in place", REPLACE: "Replace", DELETE: "Delete"}


def render(
    diff: PlanDiff, base_label: str, head_label: str = "working tree", notes: tuple[str, ...] = ()
) -> str:
    counts = diff.counts()
    lines = [f"### Offline plan diff: stack `{diff.stack}`, {base_label} -> {head_label}", ""]
    lines += [f"> {note}" for note in notes] + ([""] if notes else [])
    if diff.empty:
        return "\n".join([*lines, f"No changes. ({diff.unchanged} resources unchanged)"])
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
        *(line for f in fields for line in _render_field(f)),
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
    kind = r.type.rsplit(":", 1)[-1]
    if r.action == REPLACE:
        changed = ", ".join(f"`{f}`" for f in r.replace_fields)
        head += f" — replace (changes {changed}, which {kind} cannot update in place)"
        if r.protect:
            head += "; **protected**: `pulumi up` refuses to replace it until it is unprotected"
    if r.refused_fields:
        changed = ", ".join(f"`{f}`" for f in r.refused_fields)
        head += (
            f" — **`pulumi up` will fail**: the API server refuses to change {changed} of a {kind}; plan "
            "`pulumi up --replace <urn>`"
        )
    if r.action == DELETE and r.protect:
        head += " — **protected**: `pulumi up` refuses to delete it until it is unprotected"
    if r.action == DELETE and r.retain_on_delete:
        head += " — retainOnDelete: leaves the stack, stays in the cloud"
    lines = [head]
    if r.fields or r.options:
        rendered = [line for f in r.fields for line in _render_field(f)]
        shown = rendered[:MAX_FIELD_LINES]
        if len(rendered) > MAX_FIELD_LINES:
            shown.append(f"... {len(rendered) - MAX_FIELD_LINES} more")
        if r.options:
            shown += ["-- options --"] + [line for f in r.options for line in _render_field(f)]
        lines += ["  ```"] + [f"  {line}" for line in shown] + ["  ```"]
    return lines


def _render_field(f: FieldChange) -> list[str]:
    """`path: old -> new`; a long string changed in several places gives one line per distinct change."""
    if (
        not (isinstance(f.old, str) and isinstance(f.new, str))
        or max(len(f.old), len(f.new)) < VALUE_WIDTH - 2
    ):
        return [f"{f.path}: {_render_value(f.old)} -> {_render_value(f.new)}"]
    # The same edit in several places (a revision in every path of a script) is shown once, with a count.
    distinct: dict[tuple[str, str], list[Any]] = {}
    for old, new, edit in _hunks(f.old, f.new):
        distinct.setdefault(edit, [old, new, 0])[2] += 1
    lines = []
    for old, new, times in list(distinct.values())[:MAX_HUNKS]:
        again = f" (and {times - 1} more place{'s' if times > 2 else ''})" if times > 1 else ""
        lines.append(f"{f.path}: {_render_value(old)} -> {_render_value(new)}{again}")
    if len(distinct) > MAX_HUNKS:
        lines.append(f"{f.path}: ... {len(distinct) - MAX_HUNKS} more changes in this value")
    return lines


def _render_value(value: Any) -> str:
    if value is MISSING:
        return "(none)"
    if isinstance(value, str) and value.startswith("urn:pulumi:"):
        value = _short_urn(value)
    text = as_json(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _short_urn(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` -> `<type>::<name>`."""
    parts = urn.split("::", 2)
    if len(parts) < 3 or "::" not in parts[2]:
        return urn
    types, name = parts[2].rsplit("::", 1)
    return f"{types.rsplit('$', 1)[-1]}::{name}"


def _hunks(old: str, new: str) -> list[tuple[str, str, tuple[str, str]]]:
    """Where two long strings differ: (old excerpt, new excerpt, the edit itself) per changed region, each
    excerpt with a few words around the edit.

    Aligned word by word, so `--max-model-len 32768` -> `16384` is one region even when the two strings also
    differ a hundred characters earlier (a vLLM command line, a preload script)."""
    a, b = re.findall(r"\w+|\W", old), re.findall(r"\w+|\W", new)
    at_a, at_b = _offsets(a), _offsets(b)
    spans: list[list[int]] = []  # [old start, old end, new start, new end], in characters
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if spans and at_a[i1] - spans[-1][1] <= CONTEXT:  # close enough to read as one change
            spans[-1][1], spans[-1][3] = at_a[i2], at_b[j2]
        else:
            spans.append([at_a[i1], at_a[i2], at_b[j1], at_b[j2]])
    out = []
    for a1, a2, b1, b2 in spans:
        # The text around a region is the same on both sides: regions are more than CONTEXT apart.
        before = _context(old[max(0, a1 - CONTEXT) : a1], reverse=True) if min(a1, b1) else 0
        after = _context(old[a2 : a2 + CONTEXT], reverse=False) if min(len(old) - a2, len(new) - b2) else 0
        edit = (old[a1:a2], new[b1:b2])
        out.append((_cut(old, a1 - before, a2 + after), _cut(new, b1 - before, b2 + after), edit))
    return out


def _offsets(tokens: list[str]) -> list[int]:
    out = [0]
    for t in tokens:
        out.append(out[-1] + len(t))
    return out


def _context(window: str, reverse: bool) -> int:
    """How much of `window` to keep as context: all of it when short, else up to a word boundary."""
    if len(window) < CONTEXT:
        return len(window)
    if reverse:  # text before a change: start after its first space
        space = window.find(" ")
        return len(window) - space - 1 if space != -1 else len(window)
    space = window.rfind(" ")  # text after a change: stop at its last space
    return space if space > 0 else len(window)


def _cut(text: str, start: int, end: int) -> str:
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
