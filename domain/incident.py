"""Incidents: what happened to a person (often recorded days after it happened), what was done
at once, how it was analysed, what was learned, the practice changes it led to, the person's
own view of it, and to whom the learning was communicated.

DOMAIN: an incident in positive risk-taking is a chance to learn, not a reason to restrict by
reflex. Closing one is refused until the learning is complete (analysis, learning, practice
changes each with a lead and a review date, the person's views and the wellbeing impact) and
the response is aligned (domain.incident_closing): every restriction imposed on the person
after it names it, the risk decision for the activity was reviewed after it, and staff guidance
was revised after it (or the closing says why none was needed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.envelope import Envelope
from domain.errors import Rules
from domain.incident_closing import Alignment, check_alignment, check_learning
from domain.record import Record, presume

OPEN, CLOSED = "open", "closed"


class HarmLevel(StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"


class PracticeChangeState(StrEnum):
    OPEN = "open"
    DONE = "done"  # put into practice
    REVIEWED = "reviewed"  # its effect reviewed


@dataclass(frozen=True)
class IncidentReport:
    what_happened: str
    staff_involved: list[str]  # staff ids
    location: str
    immediate_actions: str
    harm_level: HarmLevel
    activity: str | None = None
    risk_decision_id: str | None = None


@dataclass(frozen=True)
class IncidentAnalysis:
    controls_proportionate: str  # were the controls in place proportionate
    person_prepared: str  # was the person prepared and supported
    what_went_wrong: str
    what_went_right: str


@dataclass(frozen=True)
class PracticeChange:
    change_id: str
    what: str
    lead: str
    review_by: date
    state: str = PracticeChangeState.OPEN.value
    note: str | None = None
    marked_at: datetime | None = None


@dataclass(frozen=True)
class LearningShared:
    to_whom: str
    on: date


class Incident(Record):
    @event("Reported")
    def __init__(
        self, envelope: Envelope, person_id: str, report: IncidentReport, id: UUID | None = None
    ) -> None:
        self.tenant_id = envelope.tenant_id
        self.person_id = person_id
        self.report = report
        self.occurred_at = envelope.effective_at
        self.status = OPEN
        self.analysis: IncidentAnalysis | None = None
        self.learning: list[str] = []
        self.practice_changes: dict[str, PracticeChange] = {}
        self.person_views: str | None = None
        self.wellbeing_impact: str | None = None
        self.shared: list[LearningShared] = []
        self.restriction_ids: list[str] = []
        self.closed_at: datetime | None = None
        self.no_guidance_change_reason: str | None = None

    # -- learning --------------------------------------------------------------------------------

    def analyse(self, envelope: Envelope, analysis: IncidentAnalysis) -> None:
        rules = self._open_rules(envelope)
        for name, label in (("controls_proportionate", "whether the controls were proportionate"),
                            ("person_prepared", "whether the person was prepared and supported"),
                            ("what_went_wrong", "what went wrong"),
                            ("what_went_right", "what went right")):  # fmt: skip
            rules.require_text(getattr(analysis, name), f"incident.analysis.{name}_required",
                               _camel(name), label)  # fmt: skip
        rules.enforce()
        self._analysed(envelope, _stripped(analysis))

    @event("Analysed")
    def _analysed(self, envelope: Envelope, analysis: IncidentAnalysis) -> None:
        presume(self.status == OPEN, "a closed incident is not analysed")
        self.analysis = analysis

    def identify_learning(self, envelope: Envelope, learning: list[str]) -> None:
        rules = self._open_rules(envelope)
        kept = [item.strip() for item in learning if item.strip()]
        rules.check(bool(kept), "incident.learning_required", "learning",
                    "record at least one piece of learning")  # fmt: skip
        rules.enforce()
        self._learning_identified(envelope, kept)

    @event("LearningIdentified")
    def _learning_identified(self, envelope: Envelope, learning: list[str]) -> None:
        presume(self.status == OPEN, "a closed incident takes no more learning")
        self.learning = list(learning)

    def agree_practice_change(
        self, envelope: Envelope, change_id: str, what: str, lead: str, review_by: date
    ) -> None:
        rules = self._open_rules(envelope)
        rules.require_text(what, "incident.practice_change.what_required", "what",
                           "what changes in practice")  # fmt: skip
        rules.require_text(lead, "incident.practice_change.lead_required", "lead",
                           "who leads the change")  # fmt: skip
        rules.check(review_by > envelope.effective_at.date(),
                    "incident.practice_change.review_by_not_future", "reviewBy",
                    "the review date must fall after the change is agreed")  # fmt: skip
        rules.enforce()
        self._practice_change_agreed(envelope, change_id, what.strip(), lead.strip(), review_by)

    @event("PracticeChangeAgreed")
    def _practice_change_agreed(
        self, envelope: Envelope, change_id: str, what: str, lead: str, review_by: date
    ) -> None:
        change = PracticeChange(change_id, what, lead, review_by)
        self.practice_changes = {**self.practice_changes, change_id: change}

    def mark_practice_change(
        self, envelope: Envelope, change_id: str, state: PracticeChangeState, note: str
    ) -> None:
        """Done (put into practice) or reviewed (its effect looked at); open practice
        changes stay open after the incident closes, so this is allowed then too."""
        rules = Rules()
        self.check_began(rules, envelope)
        change = self.practice_changes.get(change_id)
        rules.check(change is not None, "incident.practice_change.unknown", "changeId",
                    f"this incident has no practice change {change_id!r}")  # fmt: skip
        rules.check(state != PracticeChangeState.OPEN, "incident.practice_change.reopen",
                    "state", "mark a practice change DONE or REVIEWED")  # fmt: skip
        if change is not None:
            rules.check(change.state != state, "incident.practice_change.no_change", "state",
                        f"the practice change is {change.state} already")  # fmt: skip
        rules.require_text(note, "incident.practice_change.note_required", "note",
                           "what was done or what the review found")  # fmt: skip
        rules.enforce()
        self._practice_change_marked(envelope, change_id, PracticeChangeState(state).value,
                                     note.strip())  # fmt: skip

    @event("PracticeChangeMarked")
    def _practice_change_marked(
        self, envelope: Envelope, change_id: str, state: str, note: str
    ) -> None:
        change = self.practice_changes.get(change_id)
        presume(change is not None, "the practice change was agreed")
        if change is None:
            return
        marked = replace(change, state=state, note=note, marked_at=envelope.effective_at)
        self.practice_changes = {**self.practice_changes, change_id: marked}

    def record_person_views(self, envelope: Envelope, views: str, wellbeing_impact: str) -> None:
        rules = self._open_rules(envelope)
        rules.require_text(views, "incident.person_views_required", "views",
                           "the person's views, in their words")  # fmt: skip
        rules.require_text(wellbeing_impact, "incident.wellbeing_impact_required",
                           "wellbeingImpact", "the impact on the person's wellbeing")  # fmt: skip
        rules.enforce()
        self._person_views_recorded(envelope, views.strip(), wellbeing_impact.strip())

    @event("PersonViewsRecorded")
    def _person_views_recorded(self, envelope: Envelope, views: str, wellbeing_impact: str) -> None:
        self.person_views = views
        self.wellbeing_impact = wellbeing_impact

    def communicate_learning(self, envelope: Envelope, to_whom: str) -> None:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.require_text(to_whom, "incident.shared.to_whom_required", "toWhom",
                           "to whom the learning was communicated")  # fmt: skip
        rules.check(bool(self.learning), "incident.shared.no_learning", "incidentId",
                    "identify the learning before communicating it")  # fmt: skip
        rules.enforce()
        self._learning_communicated(envelope, to_whom.strip(), envelope.effective_at.date())

    @event("LearningCommunicated")
    def _learning_communicated(self, envelope: Envelope, to_whom: str, on: date) -> None:
        self.shared = [*self.shared, LearningShared(to_whom, on)]

    # -- the response ----------------------------------------------------------------------------

    def followed_by_restriction(self, envelope: Envelope, restriction_id: str) -> None:
        """Records that a restriction was imposed on the person after this incident, naming it
        (stored on both, saved together)."""
        rules = Rules()  # the incident began when it happened: this says so more plainly
        rules.check(envelope.effective_at >= self.occurred_at, "restriction.incident.before",
                    "effectiveAt", "a restriction imposed after an incident takes effect after "
                    f"it ({self.occurred_at.isoformat()})")  # fmt: skip
        rules.enforce()
        self._restriction_imposed(envelope, restriction_id)

    @event("RestrictionImposed")
    def _restriction_imposed(self, envelope: Envelope, restriction_id: str) -> None:
        self.restriction_ids = [*self.restriction_ids, restriction_id]

    def close(
        self, envelope: Envelope, no_guidance_change_reason: str | None, alignment: Alignment
    ) -> None:
        rules = self._open_rules(envelope)
        check_learning(rules, self)
        reason = (no_guidance_change_reason or "").strip() or None
        check_alignment(rules, self, alignment, reason)
        rules.enforce()
        self._closed(envelope, reason)

    @event("Closed")
    def _closed(self, envelope: Envelope, no_guidance_change_reason: str | None) -> None:
        presume(self.status == OPEN, "the incident was closed already")
        self.status = CLOSED
        self.closed_at = envelope.effective_at
        self.no_guidance_change_reason = no_guidance_change_reason

    def _open_rules(self, envelope: Envelope) -> Rules:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(self.status == OPEN, "incident.closed", "incidentId",
                    "the incident is closed")  # fmt: skip
        return rules


def _stripped(analysis: IncidentAnalysis) -> IncidentAnalysis:
    return IncidentAnalysis(*(value.strip() for value in vars(analysis).values()))


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)
