"""The one living support plan per person: measurable outcomes, each built on assessed strengths.

Every change is its own event; once the plan is agreed, every change must say why.

DOMAIN: the plan in force is its events replayed in order of effective time (domain.timeline):
a change entered late fills in the past and never overrides one that took effect after it.
Before-values an event carries (`before`, `previous`) are those of the plan it was decided on,
the plan in force when it was recorded; its history describes each change against the plan as
it stood when the change took effect.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.envelope import Envelope, event_id
from domain.errors import Rules
from domain.outcome import EnablementStep, Outcome, OutcomeTerms
from domain.pathway import (
    COMPLETED,
    CURRENT,
    PLANNED,
    SetbackResponse,
    Stage,
    current_stage,
    next_stage,
    replaced,
)
from domain.record import Record
from domain.review import Involvement, Review, ReviewAnalysis, ReviewDecisions

MAX_WEEKLY_HOURS = 168.0

__all__ = ["EnablementStep", "Outcome", "OutcomeTerms", "SupportPlan"]


class SupportPlan(Record):
    # v2 keeps when the record began and the latest effective time folded in (domain.timeline)
    # v3 keeps its reviews
    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        state["began_at"] = state["latest_effective_at"] = None  # replayed in full when loaded

    @staticmethod
    def upcast_v2_v3(state: dict[str, object]) -> None:
        state["reviews"] = {}

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

    def agree_outcome(self, envelope: Envelope, outcome_id: str, terms: OutcomeTerms) -> None:
        rules = self._change_rules(envelope)
        rules.check(
            outcome_id not in self.outcomes,
            "plan.outcome.duplicate_id",
            "outcomeId",
            f"the plan already has an outcome {outcome_id}",
        )
        for name, label in (
            ("title", "a title"),
            ("baseline", "a baseline: where the person is now"),
            ("target", "a measurable target"),
            ("evidenced_by", "how progress will be evidenced"),
        ):
            rules.require_text(getattr(terms, name), f"plan.outcome.{name}_required", name, label)
        self._check_strengths(rules, terms.builds_on or [])
        rules.enforce()
        self._outcome_agreed(envelope, outcome_id, terms.changes())

    @event("OutcomeAgreed")
    def _outcome_agreed(self, envelope: Envelope, outcome_id: str, terms: dict[str, Any]) -> None:
        self.outcomes[outcome_id] = Outcome(
            outcome_id=outcome_id, agreed_at=envelope.effective_at, **terms
        )

    def add_enablement_step(
        self, envelope: Envelope, outcome_id: str, step: EnablementStep
    ) -> None:
        rules = self._change_rules(envelope)
        outcome = self._active_outcome(rules, outcome_id, envelope)
        if outcome is not None:
            rules.check(
                step.strength in outcome.builds_on,
                "plan.step.strength_not_in_outcome",
                "strength",
                f"the step must use a strength the outcome builds on: {outcome.builds_on}",
            )
        rules.require_text(
            step.weekly_micro_step, "plan.step.micro_step_required", "weeklyMicroStep", "a step"
        )
        rules.require_text(
            step.evidence_route, "plan.step.evidence_required", "evidenceRoute", "an evidence route"
        )
        rules.enforce()
        self._step_added(envelope, outcome_id, step)

    @event("EnablementStepAdded")
    def _step_added(self, envelope: Envelope, outcome_id: str, step: EnablementStep) -> None:
        outcome = self.outcomes[outcome_id]
        self.outcomes[outcome_id] = replace(outcome, steps=[*outcome.steps, step])

    def write_staff_guidance(self, envelope: Envelope, guidance: str) -> None:
        rules = self._change_rules(envelope)
        rules.require_text(guidance, "plan.guidance.required", "guidance", "guidance text")
        rules.check(
            self.staff_guidance is None or guidance.strip() != self.staff_guidance,
            "plan.guidance.no_change",
            "guidance",
            "the guidance already says exactly this",
        )
        rules.enforce()
        if self.staff_guidance is None or self.is_late(envelope):
            self._guidance_written(envelope, guidance.strip())
        else:
            self._guidance_rewritten(envelope, self.staff_guidance, guidance.strip())

    @event("StaffGuidanceWritten")
    def _guidance_written(self, envelope: Envelope, guidance: str) -> None:
        self.staff_guidance = guidance

    @event("StaffGuidanceRewritten")
    def _guidance_rewritten(self, envelope: Envelope, previous: str, guidance: str) -> None:
        self.staff_guidance = guidance

    def set_support_hours(self, envelope: Envelope, hours_per_week: float) -> None:
        rules = self._change_rules(envelope)
        rules.check(
            0 <= hours_per_week <= MAX_WEEKLY_HOURS,
            "plan.hours.range",
            "hoursPerWeek",
            f"weekly support hours must be between 0 and {MAX_WEEKLY_HOURS:g}",
        )
        rules.check(
            hours_per_week != self.support_hours_per_week,
            "plan.hours.no_change",
            "hoursPerWeek",
            "support hours are already set to that",
        )
        rules.enforce()
        before, after = self.support_hours_per_week, float(hours_per_week)
        if before is None or self.is_late(envelope):
            self._hours_set(envelope, after)
        elif after < before:
            self._hours_reduced(envelope, before, after)
        else:
            self._hours_increased(envelope, before, after)

    @event("SupportHoursSet")
    def _hours_set(self, envelope: Envelope, hours_per_week: float) -> None:
        self.support_hours_per_week = hours_per_week

    @event("SupportHoursReduced")
    def _hours_reduced(self, envelope: Envelope, before: float, after: float) -> None:
        self.support_hours_per_week = after

    @event("SupportHoursIncreased")
    def _hours_increased(self, envelope: Envelope, before: float, after: float) -> None:
        self.support_hours_per_week = after

    def set_next_review_date(self, envelope: Envelope, review_date: date) -> None:
        rules = self._change_rules(envelope)
        rules.check(
            review_date > envelope.effective_at.date(),
            "plan.review_date.not_future",
            "reviewDate",
            "the next review must fall after the date this change takes effect",
        )
        rules.check(
            review_date != self.next_review_date,
            "plan.review_date.no_change",
            "reviewDate",
            "the next review is already set for that date",
        )
        rules.enforce()
        before = self.next_review_date
        if before is None or self.is_late(envelope):
            self._review_date_set(envelope, review_date)
        elif review_date < before:
            self._review_brought_forward(envelope, before, review_date)
        else:
            self._review_postponed(envelope, before, review_date)

    @event("NextReviewDateSet")
    def _review_date_set(self, envelope: Envelope, review_date: date) -> None:
        self.next_review_date = review_date

    @event("NextReviewBroughtForward")
    def _review_brought_forward(self, envelope: Envelope, before: date, after: date) -> None:
        self.next_review_date = after

    @event("NextReviewPostponed")
    def _review_postponed(self, envelope: Envelope, before: date, after: date) -> None:
        self.next_review_date = after

    def revise_outcome(self, envelope: Envelope, outcome_id: str, terms: OutcomeTerms) -> None:
        rules = self._change_rules(envelope)
        outcome = self._active_outcome(rules, outcome_id, envelope)
        changes = terms.changes()
        for name in ("title", "baseline", "target", "evidenced_by"):
            if name in changes:
                rules.require_text(changes[name], f"plan.outcome.{name}_required", name, name)
        if terms.builds_on is not None:
            self._check_strengths(rules, terms.builds_on)
        if outcome is not None:
            changes = {k: v for k, v in changes.items() if getattr(outcome, k) != v}
            rules.check(bool(changes), "plan.outcome.no_change", "outcomeId", "nothing to revise")
            stranded = {s.strength for s in outcome.steps} - set(changes.get("builds_on", []))
            rules.check(
                "builds_on" not in changes or not stranded,
                "plan.outcome.strength_in_use",
                "buildsOn",
                f"enablement steps still use {sorted(stranded)}; keep them in buildsOn",
            )
        rules.enforce()
        previous = {name: getattr(outcome, name) for name in changes} if outcome else {}
        self._outcome_revised(envelope, outcome_id, changes, previous)

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
        self,
        envelope: Envelope,
        outcome_id: str,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        self.outcomes[outcome_id] = replace(self.outcomes[outcome_id], **changes)

    def retire_outcome(self, envelope: Envelope, outcome_id: str) -> None:
        rules = self._change_rules(envelope)
        self._active_outcome(rules, outcome_id, envelope)
        if not self.agreed:  # once agreed, the general reason rule already applies
            rules.require_text(
                envelope.reason, "plan.outcome.retire_reason_required", "reason", "a reason"
            )
        others = [o for o in self.outcomes.values() if not o.retired and o.outcome_id != outcome_id]
        rules.check(
            not self.agreed or bool(others),
            "plan.outcome.last_active",
            "outcomeId",
            "an agreed plan keeps at least one active outcome: agree its successor first",
        )
        rules.enforce()
        self._outcome_retired(envelope, outcome_id)

    @event("OutcomeRetired")
    def _outcome_retired(self, envelope: Envelope, outcome_id: str) -> None:
        self.outcomes[outcome_id] = replace(self.outcomes[outcome_id], retired=True)

    def agree(self, envelope: Envelope) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(not self.agreed, "plan.already_agreed", "personId", "the plan is agreed")
        active = [outcome for outcome in self.outcomes.values() if not outcome.retired]
        rules.check(bool(active), "plan.agree.outcome_required", "outcomes", "agree an outcome")
        for outcome in active:
            rules.check(
                bool(outcome.steps),
                "plan.agree.micro_steps_required",
                f"outcomes.{outcome.outcome_id}",
                f"outcome '{outcome.title}' has no enablement step",
            )
        rules.check(
            self.staff_guidance is not None,
            "plan.agree.guidance_required",
            "staffGuidance",
            "write staff guidance",
        )
        rules.check(
            self.support_hours_per_week is not None,
            "plan.agree.hours_required",
            "supportHoursPerWeek",
            "set support hours",
        )
        rules.check(
            self.next_review_date is not None,
            "plan.agree.review_date_required",
            "nextReviewDate",
            "set the next review date",
        )
        rules.enforce()
        self._agreed(envelope)

    @event("Agreed")
    def _agreed(self, envelope: Envelope) -> None:
        self.agreed = True

    # -- the step-down pathway -----------------------------------------------------------------

    def add_pathway_stage(self, envelope: Envelope, outcome_id: str, stage: Stage) -> None:
        rules = self._change_rules(envelope)
        outcome = self._active_outcome(rules, outcome_id, envelope)
        # Stages are in the order they were added: a late one would come before the others.
        added = [s.added_at for s in outcome.stages if s.added_at] if outcome else []
        _not_before(rules, envelope, max(added, default=None), "the outcome's last stage was added")
        for name, label in (("title", "a title"), ("staff_will", "what staff will do"),
                            ("exit_criteria", "when the stage is done")):  # fmt: skip
            rules.require_text(getattr(stage, name), f"plan.stage.{name}_required", name, label)
        rules.check(
            any(trigger.strip() for trigger in stage.escalation_triggers),
            "plan.stage.escalation_triggers_required",
            "escalationTriggers",
            "name what should make staff escalate (e.g. a missed dose, confusion)",
        )
        rules.check(
            stage.review_date > envelope.effective_at.date(),
            "plan.stage.review_date_not_future",
            "reviewDate",
            "the stage's review must fall after the date it is added",
        )
        rules.enforce()
        self._stage_added(envelope, outcome_id, stage)

    @event("PathwayStageAdded")
    def _stage_added(self, envelope: Envelope, outcome_id: str, stage: Stage) -> None:
        outcome = self.outcomes[outcome_id]
        added = replace(stage, added_at=envelope.effective_at)
        self.outcomes[outcome_id] = replace(outcome, stages=[*outcome.stages, added])

    def start_stage(self, envelope: Envelope, outcome_id: str, stage_id: str) -> None:
        rules = self._change_rules(envelope)
        stage = self._stage(rules, outcome_id, stage_id, envelope)
        if stage is not None:
            _not_before(rules, envelope, stage.added_at, "the stage was added")
            earlier = self._earlier_stage(outcome_id, stage_id)
            _not_before(rules, envelope, earlier.completed_at if earlier else None,
                        "the stage before it was completed")  # fmt: skip
            upcoming = next_stage(self.outcomes[outcome_id].stages)
            rules.check(
                upcoming is not None and upcoming.stage_id == stage_id,
                "plan.stage.not_next",
                "stageId",
                "stages are taken in order, one at a time: "
                + (f"the next is '{upcoming.title}'" if upcoming else "a stage is under way"),
            )
        rules.enforce()
        self._stage_started(envelope, outcome_id, stage_id)

    @event("StageStarted")
    def _stage_started(self, envelope: Envelope, outcome_id: str, stage_id: str) -> None:
        stage = self._stage_of(outcome_id, stage_id)
        self._set_stages(outcome_id, stage.started(envelope.effective_at))

    def record_stage_progress(
        self, envelope: Envelope, outcome_id: str, stage_id: str, progress: str
    ) -> None:
        rules = self._change_rules(envelope)
        self._current(rules, outcome_id, stage_id, envelope)
        rules.require_text(progress, "plan.stage.progress_required", "progress", "the progress")
        rules.enforce()
        self._progress_recorded(envelope, outcome_id, stage_id, progress.strip())

    @event("StageProgressRecorded")
    def _progress_recorded(
        self, envelope: Envelope, outcome_id: str, stage_id: str, progress: str
    ) -> None:
        pass  # the stage stands as it was; the progress is the timeline's

    def complete_stage(
        self, envelope: Envelope, outcome_id: str, stage_id: str, exit_evidence: str
    ) -> None:
        rules = self._change_rules(envelope)
        self._current(rules, outcome_id, stage_id, envelope)
        rules.require_text(exit_evidence, "plan.stage.exit_evidence_required", "exitEvidence",
                           "how the exit criteria were met")  # fmt: skip
        rules.enforce()
        self._stage_completed(envelope, outcome_id, stage_id, exit_evidence.strip())

    @event("StageCompleted")
    def _stage_completed(
        self, envelope: Envelope, outcome_id: str, stage_id: str, exit_evidence: str
    ) -> None:
        stage = self._stage_of(outcome_id, stage_id)
        done = replace(stage, status=COMPLETED, completed_at=envelope.effective_at)
        self._set_stages(outcome_id, done)

    def record_setback(
        self,
        envelope: Envelope,
        outcome_id: str,
        stage_id: str,
        what_happened: str,
        what_was_done: str,
        response: SetbackResponse,
    ) -> None:
        rules = self._change_rules(envelope)
        stage = self._current(rules, outcome_id, stage_id, envelope)
        rules.require_text(what_happened, "plan.setback.what_happened_required", "whatHappened",
                           "what happened")  # fmt: skip
        rules.require_text(what_was_done, "plan.setback.what_was_done_required", "whatWasDone",
                           "what was done about it")  # fmt: skip
        earlier = self._earlier_stage(outcome_id, stage_id) if stage else None
        rules.check(
            response != SetbackResponse.STEP_BACK or stage is None or earlier is not None,
            "plan.setback.no_earlier_stage",
            "response",
            "this is the pathway's first stage: repeat it rather than step back",
        )
        rules.enforce()
        self._setback_recorded(envelope, outcome_id, stage_id, what_happened.strip(),
                               what_was_done.strip(), SetbackResponse(response).value)  # fmt: skip
        if response == SetbackResponse.STEP_BACK and earlier is not None:
            stepped = replace(envelope, causation_id=event_id(self.id, self.version))
            self._stepped_back(stepped, outcome_id, stage_id, earlier.stage_id)

    @event("SetbackRecorded")
    def _setback_recorded(
        self,
        envelope: Envelope,
        outcome_id: str,
        stage_id: str,
        what_happened: str,
        what_was_done: str,
        response: str,
    ) -> None:
        stage = self._stage_of(outcome_id, stage_id)
        stage = replace(stage, setbacks=stage.setbacks + 1)
        if response == SetbackResponse.REPEAT_STAGE:
            stage = stage.started(envelope.effective_at)
        self._set_stages(outcome_id, stage)

    @event("StageSteppedBack")
    def _stepped_back(
        self, envelope: Envelope, outcome_id: str, from_stage_id: str, to_stage_id: str
    ) -> None:
        left = replace(self._stage_of(outcome_id, from_stage_id), status=PLANNED)
        back = self._stage_of(outcome_id, to_stage_id).started(envelope.effective_at)
        self._set_stages(outcome_id, left, back)

    # -- reviews -------------------------------------------------------------------------------

    def schedule_review(self, envelope: Envelope, review_id: str, due_on: date) -> None:
        rules = self._change_rules(envelope)
        rules.check(
            due_on > envelope.effective_at.date(),
            "plan.review.due_not_future",
            "dueOn",
            "a review is due after the date it is scheduled",
        )
        _not_before(rules, envelope, self._last_review_held(), "the last review was held")
        open_reviews = [r.due_on.isoformat() for r in self.reviews.values() if r.held_at is None]
        rules.check(
            not open_reviews,
            "plan.review.already_scheduled",
            "dueOn",
            f"a review is already scheduled (due {', '.join(open_reviews)}): hold it first",
        )
        rules.enforce()
        self._review_scheduled(envelope, review_id, due_on)

    @event("ReviewScheduled")
    def _review_scheduled(self, envelope: Envelope, review_id: str, due_on: date) -> None:
        review = Review(review_id, due_on, scheduled_at=envelope.effective_at)
        self.reviews = {**self.reviews, review_id: review}
        self.next_review_date = due_on

    def hold_review(
        self,
        envelope: Envelope,
        review_id: str,
        analysis: ReviewAnalysis,
        involvement: Involvement,
        decisions: ReviewDecisions,
    ) -> None:
        rules = self._change_rules(envelope)
        review = self.reviews.get(review_id)
        rules.check(review is not None, "plan.review.unknown", "reviewId",
                    f"the plan has no review {review_id}: schedule it first")  # fmt: skip
        rules.check(review is None or review.held_at is None, "plan.review.already_held",
                    "reviewId", "this review was held already")  # fmt: skip
        _not_before(rules, envelope, review.scheduled_at if review else None,
                    "the review was scheduled")  # fmt: skip
        _not_before(rules, envelope, self._last_review_held(), "the last review was held")
        involvement.check(rules)
        rules.enforce()
        self._review_held(envelope, review_id, vars(analysis), vars(involvement),
                          decisions.recorded())  # fmt: skip
        self._apply_decisions(envelope, review_id, decisions)

    def _apply_decisions(
        self, envelope: Envelope, review_id: str, decisions: ReviewDecisions
    ) -> None:
        """Each decision as the plan change it is, caused by the review (and refused by its own
        rules, which refuses the whole review: nothing is stored)."""
        decided = replace(
            envelope,
            causation_id=event_id(self.id, self.version),
            reason=envelope.reason or f"Decided at review {review_id}",
        )
        if decisions.support_hours_per_week is not None:
            self.set_support_hours(decided, decisions.support_hours_per_week)
        if decisions.advance_stage_of is not None:
            self._advance_stage(decided, decisions.advance_stage_of)
        if decisions.new_outcome is not None and decisions.new_outcome_id is not None:
            self.agree_outcome(decided, decisions.new_outcome_id, decisions.new_outcome)
        if decisions.next_review_on is not None and decisions.next_review_id is not None:
            self.schedule_review(decided, decisions.next_review_id, decisions.next_review_on)

    def _advance_stage(self, envelope: Envelope, outcome_id: str) -> None:
        rules = Rules()
        outcome = self._active_outcome(rules, outcome_id, envelope)
        stage = current_stage(outcome.stages) if outcome else None
        rules.check(outcome is None or stage is not None, "plan.review.no_stage_to_advance",
                    "advanceStageOf", "the outcome has no stage under way")  # fmt: skip
        rules.enforce()
        stage = cast(Stage, stage)
        self.complete_stage(envelope, outcome_id, stage.stage_id, "Agreed at review")
        following = next_stage(self.outcomes[outcome_id].stages)
        if following is not None:
            self.start_stage(envelope, outcome_id, following.stage_id)

    @event("ReviewHeld")
    def _review_held(
        self,
        envelope: Envelope,
        review_id: str,
        analysis: dict[str, Any],
        involvement: dict[str, Any],
        decisions: dict[str, Any],
    ) -> None:
        review = self.reviews[review_id]
        self.reviews = {**self.reviews, review_id: replace(review, held_at=envelope.effective_at)}

    # -- rules shared by changes ---------------------------------------------------------------

    def _change_rules(self, envelope: Envelope) -> Rules:
        rules = Rules()
        self.check_began(rules, envelope)
        if self.agreed:
            rules.check(
                bool(envelope.reason and envelope.reason.strip()),
                "plan.change.reason_required",
                "reason",
                "the plan is agreed: every change must give a reason",
            )
        return rules

    def _active_outcome(self, rules: Rules, outcome_id: str, envelope: Envelope) -> Outcome | None:
        outcome = self.outcomes.get(outcome_id)
        rules.check(
            outcome is not None and not outcome.retired,
            "plan.outcome.unknown",
            "outcomeId",
            f"the plan has no active outcome {outcome_id}",
        )
        agreed_at = outcome.agreed_at if outcome is not None else None
        rules.check(
            agreed_at is None or envelope.effective_at >= agreed_at,
            "plan.outcome.effective_before_agreed",
            "effectiveAt",
            f"the outcome was agreed at {agreed_at.isoformat() if agreed_at else ''}: "
            "a change to it cannot take effect before that",
        )
        return outcome if outcome is not None and not outcome.retired else None

    def _check_strengths(self, rules: Rules, builds_on: list[str]) -> None:
        rules.check(
            bool(builds_on),
            "plan.outcome.strengths_required",
            "buildsOn",
            "an outcome must build on at least one assessed strength",
        )
        unknown = [strength for strength in builds_on if strength not in self.assessed_strengths]
        rules.check(
            not unknown,
            "plan.outcome.unknown_strength",
            "buildsOn",
            f"not strengths found by the assessment: {unknown}",
        )

    def _stage(
        self, rules: Rules, outcome_id: str, stage_id: str, envelope: Envelope
    ) -> Stage | None:
        outcome = self._active_outcome(rules, outcome_id, envelope)
        stages = outcome.stages if outcome else []
        stage = next((s for s in stages if s.stage_id == stage_id), None)
        rules.check(outcome is None or stage is not None, "plan.stage.unknown", "stageId",
                    f"the outcome has no stage {stage_id}")  # fmt: skip
        return stage

    def _current(
        self, rules: Rules, outcome_id: str, stage_id: str, envelope: Envelope
    ) -> Stage | None:
        stage = self._stage(rules, outcome_id, stage_id, envelope)
        rules.check(stage is None or stage.status == CURRENT, "plan.stage.not_current",
                    "stageId", "the stage is not under way: start it first")  # fmt: skip
        _not_before(rules, envelope, stage.started_at if stage else None, "the stage was started")
        return stage

    def _last_review_held(self) -> datetime | None:
        """Reviews follow one another: none is held or scheduled before the last was held."""
        return max((r.held_at for r in self.reviews.values() if r.held_at), default=None)

    def _stage_of(self, outcome_id: str, stage_id: str) -> Stage:
        return next(s for s in self.outcomes[outcome_id].stages if s.stage_id == stage_id)

    def _earlier_stage(self, outcome_id: str, stage_id: str) -> Stage | None:
        stages = self.outcomes[outcome_id].stages
        index = next(i for i, s in enumerate(stages) if s.stage_id == stage_id)
        return stages[index - 1] if index > 0 else None

    def _set_stages(self, outcome_id: str, *changed: Stage) -> None:
        outcome = self.outcomes[outcome_id]
        self.outcomes[outcome_id] = replace(outcome, stages=replaced(outcome.stages, *changed))


def _not_before(rules: Rules, envelope: Envelope, since: datetime | None, what: str) -> None:
    """A change to a stage or review cannot take effect before what it follows from: replayed
    in order of effective time, it would come first."""
    rules.check(
        since is None or envelope.effective_at >= since,
        "plan.effective_at.before_what_it_follows",
        "effectiveAt",
        f"{what} at {since.isoformat() if since else ''}: this cannot take effect before that",
    )
