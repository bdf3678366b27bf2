"""One file read as the Pulumi CLI reads it, and the framed error for whatever the CLI would refuse.

StackFileError names the file and lists every problem with its line and column, before anything else runs.
The helpers here are shared by Pulumi.yaml (project.py) and Pulumi.<stack>.yaml (the package's reader).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from planner.stackfile.yaml_nodes import Alias, Mapping, Node, Scalar, YamlError, kind, load
from planner.stackfile.yaml_resolve import entries, scalar_value


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


def parse_file(path: Path) -> Node | None:
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


def top_mapping(path: Path, root: Node | None, what: str) -> dict[str, tuple[Node, Node]]:
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
    for k, v in entries_in(path, target):
        text = scalar_text(k)
        if text is None:
            problems.append(
                Problem(k.line, k.column, f"a top-level key must be a plain name, not a {kind(k)}")
            )
        keys.setdefault(text or "", (k, v))
    if problems:
        raise StackFileError(path, problems)
    return keys


def entries_in(path: Path, node: Node) -> list[tuple[Node, Node]]:
    try:
        return entries(node)
    except YamlError as err:
        raise StackFileError(path, [Problem(err.line, err.column, err.message)]) from None


def scalar_text(node: Node) -> str | None:
    target = node.target if isinstance(node, Alias) else node
    if not isinstance(target, Scalar):
        return None
    try:
        value = scalar_value(target)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def is_null(node: Node) -> bool:
    target = node.target if isinstance(node, Alias) else node
    try:
        return isinstance(target, Scalar) and scalar_value(target) is None
    except ValueError:
        return False


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    hint = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f"did you mean {hint[0]}? " if hint else ""


def node_text(node: Node) -> str:
    return repr(node.text) if isinstance(node, Scalar) else f"a {kind(node)}"
