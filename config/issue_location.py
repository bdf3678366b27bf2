"""Where in the stack file one pydantic error is (`locate`): the key as written, and the schema's type there.

Field names become the stack file's camelCase keys, while map keys, list indices and unknown keys stay exactly
as written; through a union, the member pydantic tried is kept, so that issues.py can report each member once.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class Where:
    """Where in the stack file one pydantic error is, and what the schema expects there."""

    key: str  # the key as written, e.g. llm-platform:addons.gpuOperator.timeSlicing.l4-spot
    parent: str  # the key of the section, list or map holding it
    section: (
        type[BaseModel] | None
    )  # the section whose key the last part is (None: a list entry or map entry)
    field: FieldInfo | None  # the field the value belongs to (a list's or map's own field for their entries)
    expected: Any  # the type the value was checked against
    is_map_key: bool = False  # the error is about a map key itself, not its value
    union: str | None = None  # the key of the innermost union the error came through ...
    branch: str | None = None  # ... the member pydantic tried there ...
    below_branch: int = 0  # ... and how many parts of the location follow that member
    # The declared constraints on the value (pattern, ge, le, ...: Annotated metadata of its type, and its
    # field's own when the value is that field's): a message can then give a form or a bound that pydantic's
    # error for the value's shape does not carry.
    constraints: tuple[Any, ...] = ()

    def constraint(self, name: str) -> Any:
        """The declared constraint `name` (e.g. "pattern", "le"), or None."""
        return next((getattr(c, name) for c in self.constraints if getattr(c, name, None) is not None), None)


_UNIONS = (typing.Union, types.UnionType)


def _strip(tp: Any) -> Any:
    """The type inside Annotated layers and Optional (None is a default, not a choice a user makes)."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in _UNIONS and len(members := _members(tp)) == 1:
            tp = members[0]
        else:
            return tp


def _metadata(tp: Any) -> tuple[Any, ...]:
    """The constraint objects of `tp`'s Annotated layers, through Optional (a FieldInfo's opened up)."""
    found: list[Any] = []
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp, *extras = typing.get_args(tp)
            for extra in extras:
                found.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
        elif origin in _UNIONS and len(members := _members(tp)) == 1:
            tp = members[0]
        else:
            return tuple(found)


def _members(tp: Any) -> tuple[Any, ...]:
    return tuple(a for a in typing.get_args(tp) if a is not type(None))


def _is_section(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _member(members: tuple[Any, ...], tag: str) -> Any:
    """The union member pydantic tagged `tag` in a location: a model by its name, a Literal as literal[...],
    any other member by elimination. The member as declared, Annotated constraints and all."""
    for member in members:
        tp = _strip(member)
        if (_is_section(tp) and tp.__name__ == tag) or (
            typing.get_origin(tp) is Literal and tag.startswith("literal[")
        ):
            return member
    plain = (m for m in members if not _is_section(_strip(m)) and typing.get_origin(_strip(m)) is not Literal)
    return next(plain, None)


def _field_named(section: type[BaseModel], part: str) -> FieldInfo | None:
    """The field a location part names: by its stack-file key, or by its Python name, which pydantic uses for
    a field it filled with its default."""
    return next((f for n, f in section.model_fields.items() if part in (f.alias, n)), None)


def _step(where: Where, tp: Any, part: str | int, as_written: bool) -> tuple[Where, Any]:
    """`where` one location part further, and the type expected there."""
    args = typing.get_args(tp)
    if _is_section(tp):
        field = None if as_written else _field_named(tp, str(part))
        name = field.alias if field is not None and field.alias else str(part)
        nxt = Where(f"{where.key}.{name}", where.key, tp, field or where.field, None)
        return nxt, field.annotation if field is not None else None
    first = args[0] if args else None
    if part == "[key]":  # pydantic's marker for an error about the map key just before it
        return Where(where.key, where.parent, None, where.field, None, is_map_key=True), first
    if isinstance(part, int):
        return Where(f"{where.key}[{part}]", where.key, None, where.field, None), first
    value_type = args[1] if typing.get_origin(tp) is dict else None
    return Where(f"{where.key}.{part}", where.key, None, where.field, None), value_type


def locate(key: str, schema: Any, loc: tuple[str | int, ...], error_type: str = "") -> Where:
    """Where the error at `loc` of a value of stack-file key `key`, validated as `schema`, is. Only field names
    are converted to the stack file's spelling; map keys, list indices and unknown keys stay as written."""
    where, tp = Where(key, key, None, None, schema), schema
    union: tuple[str, str, int] | None = None
    for i, part in enumerate(loc):
        tp = _strip(tp)
        if typing.get_origin(tp) in _UNIONS:  # pydantic puts the member it tried in the location
            union, tp = (where.key, str(part), len(loc) - i - 1), _member(_members(tp), str(part))
            continue
        last_unknown = error_type == "extra_forbidden" and i == len(loc) - 1
        where, tp = _step(where, tp, part, as_written=last_unknown)
    extra = dict(zip(("union", "branch", "below_branch"), union, strict=True)) if union else {}
    own = tuple(where.field.metadata) if where.field is not None and where.section is not None else ()
    extra["constraints"] = _metadata(tp) + own
    return Where(**{**where.__dict__, "expected": _strip(tp), **extra})
