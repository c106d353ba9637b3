"""Rebuilding read models into shadow tables: readers keep the old tables until the swap, a
killed rebuild leaves them as they were, and a rebuild brings parked or outdated read models
back to life."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import infra.rebuild
from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime, build
from infra.read_store import Busy
from infra.rebuild import rebuild
from projections import tracking
from projections.base import ReadModel
from projections.people import People
from projections.support_plans import SupportPlans
from tests.support.scenarios import AgreedPlan, agreed_plan, change_hours
from tests.support.tables import snapshot

ROOT = Path(__file__).resolve().parents[2]
REDUCED: Any = SupportPlan.SupportHoursReduced  # made by the library: type checkers cannot see it
FAULT = "hours ledger unavailable"
SMALL_BATCH = 5  # a rebuild of the histories below takes several batches


def history(runtime: Runtime) -> AgreedPlan:
    """Two agreed plans and a change of hours, all projected."""
    plan = agreed_plan(runtime.records)
    agreed_plan(runtime.records, name="Second Person")
    change_hours(runtime.records, plan.person_id, 10)
    runtime.projector.catch_up()
    return plan


def shadow_tables(runtime: Runtime) -> list[str]:
    with runtime.store.transaction() as tx:
        if tx.dialect == "sqlite":
            tables = tx.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            tables = tx.fetchall(
                "SELECT table_name AS name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
    return sorted(row["name"] for row in tables if row["name"].endswith("__rebuild"))


def shadow_tracking(runtime: Runtime) -> dict[str, tracking.Status]:
    with runtime.store.transaction() as tx:
        statuses = tracking.statuses(tx)
    return {name: status for name, status in statuses.items() if name.endswith("__rebuild")}


def leftovers(runtime: Runtime) -> list[str]:
    """Shadow tables and shadow tracking rows that exist now."""
    return sorted([*shadow_tables(runtime), *shadow_tracking(runtime)])


def shadow_state(runtime: Runtime) -> dict[str, Any]:
    """Where a running rebuild has got: its tracking rows and the rows in its shadow tables."""
    tables = shadow_tables(runtime)
    with runtime.store.transaction() as tx:
        counts = {table: tx.fetchone(f"SELECT COUNT(*) AS n FROM {table}") for table in tables}
    return {"tracking": shadow_tracking(runtime), "rows": counts}


def fail_on(
    monkeypatch: pytest.MonkeyPatch, model: type[ReadModel], event: type, error: Exception
) -> None:
    """From now on (until the test ends or monkeypatch.undo), the model cannot apply `event`."""

    def broken(*_: object) -> None:
        raise error

    monkeypatch.setitem(model._handlers, event, broken)


def plan_events(runtime: Runtime, person_id: str) -> list[str]:
    with runtime.store.transaction() as tx:
        rows = tx.fetchall(
            "SELECT event_type FROM plan_versions WHERE person_id = %(p)s ORDER BY version",
            {"p": person_id},
        )
    return [row["event_type"] for row in rows]


def names(runtime: Runtime) -> list[str]:
    with runtime.store.transaction() as tx:
        return [row["name"] for row in tx.fetchall("SELECT name FROM people ORDER BY name")]


def eventually(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.05)


def rebuild_lock_is_free(runtime: Runtime) -> bool:
    try:
        with runtime.store.exclusive("rebuild"):
            return True
    except Busy:
        return False


def test_readers_see_the_old_complete_tables_until_a_rebuild_swaps_in_equal_ones(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(runtime)
    before = snapshot(runtime)
    monkeypatch.setattr(infra.rebuild, "BATCH_SIZE", SMALL_BATCH)
    seen: list[tuple[int, bool, list[str]]] = []

    def reader(position: int) -> None:
        seen.append((position, snapshot(runtime) == before, leftovers(runtime)))

    failures = rebuild(runtime.projector, runtime.projector.models, reader)

    assert failures == {}
    assert len(seen) > 1, "the rebuild should have taken several batches"
    assert seen[0][0] < runtime.records.last_position()  # the first reader came mid-rebuild
    assert [same for _, same, _ in seen] == [True] * len(seen)
    assert all(shadows for _, _, shadows in seen)  # ... while the shadow tables were filling
    assert snapshot(runtime) == before
    assert leftovers(runtime) == []


def test_a_rebuild_killed_mid_way_leaves_the_live_tables_serving_and_the_next_one_succeeds(
    runtime: Runtime,
) -> None:
    plan = history(runtime)
    before = snapshot(runtime)
    settings = runtime.settings
    code = f"""
import os, signal
import infra.rebuild
from infra.bootstrap import build
from infra.settings import Settings

infra.rebuild.BATCH_SIZE = {SMALL_BATCH}
settings = Settings(
    database_url={settings.database_url!r}, database_schema={settings.database_schema!r},
    pool_size=2, _env_file=None,
)
runtime = build(settings)

def killed(position):
    os.kill(os.getpid(), signal.SIGKILL)

infra.rebuild.rebuild(runtime.projector, runtime.projector.models, killed)
raise SystemExit("the rebuild finished: it was never killed")
"""

    killed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert leftovers(runtime) != []  # it got part of the way
    assert snapshot(runtime) == before
    last = runtime.records.last_position()
    assert set(runtime.projector.positions().values()) == {last}
    change_hours(runtime.records, plan.person_id, 8, reason="Cooks on her own now")
    runtime.projector.catch_up()
    assert plan_events(runtime, plan.person_id)[-1] == "SupportPlan.SupportHoursReduced"
    assert plan_events(runtime, plan.person_id).count("SupportPlan.SupportHoursReduced") == 2
    served = snapshot(runtime)
    eventually(lambda: rebuild_lock_is_free(runtime), "the killed process's lock is released")
    assert rebuild(runtime.projector, runtime.projector.models) == {}
    assert leftovers(runtime) == []
    assert snapshot(runtime) == served


def test_a_second_rebuild_while_one_runs_is_refused_and_disturbs_nothing(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(runtime)
    before = snapshot(runtime)
    monkeypatch.setattr(infra.rebuild, "BATCH_SIZE", SMALL_BATCH)
    attempts: list[tuple[BaseException | None, bool, bool]] = []

    def second_rebuild(position: int) -> None:
        if attempts:
            return
        running = shadow_state(runtime)
        refusal: BaseException | None = None
        try:
            rebuild(runtime.projector, runtime.projector.models)
        except Busy as error:
            refusal = error
        attempts.append((refusal, shadow_state(runtime) == running, snapshot(runtime) == before))

    failures = rebuild(runtime.projector, runtime.projector.models, second_rebuild)

    ((refusal, running_untouched, live_untouched),) = attempts
    assert isinstance(refusal, Busy)
    assert running_untouched, "the refused rebuild changed the running one's shadow tables"
    assert live_untouched, "the refused rebuild changed the live tables"
    assert failures == {}  # the running rebuild finished as if alone
    assert snapshot(runtime) == before
    assert leftovers(runtime) == []


def test_a_rebuild_swaps_in_what_it_could_rebuild_and_reports_what_it_could_not(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = history(runtime)
    reduced = next(
        position
        for position, event in runtime.records.read_log(0, 1000)
        if isinstance(event, REDUCED)
    )
    with runtime.store.transaction(write=True) as tx:  # damage a rebuild would repair
        tx.execute("UPDATE people SET name = 'Damaged'")
        tx.execute("UPDATE current_plans SET status = 'damaged'")
    damaged = snapshot(runtime)
    fail_on(monkeypatch, SupportPlans, REDUCED, RuntimeError(FAULT))

    failures = rebuild(runtime.projector, runtime.projector.models)

    assert list(failures) == ["support_plans"]
    assert f"at position {reduced} (SupportPlan.SupportHoursReduced)" in failures["support_plans"]
    assert FAULT in failures["support_plans"]
    after = snapshot(runtime)
    for table in ("current_plans", "plan_versions"):
        assert after[table] == damaged[table], f"{table} should be left as it was"
    assert names(runtime) == ["Ruth Evans", "Second Person"]  # people was rebuilt and swapped in
    assert after["assessments"] == damaged["assessments"]
    last = runtime.records.last_position()
    statuses = runtime.projector.statuses()
    assert {(s.state, s.position) for s in statuses.values()} == {(tracking.LIVE, last)}
    assert leftovers(runtime) == []
    assert plan_events(runtime, plan.person_id)[-1] == "SupportPlan.SupportHoursReduced"


def test_a_rebuild_names_the_event_it_could_not_apply_even_when_the_plan_spans_batches(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(runtime)
    reduced = next(
        position
        for position, event in runtime.records.read_log(0, 1000)
        if isinstance(event, REDUCED)
    )
    monkeypatch.setattr(infra.rebuild, "BATCH_SIZE", SMALL_BATCH)  # each plan spans batches
    fail_on(monkeypatch, SupportPlans, REDUCED, RuntimeError(FAULT))

    failures = rebuild(runtime.projector, runtime.projector.models)

    assert list(failures) == ["support_plans"]
    assert failures["support_plans"].startswith(
        f"at position {reduced} (SupportPlan.SupportHoursReduced): RuntimeError: {FAULT}"
    )
    assert leftovers(runtime) == []


def test_a_rebuild_brings_back_a_parked_read_model_whose_fault_was_fixed(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_on(monkeypatch, SupportPlans, REDUCED, RuntimeError(FAULT))
    plan = history(runtime)
    assert runtime.projector.statuses()["support_plans"].parked
    monkeypatch.undo()  # the fix is deployed

    failures = rebuild(runtime.projector, [runtime.projector.model("support_plans")])

    assert failures == {}
    status = runtime.projector.statuses()["support_plans"]
    assert status.state == tracking.LIVE
    assert status.position == runtime.records.last_position()
    assert (status.error, status.error_position, status.error_event) == (None, None, None)
    assert plan_events(runtime, plan.person_id)[-1] == "SupportPlan.SupportHoursReduced"
    later = change_hours(runtime.records, plan.person_id, 8, reason="Cooks on her own now")
    runtime.projector.catch_up()
    assert runtime.projector.positions()["support_plans"] == later.position  # and follows on


def test_a_read_model_stored_by_other_code_is_reported_left_alone_and_live_after_a_rebuild(
    runtime: Runtime,
) -> None:
    agreed_plan(runtime.records)
    runtime.projector.catch_up()
    stopped_at = runtime.records.last_position()
    with runtime.store.transaction(write=True) as tx:
        tx.execute(
            "UPDATE projection_tracking SET version = %(v)s WHERE projection = 'people'",
            {"v": People.version - 1},
        )

    restarted = build(runtime.settings)
    try:
        outdated = restarted.outdated
        agreed_plan(restarted.records, name="Later Person")
        restarted.projector.catch_up()
        positions_before_rebuild = restarted.projector.positions()
        names_before_rebuild = names(restarted)
        failures = rebuild(restarted.projector, [restarted.projector.model("people")])
        status = restarted.projector.statuses()["people"]
        names_after_rebuild = names(restarted)
    finally:
        restarted.close()

    assert outdated == ["people"]
    last = runtime.records.last_position()
    assert positions_before_rebuild.pop("people") == stopped_at
    assert set(positions_before_rebuild.values()) == {last}
    assert names_before_rebuild == ["Ruth Evans"]
    assert failures == {}
    assert (status.state, status.version, status.position) == (tracking.LIVE, People.version, last)
    assert names_after_rebuild == ["Later Person", "Ruth Evans"]
    started_again = build(runtime.settings)
    started_again.close()
    assert started_again.outdated == []


def test_a_tracking_table_from_before_versions_gains_the_new_columns_and_asks_for_a_rebuild(
    runtime: Runtime,
) -> None:
    history(runtime)
    before = snapshot(runtime)
    last = runtime.records.last_position()
    models = [model.name for model in runtime.projector.models]
    with runtime.store.transaction(write=True) as tx:
        tx.execute("DROP TABLE projection_tracking")
        tx.execute(
            "CREATE TABLE projection_tracking "
            "(projection TEXT PRIMARY KEY, position BIGINT NOT NULL)"
        )
        for name in models:
            tx.execute(
                "INSERT INTO projection_tracking (projection, position) VALUES (%(n)s, %(p)s)",
                {"n": name, "p": last},
            )

    restarted = build(runtime.settings)
    try:
        outdated = restarted.outdated
        statuses = restarted.projector.statuses()
        with restarted.store.transaction() as tx:
            columns = set(tx.fetchall("SELECT * FROM projection_tracking")[0])
        failures = rebuild(restarted.projector, restarted.projector.models)
        rebuilt = restarted.projector.statuses()
    finally:
        restarted.close()

    assert outdated == models
    assert columns >= {"projection", "position", *tracking.COLUMNS}
    assert {(s.state, s.version, s.position) for s in statuses.values()} == {
        (tracking.LIVE, 0, last)
    }
    assert failures == {}
    assert {name: (s.state, s.version) for name, s in rebuilt.items()} == {
        model.name: (tracking.LIVE, 0 if model.evidence else model.version)  # evidence is kept
        for model in runtime.projector.models
    }
    assert snapshot(runtime) == before
    started_again = build(runtime.settings)
    started_again.close()
    assert started_again.outdated == [m.name for m in runtime.projector.models if m.evidence]
