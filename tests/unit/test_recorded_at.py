"""When a fact is recorded: the library's clock (which the property harness replaces to make
recorded times of its choosing), or, inside `recorded_at`, the day the fact was written up."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from domain.catalogue import RECORD_TYPES
from domain.record import recorded_at

THEN = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)


def test_every_record_s_events_read_the_library_s_clock() -> None:
    with mock.patch("eventsourcing.domain.datetime_now_with_tzinfo", lambda: THEN):
        stamps = {kind.Event.create_timestamp() for kind in RECORD_TYPES}
    assert stamps == {THEN}


def test_facts_written_up_elsewhere_keep_the_day_they_were_recorded() -> None:
    with recorded_at(THEN):
        assert {kind.Event.create_timestamp() for kind in RECORD_TYPES} == {THEN}
    assert all(kind.Event.create_timestamp() > THEN for kind in RECORD_TYPES)
