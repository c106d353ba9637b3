"""What the change feed publishes of a support plan's events (domain.publishing): the fields
several of them share, and the plan's first event. Each part of the plan publishes the events
it records beside its rules (domain.plan_outcomes, plan_terms, plan_pathway, plan_setbacks and
plan_reviews); domain.support_plan_commands declares them all."""

from __future__ import annotations

from domain.publishing import PERSON_ID, Field, PublishedEvent

TERMS = {"title": "title", "baseline": "baseline", "target": "target",
         "evidenced_by": "evidencedBy", "builds_on": "buildsOn",
         "technique": "technique"}  # fmt: skip
TERMS_TEXT = (
    "title, baseline, target, evidencedBy, buildsOn (a list of strengths), technique "
    "(the one staff rely on, lower case)"
)
STAGE_ID = Field("stageId", "The stage, within the outcome's pathway", "stage_id")
REVIEW_ID = Field("reviewId", "The review, within the plan", "review_id")
OUTCOME_ID = Field("outcomeId", "The outcome, within the plan", "outcome_id")


DRAFTED = PublishedEvent(
    "SupportPlan.Drafted",
    1,
    "A support plan was drafted from an assessment",
    (
        PERSON_ID,
        Field("assessmentId", "The completed assessment it is drafted from", "assessment_id"),
        Field("strengths", "The strengths that assessment found; outcomes build on them",
              "strengths"),
    ),
)  # fmt: skip
