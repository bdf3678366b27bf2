"""YAML parsed into nodes as gopkg.in/yaml.v3 parses it: the tree the Pulumi CLI's stack files are read from.

The CLI parses `Pulumi.yaml` and `Pulumi.<stack>.yaml` with gopkg.in/yaml.v3 (v3.0.1, pinned in pulumi's
sdk/go.mod). This module holds the nodes and their composition:

- parsing: ruamel.yaml's event stream (positions, tags, styles, anchors) composed into nodes here, so that
  resolution (yaml_resolve.py) is yaml.v3's and not ruamel's; only the first document is read (yaml.v3
  `Unmarshal`);
- duplicate keys are refused the way yaml.v3's decoder refuses them: same kind of node, same text
  (decode.go `(*decoder).mapping`, `uniqueKeys` is on by default);
- a syntax error inside a construct that opened earlier (a quote, a bracket) names where it opened, and an
  unclosed quote is reported there rather than at the end of the file it runs on to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML, events
from ruamel.yaml.error import YAMLError


class YamlError(Exception):
    """Text yaml.v3 would refuse: each problem with the position (1-based) it refers to."""

    def __init__(self, message: str, line: int, column: int, more: tuple[YamlError, ...] = ()):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.problems: tuple[YamlError, ...] = (self, *more)


# --- nodes --------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Node:
    line: int  # 1-based, as yaml.v3 and editors count
    column: int


@dataclass(eq=False)
class Scalar(Node):
    text: str
    tag: str  # an explicit tag in yaml.v3's short form ("!!str", "!foo"); "" for none or the non-specific "!"
    plain: bool  # neither quoted nor a block scalar


@dataclass(eq=False)
class Mapping(Node):
    pairs: list[tuple[Node, Node]] = field(default_factory=list)


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Alias(Node):
    anchor: str
    target: Node


def kind(node: Node) -> str:
    """What a node is, in words for an error message."""
    node = node.target if isinstance(node, Alias) else node
    if isinstance(node, Mapping):
        return "mapping"
    return "list" if isinstance(node, Sequence) else "scalar"


LONG_TAG_PREFIX = "tag:yaml.org,2002:"


def _short_tag(tag: str | None) -> str:
    if not tag or tag == "!":
        return ""
    return "!!" + tag[len(LONG_TAG_PREFIX) :] if tag.startswith(LONG_TAG_PREFIX) else tag


# --- composing ------------------------------------------------------------------------------------------------
def load(text: str) -> Node | None:
    """The first document of `text` as nodes, or None when the stream holds no document (an empty file, or only
    comments). YamlError for bad syntax, an unknown anchor, or a key given twice in one mapping."""
    stream = YAML(typ="safe", pure=True).parse(text)
    try:
        return _Composer(stream).document()
    except YAMLError as err:
        raise _syntax_error(err) from None


@dataclass(frozen=True)
class _Inside:
    """What to say about a syntax error met inside a construct that opened earlier (ruamel's context)."""

    at_opening: bool  # report where the construct opened: where the parser gave up tells nothing
    advice: str


# ruamel's context -> how to report it. An unclosed quote runs on to the end of the file, so the parser's
# position is the last line; the quote that opened it is the one to fix. A flow collection's error is at the
# token that should have closed it, which is where to write the bracket.
_INSIDE: dict[str, _Inside] = {
    "while scanning a quoted scalar": _Inside(
        True, "the quoted scalar that starts here is never closed: end it with the quote it opens with"
    ),
    "while parsing a flow sequence": _Inside(False, "close the list [ with ]"),
    "while parsing a flow mapping": _Inside(False, "close the map { with }"),
}


def _closed(mark: Any) -> str:
    """The quoted value that opens at `mark`, closed on its line ("1.35 -> "1.35"), as an example; "" when its
    line holds more than the value (a comment, another quote), where the end of the value is not certain."""
    buffer, start = getattr(mark, "buffer", None), getattr(mark, "pointer", None)
    if not isinstance(buffer, str) or start is None:
        return ""
    end = buffer.find("\n", start)
    value = buffer[start : end if end >= 0 else len(buffer)].rstrip()
    quote = value[:1]
    if quote not in ("'", '"') or len(value) < 2 or "#" in value or quote in value[1:]:
        return ""
    return f", e.g. {value}{quote}"


def _syntax_error(err: YAMLError) -> YamlError:
    """ruamel's syntax error at the position to fix, 1-based: where the parser gave up, or for an unclosed
    quote where it opened (`_INSIDE`)."""
    problem_mark = getattr(err, "problem_mark", None)
    context_mark = getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    inside = _INSIDE.get(context or "")
    if inside is None or context_mark is None:
        mark = problem_mark or context_mark
        message = f"{problem} ({context})" if context else str(problem)
        return YamlError(message, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
    opened = f"line {context_mark.line + 1}, column {context_mark.column + 1}"
    if inside.at_opening or problem_mark is None:
        found = f" at line {problem_mark.line + 1}, column {problem_mark.column + 1}" if problem_mark else ""
        message = f"{inside.advice}{_closed(context_mark)} ({problem}{found}, {context})"
        return YamlError(message, context_mark.line + 1, context_mark.column + 1)
    message = f"{problem} ({context} that opens at {opened}); {inside.advice}"
    return YamlError(message, problem_mark.line + 1, problem_mark.column + 1)


class _Composer:
    def __init__(self, stream: Iterator[events.Event]):
        self.stream = stream
        self.anchors: dict[str, Node] = {}
        self.duplicates: list[YamlError] = []  # every one, not just the first

    def document(self) -> Node | None:
        for event in self.stream:
            if isinstance(event, events.DocumentStartEvent):
                # yaml.v3's Unmarshal stops after the first document: later ones are not even parsed.
                root = self.node(next(self.stream))
                if self.duplicates:
                    first, *more = self.duplicates
                    raise YamlError(first.message, first.line, first.column, tuple(more))
                return root
            if isinstance(event, events.StreamEndEvent):
                return None
        return None

    def node(self, event: events.Event) -> Node:
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        if isinstance(event, events.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is None:
                raise YamlError(f"unknown anchor '{event.anchor}' referenced", line, column)
            return Alias(line, column, event.anchor, target)
        if isinstance(event, events.ScalarEvent):
            node: Node = Scalar(line, column, event.value, _short_tag(event.tag), event.style is None)
            self._anchor(event, node)
            return node
        if isinstance(event, events.SequenceStartEvent):
            seq = Sequence(line, column)
            self._anchor(event, seq)  # before the children: yaml.v3 lets them refer to it (and then refuses)
            while not isinstance(item := next(self.stream), events.SequenceEndEvent):
                seq.items.append(self.node(item))
            return seq
        mapping = Mapping(line, column)
        self._anchor(event, mapping)
        while not isinstance(key := next(self.stream), events.MappingEndEvent):
            mapping.pairs.append((self.node(key), self.node(next(self.stream))))
        self.duplicates += duplicate_keys(mapping)
        return mapping

    def _anchor(self, event: events.NodeEvent, node: Node) -> None:
        if event.anchor:
            self.anchors[event.anchor] = node


def _key_text(node: Node) -> str:
    """What yaml.v3 compares to find a duplicate key: `Node.Value` (a scalar's text, an alias's anchor name)."""
    if isinstance(node, Scalar):
        return node.text
    return node.anchor if isinstance(node, Alias) else ""


def duplicate_keys(mapping: Mapping) -> list[YamlError]:
    """Each key of `mapping` that an earlier key already gave."""
    seen: dict[tuple[type, str], Node] = {}
    found = []
    for key, _ in mapping.pairs:
        ident = (type(key), _key_text(key))
        if ident in seen:
            found.append(
                YamlError(
                    f"key {_key_text(key)!r} is given twice in one mapping (first at line {seen[ident].line}): the "
                    "Pulumi CLI refuses the file (yaml.v3: mapping key already defined); keep one, merged",
                    key.line,
                    key.column,
                )
            )
        seen.setdefault(ident, key)
    return found
