"""The change feed live, over graphql-transport-ws: signed in by the connection_init payload, it
streams what `events` lists (same scope, filters and payloads, consent to share included), then
each event as it is recorded, resuming from a cursor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from infra.bootstrap import Runtime
from tests.e2e.helpers import INTEGRATION, MANAGER, OTHER_PROVIDER, Api, Staff, read_feed, register

LIVE = """subscription($after: String, $types: [String!]) { events(after: $after, types: $types) {
  cursor node { position streamId eventType payload { __typename } } } }"""


@contextmanager
def live(client: TestClient, reader: Staff, **variables: Any) -> Iterator[WebSocketTestSession]:
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init", "payload": reader.headers()})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe",
                          "payload": {"query": LIVE, "variables": variables}})  # fmt: skip
        yield socket


def received(socket: WebSocketTestSession, count: int) -> list[dict[str, Any]]:
    found = []
    while len(found) < count:
        message = socket.receive_json()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        found.append(message["payload"]["data"]["events"])
    return found


def test_the_live_feed_gives_what_the_query_lists_then_each_new_event(
    api: Api, client: TestClient
) -> None:
    register(api, "Ruth")
    register(api, "Omar")
    api.reader = MANAGER
    listed, _ = read_feed(api)

    with live(client, MANAGER) as socket:
        first = received(socket, len(listed))
        written = register(api, "Ada")
        (new,) = received(socket, 1)

    assert [edge["node"]["position"] for edge in first] == [e["position"] for e in listed]
    assert new["node"]["streamId"] == written
    assert new["node"]["payload"]["__typename"] == "PersonRegisteredPayload"


def test_the_live_feed_resumes_after_a_cursor_and_filters_by_type(
    api: Api, client: TestClient
) -> None:
    ruth = register(api, "Ruth")
    with live(client, MANAGER) as socket:
        (edge,) = received(socket, 1)
    register(api, "Omar")
    move = {"personId": ruth, "serviceId": "svc-2", "reason": "Nearer home"}
    moved = api.mutate("movePerson", move, MANAGER)

    with live(client, MANAGER, after=edge["cursor"], types=["Person.Moved"]) as socket:
        (only,) = received(socket, 1)

    assert only["node"]["position"] == moved["position"]


def test_another_provider_and_people_who_do_not_consent_are_left_out(
    api: Api, client: TestClient, runtime: Runtime
) -> None:
    register(api, "Ruth")
    theirs = register(api, "Bo's person", by=OTHER_PROVIDER)
    ada = register(api, "Ada")
    consent = {"personId": ada, "recipient": INTEGRATION.id, "purpose": "Case records"}
    api.mutate("giveSharingConsent", consent)
    # What an integration client receives is gated as it is sent: an event sent before the
    # consent was applied would have been left out.
    assert runtime.wait_for_position(api.last_written, 10)

    people = ["Person.Registered", "Person.SharingConsentGiven"]
    with live(client, OTHER_PROVIDER, types=people) as socket:
        (own,) = received(socket, 1)
    with live(client, INTEGRATION, types=people) as socket:
        shared = received(socket, 2)

    assert own["node"]["streamId"] == theirs
    assert {edge["node"]["streamId"] for edge in shared} == {ada}


def test_a_socket_whose_token_does_not_verify_is_refused(client: TestClient) -> None:
    forged = {"Authorization": "Bearer not-a-token"}
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init", "payload": forged})
        closed = socket.receive()

    assert closed["type"] == "websocket.close" and closed["code"] == 4403


def test_a_person_who_withdraws_consent_is_left_out_of_a_live_feed_from_then_on(
    api: Api, client: TestClient, runtime: Runtime
) -> None:
    ruth, omar = register(api, "Ruth"), register(api, "Omar")
    consents = {}
    for person in (ruth, omar):
        given = {"personId": person, "recipient": INTEGRATION.id, "purpose": "Case records"}
        consents[person] = api.mutate("giveSharingConsent", given)["partId"]
    assert runtime.wait_for_position(api.last_written, 10)

    advocate = ["Person.AdvocateRecorded"]
    with live(client, INTEGRATION, types=advocate) as socket:
        for person in (ruth, omar):
            api.mutate("recordAdvocate", {"personId": person, "name": "Sam",
                                          "relationship": "Friend"})  # fmt: skip
        before = received(socket, 2)
        withdrawal = {"personId": ruth, "consentId": consents[ruth]}
        api.mutate("withdrawSharingConsent", withdrawal)
        assert runtime.wait_for_position(api.last_written, 10)
        for person in (ruth, omar):
            api.mutate("recordAdvocate", {"personId": person, "name": "Kim",
                                          "relationship": "Friend"})  # fmt: skip
        (after,) = received(socket, 1)

    assert [edge["node"]["streamId"] for edge in before] == [ruth, omar]
    assert after["node"]["streamId"] == omar  # Ruth's, recorded before Omar's, was left out
