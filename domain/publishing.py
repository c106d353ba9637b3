"""What the change feed and the audit trail publish of each event: a payload with its own
schema version, built field by field from the event, each field documented for integrators.
Each kind of record documents the payloads of its own events beside it (its RecordType).

The payload is a contract with other systems, kept apart from how an event is stored: an
attribute renamed inside an event is read under its new name here and published under the old
one. A published field is only removed, renamed or given another meaning together with a new
`schema_version` of its event type; a new field may be added without one. The envelope (who,
when, why, where) is published beside the payload, never in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

Reader = Callable[[Any], Any]


class Unpublishable(Exception):
    """An event lacks what its published payload is built from."""


@dataclass(frozen=True)
class Field:
    name: str  # as published: camelCase
    description: str
    source: str | Reader  # the event's attribute, or how to read the field from the event

    def read(self, event: Any) -> Any:
        if callable(self.source):
            return self.source(event)
        return plain(getattr(event, self.source))


@dataclass(frozen=True)
class PublishedEvent:
    event_type: str
    schema_version: int
    description: str
    fields: tuple[Field, ...] = ()

    def payload(self, event: Any) -> dict[str, Any]:
        try:
            return {field.name: field.read(event) for field in self.fields}
        except (AttributeError, KeyError) as missing:
            raise Unpublishable(
                f"{self.event_type} (schema version {self.schema_version}) cannot be published: "
                f"{missing!r}; map the field to what the event now holds"
            ) from missing


def plain(value: Any) -> Any:
    """A value as a payload holds it: text, numbers, ISO dates and lists of them."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    raise TypeError(f"{value!r} has no published form: give its field a reader")


@dataclass(frozen=True, eq=False)
class ValueOf:
    """Reads a value object (or None) as an object with these keys (internal: public). Kept as
    data, not a closure, so typed payloads can be derived from it (api.payloads)."""

    attribute: str
    keys: dict[str, str]

    def __call__(self, event: Any) -> Any:
        value = getattr(event, self.attribute)
        if value is None:
            return None
        return {public: plain(getattr(value, name)) for name, public in self.keys.items()}


@dataclass(frozen=True, eq=False)
class ItemsOf:
    """Reads a dict the event keeps, with these keys (internal: public); absent ones left out.
    `shape` is the dataclass whose fields the dict holds: a dict's annotation cannot say what
    its values are, and a typed payload needs to know (api.payloads)."""

    attribute: str
    keys: dict[str, str]
    shape: type | None = None

    def __call__(self, event: Any) -> dict[str, Any]:
        value = getattr(event, self.attribute)
        return {public: plain(value[name]) for name, public in self.keys.items() if name in value}


def value_of(attribute: str, keys: dict[str, str]) -> ValueOf:
    """A value object (or None), published as an object with these keys (internal: public)."""
    return ValueOf(attribute, keys)


def items_of(attribute: str, keys: dict[str, str], shape: type | None = None) -> ItemsOf:
    """A dict the event keeps, published with these keys (internal: public); absent ones left
    out. `shape`: the dataclass whose fields it holds (needed for a typed payload)."""
    return ItemsOf(attribute, keys, shape)


PERSON_ID = Field("personId", "The person supported", "person_id")
SERVICE_ID = Field("serviceId", "The service supporting the person", "service_id")
TEAM_ID = Field("teamId", "The team within that service, or null", "team_id")


def correction(record_name: str) -> PublishedEvent:
    """How a correction of any kind of record is published."""
    return PublishedEvent(
        f"{record_name}.EnteredInError", 1, "A fact of this record was marked as entered in "
        "error: from now on the record reads as if it had never been recorded (the "
        "envelope's reason says why; the fact itself stays in the feed and the audit trail)", (
            Field("voidedVersion", "The version of the record that wrote the fact",
                  "voided_version"),
            Field("voidedType", "The fact's event type", "voided_type"),
        ),
    )  # fmt: skip
