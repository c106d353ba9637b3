"""Stored events changed around the application: undecodable bytes, an operator's repair, any
SQL someone with access to the database could run."""

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
    on_stored_events(
        runtime, "UPDATE {events} SET state = %s WHERE {position} = %s", state, position
    )


def on_stored_events(runtime: Runtime, statement: str, *params: object) -> None:
    """Runs SQL on the event store's table, around the application, as someone with access to
    the database could: `{events}` names the table, `{position}` its position column."""
    table = runtime.records.recorder.events_table_name  # type: ignore[attr-defined]
    settings = runtime.settings
    if not settings.is_postgres:
        text = statement.format(events=table, position="rowid").replace("%s", "?")
        with closing(sqlite3.connect(settings.sqlite_path)) as connection, connection:
            connection.execute(text, params)
        return
    schema = settings.database_schema or "public"
    composed = sql.SQL(statement).format(
        events=sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table)),
        position=sql.Identifier("notification_id"),
    )
    with psycopg.connect(settings.postgres.conninfo()) as connection:
        connection.execute(composed, params)
