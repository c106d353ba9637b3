"""OpenTelemetry tracing: off unless a collector is named; then each request is a span sent to
it over OTLP/HTTP; asked for without the `tracing` extra, start-up stops with one line saying
what to install."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib.util import find_spec

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import infra.tracing
from api.app import create_app
from infra.bootstrap import Runtime
from infra.cli.app import cli
from infra.tracing import STANDARD, TracingNotInstalled
from tests.e2e.helpers import WORKER

INSTALL = "pip install 'stepwise[tracing]'"


@pytest.fixture(autouse=True)
def no_collector_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in STANDARD:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def extra_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(infra.tracing, "_installed", lambda module: False)


def traced(app: object) -> bool:
    return any(m.cls.__name__ == "OpenTelemetryMiddleware" for m in app.user_middleware)  # type: ignore[attr-defined]


def test_tracing_is_off_unless_a_collector_is_named(runtime: Runtime) -> None:
    assert not traced(create_app(runtime))


@pytest.mark.parametrize("variable", ["STEPWISE_OTEL_ENDPOINT", *STANDARD])
@pytest.mark.usefixtures("extra_not_installed")
def test_serve_says_in_one_line_what_to_install_when_tracing_is_asked_for_without_it(
    variable: str,
) -> None:
    result = CliRunner().invoke(cli, ["serve"], env={variable: "http://collector:4318"})

    assert result.exit_code == 1
    assert result.output == f"{variable} is set but tracing is not installed: {INSTALL}\n"


@pytest.mark.usefixtures("extra_not_installed")
def test_the_app_itself_will_not_start_untraced_when_tracing_is_asked_for(
    runtime: Runtime,
) -> None:
    runtime.settings.otel_endpoint = "http://collector:4318"

    with pytest.raises(TracingNotInstalled, match=r"pip install 'stepwise\[tracing\]'"):
        create_app(runtime)


class Collector(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        Collector.received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    """The base URL of a stand-in OTLP/HTTP collector that notes the paths posted to it."""
    Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_with_the_extra_each_request_is_sent_to_the_collector_as_a_span(
    runtime: Runtime, collector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make test` installs every extra (requirements/test.lock): without this one, fail, not skip.
    assert find_spec("opentelemetry.instrumentation.fastapi"), "run `make test` (tracing extra)"
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "50")  # spans sent within 50 ms, not 5 s
    runtime.settings.otel_endpoint = collector

    with TestClient(create_app(runtime)) as client:
        document = {"query": "{ people { pageInfo { hasNextPage } } }"}
        assert client.post("/graphql", json=document, headers=WORKER.headers()).is_success
        deadline = time.monotonic() + 10
        while not Collector.received:
            assert time.monotonic() < deadline, "no span reached the collector"
            time.sleep(0.05)

    assert Collector.received[0] == "/v1/traces"
