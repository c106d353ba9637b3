"""Read models with one row per record, folded with the record's own evolve methods, so a read
model cannot disagree with the domain.

Within a batch, each touched record is read once, every event is applied in memory, and each
row is written once. During a rebuild (shadow tables, one writer) folded records are also kept
across batches, so a long-lived record is not decoded again for every batch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.catalogue import event_classes
from projections.base import Batch, Event, ReadModel, Row, Tables, Transaction, upsert

CACHE_LIMIT = 20_000  # records kept across batches during a rebuild


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


class RecordTable(ReadModel):
    """Keeps `tables[0]` with one row per record of `aggregate`, keyed by `key`.

    Every event of the aggregate is folded in; a handler declared with @handles is also given
    the record as it stood before the event, and what it returns is passed to `write_more`.
    """

    aggregate: ClassVar[type[Aggregate]]
    key: ClassVar[str]
    keep_on_update: ClassVar[tuple[str, ...]] = ()  # columns set when the row is first written

    def __init__(self, codec: AggregateCodec) -> None:
        self.codec = codec
        self._caches: dict[str, OrderedDict[UUID, Aggregate]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "aggregate"):
            folded_only = {event: RecordTable._fold_only for event in event_classes(cls.aggregate)}
            cls._handlers = folded_only | cls._handlers

    def forget(self) -> None:
        self._caches.clear()

    def _fold_only(self, before: Aggregate | None, event: Event, position: int) -> None:
        return None

    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        table = tables[self.tables[0].name]
        cache = (
            self._caches.setdefault(table, OrderedDict()) if table != self.tables[0].name else None
        )
        try:
            self._apply(tx, tables, table, batch, cache)
        except BaseException:
            self._caches.pop(table, None)  # it may hold state the rollback undid
            raise

    def _apply(
        self,
        tx: Transaction,
        tables: Tables,
        table: str,
        batch: Batch,
        cache: OrderedDict[UUID, Aggregate] | None,
    ) -> None:
        records = self._load(tx, table, {event.originator_id for _, event in batch}, cache)
        first_seen: dict[UUID, int] = {}
        last_event: dict[UUID, Event] = {}
        produced = []
        for position, event in batch:
            record_id = event.originator_id
            before = records.get(record_id)
            result = self.handler(event)(self, before, event, position)
            if result is not None:
                produced.append(result)
            records[record_id] = cast(Any, event).mutate(before)
            first_seen.setdefault(record_id, position)
            last_event[record_id] = event
        rows = [self.row(records[rid], first, last_event[rid]) for rid, first in first_seen.items()]
        columns = list(rows[0])
        tx.executemany(upsert(table, self.key, columns, self.keep_on_update), rows)
        if cache is not None:
            for record_id in first_seen:
                cache[record_id] = records[record_id]
                cache.move_to_end(record_id)
            while len(cache) > CACHE_LIMIT:
                cache.popitem(last=False)
        self.write_more(tx, tables, produced)

    def _load(
        self,
        tx: Transaction,
        table: str,
        ids: set[UUID],
        cache: OrderedDict[UUID, Aggregate] | None,
    ) -> dict[UUID, Any]:
        found = {rid: cache[rid] for rid in ids if cache is not None and rid in cache}
        missing = [str(rid) for rid in ids if rid not in found]
        for row in select_by_keys(tx, table, self.key, missing, "version, aggregate_state"):
            record_id = row[self.key]
            state = self.codec.decode(record_id, row["version"], row["aggregate_state"])
            found[UUID(record_id)] = state
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
