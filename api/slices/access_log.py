"""Who read a person's records, and who was refused: for the provider's managers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.access import GOVERNANCE, readable_by
from api.common import (
    Actor,
    PersonId,
    aware,
    describe_values,
    record_id,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, check_page_size, connection, decode_cursor
from domain.envelope import EARLIEST_EFFECTIVE_AT
from domain.errors import RulesViolated, Violation
from infra.access_log import AccessLogFull, access_page
from projections.base import Row

ContextInfo = Info[Context, None]
FLUSH_WAIT = 10.0  # seconds


@strawberry.enum(description="Whether the record was shown")
class AccessOutcome(Enum):
    READ = "read"
    DENIED = "denied"


describe_values(AccessOutcome, {
    "READ": "The record was shown",
    "DENIED": "The read was refused (detail says why)",
})  # fmt: skip


@strawberry.type(description="One read of a person's records, or one refused")
class AccessRecord:
    read_at: datetime = strawberry.field(description="When it was read (or refused)")
    actor: Actor = strawberry.field(description="Who read it")
    field: str = strawberry.field(description="The root field read, e.g. supportPlan")
    outcome: AccessOutcome = strawberry.field(description="Shown, or refused")
    record_id: strawberry.ID | None = strawberry.field(
        description="The record, when the read named one (an assessment, or the record whose "
        "events were read); reads by person id name the person only"
    )
    detail: str | None = strawberry.field(description="Why a read was refused")
    purpose: str | None = strawberry.field(
        description="The purpose the client stated (the X-Stepwise-Purpose header)"
    )
    correlation_id: strawberry.ID | None = strawberry.field(
        description="The request's correlation id (the X-Correlation-Id header)"
    )

    @classmethod
    def from_row(cls, row: Row) -> AccessRecord:
        return cls(
            read_at=when(row["read_at"]),
            actor=Actor.from_row(row),
            field=row["field"],
            outcome=AccessOutcome(row["outcome"]),
            record_id=strawberry.ID(row["record_id"]) if row["record_id"] else None,
            detail=row["detail"],
            purpose=row["purpose"],
            correlation_id=strawberry.ID(row["correlation_id"]) if row["correlation_id"] else None,
        )


async def access_log(
    info: ContextInfo,
    person_id: PersonId,
    from_: Annotated[
        datetime | None,
        strawberry.argument(name="from", description="Reads from then (default: the first)"),
    ] = None,
    to: Annotated[
        datetime | None, strawberry.argument(description="Reads by then (default: now)")
    ] = None,
    first: First = 50,
    after: After = None,
) -> Connection[AccessRecord]:
    check_page_size(first)
    start = decode_cursor("access", after)
    person = record_id(person_id, "personId")
    since = aware(from_, "from") or EARLIEST_EFFECTIVE_AT
    until = aware(to, "to") or datetime.now(UTC)
    if since > until:
        message = "`from` and `to` need timezones, and `from` must not be after `to`"
        violation = Violation("input.time.range", "from", message)
        raise RulesViolated([violation])
    # Reads made before this one are written first, so they are all in the answer; if the log
    # cannot be written in time, the answer says so rather than leave them out.
    if not await run_in_threadpool(info.context.runtime.access_log.flush, FLUSH_WAIT):
        raise AccessLogFull("the access log is still being written; retry shortly")
    tenant = info.context.caller().tenant_id
    rows = await info.context.read_person(
        "accessLog", person, lambda tx: access_page(tx, tenant, person, since, until, start, first)
    )
    return connection(rows or [], first, after, "access", lambda r: r["entry_id"],
                      AccessRecord.from_row)  # fmt: skip


@strawberry.type
class Query:
    access_log: Connection[AccessRecord] = strawberry.field(
        resolver=access_log,
        description="Every read of a person's records (the person and every record about them, "
        "of any kind, and their events), and every refused one, oldest first: who, when, which "
        "field, "
        "and the purpose they gave",
        extensions=readable_by(GOVERNANCE),
    )
