"""Support plans: each living plan at any moment, how it evolved, and what changed between two
moments."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    Actor,
    AsKnownAt,
    AsOf,
    PersonId,
    Position,
    moment,
    record_id,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, check_page_size, connection, decode_cursor
from api.plan_types import SupportPlan
from api.plan_values import PlanValue, plan_value
from domain.errors import RulesViolated, Violation
from domain.support_plan import SupportPlan as Plan
from projections.base import Row
from projections.plan_diff import FieldDifference, plan_diff
from projections.plan_versions import plan_versions_page
from projections.support_plans import SupportPlans, get_plan

ContextInfo = Info[Context, None]
READERS = readers_of(Plan)
SINCE = "The earlier moment: the plan as in force then"


@strawberry.type(description="One field a change touched.")
class FieldChange:
    field: str = strawberry.field(description="Dotted path, e.g. outcomes.<id>.target")
    before: PlanValue | None = strawberry.field(description="Its value before (null: none)")
    after: PlanValue | None = strawberry.field(description="Its value after (null: none)")

    @classmethod
    def of(cls, change: dict[str, Any]) -> FieldChange:
        path = change["field"]
        return cls(field=path, before=plan_value(path, change["before"]),
                   after=plan_value(path, change["after"]))  # fmt: skip


@strawberry.type(description="That a change was marked as entered in error, and by which change.")
class EnteredInError:
    at: datetime = strawberry.field(description="When the correction was recorded")
    by_version: int = strawberry.field(
        description="The plan's version that marked it: its own entry says who and why"
    )


@strawberry.type(description="One change to a support plan: who, when, why, and what changed.")
class PlanVersion:
    version: int = strawberry.field(description="The plan's version this change made")
    position: Position = strawberry.field(description="Its place in the global log")
    event_type: str = strawberry.field(description="What kind of change, e.g. "
                                       "SupportPlan.SupportHoursReduced")  # fmt: skip
    recorded_at: datetime = strawberry.field(description="When the change was recorded")
    effective_at: datetime = strawberry.field(description="When it happened or took effect")
    actor: Actor = strawberry.field(description="Who made it")
    reason: str | None = strawberry.field(description="Why (required once a plan is agreed)")
    summary: str = strawberry.field(description="The change in words")
    changes: list[FieldChange] = strawberry.field(description="Each field it touched")
    causation_id: strawberry.ID | None = strawberry.field(
        description="The event this change followed from, as <recordId>/<version>: e.g. the "
        "review that decided it, or the setback that led to a step back"
    )
    entered_in_error: EnteredInError | None = strawberry.field(
        description="Set when the change was marked as entered in error (as known at asKnownAt): "
        "the plan reads from then on as if it had never been made"
    )

    @classmethod
    def from_row(cls, row: Row) -> PlanVersion:
        voided = row.get("voided_at")
        return cls(
            version=row["version"],
            position=row["position"],
            event_type=row["event_type"],
            recorded_at=when(row["recorded_at"]),
            effective_at=when(row["effective_at"]),
            actor=Actor.from_row(row),
            reason=row["reason"],
            summary=row["summary"],
            changes=[FieldChange.of(change) for change in json.loads(row["changes"])],
            causation_id=strawberry.ID(row["causation_id"]) if row["causation_id"] else None,
            entered_in_error=EnteredInError(at=when(voided), by_version=row["voided_by_version"])
            if voided
            else None,
        )


def plans_model(info: ContextInfo) -> SupportPlans:
    """The read model itself: reading a plan at a moment may replay a few of its events."""
    return cast(SupportPlans, info.context.runtime.projector.model(SupportPlans.name))


@strawberry.type(description="A plan's changes, page by page, as of a moment.")
class PlanHistory(Connection[PlanVersion]):
    as_of: datetime = strawberry.field(description="This describes what was in force then")
    as_known_at: datetime = strawberry.field(description="...as recorded by then")


async def support_plan(
    info: ContextInfo,
    person_id: PersonId,
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> SupportPlan | None:
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    plans = plans_model(info)
    row = await info.context.read_person(
        "supportPlan", person, lambda tx: get_plan(tx, plans, person, at), SupportPlans.name
    )
    return SupportPlan.from_row(row, at) if row else None


async def plan_history(
    info: ContextInfo,
    person_id: PersonId,
    first: First = 20,
    after: After = None,
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> PlanHistory:
    check_page_size(first)
    start = decode_cursor("version", after)
    person, at = record_id(person_id, "personId"), moment(as_of, as_known_at)
    rows = await info.context.read_person(
        "planHistory",
        person,
        lambda tx: plan_versions_page(tx, person, start, first, at.as_of, at.as_known_at),
        SupportPlans.name,
    )
    page = connection(
        rows or [], first, after, "version", lambda r: r["version"], PlanVersion.from_row
    )
    return PlanHistory(
        edges=page.edges, page_info=page.page_info, as_of=at.as_of, as_known_at=at.as_known_at
    )


@strawberry.type(description="One field that differs between two moments, and why.")
class PlanDifference:
    field: str = strawberry.field(description="Dotted path, e.g. outcomes.<id>.target")
    before: PlanValue | None = strawberry.field(description="At `from`")
    after: PlanValue | None = strawberry.field(description="At `to`")
    causes: list[PlanVersion] = strawberry.field(
        description="The recorded changes to it that took effect in between, in that order"
    )

    @classmethod
    def of(cls, difference: FieldDifference) -> PlanDifference:
        causes = [PlanVersion.from_row(row) for row in difference.causes]
        path = difference.field
        return cls(field=path, before=plan_value(path, difference.before),
                   after=plan_value(path, difference.after), causes=causes)  # fmt: skip


@strawberry.type(description="What changed in a plan between two moments.")
class PlanDiff:
    person_id: strawberry.ID = strawberry.field(description="The person supported")
    from_: datetime = strawberry.field(name="from", description="The earlier moment")
    to: datetime = strawberry.field(description="The later moment")
    as_known_at: datetime = strawberry.field(description="Both ends, as recorded by then")
    differences: list[PlanDifference] = strawberry.field(description="Each field that differs")


async def plan_diff_between(
    info: ContextInfo,
    person_id: PersonId,
    from_: Annotated[datetime, strawberry.argument(name="from", description=SINCE)],
    to: Annotated[datetime, strawberry.argument(description="The later moment")],
    as_known_at: AsKnownAt = None,
) -> PlanDiff:
    person = record_id(person_id, "personId")
    since, until = moment(from_, as_known_at, "from"), moment(to, as_known_at, "to")
    if since.as_of > until.as_of:
        violation = Violation("input.time.range", "from", "`from` must not be after `to`")
        raise RulesViolated([violation])
    plans = plans_model(info)
    found = await info.context.read_person(
        "planDiff",
        person,
        lambda tx: plan_diff(tx, plans, person, since.as_of, until.as_of, since.as_known_at),
        SupportPlans.name,
    )
    return PlanDiff(
        person_id=strawberry.ID(person),
        from_=since.as_of,
        to=until.as_of,
        as_known_at=since.as_known_at,
        differences=[PlanDifference.of(difference) for difference in found or []],
    )


@strawberry.type
class Query:
    support_plan: SupportPlan | None = strawberry.field(
        resolver=support_plan,
        description="A person's living support plan: as it now stands, or as it stood at a "
        "moment (asOf, asKnownAt)",
        extensions=readable_by(READERS),
    )
    plan_diff: PlanDiff = strawberry.field(
        resolver=plan_diff_between,
        description="What changed in a person's plan between two moments (as in force at "
        "each), with the recorded changes, actors and reasons behind each difference",
        extensions=readable_by(READERS),
    )
    plan_history: PlanHistory = strawberry.field(
        resolver=plan_history,
        description="How a person's plan evolved: every change, oldest first, with who, when, "
        "why and what changed; at a moment, the changes recorded by asKnownAt that took "
        "effect by asOf (each marked if it was known by then to be entered in error)",
        extensions=readable_by(READERS),
    )
