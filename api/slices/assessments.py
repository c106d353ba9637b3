"""Strengths-led assessments."""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.common import AS_KNOWN_AT, AS_OF, moment, record_id, when
from api.context import Context
from domain.assessment import ContributionMode
from projections.assessments import Assessments, get_assessment
from projections.base import Row, Transaction
from projections.people import People
from projections.reach import person_scope
from projections.states import Moment

ContextInfo = Info[Context, None]


@strawberry.enum(description="Where an assessment stands")
class AssessmentStatus(Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@strawberry.type(description="How the person took part in their assessment.")
class Contribution:
    mode: ContributionMode
    summary: str
    spoken_for_by: str | None
    reason_not_possible: str | None


@strawberry.type(description="A strengths-led assessment.")
class Assessment:
    id: strawberry.ID
    person_id: strawberry.ID
    status: AssessmentStatus
    strengths: list[str]
    independent_skills: list[str]
    preferred_outcomes: list[str]
    informal_support: list[str]
    communication_preferences: list[str]
    contribution: Contribution | None
    version: int
    updated_at: datetime
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
    id: strawberry.ID,
    as_of: Annotated[datetime | None, AS_OF] = None,
    as_known_at: Annotated[datetime | None, AS_KNOWN_AT] = None,
) -> Assessment | None:
    assessment_id, at = record_id(id, "id"), moment(as_of, as_known_at)

    def query(tx: Transaction) -> tuple[Row | None, Row | None]:
        row = get_assessment(tx, assessment_id, at)
        return row, row and person_scope(tx, row["person_id"])

    row, scope = await info.context.read(query, Assessments.name, People.name)
    if row is None or scope is None:
        return None
    reached = info.context.log_read("assessment", scope, row["person_id"], assessment_id)
    return Assessment.from_row(row, at) if reached else None


@strawberry.type
class Query:
    assessment: Assessment | None = strawberry.field(
        resolver=assessment, description="A strengths-led assessment"
    )
