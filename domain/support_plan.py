"""The one living support plan per person: measurable outcomes, each built on assessed strengths.

Every change is its own event; once the plan is agreed, every change must say why.

DOMAIN: the plan in force is its events replayed in order of effective time (domain.timeline):
a change entered late fills in the past and never overrides one that took effect after it.
Before-values an event carries (`before`, `previous`) are those of the plan it was decided on,
the plan in force when it was recorded; its history describes each change against the plan as
it stood when the change took effect.

The plan is composed of its parts, each deciding the commands that change it: its outcomes and
their enablement steps (domain.plan_outcomes), each outcome's step-down pathway
(domain.plan_pathway) and its setbacks (domain.plan_setbacks), its reviews
(domain.plan_reviews), and what it says as a whole (domain.plan_terms). No change takes effect
before the last change to the parts it touches (domain.plan_changes). The events, and how each
changes the plan's state, are declared here, so that every event is stored as the plan's own
(`SupportPlan.<Name>`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import (
    plan_changes,
    plan_outcomes,
    plan_pathway,
    plan_reviews,
    plan_setbacks,
    plan_terms,
)
from domain.envelope import Envelope
from domain.outcome import EnablementStep, Outcome, OutcomeTerms
from domain.pathway import (
    COMPLETED,
    CURRENT,
    PLANNED,
    SetbackResponse,
    Stage,
    current_stage,
    last_completed,
    next_stage,
    replaced,
)
from domain.plan_changes import LastChange
from domain.record import Record, presume
from domain.review import Review

__all__ = ["EnablementStep", "Outcome", "OutcomeTerms", "SupportPlan"]


class SupportPlan(Record):
    # v2 keeps when the record began and the latest effective time folded in (domain.timeline)
    # v3 keeps its reviews
    # v4 keeps when each part last changed (domain.plan_changes), and what each review found
    class_version = 4

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        state["began_at"] = state["latest_effective_at"] = None  # replayed in full when loaded

    @staticmethod
    def upcast_v2_v3(state: dict[str, object]) -> None:
        state["reviews"] = {}

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        # A review held before keeps no details here (domain.review.Review's defaults).
        state["last_changes"] = plan_changes.derived(state)

    @staticmethod
    def create_id(person_id: str, **_: Any) -> UUID:
        # Derived from the person, so a second plan for the same person cannot be stored.
        return uuid5(NAMESPACE_URL, f"stepwise:support-plan:{person_id}")

    @event("Drafted")
    def __init__(
        self, envelope: Envelope, person_id: str, assessment_id: str, strengths: list[str]
    ) -> None:
        self.tenant_id = envelope.tenant_id
        self.person_id = person_id
        self.assessment_id = assessment_id
        self.assessed_strengths = list(strengths)
        self.outcomes: dict[str, Outcome] = {}
        self.staff_guidance: str | None = None
        self.support_hours_per_week: float | None = None
        self.next_review_date: date | None = None
        self.agreed = False
        self.reviews: dict[str, Review] = {}
        self.last_changes: dict[str, LastChange] = {}

    # -- commands, each decided by the part of the plan it changes ------------------------------

    agree_outcome = plan_outcomes.agree_outcome
    add_enablement_step = plan_outcomes.add_enablement_step
    revise_outcome = plan_outcomes.revise_outcome
    retire_outcome = plan_outcomes.retire_outcome
    write_staff_guidance = plan_terms.write_staff_guidance
    set_support_hours = plan_terms.set_support_hours
    set_next_review_date = plan_terms.set_next_review_date
    agree = plan_terms.agree
    add_pathway_stage = plan_pathway.add_pathway_stage
    start_stage = plan_pathway.start_stage
    record_stage_progress = plan_pathway.record_stage_progress
    complete_stage = plan_pathway.complete_stage
    record_setback = plan_setbacks.record_setback
    schedule_review = plan_reviews.schedule_review
    hold_review = plan_reviews.hold_review

    # -- outcomes and their enablement steps ----------------------------------------------------

    @event("OutcomeAgreed")
    def _outcome_agreed(self, envelope: Envelope, outcome_id: str, terms: dict[str, Any]) -> None:
        self.outcomes[outcome_id] = Outcome(
            outcome_id=outcome_id, agreed_at=envelope.effective_at, **terms
        )

    @event("EnablementStepAdded")
    def _step_added(self, envelope: Envelope, outcome_id: str, step: EnablementStep) -> None:
        outcome = self.outcomes[outcome_id]
        self.outcomes[outcome_id] = replace(outcome, steps=[*outcome.steps, step])

    class OutcomeRevised(Aggregate.Event):
        """An outcome's terms revised: the new terms, and what they replaced."""

        class_version = 2
        envelope: Envelope
        outcome_id: str
        changes: dict[str, Any]
        previous: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["previous"] = {}  # not recorded before v2

    @event(OutcomeRevised)
    def _outcome_revised(
        self, envelope: Envelope, outcome_id: str, changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:  # fmt: skip
        self.outcomes[outcome_id] = replace(self.outcomes[outcome_id], **changes)

    @event("OutcomeRetired")
    def _outcome_retired(self, envelope: Envelope, outcome_id: str) -> None:
        self.outcomes[outcome_id] = replace(self.outcomes[outcome_id], retired=True)

    # -- what the plan says as a whole ----------------------------------------------------------

    @event("StaffGuidanceWritten")
    def _guidance_written(self, envelope: Envelope, guidance: str) -> None:
        self.staff_guidance = guidance

    @event("StaffGuidanceRewritten")
    def _guidance_rewritten(self, envelope: Envelope, previous: str, guidance: str) -> None:
        self.staff_guidance = guidance

    @event("SupportHoursSet")
    def _hours_set(self, envelope: Envelope, hours_per_week: float) -> None:
        self.support_hours_per_week = hours_per_week

    @event("SupportHoursReduced")
    def _hours_reduced(self, envelope: Envelope, before: float, after: float) -> None:
        self.support_hours_per_week = after

    @event("SupportHoursIncreased")
    def _hours_increased(self, envelope: Envelope, before: float, after: float) -> None:
        self.support_hours_per_week = after

    @event("NextReviewDateSet")
    def _review_date_set(self, envelope: Envelope, review_date: date) -> None:
        self.next_review_date = review_date

    @event("NextReviewBroughtForward")
    def _review_brought_forward(self, envelope: Envelope, before: date, after: date) -> None:
        self.next_review_date = after

    @event("NextReviewPostponed")
    def _review_postponed(self, envelope: Envelope, before: date, after: date) -> None:
        self.next_review_date = after

    @event("Agreed")
    def _agreed(self, envelope: Envelope) -> None:
        self.agreed = True

    # -- each outcome's step-down pathway -------------------------------------------------------

    @event("PathwayStageAdded")
    def _stage_added(self, envelope: Envelope, outcome_id: str, stage: Stage) -> None:
        outcome = self.outcomes[outcome_id]
        added = replace(stage, added_at=envelope.effective_at)
        self.outcomes[outcome_id] = replace(outcome, stages=[*outcome.stages, added])
        self._changed(envelope, f"stage '{stage.title}' was added",
                      plan_changes.stages_of(outcome_id),
                      plan_changes.stage(outcome_id, stage.stage_id))  # fmt: skip

    class StageStarted(Aggregate.Event):
        """A stage under way; its new review date, if one was given."""

        class_version = 2
        envelope: Envelope
        outcome_id: str
        stage_id: str
        review_date: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["review_date"] = None  # a start kept the stage's review date before v2

    @event(StageStarted)
    def _stage_started(
        self, envelope: Envelope, outcome_id: str, stage_id: str, review_date: date | None
    ) -> None:
        stage = self._stage_of(outcome_id, stage_id)
        upcoming = next_stage(self.outcomes[outcome_id].stages)
        presume(upcoming == stage, f"stage '{stage.title}' is not the next to start")
        self._set_stages(envelope, outcome_id, "started",
                         stage.started(envelope.effective_at, review_date))  # fmt: skip

    @event("StageProgressRecorded")
    def _progress_recorded(
        self, envelope: Envelope, outcome_id: str, stage_id: str, progress: str
    ) -> None:
        self._presume_under_way(outcome_id, stage_id)  # the progress is the timeline's

    @event("StageCompleted")
    def _stage_completed(
        self, envelope: Envelope, outcome_id: str, stage_id: str, exit_evidence: str
    ) -> None:
        stage = self._presume_under_way(outcome_id, stage_id)
        done = replace(stage, status=COMPLETED, completed_at=envelope.effective_at)
        self._set_stages(envelope, outcome_id, "completed", done)

    @event("SetbackRecorded")
    def _setback_recorded(
        self, envelope: Envelope, outcome_id: str, stage_id: str, what_happened: str,
        what_was_done: str, response: str,
    ) -> None:  # fmt: skip
        stages = self.outcomes[outcome_id].stages
        current = current_stage(stages)
        between = [s.stage_id for s in (last_completed(stages), next_stage(stages)) if s]
        presume(current.stage_id == stage_id if current else stage_id in between,
                "a setback at a stage neither under way nor between stages")  # fmt: skip
        stage = self._stage_of(outcome_id, stage_id)
        stage = replace(stage, setbacks=stage.setbacks + 1)
        if response == SetbackResponse.REPEAT_STAGE:  # the stage under way or last completed
            stage = stage.started(envelope.effective_at)
        self._set_stages(envelope, outcome_id, "set back", stage)

    @event("StageSteppedBack")
    def _stepped_back(
        self, envelope: Envelope, outcome_id: str, from_stage_id: str, to_stage_id: str
    ) -> None:
        left = replace(self._presume_under_way(outcome_id, from_stage_id), status=PLANNED)
        back = self._stage_of(outcome_id, to_stage_id).started(envelope.effective_at)
        self._set_stages(envelope, outcome_id, "stepped back from", left)
        self._set_stages(envelope, outcome_id, "stepped back to", back)

    def _stage_of(self, outcome_id: str, stage_id: str) -> Stage:
        return next(s for s in self.outcomes[outcome_id].stages if s.stage_id == stage_id)

    def _presume_under_way(self, outcome_id: str, stage_id: str) -> Stage:
        stage = self._stage_of(outcome_id, stage_id)
        presume(stage.status == CURRENT, f"stage '{stage.title}' is not under way")
        return stage

    def _set_stages(self, envelope: Envelope, outcome_id: str, done: str, *stages: Stage) -> None:
        outcome = self.outcomes[outcome_id]
        self.outcomes[outcome_id] = replace(outcome, stages=replaced(outcome.stages, *stages))
        for stage in stages:
            self._changed(envelope, f"stage '{stage.title}' was {done}",
                          plan_changes.stage(outcome_id, stage.stage_id))  # fmt: skip

    # -- reviews --------------------------------------------------------------------------------

    @event("ReviewScheduled")
    def _review_scheduled(self, envelope: Envelope, review_id: str, due_on: date) -> None:
        review = Review(review_id, due_on, scheduled_at=envelope.effective_at)
        self.reviews = {**self.reviews, review_id: review}
        self.next_review_date = due_on
        self._changed(envelope, f"the review due {due_on.isoformat()} was scheduled",
                      plan_changes.REVIEWS)  # fmt: skip

    @event("ReviewHeld")
    def _review_held(
        self, envelope: Envelope, review_id: str, analysis: dict[str, Any],
        involvement: dict[str, Any], decisions: dict[str, Any],
    ) -> None:  # fmt: skip
        presume(self.reviews[review_id].held_at is None, "the review was held already")
        held = replace(self.reviews[review_id], held_at=envelope.effective_at,
                       held_by=envelope.actor.name, analysis=dict(analysis),
                       involvement=dict(involvement), decisions=dict(decisions))  # fmt: skip
        self.reviews = {**self.reviews, review_id: held}
        self._changed(envelope, f"the review due {held.due_on.isoformat()} was held",
                      plan_changes.REVIEWS)  # fmt: skip

    def _changed(self, envelope: Envelope, what: str, *parts: str) -> None:
        """These parts of the plan last changed now (domain.plan_changes)."""
        self.last_changes.update(dict.fromkeys(parts, LastChange(envelope.effective_at, what)))
