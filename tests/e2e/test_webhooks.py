"""Webhooks: a tenant admin registers a receiver; every event the provider records after that
reaches it signed, in log order, at least once, through the receiver's outage and the server's
restart; a receiver that keeps failing pauses its webhook, saying why."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook as Verifier

from api.app import create_app
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.e2e.helpers import (
    INTEGRATION,
    MANAGER,
    TENANT_ADMIN,
    WORKER,
    Api,
    register,
    rules,
)
from tests.support.server import serve_process

KEY = "a-webhook-key-of-more-than-thirty-two-characters"
WEBHOOKS = """{ webhooks { webhooks { id url status pausedReason eventTypes
  delivery { deliveredUpTo failuresInARow nextAttemptAt } } } }"""
ATTEMPTS = """query($id: ID!) { webhookAttempts(webhookId: $id, first: 100) {
  edges { node { position messageId eventType httpStatus error delivered latencyMs } } } }"""


class Receiver:
    """An HTTP receiver on 127.0.0.1 that keeps every request, answers `status`, and can be
    stopped and started again on the same port."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        self.delay = 0.0  # seconds before each answer
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["content-length"])
                body = self.rfile.read(length)
                if len(body) < length:  # the sender went away mid-request: nothing to answer
                    return
                receiver.received.append((dict(self.headers.items()), body))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.start()
    yield found
    found.stop()


def configure(runtime: Runtime, **settings: Any) -> None:
    given = {"webhook_key": SecretStr(KEY), "webhook_allow_private_targets": True,
             "webhook_retry_seconds": 0.05, "poll_interval_seconds": 0.05, **settings}  # fmt: skip
    for name, value in given.items():
        setattr(runtime.settings, name, value)


@contextmanager
def served(runtime: Runtime) -> Iterator[Api]:
    with TestClient(create_app(runtime)) as client:
        yield Api(client)


def until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def subscribe(api: Api, url: str, **given: Any) -> dict[str, Any]:
    """A webhook delivering for the integration client INTEGRATION."""
    document = """mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) {
      recordId version position signingSecret } }"""
    webhook = {"url": url, "recipient": INTEGRATION.id, **given}
    body = api.post(document, {"i": webhook}, TENANT_ADMIN.headers())
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["registerWebhook"]
    return result


def consenting(api: Api, name: str = "Ruth Evans", service_id: str = "svc-1") -> str:
    """A person who consents to share their records with INTEGRATION."""
    person = register(api, name, service_id)
    consent = {"personId": person, "recipient": INTEGRATION.id, "purpose": "Case records"}
    api.mutate("giveSharingConsent", consent)
    return person


def delivered(receiver: Receiver) -> dict[str, tuple[dict[str, str], bytes]]:
    """What the receiver got, each message once (by its webhook-id), in the order first seen."""
    unique: dict[str, tuple[dict[str, str], bytes]] = {}
    for headers, body in list(receiver.received):
        unique.setdefault(headers["webhook-id"], (headers, body))
    return unique


def test_every_event_reaches_the_receiver_once_in_order_through_outages_and_a_restart(
    runtime: Runtime, receiver: Receiver
) -> None:
    configure(runtime, webhook_max_attempts=1000, webhook_longest_wait_seconds=0.3)
    written: list[int] = []

    def change(api: Api, n: int) -> int:
        advocate = {"personId": person, "name": f"Advocate {n}", "relationship": "Friend"}
        return int(api.mutate("recordAdvocate", advocate)["position"])

    with served(runtime) as api:
        person = consenting(api)
        webhook = subscribe(api, receiver.url)
        written += [change(api, n) for n in range(70)]
        until(lambda: len(delivered(receiver)) >= 20)
        receiver.stop()  # the receiver goes down mid-way...
        written += [change(api, n) for n in range(70, 130)]
        time.sleep(0.5)
        receiver.start()  # ...and comes back on the same address
    restarted = build(runtime.settings)  # the server restarts
    try:
        with served(restarted) as api:
            written += [change(api, n) for n in range(130, 200)]
            until(lambda: len(delivered(receiver)) >= 200)
            time.sleep(0.3)  # nothing more arrives
    finally:
        restarted.close()

    messages = delivered(receiver)
    verifier = Verifier(webhook["signingSecret"])
    bodies = [verifier.verify(body, headers) for headers, body in messages.values()]
    assert [body["data"]["position"] for body in bodies] == written
    assert {body["type"] for body in bodies} == {"Person.AdvocateRecorded"}
    assert [body["data"]["payload"]["advocate"]["name"] for body in bodies] == [
        f"Advocate {n}" for n in range(200)]  # fmt: skip
    assert len(messages) == 200 <= len(receiver.received)


def test_every_event_reaches_the_receiver_once_in_order_when_the_server_is_killed(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    """`stepwise serve` killed outright (SIGKILL) while deliveries are under way, then started
    again: the webhook's stored cursor resumes them; what was sent but not yet recorded as
    acknowledged is sent again, under the same webhook-id."""
    build(settings).close()  # the store made, with the tests' staff on record
    environment = {
        "STEPWISE_WEBHOOK_KEY": KEY, "STEPWISE_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "STEPWISE_WEBHOOK_RETRY_SECONDS": "0.05", "STEPWISE_WEBHOOK_LONGEST_WAIT_SECONDS": "0.3",
        "STEPWISE_WEBHOOK_MAX_ATTEMPTS": "1000", "STEPWISE_POLL_INTERVAL_SECONDS": "0.05",
    }  # fmt: skip
    receiver.delay = 0.02  # slow enough that the kill lands while deliveries are under way
    written: list[int] = []

    def change(api: Api, n: int) -> int:
        advocate = {"personId": person, "name": f"Advocate {n}", "relationship": "Friend"}
        return int(api.mutate("recordAdvocate", advocate)["position"])

    with serve_process(settings, tmp_path, environment) as (url, server):
        api = Api(httpx.Client(base_url=url, timeout=30))
        person = consenting(api)
        webhook = subscribe(api, receiver.url)
        written += [change(api, n) for n in range(120)]
        until(lambda: len(delivered(receiver)) >= 20)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    cut_off = len(delivered(receiver))
    with serve_process(settings, tmp_path, environment) as (url, _):
        api = Api(httpx.Client(base_url=url, timeout=30))
        written += [change(api, n) for n in range(120, 200)]
        until(lambda: len(delivered(receiver)) >= 200)
        time.sleep(0.3)  # nothing more arrives

    messages = delivered(receiver)
    verifier = Verifier(webhook["signingSecret"])
    bodies = [verifier.verify(body, headers) for headers, body in messages.values()]
    assert cut_off < 120  # killed with deliveries still to make
    assert [body["data"]["position"] for body in bodies] == written
    assert [body["data"]["payload"]["advocate"]["name"] for body in bodies] == [
        f"Advocate {n}" for n in range(200)]  # fmt: skip


def test_a_receiver_that_keeps_failing_pauses_its_webhook_saying_why(
    runtime: Runtime, receiver: Receiver
) -> None:
    configure(runtime, webhook_max_attempts=3)
    receiver.status = 503
    with served(runtime) as api:
        webhook = subscribe(api, receiver.url)
        consenting(api)
        api.reader = TENANT_ADMIN

        def paused() -> bool:
            (found,) = api.query(WEBHOOKS)["webhooks"]["webhooks"]
            return bool(found["status"] == "PAUSED")

        until(paused)
        (found,) = api.query(WEBHOOKS)["webhooks"]["webhooks"]
        attempts = api.query(ATTEMPTS, {"id": webhook["recordId"]})["webhookAttempts"]["edges"]

    assert "3 deliveries in a row failed" in found["pausedReason"]
    assert "503" in found["pausedReason"]
    assert [a["node"]["httpStatus"] for a in attempts] == [503, 503, 503]
    assert not any(a["node"]["delivered"] for a in attempts)
    assert len({a["node"]["messageId"] for a in attempts}) == 1  # the same message, retried
    assert len(receiver.received) == 3


def test_resuming_a_paused_webhook_delivers_from_where_it_stopped(
    runtime: Runtime, receiver: Receiver
) -> None:
    configure(runtime, webhook_max_attempts=2)
    receiver.status = 500
    with served(runtime) as api:
        webhook = subscribe(api, receiver.url)
        person = consenting(api)
        api.reader = TENANT_ADMIN
        until(lambda: api.query(WEBHOOKS)["webhooks"]["webhooks"][0]["status"] == "PAUSED")
        receiver.status = 200
        api.mutate("resumeWebhook", {"webhookId": webhook["recordId"]}, TENANT_ADMIN)
        until(lambda: any(h for h, _ in receiver.received[2:]))

    _, body = receiver.received[-1]
    assert json.loads(body)["data"]["streamId"] == person


def test_a_rotated_secret_signs_what_follows(runtime: Runtime, receiver: Receiver) -> None:
    configure(runtime)
    with served(runtime) as api:
        first = subscribe(api, receiver.url, eventTypes=["Person.SharingConsentGiven"])
        consenting(api, "Ruth")
        until(lambda: len(receiver.received) == 1)
        rotated = api.mutate("rotateWebhookSecret", {"webhookId": first["recordId"]},
                             TENANT_ADMIN)  # fmt: skip
        document = """mutation($i: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $i) {
          signingSecret } }"""
        again = api.post(document, {"i": {"webhookId": first["recordId"]}},
                         TENANT_ADMIN.headers())["data"]["rotateWebhookSecret"]  # fmt: skip
        consenting(api, "Omar")
        until(lambda: len(receiver.received) == 2)

    (old_headers, old_body), (new_headers, new_body) = receiver.received
    assert rotated["version"] == 2 and again["signingSecret"] != first["signingSecret"]
    Verifier(first["signingSecret"]).verify(old_body, old_headers)
    Verifier(again["signingSecret"]).verify(new_body, new_headers)
    with pytest.raises(Exception, match="signature"):
        Verifier(first["signingSecret"]).verify(new_body, new_headers)


def test_only_the_event_types_and_service_asked_for_are_delivered(
    runtime: Runtime, receiver: Receiver
) -> None:
    configure(runtime)
    with served(runtime) as api:
        subscribe(api, receiver.url, eventTypes=["Person.Moved"], serviceId="svc-2")
        ruth, omar = consenting(api, "Ruth", "svc-1"), consenting(api, "Omar", "svc-1")
        api.mutate("movePerson", {"personId": ruth, "serviceId": "svc-2", "reason": "Nearer"},
                   MANAGER)  # fmt: skip
        consenting(api, "Ada", "svc-2")
        api.mutate("movePerson", {"personId": omar, "serviceId": "svc-2", "reason": "Nearer"},
                   MANAGER)  # fmt: skip
        until(lambda: len(receiver.received) == 2)
        time.sleep(0.3)

    streams = [json.loads(body)["data"]["streamId"] for _, body in receiver.received]
    assert streams == [ruth, omar]


def test_deliveries_go_to_public_addresses_over_https_only_unless_allowed(
    runtime: Runtime, receiver: Receiver
) -> None:
    configure(runtime, webhook_allow_private_targets=False, webhook_max_attempts=1)
    with served(runtime) as api:
        subscribe(api, receiver.url)
        consenting(api)
        api.reader = TENANT_ADMIN
        until(lambda: api.query(WEBHOOKS)["webhooks"]["webhooks"][0]["status"] == "PAUSED")
        (found,) = api.query(WEBHOOKS)["webhooks"]["webhooks"]

    assert "https" in found["pausedReason"] and receiver.received == []


def test_registering_is_refused_with_reasons_and_writes_nothing(runtime: Runtime) -> None:
    configure(runtime)
    with served(runtime) as api:
        api.reader = TENANT_ADMIN
        bad = api.refuse(
            "registerWebhook",
            {
                "url": "ftp://user:pw@example.org/x",
                "recipient": " ",
                "eventTypes": ["Person.Teleported"],
                "recordTypes": ["Spaceship"],
            },
            TENANT_ADMIN,
        )
        good = {"url": "https://example.org/hook", "recipient": INTEGRATION.id}
        worker = api.refuse("registerWebhook", good, WORKER)
        runtime.settings.webhook_key = None
        unconfigured = api.refuse("registerWebhook", good, TENANT_ADMIN)
        listed = api.query(WEBHOOKS)["webhooks"]["webhooks"]

    assert rules(bad) == ["webhook.url.invalid", "webhook.recipient_required",
                          "webhook.event_types.unknown",
                          "webhook.record_types.unknown"]  # fmt: skip
    assert worker["extensions"]["code"] == "FORBIDDEN"
    assert unconfigured["extensions"] == {"code": "NOT_CONFIGURED",
                                          "setting": "STEPWISE_WEBHOOK_KEY"}  # fmt: skip
    assert listed == []
