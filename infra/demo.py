"""Demo records: three people whose plans were built and revised by different staff, with
reasons, over the past months. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import uuid4

from domain.assessment import Contribution, Section
from domain.envelope import Actor, CommandContext
from domain.records import CareRecords
from domain.support_plan import OutcomeTerms
from infra.bootstrap import Runtime
from infra.demo_people import DEMO_PEOPLE, DemoPerson

DEMO_TENANT = "demo-provider"

STAFF = {
    "priya": Actor("staff-priya", "Priya Shah", "support_worker"),
    "tom": Actor("staff-tom", "Tom Okafor", "senior_support_worker"),
    "helen": Actor("staff-helen", "Helen Marsh", "manager"),
}


@dataclass
class DemoLoader:
    records: CareRecords
    now: datetime

    def context(self, who: str, days_ago: int, reason: str | None = None) -> CommandContext:
        return CommandContext(
            actor=STAFF[who],
            tenant_id=DEMO_TENANT,
            correlation_id=f"demo-{uuid4().hex[:8]}",
            effective_at=self.now - timedelta(days=days_ago),
            reason=reason,
        )

    def review_date(self, days_ago: int, weeks_later: int) -> date:
        return (self.now - timedelta(days=days_ago) + timedelta(weeks=weeks_later)).date()

    def load(self, person: DemoPerson) -> str:
        r, start = self.records, person.started_days_ago
        person_id = r.register_person(
            self.context("priya", start), name=person.name, date_of_birth=person.date_of_birth,
            service_id=person.service_id, team_id=person.team_id,
        ).record_id  # fmt: skip
        assessment_id = r.start_assessment(self.context("priya", start), person_id).record_id
        for section, entries in person.assessment.items():
            r.record_assessment_section(
                self.context("priya", start), assessment_id, None, Section(section), entries
            )
        r.record_contribution(
            self.context("priya", start), assessment_id, None, Contribution(*person.contribution)
        )
        r.complete_assessment(self.context("tom", start - 1), assessment_id, None)
        r.draft_support_plan(self.context("tom", start - 2), person_id, assessment_id)
        self._build_plan(person, person_id, start - 2)
        r.agree_support_plan(self.context("helen", start - 3), person_id, None)
        for revision in person.revisions:
            revision(self, person_id)
        return person_id

    def _build_plan(self, person: DemoPerson, person_id: str, day: int) -> None:
        r = self.records
        outcome = r.agree_outcome(
            self.context("tom", day), person_id, None, OutcomeTerms(*person.outcome)
        )
        for strength, micro_step, evidence in person.steps:
            r.add_enablement_step(
                self.context("tom", day), person_id, None, outcome.part_id or "",
                strength=strength, weekly_micro_step=micro_step, evidence_route=evidence,
            )  # fmt: skip
        r.write_staff_guidance(self.context("tom", day), person_id, None, person.guidance)
        r.set_support_hours(self.context("tom", day), person_id, None, person.hours)
        r.set_next_review_date(
            self.context("tom", day), person_id, None, self.review_date(day, weeks_later=6)
        )


def load_demo(runtime: Runtime) -> list[str]:
    """Loads the demo people unless they are already recorded; returns their ids."""
    runtime.projector.catch_up()
    with runtime.store.transaction() as tx:
        if tx.fetchone("SELECT 1 FROM people WHERE tenant_id = %(t)s", {"t": DEMO_TENANT}):
            return []
    loader = DemoLoader(runtime.records, runtime.records.clock())
    person_ids = [loader.load(person) for person in DEMO_PEOPLE]
    runtime.projector.catch_up()
    return person_ids
