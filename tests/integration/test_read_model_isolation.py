"""One read model that cannot apply an event is parked just before it, with the error; the
others go on, on SQLite and PostgreSQL alike, and a fixed read model catches up on retry."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.utils import resolve_topic

from domain.person import Person
from domain.support_plan import SupportPlan
from infra.bootstrap import Runtime
from infra.projector import Lane
from infra.rebuild import rebuild
from projections import tracking
from projections.base import ReadModel, Row
from projections.support_plans import SupportPlans
from tests.support.scenarios import agreed_plan, change_hours, context
from tests.support.staffing import JOINED_EVENTS
from tests.support.tables import snapshot

REDUCED: Any = SupportPlan.SupportHoursReduced  # made by the library: type checkers cannot see it
FAULT = "hours ledger unavailable"


def fail_on(
    monkeypatch: pytest.MonkeyPatch, model: type[ReadModel], event: type, error: Exception
) -> None:
    """From now on (until the test ends or monkeypatch.undo), the model cannot apply `event`."""

    def broken(*_: object) -> None:
        raise error

    monkeypatch.setitem(model._handlers, event, broken)


def lane(runtime: Runtime, name: str) -> Lane:
    (found,) = [lane for lane in runtime.projector.lanes if lane.model.name == name]
    return found


def plan_versions_of(runtime: Runtime, person_id: str) -> list[Row]:
    with runtime.store.transaction() as tx:
        return tx.fetchall(
            "SELECT version, event_type FROM plan_versions WHERE person_id = %(p)s "
            "ORDER BY version",
            {"p": person_id},
        )


def eventually(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.02)


def test_a_read_model_that_cannot_apply_an_event_is_parked_before_it_and_the_others_go_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = agreed_plan(runtime.records)
    fail_on(monkeypatch, SupportPlans, REDUCED, RuntimeError(FAULT))
    failing = change_hours(runtime.records, plan.person_id, 10).position
    agreed_plan(runtime.records, name="Second Person")

    runtime.projector.catch_up()

    statuses = runtime.projector.statuses()
    parked = statuses["support_plans"]
    assert parked.state == tracking.PARKED
    assert parked.position == failing - 1
    assert parked.error_position == failing
    assert parked.error_event == "SupportPlan.SupportHoursReduced"
    assert parked.error == f"RuntimeError: {FAULT}"
    last = runtime.records.last_position()
    others = {name: status for name, status in statuses.items() if name != "support_plans"}
    assert {name: (s.state, s.position) for name, s in others.items()} == {
        name: (tracking.LIVE, last) for name in others
    }
    versions = plan_versions_of(runtime, plan.person_id)
    assert len(versions) == plan.plan_version  # every change before the failing one
    assert versions[-1]["event_type"] == "SupportPlan.Agreed"
    with runtime.store.transaction() as tx:
        names = [row["name"] for row in tx.fetchall("SELECT name FROM people ORDER BY name")]
    assert names == ["Ruth Evans", "Second Person"]


def test_a_parked_read_model_retried_after_a_fix_catches_up_to_what_a_rebuild_would_build(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = agreed_plan(runtime.records)
    fail_on(monkeypatch, SupportPlans, REDUCED, RuntimeError(FAULT))
    change_hours(runtime.records, plan.person_id, 10)
    agreed_plan(runtime.records, name="Second Person")
    runtime.projector.catch_up()
    assert runtime.projector.statuses()["support_plans"].parked

    monkeypatch.undo()  # the fix is deployed
    runtime.projector.catch_up()
    assert runtime.projector.statuses()["support_plans"].parked  # parked until told to retry
    runtime.projector.retry("support_plans")
    runtime.projector.catch_up()

    status = runtime.projector.statuses()["support_plans"]
    assert status.state == tracking.LIVE
    assert status.position == runtime.records.last_position()
    assert (status.error, status.error_position, status.error_event) == (None, None, None)
    retried = snapshot(runtime)
    assert plan_versions_of(runtime, plan.person_id)[-1]["event_type"] == (
        "SupportPlan.SupportHoursReduced"
    )
    assert rebuild(runtime.projector, runtime.projector.models) == {}
    assert snapshot(runtime) == retried


def test_a_transient_failure_parks_nothing_and_the_next_catch_up_applies_the_event(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    outage: Exception = (
        psycopg.OperationalError("server closed the connection unexpectedly")
        if runtime.settings.is_postgres
        else sqlite3.OperationalError("database is locked")
    )
    plan = agreed_plan(runtime.records)
    runtime.projector.catch_up()
    original = SupportPlans._handlers[REDUCED]
    failures = [outage]

    def fails_once(*args: object) -> object:
        if failures:
            raise failures.pop()
        return original(*args)

    monkeypatch.setitem(SupportPlans._handlers, REDUCED, fails_once)
    change_hours(runtime.records, plan.person_id, 10)

    with pytest.raises(type(outage)):
        runtime.projector.catch_up()
    assert not any(status.parked for status in runtime.projector.statuses().values())
    runtime.projector.catch_up()

    last = runtime.records.last_position()
    statuses = runtime.projector.statuses().values()
    assert {(status.state, status.position) for status in statuses} == {(tracking.LIVE, last)}
    assert plan_versions_of(runtime, plan.person_id)[-1]["event_type"] == (
        "SupportPlan.SupportHoursReduced"
    )


def test_a_name_postgresql_cannot_store_parks_only_the_read_models_that_store_it_there(
    runtime: Runtime,
) -> None:
    agreed_plan(runtime.records)
    # Written past `execute`, as a record imported by an older release might be.
    envelope = runtime.records._seal(context(), "svc-1")
    person = Person.register(
        envelope, name="Ruth\x00Evans", date_of_birth=date(1970, 5, 1),
        service_id="svc-1", team_id="t-1",
    )  # fmt: skip
    runtime.records.save(person)
    nul_position = runtime.records.last_position()
    agreed_plan(runtime.records, name="Later Person")

    runtime.projector.catch_up()

    statuses = runtime.projector.statuses()
    last = runtime.records.last_position()
    with runtime.store.transaction() as tx:
        names = [row["name"] for row in tx.fetchall("SELECT name FROM people ORDER BY name")]
    if runtime.settings.is_postgres:
        people = statuses.pop("people")
        assert people.parked
        assert (people.position, people.error_position) == (nul_position - 1, nul_position)
        assert people.error_event == "Person.Registered"
        assert people.error is not None and "NUL" in people.error
        assert names == ["Ruth Evans"]
    else:
        assert sorted(names) == sorted(["Ruth Evans", "Ruth\x00Evans", "Later Person"])
    assert {(s.state, s.position) for s in statuses.values()} == {(tracking.LIVE, last)}


def test_with_the_projector_running_a_parked_read_model_holds_none_of_the_others_back(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_on(monkeypatch, SupportPlans, REDUCED, RuntimeError(FAULT))
    runtime.projector.start()
    try:
        plan = agreed_plan(runtime.records)
        failing = change_hours(runtime.records, plan.person_id, 10).position
        eventually(
            lambda: runtime.projector.statuses()["support_plans"].parked, "support_plans parks"
        )

        later = agreed_plan(runtime.records, name="Later Person")
        last = runtime.records.last_position()
        others = [model.name for model in runtime.projector.models if model.name != "support_plans"]
        eventually(
            lambda: all(runtime.projector.positions()[name] == last for name in others),
            "the other read models reach the end of the log",
        )
    finally:
        runtime.projector.stop()

    parked = runtime.projector.statuses()["support_plans"]
    assert (parked.state, parked.position, parked.error_position) == (
        tracking.PARKED, failing - 1, failing,
    )  # fmt: skip
    assert plan_versions_of(runtime, later.person_id) == []  # parked: it has not read on
    with runtime.store.transaction() as tx:
        person = tx.fetchone(
            "SELECT name FROM people WHERE person_id = %(p)s", {"p": later.person_id}
        )
        assessment = tx.fetchone(
            "SELECT status FROM assessments WHERE assessment_id = %(a)s",
            {"a": later.assessment_id},
        )
    assert person == {"name": "Later Person"}
    assert assessment == {"status": "completed"}


def test_a_read_model_reads_only_the_event_types_it_handles_from_the_log(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreed_plan(runtime.records)
    agreed_plan(runtime.records, name="Second Person")
    asked: list[Sequence[str]] = []
    delivered: list[DomainEvent] = []
    read_log = runtime.records.read_log

    def spy(
        after: int, limit: int, topics: Sequence[str] = (), stop: int | None = None
    ) -> list[tuple[int, DomainEvent]]:
        asked.append(topics)
        batch = read_log(after, limit, topics, stop)
        delivered.extend(event for _, event in batch)
        return batch

    monkeypatch.setattr(runtime.records, "read_log", spy)
    runtime.projector.follow([lane(runtime, "people")])

    assert asked, "the log was never read"
    assert all(topics for topics in asked), "a read asked for every event type"
    handled = runtime.projector.model("people").event_types()
    assert all(resolve_topic(topic) in handled for ts in asked for topic in ts)
    # The person index: people's own events, and the first event of every record of theirs.
    assert sorted(type(event).__qualname__ for event in delivered) == sorted(
        ["Person.Registered", "Assessment.Started", "SupportPlan.Drafted"] * 2
        + ["StaffMember.Joined"] * JOINED_EVENTS  # records of no person: the tests' staff
    )
    assert runtime.projector.positions()["people"] == runtime.records.last_position()
    assert runtime.projector.positions()["support_plans"] == 0  # only people was followed
