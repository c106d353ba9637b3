"""The step-down pathway of an outcome: ordered stages, each with what staff will do, when it is
done, its own review date and what should make staff escalate. A person moves through them one
at a time. A setback while a stage is under way repeats it or steps back to the one before; a
setback between stages (the last completed, the next not yet started) reopens the last or
delays the next.

DOMAIN: the evidence line strengths-based practice is judged on is baseline -> targeted
support -> measurable progress; the stages are the targeted support, in the order it is meant
to step down.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

PLANNED, CURRENT, COMPLETED = "planned", "current", "completed"


class SetbackResponse(StrEnum):
    """What was decided about the pathway after a setback (domain.plan_setbacks says which fits
    when)."""

    REPEAT_STAGE = "repeat_stage"  # the stage under way, or else the last completed, again
    STEP_BACK = "step_back"  # from the stage under way back to the one before
    DELAY_NEXT_STAGE = "delay_next_stage"  # between stages: the next waits, still planned


@dataclass(frozen=True)
class Stage:
    stage_id: str
    title: str
    staff_will: str  # what staff will do while the person is at this stage
    exit_criteria: str
    review_date: date
    escalation_triggers: list[str]
    status: str = PLANNED
    started_at: datetime | None = None
    completed_at: datetime | None = None
    attempts: int = 0  # how many times it was started (a repeat after a setback counts)
    setbacks: int = 0
    added_at: datetime | None = None
    technique: str | None = None  # the technique staff rely on at this stage, if it names one

    def started(self, at: datetime, review_date: date | None = None) -> Stage:
        """Under way (again), reviewed on a new date if one is given."""
        return replace(self, status=CURRENT, started_at=at, completed_at=None,
                       attempts=self.attempts + 1,
                       review_date=review_date or self.review_date)  # fmt: skip


def next_stage(stages: list[Stage]) -> Stage | None:
    """The stage to start next: the first not completed, unless one is under way."""
    if any(stage.status == CURRENT for stage in stages):
        return None
    return next((stage for stage in stages if stage.status != COMPLETED), None)


def current_stage(stages: list[Stage]) -> Stage | None:
    return next((stage for stage in stages if stage.status == CURRENT), None)


def last_completed(stages: list[Stage]) -> Stage | None:
    """The latest stage completed: stages are completed in order, so the last in the list."""
    return next((stage for stage in reversed(stages) if stage.status == COMPLETED), None)


def stage_before(stages: list[Stage], stage_id: str) -> Stage | None:
    index = next(i for i, stage in enumerate(stages) if stage.stage_id == stage_id)
    return stages[index - 1] if index > 0 else None


def replaced(stages: list[Stage], *changed: Stage) -> list[Stage]:
    by_id = {stage.stage_id: stage for stage in changed}
    return [by_id.get(stage.stage_id, stage) for stage in stages]
