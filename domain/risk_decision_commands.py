"""Commands on positive risk-taking decisions, and who may issue them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar

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
from domain.errors import Rules
from domain.person import Person
from domain.record_type import RecordType
from domain.restriction import IN_FORCE, Restriction
from domain.risk_decision import (
    PUBLISHED,
    LinkedRestriction,
    RiskDecision,
    RiskParts,
    RiskReviewOutcome,
)

Items = Annotated[list[Text], MaxLen(30)]


@dataclass(frozen=True, kw_only=True)
class RiskPartsInput(Command):
    """The parts of a decision, each optional until it is agreed."""

    risks: Items | None = None
    could_go_right: Text | None = None
    could_go_wrong: Text | None = None
    safeguards: Items | None = None
    escalation: Text | None = None
    review_by: date | None = None
    person_views: Text | None = None
    advocate_views: Text | None = None

    def parts(self) -> RiskParts:
        return RiskParts(self.risks, self.could_go_right, self.could_go_wrong, self.safeguards,
                         self.escalation, self.review_by, self.person_views,
                         self.advocate_views)  # fmt: skip


@dataclass(frozen=True)
class ProposeRiskDecision(RiskPartsInput):
    """Propose a positive risk-taking decision about an activity the person wants to do."""

    person_id: Key
    activity: Text


@dataclass(frozen=True)
class RecordRiskDecisionParts(RiskPartsInput):
    """Record (or replace) parts of a decision not yet agreed."""

    risk_decision_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"risk_decision_id"})

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"parts": self.parts()}


@dataclass(frozen=True)
class AgreeRiskDecision(Command):
    """Agree a decision (managers). Every restriction it relies on (each imposed naming it) is
    read as it now stands: it must be in force, justified as proportionate and not overdue."""

    risk_decision_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"risk_decision_id"})


@dataclass(frozen=True)
class ReviewRiskDecision(Command):
    """Review an agreed decision (managers): continue it, or relax or tighten its safeguards
    (giving them as they now stand); the reason is required."""

    risk_decision_id: Key
    outcome: RiskReviewOutcome
    next_review_by: date
    safeguards: Items | None = None
    locators: ClassVar[frozenset[str]] = frozenset({"risk_decision_id"})


def propose(
    records: Records, command: ProposeRiskDecision, seal: Seal, ids: NewIds
) -> RiskDecision:
    person = records.owned(Person, command.person_id, "personId")
    envelope = seal(person.service_id)
    rules = Rules()
    rules.require_text(command.activity, "risk.activity_required", "activity", "the activity")
    rules.enforce()
    return RiskDecision(envelope, str(person.id), command.activity.strip(), command.parts(),
                        id=ids.record())  # fmt: skip


def find_decision(records: Records, command: Any) -> Found[RiskDecision]:
    decision = records.owned(RiskDecision, command.risk_decision_id, "riskDecisionId")
    person = records.owned(Person, decision.person_id, "personId")
    return Found(decision, person.service_id)


def find_decision_to_agree(records: Records, command: AgreeRiskDecision) -> Found[RiskDecision]:
    """The decision, with whether the person has an advocate and each restriction it relies
    on as it now stands: read by the links stored when each was imposed."""
    decision = records.owned(RiskDecision, command.risk_decision_id, "riskDecisionId")
    person = records.owned(Person, decision.person_id, "personId")
    relied_on = []
    for restriction_id in decision.restriction_ids:
        restriction = records.owned(Restriction, restriction_id, "restrictionIds")
        relied_on.append(LinkedRestriction(str(restriction.id), restriction.person_id,
                                           restriction.status == IN_FORCE,
                                           restriction.terms.proportionality,
                                           restriction.review_by))  # fmt: skip
    extra = {"has_advocate": person.advocate is not None, "restrictions": relied_on}
    return Found(decision, person.service_id, extra=extra)


COMMANDS: list[Registration] = [
    Creation(ProposeRiskDecision, STAFF, propose),
    Change(RecordRiskDecisionParts, STAFF, find_decision, RiskDecision.record_parts),
    Change(
        AgreeRiskDecision,
        MANAGERS,
        find_decision_to_agree,
        RiskDecision.agree,
        adds=("has_advocate", "restrictions"),
    ),
    Change(ReviewRiskDecision, MANAGERS, find_decision, RiskDecision.review),
]

RECORD_TYPE = RecordType(RiskDecision, COMMANDS, PUBLISHED, value_types={"risk_parts": RiskParts})
