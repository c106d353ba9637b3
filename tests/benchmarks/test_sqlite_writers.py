"""On the SQLite default, writers served at once with read models kept up to date beside them:
four clients must get through at least as many commands as one (they once got a quarter as
many, meeting in SQLite's busy handler, which sleeps in growing steps)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from domain.care_records import CareRecords
from domain.support_plan import SupportPlan
from infra.bootstrap import build
from infra.settings import Settings
from tests.benchmarks.conftest import median
from tests.support.scenarios import agreed_plan, change_hours

SECONDS = 3
ROUNDS = 3


def commands_per_second(clients: int, people: list[str], records: CareRecords) -> float:
    """Each client changes its own person's hours back and forth, as fast as it can."""
    done = [0] * clients
    stop = time.monotonic() + SECONDS

    def client(n: int) -> None:
        while time.monotonic() < stop:
            plan = records.load(SupportPlan.create_id(people[n]))
            hours = 11 if getattr(plan, "support_hours_per_week", None) == 10 else 10
            change_hours(records, people[n], hours)
            done[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / SECONDS


def test_four_writers_on_sqlite_get_through_at_least_as_much_as_one(
    tmp_path: Path, report: Callable[..., None]
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", _env_file=None)
    runtime = build(settings)
    runtime.projector.start()
    try:
        people = [agreed_plan(runtime.records, name=f"Person {n}").person_id for n in range(4)]
        one, four = [], []
        for _ in range(ROUNDS):  # interleaved, so both meet the same machine
            one.append(commands_per_second(1, people, runtime.records))
            four.append(commands_per_second(4, people, runtime.records))
    finally:
        runtime.close()
    ratio = median(four) / median(one)
    report("sqlite", "commands/s, 4 writers vs 1, read models kept", f"{median(four):.0f}/s",
           f"{median(one):.0f}/s", f"{ratio:.2f}x (target >= 1.0x)")  # fmt: skip
    assert ratio >= 1.0
