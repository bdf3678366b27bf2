"""Two JSON values compared leaf by leaf, as flattened paths (`spec.template.spec.containers[vllm].image`), and
one value flattened the same way (an added resource's key inputs, what a risk rule reads)."""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class _Missing:
    """The side of a change where a field, list item or output does not exist."""

    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()

# List items carrying one of these keys (first found) are matched by it, not by position: containers[vllm],
# env[HF_HUB_OFFLINE], groups[llm-platform.gpu], rules[GPUXidError] (alerting or recording rules).
IDENTITY_KEYS = ("name", "alert", "record")
SHORT_LIST = 100  # a scalar list this long (as JSON) or shorter is shown whole when it changes
# A string this long or longer that is base64 of text (a launch template's user data) is compared decoded.
BASE64_MIN = 64


@dataclass(frozen=True)
class FieldChange:
    """One changed value: `old` or `new` is MISSING when the field, item or output was added or removed."""

    path: str
    old: Any = MISSING
    new: Any = MISSING


def diff_values(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """Every changed leaf between two JSON values, as flattened paths (`spec.template.spec.containers[vllm]`).

    Dicts are compared key by key. Lists whose items all carry an IDENTITY_KEYS value (unique on each side)
    are matched by it; short scalar lists change as a whole; other lists are aligned with difflib, so one
    inserted item is one line, not a shifted tail. Strings holding a JSON document (Grafana dashboards) are
    compared as JSON, base64 of text (user data) as the text; other strings change whole, and the markdown
    shows a long or multi-line one as a unified diff (plan_diff/long_values.py).
    """
    if old is MISSING or new is MISSING:
        present = new if old is MISSING else old
        if isinstance(present, dict) and present:  # a new or removed object: one line per leaf
            out: list[FieldChange] = []
            for key in sorted(present):
                pair = (MISSING, present[key]) if old is MISSING else (present[key], MISSING)
                out += diff_values(*pair, join(path, key))
            return out
        return [] if old is new else [FieldChange(path, old, new)]
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(old.keys() | new.keys()):
            out += diff_values(old.get(key, MISSING), new.get(key, MISSING), join(path, key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path)
    if isinstance(old, str) and isinstance(new, str) and old != new:
        return _diff_strings(old, new, path)
    return [] if same(old, new) else [FieldChange(path, old, new)]


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a value as (path, value), with the paths `diff_values` gives: dict keys joined, list items
    by identity or position, short scalar lists whole."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from flatten(value[key], join(path, key))
    elif isinstance(value, list) and value:
        if all(not isinstance(v, dict | list) for v in value) and len(as_json(value)) <= SHORT_LIST:
            yield path, value
            return
        ids = _identities(value) or [str(i) for i in range(len(value))]
        for i, item in zip(ids, value, strict=True):
            yield from flatten(item, f"{path}[{i}]")
    else:
        yield path, value


def value_at(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return MISSING
        doc = doc[part]
    return doc


def same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True == 1 in Python; not in a plan


def join(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]*", key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _identities(items: list[Any]) -> list[str] | None:
    """Each item's identity (its first IDENTITY_KEYS value), or None unless every item has a unique one."""
    ids: list[str] = []
    for item in items:
        found = [item[k] for k in IDENTITY_KEYS if isinstance(item, dict) and isinstance(item.get(k), str)]
        if not found:
            return None
        ids.append(found[0])
    return ids if len(set(ids)) == len(ids) else None


def _diff_lists(old: list[Any], new: list[Any], path: str) -> list[FieldChange]:
    if same(old, new):
        return []
    old_ids, new_ids = _identities(old), _identities(new)
    if old_ids is not None and new_ids is not None:
        return _diff_by_identity(old, new, old_ids, new_ids, path)
    scalars = all(not isinstance(v, dict | list) for v in old + new)
    if scalars and max(len(as_json(old)), len(as_json(new))) <= SHORT_LIST:
        return [FieldChange(path, old, new)]
    return _diff_aligned(old, new, path)


def _diff_by_identity(
    old: list[Any], new: list[Any], old_ids: list[str], new_ids: list[str], path: str
) -> list[FieldChange]:
    """Lists whose items carry identities: items matched by identity, then a change of their order."""
    by_old, by_new = dict(zip(old_ids, old, strict=True)), dict(zip(new_ids, new, strict=True))
    out: list[FieldChange] = []
    for i in new_ids:
        out += diff_values(by_old.get(i, MISSING), by_new[i], f"{path}[{i}]")
    for i in old_ids:
        if i not in by_new:
            out += diff_values(by_old[i], MISSING, f"{path}[{i}]")
    kept_old, kept_new = [i for i in old_ids if i in by_new], [i for i in new_ids if i in by_old]
    if kept_old != kept_new:
        out.append(FieldChange(f"{path} (order)", kept_old, kept_new))
    return out


def _diff_aligned(old: list[Any], new: list[Any], path: str) -> list[FieldChange]:
    """Other lists, aligned with difflib: replaced items pairwise, then the removed and the inserted ones."""
    matcher = difflib.SequenceMatcher(a=[_canon(v) for v in old], b=[_canon(v) for v in new], autojunk=False)
    out: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            out += diff_values(old[i1 + k], new[j1 + k], f"{path}[{j1 + k}]")
        for i in range(i1 + paired, i2):
            out += diff_values(old[i], MISSING, f"{path}[{i}]")
        for j in range(j1 + paired, j2):
            out += diff_values(MISSING, new[j], f"{path}[{j}]")
    return out


def _diff_strings(old: str, new: str, path: str) -> list[FieldChange]:
    old_doc, new_doc = _json_document(old), _json_document(new)
    if old_doc is not None and new_doc is not None:
        return diff_values(old_doc, new_doc, path)
    old_text, new_text = _base64_text(old), _base64_text(new)
    if old_text is not None and new_text is not None:
        return diff_values(old_text, new_text, f"{path} (base64-decoded)")
    return [FieldChange(path, old, new)]


def _json_document(text: str) -> Any:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _base64_text(text: str) -> str | None:
    """The text a long base64 string encodes, or None when it is not base64 of multi-line UTF-8 text."""
    if len(text) < BASE64_MIN:
        return None
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    text_only = all(c.isprintable() or c in "\n\r\t" for c in decoded)
    return decoded if "\n" in decoded and text_only else None


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
