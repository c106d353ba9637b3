"""The stretches of the log the reader keeps in memory: read models take events from them only
where memory holds the log without a gap from where they are."""

from __future__ import annotations

from infra.log_reader import RecentLog, Stretch


def stretch(after: int, end: int, *positions: int) -> Stretch:
    return Stretch(after, end, [(p, f"event {p}") for p in positions])  # type: ignore[misc]


def test_events_after_a_position_are_taken_across_stretches_up_to_where_memory_ends() -> None:
    recent = RecentLog(most_events=100)
    recent.add(stretch(10, 14, 11, 13, 14))
    recent.add(stretch(14, 20, 16, 19))

    taken = recent.take(12, limit=10)

    assert taken == ([(13, "event 13"), (14, "event 14"), (16, "event 16"), (19, "event 19")], 20)


def test_at_the_limit_the_position_read_up_to_is_the_last_event_taken() -> None:
    recent = RecentLog(most_events=100)
    recent.add(stretch(10, 20, 11, 13, 14, 19))

    assert recent.take(10, limit=2) == ([(11, "event 11"), (13, "event 13")], 13)


def test_a_position_before_what_memory_holds_is_not_answered() -> None:
    recent = RecentLog(most_events=100)
    recent.add(stretch(10, 14, 11, 13, 14))

    assert recent.take(9, limit=10) is None
    assert recent.take(14, limit=10) is None  # nothing after it is held yet
    assert recent.take(10, limit=10) is not None


def test_after_a_gap_only_what_follows_it_is_held() -> None:
    recent = RecentLog(most_events=100)
    recent.add(stretch(10, 14, 11, 14))
    recent.add(stretch(15, 18, 16, 18))  # 15 was skipped: an event nobody could decode

    assert recent.take(12, limit=10) is None
    assert recent.take(15, limit=10) == ([(16, "event 16"), (18, "event 18")], 18)


def test_the_oldest_stretches_are_let_go_beyond_the_events_memory_keeps() -> None:
    recent = RecentLog(most_events=4)
    recent.add(stretch(0, 3, 1, 2, 3))
    recent.add(stretch(3, 6, 4, 5, 6))
    recent.add(stretch(6, 9, 7, 8, 9))

    assert recent.take(0, limit=10) is None
    assert recent.take(3, limit=10) == ([(p, f"event {p}") for p in range(4, 10)], 9)
    assert recent.end == 9
