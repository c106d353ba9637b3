"""What the change feed and the audit trail publish of each event: a payload with its own
schema version, built field by field from the event, each field documented for integrators.

The payload is a contract with other systems, kept apart from how an event is stored: an
attribute renamed inside an event is read under its new name here and published under the old
one. A published field is only removed, renamed or given another meaning together with a new
`schema_version` of its event type; a new field may be added without one. The envelope (who,
when, why, where) is published beside the payload, never in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

Reader = Callable[[Any], Any]


class Unpublishable(Exception):
    """An event lacks what its published payload is built from."""


@dataclass(frozen=True)
class Field:
    name: str  # as published: camelCase
    description: str
    source: str | Reader  # the event's attribute, or how to read the field from the event

    def read(self, event: Any) -> Any:
        if callable(self.source):
            return self.source(event)
        return _json(getattr(event, self.source))


@dataclass(frozen=True)
class PublishedEvent:
    event_type: str
    schema_version: int
    description: str
    fields: tuple[Field, ...] = ()

    def payload(self, event: Any) -> dict[str, Any]:
        try:
            return {field.name: field.read(event) for field in self.fields}
        except (AttributeError, KeyError) as missing:
            raise Unpublishable(
                f"{self.event_type} (schema version {self.schema_version}) cannot be published: "
                f"{missing!r}; map the field to what the event now holds"
            ) from missing


def _json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    raise TypeError(f"{value!r} has no published form: give its field a reader")


def _parts(attribute: str, keys: dict[str, str]) -> Reader:
    """A value object (or None), published as an object with these keys (internal: public)."""

    def read(event: Any) -> Any:
        value = getattr(event, attribute)
        if value is None:
            return None
        return {public: _json(getattr(value, name)) for name, public in keys.items()}

    return read


TERMS = {"title": "title", "baseline": "baseline", "target": "target",
         "evidenced_by": "evidencedBy", "builds_on": "buildsOn"}  # fmt: skip


def _terms(attribute: str) -> Reader:
    """Some of an outcome's terms, published under TERMS' keys."""

    def read(event: Any) -> dict[str, Any]:
        return {TERMS[name]: _json(value) for name, value in getattr(event, attribute).items()}

    return read


ADVOCATE = {"name": "name", "relationship": "relationship", "contact": "contact"}
CONTRIBUTION = {"mode": "mode", "summary": "summary", "spoken_for_by": "spokenForBy",
                "reason_not_possible": "reasonNotPossible"}  # fmt: skip
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
OBSERVATION = {"outcome_id": "outcomeId", "note": "note", "prompt_level": "promptLevel",
               "prompt_rung": "promptRung", "ladder_rungs": "ladderRungs",
               "confidence": "confidence", "steps_completed": "stepsCompleted",
               "steps_of": "stepsOf", "refused": "refused", "mood": "mood"}  # fmt: skip


def _entries(attribute: str, keys: dict[str, str]) -> Reader:
    """A dict the event keeps, published with these keys (internal: public); absent ones left
    out."""

    def read(event: Any) -> dict[str, Any]:
        value = getattr(event, attribute)
        return {public: _json(value[name]) for name, public in keys.items() if name in value}

    return read


RISK_PARTS = {"risks": "risks", "could_go_right": "couldGoRight",
              "could_go_wrong": "couldGoWrong", "safeguards": "safeguards",
              "escalation": "escalation", "review_by": "reviewBy",
              "person_views": "personViews", "advocate_views": "advocateViews"}  # fmt: skip
RESTRICTION = {"what": "what", "why": "why", "basis": "basis", "basis_detail": "basisDetail",
               "proportionality": "proportionality",
               "less_restrictive_options": "lessRestrictiveOptions", "agreed_by": "agreedBy",
               "review_by": "reviewBy", "risk_decision_id": "riskDecisionId",
               "incident_id": "incidentId"}  # fmt: skip
RISK_PARTS_TEXT = (
    "risks (a list), couldGoRight, couldGoWrong, safeguards (a list), escalation, "
    "reviewBy (YYYY-MM-DD), personViews, advocateViews; null where not given"
)

PERSON_ID = Field("personId", "The person supported", "person_id")
STAGE_ID = Field("stageId", "The stage, within the outcome's pathway", "stage_id")
REVIEW_ID = Field("reviewId", "The review, within the plan", "review_id")
OUTCOME_ID = Field("outcomeId", "The outcome, within the plan", "outcome_id")
SERVICE_ID = Field("serviceId", "The service supporting the person", "service_id")
TEAM_ID = Field("teamId", "The team within that service, or null", "team_id")
HOURS_BEFORE = Field("before", "Weekly support hours before the change", "before")
DATE_BEFORE = Field("before", "The next review date before the change (YYYY-MM-DD)", "before")


def _hours_after(what: str) -> Field:
    return Field("after", f"Weekly support hours now ({what} than before)", "after")


def _date_after(what: str) -> Field:
    return Field("after", f"The next review date now (YYYY-MM-DD, {what} than before)", "after")


PUBLISHED_EVENTS: tuple[PublishedEvent, ...] = (
    PublishedEvent("Person.Registered", 1, "A person began to be supported by a service", (
        Field("name", "The person's name", "name"),
        Field("dateOfBirth", "Date of birth (YYYY-MM-DD), or null if not given", "date_of_birth"),
        SERVICE_ID, TEAM_ID)),
    PublishedEvent("Person.Moved", 1, "The person moved to another service or team", (
        SERVICE_ID, TEAM_ID,
        Field("fromServiceId", "The service before the move; null if recorded before moves "
              "said where from", "from_service_id"),
        Field("fromTeamId", "The team before the move, or null (also when recorded before "
              "moves said where from)", "from_team_id"))),
    PublishedEvent("Person.AdvocateRecorded", 1, "Who speaks up for the person", (
        Field("advocate", "The advocate: name, relationship (to the person) and contact (or "
              "null)", _parts("advocate", ADVOCATE)),)),
    PublishedEvent("Person.ConsentToShareRecorded", 1, "The person's consent to share", (
        Field("given", "Whether the person consents", "given"),
        Field("scope", "What may be shared, and with whom", "scope"))),
    PublishedEvent("Assessment.Started", 1, "A strengths-led assessment began", (PERSON_ID,)),
    PublishedEvent("Assessment.SectionRecorded", 1, "One section of the assessment recorded "
                   "(again: the latest entries replace earlier ones)", (
        Field("section", "strengths, independent_skills, preferred_outcomes, informal_support "
              "or communication_preferences", "section"),
        Field("entries", "The section's entries, in the person's words", "entries"))),
    PublishedEvent("Assessment.ContributionRecorded", 1, "How the person took part", (
        Field("contribution", "mode (direct, through_advocate or not_possible), summary, "
              "spokenForBy and reasonNotPossible (null when not needed)",
              _parts("contribution", CONTRIBUTION)),)),
    PublishedEvent("Assessment.Completed", 1, "The assessment was completed; it is now closed"),
    PublishedEvent("SupportPlan.Drafted", 1, "A support plan was drafted from an assessment", (
        PERSON_ID,
        Field("assessmentId", "The completed assessment it is drafted from", "assessment_id"),
        Field("strengths", "The strengths that assessment found; outcomes build on them",
              "strengths"))),
    PublishedEvent("SupportPlan.OutcomeAgreed", 1, "A measurable outcome was agreed", (
        OUTCOME_ID, Field("terms", f"The outcome's terms: {TERMS_TEXT}", _terms("terms")))),
    PublishedEvent("SupportPlan.EnablementStepAdded", 1, "A weekly step towards an outcome", (
        OUTCOME_ID,
        Field("step", "stepId, strength (the one it uses), weeklyMicroStep and evidenceRoute "
              "(how progress is evidenced)", _parts("step", STEP)))),
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
              _terms("changes")),
        Field("previous", "The same terms as they were before; empty if recorded before "
              "revisions kept them", _terms("previous")))),
    PublishedEvent("SupportPlan.OutcomeRetired", 1, "An outcome retired from the plan", (
        OUTCOME_ID,)),
    PublishedEvent("SupportPlan.Agreed", 1, "The plan was agreed by a manager; from now on "
                   "every change gives a reason"),
    PublishedEvent("SupportPlan.PathwayStageAdded", 1, "A stage added to the end of an "
                   "outcome's step-down pathway", (
        OUTCOME_ID,
        Field("stage", "stageId, title, staffWill (what staff will do), exitCriteria, "
              "reviewDate (YYYY-MM-DD) and escalationTriggers (a list)",
              _parts("stage", STAGE)))),
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
              "newGoals", _entries("analysis", ANALYSIS)),
        Field("involvement", "attended, contributed, views (in the person's words), "
              "viewsNotGivenBecause", _entries("involvement", INVOLVEMENT)),
        Field("decisions", "Any of supportHoursPerWeek, advanceStageOf (an outcome), "
              "newOutcomeId, nextReviewOn", _entries("decisions", DECISIONS)))),
    PublishedEvent("EvidenceNote.Recorded", 1, "An evidence note about one outcome", (
        PERSON_ID,
        Field("observation", "outcomeId, note, promptLevel (a rung of the service's prompt "
              "ladder, or null), promptRung (0 = most independent), ladderRungs, confidence "
              "(1-10, as the person put it), stepsCompleted, stepsOf, refused, mood",
              _parts("observation", OBSERVATION)))),
    PublishedEvent("RiskDecision.Proposed", 1, "A positive risk-taking decision was proposed", (
        PERSON_ID, Field("activity", "The activity the person wants to do", "activity"),
        Field("parts", RISK_PARTS_TEXT, _parts("parts", RISK_PARTS)))),
    PublishedEvent("RiskDecision.PartsRecorded", 1, "Parts of a decision recorded (replacing "
                   "earlier ones)", (
        Field("parts", "The parts given: any of " + RISK_PARTS_TEXT.split(";")[0],
              _entries("parts", RISK_PARTS)),)),
    PublishedEvent("RiskDecision.Agreed", 1, "The decision was agreed by a manager", (
        Field("restrictionIds", "The restrictions it relies on, each confirmed proportionate "
              "and in date for review", "restriction_ids"),)),
    PublishedEvent("RiskDecision.Reviewed", 1, "The decision was reviewed", (
        Field("outcome", "continue, relax_safeguards or tighten_safeguards", "outcome"),
        Field("safeguards", "The safeguards as they now stand", "safeguards"),
        Field("nextReviewBy", "The next review (YYYY-MM-DD)", "next_review_by"))),
    PublishedEvent("Restriction.Imposed", 1, "A restriction of the person's rights or freedom "
                   "was imposed", (
        PERSON_ID,
        Field("terms", "what, why, basis (consent, best_interests, deprivation_of_liberty, "
              "court_order or other), basisDetail, proportionality, lessRestrictiveOptions, "
              "agreedBy, reviewBy, riskDecisionId, incidentId", _parts("terms", RESTRICTION)))),
    PublishedEvent("Restriction.Reviewed", 1, "The restriction was reviewed", (
        Field("outcome", "continued, reduced or lifted", "outcome"),
        Field("justification", "The fresh justification (continued), or empty",
              "justification"),
        Field("whatChanged", "What changed (reduced), or empty", "what_changed"),
        Field("nextReviewBy", "The next review-by date, or null once lifted", "next_review_by"),
        Field("wasDueBy", "The review-by date this review answered", "was_due_by"))),
    PublishedEvent("ProviderPolicy.Started", 1, "The provider's policy was first recorded"),
    PublishedEvent("ProviderPolicy.RestrictionReviewLimitSet", 1, "The longest a restriction "
                   "may go between reviews", (Field("days", "Days", "days"),)),
    PublishedEvent("ServicePractice.Started", 1, "A service's practice settings were first "
                   "recorded", (SERVICE_ID,)),
    PublishedEvent("ServicePractice.PromptLadderSet", 1, "A service named its prompt ladder", (
        Field("rungs", "The rungs, most independent first", "rungs"),)),
)  # fmt: skip
PUBLISHED = {entry.event_type: entry for entry in PUBLISHED_EVENTS}


def published(event: Any) -> PublishedEvent:
    """How an event is published, by its type's name as the feed shows it."""
    return PUBLISHED[type(event).__qualname__]
