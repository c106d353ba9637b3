"""Read models with one row per record, folded with the record's own evolve methods, so a read
model cannot disagree with the domain.

Within a batch, each touched record is read once, every event is applied in memory, and each
row is written once. A rebuild keeps folded records across batches too, so a long-lived record
is neither decoded nor written again for every batch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.catalogue import event_classes
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

CACHE_LIMIT = 5_000  # records a rebuild keeps folded in memory between batches


class AggregateCodec:
    """Stores a record's state in a read-model row, encoded like the library's snapshots."""

    _topic = get_topic(Snapshot)

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self._mapper = mapper

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
    """Keeps `tables[0]` with one row per record of `aggregate`, keyed by `key`.

    Every event of the aggregate is folded in; a handler declared with @handles is also given
    the record as it stood before the event, and what it returns is passed to `write_more`.
    While following the log, each batch writes each touched row once. While rebuilding into
    shadow tables (one writer, swapped in only when complete), rows are written once per
    record, when it leaves the bounded set kept in memory or at `flush`.
    """

    aggregate: ClassVar[type[Aggregate]]
    key: ClassVar[str]
    keep_on_update: ClassVar[tuple[str, ...]] = ()  # columns set when the row is first written

    def __init__(self, codec: AggregateCodec) -> None:
        self.codec = codec
        self._rebuilding: dict[str, _Rebuilding] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "aggregate"):
            folded_only = {event: RecordTable._fold_only for event in event_classes(cls.aggregate)}
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
        first_seen: dict[int, int] = {}
        last_event: dict[int, Event] = {}
        produced = []
        handlers = self._handlers
        for position, event in batch:
            key = event.originator_id.int
            before = records.get(key)
            try:
                result = handlers[type(event)](self, before, event, position)
                records[key] = cast(Any, event).mutate(before)
            except Exception as error:
                raise EventFailed(position, event) from error
            if result is not None:
                produced.append(result)
            first_seen.setdefault(key, position)
            last_event[key] = event
        if kept is None:
            rows = [self.row(records[k], first, last_event[k]) for k, first in first_seen.items()]
            tx.executemany(upsert(table, self.key, list(rows[0]), self.keep_on_update), rows)
        else:
            self._keep(tx, table, kept, records, first_seen, last_event)
        self.write_more(tx, tables, produced)

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
        rows = [
            self.row(kept.records[key], kept.first_seen[key], kept.unwritten.pop(key))
            for key in keys
        ]
        kept.written.update(keys)
        if rows:
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
        """The row for a record as it now stands; `first_position` is where this batch first
        touched it (its creation, when the row is new)."""
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
