"""The Go value Pulumi holds for a config value: resource/config/object.go `unmarshalObject` of a node.

A time.Time stays a GoTime (it becomes `v.String()` when passed), a map with the single string key `secure` is
ciphertext (Secure), a non-string key of a nested mapping becomes its fmt %v text, and what the CLI would
refuse, or silently misread, is a BadValue naming the node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.stackfile.go_text import go_format_float
from planner.stackfile.yaml_nodes import Alias, Mapping, Node, Scalar, Sequence, YamlError, kind
from planner.stackfile.yaml_resolve import GoTime, entries, scalar_value


@dataclass(frozen=True)
class Secure:
    """A `secure:` value: ciphertext only the CLI can decrypt."""

    ciphertext: str


class BadValue(Exception):
    def __init__(self, node: Node, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


# --- decoding: the value `unmarshalObject` builds ---------------------------------------------------------------
def decode(node: Node, stringify_keys: bool = True, seen: tuple[Alias, ...] = ()) -> Any:
    """The Go value Pulumi holds for `node`: None, bool, int, float, str, GoTime, Secure, list, dict[str, ...].

    `stringify_keys`: a non-string key of a nested mapping becomes its fmt %v text, as object.go does for a
    stack file; project defaults go through SimplifyMarshalledValue, which refuses one."""
    if isinstance(node, Alias):
        if node in seen:
            raise BadValue(node, f"anchor '{node.anchor}' value contains itself")
        return decode(node.target, stringify_keys, (*seen, node))
    if isinstance(node, Scalar):
        return _scalar(node)
    if isinstance(node, Sequence):
        return [decode(i, stringify_keys, seen) for i in node.items]
    assert isinstance(node, Mapping)
    return _mapping(node, stringify_keys, seen)


def _scalar(node: Scalar) -> Any:
    try:
        value = scalar_value(node)
    except ValueError as err:
        raise BadValue(node, f"{err} (yaml.v3 refuses it): drop the tag or fix the value") from None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise BadValue(
                node,
                f"{node.text} cannot be passed: the CLI encodes config as JSON, which has no "
                "infinity or NaN (json.Marshal fails); quote it to pass the text",
            )
        # LoadProjectStackBytes writes the parsed file back out and parses it again: yaml.v3 prints a float
        # with strconv's 'g' format, so an integral one below 1e6 comes back an int (1.0 -> 1, -0.0 -> 0).
        return int(value) if value.is_integer() and abs(value) < 1e6 else value
    return value


def _mapping(node: Mapping, stringify_keys: bool, seen: tuple[Alias, ...]) -> dict[str, Any] | Secure:
    out: dict[str, Any] = {}
    where: dict[str, Node] = {}
    try:
        pairs = entries(node)
    except YamlError as err:
        raise BadValue(node, err.message) from None
    for key_node, value_node in pairs:
        key = _key(key_node, stringify_keys)
        if key in where:
            raise BadValue(
                key_node,
                f"key {key!r} is given twice in one mapping (also at line {where[key].line}, "
                "read as the same key): the CLI keeps only one of them; keep one, merged",
            )
        where[key] = key_node
        out[key] = decode(value_node, stringify_keys, seen)
    if len(out) == 1 and isinstance(out.get("secure"), str):  # object.go isSecureValue
        return Secure(out["secure"])
    return out


def _key(node: Node, stringify_keys: bool) -> str:
    target = node.target if isinstance(node, Alias) else node
    if not isinstance(target, Scalar):
        raise BadValue(node, f"a {kind(node)} cannot be a key (yaml.v3: invalid map key)")
    value = _scalar(target)
    if isinstance(value, str):
        return value
    if not stringify_keys:
        raise BadValue(
            node, f"key {target.text} is not a string (the CLI: expected only string keys): quote it"
        )
    return go_value_text(value)


def go_value_text(value: Any) -> str:
    """fmt.Sprintf("%v", v) of a scalar key (object.go: `m[fmt.Sprintf("%v", k)] = v`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_format_float(value, "g")
    if isinstance(value, GoTime):
        return value.string()
    return "<nil>" if value is None else str(value)


def has_secure(value: Any) -> bool:
    """object.go `Secure`: whether a value is, or holds, a `secure:` value."""
    if isinstance(value, Secure):
        return True
    if isinstance(value, dict):
        return any(has_secure(v) for v in value.values())
    return isinstance(value, list) and any(has_secure(v) for v in value)
