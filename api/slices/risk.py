"""Positive risk-taking decisions, restrictions (in force on any date, due for review, the
trend per month in a service), and whether the plan's staff guidance reflects them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.common import record_id, when
from api.context import Context
from domain.errors import RulesViolated, Violation
from projections.base import Row
from projections.restrictions import (
    RestrictivePractice,
    due_for_review,
    in_force_on,
    restrictions_of,
    trend,
)
from projections.risk import Alignment, RiskDecisions, alignment_findings, decisions_of

ContextInfo = Info[Context, None]


def _today() -> date:
    return datetime.now(UTC).date()


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


@strawberry.type(description="A positive risk-taking decision about an activity")
class RiskDecisionView:
    risk_decision_id: strawberry.ID
    person_id: strawberry.ID
    activity: str
    status: str = strawberry.field(description="draft or agreed")
    parts: JSON = strawberry.field(
        description="risks, could_go_right, could_go_wrong, safeguards, escalation, review_by, "
        "person_views, advocate_views (those recorded)"
    )
    safeguards: list[str]
    review_by: date | None
    restriction_ids: list[strawberry.ID] = strawberry.field(
        description="The restrictions confirmed when it was agreed"
    )
    agreed_by: str | None
    agreed_at: datetime | None
    last_review_outcome: str | None = strawberry.field(
        description="continue, relax_safeguards or tighten_safeguards"
    )
    last_reviewed_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> RiskDecisionView:
        return cls(risk_decision_id=strawberry.ID(row["risk_decision_id"]),
                   person_id=strawberry.ID(row["person_id"]), activity=row["activity"],
                   status=row["status"], parts=json.loads(row["parts"]),
                   safeguards=json.loads(row["safeguards"]), review_by=_day(row["review_by"]),
                   restriction_ids=[strawberry.ID(i) for i in json.loads(row["restriction_ids"])],
                   agreed_by=row["agreed_by"],
                   agreed_at=when(row["agreed_at"]) if row["agreed_at"] else None,
                   last_review_outcome=row["last_review_outcome"],
                   last_reviewed_at=when(row["last_reviewed_at"])
                   if row["last_reviewed_at"] else None)  # fmt: skip


@strawberry.enum(name="RestrictionStatus", description="Whether a restriction is in force")
class RestrictionStatus(Enum):
    IN_FORCE = "in_force"
    LIFTED = "lifted"


@strawberry.type(name="Restriction", description="A restriction of a person's rights or freedom")
class RestrictionView:
    restriction_id: strawberry.ID
    person_id: strawberry.ID
    service_id: str | None
    what: str
    why: str
    basis: str
    basis_detail: str | None
    proportionality: str
    agreed_by: str
    risk_decision_id: strawberry.ID | None
    incident_id: strawberry.ID | None
    after_incident: bool = strawberry.field(description="Imposed after an incident")
    imposed_at: datetime
    status: RestrictionStatus
    review_by: date = strawberry.field(
        description="The review-by date in force (as of the date asked, where one is asked); "
        "only a review moves it"
    )
    days_overdue: int = strawberry.field(
        description="Days past the review-by date, as of the date asked (default today); 0 if "
        "not overdue or lifted"
    )
    last_reviewed_at: datetime | None
    last_outcome: str | None = strawberry.field(description="continued, reduced or lifted")
    lifted_at: datetime | None

    @classmethod
    def from_row(cls, row: Row, on: date, review_by: date | None = None) -> RestrictionView:
        due = review_by or date.fromisoformat(str(row["review_by"]))
        # Asked about a date (review_by given), it was in force then, whatever happened since.
        status = RestrictionStatus.IN_FORCE if review_by else RestrictionStatus(row["status"])
        in_force = status == RestrictionStatus.IN_FORCE
        return cls(restriction_id=strawberry.ID(row["restriction_id"]),
                   person_id=strawberry.ID(row["person_id"]), service_id=row["service_id"],
                   what=row["what"], why=row["why"], basis=row["basis"],
                   basis_detail=row["basis_detail"], proportionality=row["proportionality"],
                   agreed_by=row["agreed_by"],
                   risk_decision_id=_id(row["risk_decision_id"]),
                   incident_id=_id(row["incident_id"]),
                   after_incident=row["incident_id"] is not None,
                   imposed_at=when(row["imposed_at"]), status=status, review_by=due,
                   days_overdue=max(0, (on - due).days) if in_force else 0,
                   last_reviewed_at=_when(row["last_reviewed_at"]),
                   last_outcome=row["last_outcome"],
                   lifted_at=_when(row["lifted_at"]))  # fmt: skip


def _id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value else None


def _when(value: Any) -> datetime | None:
    return when(value) if value else None


@strawberry.type(description="A month of restrictive practice in a service")
class RestrictivePracticeMonth:
    month: str = strawberry.field(description="YYYY-MM")
    imposed: int
    reviewed_on_time: int = strawberry.field(description="Reviews by their review-by date")
    reviewed_late: int
    overdue: int = strawberry.field(
        description="Review-by dates falling this month that were missed: met late, or not "
        "met (once past)"
    )
    reduced: int
    lifted: int


@strawberry.type(description="A restriction or safeguard the staff guidance does not reflect")
class AlignmentFinding:
    kind: str = strawberry.field(description="restriction or risk_decision")
    record_id: strawberry.ID = strawberry.field(description="The restriction or risk decision")
    missing: str = strawberry.field(description="The text the guidance does not contain")


@strawberry.type(description="Whether a person's staff guidance reflects their restrictions "
                 "in force and the safeguards of their agreed risk decisions")  # fmt: skip
class AlignmentCheck:
    person_id: strawberry.ID
    guidance: str | None
    findings: list[AlignmentFinding]


async def risk_decisions(info: ContextInfo, person_id: strawberry.ID) -> list[RiskDecisionView]:
    person = record_id(person_id, "personId")
    rows = await info.context.read_person("riskDecisions", person,
                                          lambda tx: decisions_of(tx, person),
                                          RiskDecisions.name)  # fmt: skip
    return [RiskDecisionView.from_row(row) for row in rows or []]


async def restrictions(
    info: ContextInfo, person_id: strawberry.ID, status: RestrictionStatus | None = None
) -> list[RestrictionView]:
    person, wanted = record_id(person_id, "personId"), status.value if status else None
    rows = await info.context.read_person("restrictions", person,
                                          lambda tx: restrictions_of(tx, person, wanted),
                                          RestrictivePractice.name)  # fmt: skip
    return [RestrictionView.from_row(row, _today()) for row in rows or []]


async def restrictions_due_for_review(
    info: ContextInfo, service_id: strawberry.ID, before: date
) -> list[RestrictionView]:
    service = info.context.reached_service("restrictionsDueForReview", str(service_id))
    tenant = info.context.caller().tenant_id
    rows = await info.context.read(lambda tx: due_for_review(tx, tenant, service, before),
                                   RestrictivePractice.name)  # fmt: skip
    _log(info, "restrictionsDueForReview", tenant, rows)
    return [RestrictionView.from_row(row, _today()) for row in rows]


async def restrictions_in_force(
    info: ContextInfo,
    service_id: strawberry.ID,
    as_of: Annotated[date | None, strawberry.argument(
        description="The date (default: today, UTC)")] = None,
) -> list[RestrictionView]:  # fmt: skip
    service = info.context.reached_service("restrictionsInForce", str(service_id))
    tenant, on = info.context.caller().tenant_id, as_of or _today()
    rows = await info.context.read(lambda tx: in_force_on(tx, tenant, service, on),
                                   RestrictivePractice.name)  # fmt: skip
    _log(info, "restrictionsInForce", tenant, rows)
    return [RestrictionView.from_row(row, on, date.fromisoformat(str(row["due_on_then"])))
            for row in rows]  # fmt: skip


async def restrictive_practice_trend(
    info: ContextInfo,
    service_id: strawberry.ID,
    from_: Annotated[date, strawberry.argument(name="from")],
    to: date,
) -> list[RestrictivePracticeMonth]:
    service = info.context.reached_service("restrictivePracticeTrend", str(service_id))
    if from_ > to or (to.year - from_.year) * 12 + to.month - from_.month >= 120:
        message = "`from` must not be after `to`, and the range at most ten years"
        raise RulesViolated([Violation("input.date.range", "from", message)])
    tenant = info.context.caller().tenant_id
    first, last = from_.strftime("%Y-%m"), to.strftime("%Y-%m")
    rows = await info.context.read(lambda tx: trend(tx, tenant, service, first, last, _today()),
                                   RestrictivePractice.name)  # fmt: skip
    return [RestrictivePracticeMonth(
        month=row["month"], imposed=row["imposed"], reviewed_on_time=row["reviewed_on_time"],
        reviewed_late=row["reviewed_late"], overdue=row["overdue"], reduced=row["reduced"],
        lifted=row["lifted"]) for row in rows]  # fmt: skip


async def alignment(info: ContextInfo, person_id: strawberry.ID) -> AlignmentCheck | None:
    person = record_id(person_id, "personId")
    found = await info.context.read_person("alignmentFindings", person,
                                           lambda tx: alignment_findings(tx, person),
                                           Alignment.name)  # fmt: skip
    if found is None:
        return None
    guidance, findings = found
    return AlignmentCheck(
        person_id=strawberry.ID(person), guidance=guidance["guidance"] if guidance else None,
        findings=[AlignmentFinding(kind=f["kind"], record_id=strawberry.ID(f["record_id"]),
                                   missing=f["missing"]) for f in findings],
    )  # fmt: skip


def _log(info: ContextInfo, field: str, tenant: str, rows: list[Row]) -> None:
    info.context.log_reads(field, tenant, [(r["person_id"], r["restriction_id"]) for r in rows])


@strawberry.type
class Query:
    risk_decisions: list[RiskDecisionView] = strawberry.field(
        resolver=risk_decisions,
        description="A person's positive risk-taking decisions, proposed and agreed",
    )
    restrictions: list[RestrictionView] = strawberry.field(
        resolver=restrictions,
        description="A person's restrictions (of one status, if given), with days overdue today",
    )
    restrictions_due_for_review: list[RestrictionView] = strawberry.field(
        resolver=restrictions_due_for_review,
        description="Restrictions in force in a service whose review-by date falls on or "
        "before `before`, with days overdue today",
    )
    restrictions_in_force: list[RestrictionView] = strawberry.field(
        resolver=restrictions_in_force,
        description="Restrictions in force in a service on a date, each with the review-by "
        "date in force then and its days overdue on that date",
    )
    restrictive_practice_trend: list[RestrictivePracticeMonth] = strawberry.field(
        resolver=restrictive_practice_trend,
        description="Per month from `from` to `to`: restrictions imposed, reviewed on time or "
        "late, overdue, reduced and lifted in a service",
    )
    alignment_findings: AlignmentCheck | None = strawberry.field(
        resolver=alignment,
        description="The person's staff guidance, and each restriction in force and each "
        "safeguard of an agreed risk decision it does not mention (null if out of reach)",
    )
