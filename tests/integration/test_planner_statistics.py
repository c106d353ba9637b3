"""PostgreSQL plans each read from its tables' statistics. After a long catch-up (a first start
on a filled log, a rebuild, an import) the read models' statistics are refreshed at once, not
whenever autovacuum next looks: without them a service-wide read was planned at 60 ms, not 4."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest

import infra.projector
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.support.scenarios import agreed_plan
from tests.support.tokens import TEST_SECRET


@pytest.fixture
def postgres_runtime(postgres_url: str) -> Iterator[Runtime]:
    """PostgreSQL alone: SQLite's planner needs no statistics (it assumes indexes select well)."""
    settings = Settings(database_url=postgres_url, database_schema=f"t_{uuid.uuid4().hex[:12]}",
                        pool_size=4, auth_secret=TEST_SECRET, _env_file=None)  # fmt: skip
    runtime = build(settings)
    yield runtime
    runtime.close()


def analysed(runtime: Runtime, table: str) -> bool:
    with runtime.store.transaction() as tx:
        row = tx.fetchone(
            "SELECT last_analyze FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = %(t)s",
            {"t": table},
        )
    return row is not None and row["last_analyze"] is not None


def test_a_long_catch_up_refreshes_the_statistics_of_what_it_wrote(
    postgres_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreed_plan(postgres_runtime.records)
    events = postgres_runtime.records.last_position()
    monkeypatch.setattr(infra.projector, "REFRESH_STATISTICS_AFTER", events)
    assert not analysed(postgres_runtime, "plan_states")
    postgres_runtime.projector.catch_up()
    assert analysed(postgres_runtime, "plan_states")
    assert analysed(postgres_runtime, "person_states")


def test_statistics_taking_longer_than_a_read_may_are_refreshed_all_the_same(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=postgres_url, database_schema=f"t_{uuid.uuid4().hex[:12]}",
                        pool_size=4, auth_secret=TEST_SECRET, database_statement_timeout_seconds=1,
                        _env_file=None)  # fmt: skip
    runtime = build(settings)
    try:
        agreed_plan(runtime.records)
        monkeypatch.setattr(infra.projector, "REFRESH_STATISTICS_AFTER", 1)
        held, holding = threading.Event(), threading.Event()

        def hold_the_table() -> None:  # as a vacuum would: ANALYZE waits for it
            with psycopg.connect(settings.postgres.conninfo(), autocommit=False) as other:
                other.execute(f"SET search_path TO {settings.database_schema}")
                other.execute("LOCK TABLE plan_states IN SHARE UPDATE EXCLUSIVE MODE")
                holding.set()
                held.wait(2.5)

        holder = threading.Thread(target=hold_the_table)
        holder.start()
        holding.wait(10)
        threading.Timer(2.0, held.set).start()
        runtime.projector.catch_up()  # (timed out after a second, before the fix)
        holder.join()
        assert analysed(runtime, "plan_states")
        assert analysed(runtime, "governance_tallies")
    finally:
        runtime.close()


def test_a_short_catch_up_leaves_them_to_autovacuum(
    postgres_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreed_plan(postgres_runtime.records)
    events = postgres_runtime.records.last_position()
    monkeypatch.setattr(infra.projector, "REFRESH_STATISTICS_AFTER", events + 1)
    postgres_runtime.projector.catch_up()
    assert not analysed(postgres_runtime, "plan_states")
