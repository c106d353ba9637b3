"""Rebuild figures: how fast every read model is rebuilt from the log, beside how fast the library
merely reads and decodes the same log, and beside the floor under both: the stored rows read
raw and their JSON decoded by orjson, without making events. And how much memory a rebuild
needs as the log grows, above what its process needs merely to start.

Rounds interleave the timings, so all feel the same load on a shared machine. Memory is
measured on `stepwise projections rebuild` run as a child process, whose peak resident size the
kernel reports when it ends.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from infra.bench.processes import run_measured
from infra.bench.report import Figure
from infra.bootstrap import Runtime
from infra.rebuild import BATCH_SIZE, rebuild
from infra.settings import Settings

REBUILD_TARGET = 0.5  # a rebuild at least half as fast as reading and decoding the log
RAW_TARGET = 0.25  # and at least a quarter as fast as reading the rows and decoding their JSON
MEMORY_TARGET = 1.2  # peak memory of a rebuild barely grows with the log
REBUILD = "rebuild of every read model (audit chain excluded: evidence)"
READ_DECODE = "library read + decode of the log"
RAW_READ = "raw read of the stored rows + orjson decode"
FIRST_AUDIT = "first build of the audit chain (hash-chained, signed)"

Progress = Callable[[str, int, int], None]  # (step, position reached, last position)


@dataclass(frozen=True)
class RebuildRates:
    events: int
    read_decode: list[float]  # events/s, one per round
    rebuild: list[float]
    raw_read: list[float]


def measure_rebuild(
    runtime: Runtime, rounds: int = 3, progress: Progress | None = None
) -> RebuildRates:
    """Reads and rebuilds the whole log `rounds` times each, alternately."""
    last = runtime.records.last_position()
    events, reading, rebuilding, raw = 0, [], [], []
    for n in range(1, rounds + 1):
        told = _told(progress, f"raw read + decode {n}/{rounds}", last)
        started = time.perf_counter()
        raw.append(read_raw_log(runtime, told) / (time.perf_counter() - started))
        told = _told(progress, f"read + decode {n}/{rounds}", last)
        started = time.perf_counter()
        events = read_whole_log(runtime, told)
        reading.append(events / (time.perf_counter() - started))
        told = _told(progress, f"rebuild {n}/{rounds}", last)
        started = time.perf_counter()
        rebuild_everything(runtime, told)
        rebuilding.append(events / (time.perf_counter() - started))
    return RebuildRates(events, reading, rebuilding, raw)


def rebuild_figures(rates: RebuildRates, label: str) -> list[Figure]:
    read, built = statistics.median(rates.read_decode), statistics.median(rates.rebuild)
    raw = statistics.median(rates.raw_read)
    return [
        Figure(
            "rebuild",
            f"{REBUILD}, {label}",
            built,
            "events/s",
            READ_DECODE,
            read,
            target=REBUILD_TARGET,
            detail={
                "events": rates.events,
                "rounds": len(rates.rebuild),
                "rebuild_min": min(rates.rebuild),
                "rebuild_max": max(rates.rebuild),
                "read_min": min(rates.read_decode),
                "read_max": max(rates.read_decode),
            },
        ),
        Figure(
            "rebuild",
            f"{REBUILD}, {label}",
            built,
            "events/s",
            RAW_READ,
            raw,
            target=RAW_TARGET,
            detail={"raw_min": min(rates.raw_read), "raw_max": max(rates.raw_read)},
        ),
    ]


def first_audit_figure(
    runtime: Runtime, rates: RebuildRates, label: str, progress: Progress | None = None
) -> Figure:
    """Builds the read models still at the start of the log (the audit chain, which a rebuild
    leaves alone) once, as a log imported or simulated without projecting would need."""
    last = runtime.records.last_position()
    started = time.perf_counter()
    runtime.projector.catch_up(_told(progress, "audit chain", last))
    rate = rates.events / (time.perf_counter() - started)
    read = statistics.median(rates.read_decode)
    return Figure("rebuild", f"{FIRST_AUDIT}, {label}", rate, "events/s", READ_DECODE, read,
                  detail={"events": rates.events})  # fmt: skip


def memory_figure(small: tuple[int, float], large: tuple[int, float], floor: float) -> Figure:
    """Peak memory of a rebuild of the larger log against the smaller, (events, MB) each, both
    above the floor: what the process holds once its code is imported, before any work."""
    return Figure(
        "memory",
        f"peak RSS of `stepwise projections rebuild` above the import floor, {large[0]:,} events",
        large[1] - floor,
        "MB",
        f"the same at {small[0]:,} events",
        small[1] - floor,
        target=MEMORY_TARGET,
        lower_is_better=True,
        detail={"events": large[0], "baseline_events": small[0], "peak_mb": large[1],
                "baseline_peak_mb": small[1], "import_floor_mb": floor},
    )  # fmt: skip


def import_floor_mb() -> float:
    """The peak resident memory of a process that imports what a rebuild does, then ends."""
    imports = "import infra.cli.app, infra.rebuild, infra.bootstrap, projections"
    measured = run_measured([sys.executable, "-c", imports], dict(os.environ), keep_output=True)
    if measured.exit_code != 0:
        raise RuntimeError(f"importing failed ({measured.exit_code}):\n{measured.output[-2000:]}")
    return measured.peak_mb


def peak_rebuild_memory_mb(settings: Settings) -> float:
    """Runs `stepwise projections rebuild` on these records in a child process; its peak
    resident memory, in MB."""
    env = os.environ | {"STEPWISE_DATABASE_URL": settings.database_url}
    if settings.database_schema:
        env["STEPWISE_DATABASE_SCHEMA"] = settings.database_schema
    command = [sys.executable, "-c", "from infra.cli.app import main; main()", "projections",
               "rebuild"]  # fmt: skip
    measured = run_measured(command, env, keep_output=True)
    if measured.exit_code != 0:
        raise RuntimeError(f"the rebuild failed ({measured.exit_code}):\n{measured.output[-2000:]}")
    return measured.peak_mb


def read_whole_log(runtime: Runtime, progress: Callable[[int], None] | None = None) -> int:
    """What the library alone does for a rebuild: every event read and decoded, in batches of
    the rebuild's size."""
    after, count = 0, 0
    while batch := runtime.records.read_log(after, BATCH_SIZE):
        after, count = batch[-1][0], count + len(batch)
        if progress:
            progress(after)
    return count


def read_raw_log(runtime: Runtime, progress: Callable[[int], None] | None = None) -> int:
    """The least a rebuild must do: every stored row read, and its JSON decoded."""
    recorder, last = runtime.records.recorder, runtime.records.last_position()
    after, count = 0, 0
    while rows := recorder.select_notifications(start=after + 1, limit=BATCH_SIZE, stop=last):
        for row in rows:
            orjson.loads(row.state)
        after, count = rows[-1].id, count + len(rows)
        if progress:
            progress(after)
    return count


def rebuild_everything(runtime: Runtime, progress: Callable[[int], None] | None = None) -> None:
    failures = rebuild(runtime.projector, runtime.projector.models, progress)
    if failures:
        raise RuntimeError(f"read models failed to rebuild: {failures}")


def _told(progress: Progress | None, step: str, last: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda position: progress(step, position, last)
