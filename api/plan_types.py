"""The GraphQL types of a support plan, built from the plan documents its read model keeps."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry

from api.common import day, describe_values, shown_technique, when
from projections.base import Row
from projections.states import Moment


@strawberry.enum(description="Where a plan stands")
class PlanStatus(Enum):
    DRAFT = "draft"
    AGREED = "agreed"


describe_values(PlanStatus, {
    "DRAFT": "Being drafted: changes need no reason",
    "AGREED": "Agreed by a manager: every change needs a reason",
})  # fmt: skip


@strawberry.enum(description="Whether an outcome is still worked towards")
class OutcomeStatus(Enum):
    ACTIVE = "active"
    RETIRED = "retired"


describe_values(OutcomeStatus, {
    "ACTIVE": "Still worked towards",
    "RETIRED": "No longer worked towards (retired with a reason)",
})  # fmt: skip


@strawberry.enum(description="Where a stage of a pathway stands")
class StageStatus(Enum):
    PLANNED = "planned"
    CURRENT = "current"
    COMPLETED = "completed"


describe_values(StageStatus, {
    "PLANNED": "Added, not yet started",
    "CURRENT": "Under way",
    "COMPLETED": "Done: its exit criteria met",
})  # fmt: skip


@strawberry.type(description="strength -> weekly micro-step -> evidence route")
class EnablementStep:
    id: strawberry.ID = strawberry.field(description="The step, within its outcome")
    strength: str = strawberry.field(description="The assessed strength it uses")
    weekly_micro_step: str = strawberry.field(description="What the person does each week")
    evidence_route: str = strawberry.field(description="How progress is evidenced")

    @classmethod
    def from_document(cls, step: dict[str, Any]) -> EnablementStep:
        return cls(id=strawberry.ID(step["stepId"]), strength=step["strength"],
                   weekly_micro_step=step["weeklyMicroStep"],
                   evidence_route=step["evidenceRoute"])  # fmt: skip


@strawberry.type(description="A stage of an outcome's step-down pathway")
class PathwayStage:
    id: strawberry.ID = strawberry.field(description="The stage, within its outcome")
    title: str = strawberry.field(description="What the stage is")
    staff_will: str = strawberry.field(description="What staff will do at this stage")
    exit_criteria: str = strawberry.field(description="When the stage is done")
    review_date: date = strawberry.field(description="When the stage is reviewed")
    escalation_triggers: list[str] = strawberry.field(description="What should make staff escalate")
    status: StageStatus = strawberry.field(description="Where the stage stands")
    started_at: datetime | None = strawberry.field(description="When it was last started")
    completed_at: datetime | None = strawberry.field(description="When it was completed")
    attempts: int = strawberry.field(description="Times started (a repeat after a setback too)")
    setbacks: int = strawberry.field(description="Setbacks recorded at this stage")
    technique: str | None = strawberry.field(
        description="The technique staff rely on at this stage (see `techniques`), if it names one"
    )

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
            started_at=when(stage["startedAt"]) if stage.get("startedAt") else None,
            completed_at=when(stage["completedAt"]) if stage.get("completedAt") else None,
            attempts=stage.get("attempts", 0),
            setbacks=stage.get("setbacks", 0),
            technique=shown_technique(stage.get("technique")),
        )


@strawberry.type(description="A measurable outcome: where the person is, where they aim to be.")
class Outcome:
    id: strawberry.ID = strawberry.field(description="The outcome, within the plan")
    title: str = strawberry.field(description="What the outcome is")
    baseline: str = strawberry.field(description="Where the person is now")
    target: str = strawberry.field(description="The measurable target")
    evidenced_by: str = strawberry.field(description="How progress is evidenced")
    builds_on: list[str] = strawberry.field(description="Assessed strengths it builds on")
    technique: str | None = strawberry.field(
        description="The technique staff rely on to support it (see `techniques`), if it names one"
    )
    status: OutcomeStatus = strawberry.field(description="Whether it is still worked towards")
    steps: list[EnablementStep] = strawberry.field(description="Its enablement steps")
    pathway: list[PathwayStage] = strawberry.field(
        description="The step-down pathway: its stages, in the order they are taken"
    )

    @strawberry.field(description="The stage under way, if one is")
    def current_stage(self) -> PathwayStage | None:
        return next((s for s in self.pathway if s.status is StageStatus.CURRENT), None)

    @classmethod
    def from_document(cls, outcome_id: str, document: dict[str, Any]) -> Outcome:
        return cls(
            id=strawberry.ID(outcome_id),
            title=document["title"],
            baseline=document["baseline"],
            target=document["target"],
            evidenced_by=document["evidencedBy"],
            builds_on=document["buildsOn"],
            technique=shown_technique(document.get("technique")),
            status=OutcomeStatus(document["status"]),
            steps=[EnablementStep.from_document(step) for step in document["steps"].values()],
            pathway=[PathwayStage.from_document(s) for s in document.get("stages", [])],
        )


@strawberry.type(description="A person's one living support plan, as it stood at a moment.")
class SupportPlan:
    id: strawberry.ID = strawberry.field(description="The plan (derived from the person's id)")
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    assessment_id: strawberry.ID = strawberry.field(
        description="The assessment it was drafted from"
    )
    status: PlanStatus = strawberry.field(description="Draft, or agreed by a manager")
    assessed_strengths: list[str] = strawberry.field(description="What the assessment found")
    outcomes: list[Outcome] = strawberry.field(description="Its measurable outcomes")
    staff_guidance: str | None = strawberry.field(description="The guidance staff follow")
    support_hours_per_week: float | None = strawberry.field(description="Weekly support hours")
    next_review_date: date | None = strawberry.field(description="When the plan is next reviewed")
    version: int = strawberry.field(description="The plan's version then")
    updated_at: datetime = strawberry.field(description="When its latest change was recorded")
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
