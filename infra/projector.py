"""Follows the global event log and keeps every read model up to date, exactly once.

Each batch is applied to a projection in one transaction that also moves its tracked
position, after locking that position: a crash loses nothing, a restart resumes, and two
runners (or a rebuild racing a server) never apply the same event twice.

A save in this process wakes the runner at once. Saves elsewhere reach it through
PostgreSQL's LISTEN/NOTIFY; SQLite cannot notify, so there the runner polls. Polling stays on
as a safety net in both cases.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from domain.records import CareRecords
from infra.notifications import PostgresNotifications
from infra.read_store import ReadStore
from projections import tracking
from projections.base import Event, Projection

log = logging.getLogger("stepwise.projector")

Batch = Sequence[tuple[int, Event]]


class Projector:
    def __init__(
        self,
        records: CareRecords,
        store: ReadStore,
        projections: Sequence[Projection],
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        notifications: PostgresNotifications | None = None,
    ) -> None:
        self.records = records
        self.store = store
        self.projections = list(projections)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.notifications = notifications
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def create_tables(self) -> None:
        with self.store.transaction(write=True) as tx:
            tracking.create_table(tx)
            for projection in self.projections:
                projection.create_tables(tx)

    def positions(self) -> dict[str, int]:
        with self.store.transaction() as tx:
            known = tracking.positions(tx)
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Applies every event not yet projected; returns how many log entries were read.

        `progress` is told the log position reached after each batch."""
        read = 0
        while not self._stop.is_set():
            positions = self.positions()
            batch = self.records.read_log(min(positions.values()), self.batch_size)
            if not batch:
                return read
            for projection in self.projections:
                self.process(projection, [e for e in batch if e[0] > positions[projection.name]])
            read += len(batch)
            if progress:
                progress(batch[-1][0])
        return read

    def process(self, projection: Projection, batch: Batch) -> None:
        """Applies a batch to one projection; entries at or below its position are skipped."""
        if not batch:
            return
        with self.store.transaction(write=True) as tx:
            position = tracking.lock_position(tx, projection.name)
            for event_position, event in batch:
                if event_position > position:
                    projection.apply(tx, event, event_position)
            if batch[-1][0] > position:
                tracking.set_position(tx, projection.name, batch[-1][0])

    def rebuild(self, projection: Projection, progress: Callable[[int], None] | None = None) -> int:
        """Empties the projection's tables and replays the whole log into them."""
        with self.store.transaction(write=True) as tx:
            tracking.lock_position(tx, projection.name)
            projection.clear(tx)
            tracking.set_position(tx, projection.name, 0)
        only_this = Projector(self.records, self.store, [projection], batch_size=self.batch_size)
        return only_this.catch_up(progress)

    # -- running in the background -----------------------------------------------------------

    def wake(self, _position: int = 0) -> None:
        self._wake.set()

    def run(self) -> None:
        """Catches up, then waits for a wake-up or the poll interval; survives any failure."""
        if self.notifications is not None:
            self.notifications.start(self.wake)
        try:
            self._run()
        finally:
            if self.notifications is not None:
                self.notifications.stop()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._wake.clear()
                self.catch_up()
                failures = 0
            except Exception:
                failures += 1
                log.exception("projection failed; retrying (attempt %d)", failures)
            self._wake.wait(min(self.poll_interval * 2**failures, 30.0))

    def start(self) -> None:
        self._stop.clear()
        self.records.saved_listeners.append(self.wake)
        self._thread = threading.Thread(target=self.run, name="stepwise-projector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self.wake in self.records.saved_listeners:
            self.records.saved_listeners.remove(self.wake)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
