"""One mutation per command. Each returns where it wrote; refusals become coded errors."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.types import Info

from api import inputs as i
from api.context import Context
from api.types import WriteResult
from domain.assessment import Contribution
from domain.envelope import CommandContext
from domain.person import Advocate
from domain.records import CareRecords, Written
from domain.support_plan import OutcomeTerms

ContextInfo = Info[Context, None]
Action = Callable[[CareRecords, CommandContext], Written]


async def submit(info: ContextInfo, command: i.Command, action: Action) -> WriteResult:
    written = await info.context.write(action, command.effective_at, command.reason)
    return WriteResult(
        record_id=strawberry.ID(written.record_id),
        version=written.version,
        position=written.position,
        part_id=strawberry.ID(written.part_id) if written.part_id else None,
    )


def outcome_terms(c: i.AgreeOutcome | i.ReviseOutcome) -> OutcomeTerms:
    return OutcomeTerms(c.title, c.baseline, c.target, c.evidenced_by, c.builds_on)


@strawberry.type
class PeopleMutations:
    @strawberry.mutation(description="Register a person supported by a service")
    async def register_person(self, info: ContextInfo, input: i.RegisterPersonInput) -> WriteResult:
        c: i.RegisterPerson = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.register_person(
            ctx, name=c.name, date_of_birth=c.date_of_birth, service_id=c.service_id,
            team_id=c.team_id))  # fmt: skip

    @strawberry.mutation(description="Move a person to another service or team (needs a reason)")
    async def move_person(self, info: ContextInfo, input: i.MovePersonInput) -> WriteResult:
        c: i.MovePerson = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.move_person(
            ctx, c.person_id, c.expected_version, service_id=c.service_id,
            team_id=c.team_id))  # fmt: skip

    @strawberry.mutation(description="Record who advocates for the person")
    async def record_advocate(self, info: ContextInfo, input: i.RecordAdvocateInput) -> WriteResult:
        c: i.RecordAdvocate = input.to_pydantic()
        advocate = Advocate(c.name, c.relationship, c.contact)
        return await submit(info, c, lambda r, ctx: r.record_advocate(
            ctx, c.person_id, c.expected_version, advocate))  # fmt: skip

    @strawberry.mutation(description="Record whether the person consents to information sharing")
    async def record_consent_to_share(
        self, info: ContextInfo, input: i.RecordConsentToShareInput
    ) -> WriteResult:
        c: i.RecordConsentToShare = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.record_consent_to_share(
            ctx, c.person_id, c.expected_version, given=c.given, scope=c.scope))  # fmt: skip


@strawberry.type
class AssessmentMutations:
    @strawberry.mutation(description="Start a strengths-led assessment of a person")
    async def start_assessment(
        self, info: ContextInfo, input: i.StartAssessmentInput
    ) -> WriteResult:
        c: i.StartAssessment = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.start_assessment(ctx, c.person_id))

    @strawberry.mutation(description="Record one section of an assessment (replaces it)")
    async def record_assessment_section(
        self, info: ContextInfo, input: i.RecordAssessmentSectionInput
    ) -> WriteResult:
        c: i.RecordAssessmentSection = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.record_assessment_section(
            ctx, c.assessment_id, c.expected_version, c.section, c.entries))  # fmt: skip

    @strawberry.mutation(description="Record how the person contributed to their assessment")
    async def record_contribution(
        self, info: ContextInfo, input: i.RecordContributionInput
    ) -> WriteResult:
        c: i.RecordContribution = input.to_pydantic()
        contribution = Contribution(c.mode.value, c.summary, c.spoken_for_by, c.reason_not_possible)
        return await submit(info, c, lambda r, ctx: r.record_contribution(
            ctx, c.assessment_id, c.expected_version, contribution))  # fmt: skip

    @strawberry.mutation(description="Complete an assessment: every section and the "
                         "person's contribution must be recorded")  # fmt: skip
    async def complete_assessment(
        self, info: ContextInfo, input: i.CompleteAssessmentInput
    ) -> WriteResult:
        c: i.CompleteAssessment = input.to_pydantic()
        return await submit(info, c, lambda r, ctx: r.complete_assessment(
            ctx, c.assessment_id, c.expected_version))  # fmt: skip
