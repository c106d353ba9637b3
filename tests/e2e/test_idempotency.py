"""Retrying a mutation over HTTP is harmless: with the same idempotency key (the Idempotency-Key
header or the input's idempotencyKey) and the same input, the first result comes back and nothing
more is written; the same key with other input is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    MANAGER,
    WORKER,
    WRITE_RESULT,
    Api,
    Staff,
    agreed_plan,
    mutation_document,
    nothing_written,
    read_feed,
    rules,
)

IDEMPOTENCY_KEY = "Idempotency-Key"
RUTH = {"name": "Ruth Evans", "dateOfBirth": "1970-05-01", "serviceId": "svc-1", "teamId": "t-1"}
PERSON = "query($id: ID!) { person(id: $id) { id name } }"


def with_key(staff: Staff, key: str) -> dict[str, str]:
    return staff.headers() | {IDEMPOTENCY_KEY: key}


def mutate_with_header(
    api: Api, name: str, input: dict[str, Any], key: str, by: Staff = WORKER
) -> dict[str, Any]:
    """The WriteResult of a mutation sent with the Idempotency-Key header, which must succeed."""
    body = api.post(mutation_document(name), {"input": input}, with_key(by, key))
    assert "errors" not in body, body["errors"]
    written: dict[str, Any] = body["data"][name]
    api.last_written = max(api.last_written, written["position"])
    return written


def test_a_mutation_retried_with_the_same_idempotency_key_header_answers_the_first_result(
    api: Api,
) -> None:
    first = mutate_with_header(api, "registerPerson", RUTH, "register-ruth")

    with nothing_written(api):
        retried = mutate_with_header(api, "registerPerson", RUTH, "register-ruth")

    assert retried == first
    people = [event for event in read_feed(api)[0] if event["streamId"] == first["recordId"]]
    assert len(people) == 1


def test_a_mutation_retried_with_the_same_idempotency_key_input_answers_the_first_result(
    api: Api,
) -> None:
    plan = agreed_plan(api)
    change = {"personId": plan.person_id, "hoursPerWeek": 10, "reason": "Fewer visits",
              "idempotencyKey": "hours-down"}  # fmt: skip
    first = api.mutate("setSupportHours", change, MANAGER)

    with nothing_written(api):
        retried = api.mutate("setSupportHours", change, MANAGER)

    assert retried == first
    assert first["version"] == plan.version + 1


def test_the_same_key_with_other_input_is_refused_and_writes_nothing(api: Api) -> None:
    mutate_with_header(api, "registerPerson", RUTH, "register-ruth")
    other = RUTH | {"name": "Rita Evans"}

    with nothing_written(api):
        error = api.failure(
            mutation_document("registerPerson"), {"input": other}, with_key(WORKER, "register-ruth")
        )

    assert error["extensions"] == {
        "code": "IDEMPOTENCY_KEY_REUSED",
        "idempotencyKey": "register-ruth",
    }


def test_a_header_and_an_input_key_that_disagree_are_refused(api: Api) -> None:
    keyed = RUTH | {"idempotencyKey": "register-ruth"}

    with nothing_written(api):
        error = api.failure(
            mutation_document("registerPerson"),
            {"input": keyed},
            with_key(WORKER, "register-rita"),
        )

    assert rules(error) == ["input.idempotency_key.conflict"]


@pytest.mark.parametrize("key", ["", "k" * 201], ids=["empty", "over-200-characters"])
@pytest.mark.parametrize("sent_as", ["header", "input"])
def test_an_empty_or_overlong_idempotency_key_is_refused(api: Api, key: str, sent_as: str) -> None:
    if sent_as == "header":
        variables, headers = {"input": RUTH}, with_key(WORKER, key)
    else:
        variables, headers = {"input": RUTH | {"idempotencyKey": key}}, WORKER.headers()

    with nothing_written(api):
        error = api.failure(mutation_document("registerPerson"), variables, headers)

    assert rules(error) == ["input.idempotency_key.invalid"]


def test_a_key_of_200_characters_is_accepted(api: Api) -> None:
    key = "k" * 200

    written = api.mutate("registerPerson", RUTH | {"idempotencyKey": key})

    assert api.query(PERSON, {"id": written["recordId"]})["person"]["name"] == "Ruth Evans"


def test_one_header_key_for_several_mutations_of_a_document_is_refused_for_all(
    api_allowing_two_mutations: Api,
) -> None:
    api = api_allowing_two_mutations
    document = (
        "mutation($input: RegisterPersonInput!) { "
        f"first: registerPerson(input: $input) {{ {WRITE_RESULT} }} "
        f"again: registerPerson(input: $input) {{ {WRITE_RESULT} }} }}"
    )

    with nothing_written(api):
        body = api.post(document, {"input": RUTH}, with_key(WORKER, "register-ruth"))

    assert body["data"] == {"first": None, "again": None}
    assert [rules(error) for error in body["errors"]] == [
        ["input.idempotency_key.one_mutation"]
    ] * 2


def test_a_refused_mutation_does_not_hide_what_the_one_before_it_wrote(
    api_allowing_two_mutations: Api,
) -> None:
    api = api_allowing_two_mutations
    _, cursor = read_feed(api)
    document = (
        "mutation { "
        f'saved: registerPerson(input: {{name: "Ruth", serviceId: "svc-1"}}) {{ {WRITE_RESULT} }} '
        f'refused: registerPerson(input: {{name: "", serviceId: "svc-1"}}) {{ {WRITE_RESULT} }} }}'
    )

    body = api.post(document, {}, WORKER.headers())

    saved = body["data"]["saved"]
    assert body["data"]["refused"] is None
    assert [rules(error) for error in body["errors"]] == [["person.name.required"]]
    api.last_written = saved["position"]
    new_events, _ = read_feed(api, after=cursor)
    assert [event["streamId"] for event in new_events] == [saved["recordId"]]
