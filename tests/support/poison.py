"""Undecodable bytes stored as an event, around the application, and the operator's repair."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from infra.bootstrap import Runtime

POISON = b"\xff{ not json"


def poison_after(runtime: Runtime, written_record: str) -> tuple[int, StoredEvent]:
    """Stores undecodable bytes as the record's next event; returns its position and the
    record's last good event."""
    recorder = runtime.records.recorder
    (last,) = recorder.select_events(UUID(written_record), desc=True, limit=1)
    poison = StoredEvent(last.originator_id, last.originator_version + 1, last.topic, POISON)
    recorder.insert_events([poison])
    return runtime.records.last_position(), last


def repair(runtime: Runtime, position: int, state: bytes) -> None:
    """What an operator would do: put right the stored bytes at a position, by SQL."""
    table = runtime.records.recorder.events_table_name  # type: ignore[attr-defined]
    settings = runtime.settings
    if not settings.is_postgres:
        with closing(sqlite3.connect(settings.sqlite_path)) as connection, connection:
            connection.execute(f"UPDATE {table} SET state = ? WHERE rowid = ?", (state, position))
        return
    statement = sql.SQL("UPDATE {}.{} SET state = %s WHERE notification_id = %s").format(
        sql.Identifier(settings.database_schema or "public"), sql.Identifier(table)
    )
    with psycopg.connect(settings.postgres.conninfo()) as connection:
        connection.execute(statement, (state, position))
