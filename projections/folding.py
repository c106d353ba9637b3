"""Read models with one row per record as it now stands, and every state it has been in over
effective and recorded time (projections.states), folded with the record's own evolve methods in
order of effective time (domain.timeline), so a read model cannot disagree with the domain.

A late entry, or a correction (a fact marked entered in error), rewrites the record's account
from the moment it takes effect: the states from then on are closed as of its recording and
worked out again from the record's events, the corrected fact left out.

Within a batch, each touched record is read once, every event is applied in memory, and each
current row is written once. A rebuild keeps folded records across batches too, so a
long-lived record is neither decoded nor written again for every batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from domain.catalogue import record_type_of
from domain.timeline import apply_in_order, in_force_from, is_correction, standing
from projections.at_moment import ReadAtMoment
from projections.base import Batch, Event, EventFailed, ReadModel, Row, Tables, Transaction, upsert
from projections.codec import AggregateCodec
from projections.marks import MARK_COLUMNS, Mark, MarkLog, Marks, keyed
from projections.rebuilding import KeptWhileRebuilding, Rebuilding
from projections.rewriting import Closing, Pending
from projections.states import STATE_TIMES

TIMELINE_COLUMNS = ("record_id", "version", "effective_from", "recorded_at",
                    "latest_effective_at")  # fmt: skip
TIMELINE_TYPES = ("text", "int4", "timestamptz", "timestamptz", "timestamptz")  # PostgreSQL's
PART_SET = ""  # the item key of the row every set of parts has, so an empty set is a set


class RecordTable(ReadAtMoment, KeptWhileRebuilding, ReadModel):
    """Keeps `tables[0]` with one row per record of `aggregate`, keyed by `key`, and the
    `states` table (projections.states) with `state_columns` of the states it has been in:
    every one of them, or with `checkpoint_every` > 1 one in about that many events, the
    `timeline` table holding each event to replay from there. With `parts`, it also keeps that
    table of the record's parts (reviews, stages: what lists across records ask about) over
    time: a set of rows (`part_rows`) each time any of them changes.

    Every event of the aggregate is folded in; a handler declared with @handles is also given
    the record as it stood just before the event took effect (as known when it was recorded),
    and what it returns is passed to `write_more`. Without `keeps_state`, the current row does
    not hold the encoded record, which is replayed from its events when touched again (for
    records that are seldom changed after they begin, such as evidence notes).
    """

    aggregate: ClassVar[type[Aggregate]]
    key: ClassVar[str]
    keep_on_update: ClassVar[tuple[str, ...]] = ()  # columns set when the row is first written
    states: ClassVar[str]
    state_columns: ClassVar[tuple[str, ...]]
    checkpoint_every: ClassVar[int] = 1
    timeline: ClassVar[str | None] = None  # needed when checkpoint_every > 1
    parts: ClassVar[str | None] = None
    part_columns: ClassVar[tuple[str, ...]] = ()
    keeps_state: ClassVar[bool] = True
    marks: ClassVar[str | None] = None  # the table of the record's marks (projections.marks)

    def __init__(self, codec: AggregateCodec) -> None:
        self.codec = codec
        self._rebuilding: dict[str, Rebuilding] = {}

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
            kept = self._rebuilding.setdefault(table, Rebuilding())
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
        self, tx: Transaction, tables: Tables, table: str, batch: Batch, kept: Rebuilding | None
    ) -> None:
        # Records are keyed by their id's integer: hashing a UUID runs Python code, and a
        # rebuild does it several times for every event.
        ids = {event.originator_id.int: event.originator_id for _, event in batch}
        records = self._load(tx, table, ids, kept)
        # Stored states take effect no later than their record's latest effective time as
        # loaded: an event taking effect after it has only this batch's states to close.
        stored = {key: record.latest_effective_at for key, record in records.items() if record}
        pending = Pending()
        first_seen: dict[int, int] = {}
        last_event: dict[int, Event] = {}
        produced = []
        for position, event in batch:
            key = event.originator_id.int
            try:
                result, records[key] = self._fold(tx, tables, pending, records.get(key), event,
                                                  position, stored.get(key))  # fmt: skip
            except Exception as error:
                raise EventFailed(position, event) from error
            if result is not None:
                produced.append(result)
            first_seen.setdefault(key, position)
            last_event[key] = event
        self._write_pending(tx, tables, pending)
        if kept is None:
            self._write_rows(tx, table, records, first_seen, last_event)
        else:
            self._keep(tx, table, kept, records, first_seen, last_event)
        self.write_more(tx, tables, produced)

    def _write_pending(self, tx: Transaction, tables: Tables, pending: Pending) -> None:
        columns = (*self.state_columns, *STATE_TIMES)
        tx.copy(tables[self.states], columns, ([r[c] for c in columns] for r in pending.states))
        if self.parts is not None:
            columns = (*self.part_columns, "item_key", *STATE_TIMES)
            tx.copy(tables[self.parts], columns, ([r[c] for c in columns] for r in pending.parts))
        if self.marks is not None:
            tx.copy(tables[self.marks], MARK_COLUMNS,
                    ([r[c] for c in MARK_COLUMNS] for r in pending.marks))  # fmt: skip
            if tables[self.marks] == self.marks:  # (a rebuild's marks are counted once swapped in)
                self._tally(tx, pending)
        if self.timeline is not None:
            timeline = tables[self.timeline]
            voided = [m for m in pending.moments if len(m) > len(TIMELINE_COLUMNS)]
            moments = [m for m in pending.moments if len(m) == len(TIMELINE_COLUMNS)]
            tx.copy(timeline, TIMELINE_COLUMNS, moments, TIMELINE_TYPES)
            tx.copy(timeline, (*TIMELINE_COLUMNS, "voided_at"), voided)

    def _write_rows(
        self, tx: Transaction, table: str, records: dict[int, Any], first_seen: dict[int, int],
        last_event: dict[int, Event],
    ) -> None:  # fmt: skip
        rows = [self._row(records[k], first, last_event[k])
                for k, first in first_seen.items() if records[k] is not None]  # fmt: skip
        if rows:
            tx.executemany(upsert(table, self.key, list(rows[0]), self.keep_on_update), rows)
        gone = [{"id": str(last_event[k].originator_id)} for k in first_seen if records[k] is None]
        if gone:
            tx.executemany(f"DELETE FROM {table} WHERE {self.key} = %(id)s", gone)

    def _fold(
        self, tx: Transaction, tables: Tables, pending: Pending, record: Any, event: Any,
        position: int, stored_latest: datetime | None,
    ) -> tuple[Any, Any]:  # fmt: skip
        """Folds one event in: calls its handler with the record as it stood just before the
        event took effect, rewrites the account from when it takes effect (closing the states
        it replaces, stored or not), and returns the handler's result and the record as it now
        stands (None if it never began: its first fact was entered in error)."""
        handler = self._handlers[type(event)]
        began = record.began_at if record is not None else event.envelope.effective_at
        since, recorded = in_force_from(event, began), event.timestamp
        latest = record.latest_effective_at if record is not None else None
        rewrite = latest is not None and (since < latest or is_correction(event))
        if rewrite:
            ordered = self._replay_order(event, began)
            at = first = ordered.index(event)
            # Replayed from the first event of that instant: the account (its marks of what
            # happened, too) is rewritten from the instant on.
            while first > 0 and in_force_from(ordered[first - 1], began) == since:
                first -= 1
            start = apply_in_order(None, ordered[:first], began)
            # (applying an event changes the record it is applied to: another replay)
            before = apply_in_order(None, ordered[:at], began) if first < at else start
            later = ordered[first:]
        else:
            start = before = record
            later = [event]
        result = handler(self, before, event, position)
        closing = Closing(tx, tables, pending, self.key, str(event.originator_id), recorded,
                           stored_latest)  # fmt: skip
        if rewrite or since == latest:
            closing.close(self.states, pending.states, since)
        if rewrite and self.parts is not None:
            closing.close(self.parts, pending.parts, since)
        if rewrite and self.marks is not None:
            self._mark_log(closing).close_from(closing.record_id, since, recorded,
                                               stored=stored_latest is not None)  # fmt: skip
        if is_correction(event):
            self._void(closing, event.voided_version)
        current = self._states_from(closing, start, later, began, rewrite)
        if self.timeline is not None and current is not None:
            pending.moments.append(self._moment(event, current))
        return result, current

    def _void(self, closing: Closing, version: int) -> None:
        """From the correction's recording on, a read at a moment no longer replays the fact
        entered in error."""
        if self.timeline is None or closing.pending.void(closing.record_id, version, closing.at):
            return
        closing.tx.execute(
            f"UPDATE {closing.tables[self.timeline]} SET voided_at = %(at)s "
            "WHERE record_id = %(id)s AND version = %(version)s",
            {"at": closing.at, "id": closing.record_id, "version": version},
        )

    def _states_from(
        self, closing: Closing, before: Any, later: list[Any], began: datetime, rewrite: bool
    ) -> Any:
        """Applies `later` to `before`, adding the states (and sets of parts) it goes through.
        A state is kept where the record began, then every `checkpoint_every` versions; the
        states of events that took effect at one instant are one state. A set of parts is kept
        whenever it changes (and where a rewritten account begins)."""
        current, due = before, False
        parts = self._parts_of(before)
        marks = {} if rewrite else self._marks_of(before)  # a rewrite ended them all
        for n, change in enumerate(later):
            happened = self.points(current, change) if self.marks is not None else []
            current = apply_in_order(current, [change], began)
            if current is None:
                continue  # the record's first fact was entered in error: it never began
            moment = in_force_from(change, began)
            if happened:
                log = self._mark_log(closing)
                for point in happened:
                    log.open(self._owner(current), point, moment, closing.at, point=True)
            interval = self.checkpoint_interval(current)
            due = due or moment == began or change.originator_version % interval == 0
            if n + 1 < len(later) and in_force_from(later[n + 1], began) == moment:
                continue
            if due:
                closing.pending.states.append(self._state(current, change, moment, closing.at))
            due = False
            if self.marks is not None:
                marks = self._remark(closing, current, marks, moment)
            if self.parts is not None:
                now = self._parts_of(current)
                if now != parts or (rewrite and n == 0):
                    if not rewrite:  # a set begun at this very moment is replaced
                        closing.close(self.parts, closing.pending.parts, moment)
                    self._add_parts(closing, now, moment)
                parts = now
        return current

    def _mark_log(self, closing: Closing) -> MarkLog:
        table = closing.tables[self.marks or ""]
        changes = closing.pending.mark_changes if table == self.marks else None
        return MarkLog(closing.tx, table, closing.pending.marks, changes)

    def _tally(self, tx: Transaction, pending: Pending) -> None:
        """Governance's tallies count the marks now the account of their moment."""
        # (imported here: the tallies read the measures, which read the read models)
        from projections.tallies import tally

        opened = [(1, row, row["recorded_from"]) for row in pending.marks
                  if row["recorded_to"] is None]  # fmt: skip
        tally(tx, [*opened, *pending.mark_changes])

    def _marks_of(self, record: Any) -> Marks:
        return keyed(self.marks_of(record)) if record is not None and self.marks else {}

    def _remark(self, closing: Closing, record: Any, before: Marks, moment: datetime) -> Marks:
        """Ends the marks the record no longer carries from `moment`, and opens the new ones."""
        now, log = self._marks_of(record), self._mark_log(closing)
        stored = closing.stored_latest is not None
        for key, mark in before.items():
            if now.get(key) != mark:
                log.end(closing.record_id, mark, moment, closing.at, stored)
        for key, mark in now.items():
            if before.get(key) != mark:
                log.open(self._owner(record), mark, moment, closing.at)
        return now

    def _owner(self, record: Any) -> tuple[str, str, str | None]:
        return str(record.id), record.tenant_id, self.person_of(record)

    def _parts_of(self, record: Any) -> dict[str, Row]:
        return self.part_rows(record) if record is not None and self.parts else {}

    def _add_parts(self, closing: Closing, parts: dict[str, Row], moment: datetime) -> None:
        """The record's whole set of parts as of `moment` (a marker row, then each part)."""
        record_id, key = closing.record_id, self.key
        times = {"effective_from": moment, "recorded_from": closing.at, "recorded_to": None}
        marker = dict.fromkeys(self.part_columns)
        for item, row in [(PART_SET, marker), *parts.items()]:
            closing.pending.parts.append({**row, key: record_id, "item_key": item, **times})

    def _replay_order(self, event: Any, began: datetime) -> list[Any]:
        """A record's standing events up to this one, in the order they take effect."""
        events = self.codec.history(event.originator_id, event.originator_version)
        events[-1] = event  # the same event, as this read model received it
        events = standing(events)
        return sorted(events, key=lambda e: (in_force_from(e, began), e.originator_version))

    def checkpoint_interval(self, record: Any) -> int:
        """Every how many versions a state of this record is kept in full: a power of two, so
        that as it grows with the record, kept states stay at most that many versions apart."""
        return self.checkpoint_every

    def _moment(self, event: Any, record: Any) -> list[Any]:
        since = in_force_from(event, record.began_at)
        return [str(event.originator_id), event.originator_version, since, event.timestamp,
                record.latest_effective_at]  # fmt: skip

    def _row(self, record: Any, first_position: int, last_event: Event) -> Row:
        row = self.row(record, first_position, last_event)
        if self.keeps_state:
            row["aggregate_state"] = self.codec.encode(record)
        return row

    def _state(self, record: Any, event: Event, since: datetime, recorded: datetime) -> Row:
        row = self.row(record, 0, event)
        if "aggregate_state" in self.state_columns:
            row["aggregate_state"] = self.codec.encode(record)
        state = {column: row[column] for column in self.state_columns}
        state.update(effective_from=since, recorded_from=recorded, recorded_to=None)
        return state

    def row(self, record: Any, first_position: int, last_event: Event) -> Row:
        """The row for a record as it now stands, but for its `aggregate_state` (added here);
        `first_position` is where this batch first touched it (its creation, when the row is
        new)."""
        raise NotImplementedError

    def part_rows(self, record: Any) -> dict[str, Row]:
        """The record's parts as `parts` keeps them, by item key (`part_columns` each)."""
        raise NotImplementedError

    def write_more(self, tx: Transaction, tables: Tables, produced: Sequence[Any]) -> None:
        """Writes what the handlers returned (nothing, unless a subclass says otherwise)."""

    def marks_of(self, record: Any) -> list[Mark]:
        """The marks the record carries as it stands (with `marks`)."""
        return []

    def points(self, before: Any, event: Event) -> list[Mark]:
        """The marks of what happened when this event took effect, given the record just
        before it (None for its first event) (with `marks`)."""
        return []

    def person_of(self, record: Any) -> str | None:
        """Whose record it is, for the marks' scope (None: a record about a service)."""
        return getattr(record, "person_id", None)
