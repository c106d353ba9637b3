"""What a support plan says as a whole: the guidance staff follow, the weekly support hours,
the date of the next review, and whether it is agreed; the rules for each and what the feed
publishes of their events.

DOMAIN: a change names the fact it records (hours *reduced*, not *changed*) and what it
replaced, against the plan as it stands; a late entry, taking effect before a change already
recorded, is recorded plainly (hours *set*), since what it replaced is known only against the
plan as it stood then. Agreeing is a manager's gate: every active outcome has a step, and the
guidance, hours and next review are set.

These are the plan's methods (domain.support_plan composes them).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain.envelope import Envelope
from domain.errors import Rules
from domain.plan_changes import change_rules
from domain.publishing import Field, PublishedEvent

if TYPE_CHECKING:
    from domain.support_plan import SupportPlan

MAX_WEEKLY_HOURS = 168.0


def write_staff_guidance(plan: SupportPlan, envelope: Envelope, guidance: str) -> None:
    rules = change_rules(plan, envelope)
    rules.require_text(guidance, "plan.guidance.required", "guidance", "guidance text")
    rules.check(
        plan.staff_guidance is None or guidance.strip() != plan.staff_guidance,
        "plan.guidance.no_change",
        "guidance",
        "the guidance already says exactly this",
    )
    rules.enforce()
    if plan.staff_guidance is None or plan.is_late(envelope):
        plan._guidance_written(envelope, guidance.strip())
    else:
        plan._guidance_rewritten(envelope, plan.staff_guidance, guidance.strip())


def set_support_hours(plan: SupportPlan, envelope: Envelope, hours_per_week: float) -> None:
    rules = change_rules(plan, envelope)
    rules.check(
        0 <= hours_per_week <= MAX_WEEKLY_HOURS,
        "plan.hours.range",
        "hoursPerWeek",
        f"weekly support hours must be between 0 and {MAX_WEEKLY_HOURS:g}",
    )
    rules.check(
        hours_per_week != plan.support_hours_per_week,
        "plan.hours.no_change",
        "hoursPerWeek",
        "support hours are already set to that",
    )
    rules.enforce()
    before, after = plan.support_hours_per_week, float(hours_per_week)
    if before is None or plan.is_late(envelope):
        plan._hours_set(envelope, after)
    elif after < before:
        plan._hours_reduced(envelope, before, after)
    else:
        plan._hours_increased(envelope, before, after)


def set_next_review_date(plan: SupportPlan, envelope: Envelope, review_date: date) -> None:
    rules = change_rules(plan, envelope)
    rules.check(
        review_date > envelope.effective_at.date(),
        "plan.review_date.not_future",
        "reviewDate",
        "the next review must fall after the date this change takes effect",
    )
    rules.check(
        review_date != plan.next_review_date,
        "plan.review_date.no_change",
        "reviewDate",
        "the next review is already set for that date",
    )
    rules.enforce()
    before = plan.next_review_date
    if before is None or plan.is_late(envelope):
        plan._review_date_set(envelope, review_date)
    elif review_date < before:
        plan._review_brought_forward(envelope, before, review_date)
    else:
        plan._review_postponed(envelope, before, review_date)


def agree(plan: SupportPlan, envelope: Envelope) -> None:
    rules = Rules()
    plan.check_began(rules, envelope)
    rules.check(not plan.agreed, "plan.already_agreed", "personId", "the plan is agreed")
    active = [outcome for outcome in plan.outcomes.values() if not outcome.retired]
    rules.check(bool(active), "plan.agree.outcome_required", "outcomes", "agree an outcome")
    for outcome in active:
        rules.check(
            bool(outcome.steps),
            "plan.agree.micro_steps_required",
            f"outcomes.{outcome.outcome_id}",
            f"outcome '{outcome.title}' has no enablement step",
        )
    for attribute, rule, field, what in (
        ("staff_guidance", "guidance_required", "staffGuidance", "write staff guidance"),
        ("support_hours_per_week", "hours_required", "supportHoursPerWeek", "set support hours"),
        ("next_review_date", "review_date_required", "nextReviewDate", "set the next review date"),
    ):
        rules.check(getattr(plan, attribute) is not None, f"plan.agree.{rule}", field, what)
    rules.enforce()
    plan._agreed(envelope)


HOURS_BEFORE = Field("before", "Weekly support hours before the change", "before")
DATE_BEFORE = Field("before", "The next review date before the change (YYYY-MM-DD)", "before")


def _hours_after(what: str) -> Field:
    return Field("after", f"Weekly support hours now ({what} than before)", "after")


def _date_after(what: str) -> Field:
    return Field("after", f"The next review date now (YYYY-MM-DD, {what} than before)", "after")


PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("SupportPlan.StaffGuidanceWritten", 1, "Staff guidance first written", (
        Field("guidance", "The guidance", "guidance"),)),
    PublishedEvent("SupportPlan.StaffGuidanceRewritten", 1, "Staff guidance rewritten", (
        Field("guidance", "The guidance now", "guidance"),
        Field("previous", "The guidance it replaced", "previous"))),
    PublishedEvent("SupportPlan.SupportHoursSet", 1, "Weekly support hours first set", (
        Field("hoursPerWeek", "Weekly support hours", "hours_per_week"),)),
    PublishedEvent("SupportPlan.SupportHoursReduced", 1, "Weekly support hours reduced", (
        HOURS_BEFORE, _hours_after("fewer"))),
    PublishedEvent("SupportPlan.SupportHoursIncreased", 1, "Weekly support hours increased", (
        HOURS_BEFORE, _hours_after("more"))),
    PublishedEvent("SupportPlan.NextReviewDateSet", 1, "The next review date first set", (
        Field("reviewDate", "The next review date (YYYY-MM-DD)", "review_date"),)),
    PublishedEvent("SupportPlan.NextReviewBroughtForward", 1, "The next review brought forward",
                   (DATE_BEFORE, _date_after("earlier"))),
    PublishedEvent("SupportPlan.NextReviewPostponed", 1, "The next review postponed", (
        DATE_BEFORE, _date_after("later"))),
    PublishedEvent("SupportPlan.Agreed", 1, "The plan was agreed by a manager; from now on "
                   "every change gives a reason"),
)  # fmt: skip
