"""A webhook: a provider's subscription to push delivery of its change feed to another system,
registered, paused, resumed, given a new signing secret and deleted by its tenant admins.

DOMAIN: a provider feeds other systems with what it records. A subscription names where to
deliver (an absolute http(s) address with no credentials in it), and optionally which event
types, which kinds of record and which service; each event is delivered signed, so the receiver
can tell it came from here. Delivery that keeps failing pauses the subscription with the reason,
until an admin resumes it. The signing secret is never recorded: it is derived from the
server's webhook key and a nonce the registration or rotation recorded (infra.webhook_signing),
and shown once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit
from uuid import UUID

from annotated_types import MaxLen, MinLen
from eventsourcing.domain import event

from domain.commands import (
    Change,
    Command,
    Creation,
    Found,
    Key,
    Name,
    NewIds,
    Records,
    Registration,
    Seal,
)
from domain.envelope import Envelope, Role
from domain.errors import Rules
from domain.publishing import Field, PublishedEvent
from domain.record import Record
from domain.record_type import RecordType

ADMINS = frozenset({Role.TENANT_ADMIN})
ACTIVE, PAUSED = "active", "paused"
Names = Annotated[list[Annotated[str, MinLen(1), MaxLen(100)]], MaxLen(100)]


class Webhook(Record):
    @event("Registered")
    def __init__(
        self, envelope: Envelope, url: str, recipient: str, event_types: list[str] | None,
        record_types: list[str] | None, service_id: str | None, secret_nonce: str,
        id: UUID | None = None,
    ) -> None:  # fmt: skip
        self.tenant_id = envelope.tenant_id
        self.url = url
        self.recipient = recipient
        self.event_types = event_types
        self.record_types = record_types
        self.service_id = service_id
        self.status = ACTIVE
        self.paused_reason: str | None = None
        self.deleted = False
        # What the signing secret is derived from, with the server's key: never the secret.
        self.secret_nonce = secret_nonce

    def pause(self, envelope: Envelope) -> None:
        rules = self._still_there()
        rules.check(self.status == ACTIVE, "webhook.paused_already", "webhookId",
                    "the webhook is paused already")  # fmt: skip
        rules.require_text(envelope.reason, "webhook.pause.reason_required", "reason",
                           "why deliveries should stop")  # fmt: skip
        rules.enforce()
        self._paused(envelope, envelope.reason or "")

    @event("Paused")
    def _paused(self, envelope: Envelope, reason: str) -> None:
        self.status, self.paused_reason = PAUSED, reason

    def resume(self, envelope: Envelope) -> None:
        rules = self._still_there()
        rules.check(self.status == PAUSED, "webhook.active_already", "webhookId",
                    "the webhook is delivering already")  # fmt: skip
        rules.enforce()
        self._resumed(envelope)

    @event("Resumed")
    def _resumed(self, envelope: Envelope) -> None:
        self.status, self.paused_reason = ACTIVE, None

    def rotate_secret(self, envelope: Envelope, *, nonce: str) -> None:
        self._still_there().enforce()
        self._secret_rotated(envelope, nonce)

    @event("SecretRotated")
    def _secret_rotated(self, envelope: Envelope, nonce: str) -> None:
        self.secret_nonce = nonce

    def delete(self, envelope: Envelope) -> None:
        self._still_there().enforce()
        self._deleted(envelope)

    @event("Deleted")
    def _deleted(self, envelope: Envelope) -> None:
        self.deleted = True

    def _still_there(self) -> Rules:
        rules = Rules()
        rules.check(not self.deleted, "webhook.deleted", "webhookId", "the webhook was deleted")
        return rules


def check_url(rules: Rules, url: str) -> None:
    """An absolute http(s) address with a host, without credentials in it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = None
    rules.check(
        parts is not None and parts.scheme in ("https", "http") and bool(parts.hostname)
        and not parts.username and not parts.password and not parts.fragment,
        "webhook.url.invalid", "url",
        "an absolute https:// address with a host, without a user, password or #fragment",
    )  # fmt: skip


@dataclass(frozen=True)
class RegisterWebhook(Command):
    """Register a webhook (tenant admins): where to deliver the provider's change feed, for
    which recipient (an integration client's id, or an organisation's: a person's records are
    delivered only while their consent to share with it is in force), and which event types,
    kinds of record and service, if not all. The result carries the signing secret, shown this
    once."""

    sets_secret: ClassVar[bool] = True

    url: Annotated[str, MinLen(1), MaxLen(2000)]
    recipient: Name
    event_types: Names | None = None
    record_types: Names | None = None
    service_id: Annotated[str, MinLen(1), MaxLen(100)] | None = None


@dataclass(frozen=True)
class WebhookCommand(Command):
    webhook_id: Key
    locators: ClassVar[frozenset[str]] = frozenset({"webhook_id"})


@dataclass(frozen=True)
class PauseWebhook(WebhookCommand):
    """Stop delivering to a webhook until it is resumed (tenant admins); a reason is required."""


@dataclass(frozen=True)
class ResumeWebhook(WebhookCommand):
    """Deliver to a paused webhook again, from where it stopped (tenant admins)."""


@dataclass(frozen=True)
class RotateWebhookSecret(WebhookCommand):
    """Give a webhook a new signing secret, shown this once in the result (tenant admins)."""

    sets_secret: ClassVar[bool] = True

    def arguments(self, ids: NewIds) -> dict[str, Any]:
        return {"nonce": ids.part("secret")}  # (the result's partId: a retry names it again)


@dataclass(frozen=True)
class DeleteWebhook(WebhookCommand):
    """Stop delivering to a webhook for good (tenant admins)."""


def register(records: Records, command: RegisterWebhook, seal: Seal, ids: NewIds) -> Webhook:
    rules = Rules()
    url = command.url.strip()
    check_url(rules, url)
    rules.require_text(command.recipient, "webhook.recipient_required", "recipient",
                       "whom the deliveries are for")  # fmt: skip
    from domain import catalogue  # (which discovers this module)

    known_events, known_kinds = set(catalogue.PUBLISHED), set(catalogue.BY_NAME)
    unknown = sorted(set(command.event_types or ()) - known_events)
    rules.check(not unknown, "webhook.event_types.unknown", "eventTypes",
                f"no event type is called {', '.join(unknown[:5])}: publishedEventTypes lists "
                "them")  # fmt: skip
    unknown = sorted(set(command.record_types or ()) - known_kinds)
    rules.check(not unknown, "webhook.record_types.unknown", "recordTypes",
                f"no kind of record is called {', '.join(unknown[:5])}")  # fmt: skip
    rules.enforce()
    service = command.service_id.strip() if command.service_id else None
    return Webhook(seal(service), url, command.recipient.strip(), _names(command.event_types),
                   _names(command.record_types), service, ids.part("secret"),
                   id=ids.record())  # fmt: skip


def _names(given: list[str] | None) -> list[str] | None:
    return sorted(set(given)) if given else None


def find_webhook(records: Records, command: WebhookCommand) -> Found[Webhook]:
    webhook = records.owned(Webhook, command.webhook_id, "webhookId")
    return Found(webhook, webhook.service_id)


COMMANDS: list[Registration] = [
    Creation(RegisterWebhook, ADMINS, register),
    Change(PauseWebhook, ADMINS, find_webhook, Webhook.pause),
    Change(ResumeWebhook, ADMINS, find_webhook, Webhook.resume),
    Change(RotateWebhookSecret, ADMINS, find_webhook, Webhook.rotate_secret),
    Change(DeleteWebhook, ADMINS, find_webhook, Webhook.delete),
]


# -- published payloads (domain.publishing) ---------------------------------------------------

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("Webhook.Registered", 1, "A webhook was registered (its secret is not "
                   "published)", (
                       Field("url", "Where deliveries go", "url"),
                       Field("recipient", "Whom the deliveries are for (consent to share "
                             "names it)", "recipient"),
                       Field("eventTypes", "The event types delivered (null: all)",
                             "event_types"),
                       Field("recordTypes", "The kinds of record delivered (null: all)",
                             "record_types"),
                       Field("serviceFilter", "Only this service's events (null: every "
                             "service's)", "service_id"))),
    PublishedEvent("Webhook.Paused", 1, "Deliveries to the webhook stopped",
                   (Field("reason", "Why", "reason"),)),
    PublishedEvent("Webhook.Resumed", 1, "Deliveries to the webhook started again"),
    PublishedEvent("Webhook.SecretRotated", 1, "The webhook was given a new signing secret"),
    PublishedEvent("Webhook.Deleted", 1, "The webhook was deleted"),
)  # fmt: skip


RECORD_TYPE = RecordType(Webhook, COMMANDS, PUBLISHED, person=None, readers=ADMINS)
