"""GraphQL types, each built from one read-model row."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.context import Context
from projections.base import Row


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@strawberry.type(description="Who made a change, as the request that made it stated.")
class Actor:
    id: str
    name: str
    role: str


@strawberry.type
class Advocate:
    name: str
    relationship: str
    contact: str | None


@strawberry.type
class ConsentToShare:
    given: bool
    scope: str
    recorded_at: datetime


@strawberry.type(description="A person supported, as their record now stands.")
class Person:
    id: strawberry.ID
    name: str
    date_of_birth: date | None
    service_id: str
    team_id: str | None
    advocate: Advocate | None
    consent_to_share: ConsentToShare | None
    version: int
    registered_at: datetime
    updated_at: datetime

    @strawberry.field(description="The person's living support plan, if one is drafted")
    async def support_plan(self, info: Info[Context, None]) -> SupportPlan | None:
        row = await info.context.plans_by_person.load(str(self.id))
        return SupportPlan.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: Row) -> Person:
        document = json.loads(row["document"])
        advocate, consent = document["advocate"], document["consentToShare"]
        return cls(
            id=strawberry.ID(row["person_id"]),
            name=row["name"],
            date_of_birth=_day(document["dateOfBirth"]),
            service_id=row["service_id"],
            team_id=row["team_id"],
            advocate=Advocate(**advocate) if advocate else None,
            consent_to_share=ConsentToShare(
                given=consent["given"],
                scope=consent["scope"],
                recorded_at=_when(consent["recordedAt"]),
            )
            if consent
            else None,
            version=row["version"],
            registered_at=_when(row["registered_at"]),
            updated_at=_when(row["updated_at"]),
        )


@strawberry.type
class Contribution:
    mode: str = strawberry.field(description="direct, through_advocate or not_possible")
    summary: str
    spoken_for_by: str | None
    reason_not_possible: str | None


@strawberry.type(description="A strengths-led assessment.")
class Assessment:
    id: strawberry.ID
    person_id: strawberry.ID
    status: str = strawberry.field(description="in_progress or completed")
    strengths: list[str]
    independent_skills: list[str]
    preferred_outcomes: list[str]
    informal_support: list[str]
    communication_preferences: list[str]
    contribution: Contribution | None
    version: int
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> Assessment:
        document = json.loads(row["document"])
        contribution = document["contribution"]
        return cls(
            id=strawberry.ID(row["assessment_id"]),
            person_id=strawberry.ID(row["person_id"]),
            status=row["status"],
            strengths=document["strengths"],
            independent_skills=document["independentSkills"],
            preferred_outcomes=document["preferredOutcomes"],
            informal_support=document["informalSupport"],
            communication_preferences=document["communicationPreferences"],
            contribution=Contribution(
                mode=contribution["mode"],
                summary=contribution["summary"],
                spoken_for_by=contribution["spokenForBy"],
                reason_not_possible=contribution["reasonNotPossible"],
            )
            if contribution
            else None,
            version=row["version"],
            updated_at=_when(row["updated_at"]),
        )


@strawberry.type(description="strength -> weekly micro-step -> evidence route")
class EnablementStep:
    id: strawberry.ID
    strength: str
    weekly_micro_step: str
    evidence_route: str


@strawberry.type(description="A measurable outcome: where the person is, where they aim to be.")
class Outcome:
    id: strawberry.ID
    title: str
    baseline: str
    target: str
    evidenced_by: str
    builds_on: list[str] = strawberry.field(description="Assessed strengths it builds on")
    status: str = strawberry.field(description="active or retired")
    steps: list[EnablementStep]

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
            status=document["status"],
            steps=steps,
        )


@strawberry.type(description="A person's one living support plan, as it now stands.")
class SupportPlan:
    id: strawberry.ID
    person_id: strawberry.ID
    assessment_id: strawberry.ID
    status: str = strawberry.field(description="draft or agreed")
    assessed_strengths: list[str]
    outcomes: list[Outcome]
    staff_guidance: str | None
    support_hours_per_week: float | None
    next_review_date: date | None
    version: int
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> SupportPlan:
        document = json.loads(row["document"])
        return cls(
            id=strawberry.ID(row["plan_id"]),
            person_id=strawberry.ID(row["person_id"]),
            assessment_id=strawberry.ID(document["assessmentId"]),
            status=row["status"],
            assessed_strengths=document["assessedStrengths"],
            outcomes=[Outcome.from_document(k, v) for k, v in document["outcomes"].items()],
            staff_guidance=document["staffGuidance"],
            support_hours_per_week=document["supportHoursPerWeek"],
            next_review_date=_day(document["nextReviewDate"]),
            version=row["version"],
            updated_at=_when(row["updated_at"]),
        )


@strawberry.type(description="One field a change touched.")
class FieldChange:
    field: str = strawberry.field(description="Dotted path, e.g. outcomes.<id>.target")
    before: JSON | None
    after: JSON | None


@strawberry.type(description="One change to a support plan: who, when, why, and what changed.")
class PlanVersion:
    version: int
    position: int
    event_type: str
    recorded_at: datetime = strawberry.field(description="When the change was recorded")
    effective_at: datetime = strawberry.field(description="When it happened or took effect")
    actor: Actor
    reason: str | None
    summary: str
    changes: list[FieldChange]

    @classmethod
    def from_row(cls, row: Row) -> PlanVersion:
        return cls(
            version=row["version"],
            position=row["position"],
            event_type=row["event_type"],
            recorded_at=_when(row["recorded_at"]),
            effective_at=_when(row["effective_at"]),
            actor=Actor(id=row["actor_id"], name=row["actor_name"], role=row["actor_role"]),
            reason=row["reason"],
            summary=row["summary"],
            changes=[FieldChange(**change) for change in json.loads(row["diff"])],
        )


@strawberry.type(description="One stored event with its envelope.")
class RecordedEvent:
    position: int = strawberry.field(description="Place in the global log")
    stream_id: strawberry.ID
    stream_type: str
    version: int
    event_type: str
    recorded_at: datetime
    effective_at: datetime
    actor: Actor
    reason: str | None
    tenant_id: str
    service_id: str | None
    correlation_id: str
    causation_id: str | None
    payload: JSON

    @classmethod
    def from_row(cls, row: Row) -> RecordedEvent:
        return cls(
            position=row["position"],
            stream_id=strawberry.ID(row["stream_id"]),
            stream_type=row["stream_type"],
            version=row["version"],
            event_type=row["event_type"],
            recorded_at=_when(row["recorded_at"]),
            effective_at=_when(row["effective_at"]),
            actor=Actor(id=row["actor_id"], name=row["actor_name"], role=row["actor_role"]),
            reason=row["reason"],
            tenant_id=row["tenant_id"],
            service_id=row["service_id"],
            correlation_id=row["correlation_id"],
            causation_id=row["causation_id"],
            payload=json.loads(row["payload"]),
        )


@strawberry.type(description="What a command stored. Send `position` as the "
                 "X-Stepwise-Wait-For-Position header to read your own write.")  # fmt: skip
class WriteResult:
    record_id: strawberry.ID
    version: int
    position: int
    part_id: strawberry.ID | None = strawberry.field(
        description="The outcome or enablement step the command created, if any"
    )


@strawberry.type
class ProjectionPosition:
    name: str
    position: int
