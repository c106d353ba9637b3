"""Requests no client should send, answered like any other refusal: with a status, a stable code
and what to fix; never a 500, never INTERNAL, never a plain-text trace."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.e2e.helpers import MANAGER, WORKER, Api, register
from tests.support.tokens import TEST_SECRET

PEOPLE = "query($s: ID!) { people(serviceId: $s, first: 5) { edges { node { id } } } }"
PERSON_AT = "query($p: ID!, $on: DateTime) { person(id: $p, asOf: $on) { id } }"


def answered_with_a_code(client: TestClient, **request: Any) -> dict[str, Any]:
    response = client.post("/graphql", headers={**MANAGER.headers(), **request.pop("headers", {})},
                           **request)  # fmt: skip
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    codes = [error["extensions"]["code"] for error in body.get("errors", [])]
    assert codes and "INTERNAL" not in codes, body
    return body


@pytest.mark.parametrize("body", [b"null", b"12345", b'"text"', b"[]", b"\xff\xfe{"])
def test_a_body_that_is_no_graphql_request_is_answered_with_a_code(
    client: TestClient, body: bytes
) -> None:
    answered_with_a_code(client, content=body, headers={"Content-Type": "application/json"})


def test_variables_nested_a_thousand_deep_are_answered_with_a_code(client: TestClient) -> None:
    nested = "1"
    for _ in range(1000):
        nested = f'{{"a": {nested}}}'
    body = f'{{"query": "{{ __typename }}", "variables": {nested}}}'.encode()

    answered_with_a_code(client, content=body, headers={"Content-Type": "application/json"})


def token(**claims: Any) -> dict[str, str]:
    now = int(time.time())
    signed = {"sub": "u-mo", "name": "Mo Khan", "role": "manager", "tenant": "provider-a",
              "iss": "stepwise", "aud": "stepwise", "iat": now, "exp": now + 600,
              **claims}  # fmt: skip
    return {"Authorization": f"Bearer {jwt.encode(signed, TEST_SECRET, algorithm='HS256')}"}


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": 1099511627776},
        {"role": "inspector", "services": ["svc-1"], "grant_expires": 10**20},
        {"services": "svc-1"},
        {"tenant": {"not": "text"}},
    ],
    ids=["exp far beyond any date", "grant beyond any date", "services not a list", "tenant"],
)
def test_a_signed_token_with_claims_out_of_range_is_unauthenticated(
    client: TestClient, claims: dict[str, Any]
) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }"}, headers=token(**claims))

    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_lone_surrogate_is_refused_with_a_code(client: TestClient) -> None:
    query = PEOPLE.replace('"', '\\"')
    escaped = f'{{"query": "{query}", "variables": {{"s": "x\\ud800"}}}}'

    answered_with_a_code(client, content=escaped.encode(),
                         headers={"Content-Type": "application/json"})  # fmt: skip


@pytest.mark.parametrize("on", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59"])
def test_a_moment_at_the_edge_of_the_calendar_is_refused_with_a_rule(api: Api, on: str) -> None:
    person = register(api)

    error = api.failure(PERSON_AT, {"p": person, "on": on})

    assert error["extensions"]["code"] == "VALIDATION_FAILED"


@pytest.mark.parametrize("name", ["A\u0085B", "A\x9bB"])
def test_a_c1_control_character_is_refused_like_any_control_character(api: Api, name: str) -> None:
    error = api.refuse("registerPerson", {"name": name, "serviceId": "svc-1"}, WORKER)

    assert error["extensions"]["code"] == "VALIDATION_FAILED"


def test_a_correlation_id_with_a_control_character_is_refused(client: TestClient) -> None:
    register = "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { recordId } }"
    request = {"query": register, "variables": {"i": {"name": "Ruth", "serviceId": "svc-1"}}}

    header = {"X-Correlation-Id": "a\x9bb".encode("latin-1")}  # sent as bytes, as any client can

    body = answered_with_a_code(client, json=request, headers=header)

    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"


def test_a_date_of_birth_before_any_living_person_is_refused(api: Api) -> None:
    error = api.refuse("registerPerson", {"name": "Ruth", "serviceId": "svc-1",
                                          "dateOfBirth": "0001-01-01"}, WORKER)  # fmt: skip

    assert error["extensions"]["code"] == "VALIDATION_FAILED"
