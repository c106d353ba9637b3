"""The state read at any (asOf, asKnownAt) is, by definition, the replay in effective order of
the events recorded by asKnownAt and effective by asOf: the read model must agree with that
brute-force replay for any history, late entries and ties included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from typing import cast
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.care_records import CareRecords
from domain.commands import Command
from domain.envelope import CommandContext
from domain.errors import DomainError
from domain.support_plan import SupportPlan
from domain.support_plan_commands import (
    DraftSupportPlan,
    SetNextReviewDate,
    SetSupportHours,
    WriteStaffGuidance,
)
from domain.timeline import state_at
from infra.bootstrap import Runtime
from projections.event_records import dumps
from projections.states import Moment
from projections.support_plans import SupportPlans, document, get_plan
from tests.support.scenarios import WORKER, completed_assessment

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


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


changes = st.one_of(
    st.builds(SetSupportHours, person_id=st.just(""), hours_per_week=st.sampled_from([8, 10, 14])),
    st.builds(WriteStaffGuidance, person_id=st.just(""), guidance=st.sampled_from(["a", "b"])),
    st.builds(
        SetNextReviewDate,
        person_id=st.just(""),
        review_date=st.sampled_from([date(2026, 6, 1), date(2026, 7, 1)]),
    ),
)
# A change: what, how many days after the draft it takes effect (few values, so ties happen),
# and how long after the previous change it is recorded.
steps = st.lists(
    st.tuples(changes, st.integers(0, 12), st.sampled_from([1, 3600, 86400 * 2])),
    min_size=1,
    max_size=12,
)


def execute(records: CareRecords, command: Command, effective_at: datetime) -> None:
    context = CommandContext(actor=WORKER, tenant_id="provider-a", correlation_id="property",
                             effective_at=effective_at)  # fmt: skip
    # Refused (no change, or a review date not after the change): nothing is recorded.
    with suppress(DomainError):
        records.execute(context, command)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(history=steps, probes=st.lists(st.tuples(st.integers(-1, 14), st.floats(0, 1)), max_size=8))
def test_any_moment_reads_as_the_replay_of_what_was_known_and_in_force(
    runtime: Runtime,
    history: list[tuple[Command, int, int]],
    probes: list[tuple[int, float]],
) -> None:
    records = runtime.records
    clock = Clock(START)
    # Kept states every few events, so most reads replay some events from one.
    with recording_at(records, clock), mock.patch.object(SupportPlans, "checkpoint_every", 3):
        person_id, assessment_id = completed_assessment(records)
        drafted_at = START - 20 * DAY
        execute(records, DraftSupportPlan(person_id, assessment_id), drafted_at)
        for change, days_after_draft, seconds_later in history:
            clock.now += timedelta(seconds=seconds_later)
            change = type(change)(**{**vars(change), "person_id": person_id})
            execute(records, change, min(drafted_at + days_after_draft * DAY, clock.now))
        runtime.projector.catch_up()
    # Events recorded at one instant (the clock stands still between commands) are no fault.
    assert {status.state for status in runtime.projector.statuses().values()} == {"live"}

    plans = cast(SupportPlans, runtime.projector.model(SupportPlans.name))
    events = list(records.repository.event_store.get(SupportPlan.create_id(person_id)))
    recorded = [event.timestamp for event in events]
    for days, share in probes:
        as_of = drafted_at + days * DAY
        as_known_at = recorded[0] + (recorded[-1] - recorded[0]) * share
        for moment in (Moment(as_of, as_known_at), Moment(as_of, recorded[-1])):
            expected = state_at(events, moment.as_of, moment.as_known_at)
            with runtime.store.transaction() as tx:
                row = get_plan(tx, plans, person_id, moment)
            if expected is None:
                assert row is None
            else:
                assert row is not None
                assert json.loads(row["document"]) == json.loads(dumps(document(expected)))
                assert row["version"] == expected.version
