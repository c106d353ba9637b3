"""A provider's webhooks, as they stood at any moment, with how delivery to each stands now,
and every delivery attempt of the last 30 days (infra.webhooks)."""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.access import readable_by, readers_of
from api.common import (
    AsKnownAt,
    AsOf,
    MomentFields,
    Position,
    describe_values,
    moment,
    record_id,
    when,
)
from api.context import Context
from api.pagination import After, Connection, First, check_page_size, connection, decode_cursor
from domain.webhook import Webhook as WebhookRecord
from projections.base import Row, Transaction
from projections.states import latest_states, parameters
from projections.webhooks import Webhooks

ContextInfo = Info[Context, None]
READERS = readers_of(WebhookRecord)
CURSOR = "attempt"


@strawberry.enum(description="Whether a webhook is delivered to")
class WebhookStatus(Enum):
    ACTIVE = "active"
    PAUSED = "paused"


describe_values(WebhookStatus, {
    "ACTIVE": "Events are delivered to it",
    "PAUSED": "Paused: nothing is delivered until it is resumed",
})  # fmt: skip


@strawberry.type(description="How delivery to a webhook stands now")
class WebhookDelivery:
    delivered_up_to: Position = strawberry.field(
        description="Every event up to this log position was delivered and acknowledged, or "
        "was not for this webhook"
    )
    failures_in_a_row: int = strawberry.field(description="Failed attempts since the last success")
    next_attempt_at: datetime | None = strawberry.field(
        description="When a failed delivery is tried again"
    )


@strawberry.type(description="A webhook: where and what the provider's change feed is pushed")
class WebhookSubscription:
    id: strawberry.ID = strawberry.field(description="The webhook")
    url: str = strawberry.field(description="Where deliveries go")
    recipient: str = strawberry.field(
        description="Whom the deliveries are for: a person's records go only while their "
        "consent to share with it is in force"
    )
    event_types: list[str] | None = strawberry.field(description="Only these (null: all)")
    record_types: list[str] | None = strawberry.field(
        description="Only events of these kinds of record (null: all)"
    )
    service_id: strawberry.ID | None = strawberry.field(description="Only this service's")
    status: WebhookStatus = strawberry.field(description="Whether it is delivered to")
    paused_reason: str | None = strawberry.field(description="Why it is paused")
    version: int = strawberry.field(description="The record's version")
    delivery: WebhookDelivery | None = strawberry.field(
        description="How delivery stands now (null until the first attempt)"
    )

    @classmethod
    def of(cls, row: Row, cursor: Row | None) -> WebhookSubscription:
        document = json.loads(row["document"])
        delivery = None
        if cursor is not None:
            retry = cursor["retry_at"]
            delivery = WebhookDelivery(
                delivered_up_to=Position(cursor["position"]),
                failures_in_a_row=cursor["failures"],
                next_attempt_at=when(retry) if retry else None,
            )
        return cls(id=strawberry.ID(row["webhook_id"]), url=document["url"],
                   recipient=document["recipient"],
                   event_types=document["eventTypes"], record_types=document["recordTypes"],
                   service_id=document["serviceId"], status=WebhookStatus(row["status"]),
                   paused_reason=document["pausedReason"], version=row["version"],
                   delivery=delivery)  # fmt: skip


@strawberry.type(description="The provider's webhooks at a moment")
class WebhookList(MomentFields):
    webhooks: list[WebhookSubscription] = strawberry.field(description="Each, oldest first")


@strawberry.type(description="One attempt to deliver one event to a webhook")
class WebhookAttempt:
    position: Position = strawberry.field(description="The event's place in the log")
    message_id: strawberry.ID = strawberry.field(
        description="Its webhook-id header (the same on a retry)"
    )
    event_type: str = strawberry.field(description="What happened")
    attempted_at: datetime = strawberry.field(description="When")
    http_status: int | None = strawberry.field(
        description="The receiver's HTTP status, if it answered"
    )
    latency_ms: int = strawberry.field(description="How long the attempt took")
    error: str | None = strawberry.field(description="Why it failed")
    delivered: bool = strawberry.field(description="Whether the receiver acknowledged it (2xx)")

    @classmethod
    def of(cls, row: Row) -> WebhookAttempt:
        return cls(position=Position(row["position"]),
                   message_id=strawberry.ID(row["message_id"]),
                   event_type=row["event_type"], attempted_at=when(row["attempted_at"]),
                   http_status=row["status"], latency_ms=row["latency_ms"], error=row["error"],
                   delivered=bool(row["delivered"]))  # fmt: skip


async def webhooks(
    info: ContextInfo,
    as_of: AsOf = None,
    as_known_at: AsKnownAt = None,
) -> WebhookList:
    at = moment(as_of, as_known_at)
    tenant = info.context.caller().tenant_id

    def read(tx: Transaction) -> list[WebhookSubscription]:
        rows = tx.fetchall(
            f"SELECT w.* FROM ({latest_states('webhook_states', 'webhook_id')}) w "
            "WHERE w.tenant_id = %(tenant)s AND w.status <> 'deleted' ORDER BY w.webhook_id",
            {"tenant": tenant, **parameters(at)},
        )
        cursors = {row["webhook_id"]: row for row in tx.fetchall(
            "SELECT * FROM webhook_cursors WHERE webhook_id IN "
            "(SELECT webhook_id FROM webhooks WHERE tenant_id = %(tenant)s)",
            {"tenant": tenant})}  # fmt: skip
        return [WebhookSubscription.of(row, cursors.get(row["webhook_id"])) for row in rows]

    found = await info.context.read(read, Webhooks.name)
    return WebhookList(webhooks=found, **MomentFields.of(at))


async def webhook_attempts(
    info: ContextInfo,
    webhook_id: Annotated[strawberry.ID, strawberry.argument(description="The webhook")],
    first: First = 50,
    after: After = None,
) -> Connection[WebhookAttempt]:  # fmt: skip
    check_page_size(first)
    start = decode_cursor(CURSOR, after)
    webhook, tenant = record_id(webhook_id, "webhookId"), info.context.caller().tenant_id

    def read(tx: Transaction) -> list[Row]:
        return tx.fetchall(
            "SELECT * FROM webhook_attempts WHERE webhook_id = %(webhook)s "
            "AND tenant_id = %(tenant)s AND attempt_id > %(after)s "
            "ORDER BY attempt_id LIMIT %(limit)s",
            {"webhook": webhook, "tenant": tenant, "after": start, "limit": first + 1},
        )

    rows = await info.context.read(read)
    return connection(rows, first, after, CURSOR, lambda r: r["attempt_id"], WebhookAttempt.of)


@strawberry.type
class Query:
    webhooks: WebhookList = strawberry.field(
        resolver=webhooks,
        description="The provider's webhooks as they stood at a moment, with how delivery to "
        "each stands now",
        extensions=readable_by(READERS),
    )
    webhook_attempts: Connection[WebhookAttempt] = strawberry.field(
        resolver=webhook_attempts,
        description="Every attempt to deliver to a webhook in the last 30 days, oldest first",
        extensions=readable_by(READERS),
    )
