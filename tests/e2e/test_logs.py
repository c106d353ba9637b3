"""What `stepwise serve` writes to its log: one JSON object per line (or text, if asked), with a
line per request carrying the same correlation id as the response and the events it wrote."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.e2e.helpers import WORKER, Api, mutation_document, read_feed
from tests.support.server import serve_process

HEADER = "X-Correlation-Id"
REGISTER = mutation_document("registerPerson")
RUTH = {"input": {"name": "Ruth Evans", "serviceId": "svc-1"}}
JSON_LOGS = {"STEPWISE_HTTP_ACCESS_LOG": "true", "STEPWISE_LOG_FORMAT": "json"}


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[tuple[Api, Path]]:
    """`stepwise serve` logging JSON: a client on it, and the file its output goes to."""
    build(settings).close()  # the store made, with the tests' staff on record
    with (
        serve_process(settings, tmp_path, JSON_LOGS) as (url, _),
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield Api(client), tmp_path / f"server-{url.rsplit(':', 1)[1]}.log"  # type: ignore[arg-type]


def logged(log: Path, **wanted: Any) -> dict[str, Any]:
    """The JSON log line holding these fields (written just after its response was sent)."""
    deadline = time.monotonic() + 10
    while True:
        for line in log.read_text().splitlines():
            if line.startswith("{") and wanted.items() <= json.loads(line).items():
                found: dict[str, Any] = json.loads(line)
                return found
        assert time.monotonic() < deadline, f"no log line with {wanted}:\n{log.read_text()}"
        time.sleep(0.05)


def register(api: Api, headers: dict[str, str]) -> tuple[str, int]:
    """The correlation id the response carried, and the position written."""
    response = api.client.post("/graphql", json={"query": REGISTER, "variables": RUTH},
                               headers={**WORKER.headers(), **headers})  # fmt: skip
    assert response.status_code == 200, response.text
    return response.headers[HEADER], response.json()["data"]["registerPerson"]["position"]


def test_a_request_s_log_line_is_json_with_the_id_the_response_and_its_event_carry(
    served: tuple[Api, Path],
) -> None:
    api, log = served

    answered, position = register(api, {})
    api.last_written = position

    line = logged(log, logger="stepwise.http", correlation_id=answered)
    assert str(UUID(answered)) == answered  # none was sent: a fresh one
    assert {"time", "level", "message"} <= line.keys() and line["level"] == "INFO"
    assert (line["method"], line["path"], line["route"], line["status"], line["outcome"]) == (
        "POST", "/graphql", "/graphql", 200, "ok",
    )  # fmt: skip
    assert line["operation"] == "{registerPerson}" and line["duration_ms"] > 0
    (event,), _ = read_feed(api)
    assert event["correlationId"] == answered


def test_the_client_s_id_is_logged_and_uvicorn_s_own_lines_are_json_too(
    served: tuple[Api, Path],
) -> None:
    api, log = served

    answered, _ = register(api, {HEADER: "order-1138"})

    assert answered == "order-1138"
    assert logged(log, logger="stepwise.http", correlation_id="order-1138")["status"] == 200
    started = logged(log, logger="uvicorn.error", message="Application startup complete.")
    assert started["level"] == "INFO" and "color_message" not in started
    assert '"POST /graphql HTTP/1.1"' not in log.read_text()  # uvicorn's access log is off


def test_a_request_s_path_is_logged_without_its_query_string(served: tuple[Api, Path]) -> None:
    api, log = served

    api.client.get("/health?name=Ruth+Evans", headers={HEADER: "probe-1"})

    line = logged(log, correlation_id="probe-1")
    assert line["path"] == "/health" and "Ruth" not in json.dumps(line)


@pytest.mark.parametrize("logging_requests", [True, False])
def test_the_request_line_can_be_turned_off(
    runtime: Runtime, caplog: pytest.LogCaptureFixture, logging_requests: bool
) -> None:
    runtime.settings.http_access_log = logging_requests
    with TestClient(create_app(runtime)) as client, caplog.at_level(logging.INFO):
        client.get("/health", headers={HEADER: "probe-2"})

    lines = [r for r in caplog.records if getattr(r, "correlation_id", None) == "probe-2"]
    assert len(lines) == (1 if logging_requests else 0)


def logging_with(environment: dict[str, str]) -> str:
    """What a process configured from these settings writes to stderr for one INFO and one
    WARNING record."""
    script = ("from infra.logs import configure_logging; from infra.settings import "
              "Settings; import logging; configure_logging(Settings(_env_file=None)); "
              "log = logging.getLogger('stepwise.http'); log.info('GET /health 200'); "
              "log.warning('the access log could not be written')")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    return done.stderr


def test_text_logs_are_one_plain_line_per_record() -> None:
    written = logging_with({"STEPWISE_LOG_FORMAT": "text"}).splitlines()

    assert [line.split(" ", 2)[2] for line in written] == [
        "stepwise.http INFO GET /health 200",
        "stepwise.http WARNING the access log could not be written",
    ]


def test_by_default_logs_are_json_when_not_written_to_a_terminal() -> None:
    written = logging_with({}).splitlines()

    assert [json.loads(line)["message"] for line in written] == [
        "GET /health 200", "the access log could not be written"
    ]  # fmt: skip


def test_the_log_level_leaves_out_less_severe_records() -> None:
    written = logging_with({"STEPWISE_LOG_LEVEL": "warning"}).splitlines()

    assert [json.loads(line)["level"] for line in written] == ["WARNING"]
