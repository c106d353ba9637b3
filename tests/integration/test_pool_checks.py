"""PostgreSQL pools ask a connection whether it still works only when it has sat idle: a
connection the server dropped meanwhile is replaced before a request uses it, while one back
from work a moment ago costs no extra round trip."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from infra import outages
from infra.bootstrap import build
from infra.read_store import PostgresReadStore
from infra.settings import Settings
from tests.support.staffing import JOINED_EVENTS
from tests.support.tokens import TEST_SECRET


@pytest.fixture
def postgres_settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url, database_schema=f"t_{uuid.uuid4().hex[:12]}",
                    pool_size=1, pool_max_overflow=0, auth_secret=TEST_SECRET,
                    _env_file=None)  # fmt: skip


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    asked: list[object] = []
    check = ConnectionPool.check_connection

    def counted(connection: Any) -> None:
        asked.append(connection)
        check(connection)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted))
    return asked


def backend_pid(store: PostgresReadStore) -> int:
    with store.transaction() as tx:
        row = tx.fetchone("SELECT pg_backend_pid() AS pid", {})
    assert row is not None
    return int(row["pid"])


def test_a_connection_back_from_work_a_moment_ago_is_not_asked_again(
    postgres_settings: Settings, pings: list[object]
) -> None:
    runtime = build(postgres_settings)
    try:
        backend_pid(runtime.store)  # the pool's one connection has now been used
        runtime.records.last_position()
        pings.clear()

        for _ in range(20):
            backend_pid(runtime.store)
            runtime.records.last_position()

        assert pings == []
    finally:
        runtime.close()


def test_an_idle_connection_the_server_dropped_is_replaced_before_a_read_uses_it(
    postgres_settings: Settings, postgres_url: str
) -> None:
    runtime = build(postgres_settings)
    try:
        store = runtime.store
        assert isinstance(store, PostgresReadStore)
        dropped = backend_pid(store)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
        time.sleep(outages.RECHECK_AFTER_IDLE_SECONDS + 0.2)

        assert backend_pid(store) != dropped
    finally:
        runtime.close()


def test_the_event_store_replaces_an_idle_dropped_connection_too(
    postgres_settings: Settings, postgres_url: str
) -> None:
    runtime = build(postgres_settings)
    try:
        runtime.records.last_position()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND query NOT ILIKE '%%LISTEN%%'"
            )
        time.sleep(outages.RECHECK_AFTER_IDLE_SECONDS + 0.2)

        assert runtime.records.last_position() == JOINED_EVENTS  # the tests' staff
    finally:
        runtime.close()
