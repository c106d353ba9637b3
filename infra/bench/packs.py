"""Evidence packs at scale: how long `stepwise pack` takes, and its peak memory, for a person
with a 10,000-event history against one with 100, and for a service of 800 simulated people
against one of 80, each as HTML and as PDF; every pack produced as an operator would, by the
command in a process of its own (so its peak memory is its own, imports included), and the
import floor (`stepwise --version`) measured beside it. Medians of the rounds."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infra.bench.incident_history import write_people
from infra.bench.processes import run_measured
from infra.bench.report import Figure
from infra.bench.staff import join_bench_staff
from infra.bootstrap import build
from infra.settings import Settings
from infra.simulate import simulate
from infra.simulate.story import TENANT as SIMULATED_TENANT
from infra.simulate.words import SERVICES

DEPTHS = (100, 10_000)
SERVICE_PEOPLE = (80, 800)
MONTHS = 3
SERVICE = SERVICES[0][0]
FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    failed: bool


def write_person_histories(settings: Settings, progress: Callable[[str], None]) -> dict[int, str]:
    """A person with a history of each depth (and an incident part-way): their ids."""
    runtime = build(settings)
    try:
        began = datetime.now(UTC) - timedelta(days=20)
        people = write_people(runtime.records, began, DEPTHS, progress)
        runtime.projector.catch_up()
        return {events: history.person_id for events, history in people.items()}
    finally:
        runtime.close()


def write_service(settings: Settings, people: int, seed: int) -> int:
    runtime = build(settings)
    try:
        written = simulate(runtime, people=people, months=MONTHS, seed=seed, services=1).events
        join_bench_staff(runtime.records, SIMULATED_TENANT)
        runtime.projector.catch_up()
        return written
    finally:
        runtime.close()


def pack_figures(people: Settings, services: dict[int, Settings], person_ids: dict[int, str],
                 rounds: int, progress: Callable[[str], None] = print) -> list[Figure]:  # fmt: skip
    floor = _median([_run(people, ["--version"]) for _ in range(rounds)])
    figures = []
    small, large = DEPTHS
    for kind in FORMATS:
        progress(f"packs: a person's pack as {kind}, {large:,} events against {small:,}")
        measured = {depth: _median([_run(people, _person(person_ids[depth], kind))
                                    for _ in range(rounds)]) for depth in DEPTHS}  # fmt: skip
        figures += _figures(f"person pack ({kind}), {large:,}-event history",
                            f"the same, {small:,} events", measured[large], measured[small],
                            floor)  # fmt: skip
    few, many = SERVICE_PEOPLE
    for kind in FORMATS:
        progress(f"packs: a service's pack as {kind}, {many:,} people against {few:,}")
        measured = {size: _median([_run(services[size], _service(kind)) for _ in range(rounds)])
                    for size in SERVICE_PEOPLE}  # fmt: skip
        figures += _figures(
            f"service pack ({kind}), {many:,} people",
            f"the same, {few:,} people",
            measured[many],
            measured[few],
            floor,
        )
    return figures


def _figures(name: str, baseline_name: str, large: Run, small: Run, floor: Run) -> list[Figure]:
    failed = {"failed": float(large.failed), "baseline_failed": float(small.failed)}
    return [
        Figure("packs", f"{name}: time", large.seconds, "s", baseline_name, small.seconds,
               lower_is_better=True, detail=failed),
        Figure("packs", f"{name}: peak memory", large.peak_mb, "MB", baseline_name,
               small.peak_mb, lower_is_better=True,
               detail={**failed, "import_floor_mb": floor.peak_mb,
                       "above_floor_mb": large.peak_mb - floor.peak_mb,
                       "baseline_above_floor_mb": small.peak_mb - floor.peak_mb}),
    ]  # fmt: skip


def _person(person_id: str, kind: str) -> list[str]:
    return ["pack", "person", person_id, "--purpose", "bench", "--out", f"pack.{kind}"]


def _service(kind: str) -> list[str]:
    return ["pack", "service", SERVICE, "--tenant", SIMULATED_TENANT, "--purpose", "bench",
            "--out", f"pack.{kind}"]  # fmt: skip


def _run(settings: Settings, args: list[str]) -> Run:
    """One `stepwise` command in a process of its own: its time, and its own peak memory."""
    environment = {**os.environ, "STEPWISE_DATABASE_URL": settings.database_url}
    if settings.database_schema:
        environment["STEPWISE_DATABASE_SCHEMA"] = settings.database_schema
    command = [sys.executable, "-c", "from infra.cli.app import main; main()", *args]
    with tempfile.TemporaryDirectory() as folder:
        measured = run_measured(command, environment, Path(folder))
        missing = args[0] == "pack" and not any(Path(folder).glob("pack.*"))
    return Run(measured.seconds, measured.peak_mb, measured.exit_code != 0 or missing)


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(run.seconds for run in runs),
        statistics.median(run.peak_mb for run in runs),
        any(run.failed for run in runs),
    )
