"""A person's plan reviews, what is due for review in a service, and the reviews that repeated
the last one: each as the plan stood at any moment, as recorded at any time."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    PersonId,
    ServiceId,
    day,
    describe_values,
    moment,
    record_id,
    snaked,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, listed, window, windowed
from domain.evidence_note import EvidenceNote
from domain.shapes import camel
from domain.support_plan import SupportPlan
from projections.base import Row
from projections.people import People
from projections.plan_parts import due_reviews, repeat_reviews, reviews_of
from projections.support_plans import SupportPlans

ContextInfo = Info[Context, None]
READERS = readers_of(SupportPlan, EvidenceNote)
START, SPAN_END = "The start of the span (default: the beginning)", "Its end (default: now)"


@strawberry.type(description="What a review decided; each is applied to the plan as a change "
                 "caused by the review (see planHistory's causationId)")  # fmt: skip
class ReviewDecisions:
    support_hours_per_week: float | None = strawberry.field(description="New weekly hours")
    advance_stage_of: strawberry.ID | None = strawberry.field(
        description="The outcome whose stage under way was completed (the next one started)"
    )
    new_outcome_id: strawberry.ID | None = strawberry.field(description="A new outcome agreed")
    next_review_on: date | None = strawberry.field(description="The next review booked")
    stage_review_on: date | None = strawberry.field(
        description="The review date of the stage the review started, when it was late"
    )

    @classmethod
    def of(cls, decided: dict[str, Any] | None) -> ReviewDecisions | None:
        if decided is None:
            return None
        value = {camel(k): v for k, v in decided.items()}
        outcome, stage_of = value.get("newOutcomeId"), value.get("advanceStageOf")
        return cls(support_hours_per_week=value.get("supportHoursPerWeek"),
                   advance_stage_of=strawberry.ID(stage_of) if stage_of else None,
                   new_outcome_id=strawberry.ID(outcome) if outcome else None,
                   next_review_on=day(value.get("nextReviewOn")),
                   stage_review_on=day(value.get("stageReviewOn")))  # fmt: skip


@strawberry.type(description="What a review found")
class ReviewAnalysis:
    what_worked: str | None = strawberry.field(description="What worked since the last review")
    new_strengths: list[str] | None = strawberry.field(description="New strengths or skills")
    support_can_reduce: bool | None = strawberry.field(
        description="Whether support can reduce safely (null: not said)"
    )
    barriers: str | None = strawberry.field(description="What stands in the way")
    new_goals: list[str] | None = strawberry.field(description="New goals")


@strawberry.type(description="How the person took part in a review, in their own words")
class ReviewInvolvement:
    attended: bool | None = strawberry.field(description="Whether they attended")
    contributed: bool | None = strawberry.field(description="Whether they contributed")
    views: str | None = strawberry.field(description="Their views, in their own words")
    views_not_given_because: str | None = strawberry.field(
        description="Why their views could not be given"
    )


@strawberry.type(description="A review of a person's plan, as the plan stood at a moment")
class PlanReview:
    review_id: strawberry.ID = strawberry.field(description="The review, within the plan")
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    due_on: date = strawberry.field(description="When it is due")
    held_at: datetime | None = strawberry.field(description="When it was held")
    held_by: str | None = strawberry.field(description="Who held it")
    analysis: ReviewAnalysis | None = strawberry.field(description="What it found, once held")
    involvement: ReviewInvolvement | None = strawberry.field(
        description="How the person took part, once held"
    )
    decisions: ReviewDecisions | None = strawberry.field(description="What it decided, once held")
    repeat_finding: str | None = strawberry.field(
        description="Set when the review decided nothing and its analysis was empty or repeated "
        "the previous review's"
    )

    @classmethod
    def from_row(cls, row: Row) -> PlanReview:
        details = json.loads(row["details"]) if row["details"] else {}
        analysis, involvement = details.get("analysis"), details.get("involvement")
        return cls(review_id=strawberry.ID(row["item_id"]),
                   person_id=strawberry.ID(row["person_id"]),
                   due_on=date.fromisoformat(str(row["due_on"])),
                   held_at=when(row["held_at"]) if row["held_at"] else None,
                   held_by=row["held_by"],
                   analysis=ReviewAnalysis(**snaked(analysis)) if analysis else None,
                   involvement=ReviewInvolvement(**snaked(involvement)) if involvement else None,
                   decisions=ReviewDecisions.of(details.get("decisions")),
                   repeat_finding=row["repeat_finding"])  # fmt: skip


async def reviews(
    info: ContextInfo, person_id: PersonId, first: First = 50, after: After = None,
    as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[PlanReview]:  # fmt: skip
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    rows = await info.context.read_person("reviews", person, lambda tx: reviews_of(tx, person, at),
                                          SupportPlans.name)  # fmt: skip
    page, _ = listed(rows or [], first, after, "reviews", PlanReview.from_row)
    return page


@strawberry.enum(description="What is due for review")
class DueReviewKind(Enum):
    PLAN = "plan"
    STAGE = "stage"


describe_values(DueReviewKind, {
    "PLAN": "The support plan's review",
    "STAGE": "A pathway stage's review",
})  # fmt: skip


@strawberry.type(description="A review due: of a plan, or of a stage of a pathway")
class DueReview:
    kind: DueReviewKind = strawberry.field(description="A plan's review, or a stage's")
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    item_id: strawberry.ID = strawberry.field(description="The review's or the stage's id")
    outcome_id: strawberry.ID | None = strawberry.field(description="The stage's outcome")
    title: str = strawberry.field(description="What is reviewed")
    due_on: date = strawberry.field(description="When it is due")
    last_held: datetime | None = strawberry.field(description="The plan's last review held")
    days_overdue: int = strawberry.field(description="At asOf; 0 if not yet due")


DueBefore = Annotated[
    date, strawberry.argument(description="The last due date to list (on or before it)")
]


async def review_schedule(
    info: ContextInfo, service_id: ServiceId, due_before: DueBefore, first: First = 50,
    after: After = None, as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[DueReview]:  # fmt: skip
    service = info.context.reached_service("reviewSchedule", str(service_id))
    tenant, at = info.context.caller().tenant_id, info.context.moment(as_of, as_known_at)
    cut = window(first, after, "reviewSchedule")
    rows = await info.context.read(
        lambda tx: due_reviews(tx, tenant, service, due_before, at, cut.limit, cut.offset),
        SupportPlans.name, People.name,
    )  # fmt: skip
    page, shown = windowed(rows, cut, after, "reviewSchedule",
                           lambda row: _due(row, at.as_of.date()))  # fmt: skip
    read = [(row["person_id"], row["plan_id"]) for row in shown]
    info.context.log_reads("reviewSchedule", tenant, read)
    return page


def _due(row: Row, on: date) -> DueReview:
    due_on = date.fromisoformat(str(row["due_on"]))
    return DueReview(
        kind=DueReviewKind(row["kind"]),
        person_id=strawberry.ID(row["person_id"]),
        item_id=strawberry.ID(row["item_id"]),
        outcome_id=strawberry.ID(row["outcome_id"]) if row["outcome_id"] else None,
        title=row["title"],
        due_on=due_on,
        last_held=when(row["last_held"]) if row["last_held"] else None,
        days_overdue=max(0, (on - due_on).days),
    )


async def repeated_reviews(
    info: ContextInfo, service_id: ServiceId, first: First = 50, after: After = None,
    as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[PlanReview]:  # fmt: skip
    service = info.context.reached_service("repeatReviews", str(service_id))
    tenant, at = info.context.caller().tenant_id, info.context.moment(as_of, as_known_at)
    cut = window(first, after, "repeatReviews")
    rows = await info.context.read(
        lambda tx: repeat_reviews(tx, tenant, service, at, cut.limit, cut.offset),
        SupportPlans.name, People.name,
    )  # fmt: skip
    page, shown = windowed(rows, cut, after, "repeatReviews", PlanReview.from_row)
    info.context.log_reads("repeatReviews", tenant, [(r["person_id"], r["plan_id"]) for r in shown])
    return page


@strawberry.type
class Query:
    reviews: Connection[PlanReview] = strawberry.field(
        resolver=reviews,
        description="A person's plan reviews, scheduled and held, as the plan stood at a "
        "moment, in the order they fall due",
        extensions=readable_by(READERS),
    )
    review_schedule: Connection[DueReview] = strawberry.field(
        resolver=review_schedule,
        description="Plan and stage reviews not yet held at a moment, for the people a service "
        "supported then, due by `dueBefore`, with days overdue then, earliest due first",
        extensions=readable_by(READERS),
    )
    repeat_reviews: Connection[PlanReview] = strawberry.field(
        resolver=repeated_reviews,
        description="Reviews for the people a service supported at a moment that decided "
        "nothing and whose analysis was empty or repeated the previous review's: a governance "
        "finding; in the order they were held",
        extensions=readable_by(READERS),
    )
