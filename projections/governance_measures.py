"""The governance measures: each a count of records' marks (projections.marks), selected by how
the mark stands at the moment asked, declared once here with the read model keeping the mark.

How a measure reads its marks (`select`):
- HELD: marks in force at the moment;
- DUE / OVERDUE: in force, falling due within `DUE_SOON_DAYS` of the moment / due before it;
- STATIC: in force, last changed more than the provider's static-plan months before it;
- HAPPENED: marks of what happened, counted per month of the window ending with the moment
  (`share`: the figure is those with this detail out of all of them);
- DOING_FOR / SUPPORTING_WITH: texts written in the window, by the provider's phrase lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from projections.base import ReadModel
from projections.evidence_notes import EvidenceNotes
from projections.incidents import Incidents
from projections.marks import ON_TIME
from projections.practice import Practice
from projections.restrictions import Restrictions
from projections.risk_decisions import RiskDecisions
from projections.staff import Staff
from projections.support_plans import SupportPlans

DUE_SOON_DAYS = 28


class Select(StrEnum):
    HELD = "held"
    DUE = "due"
    OVERDUE = "overdue"
    STATIC = "static"
    HAPPENED = "happened"
    DOING_FOR = "doing_for"
    SUPPORTING_WITH = "supporting_with"
    NOT_ALIGNED = "not_aligned"  # restrictions and safeguards the guidance leaves out
    WITHOUT_SIGN_OFF = "without_sign_off"  # staff working with no current sign-off
    UNSIGNED_WRITES = "unsigned_writes"  # practice written without a current sign-off


class Area(StrEnum):
    REVIEW_TIMELINESS = "review timeliness"
    RESTRICTIVE_PRACTICE = "restrictive practice"
    STATIC_PLANS = "static plans"
    CARE_PLAN_AUDIT = "care-plan audit"
    PROGRESSION = "progression"
    LANGUAGE = "language"
    WORKFORCE = "workforce"
    INCIDENTS = "incidents"


@dataclass(frozen=True)
class Measure:
    name: str  # as GraphQL shows it
    area: Area
    select: Select
    marks: tuple[tuple[str, type[ReadModel]], ...]  # each mark it counts, and who keeps it
    description: str
    share: str | None = None  # HAPPENED: the detail counted, out of every mark


def _m(name: str, area: Area, select: Select, marks: str | tuple[str, ...],
       source: type[ReadModel] | tuple[type[ReadModel], ...], description: str,
       share: str | None = None) -> Measure:  # fmt: skip
    names = (marks,) if isinstance(marks, str) else marks
    sources = source if isinstance(source, tuple) else (source,) * len(names)
    return Measure(name, area, select, tuple(zip(names, sources, strict=True)), description,
                   share)  # fmt: skip


R, S, A, P = Area.REVIEW_TIMELINESS, Area.RESTRICTIVE_PRACTICE, Area.STATIC_PLANS, Area.PROGRESSION
MEASURES = (
    _m("PLAN_REVIEWS_DUE", R, Select.DUE, "plan_review_pending", SupportPlans,
       f"Plan reviews not yet held, falling due within {DUE_SOON_DAYS} days"),
    _m("PLAN_REVIEWS_OVERDUE", R, Select.OVERDUE, "plan_review_pending", SupportPlans,
       "Plan reviews not held by the date they were due"),
    _m("STAGE_REVIEWS_DUE", R, Select.DUE, "stage_review_pending", SupportPlans,
       f"Pathway stages not completed whose review date falls within {DUE_SOON_DAYS} days"),
    _m("STAGE_REVIEWS_OVERDUE", R, Select.OVERDUE, "stage_review_pending", SupportPlans,
       "Pathway stages not completed whose review date has passed"),
    _m("RISK_REVIEWS_DUE", R, Select.DUE, "risk_review_pending", RiskDecisions,
       f"Agreed risk decisions whose review falls due within {DUE_SOON_DAYS} days"),
    _m("RISK_REVIEWS_OVERDUE", R, Select.OVERDUE, "risk_review_pending", RiskDecisions,
       "Agreed risk decisions not reviewed by their review-by date"),
    _m("PLAN_REVIEWS_HELD_ON_TIME", R, Select.HAPPENED, "plan_review_held", SupportPlans,
       "Plan reviews held by their due date, out of those held", share=ON_TIME),
    _m("RISK_REVIEWS_HELD_ON_TIME", R, Select.HAPPENED, "risk_review_held", RiskDecisions,
       "Risk decision reviews held by their review-by date, out of those held", share=ON_TIME),
    _m("RESTRICTIONS_IN_FORCE", S, Select.HELD, "restriction_in_force", Restrictions,
       "Restrictions in force"),
    _m("RESTRICTIONS_OVERDUE_FOR_REVIEW", S, Select.OVERDUE, "restriction_in_force",
       Restrictions, "Restrictions in force past their review-by date"),
    _m("RESTRICTIONS_AFTER_INCIDENTS", S, Select.HELD, "restriction_after_incident",
       Restrictions, "Restrictions in force imposed after an incident"),
    _m("RESTRICTIONS_IMPOSED", S, Select.HAPPENED, "restriction_imposed", Restrictions,
       "Restrictions imposed"),
    _m("RESTRICTIONS_REDUCED", S, Select.HAPPENED, "restriction_reduced", Restrictions,
       "Restrictions reduced at review"),
    _m("RESTRICTIONS_LIFTED", S, Select.HAPPENED, "restriction_lifted", Restrictions,
       "Restrictions lifted at review"),
    _m("STATIC_PLANS", A, Select.STATIC, "plan_agreed", SupportPlans,
       "Agreed plans with no change for the provider's static-plan months"),
    _m("REPEAT_REVIEWS", A, Select.HAPPENED, "repeat_review", SupportPlans,
       "Reviews that decided nothing and found nothing new"),
    _m("OUTCOMES_WITHOUT_MICRO_STEPS", Area.CARE_PLAN_AUDIT, Select.HELD,
       "outcome_without_steps", SupportPlans, "Live outcomes of agreed plans with no micro-step"),
    _m("OUTCOMES_WITHOUT_STEP_DOWN_PATHWAY", Area.CARE_PLAN_AUDIT, Select.HELD,
       "outcome_without_pathway", SupportPlans,
       "Live outcomes of agreed plans with no step-down pathway"),
    _m("OUTCOMES_WITHOUT_REVIEW_DATE", Area.CARE_PLAN_AUDIT, Select.HELD,
       "outcome_without_review_date", SupportPlans,
       "Live outcomes of agreed plans with no pathway stage planned or under way to review"),
    _m("STRENGTHS_NOT_BUILT_ON", Area.CARE_PLAN_AUDIT, Select.HELD, "strength_not_built_on",
       SupportPlans, "Assessed strengths no live outcome of an agreed plan builds on"),
    _m("GUIDANCE_NOT_ALIGNED", Area.CARE_PLAN_AUDIT, Select.NOT_ALIGNED,
       ("restriction_in_force", "safeguard"), (Restrictions, RiskDecisions),
       "Restrictions in force and agreed safeguards the person's staff guidance does not "
       "mention"),
    _m("STAGES_COMPLETED", P, Select.HAPPENED, "stage_completed", SupportPlans,
       "Pathway stages completed: support stepped down"),
    _m("INDEPENDENCE_STEPS", P, Select.HAPPENED, "independence_steps", EvidenceNotes,
       "Evidence notes recording independence steps completed"),
    _m("SUPPORT_HOURS_RESHAPED", P, Select.HAPPENED, "hours_reshaped", SupportPlans,
       "Changes to weekly support hours"),
    _m("SETBACKS", P, Select.HAPPENED, "setback", SupportPlans, "Setbacks recorded"),
    _m("DOING_FOR", Area.LANGUAGE, Select.DOING_FOR, ("note_written", "guidance_written"),
       (EvidenceNotes, SupportPlans),
       "Evidence notes and guidance written as doing for, out of all written"),
    _m("SUPPORTING_WITH", Area.LANGUAGE, Select.SUPPORTING_WITH,
       ("note_written", "guidance_written"), (EvidenceNotes, SupportPlans),
       "Evidence notes and guidance written as supporting with, out of all written"),
    _m("SUPERVISION_OVERDUE", Area.WORKFORCE, Select.OVERDUE, "supervision_due", Staff,
       "Staff whose reflective supervision is overdue"),
    _m("INDUCTION_INCOMPLETE", Area.WORKFORCE, Select.HELD, "induction_incomplete", Staff,
       "Staff whose induction is not complete"),
    _m("STAFF_WITHOUT_CURRENT_SIGN_OFF", Area.WORKFORCE, Select.WITHOUT_SIGN_OFF,
       "staff_working", Staff,
       "Staff holding no current competency sign-off, out of those working"),
    _m("WRITES_WITHOUT_SIGN_OFF", Area.WORKFORCE, Select.UNSIGNED_WRITES, "practice_writes",
       Practice, "Plan changes and evidence notes relying on a technique the staff member "
       "writing held no current sign-off in that day"),
    _m("INCIDENTS_OPEN", Area.INCIDENTS, Select.HELD, "incident_open", Incidents,
       "Incidents not closed"),
    _m("PRACTICE_CHANGES_PAST_REVIEW", Area.INCIDENTS, Select.OVERDUE, "practice_change_open",
       Incidents, "Practice changes from incidents still open past their review date"),
)  # fmt: skip
BY_NAME = {measure.name: measure for measure in MEASURES}
