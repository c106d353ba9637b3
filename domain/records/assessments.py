"""Commands on strengths-led assessments."""

from __future__ import annotations

from domain.assessment import Assessment, Contribution, Section
from domain.envelope import CommandContext
from domain.permissions import authorise
from domain.person import Person
from domain.records.base import RecordsApplication, Written


class AssessmentCommands(RecordsApplication):
    # -- assessments ------------------------------------------------------------------------

    def start_assessment(self, context: CommandContext, person_id: str) -> Written:
        authorise(context.actor, "start_assessment")
        person = self._get_owned(context, Person, person_id)
        envelope = self._seal(context, person.service_id)
        return self._save(Assessment(envelope, str(person.id)), expected_version=None)

    def record_assessment_section(
        self,
        context: CommandContext,
        assessment_id: str,
        expected_version: int | None,
        section: Section,
        entries: list[str],
    ) -> Written:
        return self._change(
            context,
            "record_assessment_section",
            Assessment,
            assessment_id,
            expected_version,
            lambda a, e: a.record_section(e, section, entries),
        )

    def record_contribution(
        self,
        context: CommandContext,
        assessment_id: str,
        expected_version: int | None,
        contribution: Contribution,
    ) -> Written:
        return self._change(
            context,
            "record_contribution",
            Assessment,
            assessment_id,
            expected_version,
            lambda a, e: a.record_contribution(e, contribution),
        )

    def complete_assessment(
        self, context: CommandContext, assessment_id: str, expected_version: int | None
    ) -> Written:
        return self._change(
            context,
            "complete_assessment",
            Assessment,
            assessment_id,
            expected_version,
            lambda a, e: a.complete(e),
        )
