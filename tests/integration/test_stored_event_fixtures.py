"""A database an earlier Stepwise wrote, before classes had registered names, still loads: its
records, every read model and the change feed read the events it stored under module paths."""

from __future__ import annotations

from uuid import UUID

from infra.bootstrap import Runtime
from infra.rebuild import rebuild
from projections.event_records import event_record
from tests.fixtures.record_stored_events import MODULE_PATH, load, stored_event
from tests.support.staffing import JOINED_EVENTS
from tests.support.tables import snapshot

HISTORY = [fixture for fixture in load() if fixture["sample"] == MODULE_PATH]


def test_a_history_stored_under_module_paths_is_read_by_records_read_models_and_feed(
    runtime: Runtime,
) -> None:
    runtime.records.recorder.insert_events([stored_event(fixture) for fixture in HISTORY])
    (person_id,) = {f["originator_id"] for f in HISTORY if "Person." in f["topic"]}
    plan_events = [f for f in HISTORY if "SupportPlan." in f["topic"]]

    runtime.projector.catch_up()

    last = runtime.records.last_position()
    assert last == JOINED_EVENTS + len(HISTORY)  # after the tests' staff
    assert set(runtime.projector.positions().values()) == {last}
    assert not any(status.parked for status in runtime.projector.statuses().values())
    plan = runtime.records.load(UUID(plan_events[0]["originator_id"]))
    assert plan.version == len(plan_events) and plan.support_hours_per_week == 12.0  # type: ignore[attr-defined]
    with runtime.store.transaction() as tx:
        person = tx.fetchone("SELECT service_id, team_id FROM people WHERE person_id = %(p)s",
                             {"p": person_id})  # fmt: skip
        assessment = tx.fetchone("SELECT status FROM assessments")
        current = tx.fetchone("SELECT status, version FROM current_plans")
        versions = tx.fetchall("SELECT event_type FROM plan_versions ORDER BY version")
    assert person == {"service_id": "svc-2", "team_id": "t-2"}
    assert assessment == {"status": "completed"}
    assert current == {"status": "agreed", "version": len(plan_events)}
    assert [row["event_type"] for row in versions] == [f["expected"]["class"] for f in plan_events]
    built = snapshot(runtime)
    for model in runtime.projector.models:  # alone, each reads only its own events' topics
        assert rebuild(runtime.projector, [model]) == {}
    assert snapshot(runtime) == built
    feed = [event_record(event, position)
            for position, event in runtime.records.read_log(JOINED_EVENTS, 100)]  # fmt: skip
    assert [record["event_type"] for record in feed] == [f["expected"]["class"] for f in HISTORY]
