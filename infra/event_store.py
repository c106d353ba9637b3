"""The event store's recorders, extended to keep command receipts and to page through one
record's events with their places in the global log.

A keyed command's receipt is inserted in the same transaction as its events, under a primary
key of (provider, idempotency key): of two concurrent retries the store lets exactly one
commit, and the other is answered from the receipt. Settings select these recorders through
the library's APPLICATION_RECORDER_TOPIC.
"""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
)
from eventsourcing.utils import Environment, EnvType
from psycopg import Cursor
from psycopg.errors import QueryCanceled
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier
from psycopg_pool import PoolTimeout

from domain.care_records import CareRecords
from domain.errors import NothingWritten
from domain.receipts import Receipt
from infra.outages import CONNECT_TIMEOUT, STATEMENT_TIMEOUT, bound_pool
from infra.sqlite_writes import writing

RECEIPTS = "command_receipts"
RECEIPT_COLUMNS = (
    "tenant_id, idempotency_key, fingerprint, record_id, version, part_id, recorded_at"
)
RECEIPTS_DDL = (
    "CREATE TABLE IF NOT EXISTS {table} ("
    "tenant_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
    "record_id TEXT NOT NULL, version BIGINT NOT NULL, part_id TEXT, recorded_at TEXT NOT NULL, "
    "PRIMARY KEY (tenant_id, idempotency_key))"
)

EVENTS_TABLE = "stored_events"  # the event log's table (on SQLite; see events_table)


def events_table(postgres: bool) -> str:
    """The event log's table as the library names it: on PostgreSQL, after the application."""
    return f"{CareRecords.name.lower()}_events" if postgres else EVENTS_TABLE


def _values(receipt: Receipt) -> tuple[Any, ...]:
    recorded_at = datetime.now(UTC).isoformat()
    return (
        receipt.tenant_id,
        receipt.key,
        receipt.fingerprint,
        receipt.record_id,
        receipt.version,
        receipt.part_id,
        recorded_at,
    )


def _receipt(row: Any) -> Receipt:
    return Receipt(
        tenant_id=row["tenant_id"],
        key=row["idempotency_key"],
        fingerprint=row["fingerprint"],
        record_id=row["record_id"],
        version=int(row["version"]),
        part_id=row["part_id"],
    )


class StepwiseSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = EVENTS_TABLE):
        super().__init__(datastore, events_table_name)
        self._insert_receipt = (
            f"INSERT INTO {RECEIPTS} ({RECEIPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        self._select_receipt = (
            f"SELECT * FROM {RECEIPTS} WHERE tenant_id = ? AND idempotency_key = ?"
        )
        self._select_position = (
            f"SELECT rowid FROM {events_table_name} "
            "WHERE originator_id = ? AND originator_version = ?"
        )
        self._select_stream = (
            f"SELECT rowid, * FROM {events_table_name} WHERE originator_id = ? AND rowid > ? "
            "ORDER BY originator_version LIMIT ?"
        )
        self._select_positions = f"SELECT rowid, * FROM {events_table_name} WHERE rowid IN "
        self._select_changed = (
            f"SELECT DISTINCT originator_id FROM {events_table_name} "
            "WHERE originator_id = ? AND originator_version > ?"
        )

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), RECEIPTS_DDL.format(table=RECEIPTS)]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        pool = self.datastore.pool
        try:
            with writing(pool.db_name, pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT):
                return super().insert_events(stored_events, **kwargs)
        except sqlite3.OperationalError as locked:  # its turn never came: nothing was sent
            raise OperationalError(str(locked)) from locked

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        receipt: Receipt | None = kwargs.get("receipt")
        if receipt is not None:
            c.execute(self._insert_receipt, _values(receipt))
        return positions

    def find_receipt(self, tenant_id: str, key: str) -> Receipt | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_receipt, (tenant_id, key))
            row = c.fetchone()
        return _receipt(row) if row else None

    def changed_since(self, consulted: Mapping[UUID, int]) -> list[UUID]:
        """Which of these records have events past the versions given."""
        changed = []
        with self.datastore.transaction(commit=False) as c:
            for record_id, version in consulted.items():
                c.execute(self._select_changed, (record_id.hex, version))
                if c.fetchone():
                    changed.append(record_id)
        return changed

    def position_of(self, record_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_position, (record_id.hex, version))
            row = c.fetchone()
        return int(row["rowid"]) if row else None

    def select_stream(self, record_id: UUID, after: int, limit: int) -> list[Notification]:
        """One record's events after a log position, in order, with their positions."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_stream, (record_id.hex, after, limit))
            rows = c.fetchall()
        return [
            Notification(
                id=row["rowid"],
                originator_id=record_id,
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
            for row in rows
        ]

    def select_positions(self, positions: Sequence[int]) -> list[Notification]:
        """The events at these log positions, in log order."""
        if not positions:
            return []
        marks = ", ".join("?" for _ in positions)
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"{self._select_positions}({marks}) ORDER BY rowid", list(positions))
            rows = c.fetchall()
        return [
            Notification(
                id=row["rowid"],
                originator_id=self.convert_originator_id(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
            for row in rows
        ]


class StepwisePostgresFactory(PostgresFactory):
    """The library's PostgreSQL persistence, with every wait bounded by the settings."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        connect = float(self.env.get(CONNECT_TIMEOUT) or 30)
        statement = float(self.env.get(STATEMENT_TIMEOUT) or 0)
        bound_pool(self.datastore.pool, connect, statement)


def _once(method: Any) -> Any:
    return inspect.unwrap(method)


class StepwisePostgresRecorder(PostgresApplicationRecorder):
    # The library retries these up to ten times over a lost connection, with a wait for a
    # connection each time: a request would hang far past the settings' bounds, and an insert
    # retried after its commit was lost answered a conflict with its own event. Callers retry
    # instead: clients with their idempotency key, the projector in its loop.
    select_events = _once(PostgresApplicationRecorder.select_events)
    select_notifications = _once(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _once(PostgresApplicationRecorder.max_notification_id)
    _insert_once = _once(PostgresApplicationRecorder.insert_events)

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = EVENTS_TABLE):
        super().__init__(datastore, events_table_name=events_table_name)
        schema, events = Identifier(datastore.schema), Identifier(events_table_name)
        table = SQL("{}.{}").format(schema, Identifier(RECEIPTS))
        self.sql_create_statements.append(SQL(RECEIPTS_DDL).format(table=table))
        self._insert_receipt = SQL(
            f"INSERT INTO {{}} ({RECEIPT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        ).format(table)
        self._select_receipt = SQL(
            "SELECT * FROM {} WHERE tenant_id = %s AND idempotency_key = %s"
        ).format(table)
        self._select_position = SQL(
            "SELECT notification_id FROM {}.{} WHERE originator_id = %s AND originator_version = %s"
        ).format(schema, events)
        self._select_stream = SQL(
            "SELECT * FROM {}.{} WHERE originator_id = %s AND notification_id > %s "
            "ORDER BY originator_version LIMIT %s"
        ).format(schema, events)
        self._select_positions = SQL(
            "SELECT * FROM {}.{} WHERE notification_id = ANY(%s) ORDER BY notification_id"
        ).format(schema, events)
        self._select_changed = SQL(
            "SELECT consulted.id FROM unnest(%s::uuid[], %s::bigint[]) AS consulted(id, version) "
            "WHERE EXISTS (SELECT 1 FROM {}.{} AS e WHERE e.originator_id = consulted.id "
            "AND e.originator_version > consulted.version)"
        ).format(schema, events)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            return self._insert_once(stored_events, **kwargs)
        except OperationalError as error:
            # No connection, so nothing was sent; or the server cancelled a statement (a
            # timeout), which rolls the transaction back.
            if isinstance(error.__cause__, PoolTimeout | QueryCanceled):
                raise NothingWritten(str(error)) from error
            raise

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # Runs in the events' transaction, before them: a concurrent retry of the same request
        # waits here on the key, then fails on it once the first commits.
        receipt: Receipt | None = kwargs.get("receipt")
        if receipt is not None:
            curs.execute(self._insert_receipt, _values(receipt))
        super()._insert_events(curs, stored_events, **kwargs)

    def changed_since(self, consulted: Mapping[UUID, int]) -> list[UUID]:
        """Which of these records have events past the versions given."""
        ids, versions = list(consulted), list(consulted.values())
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            return [row["id"] for row in curs.execute(self._select_changed, (ids, versions))]

    def find_receipt(self, tenant_id: str, key: str) -> Receipt | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            row = curs.execute(self._select_receipt, (tenant_id, key)).fetchone()
        return _receipt(row) if row else None

    def position_of(self, record_id: UUID, version: int) -> int | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            row = curs.execute(self._select_position, (record_id, version)).fetchone()
        return int(row["notification_id"]) if row else None

    def select_stream(self, record_id: UUID, after: int, limit: int) -> list[Notification]:
        """One record's events after a log position, in order, with their positions."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(self._select_stream, (record_id, after, limit)).fetchall()
        return [
            Notification(
                id=row["notification_id"],
                originator_id=record_id,
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows
        ]

    def select_positions(self, positions: Sequence[int]) -> list[Notification]:
        """The events at these log positions, in log order."""
        if not positions:
            return []
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(self._select_positions, (list(positions),)).fetchall()
        return [
            Notification(
                id=row["notification_id"],
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows
        ]
