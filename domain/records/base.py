"""The shared machinery of the CareRecords application: every command is checked, sealed, saved.

One application (one event store) for every record type gives one total order: the change
feed's cursor, the audit chain and each projection's position are all the same number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording

from domain.envelope import CommandContext, Envelope
from domain.errors import (
    Forbidden,
    RecordNotFound,
    RulesViolated,
    VersionConflict,
    Violation,
)
from domain.permissions import authorise
from domain.person import Person
from domain.transcodings import register_domain_transcodings

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Written:
    """What a command stored: the record, its new version, and its place in the global log."""

    record_id: str
    version: int
    position: int
    part_id: str | None = None  # an outcome or step the command created inside the record


class RecordsApplication(Application[UUID]):
    """The machinery every command shares: authorise, load, check version, seal, save."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        clock_skew: timedelta = timedelta(minutes=2),
    ) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.clock_skew = clock_skew
        self.saved_listeners: list[Callable[[int], None]] = []

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # -- reading the log --------------------------------------------------------------------

    def read_log(self, after: int, limit: int) -> list[tuple[int, DomainEvent]]:
        """Events after a position, in global order, decoded: the change feed and projectors."""
        notifications = self.recorder.select_notifications(start=after + 1, limit=limit)
        return [(n.id, cast(DomainEvent, self.mapper.to_domain_event(n))) for n in notifications]

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- machinery --------------------------------------------------------------------------

    def _change(
        self,
        context: CommandContext,
        command: str,
        kind: type[A],
        record_id: str,
        expected_version: int | None,
        decide: Callable[[A, Envelope], None],
        person: Person | None = None,
    ) -> Written:
        """`person` spares a second load when the caller has the record's person already."""
        authorise(context.actor, command)
        record = self._get_owned(context, kind, record_id)
        if expected_version is not None and record.version != expected_version:
            raise VersionConflict(record.id, expected_version, record.version)
        service_id = person.service_id if person is not None else self._service_of(record)
        decide(record, self._seal(context, service_id))
        return self._save(record, expected_version=record.version - len(record.pending_events))

    def _save(self, record: Aggregate, expected_version: int | None) -> Written:
        try:
            recordings: list[Recording[UUID]] = self.save(record)
        except IntegrityError:
            actual = self._current_version(record.id)
            raise VersionConflict(record.id, expected_version or 0, actual) from None
        return Written(str(record.id), record.version, recordings[-1].notification.id)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            for listener in self.saved_listeners:
                listener(recordings[-1].notification.id)

    def _seal(self, context: CommandContext, service_id: str | None) -> Envelope:
        return Envelope.seal(context, service_id=service_id, now=self.clock(), skew=self.clock_skew)

    def _get_owned(self, context: CommandContext, kind: type[A], record_id: str) -> A:
        field = f"{kind.__name__[0].lower()}{kind.__name__[1:]}Id"
        uuid = parse_id(record_id, field)
        try:
            record: Aggregate = self.repository.get(uuid)
        except AggregateNotFoundError:
            raise RecordNotFound(kind.__name__, record_id) from None
        if not isinstance(record, kind):
            raise RecordNotFound(kind.__name__, record_id)
        if record.tenant_id != context.tenant_id:  # type: ignore[attr-defined]
            raise Forbidden(f"{kind.__name__} {record_id} belongs to another provider")
        return record

    def _service_of(self, record: Any) -> str | None:
        if isinstance(record, Person):
            return record.service_id
        person: Person = self.repository.get(UUID(record.person_id))
        return person.service_id

    def _exists(self, record_id: UUID) -> bool:
        return bool(self.recorder.select_events(record_id, limit=1))

    def _current_version(self, record_id: UUID) -> int:
        last = self.recorder.select_events(record_id, desc=True, limit=1)
        return last[0].originator_version if last else 0


def parse_id(value: str, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        violation = Violation("input.id.invalid", field, f"{value!r} is not a record id")
        raise RulesViolated([violation]) from None
