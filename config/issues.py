"""Config errors that name their key as written in the stack file, and pydantic's errors turned into them."""

from __future__ import annotations

import difflib
import json
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.alias_generators import to_camel


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


def pydantic_issues(key: str, schema: Any, exc: ValidationError) -> list[ConfigIssue]:
    """One issue per pydantic error, under the stack-file key `key` (the section `schema` validates)."""
    issues = []
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        # Defaulted fields are reported under their Python name; the stack file spells every key in camelCase.
        path = key + "".join(f"[{p}]" if isinstance(p, int) else f".{to_camel(str(p))}" for p in loc)
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(schema, loc[:-1])
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            suggestion = f"did you mean {hint[0]!r}? " if hint else ""
            message = f"unknown key; {suggestion}allowed: {', '.join(allowed)}"
        elif err["type"] == "missing":
            message = "required key is missing"
        elif schema is SecretStr:
            message = err["msg"]  # never echo a secret
        else:
            message = f"{err['msg'].removeprefix('Value error, ')} (got {_short(err.get('input'))})"
        issues.append(ConfigIssue(path, message))
    return issues


def _allowed_keys(schema: Any, loc: tuple) -> list[str]:
    """The stack-file keys allowed at `loc` inside `schema` (for 'did you mean' on unknown keys)."""
    model = _model_in(schema)
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = next((f for f in model.model_fields.values() if f.alias == part), None)
        model = _model_in(field.annotation) if field else None
    return [f.alias or n for n, f in model.model_fields.items()] if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
