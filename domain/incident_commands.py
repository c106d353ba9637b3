"""Commands on incidents, and who may issue them: any member of staff reports an incident and
records the person's views; managers analyse it, agree practice changes and close it; a senior
support worker or a manager marks a practice change done or reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar
from uuid import UUID

from annotated_types import MaxLen

from domain.commands import (
    MANAGERS,
    STAFF,
    Change,
    Command,
    Creation,
    Found,
    Key,
    NewIds,
    Records,
    Registration,
    Seal,
    Text,
)
from domain.envelope import Role
from domain.errors import Rules
from domain.incident import (
    HarmLevel,
    Incident,
    IncidentAnalysis,
    IncidentReport,
    LearningShared,
    PracticeChange,
    PracticeChangeState,
)
from domain.incident_closing import Alignment, RestrictionSeen
from domain.incident_published import PUBLISHED
from domain.person import Person
from domain.record_type import RecordType
from domain.restriction import Restriction
from domain.risk_decision import RiskDecision
from domain.support_plan import SupportPlan
from domain.timeline import effective_at, standing

# Who may mark a practice change done or reviewed: its lead is often a senior support worker.
LEADS = frozenset({Role.SENIOR_SUPPORT_WORKER, Role.MANAGER})
Items = Annotated[list[Text], MaxLen(30)]
StaffIds = Annotated[list[Key], MaxLen(30)]
# Revisions of staff guidance, which closing an incident looks for after it.
GUIDANCE = (SupportPlan.StaffGuidanceWritten, SupportPlan.StaffGuidanceRewritten)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReportIncident(Command):
    """Report an incident (staff): what happened, when (effectiveAt: often days before it is
    recorded), the staff involved by staff id, where, the activity and the risk decision it
    relates to if any, what was done at once, and the level of harm."""

    person_id: Key
    what_happened: Text
    location: Text
    immediate_actions: Text
    harm_level: HarmLevel
    staff_involved: StaffIds
    activity: Text | None = None
    risk_decision_id: Key | None = None


@dataclass(frozen=True)
class IncidentCommand(Command):
    incident_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"incident_id"})


@dataclass(frozen=True)
class AnalyseIncident(IncidentCommand):
    """Analyse an incident (managers): were the controls proportionate, was the person prepared
    and supported, what went wrong and what went right (replacing an earlier analysis)."""

    controls_proportionate: Text
    person_prepared: Text
    what_went_wrong: Text
    what_went_right: Text

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        analysis = IncidentAnalysis(self.controls_proportionate, self.person_prepared,
                                    self.what_went_wrong, self.what_went_right)  # fmt: skip
        return {"analysis": analysis}


@dataclass(frozen=True)
class IdentifyLearning(IncidentCommand):
    """Record what was learned from an incident (managers; replacing earlier learning)."""

    learning: Items


@dataclass(frozen=True)
class AgreePracticeChange(IncidentCommand):
    """Agree a change in practice after an incident (managers), with the lead responsible for
    it and the date it is reviewed by."""

    what: Text
    lead: Text
    review_by: date

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"change_id": ids.part("change"), "what": self.what, "lead": self.lead,
                "review_by": self.review_by}  # fmt: skip


@dataclass(frozen=True)
class MarkPracticeChange(IncidentCommand):
    """Mark a practice change done (put into practice) or reviewed (its effect looked at),
    saying what was done or found (senior support workers and managers)."""

    change_id: Key
    state: PracticeChangeState
    note: Text


@dataclass(frozen=True)
class RecordIncidentViews(IncidentCommand):
    """Record the person's views of the incident in their own words, and its impact on their
    wellbeing (staff)."""

    views: Text
    wellbeing_impact: Text


@dataclass(frozen=True)
class CommunicateLearning(IncidentCommand):
    """Record that the learning was communicated, to whom (the team, the family, the
    commissioner); effectiveAt says when (managers)."""

    to_whom: Text


@dataclass(frozen=True)
class CloseIncident(IncidentCommand):
    """Close an incident (managers): refused until the learning is complete and the response
    aligned with it; without a revision of staff guidance after the incident, say why none
    was needed."""

    no_guidance_change_reason: Text | None = None


def report(records: Records, command: ReportIncident, seal: Seal, ids: NewIds) -> Incident:
    person = records.owned(Person, command.person_id, "personId")
    envelope = seal(person.service_id)
    rules = Rules()
    if command.risk_decision_id:
        decision = records.owned(RiskDecision, command.risk_decision_id, "riskDecisionId")
        rules.check(decision.person_id == str(person.id), "incident.risk_decision.other_person",
                    "riskDecisionId", "the risk decision is about another person")  # fmt: skip
    for name, label in (("what_happened", "what happened"), ("location", "where it happened"),
                        ("immediate_actions", "what was done at once")):  # fmt: skip
        rules.require_text(getattr(command, name), f"incident.{name}_required", name, label)
    rules.enforce()
    report = IncidentReport(
        what_happened=command.what_happened.strip(),
        staff_involved=list(dict.fromkeys(s.strip() for s in command.staff_involved if s.strip())),
        location=command.location.strip(), immediate_actions=command.immediate_actions.strip(),
        harm_level=command.harm_level, activity=(command.activity or "").strip() or None,
        risk_decision_id=command.risk_decision_id,
    )  # fmt: skip
    return Incident(envelope, str(person.id), report, id=ids.record())


def find_incident(records: Records, command: IncidentCommand) -> Found[Incident]:
    incident = records.owned(Incident, command.incident_id, "incidentId")
    return Found(incident, records.service_of(incident))


def find_for_closing(records: Records, command: CloseIncident) -> Found[Incident]:
    """The incident, and how the person's other records responded to it."""
    incident = records.owned(Incident, command.incident_id, "incidentId")
    seen = tuple(
        RestrictionSeen(
            str(r.id), r.imposed_at, r.terms.incident_id, r.terms.why, r.terms.review_by
        )
        for r in records.about(Restriction, incident.person_id)
    )
    reviewed = None
    if incident.report.risk_decision_id:
        decision = records.found(RiskDecision, UUID(incident.report.risk_decision_id),
                                 "riskDecisionId")  # fmt: skip
        reviewed = decision.last_reviewed_at if decision else None
    plan_id = SupportPlan.create_id(incident.person_id)
    revisions = [effective_at(e) for e in standing(records.history(plan_id))
                 if isinstance(e, GUIDANCE)]  # fmt: skip
    alignment = Alignment(seen, reviewed, max(revisions, default=None))
    return Found(incident, records.service_of(incident), extra={"alignment": alignment})


COMMANDS: list[Registration] = [
    Creation(ReportIncident, STAFF, report),
    Change(AnalyseIncident, MANAGERS, find_incident, Incident.analyse),
    Change(IdentifyLearning, MANAGERS, find_incident, Incident.identify_learning),
    Change(AgreePracticeChange, MANAGERS, find_incident, Incident.agree_practice_change),
    Change(MarkPracticeChange, LEADS, find_incident, Incident.mark_practice_change),
    Change(RecordIncidentViews, STAFF, find_incident, Incident.record_person_views),
    Change(CommunicateLearning, MANAGERS, find_incident, Incident.communicate_learning),
    Change(CloseIncident, MANAGERS, find_for_closing, Incident.close, adds=("alignment",)),
]

RECORD_TYPE = RecordType(
    Incident, COMMANDS, PUBLISHED,
    value_types={"incident_report": IncidentReport, "incident_analysis": IncidentAnalysis,
                 "practice_change": PracticeChange, "learning_shared": LearningShared},
)  # fmt: skip
