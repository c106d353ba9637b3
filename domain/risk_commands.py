"""Commands on positive risk-taking decisions and restrictions, and who may issue them."""

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
    Name,
    NewIds,
    Records,
    Registration,
    Seal,
    Text,
)
from domain.errors import Rules
from domain.person import Person
from domain.provider_policy import restriction_review_limit
from domain.restriction import (
    IN_FORCE,
    Restriction,
    RestrictionBasis,
    RestrictionTerms,
    ReviewOutcome,
)
from domain.risk_decision import LinkedRestriction, RiskDecision, RiskParts, RiskReviewOutcome

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
    """Agree a decision (managers), confirming the restrictions it relies on."""

    risk_decision_id: Key
    restriction_ids: Annotated[list[Key], MaxLen(20)] | None = None


@dataclass(frozen=True)
class ReviewRiskDecision(Command):
    """Review an agreed decision (managers): continue it, or relax or tighten its safeguards
    (giving them as they now stand); the reason is required."""

    risk_decision_id: Key
    outcome: RiskReviewOutcome
    next_review_by: date
    safeguards: Items | None = None
    locators: ClassVar[frozenset[str]] = frozenset({"risk_decision_id"})


@dataclass(frozen=True)
class ImposeRestriction(Command):
    """Impose a restriction (managers): what, why, its basis, why it is proportionate, the less
    restrictive options considered, who agreed, and its review-by date."""

    person_id: Key
    what: Text
    why: Text
    basis: RestrictionBasis
    proportionality: Text
    less_restrictive_options: Items
    agreed_by: Name
    review_by: date
    basis_detail: Text | None = None
    risk_decision_id: Key | None = None
    incident_id: Key | None = None


@dataclass(frozen=True)
class ReviewRestriction(Command):
    """Review a restriction (managers): continued with a fresh justification, reduced (saying
    what changed) or lifted; kept in force, it needs its next review-by date."""

    restriction_id: Key
    outcome: ReviewOutcome
    justification: Text | None = None
    what_changed: Text | None = None
    next_review_by: date | None = None


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


def agree(records: Records, command: AgreeRiskDecision, seal: Seal, ids: NewIds) -> RiskDecision:
    decision = records.owned(RiskDecision, command.risk_decision_id, "riskDecisionId")
    person = records.owned(Person, decision.person_id, "personId")
    envelope = seal(person.service_id)
    linked = []
    for restriction_id in command.restriction_ids or []:
        restriction = records.owned(Restriction, restriction_id, "restrictionIds")
        linked.append(LinkedRestriction(str(restriction.id), restriction.person_id,
                                        restriction.status == IN_FORCE,
                                        restriction.terms.proportionality,
                                        restriction.review_by))  # fmt: skip
    decision.agree(envelope, person.advocate is not None, linked)
    return decision


def impose(records: Records, command: ImposeRestriction, seal: Seal, ids: NewIds) -> Restriction:
    person = records.owned(Person, command.person_id, "personId")
    envelope = seal(person.service_id)
    rules = Rules()
    if command.risk_decision_id:
        decision = records.owned(RiskDecision, command.risk_decision_id, "riskDecisionId")
        rules.check(decision.person_id == str(person.id), "restriction.risk_decision.other_person",
                    "riskDecisionId", "the risk decision is about another person")  # fmt: skip
    terms = RestrictionTerms(
        what=command.what.strip(), why=command.why.strip(), basis=command.basis,
        basis_detail=command.basis_detail, proportionality=command.proportionality.strip(),
        less_restrictive_options=[o.strip() for o in command.less_restrictive_options],
        agreed_by=command.agreed_by.strip(), review_by=command.review_by,
        risk_decision_id=command.risk_decision_id, incident_id=command.incident_id,
    )  # fmt: skip
    terms.check(rules, envelope.effective_at, restriction_review_limit(records))
    rules.enforce()
    return Restriction(envelope, str(person.id), terms, id=ids.record())


def review_restriction(
    records: Records, command: ReviewRestriction, seal: Seal, ids: NewIds
) -> Restriction:
    restriction = records.owned(Restriction, command.restriction_id, "restrictionId")
    person = records.owned(Person, restriction.person_id, "personId")
    envelope = seal(person.service_id)
    restriction.review(envelope, command.outcome, command.justification, command.what_changed,
                       command.next_review_by, restriction_review_limit(records))  # fmt: skip
    return restriction


COMMANDS: list[Registration] = [
    Creation(ProposeRiskDecision, STAFF, propose),
    Change(RecordRiskDecisionParts, STAFF, find_decision, RiskDecision.record_parts),
    Creation(AgreeRiskDecision, MANAGERS, agree),
    Change(ReviewRiskDecision, MANAGERS, find_decision, RiskDecision.review),
    Creation(ImposeRestriction, MANAGERS, impose),
    Creation(ReviewRestriction, MANAGERS, review_restriction),
]
