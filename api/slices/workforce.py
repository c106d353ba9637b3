"""The workforce of a service: each member of staff with their induction, supervision due and
the techniques they are signed off in, and how well each technique is covered per team; each as
the records stood at any moment, as recorded at any time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import AsKnownAt, AsOf, MomentFields, ServiceId, TeamId, day, moment, plain_text
from api.context import Context
from api.pagination import After, Connection, First, window, windowed
from domain.envelope import RECORD_READERS, Role
from domain.staff import STANDARD_DESCRIPTIONS, STANDARD_TECHNIQUES, InductionPart, Technique
from domain.staff import StaffMember as StaffRecord
from projections.base import Row
from projections.settings import ProviderPolicies, provider_techniques
from projections.staff import Staff, staff_member, workforce
from projections.states import Moment

ContextInfo = Info[Context, None]
READERS = readers_of(StaffRecord)
EXPIRING_WITHIN = timedelta(days=30)


@strawberry.type(description="A technique a member of staff is signed off in, at a moment")
class Competency:
    technique: str = strawberry.field(description="The technique (see `techniques`)")
    signed_off_by: str = strawberry.field(description="Who signed it off")
    evidence: str = strawberry.field(description="The observed practice it rests on")
    signed_off_on: date = strawberry.field(description="When")
    refresher_due: date = strawberry.field(description="It lapses after this day")
    current: bool = strawberry.field(description="Signed off and not lapsed at asOf")
    expired: bool = strawberry.field(description="Lapsed at asOf: past its refresher date")

    @classmethod
    def of(cls, sign_off: dict[str, Any], on: date) -> Competency:
        signed, due = date.fromisoformat(sign_off["signedOffOn"]), date.fromisoformat(
            sign_off["refresherDue"])  # fmt: skip
        return cls(technique=sign_off["technique"].upper(),
                   signed_off_by=sign_off["signedOffBy"], evidence=sign_off["evidence"],
                   signed_off_on=signed, refresher_due=due, current=signed <= on <= due,
                   expired=due < on)  # fmt: skip


@strawberry.type(description="A reflective supervision")
class SupervisionHeld:
    held_on: date = strawberry.field(description="When it was held")
    supervisor: str = strawberry.field(description="Who supervised")
    doing_for_challenged: str = strawberry.field(description='Where "doing for" was challenged')
    restrictive_responses_reviewed: str = strawberry.field(
        description="The restrictive responses reviewed"
    )
    progression_achieved: str = strawberry.field(description="The progression achieved")
    agreed_actions: list[str] = strawberry.field(description="The actions agreed")
    next_due: date = strawberry.field(description="When the next is due")


@strawberry.type(description="A member of staff, as their record stood at a moment")
class StaffMember(MomentFields):
    staff_id: strawberry.ID = strawberry.field(description="The subject their tokens carry")
    name: str = strawberry.field(description="Their name")
    role: Role = strawberry.field(description="Their role")
    service_id: strawberry.ID = strawberry.field(description="The service they work in")
    team_id: strawberry.ID | None = strawberry.field(description="Their team")
    working: bool = strawberry.field(description="On the staff at asOf (false once left)")
    started_on: date = strawberry.field(description="When they started")
    left_on: date | None = strawberry.field(description="When they left")
    induction_completed_on: date | None = strawberry.field(
        description="When their induction was completed"
    )
    induction_missing: list[InductionPart] = strawberry.field(
        description="The parts of the induction not yet recorded"
    )
    supervision_due: date | None = strawberry.field(
        description="When supervision is next due: the last one's next date, or before the "
        "first, the earliest follow-up agreed at induction"
    )
    supervision_days_overdue: int = strawberry.field(
        description="Days past that date at asOf; 0 if not overdue"
    )
    last_supervision: SupervisionHeld | None = strawberry.field(
        description="Their last supervision by asOf"
    )
    competencies: list[Competency] = strawberry.field(
        description="Each technique they were signed off in, current or lapsed at asOf"
    )
    version: int = strawberry.field(description="The record's version then")

    @classmethod
    def from_row(cls, row: Row, at: Moment) -> StaffMember:
        document = json.loads(row["document"])
        on = at.as_of.date()
        due = day(document["supervisionDue"])
        held = sorted(document["supervisions"], key=lambda s: s["heldOn"])
        recorded = {entry["part"] for entry in document["induction"]}
        last = held[-1] if held else None
        return cls(
            staff_id=strawberry.ID(row["staff_id"]), name=row["name"], role=Role(row["role"]),
            service_id=strawberry.ID(row["service_id"]),
            team_id=strawberry.ID(row["team_id"]) if row["team_id"] else None,
            working=row["status"] == "working",
            started_on=date.fromisoformat(document["startedOn"]),
            left_on=day(document["leftOn"]),
            induction_completed_on=day(document["inductionCompletedOn"]),
            induction_missing=[part for part in InductionPart if part.value not in recorded],
            supervision_due=due,
            supervision_days_overdue=max(0, (on - due).days) if due else 0,
            last_supervision=SupervisionHeld(
                held_on=date.fromisoformat(last["heldOn"]), supervisor=last["supervisor"],
                doing_for_challenged=last["doingForChallenged"],
                restrictive_responses_reviewed=last["restrictiveResponsesReviewed"],
                progression_achieved=last["progressionAchieved"],
                agreed_actions=last["agreedActions"],
                next_due=date.fromisoformat(last["nextDue"])) if last else None,
            competencies=[Competency.of(s, on) for s in document["signOffs"]],
            version=row["version"], **MomentFields.of(at),
        )  # fmt: skip


@strawberry.type(description="How well a technique is covered in a team at a moment")
class TechniqueCoverage:
    technique: str = strawberry.field(description="The technique (see `techniques`)")
    current: int = strawberry.field(description="Staff signed off and not lapsed")
    expiring_within_30_days: int = strawberry.field(
        description="Of those, staff whose refresher falls due within 30 days"
    )
    expired: int = strawberry.field(description="Staff whose sign-off has lapsed")
    never: int = strawberry.field(description="Staff never signed off in it")


@strawberry.type(description="A team's competence coverage at a moment")
class TeamCoverage(MomentFields):
    service_id: strawberry.ID = strawberry.field(description="The service")
    team_id: strawberry.ID | None = strawberry.field(description="The team (null: no team)")
    staff: int = strawberry.field(description="Staff working in the team at asOf")
    techniques: list[TechniqueCoverage] = strawberry.field(description="Each technique")


async def staff(
    info: ContextInfo,
    staff_id: Annotated[strawberry.ID, strawberry.argument(
        description="The member of staff, by the subject (sub claim) their tokens carry")],
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> StaffMember | None:  # fmt: skip
    subject, at = plain_text(str(staff_id), "staffId"), moment(as_of, as_known_at)
    caller = info.context.caller()
    row = await info.context.read(lambda tx: staff_member(tx, caller.tenant_id, subject, at),
                                  Staff.name)  # fmt: skip
    if row is None or not caller.reaches(caller.tenant_id, row["service_id"]):
        return None  # another service's staff read as absent, like another provider's
    info.context.log_reads("staffMember", caller.tenant_id, [(None, row["staff_record_id"])])
    return StaffMember.from_row(row, at)


@strawberry.type(description="A technique staff are signed off in and outcomes rely on")
class TechniqueKnown:
    technique: str = strawberry.field(description="Its name, as inputs take it")
    description: str = strawberry.field(description="What it is")
    standard: bool = strawberry.field(description="One every provider has (not the provider's own)")


async def techniques(
    info: ContextInfo, as_of: AsOf = None, as_known_at: AsKnownAt = None
) -> list[TechniqueKnown]:
    """The standard techniques and the provider's own, at the moment."""
    tenant, at = info.context.caller().tenant_id, moment(as_of, as_known_at)
    own = await info.context.read(lambda tx: provider_techniques(tx, tenant, at),
                                  ProviderPolicies.name)  # fmt: skip
    standard = [TechniqueKnown(technique=t.name, description=STANDARD_DESCRIPTIONS[t],
                               standard=True) for t in Technique]  # fmt: skip
    return standard + [TechniqueKnown(technique=key.upper(), description=text, standard=False)
                       for key, text in sorted(own.items())]  # fmt: skip


async def workforce_status(
    info: ContextInfo, service_id: ServiceId, team_id: TeamId = None, first: First = 50,
    after: After = None, as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[StaffMember]:  # fmt: skip
    field = "workforceStatus"
    tenant, service, team, at = _asked(info, field, service_id, team_id, as_of, as_known_at)
    cut = window(first, after, field)
    rows = await info.context.read(
        lambda tx: workforce(tx, tenant, service, team, at, cut.limit, cut.offset), Staff.name
    )
    page, shown = windowed(rows, cut, after, field, lambda row: StaffMember.from_row(row, at))
    _log(info, field, shown)
    return page


async def competency_coverage(
    info: ContextInfo, service_id: ServiceId, team_id: TeamId = None, as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> list[TeamCoverage]:  # fmt: skip
    rows, at = await _workforce(info, "competencyCoverage", service_id, team_id, as_of,
                                as_known_at)  # fmt: skip
    _log(info, "competencyCoverage", rows)  # every member of staff is counted
    tenant = info.context.caller().tenant_id
    own = await info.context.read(lambda tx: provider_techniques(tx, tenant, at),
                                  ProviderPolicies.name)  # fmt: skip
    teams: dict[str | None, list[StaffMember]] = {}
    for row in rows:
        teams.setdefault(row["team_id"], []).append(StaffMember.from_row(row, at))
    soon = at.as_of.date() + EXPIRING_WITHIN
    held = {c.technique for m in _members(teams) for c in m.competencies}
    kinds = sorted({t.upper() for t in STANDARD_TECHNIQUES | set(own)} | held)
    return [TeamCoverage(service_id=service_id, team_id=strawberry.ID(team) if team else None,
                         staff=len(members),
                         techniques=[_coverage(kind, members, soon) for kind in kinds],
                         **MomentFields.of(at))
            for team, members in teams.items()]  # fmt: skip


def _members(teams: dict[str | None, list[StaffMember]]) -> list[StaffMember]:
    return [member for members in teams.values() for member in members]


def _coverage(technique: str, members: list[StaffMember], soon: date) -> TechniqueCoverage:
    held = [next((c for c in m.competencies if c.technique == technique), None) for m in members]
    current = [c for c in held if c is not None and c.current]
    return TechniqueCoverage(
        technique=technique, current=len(current),
        expiring_within_30_days=sum(1 for c in current if c.refresher_due <= soon),
        expired=sum(1 for c in held if c is not None and c.expired),
        never=sum(1 for c in held if c is None),
    )  # fmt: skip


async def _workforce(
    info: ContextInfo, field: str, service_id: strawberry.ID, team_id: strawberry.ID | None,
    as_of: datetime | None, as_known_at: datetime | None,
) -> tuple[list[Row], Moment]:  # fmt: skip
    """Everyone who worked in the service (and team) at the moment."""
    tenant, service, team, at = _asked(info, field, service_id, team_id, as_of, as_known_at)
    rows = await info.context.read(lambda tx: workforce(tx, tenant, service, team, at),
                                   Staff.name)  # fmt: skip
    return rows, at


def _asked(
    info: ContextInfo, field: str, service_id: strawberry.ID, team_id: strawberry.ID | None,
    as_of: datetime | None, as_known_at: datetime | None,
) -> tuple[str, str, str | None, Moment]:  # fmt: skip
    """The provider, service, team and moment a read of the workforce asks about, once the
    caller is seen to reach the service and the team named is plain text."""
    service = info.context.reached_service(field, str(service_id))
    team = plain_text(str(team_id), "teamId") if team_id is not None else None
    return info.context.caller().tenant_id, service, team, moment(as_of, as_known_at)


def _log(info: ContextInfo, field: str, rows: Sequence[Row]) -> None:
    tenant = info.context.caller().tenant_id
    info.context.log_reads(field, tenant, [(None, row["staff_record_id"]) for row in rows])


@strawberry.type
class Query:
    staff_member: StaffMember | None = strawberry.field(
        resolver=staff,
        description="A member of staff, by the subject their tokens carry, as their record "
        "stood at a moment (null if out of reach)",
        extensions=readable_by(READERS),
    )
    workforce_status: Connection[StaffMember] = strawberry.field(
        resolver=workforce_status,
        description="Who worked in a service (and team) at a moment: induction, supervision "
        "due or overdue, and competencies current or lapsed then; by team, then name",
        extensions=readable_by(READERS),
    )
    techniques: list[TechniqueKnown] = strawberry.field(
        resolver=techniques,
        description="The techniques of the provider at a moment: the standard ones and its own "
        "(added with addTechnique); outcomes, pathway stages and sign-offs name one of these. "
        "A plain list, not paged: the provider's vocabulary, held whole in its one policy "
        "record, which every write naming a technique reads whole too",
        extensions=readable_by(RECORD_READERS | {Role.TENANT_ADMIN}),
    )
    competency_coverage: list[TeamCoverage] = strawberry.field(
        resolver=competency_coverage,
        description="Per team of a service (or the team given) at a moment, for each technique: "
        "staff signed off and current, expiring within 30 days, lapsed, and never signed off. "
        "A plain list, not paged: one entry per team of the service with staff then (and one "
        "for staff of no team), each counting every member of it",
        extensions=readable_by(READERS),
    )
