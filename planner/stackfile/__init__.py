"""Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` exactly as the Pulumi CLI reads them and hands them to a program.

The CLI passes every config key's value as a string (`PULUMI_CONFIG`): objects and lists as compact JSON with
sorted keys, numbers and booleans as text, a timestamp as Go's time.String(). This package follows the CLI's
Go code in pulumi/pulumi's sdk/go/common (read in the 3.260 development tree, the newest source at hand; the
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

The package, by what each module holds: yaml_nodes.py (yaml.v3's parse into nodes, duplicate keys),
yaml_resolve.py (what a node's text means to yaml.v3: resolve.go, timestamps, `<<` merges), go_text.py (Go's
json.Marshal and float formats), values.py (object.go's decoded value, secure values), files.py (one file
read, StackFileError), project.py (Pulumi.yaml and its declarations); here, the stack file read key by key and
encoded as the program receives it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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
from planner.stackfile.go_text import go_json
from planner.stackfile.project import Declaration, Project, conforms, full_key, read_project
from planner.stackfile.values import BadValue, Secure, decode, has_secure
from planner.stackfile.yaml_nodes import Alias, Mapping, Node, Scalar, kind
from planner.stackfile.yaml_resolve import INT64, GoTime

SECRET_PLACEHOLDER = "offline-placeholder-secret"


def placeholder(ciphertext: str) -> str:
    """The offline stand-in for one `secure:` value: SECRET_PLACEHOLDER and a digest of its ciphertext, so two
    different ciphertexts stay two different texts (the program refuses two gateway API keys that are one
    key) and one ciphertext pasted twice stays one, as decrypting them would give."""
    return f"{SECRET_PLACEHOLDER}-{hashlib.sha256(ciphertext.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class StackFile:
    project: str
    stack: str
    path: Path
    config: dict[str, str]  # flat, as the CLI passes it
    secret_keys: tuple[str, ...]
    # `secretsprovider:` as written (passphrase, awskms://…); None: the backend's default (Pulumi Cloud's own
    # key on Pulumi Cloud, a passphrase on a self-managed backend).
    secrets_provider: str | None = None


# --- encoding: the text the program receives ------------------------------------------------------------------
def _plain(value: Any, time_text: Callable[[GoTime], str], nested: bool) -> Any:
    if isinstance(value, Secure):
        return placeholder(value.ciphertext)
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


# --- Pulumi.<stack>.yaml ---------------------------------------------------------------------------------------
_STACK_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")
_STACK_WHAT = "a stack file is a mapping whose `config:` holds this stack's keys (see Pulumi.dev.yaml)"


def available_stacks(project_dir: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def project_name(project_dir: Path) -> str:
    return read_project(project_dir).name


def read_stack(project_dir: Path, stack: str) -> StackFile:
    """The stack's config as the CLI passes it. StackFileError listing every problem the file has."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = ", ".join(available_stacks(project_dir)) or "none"
        raise FileNotFoundError(f"no stack file {path.name} (stacks here: {stacks})")
    project = read_project(project_dir)
    keys = top_mapping(path, parse_file(path), _STACK_WHAT)
    config = _config_node(path, keys)
    reader = _StackReader(project)
    for k, v in entries_in(path, config):
        reader.add(k, v)
    reader.apply_project(config)
    if reader.problems:
        raise StackFileError(path, reader.problems)
    provider = scalar_text(keys["secretsprovider"][1]) if "secretsprovider" in keys else None
    secret_keys = tuple(k for k in reader.flat if k in reader.secret)
    return StackFile(project.name, stack, path, reader.flat, secret_keys, provider or None)


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
            hint = did_you_mean(text, _STACK_KEYS)
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
            what, at = ("empty", k) if is_null(v) else (f"a {kind(v)}", v)
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
        key = scalar_text(k)
        full = full_key(key, self.project.name) if key is not None else None
        if key is None or full is None:
            self.problems.append(
                Problem(
                    k.line,
                    k.column,
                    f"{node_text(k)} is not a config key: write `name` (this project's) or `namespace:name`",
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
        except BadValue as bad:
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
