"""Reviews of a support plan: scheduled, held with the person (never without recording how they
took part), and their decisions applied to the plan as changes the review caused."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from domain.care_records import CareRecords
from domain.errors import RulesViolated
from domain.pathway import COMPLETED, CURRENT, Stage
from domain.progression_commands import HoldReview, ScheduleReview
from domain.review import Involvement, ReviewAnalysis, ReviewDecisions
from domain.support_plan import SupportPlan
from tests.support.scenarios import MANAGER, agreed_plan, run
from tests.unit import given

REVIEW, DUE = "review-six-weeks", date(2025, 4, 25)
AT_REVIEW = "six-week review with Dana and her sister"
ANALYSIS = ReviewAnalysis(
    what_worked="cooking with staff beside her",
    new_strengths=["reads recipes aloud"],
    support_can_reduce=True,
    barriers="the hob frightens her",
    new_goals=["bake bread for her sister"],
)


def with_dana(**overrides: Any) -> Involvement:
    took_part: dict[str, Any] = {"attended": True, "contributed": True,
                                 "views": "I want to cook on my own now"}  # fmt: skip
    return Involvement(**{**took_part, **overrides})


def plan_with_review(plan: SupportPlan | None = None) -> SupportPlan:
    plan = plan or given.agreed_plan()
    plan.schedule_review(given.envelope(reason="six-weekly"), REVIEW, DUE)
    return given.past(plan)


def hold(
    plan: SupportPlan,
    decisions: ReviewDecisions | None = None,
    involvement: Involvement | None = None,
    reason: str | None = AT_REVIEW,
) -> None:
    plan.hold_review(given.envelope(reason=reason), REVIEW, ANALYSIS,
                     involvement or with_dana(), decisions or ReviewDecisions())  # fmt: skip


# -- scheduling -------------------------------------------------------------------------------


def test_a_scheduled_review_becomes_the_plans_next_review_date() -> None:
    plan = given.agreed_plan()

    plan.schedule_review(given.envelope(reason="six-weekly"), REVIEW, DUE)

    [scheduled] = plan.collect_events()
    assert type(scheduled).__name__ == "ReviewScheduled"
    assert (scheduled.review_id, scheduled.due_on) == (REVIEW, DUE)
    assert plan.next_review_date == DUE
    assert plan.reviews[REVIEW].held_at is None


@pytest.mark.parametrize("due_on", [given.NOW.date(), date(2025, 3, 1)])
def test_a_review_due_today_or_in_the_past_is_refused(due_on: date) -> None:
    plan = given.agreed_plan()

    with pytest.raises(RulesViolated) as refusal:
        plan.schedule_review(given.envelope(reason="six-weekly"), REVIEW, due_on)

    assert given.rules(refusal) == {"plan.review.due_not_future"}
    assert plan.collect_events() == []


def test_a_second_review_cannot_be_scheduled_while_one_is_still_to_be_held() -> None:
    plan = plan_with_review()

    with pytest.raises(RulesViolated) as refusal:
        plan.schedule_review(given.envelope(reason="again"), "review-2", date(2025, 5, 2))

    assert given.rules(refusal) == {"plan.review.already_scheduled"}
    assert "due 2025-04-25" in refusal.value.violations[0].message


def test_once_a_review_is_held_the_next_one_can_be_scheduled() -> None:
    plan = plan_with_review()
    hold(plan)

    plan.schedule_review(given.envelope(reason="next"), "review-2", date(2025, 6, 6))

    assert given.names(plan.collect_events()) == ["ReviewHeld", "ReviewScheduled"]
    assert plan.next_review_date == date(2025, 6, 6)


# -- holding a review with the person ---------------------------------------------------------


def test_a_review_held_with_the_person_records_what_was_found_and_how_they_took_part() -> None:
    plan = plan_with_review()

    hold(plan)

    [held] = plan.collect_events()
    assert type(held).__name__ == "ReviewHeld"
    assert held.analysis["what_worked"] == "cooking with staff beside her"
    assert held.analysis["new_goals"] == ["bake bread for her sister"]
    assert held.involvement["views"] == "I want to cook on my own now"
    assert held.decisions == {}
    assert plan.reviews[REVIEW].held_at == given.NOW


def test_a_review_that_was_never_scheduled_cannot_be_held() -> None:
    plan = given.agreed_plan()

    with pytest.raises(RulesViolated) as refusal:
        hold(plan)

    assert given.rules(refusal) == {"plan.review.unknown"}


def test_a_review_cannot_be_held_twice() -> None:
    plan = plan_with_review()
    hold(plan)
    given.past(plan)

    with pytest.raises(RulesViolated) as refusal:
        hold(plan)

    assert given.rules(refusal) == {"plan.review.already_held"}
    assert plan.collect_events() == []


@pytest.mark.parametrize(
    ("involvement", "rule"),
    [
        (with_dana(attended=None), "review.involvement.attended_required"),
        (with_dana(contributed=None), "review.involvement.contributed_required"),
        (with_dana(views=None), "review.involvement.views_required"),
        (with_dana(views="  ", views_not_given_because=" "), "review.involvement.views_required"),
    ],
)
def test_a_review_that_does_not_say_how_the_person_took_part_is_refused(
    involvement: Involvement, rule: str
) -> None:
    plan = plan_with_review()

    with pytest.raises(RulesViolated) as refusal:
        hold(plan, involvement=involvement)

    assert given.rules(refusal) == {rule}
    assert plan.collect_events() == []
    assert plan.reviews[REVIEW].held_at is None


def test_a_review_may_record_why_the_persons_views_could_not_be_given() -> None:
    plan = plan_with_review()
    in_hospital = Involvement(
        attended=False, contributed=False, views_not_given_because="in hospital; sister spoke"
    )

    hold(plan, involvement=in_hospital)

    [held] = plan.collect_events()
    assert held.involvement["views_not_given_because"].startswith("in hospital")
    assert plan.reviews[REVIEW].held_at == given.NOW


# -- decisions --------------------------------------------------------------------------------


def plan_at_first_of_two_stages() -> SupportPlan:
    plan = given.agreed_plan()
    at = given.envelope(reason="pathway agreed with Dana")
    for stage_id in ("stage-beside", "stage-nearby"):
        stage = Stage(stage_id, stage_id, "prompt each step", "three meals cooked",
                      date(2025, 4, 11), ["leaves the hob on"])  # fmt: skip
        plan.add_pathway_stage(at, given.OUTCOME, stage)
    plan.start_stage(at, given.OUTCOME, "stage-beside")
    return plan_with_review(plan)


EVERY_DECISION = ReviewDecisions(
    support_hours_per_week=10,
    advance_stage_of=given.OUTCOME,
    new_outcome_id="outcome-baking",
    new_outcome=given.terms(title="Bake bread for her sister"),
    next_review_id="review-next",
    next_review_on=date(2025, 6, 6),
)


def test_each_decision_of_a_review_is_applied_as_a_plan_change_the_review_caused() -> None:
    plan = plan_at_first_of_two_stages()

    hold(plan, EVERY_DECISION)

    held, *changes = plan.collect_events()
    assert given.names(changes) == ["SupportHoursReduced", "StageCompleted", "StageStarted",
                                    "OutcomeAgreed", "ReviewScheduled"]  # fmt: skip
    assert {change.envelope.causation_id for change in changes} == {
        f"{plan.id}/{held.originator_version}"
    }
    assert {change.envelope.reason for change in changes} == {AT_REVIEW}
    assert held.decisions == {
        "support_hours_per_week": 10,
        "advance_stage_of": given.OUTCOME,
        "new_outcome_id": "outcome-baking",
        "next_review_on": "2025-06-06",
    }


def test_a_plan_after_a_review_stands_as_the_review_decided() -> None:
    plan = plan_at_first_of_two_stages()

    hold(plan, EVERY_DECISION)

    stages = {stage.stage_id: stage.status for stage in plan.outcomes[given.OUTCOME].stages}
    assert stages == {"stage-beside": COMPLETED, "stage-nearby": CURRENT}
    assert plan.support_hours_per_week == 10
    assert plan.outcomes["outcome-baking"].title == "Bake bread for her sister"
    assert plan.next_review_date == date(2025, 6, 6)
    assert plan.reviews["review-next"].held_at is None


def test_a_decision_on_a_plan_not_yet_agreed_gives_the_review_as_its_reason() -> None:
    plan = plan_with_review(given.plan_ready_to_agree())

    hold(plan, ReviewDecisions(support_hours_per_week=8), reason=None)

    held, reduced = plan.collect_events()
    assert reduced.envelope.reason == f"Decided at review {REVIEW}"
    assert reduced.envelope.causation_id == f"{plan.id}/{held.originator_version}"


def test_a_review_cannot_advance_an_outcome_with_no_stage_under_way() -> None:
    plan = plan_with_review()

    with pytest.raises(RulesViolated) as refusal:
        hold(plan, ReviewDecisions(advance_stage_of=given.OUTCOME))

    assert given.rules(refusal) == {"plan.review.no_stage_to_advance"}


# -- through the application: a refused review stores nothing --------------------------------


def scheduled(records: CareRecords) -> tuple[str, str]:
    person_id = agreed_plan(records).person_id
    due_on = records.clock().date() + timedelta(weeks=2)
    review_id = run(records, ScheduleReview(person_id, due_on), reason="six-weekly").part_id
    return person_id, review_id or ""


def test_a_review_refused_for_want_of_the_persons_involvement_stores_nothing(
    records: CareRecords,
) -> None:
    person_id, review_id = scheduled(records)
    position = records.last_position()

    with pytest.raises(RulesViolated) as refusal:
        run(records, HoldReview(person_id, review_id, decide_support_hours=10), MANAGER,
            reason=AT_REVIEW)  # fmt: skip

    assert given.rules(refusal) == {"review.involvement.attended_required",
                                    "review.involvement.contributed_required",
                                    "review.involvement.views_required"}  # fmt: skip
    assert records.last_position() == position
    plan: Any = records.load(SupportPlan.create_id(person_id))
    assert (plan.reviews[review_id].held_at, plan.support_hours_per_week) == (None, 14)


def test_a_decision_refused_by_its_own_rule_refuses_the_whole_review(
    records: CareRecords,
) -> None:
    person_id, review_id = scheduled(records)
    position = records.last_position()
    unchanged_hours = HoldReview(person_id, review_id, True, True, "I am fine as I am",
                                 decide_support_hours=14)  # fmt: skip

    with pytest.raises(RulesViolated) as refusal:
        run(records, unchanged_hours, MANAGER, reason=AT_REVIEW)

    assert given.rules(refusal) == {"plan.hours.no_change"}
    assert records.last_position() == position
    plan: Any = records.load(SupportPlan.create_id(person_id))
    assert plan.reviews[review_id].held_at is None


def test_a_review_cannot_be_held_before_it_was_scheduled() -> None:
    plan = plan_with_review()
    earlier = given.envelope(reason=AT_REVIEW, effective_at=given.NOW - timedelta(minutes=5))

    with pytest.raises(RulesViolated) as refusal:
        plan.hold_review(earlier, REVIEW, ANALYSIS, with_dana(), ReviewDecisions())

    assert "plan.effective_at.before_what_it_follows" in given.rules(refusal)


def test_no_review_is_scheduled_or_held_before_the_last_one_was_held() -> None:
    plan = plan_with_review()
    hold(plan)
    plan = given.past(plan)
    earlier = given.envelope(reason=AT_REVIEW, effective_at=given.NOW - timedelta(minutes=5))

    with pytest.raises(RulesViolated) as refusal:
        plan.schedule_review(earlier, "review-2", DUE)

    assert "plan.effective_at.before_what_it_follows" in given.rules(refusal)
