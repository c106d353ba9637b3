"""What governance counts about a support plan (projections.marks): reviews and stage reviews
pending with their due dates, when an agreed plan last changed, and the care-plan audit of its
live outcomes (no micro-steps, no step-down pathway, nothing due to review them, assessed
strengths no outcome builds on); and what happened: reviews held (on time or late, and whether
they merely repeated the last), stages completed, setbacks, support hours reshaped, guidance
written (whose words the language audit reads).

DOMAIN: a plan's next review date, set on its own, is a review due like one scheduled (until a
review is scheduled or held for that date). An outcome has no review date of its own: it is
reviewed through its pathway's stages, so one with no stage planned or under way has nothing due
to review it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.pathway import COMPLETED
from domain.support_plan import SupportPlan
from projections.marks import LATE, ON_TIME, Mark, utc_day
from projections.plan_parts import EMPTY_ANALYSIS, repeat_finding


def plan_marks(plan: SupportPlan) -> list[Mark]:
    marks = [Mark("plan_review_pending", review.review_id, review.due_on)
             for review in plan.reviews.values() if review.held_at is None]  # fmt: skip
    booked = {review.due_on for review in plan.reviews.values()}
    if plan.next_review_date is not None and plan.next_review_date not in booked:
        marks.append(Mark("plan_review_pending", "next", plan.next_review_date))
    live = [outcome for outcome in plan.outcomes.values() if not outcome.retired]
    marks += [Mark("stage_review_pending", stage.stage_id, stage.review_date)
              for outcome in live for stage in outcome.stages
              if stage.status != COMPLETED]  # fmt: skip
    if plan.staff_guidance:
        marks.append(Mark("guidance", detail=plan.staff_guidance))
    if not plan.agreed:
        return marks
    changed = max((change.at for change in plan.last_changes.values()), default=plan.began_at)
    marks.append(Mark("plan_agreed", on=utc_day(changed) if changed else None))
    for outcome in live:
        if not outcome.steps:
            marks.append(Mark("outcome_without_steps", outcome.outcome_id, detail=outcome.title))
        if not outcome.stages:
            marks.append(Mark("outcome_without_pathway", outcome.outcome_id, detail=outcome.title))
        if all(stage.status == COMPLETED for stage in outcome.stages):
            marks.append(Mark("outcome_without_review_date", outcome.outcome_id,
                              detail=outcome.title))  # fmt: skip
    built_on = {strength.casefold() for outcome in live for strength in outcome.builds_on}
    marks += [Mark("strength_not_built_on", strength.casefold(), detail=strength)
              for strength in plan.assessed_strengths
              if strength.strip() and strength.casefold() not in built_on]  # fmt: skip
    return marks


def plan_points(before: SupportPlan | None, event: Any) -> list[Mark]:
    """What happened to the plan when this event took effect, given the plan just before."""
    name, item = type(event).__name__, str(event.originator_version)
    if name == "ReviewHeld" and before is not None:
        review = before.reviews[event.review_id]
        held_on = utc_day(event.envelope.effective_at)
        found = [Mark("plan_review_held", item, review.due_on,
                      ON_TIME if held_on <= review.due_on else LATE)]  # fmt: skip
        finding = repeat_finding(event.analysis or EMPTY_ANALYSIS, event.decisions,
                                 _last_analysis(before))  # fmt: skip
        if finding is not None:
            found.append(Mark("repeat_review", item, review.due_on, finding))
        return found
    if name == "StageCompleted":
        return [Mark("stage_completed", item, detail=event.exit_evidence)]
    if name == "SetbackRecorded":
        return [Mark("setback", item, detail=event.what_happened)]
    if name in ("SupportHoursReduced", "SupportHoursIncreased"):
        return [Mark("hours_reshaped", item, detail=f"{event.before:g} → {event.after:g} a week")]
    if name in ("StaffGuidanceWritten", "StaffGuidanceRewritten"):
        return [Mark("guidance_written", item, detail=event.guidance)]
    return []


def _last_analysis(plan: SupportPlan) -> dict[str, Any] | None:
    held = [review for review in plan.reviews.values() if review.held_at is not None]
    if not held:
        return None
    last = max(held, key=lambda review: review.held_at or datetime.min)
    return getattr(last, "analysis", None) or EMPTY_ANALYSIS
