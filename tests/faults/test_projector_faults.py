"""The projector as its own process, as in production: killed mid-batch it resumes to tables a
clean rebuild would build, and an event nobody can decode parks only the read models that read
it, which /ready reports, until `stepwise projections retry` after the repair."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx

from infra.bootstrap import Runtime, build
from infra.rebuild import rebuild
from infra.settings import Settings
from tests.support.scenarios import agreed_plan, change_hours
from tests.support.server import serving
from tests.support.tables import snapshot
from tests.support.tampering import poison_after, repair

STEPWISE = str(Path(sys.executable).with_name("stepwise"))
SMALL_BATCH = 20  # many commits, so a kill lands between some of them and inside others


def environment(settings: Settings) -> dict[str, str]:
    return os.environ | {
        "STEPWISE_DATABASE_URL": settings.database_url,
        "STEPWISE_DATABASE_SCHEMA": settings.database_schema or "",
        "STEPWISE_PROJECTION_BATCH_SIZE": str(SMALL_BATCH),
    }


def stepwise(settings: Settings, tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [STEPWISE, *args], env=environment(settings), cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


@contextmanager
def projector_process(settings: Settings, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = stepwise(settings, tmp_path, "projections", "run")
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def eventually(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.01)


@contextmanager
def writer_runtime(settings: Settings) -> Iterator[Runtime]:
    """The application without a projector of its own: the process under test projects."""
    runtime = build(settings.model_copy(update={"run_projector": False}))
    try:
        yield runtime
    finally:
        runtime.close()


def plans_with_changes(runtime: Runtime, people: int, changes: int) -> None:
    for number in range(people):
        plan = agreed_plan(runtime.records, name=f"Person {number}")
        for change in range(changes):
            change_hours(runtime.records, plan.person_id, 10 + change % 2, reason=f"Week {change}")


def test_a_projector_killed_mid_batch_resumes_to_the_tables_a_clean_rebuild_builds(
    settings: Settings, tmp_path: Path
) -> None:
    with writer_runtime(settings) as runtime:
        plans_with_changes(runtime, people=8, changes=40)
        last = runtime.records.last_position()

        def part_way() -> bool:
            positions = runtime.projector.positions().values()
            return max(positions) > 0 and min(positions) < last

        with projector_process(settings, tmp_path) as first:
            eventually(part_way, "the projector is part of the way through")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        killed_at = runtime.projector.positions()
        with projector_process(settings, tmp_path):
            eventually(
                lambda: set(runtime.projector.positions().values()) == {last},
                "the restarted projector catches up",
            )
        resumed = snapshot(runtime)
        assert rebuild(runtime.projector, runtime.projector.models) == {}
        rebuilt = snapshot(runtime)

    assert min(killed_at.values()) < last  # killed before the end
    assert resumed == rebuilt


def test_an_undecodable_event_parks_its_readers_until_retried_after_the_repair(
    settings: Settings, tmp_path: Path
) -> None:
    with writer_runtime(settings) as runtime, serving(runtime) as base:
        probe = httpx.Client(base_url=base, timeout=30)
        plan = agreed_plan(runtime.records)
        written = change_hours(runtime.records, plan.person_id, 10)
        position, last_good = poison_after(runtime, written.record_id)
        agreed_plan(runtime.records, name="Second Person")
        last = runtime.records.last_position()
        models = {m.name for m in runtime.projector.models}
        readers = {m.name for m in runtime.projector.models
                   if last_good.topic in m.topics() and not m.stored_bytes}  # fmt: skip

        with projector_process(settings, tmp_path):

            def parked() -> dict[str, Any]:
                models: dict[str, Any] = probe.get("/ready").json()["readModels"]
                return {name: model for name, model in models.items() if model["state"] == "parked"}

            eventually(lambda: set(parked()) == readers, "the readers of the event are parked")
            ready = probe.get("/ready")
            eventually(
                lambda: all(
                    model["position"] == last
                    for name, model in probe.get("/ready").json()["readModels"].items()
                    if name not in readers
                ),
                "the other read models reach the end of the log",
            )

            repair(runtime, position, last_good.state)
            for name in readers:
                retried = stepwise(settings, tmp_path, "projections", "retry", name)
                assert retried.wait(timeout=60) == 0

            def caught_up() -> bool:
                ready = probe.get("/ready")
                models = ready.json()["readModels"].values()
                return ready.status_code == 200 and all(m["position"] == last for m in models)

            eventually(caught_up, "every read model is live at the end of the log")

    assert readers and readers != models
    assert ready.status_code == 503
    for name in readers:
        model = ready.json()["readModels"][name]
        assert model["errorPosition"] == position and "cannot decode" in model["error"]
