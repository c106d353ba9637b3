"""The application's own mapper, to decode stored events without a database."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from eventsourcing.persistence import Mapper

from domain.care_records import CareRecords
from infra.settings import Settings


@pytest.fixture(scope="session")
def mapper() -> Iterator[Mapper[UUID]]:
    env = Settings(database_url="sqlite:///unused.db", _env_file=None).eventsourcing_env()
    records = CareRecords(env | {"SQLITE_DBNAME": ":memory:"})  # its store is never used
    yield records.mapper
    records.close()
