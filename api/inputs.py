"""Command inputs. Pydantic checks shape (types, lengths, ranges) at the edge; the domain
checks meaning. Each GraphQL input is generated from its pydantic model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from pydantic import BaseModel, Field, StringConstraints

from domain.assessment import ContributionMode, Section

Text = Annotated[str, StringConstraints(max_length=4000)]
Name = Annotated[str, StringConstraints(max_length=200)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=100)]

strawberry.enum(Section, description="The sections of a strengths-led assessment")
strawberry.enum(ContributionMode, description="How the person took part in their assessment")


class Command(BaseModel):
    effective_at: datetime | None = Field(
        None, description="When it happened or takes effect (default: now); never in the future"
    )
    reason: Text | None = Field(None, description="Why; required once a plan is agreed")


class Change(Command):
    expected_version: int | None = Field(
        None, ge=1, description="Refuse with CONFLICT unless the record is at this version"
    )


class RegisterPerson(Command):
    name: Name
    date_of_birth: date | None = None
    service_id: Key
    team_id: Key | None = None


class MovePerson(Change):
    person_id: Key
    service_id: Key
    team_id: Key | None = None


class RecordAdvocate(Change):
    person_id: Key
    name: Name
    relationship: Name
    contact: Name | None = None


class RecordConsentToShare(Change):
    person_id: Key
    given: bool
    scope: Text


class StartAssessment(Command):
    person_id: Key


class RecordAssessmentSection(Change):
    assessment_id: Key
    section: Section
    entries: list[Text] = Field(max_length=100)


class RecordContribution(Change):
    assessment_id: Key
    mode: ContributionMode
    summary: Text
    spoken_for_by: Name | None = None
    reason_not_possible: Text | None = None


class CompleteAssessment(Change):
    assessment_id: Key


class DraftSupportPlan(Command):
    person_id: Key
    assessment_id: Key


class PlanChange(Change):
    person_id: Key


class AgreeOutcome(PlanChange):
    title: Name
    baseline: Text
    target: Text
    evidenced_by: Text
    builds_on: list[Text] = Field(max_length=50)


class AddEnablementStep(PlanChange):
    outcome_id: Key
    strength: Text
    weekly_micro_step: Text
    evidence_route: Text


class WriteStaffGuidance(PlanChange):
    guidance: Annotated[str, StringConstraints(max_length=20000)]


class SetSupportHours(PlanChange):
    hours_per_week: float = Field(ge=0, le=168)


class SetNextReviewDate(PlanChange):
    review_date: date


class ReviseOutcome(PlanChange):
    outcome_id: Key
    title: Name | None = None
    baseline: Text | None = None
    target: Text | None = None
    evidenced_by: Text | None = None
    builds_on: list[Text] | None = Field(None, max_length=50)


class RetireOutcome(PlanChange):
    outcome_id: Key


class AgreeSupportPlan(PlanChange):
    pass


# GraphQL inputs, one per command; `to_pydantic()` validates.


@strawberry.experimental.pydantic.input(model=RegisterPerson, all_fields=True)
class RegisterPersonInput:
    pass


@strawberry.experimental.pydantic.input(model=MovePerson, all_fields=True)
class MovePersonInput:
    pass


@strawberry.experimental.pydantic.input(model=RecordAdvocate, all_fields=True)
class RecordAdvocateInput:
    pass


@strawberry.experimental.pydantic.input(model=RecordConsentToShare, all_fields=True)
class RecordConsentToShareInput:
    pass


@strawberry.experimental.pydantic.input(model=StartAssessment, all_fields=True)
class StartAssessmentInput:
    pass


@strawberry.experimental.pydantic.input(model=RecordAssessmentSection, all_fields=True)
class RecordAssessmentSectionInput:
    pass


@strawberry.experimental.pydantic.input(model=RecordContribution, all_fields=True)
class RecordContributionInput:
    pass


@strawberry.experimental.pydantic.input(model=CompleteAssessment, all_fields=True)
class CompleteAssessmentInput:
    pass


@strawberry.experimental.pydantic.input(model=DraftSupportPlan, all_fields=True)
class DraftSupportPlanInput:
    pass


@strawberry.experimental.pydantic.input(model=AgreeOutcome, all_fields=True)
class AgreeOutcomeInput:
    pass


@strawberry.experimental.pydantic.input(model=AddEnablementStep, all_fields=True)
class AddEnablementStepInput:
    pass


@strawberry.experimental.pydantic.input(model=WriteStaffGuidance, all_fields=True)
class WriteStaffGuidanceInput:
    pass


@strawberry.experimental.pydantic.input(model=SetSupportHours, all_fields=True)
class SetSupportHoursInput:
    pass


@strawberry.experimental.pydantic.input(model=SetNextReviewDate, all_fields=True)
class SetNextReviewDateInput:
    pass


@strawberry.experimental.pydantic.input(model=ReviseOutcome, all_fields=True)
class ReviseOutcomeInput:
    pass


@strawberry.experimental.pydantic.input(model=RetireOutcome, all_fields=True)
class RetireOutcomeInput:
    pass


@strawberry.experimental.pydantic.input(model=AgreeSupportPlan, all_fields=True)
class AgreeSupportPlanInput:
    pass
