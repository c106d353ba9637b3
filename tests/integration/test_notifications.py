"""On PostgreSQL, writes made by another process reach a running projector at once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.support.scenarios import agreed_plan

POLL_INTERVAL = 60.0  # so long that only a notification can explain a prompt catch-up


@pytest.fixture
def listening_projector(postgres_url: str) -> Iterator[Runtime]:
    settings = Settings(
        database_url=postgres_url,
        database_schema=f"t_{uuid.uuid4().hex[:12]}",
        poll_interval_seconds=POLL_INTERVAL,
        _env_file=None,
    )
    runtime = build(settings)
    runtime.projector.start()
    yield runtime
    runtime.close()


def test_a_write_from_another_process_wakes_the_projector(listening_projector: Runtime) -> None:
    time.sleep(0.5)  # the first catch-up and the LISTEN are done
    writer = build(listening_projector.settings)
    try:
        agreed_plan(writer.records)
        last = writer.records.last_position()
    finally:
        writer.close()

    assert listening_projector.wait_for_position(last, timeout=5.0)
