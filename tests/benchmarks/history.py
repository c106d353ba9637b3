"""Realistic event logs of a chosen size, written quickly: each person's whole history (person,
assessment, plan and its revisions) is decided with the domain's own methods and saved in one
transaction, as a migration of past records would be."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.assessment import Assessment, Contribution, Section
from domain.care_records import CareRecords
from domain.envelope import Actor, CommandContext, Envelope, Role
from domain.outcome import EnablementStep, OutcomeTerms
from domain.person import Person
from domain.support_plan import SupportPlan

STAFF = Actor("staff-bench", "Bench Worker", Role.SENIOR_SUPPORT_WORKER)
STRENGTHS = ["Cooks pasta", "Knows the bus routes", "Keeps a diary", "Good with people"]
EVENTS_PER_SHORT_HISTORY = 24  # registration, assessment, plan and 8 revisions


def envelope(reason: str | None = "weekly review", at: datetime | None = None) -> Envelope:
    context = CommandContext(STAFF, "bench-provider", "bench", reason=reason, effective_at=at)
    return Envelope.seal(
        context, service_id="svc-bench", now=datetime.now(UTC), skew=timedelta(minutes=2)
    )


def person_with_plan(
    n: int, began: datetime | None = None
) -> tuple[Person, Assessment, SupportPlan]:
    """A person, their completed assessment and an agreed plan, all begun now or at `began`."""

    def envelope(reason: str | None = "weekly review") -> Envelope:
        return at_time(reason, began)

    person = Person.register(
        envelope(), name=f"Person {n}", date_of_birth=date(1980, 1, 1), service_id="svc-bench",
        team_id="team-1",
    )  # fmt: skip
    assessment = Assessment(envelope(), str(person.id))
    for section in Section:
        entries = STRENGTHS if section is Section.STRENGTHS else [f"{section.value} noted"]
        assessment.record_section(envelope(), section, entries)
    assessment.record_contribution(envelope(), Contribution("direct", "chose goals", None, None))
    assessment.complete(envelope())
    plan = SupportPlan(envelope(), str(person.id), str(assessment.id), assessment.strengths)
    terms = OutcomeTerms("Cooks a meal", "Staff cook", "Cooks twice a week", "Notes", STRENGTHS[:2])
    plan.agree_outcome(envelope(), "outcome-1", terms)
    plan.add_enablement_step(envelope(), "outcome-1", step(0))
    plan.write_staff_guidance(envelope(), "Prompt, do not take over")
    plan.set_support_hours(envelope(), 14)
    plan.set_next_review_date(envelope(), date.today() + timedelta(weeks=6))
    plan.agree(envelope())
    return person, assessment, plan


at_time = envelope


def step(n: int) -> EnablementStep:
    return EnablementStep(f"step-{n}", STRENGTHS[0], f"Micro-step number {n}", "Daily notes")


KINDS = ("hours", "guidance", "review", "target", "step", "hours")


def revise(plan: SupportPlan, count: int, offset: int = 0) -> None:
    """`count` changes of every kind a plan sees over the years; steps accumulate, so a long
    history is also a large plan."""
    for n in range(offset, offset + count):
        kind = KINDS[n % len(KINDS)]
        if kind == "hours":
            plan.set_support_hours(envelope(), 10 + n % 7)
        elif kind == "guidance":
            plan.write_staff_guidance(envelope(), f"Guidance revision {n}: prompt, then wait")
        elif kind == "review":
            plan.set_next_review_date(envelope(), date.today() + timedelta(days=30 + n))
        elif kind == "target":
            plan.revise_outcome(envelope(), "outcome-1", OutcomeTerms(target=f"Target {n}"))
        else:
            plan.add_enablement_step(envelope(), "outcome-1", step(n + 1))


def write_history(records: CareRecords, *, people: int, revisions: int) -> int:
    """Writes `people` histories with `revisions` plan changes each, interleaved as a service's
    log is (round after round of changes across every plan); returns events written."""
    written = 0
    histories = [person_with_plan(n) for n in range(people)]
    for start in range(0, people, 100):
        chunk = [record for history in histories[start : start + 100] for record in history]
        written += len(records.save(*chunk))
    plans = [plan for _, _, plan in histories]
    for round_ in range(revisions):
        for plan in plans:
            revise(plan, 1, offset=round_)
        for start in range(0, people, 200):
            written += len(records.save(*plans[start : start + 200]))
    return written
