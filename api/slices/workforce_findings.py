"""Where a service's records and its workforce records disagree, at any moment: practice written
without a current sign-off in the technique it relies on, supervision follow-ups agreed at
induction and not honoured, and records written by integration clients rather than staff.
Each finding names the records behind it."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import AsKnownAt, AsOf, MomentFields, ServiceId, moment, shown_technique, when
from api.context import Context
from api.pagination import After, Connection, First, listed
from api.slices.chronology import RecordType
from domain.staff import StaffMember as StaffRecord
from projections.base import Row, Transaction
from projections.practice import (
    SHOWN_AT_MOST,
    Practice,
    unsigned_practice,
    written_by_non_staff,
)
from projections.staff import Staff, workforce
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

    def found(tx: Transaction) -> list[WorkforceFinding]:
        return (_unsigned(unsigned_practice(tx, tenant, service, at), at)
                + _follow_ups(workforce(tx, tenant, service, None, at), at)
                + _not_staff(written_by_non_staff(tx, tenant, service, at), at))  # fmt: skip

    findings = await info.context.read(found, Practice.name, Staff.name)
    page, shown = listed(findings, first, after, "workforceFindings", lambda finding: finding)
    named = [(r.person_id, r.record_id) for finding in shown for r in finding.records]
    info.context.log_reads("workforceFindings", tenant, named)
    return page


def _unsigned(groups: list[Row], at: Moment) -> list[WorkforceFinding]:
    return [_of_writes(group, WorkforceFindingKind.UNSIGNED_PRACTICE, at,
                       f"{group['writer_name']} wrote {group['records']} plan change(s) or "
                       f"evidence note(s) relying on {shown_technique(group['technique'])} "
                       "without a current sign-off in it")
            for group in groups]  # fmt: skip


def _follow_ups(staff: list[Row], at: Moment) -> list[WorkforceFinding]:
    findings = []
    for row in staff:
        document = json.loads(row["document"])
        held = [date.fromisoformat(s["heldOn"]) for s in document["supervisions"]]
        for entry in document["induction"]:
            agreed = entry.get("followUpOn")
            if agreed is None or date.fromisoformat(agreed) >= at.as_of.date():
                continue
            agreed_on, since = date.fromisoformat(agreed), date.fromisoformat(entry["on"])
            if any(since <= day <= agreed_on for day in held):
                continue
            findings.append(WorkforceFinding(
                kind=WorkforceFindingKind.FOLLOW_UP_NOT_HONOURED,
                staff_id=strawberry.ID(row["staff_id"]), name=row["name"], technique=None,
                detail=f"{row['name']}'s supervision follow-up agreed at induction for "
                f"{agreed} passed with no supervision held by then",
                record_count=1, records=[_staff_record(row)], **MomentFields.of(at),
            ))  # fmt: skip
    return findings


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
