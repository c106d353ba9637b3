"""A member of staff: when they joined, in which service and team, their induction, their
reflective supervision, and the techniques they are signed off in.

DOMAIN: inspectors test whether staff can apply strengths-based practice, not whether they went
on a course. So a competency sign-off rests on observed practice (required), and lapses at its
refresher date until it is signed off again; supervision is reflective (was "doing for"
challenged, were restrictive responses reviewed, what progression was achieved) and always has a
next date; and induction is complete only once every part is there and the new starter has
confirmed how strengths-based practice applies in this service.

A staff member's record is found from the subject of their token: its id is derived from the
provider and the subject, so there is one per person per provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.envelope import Envelope, Role
from domain.errors import Rules
from domain.record import Record, presume

WORKING, LEFT = "working", "left"


class Technique(StrEnum):
    PROMPT_LADDER = "prompt_ladder"
    GRADED_EXPOSURE = "graded_exposure"
    SUPPORTED_DECISION_MAKING = "supported_decision_making"
    POSITIVE_RISK_TAKING = "positive_risk_taking"
    RESTRICTIVE_PRACTICE_REDUCTION = "restrictive_practice_reduction"


# Every provider signs staff off in these; it may add its own (domain.provider_policy).
STANDARD_TECHNIQUES = frozenset(technique.value for technique in Technique)
STANDARD_DESCRIPTIONS = {
    Technique.PROMPT_LADDER: "Prompting from the least support that works, stepping down rungs "
    "as the person gains the skill",
    Technique.GRADED_EXPOSURE: "Facing a feared or unfamiliar situation in agreed small steps",
    Technique.SUPPORTED_DECISION_MAKING: "Helping the person make their own decision, not "
    "making it for them",
    Technique.POSITIVE_RISK_TAKING: "Weighing benefits against harms so the person can do what "
    "matters to them, with agreed controls",
    Technique.RESTRICTIVE_PRACTICE_REDUCTION: "Reducing and lifting restrictions as the person's "
    "skills and safeguards allow",
}


class InductionPart(StrEnum):
    COMPETENCY_CHECK = "competency_check"
    OBSERVED_PRACTICE_DISCUSSION = "observed_practice_discussion"
    LEARNING_OUTCOME = "learning_outcome"  # a strengths-based learning outcome met
    SUPERVISION_FOLLOW_UP = "supervision_follow_up"  # a follow-up date agreed for supervision
    PROBATION_REVIEW = "probation_review"


@dataclass(frozen=True)
class InductionEntry:
    part: str
    detail: str
    on: date
    follow_up_on: date | None = None  # for a supervision follow-up: the date agreed


@dataclass(frozen=True)
class Supervision:
    held_on: date
    supervisor: str
    doing_for_challenged: str  # where "doing for" was challenged
    restrictive_responses_reviewed: str
    progression_achieved: str
    agreed_actions: list[str]
    next_due: date


@dataclass(frozen=True)
class SignOff:
    technique: str
    signed_off_by: str
    evidence: str  # the observed practice it rests on
    signed_off_on: date
    refresher_due: date

    def current_on(self, day: date) -> bool:
        return self.signed_off_on <= day <= self.refresher_due


class StaffMember(Record):
    @staticmethod
    def create_id(tenant_id: str, subject: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"stepwise:staff:{tenant_id}:{subject}")

    @event("Joined")
    def __init__(
        self, envelope: Envelope, subject: str, name: str, role: Role, service_id: str,
        team_id: str | None, id: UUID | None = None,
    ) -> None:  # fmt: skip
        self.tenant_id = envelope.tenant_id
        self.subject = subject
        self.name = name
        self.role = Role(role)
        self.service_id = service_id
        self.team_id = team_id
        self.started_on = envelope.effective_at.date()
        self.status = WORKING
        self.left_on: date | None = None
        self.induction: list[InductionEntry] = []
        self.induction_completed_on: date | None = None
        self.supervisions: list[Supervision] = []
        self.sign_offs: dict[str, SignOff] = {}

    # -- where they work -------------------------------------------------------------------------

    def move(self, envelope: Envelope, service_id: str, team_id: str | None) -> None:
        rules = self._working_rules(envelope)
        rules.require_text(service_id, "staff.service.required", "serviceId", "a service")
        rules.check((service_id.strip(), _strip(team_id)) != (self.service_id, self.team_id),
                    "staff.move.no_change", "serviceId",
                    "they already work in that service and team")  # fmt: skip
        rules.enforce()
        self._moved(envelope, service_id.strip(), _strip(team_id), self.service_id, self.team_id)

    @event("Moved")
    def _moved(
        self, envelope: Envelope, service_id: str, team_id: str | None,
        from_service_id: str, from_team_id: str | None,
    ) -> None:  # fmt: skip
        self.service_id, self.team_id = service_id, team_id

    def leave(self, envelope: Envelope) -> None:
        rules = self._working_rules(envelope)
        rules.require_text(envelope.reason, "staff.leave.reason_required", "reason",
                           "why they left")  # fmt: skip
        rules.enforce()
        self._left(envelope, envelope.effective_at.date())

    @event("Left")
    def _left(self, envelope: Envelope, left_on: date) -> None:
        presume(self.status == WORKING, "they had not left already")
        self.status, self.left_on = LEFT, left_on

    # -- induction ---------------------------------------------------------------------------------

    def record_induction(
        self, envelope: Envelope, part: InductionPart, detail: str, follow_up_on: date | None
    ) -> None:
        rules = self._working_rules(envelope)
        rules.check(self.induction_completed_on is None, "staff.induction.completed",
                    "staffId", "the induction is complete")  # fmt: skip
        rules.require_text(detail, "staff.induction.detail_required", "detail",
                           "what was done or found")  # fmt: skip
        follow_up = InductionPart(part) == InductionPart.SUPERVISION_FOLLOW_UP
        rules.check(not follow_up or follow_up_on is not None,
                    "staff.induction.follow_up_date_required", "followUpOn",
                    "a supervision follow-up names the date agreed")  # fmt: skip
        rules.enforce()
        entry = InductionEntry(
            InductionPart(part).value,
            detail.strip(),
            envelope.effective_at.date(),
            follow_up_on if follow_up else None,
        )
        self._induction_recorded(envelope, entry)  # fmt: skip

    @event("InductionRecorded")
    def _induction_recorded(self, envelope: Envelope, entry: InductionEntry) -> None:
        self.induction = [*self.induction, entry]

    def complete_induction(self, envelope: Envelope, confirmation: str) -> None:
        rules = self._working_rules(envelope)
        rules.check(self.induction_completed_on is None, "staff.induction.completed",
                    "staffId", "the induction is complete already")  # fmt: skip
        present = {entry.part for entry in self.induction}
        for part in InductionPart:
            rules.check(
                part.value in present,
                f"staff.induction.{part.value}_required",
                "staffId",
                f"record the induction's {part.value.replace('_', ' ')}",
            )
        rules.require_text(confirmation, "staff.induction.confirmation_required", "confirmation",
                           "the new starter's confirmation of how strengths-based practice "
                           "applies in this service")  # fmt: skip
        rules.enforce()
        self._induction_completed(envelope, confirmation.strip(), envelope.effective_at.date())

    @event("InductionCompleted")
    def _induction_completed(self, envelope: Envelope, confirmation: str, on: date) -> None:
        presume(self.induction_completed_on is None, "the induction was not complete already")
        self.induction_completed_on = on

    # -- supervision and competence ----------------------------------------------------------------

    def hold_supervision(self, envelope: Envelope, supervision: Supervision) -> None:
        rules = self._working_rules(envelope)
        for name, label in (("supervisor", "who supervised"),
                            ("doing_for_challenged", "where \"doing for\" was challenged"),
                            ("restrictive_responses_reviewed",
                             "which restrictive responses were reviewed"),
                            ("progression_achieved", "the progression achieved")):  # fmt: skip
            rules.require_text(getattr(supervision, name), f"staff.supervision.{name}_required",
                               _camel(name), label)  # fmt: skip
        rules.check(any(a.strip() for a in supervision.agreed_actions),
                    "staff.supervision.agreed_actions_required", "agreedActions",
                    "the actions agreed")  # fmt: skip
        rules.check(supervision.next_due > supervision.held_on,
                    "staff.supervision.next_due_not_future", "nextDue",
                    "the next supervision falls after this one")  # fmt: skip
        rules.enforce()
        self._supervision_held(envelope, supervision)

    @event("SupervisionHeld")
    def _supervision_held(self, envelope: Envelope, supervision: Supervision) -> None:
        self.supervisions = [*self.supervisions, supervision]

    def sign_off(self, envelope: Envelope, sign_off: SignOff, known: frozenset[str]) -> None:
        rules = self._working_rules(envelope)
        rules.check(sign_off.technique in known, "staff.competency.technique_unknown",
                    "technique", f"{sign_off.technique.upper()} is not a technique of this "
                    f"provider; known: {sorted(t.upper() for t in known)} (a manager adds one "
                    "with addTechnique)")  # fmt: skip
        rules.require_text(sign_off.signed_off_by, "staff.competency.signed_off_by_required",
                           "signedOffBy", "who signed it off")  # fmt: skip
        rules.require_text(sign_off.evidence, "staff.competency.evidence_required", "evidence",
                           "the observed practice it rests on")  # fmt: skip
        rules.check(sign_off.refresher_due > sign_off.signed_off_on,
                    "staff.competency.refresher_not_future", "refresherDue",
                    "the refresher falls after the sign-off")  # fmt: skip
        rules.enforce()
        self._signed_off(envelope, sign_off)

    @event("CompetencySignedOff")
    def _signed_off(self, envelope: Envelope, sign_off: SignOff) -> None:
        self.sign_offs = {**self.sign_offs, sign_off.technique: sign_off}

    # -- reading -----------------------------------------------------------------------------------

    def supervision_due(self) -> date | None:
        """When supervision is next due: the last one's next date, or before the first, the
        earliest follow-up agreed at induction."""
        if self.supervisions:
            return max(self.supervisions, key=lambda s: s.held_on).next_due
        agreed = [e.follow_up_on for e in self.induction if e.follow_up_on is not None]
        return min(agreed, default=None)

    def _working_rules(self, envelope: Envelope) -> Rules:
        rules = Rules()
        self.check_began(rules, envelope)
        rules.check(self.status == WORKING, "staff.left", "staffId", "they have left")
        return rules


def _strip(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)
