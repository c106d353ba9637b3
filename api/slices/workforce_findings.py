"""Where a service's records and its workforce records disagree, at any moment: practice written
without a current sign-off in the technique it relies on, supervision follow-ups agreed at
induction and not honoured, and records written by integration clients rather than staff.
Each finding names the records behind it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import AsKnownAt, AsOf, MomentFields, ServiceId, moment, shown_technique, when
from api.context import Context
from api.pagination import After, Connection, First, window, windowed
from api.slices.chronology import RecordType
from domain.staff import StaffMember as StaffRecord
from projections.base import Row, Transaction
from projections.practice import (
    SHOWN_AT_MOST,
    Practice,
    count_unsigned_practice,
    count_written_by_non_staff,
    unsigned_practice,
    written_by_non_staff,
)
from projections.staff import Staff, count_follow_ups_not_honoured, follow_ups_not_honoured
from projections.states import Moment

ContextInfo = Info[Context, None]


@strawberry.enum(description="What a workforce finding is about")
class WorkforceFindingKind(Enum):
    UNSIGNED_PRACTICE = strawberry.enum_value(
        "unsigned_practice",
        description="Plan changes or evidence notes on an outcome relying on a technique the "
        "writer held no current sign-off in that day",
    )
    FOLLOW_UP_NOT_HONOURED = strawberry.enum_value(
        "follow_up_not_honoured",
        description="A supervision follow-up date agreed at induction passed with no "
        "supervision held by then",
    )
    WRITER_NOT_STAFF = strawberry.enum_value(
        "writer_not_staff",
        description="Records written by an integration client, not a member of staff",
    )


@strawberry.type(description="A record behind a finding, at the version it concerns")
class FindingRecord:
    record_type: RecordType = strawberry.field(description="The kind of record")
    record_id: strawberry.ID = strawberry.field(description="The record (see auditTrail)")
    version: int = strawberry.field(description="The version the fact wrote")
    event_type: str = strawberry.field(
        description="What was written, e.g. EvidenceNote.Recorded (a staff record as it stood: "
        "StaffMember)"
    )
    person_id: strawberry.ID | None = strawberry.field(description="Whose record it is")
    outcome_id: strawberry.ID | None = strawberry.field(description="The outcome it is about")
    effective_at: datetime = strawberry.field(description="When it took effect")
    recorded_at: datetime = strawberry.field(description="When it was recorded")

    @classmethod
    def from_row(cls, row: Row) -> FindingRecord:
        person, outcome = row["person_id"], row["outcome_id"]
        return cls(
            record_type=RecordType(row["record_type"]),
            record_id=strawberry.ID(row["record_id"]),
            version=row["version"],
            event_type=row["event_type"],
            person_id=strawberry.ID(person) if person else None,
            outcome_id=strawberry.ID(outcome) if outcome else None,
            effective_at=when(row["effective_at"]),
            recorded_at=when(row["recorded_at"]),
        )


@strawberry.type(description="Where a service's records and its workforce records disagree")
class WorkforceFinding(MomentFields):
    kind: WorkforceFindingKind = strawberry.field(description="What it is about")
    staff_id: strawberry.ID = strawberry.field(
        description="Who: the member of staff, or the integration client, by token subject"
    )
    name: str = strawberry.field(description="Their name")
    technique: str | None = strawberry.field(description="The technique relied on, if any")
    detail: str = strawberry.field(description="What was found, in a sentence")
    record_count: int = strawberry.field(description="How many records are behind it")
    records: list[FindingRecord] = strawberry.field(
        description=f"The records behind it, latest first (at most {SHOWN_AT_MOST}; "
        "recordCount says how many in all)"
    )


async def workforce_findings(
    info: ContextInfo, service_id: ServiceId, first: First = 50, after: After = None,
    as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[WorkforceFinding]:  # fmt: skip
    service = info.context.reached_service("workforceFindings", str(service_id))
    tenant, at = info.context.caller().tenant_id, moment(as_of, as_known_at)
    cut = window(first, after, "workforceFindings")
    findings = await info.context.read(
        lambda tx: findings_of(tx, tenant, service, at, cut.limit, cut.offset),
        Practice.name, Staff.name,
    )  # fmt: skip
    page, shown = windowed(findings, cut, after, "workforceFindings", lambda finding: finding)
    named = [(r.person_id, r.record_id) for finding in shown for r in finding.records]
    info.context.log_reads("workforceFindings", tenant, named)
    return page


def findings_of(
    tx: Transaction, tenant: str, service: str, at: Moment, limit: int | None = None,
    offset: int = 0,
) -> list[WorkforceFinding]:  # fmt: skip
    """The service's findings at the moment, each kind in turn (see `_KINDS`); only `limit` of
    them after the first `offset`, if given: each kind is asked only for what the page takes
    from it, and one the page starts past is only counted."""
    found: list[WorkforceFinding] = []
    for rows_of, count, findings in _KINDS:
        wanted = None if limit is None else limit - len(found)
        if wanted == 0:
            break
        rows = rows_of(tx, tenant, service, at, wanted, offset)
        # A page starting past this kind's findings starts that many fewer into the next kind.
        offset = offset - count(tx, tenant, service, at) if offset and not rows else 0
        found += findings(rows, at)
    return found


def _unsigned(groups: list[Row], at: Moment) -> list[WorkforceFinding]:
    return [_of_writes(group, WorkforceFindingKind.UNSIGNED_PRACTICE, at,
                       f"{group['writer_name']} wrote {group['records']} plan change(s) or "
                       f"evidence note(s) relying on {shown_technique(group['technique'])} "
                       "without a current sign-off in it")
            for group in groups]  # fmt: skip


def _follow_ups(missed: list[Row], at: Moment) -> list[WorkforceFinding]:
    return [WorkforceFinding(
        kind=WorkforceFindingKind.FOLLOW_UP_NOT_HONOURED,
        staff_id=strawberry.ID(row["staff_id"]), name=row["name"], technique=None,
        detail=f"{row['name']}'s supervision follow-up agreed at induction for "
        f"{row['follow_up_on']} passed with no supervision held by then",
        record_count=1, records=[_staff_record(row)], **MomentFields.of(at),
    ) for row in missed]  # fmt: skip


def _not_staff(groups: list[Row], at: Moment) -> list[WorkforceFinding]:
    return [_of_writes(group, WorkforceFindingKind.WRITER_NOT_STAFF, at,
                       f"{group['writer_name']} (an integration client, not on the staff) "
                       f"wrote {group['records']} fact(s) in the service")
            for group in groups]  # fmt: skip


def _of_writes(group: Row, kind: WorkforceFindingKind, at: Moment, detail: str) -> WorkforceFinding:
    return WorkforceFinding(
        kind=kind,
        staff_id=strawberry.ID(group["writer_id"]),
        name=group["writer_name"],
        technique=shown_technique(group.get("technique")),
        detail=detail,
        record_count=group["records"],
        records=[FindingRecord.from_row(row) for row in group["latest"]],
        **MomentFields.of(at),
    )


def _staff_record(row: Row) -> FindingRecord:
    return FindingRecord(
        record_type=RecordType("StaffMember"), record_id=strawberry.ID(row["staff_record_id"]),
        version=row["version"], event_type="StaffMember", person_id=None,
        outcome_id=None, effective_at=when(row["updated_at"]),
        recorded_at=when(row["updated_at"]),
    )  # fmt: skip


# Each kind of finding, in the order listed: its rows a page at a time, how many there are,
# and the findings they make.
RowsOf = Callable[[Transaction, str, str, Moment, int | None, int], list[Row]]
Count = Callable[[Transaction, str, str, Moment], int]
Findings = Callable[[list[Row], Moment], list[WorkforceFinding]]
_KINDS: tuple[tuple[RowsOf, Count, Findings], ...] = (
    (unsigned_practice, count_unsigned_practice, _unsigned),
    (follow_ups_not_honoured, count_follow_ups_not_honoured, _follow_ups),
    (written_by_non_staff, count_written_by_non_staff, _not_staff),
)


@strawberry.type
class Query:
    workforce_findings: Connection[WorkforceFinding] = strawberry.field(
        resolver=workforce_findings,
        description="Where a service's records and its workforce records disagree at a moment: "
        "practice written without a current sign-off in the technique it relies on, "
        "supervision follow-ups agreed at induction and not honoured, records written by "
        "integration clients; each finding names the records behind it. Unsigned practice "
        "first, then follow-ups not honoured, then writers not on the staff",
        extensions=readable_by(readers_of(StaffRecord)),
    )
