"""The progression timeline of an outcome: its evidence line, as the plan stood at any moment,
as recorded at any time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    MomentFields,
    PersonId,
    aware,
    describe_values,
    moment,
    plain_text,
    record_id,
    snake,
    when,
)
from api.context import Context
from api.slices.reviews import ReviewDecisions
from domain.envelope import EARLIEST_EFFECTIVE_AT
from domain.errors import RulesViolated, Violation
from domain.evidence_note import EvidenceNote
from domain.pathway import SetbackResponse
from domain.support_plan import SupportPlan
from projections.base import Row
from projections.evidence_notes import EvidenceNotes
from projections.progression import Progression, evidence_by_week, median_rung, timeline_entries

ContextInfo = Info[Context, None]
READERS = readers_of(SupportPlan, EvidenceNote)
START, SPAN_END = "The start of the span (default: the beginning)", "Its end (default: now)"


@strawberry.enum(description="What a timeline entry records")
class TimelineEntryKind(Enum):
    BASELINE = "baseline"
    STAGE_ADDED = "stage_added"
    STAGE_STARTED = "stage_started"
    STAGE_PROGRESS = "stage_progress"
    STAGE_COMPLETED = "stage_completed"
    SETBACK = "setback"
    STAGE_STEPPED_BACK = "stage_stepped_back"
    HOURS = "hours"
    REVIEW = "review"


describe_values(TimelineEntryKind, {
    "BASELINE": "Where the person was when the outcome was agreed",
    "STAGE_ADDED": "A pathway stage was added",
    "STAGE_STARTED": "A stage was started",
    "STAGE_PROGRESS": "Progress on a stage was recorded",
    "STAGE_COMPLETED": "A stage was completed",
    "SETBACK": "A setback was recorded, with what was decided",
    "STAGE_STEPPED_BACK": "The pathway stepped back to an earlier stage",
    "HOURS": "The support hours per week were changed",
    "REVIEW": "A plan review was held",
})  # fmt: skip


@strawberry.type(description="The particulars of a timeline entry: those of its kind are set")
class TimelineDetail:
    title: str | None = strawberry.field(description="BASELINE: the outcome's title")
    baseline: str | None = strawberry.field(description="BASELINE: where the person began")
    target: str | None = strawberry.field(description="BASELINE: the target")
    exit_criteria: str | None = strawberry.field(description="STAGE_ADDED: when it is done")
    review_date: date | None = strawberry.field(
        description="STAGE_ADDED: its review date; STAGE_STARTED: its new one, if moved"
    )
    exit_evidence: str | None = strawberry.field(
        description="STAGE_COMPLETED: how the exit criteria were met"
    )
    what_happened: str | None = strawberry.field(description="SETBACK: what happened")
    what_was_done: str | None = strawberry.field(description="SETBACK: what was done about it")
    response: SetbackResponse | None = strawberry.field(description="SETBACK: what was decided")
    from_stage_id: strawberry.ID | None = strawberry.field(
        description="STAGE_STEPPED_BACK: the stage left"
    )
    hours_per_week: float | None = strawberry.field(description="HOURS: weekly support hours")
    review_id: strawberry.ID | None = strawberry.field(description="REVIEW: the review held")
    decisions: ReviewDecisions | None = strawberry.field(description="REVIEW: what it decided")

    @classmethod
    def of(cls, detail: dict[str, Any]) -> TimelineDetail:
        given = {snake(key): value for key, value in detail.items()}
        if given.get("review_date"):
            given["review_date"] = date.fromisoformat(given["review_date"])
        if given.get("response"):
            given["response"] = SetbackResponse(given["response"])
        if "decisions" in given:
            given["decisions"] = ReviewDecisions.of(given["decisions"])
        names = set(cls.__annotations__)
        return cls(**{name: given.get(name) for name in names})


@strawberry.type(description="One dated step of the evidence line")
class TimelineEntry:
    kind: TimelineEntryKind = strawberry.field(
        description="What it records: stage changes and setbacks of the outcome, or support "
        "hours and reviews of the whole plan"
    )
    effective_at: datetime = strawberry.field(description="When it happened or took effect")
    recorded_at: datetime = strawberry.field(description="When it was recorded")
    stage_id: strawberry.ID | None = strawberry.field(description="The stage it is about")
    summary: str = strawberry.field(description="The entry in words")
    detail: TimelineDetail = strawberry.field(description="Its particulars")
    recorded_by: str = strawberry.field(description="Who recorded it")

    @classmethod
    def from_row(cls, row: Row) -> TimelineEntry:
        return cls(kind=TimelineEntryKind(row["kind"]), effective_at=when(row["effective_at"]),
                   recorded_at=when(row["recorded_at"]),
                   stage_id=strawberry.ID(row["stage_id"]) if row["stage_id"] else None,
                   summary=row["summary"], detail=TimelineDetail.of(json.loads(row["detail"])),
                   recorded_by=row["actor_name"])  # fmt: skip


@strawberry.type(description="A week's evidence notes, summarised")
class EvidenceWeek:
    week_start: date = strawberry.field(description="The Monday (UTC)")
    notes: int = strawberry.field(description="Notes that week")
    median_prompt_rung: int | None = strawberry.field(
        description="0 is the ladder's most independent rung; null if no note named a rung"
    )
    median_prompt_level: str | None = strawberry.field(description="That rung's name")
    mean_confidence: float | None = strawberry.field(description="1-10, as the person put it")
    steps_completed: int = strawberry.field(description="Independence steps completed")
    steps_of: int = strawberry.field(description="Independence steps there were")
    refusals: int = strawberry.field(description="Notes recording a refusal")

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
                 "measurable progress, as recorded at a moment")  # fmt: skip
class ProgressionTimeline(MomentFields):
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    outcome_id: strawberry.ID = strawberry.field(description="The outcome")
    from_: datetime = strawberry.field(name="from", description="The start of the span")
    to: datetime = strawberry.field(description="The end of the span")
    entries: list[TimelineEntry] = strawberry.field(description="In the order they took effect")
    weeks: list[EvidenceWeek] = strawberry.field(description="Evidence notes per week")


async def progression_timeline(
    info: ContextInfo,
    person_id: PersonId,
    outcome_id: Annotated[
        strawberry.ID, strawberry.argument(description="The outcome, within the person's plan")
    ],
    from_: Annotated[datetime | None, strawberry.argument(name="from", description=START)] = None,
    to: Annotated[datetime | None, strawberry.argument(description=SPAN_END)] = None,
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> ProgressionTimeline:
    person, outcome = record_id(person_id, "personId"), plain_text(str(outcome_id), "outcomeId")
    since, until = _range(from_, to)
    at = moment(as_of, as_known_at)

    def query(tx: Any) -> tuple[list[Row], list[Row]]:
        return (timeline_entries(tx, person, outcome, since, until, at),
                evidence_by_week(tx, person, outcome, since, until, at))  # fmt: skip

    found = await info.context.read_person("progressionTimeline", person, query,
                                           Progression.name, EvidenceNotes.name)  # fmt: skip
    entries, weeks = found or ([], [])
    return ProgressionTimeline(
        person_id=strawberry.ID(person), outcome_id=strawberry.ID(outcome), from_=since,
        to=until, entries=[TimelineEntry.from_row(row) for row in entries],
        weeks=[EvidenceWeek.from_row(row) for row in weeks], **MomentFields.of(at),
    )  # fmt: skip


def _range(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    since, until = aware(since, "from"), aware(until, "to")
    start, end = since or EARLIEST_EFFECTIVE_AT, until or datetime.now(UTC)
    if start > end:
        message = "`from` must not be after `to`"
        raise RulesViolated([Violation("input.time.range", "from", message)])
    return start.astimezone(UTC), end.astimezone(UTC)


@strawberry.type
class Query:
    progression_timeline: ProgressionTimeline = strawberry.field(
        resolver=progression_timeline,
        description="An outcome's evidence line between two times: baseline, every stage "
        "change and setback, reviews and support hours, and the evidence notes summarised per "
        "week; as in force at asOf and recorded by asKnownAt",
        extensions=readable_by(READERS),
    )
