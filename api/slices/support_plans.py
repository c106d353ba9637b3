"""Support plans: each living plan as it stands, and how it evolved."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.common import Actor, Position, day, record_id, when
from api.context import Context
from api.pagination import Connection, check_page_size, connection, decode_cursor
from projections.base import Row
from projections.support_plans import SupportPlans, get_current_plan, plan_versions_page

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
        )


@strawberry.type(description="A person's one living support plan, as it now stands.")
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

    @classmethod
    def from_row(cls, row: Row) -> SupportPlan:
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
        )


async def support_plan(info: ContextInfo, person_id: strawberry.ID) -> SupportPlan | None:
    person = record_id(person_id, "personId")
    row = await info.context.read(lambda tx: get_current_plan(tx, person), SupportPlans.name)
    return SupportPlan.from_row(row) if row else None


async def plan_history(
    info: ContextInfo, person_id: strawberry.ID, first: int = 20, after: str | None = None
) -> Connection[PlanVersion]:
    check_page_size(first)
    start = decode_cursor("version", after)
    person = record_id(person_id, "personId")
    rows = await info.context.read(
        lambda tx: plan_versions_page(tx, person, start, first), SupportPlans.name
    )
    return connection(rows, first, after, "version", lambda r: r["version"], PlanVersion.from_row)


@strawberry.type
class Query:
    support_plan: SupportPlan | None = strawberry.field(
        resolver=support_plan, description="A person's living support plan as it now stands"
    )
    plan_history: Connection[PlanVersion] = strawberry.field(
        resolver=plan_history,
        description="How a person's plan evolved: every change, oldest first, with who, when, "
        "why and what changed",
    )
