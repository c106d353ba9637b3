"""Shared fixtures: every integration and e2e test runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.care_records import CareRecords
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.support.postgres import postgres_server, run_database
from tests.support.staffing import join_test_staff
from tests.support.tokens import TEST_SECRET


@pytest.fixture(scope="session", autouse=True)
def staff_in_every_store() -> Iterator[None]:
    """Every store a test opens has the tests' writers on its staff (tests.support.staffing)."""
    opened = CareRecords.__init__

    def open_with_staff(records: CareRecords, *args: Any, **kwargs: Any) -> None:
        opened(records, *args, **kwargs)
        join_test_staff(records)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CareRecords, "__init__", open_with_staff)
        yield


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server() as server, run_database(server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Fresh, isolated storage: a new SQLite file, or a new schema in the run's database."""
    if request.param == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path / 'stepwise.db'}",
                        auth_secret=TEST_SECRET, _env_file=None)  # fmt: skip
    url = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    return Settings(database_url=url, database_schema=schema, pool_size=4,
                    auth_secret=TEST_SECRET, _env_file=None)  # fmt: skip


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = build(settings)
    yield runtime
    runtime.close()
