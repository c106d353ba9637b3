"""The one composition root: settings in, a running set of parts out."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError
from psycopg import sql

from domain.care_records import CareRecords
from domain.person import Person
from infra.access_log import AccessLog
from infra.notifications import PostgresNotifications
from infra.projector import Projector
from infra.read_store import ReadStore, open_read_store
from infra.replica import Replica
from infra.settings import Settings
from infra.webhooks import Deliveries
from projections import all_read_models, tracking
from projections.codec import AggregateCodec
from projections.people import People, records_of

SCHEMA_LOCK_KEY = 0x5745_5057  # any constant shared by every Stepwise process


@dataclass
class Runtime:
    settings: Settings
    records: CareRecords
    store: ReadStore
    projector: Projector
    access_log: AccessLog
    deliveries: Deliveries  # webhook delivery, run wherever the read models are kept

    outdated: list[str] = field(default_factory=list)  # read models to rebuild before use
    replica: Replica | None = None  # answers the API's reads, when one is set

    @property
    def reads(self) -> ReadStore:
        """Where the API reads the read models: the replica if there is one."""
        return self.replica.store if self.replica is not None else self.store

    def wait_for_position(self, position: int, timeout: float) -> bool:
        """Blocks until every read model has applied the position. For scripts and tests:
        requests wait without a thread of their own (see api.waiting)."""
        deadline = time.monotonic() + timeout
        while min(self.projector.positions().values()) < position:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def keep_read_models(self) -> None:
        """Follows the log in the background: the read models, and webhook delivery."""
        self.projector.start()
        self.deliveries.start()

    def close(self) -> None:
        self.deliveries.stop()
        self.projector.stop()
        self.access_log.stop()
        self.records.close()
        if self.replica is not None:
            self.replica.close()
        self.store.close()


def build(settings: Settings, clock: Callable[[], datetime] | None = None, *,
          creating: bool = True) -> Runtime:  # fmt: skip
    """`creating`: make the file's folder or the schema if missing (not for commands that only
    look, which have checked that the records exist)."""
    with schema_creation_lock(settings) if creating else nullcontext():
        records = CareRecords(
            settings.eventsourcing_env(),
            clock=clock,
            clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        )
        store = open_read_store(settings)
        projector = Projector(
            records,
            store,
            all_read_models(
                AggregateCodec(records.mapper, records.history),
                records.read_stored,
                settings.audit_signing_key(),
                settings.audit_checkpoint_seconds,
            ),
            batch_size=settings.projection_batch_size,
            poll_interval=settings.poll_interval_seconds,
            channel=positions_channel(settings) if settings.is_postgres else None,
            notifications=_notifications(settings, records),
        )
        outdated = projector.create_tables()
        records.person_index = partial(indexed_records, store)
        access_log = AccessLog(store, owner_of=partial(provider_of_person, records))
        access_log.create_table()
        deliveries = Deliveries(records, projector, settings)
        deliveries.create_tables()
    replica = Replica(settings, store) if settings.read_replica is not None else None
    return Runtime(settings, records, store, projector, access_log, deliveries, outdated, replica)


def provider_of_person(records: CareRecords, person_id: str) -> str | None:
    """Whose person this is, read from the records themselves (None if there is no such
    person)."""
    try:
        record = records.load(UUID(person_id))
    except (AggregateNotFoundError, ValueError):
        return None
    return record.tenant_id if isinstance(record, Person) else None


def indexed_records(store: ReadStore, person_id: str, kind: str) -> tuple[list[str], int]:
    """The ids of a person's records of a kind in the person index, and the log position it
    holds them as of (read first: the ids read after it can only be as new or newer)."""
    with store.transaction() as tx:
        position = tracking.position(tx, People.name)
        return records_of(tx, person_id, [kind]), position


def positions_channel(settings: Settings) -> str:
    """Where projectors announce read-model positions: one channel per schema."""
    return f"stepwise_read_models_{settings.database_schema or 'public'}"[:63]


@contextmanager
def schema_creation_lock(settings: Settings) -> Iterator[None]:
    """Creates what the stores expect to exist (the file's folder, the schema) and keeps
    processes starting together (API, projector) from racing to create the same tables:
    concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalogue."""
    if not settings.is_postgres:
        # SQLite answers "database is locked" at once, without waiting, to one of two
        # connections that both turn a read into a write: processes create tables in turn.
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(f"{path.name}.schema.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    with psycopg.connect(settings.postgres.conninfo(), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            if settings.database_schema:
                statement = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}")
                connection.execute(statement.format(sql.Identifier(settings.database_schema)))
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


def _notifications(settings: Settings, records: CareRecords) -> PostgresNotifications | None:
    if not settings.is_postgres:
        return None
    # Channels are per database, not per schema: another schema's writes only cause a
    # harmless extra catch-up.
    channel: str = records.recorder.channel_name  # type: ignore[attr-defined]
    return PostgresNotifications(settings.postgres.conninfo(), channel)
