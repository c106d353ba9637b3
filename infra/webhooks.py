"""Webhook delivery: each active webhook is fed its provider's change feed, in log order, at
least once, signed by the Standard Webhooks conventions.

Driven from the log itself: a webhook's cursor (`webhook_cursors`) is the log position of the
last event its receiver acknowledged, and the next event is found through the change feed's
index (infra.change_feed), so there is no second queue to drift from the log. Each webhook has
its own courier thread, so a slow or dead receiver delays nobody else's deliveries, and a write
never waits for any of them. A failed delivery is retried after a wait that doubles each time,
with jitter; after `STEPWISE_WEBHOOK_MAX_ATTEMPTS` failures in a row the webhook is paused (a
`Webhook.Paused` event saying why) until an admin resumes it. Every attempt is kept for 30 days
in `webhook_attempts`.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import httpx2
import orjson
from standardwebhooks.webhooks import Webhook as Signer

from domain.care_records import CareRecords
from domain.catalogue import DECLARED
from domain.envelope import Actor, CommandContext, Role
from domain.errors import DomainError
from domain.webhook import ACTIVE, PauseWebhook
from infra.change_feed import find_events
from infra.projector import Projector
from infra.read_store import ReadStore
from infra.settings import Settings
from infra.webhook_signing import signing_secret
from projections.base import Row, Transaction
from projections.event_records import camel
from projections.feed import Feed, FeedFilter
from projections.people import People
from projections.webhooks import Webhooks, webhook_rows

log = logging.getLogger("stepwise.webhooks")

KEPT_FOR = timedelta(days=30)  # how long delivery attempts are kept
MAX_ERROR = 500  # characters kept of an error
COURIER = Actor("stepwise-webhook-delivery", "Webhook delivery", Role.TENANT_ADMIN)
# What a webhook may be sent: the kinds of record an integration client reads.
DELIVERED_KINDS = frozenset(k.name for k in DECLARED if Role.INTEGRATION_CLIENT in k.readers)
WAKING = frozenset({Feed.name, People.name, Webhooks.name})  # what a delivery waits for
BATCH = 50  # events looked for at a time; each is still sent, and acknowledged, on its own


class TargetRefused(Exception):
    """The webhook's address is not one deliveries may go to."""


@dataclass
class Cursor:
    position: int
    failures: int
    retry_at: datetime | None


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt, as it went."""

    event: Row
    message_id: str
    attempted_at: datetime
    status: int | None
    latency_ms: int
    error: str | None


class Deliveries:
    """Starts a courier for each active webhook, and stops with them."""

    def __init__(self, records: CareRecords, projector: Projector, settings: Settings) -> None:
        self.records, self.projector, self.settings = records, projector, settings
        self.store: ReadStore = projector.store
        self._stop = threading.Event()
        self._couriers: dict[str, Courier] = {}
        self._thread: threading.Thread | None = None
        self._pruned_at = 0.0

    def create_tables(self) -> None:
        with self.store.transaction(write=True) as tx:
            create_tables(tx)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self.projector.listeners.append(self._announced)
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()

    def _announced(self, name: str, position: int) -> None:
        """From the projector's threads: a read model moved on. What the feed finds, and whom
        it may go to, may have changed: couriers waiting for news look again at once."""
        if name in WAKING:
            for courier in list(self._couriers.values()):
                courier.wake()

    def stop(self) -> None:
        self._stop.set()
        if self._announced in self.projector.listeners:
            self.projector.listeners.remove(self._announced)
        if self._thread is not None:  # first, so it starts no courier after these stop
            self._thread.join()
            self._thread = None
        for courier in list(self._couriers.values()):
            courier.stop()
        for courier in list(self._couriers.values()):
            courier.join(self.settings.webhook_timeout_seconds + 1)
        self._couriers.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._supervise()
            except Exception:
                log.warning("webhooks could not be read; retrying", exc_info=True)
            self._stop.wait(self.settings.poll_interval_seconds)

    def _supervise(self) -> None:
        """A courier for every active webhook that has none running."""
        with self.store.transaction() as tx:
            active = [row for row in webhook_rows(tx) if row["status"] == ACTIVE]
        for row in active:
            courier = self._couriers.get(row["webhook_id"])
            if courier is None or not courier.is_alive():
                courier = Courier(self, row["webhook_id"])
                self._couriers[row["webhook_id"]] = courier
                courier.start()
        if time.monotonic() - self._pruned_at > 3600:
            with self.store.transaction(write=True) as tx:
                tx.execute("DELETE FROM webhook_attempts WHERE attempted_at < %(before)s",
                           {"before": datetime.now(UTC) - KEPT_FOR})  # fmt: skip
            self._pruned_at = time.monotonic()


class Courier(threading.Thread):
    """Delivers one webhook's events, one at a time, in log order, until it is paused or
    deleted (it reads the webhook afresh before each delivery)."""

    def __init__(self, deliveries: Deliveries, webhook_id: str) -> None:
        super().__init__(name=f"webhook-{webhook_id[:8]}", daemon=True)
        self.deliveries, self.webhook_id = deliveries, webhook_id
        self.settings = deliveries.settings
        self._stopping = threading.Event()
        self._news = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._news.set()

    def wake(self) -> None:
        self._news.set()

    def run(self) -> None:
        with httpx2.Client(timeout=self.settings.webhook_timeout_seconds,
                           follow_redirects=False, trust_env=False) as client:  # fmt: skip
            while not self._stopping.is_set():
                try:
                    if not self._deliver_next(client):
                        return
                except Exception:
                    log.warning("webhook %s: delivery failed unexpectedly; retrying",
                                self.webhook_id, exc_info=True)  # fmt: skip
                    self._stopping.wait(self.settings.webhook_retry_seconds)

    def _deliver_next(self, client: httpx2.Client) -> bool:
        """Delivers (or tries to deliver) the next events, a batch at a time, in log order,
        stopping at the first failure; False once the webhook is no longer active."""
        self._news.clear()  # news from here on wakes the waits below
        # Read before the webhook, so the webhook as read is at least as new as this: an
        # event recorded after a rotation, pause or deletion is never sent as if before it.
        known = self.deliveries.projector.positions()[Webhooks.name]
        with self.deliveries.store.transaction() as tx:
            found = webhook_rows(tx, webhook_id=self.webhook_id)
            webhook = found[0] if found else None
            if webhook is None or webhook["status"] != ACTIVE:
                return False
            cursor = _cursor(tx, webhook)
        now = datetime.now(UTC)
        if cursor.retry_at is not None and cursor.retry_at > now:
            wait = (cursor.retry_at - now).total_seconds()
            self._stopping.wait(min(wait, self.settings.poll_interval_seconds))
            return True
        wanted = FeedFilter(tenant_id=webhook["tenant_id"], readable=DELIVERED_KINDS,
                            event_types=webhook["eventTypes"],
                            record_types=webhook["recordTypes"],
                            service_id=webhook["serviceId"],
                            shared_with={webhook["recipient"]})  # fmt: skip
        rows, examined = find_events(self.deliveries.records, self.deliveries.projector, wanted,
                                     cursor.position, BATCH)  # fmt: skip
        if not rows and examined > cursor.position:
            self._pass_over(webhook["webhook_id"], cursor, examined)
        sendable = [row for row in rows if row["position"] <= known]
        if not sendable:
            self._news.wait(self.settings.poll_interval_seconds)
            return True
        attempts: list[Attempt] = []
        for row in sendable:
            if self._stopping.is_set():
                break
            attempts.append(self._attempt(client, webhook, row))
            if attempts[-1].error is not None:
                break  # retried after its wait, before anything later
        if attempts:  # recorded together: a crash before this sends them again (at least once)
            self._record(webhook, cursor, attempts)
        return True

    def _pass_over(self, webhook_id: str, cursor: Cursor, examined: int) -> None:
        """Nothing up to `examined` is for this webhook (as gated now): not looked at again."""
        with self.deliveries.store.transaction(write=True) as tx:
            _move(tx, webhook_id, examined, cursor.failures, cursor.retry_at)

    def _attempt(self, client: httpx2.Client, webhook: Row, event: Row) -> Attempt:
        """Sends one event, saying how it went."""
        message_id = f"{event['stream_id']}.{event['version']}"
        body = orjson.dumps(message(event)).decode()
        started, status, error = time.monotonic(), None, None
        try:
            check_target(webhook["url"], self.settings.webhook_allow_private_targets)
            secret = signing_secret(self.settings, webhook["webhook_id"], webhook["secretNonce"])
            sent_at = datetime.now(UTC)
            headers = {
                "content-type": "application/json",
                "webhook-id": message_id,
                "webhook-timestamp": str(int(sent_at.timestamp())),
                "webhook-signature": Signer(secret).sign(message_id, sent_at, body),
                "user-agent": "Stepwise-Webhooks",
            }
            response = client.post(webhook["url"], content=body.encode(), headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except (TargetRefused, DomainError) as refused:
            error = str(refused)
        except httpx2.HTTPError as failed:
            error = f"{type(failed).__name__}: {failed}" if str(failed) else type(failed).__name__
        latency = round((time.monotonic() - started) * 1000)
        return Attempt(event, message_id, datetime.now(UTC), status, latency, error)

    def _record(self, webhook: Row, cursor: Cursor, attempts: list[Attempt]) -> Cursor:
        """Records a run of attempts (each delivered, but perhaps the last) and moves the
        cursor past what was delivered, in one transaction; the cursor as it then stands."""
        last = attempts[-1]
        failures = 0 if last.error is None else cursor.failures + 1
        delivered = [attempt for attempt in attempts if attempt.error is None]
        position = delivered[-1].event["position"] if delivered else cursor.position
        if delivered and last.error is not None:
            failures = 1  # the run's first failure, after deliveries that worked
        retry_at = None
        if last.error is not None:
            retry_at = datetime.now(UTC) + timedelta(seconds=self._backoff(failures))
        with self.deliveries.store.transaction(write=True) as tx:
            tx.executemany(
                "INSERT INTO webhook_attempts (webhook_id, tenant_id, position, message_id, "
                "event_type, attempted_at, status, latency_ms, error, delivered) VALUES "
                "(%(webhook)s, %(tenant)s, %(position)s, %(message)s, %(type)s, %(at)s, "
                "%(status)s, %(latency)s, %(error)s, %(delivered)s)",
                [{"webhook": webhook["webhook_id"], "tenant": webhook["tenant_id"],
                  "position": a.event["position"], "message": a.message_id,
                  "type": a.event["event_type"], "at": a.attempted_at, "status": a.status,
                  "latency": a.latency_ms, "error": (a.error or "")[:MAX_ERROR] or None,
                  "delivered": a.error is None} for a in attempts],
            )  # fmt: skip
            _move(tx, webhook["webhook_id"], position, failures, retry_at)
        if last.error is not None and failures >= self.settings.webhook_max_attempts:
            self._pause(webhook, failures, last.error)
        return Cursor(position, failures, retry_at)

    def _backoff(self, failures: int) -> float:
        """Exponential, with jitter (between half and all of it): a receiver back from an
        outage is not met by every sender at once."""
        settings = self.settings
        first, longest = settings.webhook_retry_seconds, settings.webhook_longest_wait_seconds
        ceiling = min(longest, first * 2 ** min(failures - 1, 60))
        return random.uniform(ceiling / 2, ceiling)

    def _pause(self, webhook: Row, failures: int, error: str) -> None:
        reason = f"{failures} deliveries in a row failed; the last: {error}"[:MAX_ERROR]
        context = CommandContext(actor=COURIER, tenant_id=webhook["tenant_id"],
                                 correlation_id=str(uuid4()), reason=reason)  # fmt: skip
        try:
            self.deliveries.records.execute(context, PauseWebhook(webhook["webhook_id"]))
            log.warning("webhook %s paused: %s", webhook["webhook_id"], reason)
        except DomainError:
            log.info("webhook %s was paused or deleted meanwhile", webhook["webhook_id"])
        self._stopping.set()


def message(event: Row) -> dict[str, Any]:
    """The body of a delivery: the event as the change feed publishes it (never its stored
    attributes), in the Standard Webhooks shape."""
    data = {camel(key): value for key, value in event.items()
            if key not in ("payload", "actor_id", "actor_name", "actor_role")}  # fmt: skip
    data["actor"] = {"id": event["actor_id"], "name": event["actor_name"],
                     "role": event["actor_role"].upper()}  # fmt: skip
    data["payload"] = orjson.loads(event["payload"])
    return {"type": event["event_type"], "timestamp": event["recorded_at"], "data": data}


def check_target(url: str, allow_private: bool) -> None:
    """Refuses an address deliveries may not go to: plain http, or a host that resolves to a
    loopback, private, link-local or otherwise non-public address (unless allowed, for local
    development and tests)."""
    if allow_private:
        return
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise TargetRefused("deliveries go over https only (STEPWISE_WEBHOOK_ALLOW_PRIVATE_"
                            "TARGETS=true allows http for local development)")  # fmt: skip
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as error:
        raise TargetRefused(f"{parts.hostname} could not be resolved: {error}") from error
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global:
            raise TargetRefused(
                f"{parts.hostname} resolves to {ip}, which is not a public address; "
                "STEPWISE_WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows it for local development"
            )


def _move(tx: Transaction, webhook_id: str, position: int, failures: int,
          retry_at: datetime | None) -> None:  # fmt: skip
    tx.execute(
        "INSERT INTO webhook_cursors (webhook_id, position, failures, retry_at) "
        "VALUES (%(webhook)s, %(position)s, %(failures)s, %(retry)s) "
        "ON CONFLICT (webhook_id) DO UPDATE SET position = excluded.position, "
        "failures = excluded.failures, retry_at = excluded.retry_at",
        {"position": position, "failures": failures, "retry": retry_at, "webhook": webhook_id},
    )


def _cursor(tx: Transaction, webhook: Row) -> Cursor:
    row = tx.fetchone("SELECT position, failures, retry_at FROM webhook_cursors "
                      "WHERE webhook_id = %(id)s", {"id": webhook["webhook_id"]})  # fmt: skip
    if row is None:  # delivered from when it was registered
        return Cursor(int(webhook["registered_position"]), 0, None)
    retry = row["retry_at"]
    if isinstance(retry, str):
        retry = datetime.fromisoformat(retry)
    return Cursor(int(row["position"]), int(row["failures"]), retry)


def create_tables(tx: Transaction) -> None:
    postgres = tx.dialect == "postgres"
    instant = "TIMESTAMPTZ" if postgres else "TEXT"
    identity = ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" if postgres
                else "INTEGER PRIMARY KEY AUTOINCREMENT")  # fmt: skip
    tx.execute(f"""CREATE TABLE IF NOT EXISTS webhook_cursors (
        webhook_id TEXT PRIMARY KEY, position BIGINT NOT NULL, failures INTEGER NOT NULL,
        retry_at {instant})""")
    tx.execute(f"""CREATE TABLE IF NOT EXISTS webhook_attempts (
        attempt_id {identity}, webhook_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
        position BIGINT NOT NULL, message_id TEXT NOT NULL, event_type TEXT NOT NULL,
        attempted_at {instant} NOT NULL, status INTEGER, latency_ms INTEGER NOT NULL,
        error TEXT, delivered BOOLEAN NOT NULL)""")
    tx.execute("CREATE INDEX IF NOT EXISTS webhook_attempts_by_webhook "
               "ON webhook_attempts (webhook_id, attempt_id)")  # fmt: skip
