"""Reviews of a support plan (domain.review): the rules for scheduling one and holding it with
the person, how its decisions are applied, and what the feed publishes of each.

DOMAIN: one review is open at a time, and each follows the last: none is scheduled or held
before the last was held (domain.plan_changes). A review's decisions are applied as plan
changes caused by the review, each refused by its own rules, which refuses the whole review.
The plan keeps, for every review held, who held it and what it found and decided.

These are the plan's methods (domain.support_plan composes them).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, cast

from domain.envelope import Envelope, event_id
from domain.errors import Rules
from domain.pathway import Stage, current_stage, next_stage
from domain.plan_changes import REVIEWS, change_rules, follows
from domain.plan_outcomes import active_outcome, agree_outcome
from domain.plan_pathway import complete_stage, start_stage
from domain.plan_terms import set_support_hours
from domain.publishing import Field, PublishedEvent, items_of
from domain.review import Involvement, ReviewAnalysis, ReviewDecisions
from domain.support_plan_published import REVIEW_ID

if TYPE_CHECKING:
    from domain.support_plan import SupportPlan

UNUSED_STAGE_REVIEW = "plan.review.stage_review_date_without_start"


def schedule_review(plan: SupportPlan, envelope: Envelope, review_id: str, due_on: date) -> None:
    rules = change_rules(plan, envelope)
    rules.check(
        due_on > envelope.effective_at.date(),
        "plan.review.due_not_future",
        "dueOn",
        "a review is due after the date it is scheduled",
    )
    follows(rules, envelope, plan.last_changes, [REVIEWS])
    open_reviews = [r.due_on.isoformat() for r in plan.reviews.values() if r.held_at is None]
    rules.check(
        not open_reviews,
        "plan.review.already_scheduled",
        "dueOn",
        f"a review is already scheduled (due {', '.join(open_reviews)}): hold it first",
    )
    rules.enforce()
    plan._review_scheduled(envelope, review_id, due_on)


def hold_review(
    plan: SupportPlan,
    envelope: Envelope,
    review_id: str,
    analysis: ReviewAnalysis,
    involvement: Involvement,
    decisions: ReviewDecisions,
) -> None:
    rules = change_rules(plan, envelope)
    review = plan.reviews.get(review_id)
    rules.check(review is not None, "plan.review.unknown", "reviewId",
                f"the plan has no review {review_id}: schedule it first")  # fmt: skip
    rules.check(review is None or review.held_at is None, "plan.review.already_held",
                "reviewId", "this review was held already")  # fmt: skip
    follows(rules, envelope, plan.last_changes, [REVIEWS])
    involvement.check(rules)
    rules.check(decisions.stage_review_on is None or decisions.advance_stage_of is not None,
                UNUSED_STAGE_REVIEW, "decideStageReviewOn",
                "a stage review date is for the stage the review starts: decide to advance "
                "an outcome's pathway too")  # fmt: skip
    rules.enforce()
    plan._review_held(envelope, review_id, vars(analysis), vars(involvement),
                      decisions.recorded())  # fmt: skip
    _apply_decisions(plan, envelope, review_id, decisions)


def _apply_decisions(
    plan: SupportPlan, envelope: Envelope, review_id: str, decisions: ReviewDecisions
) -> None:
    """Each decision as the plan change it is, caused by the review (and refused by its own
    rules, which refuses the whole review: nothing is stored)."""
    decided = replace(
        envelope,
        causation_id=event_id(plan.id, plan.version),
        reason=envelope.reason or f"Decided at review {review_id}",
    )
    if decisions.support_hours_per_week is not None:
        set_support_hours(plan, decided, decisions.support_hours_per_week)
    if decisions.advance_stage_of is not None:
        _advance_stage(plan, decided, decisions.advance_stage_of, decisions.stage_review_on)
    if decisions.new_outcome is not None and decisions.new_outcome_id is not None:
        agree_outcome(plan, decided, decisions.new_outcome_id, decisions.new_outcome)
    if decisions.next_review_on is not None and decisions.next_review_id is not None:
        schedule_review(plan, decided, decisions.next_review_id, decisions.next_review_on)


def _advance_stage(
    plan: SupportPlan, envelope: Envelope, outcome_id: str, stage_review_on: date | None
) -> None:
    """The stage under way completed, and the next started (with its new review date)."""
    rules = Rules()
    outcome = active_outcome(plan, rules, outcome_id, envelope)
    stages = outcome.stages if outcome else []
    stage = current_stage(stages)
    rules.check(outcome is None or stage is not None, "plan.review.no_stage_to_advance",
                "advanceStageOf", "the outcome has no stage under way")  # fmt: skip
    is_last = stage is not None and stages[-1].stage_id == stage.stage_id
    rules.check(stage_review_on is None or not is_last, UNUSED_STAGE_REVIEW,
                "decideStageReviewOn", "the stage under way is the pathway's last: no stage "
                "starts after it to be given a review date")  # fmt: skip
    rules.enforce()
    stage = cast(Stage, stage)
    complete_stage(plan, envelope, outcome_id, stage.stage_id, "Agreed at review")
    following = next_stage(plan.outcomes[outcome_id].stages)
    if following is not None:
        start_stage(plan, envelope, outcome_id, following.stage_id, stage_review_on)


ANALYSIS = {"what_worked": "whatWorked", "new_strengths": "newStrengths",
            "support_can_reduce": "supportCanReduce", "barriers": "barriers",
            "new_goals": "newGoals"}  # fmt: skip
INVOLVEMENT = {"attended": "attended", "contributed": "contributed", "views": "views",
               "views_not_given_because": "viewsNotGivenBecause"}  # fmt: skip
DECISIONS = {"support_hours_per_week": "supportHoursPerWeek",
             "advance_stage_of": "advanceStageOf", "new_outcome_id": "newOutcomeId",
             "next_review_on": "nextReviewOn", "stage_review_on": "stageReviewOn"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("SupportPlan.ReviewScheduled", 1, "A review of the plan was scheduled; it "
                   "is the plan's next review date", (
        REVIEW_ID, Field("dueOn", "When the review is due (YYYY-MM-DD)", "due_on"))),
    PublishedEvent("SupportPlan.ReviewHeld", 1, "A review was held with the person; its "
                   "decisions follow as plan changes caused by this event", (
        REVIEW_ID,
        Field("analysis", "whatWorked, newStrengths, supportCanReduce (or null), barriers, "
              "newGoals", items_of("analysis", ANALYSIS, shape=ReviewAnalysis)),
        Field("involvement", "attended, contributed, views (in the person's words), "
              "viewsNotGivenBecause", items_of("involvement", INVOLVEMENT, shape=Involvement)),
        Field("decisions", "Any of supportHoursPerWeek, advanceStageOf (an outcome), "
              "newOutcomeId, nextReviewOn, stageReviewOn (the next stage's review date)",
              items_of("decisions", DECISIONS, shape=ReviewDecisions)))),
)  # fmt: skip
