"""Stored events changed around the application: undecodable bytes, an operator's repair, any
SQL someone with access to the database could run."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from infra.bootstrap import Runtime
from tests.support.scenarios import agreed_plan, change_hours

POISON = b"\xff{ not json"


@dataclass(frozen=True)
class Poisoned:
    """A log with undecodable bytes in the middle of a plan's history."""

    person_id: str
    position: int  # of the undecodable event
    last_good: StoredEvent  # the plan's event before it, as stored
    end: int  # the log's last position: events follow the poison
    readers: frozenset[str]  # the read models that read its type (not as stored bytes)


def poisoned_plan(runtime: Runtime) -> Poisoned:
    """An agreed plan whose next event is undecodable, then another person's plan after it."""
    plan = agreed_plan(runtime.records)
    written = change_hours(runtime.records, plan.person_id, 10)
    position, last_good = poison_after(runtime, written.record_id)
    agreed_plan(runtime.records, name="Second Person")
    readers = frozenset(m.name for m in runtime.projector.models
                        if last_good.topic in m.topics() and not m.stored_bytes)  # fmt: skip
    return Poisoned(plan.person_id, position, last_good, runtime.records.last_position(), readers)


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


def alter(runtime: Runtime, position: int) -> None:
    """One more space at the end of the stored bytes: a change only the evidence can show."""
    (stored,) = runtime.records.read_stored(position, position)
    update = "UPDATE {events} SET state = %s WHERE {position} = %s"
    on_stored_events(runtime, update, stored.state + b" ", position)


def append_copy(runtime: Runtime, position: int) -> None:
    """A new record's first event, its bytes copied from the event at a position, added at the
    end of the log by SQL (the database gives it the next position)."""
    (template,) = runtime.records.read_stored(position, position)
    record = uuid4() if runtime.settings.is_postgres else uuid4().hex
    on_stored_events(
        runtime,
        "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "VALUES (%s, 1, %s, %s)",
        record, template.topic, template.state,
    )  # fmt: skip


def swap(runtime: Runtime, first: int, second: int) -> None:
    """The stored bytes of two events of one kind exchanged."""
    (one,) = runtime.records.read_stored(first, first)
    (other,) = runtime.records.read_stored(second, second)
    update = "UPDATE {events} SET state = %s WHERE {position} = %s"
    on_stored_events(runtime, update, other.state, first)
    on_stored_events(runtime, update, one.state, second)


def rechain_from(runtime: Runtime, position: int, link: Callable[[bytes, Any], bytes]) -> None:
    """What someone with database access and this code could do after a change: recompute
    every link from a position to the head, and move the (unsigned) checkpoint links to match."""
    with runtime.store.transaction(write=True) as tx:
        before = tx.fetchone(
            "SELECT link FROM audit_chain WHERE position < %(p)s ORDER BY position DESC LIMIT 1",
            {"p": position},
        )
        previous = bytes(before["link"]) if before else bytes(32)
        for stored in runtime.records.read_stored(position, runtime.records.last_position()):
            previous = link(previous, stored)
            tx.execute("UPDATE audit_chain SET link = %(l)s WHERE position = %(p)s",
                       {"l": previous, "p": stored.id})  # fmt: skip
            tx.execute("UPDATE audit_checkpoints SET link = %(l)s WHERE position = %(p)s",
                       {"l": previous, "p": stored.id})  # fmt: skip


def cut_after(runtime: Runtime, position: int) -> None:
    """The log's tail deleted after a position, with its links and checkpoints."""
    on_stored_events(runtime, "DELETE FROM {events} WHERE {position} > %s", position)
    with runtime.store.transaction(write=True) as tx:
        tx.execute("DELETE FROM audit_chain WHERE position > %(p)s", {"p": position})
        tx.execute("DELETE FROM audit_checkpoints WHERE position > %(p)s", {"p": position})
