"""Values as the Pulumi CLI's Go code writes them: Go's json.Marshal (sorted keys, HTML-safe escapes, its
float format) and strconv's float formats ('g' is what fmt's %v prints for a float)."""

from __future__ import annotations

import decimal
import json
import math
import re
from typing import Any


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
