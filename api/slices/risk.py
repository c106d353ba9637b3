"""Positive risk-taking decisions of a person, and whether the plan's staff guidance reflects
them and the person's restrictions: each as the records stood at any moment, as recorded at any
time."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    MomentFields,
    PersonId,
    day,
    describe_values,
    moment,
    optional_when,
    record_id,
)
from api.context import Context
from api.pagination import After, Connection, First, listed
from domain.restriction import Restriction as RestrictionRecord
from domain.risk_decision import RiskDecision as RiskDecisionRecord
from domain.risk_decision import RiskReviewOutcome
from projections.alignment import READ_MODELS, alignment_findings
from projections.base import Row
from projections.risk_decisions import RiskDecisions, decisions_of
from projections.states import Moment
from projections.support_plans import SupportPlans

ContextInfo = Info[Context, None]
DECISION_READERS = readers_of(RiskDecisionRecord)
RESTRICTION_READERS = readers_of(RestrictionRecord)


@strawberry.enum(description="Where a positive risk-taking decision stands")
class RiskDecisionStatus(Enum):
    DRAFT = "draft"
    AGREED = "agreed"


describe_values(RiskDecisionStatus, {
    "DRAFT": "Proposed, not yet agreed by a manager",
    "AGREED": "Agreed by a manager; reviewed by its review-by date",
})  # fmt: skip


@strawberry.type(description="What a risk decision records; null (or empty) until given")
class RiskParts:
    risks: list[str] | None = strawberry.field(description="The risks identified")
    could_go_right: str | None = strawberry.field(description="What could go right")
    could_go_wrong: str | None = strawberry.field(description="What could go wrong")
    safeguards: list[str] | None = strawberry.field(description="The agreed safeguards")
    escalation: str | None = strawberry.field(description="The escalation procedure")
    review_by: date | None = strawberry.field(description="When it will be reviewed")
    person_views: str | None = strawberry.field(description="The person's views, in their words")
    advocate_views: str | None = strawberry.field(description="Their advocate's views")

    @classmethod
    def from_document(cls, parts: dict[str, Any]) -> RiskParts:
        return cls(risks=parts["risks"], could_go_right=parts["couldGoRight"],
                   could_go_wrong=parts["couldGoWrong"], safeguards=parts["safeguards"],
                   escalation=parts["escalation"], review_by=day(parts["reviewBy"]),
                   person_views=parts["personViews"],
                   advocate_views=parts["advocateViews"])  # fmt: skip


@strawberry.type(description="A positive risk-taking decision about an activity, as it stood at "
                 "a moment")  # fmt: skip
class RiskDecision(MomentFields):
    risk_decision_id: strawberry.ID = strawberry.field(description="The decision")
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    activity: str = strawberry.field(description="The activity the person wants to do")
    status: RiskDecisionStatus = strawberry.field(description="Draft, or agreed by a manager")
    parts: RiskParts = strawberry.field(description="What it records")
    restriction_ids: list[strawberry.ID] = strawberry.field(
        description="The restrictions it relies on (each imposed naming it)"
    )
    agreed_by: str | None = strawberry.field(description="The manager who agreed it")
    agreed_at: datetime | None = strawberry.field(description="When it was agreed")
    last_review_outcome: RiskReviewOutcome | None = strawberry.field(
        description="What its last review decided"
    )
    last_reviewed_at: datetime | None = strawberry.field(description="When it was last reviewed")
    version: int = strawberry.field(description="The decision's version then")

    @classmethod
    def from_row(cls, row: Row, at: Moment) -> RiskDecision:
        doc = json.loads(row["document"])
        outcome = doc["lastReviewOutcome"]
        return cls(
            risk_decision_id=strawberry.ID(row["risk_decision_id"]),
            person_id=strawberry.ID(row["person_id"]), activity=row["activity"],
            status=RiskDecisionStatus(row["status"]), parts=RiskParts.from_document(doc["parts"]),
            restriction_ids=[strawberry.ID(i) for i in doc["restrictionIds"]],
            agreed_by=doc["agreedBy"], agreed_at=optional_when(doc["agreedAt"]),
            last_review_outcome=RiskReviewOutcome(outcome) if outcome else None,
            last_reviewed_at=optional_when(doc["lastReviewedAt"]), version=row["version"],
            **MomentFields.of(at),
        )  # fmt: skip


@strawberry.enum(description="What kind of record a finding names")
class AlignmentFindingKind(Enum):
    RESTRICTION = "restriction"
    RISK_DECISION = "risk_decision"


describe_values(AlignmentFindingKind, {
    "RESTRICTION": "A restriction in force the guidance does not mention",
    "RISK_DECISION": "A safeguard of an agreed risk decision the guidance does not mention",
})  # fmt: skip


@strawberry.type(description="A restriction or safeguard the staff guidance does not reflect")
class AlignmentFinding:
    kind: AlignmentFindingKind = strawberry.field(description="Restriction or risk decision")
    record_id: strawberry.ID = strawberry.field(description="The restriction or risk decision")
    missing: str = strawberry.field(description="The text the guidance does not contain")


@strawberry.type(
    description="Whether a person's staff guidance reflects their restrictions in "
    "force and the safeguards of their agreed risk decisions, at a moment"
)
class AlignmentCheck(MomentFields):
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    guidance: str | None = strawberry.field(description="The plan's staff guidance then")
    findings: list[AlignmentFinding] = strawberry.field(description="Each text it lacks")


async def risk_decisions(
    info: ContextInfo, person_id: PersonId, first: First = 50, after: After = None,
    as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[RiskDecision]:  # fmt: skip
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    rows = await info.context.read_person("riskDecisions", person,
                                          lambda tx: decisions_of(tx, person, at),
                                          RiskDecisions.name)  # fmt: skip
    page, _ = listed(rows or [], first, after, "riskDecisions",
                     lambda row: RiskDecision.from_row(row, at))  # fmt: skip
    return page


async def alignment(
    info: ContextInfo, person_id: PersonId, as_of: AsOf = None, as_known_at: AsKnownAt = None
) -> AlignmentCheck | None:
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    plans = cast(SupportPlans, info.context.runtime.projector.model(SupportPlans.name))
    found = await info.context.read_person("alignmentFindings", person,
                                           lambda tx: alignment_findings(tx, plans, person, at),
                                           *READ_MODELS)  # fmt: skip
    if found is None:
        return None
    guidance, findings = found
    return AlignmentCheck(
        person_id=strawberry.ID(person), guidance=guidance,
        findings=[AlignmentFinding(kind=AlignmentFindingKind(f["kind"]),
                                   record_id=strawberry.ID(f["record_id"]),
                                   missing=f["missing"]) for f in findings],
        **MomentFields.of(at),
    )  # fmt: skip


@strawberry.type
class Query:
    risk_decisions: Connection[RiskDecision] = strawberry.field(
        resolver=risk_decisions,
        description="A person's positive risk-taking decisions, proposed and agreed, as they "
        "stood at a moment, in the order they were proposed",
        extensions=readable_by(DECISION_READERS),
    )
    alignment_findings: AlignmentCheck | None = strawberry.field(
        resolver=alignment,
        description="The person's staff guidance, and each restriction in force and each "
        "safeguard of an agreed risk decision it does not mention, at a moment (null if out of "
        "reach)",
        extensions=readable_by(readers_of(RestrictionRecord, RiskDecisionRecord)),
    )
