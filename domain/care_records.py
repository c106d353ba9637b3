"""CareRecords: the one event-sourced application, for every kind of record.

One application (one event store) gives one total order: the change feed's cursor, the audit
chain and every projection's position are all the same number. Every command takes one path,
`execute`: authorise, answer a retry from its receipt, find the record, check the version the
caller decided on, decide, save, and say what was written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar, cast, runtime_checkable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate, DomainEvent, Snapshot
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    Notification,
    OperationalError,
    Recording,
)
from eventsourcing.utils import Environment, EnvType

from domain import catalogue
from domain.commands import Command, NewIds, Registration, Registry
from domain.deciding import Scope, decide
from domain.envelope import CommandContext, Envelope
from domain.errors import (
    DomainError,
    IdempotencyKeyReused,
    NothingWritten,
    OutcomeUnknown,
    VersionConflict,
)
from domain.receipts import Receipt
from domain.record_cache import RecordCache, RecordsChanged, consulted_now, consulting
from domain.timeline import OutOfOrder, replay
from domain.topics import stored_names
from domain.transcodings import register_domain_transcodings

A = TypeVar("A", bound=Aggregate)
logger = logging.getLogger(__name__)


@runtime_checkable
class Ledger(Protocol):
    """What Stepwise's recorders add to the library's (see infra.event_store)."""

    def find_receipt(self, tenant_id: str, key: str) -> Receipt | None: ...

    def position_of(self, record_id: UUID, version: int) -> int | None: ...

    def select_stream(self, record_id: UUID, after: int, limit: int) -> list[Notification]: ...

    def select_positions(self, positions: Sequence[int]) -> list[Notification]: ...

    def changed_since(self, consulted: Mapping[UUID, int]) -> list[UUID]: ...


# Where the person index stands: the ids of a person's records of a kind it holds, and the
# log position it is up to date with (see infra.bootstrap).
PersonIndex = Callable[[str, str], tuple[list[str], int]]
LAST_POSSIBLE_POSITION = 2**63 - 1  # notification ids are 64-bit signed integers
RECORD_CACHE_SIZE = "RECORD_CACHE_SIZE"  # how many records the cache keeps (0 or unset: none)
COMMAND_ATTEMPTS = 5  # decisions of one command while the records it read keep changing


class Undecodable(Exception):
    """A stored event that cannot be turned back into a domain event (its bytes or its topic
    are not what this code can read); `before` holds the events of the read that preceded it."""

    def __init__(
        self, position: int, topic: str, before: list[tuple[int, DomainEvent]], error: Exception
    ) -> None:
        self.position = position
        self.topic = topic
        self.before = before
        super().__init__(f"cannot decode the {topic} event at position {position}: {error}")


@dataclass(frozen=True)
class Written:
    """What a command stored: the record, its new version, and its place in the global log."""

    record_id: str
    version: int
    position: int
    part_id: str | None = None  # an outcome or step the command created inside the record


@contextmanager
def nothing_sent() -> Iterator[None]:
    """The store lost while a write reads what it needs (its receipt, its records): nothing has
    been sent to be written, so the caller may safely retry."""
    try:
        yield
    except (OperationalError, InterfaceError) as lost:
        raise NothingWritten(str(lost)) from lost


class CareRecords(Application[UUID]):
    """Records of people supported, their assessments and their support plans."""

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        clock_skew: timedelta = timedelta(minutes=2),
    ) -> None:
        super().__init__(env)
        if not isinstance(self.recorder, Ledger):
            raise TypeError("CareRecords needs one of the recorders in infra.event_store")
        self.ledger: Ledger = self.recorder
        self.clock = clock or (lambda: datetime.now(UTC))
        self.clock_skew = clock_skew
        self.registry: Registry = catalogue.REGISTRY
        # A living plan gathers events for years; snapshots keep loading it cheap. They are
        # taken here rather than by the library, which would snapshot the record as folded in
        # version order, not in force (see domain.timeline).
        self.snapshot_every: dict[type[Aggregate], int] = catalogue.SNAPSHOT_EVERY
        self.saved_listeners: list[Callable[[int], None]] = []
        self.person_index: PersonIndex | None = None
        size = int(self.env.get(RECORD_CACHE_SIZE) or 0)
        self.cache = RecordCache(size) if size > 0 else None

    def construct_repository(self) -> Repository[UUID]:
        # Records are kept in memory by domain.record_cache, not the library's cache, which
        # brings a kept record up to date in place while others may be copying it.
        return Repository(event_store=self.events, snapshot_store=self.snapshots)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only what Stepwise derives from its settings: the library's own version merges
        os.environ, where a stray (or prefixed) key would silently win."""
        derived = dict(type(self).env)
        derived["IS_SNAPSHOTTING_ENABLED"] = "y"
        derived.update(env or {})
        # With these database functions a follower can miss events under concurrent writers.
        derived["POSTGRES_ENABLE_DB_FUNCTIONS"] = "n"
        derived.pop(f"{name.upper()}_POSTGRES_ENABLE_DB_FUNCTIONS", None)
        return Environment(name, derived)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # -- commands -----------------------------------------------------------------------------

    def execute(self, context: CommandContext, command: Command) -> Written:
        registration = self.registry.authorise(
            context.actor, type(command), writes_granted=context.writes_granted
        )
        requested = Receipt.requested(context, command) if context.idempotency_key else None
        with nothing_sent():
            earlier = self._answer_retry(requested) if requested is not None else None
        if earlier is not None:
            return earlier
        ids = NewIds(context.tenant_id, context.idempotency_key)
        for attempt in range(1, COMMAND_ATTEMPTS + 1):
            # The last attempt reads every record from the store, and a race it loses is
            # answered as a conflict.
            last = attempt == COMMAND_ATTEMPTS
            cached = self.cache is not None and not last
            with consulting() if cached else nullcontext():
                try:
                    return self._attempt(registration, context, command, requested, ids, last)
                except RecordsChanged as changed:
                    if self.cache is not None:
                        self.cache.forget(changed.record_ids)  # and decide again on the store's
                    logger.debug("deciding again: %s", changed)
        raise AssertionError("the last attempt answers or raises")

    def _attempt(
        self,
        registration: Registration,
        context: CommandContext,
        command: Command,
        requested: Receipt | None,
        ids: NewIds,
        last: bool,
    ) -> Written:
        try:
            with nothing_sent():
                record, *others = self._decide(registration, context, command, ids)
                # Decided on records taken from the cache: they must still be as they were
                # (one query for them all, where each would otherwise have asked for its own).
                self._check_consulted()
        except DomainError:
            # A refusal decided on records taken from the cache stands only if they are
            # still as they were.
            with nothing_sent():
                self._check_consulted()
            # A concurrent retry of this very request may have been stored since we looked;
            # if so, its effect (not a refusal of the repeat) is the answer.
            if requested is not None and (earlier := self._answer_retry(requested)) is not None:
                return earlier
            raise
        decided_on = record.version - len(record.pending_events)
        receipt = requested.written(record.id, record.version, ids.part_id) if requested else None
        last_event = cast(DomainEvent, record.pending_events[-1])
        changed = [other for other in others if other.pending_events]
        saving = {r.id: (r.version - len(r.pending_events), list(r.pending_events))
                  for r in (*changed, record)}  # fmt: skip
        try:
            recordings: list[Recording[UUID]] = self.save(*changed, record, receipt=receipt)
        except IntegrityError:
            if requested is not None and (earlier := self._answer_retry(requested)) is not None:
                return earlier  # a concurrent retry of this very request was stored first
            if not last:
                # Another write was saved first: decide again on what it left, as if this
                # command had come after it (an `expectedVersion` it no longer matches is
                # refused as a conflict then).
                raise RecordsChanged([r.id for r in (*changed, record)]) from None
            actual = self._current_version(record.id)
            raise VersionConflict(record.id, decided_on, actual) from None
        except NothingWritten:
            raise
        except (OperationalError, InterfaceError) as lost:
            return self._after_lost_save(last_event, decided_on, requested, ids, lost)
        if self.cache is not None:
            for record_id, (version, events) in saving.items():
                self.cache.saved(record_id, version, events)
        self._keep_snapshot(record, decided_on)
        position = max(recording.notification.id for recording in recordings)
        return Written(str(record.id), record.version, position, ids.part_id)

    def _check_consulted(self) -> None:
        consulted = consulted_now()
        if consulted and (changed := self.ledger.changed_since(consulted)):
            raise RecordsChanged(changed)

    def load(self, record_id: UUID, kind: type[Aggregate] | None = None) -> Aggregate:
        """A record as it stands now: its events replayed in order of effective time.

        With the record cache (STEPWISE_RECORD_CACHE_SIZE), a command gets a copy of the record
        as kept, checked before its save (domain.record_cache); anyone else gets a record kept
        brought up to date with the events recorded since (one query, usually of no rows).
        Without it, or on first use, it is folded from its latest snapshot; naming a kind that
        is never snapshotted saves asking for one."""
        if self.cache is not None:
            if (copy := self.cache.for_command(record_id)) is not None:
                return copy
            if (kept := self.cache.kept(record_id)) is not None:
                since = list(self.repository.event_store.get(record_id, gt=kept.version))
                if not since:
                    return kept
                with suppress(OutOfOrder):  # events since take effect before what it holds
                    return self._kept(cast(Aggregate, replay(kept, since)))
        if kind is None or kind in self.snapshot_every:
            with suppress(OutOfOrder):
                return self._kept(self.repository.get(record_id, projector_func=replay))
        record = replay(None, self.repository.event_store.get(record_id))
        if record is None:
            raise AggregateNotFoundError(record_id)
        return self._kept(cast(Aggregate, record))

    def _kept(self, record: Aggregate) -> Aggregate:
        if self.cache is not None:
            self.cache.keep(record)
        return record

    def history(
        self, record_id: UUID, up_to_version: int, after_version: int = 0
    ) -> list[DomainEvent]:
        """A record's events after one version and up to another, decoded, in the order they
        were recorded."""
        events = self.repository.event_store.get(record_id, gt=after_version, lte=up_to_version)
        return [cast(DomainEvent, event) for event in events]

    def _keep_snapshot(self, record: Aggregate, decided_on: int) -> None:
        interval = self.snapshot_every.get(type(record))
        if interval is None or self.snapshots is None:
            return
        if record.version // interval == decided_on // interval:
            return
        try:  # the record as in force, which after a late entry is not the one just decided
            self.snapshots.put([Snapshot.take(self.load(record.id))])
        except Exception:
            logger.warning("could not snapshot %s", record.id, exc_info=True)

    def _decide(
        self, registration: Registration, context: CommandContext, command: Command, ids: NewIds
    ) -> list[Aggregate]:
        def seal(service_id: str | None, causation_id: str | None = None) -> Envelope:
            return self._seal(context, service_id, causation_id)

        return decide(Scope(self, context.tenant_id), registration, context, command, ids, seal)

    def _after_lost_save(
        self,
        last_event: DomainEvent,
        decided_on: int,
        requested: Receipt | None,
        ids: NewIds,
        lost: Exception,
    ) -> Written:
        """After a save failed without saying why (the connection was lost, or the database
        aborted the transaction): what the store holds decides the answer. Raises
        OutcomeUnknown if the store cannot be asked either."""
        record_id, version = last_event.originator_id, last_event.originator_version
        try:
            if requested is not None and (earlier := self._answer_retry(requested)) is not None:
                return earlier  # committed after all (or a concurrent retry of it was)
            stored = self.recorder.select_events(record_id, gt=version - 1, lte=version)
            if not stored:
                raise NothingWritten(str(lost)) from lost
            if self.mapper.to_domain_event(stored[0]) != last_event:
                raise VersionConflict(record_id, decided_on, self._current_version(record_id))
            position = self.ledger.position_of(record_id, version) or 0
        except NothingWritten:
            raise
        except (OperationalError, InterfaceError):
            raise OutcomeUnknown(requested.key if requested else None) from lost
        return Written(str(record_id), version, position, ids.part_id)

    def _answer_retry(self, requested: Receipt) -> Written | None:
        stored = self.ledger.find_receipt(requested.tenant_id, requested.key)
        if stored is None:
            return None
        if stored.fingerprint != requested.fingerprint:
            raise IdempotencyKeyReused(requested.key)
        position = self.ledger.position_of(UUID(stored.record_id), stored.version) or 0
        return Written(stored.record_id, stored.version, position, stored.part_id)

    def _seal(
        self, context: CommandContext, service_id: str | None, causation_id: str | None = None
    ) -> Envelope:
        return Envelope.seal(
            context,
            service_id=service_id,
            now=self.clock(),
            skew=self.clock_skew,
            causation_id=causation_id,
        )

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            for listener in self.saved_listeners:
                listener(recordings[-1].notification.id)

    def _current_version(self, record_id: UUID) -> int:
        last = self.recorder.select_events(record_id, desc=True, limit=1)
        return last[0].originator_version if last else 0

    def records_about(self, kind: type[Aggregate], person_id: str) -> list[UUID]:
        """The ids of a person's records of a kind: those the person index holds, and those
        begun in the log since it was last brought up to date (the whole log without one), so
        a record begun a moment ago is not missed."""
        declared = catalogue.record_type_of(kind)
        indexed, after = (
            self.person_index(person_id, declared.name) if self.person_index else ([], 0)
        )
        found = dict.fromkeys(UUID(record_id) for record_id in indexed)
        begun_by = stored_names(declared.begun_by)
        while batch := self.read_log(after, 1_000, begun_by):
            found.update((e.originator_id, None) for _, e in batch
                         if declared.person_of(e) == person_id)  # fmt: skip
            after = batch[-1][0]
        return list(found)

    # -- reading the log ----------------------------------------------------------------------

    def read_log(
        self, after: int, limit: int, topics: Sequence[str] = (), stop: int | None = None
    ) -> list[tuple[int, DomainEvent]]:
        """Events after a position, in global order, decoded; only the given topics, if any."""
        if after >= LAST_POSSIBLE_POSITION:
            return []  # nothing can follow it (and SQLite cannot even be asked)
        notifications = self.recorder.select_notifications(
            start=after + 1, limit=limit, stop=stop, topics=list(topics)
        )
        decoded: list[tuple[int, DomainEvent]] = []
        for notification in notifications:
            try:
                event = cast(DomainEvent, self.mapper.to_domain_event(notification))
            except Exception as error:
                raise Undecodable(notification.id, notification.topic, decoded, error) from error
            decoded.append((notification.id, event))
        return decoded

    def read_at(self, positions: Sequence[int]) -> list[tuple[int, DomainEvent]]:
        """The events at these log positions, in log order, decoded."""
        notifications = self.ledger.select_positions(positions)
        return [(n.id, cast(DomainEvent, self.mapper.to_domain_event(n))) for n in notifications]

    def read_stored(self, first: int, last: int) -> Sequence[Notification]:
        """The log between two positions exactly as stored, undecoded."""
        return self.recorder.select_notifications(start=first, limit=last - first + 1, stop=last)

    def read_stream(self, record_id: UUID, after: int, limit: int) -> list[tuple[int, DomainEvent]]:
        """One record's events after a log position, in order, decoded: its audit trail."""
        notifications = self.ledger.select_stream(record_id, after, limit)
        return [(n.id, cast(DomainEvent, self.mapper.to_domain_event(n))) for n in notifications]

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0
