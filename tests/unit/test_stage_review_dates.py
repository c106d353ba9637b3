"""A stage's own review date, set or moved when it starts: a stage starting on or after its
review date is given a new one (it would otherwise start overdue), and one may be given when it
starts on time; a review that starts a stage gives it one the same way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import Mapper

from domain.errors import RulesViolated
from domain.pathway import COMPLETED, CURRENT
from domain.review import Involvement, ReviewAnalysis, ReviewDecisions
from domain.support_plan import SupportPlan
from domain.timeline import replay
from tests.unit import given
from tests.unit.test_pathway import FIRST, REVIEW_DATE, SECOND, plan_with_pathway, stage, stages

MONTH_AGO = given.NOW - timedelta(days=30)  # 2025-02-12
FIRST_REVIEW, SECOND_REVIEW = date(2025, 2, 21), date(2025, 3, 7)  # both passed by given.NOW
NEW_REVIEW = date(2025, 4, 25)


def pathway_agreed_a_month_ago() -> SupportPlan:
    return given.past(pathway_added_a_month_ago())


def pathway_added_a_month_ago() -> SupportPlan:
    """Two stages added a month ago, each with a review date that has since passed."""
    then = given.envelope(effective_at=MONTH_AGO)
    plan = SupportPlan(then, "person-1", "assessment-1", list(given.STRENGTHS))
    plan.agree_outcome(then, given.OUTCOME, given.terms())
    plan.add_pathway_stage(then, given.OUTCOME, stage(FIRST, review_date=FIRST_REVIEW))
    plan.add_pathway_stage(then, given.OUTCOME, stage(SECOND, review_date=SECOND_REVIEW))
    return plan


@pytest.mark.parametrize(
    "starts_at", [given.NOW, datetime(2025, 2, 21, 9, 0, tzinfo=UTC)], ids=["after", "on the day"]
)
def test_a_stage_starting_on_or_after_its_review_date_without_a_new_one_is_refused(
    starts_at: datetime,
) -> None:
    plan = pathway_agreed_a_month_ago()

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(given.envelope(effective_at=starts_at), given.OUTCOME, FIRST)

    assert given.rules(refusal) == {"plan.stage.review_date_required"}
    assert "was due on 2025-02-21" in refusal.value.violations[0].message
    assert plan.collect_events() == []


def test_a_stage_started_late_with_a_new_review_date_is_reviewed_then() -> None:
    plan = pathway_agreed_a_month_ago()

    plan.start_stage(given.envelope(), given.OUTCOME, FIRST, NEW_REVIEW)

    [started] = plan.collect_events()
    assert (type(started).__name__, started.stage_id, started.review_date) == (
        "StageStarted", FIRST, NEW_REVIEW
    )  # fmt: skip
    first = stages(plan)[FIRST]
    assert (first.status, first.review_date, first.started_at) == (CURRENT, NEW_REVIEW, given.NOW)
    assert stages(plan)[SECOND].review_date == SECOND_REVIEW


def test_a_new_review_date_may_be_given_when_a_stage_starts_on_time() -> None:
    plan = plan_with_pathway()

    plan.start_stage(given.envelope(), given.OUTCOME, FIRST, NEW_REVIEW)

    [started] = plan.collect_events()
    assert started.review_date == NEW_REVIEW
    assert stages(plan)[FIRST].review_date == NEW_REVIEW


def test_a_stage_started_on_time_without_a_new_review_date_keeps_its_own() -> None:
    plan = plan_with_pathway()

    plan.start_stage(given.envelope(), given.OUTCOME, FIRST)

    [started] = plan.collect_events()
    assert started.review_date is None
    assert stages(plan)[FIRST].review_date == REVIEW_DATE


@pytest.mark.parametrize("review_date", [given.NOW.date(), date(2025, 3, 1)])
def test_a_new_review_date_on_or_before_the_day_the_stage_starts_is_refused(
    review_date: date,
) -> None:
    plan = pathway_agreed_a_month_ago()

    with pytest.raises(RulesViolated) as refusal:
        plan.start_stage(given.envelope(), given.OUTCOME, FIRST, review_date)

    assert given.rules(refusal) == {"plan.stage.review_date_not_future"}


def test_a_replayed_plan_keeps_the_review_date_its_late_start_gave() -> None:
    plan = pathway_added_a_month_ago()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST, NEW_REVIEW)

    replayed = replay(None, plan.collect_events())

    assert stages(replayed) == stages(plan)
    assert stages(replayed)[FIRST].review_date == NEW_REVIEW


def test_a_start_stored_before_starts_carried_a_review_date_keeps_the_stages_own(
    mapper: Mapper[UUID],
) -> None:
    plan = plan_with_pathway()
    plan.start_stage(given.envelope(), given.OUTCOME, FIRST, NEW_REVIEW)
    stored = mapper.to_stored_event(plan.collect_events()[0])
    state = mapper.transcoder.decode(stored.state)
    del state["review_date"], state["class_version"]  # as version 1 stored it
    first_version = replace(stored, state=mapper.transcoder.encode(state))

    started = mapper.to_domain_event(first_version)
    plan = started.mutate(given.past(plan_with_pathway()))

    assert started.review_date is None  # type: ignore[attr-defined]
    assert (stages(plan)[FIRST].status, stages(plan)[FIRST].review_date) == (CURRENT, REVIEW_DATE)


# -- a review that starts a stage -------------------------------------------------------------

AT_REVIEW = "review with Dana"
WITH_DANA = Involvement(attended=True, contributed=True, views="I am ready for the next step")


def at_review_with_first_stage_under_way() -> SupportPlan:
    then = given.envelope(effective_at=MONTH_AGO)
    plan = given.past(pathway_agreed_a_month_ago())
    plan.start_stage(then, given.OUTCOME, FIRST)
    plan.schedule_review(then, "review-1", given.NOW.date())
    return given.past(plan)


def hold(plan: SupportPlan, decisions: ReviewDecisions) -> None:
    plan.hold_review(given.envelope(reason=AT_REVIEW), "review-1", ReviewAnalysis(), WITH_DANA,
                     decisions)  # fmt: skip


def test_a_review_starting_a_stage_after_its_review_date_gives_it_a_new_one() -> None:
    plan = at_review_with_first_stage_under_way()

    with pytest.raises(RulesViolated) as refusal:
        hold(plan, ReviewDecisions(advance_stage_of=given.OUTCOME))
    plan = at_review_with_first_stage_under_way()
    hold(plan, ReviewDecisions(advance_stage_of=given.OUTCOME, stage_review_on=NEW_REVIEW))

    assert given.rules(refusal) == {"plan.stage.review_date_required"}
    held, completed, started = plan.collect_events()
    assert given.names([completed, started]) == ["StageCompleted", "StageStarted"]
    assert held.decisions == {"advance_stage_of": given.OUTCOME, "stage_review_on": "2025-04-25"}
    assert started.review_date == NEW_REVIEW
    assert (stages(plan)[FIRST].status, stages(plan)[SECOND].status) == (COMPLETED, CURRENT)
    assert stages(plan)[SECOND].review_date == NEW_REVIEW


@pytest.mark.parametrize("last_stage", [False, True], ids=["no advance", "the last stage"])
def test_a_stage_review_date_for_no_stage_the_review_starts_is_refused(last_stage: bool) -> None:
    plan = at_review_with_first_stage_under_way()
    if last_stage:
        plan.complete_stage(given.envelope(reason="done"), given.OUTCOME, FIRST, "done")
        plan.start_stage(given.envelope(reason="next"), given.OUTCOME, SECOND, NEW_REVIEW)
    decisions = ReviewDecisions(advance_stage_of=given.OUTCOME if last_stage else None,
                                stage_review_on=date(2025, 5, 2))  # fmt: skip

    with pytest.raises(RulesViolated) as refusal:
        hold(plan, decisions)

    assert given.rules(refusal) == {"plan.review.stage_review_date_without_start"}
