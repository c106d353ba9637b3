"""With the projector running, one reader reads each new stretch of the log once for every read
model: a write wakes only the read models that handle it, the others move past it without a
transaction, and what memory no longer holds (a parked read model released, an undecodable
event) each read model reads on its own, as before."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from eventsourcing.domain import DomainEvent

from infra.bootstrap import Runtime
from infra.log_reader import Stretch
from infra.projector import Lane, Projector
from infra.rebuild import rebuild
from projections import tracking
from projections.base import Transaction
from tests.integration.test_read_model_isolation import eventually
from tests.support.scenarios import agreed_plan, change_hours
from tests.support.tables import snapshot
from tests.support.tampering import poisoned_plan, repair


@pytest.fixture
def running(runtime: Runtime) -> Iterator[Runtime]:
    """The projector running in the background, caught up on one agreed plan."""
    plan = agreed_plan(runtime.records)
    runtime.projector.start()
    try:
        assert runtime.wait_for_position(runtime.records.last_position(), timeout=30)
        runtime.plan_person = plan.person_id  # type: ignore[attr-defined]
        yield runtime
    finally:
        runtime.projector.stop()


@pytest.fixture
def log_reads(running: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Where each read of the log starts, from here on."""
    starts: list[int] = []
    read_log = running.records.read_log

    def counted(
        after: int, limit: int, topics: Sequence[str] = (), stop: int | None = None
    ) -> list[tuple[int, DomainEvent]]:
        starts.append(after)
        return read_log(after, limit, topics, stop)

    monkeypatch.setattr(running.records, "read_log", counted)
    return starts


@pytest.fixture
def woken(running: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The read models that applied a batch, on their own or together with others, from here
    on."""
    names: list[str] = []
    advance, apply_together = Projector.advance, Projector._apply_together

    def counted(projector: Projector, lane: Lane, *args: object) -> None:
        names.append(lane.model.name)
        advance(projector, lane, *args)  # type: ignore[arg-type]

    def counted_together(projector: Projector, lanes: Sequence[Lane], stretch: Stretch
                         ) -> list[Lane]:  # fmt: skip
        left = apply_together(projector, lanes, stretch)
        names.extend(lane.model.name for lane in lanes if lane not in left)
        return left

    monkeypatch.setattr(Projector, "advance", counted)
    monkeypatch.setattr(Projector, "_apply_together", counted_together)
    return names


@pytest.fixture
def moves(running: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[tuple[set[str], int]]:
    """Each statement that moved read models' stored positions, from here on: which, and to
    where."""
    moved: list[tuple[set[str], int]] = []
    advance, advance_all = tracking.advance, tracking.advance_all

    def one(tx: Transaction, name: str, position: int) -> None:
        moved.append(({name}, position))
        advance(tx, name, position)

    def several(tx: Transaction, names: Sequence[str], position: int) -> None:
        moved.append((set(names), position))
        advance_all(tx, names, position)

    monkeypatch.setattr(tracking, "advance", one)
    monkeypatch.setattr(tracking, "advance_all", several)
    return moved


def test_a_write_is_read_from_the_log_once_for_every_read_model(
    running: Runtime, log_reads: list[int], woken: list[str]
) -> None:
    written = change_hours(running.records, running.plan_person, 10)  # type: ignore[attr-defined]

    assert running.wait_for_position(written.position, timeout=30)
    assert log_reads == [written.position - 1]  # read by the reader; the read models took it
    assert woken  # from memory


def test_read_models_that_handle_none_of_a_write_move_past_it_without_waking(
    running: Runtime, woken: list[str]
) -> None:
    written = change_hours(running.records, running.plan_person, 10)  # type: ignore[attr-defined]

    assert running.wait_for_position(written.position, timeout=30)
    ((_, event),) = running.records.read_at([written.position])
    handling = {
        model.name
        for model in running.projector.models
        if model.stored_bytes or type(event) in model.event_types()
    }
    assert set(woken) == handling
    assert handling != {model.name for model in running.projector.models}  # some were passed
    assert set(running.projector.positions().values()) == {written.position}


def test_the_read_models_a_write_concerns_apply_it_in_one_transaction(
    running: Runtime, woken: list[str], moves: list[tuple[set[str], int]]
) -> None:
    written = change_hours(running.records, running.plan_person, 10)  # type: ignore[attr-defined]

    assert running.wait_for_position(written.position, timeout=30)
    alone = {model.name for model in running.projector.models if model.applies_alone}
    together = [names for names, position in moves
                if position == written.position and names & (set(woken) - alone)]  # fmt: skip
    assert together == [set(woken) - alone] and len(together[0]) > 1


def test_while_running_an_undecodable_event_parks_only_its_readers_until_repaired(
    runtime: Runtime,
) -> None:
    poisoned, projector = poisoned_plan(runtime), runtime.projector

    def parked_and_passed() -> bool:
        statuses = projector.statuses()
        parked = {name for name, status in statuses.items() if status.parked}
        return parked == poisoned.readers and all(
            status.position == poisoned.end
            for name, status in statuses.items()
            if name not in poisoned.readers
        )

    projector.start()
    try:
        eventually(parked_and_passed, "the poison's readers park and the others reach the end")
        positions = projector.positions()
        assert {positions[name] for name in poisoned.readers} == {poisoned.position - 1}

        repair(runtime, poisoned.position, poisoned.last_good.state)
        for name in poisoned.readers:
            projector.retry(name)
        later = change_hours(runtime.records, poisoned.person_id, 12).position
        assert runtime.wait_for_position(later, timeout=30)
    finally:
        projector.stop()
    assert not any(status.parked for status in projector.statuses().values())


def test_a_read_model_released_far_behind_catches_up_while_the_others_stay_current(
    running: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    projector, records = running.projector, running.records
    person = running.plan_person  # type: ignore[attr-defined]
    support_plans = next(lane for lane in projector.lanes if lane.model.name == "support_plans")
    follow = projector.follow
    held: list[int] = []

    def holding_support_plans(lanes: Sequence[Lane], *args: object, **kwargs: object) -> int:
        if support_plans in lanes:
            held.append(1)
            return 0  # as if its thread were busy elsewhere
        return follow(lanes, *args, **kwargs)  # type: ignore[arg-type]

    apply_together = projector._apply_together

    def leaving_support_plans(lanes: Sequence[Lane], stretch: Stretch) -> list[Lane]:
        others = [lane for lane in lanes if lane is not support_plans]
        return apply_together(others, stretch) + [lane for lane in lanes if lane not in others]

    monkeypatch.setattr(projector, "follow", holding_support_plans)
    monkeypatch.setattr(projector, "_apply_together", leaving_support_plans)
    projector.batch_size = projector._reader.batch_size = 5
    monkeypatch.setattr(projector._reader.recent, "_most", 20)  # memory keeps 20 events
    for hours in range(20, 50):
        last = change_hours(records, person, hours).position
    others = [m.name for m in projector.models if m.name != "support_plans"]
    eventually(
        lambda: all(projector.positions()[name] == last for name in others),
        "the other read models reach the end",
    )
    behind = projector.positions()["support_plans"]
    assert held and projector._reader.recent.take(behind, 5) is None  # out of memory's reach

    monkeypatch.setattr(projector, "follow", follow)
    projector.wake()
    assert running.wait_for_position(last, timeout=30)
    projector.stop()
    caught_up = snapshot(running)
    assert rebuild(projector, projector.models) == {}
    assert snapshot(running) == caught_up
