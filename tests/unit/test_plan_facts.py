"""Each change names the fact it records, and what it replaced, so a plan's history and
timelines read from the events alone, without comparing documents."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RulesViolated
from domain.outcome import OutcomeTerms
from domain.person import Person
from domain.support_plan import SupportPlan
from tests.unit import given


def only_event(plan: SupportPlan | Person) -> object:
    [recorded] = plan.collect_events()
    return recorded


def test_the_first_hours_are_set_and_later_ones_say_reduced_or_increased_from_what() -> None:
    plan = given.plan_with_outcome(with_step=True)

    plan.set_support_hours(given.envelope(), 14)
    first = only_event(plan)
    plan.set_support_hours(given.envelope(), 10)
    reduced = only_event(plan)
    plan.set_support_hours(given.envelope(), 12.5)
    increased = only_event(plan)

    assert (type(first).__name__, first.hours_per_week) == ("SupportHoursSet", 14)  # type: ignore[attr-defined]
    assert (type(reduced).__name__, reduced.before, reduced.after) == (
        "SupportHoursReduced",
        14,
        10,
    )  # type: ignore[attr-defined]
    assert (type(increased).__name__, increased.before, increased.after) == (  # type: ignore[attr-defined]
        "SupportHoursIncreased",
        10,
        12.5,
    )
    assert plan.support_hours_per_week == 12.5


def test_a_later_review_date_is_a_postponement_and_an_earlier_one_brings_it_forward() -> None:
    plan = given.plan_with_outcome(with_step=True)
    plan.set_next_review_date(given.envelope(), date(2025, 6, 1))
    plan.collect_events()

    plan.set_next_review_date(given.envelope(), date(2025, 9, 1))
    postponed = only_event(plan)
    plan.set_next_review_date(given.envelope(), date(2025, 4, 1))
    brought_forward = only_event(plan)

    assert type(postponed).__name__ == "NextReviewPostponed"
    assert (postponed.before, postponed.after) == (date(2025, 6, 1), date(2025, 9, 1))  # type: ignore[attr-defined]
    assert type(brought_forward).__name__ == "NextReviewBroughtForward"
    assert plan.next_review_date == date(2025, 4, 1)


def test_setting_the_review_to_the_date_it_already_has_is_refused() -> None:
    plan = given.plan_with_outcome(with_step=True)
    plan.set_next_review_date(given.envelope(), date(2025, 6, 1))

    with pytest.raises(RulesViolated) as refusal:
        plan.set_next_review_date(given.envelope(), date(2025, 6, 1))

    assert given.rules(refusal) == {"plan.review_date.no_change"}


def test_rewritten_guidance_keeps_what_it_replaced() -> None:
    plan = given.plan_with_outcome(with_step=True)
    plan.write_staff_guidance(given.envelope(), "Prompt, do not take over.")
    assert type(only_event(plan)).__name__ == "StaffGuidanceWritten"

    plan.write_staff_guidance(given.envelope(), "Wait nearby; step in only if asked.")
    rewritten = only_event(plan)

    assert type(rewritten).__name__ == "StaffGuidanceRewritten"
    assert rewritten.previous == "Prompt, do not take over."  # type: ignore[attr-defined]
    assert plan.staff_guidance == "Wait nearby; step in only if asked."


def test_a_revised_outcome_records_the_terms_it_replaced() -> None:
    plan = given.plan_with_outcome()

    plan.revise_outcome(given.envelope(), given.OUTCOME, OutcomeTerms(target="  twice a week "))
    revised = only_event(plan)

    assert revised.changes == {"target": "twice a week"}  # type: ignore[attr-defined]
    assert revised.previous == {"target": given.terms().target}  # type: ignore[attr-defined]


def test_a_move_records_where_the_person_moved_from() -> None:
    person = given.person()

    person.move(given.envelope(reason="closer to family"), service_id="svc-2", team_id=None)
    moved = only_event(person)

    assert (moved.from_service_id, moved.from_team_id) == (given.SERVICE, given.TEAM)  # type: ignore[attr-defined]
    assert (moved.service_id, moved.team_id) == ("svc-2", None)  # type: ignore[attr-defined]
