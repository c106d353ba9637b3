"""How any command is decided, whoever calls it (the application's `execute`, or a batch that
writes many at once): its shape checked, its record found or begun within the caller's reach,
at the version they decided on, then the domain's rules; and what finding a record may ask of
the records, on the caller's behalf."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, DomainEvent

from domain import catalogue
from domain.commands import STAFF, Command, Creation, NewIds, Records, Registration, Seal
from domain.envelope import CommandContext
from domain.errors import Forbidden, RecordNotFound, RulesViolated, VersionConflict, Violation
from domain.person import Person
from domain.record import Record
from domain.shapes import check_shape
from domain.staff import WORKING, StaffMember

if TYPE_CHECKING:
    from datetime import datetime

    from domain.care_records import CareRecords

A = TypeVar("A", bound=Aggregate)


def decide(
    records: Records,
    registration: Registration,
    context: CommandContext,
    command: Command,
    ids: NewIds,
    seal: Seal,
) -> list[Aggregate]:
    """The one way a command is decided, whoever calls it: its shape checked, its record found
    (or begun) within the caller's reach and at the version they decided on, then the domain's
    rules. Returns the records it changes, the one it names first."""
    check_shape(command)
    check_writer(records, context)
    if isinstance(registration, Creation):
        created = registration.create(records, command, seal, ids)
        return list(created) if isinstance(created, tuple) else [created]
    found = registration.find(records, command)
    for service_id in (found.service_id, *found.also_reaches):
        context.check_service(service_id)  # before the record's version is revealed
    record, expected = found.record, context.expected_version
    stored = record.version if record is not None else 0
    if expected is not None and stored != expected:
        raise VersionConflict(record.id if record else None, expected, stored)
    envelope = seal(found.service_id)
    if record is None:
        if registration.start is None:
            raise TypeError(f"{type(command).__name__} found no record and cannot begin one")
        record = registration.start(envelope, command)
    registration.decide(record, envelope, **command.arguments(ids), **found.extra)
    return [record, *found.also_changes]


class Declared:
    """What finding a record may ask of its kind's declaration (domain.record_type), in terms
    of finding records; shared by every `Records`."""

    tenant_id: str

    def checked(self, kind: type[A], record: Any, record_id: object, missing: str) -> A:
        """A record loaded for the caller: of the kind asked for, and of their provider. Another
        provider's record is answered as one that does not exist, word for word, so a write
        cannot be used to learn which ids another provider holds."""
        if not isinstance(record, kind) or getattr(record, "tenant_id", None) != self.tenant_id:
            raise RecordNotFound(kind.__name__, record_id, missing)
        return record

    def owned(self, kind: type[A], record_id: object, field: str, missing: str = "") -> A:
        raise NotImplementedError

    def service_of(self, record: Aggregate) -> str | None:
        declared = catalogue.record_type(record)
        if declared.service is not None:
            return cast(str, getattr(record, declared.service))
        person_id = declared.person_of(record)
        if person_id is None:
            return None
        person = record if isinstance(record, Person) else self.owned(Person, person_id, "personId")
        return person.service_id

    def creation_correctable(self, record: Aggregate) -> bool:
        return catalogue.record_type(record).creation_correctable


class Scope(Declared):
    """Records as one provider may see them while a command is decided."""

    def __init__(self, records: CareRecords, tenant_id: str) -> None:
        self._records = records
        self.tenant_id = tenant_id

    def owned(self, kind: type[A], record_id: object, field: str, missing: str = "") -> A:
        uuid = record_id if isinstance(record_id, UUID) else parse_id(str(record_id), field)
        try:
            record: Any = self._records.load(uuid, None if kind is Record else kind)
        except AggregateNotFoundError:
            raise RecordNotFound(kind.__name__, record_id, missing) from None
        return self.checked(kind, record, record_id, missing)

    def exists(self, record_id: UUID) -> bool:
        return bool(self._records.recorder.select_events(record_id, limit=1))

    def found(self, kind: type[A], record_id: UUID, field: str) -> A | None:
        try:
            return self.owned(kind, record_id, field)
        except RecordNotFound:
            return None

    def history(self, record_id: UUID) -> list[DomainEvent]:
        return [cast(DomainEvent, e) for e in self._records.repository.event_store.get(record_id)]

    def about(self, kind: type[A], person_id: str) -> list[A]:
        found = (self.found(kind, record_id, "personId")
                 for record_id in self._records.records_about(kind, person_id))  # fmt: skip
        return [record for record in found if record is not None]

    def now(self) -> datetime:
        return self._records.clock()


def check_writer(records: Records, context: CommandContext) -> None:
    """Whoever writes in a staff role is a member of the provider's staff, still working there:
    what they write is then attributable to someone whose induction, supervision and sign-offs
    are on record. Integration clients (reported in workforce findings) and the provider's admin
    (who keeps the staff list, so must be able to add its first manager) are not staff."""
    actor = context.actor
    if actor.role not in STAFF:
        return
    staff_id = StaffMember.create_id(context.tenant_id, actor.id)
    staff = records.found(StaffMember, staff_id, "staffId")
    if staff is None:
        raise Forbidden(
            f"{actor.name} ({actor.id}) is not on the provider's staff; a manager or the "
            f"provider's admin records them first with joinStaff(staffId: {actor.id!r})",
            "access.not_staff",
        )
    if staff.status != WORKING:
        raise Forbidden(
            f"{actor.name} ({actor.id}) left the provider's staff on {staff.left_on}; "
            "someone still working there records it",
            "access.staff_left",
        )


def parse_id(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        violation = Violation("input.id.invalid", field, f"{value!r} is not a record id")
        raise RulesViolated([violation]) from None
