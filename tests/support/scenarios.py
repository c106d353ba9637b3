"""Short, realistic histories to start integration tests from, written through `execute`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

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


def run(
    records: CareRecords, command: Command, actor: Actor = WORKER, at: datetime | None = None,
    **given: str,
) -> Written:  # fmt: skip
    return records.execute(replace(context(actor, given.get("reason")), effective_at=at), command)


@dataclass(frozen=True)
class AgreedPlan:
    person_id: str
    assessment_id: str
    outcome_id: str
    plan_version: int


def register(records: CareRecords, name: str = "Ruth Evans", at: datetime | None = None) -> Written:
    return run(records, RegisterPerson(name, "svc-1", date(1970, 5, 1), "t-1"), at=at)


def completed_assessment(
    records: CareRecords, name: str = "Ruth Evans", at: datetime | None = None
) -> tuple[str, str]:
    person_id = register(records, name, at).record_id
    assessment_id = run(records, StartAssessment(person_id), at=at).record_id
    for section in Section:
        entries = ["Cooks pasta", "Walks to the shop"] if section == Section.STRENGTHS else ["x"]
        run(records, RecordAssessmentSection(assessment_id, section, entries), at=at)
    contribution = RecordContribution(assessment_id, ContributionMode.DIRECT, "Ruth chose")
    run(records, contribution, at=at)
    run(records, CompleteAssessment(assessment_id), at=at)
    return person_id, assessment_id


def agreed_plan(
    records: CareRecords, name: str = "Ruth Evans", at: datetime | None = None
) -> AgreedPlan:
    """A person with an agreed plan, every fact of it taking effect `at` (default now)."""
    person_id, assessment_id = completed_assessment(records, name, at)
    run(records, DraftSupportPlan(person_id, assessment_id), at=at)
    outcome = AgreeOutcome(
        person_id, "Cooks a meal", "Staff cook", "Cooks twice a week", "Notes", ["Cooks pasta"]
    )
    outcome_id = run(records, outcome, at=at).part_id or ""
    step = AddEnablementStep(person_id, outcome_id, "Cooks pasta", "Chops vegetables", "Notes")
    run(records, step, at=at)
    run(records, WriteStaffGuidance(person_id, "Prompt, do not take over"), at=at)
    run(records, SetSupportHours(person_id, 14), at=at)
    review = (at or records.clock()).date() + timedelta(weeks=6)
    run(records, SetNextReviewDate(person_id, review), at=at)
    written = run(records, AgreeSupportPlan(person_id), MANAGER, at=at)
    return AgreedPlan(person_id, assessment_id, outcome_id, written.version)


def change_hours(
    records: CareRecords, person_id: str, hours: float, reason: str = "Fewer visits"
) -> Written:
    return run(records, SetSupportHours(person_id, hours), MANAGER, reason=reason)
