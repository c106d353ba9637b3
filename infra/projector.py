"""Follows the global event log and keeps every read model up to date: exactly once, each read
model on its own.

Running, one reader reads each new stretch of the log once for every read model (see
infra.log_reader); caught up all at once, the log is read once for all read models that are
behind, keeping only the event types they handle. A read model's share of a batch is applied
in the transaction that also locks and moves its tracked position: a crash loses nothing, a
restart resumes, and two runners (or a rebuild racing a server) never apply an event twice.
Running, the read models a new stretch concerns apply it in one such transaction together
(but for those declared to apply alone, whose work on an event can take long); should it fail,
each applies it again in its own. An event a read model cannot apply parks that
read model just before it, with the error; the others go on.

A save in this process wakes the reader at once; saves elsewhere reach it through PostgreSQL's
LISTEN/NOTIFY, and SQLite, which cannot notify, is polled. After each commit the runner tells
its listeners (and, on PostgreSQL, other processes) how far the read model has got, so a request
waiting to read its own write needs no polling of its own.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from domain.care_records import LAST_POSSIBLE_POSITION, CareRecords, Undecodable
from domain.catalogue import ALL_EVENTS
from infra.log_reader import LogReader, Stretch
from infra.notifications import PostgresNotifications
from infra.outages import is_transient
from infra.read_store import ReadStore
from projections import tallies, tracking
from projections.base import Batch, Event, EventFailed, ReadModel, Transaction, live_tables
from projections.event_records import event_type
from projections.tallies import counted_afresh
from projections.tally_terms import MODELS

log = logging.getLogger("stepwise.projector")
EVERY_TOPIC = frozenset(get_topic(event_type) for event_type in ALL_EVENTS)

SHADOW = "__rebuild"
Listener = Callable[[str, int], None]  # (read model, position it reached)
# The longest a failing read model waits before trying again: short, so it resumes within
# about this long of the database coming back, however long the outage was.
MAX_RETRY_WAIT = 1.0
UNDECODED: Any = object()  # stands in a batch for an event that could not be decoded
# A read model that passes events it does not handle changes nothing, so its new position is
# stored at most this often: lost in a crash, those events are only read again.
STORE_PASSED_EVERY = 1.0
# PostgreSQL plans each query from table statistics, which autovacuum refreshes only a while
# after a bulk load; until then it guesses, and a service-wide read of 800 people was planned
# to take 60 ms instead of 4. A catch-up this long refreshes the statistics itself.
REFRESH_STATISTICS_AFTER = 2_000


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
        self._reader = LogReader(records, batch_size)
        self._reader_wake = threading.Event()
        self._lane_wakes = {lane.tracking: threading.Event() for lane in self.lanes}
        self._known: dict[str, tracking.Status] = {}  # the reader's last look at the statuses
        self._seen: dict[str, int] = {}  # each lane's position when last looked up or moved
        self._passed: dict[str, int] = {}  # positions lanes passed to, not yet stored
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
                if status is None and not model.evidence:
                    # A table of this name belongs to no read model that is tracked: one an
                    # earlier version of Stepwise kept under another read model's name.
                    for table in model.tables:
                        tx.execute(f"DROP TABLE IF EXISTS {table.name}")
                model.create_tables(tx, live_tables(model))
                tracking.register(tx, model.name, model.version)
            tallies.create(tx)
            counted_afresh(tx)
        return outdated

    def statuses(self) -> dict[str, tracking.Status]:
        """Each read model's position and state, in the order read models are declared."""
        with self.store.transaction() as tx:
            known = tracking.statuses(tx)
        missing = tracking.Status("", 0, tracking.LIVE, 0)
        return {m.name: self._with_passed(m, known.get(m.name, missing)) for m in self.models}

    def _with_passed(self, model: ReadModel, status: tracking.Status) -> tracking.Status:
        passed = self._passed.get(model.name, 0)
        if passed > status.position and not status.parked and status.version == model.version:
            return dataclasses.replace(status, position=passed)
        return status

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
        read_ahead: bool = False,
        store_passed: bool = True,
        live: bool = False,
    ) -> int:
        """Applies the log to the lanes until they reach its end; returns how many entries
        were read. With `read_ahead`, the next batch is read while this one is applied.
        `store_passed`: once caught up, store how far lanes passed events they do not handle
        (the live runner does that now and then instead). `live`: as far as the reader has
        read, from where the reader last saw the lanes (it wakes them again for more)."""
        read, limit = 0, batch_size or self.batch_size
        ahead = _ReadAhead(self.records, limit) if read_ahead else None
        advanced: set[Lane] = set()
        try:
            while not self._stop.is_set():
                last = self._reader.read_to if live else self.records.last_position()
                behind = self._runnable(lanes, last, self._known if live else None)
                if not behind:
                    if store_passed:
                        for lane in lanes:
                            self._store_passed(lane)
                    if read >= REFRESH_STATISTICS_AFTER:
                        self._refresh_statistics(advanced)
                    return read
                advanced.update(behind)
                start = min(position for position in behind.values())
                topics = sorted({topic for lane in behind for topic in lane.model.topics()})
                if set(topics) >= EVERY_TOPIC:
                    topics = []  # no filter: cheaper for the store than naming every topic
                try:
                    batch, stop = self._reader.recent.take(start, limit) or _read(
                        self.records, ahead, start, limit, topics, last
                    )
                except Undecodable as poison:
                    self._stop_at(poison, behind)
                    read += len(poison.before)
                    continue
                end = batch[-1][0] if len(batch) == limit else stop
                if ahead is not None and len(batch) == limit:
                    ahead.read(end, topics, last)
                for lane in behind:
                    self.advance(lane, batch, end)
                read += len(batch)
                if progress:
                    progress(end)
            return read
        finally:
            if ahead is not None:
                ahead.close()

    def _refresh_statistics(self, lanes: Iterable[Lane]) -> None:
        """On PostgreSQL (SQLite's planner, without statistics, assumes indexes select well)."""
        tables = {table for lane in lanes for table in lane.tables.values()}
        if any(lane.model.name in MODELS and lane.durable for lane in lanes):
            tables.add(tallies.TALLIES)
        # (a write transaction: ANALYZE of a large log's tables outlasts a read's time limit)
        with self.store.transaction(write=True) as tx:
            if tx.dialect == "postgres" and tables:
                tx.execute(f"ANALYZE {', '.join(sorted(tables))}")

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

    def _runnable(
        self, lanes: Sequence[Lane], last: int, known: Mapping[str, tracking.Status] | None = None
    ) -> dict[Lane, int]:
        """The lanes behind the log that may run (not parked, built by this code), from the
        statuses stored, or as `known` gives them."""
        if known is None:
            with self.store.transaction() as tx:
                known = tracking.statuses(tx)
        behind = {}
        for lane in lanes:
            status = known.get(lane.tracking)
            runnable = status and not status.parked and status.version == lane.model.version
            if not (runnable and status):
                continue
            position = max(
                status.position,
                self._passed.get(lane.tracking, 0),
                self._seen.get(lane.tracking, 0) if lane.durable else 0,
            )
            self._seen[lane.tracking] = position
            if position < last:
                behind[lane] = position
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
        seen = self._seen.get(lane.tracking)
        if lane.durable and seen is not None and not _unapplied(lane.model, batch, seen):
            self._pass(lane, end)
            return
        with self.store.transaction(write=True, durable=lane.durable) as tx:
            position = tracking.lock(tx, lane.tracking).position
            if position >= end:
                return  # another runner got here first
            events = _unapplied(lane.model, batch, position)
            if events:
                lane.model.apply(tx, lane.tables, events)
            tracking.advance(tx, lane.tracking, end)
            self._announce(tx, lane, end)
        if lane.durable:
            self._seen[lane.tracking] = max(self._seen.get(lane.tracking, 0), end)
        self._tell(lane, end)

    def _pass(self, lane: Lane, end: int) -> None:
        self._pass_lanes([lane], end)

    def _pass_lanes(self, lanes: Iterable[Lane], end: int) -> None:
        """Moves lanes past events they do not handle without a transaction of their own (a
        write would cost a commit per read model per save); it is stored later."""
        lanes = list(lanes)
        for lane in lanes:
            self._passed[lane.tracking] = max(self._passed.get(lane.tracking, 0), end)
            self._seen[lane.tracking] = self._passed[lane.tracking]
        if self.channel:
            with self.store.transaction() as tx:
                for lane in lanes:
                    self._announce(tx, lane, end)
        for lane in lanes:
            self._tell(lane, end)

    def _apply_together(self, lanes: Sequence[Lane], stretch: Stretch) -> list[Lane]:
        """Applies a stretch to the lanes that stand at its start in one transaction, moving
        them all to its end; returns the lanes left to their own threads: those that apply
        alone, those another runner holds or finds elsewhere, or all of them if any fails (on
        its own, a failure parks only its read model). Those applied together wait for the
        slowest of them."""
        together = [lane for lane in lanes if not lane.model.applies_alone]
        if not together:
            return list(lanes)
        applied: list[Lane] = []
        past: dict[Lane, int] = {}
        try:
            with self.store.transaction(write=True) as tx:
                statuses = tracking.lock_free(tx, [lane.tracking for lane in together])
                for lane in together:
                    status = statuses.get(lane.tracking)
                    if not status or status.parked or status.version != lane.model.version:
                        continue
                    position = max(status.position, self._passed.get(lane.tracking, 0))
                    if position >= stretch.end:
                        past[lane] = position  # another runner got here first
                        continue
                    if position < stretch.after:
                        continue  # not where this process last saw it: its thread looks
                    if events := _unapplied(lane.model, stretch.events, position):
                        lane.model.apply(tx, lane.tables, events)
                    applied.append(lane)
                if applied:
                    tracking.advance_all(tx, [lane.tracking for lane in applied], stretch.end)
                    self._announce_all(tx, applied, stretch.end)
        except Exception as error:
            log.info("applying positions %d-%d together failed (%s); each read model applies "
                     "them on its own", stretch.after + 1, stretch.end, error)  # fmt: skip
            return list(lanes)
        past.update(dict.fromkeys(applied, stretch.end))
        for lane, position in past.items():
            self._seen[lane.tracking] = max(self._seen.get(lane.tracking, 0), position)
        for lane in applied:
            self._tell(lane, stretch.end)
        return [lane for lane in lanes if lane not in past]

    def _store_passed(self, lane: Lane) -> None:
        passed = self._passed.get(lane.tracking)
        if passed is None:
            return
        with self.store.transaction(write=True, durable=False) as tx:
            status = tracking.lock(tx, lane.tracking)
            current = not status.parked and status.version == lane.model.version
            if current and status.position < passed:
                tracking.advance(tx, lane.tracking, passed)
        if self._passed.get(lane.tracking) == passed:
            del self._passed[lane.tracking]

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
                status = dataclasses.replace(status, state=tracking.PARKED, position=position - 1)
            self._announce(tx, lane, -1)
        # Its thread follows the statuses the reader last saw: it stops here, not at their
        # next look.
        self._known = {**self._known, lane.tracking: status}
        self._tell(lane, -1)

    def _announce(self, tx: Transaction, lane: Lane, position: int) -> None:
        if self.channel and tx.dialect == "postgres" and lane.tracking == lane.model.name:
            payload = f"{lane.tracking}:{position}"
            tx.execute("SELECT pg_notify(%(c)s, %(p)s)", {"c": self.channel, "p": payload})

    def _announce_all(self, tx: Transaction, lanes: Sequence[Lane], position: int) -> None:
        if self.channel and tx.dialect == "postgres":
            payloads = [f"{lane.tracking}:{position}" for lane in lanes]
            tx.execute("SELECT pg_notify(%(c)s, p) FROM unnest(%(ps)s::text[]) AS p",
                       {"c": self.channel, "ps": payloads})  # fmt: skip

    def _tell(self, lane: Lane, position: int) -> None:
        if lane.tracking != lane.model.name:
            return  # shadow tables: nobody reads them yet
        for listener in self.listeners:
            listener(lane.model.name, position)

    # -- running in the background -----------------------------------------------------------

    def wake(self, _news: object = None) -> None:
        self._reader_wake.set()

    def run(self) -> None:
        """Follows the log with one reader and one thread per read model; returns when
        stopped. The reader applies each new stretch to the read models it concerns together;
        one that fails there, or applies alone, or falls behind, is caught up by its own
        thread, so it holds none of the others back."""
        self._stop.clear()
        if self.notifications is not None:
            self.notifications.start(self.wake)
        threads = [threading.Thread(target=self._run_reader, name="project-reader", daemon=True)]
        threads += [
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

    def _run_reader(self) -> None:
        """Reads each new stretch of the log once; passes the lanes it does not concern and
        wakes the others (infra.log_reader). Backs off while the database is away."""
        failures = 0
        while not self._stop.is_set():
            try:
                self._reader_wake.clear()
                self._reader.read_new(self._lane_positions, _unapplied_by_lane, self._pass_lanes,
                                      self._apply_together, self._wake_lane)  # fmt: skip
                failures = 0
            except Exception:
                failures += 1
                log.exception("reading the log failed; retrying (attempt %d)", failures)
            self._reader_wake.wait(min(self.poll_interval * 2**failures, MAX_RETRY_WAIT))

    def _lane_positions(self, look: bool) -> dict[Lane, int]:
        """The lanes that may run, and how far each has got, as stored or as moved since;
        `look`: read the stored statuses afresh first (once a cycle)."""
        if look:
            with self.store.transaction() as tx:
                self._known = tracking.statuses(tx)
        return self._runnable(self.lanes, LAST_POSSIBLE_POSITION, self._known)

    def _wake_lane(self, lane: Lane) -> None:
        self._lane_wakes[lane.tracking].set()

    def _follow(self, lane: Lane) -> None:
        """Catches one lane up when the reader wakes it, as far as the reader has read; stores
        where it passed to now and then, and does its timed work. Survives any failure,
        retrying while the database is away."""
        wake = self._lane_wakes[lane.tracking]
        failures, stored_at = 0, time.monotonic()
        timed_at = stored_at
        woken = True
        while not self._stop.is_set():
            try:
                wake.clear()
                if woken or failures:
                    self.follow([lane], store_passed=False, live=True)
                if time.monotonic() - stored_at >= STORE_PASSED_EVERY:
                    self._store_passed(lane)
                    stored_at = time.monotonic()
                every = lane.model.on_time_every
                if every is not None and time.monotonic() - timed_at >= every:
                    self._on_time(lane)
                    timed_at = time.monotonic()
                failures = 0
            except Exception:
                failures += 1
                log.exception("%s failed; retrying (attempt %d)", lane.tracking, failures)
            retry_in = min(self.poll_interval * 2**failures, MAX_RETRY_WAIT)
            woken = wake.wait(retry_in if failures else STORE_PASSED_EVERY)

    def _on_time(self, lane: Lane) -> None:
        """The lane's timed work, serialised with its batches by the lane's lock."""
        with self.store.transaction(write=True) as tx:
            if not tracking.lock(tx, lane.tracking).parked:
                lane.model.on_time(tx, lane.tables)

    def start(self) -> None:
        self._stop.clear()
        self.records.saved_listeners.append(self.wake)
        self._thread = threading.Thread(target=self.run, name="stepwise-projector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake()
        for lane_wake in self._lane_wakes.values():
            lane_wake.set()
        if self.wake in self.records.saved_listeners:
            self.records.saved_listeners.remove(self.wake)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


def _read(
    records: CareRecords, ahead: _ReadAhead | None, start: int, limit: int, topics: list[str],
    last: int,
) -> tuple[Batch, int]:  # fmt: skip
    """The batch after `start`, and the position it was read up to."""
    if ahead is not None and (read := ahead.take(start, topics)) is not None:
        return read
    return records.read_log(start, limit, topics, stop=last), last


class _ReadAhead:
    """Reads the next batch in a thread of its own while the current one is applied: the
    database's work overlaps the read models' (the thread holds the interpreter only while
    it decodes)."""

    def __init__(self, records: CareRecords, limit: int) -> None:
        self._records, self._limit = records, limit
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="stepwise-read-ahead")
        self._pending: tuple[int, list[str], int, Future[list[tuple[int, Event]]]] | None = None

    def read(self, start: int, topics: list[str], stop: int) -> None:
        read = self._reader.submit(self._records.read_log, start, self._limit, topics, stop=stop)
        self._pending = (start, topics, stop, read)

    def take(self, start: int, topics: list[str]) -> tuple[Batch, int] | None:
        """The batch read ahead, if it was read from there for those topics."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        if pending[:2] != (start, topics):
            pending[3].cancel()
            return None
        return pending[3].result(), pending[2]

    def close(self) -> None:
        if self._pending is not None:
            self._pending[3].cancel()
        self._reader.shutdown(wait=True)


def _unapplied(model: ReadModel, batch: Batch, position: int) -> Batch:
    """The events of a batch after a position that the read model handles."""
    if batch and batch[0][0] <= position:
        batch = [(p, e) for p, e in batch if p > position]
    if model.stored_bytes:
        return batch
    handled = model.event_types()
    return [item for item in batch if type(item[1]) in handled]


def _unapplied_by_lane(lane: Lane, batch: Batch, position: int) -> Batch:
    return _unapplied(lane.model, batch, position)


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
