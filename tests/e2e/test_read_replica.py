"""With STEPWISE_READ_DATABASE_URL, the API reads from a streaming replica, and a read that must
show a write waits until the replica has replayed it, not only until the primary has it. Run
against a real primary and replica (tests.support.replication), whose replay is paused and
resumed to hold the replica behind."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.e2e.helpers import WAIT_FOR_POSITION, Api, register
from tests.support.replication import Replicated, primary_and_replica
from tests.support.tokens import TEST_SECRET

PERSON = "query($id: ID!) { person(id: $id) { serviceId } }"


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    with primary_and_replica() as servers:
        yield servers


@pytest.fixture
def runtime(replicated: Replicated) -> Iterator[Runtime]:
    settings = Settings(database_url=replicated.primary_url,
                        read_database_url=replicated.replica_url,
                        database_schema=f"t_{uuid.uuid4().hex[:12]}", pool_size=4,
                        wait_for_position_timeout_seconds=3, auth_secret=TEST_SECRET,
                        _env_file=None)  # fmt: skip
    runtime = build(settings)
    yield runtime
    replicated.resume_replay()  # whatever the test left
    runtime.close()


@pytest.fixture
def api(runtime: Runtime) -> Iterator[Api]:
    with TestClient(create_app(runtime)) as client:
        yield Api(client)


def moved_while_the_replica_is_held(api: Api, runtime: Runtime, replicated: Replicated) -> tuple[
    str, int
]:  # fmt: skip
    person_id = register(api, service_id="svc-1")
    assert api.query(PERSON, {"id": person_id}) == {"person": {"serviceId": "svc-1"}}
    replicated.pause_replay()
    move = {"personId": person_id, "serviceId": "svc-2", "reason": "New flat"}
    moved = api.mutate("movePerson", move)["position"]
    assert runtime.wait_for_position(moved, timeout=10)  # the primary's read models have it
    return person_id, moved


def test_reads_come_from_the_replica_and_a_read_asked_to_show_a_write_waits_for_its_replay(
    api: Api, runtime: Runtime, replicated: Replicated
) -> None:
    person_id, moved = moved_while_the_replica_is_held(api, runtime, replicated)

    with runtime.store.transaction() as tx:  # the primary
        row = tx.fetchone("SELECT service_id FROM people WHERE person_id = %(id)s",
                          {"id": person_id})  # fmt: skip
    assert row == {"service_id": "svc-2"}
    unwaited = api.post(PERSON, {"id": person_id})
    assert unwaited == {"data": {"person": {"serviceId": "svc-1"}}}  # as the replica has it

    resumes = threading.Timer(1.0, replicated.resume_replay)
    resumes.start()
    started = time.monotonic()
    waited = api.post(PERSON, {"id": person_id}, {WAIT_FOR_POSITION: str(moved)})
    resumes.join()

    assert waited == {"data": {"person": {"serviceId": "svc-2"}}}
    assert time.monotonic() - started >= 0.9  # answered once the replica replayed the move
    assert 'pool="read_replica"' in api.client.get("/metrics").text


def test_a_replica_that_stays_behind_answers_not_ready_naming_the_replica(
    api: Api, runtime: Runtime, replicated: Replicated
) -> None:
    person_id, moved = moved_while_the_replica_is_held(api, runtime, replicated)

    error = api.failure(PERSON, {"id": person_id}, {WAIT_FOR_POSITION: str(moved)})

    assert error["extensions"]["code"] == "NOT_READY"
    assert error["extensions"]["position"] == moved
    assert "the read replica had not replayed position" in error["message"]
    assert "pg_stat_replication" in error["message"]
    replicated.resume_replay()
    assert api.query(PERSON, {"id": person_id}) == {"person": {"serviceId": "svc-2"}}
