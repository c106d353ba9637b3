"""Commands on a plan's step-down pathways and reviews, and who may issue them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from annotated_types import MaxLen

from domain.commands import MANAGERS, STAFF, Change, Hours, Key, NewIds, Registration, Text
from domain.outcome import OutcomeTerms
from domain.pathway import SetbackResponse, Stage
from domain.plan_command import PlanCommand, Strengths, find_plan, find_plan_and_techniques
from domain.provider_policy import technique_key
from domain.review import Involvement, ReviewAnalysis, ReviewDecisions
from domain.support_plan import SupportPlan

Triggers = Annotated[list[Text], MaxLen(20)]
Items = Annotated[list[Text], MaxLen(50)]


@dataclass(frozen=True)
class AddPathwayStage(PlanCommand):
    """Add the next stage of an outcome's step-down pathway."""

    outcome_id: Key
    title: Text
    staff_will: Text
    exit_criteria: Text
    review_date: date
    escalation_triggers: Triggers
    technique: Key | None = None  # the technique staff rely on at this stage, if any

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        technique = technique_key(self.technique) if self.technique else None
        stage = Stage(ids.part("stage"), self.title.strip(), self.staff_will.strip(),
                      self.exit_criteria.strip(), self.review_date,
                      [t.strip() for t in self.escalation_triggers if t.strip()],
                      technique=technique)  # fmt: skip
        return {"outcome_id": self.outcome_id, "stage": stage}


@dataclass(frozen=True)
class StageCommand(PlanCommand):
    outcome_id: Key
    stage_id: Key


@dataclass(frozen=True)
class StartStage(StageCommand):
    """Start the next stage of an outcome's pathway, with a new review date for it if one is
    given (required when the stage starts on or after its own review date)."""

    review_date: date | None = None


@dataclass(frozen=True)
class RecordStageProgress(StageCommand):
    """Record progress at the stage under way."""

    progress: Text


@dataclass(frozen=True)
class CompleteStage(StageCommand):
    """Complete the stage under way, saying how its exit criteria were met."""

    exit_evidence: Text


@dataclass(frozen=True)
class RecordSetback(StageCommand):
    """Record a setback on an outcome's pathway: what happened, what was done, and what was
    decided. While a stage is under way, against it: repeat_stage or step_back (to the one
    before). Between stages, against the last completed stage to repeat it (repeat_stage), or
    against the next to delay it (delay_next_stage)."""

    what_happened: Text
    what_was_done: Text
    response: SetbackResponse


@dataclass(frozen=True)
class ScheduleReview(PlanCommand):
    """Schedule the plan's next review."""

    due_on: date

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"review_id": ids.part("review"), "due_on": self.due_on}


@dataclass(frozen=True)
class HoldReview(PlanCommand):
    """Hold a scheduled review with the person (managers): what worked, new strengths, whether
    support can reduce safely, barriers, new goals, how the person took part, and decisions,
    each applied to the plan as a change caused by the review."""

    review_id: Key
    person_attended: bool | None = None
    person_contributed: bool | None = None
    person_views: Text | None = None
    views_not_given_because: Text | None = None
    what_worked: Text = ""
    new_strengths: Items | None = None
    support_can_reduce: bool | None = None
    barriers: Text = ""
    new_goals: Items | None = None
    decide_support_hours: Hours | None = None
    decide_advance_stage_of: Key | None = None
    decide_next_review_on: date | None = None
    new_outcome_title: Text | None = None
    new_outcome_baseline: Text | None = None
    new_outcome_target: Text | None = None
    new_outcome_evidenced_by: Text | None = None
    new_outcome_builds_on: Strengths | None = None
    # A new review date for the stage the advance starts (required once its own has come).
    decide_stage_review_on: date | None = None

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        analysis = ReviewAnalysis(self.what_worked.strip(), list(self.new_strengths or []),
                                  self.support_can_reduce, self.barriers.strip(),
                                  list(self.new_goals or []))  # fmt: skip
        involvement = Involvement(self.person_attended, self.person_contributed,
                                  self.person_views, self.views_not_given_because)  # fmt: skip
        terms = OutcomeTerms(self.new_outcome_title, self.new_outcome_baseline,
                             self.new_outcome_target, self.new_outcome_evidenced_by,
                             self.new_outcome_builds_on)  # fmt: skip
        new_outcome = terms if terms.changes() else None
        decisions = ReviewDecisions(
            support_hours_per_week=self.decide_support_hours,
            advance_stage_of=self.decide_advance_stage_of,
            stage_review_on=self.decide_stage_review_on,
            new_outcome_id=ids.part("outcome") if new_outcome else None,
            new_outcome=new_outcome,
            next_review_id=ids.part("review") if self.decide_next_review_on else None,
            next_review_on=self.decide_next_review_on,
        )
        return {"review_id": self.review_id, "analysis": analysis, "involvement": involvement,
                "decisions": decisions}  # fmt: skip


COMMANDS: list[Registration] = [
    Change(
        AddPathwayStage,
        STAFF,
        find_plan_and_techniques,
        SupportPlan.add_pathway_stage,
        adds=("known",),
    ),
    Change(StartStage, STAFF, find_plan, SupportPlan.start_stage),
    Change(RecordStageProgress, STAFF, find_plan, SupportPlan.record_stage_progress),
    Change(CompleteStage, STAFF, find_plan, SupportPlan.complete_stage),
    Change(RecordSetback, STAFF, find_plan, SupportPlan.record_setback),
    Change(ScheduleReview, STAFF, find_plan, SupportPlan.schedule_review),
    Change(HoldReview, MANAGERS, find_plan, SupportPlan.hold_review),
]
