"""Demo records: three people whose plans were built and revised by different staff, with
reasons, over the past months, and who moved along a step-down pathway with setbacks, reviews
and evidence notes; with a positive risk-taking decision and restrictions reviewed, reduced,
lifted or left overdue (infra.demo.risk). Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from domain.assessment import ContributionMode, Section
from domain.assessment_commands import (
    CompleteAssessment,
    RecordAssessmentSection,
    RecordContribution,
    StartAssessment,
)
from domain.person_commands import RegisterPerson
from domain.service_practice import ServicePractice, SetPromptLadder
from domain.support_plan_commands import (
    AddEnablementStep,
    AgreeOutcome,
    AgreeSupportPlan,
    DraftSupportPlan,
    SetNextReviewDate,
    SetSupportHours,
    WriteStaffGuidance,
)
from infra.bootstrap import Runtime
from infra.demo.loader import DEMO_SERVICES, DEMO_TENANT, STAFF, DemoLoader
from infra.demo.people import DEMO_PEOPLE, PROMPT_LADDERS, DemoPerson
from infra.demo.progression import Journey, in_written_order
from infra.demo.risk import load_risks
from infra.demo.staff import load_staff


@dataclass
class Demo(DemoLoader):
    """The demo people, each written as a journey of records."""

    def load(self, person: DemoPerson) -> str:
        start = person.started_days_ago
        registration = RegisterPerson(
            person.name, person.service_id, person.date_of_birth, person.team_id
        )
        person_id = self.run("priya", start, registration).record_id
        assessment_id = self.run("priya", start, StartAssessment(person_id)).record_id
        for section, entries in person.assessment.items():
            self.run(
                "priya", start, RecordAssessmentSection(assessment_id, Section(section), entries)
            )
        mode, summary, spoken_for_by, reason_not_possible = person.contribution
        contribution = RecordContribution(
            assessment_id, ContributionMode(mode), summary, spoken_for_by, reason_not_possible
        )
        self.run("priya", start, contribution)
        self.run("tom", start - 1, CompleteAssessment(assessment_id))
        self.run("tom", start - 2, DraftSupportPlan(person_id, assessment_id))
        outcome_id = self._build_plan(person, person_id, start - 2)
        self.run("helen", start - 3, AgreeSupportPlan(person_id))
        journey = Journey(self, person_id, outcome_id)
        for entry in in_written_order([*person.revisions, *person.progression]):
            with self.written_up(entry.written_days_ago):
                entry.act(journey)
        return person_id

    def _build_plan(self, person: DemoPerson, person_id: str, day: int) -> str:
        outcome_id = self.run("tom", day, AgreeOutcome(person_id, *person.outcome)).part_id or ""
        for strength, micro_step, evidence in person.steps:
            step = AddEnablementStep(person_id, outcome_id, strength, micro_step, evidence)
            self.run("tom", day, step)
        self.run("tom", day, WriteStaffGuidance(person_id, person.guidance))
        self.run("tom", day, SetSupportHours(person_id, person.hours))
        review = SetNextReviewDate(person_id, self.review_date(day, weeks_later=6))
        self.run("tom", day, review)
        return outcome_id

    def set_prompt_ladders(self) -> None:
        """Each service's own ladder, named before any note in it (once: a ladder already
        on record is left as it is)."""
        for service_id, (days_ago, rungs, reason) in PROMPT_LADDERS.items():
            practice_id = ServicePractice.create_id(DEMO_TENANT, service_id)
            if self.records.recorder.select_events(practice_id, limit=1):
                continue
            self.run("helen", days_ago, SetPromptLadder(service_id, list(rungs)), reason)


def load_demo(runtime: Runtime) -> list[str]:
    """Loads the demo people unless they are already recorded; returns their ids."""
    runtime.projector.catch_up()
    with runtime.store.transaction() as tx:
        if tx.fetchone("SELECT 1 FROM people WHERE tenant_id = %(t)s", {"t": DEMO_TENANT}):
            return []
    loader = Demo(runtime.records, runtime.records.clock())
    load_staff(loader)  # first: whoever writes as staff is on the staff
    loader.set_prompt_ladders()
    people = {person.name: loader.load(person) for person in DEMO_PEOPLE}
    load_risks(loader, people)
    runtime.projector.catch_up()
    return list(people.values())


__all__ = ["DEMO_SERVICES", "DEMO_TENANT", "STAFF", "load_demo"]
