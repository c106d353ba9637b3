"""The plan composed of its parts: every event a part decides is stored as the plan's own, and
one rule keeps the parts in order: no change takes effect before the last change to the parts
it touches or follows from, while parts that do not depend on one another take late entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from eventsourcing.utils import get_topic

import domain.care_records  # noqa: F401  (loads the catalogue, which names every event)
from domain.catalogue import ALL_EVENTS, BY_NAME
from domain.errors import RulesViolated
from domain.pathway import SetbackResponse
from domain.review import ReviewDecisions
from domain.support_plan import OutcomeTerms, SupportPlan
from tests.unit import given
from tests.unit.test_pathway import FIRST, SECOND, stage
from tests.unit.test_reviews import ANALYSIS, with_dana

HOUR_AGO = given.NOW - timedelta(hours=1)
DELAY, STEP_BACK = SetbackResponse.DELAY_NEXT_STAGE, SetbackResponse.STEP_BACK


def at(minutes_ago: int, reason: str | None = None) -> object:
    return given.envelope(effective_at=given.NOW - timedelta(minutes=minutes_ago), reason=reason)


def plan_begun_an_hour_ago(*outcomes: str) -> SupportPlan:
    then = given.envelope(effective_at=HOUR_AGO)
    plan = SupportPlan(then, "person-1", "assessment-1", list(given.STRENGTHS))
    for outcome_id in outcomes or (given.OUTCOME,):
        plan.agree_outcome(then, outcome_id, given.terms())
        plan.add_enablement_step(then, outcome_id, given.step())
        plan.add_pathway_stage(then, outcome_id, stage(FIRST))
        plan.add_pathway_stage(then, outcome_id, stage(SECOND))
    return plan


def every_plan_wide_change(plan: SupportPlan) -> None:
    now = given.envelope(reason="with Dana")
    plan.revise_outcome(now, given.OUTCOME, OutcomeTerms(target="cooks twice a week"))
    plan.retire_outcome(now, "outcome-travel")
    for guidance in ("Let Dana lead.", "Wait nearby."):
        plan.write_staff_guidance(now, guidance)
    for hours in (12, 14):
        plan.set_support_hours(now, hours)
    for review_date in (date(2025, 6, 1), date(2025, 7, 1), date(2025, 5, 1)):
        plan.set_next_review_date(now, review_date)


def test_every_event_the_parts_decide_is_stored_as_the_plans_own() -> None:
    plan = plan_begun_an_hour_ago(given.OUTCOME, "outcome-travel")
    every_plan_wide_change(plan)
    now = given.envelope(reason="with Dana")
    plan.start_stage(now, given.OUTCOME, FIRST, date(2025, 5, 1))
    plan.record_stage_progress(now, given.OUTCOME, FIRST, "chopped onions")
    plan.complete_stage(now, given.OUTCOME, FIRST, "three meals")
    plan.record_setback(now, given.OUTCOME, SECOND, "burnt the pan", "talked", DELAY)
    plan.start_stage(now, given.OUTCOME, SECOND)
    plan.record_setback(now, given.OUTCOME, SECOND, "left the hob on", "talked", STEP_BACK)
    plan.schedule_review(now, "review-1", date(2025, 4, 25))
    plan.hold_review(now, "review-1", ANALYSIS, with_dana(),
                     ReviewDecisions(support_hours_per_week=10))  # fmt: skip
    plan.agree(now)

    recorded = {type(event) for event in plan.collect_events()}

    assert {kind.__name__ for kind in recorded} | {"EnteredInError"} == {
        kind.__name__ for kind in BY_NAME["SupportPlan"].events()
    }
    for kind in recorded:
        assert kind.__qualname__ == get_topic(kind) == f"SupportPlan.{kind.__name__}"
        assert kind in ALL_EVENTS and getattr(SupportPlan, kind.__name__) is kind


def test_a_change_taking_effect_before_what_it_follows_says_what_that_was_and_when() -> None:
    plan = given.past(plan_begun_an_hour_ago())

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(given.envelope(effective_at=HOUR_AGO - timedelta(minutes=1)),
                         given.OUTCOME, FIRST)  # fmt: skip

    [violation] = [v for v in refusal.value.violations if v.rule.startswith("plan.effective")]
    assert (violation.rule, violation.field) == (
        "plan.effective_at.before_what_it_follows", "effectiveAt"
    )  # fmt: skip
    assert violation.message == (
        "stage 'Cooks with staff beside her' was added at 2025-03-14T09:30:00+00:00: "
        "this cannot take effect before that"
    )


def test_progress_entered_late_at_the_stage_under_way_is_taken_as_it_changes_nothing() -> None:
    plan = plan_begun_an_hour_ago()
    plan.start_stage(at(50), given.OUTCOME, FIRST)
    plan.record_stage_progress(given.envelope(), given.OUTCOME, FIRST, "cooked alone")

    plan.record_stage_progress(at(30), given.OUTCOME, FIRST, "chopped the onions")

    assert given.names(plan.collect_events())[-1] == "StageProgressRecorded"


def test_nothing_at_a_stage_takes_effect_before_a_setback_restarted_it() -> None:
    plan = plan_begun_an_hour_ago()
    plan.start_stage(at(50), given.OUTCOME, FIRST)
    plan.record_setback(at(10), given.OUTCOME, FIRST, "left the hob on", "turned it off",
                        SetbackResponse.REPEAT_STAGE)  # fmt: skip

    with pytest.raises(RulesViolated) as refusal:
        plan.record_stage_progress(at(30), given.OUTCOME, FIRST, "chopped the onions")

    assert given.rules(refusal) == {"plan.effective_at.before_what_it_follows"}
    assert "was set back at" in str(refusal.value)


def test_a_late_change_to_one_outcomes_pathway_is_not_held_up_by_anothers() -> None:
    plan = plan_begun_an_hour_ago(given.OUTCOME, "outcome-travel")
    plan.start_stage(given.envelope(), "outcome-travel", FIRST)

    plan.start_stage(at(30), given.OUTCOME, FIRST)

    assert given.names(plan.collect_events())[-2:] == ["StageStarted", "StageStarted"]


def test_late_entries_to_parts_that_follow_from_nothing_are_still_taken() -> None:
    plan = plan_begun_an_hour_ago()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)
    plan.schedule_review(given.envelope(), "review-1", date(2025, 4, 25))

    plan.set_support_hours(at(30), 14)
    plan.write_staff_guidance(at(30), "Let Dana lead.")

    assert given.names(plan.collect_events())[-2:] == ["SupportHoursSet", "StaffGuidanceWritten"]
