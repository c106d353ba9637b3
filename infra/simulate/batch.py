"""A batch of commands decided in memory and stored in one transaction.

Each command takes the path `CareRecords.execute` takes (authorise, find or create, check the
service, seal the envelope, decide), but the records it reads or writes are kept here between
commands: the next command on the same plan acts on the same record, with what the last one
decided. `save` stores every event decided since the last save in one transaction, in the order
the commands were run, and snapshots each plan that crossed its snapshot interval, as
`CareRecords` does after a command.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, DomainEvent, Snapshot

from domain.care_records import CareRecords
from domain.commands import Command, NewIds
from domain.deciding import Declared, decide, parse_id
from domain.envelope import CommandContext, Envelope
from domain.errors import DomainError, RecordNotFound
from domain.timeline import InForce, in_force_from

A = TypeVar("A", bound=Aggregate)


class Refused(Exception):
    """The simulation asked for something the rules refuse: a fault in the generator."""


@dataclass(frozen=True)
class Done:
    """What a command decided: its record and the part it created in it, if any."""

    record_id: str
    part_id: str | None


class Batch(Declared):
    """Records as one provider sees them while the batch's commands are decided (the
    `Records` that registrations find and create records through).

    With `overlap`, each save runs on a thread of its own while the next batch is decided:
    a read of a record still being saved waits for that save, and so does the next save.
    """

    def __init__(
        self,
        records: CareRecords,
        tenant_id: str,
        limit: int = 2_000,
        saved: Callable[[int], None] | None = None,
        overlap: bool = False,
    ) -> None:
        self.records = records
        self.tenant_id = tenant_id
        self.limit = limit  # events decided before they are saved
        self.saved = saved  # told how many events each save stored
        self.saves = 0
        self._touched: dict[UUID, Aggregate] = {}
        self._read: set[UUID] = set()  # touched records a command looked up, worth keeping
        self._absent: set[UUID] = set()
        self._saved_at: dict[UUID, int] = {}  # each record's version when last stored or read
        self._events: list[DomainEvent] = []
        self._ids: dict[str, UUID] = {}  # ids as commands give them, parsed
        self._unsaved: set[UUID] = set()  # records with events decided and not yet saved
        self._writer = ThreadPoolExecutor(1, "simulate-save") if overlap else None
        self._saving: Future[None] | None = None
        self._in_flight: set[UUID] = set()

    @property
    def pending(self) -> int:
        return len(self._events)

    # -- what registrations ask of the records --------------------------------------------------

    def owned(self, kind: type[A], record_id: object, field: str, missing: str = "") -> A:
        uuid = record_id if isinstance(record_id, UUID) else self._parsed(str(record_id), field)
        record: Any = self._touched.get(uuid)
        if record is None:
            try:
                record = self._take(uuid)
            except AggregateNotFoundError:
                raise RecordNotFound(kind.__name__, record_id, missing) from None
        found = self.checked(kind, record, record_id, missing)
        self._read.add(uuid)
        return found

    def exists(self, record_id: UUID) -> bool:
        if record_id in self._touched:
            return True
        if record_id in self._absent:
            return False
        self._wait(record_id)
        if self.records.recorder.select_events(record_id, limit=1):
            return True
        self._absent.add(record_id)  # nothing else writes while the simulation runs
        return False

    def found(self, kind: type[A], record_id: UUID, field: str) -> A | None:
        return self.owned(kind, record_id, field) if self.exists(record_id) else None

    def history(self, record_id: UUID) -> list[DomainEvent]:
        self._wait(record_id)
        stored = self.records.repository.event_store.get(record_id)
        unsaved = [event for event in self._events if event.originator_id == record_id]
        return [*cast(list[DomainEvent], list(stored)), *unsaved]

    def about(self, kind: type[A], person_id: str) -> list[A]:
        self.save()  # the log then holds every record this batch has begun
        self._wait()
        ids = self.records.records_about(kind, person_id)
        return [record for record in (self.found(kind, i, "personId") for i in ids) if record]

    def now(self) -> datetime:
        return self.records.clock()

    def _parsed(self, record_id: str, field: str) -> UUID:
        uuid = self._ids.get(record_id)
        if uuid is None:
            uuid = self._ids[record_id] = parse_id(record_id, field)
        return uuid

    # -- commands -------------------------------------------------------------------------------

    def run(self, context: CommandContext, command: Command) -> Done:
        """Decides one command as `CareRecords.execute` would, without storing it yet."""
        try:
            done = self._decide(context, command)
        except DomainError as refused:
            when = context.effective_at.isoformat() if context.effective_at else "now"
            raise Refused(
                f"{command.command_name()} by {context.actor.name} ({context.actor.role.value}) "
                f"at {when} was refused: {refused}\n{command!r}"
            ) from refused
        if self.pending >= self.limit:
            self.save()
        return done

    def _decide(self, context: CommandContext, command: Command) -> Done:
        registration = self.records.registry.authorise(
            context.actor, type(command), writes_granted=context.writes_granted
        )
        ids = NewIds(context.tenant_id, context.idempotency_key)

        def seal(service_id: str | None, causation_id: str | None = None) -> Envelope:
            return self._seal(context, service_id, causation_id)

        record, *others = decide(self, registration, context, command, ids, seal)
        for changed in (*others, record):
            if changed.pending_events:
                self._keep(changed)
        return Done(str(record.id), ids.part_id)

    def _seal(
        self, context: CommandContext, service_id: str | None, causation_id: str | None = None
    ) -> Envelope:
        return Envelope.seal(context, service_id=service_id, now=self.records.clock(),
                             skew=self.records.clock_skew, causation_id=causation_id)  # fmt: skip

    def _take(self, record_id: UUID) -> Aggregate:
        self._wait(record_id)
        record = self.records.load(record_id)
        self._touched[record_id] = record
        self._saved_at[record_id] = record.version
        return record

    def _keep(self, record: Aggregate) -> None:
        decided = cast(list[DomainEvent], record.collect_events())
        if record.id not in self._touched:
            self._touched[record.id] = record
            self._saved_at[record.id] = record.version - len(decided)
            self._absent.discard(record.id)
        _fold_times(record, decided)
        self._events.extend(decided)
        self._unsaved.add(record.id)

    # -- storing --------------------------------------------------------------------------------

    def save(self) -> None:
        """Stores what was decided since the last save in one transaction (on the writer
        thread, with `overlap`). Records no command looked up (an evidence note, once
        written) are forgotten, so memory stays flat."""
        events, self._events = self._events, []
        self._unsaved.clear()
        self._wait()
        if not events:
            return
        crossed = [record_id for record_id, record in self._touched.items()
                   if self._crossed_snapshot_interval(record_id, record)]  # fmt: skip
        for record_id, record in list(self._touched.items()):
            self._saved_at[record_id] = record.version
            if record_id not in self._read:
                del self._touched[record_id], self._saved_at[record_id]
        if self._writer is None:
            self._store(events, crossed)
            return
        self._in_flight = {event.originator_id for event in events}
        self._saving = self._writer.submit(self._store, events, crossed)

    def forget(self) -> None:
        """Lets go of the records kept (between people, whose records never meet), but for
        those with events not yet saved."""
        for record_id in set(self._touched) - self._unsaved:
            del self._touched[record_id], self._saved_at[record_id]
        for kept in (self._read, self._absent, self._ids):
            kept.clear()

    def close(self) -> None:
        """Saves what is left and waits until it is stored."""
        try:
            self.save()
            self._wait()
        finally:
            if self._writer is not None:
                self._writer.shutdown()

    def _wait(self, record_id: UUID | None = None) -> None:
        if self._saving is None or (record_id is not None and record_id not in self._in_flight):
            return
        saving, self._saving, self._in_flight = self._saving, None, set()
        saving.result()

    def _crossed_snapshot_interval(self, record_id: UUID, record: Aggregate) -> bool:
        interval = self.records.snapshot_every.get(type(record))
        if not interval:
            return False
        return record.version // interval != self._saved_at[record_id] // interval

    def _store(self, events: list[DomainEvent], crossed: list[UUID]) -> None:
        self.records.save(*events)
        self.saves += 1
        if crossed and self.records.snapshots is not None:
            # Like `CareRecords._keep_snapshot`: the record as in force, loaded once stored.
            taken = [Snapshot.take(self.records.load(record_id)) for record_id in crossed]
            self.records.snapshots.put(taken)
        if self.saved:
            self.saved(len(events))


def _fold_times(record: Aggregate, events: list[DomainEvent]) -> None:
    """Keeps the record's own times as a replay would set them (domain.timeline), so the next
    command is decided on the record exactly as loading it would give."""
    if not events or not isinstance(record, InForce):
        return
    began = record.began_at or cast(datetime, cast(Any, events[0]).envelope.effective_at)
    latest = record.latest_effective_at
    for event in events:
        moment = in_force_from(event, began)
        latest = moment if latest is None or moment > latest else latest
    record.began_at, record.latest_effective_at = began, latest
