"""Support plans: each living plan as it stands, and how it evolved."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.common import AS_KNOWN_AT, AS_OF, Actor, Position, day, moment, record_id, when
from api.context import Context
from api.pagination import Connection, check_page_size, connection, decode_cursor
from domain.errors import RulesViolated, Violation
from projections.base import Row
from projections.plan_diff import FieldDifference, plan_diff
from projections.states import Moment
from projections.support_plans import SupportPlans, get_plan, plan_versions_page

ContextInfo = Info[Context, None]


@strawberry.enum(description="Where a plan stands")
class PlanStatus(Enum):
    DRAFT = "draft"
    AGREED = "agreed"


@strawberry.enum(description="Whether an outcome is still worked towards")
class OutcomeStatus(Enum):
    ACTIVE = "active"
    RETIRED = "retired"


@strawberry.type(description="strength -> weekly micro-step -> evidence route")
class EnablementStep:
    id: strawberry.ID
    strength: str
    weekly_micro_step: str
    evidence_route: str


@strawberry.enum(description="Where a stage of a pathway stands")
class StageStatus(Enum):
    PLANNED = "planned"
    CURRENT = "current"
    COMPLETED = "completed"


@strawberry.type(description="A stage of an outcome's step-down pathway")
class PathwayStage:
    id: strawberry.ID
    title: str
    staff_will: str = strawberry.field(description="What staff will do at this stage")
    exit_criteria: str
    review_date: date
    escalation_triggers: list[str]
    status: StageStatus
    started_at: datetime | None
    completed_at: datetime | None
    attempts: int = strawberry.field(description="Times started (a repeat after a setback too)")
    setbacks: int

    @classmethod
    def from_document(cls, stage: dict[str, Any]) -> PathwayStage:
        return cls(
            id=strawberry.ID(stage["stageId"]),
            title=stage["title"],
            staff_will=stage["staffWill"],
            exit_criteria=stage["exitCriteria"],
            review_date=date.fromisoformat(stage["reviewDate"]),
            escalation_triggers=stage["escalationTriggers"],
            status=StageStatus(stage["status"]),
            started_at=when(stage["startedAt"]) if stage["startedAt"] else None,
            completed_at=when(stage["completedAt"]) if stage["completedAt"] else None,
            attempts=stage["attempts"],
            setbacks=stage["setbacks"],
        )


@strawberry.type(description="A measurable outcome: where the person is, where they aim to be.")
class Outcome:
    id: strawberry.ID
    title: str
    baseline: str
    target: str
    evidenced_by: str
    builds_on: list[str] = strawberry.field(description="Assessed strengths it builds on")
    status: OutcomeStatus
    steps: list[EnablementStep]
    pathway: list[PathwayStage] = strawberry.field(
        description="The step-down pathway: its stages, in the order they are taken"
    )

    @strawberry.field(description="The stage under way, if one is")
    def current_stage(self) -> PathwayStage | None:
        return next((s for s in self.pathway if s.status is StageStatus.CURRENT), None)

    @classmethod
    def from_document(cls, outcome_id: str, document: dict[str, Any]) -> Outcome:
        steps = [
            EnablementStep(
                id=strawberry.ID(step["stepId"]),
                strength=step["strength"],
                weekly_micro_step=step["weeklyMicroStep"],
                evidence_route=step["evidenceRoute"],
            )
            for step in document["steps"].values()
        ]
        return cls(
            id=strawberry.ID(outcome_id),
            title=document["title"],
            baseline=document["baseline"],
            target=document["target"],
            evidenced_by=document["evidencedBy"],
            builds_on=document["buildsOn"],
            status=OutcomeStatus(document["status"]),
            steps=steps,
            pathway=[PathwayStage.from_document(s) for s in document.get("stages", [])],
        )


@strawberry.type(description="A person's one living support plan, as it stood at a moment.")
class SupportPlan:
    id: strawberry.ID
    person_id: strawberry.ID
    assessment_id: strawberry.ID
    status: PlanStatus
    assessed_strengths: list[str]
    outcomes: list[Outcome]
    staff_guidance: str | None
    support_hours_per_week: float | None
    next_review_date: date | None
    version: int
    updated_at: datetime
    as_of: datetime = strawberry.field(description="This describes what was in force then")
    as_known_at: datetime = strawberry.field(description="...as recorded by then")

    @classmethod
    def from_row(cls, row: Row, at: Moment) -> SupportPlan:
        document = json.loads(row["document"])
        return cls(
            id=strawberry.ID(row["plan_id"]),
            person_id=strawberry.ID(row["person_id"]),
            assessment_id=strawberry.ID(document["assessmentId"]),
            status=PlanStatus(row["status"]),
            assessed_strengths=document["assessedStrengths"],
            outcomes=[Outcome.from_document(k, v) for k, v in document["outcomes"].items()],
            staff_guidance=document["staffGuidance"],
            support_hours_per_week=document["supportHoursPerWeek"],
            next_review_date=day(document["nextReviewDate"]),
            version=row["version"],
            updated_at=when(row["updated_at"]),
            as_of=at.as_of,
            as_known_at=at.as_known_at,
        )


@strawberry.type(description="One field a change touched.")
class FieldChange:
    field: str = strawberry.field(description="Dotted path, e.g. outcomes.<id>.target")
    before: JSON | None
    after: JSON | None


@strawberry.type(description="One change to a support plan: who, when, why, and what changed.")
class PlanVersion:
    version: int
    position: Position
    event_type: str
    recorded_at: datetime = strawberry.field(description="When the change was recorded")
    effective_at: datetime = strawberry.field(description="When it happened or took effect")
    actor: Actor
    reason: str | None
    summary: str
    changes: list[FieldChange]
    causation_id: str | None = strawberry.field(
        description="The event this change followed from, as <recordId>/<version>: e.g. the "
        "review that decided it, or the setback that led to a step back"
    )

    @classmethod
    def from_row(cls, row: Row) -> PlanVersion:
        return cls(
            version=row["version"],
            position=row["position"],
            event_type=row["event_type"],
            recorded_at=when(row["recorded_at"]),
            effective_at=when(row["effective_at"]),
            actor=Actor.from_row(row),
            reason=row["reason"],
            summary=row["summary"],
            changes=[FieldChange(**change) for change in json.loads(row["changes"])],
            causation_id=row["causation_id"],
        )


def plans_model(info: ContextInfo) -> SupportPlans:
    """The read model itself: reading a plan at a moment may replay a few of its events."""
    return cast(SupportPlans, info.context.runtime.projector.model(SupportPlans.name))


@strawberry.type(description="A plan's changes, page by page, as of a moment.")
class PlanHistory(Connection[PlanVersion]):
    as_of: datetime = strawberry.field(description="This describes what was in force then")
    as_known_at: datetime = strawberry.field(description="...as recorded by then")


async def support_plan(
    info: ContextInfo,
    person_id: strawberry.ID,
    as_of: Annotated[datetime | None, AS_OF] = None,
    as_known_at: Annotated[datetime | None, AS_KNOWN_AT] = None,
) -> SupportPlan | None:
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    plans = plans_model(info)
    row = await info.context.read_person(
        "supportPlan", person, lambda tx: get_plan(tx, plans, person, at), SupportPlans.name
    )
    return SupportPlan.from_row(row, at) if row else None


async def plan_history(
    info: ContextInfo,
    person_id: strawberry.ID,
    first: int = 20,
    after: str | None = None,
    as_of: Annotated[datetime | None, AS_OF] = None,
    as_known_at: Annotated[datetime | None, AS_KNOWN_AT] = None,
) -> PlanHistory:
    check_page_size(first)
    start = decode_cursor("version", after)
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    rows = await info.context.read_person(
        "planHistory",
        person,
        lambda tx: plan_versions_page(tx, person, start, first, at),
        SupportPlans.name,
    )
    page = connection(
        rows or [], first, after, "version", lambda r: r["version"], PlanVersion.from_row
    )
    return PlanHistory(
        edges=page.edges, page_info=page.page_info, as_of=at.as_of, as_known_at=at.as_known_at
    )


@strawberry.type(description="One field that differs between two moments, and why.")
class PlanDifference:
    field: str = strawberry.field(description="Dotted path, e.g. outcomes.<id>.target")
    before: JSON | None = strawberry.field(description="At `from`")
    after: JSON | None = strawberry.field(description="At `to`")
    causes: list[PlanVersion] = strawberry.field(
        description="The recorded changes to it that took effect in between, in that order"
    )

    @classmethod
    def of(cls, difference: FieldDifference) -> PlanDifference:
        causes = [PlanVersion.from_row(row) for row in difference.causes]
        return cls(field=difference.field, before=difference.before, after=difference.after,
                   causes=causes)  # fmt: skip


@strawberry.type(description="What changed in a plan between two moments.")
class PlanDiff:
    person_id: strawberry.ID
    from_: datetime = strawberry.field(name="from")
    to: datetime
    as_known_at: datetime = strawberry.field(description="Both ends, as recorded by then")
    differences: list[PlanDifference]


async def plan_diff_between(
    info: ContextInfo,
    person_id: strawberry.ID,
    from_: Annotated[datetime, strawberry.argument(name="from")],
    to: datetime,
    as_known_at: Annotated[datetime | None, AS_KNOWN_AT] = None,
) -> PlanDiff:
    person = record_id(person_id, "personId")
    since, until = moment(from_, as_known_at), moment(to, as_known_at)
    if since.as_of > until.as_of:
        violation = Violation("input.time.range", "from", "`from` must not be after `to`")
        raise RulesViolated([violation])
    plans = plans_model(info)
    found = await info.context.read_person(
        "planDiff",
        person,
        lambda tx: plan_diff(tx, plans, person, since.as_of, until.as_of, since.as_known_at),
        SupportPlans.name,
    )
    return PlanDiff(
        person_id=strawberry.ID(person),
        from_=since.as_of,
        to=until.as_of,
        as_known_at=since.as_known_at,
        differences=[PlanDifference.of(difference) for difference in found or []],
    )


@strawberry.type
class Query:
    support_plan: SupportPlan | None = strawberry.field(
        resolver=support_plan,
        description="A person's living support plan: as it now stands, or as it stood at a "
        "moment (asOf, asKnownAt)",
    )
    plan_diff: PlanDiff = strawberry.field(
        resolver=plan_diff_between,
        description="What changed in a person's plan between two moments (as in force at "
        "each), with the recorded changes, actors and reasons behind each difference",
    )
    plan_history: PlanHistory = strawberry.field(
        resolver=plan_history,
        description="How a person's plan evolved: every change, oldest first, with who, when, "
        "why and what changed; at a moment, the changes recorded by asKnownAt that took "
        "effect by asOf",
    )
