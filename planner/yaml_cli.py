"""YAML and JSON as the Pulumi CLI's Go code reads and writes them.

The CLI parses `Pulumi.yaml` and `Pulumi.<stack>.yaml` with gopkg.in/yaml.v3 (v3.0.1, pinned in pulumi's
sdk/go.mod) and hands config to a program as text made by Go's encoding/json and time.Time. This module
reproduces the parts of those that decide what a program receives:

- parsing: ruamel.yaml's event stream (positions, tags, styles, anchors) composed into nodes here, so that
  resolution is yaml.v3's and not ruamel's; only the first document is read (yaml.v3 `Unmarshal`);
- duplicate keys are refused the way yaml.v3's decoder refuses them: same kind of node, same text
  (decode.go `(*decoder).mapping`, `uniqueKeys` is on by default);
- resolution of plain scalars, `resolve` below, follows resolve.go: booleans are only true/false in three
  spellings, `yes`/`on`/`12:30` stay strings, ints take 0x/0o/0b and the legacy 0777 octal, underscores are
  dropped, timestamps, `.inf`/`.nan`; `<<` merges follow decode.go `(*decoder).merge`;
- Go's json.Marshal (sorted keys, HTML-safe escapes, its float format), time.Time's String and MarshalJSON,
  and strconv's 'g' float format (what fmt's %v prints for a float).
"""

from __future__ import annotations

import base64
import binascii
import decimal
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML, events
from ruamel.yaml.error import YAMLError


class YamlError(Exception):
    """Text yaml.v3 would refuse: each problem with the position (1-based) it refers to."""

    def __init__(self, message: str, line: int, column: int, more: tuple[YamlError, ...] = ()):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.problems: tuple[YamlError, ...] = (self, *more)


# --- nodes --------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Node:
    line: int  # 1-based, as yaml.v3 and editors count
    column: int


@dataclass(eq=False)
class Scalar(Node):
    text: str
    tag: str  # an explicit tag in yaml.v3's short form ("!!str", "!foo"); "" for none or the non-specific "!"
    plain: bool  # neither quoted nor a block scalar


@dataclass(eq=False)
class Mapping(Node):
    pairs: list[tuple[Node, Node]] = field(default_factory=list)


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Alias(Node):
    anchor: str
    target: Node


def kind(node: Node) -> str:
    """What a node is, in words for an error message."""
    node = node.target if isinstance(node, Alias) else node
    if isinstance(node, Mapping):
        return "mapping"
    return "list" if isinstance(node, Sequence) else "scalar"


LONG_TAG_PREFIX = "tag:yaml.org,2002:"


def _short_tag(tag: str | None) -> str:
    if not tag or tag == "!":
        return ""
    return "!!" + tag[len(LONG_TAG_PREFIX) :] if tag.startswith(LONG_TAG_PREFIX) else tag


# --- composing ------------------------------------------------------------------------------------------------
def load(text: str) -> Node | None:
    """The first document of `text` as nodes, or None when the stream holds no document (an empty file, or only
    comments). YamlError for bad syntax, an unknown anchor, or a key given twice in one mapping."""
    stream = YAML(typ="safe", pure=True).parse(text)
    try:
        return _Composer(stream).document()
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        context = getattr(err, "context", None)
        message = f"{problem} ({context})" if context else str(problem)
        raise YamlError(message, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None


class _Composer:
    def __init__(self, stream: Iterator[events.Event]):
        self.stream = stream
        self.anchors: dict[str, Node] = {}
        self.duplicates: list[YamlError] = []  # every one, not just the first

    def document(self) -> Node | None:
        for event in self.stream:
            if isinstance(event, events.DocumentStartEvent):
                # yaml.v3's Unmarshal stops after the first document: later ones are not even parsed.
                root = self.node(next(self.stream))
                if self.duplicates:
                    first, *more = self.duplicates
                    raise YamlError(first.message, first.line, first.column, tuple(more))
                return root
            if isinstance(event, events.StreamEndEvent):
                return None
        return None

    def node(self, event: events.Event) -> Node:
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        if isinstance(event, events.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is None:
                raise YamlError(f"unknown anchor '{event.anchor}' referenced", line, column)
            return Alias(line, column, event.anchor, target)
        if isinstance(event, events.ScalarEvent):
            node: Node = Scalar(line, column, event.value, _short_tag(event.tag), event.style is None)
            self._anchor(event, node)
            return node
        if isinstance(event, events.SequenceStartEvent):
            seq = Sequence(line, column)
            self._anchor(event, seq)  # before the children: yaml.v3 lets them refer to it (and then refuses)
            while not isinstance(item := next(self.stream), events.SequenceEndEvent):
                seq.items.append(self.node(item))
            return seq
        mapping = Mapping(line, column)
        self._anchor(event, mapping)
        while not isinstance(key := next(self.stream), events.MappingEndEvent):
            mapping.pairs.append((self.node(key), self.node(next(self.stream))))
        self.duplicates += duplicate_keys(mapping)
        return mapping

    def _anchor(self, event: events.NodeEvent, node: Node) -> None:
        if event.anchor:
            self.anchors[event.anchor] = node


def _key_text(node: Node) -> str:
    """What yaml.v3 compares to find a duplicate key: `Node.Value` (a scalar's text, an alias's anchor name)."""
    if isinstance(node, Scalar):
        return node.text
    return node.anchor if isinstance(node, Alias) else ""


def duplicate_keys(mapping: Mapping) -> list[YamlError]:
    """Each key of `mapping` that an earlier key already gave."""
    seen: dict[tuple[type, str], Node] = {}
    found = []
    for key, _ in mapping.pairs:
        ident = (type(key), _key_text(key))
        if ident in seen:
            found.append(
                YamlError(
                    f"key {_key_text(key)!r} is given twice in one mapping (first at line {seen[ident].line}): the "
                    "Pulumi CLI refuses the file (yaml.v3: mapping key already defined); keep one, merged",
                    key.line,
                    key.column,
                )
            )
        seen.setdefault(ident, key)
    return found


# --- merges -------------------------------------------------------------------------------------------------
def is_merge(node: Node) -> bool:
    # yaml.v3 tags a plain `<<` !!merge (parser `node`); a quoted '<<' is an ordinary key.
    return (
        isinstance(node, Scalar)
        and node.text == "<<"
        and (node.tag == "!!merge" or (not node.tag and node.plain))
    )


def entries(node: Node) -> list[tuple[Node, Node]]:
    """A mapping's key/value pairs with yaml.v3's `<<` merges applied: its own keys win, then each merged
    mapping in order, the first to give a key keeping it (decode.go `merge`, `mergedFields`)."""
    mapping = node.target if isinstance(node, Alias) else node
    assert isinstance(mapping, Mapping)
    own = [(k, v) for k, v in mapping.pairs if not is_merge(k)]
    merged: list[tuple[Node, Node]] = []
    for k, v in mapping.pairs:
        if is_merge(k):
            for source in _merge_sources(v):
                merged += entries(source)
    out: list[tuple[Node, Node]] = []
    seen: set[tuple[type, Any]] = set()
    for k, v in own + merged:
        ident = _merge_identity(k)
        if ident in seen and (k, v) not in own:
            continue  # a merged key the mapping (or an earlier merge) already has
        seen.add(ident)
        out.append((k, v))
    return out


def _merge_sources(value: Node) -> list[Node]:
    target = value.target if isinstance(value, Alias) else value
    if isinstance(target, Mapping):
        return [value]
    items = target.items if isinstance(target, Sequence) else []
    if items and all(isinstance(i.target if isinstance(i, Alias) else i, Mapping) for i in items):
        return items
    raise YamlError("map merge requires map or sequence of maps as the value", value.line, value.column)


def _merge_identity(key: Node) -> tuple[type, Any]:
    key = key.target if isinstance(key, Alias) else key
    if not isinstance(key, Scalar):
        return (type(key), id(key))
    try:
        value = scalar_value(key)
    except ValueError:
        value = key.text
    return (type(value), value if not isinstance(value, float) or not math.isnan(value) else "nan")


# --- resolution (resolve.go) ----------------------------------------------------------------------------------
_SPECIAL: dict[str, tuple[str, Any]] = {
    **dict.fromkeys(("true", "True", "TRUE"), ("!!bool", True)),
    **dict.fromkeys(("false", "False", "FALSE"), ("!!bool", False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), ("!!null", None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), ("!!float", math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), ("!!float", math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), ("!!float", -math.inf)),
    "<<": ("!!merge", "<<"),
}
# The first character decides what a plain scalar may be (resolve.go `resolveTable`); others are strings.
_HINT = {
    **dict.fromkeys("+-", "S"),
    **dict.fromkeys("0123456789", "D"),
    **dict.fromkeys("yYnNtTfFoO~", "M"),
    ".": ".",
}
RESOLVABLE = {"", "!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# strconv.ParseFloat of a number that starts with '.': underscores only between digits (underscoreOK).
_DOT_FLOAT = re.compile(r"\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?")
_DIGITS = "0123456789abcdef"
INT64 = (-(2**63), 2**63 - 1)
UINT64 = (0, 2**64 - 1)


def scalar_value(node: Scalar) -> Any:
    """The Go value yaml.v3 decodes a scalar into an `interface{}` to: None, bool, int, float, str or GoTime.
    ValueError when an explicit tag does not fit the text (`!!int 1.5`) or `!!binary` is not base64."""
    # A quoted or block scalar without a tag, or any `!!str`, is a string (Node.indicatedString).
    if node.tag == "!!str" or (not node.tag and not node.plain):
        return node.text
    tag, value = resolve(node.tag or ("!!merge" if node.text == "<<" and node.plain else ""), node.text)
    if tag == "!!binary":
        try:
            return base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError("!!binary value contains invalid base64 data (or is not UTF-8 text)") from None
    return value


def resolve(tag: str, text: str) -> tuple[str, Any]:
    """yaml.v3's `resolve(tag, in)`: the tag a scalar resolves to and its Go value."""
    if tag not in RESOLVABLE:
        return tag, text  # any other tag (!!binary, !custom): the text, as yaml.v3 keeps it
    rtag, value = _implicit(text, tag)
    if tag in ("", rtag, "!!str"):
        return rtag, value
    if tag == "!!float" and rtag == "!!int":
        return "!!float", float(value)
    raise ValueError(f"cannot decode {rtag} `{text}` as a {tag}")


def _implicit(text: str, tag: str) -> tuple[str, Any]:
    hint = _HINT.get(text[0]) if text else "M"
    if hint is None or tag == "!!str":
        return "!!str", text
    if text in _SPECIAL:
        return _SPECIAL[text]
    if hint == "." and _DOT_FLOAT.fullmatch(text):
        value = float(text.replace("_", ""))
        if not math.isinf(value):  # strconv.ParseFloat fails on overflow: then it is a string
            return "!!float", value
    if hint in "DS":
        return _number_or_time(text, tag)
    return "!!str", text


def _number_or_time(text: str, tag: str) -> tuple[str, Any]:
    if tag in ("", "!!timestamp"):
        stamp = parse_timestamp(text)
        if stamp is not None:
            return "!!timestamp", stamp
    plain = text.replace("_", "")
    for value in (go_parse_int(plain, 0, INT64), go_parse_int(plain, 0, UINT64)):
        if value is not None:
            return "!!int", value
    if _YAML_FLOAT.fullmatch(plain) and not math.isinf(float(plain)):
        return "!!float", float(plain)
    # resolve.go then retries 0b/0o with the prefix cut off, so `0b-1` is -1 (strconv alone refuses it).
    for prefix, base in (("0b", 2), ("-0b", 2), ("0o", 8), ("-0o", 8)):
        if plain.startswith(prefix):
            digits = ("-" if prefix[0] == "-" else "") + plain[len(prefix) :]
            value = go_parse_int(digits, base, INT64)
            if value is None and prefix[0] != "-":
                value = go_parse_int(digits, base, UINT64)
            if value is not None:
                return "!!int", value
    return "!!str", text


def go_parse_int(text: str, base: int, bounds: tuple[int, int]) -> int | None:
    """strconv.ParseInt (signed bounds) or ParseUint (unsigned: no sign) of `text`; None where Go errs."""
    body, sign = text, 1
    if bounds[0] < 0 and body[:1] in ("+", "-"):
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    if base == 0:
        base, body = _base_prefix(body)
    digits = _DIGITS[:base]
    if not body or any(c not in digits for c in body.lower()):
        return None
    value = sign * int(body, base)
    return value if bounds[0] <= value <= bounds[1] else None


def _base_prefix(body: str) -> tuple[int, str]:
    prefixes = {"0x": 16, "0o": 8, "0b": 2}
    if len(body) >= 3 and body[:2].lower() in prefixes:
        return prefixes[body[:2].lower()], body[2:]
    if len(body) > 1 and body[0] == "0":
        return 8, body[1:]  # yaml.v3 still reads 0777 as octal (strconv's base 0)
    return 10, body


# --- timestamps -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GoTime:
    """A time.Time as yaml.v3 parses a timestamp. `offset` is None for UTC.

    Assumes the CLI runs with the UTC local zone (CI, containers): time.Parse gives a zero offset the local
    zone, whose name String() then prints; any other offset becomes a fixed zone printed as -0700."""

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    nanos: int = 0
    offset: int | None = None  # seconds east of UTC

    def _clock(self, sep: str) -> str:
        frac = f".{self.nanos:09d}".rstrip("0") if self.nanos else ""
        date = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"{date}{sep}{self.hour:02d}:{self.minute:02d}:{self.second:02d}{frac}"

    def _zone(self, colon: str) -> str:
        minutes = abs(self.offset or 0) // 60
        sign = "-" if (self.offset or 0) < 0 else "+"
        return f"{sign}{minutes // 60:02d}{colon}{minutes % 60:02d}"

    def string(self) -> str:
        """time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST"."""
        name = "UTC" if self.offset is None else self._zone("")
        return f"{self._clock(' ')} {self._zone('')} {name}"

    def rfc3339(self) -> str:
        """time.Time.MarshalJSON / Format(RFC3339Nano), without the quotes."""
        return self._clock("T") + ("Z" if self.offset is None else self._zone(":"))


_DATE = r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
_CLOCK = r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{1,2}):(?P<s>[0-9]{1,2})([.,](?P<frac>[0-9]+))?"
_ZONE = r"(?P<z>Z|[-+][0-9]{2}:[0-9]{2})"
# resolve.go `allowedTimestampFormats`, as time.Parse reads each layout (a space matches a run of spaces).
_TIMESTAMPS = tuple(
    re.compile(p)
    for p in (f"{_DATE}T{_CLOCK}{_ZONE}", f"{_DATE}t{_CLOCK}{_ZONE}", f"{_DATE} +{_CLOCK}", _DATE)
)


def parse_timestamp(text: str) -> GoTime | None:
    """resolve.go `parseTimestamp`: the first layout that time.Parse accepts, range checks included."""
    for pattern in _TIMESTAMPS:
        m = pattern.fullmatch(text)
        if m is not None:
            return _checked_time(m.groupdict())
    return None


def _checked_time(g: dict[str, str | None]) -> GoTime | None:
    y, mo, d = int(g["y"] or 0), int(g["mo"] or 0), int(g["d"] or 0)
    h, mi, s = (int(g.get(k) or 0) for k in ("h", "mi", "s"))
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if not (1 <= mo <= 12 and 1 <= d <= days[mo - 1] and h < 24 and mi < 60 and s < 60):
        return None
    nanos = int(((g.get("frac") or "") + "0" * 9)[:9])
    zone = g.get("z")
    offset = None
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 24 or minutes > 60:
            return None
        offset = (hours * 3600 + minutes * 60) * (-1 if zone[0] == "-" else 1) or None
    return GoTime(y, mo, d, h, mi, s, nanos, offset)


# --- Go's formatting ------------------------------------------------------------------------------------------
def _shortest_digits(f: float) -> tuple[str, int]:
    """The shortest decimal digits of |f| (as strconv picks them) and the decimal point's place: 0.ddd x 10^dp."""
    _, digit_tuple, exp = decimal.Decimal(repr(abs(f))).as_tuple()
    assert isinstance(exp, int)
    digits = "".join(map(str, digit_tuple))
    stripped = digits.rstrip("0")
    return stripped, len(stripped) + exp + len(digits) - len(stripped)


def go_format_float(f: float, fmt: str) -> str:
    """strconv.FormatFloat(f, fmt, -1, 64) for fmt 'e', 'f' or 'g' (finite f)."""
    sign = "-" if math.copysign(1, f) < 0 else ""
    digits, dp = _shortest_digits(f)
    if not digits:
        return f"{sign}0e+00" if fmt == "e" else f"{sign}0"
    exp = dp - 1
    if fmt == "g":
        fmt = "e" if exp < -4 or exp >= 6 else "f"  # shortest 'g' decides with precision 6
    if fmt == "e":
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return f"{sign}{digits}{'0' * (dp - len(digits))}"
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def go_json_float(f: float) -> str:
    """encoding/json's float64 encoder: 'f' format, 'e' below 1e-6 and from 1e21, e-09 written e-9."""
    if not math.isfinite(f):
        raise ValueError(
            f"json: unsupported value: {'NaN' if math.isnan(f) else ('+Inf' if f > 0 else '-Inf')}"
        )
    text = go_format_float(f, "e" if f != 0 and (abs(f) < 1e-6 or abs(f) >= 1e21) else "f")
    return re.sub(r"e-0(\d)$", r"e-\1", text)


_HTML_SAFE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def go_json_string(s: str) -> str:
    # Python and Go escape quotes, backslashes and control characters alike (Go >= 1.22 writes \b and \f);
    # Go also escapes <, >, & and U+2028/U+2029 unless told otherwise, and json.Marshal never is.
    return json.dumps(s, ensure_ascii=False).translate(_HTML_SAFE)


def go_json(value: Any) -> str:
    """json.Marshal of a decoded value: compact, map keys sorted (byte order = code point order)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_json_float(value)
    if isinstance(value, str):
        return go_json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{go_json_string(k)}:{go_json(value[k])}" for k in sorted(value)) + "}"
    raise TypeError(f"json: unsupported type: {type(value).__name__}")
