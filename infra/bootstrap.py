"""The one composition root: settings in, a running set of parts out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from domain.records import CareRecords
from infra.projector import Projector
from infra.read_store import ReadStore, open_read_store
from infra.settings import Settings
from projections import all_projections
from projections.base import AggregateCodec


@dataclass
class Runtime:
    settings: Settings
    records: CareRecords
    store: ReadStore
    projector: Projector

    def wait_for_position(self, position: int, timeout: float) -> bool:
        """Blocks until every read model has applied the given log position (read-your-writes)."""
        deadline = time.monotonic() + timeout
        while min(self.projector.positions().values()) < position:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        self.projector.stop()
        self.store.close()
        self.records.close()


def build(settings: Settings, clock: Callable[[], datetime] | None = None) -> Runtime:
    prepare_database(settings)
    records = CareRecords(
        settings.eventsourcing_env(),
        clock=clock,
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    store = open_read_store(settings)
    projector = Projector(
        records,
        store,
        all_projections(AggregateCodec(records.mapper)),
        batch_size=settings.projection_batch_size,
        poll_interval=settings.poll_interval_seconds,
    )
    projector.create_tables()
    return Runtime(settings, records, store, projector)


def prepare_database(settings: Settings) -> None:
    """Creates what the event store expects to exist already: the file's folder, the schema."""
    if not settings.is_postgres:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return
    if settings.database_schema:
        with psycopg.connect(settings.postgres.conninfo(), autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(settings.database_schema)
                )
            )
