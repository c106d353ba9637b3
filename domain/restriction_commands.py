"""Commands on restrictions, and who may issue them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar

from annotated_types import MaxLen

from domain.commands import (
    MANAGERS,
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
from domain.incident import Incident
from domain.person import Person
from domain.provider_policy import restriction_review_limit
from domain.record import Record
from domain.record_type import RecordType
from domain.restriction import (
    PUBLISHED,
    Restriction,
    RestrictionBasis,
    RestrictionTerms,
    ReviewOutcome,
)
from domain.risk_decision import RiskDecision

Items = Annotated[list[Text], MaxLen(30)]


@dataclass(frozen=True)
class ImposeRestriction(Command):
    """Impose a restriction (managers): what, why, its basis, why it is proportionate, the less
    restrictive options considered, who agreed, and its review-by date. A restriction imposed
    for a positive risk-taking decision names it; the decision then relies on it."""

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
    incident_id: Key | None = None  # imposed after this incident of the person


@dataclass(frozen=True)
class ReviewRestriction(Command):
    """Review a restriction (managers): continued with a fresh justification, reduced (saying
    what changed) or lifted, reducing or lifting with a reason; kept in force, it needs its
    next review-by date."""

    restriction_id: Key
    outcome: ReviewOutcome
    justification: Text | None = None
    what_changed: Text | None = None
    next_review_by: date | None = None
    locators: ClassVar[frozenset[str]] = frozenset({"restriction_id"})


def impose(
    records: Records, command: ImposeRestriction, seal: Seal, ids: NewIds
) -> Restriction | tuple[Record, ...]:
    person = records.owned(Person, command.person_id, "personId")
    envelope = seal(person.service_id)
    rules = Rules()
    decision = None
    if command.risk_decision_id:
        decision = records.owned(RiskDecision, command.risk_decision_id, "riskDecisionId")
        rules.check(decision.person_id == str(person.id), "restriction.risk_decision.other_person",
                    "riskDecisionId", "the risk decision is about another person")  # fmt: skip
    incident = None
    if command.incident_id:
        incident = records.owned(Incident, command.incident_id, "incidentId")
        rules.check(incident.person_id == str(person.id), "restriction.incident.other_person",
                    "incidentId", "the incident happened to another person")  # fmt: skip
    terms = RestrictionTerms(
        what=command.what.strip(), why=command.why.strip(), basis=command.basis,
        basis_detail=command.basis_detail, proportionality=command.proportionality.strip(),
        less_restrictive_options=[o.strip() for o in command.less_restrictive_options],
        agreed_by=command.agreed_by.strip(), review_by=command.review_by,
        risk_decision_id=command.risk_decision_id, incident_id=command.incident_id,
    )  # fmt: skip
    terms.check(rules, envelope.effective_at, restriction_review_limit(records))
    rules.enforce()
    restriction = Restriction(envelope, str(person.id), terms, id=ids.record())
    # Each link is stored on both records, saved together.
    if decision is not None:
        decision.rely_on(envelope, str(restriction.id))
    if incident is not None:
        incident.followed_by_restriction(envelope, str(restriction.id))
    linked: list[RiskDecision | Incident] = [r for r in (decision, incident) if r is not None]
    return (restriction, *linked)


def find_restriction(records: Records, command: ReviewRestriction) -> Found[Restriction]:
    restriction = records.owned(Restriction, command.restriction_id, "restrictionId")
    person = records.owned(Person, restriction.person_id, "personId")
    extra = {"limit": restriction_review_limit(records)}
    return Found(restriction, person.service_id, extra=extra)


COMMANDS: list[Registration] = [
    Creation(ImposeRestriction, MANAGERS, impose),
    Change(ReviewRestriction, MANAGERS, find_restriction, Restriction.review, adds=("limit",)),
]

RECORD_TYPE = RecordType(
    Restriction, COMMANDS, PUBLISHED, value_types={"restriction_terms": RestrictionTerms}
)
