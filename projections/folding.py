"""Read models with one row per record as it now stands, and one row per state it has been in,
folded with the record's own evolve methods in order of effective time (domain.timeline), so a
read model cannot disagree with the domain.

Within a batch, each touched record is read once, every event is applied in memory, and each
current row is written once. A rebuild keeps folded records across batches too, so a
long-lived record is neither decoded nor written again for every batch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.catalogue import record_type_of
from domain.timeline import apply_in_order, in_force_from
from projections.base import (
    Batch,
    Event,
    EventFailed,
    ReadModel,
    Row,
    Tables,
    Transaction,
    upsert,
)
from projections.states import STATE_TIMES, Moment, close_states, parameters, state_at

TIMELINE_COLUMNS = ("record_id", "version", "effective_from", "recorded_at",
                    "latest_effective_at")  # fmt: skip
TIMELINE_TYPES = ("text", "int4", "timestamptz", "timestamptz", "timestamptz")  # PostgreSQL's
History = Callable[..., list[Any]]  # (record id, up to version[, after version]) -> its events

# Records a rebuild keeps folded in memory between batches (each read model): enough for the
# records a batch or two touches, and few enough that a rebuild's memory stops growing early.
CACHE_LIMIT = 200
WRITE_CHUNK = 200  # rows a rebuild encodes and writes at once


class AggregateCodec:
    """Stores a record's state in a read-model row, encoded like the library's snapshots."""

    _topic = get_topic(Snapshot)

    def __init__(self, mapper: Mapper[UUID], history: History | None = None) -> None:
        self._mapper = mapper
        self.history = history  # a record's events up to a version, for late entries

    def encode(self, aggregate: Aggregate) -> bytes:
        # Stamped with the record's own time, not the clock, so a rebuild writes equal bytes.
        snapshot = replace(Snapshot.take(aggregate), timestamp=aggregate.modified_on)
        return self._mapper.to_stored_event(snapshot).state

    def decode(self, record_id: str, version: int, state: bytes) -> Aggregate:
        stored = StoredEvent(UUID(record_id), version, self._topic, bytes(state))
        snapshot: Snapshot = self._mapper.to_domain_event(stored)  # type: ignore[assignment]
        return snapshot.mutate(None)  # type: ignore[return-value]


@dataclass
class _Rebuilding:
    """What a rebuild keeps between batches: recently folded records, and those whose rows are
    not written yet (when the tables are about to be swapped in, or on eviction)."""

    records: OrderedDict[int, Aggregate] = field(default_factory=OrderedDict)
    first_seen: dict[int, int] = field(default_factory=dict)
    unwritten: dict[int, Event] = field(default_factory=dict)  # -> the last event folded
    written: set[int] = field(default_factory=set)


class RecordTable(ReadModel):
    """Keeps `tables[0]` with one row per record of `aggregate`, keyed by `key`, and the
    `states` table (projections.states) with `state_columns` of the states it has been in:
    every one of them, or with `checkpoint_every` > 1 one in about that many events, the
    `timeline` table holding each event to replay from there.

    Every event of the aggregate is folded in; a handler declared with @handles is also given
    the record as it stood just before the event took effect (as known when it was recorded),
    and what it returns is passed to `write_more`.
    While following the log, each batch writes each touched row once. While rebuilding into
    shadow tables (one writer, swapped in only when complete), rows are written once per
    record, when it leaves the bounded set kept in memory or at `flush`.
    """

    aggregate: ClassVar[type[Aggregate]]
    key: ClassVar[str]
    keep_on_update: ClassVar[tuple[str, ...]] = ()  # columns set when the row is first written
    states: ClassVar[str]
    state_columns: ClassVar[tuple[str, ...]]
    checkpoint_every: ClassVar[int] = 1
    timeline: ClassVar[str | None] = None  # needed when checkpoint_every > 1

    def __init__(self, codec: AggregateCodec) -> None:
        self.codec = codec
        self._rebuilding: dict[str, _Rebuilding] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "aggregate"):
            events = record_type_of(cls.aggregate).events()
            folded_only = {event: RecordTable._fold_only for event in events}
            cls._handlers = folded_only | cls._handlers

    def forget(self) -> None:
        self._rebuilding.clear()

    def _fold_only(self, before: Aggregate | None, event: Event, position: int) -> None:
        return None

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        table = tables[self.tables[0].name]
        kept = None
        if table != self.tables[0].name:
            kept = self._rebuilding.setdefault(table, _Rebuilding())
        try:
            self._apply(tx, tables, table, batch, kept)
        except BaseException:
            self._rebuilding.pop(table, None)  # it may hold state the rollback undid
            raise

    def flush(self, tx: Transaction, tables: Tables) -> None:
        table = tables[self.tables[0].name]
        kept = self._rebuilding.get(table)
        if kept is not None:
            self._write(tx, table, kept, list(kept.unwritten))

    def _apply(
        self, tx: Transaction, tables: Tables, table: str, batch: Batch, kept: _Rebuilding | None
    ) -> None:
        # Records are keyed by their id's integer: hashing a UUID runs Python code, and a
        # rebuild does it several times for every event.
        ids = {event.originator_id.int: event.originator_id for _, event in batch}
        records = self._load(tx, table, ids, kept)
        # Stored states take effect no later than their record's latest effective time as
        # loaded: an event taking effect after it has only this batch's states to close.
        stored = {key: record.latest_effective_at for key, record in records.items()}
        first_seen: dict[int, int] = {}
        last_event: dict[int, Event] = {}
        produced = []
        states: list[Row] = []
        moments = []
        for position, event in batch:
            key = event.originator_id.int
            try:
                result, records[key] = self._fold(tx, tables, states, records.get(key), event,
                                                  position, stored.get(key))  # fmt: skip
                if self.timeline is not None:
                    moments.append(self._moment(event, records[key]))
            except Exception as error:
                raise EventFailed(position, event) from error
            if result is not None:
                produced.append(result)
            first_seen.setdefault(key, position)
            last_event[key] = event
        columns = (*self.state_columns, *STATE_TIMES)
        tx.copy(tables[self.states], columns, ([row[c] for c in columns] for row in states))
        if self.timeline is not None:
            tx.copy(tables[self.timeline], TIMELINE_COLUMNS, moments, TIMELINE_TYPES)
        if kept is None:
            rows = [self._row(records[k], first, last_event[k]) for k, first in first_seen.items()]
            tx.executemany(upsert(table, self.key, list(rows[0]), self.keep_on_update), rows)
        else:
            self._keep(tx, table, kept, records, first_seen, last_event)
        self.write_more(tx, tables, produced)

    def _fold(
        self, tx: Transaction, tables: Tables, states: list[Row], record: Any, event: Any,
        position: int, stored_latest: datetime | None,
    ) -> tuple[Any, Any]:  # fmt: skip
        """Folds one event in: calls its handler with the record as it stood just before the
        event took effect, adds the states it changes to `states` (closing those it replaces,
        stored (none takes effect after `stored_latest`) or not), and returns the handler's
        result and the record as it now stands."""
        handler = self._handlers[type(event)]
        began = record.began_at if record is not None else event.envelope.effective_at
        since, recorded = in_force_from(event, began), event.timestamp
        if record is not None and since < record.latest_effective_at:
            ordered = self._replay_order(event, began)
            at = ordered.index(event)
            before = apply_in_order(None, ordered[:at], began)
            later = ordered[at:]
        else:
            before, later = record, [event]
        result = handler(self, before, event, position)
        if record is not None and since <= record.latest_effective_at:
            if stored_latest is not None and since <= stored_latest:
                close_states(tx, tables[self.states], self.key, str(event.originator_id), since,
                             recorded)  # fmt: skip
            replaced = [
                state for state in states
                if state[self.key] == str(event.originator_id) and state["recorded_to"] is None
                and state["effective_from"] >= since
            ]  # fmt: skip
            for state in replaced:
                if state["recorded_from"] >= recorded:
                    states.remove(state)
                else:
                    state["recorded_to"] = recorded
        current, due = before, False
        for n, change in enumerate(later):
            current = apply_in_order(current, [change], began)
            moment = in_force_from(change, began)
            # A state is kept where the record began, and then every `checkpoint_every`
            # versions; the states of events that took effect at one instant are one state.
            interval = self.checkpoint_interval(current)
            due = due or moment == began or change.originator_version % interval == 0
            if n + 1 == len(later) or in_force_from(later[n + 1], began) != moment:
                if due:
                    states.append(self._state(current, change, moment, recorded))
                due = False
        return result, current

    def _replay_order(self, event: Any, began: datetime) -> list[Any]:
        """A record's events up to this one, in the order they take effect."""
        if self.codec.history is None:
            raise RuntimeError(f"{self.name} needs the event store's history for late entries")
        events = self.codec.history(event.originator_id, event.originator_version)
        events[-1] = event  # the same event, as this read model received it
        return sorted(events, key=lambda e: (in_force_from(e, began), e.originator_version))

    def at(self, tx: Transaction, record_id: str, moment: Moment) -> Row | None:
        """The record's state at a moment: the kept state before it, and any events since
        then replayed (fewer than about `checkpoint_every`)."""
        if self.timeline is None:
            return state_at(tx, self.states, self.key, record_id, moment)
        # Nothing took effect after the latest effective time known then: start looking there,
        # not among the states recorded since (as many as the history is long).
        known = tx.fetchone(
            f"SELECT latest_effective_at FROM {self.timeline} WHERE record_id = %(id)s "
            "AND recorded_at <= %(known_at)s ORDER BY recorded_at DESC LIMIT 1",
            {"id": record_id, **parameters(moment)},
        )
        if known is None:
            return None
        latest = known["latest_effective_at"]
        if not isinstance(latest, datetime):
            latest = datetime.fromisoformat(latest)
        moment = replace(moment, as_of=min(moment.as_of, latest))
        state = state_at(tx, self.states, self.key, record_id, moment)
        if state is None:
            return None
        later = tx.fetchall(
            f"SELECT version FROM {self.timeline} WHERE record_id = %(id)s "
            "AND effective_from > %(since)s AND effective_from <= %(as_of)s "
            "AND recorded_at <= %(known_at)s ORDER BY effective_from, version",
            {"id": record_id, "since": state["effective_from"], **parameters(moment)},
        )
        if not later:
            return state
        record: Any = self.codec.decode(record_id, state["version"], state["aggregate_state"])
        events = self._events(record_id, [row["version"] for row in later])
        record = apply_in_order(record, events, record.began_at)
        row = self.row(record, 0, events[-1])  # only what a read needs: not the state's bytes
        return row | {time: state[time] for time in STATE_TIMES}

    def _events(self, record_id: str, versions: list[int]) -> list[Any]:
        """These events of a record, from the event store, in the order given."""
        if self.codec.history is None:
            raise RuntimeError(f"{self.name} needs the event store's history to read at a moment")
        # Fetched run by run of consecutive versions: a late entry's version may be far from
        # those of the events around it in effective time.
        wanted = sorted(versions)
        by_version: dict[int, Any] = {}
        start = 0
        for n in range(1, len(wanted) + 1):
            if n == len(wanted) or wanted[n] != wanted[n - 1] + 1:
                found = self.codec.history(UUID(record_id), wanted[n - 1], wanted[start] - 1)
                by_version.update((event.originator_version, event) for event in found)
                start = n
        return [by_version[version] for version in versions]

    def checkpoint_interval(self, record: Any) -> int:
        """Every how many versions a state of this record is kept in full: a power of two, so
        that as it grows with the record, kept states stay at most that many versions apart."""
        return self.checkpoint_every

    def _moment(self, event: Any, record: Any) -> tuple[Any, ...]:
        since = in_force_from(event, record.began_at)
        return (str(event.originator_id), event.originator_version, since, event.timestamp,
                record.latest_effective_at)  # fmt: skip

    def _row(self, record: Any, first_position: int, last_event: Event) -> Row:
        return {**self.row(record, first_position, last_event),
                "aggregate_state": self.codec.encode(record)}  # fmt: skip

    def _state(self, record: Any, event: Event, since: datetime, recorded: datetime) -> Row:
        row = self._row(record, 0, event) if "aggregate_state" in self.state_columns else (
            self.row(record, 0, event)
        )  # fmt: skip
        state = {column: row[column] for column in self.state_columns}
        state.update(effective_from=since, recorded_from=recorded, recorded_to=None)
        return state

    def _keep(
        self,
        tx: Transaction,
        table: str,
        kept: _Rebuilding,
        records: dict[int, Any],
        first_seen: dict[int, int],
        last_event: dict[int, Event],
    ) -> None:
        for key, position in first_seen.items():
            kept.records[key] = records[key]
            kept.records.move_to_end(key)
            kept.first_seen.setdefault(key, position)
            kept.unwritten[key] = last_event[key]
        leaving = list(kept.records)[: max(0, len(kept.records) - CACHE_LIMIT)]
        self._write(tx, table, kept, [key for key in leaving if key in kept.unwritten])
        for key in leaving:
            del kept.records[key]

    def _write(self, tx: Transaction, table: str, kept: _Rebuilding, keys: list[int]) -> None:
        # A few hundred rows at a time: every kept record's encoded state at once would make
        # the peak memory of a rebuild grow with the number of records.
        for start in range(0, len(keys), WRITE_CHUNK):
            chunk = keys[start : start + WRITE_CHUNK]
            rows = [
                self._row(kept.records[key], kept.first_seen[key], kept.unwritten.pop(key))
                for key in chunk
            ]
            kept.written.update(chunk)
            tx.executemany(upsert(table, self.key, list(rows[0]), self.keep_on_update), rows)

    def _load(
        self, tx: Transaction, table: str, ids: dict[int, UUID], kept: _Rebuilding | None
    ) -> dict[int, Any]:
        """The touched records as they stood: kept in memory, or read from their rows (during
        a rebuild, only the rows it has written can exist)."""
        found = {key: kept.records[key] for key in ids if key in kept.records} if kept else {}
        missing = [
            str(record_id)
            for key, record_id in ids.items()
            if key not in found and (kept is None or key in kept.written)
        ]
        for row in select_by_keys(tx, table, self.key, missing, "version, aggregate_state"):
            record_id = row[self.key]
            state = self.codec.decode(record_id, row["version"], row["aggregate_state"])
            found[UUID(record_id).int] = state
        return found

    def row(self, record: Any, first_position: int, last_event: Event) -> Row:
        """The row for a record as it now stands, but for its `aggregate_state` (added here);
        `first_position` is where this batch first touched it (its creation, when the row is
        new)."""
        raise NotImplementedError

    def write_more(self, tx: Transaction, tables: Tables, produced: Sequence[Any]) -> None:
        """Writes what the handlers returned (nothing, unless a subclass says otherwise)."""


def select_by_keys(
    tx: Transaction, table: str, key: str, values: Sequence[str], columns: str
) -> list[Row]:
    rows: list[Row] = []
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        names = {f"k{n}": value for n, value in enumerate(chunk)}
        placeholders = ", ".join(f"%({name})s" for name in names)
        sql = f"SELECT {key}, {columns} FROM {table} WHERE {key} IN ({placeholders})"
        rows += tx.fetchall(sql, names)
    return rows
