"""An incident reconstructed: what the person's records said was in force when it happened,
side by side as known at that moment and as known later, what differs between the two, and
what followed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    MomentFields,
    aware,
    describe_values,
    moment,
    record_id,
)
from api.context import Context
from api.plan_types import SupportPlan
from api.slices.chronology import ChronologyEntry
from api.slices.incidents import Incident, PracticeChange
from api.slices.restrictions import Restriction
from api.slices.reviews import PlanReview
from api.slices.risk import RiskDecision
from api.slices.workforce import Competency, StaffMember
from domain.catalogue import DECLARED
from projections.base import Row
from projections.reconstruction import READ_MODELS, InForce, reconstruct
from projections.states import Moment
from projections.support_plans import SupportPlans

ContextInfo = Info[Context, None]
# A reconstruction shows every kind of record about the person.
READERS = readers_of(*(kind.aggregate for kind in DECLARED if kind.person is not None))


@strawberry.enum(description="A part of what was in force, as a reconstruction compares it")
class ReconstructionSection(Enum):
    PLAN = "plan"
    RISK_DECISIONS = "risk_decisions"
    RESTRICTIONS = "restrictions"
    REVIEWS = "reviews"
    PRACTICE_CHANGES = "practice_changes"
    STAFF_COMPETENCE = "staff_competence"


describe_values(ReconstructionSection, {
    "PLAN": "The support plan",
    "RISK_DECISIONS": "The risk decisions",
    "RESTRICTIONS": "The restrictions",
    "REVIEWS": "The plan reviews",
    "PRACTICE_CHANGES": "The practice changes from earlier incidents",
    "STAFF_COMPETENCE": "The sign-offs of the staff involved",
})  # fmt: skip


@strawberry.type(description="A member of staff involved in an incident, and their competence "
                 "in force at the moment reconstructed")  # fmt: skip
class StaffCompetence:
    staff_id: strawberry.ID = strawberry.field(description="The member of staff involved")
    name: str | None = strawberry.field(
        description="Their name; null if no staff record for them was known then"
    )
    competencies: list[Competency] = strawberry.field(
        description="Each technique they had been signed off in, current or lapsed then"
    )

    @classmethod
    def read(cls, staff_id: str, row: Row | None, at: Moment) -> StaffCompetence:
        if row is None:
            return cls(staff_id=strawberry.ID(staff_id), name=None, competencies=[])
        member = StaffMember.from_row(row, at)
        return cls(staff_id=strawberry.ID(staff_id), name=member.name,
                   competencies=member.competencies)  # fmt: skip


@strawberry.type(description="What a person's records said was in force at a moment")
class RecordsInForce(MomentFields):
    plan: SupportPlan | None = strawberry.field(
        description="The plan: outcomes, each pathway's stages, staff guidance, support hours"
    )
    risk_decisions: list[RiskDecision] = strawberry.field(
        description="Risk decisions, with their safeguards and review dates"
    )
    restrictions_in_force: list[Restriction] = strawberry.field(description="Restrictions in force")
    restrictions_overdue: list[Restriction] = strawberry.field(
        description="Those of them past their review-by date"
    )
    last_review: PlanReview | None = strawberry.field(description="The plan's last review held")
    next_review_due: PlanReview | None = strawberry.field(
        description="The plan's next review due (not yet held)"
    )
    open_practice_changes: list[PracticeChange] = strawberry.field(
        description="Practice changes from the person's earlier incidents still open"
    )
    staff_competence: list[StaffCompetence] = strawberry.field(
        description="For each member of staff involved, their competence in force then"
    )

    @classmethod
    def read(cls, side: InForce) -> RecordsInForce:
        at = side.moment
        restrictions = [Restriction.from_row(row, at) for row in side.restrictions]
        reviews = [PlanReview.from_row(row) for row in side.reviews]
        held = [review for review in reviews if review.held_at is not None]
        due = [review for review in reviews if review.held_at is None]
        return cls(
            plan=SupportPlan.from_row(side.plan, at) if side.plan else None,
            risk_decisions=[RiskDecision.from_row(row, at) for row in side.decisions],
            restrictions_in_force=restrictions,
            restrictions_overdue=[r for r in restrictions if r.days_overdue > 0],
            last_review=max(held, key=lambda r: cast(datetime, r.held_at), default=None),
            next_review_due=min(due, key=lambda review: review.due_on, default=None),
            open_practice_changes=[PracticeChange.of(row, change, at)
                                   for row, change in side.practice_changes],
            staff_competence=[StaffCompetence.read(staff_id, row, at)
                              for staff_id, row in side.staff.items()],
            **MomentFields.of(at),
        )  # fmt: skip


@strawberry.type(description="What differs between what was known then and what is known now")
class ReconstructionDifference:
    sections: list[ReconstructionSection] = strawberry.field(
        description="The parts that read differently"
    )
    entries: list[ChronologyEntry] = strawberry.field(
        description="Why: the facts recorded since, that took effect by then (late entries), "
        "and the corrections recorded since"
    )


@strawberry.type(description="An incident reconstructed: what was in force when it happened, "
                 "as known then and as known later, and what followed")  # fmt: skip
class IncidentReconstruction:
    incident: Incident = strawberry.field(description="The incident, as known at asKnownAt")
    at: datetime = strawberry.field(description="The moment reconstructed")
    known_then: RecordsInForce = strawberry.field(
        description="What was in force then, as recorded by then"
    )
    known_now: RecordsInForce = strawberry.field(
        description="What was in force then, as recorded by asKnownAt"
    )
    differs: ReconstructionDifference = strawberry.field(description="What differs, and why")
    followed: list[ChronologyEntry] = strawberry.field(
        description="What followed, until it closed: its own facts, those caused by it, "
        "restrictions imposed, risk decisions reviewed and staff guidance revised; each with "
        "who, when recorded, when effective and why (the first 500; personChronology has "
        "them all)"
    )
    as_known_at: datetime = strawberry.field(description="As recorded by then")


async def incident_reconstruction(
    info: ContextInfo,
    incident_id: Annotated[strawberry.ID, strawberry.argument(description="The incident")],
    at: Annotated[datetime | None, strawberry.argument(
        description="The moment to reconstruct (default: when the incident happened)")] = None,
    as_known_at: AsKnownAt = None,
) -> IncidentReconstruction | None:  # fmt: skip
    incident, known = record_id(incident_id, "incidentId"), moment(None, as_known_at)
    at = aware(at, "at")
    plans = cast(SupportPlans, info.context.runtime.projector.model(SupportPlans.name))
    now = datetime.now(UTC)
    found = await info.context.read_record(
        "incidentReconstruction", incident,
        lambda tx: reconstruct(tx, plans, incident, known.as_known_at, now,
                               at.astimezone(UTC) if at else None),
        *READ_MODELS,
    )  # fmt: skip
    if found is None:
        return None
    late_after = timedelta(hours=info.context.runtime.settings.late_entry_hours)

    def entry(row: Row) -> ChronologyEntry:
        return ChronologyEntry.from_row(row, known.as_known_at, late_after)

    then, later = found.then.sections(), found.now.sections()
    return IncidentReconstruction(
        incident=Incident.from_row(found.incident, Moment(now, known.as_known_at)),
        at=found.happened_at, known_then=RecordsInForce.read(found.then),
        known_now=RecordsInForce.read(found.now),
        differs=ReconstructionDifference(
            sections=[ReconstructionSection(name) for name in then if then[name] != later[name]],
            entries=[entry(row) for row in found.differs]),
        followed=[entry(row) for row in found.followed], as_known_at=known.as_known_at,
    )  # fmt: skip


@strawberry.type
class Query:
    incident_reconstruction: IncidentReconstruction | None = strawberry.field(
        resolver=incident_reconstruction,
        description="What the person's records said was in force when an incident happened (or "
        "at `at`), as known then and as known at asKnownAt, what differs between the two and "
        "why, and what followed (null if out of reach)",
        extensions=readable_by(READERS),
    )
