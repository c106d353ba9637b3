"""How fast the read models catch up, against the cost of merely reading the log.

Run on demand: `make bench`. The machine is shared, so each figure is a median of several
rounds and the target is a ratio to a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from infra.bootstrap import Runtime
from tests.support.scenarios import agreed_plan

PEOPLE = 150
ROUNDS = 3
# Projecting writes rows per event (and reads back each record's state) where reading only
# decodes, so it costs more. Measured here: about 15x on SQLite and 35x on PostgreSQL, whose
# per-statement round trips dominate. The bound catches regressions, not that gap.
MAX_SLOWDOWN_OVER_READING = 60.0


def median_seconds(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def read_whole_log(runtime: Runtime) -> int:
    after, count = 0, 0
    while batch := runtime.records.read_log(after, 500):
        after, count = batch[-1][0], count + len(batch)
    return count


def rebuild_everything(runtime: Runtime) -> None:
    for projection in runtime.projector.projections:
        runtime.projector.rebuild(projection)


def test_rebuilding_every_read_model_stays_within_bounds_of_reading_the_log(
    runtime: Runtime,
) -> None:
    for n in range(PEOPLE):
        agreed_plan(runtime.records, name=f"Person {n}")
    events = read_whole_log(runtime)

    reading = median_seconds(lambda: read_whole_log(runtime))
    rebuilding = median_seconds(lambda: rebuild_everything(runtime))

    ratio = rebuilding / reading
    print(
        f"\n{runtime.settings.database_url.split(':')[0]}: {events} events; "
        f"read+decode {events / reading:,.0f} events/s; "
        f"rebuild of {len(runtime.projector.projections)} read models "
        f"{events / rebuilding:,.0f} events/s; ratio {ratio:.1f}"
    )
    assert ratio < MAX_SLOWDOWN_OVER_READING
