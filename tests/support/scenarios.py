"""Short, realistic histories to start integration tests from, written through `execute`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.assessment import ContributionMode, Section
from domain.assessment_commands import (
    CompleteAssessment,
    RecordAssessmentSection,
    RecordContribution,
    StartAssessment,
)
from domain.care_records import CareRecords, Written
from domain.commands import Command
from domain.envelope import Actor, CommandContext, Role
from domain.person_commands import RegisterPerson
from domain.support_plan_commands import (
    AddEnablementStep,
    AgreeOutcome,
    AgreeSupportPlan,
    DraftSupportPlan,
    SetNextReviewDate,
    SetSupportHours,
    WriteStaffGuidance,
)

TENANT = "provider-a"
WORKER = Actor("u-ann", "Ann Lee", Role.SUPPORT_WORKER)
MANAGER = Actor("u-mo", "Mo Khan", Role.MANAGER)


def context(
    actor: Actor = WORKER, reason: str | None = None, *, key: str | None = None
) -> CommandContext:
    return CommandContext(
        actor=actor, tenant_id=TENANT, correlation_id="test", reason=reason, idempotency_key=key
    )


def run(records: CareRecords, command: Command, actor: Actor = WORKER, **given: str) -> Written:
    return records.execute(context(actor, given.get("reason")), command)


@dataclass(frozen=True)
class AgreedPlan:
    person_id: str
    assessment_id: str
    outcome_id: str
    plan_version: int


def register(records: CareRecords, name: str = "Ruth Evans") -> Written:
    return run(records, RegisterPerson(name, "svc-1", date(1970, 5, 1), "t-1"))


def completed_assessment(records: CareRecords, name: str = "Ruth Evans") -> tuple[str, str]:
    person_id = register(records, name).record_id
    assessment_id = run(records, StartAssessment(person_id)).record_id
    for section in Section:
        entries = ["Cooks pasta", "Walks to the shop"] if section == Section.STRENGTHS else ["x"]
        run(records, RecordAssessmentSection(assessment_id, section, entries))
    contribution = RecordContribution(assessment_id, ContributionMode.DIRECT, "Ruth chose")
    run(records, contribution)
    run(records, CompleteAssessment(assessment_id))
    return person_id, assessment_id


def agreed_plan(records: CareRecords, name: str = "Ruth Evans") -> AgreedPlan:
    person_id, assessment_id = completed_assessment(records, name)
    run(records, DraftSupportPlan(person_id, assessment_id))
    outcome = AgreeOutcome(
        person_id, "Cooks a meal", "Staff cook", "Cooks twice a week", "Notes", ["Cooks pasta"]
    )
    outcome_id = run(records, outcome).part_id or ""
    step = AddEnablementStep(person_id, outcome_id, "Cooks pasta", "Chops vegetables", "Notes")
    run(records, step)
    run(records, WriteStaffGuidance(person_id, "Prompt, do not take over"))
    run(records, SetSupportHours(person_id, 14))
    review = records.clock().date() + timedelta(weeks=6)
    run(records, SetNextReviewDate(person_id, review))
    written = run(records, AgreeSupportPlan(person_id), MANAGER)
    return AgreedPlan(person_id, assessment_id, outcome_id, written.version)


def change_hours(
    records: CareRecords, person_id: str, hours: float, reason: str = "Fewer visits"
) -> Written:
    return run(records, SetSupportHours(person_id, hours), MANAGER, reason=reason)
