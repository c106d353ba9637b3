"""The progression timeline of an outcome, a person's reviews, what is due for review in a
service, and the reviews that repeated the last one."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.common import AS_KNOWN_AT, plain_text, record_id, when
from api.context import Context
from domain.envelope import EARLIEST_EFFECTIVE_AT
from domain.errors import RulesViolated, Violation
from projections.base import Row
from projections.progression import (
    Progression,
    evidence_by_week,
    median_rung,
    timeline_entries,
)
from projections.reviews import ReviewSchedule, due_reviews, repeat_reviews, reviews_of

ContextInfo = Info[Context, None]


@strawberry.type(description="One dated step of the evidence line")
class TimelineEntry:
    kind: str = strawberry.field(
        description="baseline, stage_added, stage_started, stage_progress, stage_completed, "
        "setback, stage_stepped_back, hours (support hours, plan-wide) or review (plan-wide)"
    )
    effective_at: datetime
    recorded_at: datetime
    stage_id: strawberry.ID | None
    summary: str
    detail: JSON
    recorded_by: str

    @classmethod
    def from_row(cls, row: Row) -> TimelineEntry:
        return cls(kind=row["kind"], effective_at=when(row["effective_at"]),
                   recorded_at=when(row["recorded_at"]),
                   stage_id=strawberry.ID(row["stage_id"]) if row["stage_id"] else None,
                   summary=row["summary"], detail=json.loads(row["detail"]),
                   recorded_by=row["actor_name"])  # fmt: skip


@strawberry.type(description="A week's evidence notes, summarised")
class EvidenceWeek:
    week_start: date = strawberry.field(description="The Monday (UTC)")
    notes: int
    median_prompt_rung: int | None = strawberry.field(
        description="0 is the ladder's most independent rung; null if no note named a rung"
    )
    median_prompt_level: str | None
    mean_confidence: float | None = strawberry.field(description="1-10, as the person put it")
    steps_completed: int
    steps_of: int
    refusals: int

    @classmethod
    def from_row(cls, row: Row) -> EvidenceWeek:
        median = median_rung(row["rungs"])
        counted = row["confidence_count"]
        return cls(week_start=date.fromisoformat(row["week_start"]), notes=row["notes"],
                   median_prompt_rung=median[0] if median else None,
                   median_prompt_level=median[1] if median else None,
                   mean_confidence=round(row["confidence_sum"] / counted, 2) if counted else None,
                   steps_completed=row["steps_completed"], steps_of=row["steps_of"],
                   refusals=row["refusals"])  # fmt: skip


@strawberry.type(description="An outcome's evidence line: baseline, targeted support and "
                 "measurable progress")  # fmt: skip
class ProgressionTimeline:
    person_id: strawberry.ID
    outcome_id: strawberry.ID
    from_: datetime = strawberry.field(name="from")
    to: datetime
    entries: list[TimelineEntry]
    weeks: list[EvidenceWeek]


async def progression_timeline(
    info: ContextInfo,
    person_id: strawberry.ID,
    outcome_id: strawberry.ID,
    from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
    to: datetime | None = None,
    as_known_at: Annotated[datetime | None, AS_KNOWN_AT] = None,
) -> ProgressionTimeline:
    person, outcome = record_id(person_id, "personId"), plain_text(str(outcome_id), "outcomeId")
    since, until = _range(from_, to)
    known = as_known_at.astimezone(UTC) if as_known_at else None

    def query(tx: Any) -> tuple[list[Row], list[Row]]:
        return (timeline_entries(tx, person, outcome, since, until, known),
                evidence_by_week(tx, person, outcome, since, until, known))  # fmt: skip

    found = await info.context.read_person("progressionTimeline", person, query, Progression.name)
    entries, weeks = found or ([], [])
    return ProgressionTimeline(
        person_id=strawberry.ID(person), outcome_id=strawberry.ID(outcome), from_=since,
        to=until, entries=[TimelineEntry.from_row(row) for row in entries],
        weeks=[EvidenceWeek.from_row(row) for row in weeks],
    )  # fmt: skip


@strawberry.type(description="A review of a person's plan")
class PlanReview:
    review_id: strawberry.ID
    person_id: strawberry.ID
    due_on: date
    held_at: datetime | None
    held_by: str | None
    analysis: JSON | None = strawberry.field(
        description="what_worked, new_strengths, support_can_reduce, barriers, new_goals"
    )
    involvement: JSON | None = strawberry.field(
        description="attended, contributed, views (the person's words), views_not_given_because"
    )
    decisions: JSON | None = strawberry.field(
        description="Applied to the plan as changes caused by the review (see planHistory's "
        "causationId)"
    )
    repeat_finding: str | None = strawberry.field(
        description="Set when the review decided nothing and its analysis was empty or repeated "
        "the previous review's"
    )

    @classmethod
    def from_row(cls, row: Row) -> PlanReview:
        def parsed(column: str) -> Any:
            return json.loads(row[column]) if row[column] else None

        return cls(review_id=strawberry.ID(row["review_id"]),
                   person_id=strawberry.ID(row["person_id"]),
                   due_on=date.fromisoformat(str(row["due_on"])),
                   held_at=when(row["held_at"]) if row["held_at"] else None,
                   held_by=row["held_by"], analysis=parsed("analysis"),
                   involvement=parsed("involvement"), decisions=parsed("decisions"),
                   repeat_finding=row["repeat_finding"])  # fmt: skip


async def reviews(info: ContextInfo, person_id: strawberry.ID) -> list[PlanReview]:
    person = record_id(person_id, "personId")
    rows = await info.context.read_person("reviews", person, lambda tx: reviews_of(tx, person),
                                          ReviewSchedule.name)  # fmt: skip
    return [PlanReview.from_row(row) for row in rows or []]


@strawberry.type(description="A review due: of a plan, or of a stage of a pathway")
class DueReview:
    kind: str = strawberry.field(description="plan or stage")
    person_id: strawberry.ID
    item_id: strawberry.ID = strawberry.field(description="The review's or the stage's id")
    outcome_id: strawberry.ID | None
    title: str
    due_on: date
    last_held: datetime | None = strawberry.field(description="The plan's last review held")
    days_overdue: int = strawberry.field(description="As of `asOf`; 0 if not yet due")


async def review_schedule(
    info: ContextInfo,
    service_id: strawberry.ID,
    due_before: date,
    as_of: Annotated[
        date | None,
        strawberry.argument(
            description="The date days overdue are counted to (default: today, UTC)"
        ),
    ] = None,
) -> list[DueReview]:
    service = info.context.reached_service("reviewSchedule", str(service_id))
    tenant, on = info.context.caller().tenant_id, as_of or datetime.now(UTC).date()
    rows = await info.context.read(lambda tx: due_reviews(tx, tenant, service, due_before),
                                   ReviewSchedule.name, "people")  # fmt: skip
    info.context.log_reads("reviewSchedule", tenant, [(r["person_id"], r["plan_id"]) for r in rows])
    return [_due(row, on) for row in rows]


def _due(row: Row, on: date) -> DueReview:
    due_on = date.fromisoformat(str(row["due_on"]))
    return DueReview(
        kind=row["kind"],
        person_id=strawberry.ID(row["person_id"]),
        item_id=strawberry.ID(row["item_id"]),
        outcome_id=strawberry.ID(row["outcome_id"]) if row["outcome_id"] else None,
        title=row["title"],
        due_on=due_on,
        last_held=when(row["last_held"]) if row["last_held"] else None,
        days_overdue=max(0, (on - due_on).days),
    )


async def repeated_reviews(info: ContextInfo, service_id: strawberry.ID) -> list[PlanReview]:
    service = info.context.reached_service("repeatReviews", str(service_id))
    tenant = info.context.caller().tenant_id
    rows = await info.context.read(lambda tx: repeat_reviews(tx, tenant, service),
                                   ReviewSchedule.name, "people")  # fmt: skip
    info.context.log_reads("repeatReviews", tenant, [(r["person_id"], r["plan_id"]) for r in rows])
    return [PlanReview.from_row(row) for row in rows]


def _range(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    start, end = since or EARLIEST_EFFECTIVE_AT, until or datetime.now(UTC)
    if start.tzinfo is None or end.tzinfo is None or start > end:
        message = "`from` and `to` need timezones, and `from` must not be after `to`"
        raise RulesViolated([Violation("input.time.range", "from", message)])
    return start.astimezone(UTC), end.astimezone(UTC)


@strawberry.type
class Query:
    progression_timeline: ProgressionTimeline = strawberry.field(
        resolver=progression_timeline,
        description="An outcome's evidence line between two times: baseline, every stage "
        "change and setback, reviews and support hours, and the evidence notes summarised per "
        "week; as recorded by asKnownAt, if given",
    )
    reviews: list[PlanReview] = strawberry.field(
        resolver=reviews, description="A person's plan reviews, scheduled and held"
    )
    review_schedule: list[DueReview] = strawberry.field(
        resolver=review_schedule,
        description="Plan and stage reviews not yet held in a service, due by `dueBefore`, "
        "with days overdue as of `asOf`",
    )
    repeat_reviews: list[PlanReview] = strawberry.field(
        resolver=repeated_reviews,
        description="Reviews in a service that decided nothing and whose analysis was empty "
        "or repeated the previous review's: a governance finding",
    )
