"""Mutations on the living support plan, addressed by the person's id."""

from __future__ import annotations

import strawberry

from api import inputs as i
from api.mutations import ContextInfo, outcome_terms, submit
from api.types import WriteResult


@strawberry.type
class PlanMutations:
    @strawberry.mutation(description="Draft a person's plan from their completed assessment")
    async def draft_support_plan(
        self, info: ContextInfo, input: i.DraftSupportPlanInput
    ) -> WriteResult:
        c: i.DraftSupportPlan = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.draft_support_plan(
            ctx, c.person_id, c.assessment_id))  # fmt: skip

    @strawberry.mutation(description="Agree a measurable outcome built on assessed strengths")
    async def agree_outcome(self, info: ContextInfo, input: i.AgreeOutcomeInput) -> WriteResult:
        c: i.AgreeOutcome = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.agree_outcome(
            ctx, c.person_id, c.expected_version, outcome_terms(c)))  # fmt: skip

    @strawberry.mutation(description="Add a strength -> weekly micro-step -> evidence route")
    async def add_enablement_step(
        self, info: ContextInfo, input: i.AddEnablementStepInput
    ) -> WriteResult:
        c: i.AddEnablementStep = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.add_enablement_step(
            ctx, c.person_id, c.expected_version, c.outcome_id, strength=c.strength,
            weekly_micro_step=c.weekly_micro_step, evidence_route=c.evidence_route))  # fmt: skip

    @strawberry.mutation(description="Write (or rewrite) the guidance staff follow")
    async def write_staff_guidance(
        self, info: ContextInfo, input: i.WriteStaffGuidanceInput
    ) -> WriteResult:
        c: i.WriteStaffGuidance = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.write_staff_guidance(
            ctx, c.person_id, c.expected_version, c.guidance))  # fmt: skip

    @strawberry.mutation(description="Set weekly support hours")
    async def set_support_hours(
        self, info: ContextInfo, input: i.SetSupportHoursInput
    ) -> WriteResult:
        c: i.SetSupportHours = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.set_support_hours(
            ctx, c.person_id, c.expected_version, c.hours_per_week))  # fmt: skip

    @strawberry.mutation(description="Set the date of the plan's next review")
    async def set_next_review_date(
        self, info: ContextInfo, input: i.SetNextReviewDateInput
    ) -> WriteResult:
        c: i.SetNextReviewDate = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.set_next_review_date(
            ctx, c.person_id, c.expected_version, c.review_date))  # fmt: skip

    @strawberry.mutation(description="Revise an outcome's terms; omitted terms stay as they are")
    async def revise_outcome(self, info: ContextInfo, input: i.ReviseOutcomeInput) -> WriteResult:
        c: i.ReviseOutcome = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.revise_outcome(
            ctx, c.person_id, c.expected_version, c.outcome_id, outcome_terms(c)))  # fmt: skip

    @strawberry.mutation(description="Retire an outcome that no longer applies (needs a reason)")
    async def retire_outcome(self, info: ContextInfo, input: i.RetireOutcomeInput) -> WriteResult:
        c: i.RetireOutcome = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.retire_outcome(
            ctx, c.person_id, c.expected_version, c.outcome_id))  # fmt: skip

    @strawberry.mutation(description="Agree the plan (managers). From then on every change "
                         "needs a reason")  # fmt: skip
    async def agree_support_plan(
        self, info: ContextInfo, input: i.AgreeSupportPlanInput
    ) -> WriteResult:
        c: i.AgreeSupportPlan = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.agree_support_plan(
            ctx, c.person_id, c.expected_version))  # fmt: skip
