"""Commands on the living support plan: one per person, addressed by the person's id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from uuid import uuid4

from domain.assessment import Assessment
from domain.envelope import CommandContext, Envelope
from domain.errors import RecordNotFound, Rules
from domain.permissions import authorise
from domain.person import Person
from domain.records.base import RecordsApplication, Written
from domain.support_plan import EnablementStep, OutcomeTerms, SupportPlan


class SupportPlanCommands(RecordsApplication):
    # -- support plans ----------------------------------------------------------------------

    def draft_support_plan(
        self, context: CommandContext, person_id: str, assessment_id: str
    ) -> Written:
        authorise(context.actor, "draft_support_plan")
        person = self._get_owned(context, Person, person_id)
        assessment = self._get_owned(context, Assessment, assessment_id)
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
        plan_id = SupportPlan.create_id(str(person.id))
        rules.check(
            not self._exists(plan_id),
            "plan.already_drafted",
            "personId",
            "the person already has a living plan: revise it rather than start another",
        )
        rules.enforce()
        envelope = self._seal(context, person.service_id)
        plan = SupportPlan(envelope, str(person.id), str(assessment.id), assessment.strengths)
        return self._save(plan, expected_version=None)

    def agree_outcome(
        self,
        context: CommandContext,
        person_id: str,
        expected_version: int | None,
        terms: OutcomeTerms,
    ) -> Written:
        outcome_id = f"outcome-{uuid4().hex[:12]}"
        written = self._change_plan(
            context,
            "agree_outcome",
            person_id,
            expected_version,
            lambda p, e: p.agree_outcome(e, outcome_id, terms),
        )
        return replace(written, part_id=outcome_id)

    def add_enablement_step(
        self,
        context: CommandContext,
        person_id: str,
        expected_version: int | None,
        outcome_id: str,
        *,
        strength: str,
        weekly_micro_step: str,
        evidence_route: str,
    ) -> Written:
        step = EnablementStep(
            f"step-{uuid4().hex[:12]}", strength, weekly_micro_step, evidence_route
        )
        written = self._change_plan(
            context,
            "add_enablement_step",
            person_id,
            expected_version,
            lambda p, e: p.add_enablement_step(e, outcome_id, step),
        )
        return replace(written, part_id=step.step_id)

    def write_staff_guidance(
        self, context: CommandContext, person_id: str, expected_version: int | None, guidance: str
    ) -> Written:
        return self._change_plan(
            context,
            "write_staff_guidance",
            person_id,
            expected_version,
            lambda p, e: p.write_staff_guidance(e, guidance),
        )

    def set_support_hours(
        self, context: CommandContext, person_id: str, expected_version: int | None, hours: float
    ) -> Written:
        return self._change_plan(
            context,
            "set_support_hours",
            person_id,
            expected_version,
            lambda p, e: p.set_support_hours(e, hours),
        )

    def set_next_review_date(
        self, context: CommandContext, person_id: str, expected_version: int | None, on: date
    ) -> Written:
        return self._change_plan(
            context,
            "set_next_review_date",
            person_id,
            expected_version,
            lambda p, e: p.set_next_review_date(e, on),
        )

    def revise_outcome(
        self,
        context: CommandContext,
        person_id: str,
        expected_version: int | None,
        outcome_id: str,
        terms: OutcomeTerms,
    ) -> Written:
        return self._change_plan(
            context,
            "revise_outcome",
            person_id,
            expected_version,
            lambda p, e: p.revise_outcome(e, outcome_id, terms),
        )

    def retire_outcome(
        self,
        context: CommandContext,
        person_id: str,
        expected_version: int | None,
        outcome_id: str,
    ) -> Written:
        return self._change_plan(
            context,
            "retire_outcome",
            person_id,
            expected_version,
            lambda p, e: p.retire_outcome(e, outcome_id),
        )

    def agree_support_plan(
        self, context: CommandContext, person_id: str, expected_version: int | None
    ) -> Written:
        return self._change_plan(
            context, "agree_support_plan", person_id, expected_version, lambda p, e: p.agree(e)
        )

    def _change_plan(
        self,
        context: CommandContext,
        command: str,
        person_id: str,
        expected_version: int | None,
        decide: Callable[[SupportPlan, Envelope], None],
    ) -> Written:
        authorise(context.actor, command)
        person = self._get_owned(context, Person, person_id)  # FORBIDDEN before NOT_FOUND
        plan_id = SupportPlan.create_id(str(person.id))
        if not self._exists(plan_id):
            raise RecordNotFound("support plan for person", person_id)
        return self._change(
            context, command, SupportPlan, str(plan_id), expected_version, decide, person
        )
