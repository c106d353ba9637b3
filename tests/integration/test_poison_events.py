"""A stored event that cannot be decoded (bytes written around the application, or by code this
version cannot read) parks only the read models that read its type, just before it; the others
go past it, and a read model retried once the row is repaired catches up."""

from __future__ import annotations

from infra.audit import verify
from infra.bootstrap import Runtime
from tests.support.scenarios import agreed_plan, change_hours
from tests.support.tampering import poison_after, poisoned_plan, repair


def test_an_undecodable_event_parks_only_the_read_models_that_read_its_type(
    runtime: Runtime,
) -> None:
    poisoned = poisoned_plan(runtime)

    runtime.projector.catch_up()

    statuses = runtime.projector.statuses()
    parked = {name for name, status in statuses.items() if status.parked}
    assert parked == poisoned.readers
    assert poisoned.readers != set(statuses)  # some read models do not read plan events
    for name in poisoned.readers:
        assert statuses[name].position == poisoned.position - 1
        assert statuses[name].error_position == poisoned.position
        assert "cannot decode" in (statuses[name].error or "")
    others = set(statuses) - poisoned.readers
    assert all(statuses[name].position == poisoned.end for name in others)
    assert verify(runtime.records, runtime.store, None).intact  # the chain holds the bytes too


def test_a_read_model_parked_on_an_undecodable_event_catches_up_once_retried_after_a_repair(
    runtime: Runtime,
) -> None:
    plan = agreed_plan(runtime.records)
    written = change_hours(runtime.records, plan.person_id, 10)
    position, last_good = poison_after(runtime, written.record_id)
    runtime.projector.catch_up()
    parked = [name for name, status in runtime.projector.statuses().items() if status.parked]

    repair(runtime, position, last_good.state)
    for name in parked:
        runtime.projector.retry(name)
    runtime.projector.catch_up()

    statuses = runtime.projector.statuses().values()
    assert parked and not any(status.parked for status in statuses)
    assert verify(runtime.records, runtime.store, None).changed == [position]  # evident
    assert {status.position for status in statuses} == {runtime.records.last_position()}
