"""Short, realistic histories to start integration tests from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.assessment import Contribution, Section
from domain.envelope import Actor, CommandContext
from domain.records import CareRecords
from domain.support_plan import OutcomeTerms

TENANT = "provider-a"
WORKER = Actor("u-ann", "Ann Lee", "support_worker")
MANAGER = Actor("u-mo", "Mo Khan", "manager")


def context(actor: Actor = WORKER, reason: str | None = None) -> CommandContext:
    return CommandContext(actor=actor, tenant_id=TENANT, correlation_id="test", reason=reason)


@dataclass(frozen=True)
class AgreedPlan:
    person_id: str
    assessment_id: str
    outcome_id: str
    plan_version: int


def completed_assessment(records: CareRecords, name: str = "Ruth Evans") -> tuple[str, str]:
    person_id = records.register_person(
        context(), name=name, date_of_birth=date(1970, 5, 1), service_id="svc-1", team_id="t-1"
    ).record_id
    assessment_id = records.start_assessment(context(), person_id).record_id
    for section in Section:
        entries = ["Cooks pasta", "Walks to the shop"] if section == Section.STRENGTHS else ["x"]
        records.record_assessment_section(context(), assessment_id, None, section, entries)
    contribution = Contribution("direct", "Ruth chose her goals", None, None)
    records.record_contribution(context(), assessment_id, None, contribution)
    records.complete_assessment(context(), assessment_id, None)
    return person_id, assessment_id


def agreed_plan(records: CareRecords, name: str = "Ruth Evans") -> AgreedPlan:
    person_id, assessment_id = completed_assessment(records, name)
    records.draft_support_plan(context(), person_id, assessment_id)
    terms = OutcomeTerms(
        "Cooks a meal", "Staff cook", "Cooks twice a week", "Notes", ["Cooks pasta"]
    )
    outcome_id = records.agree_outcome(context(), person_id, None, terms).part_id or ""
    records.add_enablement_step(
        context(), person_id, None, outcome_id,
        strength="Cooks pasta", weekly_micro_step="Chops vegetables", evidence_route="Notes",
    )  # fmt: skip
    records.write_staff_guidance(context(), person_id, None, "Prompt, do not take over")
    records.set_support_hours(context(), person_id, None, 14)
    review = records.clock().date() + timedelta(weeks=6)
    records.set_next_review_date(context(), person_id, None, review)
    written = records.agree_support_plan(context(MANAGER), person_id, None)
    return AgreedPlan(person_id, assessment_id, outcome_id, written.version)
