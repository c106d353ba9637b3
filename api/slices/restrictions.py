"""Restrictions of a person, restrictions in force or due for review in a service, and the
monthly trend of restrictive practice: each as the records stood at any moment, as recorded at
any time."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    MomentFields,
    PersonId,
    ServiceId,
    describe_values,
    moment,
    optional_id,
    optional_when,
    record_id,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, listed, window, windowed
from domain.errors import RulesViolated, Violation
from domain.restriction import Restriction as RestrictionRecord
from domain.restriction import RestrictionBasis, ReviewOutcome
from domain.risk_decision import RiskDecision as RiskDecisionRecord
from projections.base import Row
from projections.people import People
from projections.restrictions import Restrictions, in_force, restrictions_of, trend
from projections.states import Moment

ContextInfo = Info[Context, None]
DECISION_READERS = readers_of(RiskDecisionRecord)
RESTRICTION_READERS = readers_of(RestrictionRecord)


@strawberry.enum(description="Whether a restriction is in force")
class RestrictionStatus(Enum):
    IN_FORCE = "in_force"
    LIFTED = "lifted"


describe_values(RestrictionStatus, {
    "IN_FORCE": "Restricting the person now (at asOf)",
    "LIFTED": "Lifted by a review",
})  # fmt: skip


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
            agreed_by=row["agreed_by"], risk_decision_id=optional_id(row["risk_decision_id"]),
            incident_id=optional_id(row["incident_id"]),
            after_incident=row["incident_id"] is not None, imposed_at=when(row["imposed_at"]),
            status=status, review_by=due, days_overdue=max(0, overdue),
            last_reviewed_at=optional_when(row["last_reviewed_at"]),
            last_outcome=ReviewOutcome(outcome) if outcome else None,
            lifted_at=optional_when(row["lifted_at"]), version=row["version"],
            **MomentFields.of(at),
        )  # fmt: skip


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


Status = Annotated[
    RestrictionStatus | None,
    strawberry.argument(description="Only restrictions of this status (default: either)"),
]
Before = Annotated[
    date, strawberry.argument(description="The last review-by date to list (on or before it)")
]


async def restrictions(
    info: ContextInfo, person_id: PersonId, status: Status = None, first: First = 50,
    after: After = None, as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[Restriction]:  # fmt: skip
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    wanted = status.value if status else None
    rows = await info.context.read_person("restrictions", person,
                                          lambda tx: restrictions_of(tx, person, wanted, at),
                                          Restrictions.name)  # fmt: skip
    page, _ = listed(rows or [], first, after, "restrictions",
                     lambda row: Restriction.from_row(row, at))  # fmt: skip
    return page


async def restrictions_due_for_review(
    info: ContextInfo, service_id: ServiceId, before: Before, first: First = 50,
    after: After = None, as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[Restriction]:  # fmt: skip
    field = "restrictionsDueForReview"
    return await _in_force(info, field, service_id, as_of, as_known_at, before, first, after)


async def restrictions_in_force(
    info: ContextInfo, service_id: ServiceId, first: First = 50, after: After = None,
    as_of: AsOf = None, as_known_at: AsKnownAt = None,
) -> Connection[Restriction]:  # fmt: skip
    field = "restrictionsInForce"
    return await _in_force(info, field, service_id, as_of, as_known_at, None, first, after)


async def _in_force(
    info: ContextInfo, field: str, service_id: strawberry.ID, as_of: datetime | None,
    as_known_at: datetime | None, due_by: date | None, first: int, after: str | None,
) -> Connection[Restriction]:  # fmt: skip
    """The page asked for, cut by the database: only the restrictions it shows are logged as
    read."""
    service = info.context.reached_service(field, str(service_id))
    tenant, at = info.context.caller().tenant_id, info.context.moment(as_of, as_known_at)
    cut = window(first, after, field)
    rows = await info.context.read(
        lambda tx: in_force(tx, tenant, service, at, due_by, cut.limit, cut.offset),
        Restrictions.name, People.name,
    )  # fmt: skip
    page, shown = windowed(rows, cut, after, field, lambda row: Restriction.from_row(row, at))
    info.context.log_reads(field, tenant, [(r["person_id"], r["restriction_id"]) for r in shown])
    return page


async def restrictive_practice_trend(
    info: ContextInfo,
    service_id: ServiceId,
    from_: Annotated[date, strawberry.argument(name="from", description="The first month")],
    to: Annotated[date, strawberry.argument(description="The last month")],
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> list[RestrictivePracticeMonth]:
    service = info.context.reached_service("restrictivePracticeTrend", str(service_id))
    if from_ > to or (to.year - from_.year) * 12 + to.month - from_.month >= 120:
        message = "`from` must not be after `to`, and the range at most ten years"
        raise RulesViolated([Violation("input.date.range", "from", message)])
    tenant, at = info.context.caller().tenant_id, info.context.moment(as_of, as_known_at)
    first, last = from_.strftime("%Y-%m"), to.strftime("%Y-%m")
    rows = await info.context.read(lambda tx: trend(tx, tenant, service, first, last, at),
                                   Restrictions.name, People.name)  # fmt: skip
    return [RestrictivePracticeMonth(**row) for row in rows]


@strawberry.type
class Query:
    restrictions: Connection[Restriction] = strawberry.field(
        resolver=restrictions,
        description="A person's restrictions (of one status, if given) as they stood at a "
        "moment, with days overdue then, in the order they were imposed",
        extensions=readable_by(RESTRICTION_READERS),
    )
    restrictions_due_for_review: Connection[Restriction] = strawberry.field(
        resolver=restrictions_due_for_review,
        description="Restrictions in force at a moment, for the people a service supported "
        "then, whose review-by date falls on or before `before`, with days overdue then, "
        "earliest review-by date first",
        extensions=readable_by(RESTRICTION_READERS),
    )
    restrictions_in_force: Connection[Restriction] = strawberry.field(
        resolver=restrictions_in_force,
        description="Restrictions in force at a moment for the people a service supported "
        "then, each with the review-by date in force then and its days overdue then, earliest "
        "review-by date first",
        extensions=readable_by(RESTRICTION_READERS),
    )
    restrictive_practice_trend: list[RestrictivePracticeMonth] = strawberry.field(
        resolver=restrictive_practice_trend,
        description="Per month from `from` to `to`, for the people a service supported at asOf: "
        "restrictions imposed, reviewed on time or late, overdue, reduced and lifted. A plain "
        "list, not paged: one entry per month, and the range is at most ten years (120 months)",
        extensions=readable_by(RESTRICTION_READERS),
    )
