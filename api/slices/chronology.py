"""A person's chronology: every fact recorded about them, of every kind of record, in order of
when it took effect, each marked if it was recorded late or was known by then to be entered in
error."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    Actor,
    AsKnownAt,
    AsOf,
    PersonId,
    Position,
    aware,
    describe_values,
    moment,
    optional_id,
    record_id,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, check_page_size, connection, decode_cursor
from api.payloads import EventPayload, payload_object
from domain.catalogue import DECLARED
from domain.errors import RulesViolated, Violation
from projections.base import Row, Transaction
from projections.chronology import Chronology, chronology_page, position_in

ContextInfo = Info[Context, None]
CURSOR = "chronology"
# Whoever reads a chronology reads every kind of record about a person in it.
READERS = readers_of(*(kind.aggregate for kind in DECLARED if kind.person is not None))


def _constant(name: str) -> str:
    """A record type's name as an enum value's: SupportPlan -> SUPPORT_PLAN."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


if TYPE_CHECKING:  # an enum built at run time is no type to a type checker
    RecordType = Enum
else:
    RecordType = strawberry.enum(
        Enum("RecordType", {_constant(kind.name): kind.name for kind in DECLARED}),
        description="A kind of record Stepwise keeps",
    )
    describe_values(RecordType, {
        "ASSESSMENT": "A strengths-led assessment of a person",
        "EVIDENCE_NOTE": "A note of evidence towards a person's outcome",
        "INCIDENT": "An incident involving a person, and what was learned from it",
        "PERSON": "A person supported: who they are and which service supports them",
        "PROVIDER_POLICY": "The provider's own settings and techniques (one per provider)",
        "RESTRICTION": "A restriction of a person's rights or freedom",
        "RISK_DECISION": "A positive risk-taking decision",
        "SERVICE_PRACTICE": "A service's own settings (one per service)",
        "STAFF_MEMBER": "A member of staff: induction, supervision and sign-offs",
        "SUPPORT_PLAN": "A person's living support plan (one per person)",
        "WEBHOOK": "A webhook the provider registered",
    })  # fmt: skip


@strawberry.type(description="Where to read a record in full")
class RecordLink:
    record_type: RecordType = strawberry.field(description="The kind of record")
    record_id: strawberry.ID = strawberry.field(
        description="The record: pass it to the query for its kind, or to auditTrail"
    )


@strawberry.type(description="One fact recorded about a person, in their chronology")
class ChronologyEntry:
    position: Position = strawberry.field(description="Its place in the global log")
    record_type: RecordType = strawberry.field(description="The kind of record it belongs to")
    record_id: strawberry.ID = strawberry.field(description="The record it belongs to")
    version: int = strawberry.field(description="The record's version it wrote")
    event_type: str = strawberry.field(description="What happened, e.g. Restriction.Imposed")
    effective_at: datetime = strawberry.field(description="When it happened or took effect")
    recorded_at: datetime = strawberry.field(description="When it was recorded")
    actor: Actor = strawberry.field(description="Who recorded it")
    reason: str | None = strawberry.field(description="Why, as they said")
    causation_id: strawberry.ID | None = strawberry.field(
        description="The event it followed from, as <recordId>/<version>"
    )
    correlation_id: strawberry.ID = strawberry.field(description="The request that recorded it")
    late_entry: bool = strawberry.field(
        description="Recorded longer after it took effect than the provider's threshold "
        "(STEPWISE_LATE_ENTRY_HOURS, 24 by default)"
    )
    late_by_hours: float = strawberry.field(
        description="For a late entry, how many hours after it took effect it was recorded; "
        "otherwise 0"
    )
    corrected: bool = strawberry.field(
        description="Marked as entered in error by asKnownAt (its correction is an entry too)"
    )
    corrected_at: datetime | None = strawberry.field(
        description="When it was marked as entered in error, if it was by asKnownAt"
    )
    payload: EventPayload = strawberry.field(
        description="Its facts, as the change feed publishes them for its type"
    )
    record: RecordLink = strawberry.field(description="The record it belongs to, to read it")

    @classmethod
    def from_row(cls, row: Row, known_at: datetime, late_after: timedelta) -> ChronologyEntry:
        effective, recorded = when(row["effective_at"]), when(row["recorded_at"])
        late = recorded - effective > late_after
        voided = when(row["voided_at"]) if row["voided_at"] is not None else None
        corrected = voided is not None and voided <= known_at
        kind = RecordType(row["record_type"])
        return cls(
            position=Position(int(row["position"])), record_type=kind,
            record_id=strawberry.ID(row["record_id"]), version=row["version"],
            event_type=row["event_type"], effective_at=effective, recorded_at=recorded,
            actor=Actor.from_row(row), reason=row["reason"],
            causation_id=optional_id(row["causation_id"]),
            correlation_id=strawberry.ID(row["correlation_id"]), late_entry=late,
            late_by_hours=round((recorded - effective) / timedelta(hours=1), 2) if late else 0.0,
            corrected=corrected, corrected_at=voided if corrected else None,
            payload=payload_object(row["event_type"], json.loads(row["payload"])),
            record=RecordLink(record_type=kind, record_id=strawberry.ID(row["record_id"])),
        )  # fmt: skip


@strawberry.type(description="A page of a person's chronology, as of a moment")
class PersonChronology(Connection[ChronologyEntry]):
    as_of: datetime = strawberry.field(description="Entries took effect by then (and by `to`)")
    as_known_at: datetime = strawberry.field(description="...as recorded by then")


async def person_chronology(
    info: ContextInfo,
    person_id: PersonId,
    from_: Annotated[datetime | None, strawberry.argument(
        name="from", description="Entries that took effect from then (default: any)")] = None,
    to: Annotated[datetime | None, strawberry.argument(
        description="Entries that took effect by then (default: asOf)")] = None,
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
    record_types: Annotated[list[RecordType] | None, strawberry.argument(
        description="Only entries of these kinds of record (default: every kind)")] = None,
    first: First = 50,
    after: After = None,
) -> PersonChronology:  # fmt: skip
    check_page_size(first)
    start = decode_cursor(CURSOR, after)
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    since, until = aware(from_, "from"), min(aware(to, "to") or at.as_of, at.as_of)
    if since is not None and since > until:
        message = "`from` must not be after `to` (nor after asOf)"
        raise RulesViolated([Violation("input.date.range", "from", message)])
    kinds = [kind.value for kind in record_types] if record_types is not None else None

    def page(tx: Transaction) -> list[Row]:
        resume = position_in(tx, person, start) if start else None
        if start and resume is None:
            message = "this cursor was not issued by this list"
            raise RulesViolated([Violation("input.cursor.invalid", "after", message)])
        return chronology_page(tx, person, effective_from=since, effective_to=until,
                               known_at=at.as_known_at, record_types=kinds, after=resume,
                               first=first)  # fmt: skip

    rows = await info.context.read_person("personChronology", person, page, Chronology.name)
    late_after = timedelta(hours=info.context.runtime.settings.late_entry_hours)

    def entry(row: Row) -> ChronologyEntry:
        return ChronologyEntry.from_row(row, at.as_known_at, late_after)

    found = connection(rows or [], first, after, CURSOR, lambda row: row["position"], entry)
    return PersonChronology(edges=found.edges, page_info=found.page_info, as_of=at.as_of,
                            as_known_at=at.as_known_at)  # fmt: skip


@strawberry.type
class Query:
    person_chronology: PersonChronology = strawberry.field(
        resolver=person_chronology,
        description="Everything recorded about a person, of every kind of record (or of those "
        "asked for), oldest effective first: each fact with who recorded it, when and why, "
        "whether it was recorded late, and whether it was known by asKnownAt to be entered in "
        "error (its correction is an entry too)",
        extensions=readable_by(READERS),
    )
