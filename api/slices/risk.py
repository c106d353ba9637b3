"""Positive risk-taking decisions and restrictions of a person, restrictions in force or due in a
service, the monthly trend of restrictive practice, and whether the plan's staff guidance
reflects them: each as the records stood at any moment, as recorded at any time."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import AS_KNOWN_AT, AS_OF, MomentFields, day, moment, record_id, when
from api.context import Context
from domain.errors import RulesViolated, Violation
from domain.restriction import Restriction as RestrictionRecord
from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.risk_decision import RiskDecision as RiskDecisionRecord
from domain.risk_decision import RiskReviewOutcome
from projections.alignment import READ_MODELS, alignment_findings
from projections.base import Row
from projections.people import People
from projections.restrictions import Restrictions, in_force, restrictions_of, trend
from projections.risk_decisions import RiskDecisions, decisions_of
from projections.states import Moment
from projections.support_plans import SupportPlans

ContextInfo = Info[Context, None]
DECISION_READERS = readers_of(RiskDecisionRecord)
RESTRICTION_READERS = readers_of(RestrictionRecord)
MomentOf = Annotated[datetime | None, AS_OF]
KnownAt = Annotated[datetime | None, AS_KNOWN_AT]


@strawberry.enum(description="Where a positive risk-taking decision stands")
class RiskDecisionStatus(Enum):
    DRAFT = "draft"
    AGREED = "agreed"


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
            agreed_by=doc["agreedBy"], agreed_at=_when(doc["agreedAt"]),
            last_review_outcome=RiskReviewOutcome(outcome) if outcome else None,
            last_reviewed_at=_when(doc["lastReviewedAt"]), version=row["version"],
            **MomentFields.of(at),
        )  # fmt: skip


@strawberry.enum(description="Whether a restriction is in force")
class RestrictionStatus(Enum):
    IN_FORCE = "in_force"
    LIFTED = "lifted"


@strawberry.type(description="A restriction of a person's rights or freedom, as it stood at a "
                 "moment")  # fmt: skip
class Restriction(MomentFields):
    restriction_id: strawberry.ID = strawberry.field(description="The restriction")
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    what: str = strawberry.field(description="What is restricted")
    why: str = strawberry.field(description="Why")
    basis: RestrictionBasis = strawberry.field(description="On what basis")
    basis_detail: str | None = strawberry.field(description="The basis, when it is OTHER")
    proportionality: str = strawberry.field(description="Why it is proportionate")
    less_restrictive_options: list[str] = strawberry.field(
        description="The less restrictive options considered"
    )
    agreed_by: str = strawberry.field(description="Who agreed it")
    risk_decision_id: strawberry.ID | None = strawberry.field(
        description="The risk decision it was imposed for, if any"
    )
    incident_id: strawberry.ID | None = strawberry.field(
        description="The incident it was imposed after, if any"
    )
    after_incident: bool = strawberry.field(description="Imposed after an incident")
    imposed_at: datetime = strawberry.field(description="When it took effect")
    status: RestrictionStatus = strawberry.field(description="In force, or lifted")
    review_by: date = strawberry.field(
        description="The review-by date in force at asOf; only a review moves it"
    )
    days_overdue: int = strawberry.field(
        description="Days past the review-by date at asOf; 0 if not overdue or lifted"
    )
    last_reviewed_at: datetime | None = strawberry.field(description="When it was last reviewed")
    last_outcome: ReviewOutcome | None = strawberry.field(
        description="What its last review decided"
    )
    lifted_at: datetime | None = strawberry.field(description="When it was lifted")
    version: int = strawberry.field(description="The restriction's version then")

    @classmethod
    def from_row(cls, row: Row, at: Moment) -> Restriction:
        due = date.fromisoformat(str(row["review_by"]))
        status = RestrictionStatus(row["status"])
        overdue = (at.as_of.date() - due).days if status is RestrictionStatus.IN_FORCE else 0
        outcome = row["last_outcome"]
        return cls(
            restriction_id=strawberry.ID(row["restriction_id"]),
            person_id=strawberry.ID(row["person_id"]), what=row["what"], why=row["why"],
            basis=RestrictionBasis(row["basis"]), basis_detail=row["basis_detail"],
            proportionality=row["proportionality"],
            less_restrictive_options=json.loads(row["less_restrictive_options"]),
            agreed_by=row["agreed_by"], risk_decision_id=_id(row["risk_decision_id"]),
            incident_id=_id(row["incident_id"]), after_incident=row["incident_id"] is not None,
            imposed_at=when(row["imposed_at"]), status=status, review_by=due,
            days_overdue=max(0, overdue), last_reviewed_at=_when(row["last_reviewed_at"]),
            last_outcome=ReviewOutcome(outcome) if outcome else None,
            lifted_at=_when(row["lifted_at"]), version=row["version"], **MomentFields.of(at),
        )  # fmt: skip


def _id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value else None


def _when(value: Any) -> datetime | None:
    return when(value) if value else None


@strawberry.type(description="A month of restrictive practice in a service")
class RestrictivePracticeMonth:
    month: str = strawberry.field(description="YYYY-MM")
    imposed: int = strawberry.field(description="Restrictions imposed")
    reviewed_on_time: int = strawberry.field(description="Reviews by their review-by date")
    reviewed_late: int = strawberry.field(description="Reviews after their review-by date")
    overdue: int = strawberry.field(
        description="Review-by dates falling this month that were missed: met late, or not "
        "met by asOf (once past)"
    )
    reduced: int = strawberry.field(description="Restrictions reduced")
    lifted: int = strawberry.field(description="Restrictions lifted")


@strawberry.enum(description="What kind of record a finding names")
class AlignmentFindingKind(Enum):
    RESTRICTION = "restriction"
    RISK_DECISION = "risk_decision"


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
    info: ContextInfo, person_id: strawberry.ID, as_of: MomentOf = None, as_known_at: KnownAt = None
) -> list[RiskDecision]:
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    rows = await info.context.read_person("riskDecisions", person,
                                          lambda tx: decisions_of(tx, person, at),
                                          RiskDecisions.name)  # fmt: skip
    return [RiskDecision.from_row(row, at) for row in rows or []]


async def restrictions(
    info: ContextInfo, person_id: strawberry.ID, status: RestrictionStatus | None = None,
    as_of: MomentOf = None, as_known_at: KnownAt = None,
) -> list[Restriction]:  # fmt: skip
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    wanted = status.value if status else None
    rows = await info.context.read_person("restrictions", person,
                                          lambda tx: restrictions_of(tx, person, wanted, at),
                                          Restrictions.name)  # fmt: skip
    return [Restriction.from_row(row, at) for row in rows or []]


async def restrictions_due_for_review(
    info: ContextInfo, service_id: strawberry.ID, before: date, as_of: MomentOf = None,
    as_known_at: KnownAt = None,
) -> list[Restriction]:  # fmt: skip
    return await _in_force(info, "restrictionsDueForReview", service_id, as_of, as_known_at,
                           before)  # fmt: skip


async def restrictions_in_force(
    info: ContextInfo, service_id: strawberry.ID, as_of: MomentOf = None,
    as_known_at: KnownAt = None,
) -> list[Restriction]:  # fmt: skip
    return await _in_force(info, "restrictionsInForce", service_id, as_of, as_known_at, None)


async def _in_force(
    info: ContextInfo, field: str, service_id: strawberry.ID, as_of: datetime | None,
    as_known_at: datetime | None, due_by: date | None,
) -> list[Restriction]:  # fmt: skip
    service = info.context.reached_service(field, str(service_id))
    tenant, at = info.context.caller().tenant_id, moment(as_of, as_known_at)
    rows = await info.context.read(lambda tx: in_force(tx, tenant, service, at, due_by),
                                   Restrictions.name, People.name)  # fmt: skip
    info.context.log_reads(field, tenant, [(r["person_id"], r["restriction_id"]) for r in rows])
    return [Restriction.from_row(row, at) for row in rows]


async def restrictive_practice_trend(
    info: ContextInfo,
    service_id: strawberry.ID,
    from_: Annotated[date, strawberry.argument(name="from", description="The first month")],
    to: Annotated[date, strawberry.argument(description="The last month")],
    as_of: MomentOf = None,
    as_known_at: KnownAt = None,
) -> list[RestrictivePracticeMonth]:
    service = info.context.reached_service("restrictivePracticeTrend", str(service_id))
    if from_ > to or (to.year - from_.year) * 12 + to.month - from_.month >= 120:
        message = "`from` must not be after `to`, and the range at most ten years"
        raise RulesViolated([Violation("input.date.range", "from", message)])
    tenant, at = info.context.caller().tenant_id, moment(as_of, as_known_at)
    first, last = from_.strftime("%Y-%m"), to.strftime("%Y-%m")
    rows = await info.context.read(lambda tx: trend(tx, tenant, service, first, last, at),
                                   Restrictions.name, People.name)  # fmt: skip
    return [RestrictivePracticeMonth(**row) for row in rows]


async def alignment(
    info: ContextInfo, person_id: strawberry.ID, as_of: MomentOf = None, as_known_at: KnownAt = None
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
    risk_decisions: list[RiskDecision] = strawberry.field(
        resolver=risk_decisions,
        description="A person's positive risk-taking decisions, proposed and agreed, as they "
        "stood at a moment",
        extensions=readable_by(DECISION_READERS),
    )
    restrictions: list[Restriction] = strawberry.field(
        resolver=restrictions,
        description="A person's restrictions (of one status, if given) as they stood at a "
        "moment, with days overdue then",
        extensions=readable_by(RESTRICTION_READERS),
    )
    restrictions_due_for_review: list[Restriction] = strawberry.field(
        resolver=restrictions_due_for_review,
        description="Restrictions in force at a moment, for the people a service supported "
        "then, whose review-by date falls on or before `before`, with days overdue then",
        extensions=readable_by(RESTRICTION_READERS),
    )
    restrictions_in_force: list[Restriction] = strawberry.field(
        resolver=restrictions_in_force,
        description="Restrictions in force at a moment for the people a service supported "
        "then, each with the review-by date in force then and its days overdue then",
        extensions=readable_by(RESTRICTION_READERS),
    )
    restrictive_practice_trend: list[RestrictivePracticeMonth] = strawberry.field(
        resolver=restrictive_practice_trend,
        description="Per month from `from` to `to`, for the people a service supported at asOf: "
        "restrictions imposed, reviewed on time or late, overdue, reduced and lifted",
        extensions=readable_by(RESTRICTION_READERS),
    )
    alignment_findings: AlignmentCheck | None = strawberry.field(
        resolver=alignment,
        description="The person's staff guidance, and each restriction in force and each "
        "safeguard of an agreed risk decision it does not mention, at a moment (null if out of "
        "reach)",
        extensions=readable_by(readers_of(RestrictionRecord, RiskDecisionRecord)),
    )
