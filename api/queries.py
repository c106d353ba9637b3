"""Root query fields: a table of contents of what can be asked."""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.context import Context
from api.pagination import Connection, check_page_size, connection, decode_cursor
from api.types import (
    Assessment,
    Person,
    PlanVersion,
    ProjectionPosition,
    RecordedEvent,
    SupportPlan,
)
from projections.assessments import get_assessment
from projections.audit_trail import stream_page
from projections.event_records import event_record
from projections.people import get_person, people_page
from projections.support_plans import get_current_plan, plan_versions_page

ContextInfo = Info[Context, None]


async def person(info: ContextInfo, id: strawberry.ID) -> Person | None:
    row = await info.context.read(lambda tx: get_person(tx, str(id)))
    return Person.from_row(row) if row else None


async def people(
    info: ContextInfo, service_id: str | None = None, first: int = 20, after: str | None = None
) -> Connection[Person]:
    check_page_size(first)
    start = decode_cursor("person", after)
    rows = await info.context.read(lambda tx: people_page(tx, service_id, start, first))
    return connection(
        rows, first, after, "person", lambda r: r["registered_position"], Person.from_row
    )


async def assessment(info: ContextInfo, id: strawberry.ID) -> Assessment | None:
    row = await info.context.read(lambda tx: get_assessment(tx, str(id)))
    return Assessment.from_row(row) if row else None


async def support_plan(info: ContextInfo, person_id: strawberry.ID) -> SupportPlan | None:
    row = await info.context.read(lambda tx: get_current_plan(tx, str(person_id)))
    return SupportPlan.from_row(row) if row else None


async def plan_history(
    info: ContextInfo, person_id: strawberry.ID, first: int = 20, after: str | None = None
) -> Connection[PlanVersion]:
    check_page_size(first)
    start = decode_cursor("version", after)
    rows = await info.context.read(lambda tx: plan_versions_page(tx, str(person_id), start, first))
    return connection(rows, first, after, "version", lambda r: r["version"], PlanVersion.from_row)


async def audit_trail(
    info: ContextInfo, stream_id: strawberry.ID, first: int = 20, after: str | None = None
) -> Connection[RecordedEvent]:
    check_page_size(first)
    start = decode_cursor("position", after)
    rows = await info.context.read(lambda tx: stream_page(tx, str(stream_id), start, first))
    return connection(
        rows, first, after, "position", lambda r: r["position"], RecordedEvent.from_row
    )


async def events(
    info: ContextInfo, after: str | None = None, first: int = 50
) -> Connection[RecordedEvent]:
    check_page_size(first)
    start = decode_cursor("position", after)
    # Read from the event store itself: the feed never lags behind what was committed.
    log = await info.context.records(lambda records: records.read_log(start, first + 1))
    rows = [event_record(event, position) for position, event in log]
    return connection(
        rows, first, after, "position", lambda r: r["position"], RecordedEvent.from_row
    )


async def projection_positions(info: ContextInfo) -> list[ProjectionPosition]:
    positions = await run_in_threadpool(info.context.runtime.projector.positions)
    return [ProjectionPosition(name=name, position=p) for name, p in positions.items()]


@strawberry.type
class Query:
    person: Person | None = strawberry.field(resolver=person, description="A person supported")
    people: Connection[Person] = strawberry.field(
        resolver=people, description="People supported, in registration order, per service"
    )
    assessment: Assessment | None = strawberry.field(
        resolver=assessment, description="A strengths-led assessment"
    )
    support_plan: SupportPlan | None = strawberry.field(
        resolver=support_plan, description="A person's living support plan as it now stands"
    )
    plan_history: Connection[PlanVersion] = strawberry.field(
        resolver=plan_history,
        description="How a person's plan evolved: every change, oldest first, with who, when, "
        "why and a field-by-field diff",
    )
    audit_trail: Connection[RecordedEvent] = strawberry.field(
        resolver=audit_trail, description="Every event of one record, with its envelope"
    )
    events: Connection[RecordedEvent] = strawberry.field(
        resolver=events,
        description="The global, ordered change feed. Store `pageInfo.endCursor` and pass it "
        "as `after` later to receive exactly the events that followed, once.",
    )
    projection_positions: list[ProjectionPosition] = strawberry.field(
        resolver=projection_positions, description="How far each read model has read the log"
    )
