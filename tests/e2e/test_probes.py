"""/health says the process is alive, at once and without the database; /ready says whether it
can serve: the database answers and every read model is live."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from infra.bootstrap import Runtime


def test_a_fresh_server_is_alive_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["database"] == "up"


def test_without_its_database_the_server_is_alive_but_not_ready(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> int:
        raise ConnectionError("the database is away")

    monkeypatch.setattr(runtime.records, "last_position", unreachable)

    assert client.get("/health").status_code == 200
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not_ready", "database": "down"}
