"""The app served for real on a free local port, for tests that need concurrent clients over
the network rather than the in-process test client: by uvicorn in this process, or by
`stepwise serve` as a process of its own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import uvicorn

from api.app import create_app
from infra.bootstrap import Runtime
from infra.settings import Settings
from tests.support.tokens import TEST_SECRET

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(runtime: Runtime) -> Iterator[str]:
    """The base URL of the running app; the server stops when the block ends."""
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_process(
    settings: Settings, folder: Path, environment: dict[str, str], *options: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`stepwise serve` as its own process on a free port, as deployed: its base URL and the
    process (which a test may kill); stopped by SIGINT when the block ends, if still running."""
    port = free_port()
    given = {**os.environ, "STEPWISE_DATABASE_URL": settings.database_url,
             "STEPWISE_AUTH_SECRET": TEST_SECRET, "STEPWISE_HTTP_ACCESS_LOG": "false",
             **environment}  # fmt: skip
    if settings.database_schema:
        given["STEPWISE_DATABASE_SCHEMA"] = settings.database_schema
    command = [sys.executable, "-c", "from infra.cli.app import main; main()",
               "serve", "--port", str(port), *options]  # fmt: skip
    log_path = folder / f"server-{port}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=given, cwd=folder, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _until_healthy(url, server, log_path)
            yield url, server
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    raise


def _until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready within {STARTUP_SECONDS}s:\n{log.read_text()}")
