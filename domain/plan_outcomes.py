"""A support plan's outcomes and their enablement steps: the rules for agreeing, revising and
retiring an outcome and for adding a step to it, and what the feed publishes of each.

DOMAIN: an outcome is measurable (a baseline, a target and how progress is evidenced) and
builds on strengths the assessment found; each enablement step uses one of those strengths.
Changes to an outcome's terms do not depend on one another, so a late one fills in the past;
none can take effect before the outcome was agreed.

These are the plan's methods (domain.support_plan composes them); each decides, then calls
the plan's evolve method for its event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.envelope import Envelope
from domain.errors import Rules
from domain.outcome import EnablementStep, Outcome, OutcomeTerms
from domain.plan_changes import change_rules
from domain.publishing import Field, PublishedEvent, items_of, value_of
from domain.staff import STANDARD_TECHNIQUES
from domain.support_plan_published import OUTCOME_ID, TERMS, TERMS_TEXT

if TYPE_CHECKING:
    from domain.support_plan import SupportPlan

MEASURABLE = (("title", "a title"), ("baseline", "a baseline: where the person is now"),
              ("target", "a measurable target"),
              ("evidenced_by", "how progress will be evidenced"))  # fmt: skip


def agree_outcome(
    plan: SupportPlan,
    envelope: Envelope,
    outcome_id: str,
    terms: OutcomeTerms,
    known: frozenset[str] = STANDARD_TECHNIQUES,
) -> None:
    rules = change_rules(plan, envelope)
    check_technique(rules, terms.changes().get("technique"), known)
    rules.check(
        outcome_id not in plan.outcomes,
        "plan.outcome.duplicate_id",
        "outcomeId",
        f"the plan already has an outcome {outcome_id}",
    )
    for name, label in MEASURABLE:
        rules.require_text(getattr(terms, name), f"plan.outcome.{name}_required", name, label)
    check_strengths(plan, rules, terms.builds_on or [])
    rules.enforce()
    plan._outcome_agreed(envelope, outcome_id, terms.changes())


def add_enablement_step(
    plan: SupportPlan, envelope: Envelope, outcome_id: str, step: EnablementStep
) -> None:
    rules = change_rules(plan, envelope)
    outcome = active_outcome(plan, rules, outcome_id, envelope)
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
    plan._step_added(envelope, outcome_id, step)


def revise_outcome(
    plan: SupportPlan,
    envelope: Envelope,
    outcome_id: str,
    terms: OutcomeTerms,
    known: frozenset[str] = STANDARD_TECHNIQUES,
) -> None:
    rules = change_rules(plan, envelope)
    check_technique(rules, terms.changes().get("technique"), known)
    outcome = active_outcome(plan, rules, outcome_id, envelope)
    changes = terms.changes()
    for name, _ in MEASURABLE:
        if name in changes:
            rules.require_text(changes[name], f"plan.outcome.{name}_required", name, name)
    if terms.builds_on is not None:
        check_strengths(plan, rules, terms.builds_on)
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
    plan._outcome_revised(envelope, outcome_id, changes, previous)


def retire_outcome(plan: SupportPlan, envelope: Envelope, outcome_id: str) -> None:
    rules = change_rules(plan, envelope)
    active_outcome(plan, rules, outcome_id, envelope)
    if not plan.agreed:  # once agreed, the general reason rule already applies
        rules.require_text(
            envelope.reason, "plan.outcome.retire_reason_required", "reason", "a reason"
        )
    others = [o for o in plan.outcomes.values() if not o.retired and o.outcome_id != outcome_id]
    rules.check(
        not plan.agreed or bool(others),
        "plan.outcome.last_active",
        "outcomeId",
        "an agreed plan keeps at least one active outcome: agree its successor first",
    )
    rules.enforce()
    plan._outcome_retired(envelope, outcome_id)


def active_outcome(
    plan: SupportPlan, rules: Rules, outcome_id: str, envelope: Envelope
) -> Outcome | None:
    """The outcome a change is about, if the plan has it and it is not retired; no change to
    it takes effect before it was agreed (its pathway's changes included)."""
    outcome = plan.outcomes.get(outcome_id)
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


def check_technique(rules: Rules, technique: str | None, known: frozenset[str]) -> None:
    """An outcome or stage relies on a technique the provider signs staff off in, or none."""
    rules.check(
        technique is None or technique in known,
        "plan.technique.unknown",
        "technique",
        f"{(technique or '').upper()} is not a technique of this provider; known: "
        f"{sorted(t.upper() for t in known)} (a manager adds one with addTechnique)",
    )


def check_strengths(plan: SupportPlan, rules: Rules, builds_on: list[str]) -> None:
    rules.check(
        bool(builds_on),
        "plan.outcome.strengths_required",
        "buildsOn",
        "an outcome must build on at least one assessed strength",
    )
    unknown = [strength for strength in builds_on if strength not in plan.assessed_strengths]
    rules.check(
        not unknown,
        "plan.outcome.unknown_strength",
        "buildsOn",
        f"not strengths found by the assessment: {unknown}",
    )


STEP = {"step_id": "stepId", "strength": "strength", "weekly_micro_step": "weeklyMicroStep",
        "evidence_route": "evidenceRoute"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("SupportPlan.OutcomeAgreed", 1, "A measurable outcome was agreed", (
        OUTCOME_ID,
        Field("terms", f"The outcome's terms: {TERMS_TEXT}",
              items_of("terms", TERMS, shape=OutcomeTerms)))),
    PublishedEvent("SupportPlan.EnablementStepAdded", 1, "A weekly step towards an outcome", (
        OUTCOME_ID,
        Field("step", "stepId, strength (the one it uses), weeklyMicroStep and evidenceRoute "
              "(how progress is evidenced)", value_of("step", STEP)))),
    PublishedEvent("SupportPlan.OutcomeRevised", 1, "An outcome's terms revised", (
        OUTCOME_ID,
        Field("changes", f"The terms revised, with their new values: any of {TERMS_TEXT}",
              items_of("changes", TERMS, shape=OutcomeTerms)),
        Field("previous", "The same terms as they were before; empty if recorded before "
              "revisions kept them", items_of("previous", TERMS, shape=OutcomeTerms)))),
    PublishedEvent("SupportPlan.OutcomeRetired", 1, "An outcome retired from the plan", (
        OUTCOME_ID,)),
)  # fmt: skip
