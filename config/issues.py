"""Config errors that name their key as written in the stack file, and pydantic's errors turned into them.

Each pydantic error is located in the schema (`locate`): field names become the stack file's camelCase keys, while
map keys, list indices and unknown keys stay exactly as written. It is then said in words (`MESSAGES`, one entry
per pydantic error type): what the value must be, with an example, and what was given instead.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

from config.schema.base import PATTERN_FORMS, ascii_skeleton, non_ascii_note


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


# --- where an error is --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """Where in the stack file one pydantic error is, and what the schema expects there."""

    key: str  # the key as written, e.g. llm-platform:addons.gpuOperator.timeSlicing.l4-spot
    parent: str  # the key of the section, list or map holding it
    section: (
        type[BaseModel] | None
    )  # the section whose key the last part is (None: a list entry or map entry)
    field: FieldInfo | None  # the field the value belongs to (a list's or map's own field for their entries)
    expected: Any  # the type the value was checked against
    is_map_key: bool = False  # the error is about a map key itself, not its value
    union: str | None = None  # the key of the innermost union the error came through ...
    branch: str | None = None  # ... the member pydantic tried there ...
    below_branch: int = 0  # ... and how many parts of the location follow that member


_UNIONS = (typing.Union, types.UnionType)


def _strip(tp: Any) -> Any:
    """The type inside Annotated layers and Optional (None is a default, not a choice a user makes)."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in _UNIONS and len(members := _members(tp)) == 1:
            tp = members[0]
        else:
            return tp


def _members(tp: Any) -> tuple[Any, ...]:
    return tuple(a for a in typing.get_args(tp) if a is not type(None))


def _is_section(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _member(members: tuple[Any, ...], tag: str) -> Any:
    """The union member pydantic tagged `tag` in a location: a model by its name, a Literal as literal[...],
    any other member by elimination."""
    stripped = [_strip(m) for m in members]
    for tp in stripped:
        if (_is_section(tp) and tp.__name__ == tag) or (
            typing.get_origin(tp) is Literal and tag.startswith("literal[")
        ):
            return tp
    return next((tp for tp in stripped if not _is_section(tp) and typing.get_origin(tp) is not Literal), None)


def _field_named(section: type[BaseModel], part: str) -> FieldInfo | None:
    """The field a location part names: by its stack-file key, or by its Python name, which pydantic uses for
    a field it filled with its default."""
    return next((f for n, f in section.model_fields.items() if part in (f.alias, n)), None)


def _step(where: Where, tp: Any, part: str | int, as_written: bool) -> tuple[Where, Any]:
    """`where` one location part further, and the type expected there."""
    args = typing.get_args(tp)
    if _is_section(tp):
        field = None if as_written else _field_named(tp, str(part))
        name = field.alias if field is not None and field.alias else str(part)
        nxt = Where(f"{where.key}.{name}", where.key, tp, field or where.field, None)
        return nxt, field.annotation if field is not None else None
    first = args[0] if args else None
    if part == "[key]":  # pydantic's marker for an error about the map key just before it
        return Where(where.key, where.parent, None, where.field, None, is_map_key=True), first
    if isinstance(part, int):
        return Where(f"{where.key}[{part}]", where.key, None, where.field, None), first
    value_type = args[1] if typing.get_origin(tp) is dict else None
    return Where(f"{where.key}.{part}", where.key, None, where.field, None), value_type


def locate(key: str, schema: Any, loc: tuple[str | int, ...], error_type: str = "") -> Where:
    """Where the error at `loc` of a value of stack-file key `key`, validated as `schema`, is. Only field names
    are converted to the stack file's spelling; map keys, list indices and unknown keys stay as written."""
    where, tp = Where(key, key, None, None, schema), schema
    union: tuple[str, str, int] | None = None
    for i, part in enumerate(loc):
        tp = _strip(tp)
        if typing.get_origin(tp) in _UNIONS:  # pydantic puts the member it tried in the location
            union, tp = (where.key, str(part), len(loc) - i - 1), _member(_members(tp), str(part))
            continue
        last_unknown = error_type == "extra_forbidden" and i == len(loc) - 1
        where, tp = _step(where, tp, part, as_written=last_unknown)
    extra = dict(zip(("union", "branch", "below_branch"), union, strict=True)) if union else {}
    return Where(**{**where.__dict__, "expected": _strip(tp), **extra})


# --- values as the stack file writes them -------------------------------------------------------------------

HIDDEN = object()  # stands for a secret's value: never shown


def _json_default(value: Any) -> str:
    return "<section>" if isinstance(value, BaseModel) else str(value)


def show(value: Any) -> str:
    """A given value as a message shows it: YAML-like scalars, compact JSON for lists and maps, never a repr
    of a validated section, never a secret; at most 80 characters."""
    if value is HIDDEN:
        return "the value (hidden: it is a secret)"
    if isinstance(value, BaseModel):
        return "a section"
    if isinstance(value, str):
        text = repr(value)
    else:
        text = json.dumps(value, default=_json_default, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def yaml_scalar(value: Any) -> str:
    """A choice as it must be written in YAML: text that YAML would read as a number or boolean is quoted."""
    if isinstance(value, str):
        ambiguous = re.fullmatch(r"[-+]?[0-9][0-9_.eE+-]*", value) or value.lower() in _YAML_WORDS
        return f'"{value}"' if ambiguous else value
    return json.dumps(value)


_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"})


def _got(err: dict) -> str:
    return f"(got {show(err['input'])})"


def _note(value: Any) -> str:
    note = non_ascii_note(value) if isinstance(value, str) else None
    return f"; it {note}" if note else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- messages, by pydantic error type -----------------------------------------------------------------------

Message = Callable[[Where, dict], str]


def _missing(where: Where, err: dict) -> str:
    return "required key is missing"


def _pattern(where: Where, err: dict) -> str:
    form = PATTERN_FORMS.get(err["ctx"]["pattern"])
    if form is None:  # every schema pattern has a form (tests/unit/test_messages.py); this is a safety net
        return f"does not have the expected form {err['ctx']['pattern']} {_got(err)}"
    examples = where.field.examples if where.field is not None and where.field.examples else [form.example]
    lead = "the key must be" if where.is_map_key else "must be"
    return f"{lead} {form.looks_like}, e.g. {examples[0]} {_got(err)}{_note(err['input'])}"


def _length(unit: str, bound: str, words: str) -> Message:
    def message(where: Where, err: dict) -> str:
        given = err["input"]
        size = len(given) if isinstance(given, str | list | dict) else err["ctx"].get("actual_length")
        subject = "the key must have" if where.is_map_key else "must have"
        return f"{subject} {words} {err['ctx'][bound]} {unit} (got {size}: {show(given)})"

    return message


def _literal(where: Where, err: dict) -> str:
    choices = typing.get_args(where.expected) if typing.get_origin(where.expected) is Literal else ()
    value = err["input"]
    shown = ", ".join(yaml_scalar(c) for c in choices) or err["ctx"]["expected"]
    one_of = f"must be one of {shown}" if len(choices) != 1 else f"must be {shown}"
    quote = [c for c in choices if isinstance(c, str) and _is_number(value) and _same_number(c, value)]
    if quote:
        return f'{one_of}: write it in quotes, "{quote[0]}" (unquoted, YAML reads {show(value)} as a number)'
    bare = [c for c in choices if _is_number(c) and isinstance(value, str) and value.strip() == str(c)]
    if bare:
        return f"{one_of}: write {bare[0]} without quotes (got the text {show(value)})"
    texts = [c for c in choices if isinstance(c, str)]
    plain = ascii_skeleton(value) if isinstance(value, str) else None
    near = [c for c in texts if plain is not None and c.lower() == plain.lower()]
    near = near or (difflib.get_close_matches(plain, texts, 1, 0.75) if plain is not None else [])
    hint = f" (did you mean {yaml_scalar(near[0])}?)" if near else ""
    return f"{one_of}{hint} {_got(err)}{_note(value)}"


def _same_number(text: str, value: float) -> bool:
    try:
        return float(text) == float(value)
    except ValueError:
        return False


# "200Gi" or "2.5s" where a number is expected: the unit is the schema's, the number is all that is written.
_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z%]+)\s*$", re.ASCII)


def _number(kind: str) -> Message:
    def message(where: Where, err: dict) -> str:
        value = err["input"]
        unit = _NUMBER_WITH_UNIT.match(value) if isinstance(value, str) else None
        if unit:
            return f"must be {kind}: write the number alone, {unit[1]}, without {unit[2]!r} {_got(err)}"
        if isinstance(value, float) and err["type"] == "int_from_float":
            return f"must be {kind}, without a fraction {_got(err)}"
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", value):
            return f"must be {kind}: write it without separators, {value.replace(',', '')} {_got(err)}"
        return f"must be {kind} {_got(err)}"

    return message


def _text(where: Where, err: dict) -> str:
    value = err["input"]
    if _is_number(value) or isinstance(value, bool):
        return (
            f'must be text: write it in quotes, "{show(value)}" (unquoted, YAML reads it as a {_kind(value)})'
        )
    return f"must be text {_got(err)}"


def _kind(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else "number"


def _bound(words: str, bound: str) -> Message:
    def message(where: Where, err: dict) -> str:
        limit = err["ctx"][bound]
        shown = f"{limit:g}" if isinstance(limit, float) else f"{limit:,}" if _is_number(limit) else limit
        return f"must be {words} {shown} {_got(err)}"

    return message


def _own(where: Where, err: dict) -> str:
    """A message the schema's own validators wrote (they name the value themselves)."""
    text = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = err.get("input")
    scalar = isinstance(value, str | int | float) and value is not HIDDEN
    return f"{text} {_got(err)}" if scalar and str(value) not in text else text


def _shape(kind: str, example: str) -> Message:
    return lambda where, err: f"must be {kind}, e.g. {example} {_got(err)}"


MESSAGES: dict[str, Message] = {
    "missing": _missing,
    "string_pattern_mismatch": _pattern,
    "string_too_long": _length("characters", "max_length", "at most"),
    "string_too_short": _length("characters", "min_length", "at least"),
    "too_long": _length("entries", "max_length", "at most"),
    "too_short": _length("entries", "min_length", "at least"),
    "literal_error": _literal,
    "int_parsing": _number("a whole number"),
    "int_from_float": _number("a whole number"),
    "int_type": _number("a whole number"),
    "float_parsing": _number("a number"),
    "float_type": _number("a number"),
    "bool_parsing": _shape("true or false", "true"),
    "bool_type": _shape("true or false", "true"),
    "string_type": _text,
    "list_type": _shape("a list", "[a, b]"),
    "dict_type": _shape("a map of keys to values", "{key: value}"),
    "model_type": _shape("a section: a map of its keys (docs/configuration.md)", "{key: value}"),
    "model_attributes_type": _shape("a section: a map of its keys (docs/configuration.md)", "{key: value}"),
    "greater_than_equal": _bound("at least", "ge"),
    "greater_than": _bound("more than", "gt"),
    "less_than_equal": _bound("at most", "le"),
    "less_than": _bound("less than", "lt"),
    "multiple_of": _bound("a multiple of", "multiple_of"),
    "ip_v4_network": _shape("an IPv4 network in CIDR form, with no host bits set", "10.0.0.0/16"),
    "value_error": _own,
    "assertion_error": _own,
    "cross_field": _own,
}


def unknown_key_message(name: str, allowed: list[str]) -> tuple[str, str | None]:
    """What to say about a key that is not in the schema, and the allowed key it most likely means."""
    guess = _guess(name, allowed)
    note = non_ascii_note(name)
    parts = ["unknown key"]
    if note:
        parts.append(f": it {note}")
    if guess and guess == to_camel(ascii_skeleton(name).replace("-", "_")) and guess != name:
        parts.append(f"; keys are camelCase: did you mean {guess!r}?")
    elif guess:
        parts.append(f"; did you mean {guess!r}?")
    if allowed:
        parts.append(f"{' ' if guess else '; '}allowed: {', '.join(allowed)}")
    return "".join(parts), guess


def _guess(name: str, allowed: list[str]) -> str | None:
    """The allowed key `name` most likely means: the same key in camelCase or in ASCII, else the closest."""
    plain = ascii_skeleton(name)
    camel = to_camel(plain.replace("-", "_"))
    for candidate in (plain, camel):
        same = [a for a in allowed if a.lower() == candidate.lower()]
        if same:
            return same[0]
    close = difflib.get_close_matches(plain, allowed, n=1)
    return close[0] if close else None


# --- from pydantic's errors to issues -----------------------------------------------------------------------


def pydantic_issues(key: str, schema: Any, exc: ValidationError) -> list[ConfigIssue]:
    """One issue per pydantic error, under the stack-file key `key` (the section `schema` validates): keys as
    written, messages a person can act on. An unknown key that stands for a missing one is one issue (at the
    key written), not two; of a union's members only those that fit the value's shape are reported."""
    located = [(locate(key, schema, e["loc"], e["type"]), e) for e in exc.errors(include_url=False)]
    located = _one_shape_per_union(located)
    hidden = schema is SecretStr
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
            message = MESSAGES.get(err["type"], _fallback)(where, err)
            issues.append((where, ConfigIssue(f"{where.key}.{at}" if at else where.key, message)))
    kept = [(w, i) for w, i in issues if not (i.key in explained and i.message == "required key is missing")]
    return _merge_union_members(kept)


def _fallback(where: Where, err: dict) -> str:
    return f"{err['msg']} {_got(err)}"


def _shallow(err: dict, where: Where) -> bool:
    """The value's shape did not fit the union member at all (not a map for a section, not text for text)."""
    return where.below_branch == 0 and err["type"].endswith("_type")


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
