"""The ordered change feed of every event, and one record's audit trail: both read from the event
store itself, so neither ever lags behind a committed write."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.access import EVERYONE, readable_by
from api.common import Actor, Position, record_id, when
from api.context import Context
from api.pagination import (
    After,
    Connection,
    Edge,
    First,
    check_page_size,
    connection,
    decode_cursor,
    encode_cursor,
)
from api.payloads import EventPayload, payload_object
from api.slices.chronology import RecordType
from domain.catalogue import BY_NAME, DECLARED, PUBLISHED
from domain.deciding import parse_id
from domain.envelope import RECORD_READERS
from domain.errors import RulesViolated, Violation
from domain.publishing import PublishedEvent
from infra.change_feed import find_events
from projections.base import Row
from projections.event_records import event_record
from projections.feed import FeedFilter
from projections.people import People, owners

ContextInfo = Info[Context, None]
FeedAfter = Annotated[
    str | None,
    strawberry.argument(
        description="Resume after this cursor: `pageInfo.endCursor` or an edge's `cursor`, from "
        "`events` or the subscription (default: the start of the log)"
    ),
]


async def reachable(context: Context, rows: list[Row]) -> list[Row]:
    """The events of records the caller reaches: of their provider, of kinds their role may
    read (domain.record_type), and for a caller limited to services, of records whose person
    those services now support, as the person index says (for a record not indexed yet, the
    service the event was recorded in)."""
    caller = context.caller()
    role = caller.actor.role
    mine = [row for row in rows if row["tenant_id"] == caller.tenant_id
            and role in BY_NAME[row["stream_type"]].readers]  # fmt: skip
    if caller.services is None or not mine:
        return mine
    streams = {row["stream_id"] for row in mine}
    scopes = await context.read(lambda tx: owners(tx, streams), People.name)
    return [row for row in mine
            if (scopes.get(row["stream_id"]) or row)["service_id"] in caller.services]  # fmt: skip


@strawberry.type(description="One stored event with its envelope.")
class RecordedEvent:
    position: Position = strawberry.field(description="Place in the global log")
    stream_id: strawberry.ID = strawberry.field(description="The record the event belongs to")
    stream_type: str = strawberry.field(description="The kind of record, e.g. SupportPlan")
    version: int = strawberry.field(description="The record's version the event wrote")
    event_type: str = strawberry.field(description="What happened, e.g. Person.Moved")
    recorded_at: datetime = strawberry.field(description="When it was recorded")
    effective_at: datetime = strawberry.field(description="When it happened or took effect")
    actor: Actor = strawberry.field(description="Who recorded it")
    reason: str | None = strawberry.field(description="Why, as they said")
    tenant_id: strawberry.ID = strawberry.field(description="The provider")
    service_id: strawberry.ID | None = strawberry.field(
        description="The service it was recorded in (the person's service then)"
    )
    correlation_id: strawberry.ID = strawberry.field(
        description="The request that recorded it (the X-Correlation-Id header)"
    )
    causation_id: strawberry.ID | None = strawberry.field(
        description="The event this one followed from, as <streamId>/<version>"
    )
    schema_version: int = strawberry.field(
        description="The version of this event type's payload schema (see publishedEventTypes)"
    )
    payload: EventPayload = strawberry.field(
        description="The event's facts, as documented for its type and schema version"
    )

    @classmethod
    def from_row(cls, row: Row) -> RecordedEvent:
        return cls(
            position=row["position"],
            stream_id=strawberry.ID(row["stream_id"]),
            stream_type=row["stream_type"],
            version=row["version"],
            event_type=row["event_type"],
            recorded_at=when(row["recorded_at"]),
            effective_at=when(row["effective_at"]),
            actor=Actor.from_row(row),
            reason=row["reason"],
            tenant_id=strawberry.ID(row["tenant_id"]),
            service_id=strawberry.ID(row["service_id"]) if row["service_id"] else None,
            correlation_id=strawberry.ID(row["correlation_id"]),
            causation_id=strawberry.ID(row["causation_id"]) if row["causation_id"] else None,
            schema_version=row["schema_version"],
            payload=payload_object(row["event_type"], json.loads(row["payload"])),
        )


async def audit_trail(
    info: ContextInfo,
    stream_id: Annotated[strawberry.ID, strawberry.argument(
        description="The record (its id), of any kind; one out of the caller's reach reads as "
        "having no events")],
    first: First = 20,
    after: After = None,
) -> Connection[RecordedEvent]:  # fmt: skip
    check_page_size(first)
    start = decode_cursor("position", after)
    stream = parse_id(str(stream_id), "streamId")
    log = await info.context.records(lambda r: r.read_stream(stream, start, first + 1))
    rows = [event_record(event, position) for position, event in log]
    if rows:
        shown = await reachable(info.context, rows)
        # Logged by record: the person index finds whose it is when the log is read.
        info.context.log_access("auditTrail", rows[0]["tenant_id"], bool(shown), None,
                                str(stream))  # fmt: skip
        rows = shown
    return connection(
        rows, first, after, "position", lambda r: r["position"], RecordedEvent.from_row
    )


Types = Annotated[
    list[str] | None,
    strawberry.argument(
        description="Only events of these types, e.g. Person.Moved (see publishedEventTypes)"
    ),
]
RecordTypes = Annotated[
    list[RecordType] | None, strawberry.argument(description="Only events of these kinds of record")
]
PersonId = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only events of this person's records")
]
ServiceId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Only events of records whose person this service now supports (for a record "
        "of no person, the service it was recorded in)"
    ),
]
LIVE_BATCH = 100  # events read at a time while catching up


async def events(
    info: ContextInfo,
    after: FeedAfter = None,
    first: First = 50,
    types: Types = None,
    record_types: RecordTypes = None,
    person_id: PersonId = None,
    service_id: ServiceId = None,
) -> Connection[RecordedEvent]:  # fmt: skip
    check_page_size(first)
    start = decode_cursor("position", after)
    context, caller = info.context, info.context.caller()
    wanted = _wanted(context, types, record_types, person_id, service_id)
    rows, examined = await _find(context, wanted, start, first + 1)
    page = connection(
        rows, first, after, "position", lambda r: r["position"], RecordedEvent.from_row
    )
    if not page.edges and examined > start:
        # Nothing of theirs up to there: the next poll need not examine it again.
        page.page_info.end_cursor = encode_cursor("position", examined)
    streams = sorted({str(edge.node.stream_id) for edge in page.edges})
    context.log_reads("events", caller.tenant_id, [(None, stream) for stream in streams])
    return page


async def live_events(
    info: ContextInfo,
    after: FeedAfter = None,
    types: Types = None,
    record_types: RecordTypes = None,
    person_id: PersonId = None,
    service_id: ServiceId = None,
) -> AsyncGenerator[Edge[RecordedEvent], None]:
    """The change feed as it grows: what `events` pages through, then each event as it is
    recorded (looked for every STEPWISE_POLL_INTERVAL_SECONDS)."""
    position = decode_cursor("position", after)
    context = info.context
    wanted = _wanted(context, types, record_types, person_id, service_id)
    runtime, pause = context.runtime, context.runtime.settings.poll_interval_seconds
    while True:
        rows, examined = await run_in_threadpool(
            find_events, runtime.records, runtime.projector, wanted, position, LIVE_BATCH
        )
        if not rows:
            position = max(position, examined)
            await asyncio.sleep(pause)
            continue
        streams = sorted({row["stream_id"] for row in rows})
        context.log_reads("events", wanted.tenant_id, [(None, stream) for stream in streams])
        for row in rows:
            cursor = encode_cursor("position", row["position"])
            yield Edge(cursor=cursor, node=RecordedEvent.from_row(row))
        position = rows[-1]["position"]


def _wanted(
    context: Context,
    types: list[str] | None,
    record_types: list[RecordType] | None,
    person_id: strawberry.ID | None,
    service_id: strawberry.ID | None,
) -> FeedFilter:
    """What the caller is given of the feed: their reach, as the person index and consent to
    share have it, narrowed by the filters asked for."""
    caller = context.caller()
    return FeedFilter(
        tenant_id=caller.tenant_id,
        readable={kind.name for kind in DECLARED if caller.actor.role in kind.readers},
        services=caller.services,
        event_types=_event_types(types),
        record_types={kind.value for kind in record_types} if record_types is not None else None,
        person_id=record_id(person_id, "personId") if person_id is not None else None,
        service_id=context.reached_service("events", service_id) if service_id else None,
        shared_with=caller.shares_with,
    )


def _event_types(types: list[str] | None) -> set[str] | None:
    if types is None:
        return None
    unknown = sorted(set(types) - set(PUBLISHED))
    if unknown:
        shown = ", ".join(repr(name) for name in unknown[:5])
        raise RulesViolated([Violation(
            "input.types.unknown", "types",
            f"no event type is called {shown}: publishedEventTypes lists them")])  # fmt: skip
    return set(types)


async def _find(
    context: Context, wanted: FeedFilter, after: int, limit: int
) -> tuple[list[Row], int]:
    await context.read(lambda tx: None, People.name)  # whose records, as of the client's write
    runtime = context.runtime
    return await run_in_threadpool(
        find_events, runtime.records, runtime.projector, wanted, after, limit
    )


@strawberry.type(description="One field of a published payload")
class PublishedField:
    name: str = strawberry.field(description="The field's name in the payload")
    description: str = strawberry.field(description="What it holds")


@strawberry.type(description="What the change feed publishes for one event type")
class PublishedEventType:
    event_type: str = strawberry.field(description="The event type, e.g. Person.Moved")
    schema_version: int = strawberry.field(
        description="Raised when a field is removed, renamed or changes meaning; not for new ones"
    )
    description: str = strawberry.field(description="What the event records")
    fields: list[PublishedField] = strawberry.field(description="The payload's fields")

    @classmethod
    def of(cls, entry: PublishedEvent) -> PublishedEventType:
        return cls(
            event_type=entry.event_type,
            schema_version=entry.schema_version,
            description=entry.description,
            fields=[PublishedField(name=f.name, description=f.description) for f in entry.fields],
        )


def published_event_types() -> list[PublishedEventType]:
    return [PublishedEventType.of(entry) for entry in PUBLISHED.values()]


@strawberry.type
class Query:
    audit_trail: Connection[RecordedEvent] = strawberry.field(
        resolver=audit_trail,
        description="Every event of one record, with its envelope",
        extensions=readable_by(RECORD_READERS),
    )
    events: Connection[RecordedEvent] = strawberry.field(
        resolver=events,
        description="The global, ordered change feed. Store `pageInfo.endCursor` and pass it "
        "as `after` later to receive exactly the events that followed, once.",
        extensions=readable_by(RECORD_READERS),
    )
    published_event_types: list[PublishedEventType] = strawberry.field(
        resolver=published_event_types,
        description="Every event type the change feed publishes: its payload's schema version "
        "and the documentation of each field. A plain list, not paged: the event types are "
        "declared in the code, the same for every provider",
        extensions=readable_by(EVERYONE),  # documentation of the feed, no records
    )


@strawberry.type
class Subscription:
    events = strawberry.subscription(
        resolver=live_events,
        description="The change feed, live, over graphql-transport-ws: from `after` (a cursor "
        "from `events` or from this), every event as the `events` query would list it, each "
        "with the cursor to resume after it",
        extensions=readable_by(RECORD_READERS),
    )
