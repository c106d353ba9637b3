"""Support plan, before agreement: drafting, outcomes, enablement steps and the plan's terms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.errors import RulesViolated
from domain.support_plan import Outcome, OutcomeTerms, SupportPlan
from tests.unit import given


def test_a_plan_is_drafted_from_the_strengths_its_assessment_found() -> None:
    assessment = given.completed_assessment()

    plan = SupportPlan(given.envelope(), "person-1", str(assessment.id), assessment.strengths)

    [drafted] = plan.collect_events()
    assert type(drafted).__name__ == "Drafted"
    assert (drafted.person_id, drafted.assessment_id) == ("person-1", str(assessment.id))
    assert plan.assessed_strengths == given.STRENGTHS
    assert (plan.outcomes, plan.agreed) == ({}, False)


def test_a_plans_id_is_derived_from_its_person_so_each_person_has_one_plan() -> None:
    plan = given.plan()

    assert plan.id == SupportPlan.create_id("person-1")
    assert SupportPlan.create_id("person-1") == SupportPlan.create_id("person-1")
    assert SupportPlan.create_id("person-1") != SupportPlan.create_id("person-2")


def test_agreeing_an_outcome_built_on_assessed_strengths_is_recorded() -> None:
    plan = given.plan()

    plan.agree_outcome(given.envelope(), "outcome-1", given.terms())

    [agreed] = plan.collect_events()
    assert type(agreed).__name__ == "OutcomeAgreed"
    assert agreed.outcome_id == "outcome-1"
    assert agreed.terms["target"] == "cooks a two-course meal unprompted once a week"
    assert plan.outcomes["outcome-1"] == Outcome(
        outcome_id="outcome-1",
        title="Cook a meal for friends",
        baseline="cooks toast with prompting",
        target="cooks a two-course meal unprompted once a week",
        evidenced_by="weekly diary entry and photo",
        builds_on=["cooks simple meals", "keeps a diary"],
        agreed_at=given.NOW,
    )


@pytest.mark.parametrize("term", ["title", "baseline", "target", "evidenced_by"])
@pytest.mark.parametrize("missing", [None, "  "])
def test_agreeing_an_outcome_without_each_measurable_term_is_refused(
    term: str, missing: str | None
) -> None:
    plan = given.plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree_outcome(given.envelope(), "outcome-1", given.terms(**{term: missing}))

    assert given.rules(refusal) == {f"plan.outcome.{term}_required"}
    assert plan.collect_events() == []


def test_agreeing_an_outcome_with_no_terms_lists_every_missing_term_at_once() -> None:
    plan = given.plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree_outcome(given.envelope(), "outcome-1", OutcomeTerms())

    assert given.rules(refusal) == {
        "plan.outcome.title_required",
        "plan.outcome.baseline_required",
        "plan.outcome.target_required",
        "plan.outcome.evidenced_by_required",
        "plan.outcome.strengths_required",
    }


@pytest.mark.parametrize("builds_on", [None, []])
def test_an_outcome_that_builds_on_no_strength_is_refused(builds_on: list[str] | None) -> None:
    plan = given.plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree_outcome(given.envelope(), "outcome-1", given.terms(builds_on=builds_on))

    assert given.rules(refusal) == {"plan.outcome.strengths_required"}


def test_an_outcome_that_builds_on_a_strength_the_assessment_did_not_find_is_refused() -> None:
    plan = given.plan()
    builds_on = ["cooks simple meals", "drives a car"]

    with pytest.raises(RulesViolated) as refusal:
        plan.agree_outcome(given.envelope(), "outcome-1", given.terms(builds_on=builds_on))

    assert given.rules(refusal) == {"plan.outcome.unknown_strength"}
    assert "drives a car" in refusal.value.violations[0].message


def test_adding_an_enablement_step_links_a_strength_to_a_weekly_micro_step() -> None:
    plan = given.plan_with_outcome()

    plan.add_enablement_step(given.envelope(), given.OUTCOME, given.step())

    [added] = plan.collect_events()
    assert type(added).__name__ == "EnablementStepAdded"
    assert (added.outcome_id, added.step) == (given.OUTCOME, given.step())
    assert plan.outcomes[given.OUTCOME].steps == [given.step()]


def test_enablement_steps_accumulate_in_the_order_they_were_added() -> None:
    plan = given.plan_with_outcome(with_step=True)
    second = given.step(step_id="step-2", strength="keeps a diary")

    plan.add_enablement_step(given.envelope(), given.OUTCOME, second)

    assert plan.outcomes[given.OUTCOME].steps == [given.step(), second]


def test_adding_a_step_to_an_outcome_the_plan_does_not_have_is_refused() -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.add_enablement_step(given.envelope(), "outcome-unknown", given.step())

    assert given.rules(refusal) == {"plan.outcome.unknown"}


def test_adding_a_step_to_a_retired_outcome_is_refused() -> None:
    plan = given.plan_with_outcome()
    plan.retire_outcome(given.envelope(reason="Dana now cooks daily"), given.OUTCOME)
    plan.collect_events()

    with pytest.raises(RulesViolated) as refusal:
        plan.add_enablement_step(given.envelope(), given.OUTCOME, given.step())

    assert given.rules(refusal) == {"plan.outcome.unknown"}


def test_a_step_using_a_strength_the_outcome_does_not_build_on_is_refused() -> None:
    plan = given.plan_with_outcome()
    # An assessed strength, but not one this outcome builds on.
    off_outcome = given.step(strength="knows the bus routes")

    with pytest.raises(RulesViolated) as refusal:
        plan.add_enablement_step(given.envelope(), given.OUTCOME, off_outcome)

    assert given.rules(refusal) == {"plan.step.strength_not_in_outcome"}


def test_a_step_without_a_micro_step_or_evidence_route_is_refused_for_both() -> None:
    plan = given.plan_with_outcome()
    vague = given.step(weekly_micro_step=" ", evidence_route="")

    with pytest.raises(RulesViolated) as refusal:
        plan.add_enablement_step(given.envelope(), given.OUTCOME, vague)

    assert given.rules(refusal) == {"plan.step.micro_step_required", "plan.step.evidence_required"}


def test_writing_staff_guidance_keeps_it_trimmed() -> None:
    plan = given.plan()

    plan.write_staff_guidance(given.envelope(), "  Let Dana lead.  ")

    [written] = plan.collect_events()
    assert type(written).__name__ == "StaffGuidanceWritten"
    assert written.guidance == "Let Dana lead."
    assert plan.staff_guidance == "Let Dana lead."


def test_rewriting_staff_guidance_to_what_it_already_says_is_refused() -> None:
    plan = given.plan_ready_to_agree()

    with pytest.raises(RulesViolated) as refusal:
        plan.write_staff_guidance(given.envelope(), f" {plan.staff_guidance} ")

    assert given.rules(refusal) == {"plan.guidance.no_change"}


def test_blank_staff_guidance_is_refused_when_guidance_exists() -> None:
    plan = given.plan_ready_to_agree()

    with pytest.raises(RulesViolated) as refusal:
        plan.write_staff_guidance(given.envelope(), "   ")

    assert given.rules(refusal) == {"plan.guidance.required"}


def test_blank_staff_guidance_on_a_plan_without_guidance_is_refused_only_as_required() -> None:
    plan = given.plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.write_staff_guidance(given.envelope(), "   ")

    assert given.rules(refusal) == {"plan.guidance.required"}


@pytest.mark.parametrize("hours", [0, 12.5, 168])
def test_setting_weekly_support_hours_within_a_week_is_recorded(hours: float) -> None:
    plan = given.plan()

    plan.set_support_hours(given.envelope(), hours)

    [set_] = plan.collect_events()
    assert type(set_).__name__ == "SupportHoursSet"
    assert set_.hours_per_week == hours
    assert plan.support_hours_per_week == hours


@pytest.mark.parametrize("hours", [-0.5, 168.5, float("nan")])
def test_weekly_support_hours_outside_a_week_are_refused(hours: float) -> None:
    plan = given.plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.set_support_hours(given.envelope(), hours)

    assert given.rules(refusal) == {"plan.hours.range"}


def test_setting_support_hours_to_what_they_already_are_is_refused() -> None:
    plan = given.plan_ready_to_agree()

    with pytest.raises(RulesViolated) as refusal:
        plan.set_support_hours(given.envelope(), 12.5)

    assert given.rules(refusal) == {"plan.hours.no_change"}


def test_setting_the_next_review_date_after_the_effective_date_is_recorded() -> None:
    plan = given.plan()
    review = given.NOW.date() + timedelta(days=1)

    plan.set_next_review_date(given.envelope(), review)

    [set_] = plan.collect_events()
    assert type(set_).__name__ == "NextReviewDateSet"
    assert set_.review_date == review
    assert plan.next_review_date == review


@pytest.mark.parametrize("days_after", [0, -1])
def test_a_next_review_date_on_or_before_the_effective_date_is_refused(days_after: int) -> None:
    plan = given.plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.set_next_review_date(given.envelope(), given.NOW.date() + timedelta(days_after))

    assert given.rules(refusal) == {"plan.review_date.not_future"}


def test_a_next_review_date_is_judged_against_the_effective_date_not_the_clock() -> None:
    plan = given.plan()
    back_dated = given.envelope(effective_at=given.NOW - timedelta(days=30))

    plan.set_next_review_date(back_dated, date(2025, 3, 1))

    assert plan.next_review_date == date(2025, 3, 1)
