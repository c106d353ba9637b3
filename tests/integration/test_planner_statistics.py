"""PostgreSQL plans each read from its tables' statistics. After a long catch-up (a first start
on a filled log, a rebuild, an import) the read models' statistics are refreshed at once, not
whenever autovacuum next looks: without them a service-wide read was planned at 60 ms, not 4."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

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


def test_a_short_catch_up_leaves_them_to_autovacuum(
    postgres_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreed_plan(postgres_runtime.records)
    events = postgres_runtime.records.last_position()
    monkeypatch.setattr(infra.projector, "REFRESH_STATISTICS_AFTER", events + 1)
    postgres_runtime.projector.catch_up()
    assert not analysed(postgres_runtime, "plan_states")
