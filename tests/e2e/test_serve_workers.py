"""`stepwise serve --workers N`: several server processes answer one port, while the serving
command's own process keeps the read models; a client still reads its own writes, whichever
process answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.e2e.helpers import WAIT_FOR_POSITION, Api, agreed_plan
from tests.support.server import free_port
from tests.support.tokens import TEST_SECRET

HOURS = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek } }"
STARTUP_SECONDS = 60
PERSON = {"name": "Ruth Evans", "dateOfBirth": "1970-05-01", "serviceId": "svc-1", "teamId": "t-1"}


@pytest.fixture
def projector_elsewhere() -> dict[str, str]:
    """No extra settings: the serving command keeps the read models itself."""
    return {}


@pytest.fixture
def served_by_two_workers(
    settings: Settings, tmp_path: Path, projector_elsewhere: dict[str, str]
) -> Iterator[tuple[str, int]]:
    """The base URL of `stepwise serve --workers 2`, and the serving command's process id."""
    build(settings).close()  # the store made, with the tests' staff on record (tests/conftest.py)
    port = free_port()
    environment = {
        **os.environ,
        "STEPWISE_DATABASE_URL": settings.database_url,
        "STEPWISE_AUTH_SECRET": TEST_SECRET,
        "STEPWISE_HTTP_ACCESS_LOG": "false",
        **projector_elsewhere,
    }
    if settings.database_schema:
        environment["STEPWISE_DATABASE_SCHEMA"] = settings.database_schema
    command = [sys.executable, "-c", "from infra.cli.app import main; main()",
               "serve", "--port", str(port), "--workers", "2"]  # fmt: skip
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(command, env=environment, cwd=tmp_path, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, server, tmp_path / "server.log")
        yield url, server.pid
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        finally:
            log.close()


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
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


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir():
        found.extend(int(child) for child in (task / "children").read_text().split())
    return found


def _workers(pid: int) -> list[int]:
    """The serving processes: uvicorn's workers, beside multiprocessing's own helper."""
    return [
        child
        for child in _children(pid)
        if "multiprocessing.resource_tracker" not in Path(f"/proc/{child}/cmdline").read_text()
    ]


def test_each_write_is_read_back_whichever_worker_answers(
    served_by_two_workers: tuple[str, int],
) -> None:
    url, serving_pid = served_by_two_workers
    assert len(_workers(serving_pid)) == 2
    with httpx.Client(base_url=url, timeout=30) as client:
        api = Api(client)  # type: ignore[arg-type]  # the same interface as the test client
        person_id = agreed_plan(api).person_id
        for hours in range(20, 40):
            change = {"personId": person_id, "hoursPerWeek": hours, "reason": "Goals met"}
            written = api.mutate("setSupportHours", change)
            # A fresh connection each time, so that either worker may answer.
            fresh = {WAIT_FOR_POSITION: str(written["position"]), "Connection": "close"}
            body = api.post(HOURS, {"p": person_id}, fresh)
            plan = body["data"]["supportPlan"]
            assert plan == {"version": written["version"], "supportHoursPerWeek": hours}


def test_the_server_stops_cleanly_on_interrupt(served_by_two_workers: tuple[str, int]) -> None:
    _, serving_pid = served_by_two_workers
    workers = _workers(serving_pid)

    os.kill(serving_pid, signal.SIGINT)

    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{worker}").exists() for worker in workers):
        assert time.monotonic() < deadline, "a worker outlived the interrupted server"
        time.sleep(0.1)


@pytest.mark.parametrize("projector_elsewhere", [{"STEPWISE_RUN_PROJECTOR": "false"}])
def test_with_the_projector_run_elsewhere_the_server_keeps_no_read_models(
    served_by_two_workers: tuple[str, int], runtime: Runtime
) -> None:
    url, _ = served_by_two_workers
    with httpx.Client(base_url=url, timeout=30) as client:
        written = Api(client).mutate("registerPerson", PERSON)  # type: ignore[arg-type]

    time.sleep(2)  # the serving processes would have projected it by now

    assert max(runtime.projector.positions().values()) < written["position"]
