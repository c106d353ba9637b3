"""A repeat review: one that decided nothing and found nothing new. Booking the next review is
routine, so on its own it is not a decision."""

from __future__ import annotations

from typing import Any

import pytest

from projections.plan_parts import EMPTY_ANALYSIS, repeat_finding

FOUND = {**EMPTY_ANALYSIS, "what_worked": "Texting on arrival", "barriers": "Buses on Sunday"}
NEXT_ONLY = {"next_review_on": "2026-12-01"}


@pytest.mark.parametrize("decisions", [{}, NEXT_ONLY])
def test_a_review_that_records_no_analysis_and_decides_nothing_is_a_finding(
    decisions: dict[str, Any],
) -> None:
    assert repeat_finding(EMPTY_ANALYSIS, decisions, FOUND) == (
        "decided nothing, and recorded no analysis"
    )


@pytest.mark.parametrize("decisions", [{}, NEXT_ONLY])
def test_a_review_repeating_the_last_one_s_analysis_word_for_word_is_a_finding(
    decisions: dict[str, Any],
) -> None:
    repeated = {**FOUND, "barriers": "  buses on sunday "}

    finding = repeat_finding(repeated, decisions, FOUND)

    assert finding == "decided nothing, and its analysis repeats the previous review's"


def test_a_review_that_changes_the_plan_or_finds_something_new_is_not_a_finding() -> None:
    assert repeat_finding(FOUND, {"support_hours_per_week": 8.0}, FOUND) is None
    assert repeat_finding({**FOUND, "new_goals": ["bake bread"]}, NEXT_ONLY, FOUND) is None
    assert repeat_finding(FOUND, {}, None) is None  # the first review repeats nothing
