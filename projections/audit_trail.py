"""audit_trail: every event with its envelope, in global order. Answers "who, when, why"."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from projections.base import (
    Batch,
    Event,
    Index,
    ReadModel,
    Row,
    Table,
    Tables,
    Transaction,
    handles,
)
from projections.event_records import event_record

COLUMNS = (
    "position", "stream_id", "stream_type", "version", "event_type", "recorded_at",
    "effective_at", "actor_id", "actor_name", "actor_role", "reason", "tenant_id",
    "service_id", "correlation_id", "causation_id", "payload",
)  # fmt: skip


class AuditTrail(ReadModel):
    name = "audit_trail"
    version = 2
    tables = (
        Table(
            "audit_trail",
            """position BIGINT NOT NULL,
            stream_id TEXT NOT NULL,
            stream_type TEXT NOT NULL,
            version INTEGER NOT NULL,
            event_type TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            effective_at TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            actor_role TEXT NOT NULL,
            reason TEXT,
            tenant_id TEXT NOT NULL,
            service_id TEXT,
            correlation_id TEXT NOT NULL,
            causation_id TEXT,
            payload TEXT NOT NULL""",
            primary_key="position",
            indexes=(Index("by_stream", "stream_id, position"),),
        ),
    )

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        rows = [self.handler(event)(self, event, position) for position, event in batch]
        tx.copy(tables["audit_trail"], COLUMNS, rows)

    @handles(Aggregate.Event)
    def _recorded(self, event: Event, position: int) -> list[Any]:
        record = event_record(event, position)
        return [record[column] for column in COLUMNS]


def stream_page(tx: Transaction, stream_id: str, after: int, first: int) -> list[Row]:
    """A page of one stream's audit trail, oldest first, one row more than asked."""
    return tx.fetchall(
        "SELECT * FROM audit_trail WHERE stream_id = %(stream_id)s AND position > %(after)s "
        "ORDER BY position LIMIT %(limit)s",
        {"stream_id": stream_id, "after": after, "limit": first + 1},
    )
