"""A new stretch of the log is applied to every read model standing at its start in one
transaction, rather than one each (a commit per read model per write was most of what keeping
them cost): all of them move together or, when one fails, none does and each is left to apply
it on its own, where a failure parks only its read model. A read model another runner holds is
left to its own thread, not waited for, and so is one whose work can take long (the audit
chain), which the others would otherwise wait for."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime
from infra.log_reader import Stretch
from infra.projector import Lane, Projector, _unapplied
from projections import tracking
from projections.base import ReadModel
from projections.support_plans import SupportPlans
from tests.support.scenarios import agreed_plan, change_hours

REDUCED: Any = SupportPlan.SupportHoursReduced  # made by the library: type checkers cannot see it


def new_stretch(runtime: Runtime) -> tuple[Stretch, list[Lane]]:
    """Every read model caught up on an agreed plan, then a cut in its hours: the stretch of
    the log holding the cut, and the read models that handle it."""
    plan = agreed_plan(runtime.records)
    runtime.projector.catch_up()
    after = runtime.records.last_position()
    end = change_hours(runtime.records, plan.person_id, 10).position
    stretch = Stretch(after, end, runtime.records.read_log(after, 500))
    concerned = [lane for lane in runtime.projector.lanes
                 if _unapplied(lane.model, stretch.events, after)]  # fmt: skip
    assert len(shared(concerned)) > 1 and alone(concerned)
    return stretch, concerned


def shared(lanes: list[Lane]) -> list[Lane]:
    return [lane for lane in lanes if not lane.model.applies_alone]


def alone(lanes: list[Lane]) -> list[Lane]:
    return [lane for lane in lanes if lane.model.applies_alone]


def stored_positions(runtime: Runtime) -> dict[str, int]:
    with runtime.store.transaction() as tx:
        return {name: status.position for name, status in tracking.statuses(tx).items()}


def test_the_read_models_a_write_concerns_move_to_it_in_one_transaction(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    stretch, concerned = new_stretch(runtime)
    moves: list[tuple[set[str], int]] = []
    advance_all = tracking.advance_all
    monkeypatch.setattr(tracking, "advance", lambda tx, name, to: moves.append(({name}, to)))
    monkeypatch.setattr(tracking, "advance_all", lambda tx, names, to: (
        moves.append((set(names), to)), advance_all(tx, names, to)))  # fmt: skip

    left = runtime.projector._apply_together(concerned, stretch)

    assert left == alone(concerned)  # the audit chain: to its own thread
    assert moves == [({lane.tracking for lane in shared(concerned)}, stretch.end)]
    positions = stored_positions(runtime)
    assert {positions[lane.tracking] for lane in shared(concerned)} == {stretch.end}
    assert {positions[lane.tracking] for lane in alone(concerned)} == {stretch.after}
    assert runtime.projector.positions()[SupportPlans.name] == stretch.end


def test_when_one_fails_none_moves_and_each_applies_it_on_its_own_parking_only_the_failing(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    stretch, concerned = new_stretch(runtime)
    before = stored_positions(runtime)

    def broken(*_: object) -> None:
        raise RuntimeError("hours ledger unavailable")

    monkeypatch.setitem(SupportPlans._handlers, REDUCED, broken)
    left = runtime.projector._apply_together(concerned, stretch)

    assert left == concerned
    assert stored_positions(runtime) == before  # rolled back, every read model's rows too
    for lane in left:
        runtime.projector.advance(lane, stretch.events, stretch.end)
    statuses = runtime.projector.statuses()
    assert {name for name, status in statuses.items() if status.parked} == {SupportPlans.name}
    assert all(statuses[lane.tracking].position == stretch.end
               for lane in concerned if lane.model.name != SupportPlans.name)  # fmt: skip


def test_a_read_model_another_runner_is_applying_is_not_applied_again_nor_waited_for_on_postgres(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another runner holds support_plans' position for 0.5 s, then applies the stretch to
    it. On PostgreSQL the others are applied without waiting and support_plans is left to its
    thread; SQLite has one writer per file, so there the shared transaction waits, and then
    finds support_plans past the stretch."""
    stretch, concerned = new_stretch(runtime)
    support_plans = next(lane for lane in concerned if lane.model.name == SupportPlans.name)
    holding, released = threading.Event(), threading.Event()
    apply = support_plans.model.apply  # as it is, before this process's applies are recorded

    def another_runner() -> None:
        with runtime.store.transaction(write=True) as tx:
            tracking.lock(tx, SupportPlans.name)
            holding.set()
            released.wait(timeout=0.5)
            apply(tx, support_plans.tables, stretch.events)
            tracking.advance(tx, SupportPlans.name, stretch.end)

    elsewhere = threading.Thread(target=another_runner)
    elsewhere.start()
    assert holding.wait(timeout=10)
    applied: list[str] = []
    for lane in concerned:
        monkeypatch.setattr(lane.model, "apply", recorded(lane.model, applied))
    started = time.monotonic()
    left = runtime.projector._apply_together(concerned, stretch)
    took = time.monotonic() - started
    released.set()
    elsewhere.join(timeout=10)

    assert SupportPlans.name not in applied  # applied once, by the other runner
    assert set(stored_positions(runtime).values()) >= {stretch.end}
    assert all(stored_positions(runtime)[lane.tracking] == stretch.end
               for lane in shared(concerned))  # fmt: skip
    if runtime.settings.is_postgres:
        assert left == [lane for lane in concerned
                        if lane is support_plans or lane.model.applies_alone]  # fmt: skip
        assert took < 0.4  # not waited for
    else:
        assert left == alone(concerned)
        assert took >= 0.4


def test_a_read_model_another_runner_moved_past_the_stretch_is_neither_applied_nor_left(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    stretch, concerned = new_stretch(runtime)
    elsewhere = Projector(runtime.records, runtime.store, runtime.projector.models)
    elsewhere.follow([lane for lane in elsewhere.lanes if lane.model.name == SupportPlans.name])
    applied: list[str] = []
    for lane in concerned:
        monkeypatch.setattr(lane.model, "apply", recorded(lane.model, applied))

    left = runtime.projector._apply_together(concerned, stretch)

    assert left == alone(concerned)
    assert sorted(applied) == sorted(lane.model.name for lane in shared(concerned)
                                     if lane.model.name != SupportPlans.name)  # fmt: skip
    assert {stored_positions(runtime)[lane.tracking] for lane in shared(concerned)} == {stretch.end}


def recorded(model: ReadModel, applied: list[str]) -> Callable[..., None]:
    apply = model.apply

    def applying(*args: Any) -> None:
        applied.append(model.name)
        apply(*args)

    return applying
