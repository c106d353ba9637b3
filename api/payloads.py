"""Each published payload as a GraphQL type of its own, generated from what the domain publishes
(domain.publishing, gathered in domain.catalogue): one object type per event type, named after
it (`Person.Registered` -> `PersonRegisteredPayload`), a field per published field, typed from
the event's annotations, and the union of them all, `EventPayload`. Nothing here names an
event type or a field: one published tomorrow is typed the moment it is declared.

A value object becomes an object type of its own, named after its dataclass and shared by every
payload that publishes it (`PublishedAdvocate`: the read models already have an `Advocate`, a
different shape). A value whose type cannot be derived stops the import, naming the event type
and the field: the payload is a contract, and an untyped blob would document nothing.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, is_dataclass
from datetime import date, datetime
from functools import cache, reduce
from operator import or_
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import UUID

import strawberry

from domain.catalogue import ALL_EVENTS, PUBLISHED
from domain.publishing import Field, ItemsOf, PublishedEvent, ValueOf

Convert = Callable[[Any], Any]
SCHEMA_VERSION = "schemaVersion"
SCHEMA_VERSION_TEXT = (
    "The version of this payload's schema: raised when a field is removed, renamed or changes "
    "meaning, never for a new field"
)
UNION_TEXT = (
    "An event's facts, as published for its type (one payload type per event type, at the "
    "schema version publishedEventTypes lists): select them with `... on <EventType>Payload`"
)


class PayloadTypeError(TypeError):
    """A published value whose GraphQL type cannot be derived from the event's annotations."""


@dataclass(frozen=True)
class Typed:
    """A published value's GraphQL type, as the Python type strawberry reads, and how its JSON
    form becomes what that type holds."""

    annotation: Any
    convert: Convert
    nullable: bool = False


@dataclass(frozen=True)
class Shape:
    """A generated object type, and how a published JSON object becomes one of it."""

    graphql_type: type
    fields: tuple[tuple[str, Typed], ...]

    def instance(self, values: Mapping[str, Any]) -> Any:
        # A nullable key may be absent (a dict published with only the keys it holds).
        return self.graphql_type(**{
            name: typed.convert(values.get(name) if typed.nullable else values[name])
            for name, typed in self.fields
        })  # fmt: skip


def _same(value: Any) -> Any:
    return value


def _or_none(typed: Typed) -> Typed:
    if typed.nullable:
        return typed

    def convert(value: Any) -> Any:
        return None if value is None else typed.convert(value)

    return Typed(typed.annotation | None, convert, nullable=True)


def _is_id(name: str) -> bool:
    """Record and part ids are published under names ending in Id (or Ids, for a list)."""
    return re.search(r"[a-z]Ids?$", name) is not None


def _scalar(hint: Any, name: str) -> Typed:
    if not isinstance(hint, type):
        raise PayloadTypeError(f"no GraphQL type for {hint!r}")
    if is_dataclass(hint):
        raise PayloadTypeError(f"{hint.__name__} is a value object: read it with value_of")
    if issubclass(hint, datetime):  # before date: a datetime is a date too
        return Typed(datetime, datetime.fromisoformat)
    if issubclass(hint, date):
        return Typed(date, date.fromisoformat)
    if hint is UUID or (issubclass(hint, str) and _is_id(name)):
        return Typed(strawberry.ID, _same)
    # bool before int, which it subclasses; a str or int enum is published as its value
    for python in (bool, str, int, float):
        if issubclass(hint, python):
            return Typed(python, _same)
    raise PayloadTypeError(f"no GraphQL type for {hint.__name__}")


def _typed(hint: Any, name: str) -> Typed:
    """The GraphQL type of a value annotated `hint`, published under `name`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if _is_union(hint):
        if _without_none(hint) is hint:
            raise PayloadTypeError(f"{hint!r} is one of several types: GraphQL has no such type")
        return _or_none(_typed(_without_none(hint), name))
    if origin in (list, tuple) and len(args) in (1, 2) and args[-1] in (args[0], Ellipsis):
        item = _typed(args[0], name)
        listed = types.GenericAlias(list, (item.annotation,))
        return Typed(listed, lambda values: [item.convert(v) for v in values])
    if origin is dict:
        raise PayloadTypeError(f"{hint!r} says nothing of its keys: read it with items_of and "
                               "the dataclass it holds")  # fmt: skip
    if origin is not None:
        raise PayloadTypeError(f"no GraphQL type for {hint!r}")
    return _scalar(hint, name)


def _words(name: str) -> str:
    return re.sub(r"([A-Z])", r" \1", name).capitalize()


def _described(key: str, about: str) -> str:
    """A value object's field, described from the published field holding the object, which
    lists its keys and glosses some in brackets: `reviewDate (YYYY-MM-DD)`."""
    gloss = re.search(rf"\b{re.escape(key)}\b \(([^()]*)\)", about)
    return f"{_words(key)} ({gloss[1]})" if gloss else _words(key)


def _object_type(name: str, description: str, fields: list[tuple[str, Typed, str]]) -> type:
    """A strawberry object type with these fields (GraphQL name, type, description)."""
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": name,
        "__annotations__": {field: typed.annotation for field, typed, _ in fields},
    }
    for field, _, text in fields:
        namespace[field] = strawberry.field(name=field, description=text)
    return cast(
        type, strawberry.type(type(name, (), namespace), name=name, description=description)
    )


def payload_type_name(event_type: str) -> str:
    return event_type.replace(".", "") + "Payload"


class _Generator:
    """Builds the payload types, keeping one type per value object however often published."""

    def __init__(self) -> None:
        self.value_objects: dict[type, Shape] = {}

    def fields(self, entry: PublishedEvent, event: type) -> list[tuple[str, Typed, str]]:
        """A payload's fields: (GraphQL name, type, description) each."""
        fields = [(SCHEMA_VERSION, Typed(int, _same), SCHEMA_VERSION_TEXT)]
        for field in entry.fields:
            try:
                if field.name == SCHEMA_VERSION:
                    raise PayloadTypeError("the name is the payload type's own schemaVersion")
                fields.append((field.name, self.field(event, field), field.description))
            except PayloadTypeError as error:
                raise PayloadTypeError(
                    f"{entry.event_type} field {field.name!r}: {error}"
                ) from error
        return fields

    def field(self, event: type, field: Field) -> Typed:
        source = field.source
        if isinstance(source, str):
            return _typed(_annotation(event, source), field.name)
        if isinstance(source, ValueOf):
            hint = _annotation(event, source.attribute)
            shape = _without_none(hint)
            value = self.value_object(shape, source.keys, field.description, partial=False)
            found = Typed(value.graphql_type, value.instance)
            return _or_none(found) if shape is not hint else found
        if isinstance(source, ItemsOf):
            if source.shape is None:
                raise PayloadTypeError("items_of needs shape=<the dataclass its dict holds>")
            value = self.value_object(source.shape, source.keys, field.description, partial=True)
            return Typed(value.graphql_type, value.instance)
        raise PayloadTypeError(f"read by {source!r}: read it with value_of or items_of instead")

    def value_object(self, shape: Any, keys: Mapping[str, str], about: str, partial: bool) -> Shape:
        if not (isinstance(shape, type) and is_dataclass(shape)):
            raise PayloadTypeError(f"{shape!r} is not a dataclass")
        fields = [(public, _key_typed(shape, name, public, partial), _described(public, about))
                  for name, public in keys.items()]  # fmt: skip
        known = self.value_objects.get(shape)
        if known is None:
            name = f"Published{shape.__name__}"
            known = Shape(_object_type(name, about, fields), _typed_fields(fields))
            self.value_objects[shape] = known
        elif _signature(known.fields) != _signature(_typed_fields(fields)):
            raise PayloadTypeError(f"{shape.__name__} is published elsewhere with other keys or "
                                   "types: publish it the same way everywhere")  # fmt: skip
        return known


def _typed_fields(fields: list[tuple[str, Typed, str]]) -> tuple[tuple[str, Typed], ...]:
    return tuple((name, found) for name, found, _ in fields)


def _signature(fields: tuple[tuple[str, Typed], ...]) -> list[tuple[str, Any]]:
    return [(name, found.annotation) for name, found in fields]


def _without_none(hint: Any) -> Any:
    """What an optional annotation allows besides None (the annotation itself otherwise)."""
    rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return rest[0] if _is_union(hint) and len(rest) == 1 else hint


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _key_typed(shape: type, name: str, public: str, partial: bool) -> Typed:
    """A value object's key; in a dict published with only the keys it holds, any may be
    absent, so every one is nullable."""
    found = _typed(_annotation(shape, name), public)
    return _or_none(found) if partial else found


def _annotation(owner: type, attribute: str) -> Any:
    try:
        hints = _hints(owner)
    except NameError as error:
        raise PayloadTypeError(
            f"{owner.__qualname__}'s annotations do not resolve: {error}"
        ) from error
    if attribute not in hints:
        raise PayloadTypeError(f"{owner.__qualname__} declares no {attribute!r}")
    return hints[attribute]


@cache
def _hints(owner: type) -> dict[str, Any]:
    return typing.get_type_hints(owner)


def payload_types(
    published: Mapping[str, PublishedEvent], events: Iterable[type]
) -> dict[str, Shape]:
    """The payload type of each published event type, by event type."""
    classes = {event.__qualname__: event for event in events}
    generator = _Generator()
    fields = {}
    for event_type, entry in published.items():
        if event_type not in classes:
            raise PayloadTypeError(f"{event_type} is published but no event class has its name")
        fields[event_type] = generator.fields(entry, classes[event_type])
    optional = _optional_somewhere(fields.values())
    shapes = {}
    for event_type, found in fields.items():
        found = [(name, _or_none(typed) if name in optional else typed, text)
                 for name, typed, text in found]  # fmt: skip
        name, description = payload_type_name(event_type), published[event_type].description
        graphql_type = _object_type(name, description, found)
        shapes[event_type] = Shape(graphql_type, _typed_fields(found))
    return shapes


def _optional_somewhere(payloads: Iterable[list[tuple[str, Typed, str]]]) -> set[str]:
    """Names published as an optional value by one event type and a required one by another
    (e.g. `reviewDate`): optional in every payload type, so that a client selecting several
    payload types in one query may ask for the field under its one name (GraphQL requires
    fields of one name in one selection to have one type, nullability included)."""
    seen: dict[str, set[bool]] = {}
    for fields in payloads:
        for name, typed, _ in fields:
            seen.setdefault(name, set()).add(typed.nullable)
    return {name for name, nullable in seen.items() if len(nullable) > 1}


_SHAPES = payload_types(PUBLISHED, ALL_EVENTS)
PAYLOAD_TYPES: dict[str, type] = {name: shape.graphql_type for name, shape in _SHAPES.items()}

if TYPE_CHECKING:  # a union built at run time is no type to a type checker
    EventPayload = Any
else:
    EventPayload = Annotated[
        reduce(or_, PAYLOAD_TYPES.values()),
        strawberry.union("EventPayload", description=UNION_TEXT),
    ]


def payload_object(event_type: str, payload: dict[str, Any]) -> Any:
    """A published payload, as `json.loads(event_record(...)["payload"])` gives it, as an
    instance of its event type's payload type: dates parsed, value objects built."""
    version = PUBLISHED[event_type].schema_version
    return _SHAPES[event_type].instance({**payload, SCHEMA_VERSION: version})
