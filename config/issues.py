"""Config errors that name their key as written in the stack file, and pydantic's errors turned into them.

Each pydantic error is located in the schema (`locate`): field names become the stack file's camelCase keys, while
map keys, list indices and unknown keys stay exactly as written. It is then said in words (`MESSAGES`, one entry
per pydantic error type): what the value must be, with an example, and what was given instead.

The two steps live beside this module: issue_location.py (`locate`: the key as written, and the schema
there, and its declared constraints), issue_messages.py (`MESSAGES`: the words, by pydantic error type, with
issue_units.py for numbers written with a unit). Here: the issue types, and the issues of one ValidationError,
each key once, unions' members merged, every value hidden for a key that holds a secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr, ValidationError

from config.issue_location import Where, locate
from config.issue_messages import HIDDEN, MESSAGES, fallback_message, unknown_key_message


@dataclass(frozen=True)
class ConfigIssue:
    key: str  # as written in the stack file, e.g. llm-platform:gpuNodeGroups[1].maxSize
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(Exception):
    def __init__(self, issues: list[ConfigIssue], source: str):
        self.issues = issues
        self.source = source
        lines = "\n".join(f"  - {i}" for i in issues)
        super().__init__(f"invalid stack configuration in {source} ({len(issues)} error(s)):\n{lines}")


# --- from pydantic's errors to issues -----------------------------------------------------------------------


def pydantic_issues(key: str, schema: Any, exc: ValidationError, hidden: bool = False) -> list[ConfigIssue]:
    """One issue per pydantic error, under the stack-file key `key` (the section `schema` validates): keys as
    written, messages a person can act on. An unknown key that stands for a missing one is one issue (at the
    key written), not two; of a union's members only those that fit the value's shape are reported.

    `hidden`: `key` holds a secret (the CLI says only which top-level keys do, not where in them), so no message
    shows a value given; a SecretStr is always hidden."""
    located = [(locate(key, schema, e["loc"], e["type"]), e) for e in exc.errors(include_url=False)]
    located = _one_shape_per_union(located)
    hidden = hidden or schema is SecretStr
    missing = {w.key for w, e in located if e["type"] == "missing"}
    issues, explained = [], set()
    for where, err in located:
        if hidden:
            err = {**err, "input": HIDDEN}
        if err["type"] == "extra_forbidden":
            allowed = [f.alias or n for n, f in where.section.model_fields.items()] if where.section else []
            message, guess = unknown_key_message(str(err["loc"][-1]), allowed)
            explained |= {f"{where.parent}.{guess}"} & missing
            issues.append((where, ConfigIssue(where.key, message)))
        else:
            at = err.get("ctx", {}).get("at") if err["type"] == "cross_field" else None
            message = MESSAGES.get(err["type"], fallback_message)(where, err)
            issues.append((where, ConfigIssue(f"{where.key}.{at}" if at else where.key, message)))
    kept = [(w, i) for w, i in issues if not (i.key in explained and i.message == "required key is missing")]
    return _merge_union_members(kept)


def _shallow(err: dict, where: Where) -> bool:
    """The value's shape did not fit the union member at all (not a map for a section, not text for text).
    Text of a declared form given a number is not shallow: the form is what the value lacks (720 for 720h)."""
    scalar = isinstance(err["input"], int | float)  # a bool is an int too
    formed = err["type"] == "string_type" and scalar and where.constraint("pattern") is not None
    return where.below_branch == 0 and err["type"].endswith("_type") and not formed


def _one_shape_per_union(located: list[tuple[Where, dict]]) -> list[tuple[Where, dict]]:
    """Drop the errors of union members the value does not even have the shape of, when another member got
    further: a map written for `architecture` is told about its keys, not that it is not a string."""
    by_member: dict[tuple[str, str], list[tuple[Where, dict]]] = {}
    for where, err in located:
        if where.union is not None:
            by_member.setdefault((where.union, where.branch or ""), []).append((where, err))
    unions = {u for u, _ in by_member}
    deeper = {u for (u, _), errs in by_member.items() if not all(_shallow(e, w) for w, e in errs)}
    drop = {
        m for m, errs in by_member.items() if m[0] in unions & deeper and all(_shallow(e, w) for w, e in errs)
    }
    return [(w, e) for w, e in located if w.union is None or (w.union, w.branch or "") not in drop]


def _merge_union_members(issues: list[tuple[Where, ConfigIssue]]) -> list[ConfigIssue]:
    """One issue per key: what each union member wanted, joined by "or" (the value is shown once, at the end)."""
    merged: dict[str, list[str]] = {}
    for _, issue in issues:
        if issue.message not in merged.setdefault(issue.key, []):
            merged[issue.key].append(issue.message)
    return [ConfigIssue(k, _join(messages)) for k, messages in merged.items()]


def _join(messages: list[str]) -> str:
    """`must be A (got x)` and `must be B (got x)` as `must be A; or B (got x)`."""
    if len(messages) == 1:
        return messages[0]
    got = re.search(r" \(got [^;]*\)$", messages[-1])
    if not (got and all(m.endswith(got[0]) for m in messages)):
        return "; ".join(messages)
    wanted = [m.removesuffix(got[0]) for m in messages]
    return "; or ".join([wanted[0], *(w.removeprefix("must be ") for w in wanted[1:])]) + got[0]
