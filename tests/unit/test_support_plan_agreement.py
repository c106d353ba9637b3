"""Support plan: revising and retiring outcomes, the gates to agreement, and changes after it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date

import pytest

from domain.envelope import Envelope
from domain.errors import RulesViolated
from domain.support_plan import OutcomeTerms, SupportPlan
from tests.unit import given


def test_revising_an_outcome_records_only_the_terms_that_change() -> None:
    plan = given.plan_with_outcome(with_step=True)
    revision = OutcomeTerms(title="Cook a meal for friends", target="cooks twice a week")

    plan.revise_outcome(given.envelope(), given.OUTCOME, revision)

    [revised] = plan.collect_events()
    assert type(revised).__name__ == "OutcomeRevised"
    assert (revised.outcome_id, revised.changes) == (
        given.OUTCOME,
        {"target": "cooks twice a week"},
    )
    outcome = plan.outcomes[given.OUTCOME]
    assert (outcome.title, outcome.target) == ("Cook a meal for friends", "cooks twice a week")
    assert outcome.steps == [given.step()], "revising terms keeps the outcome's steps"


@pytest.mark.parametrize(
    "revision",
    [
        OutcomeTerms(title="Host a dinner"),
        OutcomeTerms(baseline="cooks pasta with prompting"),
        OutcomeTerms(target="cooks a three-course meal"),
        OutcomeTerms(evidenced_by="feedback from guests"),
        OutcomeTerms(builds_on=["cooks simple meals", "knows the bus routes"]),
    ],
)
def test_each_term_of_an_outcome_can_be_revised(revision: OutcomeTerms) -> None:
    plan = given.plan_with_outcome()

    plan.revise_outcome(given.envelope(), given.OUTCOME, revision)

    [revised] = plan.collect_events()
    assert revised.changes == revision.changes()
    [(term, value)] = revision.changes().items()
    assert getattr(plan.outcomes[given.OUTCOME], term) == value


@pytest.mark.parametrize("revision", [OutcomeTerms(), given.terms()])
def test_revising_an_outcome_without_changing_anything_is_refused(revision: OutcomeTerms) -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.revise_outcome(given.envelope(), given.OUTCOME, revision)

    assert given.rules(refusal) == {"plan.outcome.no_change"}


def test_revising_an_outcome_the_plan_does_not_have_is_refused() -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.revise_outcome(given.envelope(), "outcome-unknown", OutcomeTerms(title="New"))

    assert given.rules(refusal) == {"plan.outcome.unknown"}


def test_revising_an_outcome_to_blank_terms_or_unassessed_strengths_is_refused() -> None:
    plan = given.plan_with_outcome()
    revision = OutcomeTerms(title=" ", evidenced_by="", builds_on=["drives a car"])

    with pytest.raises(RulesViolated) as refusal:
        plan.revise_outcome(given.envelope(), given.OUTCOME, revision)

    assert given.rules(refusal) == {
        "plan.outcome.title_required",
        "plan.outcome.evidenced_by_required",
        "plan.outcome.unknown_strength",
    }


def test_revising_an_outcome_to_build_on_no_strength_is_refused() -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.revise_outcome(given.envelope(), given.OUTCOME, OutcomeTerms(builds_on=[]))

    assert given.rules(refusal) == {"plan.outcome.strengths_required"}


def test_retiring_an_outcome_with_a_reason_keeps_it_on_record_as_retired() -> None:
    plan = given.plan_with_outcome(with_step=True)

    plan.retire_outcome(given.envelope(reason="Dana now cooks daily"), given.OUTCOME)

    [retired] = plan.collect_events()
    assert type(retired).__name__ == "OutcomeRetired"
    assert retired.envelope.reason == "Dana now cooks daily"
    assert plan.outcomes[given.OUTCOME].retired is True
    assert plan.outcomes[given.OUTCOME].steps == [given.step()]


def test_retiring_an_outcome_without_a_reason_is_refused() -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.retire_outcome(given.envelope(reason="  "), given.OUTCOME)

    assert given.rules(refusal) == {"plan.outcome.retire_reason_required"}
    assert plan.outcomes[given.OUTCOME].retired is False


def test_retiring_or_revising_an_outcome_already_retired_is_refused() -> None:
    plan = given.plan_with_outcome()
    plan.retire_outcome(given.envelope(reason="achieved"), given.OUTCOME)
    plan.collect_events()

    with pytest.raises(RulesViolated) as retiring:
        plan.retire_outcome(given.envelope(reason="achieved"), given.OUTCOME)
    with pytest.raises(RulesViolated) as revising:
        plan.revise_outcome(given.envelope(), given.OUTCOME, OutcomeTerms(title="Again"))

    assert given.rules(retiring) == given.rules(revising) == {"plan.outcome.unknown"}


def test_agreeing_a_plan_with_every_gate_met_is_recorded() -> None:
    plan = given.plan_ready_to_agree()

    plan.agree(given.envelope())

    assert given.names(plan.collect_events()) == ["Agreed"]
    assert plan.agreed is True


def test_agreeing_a_bare_draft_lists_every_unmet_gate_at_once() -> None:
    plan = given.plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree(given.envelope())

    assert given.rules(refusal) == {
        "plan.agree.outcome_required",
        "plan.agree.guidance_required",
        "plan.agree.hours_required",
        "plan.agree.review_date_required",
    }
    assert plan.agreed is False


def test_agreeing_a_plan_whose_only_outcome_is_retired_is_refused() -> None:
    plan = given.plan_ready_to_agree()
    plan.retire_outcome(given.envelope(reason="achieved early"), given.OUTCOME)
    plan.collect_events()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree(given.envelope())

    assert given.rules(refusal) == {"plan.agree.outcome_required"}


def test_agreeing_a_plan_names_each_active_outcome_without_an_enablement_step() -> None:
    plan = given.plan_ready_to_agree()
    plan.agree_outcome(given.envelope(), "outcome-travel", given.terms(title="Travel to college"))
    plan.collect_events()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree(given.envelope())

    assert given.rules(refusal) == {"plan.agree.micro_steps_required"}
    [violation] = refusal.value.violations
    assert violation.field == "outcomes.outcome-travel"


def test_a_retired_outcome_without_steps_does_not_hold_up_agreement() -> None:
    plan = given.plan_ready_to_agree()
    plan.agree_outcome(given.envelope(), "outcome-travel", given.terms(title="Travel"))
    plan.retire_outcome(given.envelope(reason="Dana chose not to"), "outcome-travel")
    plan.collect_events()

    plan.agree(given.envelope())

    assert given.names(plan.collect_events()) == ["Agreed"]


def test_agreeing_a_plan_that_is_already_agreed_is_refused() -> None:
    plan = given.agreed_plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree(given.envelope(reason="again"))

    assert given.rules(refusal) == {"plan.already_agreed"}


CHANGES: dict[str, Callable[[SupportPlan, Envelope], None]] = {
    "agree_outcome": lambda p, e: p.agree_outcome(e, "outcome-2", given.terms()),
    "add_enablement_step": lambda p, e: p.add_enablement_step(
        e, given.OUTCOME, given.step(step_id="step-2", strength="keeps a diary")
    ),
    "write_staff_guidance": lambda p, e: p.write_staff_guidance(e, "Prompt once, then wait."),
    "set_support_hours": lambda p, e: p.set_support_hours(e, 10),
    "set_next_review_date": lambda p, e: p.set_next_review_date(e, date(2025, 6, 1)),
    "revise_outcome": lambda p, e: p.revise_outcome(
        e, given.OUTCOME, OutcomeTerms(target="cooks twice a week")
    ),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_once_agreed_a_change_without_a_reason_is_refused(
    change: Callable[[SupportPlan, Envelope], None],
) -> None:
    plan = given.agreed_plan()

    with pytest.raises(RulesViolated) as refusal:
        change(plan, given.envelope(reason=" "))

    assert given.rules(refusal) == {"plan.change.reason_required"}
    assert plan.collect_events() == []


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_once_agreed_a_change_with_a_reason_is_recorded_and_the_plan_stays_agreed(
    change: Callable[[SupportPlan, Envelope], None],
) -> None:
    plan = given.agreed_plan()

    change(plan, given.envelope(reason="review with Dana and her sister"))

    [changed] = plan.collect_events()
    assert changed.envelope.reason == "review with Dana and her sister"
    assert plan.agreed is True


def agreed_plan_with_two_outcomes() -> SupportPlan:
    plan = given.agreed_plan()
    plan.agree_outcome(given.envelope(reason="new goal at review"), "outcome-2", given.terms())
    return given.past(plan)


def test_once_agreed_retiring_an_outcome_without_a_reason_is_refused_once() -> None:
    plan = agreed_plan_with_two_outcomes()

    with pytest.raises(RulesViolated) as refusal:
        plan.retire_outcome(given.envelope(), given.OUTCOME)

    assert given.rules(refusal) == {"plan.change.reason_required"}


def test_once_agreed_retiring_an_outcome_with_a_reason_is_recorded() -> None:
    plan = agreed_plan_with_two_outcomes()

    plan.retire_outcome(given.envelope(reason="achieved"), given.OUTCOME)

    assert given.names(plan.collect_events()) == ["OutcomeRetired"]
    assert plan.outcomes[given.OUTCOME].retired is True


def test_an_agreed_plan_cannot_retire_its_last_active_outcome() -> None:
    plan = given.agreed_plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.retire_outcome(given.envelope(reason="achieved"), given.OUTCOME)

    assert given.rules(refusal) == {"plan.outcome.last_active"}


def test_revising_away_a_strength_that_a_step_uses_is_refused() -> None:
    plan = given.plan_with_outcome(with_step=True)

    with pytest.raises(RulesViolated) as refusal:
        plan.revise_outcome(
            given.envelope(), given.OUTCOME, OutcomeTerms(builds_on=["keeps a diary"])
        )

    assert given.rules(refusal) == {"plan.outcome.strength_in_use"}


def test_agreeing_an_outcome_under_an_existing_id_is_refused() -> None:
    plan = given.plan_with_outcome()

    with pytest.raises(RulesViolated) as refusal:
        plan.agree_outcome(given.envelope(), given.OUTCOME, given.terms())

    assert given.rules(refusal) == {"plan.outcome.duplicate_id"}


def test_revising_an_outcome_never_leaves_a_step_on_a_strength_it_no_longer_builds_on() -> None:
    plan = given.plan_with_outcome(with_step=True)  # its step uses "cooks simple meals"

    with contextlib.suppress(RulesViolated):
        plan.revise_outcome(
            given.envelope(), given.OUTCOME, OutcomeTerms(builds_on=["keeps a diary"])
        )

    outcome = plan.outcomes[given.OUTCOME]
    assert all(step.strength in outcome.builds_on for step in outcome.steps)
