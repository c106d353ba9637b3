"""Every response says which request it answered in `X-Correlation-Id`: the client's id if it
sent one that can be stored, else a fresh one; and that id is the one on the events the
request wrote and in the access log of what it read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

import api.metrics
from tests.e2e.helpers import (
    MANAGER,
    WAIT_FOR_POSITION,
    WORKER,
    Api,
    agreed_plan,
    mutation_document,
    read_feed,
)

HEADER = "X-Correlation-Id"
SENT = "checkout-7f3a"
REGISTER = mutation_document("registerPerson")
RUTH = {"input": {"name": "Ruth Evans", "serviceId": "svc-1"}}
PLAN = "query($p: ID!) { supportPlan(personId: $p) { status } }"
ACCESS_LOG = """query($p: ID!) { accessLog(personId: $p, first: 100) { edges { node {
  field correlationId } } } }"""


def is_fresh_id(value: str) -> bool:
    return str(UUID(value)) == value


def graphql(client: TestClient, headers: dict[str, str]) -> Any:
    return client.post("/graphql", json={"query": "{ people { pageInfo { hasNextPage } } }"},
                       headers={**WORKER.headers(), **headers})  # fmt: skip


def unsigned_graphql(client: TestClient, headers: dict[str, str]) -> Any:
    return client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)


def malformed_body(client: TestClient, headers: dict[str, str]) -> Any:
    sent = {**WORKER.headers(), "content-type": "application/json", **headers}
    return client.post("/graphql", content=b'{"query": ', headers=sent)


def fhir(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/fhir/Patient", headers={**WORKER.headers(), **headers})


def unsigned_pack(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/packs/person/6f409bd4-f496-43e7-94c6-9d0df301228a", headers=headers)


def probe(path: str) -> Any:
    return lambda client, headers: client.get(path, headers=headers)


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (graphql, 200),
        (unsigned_graphql, 401),
        (malformed_body, 400),
        (fhir, 200),
        (unsigned_pack, 401),
        (probe("/health"), 200),
        (probe("/ready"), 200),
        (probe("/metrics"), 200),
        (probe("/no-such-page"), 404),
    ],
)
def test_every_response_echoes_the_correlation_id_the_client_sent(
    client: TestClient, send: Any, status: int
) -> None:
    response = send(client, {HEADER: SENT})

    assert response.status_code == status
    assert response.headers[HEADER] == SENT


def test_without_one_a_fresh_id_is_answered_and_stored_on_the_events_written(
    api: Api, client: TestClient
) -> None:
    response = client.post("/graphql", json={"query": REGISTER, "variables": RUTH},
                           headers=WORKER.headers())  # fmt: skip
    api.last_written = response.json()["data"]["registerPerson"]["position"]

    (event,), _ = read_feed(api)

    assert is_fresh_id(response.headers[HEADER])
    assert event["correlationId"] == response.headers[HEADER]


def test_the_access_log_holds_the_id_the_response_carried(api: Api, client: TestClient) -> None:
    plan = agreed_plan(api)
    read = {**WORKER.headers(), WAIT_FOR_POSITION: str(api.last_written)}

    response = client.post("/graphql", json={"query": PLAN, "variables": {"p": plan.person_id}},
                           headers=read)  # fmt: skip

    body = api.post(ACCESS_LOG, {"p": plan.person_id}, MANAGER.headers())
    entries = [edge["node"] for edge in body["data"]["accessLog"]["edges"]]
    assert {"field": "supportPlan", "correlationId": response.headers[HEADER]} in entries


@pytest.mark.parametrize("refused", ["a\x1bb", "x" * 201], ids=["control character", "too long"])
def test_an_id_that_cannot_be_stored_is_not_echoed_a_fresh_one_is_and_nothing_is_written(
    client: TestClient, refused: str
) -> None:
    response = client.post("/graphql", json={"query": REGISTER, "variables": RUTH},
                           headers={**WORKER.headers(), HEADER: refused})  # fmt: skip

    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["violations"][0]["field"] == HEADER
    assert is_fresh_id(response.headers[HEADER])


def test_an_unexpected_failure_is_answered_with_a_code_and_the_id(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> bytes:
        raise RuntimeError("the exposition failed")

    monkeypatch.setattr(api.metrics, "generate_latest", broken)

    response = client.get("/metrics", headers={HEADER: SENT})

    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert response.headers[HEADER] == SENT
