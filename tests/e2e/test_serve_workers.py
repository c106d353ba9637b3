"""`stepwise serve --workers N`: several server processes answer one port, while the serving
command's own process keeps the read models; a client still reads its own writes, whichever
process answers."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from infra.bootstrap import Runtime, build
from infra.settings import Settings
from tests.e2e.helpers import WAIT_FOR_POSITION, Api, agreed_plan
from tests.support.server import serve_process

HOURS = "query($p: ID!) { supportPlan(personId: $p) { version supportHoursPerWeek } }"
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
    with serve_process(settings, tmp_path, projector_elsewhere, "--workers", "2") as (url, server):
        yield url, server.pid


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
