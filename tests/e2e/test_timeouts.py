"""Nothing waits on the database past the settings' bound: a write held up by a lock is answered
UNAVAILABLE with nothing written, and a read is answered (or refused) within the bound."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager

import psycopg
import pytest
from psycopg import sql

from infra.bootstrap import Runtime
from infra.settings import Settings
from tests.e2e.helpers import WORKER, Api, mutation_document, register

STATEMENT_TIMEOUT = 1.0
BOUND = STATEMENT_TIMEOUT + 1.5
PEOPLE = "{ people(first: 5) { edges { node { id } } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"database_statement_timeout_seconds": STATEMENT_TIMEOUT})


@contextmanager
def locked(runtime: Runtime, table: str) -> Iterator[None]:
    """Another session holds the table (on SQLite, the whole file) against writers, and on
    PostgreSQL against readers too."""
    settings = runtime.settings
    if not settings.is_postgres:
        with closing(sqlite3.connect(settings.sqlite_path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            yield
            other.execute("ROLLBACK")
        return
    schema = sql.Identifier(settings.database_schema or "public")
    statement = sql.SQL("LOCK TABLE {}.{} IN ACCESS EXCLUSIVE MODE")
    with psycopg.connect(settings.postgres.conninfo()) as other:
        other.execute(statement.format(schema, sql.Identifier(table)))
        yield
        other.rollback()


def test_a_write_held_up_by_a_lock_is_unavailable_within_the_bound_and_writes_nothing(
    api: Api, runtime: Runtime
) -> None:
    register(api)
    before = runtime.records.last_position()
    table: str = runtime.records.recorder.events_table_name  # type: ignore[attr-defined]
    person = {"name": "Ruth Evans", "serviceId": "svc-1", "idempotencyKey": "held-up"}

    with locked(runtime, table):
        started = time.monotonic()
        error = api.failure(mutation_document("registerPerson"), {"input": person},
                            WORKER.headers())  # fmt: skip
        waited = time.monotonic() - started
    retried = api.mutate("registerPerson", person)

    assert error["extensions"] == {
        "code": "UNAVAILABLE", "retryable": True, "outcome": "not_written",
    }  # fmt: skip
    assert waited <= BOUND
    assert retried["position"] == before + 1 == runtime.records.last_position()


def test_a_read_is_answered_within_the_bound_while_its_table_is_locked(
    api: Api, runtime: Runtime
) -> None:
    register(api)
    api.query(PEOPLE)  # projected

    with locked(runtime, "people"):
        started = time.monotonic()
        body = api.post(PEOPLE)
        waited = time.monotonic() - started

    assert waited <= BOUND
    if runtime.settings.is_postgres:
        assert body["errors"][0]["extensions"] == {"code": "UNAVAILABLE", "retryable": True}
    else:  # SQLite readers never wait for a writer
        assert len(body["data"]["people"]["edges"]) == 1
