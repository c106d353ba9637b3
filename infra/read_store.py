"""Connections for the read-model tables: a SQLite file or a PostgreSQL pool.

Both stores hand out the same small Transaction interface, so projections and queries
are written once.
"""

from __future__ import annotations

import fcntl
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, nullcontext
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
from psycopg import Cursor
from psycopg.rows import dict_row
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool

from infra.outages import RECONNECT_GIVE_UP_SECONDS, IdleCheck, connection_options
from infra.settings import Settings
from infra.sqlite_writes import writing
from projections.base import Params, Row, Transaction


def sortable_utc(instant: datetime) -> str:
    """An instant as SQLite keeps it: fixed-width UTC text, so text order is time order."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


sqlite3.register_adapter(datetime, sortable_utc)


LOCK_TIMEOUT_SECONDS = 30  # projections and the access log: nobody waits on them


class Busy(Exception):
    """Another process holds the lock for this kind of work."""


_PYFORMAT = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=512)
def _to_sqlite_style(sql: str) -> str:
    return _PYFORMAT.sub(r":\1", sql)


class SqliteTransaction:
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Params | None = None) -> None:
        self._connection.execute(_to_sqlite_style(sql), dict(params or {}))

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        self._connection.executemany(_to_sqlite_style(sql), [dict(row) for row in rows])

    def copy(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        types: Sequence[str] | None = None,
    ) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        self._connection.executemany(sql, rows)

    def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        row = self._connection.execute(_to_sqlite_style(sql), dict(params or {})).fetchone()
        return dict(row) if row is not None else None

    def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        rows = self._connection.execute(_to_sqlite_style(sql), dict(params or {})).fetchall()
        return [dict(row) for row in rows]


class PostgresTransaction:
    dialect = "postgres"

    def __init__(self, cursor: Cursor[dict[str, Any]]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Params | None = None) -> None:
        self._cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self._cursor.executemany(sql, rows)

    def copy(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        types: Sequence[str] | None = None,
    ) -> None:
        names = SQL(", ").join(Identifier(column) for column in columns)
        # Binary when the columns' types are given: instants are then sent as numbers rather
        # than formatted as text, many times faster.
        binary = SQL(" (FORMAT BINARY)") if types else SQL("")
        statement = SQL("COPY {} ({}) FROM STDIN{}").format(Identifier(table), names, binary)
        with self._cursor.copy(statement) as copy:
            if types:
                copy.set_types(list(types))
            for row in rows:
                copy.write_row(row)

    def fetchone(self, sql: str, params: Params | None = None) -> Row | None:
        return self._cursor.execute(sql, params).fetchone()

    def fetchall(self, sql: str, params: Params | None = None) -> list[Row]:
        return self._cursor.execute(sql, params).fetchall()


class SqliteReadStore:
    """A connection per transaction (cheap for a local file). Writers take the file's write
    lock at BEGIN, so two projectors never interleave; WAL lets readers carry on meanwhile."""

    def __init__(self, path: Path) -> None:
        self._path = path
        with closing(self._connect()) as connection:
            connection.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)
        connection.row_factory = sqlite3.Row
        return connection

    @contextmanager
    def exclusive(self, purpose: str) -> Iterator[None]:
        """Held by one process at a time (a lock on a file beside the database)."""
        lock_file = self._path.with_name(f"{self._path.name}.{purpose}.lock")
        with open(lock_file, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Busy(f"another {purpose} is running on {self._path}; wait for it") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self, write: bool = False, durable: bool = True) -> Iterator[Transaction]:
        """`durable=False` commits without waiting for the disk: for work a crash would
        discard anyway (a rebuild's shadow tables)."""
        turn = writing(self._path, LOCK_TIMEOUT_SECONDS) if write else nullcontext()
        with turn, closing(self._connect()) as connection:
            if not durable:  # NORMAL, not OFF: the event log shares this file
                connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield SqliteTransaction(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def close(self) -> None:
        """Nothing is held open between transactions. What the log holds is copied into the
        database file, so a copy of that file alone is complete (it never waits: PASSIVE)."""
        with closing(sqlite3.connect(self._path, timeout=1, isolation_level=None)) as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")


class PostgresReadStore:
    def __init__(self, settings: Settings, conninfo: str | None = None) -> None:
        """`conninfo`: another server holding the same tables (a replica), for reads only."""
        self._conninfo = conninfo or settings.postgres.conninfo()
        self._schema = settings.database_schema or "public"
        # Reads are bounded by the statement timeout (each session's default); the projector's
        # and rebuild's writes lift it, since nobody waits on them.
        options = connection_options(
            settings.database_connect_timeout_seconds, settings.database_statement_timeout_seconds
        )
        self._pool: ConnectionPool[Any] = ConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=settings.pool_size + settings.pool_max_overflow,
            kwargs={"row_factory": dict_row, **options},
            configure=self._configure,
            check=IdleCheck(),  # a connection the server dropped is replaced
            timeout=settings.database_connect_timeout_seconds,
            reconnect_timeout=RECONNECT_GIVE_UP_SECONDS,
            open=True,
        )

    def _configure(self, connection: psycopg.Connection[Any]) -> None:
        statement = SQL("SET search_path TO {}").format(Identifier(self._schema))
        connection.execute(statement)
        connection.execute("SET TIME ZONE 'UTC'")  # instants come back in UTC
        connection.commit()
        # Reads run statement by statement: at READ COMMITTED a transaction around them would
        # see nothing different, and its BEGIN and COMMIT would double a read's round trips.
        connection.autocommit = True

    @contextmanager
    def transaction(self, write: bool = False, durable: bool = True) -> Iterator[Transaction]:
        """`durable=False` commits without waiting for the disk: for work a crash would
        discard anyway (a rebuild's shadow tables)."""
        with self._pool.connection() as connection:
            if not write:
                yield PostgresTransaction(connection.cursor())
                return
            with connection.transaction():
                cursor = connection.cursor()
                cursor.execute("SET LOCAL statement_timeout = 0")
                if not durable:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                yield PostgresTransaction(cursor)

    @contextmanager
    def exclusive(self, purpose: str) -> Iterator[None]:
        """Held by one process at a time across the database (a session advisory lock)."""
        with psycopg.connect(self._conninfo, autocommit=True) as connection:
            key = f"stepwise:{self._schema}:{purpose}"
            row = connection.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,))
            if not row.fetchone()[0]:  # type: ignore[index]
                raise Busy(f"another {purpose} is running on this database; wait for it")
            try:
                yield
            finally:
                connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))

    @property
    def pool(self) -> ConnectionPool[Any]:
        """For the pool's use in /metrics."""
        return self._pool

    def close(self) -> None:
        self._pool.close()


ReadStore = SqliteReadStore | PostgresReadStore


def open_read_store(settings: Settings) -> ReadStore:
    if settings.is_postgres:
        return PostgresReadStore(settings)
    return SqliteReadStore(settings.sqlite_path)
