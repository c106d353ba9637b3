"""What is in force: a record replays its events in order of effective time, so a late entry
fills in the past and never overrides a fact that took effect after it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from eventsourcing.domain import Snapshot

from domain.errors import RulesViolated
from domain.support_plan import SupportPlan
from domain.timeline import OutOfOrder, replay, state_at
from tests.unit import given

DAY = timedelta(days=1)


def at(moment: datetime, reason: str | None = None) -> Any:
    return given.envelope(effective_at=moment, reason=reason)


class Recorded:
    """A plan drafted some days ago, as a command finds it, and every event it has recorded."""

    def __init__(self, days: int) -> None:
        drafted = SupportPlan(at(given.NOW - days * DAY), "person-1", "assessment-1",
                              given.STRENGTHS)  # fmt: skip
        self.events: list[Any] = list(drafted.collect_events())
        self.plan: SupportPlan = replay(None, self.events)

    def recorded(self) -> list[Any]:
        self.events += self.plan.collect_events()
        return self.events

    def reloaded(self) -> SupportPlan:
        """The plan as the next command finds it: replayed from every event so far."""
        self.plan = replay(None, self.recorded())
        return self.plan


def drafted_days_ago(days: int) -> Recorded:
    return Recorded(days)


def test_a_late_entry_does_not_override_a_fact_that_took_effect_after_it() -> None:
    history = drafted_days_ago(10)
    history.plan.set_support_hours(at(given.NOW - DAY), 10)
    history.plan.set_support_hours(at(given.NOW - 8 * DAY), 14)  # recorded later, effective earlier
    events = history.recorded()

    assert replay(None, events).support_hours_per_week == 10


def test_the_state_at_a_moment_is_what_was_known_then_and_in_force_then() -> None:
    history = drafted_days_ago(10)
    history.plan.set_support_hours(at(given.NOW - DAY), 10)
    history.plan.set_support_hours(at(given.NOW - 8 * DAY), 14)
    events = history.recorded()
    recorded_late = events[-1].timestamp

    def hours(as_of: datetime, as_known_at: datetime) -> float | None:
        return state_at(events, as_of, as_known_at).support_hours_per_week  # type: ignore[no-any-return]

    assert hours(given.NOW - 5 * DAY, recorded_late) == 14
    assert hours(given.NOW - 5 * DAY, recorded_late - timedelta(microseconds=1)) is None
    assert hours(given.NOW, recorded_late) == 10
    assert state_at(events, given.NOW - 11 * DAY, recorded_late) is None  # not begun


def test_a_replayed_record_keeps_its_latest_version_and_time_whatever_the_order() -> None:
    history = drafted_days_ago(10)
    history.plan.set_support_hours(at(given.NOW - DAY), 10)
    history.plan.set_support_hours(at(given.NOW - 8 * DAY), 14)
    events = history.recorded()

    replayed = replay(None, events)

    assert replayed.version == 3 and replayed.modified_on == events[-1].timestamp
    assert replayed.latest_effective_at == given.NOW - DAY


def test_a_change_cannot_take_effect_before_its_record_began() -> None:
    plan = drafted_days_ago(3).plan

    with pytest.raises(RulesViolated) as refusal:
        plan.set_support_hours(at(given.NOW - 4 * DAY), 10)

    assert given.rules(refusal) == {"record.effective_at.before_start"}


def test_a_change_to_an_outcome_cannot_take_effect_before_it_was_agreed() -> None:
    plan = drafted_days_ago(10).plan
    plan.agree_outcome(at(given.NOW - 2 * DAY), given.OUTCOME, given.terms())

    with pytest.raises(RulesViolated) as refusal:
        plan.add_enablement_step(at(given.NOW - 3 * DAY), given.OUTCOME, given.step())

    assert given.rules(refusal) == {"plan.outcome.effective_before_agreed"}


def test_events_taking_effect_before_a_snapshot_call_for_a_full_replay() -> None:
    history = drafted_days_ago(10)
    history.plan.set_support_hours(at(given.NOW - DAY), 10)
    snapshot = Snapshot.take(replay(None, history.recorded()))
    history.plan.set_support_hours(at(given.NOW - 8 * DAY), 14)

    with pytest.raises(OutOfOrder):
        replay(None, [snapshot, *history.plan.collect_events()])


def test_a_snapshot_from_before_records_kept_their_times_calls_for_a_full_replay() -> None:
    history = drafted_days_ago(10)
    snapshot = Snapshot.take(replay(None, history.recorded()))
    del snapshot.state["began_at"], snapshot.state["latest_effective_at"]
    snapshot.state.pop("class_version")  # as stored by v1 of the record
    history.plan.set_support_hours(at(given.NOW - DAY), 10)

    with pytest.raises(OutOfOrder):
        replay(None, [snapshot, *history.plan.collect_events()])


def test_a_late_entry_is_recorded_plainly_not_against_the_record_as_it_stands_now() -> None:
    history = drafted_days_ago(10)
    history.reloaded().set_support_hours(at(given.NOW - DAY), 10)
    history.reloaded().set_next_review_date(at(given.NOW - DAY), given.NOW.date() + 30 * DAY)
    history.reloaded().set_support_hours(at(given.NOW - 8 * DAY), 14)
    history.reloaded().set_next_review_date(at(given.NOW - 8 * DAY), given.NOW.date() + 60 * DAY)
    history.reloaded().set_support_hours(at(given.NOW), 12)

    assert given.names(history.recorded()[-3:]) == [
        "SupportHoursSet",  # not "increased from 10": 10 was not in force 8 days ago
        "NextReviewDateSet",
        "SupportHoursIncreased",  # on time: against the 10 in force now
    ]
