"""A value a plan's history names (before or after a change, or at either end of a difference),
typed: a field of the plan holds text, a number, a list of texts, an outcome, an enablement
step, a pathway stage or the whole pathway, so each value is one of those."""

from __future__ import annotations

from typing import Any

import strawberry

from api.plan_types import EnablementStep, Outcome, PathwayStage


@strawberry.type(description="A value of a plan's field: exactly one member is set (all are null "
                 "when the field had no value).")  # fmt: skip
class PlanValue:
    text: str | None = strawberry.field(
        default=None, description="A text, a status, an id, or a date or instant (ISO 8601)"
    )
    number: float | None = strawberry.field(default=None, description="A number (e.g. hours)")
    texts: list[str] | None = strawberry.field(
        default=None, description="A list of texts (e.g. strengths)"
    )
    outcome: Outcome | None = strawberry.field(default=None, description="A whole outcome")
    step: EnablementStep | None = strawberry.field(default=None, description="An enablement step")
    stage: PathwayStage | None = strawberry.field(default=None, description="A pathway stage")
    stages: list[PathwayStage] | None = strawberry.field(
        default=None, description="An outcome's whole pathway, in order"
    )


def plan_value(field: str, value: Any) -> PlanValue | None:
    """The typed form of a value stored in a change or a plan document (None: no value)."""
    if value is None:
        return None
    if isinstance(value, bool | str):
        return PlanValue(text=str(value))
    if isinstance(value, int | float):
        return PlanValue(number=float(value))
    if isinstance(value, list) and all(isinstance(item, dict) for item in value) and value:
        return PlanValue(stages=[PathwayStage.from_document(stage) for stage in value])
    if isinstance(value, list):
        return PlanValue(texts=[str(item) for item in value])
    if "weeklyMicroStep" in value:
        return PlanValue(step=EnablementStep.from_document(value))
    if "staffWill" in value:
        return PlanValue(stage=PathwayStage.from_document(value))
    return PlanValue(outcome=Outcome.from_document(field.split(".")[1], value))
