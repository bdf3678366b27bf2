"""pydantic's errors said in words a person can act on: one message per pydantic error type (`MESSAGES`).

Each says what the value must be, with an example, and what was given instead (`show`: values as the stack
file writes them, never a secret); `unknown_key_message` names the key a typo most likely means.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from config.issue_location import Where
from config.schema.base import PATTERN_FORMS, ascii_skeleton, non_ascii_note

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


def fallback_message(where: Where, err: dict) -> str:
    """An error type MESSAGES does not list: pydantic's own words, and the value given."""
    return f"{err['msg']} {_got(err)}"


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
