"""Connections for the read-model tables: a SQLite file or a PostgreSQL pool.

Both stores hand out the same small Transaction interface, so projections and queries
are written once.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from psycopg import Cursor
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from infra.settings import Settings
from projections.base import Params, Row, Transaction

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
        connection = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        return connection

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Transaction]:
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield SqliteTransaction(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def close(self) -> None:
        """Nothing is held open between transactions."""


class PostgresReadStore:
    def __init__(self, settings: Settings) -> None:
        options = f"-c search_path={settings.database_schema}" if settings.database_schema else ""
        self._pool: ConnectionPool[Any] = ConnectionPool(
            settings.postgres.conninfo(),
            min_size=1,
            max_size=settings.pool_size,
            kwargs={"row_factory": dict_row, "options": options},
            open=True,
        )

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Transaction]:
        with self._pool.connection() as connection, connection.transaction():
            yield PostgresTransaction(connection.cursor())

    def close(self) -> None:
        self._pool.close()


ReadStore = SqliteReadStore | PostgresReadStore


def open_read_store(settings: Settings) -> ReadStore:
    if settings.is_postgres:
        return PostgresReadStore(settings)
    return SqliteReadStore(settings.sqlite_path)
