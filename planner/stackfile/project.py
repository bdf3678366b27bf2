"""`Pulumi.yaml` as the Pulumi CLI reads it: the project's name, and the config keys its `config:` declares.

Follows pkg/workspace's project.go (`RewriteShorthandConfigValues`, `Project.Validate`, `ValidateConfigValue`)
and the project schema; config.ParseKey names each key in full (`full_key`). The stack file's reader
(the package) fills the keys a stack lacks from these declarations, and checks the typed ones.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.stackfile.files import (
    Problem,
    StackFileError,
    did_you_mean,
    entries_in,
    is_null,
    node_text,
    parse_file,
    scalar_text,
    top_mapping,
)
from planner.stackfile.values import BadValue, decode, has_secure
from planner.stackfile.yaml_nodes import Alias, Mapping, Node, kind
from planner.stackfile.yaml_resolve import INT64

PROJECT_FILE = "Pulumi.yaml"


@dataclass(frozen=True)
class Declaration:
    """One key of Pulumi.yaml's `config:` (workspace.ProjectConfigType)."""

    key: str  # as written
    full_key: str
    line: int
    own: bool  # namespaced by the project: may be typed and have a default; others give a value
    value: Any = None  # the default or the value (None: neither, so the key is required)
    type: str | None = None
    items: Any = None
    secret: bool = False


@dataclass(frozen=True)
class Project:
    name: str
    path: Path
    declarations: tuple[Declaration, ...] = ()


_PROJECT_WHAT = "Pulumi.yaml is a mapping with at least `name: <project>`"


def read_project(project_dir: Path) -> Project:
    """The project file: its name and its `config:` declarations. StackFileError for what the CLI refuses."""
    path = project_dir / PROJECT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {PROJECT_FILE} in {project_dir}")
    keys = top_mapping(path, parse_file(path), _PROJECT_WHAT)
    name = _project_name(path, keys)
    if "stackConfigDir" in keys:
        k, _ = keys["stackConfigDir"]
        raise StackFileError(
            path,
            [
                Problem(
                    k.line,
                    k.column,
                    "stackConfigDir: the offline plan reads stack "
                    "files beside Pulumi.yaml; move them there and drop the key",
                )
            ],
        )
    if "config" not in keys:
        return Project(name, path)
    k, v = keys["config"]
    target = v.target if isinstance(v, Alias) else v
    if is_null(target):
        return Project(name, path)  # `config:` with nothing: no declarations
    if not isinstance(target, Mapping):
        raise StackFileError(
            path,
            [
                Problem(
                    v.line,
                    v.column,
                    f"config: is a {kind(v)}; in Pulumi.yaml it "
                    "declares config keys (key: default, or key: {type, default})",
                )
            ],
        )
    declarations, problems = _declarations(path, target, name)
    if problems:
        raise StackFileError(path, problems)
    return Project(name, path, tuple(declarations))


def _project_name(path: Path, keys: dict[str, tuple[Node, Node]]) -> str:
    if "name" not in keys:
        found = difflib.get_close_matches("name", [k.lower() for k in keys], n=1, cutoff=0.6)
        hint = f" (found {found[0]!r} instead: did you mean name?)" if found else ""
        raise StackFileError(path, [Problem(1, 1, f"the project has no `name:`{hint}; {_PROJECT_WHAT}")])
    _, v = keys["name"]
    name = scalar_text(v)
    if not name:
        raise StackFileError(
            path,
            [
                Problem(
                    v.line,
                    v.column,
                    "name: must be a non-empty string, the project "
                    "name (it is the namespace of this project's config keys)",
                )
            ],
        )
    return name


def _declarations(path: Path, node: Mapping, project: str) -> tuple[list[Declaration], list[Problem]]:
    out: list[Declaration] = []
    problems: list[Problem] = []
    for k, v in entries_in(path, node):
        key = scalar_text(k)
        full = full_key(key, project) if key else None
        if key is None or full is None:
            problems.append(
                Problem(k.line, k.column, f"{node_text(k)} is not a config key (name, or namespace:name)")
            )
            continue
        try:
            decl = _declaration(key, full, k, v, project)
        except BadValue as bad:
            problems.append(Problem(bad.node.line, bad.node.column, f"config {key}: {bad.message}"))
            continue
        out.append(decl)
    return out, problems


_DECLARATION_KEYS = ("type", "items", "description", "secret", "default", "value")
_TYPES = ("string", "integer", "boolean", "array", "object")


def _declaration(key: str, full: str, k: Node, v: Node, project: str) -> Declaration:
    own = ":" not in key or key.startswith(f"{project}:")
    if "." in key or "[" in key:
        raise BadValue(k, "a path key (a.b, a[0]) is not read offline: declare the top-level key")
    value = decode(v, stringify_keys=False)
    if has_secure(value):
        raise BadValue(v, "a secure: value belongs in the stack file (pulumi config set --secret), not here")
    shorthand = isinstance(value, str | bool | list) or (
        isinstance(value, int) and INT64[0] <= value <= INT64[1]
    )
    if shorthand:  # project.go RewriteShorthandConfigValues: a default for own keys, a value for others
        return Declaration(key, full, k.line, own, value)
    if not isinstance(value, dict):
        raise BadValue(v, "must be a string, integer, boolean or list (a default), or {type, default, ...}")
    unknown = [a for a in value if a not in _DECLARATION_KEYS]
    if unknown:
        hint = did_you_mean(unknown[0], _DECLARATION_KEYS)
        raise BadValue(v, f"unknown attribute {unknown[0]!r}; {hint}allowed: {', '.join(_DECLARATION_KEYS)}")
    given = value.get("default") if value.get("default") is not None else value.get("value")
    decl = Declaration(
        key, full, k.line, own, given, value.get("type"), value.get("items"), value.get("secret") is True
    )
    _check_declaration(decl, value, v)
    return decl


def _check_declaration(decl: Declaration, raw: dict[str, Any], node: Node) -> None:
    """project.go `Project.Validate` and the project schema, for one declaration."""
    problem = None
    if raw.get("default") is not None and raw.get("value") is not None:
        problem = "cannot have both a 'default' and 'value' attribute"
    elif decl.type is not None and decl.type not in _TYPES:
        problem = f"type must be one of {', '.join(_TYPES)}"
    elif decl.own and decl.type == "array" and not isinstance(decl.items, dict):
        problem = "declares an array but not the type of its items: add items: {type: ...}"
    elif (
        decl.own and decl.type and decl.value is not None and not conforms(decl.type, decl.items, decl.value)
    ):
        problem = f"the default is not of the declared type {decl.type}"
    elif not decl.own and decl.type is not None:
        problem = "is not namespaced by the project and should not define a type"
    elif not decl.own and raw.get("default") is not None:
        problem = "is not namespaced by the project: give it a 'value', not a 'default'"
    elif not decl.own and decl.value is None:
        problem = "is not namespaced by the project and must provide an attribute 'value'"
    if problem:
        raise BadValue(node, problem)


def conforms(typ: str, items: Any, content: Any) -> bool:
    """project.go `ValidateConfigValue`: `content` is the passed text, or the JSON of an object or list."""
    if typ == "string":
        return isinstance(content, str)
    if typ == "integer":
        if isinstance(content, str):
            return bool(re.fullmatch(r"[+-]?[0-9]+", content)) and INT64[0] <= int(content) <= INT64[1]
        return (
            isinstance(content, int | float) and not isinstance(content, bool) and float(content).is_integer()
        )
    if typ == "boolean":
        return content in ("true", "false") or isinstance(content, bool)
    if typ == "object":
        return isinstance(content, dict)
    if not isinstance(content, list) or not isinstance(items, dict):
        return False
    return all(conforms(str(items.get("type")), items.get("items"), item) for item in content)


def full_key(key: str, project: str) -> str | None:
    """config.ParseKey after the CLI namespaces a bare key: `name` (the project's), `namespace:name`, or the old
    `namespace:config:name`; None for anything else."""
    parts = key.split(":")
    if len(parts) == 1:
        return f"{project}:{key}"
    if len(parts) == 2:
        return key
    return f"{parts[0]}:{parts[2]}" if len(parts) == 3 and parts[1] == "config" else None
