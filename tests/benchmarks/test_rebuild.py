"""Rebuilding every read model, against merely reading and decoding the same log.

Two logs of about 50,000 events each: many short histories (2,000 people), and a few very long
ones (20 plans of about 2,500 changes, with hundreds of steps each), so a cost per event that grew
with a plan's size would show as a gap between them. Rounds are interleaved, so both figures of a
round feel the same load on a shared machine.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from infra.bootstrap import Runtime, build
from infra.rebuild import rebuild
from infra.settings import Settings
from tests.benchmarks.conftest import median, timed
from tests.benchmarks.history import write_history

ROUNDS = 3
# A rebuild writes, for each event, the record's state in force (bitemporal), its timeline
# entry and, for plans, its version: at least a quarter as fast as the log is read and decoded.
MIN_SHARE_OF_READING = 0.25
LOGS = {"2,000 short histories": (2_000, 9), "20 long histories": (20, 2_484)}


@dataclass(frozen=True)
class Rates:
    events: int
    read: float
    rebuild: float


def test_rebuilding_every_read_model_keeps_pace_with_reading_the_log(
    runtimes: Callable[[], Runtime], report: Callable[..., None]
) -> None:
    measured = {}
    for shape, (people, revisions) in LOGS.items():
        runtime = runtimes()
        measured[shape] = rates(runtime, write_history(runtime.records, people=people,
                                                        revisions=revisions))  # fmt: skip
    backend = "postgres" if runtime.settings.is_postgres else "sqlite"
    for shape, rate in measured.items():
        share = rate.rebuild / rate.read
        report(backend, shape, f"{rate.events:,} events", f"read+decode {rate.read:,.0f}/s",
               f"rebuild {rate.rebuild:,.0f}/s", f"rebuild/read {share:.2f}")  # fmt: skip
    short, long = measured.values()
    report(
        backend,
        "long ÷ short histories",
        "",
        "",
        "",
        f"rebuild rate {long.rebuild / short.rebuild:.2f}",
    )

    for rate in measured.values():
        assert rate.rebuild >= MIN_SHARE_OF_READING * rate.read
    assert long.rebuild >= 0.8 * short.rebuild  # cost per event does not grow with plan size


def rates(runtime: Runtime, events: int) -> Rates:
    reading, rebuilding = [], []
    for _ in range(ROUNDS):
        reading.append(timed(lambda: read_whole_log(runtime)))
        rebuilding.append(timed(lambda: rebuild_everything(runtime)))
    return Rates(events, events / median(reading), events / median(rebuilding))


def read_whole_log(runtime: Runtime) -> int:
    after, count = 0, 0
    while batch := runtime.records.read_log(after, 5_000):
        after, count = batch[-1][0], count + len(batch)
    return count


def rebuild_everything(runtime: Runtime) -> None:
    assert rebuild(runtime.projector, runtime.projector.models) == {}


@pytest.fixture
def runtimes(settings: Settings) -> Iterator[Callable[[], Runtime]]:
    """Fresh, empty stores of the backend under test, one per call."""
    built: list[Runtime] = []

    def fresh() -> Runtime:
        # New settings, not copies: the derived paths and targets are cached on each object.
        if settings.is_postgres:
            schema = f"b_{uuid.uuid4().hex[:10]}"
            other = Settings(database_url=settings.database_url, database_schema=schema,
                             _env_file=None)  # fmt: skip
        else:
            path = settings.sqlite_path.with_name(f"bench-{len(built)}.db")
            other = Settings(database_url=f"sqlite:///{path}", _env_file=None)
        built.append(build(other))
        return built[-1]

    yield fresh
    for runtime in built:
        runtime.close()
