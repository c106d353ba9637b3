"""Read models on SQLite and PostgreSQL: exactly once, resumable, rebuildable."""

from __future__ import annotations

import json
import threading

from infra.bootstrap import Runtime, build
from infra.projector import Projector
from infra.rebuild import rebuild
from infra.settings import Settings
from tests.support.scenarios import agreed_plan, change_hours
from tests.support.tables import snapshot


def test_the_plan_read_models_show_the_plan_and_each_change(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    change_hours(runtime.records, plan.person_id, 10)
    runtime.projector.catch_up()
    with runtime.store.transaction() as tx:
        current = tx.fetchone("SELECT * FROM current_plans WHERE person_id = %(p)s",
                              {"p": plan.person_id})  # fmt: skip
        last = tx.fetchall("SELECT * FROM plan_versions WHERE person_id = %(p)s "
                           "ORDER BY version DESC LIMIT 1", {"p": plan.person_id})[0]  # fmt: skip
    assert current is not None and current["status"] == "agreed"
    assert current["version"] == plan.plan_version + 1
    assert last["reason"] == "Fewer visits" and last["actor_name"] == "Mo Khan"
    assert last["summary"] == "Support hours reduced to 10 a week (were 14)"
    assert last["event_type"] == "SupportPlan.SupportHoursReduced"
    assert json.loads(last["changes"]) == [
        {"field": "supportHoursPerWeek", "before": 14, "after": 10}
    ]


def test_processing_the_same_positions_twice_changes_nothing(runtime: Runtime) -> None:
    agreed_plan(runtime.records)
    runtime.projector.catch_up()
    before = snapshot(runtime)
    log = runtime.records.read_log(0, 1000)
    for lane in runtime.projector.lanes:
        runtime.projector.advance(lane, log, log[-1][0])
    assert snapshot(runtime) == before
    assert set(runtime.projector.positions().values()) == {runtime.records.last_position()}


def test_a_rebuild_equals_the_incrementally_built_tables(runtime: Runtime) -> None:
    plan = agreed_plan(runtime.records)
    runtime.projector.catch_up()
    change_hours(runtime.records, plan.person_id, 9)
    agreed_plan(runtime.records, name="Second Person")
    runtime.projector.catch_up()
    incremental = snapshot(runtime)
    failures = rebuild(runtime.projector, runtime.projector.models)
    assert failures == {}
    assert snapshot(runtime) == incremental


def test_a_restarted_projector_resumes_where_it_stopped(runtime: Runtime) -> None:
    agreed_plan(runtime.records)
    runtime.projector.catch_up()
    stopped_at = runtime.records.last_position()
    agreed_plan(runtime.records, name="Second Person")
    restarted = build(runtime.settings)
    try:
        assert min(restarted.projector.positions().values()) == stopped_at
        restarted.projector.catch_up()
        with restarted.store.transaction() as tx:
            names = [r["name"] for r in tx.fetchall("SELECT name FROM people ORDER BY name")]
            versions = tx.fetchall("SELECT COUNT(*) AS n FROM plan_versions")[0]["n"]
    finally:
        restarted.close()
    assert names == ["Ruth Evans", "Second Person"]
    assert versions == 2 * 7  # drafted, outcome, step, guidance, hours, review date, agreed


def test_two_projectors_racing_apply_each_event_once(runtime: Runtime) -> None:
    for n in range(3):
        agreed_plan(runtime.records, name=f"Person {n}")
    rival = Projector(runtime.records, runtime.store, runtime.projector.models, batch_size=7)
    mine = Projector(runtime.records, runtime.store, runtime.projector.models, batch_size=5)
    threads = [threading.Thread(target=p.catch_up) for p in (mine, rival)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with runtime.store.transaction() as tx:
        versions = tx.fetchone("SELECT COUNT(*) AS n FROM plan_versions")
    plan_events = [
        e
        for _, e in runtime.records.read_log(0, 1000)
        if type(e).__qualname__.startswith("SupportPlan.")
    ]
    assert versions is not None and versions["n"] == len(plan_events) == 3 * 7


def test_processes_starting_together_on_an_empty_database_all_start(settings: Settings) -> None:
    started: list[Runtime] = []
    failures: list[BaseException] = []

    def start() -> None:
        try:
            started.append(build(settings))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for runtime in started:
        runtime.close()
    assert failures == []
    assert len(started) == 4
