"""webhooks: each provider's webhook subscriptions as they stand (and as they stood), which
infra.webhooks delivers to."""

from __future__ import annotations

import json
from typing import Any

from domain.webhook import Webhook
from projections.base import Event, Row, Table, Transaction
from projections.event_records import document_text
from projections.folding import RecordTable
from projections.states import states_table

WEBHOOK = """webhook_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    document TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at {timestamp} NOT NULL"""


class Webhooks(RecordTable):
    name = "webhooks"
    aggregate = Webhook
    key = "webhook_id"
    keep_on_update = ("registered_position",)
    states = "webhook_states"
    state_columns = ("webhook_id", "tenant_id", "document", "status", "version", "updated_at")
    tables = (
        Table("webhooks", f"""{WEBHOOK}, registered_position BIGINT NOT NULL,
              aggregate_state {{blob}} NOT NULL""", primary_key="webhook_id"),
        states_table("webhook_states", "webhook_id", WEBHOOK),
    )  # fmt: skip

    def row(self, webhook: Webhook, first_position: int, last_event: Event) -> Row:
        document = {"url": webhook.url, "recipient": webhook.recipient,
                    "eventTypes": webhook.event_types,
                    "recordTypes": webhook.record_types, "serviceId": webhook.service_id,
                    "pausedReason": webhook.paused_reason,
                    "secretNonce": webhook.secret_nonce}  # fmt: skip
        status = "deleted" if webhook.deleted else webhook.status
        return {"webhook_id": str(webhook.id), "tenant_id": webhook.tenant_id,
                "document": document_text(document), "status": status,
                "version": webhook.version, "updated_at": webhook.modified_on,
                "registered_position": first_position}  # fmt: skip


def webhook_rows(
    tx: Transaction, tenant_id: str | None = None, webhook_id: str | None = None
) -> list[dict[str, Any]]:
    """Webhooks not deleted (of one provider, or the one, if given), with their documents
    read."""
    where, params = ["status <> 'deleted'"], {"tenant": tenant_id, "id": webhook_id}
    if tenant_id is not None:
        where.append("tenant_id = %(tenant)s")
    if webhook_id is not None:
        where.append("webhook_id = %(id)s")
    rows = tx.fetchall("SELECT webhook_id, tenant_id, document, status, version, "
                       f"registered_position, updated_at FROM webhooks "
                       f"WHERE {' AND '.join(where)} ORDER BY webhook_id", params)  # fmt: skip
    return [{**row, **json.loads(row["document"])} for row in rows]
