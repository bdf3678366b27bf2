"""A node's value as yaml.v3 decodes it into an `interface{}`: what the Pulumi CLI holds for the text.

- resolution of plain scalars, `resolve` below, follows resolve.go: booleans are only true/false in three
  spellings, `yes`/`on`/`12:30` stay strings, ints take 0x/0o/0b and the legacy 0777 octal, underscores are
  dropped, timestamps (a GoTime: time.Time's String and MarshalJSON), `.inf`/`.nan`;
- `<<` merges follow decode.go `(*decoder).merge`.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from typing import Any

from planner.stackfile.yaml_nodes import Alias, Mapping, Node, Scalar, Sequence, YamlError


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
