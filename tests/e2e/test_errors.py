"""Every refusal leaves with a stable code a client can act on, and writes nothing."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.slices import people as people_slice
from infra.bootstrap import build
from infra.settings import Settings
from tests.e2e.helpers import (
    COMMISSIONER,
    INSPECTOR,
    MANAGER,
    OTHER_PROVIDER,
    SENIOR,
    WAIT_FOR_POSITION,
    WORKER,
    Api,
    Staff,
    agreed_plan,
    days_ago,
    drafted_plan,
    mutation_document,
    nothing_written,
    ready_plan,
    register,
    rules,
    start_assessment,
)

NOBODY = "00000000-0000-4000-8000-000000000000"
PERSON = "query($id: ID!) { person(id: $id) { id name } }"


def test_completing_an_empty_assessment_lists_every_missing_section_and_the_contribution(
    api: Api,
) -> None:
    assessment_id = start_assessment(api, register(api))

    with nothing_written(api):
        error = api.refuse("completeAssessment", {"assessmentId": assessment_id})

    assert rules(error) == [
        "assessment.required.strengths",
        "assessment.required.independent_skills",
        "assessment.required.preferred_outcomes",
        "assessment.required.informal_support",
        "assessment.required.communication_preferences",
        "assessment.contribution",
    ]
    fields = [violation["field"] for violation in error["extensions"]["violations"]]
    assert fields[-1] == "contribution"
    assert all(violation["message"] for violation in error["extensions"]["violations"])


def test_support_hours_out_of_range_are_refused_at_the_edge_as_an_input_rule(api: Api) -> None:
    plan = drafted_plan(api)

    with nothing_written(api):
        error = api.refuse("setSupportHours", {"personId": plan.person_id, "hoursPerWeek": 500})

    (violation,) = error["extensions"]["violations"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert violation["rule"].startswith("input.") and violation["field"] == "hoursPerWeek"


def test_an_outcome_must_build_on_strengths_the_assessment_found(api: Api) -> None:
    plan = drafted_plan(api)
    outcome = {"personId": plan.person_id, "title": " ", "baseline": "b", "target": "t",
               "evidencedBy": "e", "buildsOn": ["Flies planes"]}  # fmt: skip

    with nothing_written(api):
        error = api.refuse("agreeOutcome", outcome)

    assert rules(error) == ["plan.outcome.title_required", "plan.outcome.unknown_strength"]


def test_changing_an_agreed_plan_without_a_reason_is_refused(api: Api) -> None:
    plan = agreed_plan(api)

    with nothing_written(api):
        error = api.refuse("setSupportHours", {"personId": plan.person_id, "hoursPerWeek": 9})

    assert rules(error) == ["plan.change.reason_required"]


@pytest.mark.parametrize(
    ("effective_at", "rule"),
    [
        ("2024-01-01T09:00:00", "envelope.effective_at.timezone"),
        (days_ago(-2).isoformat(), "envelope.effective_at.future"),
    ],
    ids=["no-timezone", "future"],
)
def test_an_effective_time_must_carry_a_timezone_and_not_lie_ahead(
    api: Api, effective_at: str, rule: str
) -> None:
    register(api)
    person = {"name": "Ruth", "serviceId": "svc-1", "effectiveAt": effective_at}

    with nothing_written(api):
        error = api.refuse("registerPerson", person)

    assert rules(error) == [rule]


def test_a_stale_expected_version_is_refused_as_a_conflict(api: Api) -> None:
    person_id = register(api)
    move = {"personId": person_id, "serviceId": "svc-2", "reason": "New flat", "expectedVersion": 3}

    with nothing_written(api):
        error = api.refuse("movePerson", move)

    assert error["extensions"] == {"code": "CONFLICT", "expectedVersion": 3, "actualVersion": 1}


def test_starting_an_assessment_of_nobody_is_refused_as_not_found(api: Api) -> None:
    register(api)

    with nothing_written(api):
        error = api.refuse("startAssessment", {"personId": NOBODY})

    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert NOBODY in error["message"]


def test_changing_a_plan_that_was_never_drafted_is_refused_as_not_found(api: Api) -> None:
    person_id = register(api)

    with nothing_written(api):
        error = api.refuse("setSupportHours", {"personId": person_id, "hoursPerWeek": 3})

    assert error["extensions"] == {"code": "NOT_FOUND"}


@pytest.mark.parametrize("reader", [INSPECTOR, COMMISSIONER], ids=lambda staff: staff.role)
def test_inspectors_and_commissioners_may_read_but_not_write(api: Api, reader: Staff) -> None:
    person_id = register(api)

    with nothing_written(api):
        error = api.refuse("startAssessment", {"personId": person_id}, reader)

    assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.role"}
    assert api.query(PERSON, {"id": person_id})["person"]["id"] == person_id


@pytest.mark.parametrize("staff", [WORKER, SENIOR], ids=lambda staff: staff.role)
def test_only_a_manager_may_agree_a_plan(api: Api, staff: Staff) -> None:
    plan = ready_plan(api)

    with nothing_written(api):
        error = api.refuse("agreeSupportPlan", {"personId": plan.person_id}, staff)

    assert error["extensions"] == {"code": "FORBIDDEN", "rule": "access.role"}
    assert "manager" in error["message"]
    agreed = api.mutate("agreeSupportPlan", {"personId": plan.person_id}, MANAGER)
    assert agreed["version"] == plan.version + 1


def test_a_record_of_another_provider_cannot_be_changed_nor_told_from_a_missing_one(
    api: Api,
) -> None:
    plan = agreed_plan(api)
    change = {"personId": plan.person_id, "hoursPerWeek": 1, "reason": "Cuts"}
    nobody = str(uuid.uuid4())

    with nothing_written(api):
        error = api.refuse("setSupportHours", change, OTHER_PROVIDER)
        missing = api.refuse("setSupportHours", change | {"personId": nobody}, OTHER_PROVIDER)
        move = {"personId": plan.person_id, "serviceId": "svc-9", "reason": "Ours now"}
        moved = api.refuse("movePerson", move, OTHER_PROVIDER)

    assert error["extensions"] == missing["extensions"] == moved["extensions"] == {
        "code": "NOT_FOUND"}  # fmt: skip
    assert error["message"] == missing["message"].replace(nobody, plan.person_id)


def test_a_malformed_document_is_a_bad_request(api: Api) -> None:
    error = api.failure("{ person(id: ) { id } }")

    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert "Syntax Error" in error["message"]


def test_asking_for_a_field_that_does_not_exist_is_a_bad_request(api: Api) -> None:
    error = api.failure("{ people(first: 1) { edges { node { shoeSize } } } }")

    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert "shoeSize" in error["message"]


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("{ person(id: ) { id } }", {}),  # does not parse
        ("{ people(first: 1) { edges { node { shoeSize } } } }", {}),  # does not validate
        ("query($n: Int!) { events(first: $n) { pageInfo { endCursor } } }", {"n": "ten"}),
    ],
    ids=["parse", "validation", "variables"],
)
def test_a_request_refused_before_it_runs_answers_without_data(
    api: Api, document: str, variables: dict[str, str]
) -> None:
    body = api.post(document, variables)

    assert "data" not in body, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_REQUEST"]


def test_a_refusal_while_running_answers_with_data_null(api: Api) -> None:
    body = api.post("{ people(first: 0) { edges { node { id } } } }")

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["VALIDATION_FAILED"]


def test_a_wrongly_typed_variable_is_a_bad_request(api: Api) -> None:
    error = api.failure("query($n: Int!) { events(first: $n) { pageInfo { endCursor } } }",
                        {"n": "ten"})  # fmt: skip

    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert "ten" in error["message"]


@pytest.fixture
def impatient_api(settings: Settings) -> Iterator[Api]:
    """Waits at most 0.3 s for the read models to reach a position, which they never do: no
    projector runs."""
    changes = {"wait_for_position_timeout_seconds": 0.3, "run_projector": False}
    runtime = build(settings.model_copy(update=changes))
    try:
        with TestClient(create_app(runtime)) as client:
            yield Api(client)
    finally:
        runtime.close()


def test_waiting_for_a_position_the_read_models_do_not_reach_in_time_is_not_ready(
    impatient_api: Api,
) -> None:
    written = impatient_api.mutate("registerPerson", {"name": "Ruth", "serviceId": "svc-1"})
    position = written["position"]

    error = impatient_api.failure(PERSON, {"id": written["recordId"]},
                                  {WAIT_FOR_POSITION: str(position)})  # fmt: skip

    assert error["extensions"] == {"code": "NOT_READY", "position": position}
    assert "0.3s" in error["message"]


def test_waiting_for_a_position_beyond_the_end_of_the_log_is_refused_at_once(api: Api) -> None:
    written = api.mutate("registerPerson", {"name": "Ruth", "serviceId": "svc-1"})
    beyond = written["position"] + 1000

    started = time.perf_counter()
    error = api.failure(PERSON, {"id": written["recordId"]}, {WAIT_FOR_POSITION: str(beyond)})

    assert rules(error) == ["input.wait_for_position.beyond_log"]
    assert time.perf_counter() - started < 5  # not the 10 s a wait may take


def test_a_wait_header_that_is_not_a_position_is_refused(api: Api) -> None:
    error = api.failure(PERSON, {"id": NOBODY}, {WAIT_FOR_POSITION: "soon"})

    assert rules(error) == ["input.wait_for_position.invalid"]


def test_an_unexpected_failure_is_masked_and_logged_in_full(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    person_id = register(api)

    def broken(*_: object) -> None:
        raise RuntimeError("connection to db-7.internal refused")

    monkeypatch.setattr(people_slice, "get_person", broken)
    with caplog.at_level(logging.ERROR, logger="stepwise.api"):
        body = api.post(PERSON, {"id": person_id}, {WAIT_FOR_POSITION: str(api.last_written)})

    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL"}
    assert error["message"] == "unexpected error; it has been logged"
    assert "db-7.internal" not in str(body) and "RuntimeError" not in str(body)
    (logged,) = [record for record in caplog.records if record.name == "stepwise.api"]
    assert logged.exc_info is not None and "db-7.internal" in str(logged.exc_info[1])


@pytest.mark.parametrize(
    ("query", "variables", "rule"),
    [
        ("query($id: ID!) { person(id: $id) { id } }", {"id": "a\u0000"}, "input.id.invalid"),
        ("query($id: ID!) { person(id: $id) { id } }", {"id": "nope"}, "input.id.invalid"),
        ("query($id: ID!) { assessment(id: $id) { id } }", {"id": "x"}, "input.id.invalid"),
        ("query($p: ID!) { supportPlan(personId: $p) { id } }", {"p": "x"}, "input.id.invalid"),
        ("query($p: ID!) { planHistory(personId: $p) { edges { cursor } } }", {"p": "\u0000"},
         "input.id.invalid"),
        ("query($s: ID) { people(serviceId: $s) { edges { cursor } } }", {"s": "svc\u0000"},
         "input.text.control_character"),
    ],
    ids=["nul-id", "not-an-id", "assessment", "plan", "history", "service"],
)  # fmt: skip
def test_a_query_given_an_id_that_is_not_one_is_refused_the_same_on_both_backends(
    api: Api, query: str, variables: dict[str, str], rule: str
) -> None:
    error = api.failure(query, variables)

    assert rules(error) == [rule]


def test_a_correlation_id_longer_than_two_hundred_characters_is_refused(api: Api) -> None:
    register(api)
    long_name = WORKER.headers() | {"X-Correlation-Id": "A" * 201}

    with nothing_written(api):
        error = api.failure(
            mutation_document("registerPerson"), {"input": {"name": "Ruth", "serviceId": "svc-1"}},
            long_name,
        )  # fmt: skip

    assert rules(error) == ["input.header.too_long"]
    assert error["extensions"]["violations"][0]["field"] == "X-Correlation-Id"


def test_an_effective_time_in_year_one_is_refused_and_nothing_stored(api: Api) -> None:
    person = {"name": "Ruth", "serviceId": "svc-1", "effectiveAt": "0001-01-01T00:00:00+00:00"}

    with nothing_written(api):
        error = api.refuse("registerPerson", person)

    assert rules(error) == ["envelope.effective_at.too_early"]


@pytest.mark.parametrize(
    ("method", "body", "content_type"),
    [
        ("POST", b"{not json", "application/json"),
        ("POST", b"[]", "application/json"),
        ("POST", b'{"variables": {}}', "application/json"),
        ("POST", b"{ __typename }", "text/plain"),
    ],
    ids=["not-json", "a-batch", "no-query", "not-json-content"],
)
def test_a_request_that_is_not_graphql_answers_as_a_graphql_error_with_a_code(
    api: Api, method: str, body: bytes, content_type: str
) -> None:
    headers = {**MANAGER.headers(), "Content-Type": content_type}

    response = api.client.request(method, "/graphql", content=body, headers=headers)

    assert 400 <= response.status_code < 500
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST" and error["message"]


def test_a_mutation_sent_by_get_is_refused_with_a_code(api: Api) -> None:
    response = api.client.get("/graphql", params={"query": "mutation { __typename }"},
                              headers=MANAGER.headers())  # fmt: skip

    assert 400 <= response.status_code < 500
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
