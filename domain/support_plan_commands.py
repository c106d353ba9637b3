"""Commands on the living support plan, addressed by the person's id, and who may issue them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar

from annotated_types import MaxLen

from domain.assessment import Assessment
from domain.commands import (
    MANAGERS,
    STAFF,
    Change,
    Command,
    Creation,
    Found,
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
from domain.outcome import EnablementStep, OutcomeTerms
from domain.person import Person
from domain.support_plan import SupportPlan

Strengths = Annotated[list[Text], MaxLen(50)]


@dataclass(frozen=True)
class DraftSupportPlan(Command):
    """Draft a person's plan from their completed assessment."""

    person_id: Key
    assessment_id: Key


@dataclass(frozen=True)
class PlanCommand(Command):
    person_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"person_id"})


@dataclass(frozen=True)
class AgreeOutcome(PlanCommand):
    """Agree a measurable outcome built on assessed strengths."""

    title: Name
    baseline: Text
    target: Text
    evidenced_by: Text
    builds_on: Strengths

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        terms = OutcomeTerms(
            self.title, self.baseline, self.target, self.evidenced_by, self.builds_on
        )
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

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        terms = OutcomeTerms(
            self.title, self.baseline, self.target, self.evidenced_by, self.builds_on
        )
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


def find_plan(records: Records, command: PlanCommand) -> Found[SupportPlan]:
    person = records.owned(Person, command.person_id, "personId")  # FORBIDDEN before NOT_FOUND
    missing = f"no support plan for person {command.person_id}: draft one first"
    plan = records.owned(SupportPlan, SupportPlan.create_id(str(person.id)), "personId", missing)
    return Found(plan, person.service_id)


COMMANDS: list[Registration] = [
    Creation(DraftSupportPlan, STAFF, draft),
    Change(AgreeOutcome, STAFF, find_plan, SupportPlan.agree_outcome),
    Change(AddEnablementStep, STAFF, find_plan, SupportPlan.add_enablement_step),
    Change(WriteStaffGuidance, STAFF, find_plan, SupportPlan.write_staff_guidance),
    Change(SetSupportHours, STAFF, find_plan, SupportPlan.set_support_hours),
    Change(SetNextReviewDate, STAFF, find_plan, SupportPlan.set_next_review_date),
    Change(ReviseOutcome, STAFF, find_plan, SupportPlan.revise_outcome),
    Change(RetireOutcome, STAFF, find_plan, SupportPlan.retire_outcome),
    Change(AgreeSupportPlan, MANAGERS, find_plan, SupportPlan.agree),
]
