"""A shipped stack's raw config as the CLI passes it (`llm-platform:key` -> JSON text), edited, and the issues
the config checks find in it: the helpers the config-check tests share."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from config.loader import check_config
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR

K = "llm-platform"
SECRETS = [f"{K}:grafanaAdminPassword", f"{K}:huggingFaceToken"]


def flat(stack: str = "dev") -> dict[str, str]:
    return dict(read_stack(PROJECT_DIR, stack).config)


def edit(key: str, change: Callable[[Any], Any], stack: str = "dev") -> dict[str, str]:
    return edits({key: change}, stack)


def edits(changes: dict[str, Callable[[Any], Any]], stack: str = "dev") -> dict[str, str]:
    """The stack's config with each key's JSON value changed in place."""
    c = flat(stack)
    for key, change in changes.items():
        value = json.loads(c[key])
        change(value)
        c[key] = json.dumps(value)
    return c


def issues(c: dict[str, str]) -> dict[str, str]:
    return {i.key: i.message for i in check_config(c, SECRETS).issues}


def refused(schema: Any, value: Any) -> str:
    """The message validating `value` against `schema` fails with."""
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(schema).validate_python(value)
    return str(exc.value)
