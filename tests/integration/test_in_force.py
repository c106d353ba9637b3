"""The state of any record read at any (asOf, asKnownAt) is, by definition, the replay in
effective order of its events recorded by asKnownAt and effective by asOf, leaving out those
known by asKnownAt to be entered in error: every kind of record's read model must agree with
that brute-force replay for any history, late entries, ties and corrections included. One
harness, driven by the kinds of record Stepwise declares (domain.catalogue)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.assessment import ContributionMode, Section
from domain.assessment_commands import (
    CompleteAssessment,
    RecordAssessmentSection,
    RecordContribution,
    StartAssessment,
)
from domain.care_records import CareRecords
from domain.catalogue import DECLARED, REGISTRY
from domain.commands import Command
from domain.envelope import Actor, CommandContext, Role
from domain.errors import DomainError
from domain.person_commands import RegisterPerson
from domain.staff_commands import JoinStaff
from domain.support_plan_commands import (
    AddEnablementStep,
    AgreeOutcome,
    DraftSupportPlan,
)
from domain.timeline import state_at
from infra.bootstrap import Runtime
from projections.folding import RecordTable
from projections.states import Moment
from tests.support.histories import HISTORIES, Change
from tests.support.scenarios import MANAGER

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
BEGAN = START - 20 * DAY  # when the record whose history is drawn begins
KINDS = sorted(kind.name for kind in DECLARED)
ADMIN = Actor("u-ada", "Ada Price", Role.TENANT_ADMIN)


class Clock:
    """The one clock both the application and the library's event timestamps read."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def recording_at(records: CareRecords, clock: Clock) -> Iterator[None]:
    with (
        mock.patch("eventsourcing.domain.datetime_now_with_tzinfo", clock),
        mock.patch.object(records, "clock", clock),
    ):
        yield


class Provider:
    """A provider of its own for each history, so records kept once per provider or service
    begin afresh."""

    def __init__(self, records: CareRecords, clock: Clock) -> None:
        self.records, self.clock = records, clock
        self.tenant = f"provider-{uuid.uuid4().hex[:8]}"
        admin = CommandContext(ADMIN, self.tenant, "property", effective_at=START - 90 * DAY)
        records.execute(admin, JoinStaff(MANAGER.id, MANAGER.name, MANAGER.role, "svc-1"))

    def run(self, command: Command, effective_at: datetime) -> str | None:
        registration = next(r for r in REGISTRY if r.command is type(command))
        actor = MANAGER if MANAGER.role in registration.roles else ADMIN  # one who may
        context = CommandContext(actor=actor, tenant_id=self.tenant, correlation_id="property",
                                 effective_at=effective_at, reason="property")  # fmt: skip
        # Refused (no change, a rule broken): nothing is recorded, as for any caller.
        with suppress(DomainError):
            return self.records.execute(context, command).record_id
        return None

    def person_with_a_plan(self) -> tuple[str, str]:
        """A person registered 60 days before START, assessed, with a plan and one outcome."""
        at = START - 60 * DAY
        person = self.run(RegisterPerson("Ruth Evans", "svc-1"), at) or ""
        assessment = self.run(StartAssessment(person), at) or ""
        for section in Section:
            self.run(RecordAssessmentSection(assessment, section, ["Cooks pasta"]), at)
        self.run(RecordContribution(assessment, ContributionMode.DIRECT, "She chose"), at)
        self.run(CompleteAssessment(assessment), at)
        self.run(DraftSupportPlan(person, assessment), START - 40 * DAY)
        terms = AgreeOutcome(person, "Cooks", "Staff cook", "Cooks twice", "Notes", ["Cooks pasta"])
        written = self.records.execute(self.context(START - 40 * DAY), terms)
        self.run(AddEnablementStep(person, written.part_id or "", "Cooks pasta", "Chops", "Notes"),
                 START - 40 * DAY)  # fmt: skip
        return person, written.part_id or ""

    def context(self, at: datetime) -> CommandContext:
        return CommandContext(actor=MANAGER, tenant_id=self.tenant, correlation_id="property",
                              effective_at=at, reason="property")  # fmt: skip


def history_of(kind: str) -> Any:
    """What happens to the record: each change, how many days after the record began it takes
    effect (few values, so ties happen) and how long after the one before it is recorded."""
    return st.lists(
        st.tuples(HISTORIES[kind].changes, st.integers(0, 12), st.sampled_from([1, 3600, 172800])),
        min_size=1, max_size=10,
    )  # fmt: skip


def test_every_kind_of_record_has_histories_for_the_harness() -> None:
    assert set(HISTORIES) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_any_record_read_at_any_moment_is_the_replay_of_what_was_known_and_in_force(
    runtime: Runtime, kind: str, data: st.DataObject
) -> None:
    record_id, events = written_history(runtime, kind, data)
    model = model_of(runtime, kind)
    for moment in probed_moments(events, data):
        expected = state_at(events, moment.as_of, moment.as_known_at)
        with runtime.store.transaction() as tx:
            found = model.at(tx, record_id, moment)
        assert _state(model, found) == _expected(model, expected, events), (kind, moment)


def written_history(runtime: Runtime, kind: str, data: st.DataObject) -> tuple[str, list[Any]]:
    """Writes a record of the kind and a drawn history of it (each change effective some days
    after the record began, recorded a while after the one before), brings every read model up
    to date; returns the record's id and events."""
    records, clock = runtime.records, Clock(START)
    history: list[tuple[Change, int, int]] = data.draw(history_of(kind))
    with recording_at(records, clock):
        provider = Provider(records, clock)
        person, outcome = provider.person_with_a_plan()
        record_id = provider.run(HISTORIES[kind].command(person, outcome), BEGAN)
        assert record_id is not None, f"{kind} could not begin"
        for change, days_after, seconds_later in history:
            clock.now += timedelta(seconds=seconds_later)
            effective = min(BEGAN + days_after * DAY, clock.now)
            provider.run(change(record_id, person), effective)
        runtime.projector.catch_up()
    assert {status.state for status in runtime.projector.statuses().values()} == {"live"}
    return record_id, list(records.repository.event_store.get(UUID(record_id)))


def probed_moments(events: list[Any], data: st.DataObject) -> list[Moment]:
    """Drawn moments around the history: each asOf as recorded at a drawn time and as
    recorded in the end."""
    probes = data.draw(st.lists(st.tuples(st.integers(-25, 14), st.floats(0, 1)), max_size=8))
    recorded = [event.timestamp for event in events]
    moments = []
    for days, share in probes:
        as_of = BEGAN + days * DAY
        as_known_at = recorded[0] + (recorded[-1] - recorded[0]) * share
        moments += [Moment(as_of, as_known_at), Moment(as_of, recorded[-1])]
    return moments


def model_of(runtime: Runtime, kind: str) -> RecordTable:
    return next(m for m in runtime.projector.models
                if isinstance(m, RecordTable) and m.aggregate.__name__ == kind)  # fmt: skip


def _expected(model: RecordTable, record: Any, events: list[Any]) -> dict[str, Any] | None:
    if record is None:
        return None
    return _state(model, model.row(record, 0, events[-1]))


def _state(model: RecordTable, row: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a state row says of the record, times as UTC ISO text (SQLite keeps text)."""
    if row is None:
        return None
    return {column: _plain(row[column]) for column in model.state_columns
            if column != "aggregate_state"}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        with suppress(ValueError):
            return datetime.fromisoformat(value).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
