"""audit_trail: every event with its envelope, in global order. Answers "who, when, why"."""

from __future__ import annotations

from projections.base import Event, Projection, Row, Transaction
from projections.event_records import event_record

COLUMNS = (
    "position", "stream_id", "stream_type", "version", "event_type", "recorded_at",
    "effective_at", "actor_id", "actor_name", "actor_role", "reason", "tenant_id",
    "service_id", "correlation_id", "causation_id", "payload",
)  # fmt: skip


class AuditTrail(Projection):
    name = "audit_trail"
    tables = ("audit_trail",)

    def create_tables(self, tx: Transaction) -> None:
        tx.execute(
            """
            CREATE TABLE IF NOT EXISTS audit_trail (
                position BIGINT PRIMARY KEY,
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
                payload TEXT NOT NULL
            )
            """
        )
        tx.execute(
            "CREATE INDEX IF NOT EXISTS audit_trail_by_stream ON audit_trail (stream_id, position)"
        )

    def apply(self, tx: Transaction, event: Event, position: int) -> None:
        columns = ", ".join(COLUMNS)
        values = ", ".join(f"%({column})s" for column in COLUMNS)
        tx.execute(
            f"INSERT INTO audit_trail ({columns}) VALUES ({values})",
            event_record(event, position),
        )


def stream_page(tx: Transaction, stream_id: str, after: int, first: int) -> list[Row]:
    """A page of one stream's audit trail, oldest first, one row more than asked."""
    return tx.fetchall(
        "SELECT * FROM audit_trail WHERE stream_id = %(stream_id)s AND position > %(after)s "
        "ORDER BY position LIMIT %(limit)s",
        {"stream_id": stream_id, "after": after, "limit": first + 1},
    )
