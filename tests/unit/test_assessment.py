"""Assessment: strengths-led sections, the person's own contribution, and completion."""

from __future__ import annotations

import pytest

from domain.assessment import Assessment, Contribution, ContributionMode, Section
from domain.errors import RulesViolated
from tests.unit import given

ALL_MISSING = {f"assessment.required.{section.value}" for section in Section}


def test_starting_an_assessment_records_whose_it_is_and_starts_empty() -> None:
    assessment = Assessment(given.envelope(), person_id="person-1")

    [started] = assessment.collect_events()
    assert type(started).__name__ == "Started"
    assert started.person_id == "person-1"
    assert assessment.tenant_id == given.TENANT
    assert (assessment.sections, assessment.contribution, assessment.completed) == ({}, None, False)


@pytest.mark.parametrize("section", list(Section))
def test_recording_a_section_keeps_its_entries_trimmed_and_without_blanks(
    section: Section,
) -> None:
    assessment = given.assessment()

    assessment.record_section(given.envelope(), section, ["  first  ", "", "   ", "second"])

    [recorded] = assessment.collect_events()
    assert type(recorded).__name__ == "SectionRecorded"
    assert (recorded.section, recorded.entries) == (section.value, ["first", "second"])
    assert assessment.sections[section.value] == ["first", "second"]


def test_recording_a_section_again_replaces_what_it_said() -> None:
    assessment = given.assessment(sections=[Section.STRENGTHS])

    assessment.record_section(given.envelope(), Section.STRENGTHS, ["plays the guitar"])

    assert given.names(assessment.collect_events()) == ["SectionRecorded"]
    assert assessment.strengths == ["plays the guitar"]


@pytest.mark.parametrize("section", list(Section))
def test_recording_a_section_with_only_blank_entries_is_refused(section: Section) -> None:
    assessment = given.assessment()

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_section(given.envelope(), section, ["", "   "])

    assert given.rules(refusal) == {f"assessment.section.{section.value}.empty"}
    assert assessment.collect_events() == []


@pytest.mark.parametrize("section", list(Section))
def test_recording_the_same_entry_twice_in_a_section_is_refused(section: Section) -> None:
    assessment = given.assessment()

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_section(given.envelope(), section, ["walks the dog", " walks the dog "])

    assert given.rules(refusal) == {f"assessment.section.{section.value}.duplicate"}


def test_a_direct_contribution_needs_only_a_summary_of_what_the_person_said() -> None:
    assessment = given.assessment()
    contribution = given.direct_contribution()

    assessment.record_contribution(given.envelope(), contribution)

    [recorded] = assessment.collect_events()
    assert type(recorded).__name__ == "ContributionRecorded"
    assert recorded.contribution == contribution
    assert assessment.contribution == contribution


def test_a_contribution_through_an_advocate_names_who_spoke_for_the_person() -> None:
    assessment = given.assessment()
    contribution = Contribution(
        ContributionMode.THROUGH_ADVOCATE, "Priya relayed Dana's wishes", "Priya Shah", None
    )

    assessment.record_contribution(given.envelope(), contribution)

    assert given.names(assessment.collect_events()) == ["ContributionRecorded"]
    assert assessment.contribution == contribution


def test_a_contribution_through_an_advocate_without_naming_them_is_refused() -> None:
    assessment = given.assessment()
    contribution = Contribution(ContributionMode.THROUGH_ADVOCATE, "wishes relayed", " ", None)

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_contribution(given.envelope(), contribution)

    assert given.rules(refusal) == {"assessment.contribution.spoken_for_by_required"}


def test_a_contribution_that_was_not_possible_says_why_and_who_spoke_for_them() -> None:
    assessment = given.assessment()
    contribution = Contribution(
        ContributionMode.NOT_POSSIBLE, "views from family", "Priya Shah", "in hospital, sedated"
    )

    assessment.record_contribution(given.envelope(), contribution)

    assert given.names(assessment.collect_events()) == ["ContributionRecorded"]
    assert assessment.contribution == contribution


def test_a_contribution_that_was_not_possible_without_who_or_why_is_refused_for_both() -> None:
    assessment = given.assessment()
    contribution = Contribution(ContributionMode.NOT_POSSIBLE, "views from family", None, "")

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_contribution(given.envelope(), contribution)

    assert given.rules(refusal) == {
        "assessment.contribution.spoken_for_by_required",
        "assessment.contribution.reason_required",
    }


@pytest.mark.parametrize("mode", list(ContributionMode))
def test_a_contribution_without_a_summary_is_refused(mode: ContributionMode) -> None:
    assessment = given.assessment()
    contribution = Contribution(mode, "  ", "Priya Shah", "in hospital")

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_contribution(given.envelope(), contribution)

    assert given.rules(refusal) == {"assessment.contribution.summary_required"}


def test_a_contribution_in_an_unknown_mode_is_refused() -> None:
    assessment = given.assessment()
    contribution = Contribution("guessed", "staff think Dana likes cooking", "Staff", None)

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_contribution(given.envelope(), contribution)

    assert given.rules(refusal) == {"assessment.contribution.mode"}


def test_completing_an_empty_assessment_lists_every_missing_section_and_the_contribution() -> None:
    assessment = given.assessment()

    with pytest.raises(RulesViolated) as refusal:
        assessment.complete(given.envelope())

    assert given.rules(refusal) == ALL_MISSING | {"assessment.contribution"}
    assert assessment.completed is False


def test_completing_an_assessment_lists_only_the_sections_still_missing() -> None:
    recorded = [Section.STRENGTHS, Section.PREFERRED_OUTCOMES, Section.INFORMAL_SUPPORT]
    assessment = given.assessment(sections=recorded, contribution=given.direct_contribution())

    with pytest.raises(RulesViolated) as refusal:
        assessment.complete(given.envelope())

    assert given.rules(refusal) == {
        "assessment.required.independent_skills",
        "assessment.required.communication_preferences",
    }


def test_completing_an_assessment_without_the_persons_contribution_is_refused() -> None:
    assessment = given.assessment(sections=Section)

    with pytest.raises(RulesViolated) as refusal:
        assessment.complete(given.envelope())

    assert given.rules(refusal) == {"assessment.contribution"}


def test_completing_an_assessment_with_every_section_and_the_contribution_is_recorded() -> None:
    assessment = given.assessment(sections=Section, contribution=given.direct_contribution())

    assessment.complete(given.envelope())

    assert given.names(assessment.collect_events()) == ["Completed"]
    assert assessment.completed is True
    assert assessment.strengths == given.STRENGTHS


def test_a_completed_assessment_cannot_have_a_section_recorded() -> None:
    assessment = given.completed_assessment()

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_section(given.envelope(), Section.STRENGTHS, ["paints"])

    assert given.rules(refusal) == {"assessment.completed"}
    assert assessment.strengths == given.STRENGTHS


def test_a_completed_assessment_cannot_have_its_contribution_rewritten() -> None:
    assessment = given.completed_assessment()

    with pytest.raises(RulesViolated) as refusal:
        assessment.record_contribution(given.envelope(), given.direct_contribution())

    assert given.rules(refusal) == {"assessment.completed"}


def test_a_completed_assessment_cannot_be_completed_again() -> None:
    assessment = given.completed_assessment()

    with pytest.raises(RulesViolated) as refusal:
        assessment.complete(given.envelope())

    assert given.rules(refusal) == {"assessment.completed"}
    assert assessment.collect_events() == []
