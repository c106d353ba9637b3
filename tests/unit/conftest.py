"""The application's own mapper, to decode stored events without a database; and the
application on a fresh SQLite file, for tests of a whole command path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import Mapper

from domain.care_records import CareRecords
from infra.settings import Settings
from tests.support.scenarios import register


@pytest.fixture(scope="session")
def mapper() -> Iterator[Mapper[UUID]]:
    env = Settings(database_url="sqlite:///unused.db", _env_file=None).eventsourcing_env()
    records = CareRecords(env | {"SQLITE_DBNAME": ":memory:"})  # its store is never used
    yield records.mapper
    records.close()


@pytest.fixture
def records(tmp_path: Path) -> Iterator[CareRecords]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'stepwise.db'}", _env_file=None)
    records = CareRecords(settings.eventsourcing_env())
    yield records
    records.close()


@pytest.fixture
def person(records: CareRecords) -> str:
    return register(records).record_id  # Ruth, supported by svc-1
