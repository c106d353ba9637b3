"""One event as a flat, JSON-ready record: its envelope in columns, its facts as a payload.

Shared by the audit trail and the change feed so both describe an event identically.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from projections.base import Event

_ENVELOPE_ATTRIBUTES = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "envelope",
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): jsonable(getattr(value, f.name)) for f in fields(value)}
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


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)


def event_type(event: Event) -> str:
    return type(event).__qualname__


def event_record(event: Event, position: int, *, with_payload: bool = True) -> dict[str, Any]:
    envelope = event.envelope  # type: ignore[attr-defined]
    record = {
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
    }
    if with_payload:
        payload = {k: v for k, v in vars(event).items() if k not in _ENVELOPE_ATTRIBUTES}
        record["payload"] = dumps(payload)
    return record
