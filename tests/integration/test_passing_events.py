"""A read model that handles none of the new events moves past them without a transaction of
its own (one commit per read model per save was most of a write's cost); where it got to is
announced at once and stored later, and a restart only reads those events again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from infra.bootstrap import Runtime, build
from infra.projector import Lane
from projections import tracking
from tests.support.scenarios import agreed_plan, change_hours


def lane_named(runtime: Runtime, name: str) -> Lane:
    return next(lane for lane in runtime.projector.lanes if lane.tracking == name)


def stored_position(runtime: Runtime, name: str) -> int:
    with runtime.store.transaction() as tx:
        return tracking.statuses(tx)[name].position


@pytest.fixture
def write_transactions(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Counts the read store's write transactions from here on."""
    opened: list[bool] = []
    transaction = runtime.store.transaction

    def counted(write: bool = False, durable: bool = True) -> AbstractContextManager[Any]:
        if write:
            opened.append(durable)
        return transaction(write, durable)

    monkeypatch.setattr(runtime.store, "transaction", counted)
    return opened


@pytest.fixture
def plan_changed(runtime: Runtime) -> Iterator[int]:
    """Every read model caught up on an agreed plan, then one change of support hours, which
    the risk decisions read model does not handle; yields the change's position."""
    plan = agreed_plan(runtime.records)
    runtime.projector.catch_up()
    yield change_hours(runtime.records, plan.person_id, 10).position


def test_passing_events_it_does_not_handle_writes_nothing_and_is_announced(
    runtime: Runtime, plan_changed: int, write_transactions: list[bool]
) -> None:
    told: list[tuple[str, int]] = []
    runtime.projector.listeners.append(lambda name, position: told.append((name, position)))
    risk = lane_named(runtime, "risk_decisions")

    runtime.projector.follow([risk], store_passed=False)

    assert write_transactions == []
    assert told == [("risk_decisions", plan_changed)]
    assert runtime.projector.positions()["risk_decisions"] == plan_changed
    assert stored_position(runtime, "risk_decisions") < plan_changed


def test_a_read_model_that_handles_the_events_still_applies_them_in_a_transaction(
    runtime: Runtime, plan_changed: int, write_transactions: list[bool]
) -> None:
    runtime.projector.follow([lane_named(runtime, "support_plans")], store_passed=False)

    assert write_transactions == [True]
    assert stored_position(runtime, "support_plans") == plan_changed


def test_where_it_passed_to_is_stored_once_caught_up(runtime: Runtime, plan_changed: int) -> None:
    risk = lane_named(runtime, "risk_decisions")
    runtime.projector.follow([risk], store_passed=False)

    runtime.projector.follow([risk])

    assert stored_position(runtime, "risk_decisions") == plan_changed


def test_a_restart_before_it_was_stored_reads_those_events_again_and_loses_nothing(
    runtime: Runtime, plan_changed: int
) -> None:
    risk = lane_named(runtime, "risk_decisions")
    runtime.projector.follow([risk], store_passed=False)

    restarted = build(runtime.settings)
    try:
        assert restarted.projector.positions()["risk_decisions"] < plan_changed
        restarted.projector.catch_up()
        assert restarted.projector.positions()["risk_decisions"] == plan_changed
        assert stored_position(restarted, "risk_decisions") == plan_changed
    finally:
        restarted.close()
