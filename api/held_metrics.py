"""What the runtime holds, for /metrics: each read model's lag behind the log and whether it is
parked (read from the database when scraped: the same answer from any process), and this
process's connection pools and access-log queue.

A process's own pools and queue are read when scraped, too; with several server processes a
scrape reaches only one of them, so each writes its own every second to the shared folder
instead, and a scrape adds up those of the processes still running."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import Gauge, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from psycopg_pool import ConnectionPool

from domain.care_records import Undecodable
from infra.bootstrap import Runtime

log = logging.getLogger("stepwise.metrics")

SAMPLE_EVERY = 1.0  # seconds between samples of a process's own, with several processes
# series name: (psycopg_pool statistic, help)
POOL_SERIES = {
    "stepwise_db_pool_connections": ("pool_size", "Connections the pool holds open"),
    "stepwise_db_pool_max_connections": ("pool_max", "Most connections the pool may open"),
    "stepwise_db_pool_idle_connections": ("pool_available", "Open connections not in use"),
    "stepwise_db_pool_waiting_requests": ("requests_waiting", "Requests waiting for one"),
}
QUEUE = "stepwise_access_log_queue_depth"
QUEUE_HELP = "Access-log entries waiting to be written (reads are refused when it is full)"


def pools(runtime: Runtime) -> dict[str, ConnectionPool]:
    """The PostgreSQL pools the runtime holds (none on SQLite): the event store's, the
    read models' and the read replica's."""
    datastore = getattr(runtime.records.recorder, "datastore", None)
    replica = runtime.replica.store if runtime.replica is not None else None
    found = {"events": getattr(datastore, "pool", None),
             "read_models": getattr(runtime.store, "pool", None),
             "read_replica": getattr(replica, "pool", None)}  # fmt: skip
    return {name: pool for name, pool in found.items() if isinstance(pool, ConnectionPool)}


def held(runtime: Runtime) -> Iterator[tuple[str, str | None, float]]:
    """(series, pool or None, value) for what this process holds now."""
    for name, pool in pools(runtime).items():
        stats = pool.get_stats()
        for series, (statistic, _) in POOL_SERIES.items():
            yield series, name, stats.get(statistic, 0)
    yield QUEUE, None, runtime.access_log.waiting


class Held(Collector):
    """This process's pools and access-log queue, when scraped (one server process)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = {name: GaugeMetricFamily(name, text, labels=["pool"])
                    for name, (_, text) in POOL_SERIES.items()}  # fmt: skip
        families[QUEUE] = GaugeMetricFamily(QUEUE, QUEUE_HELP)
        for series, pool, value in held(self.runtime):
            families[series].add_metric([pool] if pool else [], value)
        yield from families.values()


@contextlib.asynccontextmanager
async def shared_samples(runtime: Runtime) -> AsyncIterator[None]:
    """With several server processes: writes this one's pools and queue every second, until
    it stops (then they no longer count)."""
    gauges = {name: Gauge(name, text, ["pool"], registry=None, multiprocess_mode="livesum")
              for name, (_, text) in POOL_SERIES.items()}  # fmt: skip
    queue = Gauge(QUEUE, QUEUE_HELP, registry=None, multiprocess_mode="livesum")

    async def every_second() -> None:
        while True:
            for series, pool, value in held(runtime):
                (gauges[series].labels(pool) if pool else queue).set(value)
            await asyncio.sleep(SAMPLE_EVERY)

    task = asyncio.create_task(every_second())
    try:
        yield
    finally:
        task.cancel()
        multiprocess.mark_process_dead(os.getpid())


def forget_stopped(folder: Path) -> None:
    """Takes out the samples of processes that stopped without saying so (killed, crashed):
    the server starts others in their place, which write their own."""
    for sampled in folder.glob("gauge_live*_*.db"):
        pid = int(sampled.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)  # asks only whether it is running
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(folder))
        except PermissionError:
            pass  # running, as another user


class ReadModels(Collector):
    """Each read model's lag behind the log and whether it is parked, when scraped."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("stepwise_database_up", "Whether the database answered the scrape")
        try:
            families = self._families()
        except Exception:
            log.warning("read-model positions could not be read for /metrics", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> list[GaugeMetricFamily]:
        projector, records = self.runtime.projector, self.runtime.records
        statuses, last = projector.statuses(), records.last_position()
        position = GaugeMetricFamily("stepwise_event_log_position", "The log's last position")
        position.add_metric([], last)
        names = ["read_model"]
        events = GaugeMetricFamily(
            "stepwise_read_model_lag_events",
            "Log entries the read model has still to read",
            labels=names,
        )
        seconds = GaugeMetricFamily(
            "stepwise_read_model_lag_seconds",
            "Age of the oldest log entry the read model has still to read (0 when caught up)",
            labels=names,
        )
        parked = GaugeMetricFamily(
            "stepwise_read_model_parked", "1 if the read model is parked on an event", labels=names
        )
        ages: dict[int, float] = {}
        for model in projector.models:
            status = statuses[model.name]
            events.add_metric([model.name], last - status.position)
            seconds.add_metric([model.name], self._age(status.position, last, ages))
            parked.add_metric([model.name], 1 if status.parked else 0)
        return [position, events, seconds, parked]

    def _age(self, position: int, last: int, ages: dict[int, float]) -> float:
        if position >= last:
            return 0.0
        if position not in ages:
            try:
                following = self.runtime.records.read_log(position, 1)
            except Undecodable:
                ages[position] = math.nan  # the entry cannot be read: its age is not known
            else:
                recorded = following[0][1].timestamp if following else datetime.now(UTC)
                ages[position] = max(0.0, (datetime.now(UTC) - recorded).total_seconds())
        return ages[position]
