"""Strengths-led assessments."""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    describe_values,
    moment,
    record_id,
    when,
)
from api.context import Context
from domain.assessment import Assessment as AssessmentRecord
from domain.assessment import ContributionMode
from projections.assessments import Assessments, get_assessment
from projections.base import Row
from projections.states import Moment

ContextInfo = Info[Context, None]


@strawberry.enum(description="Where an assessment stands")
class AssessmentStatus(Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


describe_values(AssessmentStatus, {
    "IN_PROGRESS": "Sections are still being recorded",
    "COMPLETED": "Completed with every section and the person's contribution; no longer changes",
})  # fmt: skip


@strawberry.type(description="How the person took part in their assessment.")
class Contribution:
    mode: ContributionMode = strawberry.field(description="Directly, through an advocate, or not")
    summary: str = strawberry.field(description="What they (or who spoke for them) contributed")
    spoken_for_by: str | None = strawberry.field(description="Who spoke for them, if anyone")
    reason_not_possible: str | None = strawberry.field(
        description="Why they could not contribute directly"
    )


@strawberry.type(description="A strengths-led assessment, as it stood at a moment.")
class Assessment:
    id: strawberry.ID = strawberry.field(description="The assessment")
    person_id: strawberry.ID = strawberry.field(description="The person assessed")
    status: AssessmentStatus = strawberry.field(description="In progress, or completed")
    strengths: list[str] = strawberry.field(description="The person's strengths")
    independent_skills: list[str] = strawberry.field(description="What they do on their own")
    preferred_outcomes: list[str] = strawberry.field(description="What they want")
    informal_support: list[str] = strawberry.field(description="Who supports them unpaid")
    communication_preferences: list[str] = strawberry.field(description="How they communicate")
    contribution: Contribution | None = strawberry.field(description="How they took part")
    version: int = strawberry.field(description="The assessment's version then")
    updated_at: datetime = strawberry.field(description="When its latest change was recorded")
    as_of: datetime = strawberry.field(description="This describes what was in force then")
    as_known_at: datetime = strawberry.field(description="...as recorded by then")

    @classmethod
    def from_row(cls, row: Row, at: Moment) -> Assessment:
        document = json.loads(row["document"])
        contribution = document["contribution"]
        return cls(
            id=strawberry.ID(row["assessment_id"]),
            person_id=strawberry.ID(row["person_id"]),
            status=AssessmentStatus(row["status"]),
            strengths=document["strengths"],
            independent_skills=document["independentSkills"],
            preferred_outcomes=document["preferredOutcomes"],
            informal_support=document["informalSupport"],
            communication_preferences=document["communicationPreferences"],
            contribution=Contribution(
                mode=ContributionMode(contribution["mode"]),
                summary=contribution["summary"],
                spoken_for_by=contribution["spokenForBy"],
                reason_not_possible=contribution["reasonNotPossible"],
            )
            if contribution
            else None,
            version=row["version"],
            updated_at=when(row["updated_at"]),
            as_of=at.as_of,
            as_known_at=at.as_known_at,
        )


async def assessment(
    info: ContextInfo,
    id: Annotated[strawberry.ID, strawberry.argument(description="The assessment")],
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> Assessment | None:
    assessment_id, at = record_id(id, "id"), moment(as_of, as_known_at)

    row = await info.context.read_record("assessment", assessment_id,
                                         lambda tx: get_assessment(tx, assessment_id, at),
                                         Assessments.name)  # fmt: skip
    return Assessment.from_row(row, at) if row else None


@strawberry.type
class Query:
    assessment: Assessment | None = strawberry.field(
        resolver=assessment,
        description="A strengths-led assessment, as it stood at a moment",
        extensions=readable_by(readers_of(AssessmentRecord)),
    )
