"""Follows the global event log and keeps every read model up to date: exactly once, each read
model on its own.

The log is read once for all read models that are behind, keeping only the event types they
handle. Each read model applies its share of a batch in its own transaction, which also locks
and moves its tracked position: a crash loses nothing, a restart resumes, and two runners (or a
rebuild racing a server) never apply an event twice. An event a read model cannot apply parks
that read model just before it, with the error; the others go on.

A save in this process wakes the runner at once; saves elsewhere reach it through PostgreSQL's
LISTEN/NOTIFY, and SQLite, which cannot notify, is polled. After each commit the runner tells
its listeners (and, on PostgreSQL, other processes) how far the read model has got, so a request
waiting to read its own write needs no polling of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from domain.care_records import CareRecords, Undecodable
from domain.catalogue import ALL_EVENTS
from infra.notifications import PostgresNotifications
from infra.outages import is_transient
from infra.read_store import ReadStore
from projections import tracking
from projections.base import Batch, EventFailed, ReadModel, Transaction, live_tables
from projections.event_records import event_type

log = logging.getLogger("stepwise.projector")
EVERY_TOPIC = frozenset(get_topic(event_type) for event_type in ALL_EVENTS)

SHADOW = "__rebuild"
Listener = Callable[[str, int], None]  # (read model, position it reached)
# The longest a failing read model waits before trying again: short, so it resumes within
# about this long of the database coming back, however long the outage was.
MAX_RETRY_WAIT = 1.0
UNDECODED: Any = object()  # stands in a batch for an event that could not be decoded


@dataclass(frozen=True, eq=False)  # lanes are told apart by identity
class Lane:
    """One read model, kept in one set of tables, tracked under one name."""

    model: ReadModel
    tracking: str
    tables: Mapping[str, str]
    durable: bool = True  # shadow tables are thrown away after a crash: no need to wait for disk

    @classmethod
    def live(cls, model: ReadModel) -> Lane:
        return cls(model, model.name, live_tables(model))

    @classmethod
    def shadow(cls, model: ReadModel) -> Lane:
        tables = {table.name: f"{table.name}{SHADOW}" for table in model.tables}
        return cls(model, f"{model.name}{SHADOW}", tables, durable=False)


class Projector:
    def __init__(
        self,
        records: CareRecords,
        store: ReadStore,
        models: Sequence[ReadModel],
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        notifications: PostgresNotifications | None = None,
        channel: str | None = None,
    ) -> None:
        self.records = records
        self.store = store
        self.models = list(models)
        self.lanes = [Lane.live(model) for model in self.models]
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.notifications = notifications
        self.channel = channel  # PostgreSQL channel announcing positions to other processes
        self.listeners: list[Listener] = []
        self._lane_wakes = {lane.tracking: threading.Event() for lane in self.lanes}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def model(self, name: str) -> ReadModel:
        for model in self.models:
            if model.name == name:
                return model
        known = ", ".join(model.name for model in self.models)
        raise LookupError(f"no read model named {name!r}; read models: {known}")

    def create_tables(self) -> list[str]:
        """Creates what is missing; returns the read models stored by another version of the
        code, which are left untouched until they are rebuilt."""
        outdated = []
        with self.store.transaction(write=True) as tx:
            tracking.create_table(tx)
            known = tracking.statuses(tx)
            for model in self.models:
                status = known.get(model.name)
                if status is not None and status.version != model.version:
                    outdated.append(model.name)
                    continue
                model.create_tables(tx, live_tables(model))
                tracking.register(tx, model.name, model.version)
        return outdated

    def statuses(self) -> dict[str, tracking.Status]:
        """Each read model's position and state, in the order read models are declared."""
        with self.store.transaction() as tx:
            known = tracking.statuses(tx)
        missing = tracking.Status("", 0, tracking.LIVE, 0)
        return {m.name: known.get(m.name, missing) for m in self.models}

    def positions(self) -> dict[str, int]:
        return {name: status.position for name, status in self.statuses().items()}

    def retry(self, name: str) -> None:
        self.model(name)
        with self.store.transaction(write=True) as tx:
            tracking.release(tx, name)
        self.wake()

    # -- following the log ------------------------------------------------------------------

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Applies every event not yet projected; returns how many log entries were read.
        `progress` is told the log position reached after each batch."""
        return self.follow(self.lanes, progress)

    def follow(
        self,
        lanes: Sequence[Lane],
        progress: Callable[[int], None] | None = None,
        batch_size: int | None = None,
    ) -> int:
        read, limit = 0, batch_size or self.batch_size
        while not self._stop.is_set():
            last = self.records.last_position()
            behind = self._runnable(lanes, last)
            if not behind:
                return read
            start = min(position for position in behind.values())
            topics = {topic for lane in behind for topic in lane.model.topics()}
            if topics >= EVERY_TOPIC:
                topics = set()  # no filter: cheaper for the store than naming every topic
            try:
                batch = self.records.read_log(start, limit, sorted(topics), stop=last)
            except Undecodable as poison:
                self._stop_at(poison, behind)
                read += len(poison.before)
                continue
            end = batch[-1][0] if len(batch) == limit else last
            for lane in behind:
                self.advance(lane, batch, end)
            read += len(batch)
            if progress:
                progress(end)
        return read

    def _stop_at(self, poison: Undecodable, lanes: Iterable[Lane]) -> None:
        """Parks the read models that read an event nobody can decode just before it; those
        that apply stored bytes apply it, and the others, which would have skipped it anyway,
        go past it."""
        for lane in lanes:
            if lane.model.stored_bytes:
                undecoded = (poison.position, UNDECODED)
                self.advance(lane, [*poison.before, undecoded], poison.position)
            elif poison.topic in lane.model.topics():
                self.advance(lane, poison.before, poison.position - 1)
                self._park(lane, poison.position, poison.topic, poison)
            else:
                self.advance(lane, poison.before, poison.position)

    def _runnable(self, lanes: Sequence[Lane], last: int) -> dict[Lane, int]:
        """The lanes behind the log that may run (not parked, built by this code)."""
        with self.store.transaction() as tx:
            known = tracking.statuses(tx)
        behind = {}
        for lane in lanes:
            status = known.get(lane.tracking)
            runnable = status and not status.parked and status.version == lane.model.version
            if runnable and status and status.position < last:
                behind[lane] = status.position
        return behind

    def advance(self, lane: Lane, batch: Batch, end: int) -> None:
        """Applies a batch to one lane and moves it to `end`; events at or below its position
        are skipped, and an event it cannot apply parks it."""
        try:
            self._apply(lane, batch, end)
        except Exception as error:
            if not lane.durable:
                # A rebuild's lane keeps records in memory that the rollback just undid: it
                # stops here, and the rebuild reports why.
                lane.model.forget()
                position, event = _blame(batch, end, error)
                self._park(lane, position, event, error)
            elif is_transient(cause(error)):
                raise cause(error) from None
            else:
                self._isolate(lane, batch, end, error)

    def _apply(self, lane: Lane, batch: Batch, end: int) -> None:
        handled = lane.model.event_types()
        with self.store.transaction(write=True, durable=lane.durable) as tx:
            position = tracking.lock(tx, lane.tracking).position
            if position >= end:
                return  # another runner got here first
            events = [
                (p, e)
                for p, e in batch
                if p > position and (lane.model.stored_bytes or type(e) in handled)
            ]
            if events:
                lane.model.apply(tx, lane.tables, events)
            tracking.advance(tx, lane.tracking, end)
            self._announce(tx, lane, end)
        self._tell(lane, end)

    def _isolate(self, lane: Lane, batch: Batch, end: int, error: Exception) -> None:
        """Keeps everything before the event the read model cannot apply, and parks it there.
        When the failure does not name its event (a row the database refused), the batch is
        applied event by event to find it."""
        if isinstance(error, EventFailed):
            try:
                self._apply(lane, [e for e in batch if e[0] < error.position], error.position - 1)
            except Exception as again:
                if is_transient(cause(again)):
                    raise
            else:
                self._park(lane, error.position, error.event_type, error)
                return
        handled = lane.model.event_types()
        for position, event in batch:
            if type(event) not in handled:
                continue
            try:
                self._apply(lane, [(position, event)], position)
            except Exception as failure:
                if is_transient(cause(failure)):
                    raise
                self._park(lane, position, event_type(event), failure)
                return
        self._apply(lane, [], end)

    def _park(self, lane: Lane, position: int, event: str, error: Exception) -> None:
        root = cause(error)
        log.error(
            "read model %s parked before position %d (%s): %s; after a fix, run "
            "`stepwise projections retry %s`",
            lane.tracking, position, event, root, lane.model.name, exc_info=error,
        )  # fmt: skip
        with self.store.transaction(write=True) as tx:
            status = tracking.lock(tx, lane.tracking)
            if status.position < position:
                message = f"{type(root).__name__}: {root}"
                tracking.park(tx, lane.tracking, before=position, event=event, error=message)
            self._announce(tx, lane, -1)
        self._tell(lane, -1)

    def _announce(self, tx: Transaction, lane: Lane, position: int) -> None:
        if self.channel and tx.dialect == "postgres" and lane.tracking == lane.model.name:
            payload = f"{lane.tracking}:{position}"
            tx.execute("SELECT pg_notify(%(c)s, %(p)s)", {"c": self.channel, "p": payload})

    def _tell(self, lane: Lane, position: int) -> None:
        if lane.tracking != lane.model.name:
            return  # shadow tables: nobody reads them yet
        for listener in self.listeners:
            listener(lane.model.name, position)

    # -- running in the background -----------------------------------------------------------

    def wake(self, _news: object = None) -> None:
        for lane_wake in self._lane_wakes.values():
            lane_wake.set()

    def run(self) -> None:
        """Follows the log with one thread per read model, so a slow or failing one holds
        none of the others back; returns when stopped."""
        self._stop.clear()
        if self.notifications is not None:
            self.notifications.start(self.wake)
        threads = [
            threading.Thread(
                target=self._follow, args=(lane,), name=f"project-{lane.tracking}", daemon=True
            )
            for lane in self.lanes
        ]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            if self.notifications is not None:
                self.notifications.stop()

    def _follow(self, lane: Lane) -> None:
        """Catches one lane up, then waits for a wake-up or the poll interval; survives any
        failure, backing off while the database is away."""
        wake = self._lane_wakes[lane.tracking]
        failures = 0
        while not self._stop.is_set():
            try:
                wake.clear()
                self.follow([lane])
                failures = 0
            except Exception:
                failures += 1
                log.exception("%s failed; retrying (attempt %d)", lane.tracking, failures)
            wake.wait(min(self.poll_interval * 2**failures, MAX_RETRY_WAIT))

    def start(self) -> None:
        self._stop.clear()
        self.records.saved_listeners.append(self.wake)
        self._thread = threading.Thread(target=self.run, name="stepwise-projector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake()
        if self.wake in self.records.saved_listeners:
            self.records.saved_listeners.remove(self.wake)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


def _blame(batch: Batch, end: int, error: Exception) -> tuple[int, str]:
    """The event a failure names, or else the first event of its batch."""
    if isinstance(error, EventFailed):
        return error.position, error.event_type
    if not batch:
        return end, f"moving to position {end}"
    return batch[0][0], f"one of the events up to position {batch[-1][0]}"


def cause(error: BaseException) -> BaseException:
    """What went wrong, under the note of which event it happened on."""
    if isinstance(error, EventFailed) and error.__cause__ is not None:
        return error.__cause__
    return error
