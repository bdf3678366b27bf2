"""Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` exactly as the Pulumi CLI reads them and hands them to a program.

The CLI passes every config key's value as a string (`PULUMI_CONFIG`): objects and lists as compact JSON with
sorted keys, numbers and booleans as text, a timestamp as Go's time.String(). This module follows the CLI's Go
code in pulumi/pulumi's sdk/go/common (read in the 3.260 development tree, the newest source at hand; the
pinned CLI is 3.272.0):

- workspace/loaders.go `LoadProjectStackBytes`: the file is parsed with yaml.v3, keys without a namespace get
  the project's, the result is written back out as YAML and parsed again into `config.Map`;
- resource/config/value.go and object.go: each top-level value is decoded (`unmarshalObject`: a time.Time
  becomes `v.String()` at any depth; a map with the single string key `secure` is ciphertext), then
  json.Marshal-ed (`MarshalString`); `Map.Decrypt` decrypts secure values in place and plaintext.go
  `marshalText` turns each top-level value into the text the program gets;
- pkg/workspace/config.go `mergeConfig`: `config:` declared in Pulumi.yaml fills the keys the stack lacks
  (`createConfigValue`: a string, int or bool as text, anything else through json.Marshal, so a nested time
  there is RFC 3339), refuses missing required keys and stack values of the wrong declared type.

Secure values cannot be decrypted offline: each becomes SECRET_PLACEHOLDER and its top-level key is listed in
`secret_keys`, as the CLI lists it in `PULUMI_CONFIG_SECRET_KEYS`, so the program takes the same secret-handling
path and the plan shows `[secret]`. Anything the CLI would refuse, or that would be silently misread, is a
StackFileError naming the file, the line and the column, before anything else runs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.yaml_cli import (
    INT64,
    Alias,
    GoTime,
    Mapping,
    Node,
    Scalar,
    Sequence,
    YamlError,
    entries,
    go_format_float,
    go_json,
    kind,
    load,
    scalar_value,
)

SECRET_PLACEHOLDER = "offline-placeholder-secret"
PROJECT_FILE = "Pulumi.yaml"


@dataclass(frozen=True)
class StackFile:
    project: str
    stack: str
    path: Path
    config: dict[str, str]  # flat, as the CLI passes it
    secret_keys: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    line: int
    column: int
    message: str  # what is wrong, and what to do

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class StackFileError(Exception):
    """A stack or project file the Pulumi CLI would refuse, or read differently from what it says."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"cannot read {path.name} as the Pulumi CLI does ({len(problems)} error(s)):\n{lines}"
        )


@dataclass(frozen=True)
class Secure:
    """A `secure:` value: ciphertext only the CLI can decrypt."""

    ciphertext: str


class _Bad(Exception):
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
            raise _Bad(node, f"anchor '{node.anchor}' value contains itself")
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
        raise _Bad(node, f"{err} (yaml.v3 refuses it): drop the tag or fix the value") from None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Bad(
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
        raise _Bad(node, err.message) from None
    for key_node, value_node in pairs:
        key = _key(key_node, stringify_keys)
        if key in where:
            raise _Bad(
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
        raise _Bad(node, f"a {kind(node)} cannot be a key (yaml.v3: invalid map key)")
    value = _scalar(target)
    if isinstance(value, str):
        return value
    if not stringify_keys:
        raise _Bad(node, f"key {target.text} is not a string (the CLI: expected only string keys): quote it")
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


# --- encoding: the text the program receives ------------------------------------------------------------------
def _plain(value: Any, time_text: Callable[[GoTime], str], nested: bool) -> Any:
    if isinstance(value, Secure):
        return SECRET_PLACEHOLDER
    if isinstance(value, GoTime):
        return time_text(value)
    if isinstance(value, dict):
        return {k: _plain(v, time_text, True) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, time_text, True) for v in value]
    if (
        nested
        and isinstance(value, int)
        and not isinstance(value, bool)
        and not INT64[0] <= value <= INT64[1]
    ):
        # A value inside an object travels as JSON and is decoded with UseNumber: json.Number.Int64 fails
        # past int64, Float64 does not (object.go `unmarshalObject`).
        return float(value)
    return value


def cli_text(
    value: Any, time_text: Callable[[GoTime], str] = GoTime.string, exact_top_int: bool = True
) -> str:
    """The string the CLI passes a program for one top-level config value (plaintext.go `marshalText`)."""
    plain = _plain(value, time_text, nested=not exact_top_int)
    if isinstance(plain, str):
        return plain
    # An empty value is passed as "" (loaders.go checkForEmptyConfig); inside objects null stays null.
    return "" if plain is None else go_json(plain)


# --- files -------------------------------------------------------------------------------------------------------
def _load(path: Path) -> Node | None:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # the CLI strips a UTF-8 byte-order mark
    except UnicodeDecodeError as err:
        raise StackFileError(
            path, [Problem(1, 1, f"not UTF-8 text ({err.reason}): save it as UTF-8")]
        ) from None
    try:
        return load(text)
    except YamlError as err:
        problems = [Problem(p.line, p.column, _syntax(p.message)) for p in err.problems]
        problems.sort(key=lambda p: (p.line, p.column))
        raise StackFileError(path, problems) from None


def _syntax(message: str) -> str:
    if "given twice" in message:
        return message
    return f"invalid YAML: {message}; fix the syntax here (the Pulumi CLI refuses the file too)"


def _top_mapping(path: Path, root: Node | None, what: str) -> dict[str, tuple[Node, Node]]:
    """The top-level keys of a file that must be a mapping, by their text."""
    if root is None:
        raise StackFileError(path, [Problem(1, 1, f"the file is empty (or only comments): {what}")])
    target = root.target if isinstance(root, Alias) else root
    if not isinstance(target, Mapping):
        raise StackFileError(
            path, [Problem(root.line, root.column, f"the top level is a {kind(root)}: {what}")]
        )
    keys: dict[str, tuple[Node, Node]] = {}
    problems = []
    for k, v in _entries(path, target):
        text = _scalar_text(k)
        if text is None:
            problems.append(
                Problem(k.line, k.column, f"a top-level key must be a plain name, not a {kind(k)}")
            )
        keys.setdefault(text or "", (k, v))
    if problems:
        raise StackFileError(path, problems)
    return keys


def _entries(path: Path, node: Node) -> list[tuple[Node, Node]]:
    try:
        return entries(node)
    except YamlError as err:
        raise StackFileError(path, [Problem(err.line, err.column, err.message)]) from None


def _scalar_text(node: Node) -> str | None:
    target = node.target if isinstance(node, Alias) else node
    if not isinstance(target, Scalar):
        return None
    try:
        value = scalar_value(target)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _is_null(node: Node) -> bool:
    target = node.target if isinstance(node, Alias) else node
    try:
        return isinstance(target, Scalar) and scalar_value(target) is None
    except ValueError:
        return False


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    hint = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f"did you mean {hint[0]}? " if hint else ""


# --- Pulumi.yaml -------------------------------------------------------------------------------------------------
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
    keys = _top_mapping(path, _load(path), _PROJECT_WHAT)
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
    if _is_null(target):
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
    name = _scalar_text(v)
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


def project_name(project_dir: Path) -> str:
    return read_project(project_dir).name


def _declarations(path: Path, node: Mapping, project: str) -> tuple[list[Declaration], list[Problem]]:
    out: list[Declaration] = []
    problems: list[Problem] = []
    for k, v in _entries(path, node):
        key = _scalar_text(k)
        full = full_key(key, project) if key else None
        if key is None or full is None:
            problems.append(
                Problem(k.line, k.column, f"{_node_text(k)} is not a config key (name, or namespace:name)")
            )
            continue
        try:
            decl = _declaration(key, full, k, v, project)
        except _Bad as bad:
            problems.append(Problem(bad.node.line, bad.node.column, f"config {key}: {bad.message}"))
            continue
        out.append(decl)
    return out, problems


def _node_text(node: Node) -> str:
    return repr(node.text) if isinstance(node, Scalar) else f"a {kind(node)}"


_DECLARATION_KEYS = ("type", "items", "description", "secret", "default", "value")
_TYPES = ("string", "integer", "boolean", "array", "object")


def _declaration(key: str, full: str, k: Node, v: Node, project: str) -> Declaration:
    own = ":" not in key or key.startswith(f"{project}:")
    if "." in key or "[" in key:
        raise _Bad(k, "a path key (a.b, a[0]) is not read offline: declare the top-level key")
    value = decode(v, stringify_keys=False)
    if has_secure(value):
        raise _Bad(v, "a secure: value belongs in the stack file (pulumi config set --secret), not here")
    shorthand = isinstance(value, str | bool | list) or (
        isinstance(value, int) and INT64[0] <= value <= INT64[1]
    )
    if shorthand:  # project.go RewriteShorthandConfigValues: a default for own keys, a value for others
        return Declaration(key, full, k.line, own, value)
    if not isinstance(value, dict):
        raise _Bad(v, "must be a string, integer, boolean or list (a default), or {type, default, ...}")
    unknown = [a for a in value if a not in _DECLARATION_KEYS]
    if unknown:
        hint = _did_you_mean(unknown[0], _DECLARATION_KEYS)
        raise _Bad(v, f"unknown attribute {unknown[0]!r}; {hint}allowed: {', '.join(_DECLARATION_KEYS)}")
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
        raise _Bad(node, problem)


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


# --- Pulumi.<stack>.yaml ---------------------------------------------------------------------------------------
_STACK_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")
_STACK_WHAT = "a stack file is a mapping whose `config:` holds this stack's keys (see Pulumi.dev.yaml)"


def available_stacks(project_dir: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def full_key(key: str, project: str) -> str | None:
    """config.ParseKey after the CLI namespaces a bare key: `name` (the project's), `namespace:name`, or the old
    `namespace:config:name`; None for anything else."""
    parts = key.split(":")
    if len(parts) == 1:
        return f"{project}:{key}"
    if len(parts) == 2:
        return key
    return f"{parts[0]}:{parts[2]}" if len(parts) == 3 and parts[1] == "config" else None


def read_stack(project_dir: Path, stack: str) -> StackFile:
    """The stack's config as the CLI passes it. StackFileError listing every problem the file has."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = ", ".join(available_stacks(project_dir)) or "none"
        raise FileNotFoundError(f"no stack file {path.name} (stacks here: {stacks})")
    project = read_project(project_dir)
    config = _config_node(path, _top_mapping(path, _load(path), _STACK_WHAT))
    reader = _StackReader(project)
    for k, v in _entries(path, config):
        reader.add(k, v)
    reader.apply_project(config)
    if reader.problems:
        raise StackFileError(path, reader.problems)
    return StackFile(
        project.name, stack, path, reader.flat, tuple(k for k in reader.flat if k in reader.secret)
    )


def _config_node(path: Path, keys: dict[str, tuple[Node, Node]]) -> Mapping:
    problems = []
    for text, (k, v) in keys.items():
        if text == "environment":
            problems.append(
                Problem(
                    k.line,
                    k.column,
                    "environment: Pulumi ESC environments cannot be opened "
                    "offline: put the keys the program needs under config:",
                )
            )
        elif text not in _STACK_KEYS:
            hint = _did_you_mean(text, _STACK_KEYS)
            problems.append(
                Problem(
                    k.line,
                    k.column,
                    f"unknown top-level key {text!r}; {hint}the CLI reads only "
                    f"{', '.join(_STACK_KEYS)} (it would ignore this one)",
                )
            )
        elif text != "config" and not isinstance(v.target if isinstance(v, Alias) else v, Scalar):
            problems.append(Problem(v.line, v.column, f"{text}: must be a string, not a {kind(v)}"))
    if "config" not in keys:
        first = next(iter(keys.values()))[0] if keys else None
        at = (first.line, first.column) if first else (1, 1)
        problems.append(Problem(*at, f"no `config:` key: {_STACK_WHAT}"))
    else:
        k, v = keys["config"]
        target = v.target if isinstance(v, Alias) else v
        if not isinstance(target, Mapping):
            what, at = ("empty", k) if _is_null(v) else (f"a {kind(v)}", v)
            problems.append(
                Problem(
                    at.line,
                    at.column,
                    f"config: is {what}; it must map each key to its value, "
                    "one `namespace:key: value` per line",
                )
            )
    if problems:
        raise StackFileError(path, problems)
    return target


class _StackReader:
    """The `config:` block, key by key, as the CLI builds `config.Map` and then the program's strings."""

    def __init__(self, project: Project):
        self.project = project
        self.flat: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self.where: dict[str, Node] = {}
        self.secret: set[str] = set()
        self.problems: list[Problem] = []

    def add(self, k: Node, v: Node) -> None:
        key = _scalar_text(k)
        full = full_key(key, self.project.name) if key is not None else None
        if key is None or full is None:
            self.problems.append(
                Problem(
                    k.line,
                    k.column,
                    f"{_node_text(k)} is not a config key: write `name` (this project's) or `namespace:name`",
                )
            )
            return
        if full in self.where:
            first = self.where[full]
            self.problems.append(
                Problem(
                    k.line,
                    k.column,
                    f"{key} is the key {full} again (first at line "
                    f"{first.line}): the CLI keeps one at random; keep one, merged",
                )
            )
            return
        self.where[full] = k
        try:
            value = decode(v)
        except _Bad as bad:
            self.problems.append(Problem(bad.node.line, bad.node.column, f"{full}: {bad.message}"))
            return
        self.values[full] = value
        self.flat[full] = cli_text(value)
        if has_secure(value):
            self.secret.add(full)

    def apply_project(self, config: Node) -> None:
        """mergeConfig: declared keys the stack lacks take their default or value; required ones must be set;
        typed ones must fit their type."""
        for decl in sorted(self.project.declarations, key=lambda d: d.key):
            if decl.full_key in self.where:
                self._check(decl)
            elif decl.value is not None:
                self.flat[decl.full_key] = cli_text(decl.value, GoTime.rfc3339, exact_top_int=False)
            elif decl.own:
                self.problems.append(
                    Problem(
                        config.line,
                        config.column,
                        f"{decl.full_key} is required by "
                        f"Pulumi.yaml (line {decl.line}, no default): set it here, "
                        f"`pulumi config set {decl.key} <value>`",
                    )
                )

    def _check(self, decl: Declaration) -> None:
        # validateStackConfigValue: only typed keys are checked, the secret flag included.
        if decl.type is None:
            return
        k = self.where[decl.full_key]
        if decl.secret and decl.full_key not in self.secret:
            self.problems.append(
                Problem(
                    k.line,
                    k.column,
                    f"{decl.full_key} must be encrypted: Pulumi.yaml "
                    f"declares it secret (pulumi config set --secret {decl.key} <value>)",
                )
            )
        elif decl.full_key not in self.secret:  # a placeholder says nothing of the secret's type
            value = self.values[decl.full_key]
            content = (
                _plain(value, GoTime.string, True)
                if isinstance(value, dict | list)
                else self.flat[decl.full_key]
            )
            if not conforms(decl.type, decl.items, content):
                self.problems.append(
                    Problem(
                        k.line,
                        k.column,
                        f"{decl.full_key} must be of type {decl.type}, "
                        f"as Pulumi.yaml (line {decl.line}) declares it",
                    )
                )
