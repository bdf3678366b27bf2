"""pydantic's errors said in words a person can act on: one message per pydantic error type (`MESSAGES`).

Each says what the value must be, with an example, and what was given instead (`show`: values as the stack
file writes them, never a secret); `unknown_key_message` names the key a typo most likely means. A value that
is nearly right is told what to write instead: a number with a unit in the key's own unit (issue_units.py), a
quoted number or boolean without its quotes, a number for text of a form that form, a number past what an
integer holds the field's declared bound.
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
from config.issue_units import NUMBER_WITH_UNIT, convert, units_for
from config.schema.base import PATTERN_FORMS, Form, ascii_skeleton, non_ascii_note

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
    lead = "the key must be" if where.is_map_key else "must be"
    return f"{lead} {form.looks_like}, e.g. {_example(where, form)} {_got(err)}{_note(err['input'])}"


def _example(where: Where, form: Form) -> str:
    """The field's own example when it declares one, else the pattern's."""
    return where.field.examples[0] if where.field is not None and where.field.examples else form.example


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


# --- numbers and booleans: what to write instead ----------------------------------------------------------


def _number(kind: str) -> Message:
    """A number refused: the first of `_NUMBER_CASES` that explains the value given, else what it must be."""
    whole = kind == "a whole number"

    def message(where: Where, err: dict) -> str:
        said = (case(where, err, kind, whole) for case in _NUMBER_CASES)
        return next((s for s in said if s), None) or f"must be {kind} {_got(err)}"

    return message


def _too_large(where: Where, err: dict, kind: str, whole: bool) -> str | None:
    """Past what an integer can hold (pydantic's int_parsing_size, a 40-digit value the CLI passes as 1e+39):
    the field's own declared bound, which is what the value must respect anyway."""
    number = _as_number(err["input"])
    if number is None or not (err["type"] == "int_parsing_size" or (whole and abs(number) > _INT64_MAX)):
        return None
    for constraint, words, fits in _UPPER if number > 0 else _LOWER:
        limit = where.constraint(constraint)
        if limit is not None or constraint == "":
            return f"must be {words} {_shown_bound(fits if limit is None else limit)} {_got(err)}"
    return None


_INT64_MAX = 2**63 - 1
# The declared bound that applies, in order; the last row ("") is what an integer can hold at all.
_UPPER = (("le", "at most", None), ("lt", "less than", None), ("", "at most", _INT64_MAX))
_LOWER = (("ge", "at least", None), ("gt", "more than", None), ("", "at least", -_INT64_MAX - 1))


def _with_unit(where: Where, err: dict, kind: str, whole: bool) -> str | None:
    """A number written with a unit, 2Ti, 16k or 45%: the value in the key's own unit (config/issue_units.py),
    not the number alone."""
    value = err["input"]
    written = NUMBER_WITH_UNIT.match(value) if isinstance(value, str) else None
    if written is None:
        return None
    amount, unit = written[1], written[2]
    units = units_for(_last_name(where.key), where.constraint("le"))
    if units is None:
        return f"must be {kind}: write the number alone, {amount}, without {unit!r} {_got(err)}"
    factor = units.factor(unit)
    if factor is None:
        known = ", ".join(units.factors)
        return f"must be {kind} {units.phrase}: write the number alone ({unit!r} is not one of {known}) {_got(err)}"
    if factor == 1:
        own = f"write the number alone, {amount}, without {unit!r}, the key's own unit"
        return f"must be {kind} {units.phrase}: {own} {_got(err)}"
    value_is = convert(float(amount), factor, whole)
    twin = units.twin(unit)
    other = (
        f", or {convert(float(amount), units.factors[twin], whole).text} for {amount}{twin}" if twin else ""
    )
    exact = f"{amount}{unit} = {_plain_number(value_is.exact)}{' ' if units.unit else ''}{units.unit}"
    rounded = ", rounded up" if value_is.text != _plain_number(value_is.exact) else ""
    source = f", {units.source}" if units.source else ""
    return (
        f"must be {kind} {units.phrase}: write {value_is.text}{other} ({exact}{rounded}{source}) {_got(err)}"
    )


def _with_separators(where: Where, err: dict, kind: str, whole: bool) -> str | None:
    value = err["input"]
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", value):
        return f"must be {kind}: write it without separators, {value.replace(',', '')} {_got(err)}"
    return None


def _quoted(where: Where, err: dict, kind: str, whole: bool) -> str | None:
    """A number in quotes: the CLI passes it as text (YAML 1.2), which a number key does not take."""
    value = err["input"]
    number = _as_number(value) if isinstance(value, str) else None
    if number is None:
        return None
    if whole and not number.is_integer():
        return f"must be {kind}, without a fraction or quotes (got the text {show(value)})"
    bare = str(int(number)) if whole else value.strip()
    return f"must be {kind}: write {bare} without quotes (got the text {show(value)})"


def _with_fraction(where: Where, err: dict, kind: str, whole: bool) -> str | None:
    value = err["input"]
    if not (whole and isinstance(value, float)):
        return None
    if value.is_integer():
        return f"must be {kind}: write {int(value)} {_got(err)}"
    return f"must be {kind}, without a fraction {_got(err)}"


_NUMBER_CASES = (_too_large, _with_unit, _with_separators, _quoted, _with_fraction)

_PLAIN_NUMBER = re.compile(r"\s*[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*", re.ASCII)


def _as_number(value: Any) -> float | None:
    """A number given, or written as text; None for anything else."""
    if _is_number(value):
        return float(value)
    return float(value) if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value) else None


def _plain_number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def _last_name(key: str) -> str:
    """The last key of a stack-file key, without list indices: models[0].maxModelLen -> maxModelLen."""
    return re.sub(r"(\[[0-9]+\])+$", "", key).rsplit(".", 1)[-1].rsplit(":", 1)[-1]


# yaml.v3 (YAML 1.2), as the CLI reads a stack file, takes only true and false for booleans: these stay text.
_YAML_1_1_BOOLEANS = {"yes": True, "y": True, "on": True, "no": False, "n": False, "off": False}


def _boolean(where: Where, err: dict) -> str:
    value = err["input"]
    word = value.strip().lower() if isinstance(value, str) else None
    if word in ("true", "false"):
        return f"must be true or false: write {word} without quotes (got the text {show(value)})"
    if word in _YAML_1_1_BOOLEANS:
        meant = "true" if _YAML_1_1_BOOLEANS[word] else "false"
        return (
            f"must be true or false: write {meant} (yes/no and on/off are text in YAML 1.2, as the Pulumi CLI "
            f"reads it) {_got(err)}"
        )
    return f"must be true or false, e.g. true {_got(err)}"


def _text(where: Where, err: dict) -> str:
    """Text refused: a number or boolean where text is wanted. When the key has a form the value does not have
    (a retention of 7 lacks its unit), the form; when quoting it is all it needs, the quotes."""
    value = err["input"]
    if not (_is_number(value) or isinstance(value, bool)):
        shape = next((words for kind, words in _NOT_TEXT if isinstance(value, kind)), "")
        return f"must be text{shape} {_got(err)}"
    pattern = where.constraint("pattern")
    form = PATTERN_FORMS.get(pattern) if pattern else None
    if form is not None and not re.search(pattern, show(value)):
        return f"must be {form.looks_like}, e.g. {_example(where, form)} {_got(err)}"
    return f'must be text: write it in quotes, "{show(value)}" (unquoted, YAML reads it as a {_kind(value)})'


_NOT_TEXT = ((list, ", one value, not a list"), (dict, ", not a map"))


def _kind(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else "number"


def _bound(words: str, bound: str) -> Message:
    def message(where: Where, err: dict) -> str:
        return f"must be {words} {_shown_bound(err['ctx'][bound])} {_got(err)}"

    return message


def _shown_bound(limit: Any) -> str:
    return f"{limit:g}" if isinstance(limit, float) else f"{limit:,}" if _is_number(limit) else str(limit)


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
    "int_parsing_size": _number("a whole number"),
    "float_parsing": _number("a number"),
    "float_type": _number("a number"),
    "bool_parsing": _boolean,
    "bool_type": _boolean,
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
    guess = guess_key(name, allowed)
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


def guess_key(name: str, allowed: list[str]) -> str | None:
    """The allowed key `name` most likely means: the same key in camelCase or in ASCII, else the closest."""
    plain = ascii_skeleton(name)
    camel = to_camel(plain.replace("-", "_"))
    for candidate in (plain, camel):
        same = [a for a in allowed if a.lower() == candidate.lower()]
        if same:
            return same[0]
    close = difflib.get_close_matches(plain, allowed, n=1)
    return close[0] if close else None
