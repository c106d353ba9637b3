"""Freshness is timed from when each write was due, so time a write spent queued counts; its
figures are the medians of the rounds, and a write failed in any round fails the target."""

from __future__ import annotations

from infra.bench.freshness import Round, Timings, _figures
from infra.bench.load import Schedule


def a_round(late: float, taken: float, failed: int = 0, writes: int = 100) -> Round:
    """`writes` writes over one second, each started `late` after it was due and read back
    `taken` after it started."""
    schedule = Schedule(rate=writes, seconds=1.0)
    for n in range(writes):
        schedule.due.append(n / writes)
        schedule.started_late.append(late)
        schedule.measured.append(taken)
    for _ in range(failed):
        schedule.outcome.failed(OSError("refused"))
    timings = Timings(write=[taken / 2] * writes, fresh=[taken / 2] * writes,
                      plain=[0.002] * writes)  # fmt: skip
    return Round(schedule, timings)


def test_freshness_counts_the_time_a_write_waited_to_start() -> None:
    visible, kept_up = _figures(100, [a_round(late=0.030, taken=0.010)] * 3)

    assert round(visible.value) == 40  # due -> visible, not write start -> visible
    assert round(visible.detail["after_answer_p99_ms"]) == 5
    assert visible.met is True  # under 50 ms, nothing failed
    assert kept_up.value == 100


def test_the_figure_is_the_median_round_and_the_worst_round_is_shown() -> None:
    rounds = [a_round(0.0, 0.010), a_round(0.0, 0.090), a_round(0.0, 0.020)]

    visible, _ = _figures(100, rounds)

    assert round(visible.value) == 20
    assert round(visible.detail["p99_worst_round_ms"]) == 90


def test_a_write_failed_in_any_round_fails_both_targets() -> None:
    rounds = [a_round(0.0, 0.010), a_round(0.0, 0.010, failed=1), a_round(0.0, 0.010)]

    visible, kept_up = _figures(100, rounds)

    assert visible.detail["failed"] == 1 and kept_up.detail["failed"] == 1
    assert visible.met is False and kept_up.met is False
