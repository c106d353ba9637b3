"""An API that runs no projector of its own still reads its own writes: the projector in the
other process announces each position (PostgreSQL notifications), and where nothing can be
announced (SQLite) waiting requests share one periodic look at the positions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.e2e.helpers import WAIT_FOR_POSITION, Api

PERSON = "query($id: ID!) { person(id: $id) { name serviceId } }"


@pytest.fixture
def api_without_projector(settings: Settings) -> Iterator[Api]:
    # On PostgreSQL only a notification could answer within the test: the periodic look is
    # pushed out to a minute.
    refresh = 60.0 if settings.is_postgres else 0.25
    runtime = build(settings.model_copy(update={
        "run_projector": False, "wait_for_position_refresh_seconds": refresh,
    }))  # fmt: skip
    try:
        with TestClient(create_app(runtime)) as client:
            yield Api(client)
    finally:
        runtime.close()


@pytest.fixture
def projector_elsewhere(settings: Settings) -> Iterator[Runtime]:
    runtime = build(settings)
    runtime.projector.start()
    yield runtime
    runtime.close()


def test_a_write_projected_by_another_process_is_read_with_the_wait_header(
    api_without_projector: Api, projector_elsewhere: Runtime
) -> None:
    written = api_without_projector.mutate("registerPerson", {"name": "Ruth", "serviceId": "svc-1"})

    body = api_without_projector.post(
        PERSON, {"id": written["recordId"]}, {WAIT_FOR_POSITION: str(written["position"])}
    )

    assert body == {"data": {"person": {"name": "Ruth", "serviceId": "svc-1"}}}
