"""/metrics as Prometheus scrapes it: requests by operation and outcome, commands by outcome,
each read model's lag and whether it is parked, the pools and the access log's queue, and
nothing about any person."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from infra.bootstrap import Runtime
from projections import tracking
from tests.e2e.helpers import WORKER, Api, agreed_plan, mutation_document, register

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
PLAN = "query PlanForReview($p: ID!) { supportPlan(personId: $p) { version } }"


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_query_is_counted_by_its_operation_name_and_outcome_and_timed(
    api: Api, client: TestClient
) -> None:
    plan = agreed_plan(api)
    before = scrape(client)

    api.query(PLAN, {"p": plan.person_id})
    api.post(PLAN, {"p": "not-an-id"})

    after = scrape(client)
    for outcome in ("ok", "VALIDATION_FAILED"):
        labels = {"operation": "PlanForReview", "outcome": outcome}
        counted = value(after, "stepwise_graphql_requests_total", **labels)
        assert counted - value(before, "stepwise_graphql_requests_total", **labels) == 1
    timed = "stepwise_graphql_request_duration_seconds_count"
    assert (
        value(after, timed, operation="PlanForReview")
        - value(before, timed, operation="PlanForReview")
        == 2
    )
    assert value(after, "stepwise_graphql_request_duration_seconds_sum",
                 operation="PlanForReview") > 0  # fmt: skip


def test_requests_refused_before_any_operation_ran_are_counted_with_their_code(
    client: TestClient,
) -> None:
    before = scrape(client)

    unsigned = client.post("/graphql", json={"query": "{ people { pageInfo { hasNextPage } } }"})
    malformed = client.post("/graphql", content=b"{not json", headers={
        **WORKER.headers(), "content-type": "application/json"})  # fmt: skip
    invalid = client.post("/graphql", json={"query": "query Invented { noSuchField }"},
                          headers=WORKER.headers())  # fmt: skip
    unparsed = client.post("/graphql", json={"query": "query Unfinished {"},
                           headers=WORKER.headers())  # fmt: skip

    assert (unsigned.status_code, malformed.status_code) == (401, 400)
    for refused in (invalid, unparsed):
        assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    after = scrape(client)
    for outcome, times in (("UNAUTHENTICATED", 1), ("BAD_REQUEST", 3)):
        labels = {"operation": "none", "outcome": outcome}
        counted = value(after, "stepwise_graphql_requests_total", **labels)
        assert counted - value(before, "stepwise_graphql_requests_total", **labels) == times
    invented = frozenset({"operation": "Invented", "outcome": "BAD_REQUEST"}.items())
    assert ("stepwise_graphql_requests_total", invented) not in after  # only validated names
    http = {"route": "/graphql", "status": "401"}
    assert value(after, "stepwise_http_requests_total", **http) > 0


def test_every_http_request_is_counted_and_timed_by_its_route_as_declared(
    client: TestClient,
) -> None:
    before = scrape(client)

    client.get("/health")
    client.get("/no/such/page")

    after = scrape(client)
    for route, status in (("/health", "200"), ("unmatched", "404")):
        counted = value(after, "stepwise_http_requests_total", route=route, status=status)
        assert counted - value(before, "stepwise_http_requests_total", route=route,
                               status=status) == 1  # fmt: skip
        timed = "stepwise_http_request_duration_seconds_count"
        assert value(after, timed, route=route) - value(before, timed, route=route) == 1
    assert not [labels for name, labels in after if ("route", "/no/such/page") in labels]


def test_an_anonymous_operation_is_labelled_by_its_root_fields(
    api: Api, client: TestClient
) -> None:
    person_id = register(api)
    anonymous = "query($p: ID!) { person(id: $p) { id } supportPlan(personId: $p) { version } }"

    api.post(anonymous, {"p": person_id})

    labels = {"operation": "{person,supportPlan}", "outcome": "ok"}
    assert value(scrape(client), "stepwise_graphql_requests_total", **labels) >= 1


@pytest.fixture
def two_names_counted(runtime: Runtime) -> Iterator[TestClient]:
    runtime.settings.metrics_max_operations = 2
    with TestClient(create_app(runtime)) as client:
        yield client


def test_operation_names_beyond_the_most_counted_are_counted_as_other(
    two_names_counted: TestClient,
) -> None:
    client = two_names_counted
    before = scrape(client)

    for name in ("First", "Second", "Third", "Fourth", "First"):
        document = {"query": f"query {name} {{ people {{ pageInfo {{ hasNextPage }} }} }}"}
        client.post("/graphql", json=document, headers=WORKER.headers())

    after = scrape(client)

    def counted(operation: str) -> float:
        labels = {"operation": operation, "outcome": "ok"}
        return value(after, "stepwise_graphql_requests_total", **labels) - value(
            before, "stepwise_graphql_requests_total", **labels
        )

    assert [counted(name) for name in ("First", "Second", "other")] == [2, 1, 2]
    assert ("stepwise_graphql_requests_total",
            frozenset({"operation": "Third", "outcome": "ok"}.items())) not in after  # fmt: skip


def test_commands_are_counted_by_type_and_outcome(api: Api, client: TestClient) -> None:
    before = scrape(client)

    register(api)
    refused = api.failure(mutation_document("registerPerson"),
                          {"input": {"name": "Ruth", "serviceId": "svc-1"}},
                          {**WORKER.headers(), "X-Correlation-Id": "x" * 201})  # fmt: skip

    assert refused["extensions"]["code"] == "VALIDATION_FAILED"
    after = scrape(client)
    for outcome in ("ok", "VALIDATION_FAILED"):
        labels = {"command": "RegisterPerson", "outcome": outcome}
        counted = value(after, "stepwise_commands_total", **labels)
        assert counted - value(before, "stepwise_commands_total", **labels) == 1


def test_each_read_model_shows_no_lag_once_it_has_caught_up(
    api: Api, client: TestClient, runtime: Runtime
) -> None:
    plan = agreed_plan(api)
    api.query(PLAN, {"p": plan.person_id})
    last = runtime.records.last_position()
    assert runtime.wait_for_position(last, 10)

    samples = scrape(client)

    assert value(samples, "stepwise_event_log_position") == last
    assert value(samples, "stepwise_database_up") == 1
    for model in runtime.projector.models:
        assert value(samples, "stepwise_read_model_lag_events", read_model=model.name) == 0
        assert value(samples, "stepwise_read_model_lag_seconds", read_model=model.name) == 0
        assert value(samples, "stepwise_read_model_parked", read_model=model.name) == 0


@pytest.fixture
def read_models_not_kept(runtime: Runtime) -> Iterator[TestClient]:
    """The app without its projector, as if the read models' process had stopped."""
    runtime.settings.run_projector = False
    with TestClient(create_app(runtime)) as client:
        yield client


def test_lag_and_parking_show_in_events_and_seconds_per_read_model(
    read_models_not_kept: TestClient, runtime: Runtime
) -> None:
    client = read_models_not_kept
    api = Api(client)
    register(api)
    register(api, "Sam Okafor")
    with runtime.store.transaction(write=True) as tx:
        tracking.park(tx, "staff", before=1, event="Staff.Joined", error="RuntimeError: broken")

    samples = scrape(client)

    last = runtime.records.last_position()
    people = {"read_model": "people"}
    assert value(samples, "stepwise_read_model_lag_events", **people) == last
    assert value(samples, "stepwise_read_model_lag_seconds", **people) > 0
    assert value(samples, "stepwise_read_model_parked", read_model="staff") == 1
    assert value(samples, "stepwise_read_model_parked", **people) == 0


def test_the_pools_and_the_access_log_queue_are_shown_as_they_are_when_scraped(
    api: Api, client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = agreed_plan(api)
    api.query(PLAN, {"p": plan.person_id})
    writable = threading.Event()
    flush = runtime.access_log.flush

    def held(wait: float = -1) -> bool:
        writable.wait(10)
        return flush(wait)

    monkeypatch.setattr(runtime.access_log, "flush", held)
    try:
        api.query(PLAN, {"p": plan.person_id})  # one read logged, not yet written
        samples = scrape(client)
    finally:
        writable.set()

    assert value(samples, "stepwise_access_log_queue_depth") >= 1
    pools = {labels for name, labels in samples if name == "stepwise_db_pool_connections"}
    if not runtime.settings.is_postgres:
        assert pools == set()  # SQLite: no pools
        return
    assert pools == {frozenset({"pool": "events"}.items()),
                     frozenset({"pool": "read_models"}.items())}  # fmt: skip
    settings = runtime.settings
    most = settings.pool_size + settings.pool_max_overflow
    for pool in ("events", "read_models"):
        assert value(samples, "stepwise_db_pool_max_connections", pool=pool) == most
        assert 1 <= value(samples, "stepwise_db_pool_connections", pool=pool) <= most
        assert value(samples, "stepwise_db_pool_idle_connections", pool=pool) >= 0
        assert value(samples, "stepwise_db_pool_waiting_requests", pool=pool) == 0


def test_the_metrics_name_no_person_and_hold_no_record_content(
    api: Api, client: TestClient
) -> None:
    plan = agreed_plan(api, name="Philippa Quenby")
    api.query(PLAN, {"p": plan.person_id})
    api.fhir(f"Patient/{plan.person_id}")

    text = client.get("/metrics").text

    assert plan.person_id not in text and "Quenby" not in text
    assert 'route="/fhir/{kind}/{resource_id}"' in text


@pytest.fixture
def metrics_off(runtime: Runtime) -> Iterator[TestClient]:
    runtime.settings.metrics = False
    with TestClient(create_app(runtime)) as client:
        yield client


def test_metrics_can_be_turned_off(metrics_off: TestClient) -> None:
    assert metrics_off.get("/metrics").status_code == 404
