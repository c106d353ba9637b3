"""What a read model folding records keeps while it is rebuilt into shadow tables (one writer,
swapped in only when complete): recently folded records in memory, so a long-lived record is
neither decoded nor written again for every batch, and rows written once per record, when it
leaves the bounded set kept or when the tables are about to be swapped in."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.timeline import replay
from projections.base import Event, Row, Transaction, select_by_keys
from projections.codec import AggregateCodec

# Records a rebuild keeps folded in memory between batches (each read model): enough for the
# records a batch or two touches, and few enough that a rebuild's memory stops growing early.
CACHE_LIMIT = 200
WRITE_CHUNK = 200  # rows a rebuild encodes and writes at once


@dataclass
class Rebuilding:
    """What a rebuild keeps between batches: recently folded records, and those whose rows are
    not written yet (when the tables are about to be swapped in, or on eviction)."""

    records: OrderedDict[int, Aggregate | None] = field(default_factory=OrderedDict)
    first_seen: dict[int, int] = field(default_factory=dict)
    unwritten: dict[int, Event] = field(default_factory=dict)  # -> the last event folded
    written: set[int] = field(default_factory=set)


class KeptWhileRebuilding:
    """Loading the records a batch touches, and keeping them across batches while rebuilding."""

    codec: AggregateCodec
    key: ClassVar[str]
    keeps_state: ClassVar[bool]

    def _keep(
        self,
        tx: Transaction,
        table: str,
        kept: Rebuilding,
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

    def _write(self, tx: Transaction, table: str, kept: Rebuilding, keys: list[int]) -> None:
        # A few hundred rows at a time: every kept record's encoded state at once would make
        # the peak memory of a rebuild grow with the number of records.
        for start in range(0, len(keys), WRITE_CHUNK):
            chunk = keys[start : start + WRITE_CHUNK]
            records = {key: kept.records[key] for key in chunk}
            last = {key: kept.unwritten.pop(key) for key in chunk}
            first = {key: kept.first_seen[key] for key in chunk}
            kept.written.update(chunk)
            self._write_rows(tx, table, records, first, last)

    def _load(
        self, tx: Transaction, table: str, ids: dict[int, UUID], kept: Rebuilding | None
    ) -> dict[int, Any]:
        """The touched records as they stood: kept in memory, or read from their rows (during
        a rebuild, only the rows it has written can exist)."""
        found = {key: kept.records[key] for key in ids if key in kept.records} if kept else {}
        missing = [
            str(record_id)
            for key, record_id in ids.items()
            if key not in found and (kept is None or key in kept.written)
        ]
        columns = "version, aggregate_state" if self.keeps_state else "version"
        for row in select_by_keys(tx, table, self.key, missing, columns):
            found[UUID(row[self.key]).int] = self._loaded(row)
        return found

    def _loaded(self, row: Row) -> Aggregate:
        record_id, version = row[self.key], row["version"]
        if self.keeps_state:
            return self.codec.decode(record_id, version, row["aggregate_state"])
        record: Aggregate = replay(None, self.codec.history(UUID(record_id), version))
        return record

    def _write_rows(
        self, tx: Transaction, table: str, records: dict[int, Any], first_seen: dict[int, int],
        last_event: dict[int, Event],
    ) -> None:  # fmt: skip
        raise NotImplementedError
