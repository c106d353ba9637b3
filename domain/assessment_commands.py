"""Commands on strengths-led assessments, and who may issue them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from annotated_types import MaxLen

from domain.assessment import PUBLISHED, Assessment, Contribution, ContributionMode, Section
from domain.commands import (
    STAFF,
    Change,
    Command,
    Creation,
    Found,
    Key,
    Name,
    NewIds,
    Records,
    Registration,
    Seal,
    Text,
)
from domain.person import Person
from domain.record_type import RecordType


@dataclass(frozen=True)
class StartAssessment(Command):
    """Start a strengths-led assessment of a person."""

    person_id: Key


@dataclass(frozen=True)
class AssessmentCommand(Command):
    assessment_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"assessment_id"})


@dataclass(frozen=True)
class RecordAssessmentSection(AssessmentCommand):
    """Record one section of an assessment (replaces what it said)."""

    section: Section
    entries: Annotated[list[Text], MaxLen(100)]


@dataclass(frozen=True)
class RecordContribution(AssessmentCommand):
    """Record how the person contributed to their assessment."""

    mode: ContributionMode
    summary: Text
    spoken_for_by: Name | None = None
    reason_not_possible: Text | None = None

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        contribution = Contribution(
            self.mode.value, self.summary, self.spoken_for_by, self.reason_not_possible
        )
        return {"contribution": contribution}


@dataclass(frozen=True)
class CompleteAssessment(AssessmentCommand):
    """Complete an assessment: every section and the person's contribution must be recorded."""


def start(records: Records, command: StartAssessment, seal: Seal, ids: NewIds) -> Assessment:
    person = records.owned(Person, command.person_id, "personId")
    return Assessment(seal(person.service_id), str(person.id), id=ids.record())


def find_assessment(records: Records, command: AssessmentCommand) -> Found[Assessment]:
    assessment = records.owned(Assessment, command.assessment_id, "assessmentId")
    person = records.owned(Person, assessment.person_id, "personId")
    return Found(assessment, person.service_id)


COMMANDS: list[Registration] = [
    Creation(StartAssessment, STAFF, start),
    Change(RecordAssessmentSection, STAFF, find_assessment, Assessment.record_section),
    Change(RecordContribution, STAFF, find_assessment, Assessment.record_contribution),
    Change(CompleteAssessment, STAFF, find_assessment, Assessment.complete),
]


RECORD_TYPE = RecordType(
    Assessment, COMMANDS, PUBLISHED, value_types={"contribution": Contribution}
)
