"""One event as a flat, JSON-ready record: its envelope in columns, its facts as the payload
published for its type (domain.publishing), with that payload's schema version.

Shared by the change feed and the audit trail so both describe an event identically; also the
JSON shaping (camelCase keys, ISO dates) every read model uses.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson

from domain.catalogue import published
from projections.base import Event


@lru_cache(maxsize=4096)
def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def jsonable(value: Any) -> Any:
    """A value as JSON shows it: camelCase keys, ISO dates, enum values."""
    if value is None or isinstance(value, (str, int, float)):  # most values, so checked first
        return value.value if isinstance(value, Enum) else value
    if is_dataclass(value) and not isinstance(value, type):
        return {key: jsonable(getattr(value, name)) for name, key in _field_names(type(value))}
    if isinstance(value, dict):
        return {camel(str(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


@lru_cache(maxsize=256)
def _field_names(cls: type) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, camel(f.name)) for f in fields(cls))


def dumps(value: Any) -> str:
    """JSON text for a read-model column (orjson: a rebuild encodes a value for every event)."""
    return orjson.dumps(jsonable(value), option=orjson.OPT_SORT_KEYS).decode()


def document_text(document: dict[str, Any]) -> str:
    """JSON text of a document already built from JSON values (no second pass over it)."""
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()


def event_type(event: Event) -> str:
    return type(event).__qualname__


def event_record(event: Event, position: int) -> dict[str, Any]:
    envelope = event.envelope  # type: ignore[attr-defined]
    publication = published(event)
    return {
        "position": position,
        "stream_id": str(event.originator_id),
        "stream_type": event_type(event).split(".")[0],
        "version": event.originator_version,
        "event_type": event_type(event),
        "recorded_at": event.timestamp.isoformat(),
        "effective_at": envelope.effective_at.isoformat(),
        "actor_id": envelope.actor.id,
        "actor_name": envelope.actor.name,
        "actor_role": envelope.actor.role.value,
        "reason": envelope.reason,
        "tenant_id": envelope.tenant_id,
        "service_id": envelope.service_id,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "schema_version": publication.schema_version,
        "payload": dumps(publication.payload(event)),
    }
