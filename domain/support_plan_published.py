"""What the change feed publishes of each event of a support plan (domain.publishing)."""

from __future__ import annotations

from typing import Any

from domain.outcome import OutcomeTerms
from domain.publishing import PERSON_ID, Field, PublishedEvent, Reader, items_of, plain, value_of
from domain.review import Involvement, ReviewAnalysis, ReviewDecisions

TERMS = {"title": "title", "baseline": "baseline", "target": "target",
         "evidenced_by": "evidencedBy", "builds_on": "buildsOn"}  # fmt: skip
STEP = {"step_id": "stepId", "strength": "strength", "weekly_micro_step": "weeklyMicroStep",
        "evidence_route": "evidenceRoute"}  # fmt: skip
TERMS_TEXT = "title, baseline, target, evidencedBy, buildsOn (a list of strengths)"
STAGE = {"stage_id": "stageId", "title": "title", "staff_will": "staffWill",
         "exit_criteria": "exitCriteria", "review_date": "reviewDate",
         "escalation_triggers": "escalationTriggers"}  # fmt: skip
ANALYSIS = {"what_worked": "whatWorked", "new_strengths": "newStrengths",
            "support_can_reduce": "supportCanReduce", "barriers": "barriers",
            "new_goals": "newGoals"}  # fmt: skip
INVOLVEMENT = {"attended": "attended", "contributed": "contributed", "views": "views",
               "views_not_given_because": "viewsNotGivenBecause"}  # fmt: skip
DECISIONS = {"support_hours_per_week": "supportHoursPerWeek",
             "advance_stage_of": "advanceStageOf", "new_outcome_id": "newOutcomeId",
             "next_review_on": "nextReviewOn"}  # fmt: skip
STAGE_ID = Field("stageId", "The stage, within the outcome's pathway", "stage_id")
REVIEW_ID = Field("reviewId", "The review, within the plan", "review_id")
OUTCOME_ID = Field("outcomeId", "The outcome, within the plan", "outcome_id")
HOURS_BEFORE = Field("before", "Weekly support hours before the change", "before")
DATE_BEFORE = Field("before", "The next review date before the change (YYYY-MM-DD)", "before")


def _terms(attribute: str) -> Reader:
    """Some of an outcome's terms, published under TERMS' keys."""

    def read(event: Any) -> dict[str, Any]:
        return {TERMS[name]: plain(value) for name, value in getattr(event, attribute).items()}

    return read


def _hours_after(what: str) -> Field:
    return Field("after", f"Weekly support hours now ({what} than before)", "after")


def _date_after(what: str) -> Field:
    return Field("after", f"The next review date now (YYYY-MM-DD, {what} than before)", "after")


PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("SupportPlan.Drafted", 1, "A support plan was drafted from an assessment", (
        PERSON_ID,
        Field("assessmentId", "The completed assessment it is drafted from", "assessment_id"),
        Field("strengths", "The strengths that assessment found; outcomes build on them",
              "strengths"))),
    PublishedEvent("SupportPlan.OutcomeAgreed", 1, "A measurable outcome was agreed", (
        OUTCOME_ID, Field("terms", f"The outcome's terms: {TERMS_TEXT}",
                          items_of("terms", TERMS, shape=OutcomeTerms)))),
    PublishedEvent("SupportPlan.EnablementStepAdded", 1, "A weekly step towards an outcome", (
        OUTCOME_ID,
        Field("step", "stepId, strength (the one it uses), weeklyMicroStep and evidenceRoute "
              "(how progress is evidenced)", value_of("step", STEP)))),
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
    PublishedEvent("SupportPlan.OutcomeRevised", 1, "An outcome's terms revised", (
        OUTCOME_ID,
        Field("changes", f"The terms revised, with their new values: any of {TERMS_TEXT}",
              items_of("changes", TERMS, shape=OutcomeTerms)),
        Field("previous", "The same terms as they were before; empty if recorded before "
              "revisions kept them", items_of("previous", TERMS, shape=OutcomeTerms)))),
    PublishedEvent("SupportPlan.OutcomeRetired", 1, "An outcome retired from the plan", (
        OUTCOME_ID,)),
    PublishedEvent("SupportPlan.Agreed", 1, "The plan was agreed by a manager; from now on "
                   "every change gives a reason"),
    PublishedEvent("SupportPlan.PathwayStageAdded", 1, "A stage added to the end of an "
                   "outcome's step-down pathway", (
        OUTCOME_ID,
        Field("stage", "stageId, title, staffWill (what staff will do), exitCriteria, "
              "reviewDate (YYYY-MM-DD) and escalationTriggers (a list)",
              value_of("stage", STAGE)))),
    PublishedEvent("SupportPlan.StageStarted", 1, "The person started a stage", (
        OUTCOME_ID, STAGE_ID)),
    PublishedEvent("SupportPlan.StageProgressRecorded", 1, "Progress at the stage under way", (
        OUTCOME_ID, STAGE_ID, Field("progress", "The progress, as recorded", "progress"))),
    PublishedEvent("SupportPlan.StageCompleted", 1, "The person completed a stage", (
        OUTCOME_ID, STAGE_ID,
        Field("exitEvidence", "How its exit criteria were met", "exit_evidence"))),
    PublishedEvent("SupportPlan.SetbackRecorded", 1, "A setback at the stage under way", (
        OUTCOME_ID, STAGE_ID,
        Field("whatHappened", "What happened", "what_happened"),
        Field("whatWasDone", "What was done about it", "what_was_done"),
        Field("response", "repeat_stage (the stage starts again) or step_back (see "
              "StageSteppedBack, caused by this event)", "response"))),
    PublishedEvent("SupportPlan.StageSteppedBack", 1, "After a setback, the person stepped "
                   "back to the stage before", (
        OUTCOME_ID,
        Field("fromStageId", "The stage left (planned again)", "from_stage_id"),
        Field("toStageId", "The earlier stage, under way again", "to_stage_id"))),
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
              "newOutcomeId, nextReviewOn",
              items_of("decisions", DECISIONS, shape=ReviewDecisions)))),
)  # fmt: skip
