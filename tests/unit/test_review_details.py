"""A plan keeps, for every review held, who held it and what it found and decided, so a read of
the plan at any moment lists its reviews with their findings; a plan stored before it kept them
still loads, its reviews without details, the order of its parts still kept."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent

from domain import plan_changes
from domain.errors import RulesViolated
from domain.review import ReviewDecisions
from domain.support_plan import SupportPlan
from domain.timeline import replay, state_at
from tests.unit import given
from tests.unit.test_reviews import (
    ANALYSIS,
    AT_REVIEW,
    REVIEW,
    hold,
    plan_at_first_of_two_stages,
    plan_with_review,
    with_dana,
)

NEXT = ReviewDecisions(support_hours_per_week=10, next_review_id="review-2",
                       next_review_on=date(2025, 6, 6))  # fmt: skip
FOUND = {"what_worked": "cooking with staff beside her", "new_strengths": ["reads recipes aloud"],
         "support_can_reduce": True, "barriers": "the hob frightens her",
         "new_goals": ["bake bread for her sister"]}  # fmt: skip


def test_a_held_review_keeps_who_held_it_what_it_found_how_the_person_took_part_and_decided() -> (
    None
):
    plan = plan_with_review()

    hold(plan, NEXT)

    held = plan.reviews[REVIEW]
    assert (held.held_at, held.held_by) == (given.NOW, "A manager")
    assert held.analysis == FOUND == vars(ANALYSIS)
    assert held.involvement == {"attended": True, "contributed": True,
                                "views": "I want to cook on my own now",
                                "views_not_given_because": None}  # fmt: skip
    assert held.decisions == {"support_hours_per_week": 10, "next_review_on": "2025-06-06"}
    following = plan.reviews["review-2"]
    assert (following.held_by, following.analysis, following.decisions) == (None, {}, {})


def test_a_plan_replayed_from_its_events_lists_its_reviews_with_what_they_found() -> None:
    plan = SupportPlan(given.envelope(), "person-1", "assessment-1", list(given.STRENGTHS))
    plan.schedule_review(given.envelope(), REVIEW, date(2025, 4, 25))
    plan.hold_review(given.envelope(reason=AT_REVIEW), REVIEW, ANALYSIS, with_dana(), NEXT)

    replayed = replay(None, plan.collect_events())

    assert replayed.reviews == plan.reviews
    assert replayed.reviews[REVIEW].analysis == FOUND


def test_a_plan_read_at_a_moment_lists_the_reviews_held_by_then_with_their_findings() -> None:
    days = [given.envelope(effective_at=given.NOW - timedelta(days=n), reason=AT_REVIEW)
            for n in (20, 10)]  # fmt: skip
    plan = SupportPlan(days[0], "person-1", "assessment-1", list(given.STRENGTHS))
    plan.schedule_review(days[0], REVIEW, date(2025, 3, 4))
    plan.hold_review(days[1], REVIEW, ANALYSIS, with_dana(), ReviewDecisions())
    plan.schedule_review(days[1], "review-2", date(2025, 4, 4))
    plan.hold_review(given.envelope(reason="again"), "review-2", ANALYSIS,
                     with_dana(views="Still cooking"), ReviewDecisions())  # fmt: skip
    events = plan.collect_events()

    then = state_at(events, given.NOW - timedelta(days=5), events[-1].timestamp)

    assert then.reviews[REVIEW].involvement["views"] == "I want to cook on my own now"
    assert (then.reviews["review-2"].held_at, then.reviews["review-2"].analysis) == (None, {})
    assert plan.reviews["review-2"].involvement["views"] == "Still cooking"


def as_stored_by_version_3(mapper: Mapper[UUID], plan: SupportPlan) -> SupportPlan:
    """The plan through a snapshot as version 3 of the record stored it: its reviews without
    what they found, and no last changes of its parts."""
    stored = mapper.to_stored_event(Snapshot.take(plan))
    snapshot = json.loads(stored.state)
    state: dict[str, Any] = snapshot["state"]
    del state["last_changes"]
    state["class_version"] = 3
    for review in state["reviews"].values():
        for name in ("held_by", "analysis", "involvement", "decisions"):
            del review["_data_"][name]
    older = StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                        json.dumps(snapshot).encode())  # fmt: skip
    return mapper.to_domain_event(older).mutate(None)  # type: ignore[return-value]


def test_a_plan_stored_before_reviews_kept_their_findings_loads_them_without_details(
    mapper: Mapper[UUID],
) -> None:
    plan = plan_at_first_of_two_stages()
    hold(plan)

    older = as_stored_by_version_3(mapper, plan)

    held = older.reviews[REVIEW]
    assert (held.held_at, held.held_by, held.analysis, held.decisions) == (given.NOW, None, {}, {})
    assert older.outcomes == plan.outcomes


def test_a_plan_stored_before_its_parts_kept_their_last_change_still_keeps_their_order(
    mapper: Mapper[UUID],
) -> None:
    plan = plan_at_first_of_two_stages()
    hold(plan)
    older = as_stored_by_version_3(mapper, plan)
    earlier = given.envelope(reason="late", effective_at=given.NOW - timedelta(minutes=5))

    with pytest.raises(RulesViolated) as scheduling:
        older.schedule_review(earlier, "review-2", date(2025, 6, 6))
    with pytest.raises(RulesViolated) as completing:
        older.complete_stage(earlier, given.OUTCOME, "stage-beside", "done")

    assert older.last_changes == plan.last_changes
    assert "plan.effective_at.before_what_it_follows" in given.rules(scheduling)
    assert "plan.effective_at.before_what_it_follows" in given.rules(completing)
    assert set(older.last_changes) == {
        plan_changes.REVIEWS,
        plan_changes.stages_of(given.OUTCOME),
        plan_changes.stage(given.OUTCOME, "stage-beside"),
        plan_changes.stage(given.OUTCOME, "stage-nearby"),
    }
