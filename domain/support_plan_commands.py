"""Commands on the living support plan, addressed by the person's id, and who may issue them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain import (
    plan_outcomes,
    plan_pathway,
    plan_reviews,
    plan_setbacks,
    plan_terms,
    progression_commands,
)
from domain.assessment import Assessment
from domain.commands import (
    MANAGERS,
    STAFF,
    Change,
    Command,
    Creation,
    Hours,
    Key,
    LongText,
    Name,
    NewIds,
    Records,
    Registration,
    Seal,
    Text,
)
from domain.envelope import event_id
from domain.errors import Rules
from domain.outcome import EnablementStep, Outcome, OutcomeTerms
from domain.pathway import Stage
from domain.person import Person
from domain.plan_changes import LastChange
from domain.plan_command import PlanCommand, Strengths, find_plan, find_plan_and_techniques
from domain.record_type import RecordType
from domain.review import Review
from domain.support_plan import SupportPlan
from domain.support_plan_published import DRAFTED


@dataclass(frozen=True)
class DraftSupportPlan(Command):
    """Draft a person's plan from their completed assessment."""

    person_id: Key
    assessment_id: Key


@dataclass(frozen=True)
class AgreeOutcome(PlanCommand):
    """Agree a measurable outcome built on assessed strengths."""

    title: Name
    baseline: Text
    target: Text
    evidenced_by: Text
    builds_on: Strengths
    technique: Key | None = None  # the technique staff rely on to support it, if any

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        terms = OutcomeTerms(self.title, self.baseline, self.target, self.evidenced_by,
                             self.builds_on, self.technique)  # fmt: skip
        return {"outcome_id": ids.part("outcome"), "terms": terms}


@dataclass(frozen=True)
class AddEnablementStep(PlanCommand):
    """Add a strength -> weekly micro-step -> evidence route to an outcome."""

    outcome_id: Key
    strength: Text
    weekly_micro_step: Text
    evidence_route: Text

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        step = EnablementStep(
            ids.part("step"), self.strength, self.weekly_micro_step, self.evidence_route
        )
        return {"outcome_id": self.outcome_id, "step": step}


@dataclass(frozen=True)
class WriteStaffGuidance(PlanCommand):
    """Write (or rewrite) the guidance staff follow."""

    guidance: LongText


@dataclass(frozen=True)
class SetSupportHours(PlanCommand):
    """Set weekly support hours; a change records whether they were reduced or increased."""

    hours_per_week: Hours


@dataclass(frozen=True)
class SetNextReviewDate(PlanCommand):
    """Set the date of the plan's next review."""

    review_date: date


@dataclass(frozen=True)
class ReviseOutcome(PlanCommand):
    """Revise an outcome's terms; omitted terms stay as they are."""

    outcome_id: Key
    title: Name | None = None
    baseline: Text | None = None
    target: Text | None = None
    evidenced_by: Text | None = None
    builds_on: Strengths | None = None
    technique: Key | None = None

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        terms = OutcomeTerms(self.title, self.baseline, self.target, self.evidenced_by,
                             self.builds_on, self.technique)  # fmt: skip
        return {"outcome_id": self.outcome_id, "terms": terms}


@dataclass(frozen=True)
class RetireOutcome(PlanCommand):
    """Retire an outcome that no longer applies (needs a reason)."""

    outcome_id: Key


@dataclass(frozen=True)
class AgreeSupportPlan(PlanCommand):
    """Agree the plan (managers). From then on every change needs a reason."""


def draft(records: Records, command: DraftSupportPlan, seal: Seal, ids: NewIds) -> SupportPlan:
    person = records.owned(Person, command.person_id, "personId")  # FORBIDDEN before NOT_FOUND
    assessment = records.owned(Assessment, command.assessment_id, "assessmentId")
    # Sealed first, so a caller outside the person's service learns nothing of their records.
    # The plan follows from the assessment's completion, its last event.
    envelope = seal(person.service_id, event_id(assessment.id, assessment.version))
    rules = Rules()
    rules.check(
        assessment.person_id == str(person.id),
        "plan.assessment.other_person",
        "assessmentId",
        "the assessment is of another person",
    )
    rules.check(
        assessment.completed,
        "plan.assessment.not_completed",
        "assessmentId",
        "a plan is drafted from a completed assessment",
    )
    rules.check(
        not records.exists(SupportPlan.create_id(str(person.id))),
        "plan.already_drafted",
        "personId",
        "the person already has a living plan: revise it rather than start another",
    )
    rules.enforce()
    return SupportPlan(envelope, str(person.id), str(assessment.id), assessment.strengths)


COMMANDS: list[Registration] = [
    Creation(DraftSupportPlan, STAFF, draft),
    Change(
        AgreeOutcome, STAFF, find_plan_and_techniques, SupportPlan.agree_outcome, adds=("known",)
    ),
    Change(AddEnablementStep, STAFF, find_plan, SupportPlan.add_enablement_step),
    Change(WriteStaffGuidance, STAFF, find_plan, SupportPlan.write_staff_guidance),
    Change(SetSupportHours, STAFF, find_plan, SupportPlan.set_support_hours),
    Change(SetNextReviewDate, STAFF, find_plan, SupportPlan.set_next_review_date),
    Change(
        ReviseOutcome, STAFF, find_plan_and_techniques, SupportPlan.revise_outcome, adds=("known",)
    ),
    Change(RetireOutcome, STAFF, find_plan, SupportPlan.retire_outcome),
    Change(AgreeSupportPlan, MANAGERS, find_plan, SupportPlan.agree),
]


# Each part of the plan publishes the events it records.
PUBLISHED = (DRAFTED, *plan_outcomes.PUBLISHED, *plan_terms.PUBLISHED, *plan_pathway.PUBLISHED,
             *plan_setbacks.PUBLISHED, *plan_reviews.PUBLISHED)  # fmt: skip

RECORD_TYPE = RecordType(
    SupportPlan, [*COMMANDS, *progression_commands.COMMANDS], PUBLISHED,
    value_types={"enablement_step": EnablementStep, "outcome": Outcome, "pathway_stage": Stage,
                 "review": Review, "plan_last_change": LastChange},
    # A living plan gathers events for years: snapshots keep loading it cheap.
    snapshot_every=50,
    creation_correctable=False,
)  # fmt: skip
