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
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.envelope import Envelope
from domain.errors import Rules
from domain.outcome import EnablementStep, Outcome, OutcomeTerms
from domain.timeline import InForce

MAX_WEEKLY_HOURS = 168.0

__all__ = ["EnablementStep", "Outcome", "OutcomeTerms", "SupportPlan"]


class SupportPlan(InForce, Aggregate):
    # v2 keeps when the record began and the latest effective time folded in (domain.timeline)
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        state["began_at"] = state["latest_effective_at"] = None  # replayed in full when loaded

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
