"""A long or multi-line value in the diff, as a short unified diff of whole pieces, never cut inside one.

A script is diffed line by line; a one-line shell command (a vLLM container's `sh -c` line) is first split
where a reader would break it: after `;`, `&&` and `||`, and before each `--option`, so `--max-model-len 32768` ->
`16384` is one removed and one added piece between its unchanged neighbours; a long expression (PromQL in a
dashboard or a rule) before its binary operators `+ * / or and unless`. Objects and lists are diffed as
their indented JSON lines. Pieces are never shortened: a line is cut nowhere, only whole lines are left out
past MAX_LINES.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from plan_diff.values import MISSING, as_json

INLINE_WIDTH = 80  # characters of a value shown on its field's line; longer values get a diff
CONTEXT_LINES = 1  # unchanged pieces kept around each change
MAX_LINES = 40  # lines of one value's diff before "… N more lines"

# Where a one-line command breaks into pieces: after a shell separator, before an option.
_BREAKS = re.compile(
    r"(?:(?<=;)|(?<=&&)|(?<=\|\|))\s+|\s+(?=--[A-Za-z])|(?P<operator>\s+(?=(?:[+*/]|or|and|unless)\s))"
)
_WORDS = re.compile(r"\w+|\W")


def is_long(value: Any) -> bool:
    """A value its field's line cannot hold: multi-line text, or more than INLINE_WIDTH characters."""
    if value is MISSING:
        return False
    if isinstance(value, str):
        return "\n" in value or len(as_json(value)) > INLINE_WIDTH
    return len(as_json(value)) > INLINE_WIDTH


def pieces(value: Any) -> list[str]:
    """The lines a value is diffed by (none for a missing one)."""
    if value is MISSING:
        return []
    if isinstance(value, str):
        return value.splitlines() if "\n" in value else _split_line(value)
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def _split_line(text: str) -> list[str]:
    """One line at its _BREAKS; an operator only outside brackets (`(a or b) * c` breaks before `*` only)."""
    depth, depths = 0, []
    for c in text:
        depths.append(depth)
        depth += (c in "([{") - (c in ")]}")
    out, start = [], 0
    for m in _BREAKS.finditer(text):
        if m.group("operator") is not None and depths[m.start()] > 0:
            continue
        out.append(text[start : m.start()])
        start = m.end()
    return [p for p in [*out, text[start:]] if p]


def diff_lines(old: Any, new: Any) -> list[str]:
    """`- ` removed, `+ ` added and `  ` unchanged pieces, CONTEXT_LINES around each change, `…` for the
    unchanged pieces between; at most MAX_LINES, then how many more.

    The same edit made in several places (a compile-cache key in every path of a command) is shown once, with
    how many more places make it: the distinct edits all fit, the repeats do not push them out."""
    a, b = pieces(old), pieces(new)
    ops = _line_by_line(difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes())
    shown, repeats = _distinct_changes(ops, a, b)
    out: list[str] = []

    def gap() -> None:  # pieces left out here
        if out and out[-1] != "…":
            out.append("…")

    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal":
            if k not in shown:
                gap()
                continue
            out += [f"- {line}" for line in a[i1:i2]] + [f"+ {line}" for line in b[j1:j2]]
            if repeats.get(k):
                out[-1] += f"   (and {repeats[k]} more place{'s' if repeats[k] > 1 else ''})"
            continue
        run = a[i1:i2]
        before = CONTEXT_LINES if k - 1 in shown else 0  # kept after the change before this run
        after = CONTEXT_LINES if k + 1 in shown else 0  # kept before the change after it
        if before + after >= len(run):
            out += [f"  {line}" for line in run]
            continue
        out += [f"  {line}" for line in run[:before]]
        gap()
        out += [f"  {line}" for line in run[len(run) - after :]]
    if out and out[-1] == "…":
        out.pop()
    if len(out) > MAX_LINES:
        more = len(out) - MAX_LINES
        out = [*out[:MAX_LINES], f"… {more} more line{'s' if more > 1 else ''} of this diff"]
    return out


def _line_by_line(ops: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """A block of as many new lines as old ones as one change per line: each line's edit is its own, so a
    repeated one is told apart from the new ones beside it."""
    out = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "replace" and i2 - i1 == j2 - j1:
            out += [(tag, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
        else:
            out.append((tag, i1, i2, j1, j2))
    return out


def _distinct_changes(
    ops: list[tuple[str, int, int, int, int]], a: list[str], b: list[str]
) -> tuple[set[int], dict[int, int]]:
    """The changes to show (indexes into `ops`), the first of each distinct edit, and how often each repeats."""
    first: dict[tuple[tuple[str, str], ...], int] = {}
    repeats: dict[int, int] = {}
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        edit = _edit(a[i1:i2], b[j1:j2])
        if edit in first:
            repeats[first[edit]] = repeats.get(first[edit], 0) + 1
        else:
            first[edit] = k
    return set(first.values()), repeats


def _edit(removed: list[str], added: list[str]) -> tuple[tuple[str, str], ...]:
    """What a change does, word by word, whatever surrounds it and however often it does it in one line: the
    identity repeats are found by."""
    old, new = _WORDS.findall("\n".join(removed)), _WORDS.findall("\n".join(added))
    ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    edits = (("".join(old[i1:i2]), "".join(new[j1:j2])) for tag, i1, i2, j1, j2 in ops if tag != "equal")
    return tuple(dict.fromkeys(edits))
